//! Counters ([`Stats`]) and the health report ([`Health`]) of a decoder.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use super::breaker::BreakerState;
use crate::model::DatasetInfo;

/// Monotonic counters since the decoder was opened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Decode requests answered (including those answered from the cache).
    pub decodes: u64,
    /// Answers served from the result cache while fresh.
    pub result_hits: u64,
    /// Requests that had to run the engine.
    pub result_misses: u64,
    /// Answers served from the result cache past their TTL, marked `stale`.
    pub stale_serves: u64,
    /// WMI catalogs loaded from the database and compiled.
    pub catalog_loads: u64,
    /// Global-table loads (one per dataset version, plus retries).
    pub globals_loads: u64,
    /// Database loads that failed (catalogs, globals, version checks).
    pub load_failures: u64,
    /// Calls refused at once because the circuit breaker was open.
    pub fast_failures: u64,
    /// Dataset changes noticed (each dropped every cache).
    pub dataset_changes: u64,
}

/// The live counters behind [`Stats`].
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub decodes: AtomicU64,
    pub result_hits: AtomicU64,
    pub result_misses: AtomicU64,
    pub stale_serves: AtomicU64,
    pub catalog_loads: AtomicU64,
    pub globals_loads: AtomicU64,
    pub load_failures: AtomicU64,
    pub fast_failures: AtomicU64,
    pub dataset_changes: AtomicU64,
}

/// Adds one to a counter (relaxed: the counters are statistics, not synchronisation).
pub(crate) fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

impl Counters {
    pub(crate) fn snapshot(&self) -> Stats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        Stats {
            decodes: get(&self.decodes),
            result_hits: get(&self.result_hits),
            result_misses: get(&self.result_misses),
            stale_serves: get(&self.stale_serves),
            catalog_loads: get(&self.catalog_loads),
            globals_loads: get(&self.globals_loads),
            load_failures: get(&self.load_failures),
            fast_failures: get(&self.fast_failures),
            dataset_changes: get(&self.dataset_changes),
        }
    }
}

/// A point-in-time health report from [`super::Decoder::health`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Health {
    /// Whether a `ping` just succeeded (not attempted while the breaker is open).
    pub database_reachable: bool,
    /// The circuit breaker's state.
    pub breaker: BreakerState,
    /// The database URL with any password removed.
    pub database: String,
    /// The dataset the resident catalogs come from (None before the first load).
    pub dataset_version: Option<i64>,
    /// The live dataset's metadata as last read from the database.
    pub dataset: Option<DatasetInfo>,
    /// WMI catalogs in memory.
    pub resident_wmis: u64,
    /// Their approximate size in bytes: each WMI's own tables plus the
    /// shared compiled schemas, counted once.
    pub catalog_bytes: u64,
    /// Compiled VIN schemas in memory (shared between WMI catalogs).
    pub shared_schemas: u64,
    /// Their approximate size in bytes, interned strings included.
    pub schema_bytes: u64,
    /// Entries in the result cache.
    pub cached_results: u64,
    /// Counters since open.
    pub stats: Stats,
}
