//! The final steps on the chosen pass (spec 3.20): QC sweep, display values,
//! projection, value clean-up, order, and the [`Decoded`] built from them.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Arc;

use super::item::Item;
use super::pass::Pass;
use super::result::{Attribute, Decoded, DecodedValue, Facts, Provenance};
use crate::catalog::Globals;

/// Step 4: TAB, CR and LF become spaces. Most values have none and are shared
/// with the catalog as they are.
fn clean(value: &Arc<str>) -> Arc<str> {
    if value.bytes().any(|b| matches!(b, b'\t' | b'\r' | b'\n')) {
        Arc::from(value.replace(['\t', '\r', '\n'], " "))
    } else {
        value.clone()
    }
}

fn number<T: std::str::FromStr>(d: &Decoded, globals: &Globals, element: i32) -> Option<T> {
    let name = &globals.element(element)?.name;
    d.get(name).and_then(|v| v.trim().parse().ok())
}

/// The byte order of the element names of one [`Globals`], indexed by
/// element id. A hint: the order built from it is checked before it is used.
#[derive(Default)]
struct Orders {
    /// The globals it was computed for (address and version).
    source: (usize, i64),
    /// Position in the byte order of the names.
    name: Vec<u32>,
}

impl Orders {
    fn refresh(&mut self, globals: &Globals) {
        let source = (std::ptr::from_ref(globals) as usize, globals.version());
        if self.source == source {
            return;
        }
        let mut names: Vec<(&str, i32)> = globals.elements().map(|e| (&*e.name, e.id)).collect();
        names.sort_unstable();
        self.name.clear();
        for (rank, &(_, id)) in names.iter().enumerate() {
            if let Ok(id) = usize::try_from(id) {
                if self.name.len() <= id {
                    self.name.resize(id + 1, u32::MAX);
                }
                self.name[id] = u32::try_from(rank).unwrap_or(u32::MAX);
            }
        }
        self.source = source;
    }

    fn get(table: &[u32], id: i32) -> u32 {
        usize::try_from(id)
            .ok()
            .and_then(|i| table.get(i).copied())
            .unwrap_or(u32::MAX)
    }
}

thread_local! {
    /// The name order of the globals last seen on this thread.
    static ORDERS: RefCell<Orders> = RefCell::new(Orders::default());
}

/// Steps 3 and 5: the printed items with their elements, ordered by group
/// rank, element id, creation; the order packed in one number (rank: 8 bits,
/// id: 24 bits, sequence: 32 bits) beside the item's index, so the sort
/// moves little.
pub(super) fn output_rows<'a>(
    globals: &'a Globals,
    items: &'a [Item],
) -> Vec<(&'a Item, &'a crate::catalog::ElementInfo)> {
    let mut packed = true;
    let mut order: Vec<(u64, u32)> = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let Some(e) = globals.element(item.element).filter(|e| e.printed) else {
            continue;
        };
        let id = u64::try_from(e.id).unwrap_or(u64::MAX);
        let index = u32::try_from(index).unwrap_or(u32::MAX);
        packed &= id < 1 << 24 && index < u32::MAX;
        let key = (u64::from(e.group_rank) << 56) | (id << 32) | u64::from(item.seq);
        order.push((key, index));
    }
    let mut rows: Vec<(&Item, &crate::catalog::ElementInfo)> = Vec::with_capacity(order.len());
    if packed {
        order.sort_unstable_by_key(|r| r.0);
        for &(_, index) in &order {
            let item = &items[index as usize];
            if let Some(e) = globals.element(item.element) {
                rows.push((item, e));
            }
        }
    } else {
        rows.extend(
            items
                .iter()
                .filter_map(|i| globals.element(i.element).map(|e| (i, e)))
                .filter(|(_, e)| e.printed),
        );
        rows.sort_unstable_by_key(|(i, e)| (e.group_rank, e.id, i.seq));
    }
    rows
}

/// The position of each variable in name order, as the attribute map holds
/// them: by the elements' name ranks when those are known (checked), by the
/// names themselves otherwise. Equal names end up adjacent.
fn name_order(globals: &Globals, vars: &[(i32, Arc<str>, Attribute)]) -> Vec<usize> {
    let mut order: Vec<u64> = ORDERS.with_borrow_mut(|orders| {
        orders.refresh(globals);
        vars.iter()
            .enumerate()
            .map(|(n, (id, _, _))| (u64::from(Orders::get(&orders.name, *id)) << 32) | n as u64)
            .collect()
    });
    // Rank, then position: unique keys, so an unstable sort of numbers will do.
    order.sort_unstable();
    let mut order: Vec<usize> = order
        .into_iter()
        .map(|k| (k & 0xFFFF_FFFF) as usize)
        .collect();
    if !order.is_sorted_by(|&a, &b| vars[a].1 <= vars[b].1) {
        order.sort_unstable_by(|&a, &b| (&vars[a].1, a).cmp(&(&vars[b].1, b)));
    }
    order
}

/// The attribute map from the printed variables (one entry per element id,
/// in output order): two elements of one name form one list.
fn attributes(
    globals: &Globals,
    vars: Vec<(i32, Arc<str>, Attribute)>,
) -> BTreeMap<Arc<str>, Attribute> {
    let order = name_order(globals, &vars);
    let mut vars: Vec<Option<(Arc<str>, Attribute)>> = vars
        .into_iter()
        .map(|(_, name, attr)| Some((name, attr)))
        .collect();
    let mut merged: Vec<(Arc<str>, Attribute)> = Vec::with_capacity(vars.len());
    for (name, attr) in order.into_iter().filter_map(|n| vars[n].take()) {
        match merged.last_mut() {
            Some((last, slot)) if *last == name => {
                let mut all = match std::mem::replace(slot, Attribute::Many(Vec::new())) {
                    Attribute::One(v) => vec![v],
                    Attribute::Many(v) => v,
                };
                match attr {
                    Attribute::One(v) => all.push(v),
                    Attribute::Many(mut v) => all.append(&mut v),
                }
                all.sort();
                *slot = Attribute::Many(all);
            }
            _ => merged.push((name, attr)),
        }
    }
    // Sorted and free of duplicates: the map is built without searching.
    merged.into_iter().collect()
}

/// The typed field an element fills, as an index into [`TYPED`].
fn typed_slot(element: i32) -> Option<usize> {
    TYPED.iter().position(|&e| e == element)
}

/// The elements behind the typed text fields of [`Decoded`], in field order.
const TYPED: [i32; 20] = [
    26, 28, 38, 34, 5, 39, 27, 31, 77, 75, 11, 12, 18, 146, 24, 66, 15, 37, 63, 25,
];

/// Builds the result from the chosen pass.
pub(crate) fn build(globals: &Globals, vin: &str, mut pass: Pass, dataset_version: i64) -> Decoded {
    // 3.20 step 1, per 6.1 item 4: drop only the offending items.
    pass.items
        .retain(|i| !(i.tobe_qced == Some(true) || (i.src.qc_swept() && i.qc_schema)));

    let rows = output_rows(globals, &pass.items);

    let mut values = Vec::with_capacity(rows.len());
    let mut vars: Vec<(i32, Arc<str>, Attribute)> = Vec::with_capacity(rows.len());
    let mut typed: [Option<Arc<str>>; TYPED.len()] = Default::default();
    // The rows of one element are adjacent (the order starts with its rank and id).
    let mut run_start = 0;
    for (n, &(item, element)) in rows.iter().enumerate() {
        // Step 2 (display values were resolved at load time) and step 4.
        let value = item.value.resolved().map(clean);
        if let Some(slot) = typed_slot(element.id)
            && run_start == n
        {
            typed[slot].clone_from(&value);
        }
        if rows.get(n + 1).is_none_or(|next| next.1.id != element.id) {
            let attr = if run_start == n {
                Attribute::One(value.clone())
            } else {
                let mut all: Vec<Option<Arc<str>>> = values[run_start..]
                    .iter()
                    .map(|v: &DecodedValue| v.value.clone())
                    .collect();
                all.push(value.clone());
                all.sort();
                Attribute::Many(all)
            };
            vars.push((element.id, element.name.clone(), attr));
            run_start = n + 1;
        }
        values.push(DecodedValue {
            element_id: element.id,
            variable: element.name.clone(),
            group: element.group_name.clone(),
            value,
            provenance: Provenance {
                source: item.src.kind(),
                source_text: item.src.shared_text(),
                pattern_id: item.pattern_id,
                vin_schema_id: item.vin_schema_id,
                keys: item.keys.clone(),
                wmi_id: item.wmi_id,
                attribute_id: item.attribute.clone(),
                priority: item.priority,
                created_on: item.created_on,
            },
            confidence: 0.0,
        });
    }
    let attributes = attributes(globals, vars);

    let model_year_row = pass
        .items
        .iter()
        .find(|i| i.element == 29)
        .and_then(|i| i.value.resolved().and_then(|v| v.trim().parse().ok()));
    let has_model = pass.items.iter().any(|i| i.element == 28);
    let descriptor = pass
        .items
        .iter()
        .find(|i| i.element == 196)
        .and_then(|i| i.value.resolved().cloned())
        .unwrap_or_else(|| Arc::from(""));
    drop(rows);
    let [
        make,
        model,
        trim,
        series,
        body_class,
        vehicle_type,
        manufacturer,
        plant_city,
        plant_state,
        plant_country,
        displacement_cc,
        displacement_ci,
        engine_model,
        engine_manufacturer,
        fuel_type_primary,
        fuel_type_secondary,
        drive_type,
        transmission_style,
        transmission_speeds,
        gvwr,
    ] = typed;
    let mut decoded = Decoded {
        vin: vin.to_string(),
        model_year: model_year_row.or(pass.plan.year),
        error_codes: pass.codes,
        error_text: pass.error_text,
        additional_error_text: pass.additional,
        suggested_vin: pass.suggested_vin,
        possible_values: pass.possible_values,
        vehicle_descriptor: descriptor,
        make,
        model,
        trim,
        series,
        body_class,
        vehicle_type,
        manufacturer,
        plant_city,
        plant_state,
        plant_country,
        engine_cylinders: None,
        displacement_l: None,
        displacement_cc,
        displacement_ci,
        engine_model,
        engine_manufacturer,
        fuel_type_primary,
        fuel_type_secondary,
        drive_type,
        transmission_style,
        transmission_speeds,
        doors: None,
        gvwr,
        attributes,
        values,
        facts: Facts {
            check_digit_ok: pass.check_digit_ok,
            model_year_conclusive: pass.plan.conclusive,
            pass_id: pass.plan.id,
            positions_explained: pass.used_positions,
            positions_unexplained: pass.unused_positions,
            model_resolved: has_model,
            wmi_known: pass.wmi_known,
        },
        confidence: 0.0,
        stale: false,
        dataset_version,
    };
    decoded.engine_cylinders = number::<u32>(&decoded, globals, 9);
    decoded.displacement_l = number::<f64>(&decoded, globals, 13);
    decoded.doors = number::<u32>(&decoded, globals, 14);
    super::item::recycle(pass.items);
    decoded
}
