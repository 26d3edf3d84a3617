//! [`PatternSet`]: the patterns of some VIN schemas as the store read them,
//! kept packed until they are compiled, so a cold WMI's tens of thousands of
//! patterns cost no allocation each on their way into the catalog.

use super::packed;
use crate::Result;
use crate::model::{PatternRef, PatternRow};

/// The patterns of some VIN schemas: packed values (see [`packed`]) or, for
/// a dataset written before those existed, plain rows.
///
/// ```
/// use vin_db::model::PatternRow;
/// use vin_db::store::PatternSet;
///
/// let row = |id, schema| PatternRow {
///     id,
///     vin_schema_id: schema,
///     keys: "AB*".into(),
///     element_id: 28,
///     attribute_id: "1".into(),
///     created_on: None,
///     updated_on: None,
/// };
/// let set = PatternSet::from_rows(vec![row(9, 2), row(4, 1), row(3, 2)]);
/// let mut seen = Vec::new();
/// set.for_each_schema(&mut |schema, patterns| {
///     seen.push((schema, patterns.iter().map(|p| p.id).collect::<Vec<_>>()))
/// })?;
/// assert_eq!(seen, [(1, vec![4]), (2, vec![3, 9])]);
/// # Ok::<(), vin_db::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct PatternSet {
    /// Packed values by schema id, ascending.
    packs: Vec<(i32, Vec<u8>)>,
    /// Plain rows, ascending schema id then id.
    rows: Vec<PatternRow>,
}

impl PatternSet {
    /// A set of plain rows (any order).
    pub fn from_rows(mut rows: Vec<PatternRow>) -> PatternSet {
        rows.sort_by_key(|p| (p.vin_schema_id, p.id));
        PatternSet {
            packs: Vec::new(),
            rows,
        }
    }

    /// A set of packed values, one per schema (any order).
    pub fn from_packs(mut packs: Vec<(i32, Vec<u8>)>) -> PatternSet {
        packs.sort_by_key(|p| p.0);
        PatternSet {
            packs,
            rows: Vec::new(),
        }
    }

    /// Calls `f` with each schema's patterns (ascending id), schema by
    /// schema in ascending id, borrowing the texts from the set. A damaged
    /// packed value is an error (the schemas before it were handed over).
    pub fn for_each_schema<'s>(&'s self, f: &mut dyn FnMut(i32, &[PatternRef<'s>])) -> Result<()> {
        let mut buf: Vec<PatternRef<'s>> = Vec::new();
        for (schema, bytes) in &self.packs {
            buf.clear();
            packed::decode_refs(*schema, bytes, &mut buf)?;
            f(*schema, &buf);
        }
        for_each_run(&self.rows, f);
        Ok(())
    }

    /// Every pattern as an owned row, ascending schema id then id.
    pub fn into_rows(self) -> Result<Vec<PatternRow>> {
        let mut out = Vec::new();
        for (schema, bytes) in &self.packs {
            packed::decode_into(*schema, bytes, &mut out)?;
        }
        out.extend(self.rows);
        Ok(out)
    }
}

/// Hands `f` the patterns of `rows` (any order) schema by schema, ascending
/// schema id, ascending id within a schema, borrowing their texts.
pub(crate) fn for_each_run<'a>(rows: &'a [PatternRow], f: &mut dyn FnMut(i32, &[PatternRef<'a>])) {
    let mut refs: Vec<PatternRef<'a>> = rows.iter().map(PatternRow::borrowed).collect();
    refs.sort_by_key(|p| (p.vin_schema_id, p.id));
    for run in refs.chunk_by(|a, b| a.vin_schema_id == b.vin_schema_id) {
        f(run[0].vin_schema_id, run);
    }
}
