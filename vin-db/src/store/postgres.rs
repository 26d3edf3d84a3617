//! The Postgres store. Datasets live in schemas `vin_ds_<version>` that are
//! never modified once live; `vin_admin.live` names the live one. A reader
//! reads the pointer, then qualifies every table with that schema, so its
//! answer comes from one dataset even if a swap commits meanwhile (the old
//! schema is kept until the run after next). Schema names differ per
//! dataset, so no cached prepared statement ever outlives its tables.

use std::str::FromStr as _;
use std::sync::RwLock;

use sqlx::PgConnection;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use super::{StoreOptions, head, rows};
use crate::{Error, Result};

rows::fetch_fns!(PgConnection, false);

/// The admin schema's name.
pub const ADMIN_SCHEMA: &str = "vin_admin";

/// The schema name of dataset `version`.
pub fn dataset_schema(version: i64) -> String {
    format!("vin_ds_{version}")
}

/// True for names [`dataset_schema`] makes (so they are safe to splice into SQL).
pub fn is_dataset_schema(name: &str) -> bool {
    name.strip_prefix("vin_ds_")
        .is_some_and(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
}

/// The table prefix for a dataset schema (`"vin_ds_7".`).
pub(crate) fn prefix(schema: &str) -> Result<String> {
    if !is_dataset_schema(schema) {
        return Err(Error::Unavailable(format!(
            "the live pointer names {schema:?}, which is not a dataset schema"
        )));
    }
    Ok(format!("\"{schema}\"."))
}

/// Connect options: ISO dates (timestamps are read as text) and our name.
pub(crate) fn connect_options(url: &str) -> Result<PgConnectOptions> {
    let opts = PgConnectOptions::from_str(url).map_err(|e| {
        Error::InvalidArgument(format!("bad Postgres URL {}: {e}", super::redact(url)))
    })?;
    Ok(opts.application_name("vin").options([("DateStyle", "ISO")]))
}

/// True for "relation/schema does not exist" (nothing loaded yet).
pub(crate) fn is_missing_relation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if matches!(d.code().as_deref(), Some("42P01") | Some("3F000")))
}

pub(crate) struct PgStore {
    pool: PgPool,
    /// Connections for the decoder's cold WMI loads, which always use the
    /// generic plan: the head query's plan is the same for every WMI, and
    /// planning it (2–4 ms) costs more than running it, while Postgres only
    /// settles on the generic plan after five custom ones per connection.
    /// Kept apart so the dropdown queries keep Postgres' own choice.
    loads: PgPool,
    /// Last live `(version, schema)` seen (for [`super::Backend`], and for
    /// queries that check the pointer themselves).
    live: RwLock<Option<(i64, String)>>,
}

impl PgStore {
    pub(crate) async fn open(url: &str, options: &StoreOptions) -> Result<PgStore> {
        let pool_options = || {
            PgPoolOptions::new()
                .max_connections(options.max_connections)
                .min_connections(0)
                .acquire_timeout(options.acquire_timeout)
                .idle_timeout(std::time::Duration::from_secs(300))
        };
        let pool = pool_options().connect_lazy_with(connect_options(url)?);
        let loads = pool_options()
            .max_connections(options.max_connections.div_ceil(2))
            .connect_lazy_with(
                connect_options(url)?.options([("plan_cache_mode", "force_generic_plan")]),
            );
        let store = PgStore {
            pool,
            loads,
            live: RwLock::new(None),
        };
        if !options.lazy {
            super::retry::with_backoff("connect to Postgres", options.connect_attempts, || async {
                store.ping().await
            })
            .await
            .map_err(|e| match e {
                Error::Unavailable(m) => Error::Unavailable(format!("{}: {m}", super::redact(url))),
                other => other,
            })?;
            // Learn the live schema now, so `backend()` has it from the start.
            let mut c = store.conn().await?;
            store.pointer(&mut c).await?;
        }
        Ok(store)
    }

    pub(crate) fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub(crate) fn schema(&self) -> String {
        self.live
            .read()
            .ok()
            .and_then(|l| l.as_ref().map(|(_, s)| s.clone()))
            .unwrap_or_default()
    }

    /// The last live `(version, schema)` seen, if any.
    fn last_live(&self) -> Option<(i64, String)> {
        self.live.read().ok().and_then(|l| l.clone())
    }

    fn remember(&self, version: i64, schema: &str) {
        if let Ok(mut l) = self.live.write()
            && l.as_ref().is_none_or(|(v, s)| *v != version || s != schema)
        {
            *l = Some((version, schema.to_owned()));
        }
    }

    async fn conn(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Postgres>> {
        self.pool.acquire().await.map_err(super::unavailable)
    }

    /// A connection of [`PgStore::loads`].
    async fn load_conn(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Postgres>> {
        self.loads.acquire().await.map_err(super::unavailable)
    }

    /// The live `(version, schema)`, `None` before the first swap.
    pub(crate) async fn pointer(&self, conn: &mut PgConnection) -> Result<Option<(i64, String)>> {
        let row = sqlx::query("SELECT version, schema_name FROM vin_admin.live")
            .fetch_optional(&mut *conn)
            .await;
        let row = match row {
            Ok(r) => r,
            Err(e) if is_missing_relation(&e) => None,
            Err(e) => return Err(super::unavailable(e)),
        };
        let Some(r) = row else { return Ok(None) };
        let (version, schema): (i64, String) = (r.try_get(0)?, r.try_get(1)?);
        self.remember(version, &schema);
        Ok(Some((version, schema)))
    }

    async fn live(&self, conn: &mut PgConnection) -> Result<(i64, String)> {
        match self.pointer(conn).await? {
            Some((v, s)) => Ok((v, prefix(&s)?)),
            None => Err(no_dataset()),
        }
    }

    pub(crate) async fn ping(&self) -> Result<()> {
        let mut c = self.conn().await?;
        sqlx::query("SELECT 1")
            .execute(&mut *c)
            .await
            .map_err(super::unavailable)?;
        Ok(())
    }

    pub(crate) async fn dataset(&self) -> Result<Option<DatasetInfo>> {
        let mut c = self.conn().await?;
        let Some((_, schema)) = self.pointer(&mut c).await? else {
            return Ok(None);
        };
        dataset_in(&mut c, &schema).await
    }

    pub(crate) async fn load_globals(&self) -> Result<(i64, GlobalRows)> {
        let mut c = self.conn().await?;
        let (version, p) = self.live(&mut c).await?;
        Ok((version, fetch_globals(&mut c, &p).await?))
    }

    pub(crate) async fn load_wmi(&self, wmi: &str) -> Result<(i64, WmiRows)> {
        let mut c = self.conn().await?;
        let (version, p) = self.live(&mut c).await?;
        let mut f = fetch_wmi_rows(&mut c, &p, &q::wmi_queries(), Some(wmi), false).await?;
        let ids: Vec<i32> = f.schemas.iter().map(|s| s.id).collect();
        f.patterns = fetch_patterns(&mut c, &p, &ids).await?.into_rows()?;
        f.patterns.sort_by_key(|p| p.id);
        Ok((version, rows::assemble_one(wmi, f)))
    }

    /// One round trip in the common case: the head query runs on the last
    /// live schema seen and reads the live pointer in the same statement;
    /// when the pointer has moved (or the schema is gone) it runs again on
    /// the new live schema.
    pub(crate) async fn load_wmi_head(&self, wmi: &str) -> Result<(i64, WmiRows)> {
        let mut c = self.load_conn().await?;
        let mut guess = self.last_live();
        for _ in 0..3 {
            let (version, schema) = match guess.take() {
                Some(l) => l,
                None => match self.pointer(&mut c).await? {
                    Some(l) => l,
                    None => return Err(no_dataset()),
                },
            };
            let text = format!(
                "{}, (SELECT version FROM vin_admin.live), (SELECT schema_name FROM vin_admin.live)",
                sql(&head::template(false), &prefix(&schema)?, false)
            );
            let row = match sqlx::query(&text).bind(wmi).fetch_one(&mut *c).await {
                Ok(r) => r,
                // The guessed schema was dropped: read the pointer.
                Err(e) if is_missing_relation(&e) => continue,
                Err(e) => return Err(super::unavailable(e)),
            };
            let live: (Option<i64>, Option<String>) =
                (row.try_get(head::COLUMNS)?, row.try_get(head::COLUMNS + 1)?);
            match live {
                (Some(v), Some(s)) if v == version && s == schema => {
                    let mut columns: [Option<String>; head::COLUMNS] = Default::default();
                    for (i, col) in columns.iter_mut().enumerate() {
                        *col = row.try_get(i)?;
                    }
                    return Ok((version, head::assemble(wmi, columns)?));
                }
                (Some(v), Some(s)) => {
                    self.remember(v, &s);
                    guess = Some((v, s));
                }
                _ => return Err(no_dataset()),
            }
        }
        Err(Error::Unavailable(
            "the live dataset kept changing while loading a WMI".into(),
        ))
    }

    pub(crate) async fn load_pattern_set(&self, ids: &[i32]) -> Result<(i64, PatternSet)> {
        let mut c = self.load_conn().await?;
        // One round trip in the common case: the packed values of the last
        // live schema seen, with the live pointer read by the same statement.
        if let Some((version, schema)) = self.last_live()
            && !ids.is_empty()
        {
            let text = format!(
                "SELECT vinschemaid, patterns, (SELECT version FROM vin_admin.live), \
                 (SELECT schema_name FROM vin_admin.live) FROM {}pattern_pack \
                 WHERE vinschemaid {{in $1}} ORDER BY vinschemaid",
                prefix(&schema)?
            );
            let result = sqlx::query(&sql(&text, "", false))
                .bind(q::id_list(ids, false))
                .fetch_all(&mut *c)
                .await;
            match result {
                Ok(rows) if !rows.is_empty() => {
                    let live: (Option<i64>, Option<String>) =
                        (rows[0].try_get(2)?, rows[0].try_get(3)?);
                    if live.0 == Some(version) && live.1.as_deref() == Some(schema.as_str()) {
                        let mut packs = Vec::with_capacity(rows.len());
                        for r in rows {
                            packs.push((r.try_get(0)?, r.try_get(1)?));
                        }
                        return Ok((version, PatternSet::from_packs(packs)));
                    }
                }
                // No row, a pointer that moved, or a dataset without the
                // packed table: the general path below decides.
                Ok(_) => {}
                Err(e) if is_missing_relation(&e) => {}
                Err(e) => return Err(super::unavailable(e)),
            }
        }
        let (version, p) = self.live(&mut c).await?;
        Ok((version, fetch_patterns(&mut c, &p, ids).await?))
    }

    pub(crate) async fn load_all_wmi_heads(&self) -> Result<(i64, Vec<WmiRows>)> {
        let mut c = self.conn().await?;
        let (version, p) = self.live(&mut c).await?;
        let f = fetch_wmi_rows(&mut c, &p, &q::all_wmi_queries(), None, false).await?;
        Ok((version, rows::assemble_all(f)))
    }

    pub(crate) async fn load_all_wmis(&self) -> Result<(i64, Vec<WmiRows>)> {
        let mut c = self.conn().await?;
        let (version, p) = self.live(&mut c).await?;
        let f = fetch_wmi_rows(&mut c, &p, &q::all_wmi_queries(), None, true).await?;
        Ok((version, rows::assemble_all(f)))
    }
}

fn no_dataset() -> Error {
    Error::Unavailable("no dataset loaded in this database (run `vin etl run`)".into())
}

/// The metadata row of dataset schema `schema`.
pub(crate) async fn dataset_in(
    conn: &mut PgConnection,
    schema: &str,
) -> Result<Option<DatasetInfo>> {
    let p = prefix(schema)?;
    let row = sqlx::query(&format!(
        "SELECT version, source, data_month, source_sha256, \
         to_char(loaded_at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), row_counts::text, supplemented_tables::text \
         FROM {p}dataset LIMIT 1"
    ))
    .fetch_optional(&mut *conn)
    .await;
    let row = match row {
        Ok(r) => r,
        Err(e) if is_missing_relation(&e) => None,
        Err(e) => return Err(e.into()),
    };
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
