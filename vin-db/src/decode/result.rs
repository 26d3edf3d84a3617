//! The result of one decode: [`Decoded`] and the types it is made of.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::attributes::Attributes;
use crate::model::Timestamp;

/// The decoded value(s) of one vPIC variable.
///
/// Serialized untagged, so JSON shows `"Model": "Accord"`, `"Trim": null`
/// (a lookup miss) or `"Other Engine Info": ["…", "…"]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Attribute {
    /// The variable has exactly one output row. `None` is the reference's NULL
    /// (e.g. a lookup id with no row in its table); `Some("")` stays distinct.
    One(Option<Arc<str>>),
    /// The variable has several output rows (the repeatable elements, or a model
    /// linked to several makes), sorted (NULL first, then by bytes).
    Many(Vec<Option<Arc<str>>>),
}

impl Attribute {
    /// The first value: the only one of [`Attribute::One`], the first of a list.
    pub fn first(&self) -> Option<&str> {
        match self {
            Attribute::One(v) => v.as_deref(),
            Attribute::Many(v) => v.first().and_then(|v| v.as_deref()),
        }
    }
}

/// What produced a decoded value (the reference's `Source` column, as an enum).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SourceKind {
    /// A `Pattern` row of one of the WMI's VIN schemas (`Pattern`).
    Pattern,
    /// An `EngineModelPattern` row implied by the decoded engine model.
    EngineModelPattern,
    /// The `Wmi` row itself (`VehType`, `Manu. Name`).
    Wmi,
    /// The pass's model year (`ModelYear`).
    ModelYear,
    /// A `#` formula pattern whose value is taken from the VIN (`Formula Pattern`).
    Formula,
    /// The make of the decoded model via `Make_Model` (`pattern - model`).
    MakeFromModel,
    /// The WMI's single make via `Wmi_Make` (`Make`).
    MakeFromWmi,
    /// A unit conversion of another value (`Conversion <id>: <formula>`).
    Conversion,
    /// A vehicle-spec schema value (`Vehicle Specs`).
    VehicleSpec,
    /// A per-vehicle-type default (`Default`).
    Default,
    /// One of the decode's own outputs: error codes and texts, suggested VIN,
    /// possible values, descriptor (`Corrections`).
    Correction,
}

/// Where one output value came from (the reference's output columns).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// The producer, as an enum.
    pub source: SourceKind,
    /// The reference's `Source` text, e.g. `Pattern`, `Conversion 3: 1998 / 1000.`.
    pub source_text: Arc<str>,
    /// `PatternId` (for `Vehicle Specs`: the `VSpecSchemaPattern` id).
    pub pattern_id: Option<i32>,
    /// `VinSchemaId` (for `Vehicle Specs`: the `VehicleSpecSchema` id).
    pub vin_schema_id: Option<i32>,
    /// `Keys`: the matched key, the WMI, the model-year source, `''` or NULL.
    pub keys: Option<Arc<str>>,
    /// `WmiId`.
    pub wmi_id: Option<i32>,
    /// `AttributeId`: the raw attribute (a lookup id as text, or a literal).
    pub attribute_id: Option<Arc<str>>,
    /// The ranking priority (a schema link's `YearFrom` for patterns).
    pub priority: i32,
    /// `CreatedOn` (the source row's `UpdatedOn`, else its `CreatedOn`).
    pub created_on: Option<Timestamp>,
}

/// One output row of the reference, in output order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecodedValue {
    /// `Element.Id`.
    pub element_id: i32,
    /// `Element.Name`, e.g. `Displacement (L)`.
    pub variable: Arc<str>,
    /// `Element.GroupName`.
    pub group: Option<Arc<str>>,
    /// The display value (NULL on a lookup miss; TAB/CR/LF replaced by spaces).
    pub value: Option<Arc<str>>,
    /// Where the value came from.
    pub provenance: Provenance,
    /// Confidence in this value, 0–1 (filled by [`crate::decode::confidence::score`]).
    pub confidence: f64,
}

/// Facts about the decode that the confidence score is computed from.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Facts {
    /// `Some(true)` when the check digit is right (or excused by a `VinException`),
    /// `Some(false)` when wrong, `None` when not applicable (VIN shorter than 17).
    pub check_digit_ok: Option<bool>,
    /// The model year of the chosen pass was conclusive (spec 2.3/2.4).
    pub model_year_conclusive: bool,
    /// The chosen pass: 2 (caller year), 3 (`rmy`) or 4 (`omy`).
    pub pass_id: u8,
    /// VIN positions among 4–8 and 11 explained by a winning pattern key (spec 4.6's
    /// "used" positions), ascending; empty when the error scan did not run.
    pub positions_explained: Vec<u8>,
    /// VIN positions among 4–8 and 11 that no winning key explains (code 14's list).
    pub positions_unexplained: Vec<u8>,
    /// A Model value was decoded.
    pub model_resolved: bool,
    /// The WMI is registered and published (no code 7).
    pub wmi_known: bool,
}

/// How much of a decode to build.
///
/// ```
/// use vin_db::decode::Detail;
/// // Most callers read the fields and attributes, not the rows behind them.
/// assert_eq!(Detail::default(), Detail::Full);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Detail {
    /// Everything, including every output row with its provenance
    /// ([`Decoded::values`]).
    #[default]
    Full,
    /// Everything but the output rows: [`Decoded::values`] is left empty;
    /// every other field is the same as with [`Detail::Full`]. Building the
    /// rows (a dozen shared strings each) is a good part of a decode's cost.
    Summary,
}

/// The full result of decoding one VIN, field by field as NHTSA's spVinDecode
/// would print it, plus typed shortcuts and provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decoded {
    /// The normalised VIN (spaces trimmed, ASCII upper-cased).
    pub vin: String,
    /// The headline model year: the Model Year value, or when there is none
    /// (unknown WMI) the year the chosen pass ran with (spec 3.20, last paragraph).
    pub model_year: Option<i32>,
    /// The error codes (element 143), ascending.
    pub error_codes: Vec<i32>,
    /// The error text (element 191): the codes' names joined by `; `.
    pub error_text: Arc<str>,
    /// The additional error text (element 156); `None` is the reference's NULL.
    pub additional_error_text: Option<Arc<str>>,
    /// The suggested VIN (element 142); empty when there is none.
    pub suggested_vin: Arc<str>,
    /// The possible values (element 144), e.g. `(4:EFH)(5:BDF)`; empty when none.
    pub possible_values: Arc<str>,
    /// The vehicle descriptor (element 196), e.g. `1HGCM826*3A`.
    pub vehicle_descriptor: Arc<str>,
    /// Make (element 26), first value.
    pub make: Option<Arc<str>>,
    /// Model (28).
    pub model: Option<Arc<str>>,
    /// Trim (38).
    pub trim: Option<Arc<str>>,
    /// Series (34).
    pub series: Option<Arc<str>>,
    /// Body Class (5).
    pub body_class: Option<Arc<str>>,
    /// Vehicle Type (39).
    pub vehicle_type: Option<Arc<str>>,
    /// Manufacturer Name (27).
    pub manufacturer: Option<Arc<str>>,
    /// Plant City (31).
    pub plant_city: Option<Arc<str>>,
    /// Plant State (77).
    pub plant_state: Option<Arc<str>>,
    /// Plant Country (75).
    pub plant_country: Option<Arc<str>>,
    /// Engine Number of Cylinders (9), when it is a plain number.
    pub engine_cylinders: Option<u32>,
    /// Displacement (L) (13), when it is a number.
    pub displacement_l: Option<f64>,
    /// Displacement (CC) (11), as printed.
    pub displacement_cc: Option<Arc<str>>,
    /// Displacement (CI) (12), as printed.
    pub displacement_ci: Option<Arc<str>>,
    /// Engine Model (18).
    pub engine_model: Option<Arc<str>>,
    /// Engine Manufacturer (146).
    pub engine_manufacturer: Option<Arc<str>>,
    /// Fuel Type - Primary (24).
    pub fuel_type_primary: Option<Arc<str>>,
    /// Fuel Type - Secondary (66).
    pub fuel_type_secondary: Option<Arc<str>>,
    /// Drive Type (15).
    pub drive_type: Option<Arc<str>>,
    /// Transmission Style (37).
    pub transmission_style: Option<Arc<str>>,
    /// Transmission Speeds (63).
    pub transmission_speeds: Option<Arc<str>>,
    /// Doors (14), when it is a plain number.
    pub doors: Option<u32>,
    /// Gross Vehicle Weight Rating From (25).
    pub gvwr: Option<Arc<str>>,
    /// Every printed variable by its vPIC name (`Element.Name`).
    pub attributes: Attributes,
    /// Every output row, in output order (group rank, then element id, then
    /// creation order); empty when decoded with [`Detail::Summary`].
    pub values: Vec<DecodedValue>,
    /// Facts for the confidence score.
    pub facts: Facts,
    /// Overall confidence, 0–1 (filled by [`crate::decode::confidence::score`]).
    pub confidence: f64,
    /// Set by the service when the answer came from a dataset that is no longer live.
    pub stale: bool,
    /// The dataset version the decode ran on.
    pub dataset_version: i64,
}

impl Decoded {
    /// The first value of a variable by its vPIC name.
    pub fn get(&self, variable: &str) -> Option<&str> {
        self.attributes.get(variable).and_then(Attribute::first)
    }
}
