//! Loading into SQLite: a new file beside the live one, filled in big
//! transactions of multi-row prepared INSERTs, indexed, checked, synced, then
//! renamed over the live file; the replaced file stays as `<file>.prev`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use indicatif::ProgressBar;
use sqlx::{Connection as _, Row as _, SqliteConnection};
use tokio::sync::mpsc;

use super::convert::{Mapping, Value};
use super::feed::truncated;
use super::source::SourceEvent;
use super::target::{Meta, RunStatus, Target};
use crate::model::DatasetInfo;
use crate::store::sqlite::{dataset_on, write_options};
use crate::{Error, Result};

/// Migrations of a dataset file.
pub(crate) static DATASET_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");

/// Bound parameters per INSERT (SQLite allows 32766).
const MAX_PARAMS: usize = 30_000;
/// Rows per INSERT at most.
const MAX_ROWS_PER_INSERT: usize = 500;

/// `<file>.prev`: the dataset a rollback returns to.
pub fn prev_path(live: &Path) -> PathBuf {
    sibling(live, ".prev")
}

fn sibling(live: &Path, suffix: &str) -> PathBuf {
    let mut name = live.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    live.with_file_name(name)
}

fn build_prefix(live: &Path) -> String {
    format!(
        ".{}.build-",
        live.file_name().unwrap_or_default().to_string_lossy()
    )
}

fn pid_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    // Linux: a live process has /proc/<pid>. Elsewhere assume it is gone.
    Path::new("/proc").join(pid.to_string()).exists()
}

/// One ETL run (or rollback) per SQLite file at a time: `<file>.etl-lock`
/// holds the owner's pid; a lock whose owner is gone is taken over.
pub(crate) struct FileLock(PathBuf);

impl FileLock {
    pub(crate) fn acquire(live: &Path) -> Result<FileLock> {
        use std::io::Write as _;
        let path = sibling(live, ".etl-lock");
        for _ in 0..3 {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut f) => {
                    write!(f, "{}", std::process::id())?;
                    return Ok(FileLock(path));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let owner = std::fs::read_to_string(&path)
                        .ok()
                        .and_then(|s| s.trim().parse::<u32>().ok());
                    match owner {
                        Some(pid) if pid_alive(pid) => {
                            return Err(Error::Unavailable(format!(
                                "another ETL run (pid {pid}) is working on {}",
                                live.display()
                            )));
                        }
                        _ => {
                            tracing::warn!(lock = %path.display(), "removing a stale ETL lock");
                            let _ = std::fs::remove_file(&path);
                        }
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(Error::Unavailable(format!(
            "cannot take the ETL lock {}",
            path.display()
        )))
    }
}

impl Drop for FileLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Removes build files of runs whose process is gone.
fn clean_leftovers(live: &Path) {
    let dir = live
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let prefix = build_prefix(live);
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(&prefix) else {
            continue;
        };
        let pid = rest.split('-').next().and_then(|p| p.parse::<u32>().ok());
        if pid.is_some_and(pid_alive) {
            continue;
        }
        tracing::info!(file = %name, "removing the leftover of an unfinished run");
        let _ = std::fs::remove_file(entry.path());
    }
}

/// Opens a writable connection to an existing dataset file.
pub(crate) async fn open_rw(path: &Path) -> Result<SqliteConnection> {
    let opts = write_options(path)?.create_if_missing(false);
    Ok(SqliteConnection::connect_with(&opts).await?)
}

/// Highest version known to the file behind `conn` (its dataset and its audit).
async fn max_version(conn: &mut SqliteConnection) -> Result<i64> {
    let ds = dataset_on(conn).await?.map_or(0, |d| d.version);
    let audit: Option<i64> = sqlx::query_scalar("SELECT max(version) FROM etl_run")
        .fetch_one(&mut *conn)
        .await?;
    Ok(ds.max(audit.unwrap_or(0)))
}

pub(crate) struct SqliteTarget {
    live_path: PathBuf,
    build_path: PathBuf,
    conn: Option<SqliteConnection>,
    /// The run's `etl_run` id in the live file (none when there is no live file).
    run_id: Option<i64>,
    version: i64,
    live: Option<DatasetInfo>,
    _lock: FileLock,
    started_at: String,
}

impl SqliteTarget {
    pub(crate) async fn begin(live_path: &Path, source: &str) -> Result<SqliteTarget> {
        if let Some(dir) = live_path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let lock = FileLock::acquire(live_path)?;
        clean_leftovers(live_path);
        let started_at = crate::store::now().to_string();
        let mut version = 0;
        let mut live = None;
        let mut run_id = None;
        if live_path.exists() {
            let mut conn = open_rw(live_path).await?;
            live = dataset_on(&mut conn).await?;
            if live.is_none() {
                return Err(Error::InvalidArgument(format!(
                    "{} exists but holds no vin dataset; refusing to replace it",
                    live_path.display()
                )));
            }
            version = max_version(&mut conn).await?;
            sqlx::query(
                "UPDATE etl_run SET status = 'failed', finished_at = ?1, \
                 error = coalesce(error, 'interrupted: the process ended before the run finished') \
                 WHERE status = 'running'",
            )
            .bind(&started_at)
            .execute(&mut conn)
            .await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO etl_run (source, started_at, status) VALUES (?1, ?2, 'running') RETURNING id",
            )
            .bind(source)
            .bind(&started_at)
            .fetch_one(&mut conn)
            .await?;
            run_id = Some(id);
            conn.close().await?;
        }
        let prev = prev_path(live_path);
        if prev.exists()
            && let Ok(mut conn) = open_rw(&prev).await
        {
            version = version.max(max_version(&mut conn).await.unwrap_or(0));
            let _ = conn.close().await;
        }
        version += 1;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let build_path = live_path.with_file_name(format!(
            "{}{}-{nanos}",
            build_prefix(live_path),
            std::process::id()
        ));
        let mut conn = SqliteConnection::connect_with(&write_options(&build_path)?).await?;
        sqlx::raw_sql(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; \
             PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY",
        )
        .execute(&mut conn)
        .await?;
        DATASET_MIGRATOR.run(&mut conn).await?;
        if let Some(id) = run_id {
            let mut live_conn = open_rw(live_path).await?;
            sqlx::query("UPDATE etl_run SET version = ?1 WHERE id = ?2")
                .bind(version)
                .bind(id)
                .execute(&mut live_conn)
                .await?;
            live_conn.close().await?;
        }
        Ok(SqliteTarget {
            live_path: live_path.to_owned(),
            build_path,
            conn: Some(conn),
            run_id,
            version,
            live,
            _lock: lock,
            started_at,
        })
    }

    fn conn(&mut self) -> Result<&mut SqliteConnection> {
        self.conn
            .as_mut()
            .ok_or_else(|| Error::Unavailable("the load connection is closed".into()))
    }

    fn remove_build(&self) {
        for suffix in ["", "-journal", "-wal", "-shm"] {
            let mut p = self.build_path.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(p));
        }
    }
}

fn insert_sql(mapping: &Mapping, rows: usize) -> String {
    let cols: Vec<&str> = mapping.columns.iter().map(|c| c.name).collect();
    let one = format!("({})", vec!["?"; cols.len()].join(", "));
    let mut sql = format!(
        "INSERT INTO {} ({}) VALUES ",
        mapping.target,
        cols.join(", ")
    );
    for i in 0..rows {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&one);
    }
    sql
}

async fn insert_rows(conn: &mut SqliteConnection, sql: &str, values: &[Value<'_>]) -> Result<()> {
    let mut q = sqlx::query(sql);
    for v in values {
        q = match v {
            Value::Null => q.bind(None::<i64>),
            Value::Int(i) => q.bind(*i),
            Value::Text(s) => q.bind(*s),
            Value::Bool(b) => q.bind(*b),
            Value::Ts(t) => q.bind(t.to_string()),
        };
    }
    q.execute(&mut *conn).await?;
    Ok(())
}

impl Target for SqliteTarget {
    async fn write_table(
        &mut self,
        mapping: &Mapping,
        rx: &mut mpsc::Receiver<Result<SourceEvent>>,
        progress: &ProgressBar,
    ) -> Result<u64> {
        let ncols = mapping.columns.len().max(1);
        let per_insert = (MAX_PARAMS / ncols).clamp(1, MAX_ROWS_PER_INSERT);
        let full_sql = insert_sql(mapping, per_insert);
        let conn = self.conn()?;
        sqlx::raw_sql("BEGIN").execute(&mut *conn).await?;
        let mut n = 0u64;
        loop {
            match rx.recv().await {
                Some(Ok(SourceEvent::Rows(rows))) => {
                    let mut row_values: Vec<Value<'_>> = Vec::with_capacity(ncols);
                    for chunk in rows.chunks(per_insert) {
                        let mut values: Vec<Value<'_>> = Vec::with_capacity(chunk.len() * ncols);
                        for row in chunk {
                            n += 1;
                            mapping.convert(row, n, &mut row_values)?;
                            values.append(&mut row_values);
                        }
                        if chunk.len() == per_insert {
                            insert_rows(conn, &full_sql, &values).await?;
                        } else {
                            insert_rows(conn, &insert_sql(mapping, chunk.len()), &values).await?;
                        }
                    }
                    progress.inc(rows.len() as u64);
                }
                Some(Ok(SourceEvent::End { .. })) => break,
                Some(Ok(SourceEvent::Begin(h))) => {
                    return Err(Error::Source(format!(
                        "table {} began before table {} ended",
                        h.table, mapping.source_table
                    )));
                }
                Some(Err(e)) => return Err(e),
                None => return Err(truncated(&mapping.source_table)),
            }
        }
        sqlx::raw_sql("COMMIT").execute(&mut *conn).await?;
        Ok(n)
    }

    async fn build_indexes(&mut self) -> Result<()> {
        let conn = self.conn()?;
        if let Err(e) = sqlx::raw_sql(super::pg::INDEXES_SQL)
            .execute(&mut *conn)
            .await
        {
            return Err(match &e {
                sqlx::Error::Database(d) if d.message().contains("UNIQUE") => {
                    Error::Rejected(format!("duplicate keys: {}", d.message()))
                }
                _ => e.into(),
            });
        }
        sqlx::raw_sql("ANALYZE").execute(&mut *conn).await?;
        Ok(())
    }

    async fn pack_patterns(&mut self) -> Result<i64> {
        let conn = self.conn()?;
        super::pack::pack_patterns(&mut super::Staging::Sqlite { conn }).await
    }

    async fn derive(&mut self) -> Result<BTreeMap<String, i64>> {
        let conn = self.conn()?;
        crate::dropdowns::derive(&mut super::Staging::Sqlite { conn }).await
    }

    async fn scalar(&mut self, sql: &str) -> Result<i64> {
        let conn = self.conn()?;
        Ok(sqlx::query_scalar(sql).fetch_one(&mut *conn).await?)
    }

    async fn lookup_counts(&mut self) -> Result<BTreeMap<String, i64>> {
        let conn = self.conn()?;
        let rows = sqlx::query("SELECT tbl, count(*) FROM lookup GROUP BY tbl")
            .fetch_all(&mut *conn)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<i64, _>(1)?)))
            .collect()
    }

    fn live(&self) -> Option<&DatasetInfo> {
        self.live.as_ref()
    }

    fn version(&self) -> i64 {
        self.version
    }

    async fn swap(&mut self, meta: &Meta) -> Result<()> {
        let version = self.version;
        let live_exists = self.live_path.exists();
        let live_path = self.live_path.clone();
        let run_id = self.run_id;
        let started_at = self.started_at.clone();
        let finished = crate::store::now().to_string();
        let loaded_at = crate::store::rfc3339(crate::store::now());
        let counts = serde_json::to_string(&meta.row_counts).unwrap_or_else(|_| "{}".into());
        let supplemented =
            serde_json::to_string(&meta.supplemented).unwrap_or_else(|_| "[]".into());
        let conn = self.conn()?;
        sqlx::query(
            "INSERT INTO dataset (version, source, data_month, source_sha256, source_size, loaded_at, \
             row_counts, supplemented_tables) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .bind(version)
        .bind(&meta.source)
        .bind(&meta.data_month)
        .bind(&meta.sha256)
        .bind(meta.size.map(|s| s as i64))
        .bind(&loaded_at)
        .bind(&counts)
        .bind(&supplemented)
        .execute(&mut *conn)
        .await?;
        // The audit history moves into the new file with the dataset.
        if live_exists {
            sqlx::query("ATTACH DATABASE ?1 AS old")
                .bind(live_path.to_string_lossy().into_owned())
                .execute(&mut *conn)
                .await?;
            sqlx::raw_sql("INSERT INTO etl_run SELECT * FROM old.etl_run; DETACH DATABASE old")
                .execute(&mut *conn)
                .await?;
        }
        let id = match run_id {
            Some(id) => id,
            None => {
                sqlx::query_scalar(
                    "INSERT INTO etl_run (source, started_at, status, version) \
                     VALUES (?1, ?2, 'running', ?3) RETURNING id",
                )
                .bind(&meta.source)
                .bind(&started_at)
                .bind(version)
                .fetch_one(&mut *conn)
                .await?
            }
        };
        record(conn, id, RunStatus::Swapped, None, meta, &finished).await?;
        sqlx::raw_sql("PRAGMA journal_mode = DELETE")
            .execute(&mut *conn)
            .await?;
        if let Some(c) = self.conn.take() {
            c.close().await?;
        }
        std::fs::File::open(&self.build_path)?.sync_all()?;
        if live_exists {
            let prev = prev_path(&live_path);
            match std::fs::remove_file(&prev) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e.into()),
            }
            if std::fs::hard_link(&live_path, &prev).is_err() {
                std::fs::copy(&live_path, &prev)?;
            }
        }
        std::fs::rename(&self.build_path, &live_path)?;
        sync_dir(&live_path);
        Ok(())
    }

    async fn abandon(mut self, status: RunStatus, error: Option<&str>, meta: &Meta) -> Result<()> {
        if let Some(c) = self.conn.take() {
            let _ = c.close().await;
        }
        self.remove_build();
        if let Some(id) = self.run_id {
            let mut conn = open_rw(&self.live_path).await?;
            let finished = crate::store::now().to_string();
            record(&mut conn, id, status, error, meta, &finished).await?;
            conn.close().await?;
        }
        Ok(())
    }
}

async fn record(
    conn: &mut SqliteConnection,
    id: i64,
    status: RunStatus,
    error: Option<&str>,
    meta: &Meta,
    finished: &str,
) -> Result<()> {
    let counts = serde_json::to_string(&meta.row_counts).unwrap_or_else(|_| "{}".into());
    sqlx::query(
        "UPDATE etl_run SET status = ?1, finished_at = ?2, error = ?3, row_counts = ?4, \
         data_month = ?5, source_sha256 = ?6, note = ?7 WHERE id = ?8",
    )
    .bind(status.as_str())
    .bind(finished)
    .bind(error)
    .bind(counts)
    .bind(&meta.data_month)
    .bind(&meta.sha256)
    .bind(&meta.note)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Makes a rename durable (best effort: not every platform can sync a directory).
pub(crate) fn sync_dir(file: &Path) {
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(d) = std::fs::File::open(dir)
    {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::schema::{self, ColType};

    /// The migration creates exactly the tables and columns `schema.rs` lists.
    #[tokio::test]
    async fn migrations_match_the_schema_description() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.sqlite");
        let mut conn = SqliteConnection::connect_with(&write_options(&path).unwrap())
            .await
            .unwrap();
        DATASET_MIGRATOR.run(&mut conn).await.unwrap();
        let tables = schema::TABLES
            .iter()
            .map(|t| (t.name, t.columns))
            .chain([(schema::LOOKUP, schema::LOOKUP_COLUMNS)]);
        for (name, columns) in tables {
            let rows = sqlx::query(&format!("PRAGMA table_info({name})"))
                .fetch_all(&mut conn)
                .await
                .unwrap();
            let got: Vec<(String, String, bool)> = rows
                .iter()
                .map(|r| {
                    (
                        r.get::<String, _>(1),
                        r.get::<String, _>(2),
                        r.get::<i64, _>(3) != 0,
                    )
                })
                .collect();
            let want: Vec<(String, String, bool)> = columns
                .iter()
                .map(|c| {
                    let ty = match c.ty {
                        ColType::Int | ColType::Bool => "INTEGER",
                        ColType::Text | ColType::Ts => "TEXT",
                    };
                    (c.name.to_owned(), ty.to_owned(), c.not_null)
                })
                .collect();
            assert_eq!(got, want, "table {name}");
        }
    }
}
