//! The shipped calibration set, `data/calibration/trtllm-0.17-max-throughput.csv`,
//! read from its text into `Measurement`s (the caller reads the file; nothing here touches
//! the file system).
//!
//! Design decision: each row becomes an ordinary scenario, exactly as a user would write it:
//! the catalog model, weight and KV precision, GPU, one node of `tp × pp × dp` GPUs, TensorRT-LLM
//! with `engine_options.memory_fraction` 0.95 (`kv_cache_free_gpu_mem_fraction` of the runs,
//! `data/README.md`), the ISL/OSL pair and no concurrency (offline maximum throughput:
//! trtllm-bench queues every request at once). The planner then predicts it by the same path
//! as any plan, so the calibration checks the planner, not a side model.
//!
//! Models, by the table's row names (the file's `model_hf` says the exact variant was not
//! stated): Llama 3.1 8B / 70B / 405B are the base repos (an `-Instruct` variant has the same
//! shapes). "Mistral 7B" is taken as `mistralai/Mistral-7B-v0.1`, the original release, and the
//! choice cannot move a prediction: v0.3 differs only in vocabulary (32768 against 32000
//! entries, 0.1 % of the weights) and in having no sliding window, and v0.1's 4096-token window
//! never binds on these rows (the longest Mistral row is 2048 + 2048 tokens). Mixtral rows are
//! the v0.1 repos; with no EP size stated, TensorRT-LLM splits every expert across the TP
//! group (`moe_tp_size = tp_size` by default), which is `ep = 1`.

use planner::engine::{Engine, EngineOptionsInput};
use crate::csv::{blocks, Row};
use planner::error::InputError;
use planner::layout::Layout;
use planner::precision::{KvPrecision, WeightPrecision};
use planner::scenario::{ScenarioInput, WorkloadInput};
use super::measurement::Measurement;
use serde_json::json;

/// `kv_cache_free_gpu_mem_fraction` of the calibration runs (`data/README.md`).
pub const TRTLLM_RUNS_KV_FRACTION: f64 = 0.95;

/// The table's model names and the catalog ids they are planned as (see the module doc).
pub const MODEL_IDS: [(&str, &str); 6] = [
    ("LLaMA v3.1 8B", "meta-llama/Llama-3.1-8B"),
    ("LLaMA v3.1 70B", "meta-llama/Llama-3.1-70B"),
    ("LLaMA v3.1 405B", "meta-llama/Llama-3.1-405B"),
    ("Mistral 7B", "mistralai/Mistral-7B-v0.1"),
    ("Mixtral 8x7B", "mistralai/Mixtral-8x7B-v0.1"),
    ("Mixtral 8x22B", "mistralai/Mixtral-8x22B-v0.1"),
];

/// The measurements of the TensorRT-LLM calibration CSV. An error names the line and column.
pub fn trtllm_measurements(text: &str) -> Result<Vec<Measurement>, InputError> {
    let records: Vec<Row> = blocks(text).into_iter().flatten().collect();
    let Some((header, rows)) = records.split_first() else {
        return Err(InputError::new("csv", "empty file"));
    };
    let column = |name: &str| {
        header
            .cells
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| InputError::new("csv", format!("no column `{name}` in the header")))
    };
    let cols = Columns {
        gpu: column("gpu_id")?,
        engine: column("engine")?,
        model: column("model_as_written")?,
        weights: column("weight_precision")?,
        kv: column("kv_cache_dtype")?,
        gpus_per_node: column("gpus_per_node")?,
        tp: column("tp")?,
        pp: column("pp")?,
        dp: column("dp")?,
        ep: column("ep")?,
        isl: column("isl")?,
        osl: column("osl")?,
        load: column("load_mode")?,
        measured: column("output_tok_s_per_gpu")?,
    };
    rows.iter().map(|r| measurement(&cols, &r.cells, r.line)).collect()
}

struct Columns {
    gpu: usize,
    engine: usize,
    model: usize,
    weights: usize,
    kv: usize,
    gpus_per_node: usize,
    tp: usize,
    pp: usize,
    dp: usize,
    ep: usize,
    isl: usize,
    osl: usize,
    load: usize,
    measured: usize,
}

fn measurement(c: &Columns, row: &[String], line: usize) -> Result<Measurement, InputError> {
    let cell = |i: usize, name: &str| {
        row.get(i).map(|s| s.trim()).ok_or_else(|| InputError::new(format!("line {line}: {name}"), "missing"))
    };
    let number = |i: usize, name: &str| -> Result<f64, InputError> {
        let text = cell(i, name)?;
        text.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| InputError::new(format!("line {line}: {name}"), format!("not a number: `{text}`")))
    };
    let size = |i: usize, name: &str| -> Result<u32, InputError> {
        if cell(i, name)?.is_empty() {
            return Ok(1);
        }
        let v = number(i, name)?;
        if v < 1.0 || v.fract() != 0.0 || v > u32::MAX as f64 {
            return Err(InputError::new(format!("line {line}: {name}"), format!("not a whole number ≥ 1: {v}")));
        }
        Ok(v as u32)
    };
    let engine = cell(c.engine, "engine")?;
    if engine != "TensorRT-LLM" {
        return Err(InputError::new(format!("line {line}: engine"), format!("`{engine}` is not TensorRT-LLM")));
    }
    let load = cell(c.load, "load_mode")?;
    if !load.starts_with("offline max throughput") {
        return Err(InputError::new(format!("line {line}: load_mode"), format!("`{load}` is not offline max throughput")));
    }
    let name = cell(c.model, "model_as_written")?;
    let model = MODEL_IDS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, id)| *id)
        .ok_or_else(|| InputError::new(format!("line {line}: model_as_written"), format!("unknown model `{name}`")))?;
    let first_word = |i: usize, name: &str| cell(i, name).map(|s| s.split_whitespace().next().unwrap_or("").to_string());
    let weights: WeightPrecision = serde_json::from_value(json!(first_word(c.weights, "weight_precision")?))
        .map_err(|e| InputError::new(format!("line {line}: weight_precision"), e.to_string()))?;
    let kv: KvPrecision = serde_json::from_value(json!(first_word(c.kv, "kv_cache_dtype")?))
        .map_err(|e| InputError::new(format!("line {line}: kv_cache_dtype"), e.to_string()))?;
    let (tp, pp, dp, ep) = (size(c.tp, "tp")?, size(c.pp, "pp")?, size(c.dp, "dp")?, size(c.ep, "ep")?);
    let gpus = tp * pp * dp;
    let layout = Layout::new(tp, pp, dp, ep, gpus).map_err(|e| InputError::new(format!("line {line}: layout"), e.to_string()))?;
    // The run's GPUs, on nodes of at most the file's node size.
    let node = size(c.gpus_per_node, "gpus_per_node")?;
    let per_node = gpus.min(node);
    if !gpus.is_multiple_of(per_node) {
        return Err(InputError::new(format!("line {line}: gpus_per_node"), format!("{gpus} GPUs do not fill nodes of {node}")));
    }
    let scenario = ScenarioInput {
        model: json!(model),
        weights: Some(weights),
        kv_cache: Some(kv),
        gpu: json!(cell(c.gpu, "gpu_id")?),
        nodes: Some((gpus / per_node) as f64),
        gpus_per_node: Some(per_node as f64),
        engine: Some(Engine::Trtllm),
        workload: WorkloadInput {
            isl: number(c.isl, "isl")?,
            osl: number(c.osl, "osl")?,
            concurrency: None,
            request_rate: None,
            arrivals: None,
        },
        engine_options: Some(EngineOptionsInput { memory_fraction: Some(TRTLLM_RUNS_KV_FRACTION), ..Default::default() }),
        ..Default::default()
    };
    Ok(Measurement {
        scenario,
        layout,
        output_tok_s_per_gpu: number(c.measured, "output_tok_s_per_gpu")?,
        ttft_ms: None,
        tpot_ms: None,
        disaggregated: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "gpu_id,engine,model_as_written,weight_precision,kv_cache_dtype,gpus_per_node,tp,pp,dp,ep,isl,osl,load_mode,output_tok_s_per_gpu\n";

    #[test]
    fn a_row_becomes_a_scenario() {
        let text = format!(
            "{HEADER}h100-sxm,TensorRT-LLM,LLaMA v3.1 70B,fp8,\"fp8 (doc)\",8,4,1,1,,500,2000,\"offline max throughput (all)\",2459.2\n"
        );
        let m = trtllm_measurements(&text).unwrap();
        assert_eq!(m.len(), 1);
        let m = &m[0];
        assert_eq!((m.layout.tp, m.layout.pp, m.layout.dp, m.layout.ep), (4, 1, 1, 1));
        assert_eq!((m.scenario.nodes, m.scenario.gpus_per_node), (Some(1.0), Some(4.0)));
        assert_eq!(m.scenario.model, json!("meta-llama/Llama-3.1-70B"));
        assert_eq!(m.scenario.kv_cache, Some(KvPrecision::Fp8));
        assert_eq!(m.output_tok_s_per_gpu, 2459.2);
    }

    #[test]
    fn bad_rows_name_line_and_column() {
        let row = |model: &str, tp: &str| {
            format!("{HEADER}h100-sxm,TensorRT-LLM,{model},fp8,fp8,8,{tp},1,1,,1,1,offline max throughput,1\n")
        };
        assert_eq!(trtllm_measurements(&row("GPT-5", "1")).unwrap_err().field, "line 2: model_as_written");
        assert_eq!(trtllm_measurements(&row("Mistral 7B", "two")).unwrap_err().field, "line 2: tp");
        assert_eq!(trtllm_measurements("x,y\n1,2\n").unwrap_err().field, "csv");
    }
}
