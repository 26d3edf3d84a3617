//! One WMI's rows without its patterns (the "head": `Wmi`, its schema links,
//! schemas, makes and vehicle spec rows) in one query instead of eight: each
//! table's rows come back as one JSON array, so a cold WMI pays one round
//! trip for them however busy the machine is. Both backends build the arrays
//! with their own JSON functions; the rows are sorted here, so the answer is
//! the same as [`super::queries::wmi_queries`] gives row by row.

use serde::Deserialize;

use super::rows::{Fetched, assemble_one, ts};
use crate::model::{
    SpecPatternRow, SpecSchemaRow, VinSchemaRow, WmiMakeRow, WmiRow, WmiRows, WmiSchemaLink,
};
use crate::{Error, Result};

const WMI_IDS: &str = "SELECT w.id FROM {s}wmi w WHERE w.wmi = $1";
const SCHEMA_IDS: &str = "SELECT l.vinschemaid FROM {s}wmi_vinschema l \
     JOIN {s}wmi w ON w.id = l.wmiid WHERE w.wmi = $1";
const MAKE_IDS: &str = "SELECT wm.makeid FROM {s}wmi_make wm \
     JOIN {s}wmi w ON w.id = wm.wmiid WHERE w.wmi = $1";

/// Number of JSON columns [`template`] selects (further columns may follow).
pub(crate) const COLUMNS: usize = 8;

/// The query template (`{s}` = table prefix, `$1` = the WMI string; expand
/// with [`super::queries::sql`]): eight text columns, each a JSON array of
/// row arrays, NULL or `[]` when the table has no row for the WMI.
pub(crate) fn template(sqlite: bool) -> String {
    let (agg, arr) = if sqlite {
        ("json_group_array", "json_array")
    } else {
        ("json_agg", "json_build_array")
    };
    let spec_ids =
        format!("SELECT ss.id FROM {{s}}vehiclespecschema ss WHERE ss.makeid IN ({MAKE_IDS})");
    // (columns, the rest of the query) per table.
    let parts = [
        (
            "id, wmi, manufacturerid, vehicletypeid, trucktypeid, countryid, \
             CAST(createdon AS TEXT), CAST(updatedon AS TEXT), CAST(publicavailabilitydate AS TEXT)",
            "{s}wmi WHERE wmi = $1".to_owned(),
        ),
        (
            "id, wmiid, vinschemaid, yearfrom, yearto",
            format!("{{s}}wmi_vinschema WHERE wmiid IN ({WMI_IDS})"),
        ),
        (
            "id, name, tobeqced",
            format!("{{s}}vinschema WHERE id IN ({SCHEMA_IDS})"),
        ),
        (
            "wmiid, makeid",
            format!("{{s}}wmi_make WHERE wmiid IN ({WMI_IDS})"),
        ),
        (
            "id, makeid, vehicletypeid, tobeqced",
            format!("{{s}}vehiclespecschema WHERE makeid IN ({MAKE_IDS})"),
        ),
        (
            "id, vehiclespecschemaid, modelid",
            format!("{{s}}vehiclespecschema_model WHERE vehiclespecschemaid IN ({spec_ids})"),
        ),
        (
            "id, vehiclespecschemaid, year",
            format!("{{s}}vehiclespecschema_year WHERE vehiclespecschemaid IN ({spec_ids})"),
        ),
        (
            "vp.id, vp.vspecschemapatternid, sp.schemaid, vp.iskey, vp.elementid, vp.attributeid, \
             CAST(vp.createdon AS TEXT), CAST(vp.updatedon AS TEXT)",
            format!(
                "{{s}}vehiclespecpattern vp \
                 JOIN {{s}}vspecschemapattern sp ON sp.id = vp.vspecschemapatternid \
                 WHERE sp.schemaid IN ({spec_ids})"
            ),
        ),
    ];
    let columns: Vec<String> = parts
        .iter()
        .map(|(cols, rest)| format!("CAST((SELECT {agg}({arr}({cols})) FROM {rest}) AS TEXT)"))
        .collect();
    format!("SELECT {}", columns.join(", "))
}

/// A stored boolean: `true`/`false` from Postgres, 0/1 from SQLite.
#[derive(Deserialize)]
#[serde(untagged)]
enum Flag {
    Bool(bool),
    Int(i64),
}

impl Flag {
    fn get(self) -> bool {
        match self {
            Flag::Bool(b) => b,
            Flag::Int(i) => i != 0,
        }
    }
}

type Ts = Option<String>;

fn parse<T: for<'de> Deserialize<'de>>(what: &str, text: Option<&str>) -> Result<Vec<T>> {
    match text {
        None => Ok(Vec::new()),
        Some(t) => serde_json::from_str(t)
            .map_err(|e| Error::Source(format!("the {what} rows of a WMI are not valid: {e}"))),
    }
}

/// Assembles the answer from the eight JSON columns.
pub(crate) fn assemble(wmi: &str, columns: [Option<String>; COLUMNS]) -> Result<WmiRows> {
    let [wmis, links, schemas, makes, specs, models, years, patterns] = columns;
    let mut f = Fetched::default();
    type WmiT = (
        i32,
        String,
        Option<i32>,
        Option<i32>,
        Option<i32>,
        Option<i32>,
        Ts,
        Ts,
        Ts,
    );
    for (id, w, manufacturer_id, vehicle_type_id, truck_type_id, country_id, c, u, p) in
        parse::<WmiT>("Wmi", wmis.as_deref())?
    {
        f.wmis.push(WmiRow {
            id,
            wmi: w,
            manufacturer_id,
            vehicle_type_id,
            truck_type_id,
            country_id,
            created_on: ts(c)?,
            updated_on: ts(u)?,
            public_availability_date: ts(p)?,
        });
    }
    f.wmis.sort_by_key(|r| r.id);
    for (id, wmi_id, vin_schema_id, year_from, year_to) in
        parse::<(i32, i32, i32, i32, Option<i32>)>("Wmi_VinSchema", links.as_deref())?
    {
        f.links.push(WmiSchemaLink {
            id,
            wmi_id,
            vin_schema_id,
            year_from,
            year_to,
        });
    }
    f.links.sort_by_key(|l| l.id);
    for (id, name, qc) in parse::<(i32, String, Option<Flag>)>("VinSchema", schemas.as_deref())? {
        f.schemas.push(VinSchemaRow {
            id,
            name,
            tobeqced: qc.map(Flag::get),
        });
    }
    f.schemas.sort_by_key(|s| s.id);
    for (wmi_id, make_id) in parse::<(i32, i32)>("Wmi_Make", makes.as_deref())? {
        f.wmi_makes.push(WmiMakeRow { wmi_id, make_id });
    }
    f.wmi_makes.sort_by_key(|m| (m.wmi_id, m.make_id));
    for (id, make_id, vehicle_type_id, qc) in
        parse::<(i32, i32, Option<i32>, Option<Flag>)>("VehicleSpecSchema", specs.as_deref())?
    {
        f.spec_schemas.push(SpecSchemaRow {
            id,
            make_id,
            vehicle_type_id,
            tobeqced: qc.map(Flag::get),
            model_ids: Vec::new(),
            years: Vec::new(),
        });
    }
    f.spec_schemas.sort_by_key(|s| s.id);
    let mut models = parse::<(i32, i32, i32)>("VehicleSpecSchema_Model", models.as_deref())?;
    models.sort_by_key(|m| m.0);
    f.spec_models = models.into_iter().map(|(_, s, m)| (s, m)).collect();
    let mut years = parse::<(i32, i32, i32)>("VehicleSpecSchema_Year", years.as_deref())?;
    years.sort_by_key(|y| y.0);
    f.spec_years = years.into_iter().map(|(_, s, y)| (s, y)).collect();
    type SpecT = (i32, i32, i32, Flag, i32, String, Ts, Ts);
    for (id, vsp, schema, key, element_id, attribute_id, c, u) in
        parse::<SpecT>("VehicleSpecPattern", patterns.as_deref())?
    {
        f.spec_patterns.push(SpecPatternRow {
            id,
            vspec_schema_pattern_id: vsp,
            spec_schema_id: schema,
            is_key: key.get(),
            element_id,
            attribute_id,
            created_on: ts(c)?,
            updated_on: ts(u)?,
        });
    }
    f.spec_patterns.sort_by_key(|p| p.id);
    Ok(assemble_one(wmi, f))
}
