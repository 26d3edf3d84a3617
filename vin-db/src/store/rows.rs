//! Turning query results into [`crate::model`] rows, for both backends.
//!
//! The fetch code is the same for Postgres and SQLite except for the row
//! type, so it is written once as a macro and instantiated in
//! `postgres.rs` and `sqlite.rs`; assembling the per-WMI answer is plain Rust.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::model::{
    PatternRow, SpecPatternRow, SpecSchemaRow, Timestamp, VinSchemaRow, WmiMakeRow, WmiRow,
    WmiRows, WmiSchemaLink,
};
use crate::{Error, Result};

/// Parses a stored timestamp.
pub(crate) fn ts(v: Option<String>) -> Result<Option<Timestamp>> {
    match v {
        None => Ok(None),
        Some(t) => Timestamp::parse(&t)
            .map(Some)
            .ok_or_else(|| Error::Source(format!("stored timestamp {t:?} is not valid"))),
    }
}

/// One pattern row of a query selecting `id, vinschemaid, keys, elementid,
/// attributeid, createdon, updatedon` (timestamps as text), on either backend.
pub(crate) fn pattern_row<R: sqlx::Row>(r: &R) -> Result<PatternRow>
where
    usize: sqlx::ColumnIndex<R>,
    for<'a> i32: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok(PatternRow {
        id: r.try_get(0)?,
        vin_schema_id: r.try_get(1)?,
        keys: r.try_get(2)?,
        element_id: r.try_get(3)?,
        attribute_id: r.try_get(4)?,
        created_on: ts(r.try_get(5)?)?,
        updated_on: ts(r.try_get(6)?)?,
    })
}

/// True for "no such table" on either backend (a dataset built before a
/// table existed).
pub(crate) fn is_missing_table(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => {
            d.code().as_deref() == Some("42P01") || d.message().starts_with("no such table")
        }
        _ => false,
    }
}

/// The rows fetched for one WMI (or for all of them), before assembly.
#[derive(Default)]
pub(crate) struct Fetched {
    pub wmis: Vec<WmiRow>,
    pub links: Vec<WmiSchemaLink>,
    pub schemas: Vec<VinSchemaRow>,
    pub patterns: Vec<PatternRow>,
    pub wmi_makes: Vec<WmiMakeRow>,
    pub spec_schemas: Vec<SpecSchemaRow>,
    /// (spec schema id, model id)
    pub spec_models: Vec<(i32, i32)>,
    /// (spec schema id, year)
    pub spec_years: Vec<(i32, i32)>,
    pub spec_patterns: Vec<SpecPatternRow>,
}

fn attach_spec_lists(schemas: &mut [SpecSchemaRow], models: &[(i32, i32)], years: &[(i32, i32)]) {
    let index: HashMap<i32, usize> = schemas.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
    for &(sid, model) in models {
        if let Some(&i) = index.get(&sid) {
            schemas[i].model_ids.push(model);
        }
    }
    for &(sid, year) in years {
        if let Some(&i) = index.get(&sid) {
            schemas[i].years.push(year);
        }
    }
}

/// The answer for one WMI: the fetch already selected exactly its rows.
pub(crate) fn assemble_one(wmi: &str, mut f: Fetched) -> WmiRows {
    attach_spec_lists(&mut f.spec_schemas, &f.spec_models, &f.spec_years);
    WmiRows {
        wmi: wmi.to_owned(),
        wmis: f.wmis,
        links: f.links,
        schemas: f.schemas,
        patterns: f.patterns,
        wmi_makes: f.wmi_makes,
        spec_schemas: f.spec_schemas,
        spec_patterns: f.spec_patterns,
    }
}

/// Splits every row of the dataset into one [`WmiRows`] per WMI string
/// (ascending), each exactly as [`assemble_one`] would give it.
pub(crate) fn assemble_all(mut f: Fetched) -> Vec<WmiRows> {
    attach_spec_lists(&mut f.spec_schemas, &f.spec_models, &f.spec_years);
    let mut by_wmi: BTreeMap<String, Vec<WmiRow>> = BTreeMap::new();
    for w in f.wmis {
        by_wmi.entry(w.wmi.clone()).or_default().push(w);
    }
    let mut links_by_wmi: HashMap<i32, Vec<WmiSchemaLink>> = HashMap::new();
    for l in f.links {
        links_by_wmi.entry(l.wmi_id).or_default().push(l);
    }
    let schema_by_id: HashMap<i32, VinSchemaRow> =
        f.schemas.into_iter().map(|s| (s.id, s)).collect();
    let mut patterns_by_schema: HashMap<i32, Vec<PatternRow>> = HashMap::new();
    for p in f.patterns {
        patterns_by_schema
            .entry(p.vin_schema_id)
            .or_default()
            .push(p);
    }
    let mut makes_by_wmi: HashMap<i32, Vec<WmiMakeRow>> = HashMap::new();
    for m in f.wmi_makes {
        makes_by_wmi.entry(m.wmi_id).or_default().push(m);
    }
    let mut spec_by_make: HashMap<i32, Vec<SpecSchemaRow>> = HashMap::new();
    for s in f.spec_schemas {
        spec_by_make.entry(s.make_id).or_default().push(s);
    }
    let mut spec_patterns_by_schema: HashMap<i32, Vec<SpecPatternRow>> = HashMap::new();
    for p in f.spec_patterns {
        spec_patterns_by_schema
            .entry(p.spec_schema_id)
            .or_default()
            .push(p);
    }

    let mut out = Vec::with_capacity(by_wmi.len());
    for (wmi, wmis) in by_wmi {
        let mut links: Vec<WmiSchemaLink> = wmis
            .iter()
            .flat_map(|w| links_by_wmi.get(&w.id).into_iter().flatten().copied())
            .collect();
        links.sort_by_key(|l| l.id);
        let schema_ids: BTreeSet<i32> = links.iter().map(|l| l.vin_schema_id).collect();
        let schemas: Vec<VinSchemaRow> = schema_ids
            .iter()
            .filter_map(|id| schema_by_id.get(id).cloned())
            .collect();
        let mut patterns: Vec<PatternRow> = schema_ids
            .iter()
            .flat_map(|id| patterns_by_schema.get(id).into_iter().flatten().cloned())
            .collect();
        patterns.sort_by_key(|p| p.id);
        let mut wmi_makes: Vec<WmiMakeRow> = wmis
            .iter()
            .flat_map(|w| makes_by_wmi.get(&w.id).into_iter().flatten().copied())
            .collect();
        wmi_makes.sort_by_key(|m| (m.wmi_id, m.make_id));
        let make_ids: BTreeSet<i32> = wmi_makes.iter().map(|m| m.make_id).collect();
        let mut spec_schemas: Vec<SpecSchemaRow> = make_ids
            .iter()
            .flat_map(|m| spec_by_make.get(m).into_iter().flatten().cloned())
            .collect();
        spec_schemas.sort_by_key(|s| s.id);
        let mut spec_patterns: Vec<SpecPatternRow> = spec_schemas
            .iter()
            .flat_map(|s| {
                spec_patterns_by_schema
                    .get(&s.id)
                    .into_iter()
                    .flatten()
                    .cloned()
            })
            .collect();
        spec_patterns.sort_by_key(|p| p.id);
        out.push(WmiRows {
            wmi,
            wmis,
            links,
            schemas,
            patterns,
            wmi_makes,
            spec_schemas,
            spec_patterns,
        });
    }
    out
}

/// Generates the fetch functions for one backend: `$conn` is the connection
/// type (`sqlx::PgConnection` / `sqlx::SqliteConnection`), `$sqlite` whether
/// placeholders need rewriting.
macro_rules! fetch_fns {
    ($conn:ty, $sqlite:expr) => {
        use sqlx::Row as _;
        use $crate::model::*;
        use $crate::store::PatternSet;
        use $crate::store::queries::{self as q, sql};
        use $crate::store::rows::{Fetched, ts};

        async fn all(
            conn: &mut $conn,
            template: &str,
            prefix: &str,
            bind: Option<&str>,
        ) -> $crate::Result<Vec<<<$conn as sqlx::Connection>::Database as sqlx::Database>::Row>> {
            let text = sql(template, prefix, $sqlite);
            let mut query = sqlx::query(&text);
            if let Some(b) = bind {
                query = query.bind(b);
            }
            Ok(query.fetch_all(&mut *conn).await?)
        }

        /// Every global table of the dataset behind `prefix`.
        pub(crate) async fn fetch_globals(
            conn: &mut $conn,
            prefix: &str,
        ) -> $crate::Result<GlobalRows> {
            let mut g = GlobalRows::default();
            for r in all(conn, q::ELEMENTS, prefix, None).await? {
                g.elements.push(ElementRow {
                    id: r.try_get(0)?,
                    name: r.try_get(1)?,
                    code: r.try_get(2)?,
                    group_name: r.try_get(3)?,
                    data_type: r.try_get(4)?,
                    decode: r.try_get(5)?,
                    is_private: r.try_get(6)?,
                    weight: r.try_get(7)?,
                });
            }
            for r in all(conn, q::LOOKUPS, prefix, None).await? {
                g.lookups.push(LookupRow {
                    table: r.try_get(0)?,
                    id: r.try_get(1)?,
                    name: r.try_get(2)?,
                });
            }
            for r in all(conn, q::ERROR_CODES, prefix, None).await? {
                g.error_codes.push(ErrorCodeRow {
                    id: r.try_get(0)?,
                    name: r.try_get(1)?,
                    additional_error_text: r.try_get(2)?,
                    weight: r.try_get(3)?,
                });
            }
            for r in all(conn, q::CONVERSIONS, prefix, None).await? {
                g.conversions.push(ConversionRow {
                    id: r.try_get(0)?,
                    from_element_id: r.try_get(1)?,
                    to_element_id: r.try_get(2)?,
                    formula: r.try_get(3)?,
                });
            }
            for r in all(conn, q::DEFAULT_VALUES, prefix, None).await? {
                g.default_values.push(DefaultValueRow {
                    id: r.try_get(0)?,
                    element_id: r.try_get(1)?,
                    vehicle_type_id: r.try_get(2)?,
                    default_value: r.try_get(3)?,
                    created_on: ts(r.try_get(4)?)?,
                    updated_on: ts(r.try_get(5)?)?,
                });
            }
            for r in all(conn, q::ENGINE_MODELS, prefix, None).await? {
                g.engine_models.push(EngineModelRow {
                    id: r.try_get(0)?,
                    name: r.try_get(1)?,
                });
            }
            for r in all(conn, q::ENGINE_MODEL_PATTERNS, prefix, None).await? {
                g.engine_model_patterns.push(EngineModelPatternRow {
                    id: r.try_get(0)?,
                    engine_model_id: r.try_get(1)?,
                    element_id: r.try_get(2)?,
                    attribute_id: r.try_get(3)?,
                    created_on: ts(r.try_get(4)?)?,
                    updated_on: ts(r.try_get(5)?)?,
                });
            }
            for r in all(conn, q::MAKE_MODELS, prefix, None).await? {
                g.make_models.push(MakeModelRow {
                    make_id: r.try_get(0)?,
                    model_id: r.try_get(1)?,
                });
            }
            for r in all(conn, q::CHECK_DIGIT_EXCEPTIONS, prefix, None).await? {
                g.check_digit_exceptions.push(r.try_get(0)?);
            }
            Ok(g)
        }

        /// The patterns of the schemas `ids`, ascending schema id then id.
        pub(crate) async fn fetch_patterns(
            conn: &mut $conn,
            prefix: &str,
            ids: &[i32],
        ) -> $crate::Result<PatternSet> {
            if ids.is_empty() {
                return Ok(PatternSet::default());
            }
            let list = q::id_list(ids, $sqlite);
            match all(conn, q::PACKS_OF_SCHEMAS, prefix, Some(&list)).await {
                Ok(rows) => {
                    let mut packs = Vec::with_capacity(rows.len());
                    for r in rows {
                        packs.push((r.try_get(0)?, r.try_get(1)?));
                    }
                    return Ok(PatternSet::from_packs(packs));
                }
                // A dataset built before the packed table: read row by row.
                Err($crate::Error::Database(e)) if $crate::store::rows::is_missing_table(&e) => {}
                Err(e) => return Err(e),
            }
            let mut out = Vec::new();
            for r in all(conn, q::PATTERNS_OF_SCHEMAS, prefix, Some(&list)).await? {
                out.push($crate::store::rows::pattern_row(&r)?);
            }
            Ok(PatternSet::from_rows(out))
        }

        /// The rows of `qs` (per-WMI when `wmi` is set, else everything);
        /// without the patterns unless `with_patterns`.
        pub(crate) async fn fetch_wmi_rows(
            conn: &mut $conn,
            prefix: &str,
            qs: &q::WmiQueries,
            wmi: Option<&str>,
            with_patterns: bool,
        ) -> $crate::Result<Fetched> {
            let mut f = Fetched::default();
            for r in all(conn, &qs.wmis, prefix, wmi).await? {
                f.wmis.push(WmiRow {
                    id: r.try_get(0)?,
                    wmi: r.try_get(1)?,
                    manufacturer_id: r.try_get(2)?,
                    vehicle_type_id: r.try_get(3)?,
                    truck_type_id: r.try_get(4)?,
                    country_id: r.try_get(5)?,
                    created_on: ts(r.try_get(6)?)?,
                    updated_on: ts(r.try_get(7)?)?,
                    public_availability_date: ts(r.try_get(8)?)?,
                });
            }
            if wmi.is_some() && f.wmis.is_empty() {
                return Ok(f);
            }
            for r in all(conn, &qs.links, prefix, wmi).await? {
                f.links.push(WmiSchemaLink {
                    id: r.try_get(0)?,
                    wmi_id: r.try_get(1)?,
                    vin_schema_id: r.try_get(2)?,
                    year_from: r.try_get(3)?,
                    year_to: r.try_get(4)?,
                });
            }
            for r in all(conn, &qs.schemas, prefix, wmi).await? {
                f.schemas.push(VinSchemaRow {
                    id: r.try_get(0)?,
                    name: r.try_get(1)?,
                    tobeqced: r.try_get(2)?,
                });
            }
            let patterns = if with_patterns {
                all(conn, &qs.patterns, prefix, wmi).await?
            } else {
                Vec::new()
            };
            for r in patterns {
                f.patterns.push($crate::store::rows::pattern_row(&r)?);
            }
            for r in all(conn, &qs.wmi_makes, prefix, wmi).await? {
                f.wmi_makes.push(WmiMakeRow {
                    wmi_id: r.try_get(0)?,
                    make_id: r.try_get(1)?,
                });
            }
            if wmi.is_some() && f.wmi_makes.is_empty() {
                return Ok(f);
            }
            for r in all(conn, &qs.spec_schemas, prefix, wmi).await? {
                f.spec_schemas.push(SpecSchemaRow {
                    id: r.try_get(0)?,
                    make_id: r.try_get(1)?,
                    vehicle_type_id: r.try_get(2)?,
                    tobeqced: r.try_get(3)?,
                    model_ids: Vec::new(),
                    years: Vec::new(),
                });
            }
            if wmi.is_some() && f.spec_schemas.is_empty() {
                return Ok(f);
            }
            for r in all(conn, &qs.spec_models, prefix, wmi).await? {
                f.spec_models.push((r.try_get(0)?, r.try_get(1)?));
            }
            for r in all(conn, &qs.spec_years, prefix, wmi).await? {
                f.spec_years.push((r.try_get(0)?, r.try_get(1)?));
            }
            for r in all(conn, &qs.spec_patterns, prefix, wmi).await? {
                f.spec_patterns.push(SpecPatternRow {
                    id: r.try_get(0)?,
                    vspec_schema_pattern_id: r.try_get(1)?,
                    spec_schema_id: r.try_get(2)?,
                    is_key: r.try_get(3)?,
                    element_id: r.try_get(4)?,
                    attribute_id: r.try_get(5)?,
                    created_on: ts(r.try_get(6)?)?,
                    updated_on: ts(r.try_get(7)?)?,
                });
            }
            Ok(f)
        }
    };
}

pub(crate) use fetch_fns;
