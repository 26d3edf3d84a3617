//! The `vin` command line: decode, ETL, catalog, bench.
fn main() {}
