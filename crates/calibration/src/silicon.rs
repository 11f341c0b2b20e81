//! The second calibration set: the silicon sample of NVIDIA aiconfigurator-core 0.12.0
//! (`data/calibration/aiconfigurator-silicon-sample.csv`, Apache-2.0; mean TTFT and TPOT of
//! TensorRT-LLM, vLLM and SGLang deployments measured at a fixed client concurrency), read from
//! its text into `Measurement`s, each row as the scenario a user would write for it. The caller
//! reads the file; nothing here touches the file system.
//!
//! Design decision: a row is planned as written or skipped with its reason, never bent to the
//! nearest thing the planner knows: a model the catalog lacks is not swapped for a look-alike,
//! a layout whose sizes disagree with each other is not repaired, a concurrency the source
//! contradicts is not picked. Every row of the file ends up either used (`SiliconRow`) or
//! skipped (`Skipped`, counted by reason in the report), so the set's coverage is visible.
//!
//! The mapping, column by column:
//! - `mode`: `agg` here; a disaggregated row (`disagg`: prefill and decode on separate workers)
//!   is read by `disagg` into its own list (`SiliconSet::disaggregated`), scored apart, never in
//!   the aggregated figures; it shares this mapping's model, GPU, engine and precision rules and
//!   the repeats' check.
//! - `model_path` → the catalog model (`planner::model::catalog`, which accepts `-Instruct`).
//!   A quantised checkpoint the catalog lacks is planned as the preset whose architecture it
//!   shares only when its full `config.json` is in `data/model-configs/` and imports to the
//!   preset's very spec (`CHECKPOINT_VARIANTS`, checked by a test); other checkpoints are
//!   skipped.
//! - `system` → GPU catalog id (`SYSTEMS`); `backend` → engine, `backend_version` kept for
//!   grouping (a blank one is `unstated`).
//! - weights: the package's `gemm_quant_mode` and `moe_quant_mode` (`fp8`, `fp8_block` → fp8,
//!   `nvfp4` → fp4, `int4_wo` → int4), which must agree with each other (the planner has one
//!   weight precision) and with the `precision` column; with neither stated, the `precision`
//!   column; with nothing stated, the checkpoint's own precision (its config's dtype, as the
//!   planner reads it: bf16 for the two models concerned, Llama-3.1-8B-Instruct and Qwen3-32B).
//! - KV cache: not recorded by the sample. fp8 when the weights are fp8 or fp4, bf16 otherwise:
//!   aiconfigurator's own rule for checkpoints quantised fp8, fp8_block or nvfp4 (its
//!   `sdk/models/helpers.py` gives them an fp8 KV cache and attention) — an assumption about
//!   the runs, stated, not a measurement.
//! - layout (`FORMAT.md`, "Layout semantics"): tp = `tp_size` (attention tensor parallelism),
//!   pp = `pp_size`, dp = `attention_dp_size` (blank = 1), so the GPUs are tp × pp × dp. For a
//!   MoE model ep = `moe_ep_size`, and the package's expert split must cover a stage's GPUs,
//!   `moe_tp_size × moe_ep_size = tp × dp`, which makes the planner's expert TP
//!   (tp × dp / ep) equal `moe_tp_size`; a row where it does not is skipped. A dense model's
//!   `moe_*` sizes (0, 1 or blank) are ignored and ep = 1.
//!   Where the row's id names the layout (`…_tp8_ep8_…`: the GPUs of a stage, attention-DP
//!   ranks included, and the EP size), the sizes must agree with it: in 234 aggregated rows,
//!   all from one source file (`2026-04-06.csv`), they do not (tp_size 64 for an id's `tp8_ep8`, and
//!   where the same run also appears in another file, that file has the id's 8 GPUs); which
//!   of the two ran is unknown, so those rows are skipped.
//! - cluster: tp × pp × dp GPUs on nodes of the GPU's usual size (or one node when fewer).
//! - load: concurrency = `batch_size × attention_dp_size` across the deployment (`batch_size`
//!   counts requests per attention-DP rank), which must equal the client's
//!   `silicon_concurrency` that the source notes: a row where they disagree (30 aggregated rows,
//!   most of them `batch_size × tp_size`) or where the source notes none (12, some with TTFTs of 20–54 s that
//!   only a longer queue than `batch_size` explains) is skipped; synchronized arrivals (a
//!   closed loop with fixed lengths; `with_arrivals` re-plans the set with another model, such
//!   as the benchmark client's `Arrivals::Benchmark`, which did not beat them on every
//!   held-out figure: README); the engine's default options (the sample records none).
//! - measured: `silicon_ttft_ms` and `silicon_tpot_ms`. Output tokens/s per GPU is DERIVED, not
//!   measured: `C × OSL / (TTFT + (OSL − 1) × TPOT) / GPUs` (`derived_output_tok_s_per_gpu`).
//! - repeats: the sample merges several sources, and rows whose TTFT and TPOT agree digit for
//!   digit are one run written more than once. Copies that describe the same scenario count
//!   once (the first is kept: `REPEATED_RUN`); copies that describe different ones (8 GPUs in
//!   one file, 64 in another) are all skipped (`CONFLICTING_RUN`), as which one ran is unknown.
//! - split: `held_out`, by deployment.

pub mod client_fit;
#[cfg(feature = "disaggregation")]
pub mod disagg;
#[cfg(feature = "disaggregation")]
pub mod disagg_report;
pub mod peer;
pub mod score;
pub mod widening;
#[cfg(test)]
mod tests;

use crate::csv::{blocks, Row};
use crate::measurement::{Measurement, Point};
use planner::engine::Engine;
use planner::error::InputError;
use planner::gpu::catalog as gpus;
use planner::layout::Layout;
use planner::kernels::Library;
use planner::model::{catalog, ModelSpec};
use planner::precision::{KvPrecision, WeightPrecision};
use planner::scenario::{ScenarioInput, WorkloadInput};
use planner::workload::Arrivals;
use serde_json::json;
use std::collections::BTreeMap;

/// The sample's `system` ids and the planner's GPU catalog ids.
/// Why a disaggregated row is skipped in a build without the `disaggregation` feature (the
/// planner's disaggregated model is not in it).
#[cfg(not(feature = "disaggregation"))]
pub const WITHOUT_DISAGGREGATION: &str = "disaggregated: this build has no disaggregated model (feature `disaggregation`)";

pub const SYSTEMS: [(&str, &str); 6] = [
    ("h100_sxm", "h100-sxm"),
    ("h200_sxm", "h200-sxm"),
    ("b200_sxm", "b200"),
    ("gb200", "gb200"),
    ("b300_sxm", "b300"),
    ("gb300", "gb300"),
];

/// Quantised checkpoints the catalog has no entry for, and the preset each is planned as: its
/// full `config.json` (the file named, in `data/model-configs/`) imports to the preset's spec,
/// layer for layer (a test checks it); only the shipped precision differs, which the row
/// states anyway.
pub const CHECKPOINT_VARIANTS: [(&str, &str, &str); 2] = [
    ("Qwen/Qwen3-235B-A22B-FP8", "Qwen/Qwen3-235B-A22B", "Qwen--Qwen3-235B-A22B-FP8.json"),
    ("nvidia/DeepSeek-V3.1-NVFP4", "deepseek-ai/DeepSeek-V3", "nvidia--DeepSeek-V3.1-NVFP4.json"),
];

/// The model families the reports break down by, per catalog id.
pub const FAMILIES: [(&str, &str); 11] = [
    ("meta-llama/Llama-3.1-8B", "Llama 3.1"),
    ("meta-llama/Llama-3.1-70B", "Llama 3.1"),
    ("Qwen/Qwen3-32B", "Qwen3 dense"),
    ("Qwen/Qwen3-235B-A22B", "Qwen3 MoE"),
    ("deepseek-ai/DeepSeek-V3", "DeepSeek-V3/R1"),
    ("deepseek-ai/DeepSeek-R1", "DeepSeek-V3/R1"),
    ("moonshotai/Kimi-K2.5", "Kimi K2.5"),
    ("openai/gpt-oss-120b", "gpt-oss"),
    ("MiniMaxAI/MiniMax-M2.5", "MiniMax-M2.5"),
    ("zai-org/GLM-5", "GLM-5"),
    ("Qwen/Qwen3.5-397B-A17B", "Qwen3.5 MoE"),
];

/// One deployment in this many is held out (`held_out`).
pub const HELD_OUT_ONE_IN: u64 = 4;

/// One used row: the scenario, layout and measured figures, prepared for prediction.
#[derive(Debug, Clone)]
pub struct SiliconRow {
    /// The row's `id`.
    pub id: String,
    /// 1-based line in the file.
    pub line: usize,
    /// The model family (`FAMILIES`; the catalog id for a model not listed there).
    pub family: &'static str,
    /// Requests in flight across the deployment.
    pub concurrency: u32,
    /// In the held-out part, which later fits must not see (`held_out`).
    pub held_out: bool,
    /// The deployment the row measured (`DEPLOYMENT`'s cells, joined): its rows at other
    /// lengths and concurrencies share it, and its side of the split.
    pub deployment: String,
    /// The measurement, with its group's `fixed` part set to the GPU count and the engine's
    /// release (`backend_version`, `unstated` when blank).
    pub point: Point,
}

/// A row the planner is not scored on, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    pub id: String,
    pub line: usize,
    /// What the report counts by (`expert split moe_tp × moe_ep ≠ …`).
    pub reason: String,
    /// This row's particulars (`2 × 1 against 1 × 1`); empty when the reason says it all.
    pub detail: String,
    /// A disaggregated row (`mode` = `disagg`), whose reasons the disaggregated section counts.
    pub disaggregated: bool,
}

/// The whole file: every data row used or skipped.
#[derive(Debug, Clone)]
pub struct SiliconSet {
    /// The aggregated rows used.
    pub rows: Vec<SiliconRow>,
    /// The disaggregated rows used (`disagg`), each point's measurement with its workers.
    pub disaggregated: Vec<SiliconRow>,
    pub skipped: Vec<Skipped>,
}

/// The closed loop's output tokens/s per GPU from its measured means (Little's law: each of the
/// `concurrency` requests in flight returns `osl` tokens per lifetime of
/// `TTFT + (OSL − 1) × TPOT`). The planner relates its own figures the same way
/// (`perf::serving`); `C / TPOT` is its limit when TTFT ≪ OSL × TPOT.
pub fn derived_output_tok_s_per_gpu(concurrency: u32, osl: u32, ttft_ms: f64, tpot_ms: f64, gpus: u32) -> f64 {
    let lifetime_s = (ttft_ms + f64::from(osl.saturating_sub(1)) * tpot_ms) / 1e3;
    f64::from(concurrency) * f64::from(osl) / lifetime_s / f64::from(gpus.max(1))
}

/// Whether the deployment `key` (the row's raw model, system, engine, precision columns and
/// layout sizes) is held out: its 64-bit FNV-1a hash is a multiple of `HELD_OUT_ONE_IN`. By
/// deployment, not by row, so every load, length and repeat of one deployment falls on the
/// same side (a fit cannot learn a deployment at one concurrency and be scored on it at the
/// next); a hash of the raw cells, so the split does not move when the mapping rules or the
/// rest of the file change.
pub fn held_out(key: &str) -> bool {
    fnv1a_64(key).is_multiple_of(HELD_OUT_ONE_IN)
}

/// The 64-bit FNV-1a hash of `text`'s bytes (Fowler, Noll and Vo; offset basis and prime as
/// published): stable across platforms and releases, unlike the standard library's hasher.
fn fnv1a_64(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

/// The columns a row is read from.
const COLUMNS: [&str; 20] = [
    "id",
    "silicon_data_source",
    "backend",
    "backend_version",
    "model_path",
    "system",
    "precision",
    "mode",
    "isl",
    "osl",
    "gemm_quant_mode",
    "moe_quant_mode",
    "batch_size",
    "tp_size",
    "pp_size",
    "attention_dp_size",
    "moe_tp_size",
    "moe_ep_size",
    "silicon_ttft_ms",
    "silicon_tpot_ms",
];

/// The columns only a disaggregated row fills (`disagg`). A file without them reads them
/// blank, so its disaggregated rows are skipped for it, never misread.
const SIDE_COLUMNS: [&str; 14] = [
    "prefill_batch_size",
    "prefill_num_workers",
    "prefill_tp_size",
    "prefill_pp_size",
    "prefill_attention_dp_size",
    "prefill_moe_tp_size",
    "prefill_moe_ep_size",
    "decode_batch_size",
    "decode_num_workers",
    "decode_tp_size",
    "decode_pp_size",
    "decode_attention_dp_size",
    "decode_moe_tp_size",
    "decode_moe_ep_size",
];

/// The deployment key's columns (`held_out`).
const DEPLOYMENT: [&str; 11] = [
    "model_path",
    "system",
    "backend",
    "precision",
    "gemm_quant_mode",
    "moe_quant_mode",
    "tp_size",
    "pp_size",
    "attention_dp_size",
    "moe_tp_size",
    "moe_ep_size",
];

/// Read the sample. An error only when the file is not the sample (empty, a column missing);
/// a row that cannot be planned is skipped with its reason.
pub fn read(text: &str) -> Result<SiliconSet, InputError> {
    read_with(text, &Library::empty())
}

/// The set planned with `arrivals` instead of the synchronized ones `read` gives, the
/// disaggregated rows too (their deployments read the arrivals from the row's inputs:
/// `disagg::pairing`, benchmark arrivals there the client's TTFT).
pub fn with_arrivals(mut set: SiliconSet, arrivals: Arrivals) -> SiliconSet {
    for row in set.rows.iter_mut().chain(set.disaggregated.iter_mut()) {
        row.point.inputs.workload.arrivals = arrivals;
    }
    set
}

/// `read`, each row prepared with the measured kernel tables of `library`
/// (`Point::with_kernels`).
pub fn read_with(text: &str, library: &Library) -> Result<SiliconSet, InputError> {
    let records: Vec<Row> = blocks(text).into_iter().flatten().collect();
    let Some((header, rows)) = records.split_first() else {
        return Err(InputError::new("csv", "empty file"));
    };
    let mut index = [0; COLUMNS.len()];
    for (slot, name) in index.iter_mut().zip(COLUMNS) {
        *slot = header
            .cells
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| InputError::new("csv", format!("no column `{name}` in the header")))?;
    }
    let sides = SIDE_COLUMNS.map(|name| header.cells.iter().position(|h| h == name));
    let index = Index { columns: index, sides };
    let mut outcomes: Vec<(&Row, Result<SiliconRow, Skip>)> = Vec::new();
    let mut runs: BTreeMap<(&str, &str), Vec<usize>> = BTreeMap::new();
    for r in rows {
        let cells = Cells { index: &index, row: &r.cells };
        let outcome = match cells.get("mode") {
            #[cfg(feature = "disaggregation")]
            "disagg" => disagg::row(&cells, r.line, library),
            #[cfg(not(feature = "disaggregation"))]
            "disagg" => Err(skip(WITHOUT_DISAGGREGATION, "")),
            _ => row(&cells, r.line, library),
        };
        if outcome.is_ok() {
            runs.entry((cells.get("silicon_ttft_ms"), cells.get("silicon_tpot_ms"))).or_default().push(outcomes.len());
        }
        outcomes.push((r, outcome));
    }
    for copies in runs.values().filter(|c| c.len() >= 2) {
        let used: Vec<&SiliconRow> = copies.iter().filter_map(|&i| outcomes[i].1.as_ref().ok()).collect();
        let lines: Vec<String> = used.iter().map(|r| r.line.to_string()).collect();
        let (skipped, why) = if used.iter().all(|r| same_scenario(r, used[0])) {
            (&copies[1..], skip(REPEATED_RUN, format!("line {}", lines[0])))
        } else {
            (&copies[..], skip(CONFLICTING_RUN, format!("lines {}", lines.join(", "))))
        };
        for &i in skipped {
            outcomes[i].1 = Err(why.clone());
        }
    }
    let mut set = SiliconSet { rows: Vec::new(), disaggregated: Vec::new(), skipped: Vec::new() };
    for (r, outcome) in outcomes {
        let cells = Cells { index: &index, row: &r.cells };
        let disaggregated = cells.get("mode") == "disagg";
        match outcome {
            Ok(used) if disaggregated => set.disaggregated.push(used),
            Ok(used) => set.rows.push(used),
            Err(Skip { reason, detail }) => {
                let id = cells.get("id").to_string();
                set.skipped.push(Skipped { id, line: r.line, reason, detail, disaggregated })
            }
        }
    }
    Ok(set)
}

/// Why a copy of a run is skipped: its first row is kept.
pub const REPEATED_RUN: &str = "the same run as an earlier row (same scenario; TTFT and TPOT digit for digit)";

/// Why every copy of a run is skipped: which of its configurations ran is unknown.
pub const CONFLICTING_RUN: &str =
    "one run (the same TTFT and TPOT, digit for digit) recorded with different scenarios or layouts";

/// Whether two rows describe the same scenario: the same model spec (DeepSeek-V3 and -R1 share
/// one, and the sample labels some runs with either), GPU, precisions, engine, lengths, load
/// and layout (a disaggregated row's workers too); not the engine's release, whose label
/// differs between copies of some runs.
fn same_scenario(a: &SiliconRow, b: &SiliconRow) -> bool {
    let (x, y) = (&a.point, &b.point);
    let spec = |p: &Point| ModelSpec { name: String::new(), ..p.inputs.model.clone() };
    let key = |p: &Point| {
        let g = &p.group;
        (g.gpu.clone(), g.precision.clone(), g.engine, g.isl, g.osl, g.load.clone(), p.measurement.layout)
    };
    spec(x) == spec(y) && key(x) == key(y) && x.measurement.disaggregated == y.measurement.disaggregated
}

/// Why a row is skipped: what the report counts by, and this row's particulars.
#[derive(Debug, Clone, PartialEq)]
struct Skip {
    reason: String,
    detail: String,
}

fn skip(reason: impl Into<String>, detail: impl Into<String>) -> Skip {
    Skip { reason: reason.into(), detail: detail.into() }
}

/// Where the header puts each column of `COLUMNS` and, when present, of `SIDE_COLUMNS`.
struct Index {
    columns: [usize; COLUMNS.len()],
    sides: [Option<usize>; SIDE_COLUMNS.len()],
}

/// One row's cells by column name.
struct Cells<'a> {
    index: &'a Index,
    row: &'a [String],
}

impl<'a> Cells<'a> {
    /// The cell, trimmed; empty when the row is short or the file lacks a side column.
    fn get(&self, name: &str) -> &'a str {
        let at = match COLUMNS.iter().position(|c| *c == name) {
            Some(column) => Some(self.index.columns[column]),
            None => self.index.sides[SIDE_COLUMNS.iter().position(|c| *c == name).expect("a column of COLUMNS or SIDE_COLUMNS")],
        };
        at.and_then(|i| self.row.get(i)).map_or("", |s| s.trim())
    }

    /// A whole number ≥ `least`; `blank` when the cell is empty.
    fn whole(&self, name: &str, least: u32, blank: Option<u32>) -> Result<u32, Skip> {
        let text = self.get(name);
        if text.is_empty() {
            return blank.ok_or_else(|| skip(format!("`{name}` is blank"), ""));
        }
        text.parse::<u32>()
            .ok()
            .filter(|v| *v >= least)
            .ok_or_else(|| skip(format!("`{name}` is not a whole number ≥ {least}"), format!("`{text}`")))
    }

    /// A positive, finite number of milliseconds.
    fn millis(&self, name: &str) -> Result<f64, Skip> {
        let text = self.get(name);
        text.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v > 0.0)
            .ok_or_else(|| skip(format!("`{name}` is not a positive number"), format!("`{text}`")))
    }
}

/// What an aggregated and a disaggregated row share: the model, GPU, engine and precisions.
struct Common {
    model: &'static str,
    moe: bool,
    gpu: &'static str,
    /// GPUs per node of the GPU.
    node: u32,
    engine: Engine,
    backend: String,
    version: String,
    weights: WeightPrecision,
    kv: KvPrecision,
}

/// One aggregated data row as a used row, or why it is skipped.
fn row(c: &Cells, line: usize, library: &Library) -> Result<SiliconRow, Skip> {
    match c.get("mode") {
        "agg" => {}
        other => return Err(skip("`mode` is neither agg nor disagg", format!("`{other}`"))),
    }
    let common = common(c)?;
    let (moe, gpu, node) = (common.moe, common.gpu, common.node);
    let (tp, pp, dp, ep) = sizes(c, "", moe)?;
    if let Some((stage, named_ep)) = named_layout(c.get("id")) {
        let ep_differs = moe && named_ep.is_some_and(|m| m != ep);
        if u64::from(stage) != u64::from(tp) * u64::from(dp) || ep_differs {
            let named = named_ep.map_or("none".to_string(), |m| m.to_string());
            return Err(skip(
                "sizes that contradict the layout the row's id names",
                format!("id tp{stage} ep{named}; tp_size × attention_dp_size = {tp} × {dp}, ep {ep}"),
            ));
        }
    }
    let total = u64::from(tp) * u64::from(pp) * u64::from(dp);
    let gpus = u32::try_from(total).map_err(|_| skip("more GPUs than the planner counts", format!("{total}")))?;
    let layout = Layout::new(tp, pp, dp, ep, gpus).map_err(|e| skip("sizes that form no layout", e.to_string()))?;
    let per_node = gpus.min(node);
    if !gpus.is_multiple_of(per_node) {
        return Err(skip("GPUs that do not fill whole nodes", format!("{gpus} GPUs, nodes of {node} {gpu}")));
    }
    let batch = c.whole("batch_size", 1, None)?;
    let concurrency = batch.checked_mul(dp).ok_or_else(|| skip("batch_size × attention_dp_size overflows", ""))?;
    check_concurrency(c, "batch_size × attention_dp_size", u64::from(concurrency), &format!("{batch} × {dp} = {concurrency}"))?;
    let (isl, osl) = (c.whole("isl", 1, None)?, c.whole("osl", 2, None)?);
    let (ttft_ms, tpot_ms) = (c.millis("silicon_ttft_ms")?, c.millis("silicon_tpot_ms")?);
    let measurement = Measurement {
        scenario: scenario(&common, isl, osl, concurrency, gpus / per_node, per_node),
        layout,
        output_tok_s_per_gpu: derived_output_tok_s_per_gpu(concurrency, osl, ttft_ms, tpot_ms, gpus),
        ttft_ms: Some(ttft_ms),
        tpot_ms: Some(tpot_ms),
        disaggregated: None,
    };
    let key: Vec<&str> = DEPLOYMENT.iter().map(|name| c.get(name)).collect();
    used(c, line, library, &common, measurement, gpus, concurrency, &key.join("|"))
}

/// The scenario a user would write for a row: its model, precisions, GPU on `nodes` nodes of
/// `per_node`, engine, lengths and the client's concurrency, with synchronized arrivals (module
/// doc).
fn scenario(common: &Common, isl: u32, osl: u32, concurrency: u32, nodes: u32, per_node: u32) -> ScenarioInput {
    ScenarioInput {
        model: json!(common.model),
        weights: Some(common.weights),
        kv_cache: Some(common.kv),
        gpu: json!(common.gpu),
        nodes: Some(f64::from(nodes)),
        gpus_per_node: Some(f64::from(per_node)),
        engine: Some(common.engine),
        workload: WorkloadInput {
            isl: f64::from(isl),
            osl: f64::from(osl),
            concurrency: Some(f64::from(concurrency)),
            request_rate: None,
            arrivals: Some(Arrivals::Synchronized),
        },
        ..Default::default()
    }
}

/// A row's measurement prepared as a used row: its group's `fixed` part (the deployment's
/// `gpus` and the engine's release), its family, and its side of the split by `deployment`
/// (`held_out`).
#[allow(clippy::too_many_arguments)]
fn used(
    c: &Cells,
    line: usize,
    library: &Library,
    common: &Common,
    measurement: Measurement,
    gpus: u32,
    concurrency: u32,
    deployment: &str,
) -> Result<SiliconRow, Skip> {
    let mut point =
        Point::with_kernels(measurement, library)
            .map_err(|e| skip(format!("the planner refuses the scenario's `{}`", e.field), e.message))?;
    point.group.fixed = format!("{gpus} GPUs, {} {}", common.backend, common.version);
    let model = common.model;
    let family = FAMILIES.iter().find(|(id, _)| *id == model).map_or(model, |(_, f)| *f);
    Ok(SiliconRow {
        id: c.get("id").to_string(),
        line,
        family,
        concurrency,
        held_out: held_out(deployment),
        deployment: deployment.to_string(),
        point,
    })
}

/// The common part of a row (`Common`), or why it is skipped.
fn common(c: &Cells) -> Result<Common, Skip> {
    let path = c.get("model_path");
    let model = model_id(path).map_err(|why| skip(format!("model {path}: {why}"), ""))?;
    let imported =
        catalog::lookup(model).map_err(|e| skip(format!("model {path}: the planner refuses it"), e.message))?;
    let system = c.get("system");
    let gpu = SYSTEMS
        .iter()
        .find(|(s, _)| *s == system)
        .map(|(_, id)| *id)
        .ok_or_else(|| skip("`system` without a GPU in the planner's catalog", format!("`{system}`")))?;
    let node = gpus::lookup(gpu).map_err(|e| skip(format!("GPU {gpu} refused by the planner"), e.message))?.gpus_per_node;
    let backend = c.get("backend");
    let engine = Engine::ALL
        .into_iter()
        .find(|e| e.id() == backend)
        .ok_or_else(|| skip("`backend` the planner does not know", format!("`{backend}`")))?;
    let version = match c.get("backend_version") {
        "" => "unstated",
        v => v,
    };
    let weights = match weight_precision(c)? {
        Some(w) => w,
        None => imported
            .checkpoint_precision
            .ok_or_else(|| skip(format!("model {path}: no precision stated, and its config states none"), ""))?,
    };
    let kv = match weights {
        WeightPrecision::Fp8 | WeightPrecision::Fp4 => KvPrecision::Fp8,
        _ => KvPrecision::Bf16,
    };
    let (backend, version) = (backend.to_string(), version.to_string());
    Ok(Common { model, moe: imported.spec.is_moe(), gpu, node, engine, backend, version, weights, kv })
}

/// The sizes `tp`, `pp`, attention DP and EP of the columns `{prefix}tp_size` … (module doc's
/// layout rules), or why they form no layout the row can be planned with.
fn sizes(c: &Cells, prefix: &str, moe: bool) -> Result<(u32, u32, u32, u32), Skip> {
    let column = |name: &str| format!("{prefix}{name}");
    let (tp, pp) = (c.whole(&column("tp_size"), 1, Some(1))?, c.whole(&column("pp_size"), 1, Some(1))?);
    let dp = c.whole(&column("attention_dp_size"), 1, Some(1))?;
    let ep = if moe {
        let (moe_tp, moe_ep) = (c.whole(&column("moe_tp_size"), 1, None)?, c.whole(&column("moe_ep_size"), 1, None)?);
        if u64::from(moe_tp) * u64::from(moe_ep) != u64::from(tp) * u64::from(dp) {
            let side = prefix.strip_suffix('_').map_or(String::new(), |s| format!("{s}: "));
            return Err(skip(
                "expert split moe_tp × moe_ep ≠ a stage's tp × attention_dp GPUs",
                format!("{side}{moe_tp} × {moe_ep} against {tp} × {dp}"),
            ));
        }
        moe_ep
    } else {
        1
    };
    Ok((tp, pp, dp, ep))
}

/// The layout a row's id names, `…_tp{N}[_k]_ep{M|none}[_k]_…`: the GPUs of a stage (the id's
/// tp counts attention-DP ranks too: `tp8_0_ep8_0` is tp_size 1 × attention_dp_size 8 in the
/// sample) and the expert-parallel size; `None` when the id names none (`…_cfg733`).
fn named_layout(id: &str) -> Option<(u32, Option<u32>)> {
    let after_tp = &id[id.rfind("_tp")? + 3..];
    let stage = after_tp.split('_').next()?.parse().ok()?;
    let after_ep = &after_tp[after_tp.find("_ep")? + 3..];
    let ep = match after_ep.split('_').next()? {
        "none" => None,
        m => Some(m.parse().ok()?),
    };
    Some((stage, ep))
}

/// The catalog id a row's `model_path` is planned as, or why it is not.
fn model_id(path: &str) -> Result<&'static str, &'static str> {
    if let Some(id) = catalog::canonical_id(path) {
        return Ok(id);
    }
    if let Some((_, preset, _)) = CHECKPOINT_VARIANTS.iter().find(|(p, _, _)| *p == path) {
        return catalog::canonical_id(preset).ok_or("its preset is not in the catalog");
    }
    Err("not in the planner's catalog, and no config.json of this checkpoint in data/model-configs to check against a preset")
}

/// The package's quantisation mode (or `precision` cell) as the planner's weight precision;
/// `None` when blank.
fn quant_precision(column: &str, mode: &str) -> Result<Option<WeightPrecision>, Skip> {
    Ok(Some(match mode {
        "" => return Ok(None),
        "bf16" | "bfloat16" => WeightPrecision::Bf16,
        "fp8" | "fp8_block" => WeightPrecision::Fp8,
        "fp4" | "nvfp4" => WeightPrecision::Fp4,
        "int4" | "int4_wo" => WeightPrecision::Int4,
        other => return Err(skip(format!("`{column}` without a planner precision"), format!("`{other}`"))),
    }))
}

/// The row's weight precision by the module's rule; `None` when the row states none.
fn weight_precision(c: &Cells) -> Result<Option<WeightPrecision>, Skip> {
    let mut stated: Option<(WeightPrecision, &str)> = None;
    for column in ["gemm_quant_mode", "moe_quant_mode", "precision"] {
        let mode = c.get(column);
        if let Some(p) = quant_precision(column, mode)? {
            match stated {
                Some((q, other)) if q != p => {
                    return Err(skip(
                        "precisions that disagree (the planner has one weight precision)",
                        format!("`{other}` {q}, `{column}` {p} (`{mode}`)"),
                    ))
                }
                Some(_) => {}
                None => stated = Some((p, column)),
            }
        }
    }
    Ok(stated.map(|(p, _)| p))
}

/// `concurrency` (the row's `columns`, `said` with their values) against the client's
/// `silicon_concurrency` the source notes: a row where they differ, or whose source notes
/// none, is skipped (module doc, "load").
fn check_concurrency(c: &Cells, columns: &str, concurrency: u64, said: &str) -> Result<(), Skip> {
    match stated_concurrency(c.get("silicon_data_source")) {
        Some(stated) if u64::from(stated) == concurrency => Ok(()),
        Some(stated) => Err(skip(
            format!("{columns} ≠ the client's silicon_concurrency in the source"),
            format!("{said} against {stated}"),
        )),
        None => Err(skip(format!("no client concurrency (silicon_concurrency) in the source to check {columns} against"), said)),
    }
}

/// The `silicon_concurrency=N` the source notes, when it does.
fn stated_concurrency(source: &str) -> Option<u32> {
    source.split(';').find_map(|part| part.trim().strip_prefix("silicon_concurrency=")?.trim().parse().ok())
}
