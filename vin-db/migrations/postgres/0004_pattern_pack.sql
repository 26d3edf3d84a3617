-- Each VIN schema's patterns as one value, encoded by the ETL
-- (src/store/packed.rs), so loading a WMI reads one row per schema instead
-- of one per pattern. `pattern` keeps the same rows one per pattern, for
-- datasets built before this table and for every other reader.
CREATE TABLE pattern_pack (
    vinschemaid integer PRIMARY KEY,
    patterns bytea NOT NULL
);

-- Stored out of line but uncompressed: reading skips decompression.
ALTER TABLE pattern_pack ALTER COLUMN patterns SET STORAGE EXTERNAL;
