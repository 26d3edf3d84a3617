//! Runnable examples live in `examples/rust/`.
