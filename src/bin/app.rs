//! The startup page's entry point (built by Trunk from `index.html` with the `web` feature: the
//! whole page but the benchmark loop), and the functions the page's JavaScript may call
//! (`window.wasmBindings`, set by `static/loader.js`).

use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

fn main() {
    planner_page::ui::start();
}

/// `window.wasmBindings.plan(scenario)`: the `plan` command's JSON for a scenario.
#[wasm_bindgen]
pub fn plan(scenario: JsValue) -> JsValue {
    planner_page::ui::bindings::plan(&scenario)
}

/// `window.wasmBindings.unmount()`: removes this page's app, for the page with the benchmark
/// loop (`src/bin/full_page.rs`) to take its place.
#[wasm_bindgen]
pub fn unmount() {
    planner_page::ui::unmount();
}
