//! Arbitrary bytes through every VIN parsing entry point.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vin_fuzz::parse(data));
