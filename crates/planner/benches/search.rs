//! The full search, timed: every layout judged at its operating point (memory, step model,
//! concurrency bisection), ranked, Pareto set, trace and plan assembly — what the page runs on
//! every change. Targets (issue 4): a 1T-parameter MoE on 1024 GPUs (128 nodes of 8) under
//! 5 ms natively; 8 GPUs well under 1 ms. `cargo bench --bench search` prints the times; the
//! number of layouts each scenario enumerates is printed first.

use criterion::{criterion_group, criterion_main, Criterion};
use planner::inputs::resolve;
use planner::planning::plan_inputs;
use planner::scenario::ScenarioInput;
use std::hint::black_box;

const SCENARIOS: [(&str, &str); 3] = [
    (
        "kimi-k2-1t-moe-1024-h200",
        r#"{"model": "moonshotai/Kimi-K2-Instruct", "weights": "fp8", "kv_cache": "fp8", "gpu": "h200-sxm",
            "nodes": 128, "gpus_per_node": 8, "workload": {"isl": 4096, "osl": 1024}}"#,
    ),
    (
        "llama-70b-8-h100",
        r#"{"model": "llama-3.1-70b", "gpu": "h100-sxm", "workload": {"isl": 2048, "osl": 512}}"#,
    ),
    (
        "mixtral-8x7b-8-h100-rate",
        r#"{"model": "mixtral-8x7b", "gpu": "h100-sxm", "workload": {"isl": 1024, "osl": 256, "request_rate": 20}}"#,
    ),
];

fn search(c: &mut Criterion) {
    for (name, text) in SCENARIOS {
        let inputs = resolve(&ScenarioInput::from_json(text).expect("valid scenario")).expect("resolves");
        let plan = plan_inputs(&inputs).expect("plans");
        let feasible = plan.candidates.iter().filter(|c| c.feasible).count();
        println!("{name}: {} layouts enumerated, {feasible} feasible", plan.candidates.len());
        c.bench_function(name, |b| b.iter(|| plan_inputs(black_box(&inputs))));
    }
}

criterion_group!(benches, search);
criterion_main!(benches);
