//! The `plan` command's logic, without its I/O: JSON text in, JSON text and an exit status out
//! (`FORMAT.md`, "Command line"). Kept in the library so tests drive it directly.

use super::bench::compare::{match_to_plan, measurements as bench_measurements};
use super::bench::import::import;
use super::bench::script::script;
use super::calibration;
use super::error::InputError;
use super::inputs::resolve;
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

/// `plan --bench-script N SCENARIO.json`: the bash script that benchmarks the plan's `top_n`
/// best layouts (`bench::script`). One scenario object in; the script out with status 0, or
/// an error object with status 1 (invalid scenario, N not a whole number ≥ 1, nothing
/// feasible) or 2 (not JSON).
pub fn bench_script(text: &str, top_n: &str) -> Outcome {
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return error("scenario", format!("not valid JSON: {e}"), 2),
    };
    if value.is_array() {
        return error("scenario", "give one scenario object: a benchmark script covers one scenario".into(), 1);
    }
    let n = match top_n.trim().parse::<usize>() {
        Ok(n) if n >= 1 => n,
        _ => return error("bench.top_n", format!("--bench-script takes a whole number of layouts ≥ 1, got {top_n:?}"), 1),
    };
    match ScenarioInput::from_value(value).and_then(|s| resolve(&s)).and_then(|inputs| script(&inputs, n)) {
        Ok(text) => Outcome { output: text, status: 0 },
        Err(e) => error(&e.field, e.message, 1),
    }
}

/// `plan --recalibrate SCENARIO.json RESULT…`: the scenario's performance parameters refitted
/// to the result files' runs that match it (`bench::compare::measurements`,
/// `calibration::recalibrate`): the errors of every matched run before and after, the
/// `perf_params` to keep, the scenario with them, and the plan made with them. `results` are
/// (file name, text) pairs. Status 0; 1 for an invalid scenario, an unreadable result file or
/// no matching run (field `measurements`, listing why each run was left out); 2 when the
/// scenario is not JSON.
pub fn recalibrate(text: &str, results: &[(String, String)]) -> Outcome {
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return error("scenario", format!("not valid JSON: {e}"), 2),
    };
    let inputs = match ScenarioInput::from_value(value).and_then(|s| resolve(&s)) {
        Ok(i) => i,
        Err(e) => return error(&e.field, e.message, 1),
    };
    let mut runs = Vec::new();
    for (name, body) in results {
        match import(name, body) {
            Ok(r) => runs.extend(r),
            Err(e) => return error("results", e.to_string(), 1),
        }
    }
    let measurements: Vec<_> = bench_measurements(&inputs, &runs).into_iter().map(|(_, m)| m).collect();
    if measurements.is_empty() {
        let why = match match_to_plan(&inputs, &runs) {
            Ok(report) => report
                .comparisons
                .iter()
                .map(|c| {
                    let flags: Vec<String> = c.flags.iter().filter(|f| f.blocks()).map(|f| f.message()).collect();
                    format!("{}: {}", c.source, flags.join("; "))
                })
                .collect::<Vec<_>>()
                .join(" | "),
            Err(e) => e.message,
        };
        return error("measurements", format!("no run matches the scenario ({why})"), 1);
    }
    match calibration::recalibrate::recalibrate(&inputs, &measurements)
        .and_then(|r| serde_json::to_value(r).map_err(|e| InputError::new("recalibration", e.to_string())))
    {
        Ok(v) => Outcome { output: pretty(&v), status: 0 },
        Err(e) => error(&e.field, e.message, 1),
    }
}

/// An error object naming the field, as the outcome with `status`.
fn error(field: &str, message: String, status: u8) -> Outcome {
    Outcome { output: pretty(&json!({"error": {"field": field, "message": message}})), status }
}

fn pretty(v: &Value) -> String {
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
    fn bench_script_prints_a_script_or_a_named_error() {
        let out = bench_script(GOOD, "2");
        assert_eq!(out.status, 0, "{}", out.output);
        assert!(out.output.starts_with("#!/usr/bin/env bash"));
        assert!(out.output.contains("vllm bench serve"));
        let cases = [(GOOD, "0", 1, "bench.top_n"), (GOOD, "x", 1, "bench.top_n"), (BAD, "2", 1, "workload.isl"),
            ("[]", "2", 1, "scenario"), ("{oops", "2", 2, "scenario")];
        for (text, n, status, field) in cases {
            let out = bench_script(text, n);
            assert_eq!(out.status, status, "{text} {n}: {}", out.output);
            let v: Value = serde_json::from_str(&out.output).unwrap();
            assert_eq!(v["error"]["field"], field, "{text} {n}");
        }
    }

    #[test]
    fn recalibrate_fits_matching_runs_or_says_why_none_matched() {
        let csv = "tp,pp,dp,ep,concurrency,output_tok_s,ttft_ms,tpot_ms\n8,1,1,1,64,9000,300,6.5\n1,1,8,1,64,14000,120,4.0\n";
        let scenario = r#"{"model": "llama-3.1-8b", "gpu": "h100-sxm", "workload": {"isl": 512, "osl": 128, "concurrency": 64}}"#;
        let out = recalibrate(scenario, &[("runs.csv".into(), csv.into())]);
        assert_eq!(out.status, 0, "{}", out.output);
        let v: Value = serde_json::from_str(&out.output).unwrap();
        assert_eq!(v["measurements"].as_array().unwrap().len(), 2);
        assert!(v["loss_after"].as_f64().unwrap() <= v["loss_before"].as_f64().unwrap());
        assert_eq!(v["scenario"]["perf_params"]["fit"]["measurements"], 2.0);
        assert_eq!(v["plan"]["recommended"]["range_basis"]["user_calibrated"], true);
        // A run on 16 GPUs does not match an 8-GPU scenario: nothing to fit, and why.
        let out = recalibrate(scenario, &[("runs.csv".into(), "tp,pp,dp,ep,concurrency,output_tok_s,ttft_ms,tpot_ms\n8,1,2,1,64,9000,,\n".into())]);
        assert_eq!(out.status, 1);
        let v: Value = serde_json::from_str(&out.output).unwrap();
        assert_eq!(v["error"]["field"], "measurements", "{}", out.output);
        assert!(v["error"]["message"].as_str().unwrap().contains("16 GPUs"), "{}", out.output);
        assert_eq!(recalibrate("{x", &[]).status, 2);
        let out = recalibrate(scenario, &[("x.json".into(), "{}".into())]);
        assert_eq!((out.status, serde_json::from_str::<Value>(&out.output).unwrap()["error"]["field"].clone()), (1, json!("results")));
    }

    #[test]
    fn json_that_is_not_a_scenario_is_an_error_not_a_panic() {
        for text in ["42", "null", "\"x\"", "{}", "[[]]", "[{}]"] {
            let out = run(text);
            assert_eq!(out.status, 1, "{text}");
        }
    }
}
