//! Plain JS objects returned by the decoder: dropdown choices, per-VIN
//! outcomes of a batch, health and counters (the Rust types, in camelCase).

use std::collections::HashMap;

use napi_derive::napi;
use vin_db::decoder::{BreakerState, Health as RustHealth, Stats as RustStats};

use crate::decoded::Decoded;

/// One entry of a dropdown.
#[napi(object, object_from_js = false)]
pub struct Choice {
    /// NHTSA's id for makes and models; a stable 53-bit id for trims,
    /// engines and transmissions.
    pub id: i64,
    /// The text to show.
    pub name: String,
}

impl From<vin_db::dropdowns::Choice> for Choice {
    fn from(choice: vin_db::dropdowns::Choice) -> Choice {
        Choice {
            id: choice.id,
            name: choice.name,
        }
    }
}

/// A coded error reported as data (in `decodeMany` results).
#[napi(object, object_from_js = false)]
pub struct ErrorInfo {
    /// The stable code, e.g. `ERR_INVALID_ARGUMENT`.
    pub code: String,
    /// What went wrong.
    pub message: String,
}

/// The answer for one VIN of `decodeMany`: `decoded`, or the `error` it met.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct DecodeOutcome {
    /// The decode, when it succeeded.
    pub decoded: Option<Decoded>,
    /// The failure, when it did not.
    pub error: Option<ErrorInfo>,
}

/// Counters since the decoder was opened.
#[napi(object, object_from_js = false)]
pub struct Stats {
    /// Decode requests answered (including cache hits).
    pub decodes: f64,
    /// Answers served from the result cache while fresh.
    pub result_hits: f64,
    /// Requests that ran the engine.
    pub result_misses: f64,
    /// Answers served past their freshness while the database was down.
    pub stale_serves: f64,
    /// WMI catalogs loaded and compiled.
    pub catalog_loads: f64,
    /// Global-table loads.
    pub globals_loads: f64,
    /// Database loads that failed.
    pub load_failures: f64,
    /// Calls refused at once by the open circuit breaker.
    pub fast_failures: f64,
    /// Dataset changes noticed.
    pub dataset_changes: f64,
}

impl From<&RustStats> for Stats {
    fn from(s: &RustStats) -> Stats {
        // Counters are u64; a JS number holds them exactly up to 2^53.
        Stats {
            decodes: s.decodes as f64,
            result_hits: s.result_hits as f64,
            result_misses: s.result_misses as f64,
            stale_serves: s.stale_serves as f64,
            catalog_loads: s.catalog_loads as f64,
            globals_loads: s.globals_loads as f64,
            load_failures: s.load_failures as f64,
            fast_failures: s.fast_failures as f64,
            dataset_changes: s.dataset_changes as f64,
        }
    }
}

/// The circuit breaker in front of the database.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct Breaker {
    /// `closed` (calls go through), `open` (calls fail fast) or `half_open`
    /// (one trial call allowed).
    pub state: String,
    /// Consecutive failures counted (when closed).
    pub failures: Option<u32>,
    /// Milliseconds until the next trial (when open).
    pub retry_in_ms: Option<f64>,
}

impl From<&BreakerState> for Breaker {
    fn from(state: &BreakerState) -> Breaker {
        match *state {
            BreakerState::Closed { failures } => Breaker {
                state: "closed".to_owned(),
                failures: Some(failures),
                retry_in_ms: None,
            },
            BreakerState::Open { retry_in_ms } => Breaker {
                state: "open".to_owned(),
                failures: None,
                retry_in_ms: Some(retry_in_ms as f64),
            },
            BreakerState::HalfOpen => Breaker {
                state: "half_open".to_owned(),
                failures: None,
                retry_in_ms: None,
            },
        }
    }
}

/// The live dataset's metadata.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct DatasetInfo {
    /// Increases with every successful load.
    pub version: i64,
    /// Where the data came from.
    pub source: String,
    /// NHTSA data month, `YYYY_MM`, when known.
    pub data_month: Option<String>,
    /// SHA-256 (hex) of the source file.
    pub source_sha256: Option<String>,
    /// When the dataset was loaded (RFC 3339, UTC).
    pub loaded_at: String,
    /// Rows per table.
    pub row_counts: HashMap<String, i64>,
    /// Tables taken from the small-tables supplement.
    pub supplemented_tables: Vec<String>,
}

/// A point-in-time health report.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct Health {
    /// Whether the database answered just now.
    pub database_reachable: bool,
    /// The circuit breaker's state.
    pub breaker: Breaker,
    /// The database URL, password removed.
    pub database: String,
    /// The dataset version of the resident catalogs.
    pub dataset_version: Option<i64>,
    /// The live dataset's metadata.
    pub dataset: Option<DatasetInfo>,
    /// WMI catalogs in memory.
    pub resident_wmis: f64,
    /// Their approximate size in bytes.
    pub catalog_bytes: f64,
    /// Entries in the result cache.
    pub cached_results: f64,
    /// Counters since open.
    pub stats: Stats,
}

impl From<&RustHealth> for Health {
    fn from(h: &RustHealth) -> Health {
        Health {
            database_reachable: h.database_reachable,
            breaker: Breaker::from(&h.breaker),
            database: h.database.clone(),
            dataset_version: h.dataset_version,
            dataset: h.dataset.as_ref().map(|d| DatasetInfo {
                version: d.version,
                source: d.source.clone(),
                data_month: d.data_month.clone(),
                source_sha256: d.source_sha256.clone(),
                loaded_at: d.loaded_at.clone(),
                row_counts: d.row_counts.iter().map(|(k, v)| (k.clone(), *v)).collect(),
                supplemented_tables: d.supplemented_tables.clone(),
            }),
            resident_wmis: h.resident_wmis as f64,
            catalog_bytes: h.catalog_bytes as f64,
            cached_results: h.cached_results as f64,
            stats: Stats::from(&h.stats),
        }
    }
}

/// How long the native module took to decode a list of VINs by itself.
#[napi(object, object_from_js = false)]
pub struct NativeTiming {
    /// Decodes run.
    pub decodes: f64,
    /// Wall-clock seconds they took.
    pub seconds: f64,
    /// Attributes decoded in total (a checksum that keeps the work observable).
    pub attributes: f64,
}
