//! A WMI's head rows (everything but the patterns) read in one query: equal
//! to the row-by-row answer on the committed sample in a real SQLite file
//! and a real Postgres (`DATABASE_URL`; the test makes its own database),
//! and on Postgres still the live dataset's after swaps move the pointer
//! away from (and then drop) the schema the store read last.

mod store_support;

use store_support::{fresh_pg, sample};

use std::path::Path;

use sqlx::Connection as _;
use vin_db::etl::{self, RunOptions};
use vin_db::model::WmiRows;
use vin_db::store::{Backend, Store};

fn opts(force: bool) -> RunOptions {
    RunOptions {
        quiet: true,
        force,
        derive_dropdowns: false,
        ..RunOptions::new(sample().display().to_string())
    }
}

/// The row-by-row answer without its patterns.
async fn reference(store: &Store, wmi: &str) -> (i64, String) {
    let (v, rows) = store.load_wmi(wmi).await.unwrap();
    let rows = WmiRows {
        patterns: Vec::new(),
        ..rows
    };
    (v, serde_json::to_string(&rows).unwrap())
}

async fn head(store: &Store, wmi: &str) -> (i64, String) {
    let (v, rows) = store.load_wmi_head(wmi).await.unwrap();
    (v, serde_json::to_string(&rows).unwrap())
}

/// Vehicle spec rows for the first make of `1HG` (neither the sample nor
/// the lite data has any): ids out of order, a quoted and non-ASCII
/// attribute, present and missing timestamps and flags.
const SPEC_ROWS: &str = "\
    INSERT INTO {p}vehiclespecschema (id, makeid, vehicletypeid, tobeqced) VALUES \
      (9001, {make}, 2, NULL), (9000, {make}, NULL, true); \
    INSERT INTO {p}vehiclespecschema_model (id, vehiclespecschemaid, modelid) VALUES \
      (3, 9001, 100), (1, 9001, 50), (2, 9000, 7); \
    INSERT INTO {p}vehiclespecschema_year (id, vehiclespecschemaid, year) VALUES \
      (2, 9001, 2020), (1, 9001, 2019); \
    INSERT INTO {p}vspecschemapattern (id, schemaid) VALUES (500, 9001), (501, 9000); \
    INSERT INTO {p}vehiclespecpattern \
      (id, vspecschemapatternid, iskey, elementid, attributeid, createdon, updatedon) VALUES \
      (11, 500, true, 5, '\u{c4} \"q\" \\ x', '2020-01-02 03:04:05.5', NULL), \
      (10, 501, false, 6, 'abc', NULL, '2021-02-03 04:05:06');";

async fn add_spec_rows(store: &Store, dir: &Path) {
    let (_, honda) = store.load_wmi_head("1HG").await.unwrap();
    let make = honda.wmi_makes[0].make_id;
    let sql = SPEC_ROWS.replace("{make}", &make.to_string());
    match store.backend() {
        Backend::Postgres { pool, schema } => {
            let sql = sql.replace("{p}", &format!("\"{schema}\"."));
            sqlx::raw_sql(&sql).execute(pool).await.unwrap();
        }
        Backend::Sqlite { .. } => {
            let path = dir.join("vin.sqlite");
            let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
                .await
                .unwrap();
            sqlx::raw_sql(&sql.replace("{p}", ""))
                .execute(&mut conn)
                .await
                .unwrap();
            conn.close().await.unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_query_head_equals_the_row_by_row_answer() {
    let dir = tempfile::tempdir().unwrap();
    let mut urls = vec![format!(
        "sqlite://{}",
        dir.path().join("vin.sqlite").display()
    )];
    urls.extend(fresh_pg("head").await);
    let mut answers = Vec::new();
    for url in &urls {
        etl::run_etl(url, &opts(false)).await.unwrap();
        let store = Store::open(url).await.unwrap();
        add_spec_rows(&store, dir.path()).await;
        let (_, all) = store.load_all_wmi_heads().await.unwrap();
        // Every WMI with vehicle spec rows, with the most schemas, 6-character
        // ones, and ones the dataset lacks.
        let mut wmis: Vec<String> = all
            .iter()
            .filter(|w| !w.spec_schemas.is_empty())
            .map(|w| w.wmi.clone())
            .collect();
        assert!(wmis.contains(&"1HG".to_owned()), "{url}: {wmis:?}");
        let (_, honda) = store.load_wmi_head("1HG").await.unwrap();
        assert_eq!(honda.spec_schemas.len(), 2);
        assert_eq!(honda.spec_schemas[1].model_ids, [50, 100]);
        assert_eq!(honda.spec_patterns.len(), 2);
        let mut by_schemas: Vec<&WmiRows> = all.iter().collect();
        by_schemas.sort_by_key(|w| std::cmp::Reverse(w.schemas.len()));
        wmis.extend(by_schemas.iter().take(5).map(|w| w.wmi.clone()));
        wmis.extend(
            all.iter()
                .filter(|w| w.wmi.len() == 6)
                .take(3)
                .map(|w| w.wmi.clone()),
        );
        wmis.extend(["ZZZ".to_owned(), "1hg".to_owned(), String::new()]);
        let mut text = String::new();
        for wmi in &wmis {
            let want = reference(&store, wmi).await;
            assert_eq!(head(&store, wmi).await, want, "{url}: WMI {wmi:?}");
            text.push_str(&want.1);
        }
        answers.push(text);
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "backends differ");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_head_follows_the_live_pointer() {
    let Some(url) = fresh_pg("head").await else {
        return;
    };
    let first = etl::run_etl(&url, &opts(false)).await.unwrap();
    // Two stores that both last read the first dataset.
    let a = Store::open(&url).await.unwrap();
    let b = Store::open(&url).await.unwrap();
    for store in [&a, &b] {
        assert_eq!(Some(head(store, "1HG").await.0), first.version);
    }
    // A swap: the schema `b` read last is still there but no longer live.
    let second = etl::run_etl(&url, &opts(true)).await.unwrap();
    let (v2, rows2) = head(&b, "1HG").await;
    assert_eq!(Some(v2), second.version);
    let fresh = Store::open(&url).await.unwrap();
    assert_eq!((v2, rows2), reference(&fresh, "1HG").await);
    // Two more swaps: the schema `a` read last is dropped.
    etl::run_etl(&url, &opts(true)).await.unwrap();
    let fourth = etl::run_etl(&url, &opts(true)).await.unwrap();
    let (v4, rows4) = head(&a, "1HG").await;
    assert_eq!(Some(v4), fourth.version);
    let fresh = Store::open(&url).await.unwrap();
    assert_eq!((v4, rows4), reference(&fresh, "1HG").await);
}
