//! The decoding service: a `Decoder` wraps the pure engine with caches, a
//! circuit breaker, a dataset watch and health reporting.
//!
//! (The service lands once the engine and store seams exist; the circuit
//! breaker, configuration and health types are here already.)

pub mod breaker;
pub mod config;
pub mod health;

pub use breaker::{Breaker, BreakerConfig, BreakerState};
pub use config::{ClockSource, DecoderConfig};
pub use health::{Health, Stats};
