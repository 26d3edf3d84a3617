//! The final steps on the chosen pass (spec 3.20): QC sweep, display values,
//! projection, value clean-up, order, and the [`Decoded`] built from them.

use std::sync::Arc;

use super::attributes::Attributes;
use super::item::Item;
use super::pass::Pass;
use super::result::{Attribute, Decoded, DecodedValue, Detail, Facts, Provenance};
use crate::catalog::ElementInfo;
use crate::catalog::Globals;

/// Step 4: TAB, CR and LF become spaces. Most values have none and are shared
/// with the catalog as they are.
fn clean(value: &Arc<str>) -> Arc<str> {
    if has_control(value.as_bytes()) {
        Arc::from(value.replace(['\t', '\r', '\n'], " "))
    } else {
        value.clone()
    }
}

/// Whether `bytes` holds a TAB, CR or LF. Eight bytes at a time: a word with
/// no byte below 14 (the three are 9, 10 and 13) holds none of them.
fn has_control(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let is_control = |b: &u8| matches!(b, b'\t' | b'\r' | b'\n');
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        let x = u64::from_le_bytes(w);
        // Sets a byte's high bit when the byte is below 14 (exact for bounds up to 128).
        if x.wrapping_sub(ONES * 14) & !x & HIGHS != 0 && word.iter().any(is_control) {
            return true;
        }
    }
    words.remainder().iter().any(is_control)
}

/// The first value of an element's variable, as a number. A variable that is
/// the element's alone is read from its output rows (found by the output
/// rank, in order): the smallest value, as its sorted list would give first.
fn number<T: std::str::FromStr>(
    globals: &Globals,
    rows: &[(&Item, &ElementInfo)],
    attributes: &Attributes,
    value_at: &impl Fn(usize) -> Option<Arc<str>>,
    element: i32,
) -> Option<T> {
    let e = globals.element(element)?;
    let parse = |v: &str| v.trim().parse().ok();
    if e.name_shared {
        return attributes
            .get(&e.name)
            .and_then(Attribute::first)
            .and_then(parse);
    }
    let start = rows.partition_point(|(_, r)| r.output_rank < e.output_rank);
    let run = rows[start..].iter().take_while(|(_, r)| r.id == element);
    (start..start + run.count())
        .map(value_at)
        .min()
        .flatten()
        .and_then(|v| parse(&v))
}

/// Ranks up to this many elements are ordered by counting, on the stack.
const COUNTED_RANKS: usize = 256;

/// Steps 3 and 5: the printed items with their elements, ordered by group
/// rank, element id, creation. Each element has a unique output rank
/// ([`Globals`] numbers them), and the items come in creation order: a
/// counting sort over the ranks gives the order without comparing items.
/// Other input (more ranks, items out of creation order) is sorted.
pub(super) fn output_rows<'a>(
    globals: &'a Globals,
    items: &'a [Item],
) -> Vec<(&'a Item, &'a ElementInfo)> {
    let printed = |item: &'a Item| {
        globals
            .element(item.element)
            .filter(|e| e.printed)
            .map(|e| (item, e))
    };
    // Counts per rank (shifted by one, for the prefix sums below).
    let mut start = [0u16; COUNTED_RANKS + 1];
    let mut countable =
        globals.rank_count() <= COUNTED_RANKS && items.len() < usize::from(u16::MAX);
    let mut first = None;
    let mut last_seq = 0;
    for (item, e) in items.iter().filter_map(printed) {
        first.get_or_insert((item, e));
        countable &= item.seq >= last_seq;
        last_seq = item.seq;
        if countable {
            start[usize::from(e.output_rank) + 1] += 1;
        }
    }
    let Some(first) = first else {
        return Vec::new();
    };
    if !countable {
        let mut rows: Vec<_> = items.iter().filter_map(printed).collect();
        rows.sort_unstable_by_key(|(i, e)| (e.output_rank, i.seq));
        return rows;
    }
    // Each rank's first slot; every slot is then written (the counts add up).
    let mut total = 0u16;
    for slot in &mut start {
        total += *slot;
        *slot = total;
    }
    let mut rows = vec![first; usize::from(total)];
    for (item, e) in items.iter().filter_map(printed) {
        let at = &mut start[usize::from(e.output_rank)];
        rows[usize::from(*at)] = (item, e);
        *at += 1;
    }
    rows
}

/// Calls `f(start, end)` for each run of rows of one element (adjacent: the
/// output order starts with the element's rank).
fn for_each_run(rows: &[(&Item, &ElementInfo)], mut f: impl FnMut(usize, usize)) {
    let mut start = 0;
    for n in 0..rows.len() {
        if rows.get(n + 1).is_none_or(|next| next.1.id != rows[n].1.id) {
            f(start, n + 1);
            start = n + 1;
        }
    }
}

/// The attribute map from the output rows and their values: one variable per
/// element, two elements of one name form one list. Each element has a
/// unique name rank, so the variables are put in name order by their ranks
/// (a bit per rank when they are few, a sort otherwise); equal names have
/// equal name groups and end up adjacent.
fn attributes(
    globals: &Globals,
    rows: &[(&Item, &ElementInfo)],
    value_at: &impl Fn(usize) -> Option<Arc<str>>,
) -> Attributes {
    let run_attr = |start: usize, end: usize| {
        if end - start == 1 {
            Attribute::One(value_at(start))
        } else {
            let mut all: Vec<Option<Arc<str>>> = (start..end).map(value_at).collect();
            all.sort();
            Attribute::Many(all)
        }
    };
    let mut merged: Vec<(Arc<str>, Attribute)> = Vec::with_capacity(rows.len());
    // The name group of the last entry of `merged`.
    let mut last_group = None;
    let mut add = |start: usize, end: usize| {
        let e = rows[start].1;
        let attr = run_attr(start, end);
        match merged.last_mut() {
            Some((_, slot)) if last_group == Some(e.name_group) => {
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
            _ => {
                last_group = Some(e.name_group);
                merged.push((e.name.clone(), attr));
            }
        }
    };
    if globals.rank_count() <= COUNTED_RANKS && rows.len() < usize::from(u16::MAX) {
        let mut present = [0u64; COUNTED_RANKS / 64];
        let mut runs = [(0u16, 0u16); COUNTED_RANKS];
        for_each_run(rows, |start, end| {
            let rank = usize::from(rows[start].1.name_rank);
            present[rank / 64] |= 1 << (rank % 64);
            // Below u16::MAX (checked above).
            runs[rank] = (start as u16, end as u16);
        });
        for (word, &bits) in present.iter().enumerate() {
            let mut bits = bits;
            while bits != 0 {
                let (start, end) = runs[word * 64 + bits.trailing_zeros() as usize];
                add(usize::from(start), usize::from(end));
                bits &= bits - 1;
            }
        }
    } else {
        let mut keyed: Vec<(u16, usize, usize)> = Vec::new();
        for_each_run(rows, |start, end| {
            keyed.push((rows[start].1.name_rank, start, end));
        });
        keyed.sort_unstable();
        for (_, start, end) in keyed {
            add(start, end);
        }
    }
    // Sorted and free of duplicates: the map is built without searching.
    Attributes::from_sorted(merged)
}

/// The typed field an element fills, as an index into [`TYPED`].
fn typed_slot(element: i32) -> Option<usize> {
    // A match compiles to a table; a search of TYPED would run per row.
    let slot = match element {
        26 => 0,
        28 => 1,
        38 => 2,
        34 => 3,
        5 => 4,
        39 => 5,
        27 => 6,
        31 => 7,
        77 => 8,
        75 => 9,
        11 => 10,
        12 => 11,
        18 => 12,
        146 => 13,
        24 => 14,
        66 => 15,
        15 => 16,
        37 => 17,
        63 => 18,
        25 => 19,
        _ => return None,
    };
    debug_assert_eq!(TYPED[slot], element);
    Some(slot)
}

/// The elements behind the typed text fields of [`Decoded`], in field order.
const TYPED: [i32; 20] = [
    26, 28, 38, 34, 5, 39, 27, 31, 77, 75, 11, 12, 18, 146, 24, 66, 15, 37, 63, 25,
];

/// One output row with its provenance.
fn row_value(item: &Item, element: &ElementInfo) -> DecodedValue {
    DecodedValue {
        element_id: element.id,
        variable: element.name.clone(),
        group: element.group_name.clone(),
        // Step 2 (display values were resolved at load time) and step 4.
        value: item.value.resolved().map(clean),
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
    }
}

/// Builds the result from the chosen pass; the output rows
/// ([`Decoded::values`]) only for [`Detail::Full`].
pub(crate) fn build(
    globals: &Globals,
    vin: &str,
    mut pass: Pass,
    dataset_version: i64,
    detail: Detail,
) -> Decoded {
    // 3.20 step 1, per 6.1 item 4: drop only the offending items.
    pass.items
        .retain(|i| !(i.tobe_qced == Some(true) || (i.src.qc_swept() && i.qc_schema)));

    let rows = output_rows(globals, &pass.items);

    // Each row's value is built straight into the list (an iterator of known
    // length), not built aside and moved.
    let values: Vec<DecodedValue> = match detail {
        Detail::Full => rows.iter().map(|&(i, e)| row_value(i, e)).collect(),
        Detail::Summary => Vec::new(),
    };
    // A row's printed value: from its output row when there is one, else
    // straight from its item (the same steps 2 and 4).
    let value_at = |n: usize| match values.get(n) {
        Some(v) => v.value.clone(),
        None => rows[n].0.value.resolved().map(clean),
    };
    let mut typed: [Option<Arc<str>>; TYPED.len()] = Default::default();
    for_each_run(&rows, |start, _| {
        if let Some(slot) = typed_slot(rows[start].1.id) {
            typed[slot] = value_at(start);
        }
    });
    let attributes = attributes(globals, &rows, &value_at);
    let engine_cylinders = number::<u32>(globals, &rows, &attributes, &value_at, 9);
    let displacement_l = number::<f64>(globals, &rows, &attributes, &value_at, 13);
    let doors = number::<u32>(globals, &rows, &attributes, &value_at, 14);

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
    let decoded = Decoded {
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
        engine_cylinders,
        displacement_l,
        displacement_cc,
        displacement_ci,
        engine_model,
        engine_manufacturer,
        fuel_type_primary,
        fuel_type_secondary,
        drive_type,
        transmission_style,
        transmission_speeds,
        doors,
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
    super::item::recycle(pass.items);
    decoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_bytes_found_at_every_position() {
        let plain = |b: &[u8]| b.iter().any(|c| matches!(c, b'\t' | b'\r' | b'\n'));
        // Every byte value at every position of texts up to 20 bytes long,
        // amid letters and amid other low bytes.
        for len in 1..=20 {
            for at in 0..len {
                for fill in [b'A', 0x01, 0x0E, 0xFF] {
                    for byte in 0..=255u8 {
                        let mut text = vec![fill; len];
                        text[at] = byte;
                        assert_eq!(has_control(&text), plain(&text), "{text:?}");
                    }
                }
            }
        }
        assert!(!has_control(b""));
        let value: Arc<str> = Arc::from("V6\tDOHC\r\n24V");
        assert_eq!(&*clean(&value), "V6 DOHC  24V");
        let same: Arc<str> = Arc::from("Sport Utility Vehicle (SUV)");
        assert!(Arc::ptr_eq(&clean(&same), &same));
    }
}
