//! Engine tests on constructed catalogs (spec examples and edge cases).
