//! The final steps on the chosen pass (spec 3.20): QC sweep, display values,
//! projection, value clean-up, order, and the [`Decoded`] built from them.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::sync::Arc;

use super::item::Item;
use super::pass::Pass;
use super::result::{Attribute, Decoded, DecodedValue, Facts, Provenance};
use crate::catalog::Globals;

/// Step 4: TAB, CR and LF become spaces. Most values have none and are shared
/// with the catalog as they are.
fn clean(value: &Arc<str>) -> Arc<str> {
    if value.contains(['\t', '\r', '\n']) {
        Arc::from(value.replace(['\t', '\r', '\n'], " "))
    } else {
        value.clone()
    }
}

fn number<T: std::str::FromStr>(d: &Decoded, globals: &Globals, element: i32) -> Option<T> {
    let name = &globals.element(element)?.name;
    d.get(name).and_then(|v| v.trim().parse().ok())
}

/// Adds one variable's values to the attributes (a list when it has several
/// rows, sorted NULL first, then by bytes).
fn put(
    attributes: &mut BTreeMap<Arc<str>, Attribute>,
    name: &Arc<str>,
    mut vals: Vec<Option<Arc<str>>>,
) {
    match attributes.entry(name.clone()) {
        Entry::Vacant(slot) => {
            let attr = if vals.len() == 1 {
                Attribute::One(vals.pop().flatten())
            } else {
                vals.sort();
                Attribute::Many(vals)
            };
            slot.insert(attr);
        }
        // Two elements of one name: their rows form one list.
        Entry::Occupied(mut slot) => {
            let mut all = match slot.get_mut() {
                Attribute::One(v) => vec![v.take()],
                Attribute::Many(v) => std::mem::take(v),
            };
            all.append(&mut vals);
            all.sort();
            *slot.get_mut() = Attribute::Many(all);
        }
    }
}

/// Builds the result from the chosen pass.
pub(crate) fn build(globals: &Globals, vin: &str, mut pass: Pass, dataset_version: i64) -> Decoded {
    // 3.20 step 1, per 6.1 item 4: drop only the offending items.
    pass.items
        .retain(|i| !(i.tobe_qced == Some(true) || (i.src.qc_swept() && i.qc_schema)));

    // Steps 3 and 5: printed elements, ordered by group rank, element id, creation.
    let mut rows: Vec<(&Item, &crate::catalog::ElementInfo)> = pass
        .items
        .iter()
        .filter_map(|i| globals.element(i.element).map(|e| (i, e)))
        .filter(|(_, e)| e.printed)
        .collect();
    rows.sort_unstable_by_key(|(i, e)| (e.group_rank, e.id, i.seq));

    let mut values = Vec::with_capacity(rows.len());
    let mut attributes: BTreeMap<Arc<str>, Attribute> = BTreeMap::new();
    // The rows of one element are adjacent (the order starts with its rank and id).
    let mut run: Vec<Option<Arc<str>>> = Vec::new();
    for (n, (item, element)) in rows.iter().enumerate() {
        // Step 2 (display values were resolved at load time) and step 4.
        let value = item.value.resolved().map(clean);
        run.push(value.clone());
        if rows
            .get(n + 1)
            .is_none_or(|(_, next)| next.id != element.id)
        {
            put(&mut attributes, &element.name, std::mem::take(&mut run));
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

    let model_year_row = pass
        .items
        .iter()
        .find(|i| i.element == 29)
        .and_then(|i| i.value.resolved().and_then(|v| v.trim().parse().ok()));
    let has_model = pass.items.iter().any(|i| i.element == 28);
    let mut decoded = Decoded {
        vin: vin.to_string(),
        model_year: model_year_row.or(pass.plan.year),
        error_codes: pass.codes.clone(),
        error_text: pass.error_text,
        additional_error_text: pass.additional,
        suggested_vin: pass.suggested_vin,
        possible_values: pass.possible_values,
        vehicle_descriptor: String::new(),
        make: None,
        model: None,
        trim: None,
        series: None,
        body_class: None,
        vehicle_type: None,
        manufacturer: None,
        plant_city: None,
        plant_state: None,
        plant_country: None,
        engine_cylinders: None,
        displacement_l: None,
        displacement_cc: None,
        displacement_ci: None,
        engine_model: None,
        engine_manufacturer: None,
        fuel_type_primary: None,
        fuel_type_secondary: None,
        drive_type: None,
        transmission_style: None,
        transmission_speeds: None,
        doors: None,
        gvwr: None,
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
    let by_id = |id: i32| -> Option<String> {
        decoded
            .values
            .iter()
            .find(|v| v.element_id == id)
            .and_then(|v| v.value.as_deref().map(str::to_string))
    };
    let descriptor = pass
        .items
        .iter()
        .find(|i| i.element == 196)
        .and_then(|i| i.value.resolved().map(|v| v.to_string()))
        .unwrap_or_default();
    let make = by_id(26);
    let model = by_id(28);
    let trim = by_id(38);
    let series = by_id(34);
    let body_class = by_id(5);
    let vehicle_type = by_id(39);
    let manufacturer = by_id(27);
    let plant_city = by_id(31);
    let plant_state = by_id(77);
    let plant_country = by_id(75);
    let displacement_cc = by_id(11);
    let displacement_ci = by_id(12);
    let engine_model = by_id(18);
    let engine_manufacturer = by_id(146);
    let fuel_type_primary = by_id(24);
    let fuel_type_secondary = by_id(66);
    let drive_type = by_id(15);
    let transmission_style = by_id(37);
    let transmission_speeds = by_id(63);
    let gvwr = by_id(25);
    let cylinders = number::<u32>(&decoded, globals, 9);
    let displacement_l = number::<f64>(&decoded, globals, 13);
    let doors = number::<u32>(&decoded, globals, 14);
    decoded.vehicle_descriptor = descriptor;
    decoded.make = make;
    decoded.model = model;
    decoded.trim = trim;
    decoded.series = series;
    decoded.body_class = body_class;
    decoded.vehicle_type = vehicle_type;
    decoded.manufacturer = manufacturer;
    decoded.plant_city = plant_city;
    decoded.plant_state = plant_state;
    decoded.plant_country = plant_country;
    decoded.engine_cylinders = cylinders;
    decoded.displacement_l = displacement_l;
    decoded.displacement_cc = displacement_cc;
    decoded.displacement_ci = displacement_ci;
    decoded.engine_model = engine_model;
    decoded.engine_manufacturer = engine_manufacturer;
    decoded.fuel_type_primary = fuel_type_primary;
    decoded.fuel_type_secondary = fuel_type_secondary;
    decoded.drive_type = drive_type;
    decoded.transmission_style = transmission_style;
    decoded.transmission_speeds = transmission_speeds;
    decoded.doors = doors;
    decoded.gvwr = gvwr;
    decoded
}
