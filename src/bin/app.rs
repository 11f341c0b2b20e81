//! The page's entry point (built by Trunk from `index.html` with the `web` feature), and the
//! functions the page's JavaScript may call (`window.wasmBindings.plan`, set by
//! `static/loader.js`).

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
