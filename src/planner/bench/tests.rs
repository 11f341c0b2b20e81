//! Bench tests.
