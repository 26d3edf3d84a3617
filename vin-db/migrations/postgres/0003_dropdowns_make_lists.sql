-- Each model year's make list as one value, sorted by name (byte order) and
-- encoded by the ETL (src/dropdowns/packed.rs), so listing a year's makes
-- (up to ~11 000) reads one row. `dd_make` keeps the same rows one per make,
-- for datasets built before this table and for set-based checks.
CREATE TABLE dd_make_list (
    year bigint PRIMARY KEY,
    makes bytea NOT NULL
);

-- Stored out of line but uncompressed: reading skips decompression, and the
-- whole table is a few megabytes.
ALTER TABLE dd_make_list ALTER COLUMN makes SET STORAGE EXTERNAL;
