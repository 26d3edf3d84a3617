//! Shared by the dropdown tests: loading data through the real ETL into a
//! throw-away SQLite file or Postgres database, and the checks every dataset
//! must pass.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use vin_db::dropdowns::{Choice, Dropdowns, DropdownsConfig};
use vin_db::etl::{RunOptions, run_etl};
use vin_db::store::{Backend, Store};

/// The committed sample, as an ETL source name.
pub fn sample_source() -> String {
    format!(
        "{}/../data/sample/vpic-sample.sql.gz",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// The full lite file from `VPIC_LITE`, as an ETL source name; `None` (with a
/// printed note) when unset.
pub fn lite_source() -> Option<String> {
    match std::env::var("VPIC_LITE") {
        Ok(path) if !path.is_empty() => Some(format!("sqlite:{path}")),
        _ => {
            eprintln!("note: VPIC_LITE is unset; skipping the full-data dropdown tests");
            None
        }
    }
}

/// A fresh Postgres database in the cluster of `DATABASE_URL` (so loads
/// here never touch other tests' datasets); `None` with a note outside CI
/// when unset. Panics under `CI=true` when unset.
pub async fn fresh_pg_database(tag: &str) -> Option<String> {
    let base = match std::env::var("DATABASE_URL") {
        Ok(u) if !u.is_empty() => u,
        _ => {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("DATABASE_URL must be set under CI=true");
            }
            eprintln!("note: DATABASE_URL is unset; skipping the Postgres dropdown tests");
            return None;
        }
    };
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(&base)
        .await
        .expect("connect to DATABASE_URL");
    let name = format!("vin_dropdowns_{tag}_{}", std::process::id());
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
        .execute(&mut conn)
        .await
        .expect("drop old test database");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create test database");
    let (prefix, query) = match base.split_once('?') {
        Some((p, q)) => (p.to_string(), format!("?{q}")),
        None => (base.clone(), String::new()),
    };
    let authority_end = prefix
        .find("://")
        .map(|i| i + 3)
        .and_then(|start| prefix[start..].find('/').map(|j| start + j))
        .unwrap_or(prefix.len());
    Some(format!("{}/{name}{query}", &prefix[..authority_end]))
}

/// Loads `source` into `url` through the ETL (forced: the same data may be
/// loaded twice on purpose).
pub async fn load(url: &str, source: &str) {
    let opts = RunOptions {
        force: true,
        quiet: true,
        ..RunOptions::new(source)
    };
    let started = std::time::Instant::now();
    let report = run_etl(url, &opts).await.expect("ETL run");
    eprintln!(
        "loaded {source} in {:.1} s; derived rows: {:?}",
        started.elapsed().as_secs_f64(),
        report
            .row_counts
            .iter()
            .filter(|(t, _)| t.starts_with("dd_"))
            .collect::<Vec<_>>()
    );
}

/// Every name list is sorted by name (byte order), ids unique.
fn assert_sorted(what: &str, list: &[Choice]) {
    for w in list.windows(2) {
        assert!(
            (w[0].name.as_str(), w[0].id) < (w[1].name.as_str(), w[1].id),
            "{what}: not sorted or duplicated: {:?} then {:?}",
            w[0],
            w[1]
        );
    }
    let ids: BTreeSet<i64> = list.iter().map(|c| c.id).collect();
    assert_eq!(ids.len(), list.len(), "{what}: duplicate ids");
}

/// Runs a scalar count query on the live dataset.
async fn count(store: &Store, sql: &str) -> i64 {
    store.dataset().await.expect("live dataset");
    match store.backend() {
        Backend::Postgres { pool, schema } => {
            let text = sql.replace("{p}", &format!("\"{schema}\"."));
            sqlx::query_scalar::<_, i64>(&text)
                .fetch_one(pool)
                .await
                .expect("count query")
        }
        Backend::Sqlite { pool } => {
            let text = sql.replace("{p}", "");
            sqlx::query_scalar::<_, i64>(&text)
                .fetch_one(pool)
                .await
                .expect("count query")
        }
    }
}

/// Runs one statement on the live dataset of `url` (`{p}` is its table
/// prefix); SQLite through a writable connection of its own, as the store
/// reads its file read-only.
pub async fn execute(store: &Store, url: &str, sql: &str) {
    store.dataset().await.expect("live dataset");
    match store.backend() {
        Backend::Postgres { pool, schema } => {
            let text = sql.replace("{p}", &format!("\"{schema}\"."));
            sqlx::query(&text).execute(pool).await.expect("statement");
        }
        Backend::Sqlite { .. } => {
            use sqlx::Connection;
            let mut conn = sqlx::SqliteConnection::connect(url)
                .await
                .expect("writable SQLite connection");
            let text = sql.replace("{p}", "");
            sqlx::query(&text)
                .execute(&mut conn)
                .await
                .expect("statement");
            conn.close().await.expect("close");
        }
    }
}

/// Every `dd_make` row of the live dataset, by year (unsorted).
pub async fn make_rows(store: &Store) -> BTreeMap<i32, Vec<Choice>> {
    store.dataset().await.expect("live dataset");
    let sql = "SELECT year, make_id, name FROM {p}dd_make";
    let rows: Vec<(i64, i64, String)> = match store.backend() {
        Backend::Postgres { pool, schema } => {
            let text = sql.replace("{p}", &format!("\"{schema}\"."));
            sqlx::query_as(&text).fetch_all(pool).await
        }
        Backend::Sqlite { pool } => {
            sqlx::query_as(&sql.replace("{p}", ""))
                .fetch_all(pool)
                .await
        }
    }
    .expect("make rows");
    let mut out: BTreeMap<i32, Vec<Choice>> = BTreeMap::new();
    for (year, id, name) in rows {
        let year = i32::try_from(year).expect("year fits i32");
        out.entry(year).or_default().push(Choice { id, name });
    }
    out
}

/// A dataset built before the packed make lists existed (the table dropped
/// here) still answers `makes` with the same lists, read from `dd_make`.
/// Changes the live dataset: call it last.
pub async fn check_without_packed_lists(store: &Store, url: &str) {
    let fresh = || {
        Dropdowns::with_config(
            store.clone(),
            DropdownsConfig {
                capacity: 0,
                ..DropdownsConfig::default()
            },
        )
    };
    let packed = fresh();
    let years = packed.years().await.expect("years");
    let mut before = Vec::new();
    for &year in years.iter() {
        before.push(packed.makes(year).await.expect("packed makes"));
    }
    // A valid year the data does not offer: no list, no makes.
    let missing = (1980..years[0]).find(|y| !years.contains(y));
    if let Some(y) = missing {
        assert!(packed.makes(y).await.expect("makes").is_empty());
    }
    execute(store, url, "DROP TABLE {p}dd_make_list").await;
    let unpacked = fresh();
    for (&year, want) in years.iter().zip(&before) {
        let got = unpacked
            .makes(year)
            .await
            .expect("makes without packed lists");
        assert!(got == *want, "makes of {year} differ without packed lists");
    }
    // The first query of an instance that still expects the lists (fails
    // over once), and a year without makes.
    let got = packed.makes(years[0]).await.expect("makes after the drop");
    assert!(got == before[0]);
    if let Some(y) = missing {
        assert!(unpacked.makes(y).await.expect("makes").is_empty());
    }
}

/// The cascade is consistent: set-based checks over every derived row, then
/// the query API over `probes` (year, make, model) and a spread of years.
pub async fn check_cascade(store: &Store, dropdowns: &Dropdowns) {
    // Set-based: no row dangles anywhere down the cascade.
    let orphans = [
        // The year list and the makes agree.
        "SELECT COUNT(*) FROM {p}dd_year y WHERE NOT EXISTS \
         (SELECT 1 FROM {p}dd_make k WHERE k.year = y.year)",
        "SELECT COUNT(*) FROM {p}dd_make k WHERE NOT EXISTS \
         (SELECT 1 FROM {p}dd_year y WHERE y.year = k.year)",
        // A make offered for a year without any model.
        "SELECT COUNT(*) FROM {p}dd_make k WHERE NOT EXISTS \
         (SELECT 1 FROM {p}dd_model m WHERE m.year = k.year AND m.make_id = k.make_id)",
        // A model whose make is not offered that year.
        "SELECT COUNT(*) FROM {p}dd_model m WHERE NOT EXISTS \
         (SELECT 1 FROM {p}dd_make k WHERE k.year = m.year AND k.make_id = m.make_id)",
        // A model without any group behind it, and the reverse.
        "SELECT COUNT(*) FROM {p}dd_model m WHERE NOT EXISTS (SELECT 1 FROM {p}dd_group_year g \
         WHERE g.year = m.year AND g.make_id = m.make_id AND g.model_id = m.model_id)",
        "SELECT COUNT(*) FROM {p}dd_group_year g WHERE NOT EXISTS (SELECT 1 FROM {p}dd_model m \
         WHERE g.year = m.year AND g.make_id = m.make_id AND g.model_id = m.model_id)",
        // Trims, engines, transmissions of groups that no year offers, or unnamed.
        // (Anti-joins of distinct ids: a hash join on Postgres, an automatic
        // index on SQLite; `dd_group_year` has no index on `group_id` alone.)
        "SELECT COUNT(*) FROM (SELECT DISTINCT group_id FROM {p}dd_group_trim) x \
         LEFT JOIN (SELECT DISTINCT group_id FROM {p}dd_group_year) g ON g.group_id = x.group_id \
         WHERE g.group_id IS NULL",
        "SELECT COUNT(*) FROM (SELECT DISTINCT group_id FROM {p}dd_group_engine) x \
         LEFT JOIN (SELECT DISTINCT group_id FROM {p}dd_group_year) g ON g.group_id = x.group_id \
         WHERE g.group_id IS NULL",
        "SELECT COUNT(*) FROM (SELECT DISTINCT group_id FROM {p}dd_group_transmission) x \
         LEFT JOIN (SELECT DISTINCT group_id FROM {p}dd_group_year) g ON g.group_id = x.group_id \
         WHERE g.group_id IS NULL",
        "SELECT COUNT(*) FROM {p}dd_group_trim x WHERE NOT EXISTS \
         (SELECT 1 FROM {p}dd_trim t WHERE t.id = x.trim_id)",
        "SELECT COUNT(*) FROM {p}dd_group_engine x WHERE NOT EXISTS \
         (SELECT 1 FROM {p}dd_engine e WHERE e.id = x.engine_id)",
        "SELECT COUNT(*) FROM {p}dd_group_transmission x WHERE NOT EXISTS \
         (SELECT 1 FROM {p}dd_transmission t WHERE t.id = x.transmission_id)",
        // A trim-specific engine row whose trim is not a trim of that group.
        "SELECT COUNT(*) FROM {p}dd_group_engine x WHERE x.trim_id <> -1 AND NOT EXISTS \
         (SELECT 1 FROM {p}dd_group_trim t WHERE t.group_id = x.group_id AND t.trim_id = x.trim_id)",
        // A trim-specific engine not also listed for the group as a whole.
        "SELECT COUNT(*) FROM {p}dd_group_engine x WHERE x.trim_id <> -1 AND NOT EXISTS \
         (SELECT 1 FROM {p}dd_group_engine a WHERE a.group_id = x.group_id AND a.trim_id = -1 \
          AND a.engine_id = x.engine_id)",
        // Ids outside 0..2^53, blank names.
        "SELECT COUNT(*) FROM {p}dd_trim WHERE id < 0 OR id >= 9007199254740992 OR TRIM(name) = ''",
        "SELECT COUNT(*) FROM {p}dd_engine WHERE id < 0 OR id >= 9007199254740992 OR TRIM(name) = ''",
    ];
    for sql in orphans {
        assert_eq!(count(store, sql).await, 0, "inconsistent cascade: {sql}");
    }
    assert!(count(store, "SELECT COUNT(*) FROM {p}dd_model").await > 0);

    // Through the API, on a spread of years: every make has a model, every
    // model's trims/engines/transmissions are consistent with each other.
    let years = dropdowns.years().await.expect("years");
    assert!(!years.is_empty(), "no years offered");
    assert!(
        years.windows(2).all(|w| w[0] > w[1]),
        "years not newest first"
    );
    // The packed make lists say exactly what the make rows say.
    let mut by_year = make_rows(store).await;
    assert_eq!(
        by_year.keys().rev().copied().collect::<Vec<_>>(),
        years.to_vec(),
        "years with make rows differ from the years offered"
    );
    for (i, &year) in years.iter().enumerate() {
        let makes = dropdowns.makes(year).await.expect("makes");
        assert!(!makes.is_empty(), "year {year} offered without makes");
        assert_sorted("makes", &makes);
        let mut rows = by_year.remove(&year).unwrap_or_default();
        rows.sort_by(|a, b| (a.name.as_str(), a.id).cmp(&(b.name.as_str(), b.id)));
        assert!(*makes == *rows, "makes of {year} differ from dd_make");
        // Every make of the first and last years, a stride elsewhere.
        let stride = if i == 0 || i + 1 == years.len() {
            1
        } else {
            (makes.len() / 8).max(1)
        };
        for make in makes.iter().step_by(stride) {
            let models = dropdowns.models(year, make.id).await.expect("models");
            assert!(
                !models.is_empty(),
                "make {make:?} offered for {year} without models"
            );
            assert_sorted("models", &models);
            for model in models.iter().take(3) {
                check_model(dropdowns, year, make.id, model.id).await;
            }
        }
    }
}

/// Trims, engines and transmissions of one model agree with each other.
pub async fn check_model(dropdowns: &Dropdowns, year: i32, make: i64, model: i64) {
    let trims = dropdowns.trims(year, make, model).await.expect("trims");
    assert_sorted("trims", &trims);
    let engines = dropdowns
        .engines(year, make, model, None)
        .await
        .expect("engines");
    assert_sorted("engines", &engines);
    let transmissions = dropdowns
        .transmissions(year, make, model, None)
        .await
        .expect("transmissions");
    assert_sorted("transmissions", &transmissions);
    let all: BTreeSet<i64> = engines.iter().map(|e| e.id).collect();
    for trim in trims.iter() {
        let of_trim = dropdowns
            .engines(year, make, model, Some(trim.id))
            .await
            .expect("engines of trim");
        for e in of_trim.iter() {
            assert!(
                all.contains(&e.id),
                "engine {e:?} of trim {trim:?} not among the model's engines"
            );
        }
    }
}

/// One golden decode with make, model and model year.
pub struct Golden {
    pub vin: String,
    pub year: i32,
    pub make: String,
    pub model: String,
    pub trim: Option<String>,
}

/// The golden VINs whose expected values have Make, Model and Model Year.
pub fn golden() -> Vec<Golden> {
    let path = format!("{}/tests/data/golden.jsonl", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(path).expect("golden.jsonl");
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("golden line");
        let e = &v["expected"];
        let field = |k: &str| e.get(k).and_then(|x| x.as_str()).map(str::to_string);
        if let (Some(make), Some(model), Some(year)) =
            (field("Make"), field("Model"), field("Model Year"))
        {
            out.push(Golden {
                vin: v["vin"].as_str().unwrap_or_default().to_string(),
                year: year.parse().expect("numeric model year"),
                make,
                model,
                trim: field("Trim"),
            });
        }
    }
    out
}

/// The form trims are compared in (spellings differing only in case or
/// spacing are one trim with one id).
fn norm(s: &str) -> String {
    vin_db::dropdowns::text::normalize(s)
}

/// Coverage of the golden set: (models found, with make/model/year, trims
/// found, with a trim), and the misses for the report.
pub struct Coverage {
    pub models_found: usize,
    pub models_total: usize,
    pub trims_found: usize,
    pub trims_total: usize,
    pub misses: Vec<String>,
}

/// Looks up every golden (year, make, model) and trim through the API.
pub async fn coverage(dropdowns: &Dropdowns, golden: &[Golden]) -> Coverage {
    let mut c = Coverage {
        models_found: 0,
        models_total: 0,
        trims_found: 0,
        trims_total: 0,
        misses: Vec::new(),
    };
    let mut makes_cache: BTreeMap<i32, Arc<[Choice]>> = BTreeMap::new();
    for g in golden {
        c.models_total += 1;
        if g.trim.is_some() {
            c.trims_total += 1;
        }
        if let std::collections::btree_map::Entry::Vacant(e) = makes_cache.entry(g.year) {
            e.insert(dropdowns.makes(g.year).await.unwrap_or_default());
        }
        let makes = &makes_cache[&g.year];
        let mut found = Vec::new();
        for make in makes.iter().filter(|m| m.name.to_uppercase() == g.make) {
            let models = dropdowns.models(g.year, make.id).await.expect("models");
            for model in models.iter().filter(|m| m.name == g.model) {
                found.push((make.id, model.id));
            }
        }
        if found.is_empty() {
            c.misses
                .push(format!("{} {} {} {}", g.vin, g.year, g.make, g.model));
            continue;
        }
        c.models_found += 1;
        if let Some(trim) = &g.trim {
            let mut names = BTreeSet::new();
            for (make, model) in &found {
                for t in dropdowns
                    .trims(g.year, *make, *model)
                    .await
                    .expect("trims")
                    .iter()
                {
                    names.insert(norm(&t.name));
                }
            }
            if names.contains(&norm(trim)) {
                c.trims_found += 1;
            } else {
                c.misses.push(format!(
                    "{} {} {} {} trim {trim:?} not in {names:?}",
                    g.vin, g.year, g.make, g.model
                ));
            }
        }
    }
    c
}

impl Coverage {
    /// Prints the coverage lines of the report.
    pub fn print(&self, label: &str) {
        let pct = |a: usize, b: usize| {
            if b == 0 {
                100.0
            } else {
                100.0 * a as f64 / b as f64
            }
        };
        eprintln!(
            "{label}: golden (year, make, model) offered: {}/{} ({:.1} %); golden trims offered: {}/{} ({:.1} %)",
            self.models_found,
            self.models_total,
            pct(self.models_found, self.models_total),
            self.trims_found,
            self.trims_total,
            pct(self.trims_found, self.trims_total)
        );
        for m in self.misses.iter().take(40) {
            eprintln!("  miss: {m}");
        }
    }
}

/// Every (kind, make, model, name) → id the dataset offers, for comparing
/// two loads: read straight from the derived tables.
pub async fn all_ids(store: &Store) -> BTreeMap<String, i64> {
    let sqls = [
        (
            "trim",
            "SELECT DISTINCT g.make_id, g.model_id, t.name, t.id FROM {p}dd_group_year g \
             JOIN {p}dd_group_trim x ON x.group_id = g.group_id JOIN {p}dd_trim t ON t.id = x.trim_id",
        ),
        (
            "engine",
            "SELECT DISTINCT g.make_id, g.model_id, t.name, t.id FROM {p}dd_group_year g \
             JOIN {p}dd_group_engine x ON x.group_id = g.group_id JOIN {p}dd_engine t ON t.id = x.engine_id",
        ),
        (
            "transmission",
            "SELECT DISTINCT g.make_id, g.model_id, t.name, t.id FROM {p}dd_group_year g \
             JOIN {p}dd_group_transmission x ON x.group_id = g.group_id \
             JOIN {p}dd_transmission t ON t.id = x.transmission_id",
        ),
    ];
    store.dataset().await.expect("live dataset");
    let mut out = BTreeMap::new();
    for (kind, sql) in sqls {
        let rows: Vec<(i64, i64, String, i64)> = match store.backend() {
            Backend::Postgres { pool, schema } => {
                sqlx::query_as(&sql.replace("{p}", &format!("\"{schema}\".")))
                    .fetch_all(pool)
                    .await
                    .expect("ids")
            }
            Backend::Sqlite { pool } => sqlx::query_as(&sql.replace("{p}", ""))
                .fetch_all(pool)
                .await
                .expect("ids"),
        };
        for (make, model, name, id) in rows {
            out.insert(format!("{kind}|{make}|{model}|{name}"), id);
        }
    }
    out
}

/// Argument errors are typed; unknown parents give empty lists.
pub async fn check_arguments(dropdowns: &Dropdowns) {
    let this_year = dropdowns.years().await.expect("years")[0];
    for bad in [1979, 0, -5, 3000] {
        let e = dropdowns.makes(bad).await.expect_err("bad year");
        assert_eq!(e.code(), "ERR_INVALID_ARGUMENT", "year {bad}: {e}");
    }
    let e = dropdowns
        .models(this_year, -1)
        .await
        .expect_err("negative make");
    assert_eq!(e.code(), "ERR_INVALID_ARGUMENT");
    let e = dropdowns
        .trims(this_year, 1, -2)
        .await
        .expect_err("negative model");
    assert_eq!(e.code(), "ERR_INVALID_ARGUMENT");
    let e = dropdowns
        .engines(this_year, 1, 2, Some(-3))
        .await
        .expect_err("negative trim");
    assert_eq!(e.code(), "ERR_INVALID_ARGUMENT");
    let e = dropdowns
        .transmissions(1900, 1, 2, None)
        .await
        .expect_err("bad year");
    assert_eq!(e.code(), "ERR_INVALID_ARGUMENT");
    // Unknown parents: empty, not errors.
    let unknown = i64::from(i32::MAX) + 17;
    assert!(
        dropdowns
            .models(this_year, unknown)
            .await
            .expect("models")
            .is_empty()
    );
    assert!(
        dropdowns
            .trims(this_year, unknown, unknown)
            .await
            .expect("trims")
            .is_empty()
    );
    assert!(
        dropdowns
            .engines(this_year, unknown, unknown, Some(unknown))
            .await
            .expect("engines")
            .is_empty()
    );
    assert!(
        dropdowns
            .transmissions(this_year, unknown, unknown, None)
            .await
            .expect("transmissions")
            .is_empty()
    );
    // 1980 is valid even when nothing is offered for it.
    assert!(dropdowns.makes(1980).await.is_ok());
}
