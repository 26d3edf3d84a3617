//! The `vin` command line. Each subcommand lives in its own module; this one
//! only parses arguments and dispatches.

pub mod catalog;
pub mod decode;
pub mod etl;

use clap::{Parser, Subcommand};

/// `vin`: offline VIN decoding on NHTSA's vPIC data.
#[derive(Debug, Parser)]
#[command(name = "vin", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command that touches the catalog shares.
#[derive(Debug, Clone, clap::Args)]
pub struct DatabaseArgs {
    /// `postgres://…` or `sqlite://PATH`. Defaults to the embedded SQLite file.
    #[arg(long, env = "VIN_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Decode VINs and print JSON.
    Decode(decode::DecodeArgs),
    /// Decode a file of VINs with a warm decoder and report the throughput.
    Bench(decode::BenchArgs),
    /// Load, inspect and roll back the vPIC catalog.
    #[command(subcommand)]
    Etl(etl::EtlCommand),
    /// The year → make → model → trim → engine → transmission dropdowns.
    #[command(subcommand)]
    Catalog(catalog::CatalogCommand),
}

/// Runs the CLI and returns the process exit code.
pub fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::from(1);
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Decode(args) => decode::run_decode(args).await,
            Command::Bench(args) => decode::run_bench(args).await,
            Command::Etl(cmd) => etl::run(cmd).await,
            Command::Catalog(cmd) => catalog::run(cmd).await,
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error [{}]: {e}", e.code());
            std::process::ExitCode::from(1)
        }
    }
}

/// Logs go to stderr (stdout carries JSON); `RUST_LOG` filters, `VIN_LOG_FORMAT=json` for structured output.
fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if std::env::var("VIN_LOG_FORMAT").as_deref() == Ok("json") {
        builder.json().init();
    } else {
        builder.init();
    }
}
