//! `vin catalog …`.

/// `vin catalog` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum CatalogCommand {
    /// Model years, newest first.
    Years(super::DatabaseArgs),
}

/// Runs a `vin catalog` subcommand.
pub async fn run(_cmd: CatalogCommand) -> crate::Result<std::process::ExitCode> {
    Err(crate::Error::InvalidArgument(
        "`vin catalog` is not built yet".into(),
    ))
}
