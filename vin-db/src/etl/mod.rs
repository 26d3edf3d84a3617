//! The ETL: NHTSA's monthly dump (or the lite SQLite file) → a new dataset →
//! gates → one atomic swap.
//!
//! - [`source`]: readers of every source format, all yielding the same events;
//! - `feed`: streams a source into the dataset being built;
//! - `pg` / `sqlite`: the two kinds of dataset being built (a new Postgres
//!   schema, a new SQLite file), their swap and their audit rows;
//! - `pack`: each VIN schema's patterns packed into one value;
//! - `gates`: the checks a new dataset must pass;
//! - [`run_etl`], [`status`], [`rollback`], [`schedule`]: what `vin etl` runs.

mod admin;
mod convert;
mod feed;
mod gates;
mod pack;
mod pg;
mod run;
mod schedule;
pub mod source;
mod sqlite;
pub mod staging;
mod target;

pub use admin::{RunRecord, Status, rollback, status};
pub use feed::Hooks;
pub use run::{RunOptions, RunReport, run_etl};
pub use schedule::{parse_cron, schedule};
pub use sqlite::prev_path;
pub use staging::Staging;
pub use target::RunStatus;
