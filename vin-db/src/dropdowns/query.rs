//! The cascade's queries over the derived `dd_*` tables of the live dataset,
//! cached in moka.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::compute::ANY_TRIM;
use crate::store::{Backend, Store};
use crate::{Error, Result};

/// One entry of a dropdown.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Choice {
    /// NHTSA's id for makes and models; a stable 53-bit id for trims,
    /// engines and transmissions (see [`super::text::stable_id`]).
    pub id: i64,
    /// The text to show.
    pub name: String,
}

/// Settings of the [`Dropdowns`] cache.
#[derive(Debug, Clone)]
pub struct DropdownsConfig {
    /// Most answers kept (one answer = one list); 0 turns caching off.
    pub capacity: u64,
    /// How long an answer is kept.
    pub ttl: Duration,
}

impl Default for DropdownsConfig {
    /// 100 000 answers, 7 days.
    fn default() -> Self {
        DropdownsConfig {
            capacity: 100_000,
            ttl: Duration::from_secs(7 * 24 * 3600),
        }
    }
}

/// A query, as the cache key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Query {
    Years,
    Makes(i32),
    Models(i32, i64),
    Trims(i32, i64, i64),
    Engines(i32, i64, i64, i64),
    Transmissions(i32, i64, i64, i64),
}

/// A cached answer: the years, or one list of choices. Shared, so a cache
/// hit costs a reference count, whatever the list's length.
#[derive(Debug, Clone)]
enum Answer {
    Years(Arc<[i32]>),
    Choices(Arc<[Choice]>),
}

/// The year → make → model → trim → engine → transmission cascade over a
/// [`Store`]. Cheap to clone (the cache is shared).
///
/// Answers are shared lists (`Arc<[_]>`): a cached answer is handed out
/// without copying it.
///
/// ```no_run
/// # async fn demo() -> vin_db::Result<()> {
/// use vin_db::dropdowns::Dropdowns;
/// use vin_db::store::Store;
/// let store = Store::open("sqlite:///var/lib/vin/vin.sqlite").await?;
/// let dropdowns = Dropdowns::new(store);
/// let year = dropdowns.years().await?[0];
/// for make in dropdowns.makes(year).await?.iter() {
///     println!("{} {}", make.id, make.name);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Dropdowns {
    store: Store,
    /// `None` when caching is off.
    cache: Option<moka::future::Cache<Query, Answer>>,
    /// Whether the store's view of the live dataset was read since start.
    synced: Arc<AtomicBool>,
    /// Set when the live dataset predates the packed make lists
    /// (`dd_make_list`): makes are then read row by row from `dd_make`.
    unpacked: Arc<AtomicBool>,
}

impl std::fmt::Debug for Dropdowns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dropdowns")
            .field("store", &self.store.url_redacted())
            .field("cached", &self.cache.as_ref().map(|c| c.entry_count()))
            .finish()
    }
}

/// `Err(InvalidArgument)` unless `year` is a model year vPIC can know.
fn check_year(year: i32) -> Result<()> {
    let last = super::year_of(super::now()) + 2;
    if (1980..=last).contains(&year) {
        Ok(())
    } else {
        Err(Error::InvalidArgument(format!(
            "year {year} is outside 1980..={last}"
        )))
    }
}

/// `Err(InvalidArgument)` for a negative id.
fn check_id(what: &str, id: i64) -> Result<()> {
    if id < 0 {
        Err(Error::InvalidArgument(format!("{what} {id} is negative")))
    } else {
        Ok(())
    }
}

impl Dropdowns {
    /// A cascade over `store` with the default cache (7 days, 100 000 answers).
    pub fn new(store: Store) -> Dropdowns {
        Dropdowns::with_config(store, DropdownsConfig::default())
    }

    /// A cascade over `store` with the given cache settings.
    pub fn with_config(store: Store, config: DropdownsConfig) -> Dropdowns {
        let cache = (config.capacity > 0).then(|| {
            moka::future::Cache::builder()
                .max_capacity(config.capacity)
                .time_to_live(config.ttl)
                .build()
        });
        Dropdowns {
            store,
            cache,
            synced: Arc::new(AtomicBool::new(false)),
            unpacked: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Drops every cached answer (call it when the dataset changes); the
    /// next query re-reads which dataset is live.
    pub fn invalidate_all(&self) {
        self.synced.store(false, Ordering::Release);
        self.unpacked.store(false, Ordering::Release);
        if let Some(cache) = &self.cache {
            cache.invalidate_all();
        }
    }

    /// Model years that have at least one make, newest first.
    pub async fn years(&self) -> Result<Arc<[i32]>> {
        match self.cached(Query::Years).await? {
            Answer::Years(years) => Ok(years),
            Answer::Choices(_) => Ok(Arc::from([])),
        }
    }

    /// Makes offered for `year`, by name.
    pub async fn makes(&self, year: i32) -> Result<Arc<[Choice]>> {
        check_year(year)?;
        self.list(Query::Makes(year)).await
    }

    /// Models of `make_id` offered for `year`, by name.
    pub async fn models(&self, year: i32, make_id: i64) -> Result<Arc<[Choice]>> {
        check_year(year)?;
        check_id("make id", make_id)?;
        self.list(Query::Models(year, make_id)).await
    }

    /// Trims of the model for `year`, by name.
    pub async fn trims(&self, year: i32, make_id: i64, model_id: i64) -> Result<Arc<[Choice]>> {
        check_year(year)?;
        check_id("make id", make_id)?;
        check_id("model id", model_id)?;
        self.list(Query::Trims(year, make_id, model_id)).await
    }

    /// Engines of the model for `year`, by name. With `trim_id`, the engines
    /// the data ties to that trim (their pattern keys are compatible with the
    /// trim's); when it ties none to it, every engine of the model.
    pub async fn engines(
        &self,
        year: i32,
        make_id: i64,
        model_id: i64,
        trim_id: Option<i64>,
    ) -> Result<Arc<[Choice]>> {
        let t = check_leaf(year, make_id, model_id, trim_id)?;
        self.list(Query::Engines(year, make_id, model_id, t)).await
    }

    /// Transmissions of the model for `year`, by name; `trim_id` narrows
    /// them as in [`Dropdowns::engines`].
    pub async fn transmissions(
        &self,
        year: i32,
        make_id: i64,
        model_id: i64,
        trim_id: Option<i64>,
    ) -> Result<Arc<[Choice]>> {
        let t = check_leaf(year, make_id, model_id, trim_id)?;
        self.list(Query::Transmissions(year, make_id, model_id, t))
            .await
    }

    async fn list(&self, q: Query) -> Result<Arc<[Choice]>> {
        match self.cached(q).await? {
            Answer::Choices(list) => Ok(list),
            Answer::Years(_) => Ok(Arc::from([])),
        }
    }

    async fn cached(&self, q: Query) -> Result<Answer> {
        let Some(cache) = &self.cache else {
            return self.fetch(q).await;
        };
        if let Some(hit) = cache.get(&q).await {
            return Ok(hit);
        }
        let fresh = self.fetch(q).await?;
        cache.insert(q, fresh.clone()).await;
        Ok(fresh)
    }

    /// Runs one query against the live dataset, uncached. The store's
    /// pointer to the live dataset is read once first, and again (with one
    /// retry) when a query fails, e.g. because a swap dropped the dataset
    /// it pointed at.
    async fn fetch(&self, q: Query) -> Result<Answer> {
        if !self.synced.load(Ordering::Acquire) {
            self.store.dataset().await?;
            self.synced.store(true, Ordering::Release);
        }
        match self.fetch_once(q).await {
            Err(Error::Database(_)) => {
                self.store.dataset().await?;
                self.fetch_once(q).await
            }
            other => other,
        }
    }

    async fn fetch_once(&self, q: Query) -> Result<Answer> {
        match q {
            Query::Years => {
                let rows = self.rows(q).await?;
                let mut years: Vec<i32> = rows
                    .into_iter()
                    .filter_map(|(y, _)| i32::try_from(y).ok())
                    .collect();
                years.sort_unstable_by(|a, b| b.cmp(a));
                Ok(Answer::Years(years.into()))
            }
            Query::Makes(year) if !self.unpacked.load(Ordering::Acquire) => {
                match self.packed_makes(year).await {
                    Err(Error::Database(e)) if missing_table(&e) => {
                        // Only a dataset whose `dd_make` answers lacks the
                        // lists (not one a swap just dropped).
                        let answer = self.choices(q).await?;
                        tracing::info!(
                            "the live dataset has no packed make lists; reading dd_make"
                        );
                        self.unpacked.store(true, Ordering::Release);
                        Ok(answer)
                    }
                    other => other,
                }
            }
            _ => self.choices(q).await,
        }
    }

    /// A year's makes from its packed list (one row, already sorted).
    async fn packed_makes(&self, year: i32) -> Result<Answer> {
        let sql = "SELECT makes FROM {p}dd_make_list WHERE year = $1";
        let year = i64::from(year);
        let packed: Option<Vec<u8>> = match self.store.backend() {
            #[cfg(feature = "postgres")]
            Backend::Postgres { pool, schema } => {
                let text = sql.replace("{p}", &prefix(&schema));
                sqlx::query_scalar(&text)
                    .bind(year)
                    .fetch_optional(pool)
                    .await?
            }
            #[cfg(feature = "sqlite")]
            Backend::Sqlite { pool } => {
                sqlx::query_scalar(&sql.replace("{p}", ""))
                    .bind(year)
                    .fetch_optional(pool)
                    .await?
            }
        };
        let list = match packed {
            Some(bytes) => super::packed::decode(&bytes)?,
            None => Vec::new(),
        };
        Ok(Answer::Choices(list.into()))
    }

    /// A list query read row by row, sorted here.
    async fn choices(&self, q: Query) -> Result<Answer> {
        let mut choices: Vec<Choice> = self
            .rows(q)
            .await?
            .into_iter()
            .map(|(id, name)| Choice { id, name })
            .collect();
        // Byte order of the names, the same on both backends.
        super::packed::sort_by_name(&mut choices);
        Ok(Answer::Choices(choices.into()))
    }

    /// The (id, name) rows of a query, unsorted.
    async fn rows(&self, q: Query) -> Result<Vec<(i64, String)>> {
        let (sql, binds) = sql_of(q);
        let rows = match self.store.backend() {
            #[cfg(feature = "postgres")]
            Backend::Postgres { pool, schema } => {
                let text = sql.replace("{p}", &prefix(&schema));
                let mut query = sqlx::query_as::<_, (i64, String)>(&text);
                for b in &binds {
                    query = query.bind(*b);
                }
                query.fetch_all(pool).await?
            }
            #[cfg(feature = "sqlite")]
            Backend::Sqlite { pool } => {
                let text = sql.replace("{p}", "");
                let mut query = sqlx::query_as::<_, (i64, String)>(&text);
                for b in &binds {
                    query = query.bind(*b);
                }
                query.fetch_all(pool).await?
            }
        };
        Ok(rows)
    }
}

/// The quoted schema prefix of a Postgres dataset's tables.
#[cfg(feature = "postgres")]
fn prefix(schema: &str) -> String {
    format!("\"{}\".", schema.replace('"', "\"\""))
}

/// Whether a query failed because a table does not exist (a dataset built
/// before that table was added).
fn missing_table(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => {
            // Postgres: undefined_table; SQLite has no distinct code for it.
            d.code().as_deref() == Some("42P01") || d.message().contains("no such table")
        }
        _ => false,
    }
}

fn check_leaf(year: i32, make_id: i64, model_id: i64, trim_id: Option<i64>) -> Result<i64> {
    check_year(year)?;
    check_id("make id", make_id)?;
    check_id("model id", model_id)?;
    match trim_id {
        Some(t) => {
            check_id("trim id", t)?;
            Ok(t)
        }
        None => Ok(ANY_TRIM),
    }
}

/// The SQL of a query (`{p}` stands for the dataset's table prefix) and its
/// parameters, in order.
fn sql_of(q: Query) -> (&'static str, Vec<i64>) {
    match q {
        Query::Years => ("SELECT year, CAST(year AS TEXT) FROM {p}dd_year", vec![]),
        Query::Makes(y) => (
            "SELECT make_id, name FROM {p}dd_make WHERE year = $1",
            vec![i64::from(y)],
        ),
        Query::Models(y, make) => (
            "SELECT model_id, name FROM {p}dd_model WHERE year = $1 AND make_id = $2",
            vec![i64::from(y), make],
        ),
        Query::Trims(y, make, model) => (
            "SELECT DISTINCT t.id, t.name FROM {p}dd_group_year g \
             JOIN {p}dd_group_trim gt ON gt.group_id = g.group_id \
             JOIN {p}dd_trim t ON t.id = gt.trim_id \
             WHERE g.year = $1 AND g.make_id = $2 AND g.model_id = $3",
            vec![i64::from(y), make, model],
        ),
        Query::Engines(y, make, model, trim) => (
            "SELECT DISTINCT e.id, e.name FROM {p}dd_group_year g \
             JOIN {p}dd_group_engine ge ON ge.group_id = g.group_id \
             JOIN {p}dd_engine e ON e.id = ge.engine_id \
             WHERE g.year = $1 AND g.make_id = $2 AND g.model_id = $3 \
             AND ge.trim_id = CASE WHEN EXISTS (SELECT 1 FROM {p}dd_group_year g2 \
             JOIN {p}dd_group_engine x ON x.group_id = g2.group_id AND x.trim_id = $4 \
             WHERE g2.year = $1 AND g2.make_id = $2 AND g2.model_id = $3) THEN $4 ELSE -1 END",
            vec![i64::from(y), make, model, trim],
        ),
        Query::Transmissions(y, make, model, trim) => (
            "SELECT DISTINCT t.id, t.name FROM {p}dd_group_year g \
             JOIN {p}dd_group_transmission gt ON gt.group_id = g.group_id \
             JOIN {p}dd_transmission t ON t.id = gt.transmission_id \
             WHERE g.year = $1 AND g.make_id = $2 AND g.model_id = $3 \
             AND gt.trim_id = CASE WHEN EXISTS (SELECT 1 FROM {p}dd_group_year g2 \
             JOIN {p}dd_group_transmission x ON x.group_id = g2.group_id AND x.trim_id = $4 \
             WHERE g2.year = $1 AND g2.make_id = $2 AND g2.model_id = $3) THEN $4 ELSE -1 END",
            vec![i64::from(y), make, model, trim],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argument_checks() {
        assert!(check_year(1979).is_err());
        assert!(check_year(1980).is_ok());
        let last = super::super::year_of(super::super::now()) + 2;
        assert!(check_year(last).is_ok());
        assert!(check_year(last + 1).is_err());
        assert!(check_id("make id", -1).is_err());
        assert!(check_id("make id", 0).is_ok());
        assert_eq!(check_leaf(2020, 1, 2, None).ok(), Some(ANY_TRIM));
        assert!(check_leaf(2020, 1, 2, Some(-5)).is_err());
        let e = check_leaf(2020, -1, 2, None).unwrap_err();
        assert_eq!(e.code(), "ERR_INVALID_ARGUMENT");
    }
}
