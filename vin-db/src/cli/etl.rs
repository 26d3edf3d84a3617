//! `vin etl …`.

/// `vin etl` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum EtlCommand {
    /// Show the live dataset and recent runs.
    Status(super::DatabaseArgs),
}

/// Runs a `vin etl` subcommand.
pub async fn run(_cmd: EtlCommand) -> crate::Result<std::process::ExitCode> {
    Err(crate::Error::InvalidArgument(
        "`vin etl` is not built yet".into(),
    ))
}
