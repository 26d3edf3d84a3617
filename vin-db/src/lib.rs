//! `vin-db`: the vPIC catalog and everything that needs it.
//!
//! The data path, in the order a VIN travels it:
//! [`store`] (Postgres or SQLite, filled by [`etl`]) → [`model`] rows →
//! [`catalog`] (compiled, in memory) → [`decode`] (the spVinDecode steps) →
//! [`decoder`] (the service: caches, breaker, health). [`dropdowns`] serves the
//! year → make → model → trim cascade from tables the ETL derives.
#![cfg_attr(not(test), warn(clippy::unwrap_used))]

pub mod catalog;
pub mod cli;
pub mod decode;
pub mod decoder;
pub mod dropdowns;
pub mod error;
pub mod etl;
pub mod model;
pub mod store;

pub use error::{Error, Result};
