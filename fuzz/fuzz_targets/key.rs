//! Arbitrary key text and VIN through key compilation and matching.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vin_fuzz::key(data));
