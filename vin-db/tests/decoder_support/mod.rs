//! Shared set-up of the decoder tests: a real dataset (the committed sample)
//! loaded through the real ETL, and VINs taken from the golden file.
#![allow(dead_code)]

use std::path::PathBuf;

/// Loads the committed sample into `url` through the ETL (forced, so a
/// second load of the same file makes a new dataset version).
pub async fn load_sample(url: &str) {
    let sample = vin_db::store::sample_path();
    let opts = vin_db::etl::RunOptions {
        quiet: true,
        force: true,
        ..vin_db::etl::RunOptions::new(sample.display().to_string())
    };
    vin_db::etl::run_etl(url, &opts)
        .await
        .unwrap_or_else(|e| panic!("loading the sample into {url} failed: {e}"));
}

/// A fresh SQLite file with the sample loaded; keep the `TempDir` alive.
pub async fn sqlite_with_sample() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("vin.sqlite").display());
    load_sample(&url).await;
    (dir, url)
}

/// The golden file's VINs, in file order.
pub fn golden_vins() -> Vec<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/golden.jsonl");
    let text = std::fs::read_to_string(&path).expect("golden file");
    text.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v.get("vin")?.as_str().map(str::to_owned))
        .collect()
}

/// The WMI string of a VIN (spec 1.3).
pub fn wmi_of(vin: &str) -> String {
    vin_core::VinText::new(vin)
        .map(|t| t.wmi().to_owned())
        .unwrap_or_default()
}

/// A VIN with position `pos` (1-based) replaced by `c` and, when asked,
/// the check digit recomputed.
pub fn with_char(vin: &str, pos: usize, c: u8, fix_check_digit: bool) -> String {
    let mut bytes: [u8; 17] = vin.as_bytes().try_into().expect("17 chars");
    bytes[pos - 1] = c;
    if fix_check_digit {
        bytes[8] = vin_core::check_digit::compute(&bytes);
    }
    String::from_utf8(bytes.to_vec()).expect("ascii")
}

/// Postgres for the tests: `DATABASE_URL`; `None` (with a note) outside CI
/// when unset; a failure under `CI=true`.
pub fn database_url() -> Option<String> {
    match std::env::var("DATABASE_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("DATABASE_URL must be set under CI")
        }
        _ => {
            eprintln!("note: DATABASE_URL is unset; skipping the Postgres part of this test");
            None
        }
    }
}
