//! Scenarios as JSON text in, plans as JSON text and an exit status out (`FORMAT.md`,
//! "Command line"): the one entry that the `plan` command and the page's
//! `window.wasmBindings.plan` share, so the two cannot differ in a field, an error object or a
//! number's formatting.

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

/// Pretty-printed JSON; a value that cannot be written (never expected) is an error object.
pub fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|e| format!("{{\"error\": {{\"field\": \"plan\", \"message\": \"{e}\"}}}}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"model": "llama-3.1-8b", "gpu": "h100-sxm", "workload": {"isl": 512, "osl": 128}}"#;
    const BAD: &str = r#"{"model": "llama-3.1-8b", "gpu": "h100-sxm", "workload": {"isl": 0, "osl": 128}}"#;

    #[test]
    fn one_scenario_gives_one_plan_and_status_0() {
        let out = run(GOOD);
        assert_eq!(out.status, 0);
        let v: Value = serde_json::from_str(&out.output).unwrap();
        assert!(v["recommended"]["layout"]["tp"].is_u64());
    }

    #[test]
    fn an_array_keeps_order_and_errors_in_place_with_status_1() {
        let out = run(&format!("[{GOOD}, {BAD}, {GOOD}]"));
        assert_eq!(out.status, 1);
        let v: Value = serde_json::from_str(&out.output).unwrap();
        let items = v.as_array().unwrap();
        assert_eq!(items.len(), 3);
        assert!(items[0].get("recommended").is_some());
        assert_eq!(items[1]["error"]["field"], "workload.isl");
        assert!(items[2].get("recommended").is_some());
    }

    #[test]
    fn text_that_is_not_json_gives_status_2() {
        let out = run("{model: llama");
        assert_eq!(out.status, 2);
        let v: Value = serde_json::from_str(&out.output).unwrap();
        assert_eq!(v["error"]["field"], "scenario");
    }

    #[test]
    fn json_that_is_not_a_scenario_is_an_error_not_a_panic() {
        for text in ["42", "null", "\"x\"", "{}", "[[]]", "[{}]"] {
            let out = run(text);
            assert_eq!(out.status, 1, "{text}");
        }
    }
}
