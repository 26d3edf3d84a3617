//! The compiled catalog: vPIC's rows turned into the read-only structures the
//! decode engine works on.
//!
//! [`Globals`] holds the tables every decode needs (elements, lookups with
//! interned display names, error codes, conversions, defaults, engine models,
//! `Make_Model`, check-digit exceptions); it is compiled once per dataset.
//! [`WmiCatalog`] holds one WMI string's schemas and patterns with their keys
//! compiled once and deduplicated, so a decode does no SQL and no parsing.
//!
//! ```
//! use vin_db::catalog::{Globals, WmiCatalog};
//! use vin_db::model::{GlobalRows, WmiRows};
//! let globals = Globals::compile(1, GlobalRows::default());
//! let catalog = WmiCatalog::compile(&globals, WmiRows { wmi: "1hg".into(), ..Default::default() });
//! assert_eq!(catalog.wmi(), "1HG");
//! assert!(!catalog.is_registered());
//! ```

mod charset;
mod globals;
mod intern;
mod schema;
mod wmi;

pub use charset::{CharSet, PositionSets};
pub use globals::{ElementInfo, ErrorCodeInfo, Globals};
pub use schema::{SchemaCache, VinSchema};
pub use wmi::WmiCatalog;

#[cfg(test)]
mod tests;
