//! The lite SQLite source: a small file built here, and the real lite file
//! when `VPIC_LITE` points at it.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{Connection, Row as _};
use vin_db::etl::source::{Row, SourceEvent, SourceInfo, WantedTables, open};

/// Everything a source produced, by table.
struct Drained {
    columns: BTreeMap<String, Vec<String>>,
    rows: BTreeMap<String, Vec<Row>>,
    ends: BTreeMap<String, u64>,
    order: Vec<String>,
    info: SourceInfo,
    tables: Vec<String>,
}

fn drain(spec: &str, wanted: WantedTables) -> Drained {
    let mut src = open(spec, wanted).expect("open");
    let mut d = Drained {
        columns: BTreeMap::new(),
        rows: BTreeMap::new(),
        ends: BTreeMap::new(),
        order: Vec::new(),
        info: SourceInfo::default(),
        tables: Vec::new(),
    };
    let mut current: Option<String> = None;
    for ev in &mut src {
        match ev.expect("event") {
            SourceEvent::Begin(h) => {
                assert!(current.is_none(), "Begin inside {current:?}");
                d.order.push(h.table.clone());
                d.columns.insert(h.table.clone(), h.columns);
                d.rows.insert(h.table.clone(), Vec::new());
                current = Some(h.table);
            }
            SourceEvent::Rows(rows) => {
                let t = current.as_ref().expect("Rows outside a table");
                for r in &rows {
                    assert_eq!(r.len(), d.columns[t].len(), "row width in {t}");
                }
                d.rows.get_mut(t).unwrap().extend(rows);
            }
            SourceEvent::End { table, rows } => {
                assert_eq!(current.take().as_deref(), Some(table.as_str()));
                d.ends.insert(table, rows);
            }
        }
    }
    assert!(current.is_none(), "stream ended inside a table");
    d.info = src.info();
    d.tables = src.tables();
    d
}

async fn connect_rw(path: &Path) -> SqliteConnection {
    let opts = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true);
    SqliteConnection::connect_with(&opts).await.unwrap()
}

/// A small file in the lite layout: CamelCase names, 0/1 booleans, an extra
/// `Notes` column, CR LF and tabs inside values, ISO community timestamps.
async fn build_small_lite(path: &Path) {
    let mut c = connect_rw(path).await;
    for sql in [
        "CREATE TABLE VinSchema (Id INTEGER NOT NULL, Name TEXT NOT NULL, sourcewmi TEXT, CreatedOn TEXT, UpdatedOn TEXT, TobeQCed INTEGER, Notes TEXT)",
        "INSERT INTO VinSchema VALUES (1, char(9) || 'Tab schema', NULL, '2015-01-01 00:00:00', '2025-11-03 10:00:00.250000', 0, NULL)",
        "INSERT INTO VinSchema VALUES (2, 'QC schema', 'ABC', '2024-02-02 00:00:00', NULL, 1, NULL)",
        "INSERT INTO VinSchema VALUES (3, 'Community', 'LRW', '2026-03-12T04:06:32.407Z', '2026-03-12T04:06:32.407Z', NULL, 'Community contribution')",
        "CREATE TABLE Pattern (Id INTEGER NOT NULL, VinSchemaId INTEGER NOT NULL, Keys TEXT NOT NULL, ElementId INTEGER NOT NULL, AttributeId TEXT NOT NULL, CreatedOn TEXT, UpdatedOn TEXT)",
        "INSERT INTO Pattern VALUES (10, 1, '*****|*[1-A-JT]', 121, 'line one' || char(13, 10) || 'line two', '2025-12-24 08:00:00', NULL)",
        "INSERT INTO Pattern VALUES (-5, 2, 'AB', 28, '17834', NULL, NULL)",
        "CREATE TABLE Make (Id INTEGER NOT NULL, Name TEXT NOT NULL, CreatedOn TEXT, UpdatedOn TEXT)",
    ] {
        sqlx::query(sql).execute(&mut c).await.unwrap();
    }
    c.close().await.unwrap();
}

fn gzip(src: &Path, dst: &Path) {
    let data = std::fs::read(src).unwrap();
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(dst).unwrap(),
        flate2::Compression::fast(),
    );
    enc.write_all(&data).unwrap();
    enc.finish().unwrap();
}

fn sha256_hex(path: &Path) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(std::fs::read(path).unwrap());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn small_file_checks(d: &Drained) {
    assert_eq!(d.order, ["make", "pattern", "vinschema"]);
    assert_eq!(d.tables, ["make", "pattern", "vinschema"]);
    assert_eq!(
        d.columns["vinschema"],
        [
            "id",
            "name",
            "sourcewmi",
            "createdon",
            "updatedon",
            "tobeqced",
            "notes"
        ]
    );
    let s = |v: &str| Some(v.to_owned());
    assert_eq!(
        d.rows["vinschema"],
        vec![
            vec![
                s("1"),
                s("\tTab schema"),
                None,
                s("2015-01-01 00:00:00"),
                s("2025-11-03 10:00:00.250000"),
                s("f"),
                None
            ],
            vec![
                s("2"),
                s("QC schema"),
                s("ABC"),
                s("2024-02-02 00:00:00"),
                None,
                s("t"),
                None
            ],
            vec![
                s("3"),
                s("Community"),
                s("LRW"),
                s("2026-03-12T04:06:32.407Z"),
                s("2026-03-12T04:06:32.407Z"),
                None,
                s("Community contribution")
            ],
        ]
    );
    assert_eq!(
        d.rows["pattern"][0][4].as_deref(),
        Some("line one\r\nline two")
    );
    assert_eq!(d.rows["pattern"][1][0].as_deref(), Some("-5"));
    assert_eq!(d.ends["pattern"], 2);
    assert_eq!(d.ends["make"], 0);
    assert!(d.rows["make"].is_empty());
    // The newest NHTSA-shaped stamp is 2025-12-24; the ISO community stamp
    // (2026-03) does not count.
    assert_eq!(d.info.data_month.as_deref(), Some("2025_12"));
}

#[tokio::test]
async fn small_lite_file_plain_and_gz() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("small.lite.db");
    build_small_lite(&db).await;

    let spec = format!("sqlite:{}", db.display());
    let d = tokio::task::spawn_blocking(move || drain(&spec, WantedTables::All))
        .await
        .unwrap();
    small_file_checks(&d);
    assert_eq!(d.info.sha256.as_deref(), Some(sha256_hex(&db).as_str()));
    assert_eq!(d.info.size, Some(std::fs::metadata(&db).unwrap().len()));

    let gz = dir.path().join("small.lite.db.gz");
    gzip(&db, &gz);
    let spec = format!("sqlite:{}", gz.display());
    let d = tokio::task::spawn_blocking(move || drain(&spec, WantedTables::All))
        .await
        .unwrap();
    small_file_checks(&d);
    assert_eq!(d.info.sha256.as_deref(), Some(sha256_hex(&gz).as_str()));
    assert_eq!(d.info.size, Some(std::fs::metadata(&gz).unwrap().len()));
}

#[tokio::test]
async fn unwanted_tables_are_counted_not_sent() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("small.db");
    build_small_lite(&db).await;
    let mut src = open(
        &format!("sqlite:{}", db.display()),
        WantedTables::only(["VinSchema"]),
    )
    .unwrap();
    let begins: Vec<String> = src
        .by_ref()
        .filter_map(|e| match e.unwrap() {
            SourceEvent::Begin(h) => Some(h.table),
            _ => None,
        })
        .collect();
    assert_eq!(begins, ["vinschema"]);
    let skipped: Vec<(String, u64)> = src
        .skipped()
        .into_iter()
        .map(|s| (s.table, s.rows))
        .collect();
    assert_eq!(skipped, [("make".to_owned(), 0), ("pattern".to_owned(), 2)]);
}

#[test]
fn bad_lite_inputs_are_source_errors() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.db");
    let err = open(&format!("sqlite:{}", missing.display()), WantedTables::All).unwrap_err();
    assert_eq!(err.code(), "ERR_SOURCE", "{err}");

    let not_db = dir.path().join("text.db");
    std::fs::write(
        &not_db,
        b"this is not a database, just some text long enough to look like a header... ".repeat(100),
    )
    .unwrap();
    let err = open(&format!("sqlite:{}", not_db.display()), WantedTables::All).unwrap_err();
    assert_eq!(err.code(), "ERR_SOURCE", "{err}");

    let truncated_gz = dir.path().join("cut.db.gz");
    let full = dir.path().join("full.db.gz");
    std::fs::write(dir.path().join("payload"), vec![7u8; 200_000]).unwrap();
    gzip(&dir.path().join("payload"), &full);
    let bytes = std::fs::read(&full).unwrap();
    std::fs::write(&truncated_gz, &bytes[..bytes.len() / 2]).unwrap();
    let err = open(
        &format!("sqlite:{}", truncated_gz.display()),
        WantedTables::All,
    )
    .unwrap_err();
    assert_eq!(err.code(), "ERR_SOURCE", "{err}");
    assert!(err.to_string().contains("gzip"), "{err}");

    let err = open("sqlite:", WantedTables::All).unwrap_err();
    assert_eq!(err.code(), "ERR_INVALID_ARGUMENT");
    let err = open("ftp://x", WantedTables::All).unwrap_err();
    assert_eq!(err.code(), "ERR_INVALID_ARGUMENT");
}

/// The real lite file, when `VPIC_LITE` names it (plain or `.gz`).
fn lite_path() -> Option<PathBuf> {
    match std::env::var_os("VPIC_LITE") {
        Some(p) if !p.is_empty() => Some(PathBuf::from(p)),
        _ => {
            eprintln!("note: VPIC_LITE is not set; skipping the full lite-file test");
            None
        }
    }
}

#[tokio::test]
async fn full_lite_file_matches_its_own_counts() {
    let Some(path) = lite_path() else { return };
    // Count with SQLite directly, on a plain copy when the file is gzipped.
    let dir = tempfile::tempdir().unwrap();
    let plain = if path.extension().is_some_and(|e| e == "gz") {
        let out = dir.path().join("lite.db");
        let mut dec = flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap());
        std::io::copy(&mut dec, &mut std::fs::File::create(&out).unwrap()).unwrap();
        out
    } else {
        path.clone()
    };
    let opts = SqliteConnectOptions::new().filename(&plain).read_only(true);
    let mut c = SqliteConnection::connect_with(&opts).await.unwrap();
    let names: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
            .fetch_all(&mut c)
            .await
            .unwrap();
    let mut expected = BTreeMap::new();
    for n in &names {
        let count: i64 = sqlx::query(&format!("SELECT count(*) FROM \"{n}\""))
            .fetch_one(&mut c)
            .await
            .unwrap()
            .get(0);
        expected.insert(n.to_ascii_lowercase(), count as u64);
    }
    c.close().await.unwrap();

    let spec = format!("sqlite:{}", path.display());
    let d = tokio::task::spawn_blocking(move || drain(&spec, WantedTables::All))
        .await
        .unwrap();
    let got: BTreeMap<String, u64> = d
        .rows
        .iter()
        .map(|(t, r)| (t.clone(), r.len() as u64))
        .collect();
    assert_eq!(got, expected);
    assert_eq!(d.ends, expected);
    assert_eq!(d.tables.len(), names.len());
    assert_eq!(d.info.data_month.as_deref(), Some("2026_02"));
    assert_eq!(d.info.size, Some(std::fs::metadata(&path).unwrap().len()));

    // Dump terms: wmi's header is the dump's, booleans are t/f, ids are decimal.
    assert_eq!(
        d.columns["wmi"].join(", "),
        "id, wmi, manufacturerid, makeid, vehicletypeid, createdon, updatedon, countryid, \
         publicavailabilitydate, trucktypeid, processedon, noncompliant, noncompliantsetbyovsc"
    );
    for (table, col) in [
        ("vinschema", "tobeqced"),
        ("element", "isprivate"),
        ("wmi", "noncompliant"),
    ] {
        let i = d.columns[table].iter().position(|c| c == col).unwrap();
        assert!(
            d.rows[table]
                .iter()
                .all(|r| matches!(r[i].as_deref(), None | Some("t" | "f"))),
            "{table}.{col} is not t/f"
        );
    }
    assert!(
        d.rows["pattern"]
            .iter()
            .all(|r| r[0].as_deref().is_some_and(|v| v.parse::<i64>().is_ok()))
    );
    let hg = d.rows["wmi"]
        .iter()
        .find(|r| r[1].as_deref() == Some("1HG"))
        .expect("1HG");
    assert!(hg[0].as_deref().unwrap().parse::<u32>().is_ok());
    // Values keep CR LF (elements 121/129) and the community notes column.
    assert!(
        d.rows["pattern"]
            .iter()
            .any(|r| r[4].as_deref().is_some_and(|v| v.contains("\r\n")))
    );
    let notes = d.columns["vinschema"]
        .iter()
        .position(|c| c == "notes")
        .unwrap();
    assert_eq!(
        d.rows["vinschema"]
            .iter()
            .filter(|r| r[notes].is_some())
            .count(),
        2
    );
}
