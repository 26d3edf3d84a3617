//! `vin etl status` and `vin etl rollback`.

use serde::Serialize;
use sqlx::{Connection as _, Row as _};

use crate::model::DatasetInfo;
use crate::store::{DbUrl, NOTIFY_CHANNEL, postgres as pgstore, redact, sqlite as sqlstore};
use crate::{Error, Result};

/// One row of the audit table.
#[derive(Debug, Clone, Serialize)]
pub struct RunRecord {
    /// Run id.
    pub id: i64,
    /// Source as named (`rollback` for rollbacks).
    pub source: String,
    /// NHTSA data month.
    pub data_month: Option<String>,
    /// SHA-256 of the source file.
    pub source_sha256: Option<String>,
    /// Start, UTC.
    pub started_at: String,
    /// End, UTC.
    pub finished_at: Option<String>,
    /// `running`, `swapped`, `failed`, `rejected` or `skipped`.
    pub status: String,
    /// Dataset version the run built.
    pub version: Option<i64>,
    /// Rows per table.
    pub row_counts: Option<serde_json::Value>,
    /// Why it failed.
    pub error: Option<String>,
    /// `re-issue of …`, `rollback from version …`.
    pub note: Option<String>,
}

/// What `vin etl status` prints.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    /// The database (password hidden).
    pub database: String,
    /// The live dataset.
    pub live: Option<DatasetInfo>,
    /// The dataset `vin etl rollback` would return to.
    pub previous: Option<DatasetInfo>,
    /// The most recent runs, newest first.
    pub runs: Vec<RunRecord>,
}

const RECENT_RUNS: i64 = 20;

/// The live dataset, the rollback target and recent runs.
pub async fn status(url: &str) -> Result<Status> {
    let database = redact(url);
    match DbUrl::parse(url)? {
        DbUrl::Postgres(u) => {
            let mut conn = super::pg::connect_plain(&u).await?;
            let pointer = match super::pg::live_pointer(&mut conn).await {
                Ok(p) => p,
                Err(Error::Database(e)) if pgstore::is_missing_relation(&e) => {
                    return Ok(Status {
                        database,
                        live: None,
                        previous: None,
                        runs: Vec::new(),
                    });
                }
                Err(e) => return Err(e),
            };
            let (live, previous) = match &pointer {
                Some((_, s, _, p)) => (
                    pgstore::dataset_in(&mut conn, s).await?,
                    match p {
                        Some(p) => pgstore::dataset_in(&mut conn, p).await?,
                        None => None,
                    },
                ),
                None => (None, None),
            };
            let rows = sqlx::query(
                "SELECT id, source, data_month, source_sha256, \
                 to_char(started_at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), \
                 to_char(finished_at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), status, version, \
                 row_counts::text, error, note FROM vin_admin.etl_run ORDER BY id DESC LIMIT $1",
            )
            .bind(RECENT_RUNS)
            .fetch_all(&mut conn)
            .await?;
            let runs = rows.iter().map(pg_run).collect::<Result<_>>()?;
            let _ = conn.close().await;
            Ok(Status {
                database,
                live,
                previous,
                runs,
            })
        }
        DbUrl::Sqlite(path) => {
            if !path.exists() {
                return Ok(Status {
                    database,
                    live: None,
                    previous: None,
                    runs: Vec::new(),
                });
            }
            let opts = sqlstore::read_options(&path, &crate::store::StoreOptions::default());
            let mut conn = sqlx::SqliteConnection::connect_with(&opts).await?;
            let live = sqlstore::dataset_on(&mut conn).await?;
            let runs = if live.is_some() {
                let rows = sqlx::query(
                    "SELECT id, source, data_month, source_sha256, started_at, finished_at, status, \
                     version, row_counts, error, note FROM etl_run ORDER BY id DESC LIMIT ?1",
                )
                .bind(RECENT_RUNS)
                .fetch_all(&mut conn)
                .await?;
                rows.iter().map(sqlite_run).collect::<Result<_>>()?
            } else {
                Vec::new()
            };
            let _ = conn.close().await;
            let prev = super::sqlite::prev_path(&path);
            let previous = if prev.exists() {
                let opts = sqlstore::read_options(&prev, &crate::store::StoreOptions::default());
                let mut c = sqlx::SqliteConnection::connect_with(&opts).await?;
                let d = sqlstore::dataset_on(&mut c).await?;
                let _ = c.close().await;
                d
            } else {
                None
            };
            Ok(Status {
                database,
                live,
                previous,
                runs,
            })
        }
    }
}

fn json(text: Option<String>) -> Option<serde_json::Value> {
    text.and_then(|t| serde_json::from_str(&t).ok())
}

fn pg_run(r: &sqlx::postgres::PgRow) -> Result<RunRecord> {
    Ok(RunRecord {
        id: r.try_get(0)?,
        source: r.try_get(1)?,
        data_month: r.try_get(2)?,
        source_sha256: r.try_get(3)?,
        started_at: r.try_get(4)?,
        finished_at: r.try_get(5)?,
        status: r.try_get(6)?,
        version: r.try_get(7)?,
        row_counts: json(r.try_get(8)?),
        error: r.try_get(9)?,
        note: r.try_get(10)?,
    })
}

fn sqlite_ts(t: Option<String>) -> Option<String> {
    t.map(|t| match crate::model::Timestamp::parse(&t) {
        Some(ts) => crate::store::rfc3339(ts),
        None => t,
    })
}

fn sqlite_run(r: &sqlx::sqlite::SqliteRow) -> Result<RunRecord> {
    Ok(RunRecord {
        id: r.try_get(0)?,
        source: r.try_get(1)?,
        data_month: r.try_get(2)?,
        source_sha256: r.try_get(3)?,
        started_at: sqlite_ts(r.try_get(4)?).unwrap_or_default(),
        finished_at: sqlite_ts(r.try_get(5)?),
        status: r.try_get(6)?,
        version: r.try_get(7)?,
        row_counts: json(r.try_get(8)?),
        error: r.try_get(9)?,
        note: r.try_get(10)?,
    })
}

/// Makes the previous dataset live again (the current one becomes the
/// previous, so a second rollback undoes the first). Returns the live version.
pub async fn rollback(url: &str) -> Result<i64> {
    match DbUrl::parse(url)? {
        DbUrl::Postgres(u) => rollback_pg(&u).await,
        DbUrl::Sqlite(path) => rollback_sqlite(&path).await,
    }
}

async fn rollback_pg(url: &str) -> Result<i64> {
    let mut conn = super::pg::connect_locked(url).await?;
    let Some((version, schema, Some(prev_version), Some(prev_schema))) =
        super::pg::live_pointer(&mut conn).await?
    else {
        return Err(Error::InvalidArgument(
            "nothing to roll back to: no previous dataset is kept".into(),
        ));
    };
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)")
            .bind(&prev_schema)
            .fetch_one(&mut conn)
            .await?;
    if !exists {
        return Err(Error::InvalidArgument(format!(
            "the previous dataset (schema {prev_schema}) no longer exists"
        )));
    }
    let mut tx = conn.begin().await?;
    sqlx::query(
        "UPDATE vin_admin.live SET version = $1, schema_name = $2, previous_version = $3, \
         previous_schema = $4, swapped_at = now() AT TIME ZONE 'UTC'",
    )
    .bind(prev_version)
    .bind(&prev_schema)
    .bind(version)
    .bind(&schema)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO vin_admin.etl_run (source, started_at, finished_at, status, version, note) \
         VALUES ('rollback', now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC', 'swapped', $1, $2)",
    )
    .bind(prev_version)
    .bind(format!("rollback from version {version}"))
    .execute(&mut *tx)
    .await?;
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(NOTIFY_CHANNEL)
        .bind(prev_version.to_string())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    let _ = conn.close().await;
    tracing::info!(from = version, to = prev_version, "rolled back");
    Ok(prev_version)
}

async fn rollback_sqlite(live: &std::path::Path) -> Result<i64> {
    use super::sqlite::{FileLock, open_rw, prev_path, sync_dir};
    let _lock = FileLock::acquire(live)?;
    let prev = prev_path(live);
    if !prev.exists() || !live.exists() {
        return Err(Error::InvalidArgument(format!(
            "nothing to roll back to: {} does not exist",
            prev.display()
        )));
    }
    let mut conn = open_rw(&prev).await?;
    let Some(prev_info) = sqlstore::dataset_on(&mut conn).await? else {
        return Err(Error::InvalidArgument(format!(
            "{} holds no vin dataset",
            prev.display()
        )));
    };
    // The audit history follows the live file.
    sqlx::query("ATTACH DATABASE ?1 AS cur")
        .bind(live.to_string_lossy().into_owned())
        .execute(&mut conn)
        .await?;
    let from: Option<i64> = sqlx::query_scalar("SELECT version FROM cur.dataset LIMIT 1")
        .fetch_optional(&mut conn)
        .await?;
    let now = crate::store::now().to_string();
    sqlx::raw_sql(
        "DELETE FROM etl_run; INSERT INTO etl_run SELECT * FROM cur.etl_run; DETACH DATABASE cur",
    )
    .execute(&mut conn)
    .await?;
    sqlx::query(
        "INSERT INTO etl_run (source, started_at, finished_at, status, version, note) \
         VALUES ('rollback', ?1, ?1, 'swapped', ?2, ?3)",
    )
    .bind(&now)
    .bind(prev_info.version)
    .bind(format!("rollback from version {}", from.unwrap_or(0)))
    .execute(&mut conn)
    .await?;
    conn.close().await?;
    std::fs::File::open(&prev)?.sync_all()?;
    // live → tmp (a second name), prev → live (atomic), tmp → prev.
    let mut tmp_name = live.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(".rollback-tmp");
    let tmp = live.with_file_name(tmp_name);
    let _ = std::fs::remove_file(&tmp);
    if std::fs::hard_link(live, &tmp).is_err() {
        std::fs::copy(live, &tmp)?;
    }
    std::fs::rename(&prev, live)?;
    std::fs::rename(&tmp, &prev)?;
    sync_dir(live);
    tracing::info!(from = ?from, to = prev_info.version, "rolled back");
    Ok(prev_info.version)
}
