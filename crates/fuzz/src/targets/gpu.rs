//! Target `gpu`: a scenario's `gpu` value as JSON (`gpu::catalog::resolve`: a catalog id or a
//! custom spec object), and, when it reads, a plan on two nodes of it.
//!
//! Design decision: the figures are believed only within bounds, so what the fuzzer looks for
//! past the reader is a figure inside them that still breaks a number of the plan; the model,
//! weight precision and load vary with the input's length (deterministic), so dense and MoE,
//! every tensor-core rate and every load kind meet the figures.

use super::{checked_plan, rejected, seen, Seen};
use planner::gpu::catalog::resolve;
use serde_json::{json, Value};

const MODELS: [&str; 3] = ["Qwen/Qwen3-0.6B", "Qwen/Qwen3-30B-A3B", "deepseek-ai/DeepSeek-V3"];
const WEIGHTS: [&str; 4] = ["bf16", "fp8", "fp4", "int8"];

pub fn run(text: &str) -> Seen {
    let Ok(gpu) = serde_json::from_str::<Value>(text) else {
        // Text that is not JSON never reaches the GPU reader (target `scenario` covers it).
        return Ok("not JSON".into());
    };
    let n = text.len();
    let workload = match n % 3 {
        0 => json!({"isl": 1024, "osl": 256, "concurrency": 16}),
        1 => json!({"isl": 2048, "osl": 128, "request_rate": 4}),
        _ => json!({"isl": 512, "osl": 512}),
    };
    let scenario = json!({
        "model": MODELS[n % MODELS.len()], "weights": WEIGHTS[n / 3 % WEIGHTS.len()],
        "gpu": gpu, "nodes": 2, "workload": workload,
    });
    if let Err(e) = resolve(&gpu) {
        return rejected(&e, &scenario);
    }
    Ok(seen(&checked_plan(&scenario)?))
}
