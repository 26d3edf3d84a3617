-- The tables of one vPIC dataset (Postgres). Each load creates a fresh schema
-- `vin_ds_<version>`, runs these migrations with `search_path` set to it, COPYs
-- the rows in, then adds keys and indexes (src/store/sql/postgres_indexes.sql).
-- Readers find the live schema through `vin_admin.live` (admin migrations).
--
-- Names are vPIC's in lower case; types follow the dump (integer, text,
-- boolean, timestamp without time zone). Only the tables decoding and the
-- dropdowns need are kept; the ~70 small (id, name) lookup tables share one
-- table, `lookup`. `wmiyearvalidchars` (8.8M rows, a cache derivable from
-- `pattern`) is not kept.

-- Metadata of this dataset (exactly one row once loaded).
CREATE TABLE dataset (
    version bigint NOT NULL,
    source text NOT NULL,
    data_month text,
    source_sha256 text,
    source_size bigint,
    loaded_at timestamp NOT NULL,
    -- source table name -> rows loaded
    row_counts jsonb NOT NULL,
    -- tables taken from the small-tables supplement
    supplemented_tables jsonb NOT NULL
);

-- The small (id, name) lookup tables, keyed by their vPIC table name.
CREATE TABLE lookup (
    tbl text NOT NULL,
    id integer NOT NULL,
    name text NOT NULL
);

CREATE TABLE wmi (
    id integer NOT NULL,
    wmi text NOT NULL,
    manufacturerid integer,
    makeid integer,
    vehicletypeid integer,
    createdon timestamp,
    updatedon timestamp,
    countryid integer,
    publicavailabilitydate timestamp,
    trucktypeid integer,
    processedon timestamp,
    noncompliant boolean,
    noncompliantsetbyovsc boolean
);

CREATE TABLE wmi_vinschema (
    id integer NOT NULL,
    wmiid integer NOT NULL,
    vinschemaid integer NOT NULL,
    yearfrom integer NOT NULL,
    yearto integer,
    orgid integer
);

CREATE TABLE vinschema (
    id integer NOT NULL,
    name text NOT NULL,
    sourcewmi text,
    createdon timestamp,
    updatedon timestamp,
    tobeqced boolean
);

CREATE TABLE pattern (
    id integer NOT NULL,
    vinschemaid integer NOT NULL,
    keys text NOT NULL,
    elementid integer NOT NULL,
    attributeid text NOT NULL,
    createdon timestamp,
    updatedon timestamp
);

CREATE TABLE element (
    id integer NOT NULL,
    name text NOT NULL,
    code text,
    lookuptable text,
    description text,
    isprivate boolean,
    groupname text,
    datatype text,
    minallowedvalue integer,
    maxallowedvalue integer,
    isqs boolean,
    decode text,
    weight integer
);

CREATE TABLE make (
    id integer NOT NULL,
    name text NOT NULL,
    createdon timestamp,
    updatedon timestamp
);

CREATE TABLE model (
    id integer NOT NULL,
    name text NOT NULL,
    createdon timestamp,
    updatedon timestamp
);

CREATE TABLE make_model (
    id integer NOT NULL,
    makeid integer NOT NULL,
    modelid integer NOT NULL,
    createdon timestamp,
    updatedon timestamp
);

CREATE TABLE manufacturer (
    id integer NOT NULL,
    name text NOT NULL
);

CREATE TABLE manufacturer_make (
    id integer NOT NULL,
    manufacturerid integer NOT NULL,
    makeid integer NOT NULL
);

CREATE TABLE wmi_make (
    wmiid integer NOT NULL,
    makeid integer NOT NULL
);

CREATE TABLE country (
    id integer NOT NULL,
    name text NOT NULL,
    displayorder integer
);

CREATE TABLE vehicletype (
    id integer NOT NULL,
    name text NOT NULL,
    displayorder integer,
    formtype integer,
    description text,
    includeinequipplant boolean
);

CREATE TABLE enginemodel (
    id integer NOT NULL,
    name text NOT NULL,
    description text
);

CREATE TABLE enginemodelpattern (
    id integer NOT NULL,
    enginemodelid integer NOT NULL,
    elementid integer NOT NULL,
    attributeid text NOT NULL,
    createdon timestamp,
    updatedon timestamp
);

CREATE TABLE conversion (
    id integer NOT NULL,
    fromelementid integer NOT NULL,
    toelementid integer NOT NULL,
    formula text NOT NULL
);

CREATE TABLE defaultvalue (
    id integer NOT NULL,
    elementid integer NOT NULL,
    vehicletypeid integer NOT NULL,
    defaultvalue text,
    createdon timestamp,
    updatedon timestamp
);

CREATE TABLE errorcode (
    id integer NOT NULL,
    name text NOT NULL,
    additionalerrortext text,
    weight integer
);

CREATE TABLE vinexception (
    id integer NOT NULL,
    vin text NOT NULL,
    checkdigit boolean NOT NULL,
    createdon timestamp,
    updatedon timestamp
);

CREATE TABLE vindescriptor (
    id integer NOT NULL,
    descriptor text NOT NULL,
    modelyear integer NOT NULL,
    createdon timestamp,
    updatedon timestamp
);

CREATE TABLE vehiclespecschema (
    id integer NOT NULL,
    makeid integer NOT NULL,
    createdon timestamp,
    updatedon timestamp,
    vehicletypeid integer,
    sourcedate timestamp,
    tobeqced boolean
);

CREATE TABLE vspecschemapattern (
    id integer NOT NULL,
    schemaid integer NOT NULL
);

CREATE TABLE vehiclespecpattern (
    id integer NOT NULL,
    vspecschemapatternid integer NOT NULL,
    iskey boolean NOT NULL,
    elementid integer NOT NULL,
    attributeid text NOT NULL,
    createdon timestamp,
    updatedon timestamp
);

CREATE TABLE vehiclespecschema_model (
    id integer NOT NULL,
    vehiclespecschemaid integer NOT NULL,
    modelid integer NOT NULL
);

CREATE TABLE vehiclespecschema_year (
    id integer NOT NULL,
    vehiclespecschemaid integer NOT NULL,
    year integer NOT NULL
);

CREATE TABLE defs_body (
    id integer NOT NULL,
    def text,
    body_type text,
    from_year integer NOT NULL,
    to_year integer,
    mode integer NOT NULL
);

CREATE TABLE defs_make (
    id integer NOT NULL,
    def text,
    ncic_code text,
    make_type text,
    from_year integer NOT NULL,
    to_year integer,
    mode integer NOT NULL
);

CREATE TABLE defs_model (
    make integer NOT NULL,
    id integer NOT NULL,
    def text,
    model_type text,
    includes text,
    from_year integer NOT NULL,
    to_year integer,
    mode integer NOT NULL
);
