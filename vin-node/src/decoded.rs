//! `Decoded` as JavaScript sees it: the Rust [`vin_db::decode::Decoded`] with
//! camelCase names, field for field. Provenance (`values`) is converted only
//! when the caller asks for it: it is most of the cost of crossing into JS.

use std::collections::HashMap;

use napi::Either;
use napi_derive::napi;
use vin_db::decode::{
    Attribute, Decoded as RustDecoded, DecodedValue as RustDecodedValue, Facts as RustFacts,
};

/// A variable's decoded value: one value (`null` on a lookup miss) or, for the
/// repeatable elements, a sorted list.
pub type AttributeValue = Either<Option<String>, Vec<Option<String>>>;

/// The result of decoding one VIN (the Rust `Decoded`, in camelCase).
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct Decoded {
    /// The VIN as decoded (spaces trimmed, upper-cased).
    pub vin: String,
    /// The headline model year.
    pub model_year: Option<i32>,
    /// vPIC error codes, ascending (0 = clean decode).
    pub error_codes: Vec<i32>,
    /// The error codes' texts, as vPIC prints them.
    pub error_text: String,
    /// vPIC's additional error text (`null` when it has none).
    pub additional_error_text: Option<String>,
    /// A corrected VIN when one differing character explains the errors.
    pub suggested_vin: String,
    /// Possible values at the failing position(s).
    pub possible_values: String,
    /// The vehicle descriptor (e.g. `1HGCM826*3A`).
    pub vehicle_descriptor: String,
    /// Make.
    pub make: Option<String>,
    /// Model.
    pub model: Option<String>,
    /// Trim.
    pub trim: Option<String>,
    /// Series.
    pub series: Option<String>,
    /// Body class.
    pub body_class: Option<String>,
    /// Vehicle type.
    pub vehicle_type: Option<String>,
    /// Manufacturer name.
    pub manufacturer: Option<String>,
    /// Plant city.
    pub plant_city: Option<String>,
    /// Plant state.
    pub plant_state: Option<String>,
    /// Plant country.
    pub plant_country: Option<String>,
    /// Engine cylinders.
    pub engine_cylinders: Option<u32>,
    /// Displacement in litres.
    pub displacement_l: Option<f64>,
    /// Displacement in cubic centimetres, as vPIC prints it.
    pub displacement_cc: Option<String>,
    /// Displacement in cubic inches, as vPIC prints it.
    pub displacement_ci: Option<String>,
    /// Engine model.
    pub engine_model: Option<String>,
    /// Engine manufacturer.
    pub engine_manufacturer: Option<String>,
    /// Primary fuel type.
    pub fuel_type_primary: Option<String>,
    /// Secondary fuel type.
    pub fuel_type_secondary: Option<String>,
    /// Drive type.
    pub drive_type: Option<String>,
    /// Transmission style.
    pub transmission_style: Option<String>,
    /// Transmission speeds.
    pub transmission_speeds: Option<String>,
    /// Doors.
    pub doors: Option<u32>,
    /// Gross vehicle weight rating class.
    pub gvwr: Option<String>,
    /// Every decoded variable by its vPIC name (e.g. `"Displacement (L)"`).
    #[napi(ts_type = "Record<string, string | null | Array<string | null>>")]
    pub attributes: HashMap<String, AttributeValue>,
    /// Every output row with its provenance, in vPIC's order; only when the
    /// call asked for `provenance: true`.
    pub values: Option<Vec<DecodedValue>>,
    /// Facts the confidence score is computed from.
    pub facts: DecodeFacts,
    /// Confidence in the decode, 0–1.
    pub confidence: f64,
    /// Served from the cache past its freshness while the database is down.
    pub stale: bool,
    /// The dataset version the decode comes from.
    pub dataset_version: i64,
}

/// Facts about a decode (what the confidence score is computed from).
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct DecodeFacts {
    /// Check digit right (`true`), wrong (`false`), or not applicable (`null`).
    pub check_digit_ok: Option<bool>,
    /// The model year was conclusive.
    pub model_year_conclusive: bool,
    /// The chosen decoding pass (2, 3 or 4).
    pub pass_id: u32,
    /// VIN positions (4–8, 11) explained by a winning pattern.
    pub positions_explained: Vec<u32>,
    /// VIN positions (4–8, 11) no winning pattern explains.
    pub positions_unexplained: Vec<u32>,
    /// A model was decoded.
    pub model_resolved: bool,
    /// The WMI is known and published.
    pub wmi_known: bool,
}

/// One output row of the decode with its provenance.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct DecodedValue {
    /// vPIC element id.
    pub element_id: i32,
    /// vPIC variable name.
    pub variable: String,
    /// vPIC element group.
    pub group: Option<String>,
    /// The display value (`null` on a lookup miss).
    pub value: Option<String>,
    /// Confidence in this value, 0–1.
    pub confidence: f64,
    /// What produced the value: `Pattern`, `EngineModelPattern`, `Wmi`,
    /// `ModelYear`, `Formula`, `MakeFromModel`, `MakeFromWmi`, `Conversion`,
    /// `VehicleSpec`, `Default` or `Correction`.
    pub source: String,
    /// vPIC's source text (e.g. `Pattern`, `Conversion 3: 1998 / 1000.`).
    pub source_text: String,
    /// The pattern id.
    pub pattern_id: Option<i32>,
    /// The VIN schema id.
    pub vin_schema_id: Option<i32>,
    /// The matched keys.
    pub keys: Option<String>,
    /// The WMI id.
    pub wmi_id: Option<i32>,
    /// The raw attribute id.
    pub attribute_id: Option<String>,
    /// The ranking priority.
    pub priority: i32,
    /// When the source row was created or last updated (`YYYY-MM-DD HH:MM:SS[.ffffff]`).
    pub created_on: Option<String>,
}

fn attribute(value: &Attribute) -> AttributeValue {
    match value {
        Attribute::One(one) => Either::A(one.clone()),
        Attribute::Many(many) => Either::B(many.clone()),
    }
}

fn facts(facts: &RustFacts) -> DecodeFacts {
    DecodeFacts {
        check_digit_ok: facts.check_digit_ok,
        model_year_conclusive: facts.model_year_conclusive,
        pass_id: u32::from(facts.pass_id),
        positions_explained: facts
            .positions_explained
            .iter()
            .map(|&p| p.into())
            .collect(),
        positions_unexplained: facts
            .positions_unexplained
            .iter()
            .map(|&p| p.into())
            .collect(),
        model_resolved: facts.model_resolved,
        wmi_known: facts.wmi_known,
    }
}

fn value(value: &RustDecodedValue) -> DecodedValue {
    let p = &value.provenance;
    DecodedValue {
        element_id: value.element_id,
        variable: value.variable.clone(),
        group: value.group.clone(),
        value: value.value.clone(),
        confidence: value.confidence,
        source: format!("{:?}", p.source),
        source_text: p.source_text.clone(),
        pattern_id: p.pattern_id,
        vin_schema_id: p.vin_schema_id,
        keys: p.keys.clone(),
        wmi_id: p.wmi_id,
        attribute_id: p.attribute_id.clone(),
        priority: p.priority,
        created_on: p.created_on.map(|t| t.to_string()),
    }
}

impl Decoded {
    /// Copies a Rust decode into its JS shape (`values` only with `provenance`).
    pub fn from_rust(d: &RustDecoded, provenance: bool) -> Decoded {
        Decoded {
            vin: d.vin.clone(),
            model_year: d.model_year,
            error_codes: d.error_codes.clone(),
            error_text: d.error_text.clone(),
            additional_error_text: d.additional_error_text.clone(),
            suggested_vin: d.suggested_vin.clone(),
            possible_values: d.possible_values.clone(),
            vehicle_descriptor: d.vehicle_descriptor.clone(),
            make: d.make.clone(),
            model: d.model.clone(),
            trim: d.trim.clone(),
            series: d.series.clone(),
            body_class: d.body_class.clone(),
            vehicle_type: d.vehicle_type.clone(),
            manufacturer: d.manufacturer.clone(),
            plant_city: d.plant_city.clone(),
            plant_state: d.plant_state.clone(),
            plant_country: d.plant_country.clone(),
            engine_cylinders: d.engine_cylinders,
            displacement_l: d.displacement_l,
            displacement_cc: d.displacement_cc.clone(),
            displacement_ci: d.displacement_ci.clone(),
            engine_model: d.engine_model.clone(),
            engine_manufacturer: d.engine_manufacturer.clone(),
            fuel_type_primary: d.fuel_type_primary.clone(),
            fuel_type_secondary: d.fuel_type_secondary.clone(),
            drive_type: d.drive_type.clone(),
            transmission_style: d.transmission_style.clone(),
            transmission_speeds: d.transmission_speeds.clone(),
            doors: d.doors,
            gvwr: d.gvwr.clone(),
            attributes: d
                .attributes
                .iter()
                .map(|(k, v)| (k.clone(), attribute(v)))
                .collect(),
            values: provenance.then(|| d.values.iter().map(value).collect()),
            facts: facts(&d.facts),
            confidence: d.confidence,
            stale: d.stale,
            dataset_version: d.dataset_version,
        }
    }
}
