//! `Decoded` as JavaScript sees it: the Rust [`vin_db::decode::Decoded`] with
//! camelCase names, field for field.
//!
//! The structs here declare the shape (they generate `index.d.ts`); the
//! objects themselves are built by [`build`] straight from the Rust result,
//! without copying it first, and frozen, because one object may be handed to
//! several callers (see [`crate::objects`]). Provenance (`values`) is built
//! only when the caller asks for it: it is most of a result's size.

use std::collections::HashMap;
use std::ffi::CStr;

use napi::Either;
use napi_derive::napi;
use vin_db::decode::{
    Attribute, Decoded as RustDecoded, DecodedValue as RustDecodedValue, Facts as RustFacts,
};

use crate::js::{Builder, Raw};

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

/// `object[key] = a string or null`, the most common property of a result.
fn set_opt_str(b: &Builder, object: Raw, key: &CStr, value: Option<&str>) -> napi::Result<()> {
    b.set(object, key, b.opt_string(value)?)
}

/// A JS attribute value: a string, `null`, or a frozen list.
pub fn attribute(b: &Builder, value: &Attribute) -> napi::Result<Raw> {
    match value {
        Attribute::One(one) => b.opt_string(one.as_deref()),
        Attribute::Many(many) => {
            let array = b.array(many.len())?;
            for (i, item) in many.iter().enumerate() {
                b.set_index(array, i, b.opt_string(item.as_deref())?)?;
            }
            b.freeze(array)?;
            Ok(array)
        }
    }
}

fn frozen_ints<T: Copy + Into<i32>>(b: &Builder, items: &[T]) -> napi::Result<Raw> {
    let array = b.ints(items)?;
    b.freeze(array)?;
    Ok(array)
}

fn facts(b: &Builder, f: &RustFacts) -> napi::Result<Raw> {
    let o = b.object()?;
    b.set(o, c"checkDigitOk", b.opt_boolean(f.check_digit_ok)?)?;
    b.set(
        o,
        c"modelYearConclusive",
        b.boolean(f.model_year_conclusive)?,
    )?;
    b.set(o, c"passId", b.int(i32::from(f.pass_id))?)?;
    b.set(
        o,
        c"positionsExplained",
        frozen_ints(b, &f.positions_explained)?,
    )?;
    b.set(
        o,
        c"positionsUnexplained",
        frozen_ints(b, &f.positions_unexplained)?,
    )?;
    b.set(o, c"modelResolved", b.boolean(f.model_resolved)?)?;
    b.set(o, c"wmiKnown", b.boolean(f.wmi_known)?)?;
    b.freeze(o)?;
    Ok(o)
}

fn opt_int(b: &Builder, n: Option<i32>) -> napi::Result<Raw> {
    match n {
        Some(n) => b.int(n),
        None => b.null(),
    }
}

fn value(b: &Builder, v: &RustDecodedValue) -> napi::Result<Raw> {
    let p = &v.provenance;
    let o = b.object()?;
    b.set(o, c"elementId", b.int(v.element_id)?)?;
    b.set(o, c"variable", b.string(&v.variable)?)?;
    set_opt_str(b, o, c"group", v.group.as_deref())?;
    set_opt_str(b, o, c"value", v.value.as_deref())?;
    b.set(o, c"confidence", b.number(v.confidence)?)?;
    b.set(o, c"source", b.string(&format!("{:?}", p.source))?)?;
    b.set(o, c"sourceText", b.string(&p.source_text)?)?;
    b.set(o, c"patternId", opt_int(b, p.pattern_id)?)?;
    b.set(o, c"vinSchemaId", opt_int(b, p.vin_schema_id)?)?;
    set_opt_str(b, o, c"keys", p.keys.as_deref())?;
    b.set(o, c"wmiId", opt_int(b, p.wmi_id)?)?;
    set_opt_str(b, o, c"attributeId", p.attribute_id.as_deref())?;
    b.set(o, c"priority", b.int(p.priority)?)?;
    let created_on = p.created_on.map(|t| t.to_string());
    set_opt_str(b, o, c"createdOn", created_on.as_deref())?;
    b.freeze(o)?;
    Ok(o)
}

/// The frozen list of output rows with their provenance.
pub fn values(b: &Builder, values: &[RustDecodedValue]) -> napi::Result<Raw> {
    let array = b.array(values.len())?;
    for (i, v) in values.iter().enumerate() {
        b.set_index(array, i, value(b, v)?)?;
    }
    b.freeze(array)?;
    Ok(array)
}

/// Builds the frozen JS object of a decode (`values` only with `provenance`),
/// with the properties of [`Decoded`] in its order, property by property
/// (the fallback of [`crate::factory::Factory::build`], which is faster).
pub fn build(b: &Builder, d: &RustDecoded, provenance: bool) -> napi::Result<Raw> {
    let o = b.object()?;
    b.set(o, c"vin", b.string(&d.vin)?)?;
    b.set(o, c"modelYear", opt_int(b, d.model_year)?)?;
    b.set(o, c"errorCodes", frozen_ints(b, &d.error_codes)?)?;
    b.set(o, c"errorText", b.string(&d.error_text)?)?;
    set_opt_str(
        b,
        o,
        c"additionalErrorText",
        d.additional_error_text.as_deref(),
    )?;
    b.set(o, c"suggestedVin", b.string(&d.suggested_vin)?)?;
    b.set(o, c"possibleValues", b.string(&d.possible_values)?)?;
    b.set(o, c"vehicleDescriptor", b.string(&d.vehicle_descriptor)?)?;
    let strings: [(&CStr, Option<&str>); 10] = [
        (c"make", d.make.as_deref()),
        (c"model", d.model.as_deref()),
        (c"trim", d.trim.as_deref()),
        (c"series", d.series.as_deref()),
        (c"bodyClass", d.body_class.as_deref()),
        (c"vehicleType", d.vehicle_type.as_deref()),
        (c"manufacturer", d.manufacturer.as_deref()),
        (c"plantCity", d.plant_city.as_deref()),
        (c"plantState", d.plant_state.as_deref()),
        (c"plantCountry", d.plant_country.as_deref()),
    ];
    for (key, value) in strings {
        set_opt_str(b, o, key, value)?;
    }
    b.set(
        o,
        c"engineCylinders",
        b.opt_number(d.engine_cylinders.map(f64::from))?,
    )?;
    b.set(o, c"displacementL", b.opt_number(d.displacement_l)?)?;
    let strings: [(&CStr, Option<&str>); 9] = [
        (c"displacementCc", d.displacement_cc.as_deref()),
        (c"displacementCi", d.displacement_ci.as_deref()),
        (c"engineModel", d.engine_model.as_deref()),
        (c"engineManufacturer", d.engine_manufacturer.as_deref()),
        (c"fuelTypePrimary", d.fuel_type_primary.as_deref()),
        (c"fuelTypeSecondary", d.fuel_type_secondary.as_deref()),
        (c"driveType", d.drive_type.as_deref()),
        (c"transmissionStyle", d.transmission_style.as_deref()),
        (c"transmissionSpeeds", d.transmission_speeds.as_deref()),
    ];
    for (key, value) in strings {
        set_opt_str(b, o, key, value)?;
    }
    b.set(o, c"doors", b.opt_number(d.doors.map(f64::from))?)?;
    set_opt_str(b, o, c"gvwr", d.gvwr.as_deref())?;
    let attributes = b.object()?;
    for (name, v) in &d.attributes {
        b.set_dyn(attributes, name, attribute(b, v)?)?;
    }
    b.freeze(attributes)?;
    b.set(o, c"attributes", attributes)?;
    let values = if provenance {
        values(b, &d.values)?
    } else {
        b.null()?
    };
    b.set(o, c"values", values)?;
    b.set(o, c"facts", facts(b, &d.facts)?)?;
    b.set(o, c"confidence", b.number(d.confidence)?)?;
    b.set(o, c"stale", b.boolean(d.stale)?)?;
    b.set(o, c"datasetVersion", b.number(d.dataset_version as f64)?)?;
    b.freeze(o)?;
    Ok(o)
}
