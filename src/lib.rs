//! The page: the planner's Yew views and the page's bindings to the browser.
//!
//! Everything the page shows is computed by the crates below it (`planner`, `chart`, `bench`;
//! see ARCHITECTURE.md); this crate renders and collects input. It is compiled only with the
//! `web` feature, so a native `cargo test` of the workspace never builds a web crate.

#[cfg(feature = "web")]
pub mod ui;
