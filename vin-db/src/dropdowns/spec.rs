//! Trims that a decode takes from vehicle spec schemas (spec 3.10) rather
//! than from VIN patterns: a spec schema names a make, its models and
//! (optionally) its years; the Trim values of its non-key rows become trims
//! of those models in the years the VIN patterns already offer them.
//!
//! The lite file has no spec tables (they are empty there); NHTSA's full
//! dump has them.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::compute::Output;

/// The spec rows the derivation reads.
#[derive(Debug, Clone, Default)]
pub(crate) struct SpecInput {
    /// `vehiclespecschema` not awaiting QC: (id, makeid).
    pub schemas: Vec<(i64, i64)>,
    /// `vehiclespecschema_model`: (schema id, model id).
    pub models: Vec<(i64, i64)>,
    /// `vehiclespecschema_year`: (schema id, year).
    pub years: Vec<(i64, i64)>,
    /// `vspecschemapattern`: (id, schema id).
    pub patterns: Vec<(i64, i64)>,
    /// Ids of the spec patterns with at least one key row (only those ever apply).
    pub keyed: HashSet<i64>,
    /// Non-key Trim rows: (spec pattern id, value).
    pub trims: Vec<(i64, String)>,
}

/// A spec schema's trims and where they apply.
struct SpecTrims {
    make_id: i64,
    years: BTreeSet<i64>,
    trims: BTreeSet<String>,
}

/// Adds a group per (spec schema, make, model) with the spec trims, offered
/// in the years the model is already offered (and the schema allows).
/// `add_trim` names and links one trim: (group, make, model, name).
pub(crate) fn add_spec_trims(
    spec: &SpecInput,
    out: &mut Output,
    next_group: &mut i64,
    mut add_trim: impl FnMut(&mut Output, i64, i64, i64, &str),
) {
    let schema_of_pattern: HashMap<i64, i64> = spec.patterns.iter().copied().collect();
    let mut by_schema: BTreeMap<i64, SpecTrims> = spec
        .schemas
        .iter()
        .map(|&(id, make_id)| {
            (
                id,
                SpecTrims {
                    make_id,
                    years: BTreeSet::new(),
                    trims: BTreeSet::new(),
                },
            )
        })
        .collect();
    for (pattern, value) in &spec.trims {
        let name = value.trim();
        if name.is_empty() || !spec.keyed.contains(pattern) {
            continue;
        }
        if let Some(s) = schema_of_pattern
            .get(pattern)
            .and_then(|id| by_schema.get_mut(id))
        {
            s.trims.insert(name.to_string());
        }
    }
    for &(schema, year) in &spec.years {
        if let Some(s) = by_schema.get_mut(&schema) {
            s.years.insert(year);
        }
    }
    let mut models_of: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
    for &(schema, model) in &spec.models {
        models_of.entry(schema).or_default().insert(model);
    }

    // Years each (make, model) is offered in.
    let mut offered: HashMap<(i64, i64), Vec<i32>> = HashMap::new();
    for &(year, make, model) in out.models.keys() {
        offered.entry((make, model)).or_default().push(year);
    }

    for (schema, s) in &by_schema {
        if s.trims.is_empty() {
            continue;
        }
        let Some(models) = models_of.get(schema) else {
            continue;
        };
        for &model in models {
            let Some(years) = offered.get(&(s.make_id, model)) else {
                continue;
            };
            let years: Vec<i32> = years
                .iter()
                .copied()
                .filter(|y| s.years.is_empty() || s.years.contains(&i64::from(*y)))
                .collect();
            if years.is_empty() {
                continue;
            }
            *next_group += 1;
            let group = *next_group;
            for &year in &years {
                out.group_years.insert((year, s.make_id, model, group));
            }
            for name in &s.trims {
                add_trim(out, group, s.make_id, model, name);
            }
        }
    }
}
