//! The ETL on the committed sample, into real SQLite files and a real
//! Postgres (`DATABASE_URL`; each test makes its own database): row counts
//! against the source, gates, injected and real (killed process) failures,
//! re-issue/skip, rollback, NOTIFY, and the store's answers staying byte for
//! byte the same while a failed run comes and goes.

mod store_support;

use store_support::{fresh_pg, sample};

use std::collections::BTreeMap;
use std::path::Path;

use sqlx::Connection as _;
use vin_db::Error;
use vin_db::etl::source::{self, SourceEvent, WantedTables};
use vin_db::etl::{self, RunOptions, RunStatus};
use vin_db::store::{NOTIFY_CHANNEL, Store, schema};

fn opts(source: &Path) -> RunOptions {
    RunOptions {
        quiet: true,
        // These tests exercise the load itself; the dropdowns have their own tests.
        derive_dropdowns: false,
        ..RunOptions::new(source.display().to_string())
    }
}

/// Every database URL a test should run on: a new SQLite file, and Postgres when available.
async fn targets(dir: &Path) -> Vec<String> {
    let mut urls = vec![format!("sqlite://{}", dir.join("vin.sqlite").display())];
    if let Some(pg) = fresh_pg("etl").await {
        urls.push(pg);
    }
    urls
}

/// Rows per table of a source, read with the same readers the ETL uses.
fn source_counts(spec: &str) -> BTreeMap<String, i64> {
    let mut counts = BTreeMap::new();
    for event in source::open(spec, WantedTables::All).unwrap() {
        if let SourceEvent::End { table, rows } = event.unwrap() {
            *counts.entry(table).or_insert(0) += rows as i64;
        }
    }
    counts
}

/// What a decoder would see: the globals and a few WMIs, serialized.
async fn snapshot(store: &Store) -> (i64, String) {
    let (v, globals) = store.load_globals().await.unwrap();
    let mut text = serde_json::to_string(&globals).unwrap();
    for wmi in ["1HG", "1FT", "JTD", "WBA", "5YJ", "ZZZ"] {
        let (v2, rows) = store.load_wmi(wmi).await.unwrap();
        assert_eq!(v, v2, "one dataset per answer");
        text.push_str(&serde_json::to_string(&rows).unwrap());
    }
    (v, text)
}

async fn last_run_status(url: &str) -> String {
    etl::status(url).await.unwrap().runs[0].status.clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sample_loads_into_both_backends_with_the_source_counts() {
    let dir = tempfile::tempdir().unwrap();
    let spec = sample().display().to_string();
    let source = source_counts(&spec);
    let mut answers = Vec::new();
    for url in targets(dir.path()).await {
        let report = etl::run_etl(&url, &opts(&sample())).await.unwrap();
        assert_eq!(report.status, RunStatus::Swapped);
        let store = Store::open(&url).await.unwrap();
        let ds = store.dataset().await.unwrap().expect("a live dataset");
        assert_eq!(Some(ds.version), report.version);
        let mut checked = 0;
        for (table, n) in &source {
            if schema::table(table).is_some() || schema::is_lookup(table) {
                assert_eq!(ds.row_counts.get(table), Some(n), "{url}: table {table}");
                checked += 1;
            }
        }
        assert!(checked > 60, "{checked} tables compared");
        // Kept tables the sample lacks come from the supplement, and are recorded.
        for t in &ds.supplemented_tables {
            assert!(!source.contains_key(t), "{t} was in the source");
        }
        let (version, rows) = store.load_wmi("1HG").await.unwrap();
        assert_eq!(version, ds.version);
        assert!(!rows.wmis.is_empty() && !rows.patterns.is_empty());
        assert!(rows.patterns.windows(2).all(|w| w[0].id < w[1].id));
        let schemas: std::collections::BTreeSet<i32> =
            rows.links.iter().map(|l| l.vin_schema_id).collect();
        assert!(
            rows.patterns
                .iter()
                .all(|p| schemas.contains(&p.vin_schema_id))
        );
        let (_, globals) = store.load_globals().await.unwrap();
        assert_eq!(globals.elements.len() as i64, source["element"]);
        for t in schema::NAMED_TABLES_IN_LOOKUPS {
            let n = globals.lookups.iter().filter(|l| l.table == *t).count() as i64;
            assert_eq!(n, source[*t], "lookups of {t}");
        }
        let (_, all) = store.load_all_wmis().await.unwrap();
        let one = all
            .iter()
            .find(|w| w.wmi == "1HG")
            .expect("1HG in the bulk load");
        assert_eq!(
            serde_json::to_string(one).unwrap(),
            serde_json::to_string(&rows).unwrap()
        );
        if !url.starts_with("sqlite") {
            // The Postgres migration creates exactly the columns schema.rs lists.
            let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
            let live = format!("vin_ds_{}", ds.version);
            for t in schema::TABLES {
                let cols: Vec<(String, String, String)> = sqlx::query_as(
                    "SELECT column_name::text, data_type::text, is_nullable::text \
                     FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 \
                     ORDER BY ordinal_position",
                )
                .bind(&live)
                .bind(t.name)
                .fetch_all(&mut c)
                .await
                .unwrap();
                let want: Vec<(String, String, String)> = t
                    .columns
                    .iter()
                    .map(|col| {
                        let ty = match col.ty {
                            schema::ColType::Int => "integer",
                            schema::ColType::Text => "text",
                            schema::ColType::Bool => "boolean",
                            schema::ColType::Ts => "timestamp without time zone",
                        };
                        let null = if col.not_null { "NO" } else { "YES" };
                        (col.name.to_owned(), ty.to_owned(), null.to_owned())
                    })
                    .collect();
                assert_eq!(cols, want, "table {}", t.name);
            }
        }
        answers.push(snapshot(&store).await.1);
    }
    // Both backends answer byte for byte the same.
    assert!(answers.windows(2).all(|w| w[0] == w[1]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_leave_the_live_dataset_serving_and_rollback_restores() {
    let dir = tempfile::tempdir().unwrap();
    // A truncated copy of the sample: the gzip stream stops mid-way.
    let bytes = std::fs::read(sample()).unwrap();
    let truncated = dir.path().join("truncated.sql.gz");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    // The same content compressed differently: same month, other SHA-256.
    let reissued = dir.path().join("reissued.sql.gz");
    {
        use std::io::{Read as _, Write as _};
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_end(&mut plain)
            .unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&plain).unwrap();
        std::fs::write(&reissued, gz.finish().unwrap()).unwrap();
    }
    for (i, url) in targets(dir.path()).await.into_iter().enumerate() {
        let url = if url.starts_with("sqlite") {
            format!(
                "sqlite://{}",
                dir.path().join(format!("db{i}.sqlite")).display()
            )
        } else {
            url
        };
        let first = etl::run_etl(&url, &opts(&sample())).await.unwrap();
        let store = Store::open(&url).await.unwrap();
        let before = snapshot(&store).await;
        assert_eq!(Some(before.0), first.version);

        // The same release again is skipped.
        let again = etl::run_etl(&url, &opts(&sample())).await.unwrap();
        assert_eq!(again.status, RunStatus::Skipped, "{url}");
        assert_eq!(snapshot(&store).await, before);

        // A gate failure: the supplement alone lacks every required big table.
        let gate = etl::run_etl(
            &url,
            &RunOptions {
                force: true,
                ..opts(Path::new("supplement"))
            },
        )
        .await;
        match gate {
            Err(Error::Rejected(msg)) => {
                assert!(msg.contains("required table pattern is empty"), "{msg}")
            }
            other => panic!("{url}: expected a rejection, got {other:?}"),
        }
        assert_eq!(last_run_status(&url).await, "rejected");
        assert_eq!(snapshot(&store).await, before);

        // An injected failure in the middle of the load.
        let mut o = opts(&sample());
        o.force = true;
        o.hooks.fail_after_tables = Some(5);
        let err = etl::run_etl(&url, &o).await.unwrap_err();
        assert!(err.to_string().contains("injected failure"), "{err}");
        assert_eq!(last_run_status(&url).await, "failed");
        assert_eq!(snapshot(&store).await, before);

        // A truncated source: a clear error, nothing swapped.
        let mut o = opts(&truncated);
        o.force = true;
        let err = etl::run_etl(&url, &o).await.unwrap_err();
        assert_eq!(err.code(), "ERR_SOURCE", "{err}");
        assert_eq!(snapshot(&store).await, before);
        assert_eq!(last_run_status(&url).await, "failed");

        // The same month with other bytes (re-compressed) is a re-issue: loaded,
        // noted, a new version; the running store sees it.
        let second = etl::run_etl(&url, &opts(&reissued)).await.unwrap();
        assert_eq!(second.status, RunStatus::Swapped);
        assert_eq!(second.data_month, first.data_month);
        assert!(
            second
                .note
                .as_deref()
                .unwrap_or("")
                .starts_with("re-issue of"),
            "{:?}",
            second.note
        );
        let v2 = second.version.unwrap();
        assert!(v2 > before.0);
        assert_eq!(store.dataset().await.unwrap().unwrap().version, v2);
        assert_eq!(store.load_wmi("1HG").await.unwrap().0, v2);

        // Rollback returns to the first dataset, same answers.
        assert_eq!(etl::rollback(&url).await.unwrap(), before.0);
        assert_eq!(snapshot(&store).await, before);
        let status = etl::status(&url).await.unwrap();
        assert_eq!(status.live.unwrap().version, before.0);
        assert_eq!(status.previous.unwrap().version, v2);

        // No leftovers of the failed runs.
        if url.starts_with("sqlite") {
            let stray: Vec<_> = std::fs::read_dir(dir.path())
                .unwrap()
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.contains(".build-"))
                .collect();
            assert!(stray.is_empty(), "{stray:?}");
        } else {
            let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
            let n: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'vin\\_ds\\_%'",
            )
            .fetch_one(&mut c)
            .await
            .unwrap();
            assert_eq!(n, 2, "live and previous only");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swaps_and_rollbacks_notify_listeners() {
    let Some(url) = fresh_pg("etl").await else {
        return;
    };
    let mut listener = sqlx::postgres::PgListener::connect(&url).await.unwrap();
    listener.listen(NOTIFY_CHANNEL).await.unwrap();
    let first = etl::run_etl(&url, &opts(&sample())).await.unwrap();
    let note = tokio::time::timeout(std::time::Duration::from_secs(30), listener.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(note.payload(), first.version.unwrap().to_string());
    let mut o = opts(&sample());
    o.force = true;
    let second = etl::run_etl(&url, &o).await.unwrap();
    let note = listener.recv().await.unwrap();
    assert_eq!(note.payload(), second.version.unwrap().to_string());
    etl::rollback(&url).await.unwrap();
    let note = listener.recv().await.unwrap();
    assert_eq!(note.payload(), first.version.unwrap().to_string());
}

/// Starts `vin etl run` told to stall after a few tables, waits until it
/// stalls, and kills it.
async fn start_and_kill(url: &str) {
    use tokio::io::AsyncBufReadExt as _;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_vin"))
        .args(["etl", "run", "--quiet", "--source"])
        .arg(sample())
        .args(["--database-url", url])
        .env("VIN_ETL_PAUSE_AFTER_TABLES", "3")
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = tokio::io::BufReader::new(stderr).lines();
    let wait = async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if line.contains("pausing") {
                return;
            }
        }
        panic!("the run ended before pausing");
    };
    tokio::time::timeout(std::time::Duration::from_secs(300), wait)
        .await
        .unwrap();
    child.kill().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_run_leaves_the_live_dataset_and_the_next_run_cleans_up() {
    let dir = tempfile::tempdir().unwrap();
    for url in targets(dir.path()).await {
        let first = etl::run_etl(&url, &opts(&sample())).await.unwrap();
        let store = Store::open(&url).await.unwrap();
        let before = snapshot(&store).await;
        start_and_kill(&url).await;
        assert_eq!(snapshot(&store).await, before, "{url}");
        assert_eq!(
            store.dataset().await.unwrap().unwrap().version,
            first.version.unwrap()
        );
        let mut o = opts(&sample());
        o.force = true;
        let next = etl::run_etl(&url, &o).await.unwrap();
        assert_eq!(next.status, RunStatus::Swapped);
        let runs = etl::status(&url).await.unwrap().runs;
        let killed = runs
            .iter()
            .find(|r| r.status == "failed")
            .expect("the killed run");
        assert!(
            killed
                .error
                .as_deref()
                .unwrap_or("")
                .contains("interrupted")
        );
        if url.starts_with("sqlite") {
            let stray: Vec<_> = std::fs::read_dir(dir.path())
                .unwrap()
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.contains(".build-") || n.ends_with(".etl-lock"))
                .collect();
            assert!(stray.is_empty(), "{stray:?}");
        } else {
            let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
            let n: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'vin\\_ds\\_%'",
            )
            .fetch_one(&mut c)
            .await
            .unwrap();
            assert_eq!(n, 2, "live and previous only");
        }
    }
}

#[tokio::test]
async fn bad_input_gives_typed_errors() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("x.sqlite").display());
    let err = etl::run_etl(&url, &opts(Path::new("ftp://nowhere")))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "ERR_INVALID_ARGUMENT", "{err}");
    let mut o = opts(&sample());
    o.max_shrink = 1.5;
    assert_eq!(
        etl::run_etl(&url, &o).await.unwrap_err().code(),
        "ERR_INVALID_ARGUMENT"
    );
    let err = etl::run_etl("mysql://h/db", &opts(&sample()))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "ERR_INVALID_ARGUMENT");
    let err = etl::run_etl(&url, &opts(&dir.path().join("missing.sql.gz")))
        .await
        .unwrap_err();
    assert!(matches!(err.code(), "ERR_SOURCE" | "ERR_IO"), "{err}");
    // An unreachable Postgres: a clear, typed error naming it.
    let err = etl::run_etl("postgres://vin@127.0.0.1:1/none", &opts(&sample()))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "ERR_DATA_UNAVAILABLE", "{err}");
    assert!(err.to_string().contains("127.0.0.1:1"), "{err}");
    // Nothing loaded yet.
    let store = Store::open(&url).await.unwrap();
    assert!(store.dataset().await.unwrap().is_none());
    assert_eq!(
        store.load_wmi("1HG").await.unwrap_err().code(),
        "ERR_DATA_UNAVAILABLE"
    );
    // Rollback with nothing to return to.
    assert_eq!(
        etl::rollback(&url).await.unwrap_err().code(),
        "ERR_INVALID_ARGUMENT"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_database_is_built_once_from_the_sample_even_by_two_processes() {
    let dir = tempfile::tempdir().unwrap();
    let run = || {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_vin"))
            .args(["etl", "status"])
            .env("VIN_DATA_DIR", dir.path())
            .env_remove("VIN_DATABASE_URL")
            .env("RUST_LOG", "warn")
            .output()
    };
    let (a, b) = tokio::join!(run(), run());
    let (a, b) = (a.unwrap(), b.unwrap());
    let mut said = 0;
    for out in [&a, &b] {
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        said += usize::from(stderr.contains("building it from the sample dataset"));
        let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(status["live"]["version"].as_i64().is_some(), "{status}");
        assert_eq!(status["runs"][0]["status"], "swapped");
    }
    assert!(said >= 1);
    let store = Store::open(&format!(
        "sqlite://{}",
        dir.path().join("vin.sqlite").display()
    ))
    .await
    .unwrap();
    assert!(!store.load_wmi("1HG").await.unwrap().1.patterns.is_empty());
}
