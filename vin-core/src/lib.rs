//! `vin-core`: everything about a VIN that needs no data and no I/O.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;
