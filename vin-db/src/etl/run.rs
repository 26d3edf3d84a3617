//! One ETL run: source → new dataset → indexes → dropdowns → gates → swap,
//! recorded in the audit table whatever happens.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use super::feed::{self, Hooks};
use super::gates;
use super::source::WantedTables;
use super::target::{Meta, RunStatus, Target};
use crate::store::{DbUrl, schema};
use crate::{Error, Result};

/// How to run a load.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The source name (see [`super::source::open`]).
    pub source: String,
    /// Load even when the same release is live, and skip the shrink gate.
    pub force: bool,
    /// Largest accepted loss of rows per table versus the live dataset (0.10 = 10 %).
    pub max_shrink: f64,
    /// No progress bar.
    pub quiet: bool,
    /// Test hooks (fail or stall after N tables).
    pub hooks: Hooks,
    /// Build the dropdown tables (on by default; tests of the load mechanics
    /// that never read dropdowns turn it off to stay fast).
    pub derive_dropdowns: bool,
}

impl RunOptions {
    /// Defaults for `source`: no force, 10 % shrink limit, hooks from the environment.
    pub fn new(source: impl Into<String>) -> RunOptions {
        RunOptions {
            source: source.into(),
            force: false,
            max_shrink: 0.10,
            quiet: false,
            hooks: Hooks::from_env(),
            derive_dropdowns: true,
        }
    }
}

/// What a finished run did.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    /// `swapped` or `skipped` (failures are errors).
    pub status: RunStatus,
    /// The new live version (the unchanged live one when skipped).
    pub version: Option<i64>,
    /// The source as named.
    pub source: String,
    /// NHTSA data month.
    pub data_month: Option<String>,
    /// SHA-256 of the source file.
    pub source_sha256: Option<String>,
    /// Rows per table in the new dataset.
    pub row_counts: BTreeMap<String, i64>,
    /// Tables taken from the small-tables supplement.
    pub supplemented_tables: Vec<String>,
    /// Rows read from the sources.
    pub rows_read: u64,
    /// Wall time of the run.
    pub seconds: f64,
    /// `rows_read / seconds`.
    pub rows_per_second: f64,
    /// `re-issue of …` and similar.
    pub note: Option<String>,
}

/// Runs one load into the database at `url`.
///
/// Any failure before the swap leaves the live dataset untouched, records
/// the run as `failed` (or `rejected` by a gate) and returns the error.
pub async fn run_etl(url: &str, opts: &RunOptions) -> Result<RunReport> {
    if !(0.0..=1.0).contains(&opts.max_shrink) {
        return Err(Error::InvalidArgument(format!(
            "--max-shrink must be between 0 and 1, got {}",
            opts.max_shrink
        )));
    }
    // Fail on a bad source name before touching the database.
    super::source::SourceSpec::parse(&opts.source)?;
    match DbUrl::parse(url)? {
        DbUrl::Postgres(u) => {
            let target = super::pg::PgTarget::begin(&u, &opts.source).await?;
            drive(target, opts).await
        }
        DbUrl::Sqlite(path) => {
            let target = super::sqlite::SqliteTarget::begin(&path, &opts.source).await?;
            drive(target, opts).await
        }
    }
}

fn progress_bar(quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    pb.set_style(
        ProgressStyle::with_template(
            "{spinner} {elapsed:>4} {human_pos:>11} rows  {per_sec:>14}  {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    pb.enable_steady_tick(std::time::Duration::from_millis(200));
    pb
}

struct Loaded {
    meta: Meta,
    rows_read: u64,
    skip: bool,
}

async fn drive<T: Target>(mut target: T, opts: &RunOptions) -> Result<RunReport> {
    let started = Instant::now();
    let progress = progress_bar(opts.quiet);
    let mut meta = Meta {
        source: opts.source.clone(),
        ..Meta::default()
    };
    let result = load(&mut target, opts, &progress, &mut meta).await;
    progress.finish_and_clear();
    let version = target.version();
    let loaded = match result {
        Ok(l) => l,
        Err(e) => {
            let status = if matches!(e, Error::Rejected(_)) {
                RunStatus::Rejected
            } else {
                RunStatus::Failed
            };
            tracing::error!(status = status.as_str(), error = %e, "ETL run did not swap");
            if let Err(e2) = target.abandon(status, Some(&e.to_string()), &meta).await {
                tracing::error!(error = %e2, "could not record the failed run");
            }
            return Err(e);
        }
    };
    let mut report = RunReport {
        status: RunStatus::Swapped,
        version: Some(version),
        source: opts.source.clone(),
        data_month: loaded.meta.data_month.clone(),
        source_sha256: loaded.meta.sha256.clone(),
        row_counts: loaded.meta.row_counts.clone(),
        supplemented_tables: loaded.meta.supplemented.clone(),
        rows_read: loaded.rows_read,
        seconds: 0.0,
        rows_per_second: 0.0,
        note: loaded.meta.note.clone(),
    };
    if loaded.skip {
        report.status = RunStatus::Skipped;
        report.version = target.live().map(|l| l.version);
        target
            .abandon(RunStatus::Skipped, None, &loaded.meta)
            .await?;
        tracing::info!(month = ?loaded.meta.data_month, "the same release is already live; skipped (--force to reload)");
    } else if let Err(e) = target.swap(&loaded.meta).await {
        tracing::error!(error = %e, "swap failed; the live dataset is unchanged");
        if let Err(e2) = target
            .abandon(RunStatus::Failed, Some(&e.to_string()), &loaded.meta)
            .await
        {
            tracing::error!(error = %e2, "could not record the failed run");
        }
        return Err(e);
    }
    report.seconds = started.elapsed().as_secs_f64();
    report.rows_per_second = report.rows_read as f64 / report.seconds.max(1e-9);
    tracing::info!(
        status = report.status.as_str(),
        version = ?report.version,
        rows = report.rows_read,
        seconds = format!("{:.1}", report.seconds),
        rows_per_second = report.rows_per_second as u64,
        "ETL run finished"
    );
    Ok(report)
}

async fn load<T: Target>(
    target: &mut T,
    opts: &RunOptions,
    progress: &ProgressBar,
    meta: &mut Meta,
) -> Result<Loaded> {
    let wanted: BTreeSet<String> = schema::wanted_tables().into_iter().collect();
    let mut tables_done = 0usize;
    let fed = feed::feed(
        target,
        &opts.source,
        WantedTables::Only(wanted.clone()),
        progress,
        &opts.hooks,
        &mut tables_done,
    )
    .await?;
    meta.data_month = fed.info.data_month.clone();
    meta.sha256 = fed.info.sha256.clone();
    meta.size = fed.info.size;
    let mut rows_read: u64 = fed.rows.values().sum();

    // Same release already live?
    let mut skip = false;
    if let Some(live) = target.live()
        && live.data_month.is_some()
        && live.data_month == meta.data_month
    {
        if live.source_sha256.is_some() && live.source_sha256 == meta.sha256 {
            skip = !opts.force;
        } else {
            let month = meta.data_month.clone().unwrap_or_default();
            tracing::warn!(%month, "re-issued month: the source differs from the live one");
            meta.note = Some(format!("re-issue of {month}"));
        }
    }
    if skip {
        return Ok(Loaded {
            meta: meta.clone(),
            rows_read,
            skip,
        });
    }

    // Tables the source lacks come from the supplement; the source wins.
    let present: BTreeSet<String> = fed.tables.iter().cloned().collect();
    let missing: BTreeSet<String> = wanted.difference(&present).cloned().collect();
    if !missing.is_empty() {
        let supp = feed::feed(
            target,
            "supplement",
            WantedTables::Only(missing),
            progress,
            &opts.hooks,
            &mut tables_done,
        )
        .await?;
        rows_read += supp.rows.values().sum::<u64>();
        meta.supplemented = supp.rows.keys().cloned().collect();
        tracing::info!(tables = ?meta.supplemented, "tables taken from the small-tables supplement");
    }

    progress.set_message("building indexes");
    target.build_indexes().await?;
    progress.set_message("packing patterns");
    let packs = target.pack_patterns().await?;
    let derived = if opts.derive_dropdowns {
        progress.set_message("deriving dropdowns");
        target.derive().await?
    } else {
        BTreeMap::new()
    };
    progress.set_message("checking");
    let mut counts = gates::count_rows(target).await?;
    counts.extend(derived);
    counts.insert("pattern_pack".to_owned(), packs);
    meta.row_counts = counts.clone();
    gates::check(target, &counts, opts.max_shrink, opts.force).await?;
    Ok(Loaded {
        meta: meta.clone(),
        rows_read,
        skip,
    })
}
