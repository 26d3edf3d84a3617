//! Loading into Postgres: a fresh schema `vin_ds_<version>` per load, filled
//! with COPY, indexed, checked, then made live by one UPDATE of
//! `vin_admin.live` (with NOTIFY) in one transaction.

use std::collections::{BTreeMap, BTreeSet};

use indicatif::ProgressBar;
use sqlx::{ConnectOptions as _, Connection as _, PgConnection, Row as _};
use tokio::sync::mpsc;

use super::convert::{self, Mapping, Value};
use super::feed::truncated;
use super::source::SourceEvent;
use super::target::{Meta, RunStatus, Target};
use crate::model::DatasetInfo;
use crate::store::postgres::{self as pgstore, ADMIN_SCHEMA, dataset_schema, is_dataset_schema};
use crate::store::{NOTIFY_CHANNEL, retry, schema};
use crate::{Error, Result};

/// Migrations of the admin schema.
pub(crate) static ADMIN_MIGRATOR: sqlx::migrate::Migrator =
    sqlx::migrate!("migrations/postgres_admin");
/// Migrations of every dataset schema.
pub(crate) static DATASET_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");
/// Keys and indexes, built after the rows are in.
pub(crate) const INDEXES_SQL: &str = include_str!("../store/sql/indexes.sql");

/// Session advisory lock held by a run (or a rollback): one at a time.
const LOCK_KEY: i64 = 0x0076_696e_5f65_746c;

/// Connects with retries (backoff and jitter), each try bounded.
pub(crate) async fn connect_plain(url: &str) -> Result<PgConnection> {
    // Bulk statements are slow by design; no per-statement logs.
    let opts = pgstore::connect_options(url)?.disable_statement_logging();
    let timeout = crate::store::StoreOptions::default().acquire_timeout;
    retry::with_backoff("connect to Postgres", 3, || async {
        match tokio::time::timeout(timeout, PgConnection::connect_with(&opts)).await {
            Ok(Ok(c)) => Ok(c),
            Ok(Err(e)) => Err(match crate::store::unavailable(e) {
                Error::Unavailable(m) => {
                    Error::Unavailable(format!("cannot reach {}: {m}", crate::store::redact(url)))
                }
                other => other,
            }),
            Err(_) => Err(Error::Unavailable(format!(
                "cannot reach {}: no answer within {timeout:?}",
                crate::store::redact(url)
            ))),
        }
    })
    .await
}

/// Tries to take the ETL lock this many times, [`LOCK_RETRY_DELAY`] apart.
const LOCK_ATTEMPTS: u32 = 20;
/// Pause between two tries of the ETL lock.
const LOCK_RETRY_DELAY: std::time::Duration = std::time::Duration::from_millis(100);

/// Connects (with retries), takes the ETL lock and brings the admin schema up to date.
pub(crate) async fn connect_locked(url: &str) -> Result<PgConnection> {
    let mut conn = connect_plain(url).await?;
    // A run that has just finished may still hold the session lock for a
    // moment: its connection is closed by the server only once it notices the
    // dropped socket. Wait that long before calling it a concurrent run.
    let mut got = false;
    for attempt in 0..LOCK_ATTEMPTS {
        if attempt > 0 {
            tokio::time::sleep(LOCK_RETRY_DELAY).await;
        }
        got = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(LOCK_KEY)
            .fetch_one(&mut conn)
            .await?;
        if got {
            break;
        }
    }
    if !got {
        return Err(Error::Unavailable(
            "another ETL run or rollback is in progress on this database".into(),
        ));
    }
    sqlx::raw_sql(&format!(
        "CREATE SCHEMA IF NOT EXISTS {ADMIN_SCHEMA}; SET search_path TO {ADMIN_SCHEMA}"
    ))
    .execute(&mut conn)
    .await?;
    ADMIN_MIGRATOR.run(&mut conn).await?;
    Ok(conn)
}

/// The live pointer: (version, schema, previous version, previous schema).
pub(crate) async fn live_pointer(
    conn: &mut PgConnection,
) -> Result<Option<(i64, String, Option<i64>, Option<String>)>> {
    let row = sqlx::query(
        "SELECT version, schema_name, previous_version, previous_schema FROM vin_admin.live",
    )
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row {
        Some(r) => Some((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)),
        None => None,
    })
}

pub(crate) struct PgTarget {
    conn: PgConnection,
    url: String,
    run_id: i64,
    version: i64,
    schema: String,
    live: Option<DatasetInfo>,
}

impl PgTarget {
    /// Locks, cleans leftovers of earlier runs, records the run and creates
    /// the new dataset schema.
    pub(crate) async fn begin(url: &str, source: &str) -> Result<PgTarget> {
        let mut conn = connect_locked(url).await?;
        let pointer = live_pointer(&mut conn).await?;
        // Leftovers: runs that never finished, and schemas neither live nor previous.
        sqlx::query(
            "UPDATE vin_admin.etl_run SET status = 'failed', finished_at = now() AT TIME ZONE 'UTC', \
             error = coalesce(error, 'interrupted: the process ended before the run finished') \
             WHERE status = 'running'",
        )
        .execute(&mut conn)
        .await?;
        let keep: BTreeSet<String> = pointer
            .iter()
            .flat_map(|(_, s, _, p)| std::iter::once(s.clone()).chain(p.clone()))
            .collect();
        let schemas: Vec<String> = sqlx::query_scalar(
            "SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'vin\\_ds\\_%'",
        )
        .fetch_all(&mut conn)
        .await?;
        for s in schemas
            .into_iter()
            .filter(|s| is_dataset_schema(s) && !keep.contains(s))
        {
            tracing::info!(schema = %s, "dropping an old or unfinished dataset schema");
            sqlx::raw_sql(&format!("DROP SCHEMA \"{s}\" CASCADE"))
                .execute(&mut conn)
                .await?;
        }
        let live = match &pointer {
            Some((_, s, _, _)) => pgstore::dataset_in(&mut conn, s).await?,
            None => None,
        };
        let run_id: i64 = sqlx::query_scalar(
            "INSERT INTO vin_admin.etl_run (source, started_at, status) \
             VALUES ($1, now() AT TIME ZONE 'UTC', 'running') RETURNING id",
        )
        .bind(source)
        .fetch_one(&mut conn)
        .await?;
        let version: i64 = sqlx::query_scalar("SELECT nextval('vin_admin.dataset_version')")
            .fetch_one(&mut conn)
            .await?;
        let schema = dataset_schema(version);
        sqlx::raw_sql(&format!(
            "CREATE SCHEMA \"{schema}\"; SET search_path TO \"{schema}\"; \
             SET maintenance_work_mem = '256MB'"
        ))
        .execute(&mut conn)
        .await?;
        DATASET_MIGRATOR.run(&mut conn).await?;
        sqlx::query("UPDATE vin_admin.etl_run SET version = $1 WHERE id = $2")
            .bind(version)
            .bind(run_id)
            .execute(&mut conn)
            .await?;
        Ok(PgTarget {
            conn,
            url: url.to_owned(),
            run_id,
            version,
            schema,
            live,
        })
    }

    async fn record(
        conn: &mut PgConnection,
        run_id: i64,
        status: RunStatus,
        error: Option<&str>,
        meta: &Meta,
    ) -> Result<()> {
        let counts = serde_json::to_string(&meta.row_counts).unwrap_or_else(|_| "{}".into());
        sqlx::query(
            "UPDATE vin_admin.etl_run SET status = $1, finished_at = now() AT TIME ZONE 'UTC', \
             error = $2, row_counts = $3::jsonb, data_month = $4, source_sha256 = $5, note = $6 \
             WHERE id = $7",
        )
        .bind(status.as_str())
        .bind(error)
        .bind(counts)
        .bind(&meta.data_month)
        .bind(&meta.sha256)
        .bind(&meta.note)
        .bind(run_id)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }
}

impl Target for PgTarget {
    async fn write_table(
        &mut self,
        mapping: &Mapping,
        rx: &mut mpsc::Receiver<Result<SourceEvent>>,
        progress: &ProgressBar,
    ) -> Result<u64> {
        let cols: Vec<&str> = mapping.columns.iter().map(|c| c.name).collect();
        let statement = format!("COPY {} ({}) FROM STDIN", mapping.target, cols.join(", "));
        let mut copy = self.conn.copy_in_raw(&statement).await?;
        let mut buf: Vec<u8> = Vec::with_capacity(1 << 20);
        let mut n = 0u64;
        let outcome: Result<()> = async {
            loop {
                match rx.recv().await {
                    Some(Ok(SourceEvent::Rows(rows))) => {
                        let mut values: Vec<Value<'_>> = Vec::with_capacity(cols.len());
                        for row in &rows {
                            n += 1;
                            mapping.convert(row, n, &mut values)?;
                            for (i, v) in values.iter().enumerate() {
                                if i > 0 {
                                    buf.push(b'\t');
                                }
                                convert::write_copy(&mut buf, v);
                            }
                            buf.push(b'\n');
                        }
                        progress.inc(rows.len() as u64);
                        if buf.len() >= 1 << 20 {
                            copy.send(std::mem::take(&mut buf)).await?;
                        }
                    }
                    Some(Ok(SourceEvent::End { .. })) => return Ok(()),
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
        }
        .await;
        match outcome {
            Ok(()) => {
                if !buf.is_empty() {
                    copy.send(buf).await?;
                }
                copy.finish().await?;
                Ok(n)
            }
            Err(e) => {
                let _ = copy.abort(e.to_string()).await;
                Err(e)
            }
        }
    }

    async fn build_indexes(&mut self) -> Result<()> {
        if let Err(e) = sqlx::raw_sql(INDEXES_SQL).execute(&mut self.conn).await {
            return Err(match &e {
                sqlx::Error::Database(d) if d.code().as_deref() == Some("23505") => {
                    Error::Rejected(format!("duplicate keys: {}", d.message()))
                }
                _ => e.into(),
            });
        }
        let mut analyze = String::new();
        for t in schema::TABLES
            .iter()
            .map(|t| t.name)
            .chain([schema::LOOKUP])
        {
            analyze.push_str(&format!("ANALYZE {t};"));
        }
        sqlx::raw_sql(&analyze).execute(&mut self.conn).await?;
        Ok(())
    }

    async fn pack_patterns(&mut self) -> Result<i64> {
        let schema = self.schema.clone();
        super::pack::pack_patterns(&mut super::Staging::Postgres {
            conn: &mut self.conn,
            schema: &schema,
        })
        .await
    }

    async fn derive(&mut self) -> Result<BTreeMap<String, i64>> {
        let schema = self.schema.clone();
        crate::dropdowns::derive(&mut super::Staging::Postgres {
            conn: &mut self.conn,
            schema: &schema,
        })
        .await
    }

    async fn scalar(&mut self, sql: &str) -> Result<i64> {
        Ok(sqlx::query_scalar(sql).fetch_one(&mut self.conn).await?)
    }

    async fn lookup_counts(&mut self) -> Result<BTreeMap<String, i64>> {
        let rows = sqlx::query("SELECT tbl, count(*) FROM lookup GROUP BY tbl")
            .fetch_all(&mut self.conn)
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
        let counts = serde_json::to_string(&meta.row_counts).unwrap_or_else(|_| "{}".into());
        let supplemented =
            serde_json::to_string(&meta.supplemented).unwrap_or_else(|_| "[]".into());
        sqlx::query(
            "INSERT INTO dataset (version, source, data_month, source_sha256, source_size, loaded_at, \
             row_counts, supplemented_tables) \
             VALUES ($1, $2, $3, $4, $5, now() AT TIME ZONE 'UTC', $6::jsonb, $7::jsonb)",
        )
        .bind(self.version)
        .bind(&meta.source)
        .bind(&meta.data_month)
        .bind(&meta.sha256)
        .bind(meta.size.map(|s| s as i64))
        .bind(counts)
        .bind(supplemented)
        .execute(&mut self.conn)
        .await?;
        let mut tx = self.conn.begin().await?;
        sqlx::query(
            "INSERT INTO vin_admin.live (singleton, version, schema_name, swapped_at) \
             VALUES (true, $1, $2, now() AT TIME ZONE 'UTC') \
             ON CONFLICT (singleton) DO UPDATE SET \
               previous_version = vin_admin.live.version, previous_schema = vin_admin.live.schema_name, \
               version = EXCLUDED.version, schema_name = EXCLUDED.schema_name, swapped_at = EXCLUDED.swapped_at",
        )
        .bind(self.version)
        .bind(&self.schema)
        .execute(&mut *tx)
        .await?;
        Self::record(&mut tx, self.run_id, RunStatus::Swapped, None, meta).await?;
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(NOTIFY_CHANNEL)
            .bind(self.version.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn abandon(self, status: RunStatus, error: Option<&str>, meta: &Meta) -> Result<()> {
        // The load connection may be mid-COPY or in a failed transaction:
        // close it (the server rolls back and frees its locks) and clean up
        // on a fresh one.
        let PgTarget {
            conn,
            url,
            run_id,
            schema,
            ..
        } = self;
        let _ = conn.close().await;
        let mut conn = connect_locked(&url).await?;
        sqlx::raw_sql(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
            .execute(&mut conn)
            .await?;
        Self::record(&mut conn, run_id, status, error, meta).await?;
        let _ = conn.close().await;
        Ok(())
    }
}
