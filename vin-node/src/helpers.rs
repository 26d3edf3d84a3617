//! Pure helpers over `vin-core`: no data, no I/O, synchronous.

use napi::{Env, Unknown};
use napi_derive::napi;
use vin_core::model_year::{self, VehicleClass};
use vin_core::{Vin, VinError, VinText};

use crate::args;
use crate::error::{Failure, guard};

/// One thing wrong with a VIN, as data.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct VinProblem {
    /// `VIN_EMPTY`, `VIN_LENGTH` or `VIN_INVALID_CHAR`.
    pub code: String,
    /// What is wrong, for people.
    pub message: String,
    /// The 1-based position of the offending character, when there is one.
    pub position: Option<u32>,
    /// The offending character, when there is one.
    pub character: Option<String>,
}

impl From<&VinError> for VinProblem {
    fn from(error: &VinError) -> VinProblem {
        let (position, character) = match error {
            VinError::InvalidChar { ch, position } => {
                (u32::try_from(*position).ok(), Some(ch.to_string()))
            }
            _ => (None, None),
        };
        VinProblem {
            code: error.code().to_owned(),
            message: error.to_string(),
            position,
            character,
        }
    }
}

/// The check digit of a VIN (position 9).
#[napi(object, object_from_js = false)]
pub struct CheckDigitReport {
    /// The check digit the other 16 characters call for (`0`–`9` or `X`).
    pub expected: String,
    /// The character at position 9.
    pub actual: String,
    /// Whether they agree.
    pub valid: bool,
}

/// The result of `validateVin`.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct VinValidation {
    /// The text as normalised for decoding (spaces trimmed, upper-cased).
    pub vin: String,
    /// 17 characters, all of `0-9 A-Z` except `I O Q` (the check digit is
    /// reported separately: not every manufacturer uses it).
    pub valid: bool,
    /// Everything wrong with the text (empty when `valid`).
    pub problems: Vec<VinProblem>,
    /// The check digit, for a structurally valid VIN.
    pub check_digit: Option<CheckDigitReport>,
}

/// The model years a VIN can mean.
#[napi(object, object_from_js = false)]
pub struct ModelYearCandidates {
    /// Candidate years, ascending (30 years apart).
    pub years: Vec<i32>,
    /// Exactly one candidate.
    pub conclusive: bool,
}

/// Options of `modelYearCandidates`.
#[napi(object, object_to_js = false)]
pub struct ModelYearOptions {
    /// `"light"` (car, MPV, light truck: position 7 picks the 30-year cycle;
    /// the default) or `"other"`.
    pub vehicle_class: Option<String>,
    /// The current year (default: the system clock's); years up to two past
    /// it are possible.
    pub current_year: Option<i32>,
}

fn check_digit_report(vin: &Vin) -> CheckDigitReport {
    let expected = vin_core::check_digit::compute(vin.as_bytes());
    CheckDigitReport {
        expected: char::from(expected).to_string(),
        actual: char::from(vin.check_char()).to_string(),
        valid: vin.check_digit_valid(),
    }
}

fn parse_vin(input: &str) -> Result<Vin, Failure> {
    Vin::parse(input).map_err(|e| Failure::invalid(format!("not a VIN: {e}")))
}

/// Normalises a VIN as vPIC does: surrounding spaces removed, letters
/// upper-cased, nothing else changed. Throws `ERR_INVALID_ARGUMENT` past 17
/// characters.
///
/// ```js
/// normalizeVin(' 1hgcm82633a004352 ') // '1HGCM82633A004352'
/// ```
#[napi(ts_args_type = "vin: string")]
pub fn normalize_vin(env: &Env, vin: Unknown<'_>) -> napi::Result<String> {
    guard(|| {
        let vin = args::string("vin", vin)?;
        let text = VinText::new(&vin).map_err(|e| Failure::invalid(e.to_string()))?;
        Ok(text.as_str().to_owned())
    })
    .map_err(|f| f.into_napi(env))
}

/// Checks a VIN's form and reports every problem as data (never throws for
/// a string).
#[napi(ts_args_type = "vin: string")]
pub fn validate_vin(env: &Env, vin: Unknown<'_>) -> napi::Result<VinValidation> {
    guard(|| {
        let input = args::string("vin", vin)?;
        let (normalized, mut problems) = match VinText::new(&input) {
            Ok(text) => (text.as_str().to_owned(), text.problems()),
            Err(e) => (input.trim_matches(' ').to_ascii_uppercase(), vec![e]),
        };
        let mut check_digit = None;
        if problems.is_empty() {
            // The strict parse has the last word: a text the lenient form
            // finds no fault with must still be a VIN to be valid.
            match Vin::parse(&normalized) {
                Ok(vin) => check_digit = Some(check_digit_report(&vin)),
                Err(e) => problems.push(e),
            }
        }
        Ok(VinValidation {
            vin: normalized,
            valid: problems.is_empty(),
            problems: problems.iter().map(VinProblem::from).collect(),
            check_digit,
        })
    })
    .map_err(|f| f.into_napi(env))
}

/// The check digit (position 9) that a VIN's other characters call for, per
/// 49 CFR 565.15: `'0'`–`'9'` or `'X'`. Throws `ERR_INVALID_ARGUMENT` for a
/// string that is not a structurally valid VIN.
#[napi(ts_args_type = "vin: string")]
pub fn check_digit(env: &Env, vin: Unknown<'_>) -> napi::Result<String> {
    guard(|| {
        let vin = parse_vin(&args::string("vin", vin)?)?;
        Ok(char::from(vin_core::check_digit::compute(vin.as_bytes())).to_string())
    })
    .map_err(|f| f.into_napi(env))
}

/// The model years a VIN's position 10 can mean, from 1980 to two years past
/// the current one; for light vehicles position 7 picks the cycle.
#[napi(ts_args_type = "vin: string, options?: ModelYearOptions")]
pub fn model_year_candidates(
    env: &Env,
    vin: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> napi::Result<ModelYearCandidates> {
    guard(|| {
        let vin = parse_vin(&args::string("vin", vin)?)?;
        let object = args::opt_object("options", options)?;
        let get = |key| args::property(object.as_ref(), key);
        let options = ModelYearOptions {
            vehicle_class: args::opt_string("options.vehicleClass", get("vehicleClass")?)?,
            current_year: args::opt_integer("options.currentYear", get("currentYear")?, 1..=9999)?
                .map(|y| y as i32),
        };
        let class = match options.vehicle_class.as_deref() {
            None | Some("light") => VehicleClass::Light,
            Some("other") => VehicleClass::Other,
            Some(other) => {
                return Err(Failure::invalid(format!(
                    "\"options.vehicleClass\" must be \"light\" or \"other\"; received {other:?}"
                )));
            }
        };
        let current_year = options
            .current_year
            .unwrap_or_else(|| vin_db::decode::Clock::system().this_year);
        let years = model_year::candidates(&vin, class, current_year);
        Ok(ModelYearCandidates {
            years: years.iter().collect(),
            conclusive: years.conclusive(),
        })
    })
    .map_err(|f| f.into_napi(env))
}
