-- The tables of one vPIC dataset (SQLite). One file holds one dataset: the ETL
-- builds a new file with these migrations, loads it, adds the indexes
-- (src/store/sql/sqlite_indexes.sql, after the rows are in, for speed), runs the
-- gates and renames it over the live file.
--
-- Names are vPIC's in lower case. Types: vPIC integer/smallint -> INTEGER,
-- text -> TEXT (byte-exact), boolean -> INTEGER 0/1, timestamp -> TEXT in the
-- sortable form `YYYY-MM-DD HH:MM:SS[.fraction without trailing zeros]`.
-- Only the tables decoding and the dropdowns need are kept; the ~70 small
-- (id, name) lookup tables share one table, `lookup`. `wmiyearvalidchars`
-- (8.8M rows, a cache derivable from `pattern`) is not kept.

-- Metadata of the dataset in this file (exactly one row once loaded).
CREATE TABLE dataset (
    version INTEGER NOT NULL,
    source TEXT NOT NULL,
    data_month TEXT,
    source_sha256 TEXT,
    source_size INTEGER,
    loaded_at TEXT NOT NULL,
    -- JSON object: source table name -> rows loaded.
    row_counts TEXT NOT NULL,
    -- JSON array of the tables taken from the small-tables supplement.
    supplemented_tables TEXT NOT NULL
);

-- Audit of ETL runs against this database (copied into each new file at swap).
CREATE TABLE etl_run (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    data_month TEXT,
    source_sha256 TEXT,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL CHECK (status IN ('running', 'swapped', 'failed', 'rejected', 'skipped')),
    -- Dataset version the run built (set once known).
    version INTEGER,
    -- JSON object: source table name -> rows read.
    row_counts TEXT,
    error TEXT,
    -- Free text: `re-issue of YYYY_MM`, `rollback`, ...
    note TEXT
);

-- The small (id, name) lookup tables, keyed by their vPIC table name.
CREATE TABLE lookup (
    tbl TEXT NOT NULL,
    id INTEGER NOT NULL,
    name TEXT NOT NULL
);

CREATE TABLE wmi (
    id INTEGER NOT NULL,
    wmi TEXT NOT NULL,
    manufacturerid INTEGER,
    makeid INTEGER,
    vehicletypeid INTEGER,
    createdon TEXT,
    updatedon TEXT,
    countryid INTEGER,
    publicavailabilitydate TEXT,
    trucktypeid INTEGER,
    processedon TEXT,
    noncompliant INTEGER,
    noncompliantsetbyovsc INTEGER
);

CREATE TABLE wmi_vinschema (
    id INTEGER NOT NULL,
    wmiid INTEGER NOT NULL,
    vinschemaid INTEGER NOT NULL,
    yearfrom INTEGER NOT NULL,
    yearto INTEGER,
    orgid INTEGER
);

CREATE TABLE vinschema (
    id INTEGER NOT NULL,
    name TEXT NOT NULL,
    sourcewmi TEXT,
    createdon TEXT,
    updatedon TEXT,
    tobeqced INTEGER
);

CREATE TABLE pattern (
    id INTEGER NOT NULL,
    vinschemaid INTEGER NOT NULL,
    keys TEXT NOT NULL,
    elementid INTEGER NOT NULL,
    attributeid TEXT NOT NULL,
    createdon TEXT,
    updatedon TEXT
);

CREATE TABLE element (
    id INTEGER NOT NULL,
    name TEXT NOT NULL,
    code TEXT,
    lookuptable TEXT,
    description TEXT,
    isprivate INTEGER,
    groupname TEXT,
    datatype TEXT,
    minallowedvalue INTEGER,
    maxallowedvalue INTEGER,
    isqs INTEGER,
    decode TEXT,
    weight INTEGER
);

CREATE TABLE make (
    id INTEGER NOT NULL,
    name TEXT NOT NULL,
    createdon TEXT,
    updatedon TEXT
);

CREATE TABLE model (
    id INTEGER NOT NULL,
    name TEXT NOT NULL,
    createdon TEXT,
    updatedon TEXT
);

CREATE TABLE make_model (
    id INTEGER NOT NULL,
    makeid INTEGER NOT NULL,
    modelid INTEGER NOT NULL,
    createdon TEXT,
    updatedon TEXT
);

CREATE TABLE manufacturer (
    id INTEGER NOT NULL,
    name TEXT NOT NULL
);

CREATE TABLE manufacturer_make (
    id INTEGER NOT NULL,
    manufacturerid INTEGER NOT NULL,
    makeid INTEGER NOT NULL
);

CREATE TABLE wmi_make (
    wmiid INTEGER NOT NULL,
    makeid INTEGER NOT NULL
);

CREATE TABLE country (
    id INTEGER NOT NULL,
    name TEXT NOT NULL,
    displayorder INTEGER
);

CREATE TABLE vehicletype (
    id INTEGER NOT NULL,
    name TEXT NOT NULL,
    displayorder INTEGER,
    formtype INTEGER,
    description TEXT,
    includeinequipplant INTEGER
);

CREATE TABLE enginemodel (
    id INTEGER NOT NULL,
    name TEXT NOT NULL,
    description TEXT
);

CREATE TABLE enginemodelpattern (
    id INTEGER NOT NULL,
    enginemodelid INTEGER NOT NULL,
    elementid INTEGER NOT NULL,
    attributeid TEXT NOT NULL,
    createdon TEXT,
    updatedon TEXT
);

CREATE TABLE conversion (
    id INTEGER NOT NULL,
    fromelementid INTEGER NOT NULL,
    toelementid INTEGER NOT NULL,
    formula TEXT NOT NULL
);

CREATE TABLE defaultvalue (
    id INTEGER NOT NULL,
    elementid INTEGER NOT NULL,
    vehicletypeid INTEGER NOT NULL,
    defaultvalue TEXT,
    createdon TEXT,
    updatedon TEXT
);

CREATE TABLE errorcode (
    id INTEGER NOT NULL,
    name TEXT NOT NULL,
    additionalerrortext TEXT,
    weight INTEGER
);

CREATE TABLE vinexception (
    id INTEGER NOT NULL,
    vin TEXT NOT NULL,
    checkdigit INTEGER NOT NULL,
    createdon TEXT,
    updatedon TEXT
);

CREATE TABLE vindescriptor (
    id INTEGER NOT NULL,
    descriptor TEXT NOT NULL,
    modelyear INTEGER NOT NULL,
    createdon TEXT,
    updatedon TEXT
);

CREATE TABLE vehiclespecschema (
    id INTEGER NOT NULL,
    makeid INTEGER NOT NULL,
    createdon TEXT,
    updatedon TEXT,
    vehicletypeid INTEGER,
    sourcedate TEXT,
    tobeqced INTEGER
);

CREATE TABLE vspecschemapattern (
    id INTEGER NOT NULL,
    schemaid INTEGER NOT NULL
);

CREATE TABLE vehiclespecpattern (
    id INTEGER NOT NULL,
    vspecschemapatternid INTEGER NOT NULL,
    iskey INTEGER NOT NULL,
    elementid INTEGER NOT NULL,
    attributeid TEXT NOT NULL,
    createdon TEXT,
    updatedon TEXT
);

CREATE TABLE vehiclespecschema_model (
    id INTEGER NOT NULL,
    vehiclespecschemaid INTEGER NOT NULL,
    modelid INTEGER NOT NULL
);

CREATE TABLE vehiclespecschema_year (
    id INTEGER NOT NULL,
    vehiclespecschemaid INTEGER NOT NULL,
    year INTEGER NOT NULL
);

CREATE TABLE defs_body (
    id INTEGER NOT NULL,
    def TEXT,
    body_type TEXT,
    from_year INTEGER NOT NULL,
    to_year INTEGER,
    mode INTEGER NOT NULL
);

CREATE TABLE defs_make (
    id INTEGER NOT NULL,
    def TEXT,
    ncic_code TEXT,
    make_type TEXT,
    from_year INTEGER NOT NULL,
    to_year INTEGER,
    mode INTEGER NOT NULL
);

CREATE TABLE defs_model (
    make INTEGER NOT NULL,
    id INTEGER NOT NULL,
    def TEXT,
    model_type TEXT,
    includes TEXT,
    from_year INTEGER NOT NULL,
    to_year INTEGER,
    mode INTEGER NOT NULL
);
