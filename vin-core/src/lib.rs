//! `vin-core`: everything about a VIN that needs no data and no I/O.
//!
//! - [`Vin`]: a validated 17-character VIN (strict), with its sections and
//!   the 49 CFR 565.15 check digit ([`check_digit`]).
//! - [`VinText`]: the lenient text NHTSA's vPIC procedure decodes (short or
//!   with bad characters), with the WMI, descriptor and keys string it derives.
//! - [`model_year`]: position 10 to years, vPIC's year function and a general
//!   candidate API.
//! - [`wmi`]: the manufacturer identifier, its region and country.
//! - [`key`]: the vPIC pattern-key language compiled for fast matching.
//!
//! `no_std` + `alloc` (the `std` feature is on by default); `serde` is optional.
//!
//! ```
//! use vin_core::{Vin, VinText, key::Key};
//! let vin = Vin::parse("1HGCM82633A004352")?;
//! assert!(vin.check_digit_valid());
//! let keys = VinText::from(vin).keys();
//! assert!(Key::parse("CM82*").unwrap().matches(&keys));
//! # Ok::<(), vin_core::VinError>(())
//! ```
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod check_digit;
mod error;
pub mod key;
mod keytext;
pub mod model_year;
mod symbol;
mod text;
mod vin;
pub mod wmi;

pub use error::{VinError, VinProblem};
pub use key::{Key, KeyError};
pub use keytext::{KeyText, MAX_KEYS};
pub use model_year::{ModelYears, RawYear, VehicleClass};
pub use text::VinText;
pub use vin::Vin;
pub use wmi::{Region, Wmi};
