//! The real serving benchmarks whose GPU and layout are known, predicted by the planner at their
//! own load: the check of TTFT, TPOT and serving throughput that the calibration set (offline
//! maximum throughput, throughput only) cannot give, and the source of the ranges' serving
//! widening. Also assembles the range table (`data/range-errors.json`) from these and the
//! held-out calibration errors.
//!
//! Design decision: a sample is an ordinary scenario plus a result file, compared by the same
//! path as a user's own upload (`compare::measurements`: the run's lengths, load and layout),
//! so the check exercises the planner exactly as the page does. Each scenario states what ran as
//! far as the file and its repository say (`data/bench-results/README.md`): the GPU where
//! the file does not name it, the engine's settings the server recorded, and the MEAN lengths
//! that ran when the client drew them at random. Nothing here reads a file.
//!
//! Left out: the AIPerf run on an RTX PRO 4500 Blackwell (no datasheet figures for that GPU
//! are at hand to build a custom GPU from, and the catalog has none), runs without a layout or
//! GPU (LambdaLabs, nerdalert, wellflat, genai-perf over a hosted API), prefill/decode
//! disaggregation, and SGLang's static `bench_one_batch` / `bench_offline_throughput` files.

use super::compare::measurements;
use super::import::import;
use calibration::held_out::{cells, coverage, held_out};
use calibration::Point;
use planner::inputs::resolve;
use calibration::records::{Coverage, RangeFile, SampleFigure, Serving, ServingSample, SiliconRanges};
use calibration::silicon::{self, SiliconRow, SiliconSet};
use planner::perf::fitted;
use planner::perf::ranges;
use planner::perf::tables::{RangeTable, Widening};
use planner::scenario::ScenarioInput;

/// One serving benchmark: its file under `data/bench-results/`, what ran, and the
/// scenario (JSON) it is predicted with.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub file: &'static str,
    pub run: &'static str,
    pub scenario: String,
}

/// Qwen/Qwen2.5-3B-Instruct `config.json` (the Hugging Face repository's, the keys the planner
/// reads): 36 layers of width 2048, 16 heads, 2 KV heads, MLP 11008, vocabulary 151936, tied
/// embeddings; 3.09 B parameters (model card).
const QWEN25_3B: &str = r#"{"name": "Qwen/Qwen2.5-3B-Instruct", "config": {"model_type": "qwen2",
    "architectures": ["Qwen2ForCausalLM"], "hidden_size": 2048, "num_hidden_layers": 36,
    "num_attention_heads": 16, "num_key_value_heads": 2, "intermediate_size": 11008,
    "vocab_size": 151936, "tie_word_embeddings": true, "torch_dtype": "bfloat16", "use_sliding_window": false}}"#;

/// Qwen/Qwen2.5-0.5B-Instruct `config.json`: 24 layers of width 896, 14 heads, 2 KV heads,
/// MLP 4864, vocabulary 151936, tied embeddings; 0.49 B parameters (model card).
const QWEN25_05B: &str = r#"{"name": "Qwen/Qwen2.5-0.5B-Instruct", "config": {"model_type": "qwen2",
    "architectures": ["Qwen2ForCausalLM"], "hidden_size": 896, "num_hidden_layers": 24,
    "num_attention_heads": 14, "num_key_value_heads": 2, "intermediate_size": 4864,
    "vocab_size": 151936, "tie_word_embeddings": true, "torch_dtype": "bfloat16", "use_sliding_window": false}}"#;

/// The samples, in the README's order of tools. Engine settings are the ones the files record
/// (SGLang `server_info`: `mem_fraction_static` 0.9, `chunked_prefill_size` 8192;
/// trtllm-bench `world_info`: `max_batch_size` 1, `max_num_tokens` 1065, `kv_cache_percentage`
/// 0.9); the rest are the engine profile's defaults.
pub fn samples() -> Vec<Sample> {
    vec![
        Sample {
            file: "vllm/Scicom-AI-Enterprise-Organization--llm-benchmaq--llama31_70b_TP8_DP1_in1024_out128_p1000_c50_f1ba91.json",
            run: "Llama 3.1 70B Instruct BF16, vLLM 0.15, 8 × H100 SXM (RunPod), TP 8, 1023/128 fixed (ignore_eos), 1000 prompts at concurrency 50",
            scenario: r#"{"model": "meta-llama/Llama-3.1-70B-Instruct", "gpu": "h100-sxm", "nodes": 1, "gpus_per_node": 8,
                "engine": "vllm", "workload": {"isl": 1023, "osl": 128, "concurrency": 50}}"#
                .into(),
        },
        Sample {
            file: "sglang/Scicom-AI-Enterprise-Organization--llm-benchmaq--tp8_dp1_Qwen3-8B_in1024_out128_p100_c100_38769a.jsonl",
            run: "Qwen3-8B BF16, SGLang 0.5.9, 8 × H100 SXM (RunPod), TP 8, random lengths (mean 506/61), 100 prompts at concurrency 100 (one wave)",
            scenario: r#"{"model": "Qwen/Qwen3-8B", "gpu": "h100-sxm", "nodes": 1, "gpus_per_node": 8, "engine": "sglang",
                "engine_options": {"memory_fraction": 0.9, "max_batch_tokens": 8192},
                "workload": {"isl": 506, "osl": 61, "concurrency": 100}}"#
                .into(),
        },
        Sample {
            file: "sglang/TonyLi15--sglang-benchmark--agg_n100_in512_out128_c32.jsonl",
            run: "Qwen2.5-3B Instruct BF16, SGLang 0.5.5, 1 × GH200, TP 1, random lengths (mean 265/62), 100 prompts at concurrency 32",
            scenario: format!(
                r#"{{"model": {QWEN25_3B}, "gpu": "gh200", "nodes": 1, "gpus_per_node": 1, "engine": "sglang",
                "engine_options": {{"memory_fraction": 0.9, "max_batch_tokens": 8192}},
                "workload": {{"isl": 265, "osl": 62, "concurrency": 32}}}}"#
            ),
        },
        Sample {
            file: "trtllm-bench/masahiro-kubota--trtllm-latency--in1024_out40_bs1.json",
            run: "Qwen2.5-0.5B Instruct BF16, TensorRT-LLM 1.2 (TRT engine), 1 × RTX PRO 6000 Blackwell Server, batch 1, 1024/40 fixed, 20 requests",
            scenario: format!(
                r#"{{"model": {QWEN25_05B}, "gpu": "rtx-pro-6000-server", "nodes": 1, "gpus_per_node": 1, "engine": "trtllm",
                "engine_options": {{"memory_fraction": 0.9, "max_batch_requests": 1, "max_batch_tokens": 1065}},
                "workload": {{"isl": 1024, "osl": 40, "concurrency": 1}}}}"#
            ),
        },
    ]
}

/// The three figures of a sample: name, predicted, measured, and whether it is a rate.
type Figures = Vec<(&'static str, f64, f64, bool)>;

/// Predict one sample from its result file's text, its base range from `table`'s cells; an
/// error says what did not match.
pub fn check_with(table: &RangeTable<'_>, sample: &Sample, text: &str) -> Result<ServingSample, String> {
    let scenario = ScenarioInput::from_json(&sample.scenario).map_err(|e| format!("{}: scenario: {e}", sample.file))?;
    let inputs = resolve(&scenario).map_err(|e| format!("{}: scenario: {e}", sample.file))?;
    let runs = import(sample.file, text).map_err(|e| e.to_string())?;
    let matched = measurements(&inputs, &runs);
    let [(run, measurement)] = matched.as_slice() else {
        return Err(format!("{}: {} of {} runs matched the scenario, expected 1", sample.file, matched.len(), runs.len()));
    };
    let point = Point::new(measurement.clone()).map_err(|e| format!("{}: {e}", sample.file))?;
    let at = &point.inputs;
    let operating = point.point(&at.params).ok_or_else(|| format!("{}: the planner finds no operating point", sample.file))?;
    let regime = at.regime();
    let layout = measurement.layout;
    let (base, basis) = ranges::speeds(table, &regime, &layout, at.cluster.scale_up_group(), &operating, false)
        .ok_or("the range table lacks a regime cell")?;
    let gpus = layout.gpus() as f64;
    let mut figures: Figures = vec![("output_tok_s_per_gpu", operating.output_tok_s / gpus, measurement.output_tok_s_per_gpu, true)];
    if let Some(ttft) = measurement.ttft_ms {
        figures.push(("ttft_ms", operating.ttft.ms(), ttft, false));
    }
    if let Some(tpot) = measurement.tpot_ms {
        figures.push(("tpot_ms", operating.tpot.ms(), tpot, false));
    }
    let base_of = |name: &str| match name {
        "ttft_ms" => base.ttft_ms,
        "tpot_ms" => base.tpot_ms,
        _ => base.output_tok_s_per_gpu,
    };
    Ok(ServingSample {
        file: sample.file.into(),
        run: sample.run.into(),
        arrivals: at.workload.arrivals.id().into(),
        fixed_lengths: runs[*run].fixed_lengths == Some(true),
        regime: basis.regime,
        figures: figures
            .into_iter()
            .map(|(figure, predicted, measured, rate)| SampleFigure {
                figure: figure.into(),
                predicted: round(predicted, 4),
                measured: round(measured, 4),
                speed_error: round(if rate { (measured / predicted).ln() } else { (predicted / measured).ln() }, 4),
                base: base_of(figure).map(|x| round(x, 4)),
            })
            .collect(),
    })
}

/// The smallest `[slow, fast]` widening per figure that puts every figure of the fixed-length
/// samples inside its base range.
pub fn widening(samples: &[ServingSample]) -> Widening {
    let mut w = Widening::default();
    for f in samples.iter().filter(|s| s.fixed_lengths).flat_map(|s| &s.figures) {
        let slot = match f.figure.as_str() {
            "ttft_ms" => &mut w.ttft_ms,
            "tpot_ms" => &mut w.tpot_ms,
            _ => &mut w.output_tok_s_per_gpu,
        };
        slot[0] = slot[0].max(round(f.base[0] - f.speed_error, 4));
        slot[1] = slot[1].max(round(f.speed_error - f.base[1], 4));
    }
    w
}

/// The wider of two widenings, side by side.
fn wider(a: &Widening, b: &Widening) -> Widening {
    let max = |x: [f64; 2], y: [f64; 2]| [x[0].max(y[0]), x[1].max(y[1])];
    Widening {
        output_tok_s_per_gpu: max(a.output_tok_s_per_gpu, b.output_tok_s_per_gpu),
        ttft_ms: max(a.ttft_ms, b.ttft_ms),
        tpot_ms: max(a.tpot_ms, b.tpot_ms),
    }
}

fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

/// Provenance of a range table: where the data came from, when, by which command.
#[derive(Debug, Clone, PartialEq)]
pub struct Provenance {
    pub data: String,
    pub samples: String,
    /// The silicon sample (path in the repository).
    pub silicon: String,
    pub date: String,
    pub command: String,
}

/// The coverage the ranges are meant to have on measurements they were not fitted on.
pub const NOMINAL: f64 = 0.8;
/// The in-sample quantile levels tried, narrowest first: the table takes the first whose
/// cross-validated coverage reaches `NOMINAL` (the held-out errors of one model or GPU are not
/// spread like the others', so an 80 % in-sample interval covers less than 80 % of a new one).
pub const LEVELS: [f64; 6] = [0.8, 0.85, 0.9, 0.95, 0.98, 1.0];
/// Held-out rows a cell needs to stand on its own.
pub const MIN_CELL_ROWS: usize = 20;

/// The range table from the calibration points and the samples (each with its result file's
/// text). The serving samples are checked against the table's own cells.
pub fn range_file(
    points: &[Point],
    samples: &[(Sample, String)],
    silicon: &SiliconSet,
    provenance: Provenance,
) -> Result<RangeFile, String> {
    let rows = held_out(points);
    let mut chosen = None;
    for level in LEVELS {
        let c = cells(&rows, level, MIN_CELL_ROWS);
        let reached = coverage(&c).2 >= NOMINAL;
        chosen = Some((level, c));
        if reached {
            break;
        }
    }
    let (level, cells) = chosen.ok_or("no quantile level")?;
    let cells = cells
        .into_iter()
        .map(|mut c| {
            c.log_error = c.log_error.map(|x| round(x, 4));
            c.coverage = round(c.coverage, 4);
            c.coverage_cross_validated = round(c.coverage_cross_validated, 4);
            c
        })
        .collect::<Vec<_>>();
    let (calibration_rows, in_sample, cross) = coverage(&cells);
    let mut file = RangeFile {
        description: "Held-out errors of the performance model per regime, and the serving benchmarks' widening: the ranges on every predicted number (perf::ranges).".into(),
        data: provenance.data,
        samples: provenance.samples,
        date: provenance.date,
        command: provenance.command,
        method: concat!(
            "cells: the (1 - level)/2 and (1 + level)/2 quantiles of ln(measured / predicted output tok/s per GPU) on the ",
            "calibration rows, each predicted by parameters refitted without it (measured-gpu: leave one model out; ",
            "fitted-generation: leave one GPU of the generation out; uncalibrated: the priors); level: the narrowest of ",
            "0.8, 0.85, 0.9, 0.95, 0.98, 1 whose cross-validated coverage (each row's range recomputed without its ",
            "model, GPU or generation) reaches the nominal coverage; serving widening: the smallest widening per figure ",
            "that puts every fixed-length serving sample inside its range, and at least as much as the (1 + nominal)/2 ",
            "quantile per side of what the silicon sample's fit-part rows need beyond their base ranges (shipped ",
            "parameters); the held-out part's coverage is recorded"
        )
            .into(),
        nominal: NOMINAL,
        level,
        min_cell_rows: MIN_CELL_ROWS,
        cells,
        serving: Serving { samples: Vec::new(), widening: Widening::default() },
        silicon: SiliconRanges {
            data: provenance.silicon,
            fit_rows: 0,
            held_out_rows: 0,
            widening: Widening::default(),
            coverage_fit: [0.0; 3],
            coverage_held_out: [0.0; 3],
        },
        coverage: Coverage {
            calibration_rows,
            calibration_in_sample: round(in_sample, 4),
            calibration_cross_validated: round(cross, 4),
            serving_figures: 0,
            serving_inside_base: 0,
        },
    };
    let cells = file.cell_ranges();
    let table = RangeTable { nominal: file.nominal, cells: &cells, widening: Widening::default() };
    let checked: Vec<ServingSample> = samples
        .iter()
        .map(|(s, text)| check_with(&table, s, text))
        .collect::<Result<_, _>>()?;
    let shipped = |row: &SiliconRow| fitted::for_gpu(row.point.generation(), row.point.engine()).0;
    let predicted = silicon::widening::Predicted::new(silicon, &table, shipped);
    let asked = predicted.widening(NOMINAL);
    file.serving.widening = wider(&widening(&checked), &asked.widening);
    let [fit, held_out] = predicted.coverage(&file.serving.widening);
    file.silicon = SiliconRanges {
        fit_rows: asked.fit_rows,
        held_out_rows: asked.held_out_rows,
        widening: asked.widening,
        coverage_fit: fit,
        coverage_held_out: held_out,
        ..file.silicon
    };
    let fixed = || checked.iter().filter(|s| s.fixed_lengths);
    file.coverage.serving_figures = fixed().map(|s| s.figures.len()).sum();
    file.coverage.serving_inside_base = fixed()
        .flat_map(|s| &s.figures)
        .filter(|f| f.speed_error >= f.base[0] && f.speed_error <= f.base[1])
        .count();
    file.serving.samples = checked;
    Ok(file)
}

#[cfg(test)]
mod tests;
