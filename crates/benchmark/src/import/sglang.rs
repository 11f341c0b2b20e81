//! SGLang's benchmark results, one JSON line per run (`Infinity` for an infinite rate):
//! - `python -m sglang.bench_serving` (`sglang/benchmark/serving.py`, 0.5.23): keys
//!   `dataset_name`, `random_input_len`, `random_output_len`, `random_range_ratio`,
//!   `sharegpt_output_len`, `request_rate`, `max_concurrency`, `tag`, `server_info`,
//!   `completed`, `total_input_tokens`, `total_output_tokens`, `output_throughput`,
//!   `mean/median_ttft_ms`, `mean/median_tpot_ms`;
//! - `bench_one_batch` (`sglang/benchmark/one_batch.py`): `batch_size`, `input_len`,
//!   `output_len`, `prefill_latency`, `median_decode_latency`, `total_latency` (seconds);
//! - `bench_offline_throughput`: `successful_requests`, `total_input_tokens`,
//!   `total_output_tokens`, `output_throughput`.
//!
//! `server_info` is the server's `/get_server_info`: its `tp_size`, `pp_size`, `dp_size`,
//! `ep_size` and attention-DP setting give the layout. SGLang's world is `tp_size × pp_size`
//! GPUs per replica (`sglang/srt/runtime_context.py`, 0.5.23); attention DP splits the TP group
//! into `attn_dp_size` groups (0.5.23), or `dp_size` groups with `enable_dp_attention` (0.5.9);
//! otherwise `dp_size` counts replicas.

use super::json::{at, count, finite, number, text};
use super::{
    itl_note, same_lengths, set_workers, time_stat, Ctx, Disaggregation, ImportError, LayoutSource, MeasuredLayout, MeasuredLoad, MeasuredRun,
    TimeStat,
};
use crate::naming::{disagg_from_name, layout_from_name, layout_of};
use planner::engine::Engine;
use serde_json::Value;

pub(super) fn read_serving(ctx: &Ctx, v: &Value) -> Result<MeasuredRun, ImportError> {
    let mut run = MeasuredRun::new(ctx.tool, ctx.file, ctx.throughput(v, &["output_throughput"])?);
    if let Some(info) = at(v, &["server_info"]).filter(|i| i.is_object()) {
        read_server_info(info, &mut run);
    }
    if let Some(workers) = text(v, &["tag"]).and_then(|tag| disagg_from_name(&tag)) {
        set_workers(&mut run, workers, "the bench_serving --tag");
    }
    if run.layout.is_none() && run.disaggregated.is_none() {
        run.layout = text(v, &["tag"])
            .and_then(|tag| layout_from_name(&tag))
            .map(|n| MeasuredLayout { layout: n.layout, source: LayoutSource::SglangTag, assumed: n.assumed });
    }
    run.completed = count(v, &["completed"]);
    run.set_means(finite(v, &["total_input_tokens"]), finite(v, &["total_output_tokens"]), run.completed);
    run.fixed_lengths = same_lengths(v);
    match text(v, &["dataset_name"]).as_deref() {
        Some("random" | "random-ids") => {
            run.requested_isl = count(v, &["random_input_len"]);
            run.requested_osl = count(v, &["random_output_len"]);
            if let Some(ratio) = finite(v, &["random_range_ratio"]) {
                run.fixed_lengths = Some(ratio >= 1.0);
            }
            if let Some(ratio) = finite(v, &["random_range_ratio"]).filter(|r| *r < 1.0) {
                run.notes.push(format!(
                    "random_range_ratio {ratio}: SGLang draws each length uniformly from [{ratio} × len, len] \
                     (sglang/benchmark/datasets/common.py), not len; the measured mean lengths are what ran"
                ));
            }
        }
        Some("sharegpt") => {
            run.requested_osl = count(v, &["sharegpt_output_len"]);
            run.fixed_lengths = Some(false);
        }
        _ => {}
    }
    let rate = at(v, &["request_rate"]).and_then(number);
    run.load = MeasuredLoad::from_parts(rate, count(v, &["max_concurrency"]), run.completed);
    run.ttft_ms = time_stat(v, &["mean_ttft_ms"], &["median_ttft_ms"]);
    run.tpot_ms = time_stat(v, &["mean_tpot_ms"], &["median_tpot_ms"]);
    itl_note(v, &mut run);
    Ok(run)
}

/// Model, version and layout from `server_info`; prefill/decode lists mean disaggregation.
fn read_server_info(info: &Value, run: &mut MeasuredRun) {
    run.engine = Some(Engine::Sglang);
    let (prefill, decode) = (at(info, &["prefill"]), at(info, &["decode"]));
    if let (Some(Value::Array(p)), Some(Value::Array(d))) = (prefill, decode) {
        run.disaggregated =
            Some(Disaggregation { prefill_servers: p.len() as u32, decode_servers: d.len() as u32, prefill: None, decode: None });
        run.model = p.first().and_then(|s| text(s, &["model_path"]));
        let versions: Vec<String> = p.iter().chain(d).filter_map(|s| text(s, &["version"])).collect();
        run.engine_version = versions.first().cloned();
        if versions.iter().any(|x| Some(x) != versions.first()) {
            run.notes.push(format!("prefill and decode servers run different SGLang versions: {}", versions.join(", ")));
        }
        return;
    }
    run.model = text(info, &["model_path"]).or_else(|| text(info, &["served_model_name"]));
    run.engine_version = text(info, &["version"]);
    let Some(tp_size) = count(info, &["tp_size"]) else { return };
    let size = |k: &str| count(info, &[k]).unwrap_or(1);
    let (pp, dp_size, ep) = (size("pp_size"), size("dp_size"), size("ep_size"));
    let (attention_groups, replicas) = match count(info, &["attn_dp_size"]) {
        Some(attn) => (attn.max(1), dp_size),
        None if at(info, &["enable_dp_attention"]) == Some(&Value::Bool(true)) => (dp_size, 1),
        None => (1, dp_size),
    };
    if !tp_size.is_multiple_of(attention_groups) {
        run.notes.push(format!("server_info: tp_size {tp_size} is not a multiple of {attention_groups} attention-DP groups"));
        return;
    }
    let layout = layout_of(tp_size / attention_groups, pp, attention_groups.saturating_mul(replicas), ep);
    if replicas > 1 && ep > 1 {
        run.notes.push(format!(
            "SGLang's {replicas} replicas each hold all experts split {ep} ways; the planner's layouts share one \
             expert set across DP"
        ));
    }
    run.layout = layout.map(|layout| MeasuredLayout { layout, source: LayoutSource::SglangServerInfo, assumed: vec![] });
}

pub(super) fn read_one_batch(ctx: &Ctx, v: &Value) -> Result<MeasuredRun, ImportError> {
    let keys = ["batch_size", "input_len", "output_len", "prefill_latency", "total_latency"];
    let missing: Vec<&str> = keys.iter().copied().filter(|k| finite(v, &[k]).is_none()).collect();
    if !missing.is_empty() {
        return Err(ctx.missing(missing));
    }
    let (batch, isl, osl) = (count(v, &["batch_size"]), count(v, &["input_len"]), count(v, &["output_len"]));
    let (prefill, total) = (finite(v, &["prefill_latency"]).unwrap_or(0.0), finite(v, &["total_latency"]).unwrap_or(0.0));
    let (Some(batch), Some(isl), Some(osl)) = (batch.filter(|&b| b > 0), isl, osl.filter(|&o| o > 0)) else {
        return Err(ctx.bad("batch_size, input_len and output_len must be whole numbers, batch_size and output_len at least 1".into()));
    };
    if !(total > 0.0 && prefill >= 0.0 && prefill <= total) {
        return Err(ctx.bad(format!("latencies must satisfy 0 ≤ prefill_latency ({prefill}) ≤ total_latency ({total}), total > 0")));
    }
    let output_tok_s = batch as f64 * osl as f64 / total;
    if !output_tok_s.is_finite() {
        return Err(ctx.bad(format!("total_latency ({total} s) is too small to give a throughput")));
    }
    let mut run = MeasuredRun::new(ctx.tool, ctx.file, output_tok_s);
    run.engine = Some(Engine::Sglang);
    run.load = MeasuredLoad::Concurrency { requests: batch };
    run.completed = Some(batch);
    run.requested_isl = Some(isl);
    run.requested_osl = Some(osl);
    run.ttft_ms = TimeStat { mean: ms(prefill), median: ms(prefill) };
    run.tpot_ms = TimeStat {
        mean: (osl > 1).then(|| (total - prefill) / (osl - 1) as f64).and_then(ms),
        median: finite(v, &["median_decode_latency"]).and_then(ms),
    };
    run.notes.push(format!(
        "static batch of {batch} (bench_one_batch): all prefilled in one step, then decoded together; output tok/s = \
         batch × output_len / total_latency, TTFT = prefill_latency, mean TPOT = (total_latency − prefill_latency) / \
         (output_len − 1) (sglang/benchmark/one_batch.py)"
    ));
    Ok(run)
}

/// Seconds as milliseconds, unless that overflows (a latency near `f64::MAX` is no figure).
fn ms(seconds: f64) -> Option<f64> {
    Some(seconds * 1e3).filter(|x| x.is_finite())
}

pub(super) fn read_offline(ctx: &Ctx, v: &Value) -> Result<MeasuredRun, ImportError> {
    let mut run = MeasuredRun::new(ctx.tool, ctx.file, ctx.throughput(v, &["output_throughput"])?);
    run.engine = Some(Engine::Sglang);
    run.completed = count(v, &["successful_requests"]);
    run.set_means(finite(v, &["total_input_tokens"]), finite(v, &["total_output_tokens"]), run.completed);
    run.load = MeasuredLoad::from_parts(None, None, run.completed);
    run.notes.push("offline engine run: every request submitted at once; no per-request times".into());
    Ok(run)
}
