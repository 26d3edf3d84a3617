//! One WMI string's compiled schemas and patterns: [`WmiCatalog`].

use std::collections::HashMap;
use std::sync::Arc;

use vin_core::KeyText;
use vin_core::key::Key;

use super::charset::PositionSets;
use super::globals::Globals;
use super::schema::{PatternInfo, VinSchema};
use crate::model::{Timestamp, WmiRows};

/// A `Wmi` row.
#[derive(Debug, Clone)]
pub(crate) struct WmiRowInfo {
    pub id: i32,
    pub public_at: Option<Timestamp>,
    pub vehicle_type_id: Option<i32>,
    pub truck_type_id: Option<i32>,
    pub manufacturer_id: Option<i32>,
    /// `UpdatedOn`, else `CreatedOn`.
    pub changed: Option<Timestamp>,
}

impl WmiRowInfo {
    /// Published: a non-NULL `PublicAvailabilityDate` not after `now`.
    pub fn is_public(&self, now: Timestamp) -> bool {
        self.public_at.is_some_and(|p| p <= now)
    }
}

/// A `Wmi_VinSchema` row whose schema exists.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LinkInfo {
    /// Index into [`WmiCatalog::rows`].
    pub row: usize,
    pub year_from: i32,
    /// `coalesce(YearTo, 2999)`.
    pub year_to: i32,
}

impl LinkInfo {
    /// Covers `year`; every link covers a pass without a year.
    pub fn covers(&self, year: Option<i32>) -> bool {
        year.is_none_or(|y| self.year_from <= y && y <= self.year_to)
    }
}

/// A `VinSchema` linked to the WMI: the shared compiled schema and this
/// WMI's links to it.
#[derive(Debug, Clone)]
pub(crate) struct SchemaInfo {
    pub id: i32,
    pub qc: bool,
    /// Indexes of the links to this schema (any `Wmi` row).
    pub links: Vec<usize>,
    /// The compiled schema, shared with every other WMI linking to it.
    pub compiled: Arc<VinSchema>,
}

/// One (pattern, link) pair of step 3.2: a pattern whose key matches and
/// one link of the WMI to its schema that covers the pass; ordered by
/// creation (pattern id, then link).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Match {
    pub pattern_id: i32,
    /// Index into [`WmiCatalog::links`].
    pub link: u32,
    /// Index into [`WmiCatalog::schemas`].
    pub schema: u32,
    /// Index into that schema's patterns.
    pub pattern: u32,
}

/// A formula pattern (key with `#`) of step 3.6.
#[derive(Debug, Clone)]
pub(crate) struct FormulaInfo {
    /// Index into [`WmiCatalog::schemas`].
    pub schema: usize,
    /// Index into that schema's patterns.
    pub pattern: usize,
    pub key: Key,
}

/// A value row of a vehicle-spec group.
#[derive(Debug, Clone)]
pub(crate) struct SpecValue {
    pub id: i32,
    pub element: i32,
    pub attribute: Arc<str>,
    pub changed: Option<Timestamp>,
    pub display: Option<Arc<str>>,
}

/// A `VSpecSchemaPattern` with its key rows and value rows (spec 3.10).
#[derive(Debug, Clone)]
pub(crate) struct SpecGroup {
    /// `VSpecSchemaPattern.Id`.
    pub id: i32,
    /// `VehicleSpecSchema.Id`.
    pub schema_id: i32,
    pub schema_qc: Option<bool>,
    pub vehicle_type_id: Option<i32>,
    pub model_ids: Vec<i32>,
    pub years: Vec<i32>,
    /// Key rows: (element, attribute).
    pub keys: Vec<(i32, Arc<str>)>,
    pub values: Vec<SpecValue>,
}

/// One WMI string's compiled catalog: its `Wmi` rows, schema links, patterns
/// with their keys compiled and deduplicated, formula patterns, makes and
/// vehicle-spec groups. Read-only and shared between threads.
#[derive(Debug)]
pub struct WmiCatalog {
    wmi: Arc<str>,
    pub(crate) rows: Vec<WmiRowInfo>,
    pub(crate) links: Vec<LinkInfo>,
    pub(crate) schemas: Vec<SchemaInfo>,
    /// Ascending pattern id.
    pub(crate) formulas: Vec<FormulaInfo>,
    /// `(row index, make id)` of `Wmi_Make` rows whose make exists.
    pub(crate) makes: Vec<(usize, i32)>,
    pub(crate) spec_groups: Vec<SpecGroup>,
    /// Distinct allowed-character tables of the years `FIRST_YEAR..`.
    valid_sets: Vec<PositionSets>,
    /// Per year from `FIRST_YEAR`, the index into `valid_sets`.
    valid_by_year: Vec<u16>,
    approx_bytes: usize,
}

/// First year whose allowed-character table is precomputed.
const FIRST_YEAR: i32 = 1980;
/// Number of precomputed years (1980–2039: every year a pass can run with
/// until 2037; later years are computed on demand).
const YEARS: usize = 60;

impl WmiCatalog {
    /// Compiles the rows of one WMI string against the global tables, its
    /// schemas through the dataset's shared [`super::SchemaCache`] (resident
    /// schemas are reused; `rows.patterns` needs to hold only the patterns of
    /// the schemas not resident).
    pub fn compile(globals: &Globals, rows: WmiRows) -> WmiCatalog {
        let wanted = rows.schema_keys();
        let compiled = globals
            .schema_cache()
            .compile_all(globals, &wanted, &rows.patterns);
        Self::compile_with(globals, rows, compiled)
    }

    /// Compiles with the schemas already compiled (`compiled` holds at least
    /// every schema of `rows.schemas`; `rows.patterns` is not read).
    pub fn compile_with(
        globals: &Globals,
        rows: WmiRows,
        compiled: Vec<Arc<VinSchema>>,
    ) -> WmiCatalog {
        let mut wmi_rows: Vec<_> = rows.wmis.iter().collect();
        wmi_rows.sort_by_key(|r| r.id);
        let row_infos: Vec<WmiRowInfo> = wmi_rows
            .iter()
            .map(|r| WmiRowInfo {
                id: r.id,
                public_at: r.public_availability_date,
                vehicle_type_id: r.vehicle_type_id,
                truck_type_id: r.truck_type_id,
                manufacturer_id: r.manufacturer_id,
                changed: r.updated_on.or(r.created_on),
            })
            .collect();
        let row_index: HashMap<i32, usize> = row_infos
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id, i))
            .collect();

        let by_id: HashMap<i32, &Arc<VinSchema>> = compiled.iter().map(|c| (c.id, c)).collect();
        let mut schemas: Vec<SchemaInfo> = Vec::new();
        let mut schema_index: HashMap<i32, usize> = HashMap::new();
        for s in &rows.schemas {
            let Some(&c) = by_id.get(&s.id) else {
                continue;
            };
            schema_index.entry(s.id).or_insert_with(|| {
                schemas.push(SchemaInfo {
                    id: s.id,
                    qc: c.qc,
                    links: Vec::new(),
                    compiled: Arc::clone(c),
                });
                schemas.len() - 1
            });
        }
        let mut link_rows = rows.links.clone();
        link_rows.sort_by_key(|l| l.id);
        let mut links = Vec::new();
        for l in &link_rows {
            let (Some(&row), Some(&schema)) =
                (row_index.get(&l.wmi_id), schema_index.get(&l.vin_schema_id))
            else {
                continue;
            };
            schemas[schema].links.push(links.len());
            links.push(LinkInfo {
                row,
                year_from: l.year_from,
                year_to: l.year_to.unwrap_or(2999),
            });
        }

        // Formula patterns in creation order.
        let mut formulas = Vec::new();
        for (si, s) in schemas.iter().enumerate() {
            let c = &s.compiled;
            for (p, key) in c.formulas.iter() {
                let pattern_id = c.patterns.get(*p as usize).map_or(i32::MAX, |p| p.id);
                formulas.push((
                    pattern_id,
                    FormulaInfo {
                        schema: si,
                        pattern: *p as usize,
                        key: key.clone(),
                    },
                ));
            }
        }
        formulas.sort_by_key(|f| f.0);
        let formulas: Vec<FormulaInfo> = formulas.into_iter().map(|f| f.1).collect();

        let makes = rows
            .wmi_makes
            .iter()
            .filter(|m| globals.make_upper.contains_key(&m.make_id))
            .filter_map(|m| row_index.get(&m.wmi_id).map(|&r| (r, m.make_id)))
            .collect();

        let linked_makes: Vec<i32> = rows.wmi_makes.iter().map(|m| m.make_id).collect();
        let mut spec_groups: Vec<SpecGroup> = Vec::new();
        let mut group_index: HashMap<i32, usize> = HashMap::new();
        let spec_schemas: HashMap<i32, _> = rows
            .spec_schemas
            .iter()
            .filter(|s| linked_makes.contains(&s.make_id))
            .map(|s| (s.id, s))
            .collect();
        let mut spec_rows: Vec<_> = rows.spec_patterns.iter().collect();
        spec_rows.sort_by_key(|p| p.id);
        for sp in spec_rows {
            let Some(schema) = spec_schemas.get(&sp.spec_schema_id) else {
                continue;
            };
            let g = *group_index
                .entry(sp.vspec_schema_pattern_id)
                .or_insert_with(|| {
                    spec_groups.push(SpecGroup {
                        id: sp.vspec_schema_pattern_id,
                        schema_id: schema.id,
                        schema_qc: schema.tobeqced,
                        vehicle_type_id: schema.vehicle_type_id,
                        model_ids: schema.model_ids.clone(),
                        years: schema.years.clone(),
                        keys: Vec::new(),
                        values: Vec::new(),
                    });
                    spec_groups.len() - 1
                });
            let attribute: Arc<str> = Arc::from(sp.attribute_id.as_str());
            if sp.is_key {
                spec_groups[g].keys.push((sp.element_id, attribute));
            } else {
                spec_groups[g].values.push(SpecValue {
                    id: sp.id,
                    element: sp.element_id,
                    display: globals.display(sp.element_id, Some(&attribute)),
                    attribute,
                    changed: sp.updated_on.or(sp.created_on),
                });
            }
        }
        spec_groups.retain(|g| !g.keys.is_empty());

        links.shrink_to_fit();
        schemas.shrink_to_fit();
        for s in &mut schemas {
            s.links.shrink_to_fit();
        }
        let mut catalog = WmiCatalog {
            wmi: Arc::from(rows.wmi.to_uppercase()),
            rows: row_infos,
            links,
            schemas,
            formulas,
            makes,
            spec_groups,
            valid_sets: Vec::new(),
            valid_by_year: Vec::new(),
            approx_bytes: 0,
        };
        // Allowed characters per pass year, computed once (spec 4.5 step 2).
        let mut valid_sets: Vec<PositionSets> = Vec::new();
        let mut valid_by_year = Vec::with_capacity(YEARS);
        for offset in 0..YEARS as i32 {
            let sets = catalog.compute_valid_chars(Some(FIRST_YEAR + offset));
            let index = match valid_sets.iter().position(|s| *s == sets) {
                Some(i) => i,
                None => {
                    valid_sets.push(sets);
                    valid_sets.len() - 1
                }
            };
            valid_by_year.push(u16::try_from(index).unwrap_or(u16::MAX));
        }
        valid_sets.shrink_to_fit();
        catalog.valid_sets = valid_sets;
        catalog.valid_by_year = valid_by_year;
        let (formulas, schemas, links, spec_groups) = (
            &catalog.formulas,
            &catalog.schemas,
            &catalog.links,
            &catalog.spec_groups,
        );
        let approx_bytes = 256
            + formulas.len() * std::mem::size_of::<FormulaInfo>()
            + schemas.len() * std::mem::size_of::<SchemaInfo>()
            + schemas.iter().map(|s| s.links.len() * 8).sum::<usize>()
            + links.len() * std::mem::size_of::<LinkInfo>()
            + spec_groups.len() * 128
            + catalog.valid_sets.len() * std::mem::size_of::<PositionSets>()
            + YEARS * 2;
        catalog.approx_bytes = approx_bytes;
        catalog
    }

    /// The WMI string (3 or 6 characters).
    pub fn wmi(&self) -> &str {
        &self.wmi
    }

    /// The WMI string, shared.
    pub(crate) fn wmi_arc(&self) -> &Arc<str> {
        &self.wmi
    }

    /// A rough size in bytes, for the cache weigher.
    pub fn approx_bytes(&self) -> usize {
        self.approx_bytes
    }

    /// Whether any `Wmi` row has this string (published or not).
    pub fn is_registered(&self) -> bool {
        !self.rows.is_empty()
    }

    /// Spec 2.2: the first `Wmi` row is a car, an MPV or a light truck.
    pub fn car_lt(&self) -> bool {
        self.rows.first().is_some_and(|r| {
            matches!(r.vehicle_type_id, Some(2 | 7))
                || (r.vehicle_type_id == Some(3) && r.truck_type_id == Some(1))
        })
    }

    /// Spec 3.1: the first published `Wmi` row.
    pub(crate) fn public_row(&self, now: Timestamp) -> Option<&WmiRowInfo> {
        self.rows.iter().find(|r| r.is_public(now))
    }

    /// Spec 2.4 step 2: links (any row, existing schema) covering `year`.
    pub(crate) fn links_covering(&self, year: i32) -> usize {
        self.links.iter().filter(|l| l.covers(Some(year))).count()
    }

    /// Spec 4.5 step 2: the allowed characters per position for a pass year
    /// (nothing without a year).
    pub(crate) fn valid_chars(&self, year: Option<i32>) -> PositionSets {
        let cached = year
            .and_then(|y| usize::try_from(y - FIRST_YEAR).ok())
            .and_then(|i| self.valid_by_year.get(i))
            .and_then(|&i| self.valid_sets.get(usize::from(i)));
        match cached {
            Some(sets) => *sets,
            None => self.compute_valid_chars(year),
        }
    }

    pub(crate) fn compute_valid_chars(&self, year: Option<i32>) -> PositionSets {
        let mut sets = PositionSets::default();
        if year.is_none() {
            return sets;
        }
        for s in &self.schemas {
            if s.links.iter().any(|&l| self.links[l].covers(year)) {
                sets.union(&s.compiled.valid);
            }
        }
        sets
    }

    /// Spec 3.2: appends to `out` every (pattern, link) pair of a pattern
    /// whose key matches `keys` and a link of a published `Wmi` row covering
    /// `year`, in creation order (pattern id, then link). Only the schemas
    /// with such a link are matched.
    pub(crate) fn matches(
        &self,
        keys: &KeyText,
        year: Option<i32>,
        now: Timestamp,
        out: &mut Vec<Match>,
    ) {
        let start = out.len();
        let live = |l: usize| {
            let link = &self.links[l];
            link.covers(year) && self.rows[link.row].is_public(now)
        };
        for (si, s) in self.schemas.iter().enumerate() {
            if !s.links.iter().any(|&l| live(l)) {
                continue;
            }
            let schema = u32::try_from(si).unwrap_or(u32::MAX);
            let c = &s.compiled;
            c.for_each_match(keys, |p| {
                let pattern_id = c.patterns[p as usize].id;
                for &l in s.links.iter().filter(|&&l| live(l)) {
                    out.push(Match {
                        pattern_id,
                        link: u32::try_from(l).unwrap_or(u32::MAX),
                        schema,
                        pattern: p,
                    });
                }
            });
        }
        if let Some(found) = out.get_mut(start..) {
            found.sort_unstable();
        }
    }

    /// Pattern `pattern` of schema `schema` (indexes of [`Match`] / [`FormulaInfo`]).
    pub(crate) fn pattern(&self, schema: usize, pattern: usize) -> &PatternInfo {
        &self.schemas[schema].compiled.patterns[pattern]
    }

    /// The shared compiled schemas this catalog links to.
    pub fn vin_schemas(&self) -> impl Iterator<Item = &Arc<VinSchema>> {
        self.schemas.iter().map(|s| &s.compiled)
    }

    /// Whether the schema has a link (any row) covering `year`.
    pub(crate) fn schema_covers(&self, schema: usize, year: Option<i32>) -> bool {
        self.schemas[schema]
            .links
            .iter()
            .any(|&l| self.links[l].covers(year))
    }
}
