//! The page: the planner's Yew views and the page's bindings to the browser.
//!
//! Everything the page shows is computed by the crates below it (`planner`, `chart`, `bench`;
//! see ARCHITECTURE.md); this crate renders and collects input. The views are compiled only
//! with the `web` feature, so a native `cargo test` of the workspace never builds a web crate.
//!
//! Design decision: without the feature, `ui` holds only its pure part, the form, the state it
//! lives in and the share-link codec (`ui::form`, `ui::capacity_form`, `ui::state`, `ui::share`), under the same
//! paths: share links are untrusted input, and the fuzz crate (`crates/fuzz`) reads them
//! natively.

#[cfg(feature = "web")]
pub mod ui;

/// The wasm binaries' allocator (the page and the benchmark worker): talc, for the page weight,
/// as its code is ~2.6 KB (gzip) smaller than Rust's default dlmalloc.
#[cfg(all(feature = "web", target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[cfg(not(feature = "web"))]
pub mod ui {
    //! The page's pure part: the form, its state and the share-link codec (see the crate doc).
    pub mod capacity_form;
    pub mod form;
    pub mod share;
    pub mod state;
}
