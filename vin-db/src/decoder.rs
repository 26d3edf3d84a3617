//! The decoding service: a [`Decoder`] wraps the pure engine
//! ([`crate::decode::decode`]) with caches, a circuit breaker, a dataset
//! watch and health reporting.
//!
//! - **Results** are cached by (normalised VIN, caller year) for
//!   [`DecoderConfig::result_ttl`]; entries are kept `stale_grace` longer so
//!   that, while the database is unreachable, an expired answer is served
//!   marked `stale` instead of failing.
//! - **Catalogs** (one compiled [`WmiCatalog`] per WMI string) are loaded on
//!   first use, or all at once with [`DecoderConfig::preload`]; concurrent
//!   cold requests for one WMI share one load. The **global tables** are
//!   loaded once per dataset version.
//! - **Freshness**: a dataset change (Postgres `NOTIFY`, or the periodic
//!   version check) drops every cache, dropdowns included. A decode never
//!   mixes datasets: a catalog whose version differs from the resident global
//!   tables triggers a full reload.
//! - **Degradation**: every database call passes the [`Breaker`]; while it is
//!   open, resident WMIs keep decoding and cold ones fail at once with
//!   [`Error::Unavailable`].
//!
//! ```no_run
//! # async fn demo() -> vin_db::Result<()> {
//! use vin_db::decoder::{Decoder, DecoderConfig};
//! let decoder = Decoder::open("default", DecoderConfig::default()).await?;
//! let decoded = decoder.decode("1HGCM82633A004352", None).await?;
//! println!("{:?} {:?} {}", decoded.make, decoded.model, decoded.confidence);
//! # Ok(()) }
//! ```

pub mod breaker;
pub mod config;
pub mod corpus;
pub mod health;
mod trim;
mod watch;
mod wmi_key;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use rayon::prelude::*;
use vin_core::VinText;

pub use breaker::{Breaker, BreakerConfig, BreakerState};
pub use config::{ClockSource, DecoderConfig};
pub use health::{Health, Stats};

use crate::catalog::{Globals, WmiCatalog};
use crate::decode::{Clock, Decoded, Detail};
use crate::dropdowns::Dropdowns;
use crate::model::{DatasetInfo, VinSchemaRow, WmiRows};
use crate::store::Store;
use crate::{Error, Result};
use health::{Counters, bump};
use wmi_key::WmiKey;

/// Caller years outside this range are rejected as arguments.
pub const CALLER_YEAR_RANGE: std::ops::RangeInclusive<i32> = 1900..=2100;

/// (normalised VIN, caller year, detail): a summary and a full decode of one
/// VIN are cached apart.
type ResultKey = (Box<str>, Option<i32>, Detail);

#[derive(Clone)]
struct CachedResult {
    decoded: Arc<Decoded>,
    inserted: Instant,
}

/// The decoding service. Cheap to clone (an `Arc` inside); `Send + Sync`.
#[derive(Clone)]
pub struct Decoder {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Decoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decoder")
            .field("database", &self.inner.store.url_redacted())
            .field("dataset_version", &self.inner.version())
            .finish_non_exhaustive()
    }
}

pub(crate) struct Inner {
    store: Store,
    config: DecoderConfig,
    breaker: Breaker,
    counters: Counters,
    /// The resident global tables; `None` until loaded and after a dataset change.
    globals: RwLock<Option<Arc<Globals>>>,
    /// Serialises global-table loads so a burst of first requests costs one.
    globals_load: tokio::sync::Mutex<()>,
    catalogs: moka::sync::Cache<WmiKey, Arc<WmiCatalog>>,
    /// After a complete preload: (version, every WMI string of the dataset),
    /// so that a WMI outside it is known to be unregistered without a query.
    known_wmis: RwLock<Option<(i64, HashSet<Box<str>>)>>,
    results: moka::sync::Cache<ResultKey, CachedResult>,
    dataset: RwLock<Option<DatasetInfo>>,
    /// Bounds the catalog loads running at once.
    load_permits: tokio::sync::Semaphore,
    /// The dataset version the last cache drop switched to (dedupes drops
    /// noticed by several loads at once).
    switched_to: AtomicI64,
    runtime: tokio::runtime::Handle,
    watch: Mutex<Option<tokio::task::JoinHandle<()>>>,
    dropdowns: Dropdowns,
}

// Locks here guard plain values that each update writes in one assignment, so
// a poisoned lock still holds a consistent value: take it rather than panic.
fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Turns a shared error (from a coalesced load) back into an owned one.
fn owned_error(e: &Error) -> Error {
    match e {
        Error::InvalidArgument(m) => Error::InvalidArgument(m.clone()),
        Error::Unavailable(m) => Error::Unavailable(m.clone()),
        other => Error::Unavailable(other.to_string()),
    }
}

/// Validates the caller's model year.
fn check_caller_year(caller_year: Option<i32>) -> Result<()> {
    match caller_year {
        Some(y) if !CALLER_YEAR_RANGE.contains(&y) => Err(Error::InvalidArgument(format!(
            "model year {y} is outside {}..={}",
            CALLER_YEAR_RANGE.start(),
            CALLER_YEAR_RANGE.end()
        ))),
        _ => Ok(()),
    }
}

/// Normalises the caller's text into a [`VinText`], or says why it cannot be one.
pub fn vin_text(input: &str) -> Result<VinText> {
    // Cheap bound first so that a megabyte of input is not walked char by char
    // only to be rejected: 17 chars of at most 4 bytes, plus trimmed spaces.
    let trimmed = input.trim_matches(' ');
    if trimmed.len() > 17 * 4 {
        return Err(Error::InvalidArgument(format!(
            "VIN is too long: {} bytes after trimming spaces; a VIN has at most 17 characters",
            trimmed.len()
        )));
    }
    VinText::new(input).map_err(|e| Error::InvalidArgument(format!("VIN rejected: {e}")))
}

impl Decoder {
    /// Opens the catalog at `url` (`postgres://…`, `sqlite://PATH`; `""` or
    /// `"default"` for the embedded default) and starts the dataset watch.
    /// Loads the global tables at once (and every WMI when
    /// [`DecoderConfig::preload`] is set) when a dataset is loaded.
    pub async fn open(url: &str, config: DecoderConfig) -> Result<Decoder> {
        let url = if url.is_empty() || url == "default" {
            crate::store::resolve_database_url(None)?
        } else {
            url.to_owned()
        };
        let store = Store::open(&url).await?;
        Self::with_store(store, config).await
    }

    /// Like [`Decoder::open`] over an already opened store.
    pub async fn with_store(store: Store, config: DecoderConfig) -> Result<Decoder> {
        let catalogs = moka::sync::Cache::builder()
            .max_capacity(config.max_catalog_bytes)
            .weigher(|_k, v: &Arc<WmiCatalog>| u32::try_from(v.approx_bytes()).unwrap_or(u32::MAX))
            .build();
        let results = moka::sync::Cache::builder()
            .max_capacity(config.max_results)
            .time_to_live(config.result_ttl.saturating_add(config.stale_grace))
            .build();
        let dropdowns = Dropdowns::new(store.clone());
        let load_permits = config.max_concurrent_loads.max(1);
        let inner = Arc::new(Inner {
            breaker: Breaker::new(config.breaker.clone()),
            store,
            config,
            counters: Counters::default(),
            globals: RwLock::new(None),
            globals_load: tokio::sync::Mutex::new(()),
            catalogs,
            known_wmis: RwLock::new(None),
            results,
            dataset: RwLock::new(None),
            load_permits: tokio::sync::Semaphore::new(load_permits),
            switched_to: AtomicI64::new(i64::MIN),
            runtime: tokio::runtime::Handle::current(),
            watch: Mutex::new(None),
            dropdowns,
        });
        if let Some(info) = inner.guarded(inner.store.dataset()).await? {
            *write(&inner.dataset) = Some(info);
            inner.globals().await?;
            if inner.config.preload {
                inner.preload().await?;
            }
        } else {
            tracing::warn!(
                database = %inner.store.url_redacted(),
                "no dataset is loaded yet; decodes fail until `vin etl run` loads one"
            );
        }
        let handle = tokio::spawn(watch::run(Arc::downgrade(&inner)));
        if let Ok(mut slot) = inner.watch.lock() {
            *slot = Some(handle);
        }
        Ok(Decoder { inner })
    }

    /// Decodes one VIN (any text up to 17 characters after trimming spaces;
    /// it decodes with error codes when it is not a valid VIN). `caller_year`
    /// is the caller's model year, `1900..=2100`.
    pub async fn decode(&self, vin: &str, caller_year: Option<i32>) -> Result<Arc<Decoded>> {
        self.decode_with(vin, caller_year, Detail::Full).await
    }

    /// [`Decoder::decode`], building as much as `detail` asks for:
    /// [`Detail::Summary`] leaves out the output rows, which makes the decode
    /// cheaper when they are not read.
    pub async fn decode_with(
        &self,
        vin: &str,
        caller_year: Option<i32>,
        detail: Detail,
    ) -> Result<Arc<Decoded>> {
        let inner = &self.inner;
        let (text, key, stale) = match inner.prepare(vin, caller_year, detail)? {
            Prepared::Answer(d) => return Ok(d),
            Prepared::Decode { text, key, stale } => (text, key, stale),
        };
        let fresh = inner.decode_fresh(&text, caller_year, detail).await;
        inner.settle(key, stale, fresh)
    }

    /// The blocking form of [`Decoder::decode`], for callers outside the async
    /// runtime (e.g. a synchronous binding). Resident catalogs and cached
    /// results answer directly; a cold WMI is loaded by blocking on the
    /// decoder's runtime and waiting (on a multi-thread runtime's thread via
    /// `block_in_place`). On a current-thread runtime a cold WMI gives
    /// `Unavailable` rather than deadlock: use [`Decoder::decode`] there.
    pub fn decode_sync(&self, vin: &str, caller_year: Option<i32>) -> Result<Arc<Decoded>> {
        self.decode_sync_with(vin, caller_year, Detail::Full)
    }

    /// [`Decoder::decode_sync`], building as much as `detail` asks for.
    pub fn decode_sync_with(
        &self,
        vin: &str,
        caller_year: Option<i32>,
        detail: Detail,
    ) -> Result<Arc<Decoded>> {
        let inner = &self.inner;
        let (text, key, stale) = match inner.prepare(vin, caller_year, detail)? {
            Prepared::Answer(d) => return Ok(d),
            Prepared::Decode { text, key, stale } => (text, key, stale),
        };
        let fresh = match inner.resident_decode(&text, caller_year, detail) {
            Some(answer) => answer,
            None => inner.load_and_decode_blocking(&text, caller_year, detail),
        };
        inner.settle(key, stale, fresh)
    }

    /// Decodes many VINs, answers in input order. Catalogs are made resident
    /// first (one load per distinct WMI), then the VINs are decoded in
    /// parallel across cores.
    pub async fn decode_batch(
        &self,
        vins: &[String],
        caller_year: Option<i32>,
    ) -> Vec<Result<Arc<Decoded>>> {
        if let Err(e) = check_caller_year(caller_year) {
            let msg = e.to_string();
            return vins
                .iter()
                .map(|_| Err(Error::InvalidArgument(msg.clone())))
                .collect();
        }
        let inner = &self.inner;
        let texts: Vec<Result<VinText>> = vins.iter().map(|v| vin_text(v)).collect();
        // Make every needed catalog resident (held here, so that eviction
        // cannot take one away mid-batch); remember why a load failed.
        let mut failed: HashMap<Box<str>, String> = HashMap::new();
        let mut resident: HashMap<Box<str>, Arc<WmiCatalog>> = HashMap::new();
        let globals = match inner.globals().await {
            Ok(g) => Some(g),
            Err(e) => {
                failed.insert("".into(), e.to_string());
                None
            }
        };
        if let Some(globals) = &globals {
            let wmis: HashSet<&str> = texts.iter().flatten().map(VinText::wmi).collect();
            for wmi in wmis {
                match inner.catalog(wmi, globals).await {
                    Ok(c) => {
                        resident.insert(wmi.into(), c);
                    }
                    Err(Retry::Failed(e)) => {
                        failed.insert(wmi.into(), e.to_string());
                    }
                    Err(Retry::DatasetChanged) => {
                        failed.insert(wmi.into(), DATASET_CHANGED.into());
                    }
                }
            }
        }
        let this = Arc::clone(inner);
        let work = move || {
            texts
                .into_par_iter()
                .map(|text| {
                    this.batch_one(text?, caller_year, globals.as_ref(), &resident, &failed)
                })
                .collect::<Vec<_>>()
        };
        match tokio::task::spawn_blocking(work).await {
            Ok(v) => v,
            Err(e) => vins
                .iter()
                .map(|_| Err(Error::Unavailable(format!("batch worker failed: {e}"))))
                .collect(),
        }
    }

    /// Decodes without consulting or filling the result cache (benchmarks,
    /// and callers who want the engine's answer for the live dataset now).
    pub async fn decode_uncached(
        &self,
        vin: &str,
        caller_year: Option<i32>,
    ) -> Result<Arc<Decoded>> {
        check_caller_year(caller_year)?;
        let text = vin_text(vin)?;
        bump(&self.inner.counters.decodes);
        self.inner
            .decode_fresh(&text, caller_year, Detail::Full)
            .await
    }

    /// Health: reachability (a `ping` unless the breaker is open), breaker
    /// state, dataset, resident catalogs and counters.
    pub async fn health(&self) -> Health {
        let inner = &self.inner;
        let reachable = if inner.breaker.is_open() {
            false
        } else {
            inner.guarded(inner.store.ping()).await.is_ok()
        };
        if reachable {
            // Refresh the dataset metadata while we know the database answers.
            let _ = inner.check_version().await;
        }
        inner.catalogs.run_pending_tasks();
        inner.results.run_pending_tasks();
        let (shared_schemas, schema_bytes) = read(&inner.globals)
            .as_ref()
            .map_or((0, 0), |g| g.schema_cache().usage());
        Health {
            database_reachable: reachable,
            breaker: inner.breaker.state(),
            database: inner.store.url_redacted(),
            dataset_version: inner.version(),
            dataset: read(&inner.dataset).clone(),
            resident_wmis: inner.catalogs.entry_count(),
            catalog_bytes: inner.catalogs.weighted_size() + schema_bytes as u64,
            shared_schemas: shared_schemas as u64,
            schema_bytes: schema_bytes as u64,
            cached_results: inner.results.entry_count(),
            stats: inner.counters.snapshot(),
        }
    }

    /// Counters since open.
    pub fn stats(&self) -> Stats {
        self.inner.counters.snapshot()
    }

    /// The dropdown queries over the same catalog; their cache is dropped
    /// whenever the decoder notices a dataset change.
    pub fn dropdowns(&self) -> &Dropdowns {
        &self.inner.dropdowns
    }

    /// The version of the dataset the resident tables come from.
    pub fn dataset_version(&self) -> Option<i64> {
        self.inner.version()
    }

    /// Re-reads the live dataset version now (as the periodic check does) and
    /// drops every cache if it changed. Returns the live version.
    pub async fn refresh(&self) -> Result<Option<i64>> {
        self.inner.check_version().await
    }

    /// Every WMI string whose catalog is resident.
    pub fn resident_wmis(&self) -> Vec<String> {
        self.inner
            .catalogs
            .iter()
            .map(|(k, _)| k.as_str().to_owned())
            .collect()
    }

    /// The compiled catalogs currently resident (for tools that walk them).
    pub fn resident_catalogs(&self) -> Vec<Arc<WmiCatalog>> {
        self.inner.catalogs.iter().map(|(_, v)| v).collect()
    }

    /// Stops the dataset watch. Decoding keeps working on what is resident
    /// and loads on demand; call it before dropping the last clone to stop
    /// background work promptly.
    pub async fn close(&self) {
        let handle = self.inner.watch.lock().ok().and_then(|mut h| h.take());
        if let Some(handle) = handle {
            handle.abort();
            let _ = handle.await;
        }
    }
}

/// What the shared start of `decode` and `decode_sync` found.
enum Prepared {
    /// A cached answer (fresh, or stale while the breaker is open).
    Answer(Arc<Decoded>),
    /// The VIN must be decoded; `stale` is the fallback if the data is unavailable.
    Decode {
        text: VinText,
        key: ResultKey,
        stale: Option<Arc<Decoded>>,
    },
}

enum Lookup {
    Fresh(Arc<Decoded>),
    Stale(Arc<Decoded>),
    Miss,
}

impl Inner {
    fn version(&self) -> Option<i64> {
        read(&self.globals).as_ref().map(|g| g.version())
    }

    fn clock(&self) -> Clock {
        match self.config.clock {
            ClockSource::System => Clock::system(),
            ClockSource::Fixed { now, this_year } => Clock { now, this_year },
        }
    }

    /// Runs one database call through the breaker.
    async fn guarded<T>(&self, call: impl std::future::Future<Output = Result<T>>) -> Result<T> {
        let permit = match self.breaker.acquire() {
            Ok(p) => p,
            Err(e) => {
                bump(&self.counters.fast_failures);
                return Err(e);
            }
        };
        let result = call.await;
        let failed = matches!(&result, Err(e) if breaker::counts_as_failure(e));
        if failed {
            bump(&self.counters.load_failures);
        }
        self.breaker.record(permit, !failed);
        result.map_err(|e| match e {
            Error::Database(db) => Error::Unavailable(format!("database call failed: {db}")),
            other => other,
        })
    }

    /// Checks the arguments and consults the result cache.
    fn prepare(&self, vin: &str, caller_year: Option<i32>, detail: Detail) -> Result<Prepared> {
        check_caller_year(caller_year)?;
        let text = vin_text(vin)?;
        bump(&self.counters.decodes);
        let key: ResultKey = (text.as_str().into(), caller_year, detail);
        Ok(match self.cached(&key) {
            Lookup::Fresh(d) => Prepared::Answer(d),
            Lookup::Stale(d) if self.breaker.is_open() => Prepared::Answer(self.serve_stale(&d)),
            Lookup::Stale(d) => Prepared::Decode {
                text,
                key,
                stale: Some(d),
            },
            Lookup::Miss => Prepared::Decode {
                text,
                key,
                stale: None,
            },
        })
    }

    /// Caches a fresh answer, or falls back to the stale one when the data is unavailable.
    fn settle(
        &self,
        key: ResultKey,
        stale: Option<Arc<Decoded>>,
        fresh: Result<Arc<Decoded>>,
    ) -> Result<Arc<Decoded>> {
        match fresh {
            Ok(d) => {
                self.remember(key, &d);
                Ok(d)
            }
            Err(Error::Unavailable(m)) => match stale {
                Some(d) => Ok(self.serve_stale(&d)),
                None => Err(Error::Unavailable(m)),
            },
            Err(e) => Err(e),
        }
    }

    fn cached(&self, key: &ResultKey) -> Lookup {
        if !self.config.cache_results {
            return Lookup::Miss;
        }
        let Some(entry) = self.results.get(key) else {
            bump(&self.counters.result_misses);
            return Lookup::Miss;
        };
        if Some(entry.decoded.dataset_version) != self.version() {
            bump(&self.counters.result_misses);
            // An answer from another dataset is never served fresh; it may
            // still help while the database is down.
            return Lookup::Stale(entry.decoded);
        }
        if entry.inserted.elapsed() <= self.config.result_ttl {
            bump(&self.counters.result_hits);
            Lookup::Fresh(entry.decoded)
        } else {
            bump(&self.counters.result_misses);
            Lookup::Stale(entry.decoded)
        }
    }

    fn remember(&self, key: ResultKey, decoded: &Arc<Decoded>) {
        if self.config.cache_results {
            self.results.insert(
                key,
                CachedResult {
                    decoded: Arc::clone(decoded),
                    inserted: Instant::now(),
                },
            );
        }
    }

    fn serve_stale(&self, decoded: &Arc<Decoded>) -> Arc<Decoded> {
        bump(&self.counters.stale_serves);
        let mut copy = Decoded::clone(decoded);
        copy.stale = true;
        Arc::new(copy)
    }

    /// Decodes from resident tables only; `None` when something must be loaded.
    fn resident_decode(
        &self,
        text: &VinText,
        caller_year: Option<i32>,
        detail: Detail,
    ) -> Option<Result<Arc<Decoded>>> {
        let globals = read(&self.globals).clone()?;
        let catalog = self.resident_catalog(text.wmi(), &globals)?;
        Some(Ok(self.run_engine(
            &globals,
            &catalog,
            text,
            caller_year,
            detail,
        )))
    }

    /// The cold path of `decode_sync`: runs the async load on the decoder's
    /// runtime and waits for it on this thread.
    fn load_and_decode_blocking(
        self: &Arc<Self>,
        text: &VinText,
        caller_year: Option<i32>,
        detail: Detail,
    ) -> Result<Arc<Decoded>> {
        use tokio::runtime::{Handle, RuntimeFlavor};
        let in_runtime = Handle::try_current().map(|h| h.runtime_flavor());
        if matches!(in_runtime, Ok(RuntimeFlavor::CurrentThread)) {
            // Waiting here could block the very thread that must run the load.
            return Err(Error::Unavailable(
                "decode_sync needs a database load but runs on a current-thread runtime; use decode"
                    .into(),
            ));
        }
        let (tx, rx) = std::sync::mpsc::channel();
        let this = Arc::clone(self);
        let text = text.clone();
        self.runtime.spawn(async move {
            let _ = tx.send(this.decode_fresh(&text, caller_year, detail).await);
        });
        let wait = move || {
            rx.recv()
                .unwrap_or_else(|_| Err(Error::Unavailable("the decoder's runtime is gone".into())))
        };
        if in_runtime.is_ok() {
            // On a multi-thread runtime (worker or blocking thread): tell the
            // scheduler this thread blocks, so other tasks move elsewhere.
            tokio::task::block_in_place(wait)
        } else {
            wait()
        }
    }

    fn run_engine(
        &self,
        globals: &Globals,
        catalog: &WmiCatalog,
        text: &VinText,
        caller_year: Option<i32>,
        detail: Detail,
    ) -> Arc<Decoded> {
        let clock = self.clock();
        let decoded =
            crate::decode::decode_with(globals, catalog, text, caller_year, &clock, detail);
        Arc::new(decoded)
    }

    /// Runs the engine, loading whatever is missing. Retries once when the
    /// dataset changed under the load.
    async fn decode_fresh(
        self: &Arc<Self>,
        text: &VinText,
        caller_year: Option<i32>,
        detail: Detail,
    ) -> Result<Arc<Decoded>> {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let globals = self.globals().await?;
            match self.catalog(text.wmi(), &globals).await {
                Ok(catalog) => {
                    return Ok(self.run_engine(&globals, &catalog, text, caller_year, detail));
                }
                Err(Retry::DatasetChanged) if attempts < 3 => continue,
                Err(Retry::DatasetChanged) => {
                    return Err(Error::Unavailable(
                        "the dataset kept changing during the load".into(),
                    ));
                }
                Err(Retry::Failed(e)) => return Err(e),
            }
        }
    }

    fn batch_one(
        &self,
        text: VinText,
        caller_year: Option<i32>,
        globals: Option<&Arc<Globals>>,
        resident: &HashMap<Box<str>, Arc<WmiCatalog>>,
        failed: &HashMap<Box<str>, String>,
    ) -> Result<Arc<Decoded>> {
        bump(&self.counters.decodes);
        let key: ResultKey = (text.as_str().into(), caller_year, Detail::Full);
        let stale = match self.cached(&key) {
            Lookup::Fresh(d) => return Ok(d),
            Lookup::Stale(d) if self.breaker.is_open() => return Ok(self.serve_stale(&d)),
            Lookup::Stale(d) => Some(d),
            Lookup::Miss => None,
        };
        let catalog = globals.zip(resident.get(text.wmi()));
        match catalog {
            Some((globals, catalog)) => {
                let d = self.run_engine(globals, catalog, &text, caller_year, Detail::Full);
                self.remember(key, &d);
                Ok(d)
            }
            None => match stale {
                Some(d) => Ok(self.serve_stale(&d)),
                None => Err(Error::Unavailable(
                    failed
                        .get(text.wmi())
                        .or_else(|| failed.get(""))
                        .cloned()
                        .unwrap_or_else(|| "catalog not resident (dataset changed)".into()),
                )),
            },
        }
    }

    /// The resident global tables, loading them (once, for all waiters) if needed.
    async fn globals(&self) -> Result<Arc<Globals>> {
        if let Some(g) = read(&self.globals).clone() {
            return Ok(g);
        }
        let _one_load = self.globals_load.lock().await;
        if let Some(g) = read(&self.globals).clone() {
            return Ok(g);
        }
        let (version, rows) = self.guarded(self.store.load_globals()).await?;
        bump(&self.counters.globals_loads);
        let globals = tokio::task::spawn_blocking(move || Globals::compile(version, rows))
            .await
            .map_err(|e| Error::Unavailable(format!("compiling the global tables failed: {e}")))?;
        let globals = Arc::new(globals);
        if read(&self.dataset)
            .as_ref()
            .is_some_and(|d| d.version != version)
        {
            // The live dataset moved on since we last looked: refresh the metadata.
            if let Ok(Some(info)) = self.store.dataset().await {
                *write(&self.dataset) = Some(info);
            }
        }
        *write(&self.globals) = Some(Arc::clone(&globals));
        Ok(globals)
    }

    fn resident_catalog(&self, wmi: &str, globals: &Globals) -> Option<Arc<WmiCatalog>> {
        if let Some(c) = WmiKey::new(wmi).and_then(|k| self.catalogs.get(&k)) {
            return Some(c);
        }
        // After a complete preload, a WMI outside the dataset is unregistered:
        // answer from an empty catalog without asking the database.
        let known = read(&self.known_wmis);
        match &*known {
            Some((v, set)) if *v == globals.version() && !set.contains(wmi) => {
                let empty = WmiRows {
                    wmi: wmi.to_owned(),
                    ..WmiRows::default()
                };
                Some(Arc::new(WmiCatalog::compile(globals, empty)))
            }
            _ => None,
        }
    }

    /// The catalog of one WMI for `globals`' dataset, loading it if needed;
    /// concurrent loads of one WMI are coalesced into one.
    async fn catalog(
        self: &Arc<Self>,
        wmi: &str,
        globals: &Arc<Globals>,
    ) -> Result<Arc<WmiCatalog>, Retry> {
        if let Some(c) = self.resident_catalog(wmi, globals) {
            return Ok(c);
        }
        // moka's coalescing `try_get_with` blocks while another caller loads,
        // so run it on a blocking thread, which drives the async load itself.
        let Some(key) = WmiKey::new(wmi) else {
            // Longer than any WMI (a `VinText` never gives one): not cached.
            return self
                .fetch_catalog(wmi, globals)
                .await
                .map_err(Retry::Failed);
        };
        let this = Arc::clone(self);
        let g = Arc::clone(globals);
        let joined = tokio::task::spawn_blocking(move || {
            this.catalogs.try_get_with(key, || {
                this.runtime.block_on(async {
                    // Bounded concurrency: a burst of cold WMIs queues here
                    // instead of timing out in the connection pool.
                    let _permit = this.load_permits.acquire().await;
                    this.fetch_catalog(key.as_str(), &g).await
                })
            })
        })
        .await;
        match joined {
            Ok(Ok(c)) => Ok(c),
            Ok(Err(shared)) => match &*shared {
                Error::Unavailable(m) if m == DATASET_CHANGED => Err(Retry::DatasetChanged),
                e => Err(Retry::Failed(owned_error(e))),
            },
            Err(e) => Err(Retry::Failed(Error::Unavailable(format!(
                "catalog loader failed: {e}"
            )))),
        }
    }

    async fn fetch_catalog(&self, wmi: &str, globals: &Arc<Globals>) -> Result<Arc<WmiCatalog>> {
        let (version, head) = self.guarded(self.store.load_wmi_head(wmi)).await?;
        if version != globals.version() {
            self.dataset_changed(version);
            return Err(Error::Unavailable(DATASET_CHANGED.into()));
        }
        // Schemas another resident WMI already compiled are reused; only the
        // others' patterns are fetched.
        let cache = globals.schema_cache();
        let mut compiled = Vec::with_capacity(head.schemas.len());
        let mut missing: Vec<(i32, bool)> = Vec::new();
        for key in head.schema_keys() {
            match cache.get(key.0) {
                Some(c) => compiled.push(c),
                None => missing.push(key),
            }
        }
        if !missing.is_empty() {
            let ids: Vec<i32> = missing.iter().map(|m| m.0).collect();
            let (version, patterns) = self.guarded(self.store.load_pattern_set(&ids)).await?;
            if version != globals.version() {
                self.dataset_changed(version);
                return Err(Error::Unavailable(DATASET_CHANGED.into()));
            }
            compiled.extend(cache.compile_set(globals, &missing, &patterns)?);
        }
        bump(&self.counters.catalog_loads);
        Ok(Arc::new(WmiCatalog::compile_with(globals, head, compiled)))
    }

    /// Loads and compiles every WMI of the live dataset: the small per-WMI
    /// rows first, then the patterns in batches of schemas, each batch
    /// compiled and its rows dropped before the next is fetched, so the peak
    /// holds one batch of rows rather than the whole table.
    async fn preload(self: &Arc<Self>) -> Result<()> {
        'attempt: for _ in 0..3 {
            let globals = self.globals().await?;
            let (version, heads) = self.guarded(self.store.load_all_wmi_heads()).await?;
            if version != globals.version() {
                self.dataset_changed(version);
                continue;
            }
            let mut wanted: Vec<(i32, bool)> = heads
                .iter()
                .flat_map(|h| h.schemas.iter())
                .map(VinSchemaRow::compile_key)
                .collect();
            wanted.sort_unstable();
            wanted.dedup_by_key(|w| w.0);
            let mut schemas: HashMap<i32, Arc<crate::catalog::VinSchema>> =
                HashMap::with_capacity(wanted.len());
            for batch in wanted.chunks(PRELOAD_SCHEMA_BATCH) {
                let ids: Vec<i32> = batch.iter().map(|w| w.0).collect();
                let (v, patterns) = self.guarded(self.store.load_pattern_set(&ids)).await?;
                if v != globals.version() {
                    self.dataset_changed(v);
                    continue 'attempt;
                }
                let g = Arc::clone(&globals);
                let batch = batch.to_vec();
                let compiled = tokio::task::spawn_blocking(move || {
                    g.schema_cache().compile_set(&g, &batch, &patterns)
                })
                .await
                .map_err(|e| Error::Unavailable(format!("compiling schemas failed: {e}")))??;
                for c in compiled {
                    schemas.insert(c.id(), c);
                }
                // The batch's rows were freed on other threads' arenas:
                // return them before the next batch, or every arena keeps
                // its own high-water mark and the peak adds them up.
                trim::release_free_memory();
            }
            let g = Arc::clone(&globals);
            let compiled = tokio::task::spawn_blocking(move || {
                heads
                    .into_iter()
                    .map(|head| {
                        let wmi: Box<str> = head.wmi.as_str().into();
                        let mine: Vec<_> = head
                            .schemas
                            .iter()
                            .filter_map(|s| schemas.get(&s.id).cloned())
                            .collect();
                        (wmi, Arc::new(WmiCatalog::compile_with(&g, head, mine)))
                    })
                    .collect::<Vec<_>>()
            })
            .await
            .map_err(|e| Error::Unavailable(format!("compiling catalogs failed: {e}")))?;
            let mut known = HashSet::with_capacity(compiled.len());
            for (wmi, catalog) in compiled {
                known.insert(wmi.clone());
                if let Some(key) = WmiKey::new(&wmi) {
                    self.catalogs.insert(key, catalog);
                }
                bump(&self.counters.catalog_loads);
            }
            if self.version() == Some(version) {
                *write(&self.known_wmis) = Some((version, known));
            }
            // The per-WMI rows and scratch of the assembly are gone too.
            trim::release_free_memory();
            tracing::info!(
                version,
                wmis = self.catalogs.entry_count(),
                "catalog preloaded"
            );
            return Ok(());
        }
        Err(Error::Unavailable(
            "the dataset kept changing during the preload".into(),
        ))
    }

    /// Reads the live dataset version; on a change drops every cache (and
    /// preloads again when configured). Returns the live version.
    pub(crate) async fn check_version(self: &Arc<Self>) -> Result<Option<i64>> {
        let info = self.guarded(self.store.dataset()).await?;
        let live = info.as_ref().map(|d| d.version);
        *write(&self.dataset) = info;
        let resident = self.version();
        if let (Some(live), Some(resident)) = (live, resident)
            && live != resident
        {
            self.dataset_changed(live);
            if self.config.preload {
                self.preload().await?;
            }
        }
        Ok(live)
    }

    /// Drops everything derived from a dataset other than `version`.
    fn dataset_changed(&self, version: i64) {
        let previous = self.switched_to.swap(version, Ordering::SeqCst);
        if previous == version || self.version() == Some(version) {
            return;
        }
        tracing::info!(
            old = ?self.version(),
            new = version,
            "dataset changed: dropping cached results, catalogs and dropdowns"
        );
        *write(&self.globals) = None;
        *write(&self.known_wmis) = None;
        self.catalogs.invalidate_all();
        self.results.invalidate_all();
        self.dropdowns.invalidate_all();
        // Counted last, so that whoever sees the count sees empty caches.
        bump(&self.counters.dataset_changes);
    }
}

const DATASET_CHANGED: &str = "dataset changed during the load";

/// Schemas per pattern query of a preload (the lite data: ~25 k schemas of
/// ~33 patterns each, so a batch holds some 16 k rows). Small batches keep
/// the load's transient rows well below the compiled catalog: measured on
/// the full lite data, 2000 peaked at 282 MB resident, 500 at 176 MB.
const PRELOAD_SCHEMA_BATCH: usize = 500;

enum Retry {
    DatasetChanged,
    Failed(Error),
}
