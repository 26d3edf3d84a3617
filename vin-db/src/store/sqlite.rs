//! The SQLite store: one file holds one dataset; the ETL replaces the file by
//! an atomic rename, and this store notices (the file's identity changed)
//! and opens a new pool for the new file, so running decoders see new data.
//!
//! A read takes one connection, and a connection stays on the file it
//! opened, so the version and the rows of one answer come from one file.

use std::path::{Path, PathBuf};

use once_cell::sync::OnceCell;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use sqlx::{ConnectOptions as _, SqliteConnection};

use super::{StoreOptions, head, rows};
use crate::{Error, Result};

rows::fetch_fns!(SqliteConnection, true);

/// What identifies a file across renames: device and inode (size and
/// modification time where those do not exist).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileId(u64, u64);

/// The identity of the file at `path`, `None` when there is none.
pub(crate) fn file_id(path: &Path) -> Option<FileId> {
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        Some(FileId(meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as u64);
        Some(FileId(meta.len(), mtime))
    }
}

/// One pool per file generation. Generations form a chain that only grows
/// (one link per swap), so `&SqlitePool` borrows stay valid for the store's
/// life; idle connections to replaced files close after `idle_timeout`.
struct Generation {
    pool: SqlitePool,
    id: Option<FileId>,
    next: OnceCell<Box<Generation>>,
}

pub(crate) struct SqliteStore {
    path: PathBuf,
    options: StoreOptions,
    head: Generation,
}

/// Read-only connect options for the dataset file at `path`.
pub(crate) fn read_options(path: &Path, options: &StoreOptions) -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .create_if_missing(false)
        .busy_timeout(options.acquire_timeout)
}

/// Writable connect options for a dataset file (the ETL's).
pub(crate) fn write_options(path: &Path) -> Result<SqliteConnectOptions> {
    Ok(SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .foreign_keys(false)
        .busy_timeout(std::time::Duration::from_secs(10))
        // Bulk statements are slow by design; no per-statement logs.
        .disable_statement_logging())
}

impl SqliteStore {
    fn pool_for(path: &Path, options: &StoreOptions) -> SqlitePool {
        SqlitePoolOptions::new()
            .max_connections(options.max_connections)
            .min_connections(0)
            .acquire_timeout(options.acquire_timeout)
            .idle_timeout(std::time::Duration::from_secs(30))
            .connect_lazy_with(read_options(path, options))
    }

    pub(crate) fn open(path: PathBuf, options: StoreOptions) -> SqliteStore {
        let head = Generation {
            pool: Self::pool_for(&path, &options),
            id: file_id(&path),
            next: OnceCell::new(),
        };
        SqliteStore {
            path,
            options,
            head,
        }
    }

    /// The pool of the file now at the path (opening one if it was replaced).
    pub(crate) fn pool(&self) -> &SqlitePool {
        let mut generation = &self.head;
        while let Some(next) = generation.next.get() {
            generation = next;
        }
        let now = file_id(&self.path);
        if now.is_some() && now != generation.id {
            generation = generation.next.get_or_init(|| {
                tracing::info!(path = %self.path.display(), "dataset file replaced; reopening");
                Box::new(Generation {
                    pool: Self::pool_for(&self.path, &self.options),
                    id: now,
                    next: OnceCell::new(),
                })
            });
        }
        &generation.pool
    }

    async fn conn(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Sqlite>> {
        if !self.path.exists() {
            return Err(Error::Unavailable(format!(
                "no dataset loaded: {} does not exist (run `vin etl run`)",
                self.path.display()
            )));
        }
        self.pool()
            .acquire()
            .await
            .map_err(|e| Error::Unavailable(format!("cannot open {}: {e}", self.path.display())))
    }

    pub(crate) async fn ping(&self) -> Result<()> {
        let mut c = self.conn().await?;
        sqlx::query("SELECT 1").execute(&mut *c).await?;
        Ok(())
    }

    pub(crate) async fn dataset(&self) -> Result<Option<DatasetInfo>> {
        if !self.path.exists() {
            return Ok(None);
        }
        let mut c = self.conn().await?;
        dataset_on(&mut c).await
    }

    pub(crate) async fn load_globals(&self) -> Result<(i64, GlobalRows)> {
        let mut c = self.conn().await?;
        let version = version_on(&mut c).await?;
        Ok((version, fetch_globals(&mut c, "").await?))
    }

    pub(crate) async fn load_wmi(&self, wmi: &str) -> Result<(i64, WmiRows)> {
        let mut c = self.conn().await?;
        let version = version_on(&mut c).await?;
        let mut f = fetch_wmi_rows(&mut c, "", &q::wmi_queries(), Some(wmi), false).await?;
        let ids: Vec<i32> = f.schemas.iter().map(|s| s.id).collect();
        f.patterns = fetch_patterns(&mut c, "", &ids).await?.into_rows()?;
        f.patterns.sort_by_key(|p| p.id);
        Ok((version, rows::assemble_one(wmi, f)))
    }

    pub(crate) async fn load_wmi_head(&self, wmi: &str) -> Result<(i64, WmiRows)> {
        let mut c = self.conn().await?;
        let version = version_on(&mut c).await?;
        let row = sqlx::query(&sql(&head::template(true), "", true))
            .bind(wmi)
            .fetch_one(&mut *c)
            .await?;
        let mut columns: [Option<String>; head::COLUMNS] = Default::default();
        for (i, col) in columns.iter_mut().enumerate() {
            *col = row.try_get(i)?;
        }
        Ok((version, head::assemble(wmi, columns)?))
    }

    pub(crate) async fn load_pattern_set(&self, ids: &[i32]) -> Result<(i64, PatternSet)> {
        let mut c = self.conn().await?;
        let version = version_on(&mut c).await?;
        Ok((version, fetch_patterns(&mut c, "", ids).await?))
    }

    pub(crate) async fn load_all_wmi_heads(&self) -> Result<(i64, Vec<WmiRows>)> {
        let mut c = self.conn().await?;
        let version = version_on(&mut c).await?;
        let f = fetch_wmi_rows(&mut c, "", &q::all_wmi_queries(), None, false).await?;
        Ok((version, rows::assemble_all(f)))
    }

    pub(crate) async fn load_all_wmis(&self) -> Result<(i64, Vec<WmiRows>)> {
        let mut c = self.conn().await?;
        let version = version_on(&mut c).await?;
        let f = fetch_wmi_rows(&mut c, "", &q::all_wmi_queries(), None, true).await?;
        Ok((version, rows::assemble_all(f)))
    }
}

/// The dataset metadata of the file behind `conn` (`None` when it holds none).
pub(crate) async fn dataset_on(conn: &mut SqliteConnection) -> Result<Option<DatasetInfo>> {
    let has: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'dataset'",
    )
    .fetch_one(&mut *conn)
    .await?;
    if has == 0 {
        return Ok(None);
    }
    let row = sqlx::query(
        "SELECT version, source, data_month, source_sha256, loaded_at, row_counts, supplemented_tables \
         FROM dataset LIMIT 1",
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let counts: String = r.try_get(5)?;
    let supplemented: String = r.try_get(6)?;
    Ok(Some(DatasetInfo {
        version: r.try_get(0)?,
        source: r.try_get(1)?,
        data_month: r.try_get(2)?,
        source_sha256: r.try_get(3)?,
        loaded_at: r.try_get(4)?,
        row_counts: serde_json::from_str(&counts)
            .map_err(|e| Error::Source(format!("dataset.row_counts is not JSON: {e}")))?,
        supplemented_tables: serde_json::from_str(&supplemented)
            .map_err(|e| Error::Source(format!("dataset.supplemented_tables is not JSON: {e}")))?,
    }))
}

async fn version_on(conn: &mut SqliteConnection) -> Result<i64> {
    match dataset_on(conn).await? {
        Some(d) => Ok(d.version),
        None => Err(Error::Unavailable(
            "no dataset loaded in this SQLite file (run `vin etl run`)".into(),
        )),
    }
}
