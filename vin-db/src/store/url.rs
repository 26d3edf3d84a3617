//! Database URLs: parsing, redaction, the embedded default and its first build.

use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// A parsed database URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbUrl {
    /// `postgres://…` or `postgresql://…`, kept whole for sqlx.
    Postgres(String),
    /// `sqlite://PATH` or `sqlite:PATH`.
    Sqlite(PathBuf),
}

impl DbUrl {
    /// Parses a database URL.
    ///
    /// ```
    /// use vin_db::store::DbUrl;
    /// assert!(matches!(DbUrl::parse("sqlite:///tmp/x.sqlite"), Ok(DbUrl::Sqlite(_))));
    /// assert!(matches!(DbUrl::parse("postgresql://u@h/db"), Ok(DbUrl::Postgres(_))));
    /// assert!(DbUrl::parse("mysql://h/db").is_err());
    /// ```
    pub fn parse(url: &str) -> Result<DbUrl> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DbUrl::Postgres(url.to_owned()));
        }
        if let Some(rest) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            let path = rest.split('?').next().unwrap_or_default();
            if path.is_empty() || path == ":memory:" {
                return Err(Error::InvalidArgument(format!(
                    "database URL {url:?} names no SQLite file"
                )));
            }
            return Ok(DbUrl::Sqlite(PathBuf::from(path)));
        }
        Err(Error::InvalidArgument(format!(
            "unsupported database URL {:?}: expected postgres://…, postgresql://…, sqlite://PATH or sqlite:PATH",
            redact(url)
        )))
    }
}

/// The URL with any password replaced by `***`.
///
/// ```
/// assert_eq!(vin_db::store::redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
/// ```
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (auth, host) = match rest.rsplit_once('@') {
        Some(parts) => parts,
        None => return url.to_owned(),
    };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

/// The directory of the embedded default database: `$VIN_DATA_DIR`, else
/// `$XDG_DATA_HOME/vin`, else `~/.local/share/vin`.
pub fn default_data_dir() -> PathBuf {
    let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    if let Some(dir) = var("VIN_DATA_DIR") {
        return PathBuf::from(dir);
    }
    if let Some(dir) = var("XDG_DATA_HOME") {
        return PathBuf::from(dir).join("vin");
    }
    let home = var("HOME").map(PathBuf::from).unwrap_or_else(|| ".".into());
    home.join(".local/share/vin")
}

/// `sqlite://<dir>/vin.sqlite` with `<dir>` from [`default_data_dir`].
pub fn default_database_url() -> String {
    format!(
        "sqlite://{}",
        default_data_dir().join("vin.sqlite").display()
    )
}

/// The committed sample dataset (`VIN_SAMPLE` overrides the compiled-in path).
pub fn sample_path() -> PathBuf {
    match std::env::var_os("VIN_SAMPLE").filter(|v| !v.is_empty()) {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/sample/vpic-sample.sql.gz"),
    }
}

/// The database URL to use: `arg`, else `VIN_DATABASE_URL`, else the embedded
/// default. When the default SQLite file does not exist yet it is built from
/// the committed sample through the normal ETL (one line on stderr says so);
/// two processes doing this at once are safe (each builds its own temporary
/// file; the rename is atomic).
///
/// Synchronous so any caller can use it; the build (first use only) runs on
/// its own thread and runtime, so it is safe to call inside a tokio runtime
/// too (it blocks the calling thread meanwhile).
pub fn resolve_database_url(arg: Option<&str>) -> Result<String> {
    if let Some(url) = arg.filter(|u| !u.trim().is_empty()) {
        DbUrl::parse(url)?;
        return Ok(url.to_owned());
    }
    if let Some(url) = std::env::var("VIN_DATABASE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
    {
        DbUrl::parse(&url)?;
        return Ok(url);
    }
    let url = default_database_url();
    let path = default_data_dir().join("vin.sqlite");
    if !path.exists() {
        let sample = sample_path();
        eprintln!(
            "vin: no database at {}; building it from the sample dataset {}",
            path.display(),
            sample.display()
        );
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let opts = crate::etl::RunOptions {
            quiet: true,
            ..crate::etl::RunOptions::new(format!("{}", sample.display()))
        };
        let target = url.clone();
        let built = std::thread::spawn(move || -> Result<()> {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            rt.block_on(crate::etl::run_etl(&target, &opts)).map(drop)
        })
        .join()
        .unwrap_or_else(|_| {
            Err(Error::Unavailable(
                "building the default database panicked".into(),
            ))
        });
        match built {
            Ok(()) => {}
            // Another process is building it (it holds the ETL lock): wait
            // for its file; that one is as good.
            Err(_) if wait_for(&path) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(url)
}

/// Waits (up to 10 minutes) while another process's ETL lock on `path` is
/// held; true when the file exists afterwards.
fn wait_for(path: &Path) -> bool {
    let mut lock = path.as_os_str().to_owned();
    lock.push(".etl-lock");
    let lock = PathBuf::from(lock);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(600);
    while !path.exists() && lock.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    path.exists()
}
