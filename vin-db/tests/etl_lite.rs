//! The full lite vPIC file (`VPIC_LITE`, plain or `.gz`) into SQLite and
//! Postgres (`DATABASE_URL`), once each: every table's row count against the
//! source (and the supplement for the tables it lacks), and both backends
//! answering the same.

mod store_support;

use store_support::fresh_pg;

use std::collections::BTreeMap;

use vin_db::etl::source::{self, SourceEvent, WantedTables};
use vin_db::etl::{self, RunOptions, RunStatus};
use vin_db::store::{Store, schema};

fn counts(spec: &str) -> BTreeMap<String, i64> {
    let mut counts = BTreeMap::new();
    for event in source::open(spec, WantedTables::All).unwrap() {
        if let SourceEvent::End { table, rows } = event.unwrap() {
            *counts.entry(table).or_insert(0) += rows as i64;
        }
    }
    counts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_full_lite_file_loads_into_both_backends_with_every_count() {
    let Ok(lite) = std::env::var("VPIC_LITE") else {
        eprintln!("note: VPIC_LITE unset; skipping the full-data load");
        return;
    };
    let spec = format!("sqlite:{lite}");
    let source = counts(&spec);
    let supplement = counts("supplement");
    let dir = tempfile::tempdir().unwrap();
    let mut urls = vec![format!(
        "sqlite://{}",
        dir.path().join("lite.sqlite").display()
    )];
    urls.extend(fresh_pg("lite").await);
    let mut answers: Vec<String> = Vec::new();
    for url in &urls {
        let opts = RunOptions {
            quiet: true,
            // Loading is what is measured here; the dropdowns test their own derivation.
            derive_dropdowns: false,
            ..RunOptions::new(spec.clone())
        };
        let report = etl::run_etl(url, &opts).await.unwrap();
        assert_eq!(report.status, RunStatus::Swapped);
        assert_eq!(report.data_month.as_deref(), Some("2026_02"));
        let store = Store::open(url).await.unwrap();
        let ds = store.dataset().await.unwrap().unwrap();
        for t in schema::TABLES
            .iter()
            .map(|t| t.name)
            .chain(schema::LOOKUP_TABLES.iter().copied())
        {
            let expected = source
                .get(t)
                .or_else(|| supplement.get(t))
                .copied()
                .unwrap_or(0);
            assert_eq!(
                ds.row_counts.get(t).copied().unwrap_or(0),
                expected,
                "{url}: {t}"
            );
            let from_supplement = ds.supplemented_tables.iter().any(|s| s == t);
            assert_eq!(
                from_supplement,
                !source.contains_key(t) && supplement.contains_key(t),
                "{t}"
            );
        }
        assert_eq!(ds.row_counts["pattern"], 799_207);
        let (_, globals) = store.load_globals().await.unwrap();
        let mut text = serde_json::to_string(&globals).unwrap();
        for wmi in ["1HG", "5YJ", "LRW", "WVW", "3FA", "1G1", "JHM"] {
            let (_, rows) = store.load_wmi(wmi).await.unwrap();
            assert!(!rows.patterns.is_empty(), "{wmi}");
            text.push_str(&serde_json::to_string(&rows).unwrap());
        }
        answers.push(text);
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "backends differ");
}
