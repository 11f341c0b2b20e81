//! LLM layout planner: how should this model be split across these GPUs?
//!
//! `planner` is the pure core (no web dependency; see ARCHITECTURE.md). The web layer is
//! compiled only with the `web` feature.

pub mod planner;
