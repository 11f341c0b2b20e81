//! The capacity comparison, timed (issue 14): Llama-3.1-70B at FP8, 30 req/s, ISL 2048,
//! OSL 512, TTFT ≤ 2000 ms, TPOT ≤ 50 ms, sized on every catalog GPU — the whole plan with its
//! `capacity` object, as the page runs it on every change. Target: ≤ 50 ms in Chromium, so
//! ≤ 10 ms natively. `cargo bench -p planner -- capacity`.

use criterion::{criterion_group, criterion_main, Criterion};
use planner::inputs::resolve;
use planner::planning::plan_inputs;
use planner::scenario::ScenarioInput;
use std::hint::black_box;

const SCENARIO: &str = r#"{"model": "meta-llama/Llama-3.1-70B-Instruct", "weights": "fp8", "kv_cache": "fp8", "gpu": "h100-sxm",
    "workload": {"isl": 2048, "osl": 512}, "sla": {"ttft_ms": 2000, "tpot_ms": 50},
    "capacity": {"target": {"request_rate": 30}}}"#;

fn capacity(c: &mut Criterion) {
    let inputs = resolve(&ScenarioInput::from_json(SCENARIO).expect("valid scenario")).expect("resolves");
    let plan = plan_inputs(&inputs).expect("plans");
    let rows = plan.capacity.as_ref().map_or(0, |c| c.per_gpu.len());
    let sized = plan.capacity.as_ref().map_or(0, |c| c.per_gpu.iter().filter(|r| r.feasible).count());
    println!("capacity-70b-catalog: {rows} GPUs compared, {sized} sized");
    c.bench_function("capacity-70b-catalog", |b| b.iter(|| plan_inputs(black_box(&inputs))));
}

criterion_group!(benches, capacity);
criterion_main!(benches);
