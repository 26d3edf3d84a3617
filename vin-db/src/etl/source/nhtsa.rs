//! Downloading NHTSA's monthly dump (`nhtsa:YYYY_MM`, `nhtsa:latest`).
//!
//! Files live at `<base>/vPICList_lite_YYYY_MM.plain.zip`. A month that is not
//! published answers 404. Downloads go to a cache directory (`.part` while
//! incomplete, resumed with a `Range` request when the server allows it),
//! with retries, exponential backoff and jitter; the loader then streams the
//! local file. Each cached file has a small `.meta` file with the server's
//! size, `ETag` and `Last-Modified`, so a re-issued month (same URL, new bytes)
//! is downloaded again instead of served from the cache.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use rand::Rng;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_LENGTH, CONTENT_RANGE, ETAG, IF_RANGE, LAST_MODIFIED, RANGE};
use serde::{Deserialize, Serialize};

use super::month::is_month;
use crate::{Error, Result};

/// NHTSA's download directory.
pub const DEFAULT_BASE_URL: &str = "https://vpic.nhtsa.dot.gov/Downloads/";
/// Environment variable overriding [`DEFAULT_BASE_URL`].
pub const BASE_URL_ENV: &str = "VIN_NHTSA_BASE_URL";
/// Environment variable naming the download cache directory.
pub const CACHE_DIR_ENV: &str = "VIN_CACHE_DIR";
/// How many months back from the current UTC month `nhtsa:latest` looks.
pub const LOOKBACK_MONTHS: u32 = 12;

/// Which month to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Month {
    /// The newest month published.
    Latest,
    /// One month, `YYYY_MM`.
    Exact(String),
}

impl Month {
    /// Parses the part after `nhtsa:`: `latest` or `YYYY_MM`.
    pub fn parse(text: &str) -> Result<Self> {
        if text.eq_ignore_ascii_case("latest") {
            Ok(Month::Latest)
        } else if is_month(text) {
            Ok(Month::Exact(text.to_owned()))
        } else {
            Err(Error::InvalidArgument(format!(
                "`nhtsa:{text}`: expected nhtsa:latest or nhtsa:YYYY_MM (e.g. nhtsa:2026_08)"
            )))
        }
    }
}

/// NHTSA's file name for a month.
///
/// ```
/// assert_eq!(vin_db::etl::source::nhtsa::file_name("2026_08"), "vPICList_lite_2026_08.plain.zip");
/// ```
pub fn file_name(month: &str) -> String {
    format!("vPICList_lite_{month}.plain.zip")
}

/// The current month in UTC, `YYYY_MM`.
pub fn current_utc_month() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (y, m) = year_month_from_days(i64::try_from(secs / 86_400).unwrap_or(0));
    format!("{y:04}_{m:02}")
}

/// Civil year and month of a day count since 1970-01-01.
fn year_month_from_days(days: i64) -> (i64, u32) {
    // Howard Hinnant's days-to-civil algorithm, year and month only.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, u32::try_from(month).unwrap_or(1))
}

/// The month before `YYYY_MM`.
pub fn previous_month(month: &str) -> Option<String> {
    let (y, m) = month.split_once('_')?;
    let (y, m): (u32, u32) = (y.parse().ok()?, m.parse().ok()?);
    Some(if m <= 1 {
        format!("{:04}_12", y.checked_sub(1)?)
    } else {
        format!("{y:04}_{:02}", m - 1)
    })
}

/// What the server says about one month's file (from a `HEAD` or the download).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteFile {
    /// `YYYY_MM`.
    pub month: String,
    /// Full URL.
    pub url: String,
    /// `Content-Length`, when sent.
    pub size: Option<u64>,
    /// `ETag`, when sent.
    pub etag: Option<String>,
    /// `Last-Modified`, when sent.
    pub last_modified: Option<String>,
}

/// How a month's file on the server compares with a release already loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReissueCheck {
    /// Same size, and no `ETag`/`Last-Modified` change: nothing to do.
    Same,
    /// The size differs: NHTSA re-issued the month.
    Reissued,
    /// Same size but another `ETag` or `Last-Modified`: download and compare
    /// SHA-256 to know.
    MaybeReissued,
}

/// Compares a `HEAD` of the loaded month ([`Downloader::head`]) with the
/// release that was loaded.
///
/// ```
/// use vin_db::etl::source::Release;
/// use vin_db::etl::source::nhtsa::{ReissueCheck, RemoteFile, reissue_check};
///
/// let loaded = Release { month: "2026_08".into(), size: 75_917_209, etag: Some("\"a\"".into()), ..Release::default() };
/// let head = RemoteFile { month: "2026_08".into(), size: Some(75_917_210), ..RemoteFile::default() };
/// assert_eq!(reissue_check(&loaded, &head), ReissueCheck::Reissued);
/// ```
pub fn reissue_check(loaded: &super::Release, remote: &RemoteFile) -> ReissueCheck {
    if remote.size.is_some_and(|size| size != loaded.size) {
        return ReissueCheck::Reissued;
    }
    let changed = |old: &Option<String>, new: &Option<String>| matches!((old, new), (Some(a), Some(b)) if a != b);
    if changed(&loaded.etag, &remote.etag) || changed(&loaded.last_modified, &remote.last_modified)
    {
        ReissueCheck::MaybeReissued
    } else {
        ReissueCheck::Same
    }
}

/// How retries wait: `base × 2^attempt`, capped, the upper half random.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Tries in all (at least 1).
    pub attempts: u32,
    /// Delay before the first retry.
    pub base: Duration,
    /// Longest delay.
    pub cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 5,
            base: Duration::from_millis(500),
            cap: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `attempt` (0-based): exponential with jitter.
    pub fn delay(&self, attempt: u32) -> Duration {
        let full = self
            .base
            .saturating_mul(1u32 << attempt.min(16))
            .min(self.cap);
        let half = full / 2;
        let spread = u64::try_from(half.as_millis()).unwrap_or(u64::MAX);
        half + Duration::from_millis(rand::rng().random_range(0..=spread))
    }
}

/// One failed try: worth retrying or not.
enum Failure {
    Retry(Error),
    Fatal(Error),
}

fn transient(e: reqwest::Error) -> Failure {
    Failure::Retry(Error::Unavailable(format!("download failed: {e}")))
}

/// Fetches NHTSA's monthly files into a cache directory.
#[derive(Debug, Clone)]
pub struct Downloader {
    client: reqwest::Client,
    base: String,
    cache: PathBuf,
    /// Retry timing.
    pub retry: RetryPolicy,
    /// Draw a progress bar (on a terminal) while downloading.
    pub progress: bool,
}

impl Downloader {
    /// A downloader for `base` (a URL ending in the directory, e.g.
    /// [`DEFAULT_BASE_URL`]) caching into `cache`.
    pub fn new(base: &str, cache: PathBuf) -> Result<Self> {
        let mut base = base.trim().to_owned();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(Error::InvalidArgument(format!(
                "NHTSA base URL `{base}` is not http(s)"
            )));
        }
        if !base.ends_with('/') {
            base.push('/');
        }
        let client = reqwest::Client::builder()
            .user_agent(concat!("vin/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(30))
            .read_timeout(Duration::from_secs(120))
            .build()
            .map_err(|e| Error::InvalidArgument(format!("cannot build an HTTP client: {e}")))?;
        Ok(Downloader {
            client,
            base,
            cache,
            retry: RetryPolicy::default(),
            progress: true,
        })
    }

    /// A downloader configured from `VIN_NHTSA_BASE_URL` and `VIN_CACHE_DIR`
    /// (default `$XDG_CACHE_HOME/vin`, else `~/.cache/vin`).
    pub fn from_env() -> Result<Self> {
        let base = std::env::var(BASE_URL_ENV)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
        Downloader::new(&base, default_cache_dir()?)
    }

    /// The URL of a month's file.
    pub fn url(&self, month: &str) -> String {
        format!("{}{}", self.base, file_name(month))
    }

    /// Where a month's file is cached.
    pub fn cached_path(&self, month: &str) -> PathBuf {
        self.cache.join(file_name(month))
    }

    /// Asks the server about a month without downloading it. `None` when the
    /// month is not published (404). Use it to detect a re-issue: a size that
    /// differs from the loaded release's is one; a changed `ETag` or
    /// `Last-Modified` with the same size may be one (compare SHA-256).
    pub async fn head(&self, month: &str) -> Result<Option<RemoteFile>> {
        let url = self.url(month);
        self.with_retries(&url, || async {
            let resp = self.client.head(&url).send().await.map_err(transient)?;
            match resp.status() {
                StatusCode::NOT_FOUND => Ok(None),
                s if s.is_success() => Ok(Some(RemoteFile {
                    month: month.to_owned(),
                    url: url.clone(),
                    size: header(&resp, CONTENT_LENGTH).and_then(|v| v.parse().ok()),
                    etag: header(&resp, ETAG),
                    last_modified: header(&resp, LAST_MODIFIED),
                })),
                s => Err(status_failure(s, &url)),
            }
        })
        .await
    }

    /// The newest published month: `HEAD` for the current UTC month, then
    /// each month before it, up to [`LOOKBACK_MONTHS`] back.
    pub async fn latest(&self) -> Result<RemoteFile> {
        let mut month = current_utc_month();
        for _ in 0..=LOOKBACK_MONTHS {
            if let Some(found) = self.head(&month).await? {
                return Ok(found);
            }
            month = previous_month(&month)
                .ok_or_else(|| Error::Unavailable("no NHTSA month found".into()))?;
        }
        Err(Error::Unavailable(format!(
            "no NHTSA dump published in the last {LOOKBACK_MONTHS} months at {}",
            self.base
        )))
    }

    /// Resolves `month` and makes sure its file is in the cache; returns what
    /// the server said about the file and the local path.
    pub async fn fetch(&self, month: &Month) -> Result<(RemoteFile, PathBuf)> {
        let remote = match month {
            Month::Latest => self.latest().await?,
            Month::Exact(m) => match self.head(m).await {
                Ok(Some(r)) => r,
                Ok(None) => {
                    return Err(Error::Unavailable(format!(
                        "NHTSA has not published {m} (404 at {})",
                        self.url(m)
                    )));
                }
                Err(e) => {
                    // Offline: a complete cached copy still serves.
                    let cached = self.cached_path(m);
                    match read_meta(&cached) {
                        Some(meta) if cached.is_file() => {
                            tracing::warn!(month = %m, error = %e, "NHTSA unreachable, using the cached file");
                            return Ok((meta, cached));
                        }
                        _ => return Err(e),
                    }
                }
            },
        };
        let path = self.cached_path(&remote.month);
        if let Some(meta) = read_meta(&path) {
            let same = meta.size.is_some()
                && meta.size == remote.size
                && meta.etag == remote.etag
                && meta.last_modified == remote.last_modified
                && std::fs::metadata(&path).is_ok_and(|m| Some(m.len()) == meta.size);
            if same {
                tracing::info!(month = %remote.month, path = %path.display(), "using the cached NHTSA file");
                return Ok((meta, path));
            }
        }
        let fetched = self.download(&remote, &path).await?;
        Ok((fetched, path))
    }

    /// Downloads `remote` to `path` (through `path.part`), resuming or
    /// restarting after failures.
    async fn download(&self, remote: &RemoteFile, path: &Path) -> Result<RemoteFile> {
        std::fs::create_dir_all(&self.cache).map_err(|e| {
            Error::Io(std::io::Error::new(
                e.kind(),
                format!("cannot create cache dir {}: {e}", self.cache.display()),
            ))
        })?;
        let part = with_suffix(path, ".part");
        let bar = if self.progress {
            let bar = ProgressBar::new(remote.size.unwrap_or(0));
            if let Ok(style) = ProgressStyle::with_template(
                "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_message(file_name(&remote.month));
            bar
        } else {
            ProgressBar::hidden()
        };
        let got = self
            .with_retries(&remote.url, || self.try_download(remote, &part, &bar))
            .await;
        bar.finish_and_clear();
        let got = got?;
        // The old meta first: a crash between the two leaves no stale pairing.
        let _ = std::fs::remove_file(with_suffix(path, ".meta"));
        std::fs::rename(&part, path)?;
        write_meta(path, &got)?;
        tracing::info!(url = %got.url, bytes = got.size, "downloaded");
        Ok(got)
    }

    async fn try_download(
        &self,
        remote: &RemoteFile,
        part: &Path,
        bar: &ProgressBar,
    ) -> std::result::Result<RemoteFile, Failure> {
        let have = std::fs::metadata(part).map_or(0, |m| m.len());
        let mut req = self.client.get(&remote.url);
        if have > 0 {
            req = req.header(RANGE, format!("bytes={have}-"));
            // Only resume when the file is still the one the part came from.
            if let Some(tag) = remote.etag.as_deref().or(remote.last_modified.as_deref()) {
                req = req.header(IF_RANGE, tag);
            }
        }
        let mut resp = req.send().await.map_err(transient)?;
        let (mut file, start, total) = match resp.status() {
            StatusCode::PARTIAL_CONTENT if have > 0 => {
                let total = header(&resp, CONTENT_RANGE).and_then(|v| content_range_total(&v));
                let file = std::fs::OpenOptions::new()
                    .append(true)
                    .open(part)
                    .map_err(|e| Failure::Fatal(e.into()))?;
                (file, have, total)
            }
            StatusCode::OK => {
                let total = header(&resp, CONTENT_LENGTH).and_then(|v| v.parse().ok());
                let file = std::fs::File::create(part).map_err(|e| Failure::Fatal(e.into()))?;
                (file, 0, total)
            }
            StatusCode::RANGE_NOT_SATISFIABLE => {
                // The part is no use against this file; start over next try.
                let _ = std::fs::remove_file(part);
                return Err(Failure::Retry(Error::Unavailable(format!(
                    "{}: resume refused, restarting",
                    remote.url
                ))));
            }
            StatusCode::NOT_FOUND => {
                return Err(Failure::Fatal(Error::Unavailable(format!(
                    "NHTSA has not published {} (404 at {})",
                    remote.month, remote.url
                ))));
            }
            s => return Err(status_failure(s, &remote.url)),
        };
        let etag = header(&resp, ETAG).or_else(|| remote.etag.clone());
        let last_modified = header(&resp, LAST_MODIFIED).or_else(|| remote.last_modified.clone());
        if let Some(t) = total {
            bar.set_length(t);
        }
        bar.set_position(start);
        let mut written = start;
        loop {
            match resp.chunk().await {
                Ok(Some(bytes)) => {
                    file.write_all(&bytes)
                        .map_err(|e| Failure::Fatal(e.into()))?;
                    written += bytes.len() as u64;
                    bar.set_position(written);
                }
                Ok(None) => break,
                Err(e) => {
                    let _ = file.flush();
                    return Err(Failure::Retry(Error::Unavailable(format!(
                        "{}: download broke off after {written} bytes: {e}",
                        remote.url
                    ))));
                }
            }
        }
        file.flush().map_err(|e| Failure::Fatal(e.into()))?;
        drop(file);
        if let Some(t) = total.filter(|&t| t != written) {
            if written > t {
                let _ = std::fs::remove_file(part);
            }
            return Err(Failure::Retry(Error::Unavailable(format!(
                "{}: truncated download, {written} of {t} bytes",
                remote.url
            ))));
        }
        Ok(RemoteFile {
            month: remote.month.clone(),
            url: remote.url.clone(),
            size: Some(written),
            etag,
            last_modified,
        })
    }

    async fn with_retries<T, F, Fut>(&self, url: &str, mut attempt: F) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = std::result::Result<T, Failure>>,
    {
        let tries = self.retry.attempts.max(1);
        let mut n = 0;
        loop {
            match attempt().await {
                Ok(v) => return Ok(v),
                Err(Failure::Fatal(e)) => return Err(e),
                Err(Failure::Retry(e)) => {
                    n += 1;
                    if n >= tries {
                        return Err(e);
                    }
                    let wait = self.retry.delay(n - 1);
                    tracing::warn!(%url, error = %e, attempt = n, ?wait, "retrying");
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }
}

fn status_failure(status: StatusCode, url: &str) -> Failure {
    let e = Error::Unavailable(format!("{url}: server answered {status}"));
    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
        Failure::Retry(e)
    } else {
        Failure::Fatal(e)
    }
}

fn header(resp: &reqwest::Response, name: reqwest::header::HeaderName) -> Option<String> {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The total of `Content-Range: bytes a-b/total`.
fn content_range_total(v: &str) -> Option<u64> {
    v.rsplit_once('/')?.1.trim().parse().ok()
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

fn read_meta(path: &Path) -> Option<RemoteFile> {
    let text = std::fs::read(with_suffix(path, ".meta")).ok()?;
    serde_json::from_slice(&text).ok()
}

fn write_meta(path: &Path, meta: &RemoteFile) -> Result<()> {
    let json = serde_json::to_vec_pretty(meta).map_err(std::io::Error::other)?;
    std::fs::write(with_suffix(path, ".meta"), json)?;
    Ok(())
}

/// The cache directory: `$VIN_CACHE_DIR`, else `$XDG_CACHE_HOME/vin`, else `~/.cache/vin`.
pub fn default_cache_dir() -> Result<PathBuf> {
    let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    if let Some(dir) = env(CACHE_DIR_ENV) {
        return Ok(PathBuf::from(dir));
    }
    if let Some(xdg) = env("XDG_CACHE_HOME") {
        return Ok(PathBuf::from(xdg).join("vin"));
    }
    env("HOME")
        .map(|h| PathBuf::from(h).join(".cache").join("vin"))
        .ok_or_else(|| {
            Error::InvalidArgument(format!(
                "no cache directory: set {CACHE_DIR_ENV}, XDG_CACHE_HOME or HOME"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_and_names() {
        assert_eq!(previous_month("2026_01").as_deref(), Some("2025_12"));
        assert_eq!(previous_month("2026_10").as_deref(), Some("2026_09"));
        assert_eq!(Month::parse("latest").unwrap(), Month::Latest);
        assert_eq!(
            Month::parse("2026_08").unwrap(),
            Month::Exact("2026_08".into())
        );
        assert!(Month::parse("2026-08").is_err());
        // 2026-02-17 is day 20501 since 1970-01-01; 2000-02-29 is 11016.
        assert_eq!(year_month_from_days(20_501), (2026, 2));
        assert_eq!(year_month_from_days(11_016), (2000, 2));
        assert_eq!(year_month_from_days(0), (1970, 1));
        assert_eq!(year_month_from_days(-1), (1969, 12));
        assert!(is_month(&current_utc_month()));
        assert_eq!(content_range_total("bytes 100-199/200"), Some(200));
        assert_eq!(content_range_total("bytes */200"), Some(200));
    }

    #[test]
    fn reissues_are_told_by_size_then_by_headers() {
        let loaded = super::super::Release {
            month: "2026_08".into(),
            url: "u".into(),
            size: 100,
            sha256: "x".into(),
            etag: Some("\"a\"".into()),
            last_modified: Some("Tue, 11 Aug 2026 10:00:00 GMT".into()),
        };
        let head = |size, etag: &str, lm: &str| RemoteFile {
            month: "2026_08".into(),
            url: "u".into(),
            size,
            etag: Some(etag.into()),
            last_modified: Some(lm.into()),
        };
        let lm = "Tue, 11 Aug 2026 10:00:00 GMT";
        assert_eq!(
            reissue_check(&loaded, &head(Some(100), "\"a\"", lm)),
            ReissueCheck::Same
        );
        assert_eq!(
            reissue_check(&loaded, &head(Some(101), "\"a\"", lm)),
            ReissueCheck::Reissued
        );
        assert_eq!(
            reissue_check(&loaded, &head(Some(100), "\"b\"", lm)),
            ReissueCheck::MaybeReissued
        );
        assert_eq!(
            reissue_check(
                &loaded,
                &head(Some(100), "\"a\"", "Wed, 12 Aug 2026 10:00:00 GMT")
            ),
            ReissueCheck::MaybeReissued
        );
        // No size and no validators from the server: nothing to go on.
        assert_eq!(
            reissue_check(&loaded, &RemoteFile::default()),
            ReissueCheck::Same
        );
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy {
            attempts: 5,
            base: Duration::from_millis(100),
            cap: Duration::from_millis(1000),
        };
        for attempt in 0..8 {
            let full = Duration::from_millis(100 * (1 << attempt)).min(Duration::from_millis(1000));
            let d = p.delay(attempt);
            assert!(d >= full / 2 && d <= full, "attempt {attempt}: {d:?}");
        }
    }
}
