//! [`DecoderConfig`]: what a [`super::Decoder`] caches, for how long, and how
//! it treats an unreachable database.

use std::time::Duration;

use super::breaker::BreakerConfig;
use crate::model::Timestamp;

/// Where the decoder takes "now" from: the engine needs the current time
/// (publication dates of WMIs) and the current year (model-year candidates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClockSource {
    /// The system clock, read at each decode.
    #[default]
    System,
    /// A frozen clock, for reproducible output and tests.
    Fixed {
        /// The instant every decode sees.
        now: Timestamp,
        /// The calendar year every decode sees.
        this_year: i32,
    },
}

/// Settings of a [`super::Decoder`]. Start from [`Default`] and change what
/// you need:
///
/// ```
/// use std::time::Duration;
/// use vin_db::decoder::DecoderConfig;
/// let config = DecoderConfig { preload: true, max_results: 10_000, ..DecoderConfig::default() };
/// assert_eq!(config.result_ttl, Duration::from_secs(30 * 24 * 3600));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct DecoderConfig {
    /// Load every WMI's catalog at open (and after each dataset change)
    /// instead of on first use.
    pub preload: bool,
    /// Whether decode results are cached at all (benchmarks turn this off so
    /// that every VIN is really decoded).
    pub cache_results: bool,
    /// How long a cached result is fresh.
    pub result_ttl: Duration,
    /// How long past its TTL a result is kept for serving marked `stale`
    /// while the database is unreachable.
    pub stale_grace: Duration,
    /// Capacity of the result cache, in entries.
    pub max_results: u64,
    /// Catalog loads allowed to run at once (others wait their turn).
    pub max_concurrent_loads: usize,
    /// Capacity of the catalog cache, in (approximate) bytes of compiled catalogs.
    pub max_catalog_bytes: u64,
    /// How often the dataset version is re-checked (the only mechanism for
    /// SQLite; a safety net for missed Postgres notifications). Zero disables it.
    pub version_check_interval: Duration,
    /// Whether to `LISTEN` for dataset changes on Postgres.
    pub listen: bool,
    /// The circuit breaker in front of the database.
    pub breaker: BreakerConfig,
    /// Where "now" comes from.
    pub clock: ClockSource,
}

impl Default for DecoderConfig {
    fn default() -> Self {
        DecoderConfig {
            preload: false,
            cache_results: true,
            result_ttl: Duration::from_secs(30 * 24 * 3600),
            stale_grace: Duration::from_secs(7 * 24 * 3600),
            max_results: 100_000,
            max_concurrent_loads: 4,
            max_catalog_bytes: 1 << 30,
            version_check_interval: Duration::from_secs(30),
            listen: true,
            breaker: BreakerConfig::default(),
            clock: ClockSource::System,
        }
    }
}
