//! The ETL: NHTSA's monthly dump (or the lite SQLite file) → a new dataset →
//! gates → one atomic swap.

pub mod staging;

pub use staging::Staging;
pub mod source;
