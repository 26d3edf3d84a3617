//! One VIN schema compiled once and shared: [`VinSchema`], and the
//! per-dataset [`SchemaCache`] that hands the same `Arc` to every WMI
//! catalog linking to it.
//!
//! vPIC links most schemas to several WMIs (the lite data has 800 k patterns
//! but 2.6 M (WMI, pattern) pairs), so compiling per schema instead of per
//! WMI is what keeps a fully loaded catalog small and a cold WMI cheap: only
//! the schemas not yet resident are fetched and compiled.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, Weak};

use vin_core::key::Key;

use super::charset::PositionSets;
use super::globals::Globals;
use crate::model::{PatternRow, Timestamp};

/// Elements that never come from patterns (spec 3.2, 3.6).
const NOT_FROM_PATTERNS: [i32; 4] = [26, 27, 29, 39];

/// A `Pattern` row, compiled.
#[derive(Debug, Clone)]
pub(crate) struct PatternInfo {
    pub id: i32,
    pub element: i32,
    pub attribute: Arc<str>,
    /// Upper-cased key text (the item's `Keys`).
    pub keys_upper: Arc<str>,
    /// The key as stored.
    pub keys: Arc<str>,
    /// `UpdatedOn`, else `CreatedOn`.
    pub changed: Option<Timestamp>,
    /// Display value of the attribute, resolved at load time.
    pub display: Option<Arc<str>>,
}

/// A distinct key of the schema's step-3.2 patterns.
#[derive(Debug)]
pub(crate) struct SchemaKey {
    /// The key text as stored (interned: equal texts share one pointer).
    pub text: Arc<str>,
    /// `None` when the key cannot match.
    pub key: Option<Key>,
    /// Indexes into [`VinSchema::patterns`], ascending pattern id.
    pub patterns: Vec<u32>,
}

/// One `VinSchema` with its patterns compiled: display values resolved,
/// step-3.2 patterns grouped by distinct key with the key parsed, formula
/// keys parsed, and the allowed characters of spec 4.5. Immutable.
#[derive(Debug)]
pub struct VinSchema {
    pub(crate) id: i32,
    pub(crate) qc: bool,
    /// Ascending pattern id.
    pub(crate) patterns: Vec<PatternInfo>,
    /// Distinct keys of the patterns that pass the static filters of 3.2.
    pub(crate) keys: Vec<SchemaKey>,
    /// Formula patterns (3.6): index into `patterns` and the parsed key.
    pub(crate) formulas: Vec<(u32, Key)>,
    /// Union of the 4.5 expansions of every pattern key of this schema.
    pub(crate) valid: PositionSets,
    approx_bytes: usize,
}

/// Per-dataset string interner: keys and attributes repeat across schemas.
#[derive(Debug, Default)]
pub(crate) struct Interner {
    strings: HashSet<Arc<str>>,
    upper: HashMap<usize, Arc<str>>,
}

impl Interner {
    pub(crate) fn intern(&mut self, s: &str) -> Arc<str> {
        if let Some(a) = self.strings.get(s) {
            return a.clone();
        }
        let a: Arc<str> = Arc::from(s);
        self.strings.insert(a.clone());
        a
    }

    /// The upper-cased form of an interned string (the same `Arc` when it
    /// already is upper case).
    fn upper(&mut self, s: &Arc<str>) -> Arc<str> {
        if !s.bytes().any(|b| b.is_ascii_lowercase()) && s.is_ascii() {
            return s.clone();
        }
        let addr = Arc::as_ptr(s).cast::<u8>() as usize;
        if let Some(u) = self.upper.get(&addr) {
            return u.clone();
        }
        let u = self.intern(&s.to_uppercase());
        self.upper.insert(addr, u.clone());
        u
    }

    fn bytes(&self) -> usize {
        self.strings.iter().map(|s| s.len() + 40).sum::<usize>() + self.upper.len() * 32
    }
}

impl VinSchema {
    /// Compiles one schema from its pattern rows (any order; rows of other
    /// schemas are ignored).
    pub(crate) fn compile(
        globals: &Globals,
        interner: &mut Interner,
        id: i32,
        qc: bool,
        rows: &[&PatternRow],
    ) -> VinSchema {
        let mut rows: Vec<&PatternRow> = rows
            .iter()
            .copied()
            .filter(|p| p.vin_schema_id == id)
            .collect();
        rows.sort_by_key(|p| p.id);
        let mut patterns = Vec::with_capacity(rows.len());
        let mut keys: Vec<SchemaKey> = Vec::new();
        let mut key_index: HashMap<usize, usize> = HashMap::new();
        let mut formulas = Vec::new();
        let mut valid = PositionSets::default();
        for p in rows {
            // Valid characters use every pattern of the schema (spec 4.5 step 2).
            valid.add_key(&p.keys);
            let stored = interner.intern(&p.keys);
            let upper = interner.upper(&stored);
            let attribute = interner.intern(&p.attribute_id);
            let index = u32::try_from(patterns.len()).unwrap_or(u32::MAX);
            patterns.push(PatternInfo {
                id: p.id,
                element: p.element_id,
                display: globals.display(p.element_id, Some(&attribute)),
                attribute,
                keys_upper: upper,
                keys: stored.clone(),
                changed: p.updated_on.or(p.created_on),
            });
            let Some(element) = globals.element(p.element_id) else {
                continue;
            };
            if NOT_FROM_PATTERNS.contains(&p.element_id) {
                continue;
            }
            if p.keys.contains('#')
                && let Ok(key) = Key::parse(&p.keys)
            {
                formulas.push((index, key));
            }
            if !element.patternable || qc {
                continue;
            }
            let addr = Arc::as_ptr(&stored).cast::<u8>() as usize;
            let k = *key_index.entry(addr).or_insert_with(|| {
                keys.push(SchemaKey {
                    key: Key::parse(&stored).ok(),
                    text: stored.clone(),
                    patterns: Vec::new(),
                });
                keys.len() - 1
            });
            keys[k].patterns.push(index);
        }
        // Exact sizes: a preload keeps hundreds of thousands of these vectors.
        patterns.shrink_to_fit();
        keys.shrink_to_fit();
        for k in &mut keys {
            k.patterns.shrink_to_fit();
        }
        formulas.shrink_to_fit();
        let approx_bytes = 64
            + patterns.len() * std::mem::size_of::<PatternInfo>()
            + keys.len() * std::mem::size_of::<SchemaKey>()
            + keys.iter().map(|k| k.patterns.len() * 4).sum::<usize>()
            + formulas.len() * std::mem::size_of::<(u32, Key)>();
        VinSchema {
            id,
            qc,
            patterns,
            keys,
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

    /// A rough size in bytes (interned strings not included).
    pub fn approx_bytes(&self) -> usize {
        self.approx_bytes
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
    schemas: HashMap<i32, Weak<VinSchema>>,
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

    /// Compiles the schemas `(id, qc)` from `patterns` (their rows, ascending
    /// schema id then id, as the store gives them), keeping them resident;
    /// a schema some other caller made resident meanwhile is reused.
    pub fn compile_all(
        &self,
        globals: &Globals,
        schemas: &[(i32, bool)],
        patterns: &[PatternRow],
    ) -> Vec<Arc<VinSchema>> {
        let mut by_schema: HashMap<i32, Vec<&PatternRow>> = HashMap::new();
        for p in patterns {
            by_schema.entry(p.vin_schema_id).or_default().push(p);
        }
        let mut inner = self.lock();
        let mut out = Vec::with_capacity(schemas.len());
        for &(id, qc) in schemas {
            if let Some(s) = inner.schemas.get(&id).and_then(Weak::upgrade) {
                out.push(s);
                continue;
            }
            let rows = by_schema.get(&id).map_or(&[][..], Vec::as_slice);
            let compiled = Arc::new(VinSchema::compile(
                globals,
                &mut inner.interner,
                id,
                qc,
                rows,
            ));
            inner.schemas.insert(id, Arc::downgrade(&compiled));
            out.push(compiled);
        }
        // Drop entries whose schema is gone once the map has doubled.
        if inner.schemas.len() > 2 * inner.swept_at.max(1024) {
            inner.schemas.retain(|_, w| w.strong_count() > 0);
            inner.swept_at = inner.schemas.len();
        }
        out
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
