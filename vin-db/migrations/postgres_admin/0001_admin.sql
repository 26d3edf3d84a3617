-- The admin schema `vin_admin` (Postgres only): which dataset schema is live,
-- the audit of ETL runs, and the dataset version counter. Dataset schemas are
-- named `vin_ds_<version>` and never renamed: the swap is one UPDATE of
-- `live`, so readers (which read `live` and the dataset in one snapshot) see
-- either the old or the new dataset, and no prepared statement ever refers to
-- a table that changed under it.

CREATE SEQUENCE dataset_version;

-- Exactly one row once a dataset has been swapped in.
CREATE TABLE live (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version bigint NOT NULL,
    schema_name text NOT NULL,
    -- The dataset `vin etl rollback` returns to (kept until the next run).
    previous_version bigint,
    previous_schema text,
    swapped_at timestamp NOT NULL
);

CREATE TABLE etl_run (
    id bigserial PRIMARY KEY,
    source text NOT NULL,
    data_month text,
    source_sha256 text,
    started_at timestamp NOT NULL,
    finished_at timestamp,
    status text NOT NULL CHECK (status IN ('running', 'swapped', 'failed', 'rejected', 'skipped')),
    -- Dataset version the run built (set once known).
    version bigint,
    -- source table name -> rows read
    row_counts jsonb,
    error text,
    -- Free text: `re-issue of YYYY_MM`, `rollback`, ...
    note text
);

CREATE INDEX etl_run_month ON etl_run (data_month, source_sha256);
