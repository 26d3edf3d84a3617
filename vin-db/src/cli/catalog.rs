//! `vin catalog …`: the dropdown cascade, printed as JSON arrays.

use super::DatabaseArgs;
use crate::dropdowns::Dropdowns;
use crate::store::{self, Store};

/// A model year.
#[derive(Debug, Clone, clap::Args)]
pub struct YearArgs {
    /// Database options.
    #[command(flatten)]
    pub db: DatabaseArgs,
    /// Model year (1980 to the current year + 2).
    #[arg(long)]
    pub year: i32,
}

/// A model year and a make.
#[derive(Debug, Clone, clap::Args)]
pub struct MakeArgs {
    /// Database options.
    #[command(flatten)]
    pub db: DatabaseArgs,
    /// Model year (1980 to the current year + 2).
    #[arg(long)]
    pub year: i32,
    /// NHTSA make id (from `vin catalog makes`).
    #[arg(long, allow_negative_numbers = true)]
    pub make_id: i64,
}

/// A model year, a make and a model.
#[derive(Debug, Clone, clap::Args)]
pub struct ModelArgs {
    /// Database options.
    #[command(flatten)]
    pub db: DatabaseArgs,
    /// Model year (1980 to the current year + 2).
    #[arg(long)]
    pub year: i32,
    /// NHTSA make id (from `vin catalog makes`).
    #[arg(long, allow_negative_numbers = true)]
    pub make_id: i64,
    /// NHTSA model id (from `vin catalog models`).
    #[arg(long, allow_negative_numbers = true)]
    pub model_id: i64,
}

/// A model year, a make, a model and optionally a trim.
#[derive(Debug, Clone, clap::Args)]
pub struct LeafArgs {
    /// Year, make and model.
    #[command(flatten)]
    pub model: ModelArgs,
    /// Trim id (from `vin catalog trims`): only what goes with that trim.
    #[arg(long, allow_negative_numbers = true)]
    pub trim_id: Option<i64>,
}

/// `vin catalog` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum CatalogCommand {
    /// Model years, newest first.
    Years(DatabaseArgs),
    /// Makes offered for a model year.
    Makes(YearArgs),
    /// Models of a make in a model year.
    Models(MakeArgs),
    /// Trims of a model in a model year.
    Trims(ModelArgs),
    /// Engines of a model (and trim) in a model year.
    Engines(LeafArgs),
    /// Transmissions of a model (and trim) in a model year.
    Transmissions(LeafArgs),
}

impl CatalogCommand {
    fn database(&self) -> &DatabaseArgs {
        match self {
            CatalogCommand::Years(db) => db,
            CatalogCommand::Makes(a) => &a.db,
            CatalogCommand::Models(a) => &a.db,
            CatalogCommand::Trims(a) => &a.db,
            CatalogCommand::Engines(a) | CatalogCommand::Transmissions(a) => &a.model.db,
        }
    }
}

/// Runs a `vin catalog` subcommand: prints its JSON array on stdout.
pub async fn run(cmd: CatalogCommand) -> crate::Result<std::process::ExitCode> {
    let db = cmd.database().database_url.clone();
    let url = tokio::task::spawn_blocking(move || store::resolve_database_url(db.as_deref()))
        .await
        .map_err(|e| crate::Error::Unavailable(format!("cannot resolve the database: {e}")))??;
    let store = Store::open(&url).await?;
    let dropdowns = Dropdowns::new(store);
    let json = match &cmd {
        CatalogCommand::Years(_) => serde_json::to_string(&dropdowns.years().await?),
        CatalogCommand::Makes(a) => serde_json::to_string(&dropdowns.makes(a.year).await?),
        CatalogCommand::Models(a) => {
            serde_json::to_string(&dropdowns.models(a.year, a.make_id).await?)
        }
        CatalogCommand::Trims(a) => {
            serde_json::to_string(&dropdowns.trims(a.year, a.make_id, a.model_id).await?)
        }
        CatalogCommand::Engines(a) => serde_json::to_string(
            &dropdowns
                .engines(a.model.year, a.model.make_id, a.model.model_id, a.trim_id)
                .await?,
        ),
        CatalogCommand::Transmissions(a) => serde_json::to_string(
            &dropdowns
                .transmissions(a.model.year, a.model.make_id, a.model.model_id, a.trim_id)
                .await?,
        ),
    }
    .map_err(|e| crate::Error::InvalidArgument(format!("cannot print the answer: {e}")))?;
    println!("{json}");
    Ok(std::process::ExitCode::SUCCESS)
}
