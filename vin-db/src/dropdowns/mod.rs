//! The vehicle catalog for dropdowns: years → makes → models → trims →
//! engines → transmissions, derived by the ETL and served from the store.
//!
//! - [`derive`] runs inside the ETL on the dataset being built: it reads the
//!   loaded vPIC tables, works out what each (model year, make, model) offers
//!   and writes the `dd_*` tables (see `migrations/*/000*_dropdowns*.sql`).
//! - [`Dropdowns`] answers the cascade's queries from those tables, cached.
//! - [`text`] holds the display texts and the stable ids.

mod compute;
mod keys;
mod packed;
mod query;
mod spec;
mod staging_io;
pub mod text;

use std::collections::BTreeMap;

pub use query::{Choice, Dropdowns, DropdownsConfig};

/// Builds the derived dropdown tables inside a dataset being loaded; returns
/// their row counts for the dataset metadata.
///
/// Called by the ETL after every source table is loaded and before the gates;
/// the tables are created empty by the dataset migrations.
pub async fn derive(staging: &mut crate::etl::Staging<'_>) -> crate::Result<BTreeMap<String, i64>> {
    let started = std::time::Instant::now();
    let input = staging_io::read_input(staging).await?;
    let read = started.elapsed();
    let now = now();
    let output = compute::compute(&input, now, year_of(now));
    let computed = started.elapsed();
    staging_io::write_output(staging, &output).await?;
    let counts = output.row_counts();
    tracing::info!(
        read_ms = read.as_millis() as u64,
        compute_ms = (computed - read).as_millis() as u64,
        total_ms = started.elapsed().as_millis() as u64,
        models = output.models.len(),
        trims = output.trims.len(),
        engines = output.engines.len(),
        transmissions = output.transmissions.len(),
        "dropdowns derived"
    );
    Ok(counts)
}

/// The current time as a vPIC timestamp (UTC).
pub(crate) fn now() -> crate::model::Timestamp {
    let micros = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX));
    crate::model::Timestamp(micros)
}

/// The calendar year of a timestamp.
pub(crate) fn year_of(t: crate::model::Timestamp) -> i32 {
    // The display form always starts with the four-digit year.
    t.to_string()
        .get(..4)
        .and_then(|y| y.parse().ok())
        .unwrap_or(1970)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_of_known_instants() {
        let t = crate::model::Timestamp::parse("2026-11-25 18:00:00").unwrap();
        assert_eq!(year_of(t), 2026);
        assert!(year_of(now()) >= 2025);
    }
}
