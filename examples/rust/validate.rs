//! Validate a VIN with `vin-core` (no data needed).
fn main() {}
