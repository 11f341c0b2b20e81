//! The `plan` command's other modes without their I/O: `--bench-script`, `--recalibrate` and
//! `--deploy` (JSON and result-file text in, text and an exit status out), so tests drive
//! them directly. Planning itself is `planner::batch`, shared with the page. And the one reader
//! of the measured kernel tables both commands hand the planner (`kernel_library`).

use benchmark::compare::{match_to_plan, measurements as bench_measurements};
use benchmark::deploy::{artifacts, Deployment};
use benchmark::import::import;
use benchmark::script::script;
use planner::batch::{error_object, pretty, read_one, Outcome};
use planner::error::InputError;
use planner::inputs::{resolve, resolve_with};
use planner::kernels::Library;
use planner::planning::plan_inputs;
use planner::scenario::ScenarioInput;
use serde_json::Value;
use std::path::Path;

/// The repository: where `data/` is.
pub const REPOSITORY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// The measured kernel tables in `dir` (`data/kernels/`): every `<system>.<engine>.txt`, parsed
/// (an absent directory is an empty library); an error names the file and its line.
pub fn kernel_library(dir: &Path) -> Result<Library, String> {
    let mut library = Library::empty();
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(library) };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let parts: Vec<&str> = name.split('.').collect();
        if !matches!(parts[..], [_, "trtllm" | "vllm" | "sglang", "txt"]) {
            continue;
        }
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        library.add(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(library)
}

/// `plan --bench-script N SCENARIO.json`: the bash script that benchmarks the plan's `top_n`
/// best layouts (`benchmark::script`). One scenario object in; the script out with status 0, or
/// an error object with status 1 (invalid scenario, N not a whole number ≥ 1, nothing
/// feasible) or 2 (not JSON).
pub fn bench_script(text: &str, top_n: &str) -> Outcome {
    let value = match read_one(text) {
        Ok(v) => v,
        Err((e, status)) => return error(&e.field, e.message, status),
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
/// to the result files' runs that match it (`benchmark::compare::measurements`,
/// `calibration::recalibrate`): the errors of every matched run before and after, the
/// `perf_params` to keep, the scenario with them, and the plan made with them. `results` are
/// (file name, text) pairs. Status 0; 1 for an invalid scenario, an unreadable result file or
/// no matching run (field `measurements`, listing why each run was left out); 2 when the
/// scenario is not JSON.
pub fn recalibrate(text: &str, results: &[(String, String)]) -> Outcome {
    let value = match read_one(text) {
        Ok(v) => v,
        Err((e, status)) => return error(&e.field, e.message, status),
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

/// `plan --deploy SCENARIO.json`: the deployment artifacts of the recommended plan
/// (`benchmark::deploy`: manifests, prefill/decode scripts, engine configurations, each with
/// `name`, `kind`, `text`, `verified`, `note`) as a JSON array; for an array of scenarios, an
/// array of those, with an error object in place of a scenario that is invalid or has no
/// feasible layout (field `recommended`). Status as the plan's: 0 when every scenario gave its
/// artifacts, 1 when any did not, 2 when the input is not JSON.
pub fn deploy(text: &str, library: &Library) -> Outcome {
    let value = match read_one(text) {
        Ok(v) => v,
        Err((e, status)) => return error(&e.field, e.message, status),
    };
    let (output, ok) = match value {
        Value::Array(items) => {
            let each: Vec<(Value, bool)> = items.into_iter().map(|v| deploy_one(v, library)).collect();
            let ok = each.iter().all(|(_, ok)| *ok);
            (Value::Array(each.into_iter().map(|(v, _)| v).collect()), ok)
        }
        one => deploy_one(one, library),
    };
    Outcome { output: pretty(&output), status: if ok { 0 } else { 1 } }
}

/// One scenario's artifacts as a JSON array, or its error object; and whether it gave them.
fn deploy_one(value: Value, library: &Library) -> (Value, bool) {
    let written = ScenarioInput::from_value(value)
        .and_then(|s| resolve_with(&s, library))
        .and_then(|inputs| {
            let plan = plan_inputs(&inputs)?;
            let deployment = Deployment::from_plan(&inputs, &plan)
                .ok_or_else(|| InputError::new("recommended", "no feasible layout to deploy"))?;
            artifacts(&deployment)
        })
        .and_then(|a| serde_json::to_value(a).map_err(|e| InputError::new("artifacts", e.to_string())));
    match written {
        Ok(v) => (v, true),
        Err(e) => (error_object(&e), false),
    }
}

/// An error object naming the field, as the outcome with `status`.
fn error(field: &str, message: String, status: u8) -> Outcome {
    Outcome { output: pretty(&error_object(&InputError::new(field, message))), status }
}


#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    const GOOD: &str = r#"{"model": "llama-3.1-8b", "gpu": "h100-sxm", "workload": {"isl": 512, "osl": 128}}"#;
    const BAD: &str = r#"{"model": "llama-3.1-8b", "gpu": "h100-sxm", "workload": {"isl": 0, "osl": 128}}"#;

    /// The `plan` command carries the disaggregated fields (`serving`: the command's planner has
    /// the `disaggregation` feature): a comparison scenario from `data/comparisons`.
    #[test]
    fn the_plan_command_carries_disaggregated_candidates() {
        let path = Path::new(REPOSITORY).join("data/comparisons/disagg-scenarios/f.json");
        let text = std::fs::read_to_string(path).unwrap();
        let out = planner::batch::run_with(&text, &Library::empty());
        assert_eq!(out.status, 0, "{}", out.output);
        let plan: Value = serde_json::from_str(&out.output).unwrap();
        assert_eq!(plan["scenario"]["serving"], json!("both"));
        assert!(matches!(plan["recommended_mode"].as_str(), Some("aggregated" | "disaggregated")), "{}", plan["recommended_mode"]);
        let d = &plan["disaggregated"];
        let best = &d["candidates"][d["ranking"][0].as_u64().unwrap() as usize];
        for field in ["gpus_used", "kv_transfer_ms", "ttft_ms", "tpot_ms", "output_tok_s_per_gpu", "tok_s_per_user"] {
            assert!(best[field].as_f64().is_some_and(|v| v > 0.0), "{field}: {best}");
        }
        let cluster = plan["scenario"]["nodes"].as_u64().unwrap() * plan["scenario"]["gpus_per_node"].as_u64().unwrap();
        assert_eq!(best["gpus_used"].as_u64().unwrap() + best["idle_gpus"].as_u64().unwrap(), cluster, "{best}");
        for field in ["capacity_req_s", "ttft_prefill_ms"] {
            assert!(best["prefill"][field].as_f64().is_some_and(|v| v > 0.0), "prefill.{field}: {best}");
        }
        assert!(best["label"].as_str().unwrap().contains(" × P "), "{best}");
        assert!(plan["trace"].as_array().unwrap().iter().any(|s| s["id"] == "disaggregation"));
    }

    #[test]
    fn the_shipped_kernel_tables_load_and_a_missing_directory_is_empty() {
        let library = kernel_library(&Path::new(REPOSITORY).join("data/kernels")).unwrap();
        assert!(library.get("h100_sxm", "trtllm").is_some() && library.get("l40s", "sglang").is_some());
        assert!(kernel_library(&Path::new(REPOSITORY).join("no-such-directory")).unwrap().is_empty());
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

    /// `--deploy`: DeepSeek-V3 as TP16 × EP16 over two 8-GPU H200 nodes gives a LeaderWorkerSet
    /// of size 2 and a Dynamo graph whose worker spans 2 nodes; an array keeps each scenario's
    /// answer in its place, an invalid or infeasible one as an error naming its field.
    #[test]
    fn deploy_prints_the_recommended_plans_artifacts_or_a_named_error() {
        let two_nodes = r#"{"model": "deepseek-ai/DeepSeek-V3", "gpu": "h200-sxm", "nodes": 2, "weights": "fp8",
            "layout": {"tp": 16, "ep": 16}, "workload": {"isl": 2048, "osl": 512}}"#;
        let out = deploy(two_nodes, &Library::empty());
        assert_eq!(out.status, 0, "{}", out.output);
        let v: Value = serde_json::from_str(&out.output).unwrap();
        let names: Vec<&str> = v.as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["lws.yaml", "dynamo.yaml"], "{}", out.output);
        let lws = v[0]["text"].as_str().unwrap();
        assert!(lws.contains("size: 2"), "expected a LeaderWorkerSet of size 2, got:\n{lws}");
        assert!(lws.contains("--tensor-parallel-size 16"), "{lws}");
        assert_eq!((v[0]["kind"].clone(), v[0]["verified"].clone()), (json!("kubernetes"), json!(false)));
        let dynamo = v[1]["text"].as_str().unwrap();
        assert!(dynamo.contains("nodeCount: 2"), "expected a worker on 2 nodes, got:\n{dynamo}");
        assert_eq!(v[1]["verified"], true);
        assert!(v[1]["note"].as_str().unwrap().contains("ai-dynamo"), "{}", v[1]["note"]);

        // Llama 3.1 405B in BF16 does not fit on one 80 GB GPU: nothing to deploy.
        let infeasible = r#"{"model": "llama-3.1-405b", "gpu": "h100-sxm", "gpus_per_node": 1, "workload": {"isl": 512, "osl": 128}}"#;
        let out = deploy(&format!("[{GOOD}, {BAD}, {infeasible}]"), &Library::empty());
        assert_eq!(out.status, 1, "{}", out.output);
        let v: Value = serde_json::from_str(&out.output).unwrap();
        assert!(v[0].as_array().is_some_and(|a| a.iter().any(|x| x["name"] == "dynamo.yaml")), "{}", v[0]);
        assert_eq!(v[1]["error"]["field"], "workload.isl", "{}", v[1]);
        assert_eq!(v[2]["error"]["field"], "recommended", "{}", v[2]);
        assert_eq!(deploy("{oops", &Library::empty()).status, 2);
    }

    /// Issue 10: a scenario nested deeper than the JSON reader's limit was "not valid JSON"
    /// (status 2); it is valid JSON: the field and the limit are named, status 1.
    #[test]
    fn a_scenario_too_deep_for_the_reader_is_named_not_called_invalid_json() {
        let deep = format!(r#"{{"model": "llama-3.1-8b", "gpu": "h100-sxm", "workload": {{"isl": 512, "osl": 128}}, "sla": {}{}}}"#,
            "[".repeat(200), "]".repeat(200));
        for out in [bench_script(&deep, "2"), recalibrate(&deep, &[])] {
            assert_eq!(out.status, 1, "{}", out.output);
            let v: Value = serde_json::from_str(&out.output).unwrap();
            assert_eq!(v["error"]["field"], "sla", "{}", out.output);
            assert!(v["error"]["message"].as_str().unwrap().contains("127 levels"), "{}", out.output);
        }
    }
}
