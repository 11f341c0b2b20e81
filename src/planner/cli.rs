//! The `plan` command's logic, without its I/O: JSON text in, JSON text and an exit status out
//! (`FORMAT.md`, "Command line"). Kept in the library so tests drive it directly.

use super::error::InputError;
use super::planning::plan;
use super::scenario::ScenarioInput;
use serde_json::{json, Value};

/// What the command prints and the status it exits with.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Pretty-printed JSON: a plan or error object, or an array of them.
    pub output: String,
    /// 0 when every scenario planned, 1 when any was invalid, 2 when the input was not JSON.
    pub status: u8,
}

/// Plan one scenario or an array of scenarios given as JSON text.
pub fn run(text: &str) -> Outcome {
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            let error = json!({"error": {"field": "scenario", "message": format!("not valid JSON: {e}")}});
            return Outcome { output: pretty(&error), status: 2 };
        }
    };
    let (output, ok) = match value {
        Value::Array(items) => {
            let results: Vec<(Value, bool)> = items.into_iter().map(plan_one).collect();
            let ok = results.iter().all(|r| r.1);
            (Value::Array(results.into_iter().map(|r| r.0).collect()), ok)
        }
        one => plan_one(one),
    };
    Outcome { output: pretty(&output), status: if ok { 0 } else { 1 } }
}

/// One scenario's plan as JSON, or its error object; and whether it planned.
pub fn plan_one(value: Value) -> (Value, bool) {
    let planned = ScenarioInput::from_value(value)
        .and_then(|s| plan(&s))
        .and_then(|p| serde_json::to_value(p).map_err(|e| InputError::new("plan", e.to_string())));
    match planned {
        Ok(v) => (v, true),
        Err(e) => (json!({"error": {"field": e.field, "message": e.message}}), false),
    }
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|e| format!("{{\"error\": {{\"field\": \"plan\", \"message\": \"{e}\"}}}}"))
}
