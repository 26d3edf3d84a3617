-- The dropdown catalog (year -> make -> model -> trim / engine / transmission),
-- derived from the loaded vPIC tables by the ETL (src/dropdowns) after every
-- source table is in and before the gates. Empty until then.
--
-- A "group" is one (VIN schema, make, model); a group is offered for every
-- model year its schema is linked for through a public WMI. Trims, engines and
-- transmissions hang off groups. Engine and transmission rows with
-- trim_id = -1 belong to the group whatever the trim; the others are the ones
-- whose pattern keys are compatible with that trim's.
--
-- Make and model ids are NHTSA's. Trim, engine and transmission ids are the
-- first 53 bits of SHA-256(kind, make id, model id, normalized text): stable
-- across refreshes, exact in a JavaScript number.

-- SQLite: integers are INTEGER (64-bit); composite keys use WITHOUT ROWID.

-- Model years that offer at least one make (a tiny table, so that listing
-- the years never scans the makes).
CREATE TABLE dd_year (
    year INTEGER PRIMARY KEY
);

-- Makes offered per model year (name as in `make`).
CREATE TABLE dd_make (
    year INTEGER NOT NULL,
    make_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (year, make_id)
) WITHOUT ROWID;

-- Models offered per model year and make (name as in `model`).
CREATE TABLE dd_model (
    year INTEGER NOT NULL,
    make_id INTEGER NOT NULL,
    model_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (year, make_id, model_id)
) WITHOUT ROWID;

-- The groups behind each (year, make, model).
CREATE TABLE dd_group_year (
    year INTEGER NOT NULL,
    make_id INTEGER NOT NULL,
    model_id INTEGER NOT NULL,
    group_id INTEGER NOT NULL,
    PRIMARY KEY (year, make_id, model_id, group_id)
) WITHOUT ROWID;

CREATE TABLE dd_trim (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE dd_group_trim (
    group_id INTEGER NOT NULL,
    trim_id INTEGER NOT NULL,
    PRIMARY KEY (group_id, trim_id)
) WITHOUT ROWID;

CREATE TABLE dd_engine (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE dd_group_engine (
    group_id INTEGER NOT NULL,
    trim_id INTEGER NOT NULL,
    engine_id INTEGER NOT NULL,
    PRIMARY KEY (group_id, trim_id, engine_id)
) WITHOUT ROWID;

CREATE TABLE dd_transmission (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE dd_group_transmission (
    group_id INTEGER NOT NULL,
    trim_id INTEGER NOT NULL,
    transmission_id INTEGER NOT NULL,
    PRIMARY KEY (group_id, trim_id, transmission_id)
) WITHOUT ROWID;
