//! The `plan` command carries the capacity plan (issue 14): a scenario with `capacity` on
//! standard input gives the plan's `capacity` object, the comparison and the trace step.

use serde_json::Value;
use std::io::Write;
use std::process::{Command, Stdio};

#[test]
fn the_plan_command_prints_the_capacity_comparison() {
    let scenario = r#"{"model": "meta-llama/Llama-3.1-70B-Instruct", "weights": "fp8", "kv_cache": "fp8", "gpu": "h200-sxm",
        "workload": {"isl": 2048, "osl": 512}, "sla": {"ttft_ms": 2000, "tpot_ms": 50},
        "capacity": {"target": {"request_rate": 30}, "gpus": ["h200-sxm", "b200", "l4"], "max_gpus": 64}}"#;
    let mut child = Command::new(env!("CARGO_BIN_EXE_plan"))
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the plan command starts");
    child.stdin.take().expect("stdin").write_all(scenario.as_bytes()).expect("scenario written");
    let out = child.wait_with_output().expect("the plan command ends");
    assert!(out.status.success(), "status {:?}", out.status);
    let plan: Value = serde_json::from_slice(&out.stdout).expect("a JSON plan");
    let capacity = &plan["capacity"];
    assert_eq!(capacity["target_request_rate"], 30.0);
    let rows = capacity["per_gpu"].as_array().expect("per_gpu");
    let gpus: Vec<&str> = rows.iter().map(|r| r["gpu"].as_str().unwrap()).collect();
    assert_eq!(gpus, ["h200-sxm", "b200", "l4"]);
    for r in &rows[..2] {
        assert_eq!(r["feasible"], true, "{r}");
        assert!(r["gpus"].as_u64().unwrap() >= 8 && r["usd_per_m_output_tokens"].as_f64().unwrap() > 0.0, "{r}");
    }
    assert_eq!(rows[2]["feasible"], false);
    assert!(rows[2]["reason"].as_str().unwrap().contains("64 GPUs"), "{}", rows[2]);
    assert!(plan["trace"].as_array().unwrap().iter().any(|s| s["id"] == "capacity"));
    assert!(plan["candidates"][0].get("kwh_per_m_output_tokens").is_some() || plan["candidates"][0]["output_tok_s"].is_null());
}
