//! The derivation itself, on rows already read from the staging tables: no
//! I/O here, so it is tested directly.
//!
//! A *group* is one (VIN schema, make, model): every trim, engine and
//! transmission hangs off a group, and a group is offered for every model
//! year its schema is linked for (through a public WMI).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::keys::PatternKey;
use super::spec::{SpecInput, add_spec_trims};
use super::text::{self, EngineParts, Kind};
use crate::model::Timestamp;

/// vPIC element ids the derivation reads.
pub(crate) mod element {
    /// Engine Number of Cylinders.
    pub const CYLINDERS: i64 = 9;
    /// Displacement (CC).
    pub const DISPLACEMENT_CC: i64 = 11;
    /// Displacement (L).
    pub const DISPLACEMENT_L: i64 = 13;
    /// Engine Model.
    pub const ENGINE_MODEL: i64 = 18;
    /// Fuel Type - Primary.
    pub const FUEL: i64 = 24;
    /// Model.
    pub const MODEL: i64 = 28;
    /// Series.
    pub const SERIES: i64 = 34;
    /// Transmission Style.
    pub const TRANSMISSION_STYLE: i64 = 37;
    /// Trim.
    pub const TRIM: i64 = 38;
    /// Transmission Speeds.
    pub const TRANSMISSION_SPEEDS: i64 = 63;
    /// Engine Configuration.
    pub const ENGINE_CONFIGURATION: i64 = 64;
    /// Turbo.
    pub const TURBO: i64 = 135;

    /// Every element the derivation reads from `pattern`.
    pub const ALL: [i64; 12] = [
        CYLINDERS,
        DISPLACEMENT_CC,
        DISPLACEMENT_L,
        ENGINE_MODEL,
        FUEL,
        MODEL,
        SERIES,
        TRANSMISSION_STYLE,
        TRIM,
        TRANSMISSION_SPEEDS,
        ENGINE_CONFIGURATION,
        TURBO,
    ];
}

/// The `trim_id` of rows that belong to a group regardless of trim.
pub(crate) const ANY_TRIM: i64 = -1;

/// One `pattern` row of an element the derivation reads.
#[derive(Debug, Clone)]
pub(crate) struct PatternIn {
    pub id: i64,
    pub schema_id: i64,
    pub keys: String,
    pub element_id: i64,
    pub attribute_id: String,
}

/// The staging rows the derivation needs.
#[derive(Debug, Clone, Default)]
pub(crate) struct Input {
    /// `wmi`: (id, publicavailabilitydate as text).
    pub wmis: Vec<(i64, Option<String>)>,
    /// `wmi_vinschema`: (wmiid, vinschemaid, yearfrom, yearto).
    pub links: Vec<(i64, i64, i64, Option<i64>)>,
    /// Ids of the schemas with `tobeqced` true (hidden from decoding).
    pub qc_schemas: HashSet<i64>,
    /// Patterns of the elements in [`element::ALL`].
    pub patterns: Vec<PatternIn>,
    /// `make_model`: (makeid, modelid).
    pub make_models: Vec<(i64, i64)>,
    /// `make` names by id.
    pub makes: HashMap<i64, String>,
    /// `model` names by id.
    pub models: HashMap<i64, String>,
    /// Lookup names by (table, id as decimal text): `engineconfiguration`,
    /// `fueltype`, `turbo`, `transmission`.
    pub lookups: HashMap<(&'static str, String), String>,
    /// `enginemodel`: (id, name).
    pub engine_models: Vec<(i64, String)>,
    /// `enginemodelpattern`: (enginemodelid, elementid, attributeid).
    pub engine_model_patterns: Vec<(i64, i64, String)>,
    /// The vehicle spec rows behind spec-derived trims.
    pub spec: SpecInput,
}

/// The derived rows, ready to be written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Output {
    /// Years with at least one make.
    pub years: BTreeSet<i32>,
    /// (year, make_id) → make name.
    pub makes: BTreeMap<(i32, i64), String>,
    /// (year, make_id, model_id) → model name.
    pub models: BTreeMap<(i32, i64, i64), String>,
    /// (year, make_id, model_id, group_id).
    pub group_years: BTreeSet<(i32, i64, i64, i64)>,
    /// trim id → name.
    pub trims: BTreeMap<i64, String>,
    /// (group_id, trim_id).
    pub group_trims: BTreeSet<(i64, i64)>,
    /// engine id → text.
    pub engines: BTreeMap<i64, String>,
    /// (group_id, trim_id or [`ANY_TRIM`], engine_id).
    pub group_engines: BTreeSet<(i64, i64, i64)>,
    /// transmission id → text.
    pub transmissions: BTreeMap<i64, String>,
    /// (group_id, trim_id or [`ANY_TRIM`], transmission_id).
    pub group_transmissions: BTreeSet<(i64, i64, i64)>,
}

impl Output {
    /// Row counts per derived table, for the dataset metadata.
    pub(crate) fn row_counts(&self) -> BTreeMap<String, i64> {
        let n = |x: usize| x as i64;
        BTreeMap::from([
            ("dd_year".to_string(), n(self.years.len())),
            ("dd_make".to_string(), n(self.makes.len())),
            // One packed list per year that has makes.
            ("dd_make_list".to_string(), n(self.years.len())),
            ("dd_model".to_string(), n(self.models.len())),
            ("dd_group_year".to_string(), n(self.group_years.len())),
            ("dd_trim".to_string(), n(self.trims.len())),
            ("dd_group_trim".to_string(), n(self.group_trims.len())),
            ("dd_engine".to_string(), n(self.engines.len())),
            ("dd_group_engine".to_string(), n(self.group_engines.len())),
            ("dd_transmission".to_string(), n(self.transmissions.len())),
            (
                "dd_group_transmission".to_string(),
                n(self.group_transmissions.len()),
            ),
        ])
    }
}

/// A pattern with its key parsed.
struct Pat<'a> {
    id: i64,
    keys: &'a str,
    key: PatternKey,
    element_id: i64,
    value: &'a str,
}

/// The years each usable schema is offered for: links of public WMIs to
/// non-QC schemas, clamped to `1980..=current_year + 2` (open ranges end there).
fn schema_years(input: &Input, now: Timestamp, current_year: i32) -> HashMap<i64, BTreeSet<i32>> {
    let public: HashSet<i64> = input
        .wmis
        .iter()
        .filter(|(_, date)| {
            date.as_deref()
                .and_then(Timestamp::parse)
                .is_some_and(|d| d <= now)
        })
        .map(|(id, _)| *id)
        .collect();
    let last = i64::from(current_year) + 2;
    let mut years: HashMap<i64, BTreeSet<i32>> = HashMap::new();
    for &(wmi_id, schema_id, from, to) in &input.links {
        if !public.contains(&wmi_id) || input.qc_schemas.contains(&schema_id) {
            continue;
        }
        let from = from.max(1980);
        let to = to.unwrap_or(last).min(last);
        if from > to {
            continue;
        }
        let set = years.entry(schema_id).or_default();
        // Both bounds are within 1980..=current+2 here, so they fit an i32.
        set.extend((from..=to).filter_map(|y| i32::try_from(y).ok()));
    }
    years
}

/// Patterns by element.
fn by_element<'p, 'a>(pats: &[&'p Pat<'a>]) -> HashMap<i64, Vec<&'p Pat<'a>>> {
    let mut map: HashMap<i64, Vec<&'p Pat<'a>>> = HashMap::new();
    for p in pats {
        map.entry(p.element_id).or_default().push(p);
    }
    map
}

/// Collects the value of one element (`candidates` are its patterns) for a
/// choice anchored on `anchor`:
/// the newest pattern with exactly the anchor's key text wins; otherwise the
/// value of the compatible patterns when they all agree; otherwise unknown.
fn element_value<'a>(
    anchor_keys: &str,
    anchor: &PatternKey,
    candidates: &[&Pat<'a>],
) -> Option<&'a str> {
    let mut same_key: Option<&Pat<'a>> = None;
    let mut agreed: Option<&'a str> = None;
    let mut conflict = false;
    for p in candidates {
        if p.keys == anchor_keys {
            if same_key.is_none_or(|s| p.id > s.id) {
                same_key = Some(p);
            }
        } else if p.key.compatible(anchor) {
            match agreed {
                None => agreed = Some(p.value),
                Some(v) if v.trim() == p.value.trim() => {}
                Some(_) => conflict = true,
            }
        }
    }
    match same_key {
        Some(p) => Some(p.value),
        None if conflict => None,
        None => agreed,
    }
}

/// Engine models by their normalized name (trimmed, lower-cased), as the
/// decoder finds them from an element-18 value.
struct EngineModels<'a> {
    patterns: HashMap<String, Vec<(i64, &'a str)>>,
}

impl<'a> EngineModels<'a> {
    fn new(input: &'a Input) -> EngineModels<'a> {
        let mut by_id: HashMap<i64, Vec<(i64, &'a str)>> = HashMap::new();
        for (model_id, element_id, value) in &input.engine_model_patterns {
            by_id
                .entry(*model_id)
                .or_default()
                .push((*element_id, value.as_str()));
        }
        let mut patterns: HashMap<String, Vec<(i64, &'a str)>> = HashMap::new();
        for (id, name) in &input.engine_models {
            if let Some(rows) = by_id.get(id) {
                patterns
                    .entry(name.trim().to_lowercase())
                    .or_default()
                    .extend(rows.iter().copied());
            }
        }
        EngineModels { patterns }
    }

    /// The value of `element_id` implied by engine model `name`, when its
    /// engine-model patterns agree on one.
    fn value(&self, name: &str, element_id: i64) -> Option<&'a str> {
        let rows = self.patterns.get(&name.trim().to_lowercase())?;
        let mut values = rows
            .iter()
            .filter(|(e, _)| *e == element_id)
            .map(|(_, v)| *v);
        let first = values.next()?;
        values.all(|v| v.trim() == first.trim()).then_some(first)
    }
}

/// A choice found for one model pattern: its text and the anchor key it
/// hangs on (for the trim association).
struct Found {
    text: String,
    key: PatternKey,
}

/// Runs the derivation.
pub(crate) fn compute(input: &Input, now: Timestamp, current_year: i32) -> Output {
    let years = schema_years(input, now, current_year);
    let mut makes_of_model: HashMap<i64, Vec<i64>> = HashMap::new();
    for &(make_id, model_id) in &input.make_models {
        if input.makes.contains_key(&make_id) {
            makes_of_model.entry(model_id).or_default().push(make_id);
        }
    }
    for makes in makes_of_model.values_mut() {
        makes.sort_unstable();
        makes.dedup();
    }
    let engine_models = EngineModels::new(input);
    let lookup = |table: &'static str, id: Option<&str>| -> Option<String> {
        input.lookups.get(&(table, id?.to_string())).cloned()
    };

    // Patterns of the usable schemas, by schema, in ascending id.
    let mut by_schema: BTreeMap<i64, Vec<Pat<'_>>> = BTreeMap::new();
    for p in &input.patterns {
        if !years.contains_key(&p.schema_id) {
            continue;
        }
        let Some(key) = PatternKey::parse(&p.keys) else {
            continue;
        };
        by_schema.entry(p.schema_id).or_default().push(Pat {
            id: p.id,
            keys: &p.keys,
            key,
            element_id: p.element_id,
            value: &p.attribute_id,
        });
    }

    let mut out = Output::default();
    let (mut trim_names, mut engine_names, mut transmission_names) = (
        Spellings::default(),
        Spellings::default(),
        Spellings::default(),
    );
    let mut group_ids: BTreeMap<(i64, i64, i64), i64> = BTreeMap::new();
    let mut ids = IdMemo::default();
    for (schema_id, pats) in &mut by_schema {
        pats.sort_by_key(|p| p.id);
        let Some(schema_years) = years.get(schema_id) else {
            continue;
        };
        let of = |ids: &[i64]| -> Vec<&Pat<'_>> {
            pats.iter()
                .filter(|p| ids.contains(&p.element_id))
                .collect()
        };
        let model_pats = of(&[element::MODEL]);
        let trim_pats = of(&[element::TRIM, element::SERIES]);
        let engine_pats = of(&[
            element::DISPLACEMENT_L,
            element::DISPLACEMENT_CC,
            element::CYLINDERS,
            element::ENGINE_MODEL,
            element::FUEL,
            element::ENGINE_CONFIGURATION,
            element::TURBO,
        ]);
        let transmission_pats = of(&[element::TRANSMISSION_STYLE, element::TRANSMISSION_SPEEDS]);

        for m in &model_pats {
            let Ok(model_id) = m.value.trim().parse::<i64>() else {
                continue;
            };
            // The decoder resolves the model by its id text exactly.
            if m.value != model_id.to_string() {
                continue;
            }
            let (Some(model_name), Some(makes)) =
                (input.models.get(&model_id), makes_of_model.get(&model_id))
            else {
                continue;
            };

            let trims: Vec<(&Pat<'_>, &str)> = trim_pats
                .iter()
                .filter(|t| t.key.compatible(&m.key))
                .filter_map(|t| {
                    let name = t.value.trim();
                    (!name.is_empty()).then_some((*t, name))
                })
                .collect();
            let engines = find_engines(m, &engine_pats, &engine_models, &lookup);
            let transmissions = find_transmissions(m, &transmission_pats, &lookup);

            for &make_id in makes {
                let Some(make_name) = input.makes.get(&make_id) else {
                    continue;
                };
                let next = group_ids.len() as i64 + 1;
                let group = *group_ids
                    .entry((*schema_id, make_id, model_id))
                    .or_insert(next);
                for &year in schema_years {
                    out.makes
                        .entry((year, make_id))
                        .or_insert_with(|| make_name.clone());
                    out.models
                        .entry((year, make_id, model_id))
                        .or_insert_with(|| model_name.clone());
                    out.group_years.insert((year, make_id, model_id, group));
                }
                let mut trim_ids = Vec::with_capacity(trims.len());
                for (t, name) in &trims {
                    let id = ids.get(Kind::Trim, make_id, model_id, name);
                    trim_names.add(id, name, t.element_id == element::TRIM);
                    out.group_trims.insert((group, id));
                    trim_ids.push((id, &t.key));
                }
                let mut link =
                    |found: &[Found],
                     kind: Kind,
                     names: &mut Spellings,
                     rows: &mut BTreeSet<(i64, i64, i64)>| {
                        for f in found {
                            let id = ids.get(kind, make_id, model_id, &f.text);
                            names.add(id, &f.text, true);
                            rows.insert((group, ANY_TRIM, id));
                            for (trim_id, trim_key) in &trim_ids {
                                if trim_key.compatible(&f.key) {
                                    rows.insert((group, *trim_id, id));
                                }
                            }
                        }
                    };
                link(
                    &engines,
                    Kind::Engine,
                    &mut engine_names,
                    &mut out.group_engines,
                );
                link(
                    &transmissions,
                    Kind::Transmission,
                    &mut transmission_names,
                    &mut out.group_transmissions,
                );
            }
        }
    }
    let mut next_group = group_ids.len() as i64;
    add_spec_trims(
        &input.spec,
        &mut out,
        &mut next_group,
        |out, group, make_id, model_id, name| {
            let id = text::stable_id(Kind::Trim, make_id, model_id, name);
            trim_names.add(id, name, true);
            out.group_trims.insert((group, id));
        },
    );
    out.years = out.makes.keys().map(|k| k.0).collect();
    out.trims = trim_names.resolve();
    out.engines = engine_names.resolve();
    out.transmissions = transmission_names.resolve();
    out
}

/// [`text::stable_id`] remembered: the same texts recur for every model
/// pattern of a schema, and hashing is the costly part.
#[derive(Default)]
struct IdMemo {
    known: HashMap<(Kind, i64, i64, String), i64>,
}

impl IdMemo {
    fn get(&mut self, kind: Kind, make_id: i64, model_id: i64, name: &str) -> i64 {
        let key = (kind, make_id, model_id, name.to_string());
        *self
            .known
            .entry(key)
            .or_insert_with(|| text::stable_id(kind, make_id, model_id, name))
    }
}

/// The spellings seen for each id. Texts with one normalized form share an
/// id; the name shown is the spelling of the Trim element over that of the
/// Series element, then the most frequent one, then the smallest, so it does
/// not depend on row order.
#[derive(Default)]
struct Spellings {
    seen: HashMap<i64, HashMap<String, (bool, u32)>>,
}

impl Spellings {
    fn add(&mut self, id: i64, name: &str, preferred: bool) {
        let names = self.seen.entry(id).or_default();
        // Most adds repeat a spelling already seen: no allocation for those.
        let e = match names.get_mut(name) {
            Some(e) => e,
            None => names.entry(name.to_string()).or_insert((false, 0)),
        };
        e.0 |= preferred;
        e.1 += 1;
    }

    fn resolve(self) -> BTreeMap<i64, String> {
        self.seen
            .into_iter()
            .filter_map(|(id, names)| {
                let best = names.into_iter().max_by(|(a, (ap, ac)), (b, (bp, bc))| {
                    ap.cmp(bp).then(ac.cmp(bc)).then(b.cmp(a))
                })?;
                Some((id, best.0))
            })
            .collect()
    }
}

/// Distinct anchor keys among `pats` of `elements` compatible with the model
/// pattern, in ascending pattern id.
fn anchors<'p, 'a>(compatible: &[&'p Pat<'a>], elements: &[i64]) -> Vec<&'p Pat<'a>> {
    let mut seen = HashSet::new();
    compatible
        .iter()
        .filter(|p| elements.contains(&p.element_id))
        .filter(|p| seen.insert(p.keys))
        .copied()
        .collect()
}

fn find_engines(
    m: &Pat<'_>,
    engine_pats: &[&Pat<'_>],
    engine_models: &EngineModels<'_>,
    lookup: &dyn Fn(&'static str, Option<&str>) -> Option<String>,
) -> Vec<Found> {
    let compatible: Vec<&Pat<'_>> = engine_pats
        .iter()
        .filter(|p| p.key.compatible(&m.key))
        .copied()
        .collect();
    let mut anchor_pats = anchors(
        &compatible,
        &[
            element::DISPLACEMENT_L,
            element::DISPLACEMENT_CC,
            element::CYLINDERS,
            element::ENGINE_MODEL,
        ],
    );
    if anchor_pats.is_empty() {
        // Vehicles whose data has only a fuel (electric ones, typically).
        anchor_pats = anchors(&compatible, &[element::FUEL]);
    }
    let by_el = by_element(&compatible);
    let mut found = Vec::new();
    let mut seen = HashSet::new();
    for a in anchor_pats {
        let get =
            |e: i64| element_value(a.keys, &a.key, by_el.get(&e).map_or(&[][..], Vec::as_slice));
        let engine_model = get(element::ENGINE_MODEL);
        // Engine-model patterns fill what the VIN patterns leave open, as
        // they do in a decode (a pattern always outranks them).
        let get_or_model =
            |e: i64| get(e).or_else(|| engine_model.and_then(|name| engine_models.value(name, e)));
        let parts = EngineParts {
            liters: get_or_model(element::DISPLACEMENT_L).map(str::to_string),
            cc: get_or_model(element::DISPLACEMENT_CC).map(str::to_string),
            cylinders: get_or_model(element::CYLINDERS).map(str::to_string),
            configuration: lookup(
                "engineconfiguration",
                get_or_model(element::ENGINE_CONFIGURATION),
            ),
            fuel: lookup("fueltype", get_or_model(element::FUEL)),
            turbo: lookup("turbo", get_or_model(element::TURBO)),
            engine_model: engine_model.map(str::to_string),
        };
        if let Some(text) = parts.text()
            && seen.insert((text.clone(), a.keys))
        {
            found.push(Found {
                text,
                key: a.key.clone(),
            });
        }
    }
    found
}

fn find_transmissions(
    m: &Pat<'_>,
    transmission_pats: &[&Pat<'_>],
    lookup: &dyn Fn(&'static str, Option<&str>) -> Option<String>,
) -> Vec<Found> {
    let compatible: Vec<&Pat<'_>> = transmission_pats
        .iter()
        .filter(|p| p.key.compatible(&m.key))
        .copied()
        .collect();
    let by_el = by_element(&compatible);
    let mut found = Vec::new();
    let mut seen = HashSet::new();
    for a in anchors(
        &compatible,
        &[element::TRANSMISSION_STYLE, element::TRANSMISSION_SPEEDS],
    ) {
        let get =
            |e: i64| element_value(a.keys, &a.key, by_el.get(&e).map_or(&[][..], Vec::as_slice));
        let style = lookup("transmission", get(element::TRANSMISSION_STYLE));
        let speeds = get(element::TRANSMISSION_SPEEDS);
        if let Some(text) = text::transmission_text(style.as_deref(), speeds)
            && seen.insert((text.clone(), a.keys))
        {
            found.push(Found {
                text,
                key: a.key.clone(),
            });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows of vPIC's 2003 Honda Accord schema (9774), trimmed to two
    /// engines, plus a QC-hidden schema, an unpublished WMI and an open link.
    fn accord() -> Input {
        let p = |id: i64, schema: i64, keys: &str, element_id: i64, value: &str| PatternIn {
            id,
            schema_id: schema,
            keys: keys.into(),
            element_id,
            attribute_id: value.into(),
        };
        let mut input = Input {
            wmis: vec![
                (2094, Some("2015-01-01 00:00:00".into())),
                (7000, None),
                (7001, Some("2999-01-01 00:00:00".into())),
            ],
            links: vec![
                (2094, 9774, 2003, Some(2003)),
                (2094, 8888, 2003, Some(2003)),
                (7000, 9775, 2004, Some(2004)),
                (7001, 9775, 2005, Some(2005)),
                // Open-ended from 1975: clamped to 1980..=current + 2.
                (2094, 9776, 1975, None),
            ],
            qc_schemas: HashSet::from([8888]),
            patterns: vec![
                p(421979, 9774, "CM82[67]", element::TRIM, "EX-V6"),
                p(421998, 9774, "CM822", element::TRIM, "LX-V6"),
                p(422055, 9774, "CM55[67]", element::TRIM, "EX"),
                p(421973, 9774, "CM82[67]", element::CYLINDERS, "6"),
                p(421975, 9774, "CM82[67]", element::ENGINE_MODEL, "J30A4"),
                p(421982, 9774, "CM82[67]", element::ENGINE_CONFIGURATION, "2"),
                p(858412, 9774, "CM82[67]", element::FUEL, "4"),
                p(858309, 9774, "CM55[67]", element::CYLINDERS, "4"),
                p(422051, 9774, "CM55[67]", element::ENGINE_MODEL, "K24A4"),
                p(858313, 9774, "CM55[67]", element::ENGINE_CONFIGURATION, "1"),
                p(858311, 9774, "CM55[67]", element::FUEL, "4"),
                p(421976, 9774, "CM8", element::MODEL, "1861"),
                p(422052, 9774, "CM5", element::MODEL, "1861"),
                // Formula keys never match in the pattern step.
                p(1, 9774, "CM###", element::MODEL, "1861"),
                // Not an id the decoder can resolve.
                p(2, 9774, "CM9", element::MODEL, "01861"),
                p(3, 8888, "CM8", element::MODEL, "1861"),
                p(4, 9775, "CM8", element::MODEL, "1861"),
                p(5, 9776, "XY", element::MODEL, "1861"),
            ],
            make_models: vec![(474, 1861)],
            makes: HashMap::from([(474, "Honda".to_string())]),
            models: HashMap::from([(1861, "Accord".to_string())]),
            engine_models: vec![(10, " k24a4 ".into())],
            engine_model_patterns: vec![(10, element::DISPLACEMENT_L, "2.4".into())],
            ..Input::default()
        };
        for (table, id, name) in [
            ("engineconfiguration", "1", "In-Line"),
            ("engineconfiguration", "2", "V-Shaped"),
            ("fueltype", "4", "Gasoline"),
        ] {
            input
                .lookups
                .insert((table, id.to_string()), name.to_string());
        }
        input
    }

    fn names(
        rows: &BTreeSet<(i64, i64, i64)>,
        names: &BTreeMap<i64, String>,
        trim: i64,
    ) -> Vec<String> {
        let mut v: Vec<String> = rows
            .iter()
            .filter(|r| r.1 == trim)
            .map(|r| names[&r.2].clone())
            .collect();
        v.sort();
        v.dedup();
        v
    }

    #[test]
    fn years_follow_public_non_qc_links() {
        let now = Timestamp::parse("2026-11-25 00:00:00").unwrap();
        let out = compute(&accord(), now, 2026);
        let years: BTreeSet<i32> = out.models.keys().map(|k| k.0).collect();
        // 2003 from schema 9774, 1980..=2028 from the open link of 9776;
        // 2004 (unpublished WMI) and 2005 (published in the future) only
        // through 9776, QC schema 8888 adds nothing of its own.
        assert_eq!(years, (1980..=2028).collect());
        let groups_2004: Vec<_> = out.group_years.iter().filter(|g| g.0 == 2004).collect();
        assert_eq!(groups_2004.len(), 1, "only the open link covers 2004");
        assert_eq!(
            out.makes.get(&(2003, 474)).map(String::as_str),
            Some("Honda")
        );
        assert_eq!(
            out.models.get(&(2003, 474, 1861)).map(String::as_str),
            Some("Accord")
        );
    }

    #[test]
    fn trims_and_engines_follow_key_compatibility() {
        let now = Timestamp::parse("2026-11-25 00:00:00").unwrap();
        let out = compute(&accord(), now, 2026);
        let g2003: Vec<i64> = out
            .group_years
            .iter()
            .filter(|g| g.0 == 2003)
            .map(|g| g.3)
            .collect();
        let trims: BTreeSet<&str> = out
            .group_trims
            .iter()
            .filter(|t| g2003.contains(&t.0))
            .map(|t| out.trims[&t.1].as_str())
            .collect();
        assert_eq!(trims, BTreeSet::from(["EX", "EX-V6", "LX-V6"]));
        let engines = names(&out.group_engines, &out.engines, ANY_TRIM);
        assert_eq!(
            engines,
            vec!["2.4L I4 Gasoline (K24A4)", "V6 Gasoline (J30A4)"]
        );
        // The V6 trim only has the V6 engine; the group rows of other
        // groups (schema 9776) have no engines at all.
        let ex_v6 = text::stable_id(Kind::Trim, 474, 1861, "EX-V6");
        assert_eq!(
            names(&out.group_engines, &out.engines, ex_v6),
            vec!["V6 Gasoline (J30A4)"]
        );
        let ex = text::stable_id(Kind::Trim, 474, 1861, "EX");
        assert_eq!(
            names(&out.group_engines, &out.engines, ex),
            vec!["2.4L I4 Gasoline (K24A4)"]
        );
        // No transmission data: nothing invented.
        assert!(out.transmissions.is_empty() && out.group_transmissions.is_empty());
    }

    #[test]
    fn spec_trims_join_offered_models() {
        let now = Timestamp::parse("2026-11-25 00:00:00").unwrap();
        let mut input = accord();
        input.spec = SpecInput {
            schemas: vec![(50, 474), (51, 474)],
            models: vec![(50, 1861), (51, 1861)],
            years: vec![(50, 2003)],
            patterns: vec![(500, 50), (501, 50), (510, 51)],
            keyed: HashSet::from([500, 510]),
            trims: vec![
                (500, "Special Edition".into()),
                // No key row: never applies.
                (501, "Ghost".into()),
                (510, "Everywhere".into()),
            ],
        };
        let out = compute(&input, now, 2026);
        let trims_of = |year: i32| -> BTreeSet<&str> {
            let groups: Vec<i64> = out
                .group_years
                .iter()
                .filter(|g| g.0 == year)
                .map(|g| g.3)
                .collect();
            out.group_trims
                .iter()
                .filter(|t| groups.contains(&t.0))
                .map(|t| out.trims[&t.1].as_str())
                .collect()
        };
        assert!(trims_of(2003).contains("Special Edition"));
        assert!(trims_of(2003).contains("Everywhere"));
        assert!(!trims_of(2010).contains("Special Edition"));
        assert!(trims_of(2010).contains("Everywhere"));
        assert!(!out.trims.values().any(|n| n == "Ghost"));
    }

    #[test]
    fn spelling_prefers_trim_then_frequency() {
        let mut s = Spellings::default();
        s.add(1, "SPORT", false);
        s.add(1, "SPORT", false);
        s.add(1, "Sport", true);
        s.add(2, "Si", true);
        s.add(2, "SI", true);
        s.add(2, "Si", true);
        s.add(3, "b", true);
        s.add(3, "B", true);
        let r = s.resolve();
        assert_eq!(r[&1], "Sport");
        assert_eq!(r[&2], "Si");
        assert_eq!(r[&3], "B");
    }
}
