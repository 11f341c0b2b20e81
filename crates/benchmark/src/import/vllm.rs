//! vLLM's serving benchmark results: `vllm bench serve --save-result` (`vllm/benchmarks/
//! serve.py`) and the older `benchmarks/benchmark_serving.py`, one JSON object per run.
//!
//! Keys read: `model_id`, `tokenizer_id`, `num_prompts`, `request_rate` (a number or `"inf"`),
//! `max_concurrency` (null = none), `completed`, `failed`, `total_input_tokens`,
//! `total_output_tokens`, `output_throughput`, `mean/median_ttft_ms`, `mean/median_tpot_ms`;
//! and `--metadata` pairs, which vLLM stores as top-level strings: the planner's script writes
//! `engine`, `gpu`, `tp`, `pp`, `dp`, `ep`; other scripts' `gpu`, `framework` (nerdalert's
//! server engine), `input_len` and `output_len` are read too.

use super::json::{at, count, finite, number, text};
use super::{
    engine_named, itl_note, keyed_layout, same_lengths, time_stat, Ctx, ImportError, LayoutSource, MeasuredLoad, MeasuredRun,
};
use serde_json::Value;

pub(super) fn read(ctx: &Ctx, v: &Value) -> Result<MeasuredRun, ImportError> {
    let mut run = MeasuredRun::new(ctx.tool, ctx.file, ctx.throughput(v, &["output_throughput"])?);
    run.model = text(v, &["model_id"]);
    run.tokenizer = text(v, &["tokenizer_id"]).filter(|t| Some(t) != run.model.as_ref());
    run.completed = count(v, &["completed"]);
    run.set_means(finite(v, &["total_input_tokens"]), finite(v, &["total_output_tokens"]), run.completed);
    run.fixed_lengths = same_lengths(v);
    let rate = at(v, &["request_rate"]).and_then(number);
    run.load = MeasuredLoad::from_parts(rate, count(v, &["max_concurrency"]), count(v, &["num_prompts"]));
    run.ttft_ms = time_stat(v, &["mean_ttft_ms"], &["median_ttft_ms"]);
    run.tpot_ms = time_stat(v, &["mean_tpot_ms"], &["median_tpot_ms"]);

    run.gpu = text(v, &["gpu"]);
    run.engine = text(v, &["engine"]).and_then(|e| engine_named(&e));
    if run.engine.is_none() {
        if let Some(framework) = text(v, &["framework"]) {
            run.engine = engine_named(&framework);
            if run.engine.is_some() {
                run.notes.push(format!("server engine read from the metadata key `framework` = {framework:?}"));
            }
        }
    }
    run.layout = keyed_layout(v, LayoutSource::BenchMetadata);
    run.requested_isl = count(v, &["input_len"]);
    run.requested_osl = count(v, &["output_len"]);

    if let Some(failed) = count(v, &["failed"]).filter(|&f| f > 0) {
        run.notes.push(format!("{failed} requests failed; vLLM leaves them out of the token totals"));
    }
    itl_note(v, &mut run);
    Ok(run)
}
