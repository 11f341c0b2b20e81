//! The planner for the page's JavaScript: `window.wasmBindings.plan(scenario)` returns what
//! the `plan` command prints for the same scenario (`FORMAT.md`).
//!
//! Design decision: the scenario crosses as JSON text (`JSON.stringify`, then the `plan`
//! command's own `planner::batch::run`) and the answer comes back through `JSON.parse` of the command's
//! output, so page and command cannot differ in a field, an error object or a number's
//! formatting; and the page carries no second (de)serializer for JavaScript values.

use planner::batch::run;
use wasm_bindgen::JsValue;

/// Plans a scenario object, an array of them, or their JSON text; returns the plan, the array
/// of plans, or `{"error": {"field", "message"}}` objects in place, as the `plan` command does.
pub fn plan(scenario: &JsValue) -> JsValue {
    let text = scenario
        .as_string()
        .or_else(|| js_sys::JSON::stringify(scenario).ok().and_then(|s| s.as_string()))
        .unwrap_or_default();
    let output = run(&text).output;
    // The command's output is JSON by construction.
    js_sys::JSON::parse(&output).unwrap_or(JsValue::NULL)
}
