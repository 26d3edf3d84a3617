//! `vin etl …`: load, inspect, roll back and schedule the vPIC catalog.

use std::process::ExitCode;

use crate::etl::{self, RunOptions, RunStatus};
use crate::store::resolve_database_url;
use crate::{Error, Result};

/// `vin etl` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum EtlCommand {
    /// Load a vPIC release into a new dataset and make it live if it passes the gates.
    Run(RunArgs),
    /// Show the live dataset, the rollback target and recent runs (JSON).
    Status(super::DatabaseArgs),
    /// Make the previous dataset live again.
    Rollback(super::DatabaseArgs),
    /// Run loads on a cron schedule until Ctrl-C.
    Schedule(ScheduleArgs),
}

/// Options of `vin etl run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// `nhtsa:YYYY_MM`, `nhtsa:latest`, a `.plain.zip`/`.sql`/`.sql.gz` file, or `sqlite:PATH[.gz]`.
    #[arg(long)]
    pub source: String,
    /// Reload the release already live, and accept tables that shrink.
    #[arg(long)]
    pub force: bool,
    /// Largest accepted loss of rows per table versus the live dataset (0–1).
    #[arg(long, default_value_t = 0.10)]
    pub max_shrink: f64,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
    /// The database.
    #[command(flatten)]
    pub db: super::DatabaseArgs,
}

/// Options of `vin etl schedule`.
#[derive(Debug, clap::Args)]
pub struct ScheduleArgs {
    /// Five-field cron expression, e.g. `0 2 * * SUN` (UTC).
    #[arg(long)]
    pub cron: String,
    /// What to load each time.
    #[arg(long, default_value = "nhtsa:latest")]
    pub source: String,
    /// Largest accepted loss of rows per table (0–1).
    #[arg(long, default_value_t = 0.10)]
    pub max_shrink: f64,
    /// The database.
    #[command(flatten)]
    pub db: super::DatabaseArgs,
}

fn url(db: &super::DatabaseArgs) -> Result<String> {
    resolve_database_url(db.database_url.as_deref())
}

fn print_json<T: serde::Serialize>(value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::InvalidArgument(format!("cannot print JSON: {e}")))?;
    println!("{text}");
    Ok(())
}

/// Runs a `vin etl` subcommand.
pub async fn run(cmd: EtlCommand) -> Result<ExitCode> {
    match cmd {
        EtlCommand::Run(args) => {
            let url = url(&args.db)?;
            let opts = RunOptions {
                force: args.force,
                max_shrink: args.max_shrink,
                quiet: args.quiet,
                ..RunOptions::new(args.source)
            };
            let report = etl::run_etl(&url, &opts).await?;
            print_json(&report)?;
            Ok(match report.status {
                RunStatus::Swapped | RunStatus::Skipped => ExitCode::SUCCESS,
                _ => ExitCode::from(1),
            })
        }
        EtlCommand::Status(db) => {
            let url = url(&db)?;
            print_json(&etl::status(&url).await?)?;
            Ok(ExitCode::SUCCESS)
        }
        EtlCommand::Rollback(db) => {
            let url = url(&db)?;
            let version = etl::rollback(&url).await?;
            print_json(&serde_json::json!({ "live_version": version }))?;
            Ok(ExitCode::SUCCESS)
        }
        EtlCommand::Schedule(args) => {
            let url = url(&args.db)?;
            let cron = etl::parse_cron(&args.cron)?;
            crate::etl::source::SourceSpec::parse(&args.source)?;
            let opts = RunOptions {
                max_shrink: args.max_shrink,
                quiet: true,
                ..RunOptions::new(args.source)
            };
            etl::schedule(&url, &cron, &opts).await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
