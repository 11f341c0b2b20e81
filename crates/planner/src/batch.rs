//! Scenarios as JSON text in, plans as JSON text and an exit status out (`FORMAT.md`,
//! "Command line"): the one entry that the `plan` command and the page's
//! `window.wasmBindings.plan` share, so the two cannot differ in a field, an error object or a
//! number's formatting.

use super::error::InputError;
use super::json_shape::{self, Element, Shape, READER_LIMIT};
use super::kernels::Library;
use super::planning::plan_with;
use super::scenario::ScenarioInput;
use super::python_json::specials_as_null;
use serde_json::{json, Value};

/// What the command prints and the status it exits with.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Pretty-printed JSON: a plan or error object, or an array of them.
    pub output: String,
    /// 0 when every scenario planned, 1 when any was invalid, 2 when the input was not JSON.
    pub status: u8,
}

/// Plan one scenario or an array of scenarios given as JSON text. JSON that the reader refuses
/// only for its depth is read scenario by scenario, and each too-deep one is refused alone.
pub fn run(text: &str) -> Outcome {
    run_with(text, &Library::empty())
}

/// `run` with the measured kernel tables of `library` (`planning::plan_with`).
pub fn run_with(text: &str, library: &Library) -> Outcome {
    // Python's special floats, which Hugging Face configs carry, read as `config.json` is.
    let text = &*specials_as_null(text);
    let (output, ok) = match serde_json::from_str(text) {
        Ok(Value::Array(items)) => all(items.into_iter().map(|v| plan_one(v, library))),
        Ok(one) => plan_one(one, library),
        Err(e) => match json_shape::shape(text) {
            Some(Shape::Array(elements)) if only_too_deep(&elements) => all(elements.iter().map(|e| plan_element(e, library))),
            Some(Shape::One(element)) if element.too_deep_at.is_some() => plan_element(&element, library),
            _ => {
                let error = error_object(&InputError::new("scenario", format!("not valid JSON: {e}")));
                return Outcome { output: pretty(&error), status: 2 };
            }
        },
    };
    Outcome { output: pretty(&output), status: if ok { 0 } else { 1 } }
}

/// The results as an array, and whether every scenario planned.
fn all(results: impl Iterator<Item = (Value, bool)>) -> (Value, bool) {
    let results: Vec<(Value, bool)> = results.collect();
    let ok = results.iter().all(|r| r.1);
    (Value::Array(results.into_iter().map(|r| r.0).collect()), ok)
}

/// Whether the reader refused an array only for depth: some element is too deep, and every
/// other one reads (else the text is not JSON).
fn only_too_deep(elements: &[Element]) -> bool {
    elements.iter().any(|e| e.too_deep_at.is_some())
        && elements.iter().all(|e| e.too_deep_at.is_some() || serde_json::from_str::<Value>(e.text).is_ok())
}

/// The refusal of a value nested deeper than the reader reads, naming the field that does.
fn too_deep(element: &Element, field: &str) -> InputError {
    let message = format!("nested {} levels deep, past the {} levels the JSON reader reads", element.depth, READER_LIMIT - 1);
    InputError::new(field, message)
}

/// One scenario object's JSON text read for the commands that take exactly one: its value, or
/// the error and the exit status — 1 when it is valid JSON nested too deep for the reader (the
/// field and the limit named), 2 when it is not JSON.
pub fn read_one(text: &str) -> Result<Value, (InputError, u8)> {
    let text = &*specials_as_null(text);
    serde_json::from_str(text).map_err(|e| match json_shape::shape(text) {
        Some(Shape::One(element)) if element.too_deep_at.is_some() => {
            (too_deep(&element, element.too_deep_at.unwrap_or("scenario")), 1)
        }
        _ => (InputError::new("scenario", format!("not valid JSON: {e}")), 2),
    })
}

/// One scenario of a batch read by `json_shape`: refused when too deep for the reader, else
/// read and planned.
fn plan_element(element: &Element, library: &Library) -> (Value, bool) {
    if let Some(field) = element.too_deep_at {
        return (error_object(&too_deep(element, field)), false);
    }
    match serde_json::from_str(element.text) {
        Ok(value) => plan_one(value, library),
        Err(e) => (error_object(&InputError::new("scenario", format!("not valid JSON: {e}"))), false),
    }
}

/// One scenario's plan as JSON, or its error object; and whether it planned.
pub fn plan_one(value: Value, library: &Library) -> (Value, bool) {
    let planned = ScenarioInput::from_value(value)
        .and_then(|s| plan_with(&s, library))
        .and_then(|p| serde_json::to_value(p).map_err(|e| InputError::new("plan", e.to_string())));
    match planned {
        Ok(v) => (v, true),
        Err(e) => (error_object(&e), false),
    }
}

/// `{"error": {"field", "message"}}`: a refused scenario in the output.
pub fn error_object(e: &InputError) -> Value {
    json!({"error": {"field": e.field, "message": e.message}})
}

/// Pretty-printed JSON, as `serde_json::to_string_pretty` writes it (a JSON value always
/// can be). Through the value's `{:#}` rather than `to_string_pretty`, whose writer into bytes
/// the page would carry beside the `Display` one it already has.
pub fn pretty(v: &Value) -> String {
    format!("{v:#}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"model": "llama-3.1-8b", "gpu": "h100-sxm", "workload": {"isl": 512, "osl": 128}}"#;
    const BAD: &str = r#"{"model": "llama-3.1-8b", "gpu": "h100-sxm", "workload": {"isl": 0, "osl": 128}}"#;

    #[test]
    fn pretty_writes_what_to_string_pretty_writes() {
        let plan: Value = serde_json::from_str(&run(GOOD).output).unwrap();
        let odd = json!({"empty": {}, "none": [], "text": "a \"quoted\" line\n", "numbers": [0.1, -2, 1e300, 18446744073709551615u64]});
        for v in [plan, odd] {
            assert_eq!(pretty(&v), serde_json::to_string_pretty(&v).unwrap());
        }
    }

    /// A scenario embedding a `config.json` that carries Python's `Infinity` (as Nemotron-H's
    /// `time_step_limit` does) plans as the page's import reads it; a special float where the
    /// planner reads a number is refused naming that field, not as text that is not JSON.
    #[cfg(feature = "config-import")]
    #[test]
    fn python_special_floats_read_as_the_config_import_reads_them() {
        let config = r#"{"model_type": "llama", "architectures": ["LlamaForCausalLM"], "hidden_size": 4096,
            "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8, "intermediate_size": 14336,
            "vocab_size": 128256, "torch_dtype": "bfloat16", "time_step_limit": [0.0, Infinity], "eps": NaN}"#;
        let out = run(&format!(r#"{{"model": {{"name": "Llama-like", "config": {config}}}, "gpu": "h100-sxm", "workload": {{"isl": 512, "osl": 128}}}}"#));
        assert_eq!(out.status, 0, "{}", out.output);
        let out = run(r#"{"model": "llama-3.1-8b", "gpu": "h100-sxm", "workload": {"isl": NaN, "osl": 128}}"#);
        let v: Value = serde_json::from_str(&out.output).unwrap();
        assert_eq!((out.status, v["error"]["field"].as_str()), (1, Some("workload.isl")), "{}", out.output);
    }

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

    /// A scenario whose pasted config nests `levels` arrays deep under `model.config.x`.
    fn deep(levels: usize) -> String {
        let x = format!("{}{}", "[".repeat(levels), "]".repeat(levels));
        format!(r#"{{"model": {{"name": "deep", "config": {{"x": {x}}}}}, "gpu": "h100-sxm", "workload": {{"isl": 512, "osl": 128}}}}"#)
    }

    /// Bug: one scenario nested deeper than the JSON reader's limit made the whole batch "not
    /// valid JSON" (status 2), though the text is JSON and the other scenarios are fine.
    #[test]
    fn a_scenario_too_deep_for_the_reader_is_refused_alone() {
        let out = run(&format!("[{GOOD}, {}, {GOOD}]", deep(200)));
        assert_eq!(out.status, 1, "expected status 1 (one scenario refused), got {}: {:.300}", out.status, out.output);
        let v: Value = serde_json::from_str(&out.output).unwrap();
        let items = v.as_array().unwrap();
        assert!(items[0].get("recommended").is_some() && items[2].get("recommended").is_some(), "expected the others planned");
        assert_eq!(items[1]["error"]["field"], "model", "expected the too-deep field named: {}", items[1]);
        let message = items[1]["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("203 levels") && message.contains("127"), "expected the depth and the limit in {message:?}");
        // Alone too, it is an error object with status 1; still within the limit, it is read.
        let alone = run(&deep(200));
        assert_eq!((alone.status, serde_json::from_str::<Value>(&alone.output).unwrap()["error"]["field"].clone()), (1, json!("model")));
        let within = run(&format!("[{}]", deep(123)));
        assert_eq!(within.status, 1, "expected the pasted config refused by the importer, not by the reader");
        assert!(!within.output.contains("levels"), "{:.300}", within.output);
        // Text that is not JSON, deep or not, stays status 2; any depth, no panic.
        for text in [format!("[{}, x]", deep(200)), "[".repeat(1_000_000)] {
            assert_eq!(run(&text).status, 2, "{text:.40}: expected status 2");
        }
    }

    #[test]
    fn json_that_is_not_a_scenario_is_an_error_not_a_panic() {
        for text in ["42", "null", "\"x\"", "{}", "[[]]", "[{}]"] {
            let out = run(text);
            assert_eq!(out.status, 1, "{text}");
        }
    }
}
