//! The packed patterns (`pattern_pack`, one value per VIN schema) on the
//! committed sample, in a real SQLite file and a real Postgres
//! (`DATABASE_URL`; the test makes its own database): the store's answer
//! from the packed values equals the `pattern` table row for row, a dataset
//! without the packed table still answers the same, and a damaged value is
//! a typed error, for the store and for a decoder.

mod store_support;

use store_support::{fresh_pg, sample};

use std::collections::BTreeSet;

use sqlx::{Connection as _, Row as _};
use vin_db::decoder::{Decoder, DecoderConfig};
use vin_db::etl::{self, RunOptions};
use vin_db::model::{PatternRow, Timestamp};
use vin_db::store::{Backend, Store};

fn ts(v: Option<String>) -> Option<Timestamp> {
    v.map(|t| Timestamp::parse(&t).expect("a stored timestamp"))
}

const PLAIN: &str = "SELECT id, vinschemaid, keys, elementid, attributeid, \
     CAST(createdon AS TEXT), CAST(updatedon AS TEXT) FROM {p}pattern ORDER BY vinschemaid, id";

/// Every pattern of the live dataset read row by row from `pattern`.
async fn plain_patterns(store: &Store) -> Vec<PatternRow> {
    macro_rules! read {
        ($pool:expr, $p:expr) => {
            sqlx::query(&PLAIN.replace("{p}", $p))
                .fetch_all($pool)
                .await
                .unwrap()
                .iter()
                .map(|r| PatternRow {
                    id: r.get(0),
                    vin_schema_id: r.get(1),
                    keys: r.get(2),
                    element_id: r.get(3),
                    attribute_id: r.get(4),
                    created_on: ts(r.get(5)),
                    updated_on: ts(r.get(6)),
                })
                .collect()
        };
    }
    match store.backend() {
        Backend::Postgres { pool, schema } => read!(pool, &format!("\"{schema}\".")),
        Backend::Sqlite { pool } => read!(pool, ""),
    }
}

/// Runs `sql` (`{p}` = the live table prefix) on the live dataset.
async fn execute(store: &Store, sql: &str) {
    match store.backend() {
        Backend::Postgres { pool, schema } => {
            sqlx::raw_sql(&sql.replace("{p}", &format!("\"{schema}\".")))
                .execute(pool)
                .await
                .unwrap();
        }
        Backend::Sqlite { .. } => unreachable!("SQLite datasets are opened read-only"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn packed_patterns_round_trip_and_damage_is_a_typed_error() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite_path = dir.path().join("vin.sqlite");
    let mut urls = vec![format!("sqlite://{}", sqlite_path.display())];
    urls.extend(fresh_pg("pack").await);
    let mut answers = Vec::new();
    for url in &urls {
        let opts = RunOptions {
            quiet: true,
            derive_dropdowns: false,
            ..RunOptions::new(sample().display().to_string())
        };
        etl::run_etl(url, &opts).await.unwrap();
        let store = Store::open(url).await.unwrap();
        let ds = store.dataset().await.unwrap().expect("a live dataset");

        let plain = plain_patterns(&store).await;
        assert!(plain.len() > 10_000, "{} patterns", plain.len());
        let ids: Vec<i32> = plain
            .iter()
            .map(|p| p.vin_schema_id)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        assert_eq!(ds.row_counts["pattern_pack"], ids.len() as i64, "{url}");
        assert_eq!(ds.row_counts["pattern"], plain.len() as i64, "{url}");
        let (version, packed) = store.load_patterns(&ids).await.unwrap();
        assert_eq!(version, ds.version);
        assert_eq!(
            packed, plain,
            "{url}: packed patterns differ from the table"
        );
        // Timestamps survive: both present, one missing, none.
        assert!(packed.iter().any(|p| p.updated_on.is_some()));
        assert!(packed.iter().any(|p| p.updated_on.is_none()));

        // A subset, out of order and with an unknown schema, answers its
        // schemas only, ascending.
        let few = [ids[ids.len() - 1], -5, ids[0]];
        let (_, some) = store.load_patterns(&few).await.unwrap();
        let want: Vec<PatternRow> = plain
            .iter()
            .filter(|p| p.vin_schema_id == ids[0] || p.vin_schema_id == ids[ids.len() - 1])
            .cloned()
            .collect();
        assert_eq!(some, want);
        // A WMI's rows are the same whichever way its patterns are read.
        let (_, honda) = store.load_wmi("1HG").await.unwrap();
        assert!(!honda.patterns.is_empty());
        answers.push(serde_json::to_string(&honda).unwrap());

        if url.starts_with("sqlite") {
            continue;
        }
        // Damage one stored value: the store and a cold decode give a
        // typed error naming the schema; other schemas still load.
        let victim = honda.schemas[0].id;
        execute(
            &store,
            &format!(
                "UPDATE {{p}}pattern_pack SET patterns = substring(patterns from 1 for 9) \
                 WHERE vinschemaid = {victim}"
            ),
        )
        .await;
        let e = store.load_patterns(&[victim]).await.unwrap_err();
        assert_eq!(e.code(), "ERR_DATABASE");
        assert!(
            e.to_string()
                .contains(&format!("damaged pattern pack of schema {victim}")),
            "{e}"
        );
        let other = *ids.iter().find(|&&i| i != victim).unwrap();
        assert!(store.load_patterns(&[other]).await.is_ok());
        let decoder = Decoder::open(url, DecoderConfig::default()).await.unwrap();
        let e = decoder.decode("1HGCM82633A004352", None).await.unwrap_err();
        // The decoder reports every failed database call as unavailable data.
        assert_eq!(e.code(), "ERR_DATA_UNAVAILABLE", "{e}");
        assert!(e.to_string().contains("damaged pattern pack"), "{e}");

        // A dataset built before the packed table answers from `pattern`.
        execute(&store, "DROP TABLE {p}pattern_pack").await;
        let (_, again) = store.load_patterns(&ids).await.unwrap();
        assert_eq!(again, plain);
        let (_, honda_again) = store.load_wmi("1HG").await.unwrap();
        assert_eq!(serde_json::to_string(&honda_again).unwrap(), answers[0]);
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "backends differ");
}

/// In a SQLite file: a damaged value is a typed error, and a dataset from
/// before the packed table answers from `pattern`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_damaged_value_and_missing_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vin.sqlite");
    let url = format!("sqlite://{}", path.display());
    let opts = RunOptions {
        quiet: true,
        derive_dropdowns: false,
        ..RunOptions::new(sample().display().to_string())
    };
    etl::run_etl(&url, &opts).await.unwrap();
    let store = Store::open(&url).await.unwrap();
    let (_, before) = store.load_wmi("1HG").await.unwrap();
    let ids: Vec<i32> = before.schemas.iter().map(|s| s.id).collect();
    drop(store);
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let victim = ids[0];
    sqlx::query("UPDATE pattern_pack SET patterns = substr(patterns, 1, 9) WHERE vinschemaid = ?1")
        .bind(victim)
        .execute(&mut conn)
        .await
        .unwrap();
    let store = Store::open(&url).await.unwrap();
    let e = store.load_patterns(&ids).await.unwrap_err();
    assert_eq!(e.code(), "ERR_DATABASE");
    assert!(
        e.to_string()
            .contains(&format!("damaged pattern pack of schema {victim}")),
        "{e}"
    );
    drop(store);
    sqlx::raw_sql("DROP TABLE pattern_pack")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    let store = Store::open(&url).await.unwrap();
    let (_, after) = store.load_wmi("1HG").await.unwrap();
    assert_eq!(
        serde_json::to_string(&after).unwrap(),
        serde_json::to_string(&before).unwrap()
    );
    let (_, patterns) = store.load_patterns(&ids).await.unwrap();
    assert_eq!(patterns.len(), before.patterns.len());
}
