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

/// The calendar year (UTC) of a timestamp, by arithmetic on the day number
/// (the civil-from-days algorithm): every query checks its year against
/// the current one, so this must not format or allocate.
pub(crate) fn year_of(t: crate::model::Timestamp) -> i32 {
    const MICROS_PER_DAY: i64 = 86_400_000_000;
    // Days since 0000-03-01, in 400-year eras of 146 097 days.
    let z = t.0.div_euclid(MICROS_PER_DAY) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    // Months counted from March: 10 and 11 are January and February, which
    // belong to the next calendar year.
    let month_from_march = (5 * doy + 2) / 153;
    let year = yoe + era * 400 + i64::from(month_from_march >= 10);
    i32::try_from(year).unwrap_or(if year < 0 { i32::MIN } else { i32::MAX })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_of_known_instants() {
        let t = crate::model::Timestamp::parse("2026-11-25 18:00:00").unwrap();
        assert_eq!(year_of(t), 2026);
        assert!(year_of(now()) >= 2025);
        for (text, year) in [
            ("1970-01-01 00:00:00", 1970),
            ("1969-12-31 23:59:59", 1969),
            ("1900-03-01 00:00:00", 1900),
            ("2000-02-29 12:00:00", 2000),
            ("2024-12-31 23:59:59", 2024),
            ("2025-01-01 00:00:00", 2025),
            ("2100-02-28 23:59:59", 2100),
            ("2100-03-01 00:00:00", 2100),
        ] {
            let t = crate::model::Timestamp::parse(text).unwrap();
            assert_eq!(year_of(t), year, "{text}");
            // The same year the timestamp's own text starts with.
            assert_eq!(t.to_string()[..4].parse::<i32>().unwrap(), year, "{text}");
        }
    }
}
