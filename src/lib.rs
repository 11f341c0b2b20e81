//! LLM layout planner: how should this model be split across these GPUs?
//!
//! `planner` is the pure core (no web dependency; see ARCHITECTURE.md). The web layer, `ui`,
//! is compiled only with the `web` feature, so the planner builds and tests without any web
//! crate: that is a property of the build, not a convention.

pub mod chart;
pub mod planner;

#[cfg(feature = "web")]
pub mod ui;
