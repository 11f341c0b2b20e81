//! NVIDIA's benchmark results: genai-perf and AIPerf `profile_export_*.json`, and TensorRT-LLM
//! `trtllm-bench --report_json`.
//!
//! genai-perf / AIPerf: one key per metric, each `{unit, avg, p50, …}`; read
//! `output_token_throughput.avg`, `time_to_first_token.{avg,p50}`,
//! `inter_token_latency.{avg,p50}` (per request `(latency − TTFT) / (output tokens − 1)`, a TPOT;
//! `inter_chunk_latency` is per chunk and is not read), `input_sequence_length.avg`,
//! `output_sequence_length.avg`, `request_count.avg`; and the run's settings from
//! `input_config`, whose shape differs by version (genai-perf 0.0.10 flat argparse dump,
//! 25.07 nested; AIPerf early `loadgen`, 0.11+ `phases`).
//!
//! trtllm-bench (`tensorrt_llm/bench/dataclasses/reporting.py`): `engine.{model, version}`,
//! `machine.name`, `world_info.{tp_size, pp_size, ep_size, world_size}`,
//! `request_info.{num_requests, avg_num_concurrent_requests, avg_input_length,
//! avg_output_length}`, `performance.system_output_throughput_tok_s`,
//! `streaming_metrics.{avg_ttft_ms, avg_tpot_ms, ttft_percentiles.p50, tpot_percentiles.p50}`.

use super::json::{at, count, finite, text};
use super::{time_stat, Ctx, ImportError, LayoutSource, MeasuredLayout, MeasuredLoad, MeasuredRun};
use crate::naming::layout_of;
use planner::engine::Engine;
use serde_json::Value;

/// The fields genai-perf and AIPerf share.
fn read_metrics(ctx: &Ctx, v: &Value) -> Result<MeasuredRun, ImportError> {
    let mut run = MeasuredRun::new(ctx.tool, ctx.file, ctx.throughput(v, &["output_token_throughput", "avg"])?);
    run.ttft_ms = time_stat(v, &["time_to_first_token", "avg"], &["time_to_first_token", "p50"]);
    run.tpot_ms = time_stat(v, &["inter_token_latency", "avg"], &["inter_token_latency", "p50"]);
    run.mean_isl = finite(v, &["input_sequence_length", "avg"]);
    run.mean_osl = finite(v, &["output_sequence_length", "avg"]);
    run.completed = count(v, &["request_count", "avg"]);
    if run.ttft_ms.mean.is_none() {
        run.notes.push("no time_to_first_token: the run was not streamed".into());
    }
    Ok(run)
}

/// The first string of a list, or the string itself.
fn first_name(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Array(items) => items.first().and_then(|i| i.as_str()).map(str::to_string),
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
    .filter(|s| !s.trim().is_empty())
}

pub(super) fn read_genai_perf(ctx: &Ctx, v: &Value) -> Result<MeasuredRun, ImportError> {
    let mut run = read_metrics(ctx, v)?;
    let config = at(v, &["input_config"]).cloned().unwrap_or(Value::Null);
    // 25.07 nested: model_names, perf_analyzer.stimulus, input.synthetic_tokens / output_tokens;
    // 0.0.10 flat: model, concurrency, request_rate, synthetic_input_tokens_mean, output_tokens_mean.
    run.model = first_name(at(&config, &["model_names"])).or_else(|| first_name(at(&config, &["model"])));
    run.tokenizer = text(&config, &["tokenizer", "name"]).or_else(|| text(&config, &["tokenizer"]));
    let stimulus = at(&config, &["perf_analyzer", "stimulus"]).unwrap_or(&config);
    let rate = finite(stimulus, &["request_rate"]);
    run.load = MeasuredLoad::from_parts(rate, count(stimulus, &["concurrency"]), None);
    run.requested_isl = count(&config, &["input", "synthetic_tokens", "mean"])
        .or_else(|| count(&config, &["synthetic_input_tokens_mean"]));
    run.requested_osl =
        count(&config, &["input", "output_tokens", "mean"]).or_else(|| count(&config, &["output_tokens_mean"]));
    Ok(run)
}

pub(super) fn read_aiperf(ctx: &Ctx, v: &Value) -> Result<MeasuredRun, ImportError> {
    let mut run = read_metrics(ctx, v)?;
    let config = at(v, &["input_config"]).cloned().unwrap_or(Value::Null);
    // Early format: endpoint.model_names, loadgen, input.prompt; 0.11+: models.items, phases.
    run.model = first_name(at(&config, &["endpoint", "model_names"]))
        .or_else(|| at(&config, &["models", "items"]).and_then(|i| i.get(0)).and_then(|m| text(m, &["name"])));
    run.tokenizer = text(&config, &["tokenizer", "name"]).filter(|t| Some(t) != run.model.as_ref());
    run.load = match at(&config, &["phases"]) {
        Some(Value::Array(phases)) => {
            let profiling = phases
                .iter()
                .rev()
                .find(|p| text(p, &["kind"]).as_deref() == Some("profiling") || text(p, &["name"]).as_deref() == Some("profiling"))
                .or(phases.last());
            profiling.map_or(MeasuredLoad::Unknown, |p| {
                MeasuredLoad::from_parts(finite(p, &["rate"]), count(p, &["concurrency"]), None)
            })
        }
        _ => MeasuredLoad::from_parts(
            finite(&config, &["loadgen", "request_rate"]),
            count(&config, &["loadgen", "concurrency"]),
            None,
        ),
    };
    run.requested_isl = count(&config, &["input", "prompt", "input_tokens", "mean"]);
    run.requested_osl = count(&config, &["input", "prompt", "output_tokens", "mean"]);
    run.gpu = telemetry_gpu(v);
    Ok(run)
}

/// The GPU names in AIPerf's DCGM telemetry (`telemetry_data.endpoints.*.gpus.*.gpu_name`),
/// distinct, joined. DCGM reports every GPU of the node, not only the serving ones.
fn telemetry_gpu(v: &Value) -> Option<String> {
    let endpoints = at(v, &["telemetry_data", "endpoints"])?.as_object()?;
    let mut names: Vec<String> = Vec::new();
    for endpoint in endpoints.values() {
        for gpu in endpoint.get("gpus").and_then(Value::as_object).into_iter().flat_map(|g| g.values()) {
            if let Some(name) = text(gpu, &["gpu_name"]) {
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
    }
    (!names.is_empty()).then(|| names.join(", "))
}

pub(super) fn read_trtllm_bench(ctx: &Ctx, v: &Value) -> Result<MeasuredRun, ImportError> {
    let mut run = MeasuredRun::new(ctx.tool, ctx.file, ctx.throughput(v, &["performance", "system_output_throughput_tok_s"])?);
    run.engine = Some(Engine::Trtllm);
    run.model = text(v, &["engine", "model"]);
    run.engine_version = text(v, &["engine", "version"]);
    run.gpu = text(v, &["machine", "name"]);
    if let Some(tp) = count(v, &["world_info", "tp_size"]) {
        let size = |k: &str| count(v, &["world_info", k]).unwrap_or(1);
        let (pp, ep) = (size("pp_size"), size("ep_size"));
        let world = count(v, &["world_info", "world_size"]).unwrap_or(tp.saturating_mul(pp));
        let per_copy = tp.saturating_mul(pp).max(1);
        run.layout = (world.is_multiple_of(per_copy))
            .then(|| layout_of(tp, pp, world / per_copy, ep))
            .flatten()
            .map(|layout| MeasuredLayout { layout, source: LayoutSource::TrtllmWorldInfo, assumed: vec![] });
    }
    run.completed = count(v, &["request_info", "num_requests"]);
    run.mean_isl = finite(v, &["request_info", "avg_input_length"]).or_else(|| finite(v, &["dataset", "avg_isl"]));
    run.mean_osl = finite(v, &["request_info", "avg_output_length"]).or_else(|| finite(v, &["dataset", "avg_osl"]));
    let spread = |stats: &str| Some(finite(v, &["dataset", stats, "maximum"])? - finite(v, &["dataset", stats, "minimum"])?);
    run.fixed_lengths = spread("isl_stats").zip(spread("osl_stats")).map(|(i, o)| i == 0.0 && o == 0.0);
    if let Some(avg) = finite(v, &["request_info", "avg_num_concurrent_requests"]).filter(|a| *a > 0.0) {
        let requests = avg.round().max(1.0) as u32;
        run.load = MeasuredLoad::Concurrency { requests };
        run.notes.push(format!(
            "trtllm-bench records the average requests in flight ({avg:.4}), not the limit it was given; {requests} is \
             used as the concurrency"
        ));
    }
    run.ttft_ms = time_stat(v, &["streaming_metrics", "avg_ttft_ms"], &["streaming_metrics", "ttft_percentiles", "p50"]);
    run.tpot_ms = time_stat(v, &["streaming_metrics", "avg_tpot_ms"], &["streaming_metrics", "tpot_percentiles", "p50"]);
    if at(v, &["streaming_metrics"]).is_none() {
        run.notes.push("not a streaming run: trtllm-bench reports no TTFT or TPOT".into());
    }
    Ok(run)
}
