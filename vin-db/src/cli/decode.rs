//! `vin decode` and `vin bench`.
use super::DatabaseArgs;

/// Arguments of `vin decode`.
#[derive(Debug, clap::Args)]
pub struct DecodeArgs {
    /// Database options.
    #[command(flatten)]
    pub db: DatabaseArgs,
    /// VINs to decode.
    pub vins: Vec<String>,
}

/// Arguments of `vin bench`.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Database options.
    #[command(flatten)]
    pub db: DatabaseArgs,
}

/// Runs `vin decode`.
pub async fn run_decode(_args: DecodeArgs) -> crate::Result<std::process::ExitCode> {
    Err(crate::Error::InvalidArgument(
        "`vin decode` is not built yet".into(),
    ))
}

/// Runs `vin bench`.
pub async fn run_bench(_args: BenchArgs) -> crate::Result<std::process::ExitCode> {
    Err(crate::Error::InvalidArgument(
        "`vin bench` is not built yet".into(),
    ))
}
