//! The global tables, compiled once per dataset: [`Globals`].

use std::collections::BTreeMap;

// Integer and short-text keys looked up on every decode: a fast hasher.
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::Arc;

use super::schema::SchemaCache;
use crate::model::{GlobalRows, Timestamp};

/// One `Element` row, prepared for decoding and output.
#[derive(Debug, Clone)]
pub struct ElementInfo {
    /// `Element.Id`.
    pub id: i32,
    /// `Element.Name` (the output variable name).
    pub name: Arc<str>,
    /// `Element.GroupName`.
    pub group_name: Option<Arc<str>>,
    /// Output rank of the group (spec 3.20 step 5).
    pub group_rank: u8,
    /// `Element.DataType` is exactly `lookup`.
    pub is_lookup: bool,
    /// `Decode` is not NULL and the element is not private: pattern items may be created (3.2).
    pub patternable: bool,
    /// `Decode` is neither NULL nor `''` and the element is not private: printed (3.20).
    pub printed: bool,
    /// `Element.Weight`.
    pub weight: Option<i32>,
    /// Index of the element's lookup table in the switch of spec 5.2.
    lookup: Option<usize>,
    /// Position in the output order of elements (group rank, then id).
    pub(crate) output_rank: u16,
    /// Position in the byte order of the names (then id).
    pub(crate) name_rank: u16,
    /// The `name_rank` of the first element with the same name: equal names,
    /// equal numbers.
    pub(crate) name_group: u16,
    /// Another element has the same name (their values form one variable).
    pub(crate) name_shared: bool,
}

/// An `ErrorCode` row.
#[derive(Debug, Clone)]
pub struct ErrorCodeInfo {
    /// `Name`, e.g. `0 - VIN decoded clean. …`.
    pub name: Arc<str>,
    /// `AdditionalErrorText`.
    pub additional: Option<Arc<str>>,
    /// `Weight` (NULL counts as 0).
    pub weight: i64,
}

/// A `Conversion` row.
#[derive(Debug, Clone)]
pub struct ConversionInfo {
    /// `Conversion.Id`.
    pub id: i32,
    /// Source element.
    pub from: i32,
    /// Target element.
    pub to: i32,
    /// The formula, byte-exact.
    pub formula: Arc<str>,
}

/// A `DefaultValue` row whose element exists.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DefaultInfo {
    /// Target element.
    pub element: i32,
    /// The default, never NULL here.
    pub value: Arc<str>,
    /// `UpdatedOn`, else `CreatedOn`.
    pub changed: Option<Timestamp>,
    /// Display value of `value` (spec 5), resolved at load time.
    pub display: Option<Arc<str>>,
    /// A lookup element's `0`: printed as `Not Applicable` (spec 3.16).
    pub(crate) not_applicable: bool,
}

/// An `EngineModelPattern` row whose element exists.
#[derive(Debug, Clone)]
pub struct EnginePatternInfo {
    /// Target element.
    pub element: i32,
    /// `AttributeId`.
    pub attribute: Arc<str>,
    /// `UpdatedOn`, else `CreatedOn`.
    pub changed: Option<Timestamp>,
    /// Display value of the attribute, resolved at load time.
    pub display: Option<Arc<str>>,
}

/// Elements whose lookups follow spec 5.2's fixed switch: (element, table name in lower case).
const LOOKUP_SWITCH: &[(i32, &str)] = &[
    (2, "batterytype"),
    (3, "bedtype"),
    (4, "bodycab"),
    (5, "bodystyle"),
    (10, "destinationmarket"),
    (15, "drivetype"),
    (23, "entertainmentsystem"),
    (24, "fueltype"),
    (66, "fueltype"),
    (25, "grossvehicleweightrating"),
    (184, "grossvehicleweightrating"),
    (185, "grossvehicleweightrating"),
    (190, "grossvehicleweightrating"),
    (26, "make"),
    (27, "manufacturer"),
    (28, "model"),
    (36, "steering"),
    (37, "transmission"),
    (39, "vehicletype"),
    (42, "brakesystem"),
    (55, "airbaglocations"),
    (56, "airbaglocations"),
    (107, "airbaglocations"),
    (60, "wheelbasetype"),
    (62, "valvetraindesign"),
    (64, "engineconfiguration"),
    (65, "airbaglocfront"),
    (67, "fueldeliverytype"),
    (69, "airbaglocknee"),
    (72, "evdriveunit"),
    (75, "country"),
    (78, "pretensioner"),
    (79, "seatbeltsall"),
    (81, "adaptivecruisecontrol"),
    (86, "abs"),
    (87, "autobrake"),
    (88, "blindspotmonitoring"),
    (96, "vncsabodytype"),
    (97, "vncsamake"),
    (98, "vncsamodel"),
    (99, "ecs"),
    (100, "tractioncontrol"),
    (101, "forwardcollisionwarning"),
    (102, "lanedeparturewarning"),
    (103, "lanekeepsystem"),
    (104, "rearvisibilitycamera"),
    (105, "parkassist"),
    (116, "trailertype"),
    (117, "trailerbodytype"),
    (122, "coolingtype"),
    (126, "electrificationlevel"),
    (127, "chargerlevel"),
    (135, "turbo"),
    (143, "errorcode"),
    (145, "axleconfiguration"),
    (148, "busfloorconfigtype"),
    (149, "bustype"),
    (151, "custommotorcycletype"),
    (152, "motorcyclesuspensiontype"),
    (153, "motorcyclechassistype"),
    (168, "tpms"),
    (170, "dynamicbrakesupport"),
    (171, "pedestrianautomaticemergencybraking"),
    (172, "autoreversesystem"),
    (173, "automaticpedestrainalertingsound"),
    (174, "can_aacn"),
    (175, "edr"),
    (176, "keylessignition"),
    (177, "daytimerunninglight"),
    (178, "lowerbeamheadlamplightsource"),
    (179, "semiautomaticheadlampbeamswitching"),
    (180, "adaptivedrivingbeam"),
    (183, "rearcrosstrafficalert"),
    (192, "rearautomaticemergencybraking"),
    (193, "blindspotintervention"),
    (194, "lanecenteringassistance"),
    (195, "nonlanduse"),
    (200, "fueltanktype"),
    (201, "fueltankmaterial"),
    (202, "combinedbrakingsystem"),
    (203, "wheeliemitigation"),
];

/// Group names with their own output rank (spec 3.20 step 5); everything else ranks 99.
const GROUP_RANKS: &[(&str, u8)] = &[
    ("General", 1),
    ("Exterior / Body", 2),
    ("Exterior / Dimension", 3),
    ("Exterior / Truck", 4),
    ("Exterior / Trailer", 5),
    ("Exterior / Wheel tire", 6),
    ("Exterior / Motorcycle", 7),
    ("Exterior / Bus", 8),
    ("Interior", 9),
    ("Interior / Seat", 10),
    ("Mechanical / Transmission", 11),
    ("Mechanical / Drivetrain", 12),
    ("Mechanical / Brake", 13),
    ("Mechanical / Battery", 14),
    ("Mechanical / Battery / Charger", 15),
    ("Engine", 16),
    ("Passive Safety System", 17),
    ("Passive Safety System / Air Bag Location", 18),
    ("Active Safety System", 19),
    ("Active Safety System / Maintaining Safe Distance", 20),
    ("Active Safety System / Forward Collision Prevention", 21),
    ("Active Safety System / Lane and Side Assist", 22),
    ("Active Safety System / Backing Up and Parking", 23),
    ("Active Safety System / 911 Notification", 24),
    ("Active Safety System / Lighting Technologies", 25),
    ("Internal", 26),
];

/// The largest element id kept (vPIC's ids are below 300; larger ids are ignored).
const MAX_ELEMENT_ID: i32 = 4095;

fn group_rank(group: Option<&str>) -> u8 {
    match group {
        None | Some("") => 0,
        Some(g) => GROUP_RANKS
            .iter()
            .find(|(name, _)| *name == g)
            .map_or(99, |(_, r)| *r),
    }
}

/// The compiled global tables of one dataset: elements, lookups with display
/// names interned as `Arc<str>`, error codes, conversions, defaults, engine
/// models, `Make_Model` and check-digit exceptions. Read-only and shared.
#[derive(Debug)]
pub struct Globals {
    version: i64,
    /// Indexed by element id.
    elements: Vec<Option<ElementInfo>>,
    /// The number of elements: every output and name rank is below it.
    rank_count: usize,
    /// Lookup tables of the switch, `Id` → `Name`.
    lookup_tables: Vec<HashMap<i32, Arc<str>>>,
    /// Upper-cased names for the WMI-derived and make items.
    pub(crate) make_upper: HashMap<i32, Arc<str>>,
    pub(crate) vehicle_type_upper: HashMap<i32, Arc<str>>,
    pub(crate) manufacturer_upper: HashMap<i32, Arc<str>>,
    pub(crate) error_codes: BTreeMap<i32, ErrorCodeInfo>,
    /// Ascending id.
    pub(crate) conversions: Vec<ConversionInfo>,
    /// By vehicle type id, duplicates removed, in row order.
    pub(crate) defaults: HashMap<i32, Vec<DefaultInfo>>,
    /// Engine model ids by trimmed lower-cased name.
    engine_models: HashMap<String, Vec<i32>>,
    /// By engine model id, ascending pattern id.
    engine_patterns: HashMap<i32, Vec<EnginePatternInfo>>,
    /// Make ids (of existing makes) by model id, in row order.
    pub(crate) make_models: HashMap<i32, Vec<i32>>,
    check_digit_exceptions: HashSet<String>,
    /// The compiled VIN schemas of this dataset that are resident.
    schema_cache: SchemaCache,
}

/// Numbers the elements in output order and in name order (both unique,
/// so the decoder orders its output by counting instead of sorting), and
/// returns how many there are.
fn rank_elements(elements: &mut [Option<ElementInfo>]) -> usize {
    let mut by_output: Vec<(u8, i32, usize)> = Vec::new();
    let mut by_name: Vec<(Arc<str>, i32, usize)> = Vec::new();
    for (slot, e) in elements.iter().enumerate() {
        if let Some(e) = e {
            by_output.push((e.group_rank, e.id, slot));
            by_name.push((e.name.clone(), e.id, slot));
        }
    }
    by_output.sort_unstable();
    by_name.sort_unstable();
    // At most MAX_ELEMENT_ID + 1 elements: every rank fits in 16 bits.
    let rank = |n: usize| u16::try_from(n).unwrap_or(u16::MAX);
    for (n, &(_, _, slot)) in by_output.iter().enumerate() {
        if let Some(e) = &mut elements[slot] {
            e.output_rank = rank(n);
        }
    }
    let mut group = 0;
    for (n, (name, _, slot)) in by_name.iter().enumerate() {
        if n == 0 || by_name[n - 1].0 != *name {
            group = rank(n);
        }
        if let Some(e) = &mut elements[*slot] {
            e.name_rank = rank(n);
            e.name_group = group;
        }
    }
    for pair in by_name.windows(2) {
        if pair[0].0 == pair[1].0 {
            for (_, _, slot) in pair {
                if let Some(e) = &mut elements[*slot] {
                    e.name_shared = true;
                }
            }
        }
    }
    by_output.len()
}

impl Globals {
    /// Compiles the global rows of dataset `version`.
    pub fn compile(version: i64, rows: GlobalRows) -> Globals {
        let max_id = rows
            .elements
            .iter()
            .map(|e| e.id)
            .filter(|id| (0..=MAX_ELEMENT_ID).contains(id))
            .max()
            .unwrap_or(0);
        let mut tables: HashMap<String, usize> = HashMap::default();
        for (_, t) in LOOKUP_SWITCH {
            let next = tables.len();
            tables.entry((*t).to_string()).or_insert(next);
        }
        let mut lookup_tables = vec![HashMap::default(); tables.len()];
        let mut make_upper = HashMap::default();
        let mut vehicle_type_upper = HashMap::default();
        let mut manufacturer_upper = HashMap::default();
        for row in &rows.lookups {
            let table = row.table.to_ascii_lowercase();
            let name: Arc<str> = Arc::from(row.name.as_str());
            let upper = || -> Arc<str> { Arc::from(row.name.to_uppercase()) };
            match table.as_str() {
                "make" => {
                    make_upper.insert(row.id, upper());
                }
                "vehicletype" => {
                    vehicle_type_upper.insert(row.id, upper());
                }
                "manufacturer" => {
                    manufacturer_upper.insert(row.id, upper());
                }
                _ => {}
            }
            if let Some(&i) = tables.get(&table) {
                lookup_tables[i].insert(row.id, name);
            }
        }
        let mut elements = vec![None; usize::try_from(max_id).unwrap_or(0) + 1];
        for e in &rows.elements {
            let Ok(slot) = usize::try_from(e.id) else {
                continue;
            };
            if e.id > MAX_ELEMENT_ID {
                continue;
            }
            let private = e.is_private.unwrap_or(false);
            let lookup = LOOKUP_SWITCH
                .iter()
                .find(|(id, _)| *id == e.id)
                .and_then(|(_, t)| tables.get(*t).copied());
            elements[slot] = Some(ElementInfo {
                id: e.id,
                name: Arc::from(e.name.as_str()),
                group_name: e.group_name.as_deref().map(Arc::from),
                group_rank: group_rank(e.group_name.as_deref()),
                is_lookup: e.data_type.as_deref() == Some("lookup"),
                patternable: e.decode.is_some() && !private,
                printed: e.decode.as_deref().is_some_and(|d| !d.is_empty()) && !private,
                weight: e.weight,
                lookup,
                output_rank: 0,
                name_rank: 0,
                name_group: 0,
                name_shared: false,
            });
        }
        let rank_count = rank_elements(&mut elements);
        let error_codes = rows
            .error_codes
            .iter()
            .map(|c| {
                (
                    c.id,
                    ErrorCodeInfo {
                        name: Arc::from(c.name.as_str()),
                        additional: c.additional_error_text.as_deref().map(Arc::from),
                        weight: i64::from(c.weight.unwrap_or(0)),
                    },
                )
            })
            .collect();
        let mut conversions: Vec<ConversionInfo> = rows
            .conversions
            .iter()
            .map(|c| ConversionInfo {
                id: c.id,
                from: c.from_element_id,
                to: c.to_element_id,
                formula: Arc::from(c.formula.as_str()),
            })
            .collect();
        conversions.sort_by_key(|c| c.id);

        let mut globals = Globals {
            version,
            elements,
            rank_count,
            lookup_tables,
            make_upper,
            vehicle_type_upper,
            manufacturer_upper,
            error_codes,
            conversions,
            defaults: HashMap::default(),
            engine_models: HashMap::default(),
            engine_patterns: HashMap::default(),
            make_models: HashMap::default(),
            check_digit_exceptions: rows.check_digit_exceptions.iter().cloned().collect(),
            schema_cache: SchemaCache::default(),
        };

        let mut defaults: HashMap<i32, Vec<DefaultInfo>> = HashMap::default();
        let mut sorted_defaults = rows.default_values.clone();
        sorted_defaults.sort_by_key(|d| d.id);
        for d in &sorted_defaults {
            let Some(value) = d.default_value.as_deref() else {
                continue;
            };
            if globals.element(d.element_id).is_none() {
                continue;
            }
            let value: Arc<str> = Arc::from(value);
            let lookup = globals.element(d.element_id).is_some_and(|e| e.is_lookup);
            let info = DefaultInfo {
                element: d.element_id,
                display: globals.display(d.element_id, Some(&value)),
                not_applicable: lookup && &*value == "0",
                value,
                changed: d.updated_on.or(d.created_on),
            };
            let list = defaults.entry(d.vehicle_type_id).or_default();
            if !list.contains(&info) {
                list.push(info);
            }
        }
        globals.defaults = defaults;

        for m in &rows.engine_models {
            globals
                .engine_models
                .entry(m.name.trim_matches(' ').to_lowercase())
                .or_default()
                .push(m.id);
        }
        let mut engine_rows = rows.engine_model_patterns.clone();
        engine_rows.sort_by_key(|p| p.id);
        for p in engine_rows {
            if globals.element(p.element_id).is_none() {
                continue;
            }
            let attribute: Arc<str> = Arc::from(p.attribute_id.as_str());
            let display = globals.display(p.element_id, Some(&attribute));
            globals
                .engine_patterns
                .entry(p.engine_model_id)
                .or_default()
                .push(EnginePatternInfo {
                    element: p.element_id,
                    attribute,
                    changed: p.updated_on.or(p.created_on),
                    display,
                });
        }
        for mm in &rows.make_models {
            if globals.make_upper.contains_key(&mm.make_id) {
                globals
                    .make_models
                    .entry(mm.model_id)
                    .or_default()
                    .push(mm.make_id);
            }
        }
        globals
    }

    /// The dataset version these tables were compiled from.
    pub fn version(&self) -> i64 {
        self.version
    }

    /// The dataset's shared compiled schemas (dropped with these tables).
    pub fn schema_cache(&self) -> &SchemaCache {
        &self.schema_cache
    }

    /// The `Element` row with this id, if it exists.
    pub fn element(&self, id: i32) -> Option<&ElementInfo> {
        usize::try_from(id)
            .ok()
            .and_then(|i| self.elements.get(i))
            .and_then(Option::as_ref)
    }

    /// The number of elements; every `output_rank` and `name_rank` is below it.
    pub(crate) fn rank_count(&self) -> usize {
        self.rank_count
    }

    /// Every element, ascending id.
    pub fn elements(&self) -> impl Iterator<Item = &ElementInfo> {
        self.elements.iter().flatten()
    }

    /// Spec 5.2/5.4: the display value of `attribute` for `element`. Elements in
    /// the lookup switch give the `Name` whose `Id` printed as decimal text equals
    /// `attribute` exactly (a miss is `None`); other elements return the attribute.
    pub fn display(&self, element: i32, attribute: Option<&Arc<str>>) -> Option<Arc<str>> {
        let Some(table) = self.element(element).and_then(|e| e.lookup) else {
            return attribute.cloned();
        };
        let id = canonical_int(attribute?)?;
        self.lookup_tables.get(table)?.get(&id).cloned()
    }

    /// The engine models whose trimmed, lower-cased name equals `name` treated alike.
    pub(crate) fn engine_models_named(&self, name: &str) -> &[i32] {
        self.engine_models
            .get(&name.trim_matches(' ').to_lowercase())
            .map_or(&[], Vec::as_slice)
    }

    /// The engine-model pattern rows of one engine model.
    pub(crate) fn engine_patterns(&self, engine_model: i32) -> &[EnginePatternInfo] {
        self.engine_patterns
            .get(&engine_model)
            .map_or(&[], Vec::as_slice)
    }

    /// A `VinException` with `CheckDigit` true exists for this exact VIN.
    pub fn check_digit_exception(&self, vin: &str) -> bool {
        self.check_digit_exceptions.contains(vin)
    }

    /// A rough size in bytes, for cache weighing.
    pub fn approx_bytes(&self) -> usize {
        let lookups: usize = self
            .lookup_tables
            .iter()
            .map(|t| t.values().map(|v| v.len() + 48).sum::<usize>())
            .sum();
        lookups + self.elements.len() * 128 + self.make_models.len() * 48
    }
}

/// Parses text that is exactly the decimal form of an `i32` (no sign `+`, no
/// leading zeros, no spaces): `"5"` → 5, `"05"` → none.
fn canonical_int(text: &str) -> Option<i32> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty()
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || (digits.len() > 1 && digits.starts_with('0'))
        || text == "-0"
    {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_ints_only() {
        assert_eq!(canonical_int("5"), Some(5));
        assert_eq!(canonical_int("0"), Some(0));
        assert_eq!(canonical_int("-3"), Some(-3));
        assert_eq!(canonical_int("05"), None);
        assert_eq!(canonical_int("+5"), None);
        assert_eq!(canonical_int(" 5"), None);
        assert_eq!(canonical_int(""), None);
        assert_eq!(canonical_int("99999999999"), None);
    }

    #[test]
    fn group_ranks_follow_exact_text() {
        assert_eq!(group_rank(None), 0);
        assert_eq!(group_rank(Some("")), 0);
        assert_eq!(group_rank(Some("General")), 1);
        assert_eq!(group_rank(Some("Exterior/Body")), 99);
        assert_eq!(group_rank(Some("Engine")), 16);
        assert_eq!(group_rank(Some("Internal")), 26);
    }
}
