//! `vin-node`: the native Node module of `vin` (napi-rs).
//!
//! Everything a caller passes is checked at the boundary (`args`): a value of
//! the wrong JS type is a `TypeError` (`ERR_INVALID_ARG_TYPE`), an unusable
//! value an `Error` with a stable `code`, and panics are caught before they
//! could unwind into Node. The `Decoder` class wraps `vin_db`'s decoder
//! service; the helpers (`normalizeVin`, `validateVin`, `checkDigit`,
//! `modelYearCandidates`) need no data.

mod args;
mod bound;
mod decoded;
mod decoder;
mod error;
mod factory;
mod helpers;
mod js;
mod objects;
mod promise;
mod report;
mod strings;

pub use decoded::{DecodeFacts, Decoded, DecodedValue};
pub use decoder::{DecodeOptions, Decoder, OpenOptions};
pub use helpers::{
    CheckDigitReport, ModelYearCandidates, ModelYearOptions, VinProblem, VinValidation,
    check_digit, model_year_candidates, normalize_vin, validate_vin,
};
pub use report::{
    Breaker, Choice, DatasetInfo, DecodeOutcome, ErrorInfo, Health, NativeTiming, Stats,
};

/// The version of the native module.
#[napi_derive::napi]
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}
