//! One VIN schema compiled once and shared: [`VinSchema`], and the
//! per-dataset [`SchemaCache`] that hands the same `Arc` to every WMI
//! catalog linking to it.
//!
//! vPIC links most schemas to several WMIs (the lite data has 800 k patterns
//! but 2.6 M (WMI, pattern) pairs), so compiling per schema instead of per
//! WMI is what keeps a fully loaded catalog small and a cold WMI cheap: only
//! the schemas not yet resident are fetched and compiled.

use std::collections::hash_map::Entry;
use std::sync::{Arc, Mutex, Weak};

use rustc_hash::FxHashMap;
use vin_core::KeyText;
use vin_core::key::Key;

use super::charset::PositionSets;
use super::globals::Globals;
use super::intern::{ByAddress, Interner, KeyEntry, ValueEntry};
use crate::Result;
use crate::model::{PatternRef, PatternRow, Timestamp};
use crate::store::PatternSet;
use crate::store::pattern_set::for_each_run;

/// Elements that never come from patterns (spec 3.2, 3.6).
const NOT_FROM_PATTERNS: [i32; 4] = [26, 27, 29, 39];

/// A pattern or text without a step-3.2 key slot.
const NO_SLOT: u32 = u32::MAX;

/// `changed` of a pattern without `UpdatedOn` and `CreatedOn`.
const NO_TIME: i64 = i64::MIN;

/// A `Pattern` row, compiled (32 bytes: texts and values are shared through
/// the dataset's interner).
#[derive(Debug, Clone)]
pub(crate) struct PatternInfo {
    pub id: i32,
    pub element: i32,
    /// `UpdatedOn`, else `CreatedOn`, else [`NO_TIME`].
    changed: i64,
    /// The key text (as stored and upper-cased).
    text: Arc<KeyEntry>,
    /// The attribute and its display value.
    value: Arc<ValueEntry>,
}

impl PatternInfo {
    /// `UpdatedOn`, else `CreatedOn`.
    pub fn changed(&self) -> Option<Timestamp> {
        (self.changed != NO_TIME).then_some(Timestamp(self.changed))
    }

    /// The key as stored.
    pub fn keys(&self) -> &Arc<str> {
        &self.text.stored
    }

    /// The upper-cased key text (the item's `Keys`).
    pub fn keys_upper(&self) -> &Arc<str> {
        &self.text.upper
    }

    /// `AttributeId`.
    pub fn attribute(&self) -> &Arc<str> {
        &self.value.attribute
    }

    /// Display value of the attribute, resolved at load time.
    pub fn display(&self) -> &Option<Arc<str>> {
        &self.value.display
    }
}

/// One `VinSchema` with its patterns compiled: display values resolved,
/// step-3.2 patterns grouped by distinct key with the key parsed (once per
/// dataset), formula keys parsed, and the allowed characters of spec 4.5.
/// Immutable.
#[derive(Debug)]
pub struct VinSchema {
    pub(crate) id: i32,
    pub(crate) qc: bool,
    /// Ascending pattern id.
    pub(crate) patterns: Box<[PatternInfo]>,
    /// Distinct compilable keys of the patterns that pass the static filters
    /// of 3.2, contiguous so matching walks one block of memory.
    keys: Box<[Key]>,
    /// The patterns of key `i` are `key_patterns[key_ends[i - 1]..key_ends[i]]`.
    key_ends: Box<[u32]>,
    /// Indexes into `patterns`, ascending pattern id per key.
    key_patterns: Box<[u32]>,
    /// Formula patterns (3.6): index into `patterns` and the parsed key.
    pub(crate) formulas: Box<[(u32, Key)]>,
    /// Union of the 4.5 expansions of every pattern key of this schema.
    pub(crate) valid: PositionSets,
    approx_bytes: usize,
}

/// Buffers [`VinSchema::compile`] reuses from one schema to the next.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    /// Per distinct text of the schema: its key slot, or [`NO_SLOT`].
    seen: FxHashMap<*const KeyEntry, u32>,
    /// Per pattern: its key slot, or [`NO_SLOT`].
    slots: Vec<u32>,
    /// Per key slot: the first pattern using it, and how many do.
    first: Vec<u32>,
    counts: Vec<u32>,
}

impl Scratch {
    fn clear(&mut self) {
        self.seen.clear();
        self.slots.clear();
        self.first.clear();
        self.counts.clear();
    }
}

impl VinSchema {
    /// Compiles one schema from its patterns, ascending id.
    pub(crate) fn compile<'t>(
        globals: &Globals,
        interner: &mut ByAddress<'_, 't>,
        scratch: &mut Scratch,
        id: i32,
        qc: bool,
        rows: &[PatternRef<'t>],
    ) -> VinSchema {
        scratch.clear();
        let mut patterns = Vec::with_capacity(rows.len());
        let mut formulas = Vec::new();
        let mut valid = PositionSets::default();
        for p in rows {
            debug_assert_eq!(p.vin_schema_id, id);
            let text = interner.key(p.keys);
            let slot = match scratch.seen.entry(Arc::as_ptr(&text)) {
                Entry::Occupied(e) => e.into_mut(),
                Entry::Vacant(e) => {
                    // Valid characters use every pattern of the schema (spec
                    // 4.5 step 2); equal texts expand alike, so once each.
                    valid.add_pairs(&text.expansion);
                    e.insert(NO_SLOT)
                }
            };
            let index = u32::try_from(patterns.len()).unwrap_or(u32::MAX);
            let value = interner.value(globals, p.element_id, p.attribute_id);
            let mut key_slot = NO_SLOT;
            if let Some(element) = globals.element(p.element_id)
                && !NOT_FROM_PATTERNS.contains(&p.element_id)
            {
                if text.formula
                    && let Some(key) = &text.parsed
                {
                    formulas.push((index, key.clone()));
                }
                if element.patternable && !qc && text.parsed.is_some() {
                    if *slot == NO_SLOT {
                        *slot = u32::try_from(scratch.first.len()).unwrap_or(NO_SLOT);
                        scratch.first.push(index);
                        scratch.counts.push(0);
                    }
                    key_slot = *slot;
                    if let Some(c) = scratch.counts.get_mut(key_slot as usize) {
                        *c += 1;
                    }
                }
            }
            scratch.slots.push(key_slot);
            patterns.push(PatternInfo {
                id: p.id,
                element: p.element_id,
                changed: p.updated_on.or(p.created_on).map_or(NO_TIME, |t| t.0),
                value,
                text,
            });
        }
        // Group the patterns by key slot (ascending pattern id within a key)
        // with a counting pass instead of one list per key.
        let mut key_ends = Vec::with_capacity(scratch.counts.len());
        let mut end = 0u32;
        for &c in &scratch.counts {
            end += c;
            key_ends.push(end);
        }
        // Each key's next free place in `key_patterns`.
        let mut next: Vec<u32> = key_ends
            .iter()
            .zip(&scratch.counts)
            .map(|(e, c)| e - c)
            .collect();
        let mut key_patterns = vec![0u32; end as usize];
        for (index, &slot) in scratch.slots.iter().enumerate() {
            if let Some(at) = next.get_mut(slot as usize) {
                if let Some(place) = key_patterns.get_mut(*at as usize) {
                    *place = u32::try_from(index).unwrap_or(u32::MAX);
                }
                *at += 1;
            }
        }
        let compiled: Vec<Key> = scratch
            .first
            .iter()
            .filter_map(|&i| patterns.get(i as usize))
            .filter_map(|p: &PatternInfo| p.text.parsed.clone())
            .collect();
        // Exact sizes: a preload keeps tens of thousands of schemas.
        let patterns = patterns.into_boxed_slice();
        let keys = compiled.into_boxed_slice();
        let key_ends = key_ends.into_boxed_slice();
        let key_patterns = key_patterns.into_boxed_slice();
        let formulas = formulas.into_boxed_slice();
        let approx_bytes = std::mem::size_of::<VinSchema>()
            + patterns.len() * std::mem::size_of::<PatternInfo>()
            + keys.len() * (std::mem::size_of::<Key>() + 4)
            + key_patterns.len() * 4
            + formulas.len() * std::mem::size_of::<(u32, Key)>();
        VinSchema {
            id,
            qc,
            patterns,
            keys,
            key_ends,
            key_patterns,
            formulas,
            valid,
            approx_bytes,
        }
    }

    /// `VinSchema.Id`.
    pub fn id(&self) -> i32 {
        self.id
    }

    /// Number of patterns.
    pub fn pattern_count(&self) -> usize {
        self.patterns.len()
    }

    /// Number of distinct keys matched in step 3.2.
    pub fn key_count(&self) -> usize {
        self.keys.len()
    }

    /// A rough size in bytes (interned strings not included).
    pub fn approx_bytes(&self) -> usize {
        self.approx_bytes
    }

    /// Calls `f` with the index (into `patterns`) of every step-3.2 pattern
    /// whose key matches `keys`, per key in key order, ascending pattern id
    /// within a key.
    #[inline]
    pub(crate) fn for_each_match(&self, keys: &KeyText, mut f: impl FnMut(u32)) {
        let mut start = 0usize;
        for (key, &end) in self.keys.iter().zip(self.key_ends.iter()) {
            let end = end as usize;
            if key.matches(keys) {
                for &p in self.key_patterns.get(start..end).unwrap_or(&[]) {
                    f(p);
                }
            }
            start = end;
        }
    }
}

/// The compiled schemas of one dataset that are resident somewhere, by id.
///
/// Holds them weakly: a schema lives as long as one WMI catalog links to
/// it, and a cold WMI picks up the resident ones instead of compiling them
/// again. Owned by that dataset's [`Globals`], so it is dropped with them
/// and never mixes datasets.
#[derive(Debug, Default)]
pub struct SchemaCache {
    inner: Mutex<CacheInner>,
}

#[derive(Debug, Default)]
struct CacheInner {
    schemas: FxHashMap<i32, Weak<VinSchema>>,
    interner: Interner,
    /// Map size after the last sweep of dead entries.
    swept_at: usize,
}

impl SchemaCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, CacheInner> {
        // The map stays consistent between statements: a poisoned lock is usable.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The resident schema `id`, if any.
    pub fn get(&self, id: i32) -> Option<Arc<VinSchema>> {
        self.lock().schemas.get(&id).and_then(Weak::upgrade)
    }

    /// Compiles the schemas `(id, qc)` from `patterns` (their rows, any
    /// order), keeping them resident; a schema some other caller made
    /// resident meanwhile is reused.
    pub fn compile_all(
        &self,
        globals: &Globals,
        schemas: &[(i32, bool)],
        patterns: &[PatternRow],
    ) -> Vec<Arc<VinSchema>> {
        // Rows in memory cannot be damaged: this never fails.
        self.compile_from(globals, schemas, |f| {
            for_each_run(patterns, f);
            Ok(())
        })
        .unwrap_or_default()
    }

    /// [`SchemaCache::compile_all`] from a [`PatternSet`] as the store read
    /// it, one schema at a time; a damaged packed value is an error.
    pub fn compile_set(
        &self,
        globals: &Globals,
        schemas: &[(i32, bool)],
        patterns: &PatternSet,
    ) -> Result<Vec<Arc<VinSchema>>> {
        self.compile_from(globals, schemas, |f| patterns.for_each_schema(f))
    }

    /// `each` hands every schema's patterns (ascending id) to its argument.
    fn compile_from<'t>(
        &self,
        globals: &Globals,
        schemas: &[(i32, bool)],
        each: impl FnOnce(&mut dyn FnMut(i32, &[PatternRef<'t>])) -> Result<()>,
    ) -> Result<Vec<Arc<VinSchema>>> {
        let wanted: FxHashMap<i32, bool> = schemas.iter().copied().collect();
        let mut guard = self.lock();
        let inner = &mut *guard;
        let resident = &mut inner.schemas;
        let mut interner = ByAddress::new(&mut inner.interner);
        let mut scratch = Scratch::default();
        let mut done: FxHashMap<i32, Arc<VinSchema>> = FxHashMap::default();
        done.reserve(schemas.len());
        let mut compile = |id: i32, qc: bool, rows: &[PatternRef<'t>]| {
            if let Some(s) = done.get(&id) {
                return s.clone();
            }
            let s = match resident.get(&id).and_then(Weak::upgrade) {
                Some(s) => s,
                None => {
                    let c = Arc::new(VinSchema::compile(
                        globals,
                        &mut interner,
                        &mut scratch,
                        id,
                        qc,
                        rows,
                    ));
                    resident.insert(id, Arc::downgrade(&c));
                    c
                }
            };
            done.insert(id, s.clone());
            s
        };
        each(&mut |id, rows| {
            if let Some(&qc) = wanted.get(&id) {
                compile(id, qc, rows);
            }
        })?;
        // Schemas without patterns compile empty.
        let out = schemas
            .iter()
            .map(|&(id, qc)| compile(id, qc, &[]))
            .collect();
        // Drop entries whose schema is gone once the map has doubled.
        if inner.schemas.len() > 2 * inner.swept_at.max(1024) {
            inner.schemas.retain(|_, w| w.strong_count() > 0);
            inner.swept_at = inner.schemas.len();
        }
        Ok(out)
    }

    /// Resident schemas and their approximate bytes, interned strings included.
    pub fn usage(&self) -> (usize, usize) {
        let inner = self.lock();
        let mut count = 0;
        let mut bytes = inner.interner.bytes();
        for s in inner.schemas.values().filter_map(Weak::upgrade) {
            count += 1;
            bytes += s.approx_bytes();
        }
        (count, bytes)
    }
}
