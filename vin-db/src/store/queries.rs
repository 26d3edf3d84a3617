//! The read queries, shared by both backends.
//!
//! `{s}` stands for the dataset's table prefix (`"vin_ds_7".` on Postgres,
//! empty on SQLite) and `$1` for the WMI string. Timestamps are read as text
//! (`CAST(… AS TEXT)`: Postgres prints ISO, SQLite stores the same form) and
//! parsed by [`crate::model::Timestamp::parse`]. Every query orders its rows so
//! both backends answer byte for byte the same.

/// Expands `{s}` to `prefix`, `{in $1}` to a membership test in the id list
/// bound as `$1` (see [`id_list`]) and, for SQLite, `$1` to `?1`.
pub(crate) fn sql(template: &str, prefix: &str, sqlite: bool) -> String {
    let s = template.replace("{s}", prefix);
    if sqlite {
        s.replace("{in $1}", "IN (SELECT value FROM json_each(?1))")
            .replace("$1", "?1")
    } else {
        s.replace("{in $1}", "= ANY(CAST(string_to_array($1, ',') AS int4[]))")
    }
}

/// The text bound for an `{in $1}` id list: a JSON array for SQLite, comma
/// separated for Postgres (both parsed by the database as integers).
pub(crate) fn id_list(ids: &[i32], sqlite: bool) -> String {
    let joined = ids.iter().map(i32::to_string).collect::<Vec<_>>().join(",");
    if sqlite {
        format!("[{joined}]")
    } else {
        joined
    }
}

/// The patterns of the schemas in the list, one index range scan per schema.
pub(crate) const PATTERNS_OF_SCHEMAS: &str = "SELECT id, vinschemaid, keys, elementid, attributeid, \
     CAST(createdon AS TEXT), CAST(updatedon AS TEXT) FROM {s}pattern \
     WHERE vinschemaid {in $1} ORDER BY vinschemaid, id";

/// The packed patterns of the schemas in the list (see
/// [`crate::store::packed`]); schemas without patterns have no row.
pub(crate) const PACKS_OF_SCHEMAS: &str = "SELECT vinschemaid, patterns FROM {s}pattern_pack \
     WHERE vinschemaid {in $1} ORDER BY vinschemaid";

pub(crate) const ELEMENTS: &str = "SELECT id, name, code, groupname, datatype, decode, isprivate, weight \
     FROM {s}element ORDER BY id";

pub(crate) const LOOKUPS: &str = "SELECT tbl, id, name FROM {s}lookup \
     UNION ALL SELECT 'make', id, name FROM {s}make \
     UNION ALL SELECT 'model', id, name FROM {s}model \
     UNION ALL SELECT 'manufacturer', id, name FROM {s}manufacturer \
     UNION ALL SELECT 'vehicletype', id, name FROM {s}vehicletype \
     UNION ALL SELECT 'country', id, name FROM {s}country \
     UNION ALL SELECT 'errorcode', id, name FROM {s}errorcode \
     ORDER BY 1, 2";

pub(crate) const ERROR_CODES: &str =
    "SELECT id, name, additionalerrortext, weight FROM {s}errorcode ORDER BY id";

pub(crate) const CONVERSIONS: &str =
    "SELECT id, fromelementid, toelementid, formula FROM {s}conversion ORDER BY id";

pub(crate) const DEFAULT_VALUES: &str = "SELECT id, elementid, vehicletypeid, defaultvalue, \
     CAST(createdon AS TEXT), CAST(updatedon AS TEXT) FROM {s}defaultvalue ORDER BY id";

pub(crate) const ENGINE_MODELS: &str = "SELECT id, name FROM {s}enginemodel ORDER BY id";

pub(crate) const ENGINE_MODEL_PATTERNS: &str = "SELECT id, enginemodelid, elementid, attributeid, \
     CAST(createdon AS TEXT), CAST(updatedon AS TEXT) FROM {s}enginemodelpattern ORDER BY id";

pub(crate) const MAKE_MODELS: &str = "SELECT makeid, modelid FROM {s}make_model ORDER BY id";

pub(crate) const CHECK_DIGIT_EXCEPTIONS: &str =
    "SELECT vin FROM {s}vinexception WHERE checkdigit ORDER BY id";

// Per WMI. The sub-selects name the WMI's ids, schemas and makes.
const WMI_IDS: &str = "SELECT w.id FROM {s}wmi w WHERE w.wmi = $1";
const SCHEMA_IDS: &str = "SELECT l.vinschemaid FROM {s}wmi_vinschema l \
     JOIN {s}wmi w ON w.id = l.wmiid WHERE w.wmi = $1";
const MAKE_IDS: &str = "SELECT wm.makeid FROM {s}wmi_make wm \
     JOIN {s}wmi w ON w.id = wm.wmiid WHERE w.wmi = $1";

/// Query texts (templates) for the rows of [`crate::model::WmiRows`].
pub(crate) struct WmiQueries {
    pub wmis: String,
    pub links: String,
    pub schemas: String,
    pub patterns: String,
    pub wmi_makes: String,
    pub spec_schemas: String,
    pub spec_models: String,
    pub spec_years: String,
    pub spec_patterns: String,
}

/// The per-WMI queries (`$1` = the WMI string).
pub(crate) fn wmi_queries() -> WmiQueries {
    let spec_ids =
        format!("SELECT ss.id FROM {{s}}vehiclespecschema ss WHERE ss.makeid IN ({MAKE_IDS})");
    WmiQueries {
        wmis: "SELECT id, wmi, manufacturerid, vehicletypeid, trucktypeid, countryid, \
               CAST(createdon AS TEXT), CAST(updatedon AS TEXT), CAST(publicavailabilitydate AS TEXT) \
               FROM {s}wmi WHERE wmi = $1 ORDER BY id"
            .into(),
        links: format!(
            "SELECT id, wmiid, vinschemaid, yearfrom, yearto FROM {{s}}wmi_vinschema \
             WHERE wmiid IN ({WMI_IDS}) ORDER BY id"
        ),
        schemas: format!(
            "SELECT id, name, tobeqced FROM {{s}}vinschema WHERE id IN ({SCHEMA_IDS}) ORDER BY id"
        ),
        patterns: format!(
            "SELECT id, vinschemaid, keys, elementid, attributeid, \
             CAST(createdon AS TEXT), CAST(updatedon AS TEXT) FROM {{s}}pattern \
             WHERE vinschemaid IN ({SCHEMA_IDS}) ORDER BY id"
        ),
        wmi_makes: format!(
            "SELECT wmiid, makeid FROM {{s}}wmi_make WHERE wmiid IN ({WMI_IDS}) ORDER BY wmiid, makeid"
        ),
        spec_schemas: format!(
            "SELECT id, makeid, vehicletypeid, tobeqced FROM {{s}}vehiclespecschema \
             WHERE makeid IN ({MAKE_IDS}) ORDER BY id"
        ),
        spec_models: format!(
            "SELECT vehiclespecschemaid, modelid FROM {{s}}vehiclespecschema_model \
             WHERE vehiclespecschemaid IN ({spec_ids}) ORDER BY id"
        ),
        spec_years: format!(
            "SELECT vehiclespecschemaid, year FROM {{s}}vehiclespecschema_year \
             WHERE vehiclespecschemaid IN ({spec_ids}) ORDER BY id"
        ),
        spec_patterns: format!(
            "SELECT vp.id, vp.vspecschemapatternid, sp.schemaid, vp.iskey, vp.elementid, vp.attributeid, \
             CAST(vp.createdon AS TEXT), CAST(vp.updatedon AS TEXT) \
             FROM {{s}}vehiclespecpattern vp JOIN {{s}}vspecschemapattern sp ON sp.id = vp.vspecschemapatternid \
             WHERE sp.schemaid IN ({spec_ids}) ORDER BY vp.id"
        ),
    }
}

/// The same queries without the WMI filter, for [`crate::store::Store::load_all_wmis`].
pub(crate) fn all_wmi_queries() -> WmiQueries {
    WmiQueries {
        wmis: "SELECT id, wmi, manufacturerid, vehicletypeid, trucktypeid, countryid, \
               CAST(createdon AS TEXT), CAST(updatedon AS TEXT), CAST(publicavailabilitydate AS TEXT) \
               FROM {s}wmi ORDER BY id"
            .into(),
        links: "SELECT id, wmiid, vinschemaid, yearfrom, yearto FROM {s}wmi_vinschema ORDER BY id"
            .into(),
        schemas: "SELECT id, name, tobeqced FROM {s}vinschema ORDER BY id".into(),
        patterns: "SELECT id, vinschemaid, keys, elementid, attributeid, \
             CAST(createdon AS TEXT), CAST(updatedon AS TEXT) FROM {s}pattern ORDER BY id"
            .into(),
        wmi_makes: "SELECT wmiid, makeid FROM {s}wmi_make ORDER BY wmiid, makeid".into(),
        spec_schemas:
            "SELECT id, makeid, vehicletypeid, tobeqced FROM {s}vehiclespecschema ORDER BY id"
                .into(),
        spec_models:
            "SELECT vehiclespecschemaid, modelid FROM {s}vehiclespecschema_model ORDER BY id"
                .into(),
        spec_years: "SELECT vehiclespecschemaid, year FROM {s}vehiclespecschema_year ORDER BY id"
            .into(),
        spec_patterns: "SELECT vp.id, vp.vspecschemapatternid, sp.schemaid, vp.iskey, vp.elementid, vp.attributeid, \
             CAST(vp.createdon AS TEXT), CAST(vp.updatedon AS TEXT) \
             FROM {s}vehiclespecpattern vp JOIN {s}vspecschemapattern sp ON sp.id = vp.vspecschemapatternid \
             ORDER BY vp.id"
            .into(),
    }
}
