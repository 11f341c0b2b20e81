//! Target `scenario`: JSON text through `planner::batch::run`, the one entry of the `plan`
//! command and the page's `window.wasmBindings.plan`.
//!
//! Design decision: each scenario is also planned through the typed path
//! (`ScenarioInput::from_value`, `planning::plan`) to check the floats of the typed `Plan`,
//! which the batch's JSON text cannot show (NaN is written as `null`); the batch's output must
//! then agree with it: a plan where the typed path planned, the same error field where it did not.

use super::{checked_plan, seen, Seen};
use crate::check::{Failure, Kind};
use planner::batch::run as batch;
use planner::json_shape::{self, Shape};
use planner::python_json::specials_as_null;
use serde_json::Value;

pub fn run(text: &str) -> Seen {
    let outcome = batch(text);
    let output: Value = serde_json::from_str(&outcome.output)
        .map_err(|e| contract(format!("the batch output is not JSON ({e})")))?;
    // The batch reads Python's special floats as `null` (`planner::python_json`).
    let text = &*specials_as_null(text);
    let Ok(input) = serde_json::from_str::<Value>(text) else {
        if too_deep(text) {
            return nested_too_deep(&outcome, &output);
        }
        let error = &output["error"];
        if outcome.status != 2 || error["field"] != "scenario" || error["message"].as_str().is_none_or(str::is_empty) {
            return Err(contract(format!("text that is not JSON: expected status 2 and a `scenario` error, got {} and {error}", outcome.status)));
        }
        return Ok("not JSON".into());
    };
    let (items, outputs) = match (input, output) {
        (Value::Array(items), Value::Array(outputs)) => (items, outputs),
        (Value::Array(_), other) => return Err(contract(format!("an array of scenarios: expected an array of plans, got {}", kind(&other)))),
        (one, out) => (vec![one], vec![out]),
    };
    if items.len() != outputs.len() {
        return Err(contract(format!("{} scenarios in, {} results out", items.len(), outputs.len())));
    }
    let mut seen = Vec::new();
    let mut all_planned = true;
    for (item, out) in items.iter().zip(&outputs) {
        let (what, planned) = one(item, out)?;
        all_planned &= planned;
        seen.push(what);
    }
    let expected = if all_planned { 0 } else { 1 };
    if outcome.status != expected {
        return Err(contract(format!("status: expected {expected}, got {}", outcome.status)));
    }
    seen.truncate(2);
    Ok(seen.join("; "))
}

/// JSON that the reader refuses only for its nesting (`planner::json_shape`): some scenario
/// nests too deep for the reader, and every other one reads.
fn too_deep(text: &str) -> bool {
    let reads = |e: &json_shape::Element| e.too_deep_at.is_some() || serde_json::from_str::<Value>(e.text).is_ok();
    match json_shape::shape(text) {
        Some(Shape::One(e)) => e.too_deep_at.is_some(),
        Some(Shape::Array(items)) => items.iter().any(|e| e.too_deep_at.is_some()) && items.iter().all(reads),
        None => false,
    }
}

/// Valid JSON nested too deep for the reader: status 1, and every refused scenario names a
/// field and says how deep it is nested against the limit; the others are planned.
fn nested_too_deep(outcome: &planner::batch::Outcome, output: &Value) -> Seen {
    if outcome.status != 1 {
        return Err(contract(format!("JSON nested too deep: expected status 1, got {}", outcome.status)));
    }
    let results = output.as_array().map_or_else(|| vec![output], |a| a.iter().collect());
    let refused = results.iter().filter_map(|r| r.get("error")).filter(|e| {
        e["message"].as_str().is_some_and(|m| m.contains("levels the JSON reader reads"))
    });
    if refused.clone().count() == 0 || refused.clone().any(|e| e["field"].as_str().is_none_or(str::is_empty)) {
        return Err(contract(format!("JSON nested too deep: expected the deep scenario refused naming its field and the limit, got {output}")));
    }
    Ok("nested too deep".into())
}

/// One scenario of the input and its result in the batch output.
fn one(item: &Value, out: &Value) -> Result<(String, bool), Failure> {
    let planned = checked_plan(item)?;
    match &planned {
        Ok(_) if out.get("error").is_some() => {
            return Err(contract(format!("the typed path planned, the batch output is an error: {}", out["error"])))
        }
        Err(e) if out["error"]["field"] != e.field.as_str() => {
            return Err(contract(format!("error field: expected {:?}, got {}", e.field, out["error"]["field"])))
        }
        _ => {}
    }
    Ok((seen(&planned), planned.is_ok()))
}

fn contract(detail: String) -> Failure {
    Failure::new(Kind::Contract, detail)
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
        _ => "a scalar",
    }
}
