//! Shared set-up of the store tests: the committed sample and a fresh
//! Postgres database per call in the cluster of `DATABASE_URL`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use sqlx::Connection as _;

/// The committed sample dump.
pub fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/sample/vpic-sample.sql.gz")
}

/// A fresh, empty Postgres database named after `tag`, or `None` (with a
/// note) outside CI without `DATABASE_URL`; under `CI=true` a missing
/// `DATABASE_URL` fails the test.
pub async fn fresh_pg(tag: &str) -> Option<String> {
    let Ok(base) = std::env::var("DATABASE_URL") else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "DATABASE_URL must be set under CI"
        );
        eprintln!("note: DATABASE_URL unset; skipping the Postgres half of this test");
        return None;
    };
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let name = format!(
        "vin_{tag}_t{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    );
    let mut admin = sqlx::PgConnection::connect(&base).await.unwrap();
    for sql in [
        format!("DROP DATABASE IF EXISTS {name}"),
        format!("CREATE DATABASE {name}"),
    ] {
        sqlx::raw_sql(&sql).execute(&mut admin).await.unwrap();
    }
    let (prefix, _) = base.split('?').next().unwrap().rsplit_once('/').unwrap();
    Some(format!("{prefix}/{name}"))
}
