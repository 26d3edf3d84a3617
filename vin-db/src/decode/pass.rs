//! One core pass (spec 3.1–3.19).

use std::cell::RefCell;
use std::fmt::Write as _;
use std::hash::BuildHasher as _;
use std::sync::{Arc, OnceLock};

use vin_core::KeyText;
use vin_core::VinText;
use vin_core::check_digit::{self, Variant};

use super::item::{ElementSet, Item, Src, Val, created_desc_nulls_first, dedup};
use super::numeric;
use super::scan::{self, ScanOutcome};
use crate::catalog::{Globals, WmiCatalog};
use crate::model::Timestamp;

/// Everything a pass needs that does not change between passes.
pub(crate) struct Context<'a> {
    pub globals: &'a Globals,
    pub catalog: &'a WmiCatalog,
    pub vin: &'a VinText,
    /// The VIN's characters (at most 17).
    pub chars: &'a [char],
    pub keys: &'a KeyText,
    pub formula_keys: &'a KeyText,
    pub now: Timestamp,
    pub descriptor: &'a Arc<str>,
}

/// The parameters of one pass (spec 2.5).
#[derive(Debug, Clone)]
pub(crate) struct PassPlan {
    pub id: u8,
    pub year: Option<i32>,
    pub year_source: Arc<str>,
    pub conclusive: bool,
    pub code12: bool,
}

/// A finished pass.
#[derive(Debug)]
pub(crate) struct Pass {
    pub plan: PassPlan,
    pub items: Vec<Item>,
    /// Ascending.
    pub codes: Vec<i32>,
    pub suggested_vin: Arc<str>,
    pub possible_values: Arc<str>,
    pub additional: Option<Arc<str>>,
    pub error_text: Arc<str>,
    pub wmi_known: bool,
    pub used_positions: Vec<u8>,
    pub unused_positions: Vec<u8>,
    /// Code 1 not raised on a 17-character VIN (`None` when shorter).
    pub check_digit_ok: Option<bool>,
}

/// Element ids with a fixed role.
mod el {
    pub const BODY_CLASS: i32 = 5;
    pub const ENGINE_MODEL: i32 = 18;
    pub const MAKE: i32 = 26;
    pub const MANUFACTURER: i32 = 27;
    pub const MODEL: i32 = 28;
    pub const MODEL_YEAR: i32 = 29;
    pub const VEHICLE_TYPE: i32 = 39;
    pub const MANUFACTURER_ID: i32 = 157;
}

const OFF_ROAD_BODIES: [&str; 10] = [
    "69", "84", "86", "88", "97", "105", "113", "124", "126", "127",
];
const INCOMPLETE_BODIES: [&str; 16] = [
    "62", "63", "64", "65", "67", "70", "71", "72", "74", "75", "76", "77", "78", "107", "112",
    "116",
];
/// Elements that may take a spec value beside their pattern values (spec 3.10 step 3).
const SPEC_ADDITIVE: [i32; 9] = [1, 114, 121, 129, 150, 154, 155, 169, 186];

struct Builder {
    items: Vec<Item>,
    next_seq: u32,
}

impl Builder {
    fn push(&mut self, mut item: Item) {
        item.seq = self.next_seq;
        self.next_seq += 1;
        self.items.push(item);
    }

    fn has(&self, element: i32) -> bool {
        self.items.iter().any(|i| i.element == element)
    }

    fn first(&self, element: i32) -> Option<&Item> {
        self.items.iter().find(|i| i.element == element)
    }
}

fn add_code(codes: &mut Vec<i32>, code: i32) {
    if !codes.contains(&code) {
        codes.push(code);
    }
}

/// A number as decimal text, allocated once (no intermediate `String`).
pub(crate) fn int_text(v: i32) -> Arc<str> {
    let mut buf = [0u8; 11];
    let mut at = buf.len();
    let mut n = v.unsigned_abs();
    loop {
        at -= 1;
        // A remainder of 10 is below 10: the cast keeps the digit.
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        at -= 1;
        buf[at] = b'-';
    }
    // Only ASCII digits and '-' were written.
    Arc::from(std::str::from_utf8(&buf[at..]).unwrap_or_default())
}

/// A remembered number and its text.
type IdText = Option<(i32, Arc<str>)>;

thread_local! {
    /// Recently printed ids and years (vehicle types, manufacturers, makes,
    /// model years recur from one decode to the next), by a hash of the number.
    static ID_TEXTS: RefCell<[IdText; 1024]> =
        const { RefCell::new([const { None }; 1024]) };
}

/// [`int_text`], shared with earlier decodes on this thread when it can be.
pub(crate) fn id_text(v: i32) -> Arc<str> {
    // Fibonacci hashing: the top 10 bits of the product pick the slot.
    let slot = (v.cast_unsigned().wrapping_mul(0x9E37_79B9) >> 22) as usize;
    ID_TEXTS.with_borrow_mut(|cache| match &mut cache[slot] {
        Some((id, text)) if *id == v => text.clone(),
        entry => {
            let text = int_text(v);
            *entry = Some((v, text.clone()));
            text
        }
    })
}

thread_local! {
    /// Recently built result texts (error texts, code lists), by a hash of
    /// their content.
    static RESULT_TEXTS: RefCell<[Option<Arc<str>>; 256]> =
        const { RefCell::new([const { None }; 256]) };
}

/// `text` as a shared string, the same allocation as an earlier decode's on
/// this thread when it can be. A few texts (the error text, the code list)
/// are built per decode yet take few distinct values: sharing them saves an
/// allocation per decode and lets callers that number strings by address
/// (the Node binding) find them without reading them.
pub(crate) fn result_text(text: &str) -> Arc<str> {
    if text.is_empty() {
        return empty_text();
    }
    let hash = rustc_hash::FxBuildHasher.hash_one(text);
    // The top bits of an Fx hash are its best mixed.
    let slot = (hash >> 56) as usize;
    RESULT_TEXTS.with_borrow_mut(|cache| match &mut cache[slot] {
        Some(shared) if **shared == *text => shared.clone(),
        entry => {
            let shared: Arc<str> = Arc::from(text);
            *entry = Some(shared.clone());
            shared
        }
    })
}

/// `Not Applicable`, shared by every lookup default of `0`.
fn not_applicable_text() -> Arc<str> {
    static TEXT: OnceLock<Arc<str>> = OnceLock::new();
    TEXT.get_or_init(|| Arc::from("Not Applicable")).clone()
}

/// The empty text, shared: blank keys and empty outputs allocate nothing.
pub(crate) fn empty_text() -> Arc<str> {
    static EMPTY: OnceLock<Arc<str>> = OnceLock::new();
    EMPTY.get_or_init(|| Arc::from("")).clone()
}

/// Parses an `AttributeId` the way a PostgreSQL `::int` cast would accept it.
fn attribute_int(a: Option<&Arc<str>>) -> Option<i32> {
    a.and_then(|a| a.trim().parse().ok())
}

/// Runs one core pass.
pub(crate) fn run(ctx: &Context<'_>, plan: PassPlan) -> Pass {
    let cat = ctx.catalog;
    let my = plan.year;
    let mut b = Builder {
        items: super::item::item_buffer(),
        next_seq: 1,
    };
    let mut codes: Vec<i32> = Vec::with_capacity(8);
    let mut suggested = String::new();
    let mut possible = String::new();
    let mut unused_list: Option<String> = None;
    let mut used_positions = Vec::new();
    let mut unused_positions = Vec::new();

    let wmi_row = cat.public_row(ctx.now);
    if let Some(wmi_row) = wmi_row {
        let wmi_keys = cat.wmi_arc().clone();
        // 3.2 pattern matching: one item per (pattern, covering link).
        let mut found = Vec::with_capacity(64);
        cat.matches(ctx.keys, my, ctx.now, &mut found);
        for m in &found {
            let p = cat.pattern(m.schema as usize, m.pattern as usize);
            let link = &cat.links[m.link as usize];
            let mut it = Item::new(p.element, Src::Pattern, link.year_from);
            it.created_on = p.changed();
            it.pattern_id = Some(p.id);
            it.keys = Some(p.keys_upper().clone());
            it.vin_schema_id = Some(cat.schemas[m.schema as usize].id);
            it.wmi_id = Some(cat.rows[link.row].id);
            it.attribute = Some(p.attribute().clone());
            it.value = Val::Pending(p.display().clone());
            it.tobe_qced = Some(false);
            b.push(it);
        }

        // 3.3 engine-model patterns: the element-18 item by priority, time, last created.
        let chosen = b
            .items
            .iter()
            .filter(|i| i.element == el::ENGINE_MODEL)
            .min_by(|x, y| {
                y.priority
                    .cmp(&x.priority)
                    .then_with(|| created_desc_nulls_first(x.created_on, y.created_on))
                    .then_with(|| y.seq.cmp(&x.seq))
            })
            .cloned();
        if let Some(chosen) = chosen {
            let name = chosen.attribute.as_deref().unwrap_or("");
            for &em in ctx.globals.engine_models_named(name) {
                for row in ctx.globals.engine_patterns(em) {
                    let mut it = Item::new(row.element, Src::EngineModelPattern, 50);
                    it.created_on = row.changed;
                    it.pattern_id = chosen.pattern_id;
                    it.keys = chosen.keys.clone();
                    it.vin_schema_id = chosen.vin_schema_id;
                    it.wmi_id = Some(wmi_row.id);
                    it.attribute = Some(row.attribute.clone());
                    it.value = Val::Pending(row.display.clone());
                    it.qc_schema = chosen.qc_schema;
                    b.push(it);
                }
            }
        }

        // 3.4 WMI-derived items.
        if let Some(vt) = wmi_row.vehicle_type_id
            && let Some(name) = ctx.globals.vehicle_type_upper.get(&vt)
        {
            let mut it = Item::new(el::VEHICLE_TYPE, Src::VehType, 100);
            it.created_on = wmi_row.changed;
            it.keys = Some(wmi_keys.clone());
            it.wmi_id = Some(wmi_row.id);
            it.attribute = Some(id_text(vt));
            it.value = Val::Text(Some(name.clone()));
            b.push(it);
        }
        let manufacturer = wmi_row
            .manufacturer_id
            .and_then(|m| ctx.globals.manufacturer_upper.get(&m).map(|n| (m, n)));
        let mut name_item = Item::new(el::MANUFACTURER, Src::ManuName, 100);
        name_item.keys = Some(wmi_keys.clone());
        name_item.wmi_id = Some(wmi_row.id);
        let mut id_item = Item::new(el::MANUFACTURER_ID, Src::ManuId, 100);
        id_item.keys = Some(wmi_keys.clone());
        id_item.wmi_id = Some(wmi_row.id);
        if let Some((id, name)) = manufacturer {
            let id = id_text(id);
            name_item.attribute = Some(id.clone());
            name_item.value = Val::Text(Some(name.clone()));
            id_item.attribute = Some(id.clone());
            id_item.value = Val::Text(Some(id));
        }
        b.push(name_item);
        b.push(id_item);

        // 3.5 model year.
        if let Some(y) = my {
            let mut it = Item::new(el::MODEL_YEAR, Src::ModelYear, 100);
            it.keys = Some(plan.year_source.clone());
            let y = id_text(y);
            it.attribute = Some(y.clone());
            it.value = Val::Text(Some(y));
            b.push(it);
        }

        // 3.6 formula patterns.
        for f in &cat.formulas {
            let p = cat.pattern(f.schema, f.pattern);
            if !f.key.matches_formula(ctx.formula_keys) || !cat.schema_covers(f.schema, my) {
                continue;
            }
            let Some(slice) = f.key.formula_slice(ctx.keys) else {
                continue;
            };
            let schema = &cat.schemas[f.schema];
            let mut it = Item::new(p.element, Src::Formula, 100);
            it.created_on = p.changed();
            it.pattern_id = Some(p.id);
            it.keys = Some(p.keys().clone());
            it.vin_schema_id = Some(schema.id);
            it.attribute = Some(p.attribute().clone());
            it.value = Val::Text(Some(Arc::from(slice)));
            it.qc_schema = schema.qc;
            b.push(it);
        }

        // 3.7 de-duplication.
        dedup(&mut b.items);

        // 3.8 make.
        let model = b.first(el::MODEL).cloned();
        match &model {
            Some(model) => {
                let makes = attribute_int(model.attribute.as_ref())
                    .and_then(|m| ctx.globals.make_models.get(&m));
                for &make in makes.into_iter().flatten() {
                    let Some(name) = ctx.globals.make_upper.get(&make) else {
                        continue;
                    };
                    let mut it = Item::new(el::MAKE, Src::PatternModel, 1000);
                    it.pattern_id = model.pattern_id;
                    it.keys = model.keys.clone();
                    it.vin_schema_id = model.vin_schema_id;
                    it.attribute = Some(id_text(make));
                    it.value = Val::Text(Some(name.clone()));
                    it.qc_schema = model.qc_schema;
                    b.push(it);
                }
            }
            None => {
                let mut joined = cat
                    .makes
                    .iter()
                    .filter(|(row, _)| cat.rows[*row].is_public(ctx.now));
                if let (Some(&(row, make)), None) = (joined.next(), joined.next())
                    && let Some(name) = ctx.globals.make_upper.get(&make)
                {
                    let row = &cat.rows[row];
                    let mut it = Item::new(el::MAKE, Src::Make, -100);
                    it.created_on = row.changed;
                    it.keys = Some(wmi_keys.clone());
                    it.wmi_id = Some(row.id);
                    it.attribute = Some(id_text(make));
                    it.value = Val::Text(Some(name.clone()));
                    b.push(it);
                }
            }
        }

        // 3.9 conversions.
        convert(ctx.globals, &mut b);

        // 3.10 vehicle specs.
        vehicle_specs(ctx, &mut b, my, model.as_ref());

        // 3.11 code 8 or the error scan.
        if b.items.iter().any(|i| i.pattern_id.is_some()) {
            let ScanOutcome {
                codes: scan_codes,
                suggested_vin,
                possible_values,
                used,
                unused,
            } = scan::scan(ctx, &cat.valid_chars(my), &b.items);
            for c in scan_codes {
                add_code(&mut codes, c);
            }
            suggested = suggested_vin;
            possible = possible_values;
            if !unused.is_empty() {
                add_code(&mut codes, 14);
                let mut list = String::with_capacity(unused.len() * 3);
                for (n, &pos) in unused.iter().enumerate() {
                    if n > 0 {
                        list.push(',');
                    }
                    scan::push_number(&mut list, usize::from(pos));
                }
                unused_list = Some(list);
            }
            used_positions = used;
            unused_positions = unused;
        } else {
            add_code(&mut codes, 8);
        }
    } else {
        add_code(&mut codes, 7);
    }

    // 3.12 body-class flags and model year.
    let mut off_road = false;
    let bodies = || {
        b.items
            .iter()
            .filter(|i| i.element == el::BODY_CLASS)
            .filter_map(|i| i.attribute.as_deref())
    };
    if bodies().any(|a| a == "64") {
        add_code(&mut codes, 9);
    }
    if bodies().any(|a| OFF_ROAD_BODIES.contains(&a)) {
        add_code(&mut codes, 10);
        off_road = true;
    }
    let incomplete_body = bodies().any(|a| INCOMPLETE_BODIES.contains(&a));
    if my.is_none() {
        add_code(&mut codes, 11);
    }

    // 3.13 context for the character checks.
    let vehicle_type = b.first(el::VEHICLE_TYPE).and_then(|i| i.attribute.clone());
    let exception = ctx.globals.check_digit_exception(ctx.vin.as_str());
    let nine_at_3 = ctx.chars.get(2) == Some(&'9');
    let cd_car_lt = !nine_at_3 && cat.car_lt();
    let start_pos = if nine_at_3 {
        15
    } else if cd_car_lt {
        13
    } else {
        14
    };

    // 3.14 invalid characters.
    let invalid = scan::invalid_positions(ctx.chars, start_pos, off_road || exception);
    if !invalid.is_empty() {
        add_code(&mut codes, 400);
        if suggested.is_empty() {
            suggested = ctx.vin.as_str().to_string();
        }
        let mut s: Vec<char> = suggested.chars().collect();
        for &(j, _) in &invalid {
            match s.get_mut(j - 1) {
                Some(c) => *c = '!',
                None => s.push('!'),
            }
        }
        suggested = s.into_iter().collect();
    }

    // 3.15 caller-year mismatch.
    if plan.code12 {
        add_code(&mut codes, 12);
    }

    // 3.16 defaults.
    if let Some(defaults) =
        attribute_int(vehicle_type.as_ref()).and_then(|vt| ctx.globals.defaults.get(&vt))
    {
        // Whether an element is missing is decided before any default is added.
        let mut present = ElementSet::default();
        for item in &b.items {
            present.insert(item.element);
        }
        for d in defaults {
            if present.contains(d.element) {
                continue;
            }
            let mut it = Item::new(d.element, Src::Default, 10);
            it.created_on = d.changed;
            it.attribute = Some(d.value.clone());
            it.value = if d.not_applicable {
                Val::Text(Some(not_applicable_text()))
            } else {
                Val::Pending(d.display.clone())
            };
            b.push(it);
        }
    }

    // 3.17 length and check digit.
    let mut check_digit_ok = None;
    if ctx.chars.len() < 17 {
        add_code(&mut codes, 6);
    } else {
        let computed = check_digit::vpic(ctx.vin, Variant::CarLtAware { car_lt: cd_car_lt });
        let ok = computed == ctx.chars.get(8).copied() || exception;
        check_digit_ok = Some(ok);
        if !ok {
            add_code(&mut codes, 1);
        }
    }

    // 3.18 code 0, code 14, texts.
    let significant = codes.iter().filter(|c| ![9, 10, 12].contains(*c)).count();
    if significant == 0 || (significant == 1 && codes.contains(&14)) {
        add_code(&mut codes, 0);
        if !b.has(el::MODEL) {
            add_code(&mut codes, 14);
        }
    }
    codes.sort_unstable();
    codes.retain(|c| ctx.globals.error_codes.contains_key(c));

    let texts = scan::Texts {
        codes: &codes,
        off_road,
        exception,
        unused_list: unused_list.as_deref(),
        invalid: &invalid,
        incomplete: vehicle_type.as_deref() == Some("10") || incomplete_body,
        conclusive: plan.conclusive,
    };
    let error_text = result_text(&texts.error_text(ctx.globals));
    let additional = texts.additional(ctx.globals).map(|a| result_text(&a));
    let mut code_list = String::with_capacity(codes.len() * 4);
    for (i, &c) in codes.iter().enumerate() {
        if i > 0 {
            code_list.push(',');
        }
        match usize::try_from(c) {
            Ok(c) => scan::push_number(&mut code_list, c),
            // Writing into a String cannot fail.
            Err(_) => _ = write!(code_list, "{c}"),
        }
    }

    // 3.19 corrections.
    // Mostly empty; otherwise particular to the VIN: not worth a slot.
    let particular = |s: String| {
        if s.is_empty() {
            empty_text()
        } else {
            Arc::from(s)
        }
    };
    let suggested = particular(suggested);
    let possible = particular(possible);
    let empty = empty_text();
    let corrections: [(i32, Option<Arc<str>>); 6] = [
        (142, Some(suggested.clone())),
        (143, Some(result_text(&code_list))),
        (144, Some(possible.clone())),
        (156, additional.clone()),
        (191, Some(error_text.clone())),
        (196, Some(ctx.descriptor.clone())),
    ];
    for (element, value) in corrections {
        let mut it = Item::new(element, Src::Corrections, 999);
        it.keys = Some(empty.clone());
        it.attribute = value.clone();
        it.value = Val::Text(value);
        b.push(it);
    }

    Pass {
        plan,
        items: b.items,
        codes,
        suggested_vin: suggested,
        possible_values: possible,
        additional,
        error_text,
        wmi_known: wmi_row.is_some(),
        used_positions,
        unused_positions,
        check_digit_ok,
    }
}

/// Spec 3.9: one conversion item per target element not yet decoded.
fn convert(globals: &Globals, b: &mut Builder) {
    let mut pending: Vec<(usize, usize)> = Vec::new();
    for (i, item) in b.items.iter().enumerate() {
        for (c, conv) in globals.conversions.iter().enumerate() {
            if conv.from == item.element && globals.element(conv.to).is_some() {
                pending.push((i, c));
            }
        }
    }
    if pending.is_empty() {
        return;
    }
    pending.sort_by(|&(ia, ca), &(ib, cb)| {
        let (a, bb) = (&b.items[ia], &b.items[ib]);
        bb.priority
            .cmp(&a.priority)
            .then_with(|| created_desc_nulls_first(a.created_on, bb.created_on))
            .then_with(|| globals.conversions[ca].id.cmp(&globals.conversions[cb].id))
    });
    for (i, c) in pending {
        let conv = &globals.conversions[c];
        if b.has(conv.to) {
            continue;
        }
        let source = b.items[i].clone();
        let attribute = source.attribute.as_deref();
        let result: Arc<str> = Arc::from(numeric::evaluate(&conv.formula, attribute));
        let mut text = String::with_capacity(64);
        text.push_str("Conversion ");
        match usize::try_from(conv.id) {
            Ok(id) => scan::push_number(&mut text, id),
            // Writing into a String cannot fail.
            Err(_) => _ = write!(text, "{}", conv.id),
        }
        text.push_str(": ");
        let mut rest = conv.formula.split("#x#");
        text.push_str(rest.next().unwrap_or_default());
        for piece in rest {
            text.push_str(attribute.unwrap_or(""));
            text.push_str(piece);
        }
        let text = scan::cut(text, 50);
        let mut it = Item::new(conv.to, Src::Conversion(Box::new(Arc::from(text))), 100);
        it.pattern_id = source.pattern_id;
        it.keys = source.keys.clone();
        it.vin_schema_id = source.vin_schema_id;
        it.wmi_id = source.wmi_id;
        it.attribute = Some(result.clone());
        it.value = Val::Text(Some(result));
        it.qc_schema = source.qc_schema;
        b.push(it);
    }
}

fn eq_ignore_case(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b) || (!a.is_ascii() && a.to_lowercase() == b.to_lowercase())
}

/// Spec 3.10: vehicle-spec values.
fn vehicle_specs(ctx: &Context<'_>, b: &mut Builder, my: Option<i32>, model: Option<&Item>) {
    let cat = ctx.catalog;
    if cat.spec_groups.is_empty() {
        return;
    }
    let vt = attribute_int(b.first(el::VEHICLE_TYPE).and_then(|i| i.attribute.as_ref()));
    let model_id = attribute_int(model.and_then(|m| m.attribute.as_ref()));
    let (Some(vt), Some(model_id)) = (vt, model_id) else {
        return;
    };
    let mut chosen: Vec<(usize, usize)> = Vec::new();
    for (g, group) in cat.spec_groups.iter().enumerate() {
        let year_ok = if group.years.is_empty() {
            true
        } else {
            my.is_some_and(|y| group.years.contains(&y))
        };
        if group.vehicle_type_id != Some(vt)
            || !group.model_ids.contains(&model_id)
            || !year_ok
            || group.schema_qc.unwrap_or(false)
        {
            continue;
        }
        let mut sum = 0usize;
        let mut matched_items: Vec<usize> = Vec::new();
        for (element, attribute) in &group.keys {
            let mut n = 0usize;
            for (i, item) in b.items.iter().enumerate() {
                if item.element == *element
                    && item
                        .attribute
                        .as_deref()
                        .is_some_and(|a| eq_ignore_case(a, attribute))
                {
                    n += 1;
                    if !matched_items.contains(&i) {
                        matched_items.push(i);
                    }
                }
            }
            sum += n.max(1);
        }
        if sum != matched_items.len() {
            continue;
        }
        for (v, value) in group.values.iter().enumerate() {
            if !SPEC_ADDITIVE.contains(&value.element) && b.has(value.element) {
                continue;
            }
            chosen.push((g, v));
        }
    }
    // One row per element: latest change (NULL latest), then highest row id.
    let mut best: Vec<(usize, usize)> = Vec::new();
    for (g, v) in chosen {
        let value = &cat.spec_groups[g].values[v];
        match best
            .iter_mut()
            .find(|(bg, bv)| cat.spec_groups[*bg].values[*bv].element == value.element)
        {
            Some(slot) => {
                let cur = &cat.spec_groups[slot.0].values[slot.1];
                let newer = match created_desc_nulls_first(value.changed, cur.changed) {
                    std::cmp::Ordering::Less => true,
                    std::cmp::Ordering::Equal => value.id > cur.id,
                    std::cmp::Ordering::Greater => false,
                };
                if newer {
                    *slot = (g, v);
                }
            }
            None => best.push((g, v)),
        }
    }
    best.sort_by_key(|&(g, v)| cat.spec_groups[g].values[v].element);
    let empty = empty_text();
    for (g, v) in best {
        let group = &cat.spec_groups[g];
        let value = &group.values[v];
        let mut it = Item::new(value.element, Src::VehicleSpecs, -100);
        it.created_on = value.changed;
        it.pattern_id = Some(group.id);
        it.keys = Some(empty.clone());
        it.vin_schema_id = Some(group.schema_id);
        it.attribute = Some(value.attribute.clone());
        it.value = Val::Pending(value.display.clone());
        it.tobe_qced = group.schema_qc;
        b.push(it);
    }
}
