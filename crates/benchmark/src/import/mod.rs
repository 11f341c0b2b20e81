//! Measured results in: the files serving benchmarks write, read into `MeasuredRun`s.
//!
//! Recognised (key names per tool in `data/bench-results/README.md`):
//! - vLLM `vllm bench serve --save-result` and the older `benchmarks/benchmark_serving.py`
//!   (JSON; several objects per file with `--append-result`; `"inf"` rates);
//! - SGLang `python -m sglang.bench_serving` JSONL (bare `Infinity`), and its
//!   `bench_one_batch` and `bench_offline_throughput` JSONL;
//! - NVIDIA genai-perf `profile_export_genai_perf.json` / `.csv`;
//! - NVIDIA AIPerf `profile_export_aiperf.json` / `.csv`;
//! - TensorRT-LLM `trtllm-bench … --report_json`;
//! - the planner's own CSV, written by hand: header `tp,pp,dp,ep,concurrency,output_tok_s,
//!   ttft_ms,tpot_ms` (any column order; `ttft_ms` and `tpot_ms` may be left empty), one run
//!   per row, `concurrency` the requests in flight across the cluster, `output_tok_s` output
//!   tokens per second of the whole cluster, times in milliseconds (mean).
//!
//! Design decision: a `MeasuredRun` holds what the file says, nothing inferred from the
//! scenario; where a figure is derived from others in the file (a mean length from totals, a
//! static batch's throughput from its latency) a note says so. TPOT is only ever read from a
//! per-request TPOT: vLLM and SGLang `*_tpot_ms`, genai-perf and AIPerf `inter_token_latency`
//! (per request `(latency − TTFT) / (output tokens − 1)`: genai-perf 0.0.16
//! `llm_profile_data_parser.py`, aiperf 0.13.0 `metrics/types/inter_token_latency_metric.py`),
//! trtllm-bench `avg_tpot_ms`; never vLLM's or SGLang's `*_itl_ms` or AIPerf's
//! `inter_chunk_latency`, which are per streamed chunk and several times larger when a server
//! streams several tokens per chunk (the LambdaLabs sample: ITL 114.5 ms, TPOT 18.0 ms).

mod json;
mod nvidia;
mod sglang;
mod tables;
mod vllm;

use super::naming::{disagg_from_name, layout_from_name, layout_of, NamedLayout, Workers};
use planner::engine::Engine;
use planner::layout::Layout;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// The program that wrote a result file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tool {
    /// `vllm bench serve --save-result` (has `endpoint_type`).
    VllmBenchServe,
    /// vLLM's `benchmarks/benchmark_serving.py --save-result` (2024–2025, no `endpoint_type`).
    VllmBenchmarkServing,
    /// `python -m sglang.bench_serving`.
    SglangBenchServing,
    /// `python -m sglang.bench_one_batch`: static batches, one line per batch size.
    SglangBenchOneBatch,
    /// `python -m sglang.bench_offline_throughput`.
    SglangBenchOfflineThroughput,
    /// NVIDIA genai-perf `profile`.
    GenaiPerf,
    /// NVIDIA AIPerf `profile`.
    Aiperf,
    /// TensorRT-LLM `trtllm-bench … --report_json`.
    TrtllmBench,
    /// The planner's CSV.
    PlannerCsv,
}

impl fmt::Display for Tool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Tool::VllmBenchServe => "vLLM `vllm bench serve`",
            Tool::VllmBenchmarkServing => "vLLM `benchmark_serving.py`",
            Tool::SglangBenchServing => "SGLang `bench_serving`",
            Tool::SglangBenchOneBatch => "SGLang `bench_one_batch`",
            Tool::SglangBenchOfflineThroughput => "SGLang `bench_offline_throughput`",
            Tool::GenaiPerf => "genai-perf",
            Tool::Aiperf => "AIPerf",
            Tool::TrtllmBench => "`trtllm-bench`",
            Tool::PlannerCsv => "the planner's CSV",
        })
    }
}

/// The load a run was measured at, as the file states it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum MeasuredLoad {
    /// Closed loop: at most this many requests in flight across the cluster (vLLM / SGLang
    /// `--max-concurrency` with an infinite rate, genai-perf / AIPerf `--concurrency`, a static
    /// batch).
    Concurrency { requests: u32 },
    /// Arrivals at this many requests per second with no cap on requests in flight.
    RequestRate { per_s: f64 },
    /// A finite arrival rate and a cap on requests in flight, both.
    RateCapped { per_s: f64, requests: u32 },
    /// Every request sent at once with no cap (infinite rate, no concurrency limit).
    AllAtOnce { requests: u32 },
    /// The file does not say.
    Unknown,
}

impl MeasuredLoad {
    /// From a rate (`None` or infinite = no rate limit), a concurrency cap, and the number of
    /// requests sent.
    fn from_parts(rate: Option<f64>, cap: Option<u32>, sent: Option<u32>) -> Self {
        let rate = rate.filter(|r| r.is_finite() && *r > 0.0);
        match (rate, cap.filter(|&c| c > 0), sent.filter(|&n| n > 0)) {
            (Some(per_s), Some(requests), _) => MeasuredLoad::RateCapped { per_s, requests },
            (Some(per_s), None, _) => MeasuredLoad::RequestRate { per_s },
            (None, Some(requests), _) => MeasuredLoad::Concurrency { requests },
            (None, None, Some(requests)) => MeasuredLoad::AllAtOnce { requests },
            (None, None, None) => MeasuredLoad::Unknown,
        }
    }
}

/// Where a run's layout came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LayoutSource {
    /// The file name (`vllm-tp8-pp1-dp2-ep1.json`).
    FileName,
    /// vLLM `--metadata tp=… pp=… dp=… ep=…` (the planner's script writes them).
    BenchMetadata,
    /// SGLang `bench_serving --tag` (the planner's script writes the layout there).
    SglangTag,
    /// SGLang `server_info` (`tp_size`, `pp_size`, `dp_size`, `ep_size`, attention DP).
    SglangServerInfo,
    /// trtllm-bench `world_info` (`tp_size`, `pp_size`, `ep_size`, `world_size`).
    TrtllmWorldInfo,
    /// The planner's CSV columns.
    Csv,
}

impl LayoutSource {
    pub fn describe(self) -> &'static str {
        match self {
            LayoutSource::FileName => "the file name",
            LayoutSource::BenchMetadata => "the benchmark's --metadata",
            LayoutSource::SglangTag => "the bench_serving --tag",
            LayoutSource::SglangServerInfo => "SGLang's server_info",
            LayoutSource::TrtllmWorldInfo => "trtllm-bench's world_info",
            LayoutSource::Csv => "the CSV columns",
        }
    }
}

/// A run's layout, where it came from, and the sizes that were not stated (taken as 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasuredLayout {
    pub layout: Layout,
    pub source: LayoutSource,
    pub assumed: Vec<String>,
}

impl MeasuredLayout {
    fn named(named: NamedLayout, source: LayoutSource) -> Self {
        Self { layout: named.layout, source, assumed: named.assumed }
    }
}

/// Prefill/decode disaggregated serving: separate prefill and decode servers, and, when the
/// file name or SGLang tag spells them (`naming::disagg_from_name`), each side's workers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disaggregation {
    pub prefill_servers: u32,
    pub decode_servers: u32,
    /// The prefill and decode workers (count and layout); absent when only the server counts
    /// are known (SGLang's `server_info`). Added with the disaggregated loop, so absent in
    /// runs stored before it.
    #[serde(default)]
    pub prefill: Option<Workers>,
    #[serde(default)]
    pub decode: Option<Workers>,
}

impl Disaggregation {
    /// Both sides' workers, when known.
    pub fn workers(&self) -> Option<(Workers, Workers)> {
        self.prefill.zip(self.decode)
    }
}

/// Mark `run` as disaggregated with the workers a name spells (`from`, for its notes): its
/// single layout, if a file's keys gave one, is dropped, and server counts that disagree are
/// noted.
fn set_workers(run: &mut MeasuredRun, (prefill, decode): (Workers, Workers), from: &str) {
    if let Some(l) = run.layout.take() {
        run.notes.push(format!(
            "{from} names a disaggregated run ({} prefill, {} decode workers); the layout {} from {} is not used",
            prefill.count,
            decode.count,
            l.layout,
            l.source.describe()
        ));
    }
    if let Some(d) = run.disaggregated.filter(|d| (d.prefill_servers, d.decode_servers) != (prefill.count, decode.count)) {
        run.notes.push(format!(
            "the file lists {} prefill and {} decode servers, {from} {} and {}; {from} is used",
            d.prefill_servers, d.decode_servers, prefill.count, decode.count
        ));
    }
    run.disaggregated =
        Some(Disaggregation { prefill_servers: prefill.count, decode_servers: decode.count, prefill: Some(prefill), decode: Some(decode) });
}

/// Mean and median of a per-request time, milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct TimeStat {
    pub mean: Option<f64>,
    pub median: Option<f64>,
}

/// One measured benchmark run, as its file states it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasuredRun {
    pub tool: Tool,
    /// The file name, with `#n` for the n-th run of a file that holds several.
    pub source: String,
    /// The model id or path the file names.
    pub model: Option<String>,
    /// The tokenizer the client used, when the file names it separately.
    pub tokenizer: Option<String>,
    /// The serving engine, when the file says which server ran (SGLang `server_info`,
    /// trtllm-bench, the planner script's vLLM `--metadata engine=…`). A client's `backend`
    /// is not the server: nerdalert's SGLang-server runs say `"backend": "vllm"`.
    pub engine: Option<Engine>,
    pub engine_version: Option<String>,
    /// The GPU as the file names it (`"NVIDIA A100-SXM4-80GB"`, `"4xNVIDIA_L40S"`).
    pub gpu: Option<String>,
    pub layout: Option<MeasuredLayout>,
    pub disaggregated: Option<Disaggregation>,
    /// Input and output tokens per request the client was asked for.
    pub requested_isl: Option<u32>,
    pub requested_osl: Option<u32>,
    /// Mean input and output tokens per completed request, as measured.
    pub mean_isl: Option<f64>,
    pub mean_osl: Option<f64>,
    /// Whether every request had the same input and output length (fixed-length random data
    /// with EOS ignored), when the file shows it: per-request lengths, SGLang's range ratio,
    /// trtllm-bench's dataset statistics. A closed loop with fixed lengths runs in lockstep
    /// waves (`workload::Arrivals::Synchronized`).
    #[serde(default)]
    pub fixed_lengths: Option<bool>,
    pub load: MeasuredLoad,
    /// Requests completed.
    pub completed: Option<u32>,
    /// Output tokens per second of the whole deployment.
    pub output_tok_s: f64,
    pub ttft_ms: TimeStat,
    /// Time per output token after the first, per request (never per-chunk ITL).
    pub tpot_ms: TimeStat,
    /// What was derived, assumed or ignored while reading.
    pub notes: Vec<String>,
}

impl MeasuredRun {
    /// The input length to compare: the measured mean, else the requested length.
    pub fn isl(&self) -> Option<f64> {
        self.mean_isl.or(self.requested_isl.map(f64::from))
    }

    /// The output length to compare: the measured mean, else the requested length.
    pub fn osl(&self) -> Option<f64> {
        self.mean_osl.or(self.requested_osl.map(f64::from))
    }

    /// A run with only the tool, source, load and throughput known; importers fill the rest.
    fn new(tool: Tool, source: &str, output_tok_s: f64) -> Self {
        MeasuredRun {
            tool,
            source: source.to_string(),
            model: None,
            tokenizer: None,
            engine: None,
            engine_version: None,
            gpu: None,
            layout: None,
            disaggregated: None,
            requested_isl: None,
            requested_osl: None,
            mean_isl: None,
            mean_osl: None,
            fixed_lengths: None,
            load: MeasuredLoad::Unknown,
            completed: None,
            output_tok_s,
            ttft_ms: TimeStat::default(),
            tpot_ms: TimeStat::default(),
            notes: Vec::new(),
        }
    }

    /// Mean lengths from token totals over completed requests.
    fn set_means(&mut self, total_input: Option<f64>, total_output: Option<f64>, completed: Option<u32>) {
        if let Some(n) = completed.filter(|&n| n > 0) {
            self.mean_isl = total_input.map(|t| t / n as f64);
            self.mean_osl = total_output.map(|t| t / n as f64);
        }
    }
}

/// Formats this importer reads, for error messages.
pub const FORMATS: &str = "vLLM `vllm bench serve` / `benchmark_serving.py` JSON (keys `model_id`, \
`output_throughput`), SGLang `bench_serving` JSONL (`output_throughput`, `dataset_name`, `server_info`), \
SGLang `bench_one_batch` (`batch_size`, `median_decode_latency`) or `bench_offline_throughput` \
(`successful_requests`, `total_latency`) JSONL, genai-perf or AIPerf `profile_export_*.json` \
(`output_token_throughput.avg`) or `.csv` (a `Metric,avg,…` table), trtllm-bench `--report_json` \
(`engine`, `world_info`, `performance`), or the planner's CSV with the header \
`tp,pp,dp,ep,concurrency,output_tok_s,ttft_ms,tpot_ms`";

/// Why a file could not be read, saying what was expected.
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ImportError {
    #[error("{file}: the file is empty; expected {FORMATS}")]
    Empty { file: String },
    #[error("{file}: not valid JSON at {detail}")]
    Json { file: String, detail: String },
    #[error("{file}: {found} is not a benchmark result this planner reads; expected {FORMATS}")]
    Unrecognised { file: String, found: String },
    #[error("{file}: {where_} looks like {tool} output but lacks {}", missing.join(", "))]
    MissingKeys { file: String, tool: Tool, where_: String, missing: Vec<String> },
    #[error("{file}: {where_}: {message}")]
    BadValue { file: String, where_: String, message: String },
}

/// Read every run in a result file. `file_name` (a name or path) is used for messages and,
/// when the contents do not state the layout, to read it from the name. Never panics.
pub fn import(file_name: &str, text: &str) -> Result<Vec<MeasuredRun>, ImportError> {
    let file = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name).to_string();
    let body = text.trim_start_matches('\u{feff}').trim_start();
    if body.is_empty() {
        return Err(ImportError::Empty { file });
    }
    let mut runs = if body.starts_with('{') || body.starts_with('[') {
        import_json(&file, body)?
    } else {
        tables::import(&file, body)?
    };
    let several = runs.len() > 1;
    for (i, run) in runs.iter_mut().enumerate() {
        if several {
            run.source = format!("{file} #{}", i + 1);
        }
        let known_workers = run.disaggregated.is_some_and(|d| d.workers().is_some());
        if let Some(workers) = disagg_from_name(&file).filter(|_| !known_workers) {
            set_workers(run, workers, "the file name");
        }
        if run.layout.is_none() && run.disaggregated.is_none() {
            run.layout = layout_from_name(&file).map(|n| MeasuredLayout::named(n, LayoutSource::FileName));
        }
        if let Some(l) = &run.layout {
            if !l.assumed.is_empty() {
                run.notes.push(format!(
                    "layout {} read from {}; {} not stated, taken as 1",
                    l.layout,
                    l.source.describe(),
                    l.assumed.join(", ")
                ));
            }
        }
    }
    Ok(runs)
}

/// Reads one JSON object of a recognised tool.
type Reader = fn(&Ctx, &Value) -> Result<MeasuredRun, ImportError>;

/// Which program wrote a JSON object, from its keys, and its reader.
fn detect(o: &serde_json::Map<String, Value>) -> Option<(Tool, Reader)> {
    let has = |k: &str| o.contains_key(k);
    let metric = |k: &str| o.get(k).is_some_and(|v| v.get("avg").is_some());
    if has("world_info") || (has("engine") && has("performance")) {
        Some((Tool::TrtllmBench, nvidia::read_trtllm_bench))
    } else if has("median_decode_latency") || (has("batch_size") && has("prefill_latency")) {
        Some((Tool::SglangBenchOneBatch, sglang::read_one_batch))
    } else if has("successful_requests") && has("total_latency") {
        Some((Tool::SglangBenchOfflineThroughput, sglang::read_offline))
    } else if has("model_id") && (has("date") || has("output_throughput")) {
        let tool = if has("endpoint_type") { Tool::VllmBenchServe } else { Tool::VllmBenchmarkServing };
        Some((tool, vllm::read))
    } else if has("dataset_name") || has("server_info") || has("total_output_tokens_retokenized") || has("random_input_len") {
        Some((Tool::SglangBenchServing, sglang::read_serving))
    } else if metric("output_token_throughput") || metric("time_to_first_token") || metric("request_throughput") {
        let aiperf = ["schema_version", "aiperf_version", "benchmark_duration", "was_cancelled", "run_info"];
        if aiperf.iter().any(|k| has(k)) {
            Some((Tool::Aiperf, nvidia::read_aiperf))
        } else {
            Some((Tool::GenaiPerf, nvidia::read_genai_perf))
        }
    } else {
        None
    }
}

fn import_json(file: &str, body: &str) -> Result<Vec<MeasuredRun>, ImportError> {
    let values = json::values(body).map_err(|detail| ImportError::Json { file: file.into(), detail })?;
    // A top-level array of result objects is read as the objects, in order.
    let objects: Vec<Value> =
        values.into_iter().flat_map(|v| if let Value::Array(items) = v { items } else { vec![v] }).collect();
    if objects.is_empty() {
        return Err(ImportError::Unrecognised { file: file.into(), found: "an empty JSON array".into() });
    }
    let count = objects.len();
    objects
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let where_ = if count > 1 { format!("object {} of {count}", i + 1) } else { "the object".to_string() };
            let Value::Object(o) = v else {
                return Err(ImportError::Unrecognised { file: file.into(), found: format!("{where_} (JSON {})", kind(v)) });
            };
            let Some((tool, read)) = detect(o) else {
                let keys: Vec<&str> = o.keys().take(8).map(String::as_str).collect();
                return Err(ImportError::Unrecognised {
                    file: file.into(),
                    found: format!("{where_} (keys {})", if keys.is_empty() { "none".into() } else { keys.join(", ") }),
                });
            };
            read(&Ctx { file, where_: &where_, tool }, v)
        })
        .collect()
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Where a reader is, for its errors.
struct Ctx<'a> {
    file: &'a str,
    where_: &'a str,
    tool: Tool,
}

impl Ctx<'_> {
    fn missing(&self, missing: Vec<&str>) -> ImportError {
        ImportError::MissingKeys {
            file: self.file.into(),
            tool: self.tool,
            where_: self.where_.into(),
            missing: missing.into_iter().map(String::from).collect(),
        }
    }

    fn bad(&self, message: String) -> ImportError {
        ImportError::BadValue { file: self.file.into(), where_: self.where_.into(), message }
    }

    /// A required positive, finite throughput at `path` (dotted in messages).
    fn throughput(&self, v: &Value, path: &[&str]) -> Result<f64, ImportError> {
        let name = path.join(".");
        match json::at(v, path) {
            None | Some(Value::Null) => Err(self.missing(vec![&name])),
            Some(x) => match json::number(x) {
                Some(t) if t.is_finite() && t >= 0.0 => Ok(t),
                _ => Err(self.bad(format!("`{name}` must be a finite, non-negative number of tokens/s, got {x}"))),
            },
        }
    }
}

/// A layout from the `tp`, `pp`, `dp`, `ep` keys of an object (numbers or numeric strings),
/// if it has `tp`; the other sizes default to 1 and are reported as assumed.
fn keyed_layout(v: &Value, source: LayoutSource) -> Option<MeasuredLayout> {
    let tp = json::count(v, &["tp"])?;
    let mut assumed = Vec::new();
    let mut size = |key: &str| {
        json::count(v, &[key]).unwrap_or_else(|| {
            assumed.push(key.to_string());
            1
        })
    };
    let (pp, dp, ep) = (size("pp"), size("dp"), size("ep"));
    Some(MeasuredLayout { layout: layout_of(tp, pp, dp, ep)?, source, assumed })
}

/// A note when a file's mean ITL is far from its mean TPOT: the ITL was per streamed chunk.
fn itl_note(v: &Value, run: &mut MeasuredRun) {
    /// Share by which ITL and TPOT may differ before the note is written.
    const GAP: f64 = 0.2;
    if let (Some(itl), Some(tpot)) = (json::finite(v, &["mean_itl_ms"]), run.tpot_ms.mean) {
        if tpot > 0.0 && (itl / tpot - 1.0).abs() > GAP {
            run.notes.push(format!(
                "mean ITL {itl:.1} ms differs from mean TPOT {tpot:.1} ms: ITL is per streamed chunk; TPOT is used"
            ));
        }
    }
}

/// An engine named in a file (`vllm`, `sglang` or `sgl`, `trtllm` or `tensorrt-llm`).
fn engine_named(name: &str) -> Option<Engine> {
    match name.trim().to_ascii_lowercase().replace('_', "-").as_str() {
        "vllm" => Some(Engine::Vllm),
        "sglang" | "sgl" => Some(Engine::Sglang),
        "trtllm" | "tensorrt-llm" | "trt-llm" => Some(Engine::Trtllm),
        _ => None,
    }
}

/// Whether the per-request `input_lens` and `output_lens` of a vLLM or SGLang result are each
/// all one value (`None` when the file does not keep them; trimmed files keep the first ones).
fn same_lengths(v: &Value) -> Option<bool> {
    let all_equal = |key: &str| -> Option<bool> {
        let items = v.get(key)?.as_array().filter(|a| !a.is_empty())?;
        let first = json::number(&items[0])?;
        Some(items.iter().all(|x| json::number(x) == Some(first)))
    };
    Some(all_equal("input_lens")? && all_equal("output_lens")?)
}

/// A time statistic from two paths, each a finite non-negative number when present.
fn time_stat(v: &Value, mean: &[&str], median: &[&str]) -> TimeStat {
    let get = |p: &[&str]| json::finite(v, p).filter(|x| *x >= 0.0);
    TimeStat { mean: get(mean), median: get(median) }
}

#[cfg(test)]
pub(crate) mod tests;
