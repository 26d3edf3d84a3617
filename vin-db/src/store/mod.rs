//! The catalog store: where a vPIC dataset lives (Postgres, the system of
//! record, or an SQLite file, the embedded default) and the reads the decoder
//! needs from it.
//!
//! Every read answers from one dataset: the version it reports and the rows
//! come from the same snapshot (see `postgres.rs` and `sqlite.rs` for how).
//!
//! ```no_run
//! # async fn demo() -> vin_db::Result<()> {
//! let store = vin_db::store::Store::open("sqlite:///tmp/vin.sqlite").await?;
//! if let Some(ds) = store.dataset().await? {
//!     let (version, rows) = store.load_wmi("1HG").await?;
//!     assert_eq!(version, ds.version);
//!     println!("{} patterns", rows.patterns.len());
//! }
//! # Ok(()) }
//! ```

mod head;
pub mod packed;
pub(crate) mod pattern_set;
pub mod postgres;
pub(crate) mod queries;
pub mod retry;
pub(crate) mod rows;
pub mod schema;
pub mod sqlite;
mod url;

use std::sync::Arc;
use std::time::Duration;

pub use pattern_set::PatternSet;
pub use url::{
    DbUrl, default_data_dir, default_database_url, redact, resolve_database_url, sample_path,
};

use crate::model::{DatasetInfo, GlobalRows, PatternRow, Timestamp, WmiRows};
use crate::{Error, Result};

/// The Postgres channel every swap and rollback notifies; the payload is the
/// new live version as text.
pub const NOTIFY_CHANNEL: &str = "vin_dataset";

/// How a [`Store`] connects.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Bound on acquiring a connection, connecting included (default 3 s).
    pub acquire_timeout: Duration,
    /// Pool size (default 8).
    pub max_connections: u32,
    /// Tries for the first connection, with backoff and jitter (default 1).
    pub connect_attempts: u32,
    /// Postgres: connect on first use instead of in [`Store::open_with`]
    /// (a store can then be created while the database is down).
    pub lazy: bool,
}

impl Default for StoreOptions {
    fn default() -> Self {
        let secs = std::env::var("VIN_DB_TIMEOUT_SECS")
            .ok()
            .and_then(|s| s.parse::<f64>().ok())
            .filter(|s| *s > 0.0)
            .unwrap_or(3.0);
        StoreOptions {
            acquire_timeout: Duration::from_secs_f64(secs),
            max_connections: 8,
            connect_attempts: 1,
            lazy: false,
        }
    }
}

/// The pool behind a [`Store`], for queries of one's own against the live
/// dataset (the dropdowns).
pub enum Backend<'a> {
    /// Postgres: qualify tables with `schema` (the live dataset schema as of
    /// the store's last read of the live pointer; every `dataset()` /
    /// `load_*` call refreshes it).
    #[cfg(feature = "postgres")]
    Postgres {
        /// The pool.
        pool: &'a sqlx::PgPool,
        /// The live dataset schema, e.g. `vin_ds_7`.
        schema: String,
    },
    /// SQLite: tables are unqualified; the pool is the live file's.
    #[cfg(feature = "sqlite")]
    Sqlite {
        /// The pool.
        pool: &'a sqlx::SqlitePool,
    },
}

enum Inner {
    #[cfg(feature = "postgres")]
    Postgres(postgres::PgStore),
    #[cfg(feature = "sqlite")]
    Sqlite(sqlite::SqliteStore),
}

/// A handle on the catalog database. Cheap to clone (pools inside).
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
    url: Arc<str>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("url", &self.url_redacted())
            .finish()
    }
}

/// Maps a pool/connection failure to [`Error::Unavailable`].
pub(crate) fn unavailable(e: sqlx::Error) -> Error {
    match e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => Error::Unavailable(e.to_string()),
        other => Error::Database(other),
    }
}

impl Store {
    /// Opens `postgres://…`, `postgresql://…`, `sqlite://PATH` or `sqlite:PATH`
    /// with [`StoreOptions::default`].
    pub async fn open(url: &str) -> Result<Store> {
        Self::open_with(url, StoreOptions::default()).await
    }

    /// Opens with explicit options.
    pub async fn open_with(url: &str, options: StoreOptions) -> Result<Store> {
        let inner = match DbUrl::parse(url)? {
            #[cfg(feature = "postgres")]
            DbUrl::Postgres(u) => Inner::Postgres(postgres::PgStore::open(&u, &options).await?),
            #[cfg(feature = "sqlite")]
            DbUrl::Sqlite(path) => Inner::Sqlite(sqlite::SqliteStore::open(path, options)),
            #[allow(unreachable_patterns)]
            _ => {
                return Err(Error::InvalidArgument(format!(
                    "{}: this build lacks that backend",
                    redact(url)
                )));
            }
        };
        Ok(Store {
            inner: Arc::new(inner),
            url: url.into(),
        })
    }

    /// Opens the embedded default (built from the sample on first use, see
    /// [`resolve_database_url`]).
    pub async fn open_default() -> Result<Store> {
        let url = tokio::task::spawn_blocking(|| resolve_database_url(None))
            .await
            .map_err(|e| Error::Unavailable(format!("building the default database: {e}")))??;
        Self::open(&url).await
    }

    /// The live dataset's metadata; `None` when nothing is loaded yet.
    pub async fn dataset(&self) -> Result<Option<DatasetInfo>> {
        match &*self.inner {
            #[cfg(feature = "postgres")]
            Inner::Postgres(s) => s.dataset().await,
            #[cfg(feature = "sqlite")]
            Inner::Sqlite(s) => s.dataset().await,
        }
    }

    /// The global tables and the version they belong to.
    pub async fn load_globals(&self) -> Result<(i64, GlobalRows)> {
        match &*self.inner {
            #[cfg(feature = "postgres")]
            Inner::Postgres(s) => s.load_globals().await,
            #[cfg(feature = "sqlite")]
            Inner::Sqlite(s) => s.load_globals().await,
        }
    }

    /// Everything about one WMI string (see [`WmiRows`]) and the version.
    pub async fn load_wmi(&self, wmi: &str) -> Result<(i64, WmiRows)> {
        match &*self.inner {
            #[cfg(feature = "postgres")]
            Inner::Postgres(s) => s.load_wmi(wmi).await,
            #[cfg(feature = "sqlite")]
            Inner::Sqlite(s) => s.load_wmi(wmi).await,
        }
    }

    /// Like [`Store::load_wmi`] without the patterns (fetch those with
    /// [`Store::load_patterns`] for the schemas not already compiled).
    pub async fn load_wmi_head(&self, wmi: &str) -> Result<(i64, WmiRows)> {
        match &*self.inner {
            #[cfg(feature = "postgres")]
            Inner::Postgres(s) => s.load_wmi_head(wmi).await,
            #[cfg(feature = "sqlite")]
            Inner::Sqlite(s) => s.load_wmi_head(wmi).await,
        }
    }

    /// The patterns of the VIN schemas `ids` (ascending schema id, then id)
    /// and the version they belong to.
    pub async fn load_patterns(&self, ids: &[i32]) -> Result<(i64, Vec<PatternRow>)> {
        let (version, set) = self.load_pattern_set(ids).await?;
        Ok((version, set.into_rows()?))
    }

    /// [`Store::load_patterns`] as read, still packed: what the decoder
    /// compiles from without copying each pattern's texts.
    pub async fn load_pattern_set(&self, ids: &[i32]) -> Result<(i64, PatternSet)> {
        match &*self.inner {
            #[cfg(feature = "postgres")]
            Inner::Postgres(s) => s.load_pattern_set(ids).await,
            #[cfg(feature = "sqlite")]
            Inner::Sqlite(s) => s.load_pattern_set(ids).await,
        }
    }

    /// [`Store::load_all_wmis`] without the patterns: what a streaming
    /// preload needs first (it then loads patterns schema batch by batch).
    pub async fn load_all_wmi_heads(&self) -> Result<(i64, Vec<WmiRows>)> {
        match &*self.inner {
            #[cfg(feature = "postgres")]
            Inner::Postgres(s) => s.load_all_wmi_heads().await,
            #[cfg(feature = "sqlite")]
            Inner::Sqlite(s) => s.load_all_wmi_heads().await,
        }
    }

    /// Every WMI's rows (ascending WMI string) in a few big queries, for preloading.
    pub async fn load_all_wmis(&self) -> Result<(i64, Vec<WmiRows>)> {
        match &*self.inner {
            #[cfg(feature = "postgres")]
            Inner::Postgres(s) => s.load_all_wmis().await,
            #[cfg(feature = "sqlite")]
            Inner::Sqlite(s) => s.load_all_wmis().await,
        }
    }

    /// Checks the database answers.
    pub async fn ping(&self) -> Result<()> {
        match &*self.inner {
            #[cfg(feature = "postgres")]
            Inner::Postgres(s) => s.ping().await,
            #[cfg(feature = "sqlite")]
            Inner::Sqlite(s) => s.ping().await,
        }
    }

    /// The pool, for one's own queries against the live dataset.
    pub fn backend(&self) -> Backend<'_> {
        match &*self.inner {
            #[cfg(feature = "postgres")]
            Inner::Postgres(s) => Backend::Postgres {
                pool: s.pool(),
                schema: s.schema(),
            },
            #[cfg(feature = "sqlite")]
            Inner::Sqlite(s) => Backend::Sqlite { pool: s.pool() },
        }
    }

    /// The URL with any password hidden.
    pub fn url_redacted(&self) -> String {
        redact(&self.url)
    }
}

/// Now, UTC, as a [`Timestamp`].
pub(crate) fn now() -> Timestamp {
    let micros = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64);
    Timestamp(micros)
}

/// RFC 3339 (UTC, whole seconds) for a UTC [`Timestamp`].
pub(crate) fn rfc3339(t: Timestamp) -> String {
    let whole = Timestamp(t.0 - t.0.rem_euclid(1_000_000));
    format!("{}Z", whole.to_string().replacen(' ', "T", 1))
}
