//! The dataset schema as data: which vPIC tables a dataset keeps, their
//! columns and types. The ETL maps source columns by these names; the
//! migrations (`migrations/{postgres,sqlite}/0001_dataset.sql`) create the same
//! tables, and a test checks that both agree.

/// The type of a stored column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColType {
    /// `integer` (vPIC's `integer` and `smallint`).
    Int,
    /// Text, byte-exact.
    Text,
    /// `boolean` in Postgres, `INTEGER` 0/1 in SQLite.
    Bool,
    /// `timestamp` in Postgres; TEXT in [`crate::model::Timestamp`]'s display form in SQLite.
    Ts,
}

/// One stored column.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// Lower-case vPIC column name.
    pub name: &'static str,
    /// Stored type.
    pub ty: ColType,
    /// `NOT NULL` in vPIC (a source lacking it is rejected).
    pub not_null: bool,
}

/// One stored vPIC table.
#[derive(Debug, Clone, Copy)]
pub struct TableDef {
    /// Lower-case vPIC table name.
    pub name: &'static str,
    /// Stored columns, in table order.
    pub columns: &'static [Column],
    /// The gate requires at least one row.
    pub required: bool,
}

const fn c(name: &'static str, ty: ColType) -> Column {
    Column {
        name,
        ty,
        not_null: false,
    }
}

const fn n(name: &'static str, ty: ColType) -> Column {
    Column {
        name,
        ty,
        not_null: true,
    }
}

use ColType::{Bool, Int, Text, Ts};

/// The name of the table holding every small `(id, name)` lookup table.
pub const LOOKUP: &str = "lookup";

/// Every vPIC table a dataset keeps as its own table (the small `(id, name)`
/// lookups go to [`LOOKUP`] instead, see [`LOOKUP_TABLES`]).
pub const TABLES: &[TableDef] = &[
    TableDef {
        name: "wmi",
        required: true,
        columns: &[
            n("id", Int),
            n("wmi", Text),
            c("manufacturerid", Int),
            c("makeid", Int),
            c("vehicletypeid", Int),
            c("createdon", Ts),
            c("updatedon", Ts),
            c("countryid", Int),
            c("publicavailabilitydate", Ts),
            c("trucktypeid", Int),
            c("processedon", Ts),
            c("noncompliant", Bool),
            c("noncompliantsetbyovsc", Bool),
        ],
    },
    TableDef {
        name: "wmi_vinschema",
        required: true,
        columns: &[
            n("id", Int),
            n("wmiid", Int),
            n("vinschemaid", Int),
            n("yearfrom", Int),
            c("yearto", Int),
            c("orgid", Int),
        ],
    },
    TableDef {
        name: "vinschema",
        required: true,
        columns: &[
            n("id", Int),
            n("name", Text),
            c("sourcewmi", Text),
            c("createdon", Ts),
            c("updatedon", Ts),
            c("tobeqced", Bool),
        ],
    },
    TableDef {
        name: "pattern",
        required: true,
        columns: &[
            n("id", Int),
            n("vinschemaid", Int),
            n("keys", Text),
            n("elementid", Int),
            n("attributeid", Text),
            c("createdon", Ts),
            c("updatedon", Ts),
        ],
    },
    TableDef {
        name: "element",
        required: true,
        columns: &[
            n("id", Int),
            n("name", Text),
            c("code", Text),
            c("lookuptable", Text),
            c("description", Text),
            c("isprivate", Bool),
            c("groupname", Text),
            c("datatype", Text),
            c("minallowedvalue", Int),
            c("maxallowedvalue", Int),
            c("isqs", Bool),
            c("decode", Text),
            c("weight", Int),
        ],
    },
    TableDef {
        name: "make",
        required: true,
        columns: &[
            n("id", Int),
            n("name", Text),
            c("createdon", Ts),
            c("updatedon", Ts),
        ],
    },
    TableDef {
        name: "model",
        required: true,
        columns: &[
            n("id", Int),
            n("name", Text),
            c("createdon", Ts),
            c("updatedon", Ts),
        ],
    },
    TableDef {
        name: "make_model",
        required: true,
        columns: &[
            n("id", Int),
            n("makeid", Int),
            n("modelid", Int),
            c("createdon", Ts),
            c("updatedon", Ts),
        ],
    },
    TableDef {
        name: "manufacturer",
        required: true,
        columns: &[n("id", Int), n("name", Text)],
    },
    TableDef {
        name: "manufacturer_make",
        required: false,
        columns: &[n("id", Int), n("manufacturerid", Int), n("makeid", Int)],
    },
    TableDef {
        name: "wmi_make",
        required: true,
        columns: &[n("wmiid", Int), n("makeid", Int)],
    },
    TableDef {
        name: "country",
        required: true,
        columns: &[n("id", Int), n("name", Text), c("displayorder", Int)],
    },
    TableDef {
        name: "vehicletype",
        required: true,
        columns: &[
            n("id", Int),
            n("name", Text),
            c("displayorder", Int),
            c("formtype", Int),
            c("description", Text),
            c("includeinequipplant", Bool),
        ],
    },
    TableDef {
        name: "enginemodel",
        required: false,
        columns: &[n("id", Int), n("name", Text), c("description", Text)],
    },
    TableDef {
        name: "enginemodelpattern",
        required: false,
        columns: &[
            n("id", Int),
            n("enginemodelid", Int),
            n("elementid", Int),
            n("attributeid", Text),
            c("createdon", Ts),
            c("updatedon", Ts),
        ],
    },
    TableDef {
        name: "conversion",
        required: false,
        columns: &[
            n("id", Int),
            n("fromelementid", Int),
            n("toelementid", Int),
            n("formula", Text),
        ],
    },
    TableDef {
        name: "defaultvalue",
        required: false,
        columns: &[
            n("id", Int),
            n("elementid", Int),
            n("vehicletypeid", Int),
            c("defaultvalue", Text),
            c("createdon", Ts),
            c("updatedon", Ts),
        ],
    },
    TableDef {
        name: "errorcode",
        required: true,
        columns: &[
            n("id", Int),
            n("name", Text),
            c("additionalerrortext", Text),
            c("weight", Int),
        ],
    },
    TableDef {
        name: "vinexception",
        required: false,
        columns: &[
            n("id", Int),
            n("vin", Text),
            n("checkdigit", Bool),
            c("createdon", Ts),
            c("updatedon", Ts),
        ],
    },
    TableDef {
        name: "vindescriptor",
        required: false,
        columns: &[
            n("id", Int),
            n("descriptor", Text),
            n("modelyear", Int),
            c("createdon", Ts),
            c("updatedon", Ts),
        ],
    },
    TableDef {
        name: "vehiclespecschema",
        required: false,
        columns: &[
            n("id", Int),
            n("makeid", Int),
            c("createdon", Ts),
            c("updatedon", Ts),
            c("vehicletypeid", Int),
            c("sourcedate", Ts),
            c("tobeqced", Bool),
        ],
    },
    TableDef {
        name: "vspecschemapattern",
        required: false,
        columns: &[n("id", Int), n("schemaid", Int)],
    },
    TableDef {
        name: "vehiclespecpattern",
        required: false,
        columns: &[
            n("id", Int),
            n("vspecschemapatternid", Int),
            n("iskey", Bool),
            n("elementid", Int),
            n("attributeid", Text),
            c("createdon", Ts),
            c("updatedon", Ts),
        ],
    },
    TableDef {
        name: "vehiclespecschema_model",
        required: false,
        columns: &[
            n("id", Int),
            n("vehiclespecschemaid", Int),
            n("modelid", Int),
        ],
    },
    TableDef {
        name: "vehiclespecschema_year",
        required: false,
        columns: &[n("id", Int), n("vehiclespecschemaid", Int), n("year", Int)],
    },
    TableDef {
        name: "defs_body",
        required: false,
        columns: &[
            n("id", Int),
            c("def", Text),
            c("body_type", Text),
            n("from_year", Int),
            c("to_year", Int),
            n("mode", Int),
        ],
    },
    TableDef {
        name: "defs_make",
        required: false,
        columns: &[
            n("id", Int),
            c("def", Text),
            c("ncic_code", Text),
            c("make_type", Text),
            n("from_year", Int),
            c("to_year", Int),
            n("mode", Int),
        ],
    },
    TableDef {
        name: "defs_model",
        required: false,
        columns: &[
            n("make", Int),
            n("id", Int),
            c("def", Text),
            c("model_type", Text),
            c("includes", Text),
            n("from_year", Int),
            c("to_year", Int),
            n("mode", Int),
        ],
    },
];

/// The [`LOOKUP`] table's columns: the source table's name, then its `id` and `name`.
pub const LOOKUP_COLUMNS: &[Column] = &[n("tbl", Text), n("id", Int), n("name", Text)];

/// The small vPIC `(id, name)` tables stored as rows of [`LOOKUP`] (vpic-sources
/// §2.7, less the ones kept as tables of their own: `make`, `model`,
/// `manufacturer`, `country`, `vehicletype`, `errorcode`).
pub const LOOKUP_TABLES: &[&str] = &[
    "abs",
    "adaptivecruisecontrol",
    "adaptivedrivingbeam",
    "airbaglocations",
    "airbaglocfront",
    "airbaglocknee",
    "autobrake",
    "automaticpedestrainalertingsound",
    "autoreversesystem",
    "axleconfiguration",
    "batterytype",
    "bedtype",
    "blindspotintervention",
    "blindspotmonitoring",
    "bodycab",
    "bodystyle",
    "brakesystem",
    "busfloorconfigtype",
    "bustype",
    "can_aacn",
    "chargerlevel",
    "combinedbrakingsystem",
    "coolingtype",
    "custommotorcycletype",
    "daytimerunninglight",
    "destinationmarket",
    "drivetype",
    "dynamicbrakesupport",
    "ecs",
    "edr",
    "electrificationlevel",
    "engineconfiguration",
    "entertainmentsystem",
    "evdriveunit",
    "forwardcollisionwarning",
    "fueldeliverytype",
    "fueltankmaterial",
    "fueltanktype",
    "fueltype",
    "grossvehicleweightrating",
    "keylessignition",
    "lanecenteringassistance",
    "lanedeparturewarning",
    "lanekeepsystem",
    "lowerbeamheadlamplightsource",
    "motorcyclechassistype",
    "motorcyclesuspensiontype",
    "nonlanduse",
    "parkassist",
    "pedestrianautomaticemergencybraking",
    "pretensioner",
    "rearautomaticemergencybraking",
    "rearcrosstrafficalert",
    "rearvisibilitycamera",
    "seatbeltsall",
    "semiautomaticheadlampbeamswitching",
    "steering",
    "tpms",
    "tractioncontrol",
    "trailerbodytype",
    "trailertype",
    "transmission",
    "turbo",
    "valvetraindesign",
    "wheelbasetype",
    "wheeliemitigation",
];

/// The tables kept as their own tables that [`crate::model::GlobalRows::lookups`]
/// also reports as `(id, name)` lookups.
pub const NAMED_TABLES_IN_LOOKUPS: &[&str] = &[
    "make",
    "model",
    "manufacturer",
    "vehicletype",
    "country",
    "errorcode",
];

/// The definition of a stored table by name.
pub fn table(name: &str) -> Option<&'static TableDef> {
    TABLES.iter().find(|t| t.name == name)
}

/// True when `name` is one of the [`LOOKUP_TABLES`].
pub fn is_lookup(name: &str) -> bool {
    LOOKUP_TABLES.contains(&name)
}

/// Every source table a load wants: the [`TABLES`] and the [`LOOKUP_TABLES`].
pub fn wanted_tables() -> Vec<String> {
    TABLES
        .iter()
        .map(|t| t.name)
        .chain(LOOKUP_TABLES.iter().copied())
        .map(str::to_owned)
        .collect()
}
