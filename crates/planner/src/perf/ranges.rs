//! Ranges on every predicted number: where the true output tokens/s per GPU, TTFT and TPOT of a
//! candidate are expected to fall, from the planner's own measured error in the candidate's
//! regime (`data/range-errors.json`, written by `calibrate CSV --ranges`).
//!
//! Design decision: ranges come from HELD-OUT errors, looked up, never from a formula's
//! self-assessment. The table holds, per regime cell (how the GPU is calibrated × dense or MoE
//! × prefill- or decode-bound), the 10th and 90th percentiles of `ln(measured / predicted)` of
//! output tokens/s per GPU on calibration rows the parameters were NOT fitted on
//! (`calibration::held_out`), so the nominal level is 80 %. Where no measurement exists the
//! range is widened by a stated rule, never narrowed:
//!
//! - TTFT and TPOT were never calibrated (the calibration rows measure throughput only): TPOT
//!   takes the throughput cell mirrored (at a given batch a step x % slower is x % fewer
//!   tokens/s and x % more time per token), TTFT the prefill-bound cell of its regime mirrored
//!   (a prefill is the compute-bound kind of step those rows are), and both are widened by the
//!   serving widening below.
//! - The serving widening: the smallest widening that puts every real serving benchmark with a
//!   known GPU and layout and fixed request lengths (`benchmark::samples`) inside its range, per
//!   figure. (Runs with random lengths are outside what a scenario describes and are listed
//!   with their errors, not used.) Applied to TTFT and
//!   TPOT always, and to throughput when the engine has no fit on this GPU generation (vLLM
//!   and SGLang today) or the load is a fixed concurrency or request rate (every calibration
//!   row is an offline maximum-throughput run).
//! - TP across the scale-out network and wide expert parallelism (experts shared by several
//!   attention groups): no calibration row communicates over a network or runs an EP
//!   all-to-all, so the communication share of the step is uncertain by the factor its
//!   link efficiency could be off inside `BOUNDS`: `F = max(η / lo, hi / η)`, and the step
//!   time by `1 − s + s/F … 1 − s + s·F` for a communication share `s`.
//! - PP > 1: no calibration row is pipelined; a pipeline whose engine keeps `PP` micro-batches
//!   in flight loses up to the GPipe bubble `(PP − 1) / (2·PP − 1)` of its throughput when the
//!   micro-batches are not balanced (Huang et al. 2019, "GPipe", §2.2, with `M = PP`), which
//!   widens the slow side only.
//!
//! The file is the record (its provenance, every cell's rows and coverage, every serving
//! sample); the planner reads at run time only what a range needs — each cell's quantiles, the
//! serving widening and the nominal level — as Rust constants (`perf::shipped::RANGES`, a
//! `RangeTable`), which `calibrate` writes beside the file and a test keeps equal to it, so the
//! page carries neither the JSON nor a reader for it.
//!
//! All widths are in "speed" space, `ln(true rate / predicted rate)`: negative is slower than
//! predicted. A throughput range is `predicted × [e^lo, e^hi]`; a time range is
//! `predicted × [e^−hi, e^−lo]`.

use super::super::engine::Engine;
use super::super::gpu::GpuSpec;
use super::super::layout::Layout;
use super::super::plan::{Range, RangeBasis};
use super::fitted;
use super::params::{PerfParams, BOUNDS};
use super::serving::OperatingPoint;
use super::step::StepTime;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// The shipped table.
pub const RANGE_ERRORS_JSON: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/range-errors.json"));

/// How the GPU's performance parameters were calibrated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Hardware {
    /// This very GPU has calibration rows in the shipped fit (H100 SXM, H200, GH200, A100 SXM
    /// 80 GB, L40S): held out by model (the model planned is, in general, not one measured).
    MeasuredGpu,
    /// Another GPU of its generation was measured (H800, H20, …): held out by GPU.
    FittedGeneration,
    /// No GPU of its generation was measured (Blackwell, CDNA, custom): the priors, held out by
    /// generation.
    Uncalibrated,
}

impl Hardware {
    pub fn id(self) -> &'static str {
        match self {
            Hardware::MeasuredGpu => "measured-gpu",
            Hardware::FittedGeneration => "fitted-generation",
            Hardware::Uncalibrated => "uncalibrated",
        }
    }
}

/// Dense or mixture-of-experts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Architecture {
    Dense,
    Moe,
}

/// Where most of the engine's time goes (`OperatingPoint::prefill_share`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    Prefill,
    Decode,
}

impl Phase {
    pub fn of(point: &OperatingPoint) -> Phase {
        if point.prefill_bound() {
            Phase::Prefill
        } else {
            Phase::Decode
        }
    }
}

/// How a cell's errors were held out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HeldOut {
    /// Refit without one model, predict that model's rows.
    LeaveOneModelOut,
    /// Refit the generation without one GPU, predict that GPU's rows.
    LeaveOneGpuOut,
    /// No fit at all: the priors on every row (leave one generation out).
    Prior,
}

/// `data/range-errors.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RangeFile {
    pub description: String,
    /// The calibration measurements (path from the repository's parent).
    pub data: String,
    /// The serving benchmark samples (folder, same convention).
    pub samples: String,
    /// Date of the computation, `YYYY-MM-DD` (UTC).
    pub date: String,
    pub command: String,
    /// How the table is computed, in words.
    pub method: String,
    /// The coverage the ranges are meant to have on measurements they were not fitted on.
    pub nominal: f64,
    /// The in-sample level of the cells' quantiles, `(1 ∓ level)/2`: the narrowest whose
    /// cross-validated coverage reaches `nominal`.
    pub level: f64,
    /// A cell with fewer held-out rows borrows those of its wider regime (`Cell::pooled`).
    pub min_cell_rows: usize,
    pub cells: Vec<Cell>,
    pub serving: Serving,
    pub coverage: Coverage,
}

/// One regime cell of held-out calibration errors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cell {
    pub hardware: Hardware,
    pub architecture: Architecture,
    pub phase: Phase,
    pub held_out: HeldOut,
    /// Held-out rows in this cell.
    pub rows: usize,
    /// `None` when the cell's own rows set its range; otherwise the wider regime whose rows
    /// were used (`"hardware, architecture"` or `"hardware"`) and how many.
    pub pooled: Option<String>,
    pub pooled_rows: usize,
    /// Quantiles `(1 ∓ level)/2` of `ln(measured / predicted)` output tokens/s per GPU.
    pub log_error: [f64; 2],
    /// Share of the cell's own rows inside `log_error` (in sample: near `level` by
    /// construction).
    pub coverage: f64,
    /// The same with each row's range computed without its own fold (model, GPU or generation):
    /// the honest coverage.
    pub coverage_cross_validated: f64,
}

/// The serving benchmarks and the widening they ask for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Serving {
    pub samples: Vec<ServingSample>,
    /// Per figure, `[slow, fast]` widening in speed space (≥ 0).
    pub widening: Widening,
}

/// `[slow, fast]` widenings per figure, natural-log units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Widening {
    pub output_tok_s_per_gpu: [f64; 2],
    pub ttft_ms: [f64; 2],
    pub tpot_ms: [f64; 2],
}

/// One serving benchmark run, predicted at its own load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServingSample {
    /// Under `samples`.
    pub file: String,
    /// What was run, in words (model, GPU, engine, layout, lengths, load).
    pub run: String,
    /// `staggered` or `synchronized`: the arrivals the prediction assumed.
    pub arrivals: String,
    /// Every request had the same lengths, as the planner's scenarios do. Only such samples
    /// set the serving widening; the others (random lengths, predicted at their means) are
    /// shown for what they say.
    pub fixed_lengths: bool,
    /// The regime the sample's range was looked up under.
    pub regime: String,
    pub figures: Vec<SampleFigure>,
}

/// One figure of a serving sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SampleFigure {
    /// `output_tok_s_per_gpu`, `ttft_ms` or `tpot_ms`.
    pub figure: String,
    pub predicted: f64,
    pub measured: f64,
    /// `ln(true rate / predicted rate)`.
    pub speed_error: f64,
    /// The sample's range before the serving widening, speed space.
    pub base: [f64; 2],
}

/// How often measured values fall inside their ranges.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Coverage {
    /// Held-out calibration rows (every row once per held-out scheme).
    pub calibration_rows: usize,
    pub calibration_in_sample: f64,
    pub calibration_cross_validated: f64,
    /// Figures of the fixed-length serving samples, and how many fall inside their ranges
    /// before the serving widening (after it, all do by construction).
    pub serving_figures: usize,
    pub serving_inside_base: usize,
}

/// Parse a range table strictly; every cell must be present once and every number finite.
pub fn parse(text: &str) -> Result<RangeFile, String> {
    let file: RangeFile = serde_json::from_str(text).map_err(|e| e.to_string())?;
    for h in [Hardware::MeasuredGpu, Hardware::FittedGeneration, Hardware::Uncalibrated] {
        for a in [Architecture::Dense, Architecture::Moe] {
            for p in [Phase::Prefill, Phase::Decode] {
                let n = file.cells.iter().filter(|c| (c.hardware, c.architecture, c.phase) == (h, a, p)).count();
                if n != 1 {
                    return Err(format!("{} cells for {} / {a:?} / {p:?}", n, h.id()));
                }
            }
        }
    }
    let w = &file.serving.widening;
    let widths = [w.output_tok_s_per_gpu, w.ttft_ms, w.tpot_ms].concat();
    let bad = |x: f64| !x.is_finite();
    if file.cells.iter().any(|c| c.log_error.iter().any(|&x| bad(x)) || c.log_error[0] > c.log_error[1])
        || widths.iter().any(|&x| bad(x) || x < 0.0)
    {
        return Err("a range or widening is not finite, inverted or negative".into());
    }
    Ok(file)
}

/// One regime cell as the planner reads it: its quantiles of `ln(measured / predicted)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CellRange {
    pub hardware: Hardware,
    pub architecture: Architecture,
    pub phase: Phase,
    pub log_error: [f64; 2],
}

/// What a range needs of a `RangeFile`: the shipped one is `perf::shipped::RANGES`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RangeTable<'a> {
    pub nominal: f64,
    pub cells: &'a [CellRange],
    pub widening: Widening,
}

impl RangeTable<'_> {
    /// The quantiles of a regime cell; `None` when the table lacks it (a damaged table).
    pub fn cell(&self, hardware: Hardware, architecture: Architecture, phase: Phase) -> Option<[f64; 2]> {
        let c = self.cells.iter().find(|c| c.hardware == hardware && c.architecture == architecture && c.phase == phase)?;
        Some(c.log_error)
    }
}

impl RangeFile {
    /// The cells as a `RangeTable` holds them.
    pub fn cell_ranges(&self) -> Vec<CellRange> {
        let range = |c: &Cell| CellRange { hardware: c.hardware, architecture: c.architecture, phase: c.phase, log_error: c.log_error };
        self.cells.iter().map(range).collect()
    }
}

/// The shipped table (checked against `data/range-errors.json` by a test).
pub fn shipped() -> &'static RangeTable<'static> {
    &super::shipped::RANGES
}

/// How the GPU was calibrated, from the shipped fit.
pub fn hardware(gpu: &GpuSpec) -> Hardware {
    let fits: Vec<&fitted::ShippedFit> = fitted::shipped().iter().filter(|f| f.generation == gpu.generation).collect();
    if fits.iter().any(|f| f.gpus.contains(&gpu.id.as_str())) {
        Hardware::MeasuredGpu
    } else if fits.is_empty() {
        Hardware::Uncalibrated
    } else {
        Hardware::FittedGeneration
    }
}

/// Where a plan's performance parameters come from, as far as its ranges are concerned.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub enum Calibration {
    /// The shipped fit and its fallback rule (`PerfParams::for_gpu`).
    #[default]
    Shipped,
    /// The scenario's `perf_params` with no record of a fit: nothing validates them, so the
    /// ranges are those of an uncalibrated GPU and engine.
    UserSet,
    /// The scenario's `perf_params` fitted to the user's own measurements of this GPU and
    /// engine (`calibration::recalibrate`).
    UserFitted(UserFit),
}

/// A user's fit as the scenario records it: per figure, the smallest and largest
/// `predicted / measured − 1` over the measurements after the fit (`None`: not measured).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UserFit {
    pub measurements: u32,
    pub output_tok_s_per_gpu: Option<[f64; 2]>,
    pub ttft_ms: Option<[f64; 2]>,
    pub tpot_ms: Option<[f64; 2]>,
}

/// Speed-space `[lo, hi]` of relative errors `predicted / measured − 1` in `[min, max]`: a rate
/// is `ln(measured / predicted) = −ln(1 + e)`, a time `ln(predicted / measured) = ln(1 + e)`.
fn residual_speeds(errors: [f64; 2], rate: bool) -> [f64; 2] {
    let (a, b) = ((1.0 + errors[0]).max(f64::MIN_POSITIVE).ln(), (1.0 + errors[1]).max(f64::MIN_POSITIVE).ln());
    if rate {
        [-b, -a]
    } else {
        [a, b]
    }
}

/// What a plan's ranges depend on beyond the candidate: one per plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Regime {
    pub calibration: Calibration,
    pub hardware: Hardware,
    /// The shipped fit covers this engine on this GPU generation.
    pub engine_calibrated: bool,
    pub architecture: Architecture,
    /// The load is the maximum-throughput point (as every calibration row).
    pub max_throughput: bool,
    /// The factor the communication time could be off by where no measurement checks it:
    /// the planned link efficiency against the ends of its `BOUNDS`.
    pub link_factor: f64,
    /// `describe` of the prefill- and of the decode-bound phase, written once per plan.
    descriptions: [String; 2],
}

impl Regime {
    /// The regime of a plan. A user's fit counts as a measured GPU with its engine calibrated
    /// (it was fitted on this GPU and engine); user-set parameters as uncalibrated.
    pub fn new(
        gpu: &GpuSpec,
        engine: Engine,
        moe: bool,
        max_throughput: bool,
        params: &PerfParams,
        calibration: Calibration,
    ) -> Regime {
        let (hardware, engine_calibrated) = match calibration {
            Calibration::Shipped => (hardware(gpu), fitted::lookup(gpu.generation, engine).is_some()),
            Calibration::UserSet => (Hardware::Uncalibrated, false),
            Calibration::UserFitted(_) => (Hardware::MeasuredGpu, true),
        };
        let mut regime = Regime {
            calibration,
            hardware,
            engine_calibrated,
            architecture: if moe { Architecture::Moe } else { Architecture::Dense },
            max_throughput,
            link_factor: link_factor(params.link_efficiency),
            descriptions: [String::new(), String::new()],
        };
        regime.descriptions = [regime.write(Phase::Prefill), regime.write(Phase::Decode)];
        regime
    }

    /// The regime in words, for the plan (`measured-gpu, dense, decode-bound, engine calibrated`).
    pub fn describe(&self, phase: Phase) -> &str {
        &self.descriptions[if phase == Phase::Prefill { 0 } else { 1 }]
    }

    fn write(&self, phase: Phase) -> String {
        let calibration = match self.calibration {
            Calibration::Shipped => self.hardware.id().to_string(),
            Calibration::UserSet => "user-set parameters".to_string(),
            Calibration::UserFitted(f) => {
                format!("user-calibrated ({} measurement{})", f.measurements, if f.measurements == 1 { "" } else { "s" })
            }
        };
        format!(
            "{}, {}, {}-bound, engine {}",
            calibration,
            if self.architecture == Architecture::Moe { "moe" } else { "dense" },
            if phase == Phase::Prefill { "prefill" } else { "decode" },
            if self.engine_calibrated { "calibrated" } else { "not calibrated" }
        )
    }
}

/// `max(η / lo, hi / η)` for the link efficiency's bounds: how far off the communication time
/// can be if the efficiency could be anywhere in its plausible range.
pub fn link_factor(efficiency: f64) -> f64 {
    let b = BOUNDS.iter().find(|b| b.name == "link_efficiency").map_or((0.4, 0.95), |b| (b.lo, b.hi));
    let eta = efficiency.clamp(b.0, b.1);
    (eta / b.0).max(b.1 / eta)
}

/// A `[lo, hi]` range in speed space.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Speed {
    lo: f64,
    hi: f64,
}

impl Speed {
    fn widen(&mut self, slow: f64, fast: f64) {
        self.lo -= slow.max(0.0);
        self.hi += fast.max(0.0);
    }

    fn rate(self, predicted: f64) -> [f64; 2] {
        [predicted * self.lo.exp(), predicted * self.hi.exp()]
    }

    fn time(self, predicted: f64) -> [f64; 2] {
        [predicted * (-self.hi).exp(), predicted * (-self.lo).exp()]
    }
}

/// `[slow, fast]` speed-space widening for a step whose communication share is `share` and
/// whose communication time could be off by `factor` either way.
fn communication_widening(share: f64, factor: f64) -> (f64, f64) {
    let s = if share.is_finite() { share.clamp(0.0, 1.0) } else { 0.0 };
    let f = factor.max(1.0);
    ((1.0 + s * (f - 1.0)).ln(), -(1.0 - s * (1.0 - 1.0 / f)).ln())
}

/// The slow-side widening of a pipeline of `pp` stages: the GPipe bubble with `pp`
/// micro-batches, `−ln(1 − (pp − 1)/(2pp − 1))`.
fn pipeline_widening(pp: u32) -> f64 {
    let p = pp.max(1) as f64;
    ((2.0 * p - 1.0) / p).ln()
}

/// Speed-space ranges of the three figures, `[lo, hi]` each (`ln(true rate / predicted rate)`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Speeds {
    pub output_tok_s_per_gpu: [f64; 2],
    pub ttft_ms: [f64; 2],
    pub tpot_ms: [f64; 2],
}

/// The ranges of a candidate at `point`, in speed space, and what they rest on: `layout` on a
/// cluster whose scale-up group is `scale_up_group` GPUs; `serving` applies the serving
/// widening (off only to compute a serving sample's own base range). `None` when the table
/// lacks the regime's cell (a damaged table).
pub fn speeds(
    table: &RangeTable<'_>,
    regime: &Regime,
    layout: &Layout,
    scale_up_group: u32,
    point: &OperatingPoint,
    serving: bool,
) -> Option<(Speeds, RangeBasis)> {
    let phase = Phase::of(point);
    let own = table.cell(regime.hardware, regime.architecture, phase)?;
    let prefill = table.cell(regime.hardware, regime.architecture, Phase::Prefill)?;
    let from = |c: [f64; 2]| Speed { lo: c[0], hi: c[1] };
    let (mut thr, mut tpot, mut ttft) = (from(own), from(own), from(prefill));
    let mut widened = Vec::new();
    // A user's fit: the figures it measured are calibrated, at least as wide as its residuals.
    let user = match regime.calibration {
        Calibration::UserFitted(f) => Some(f),
        Calibration::Shipped | Calibration::UserSet => None,
    };
    let measured = |errors: Option<[f64; 2]>, range: &mut Speed, rate: bool| match errors {
        Some(e) => {
            let r = residual_speeds(e, rate);
            range.lo = range.lo.min(r[0]);
            range.hi = range.hi.max(r[1]);
            true
        }
        None => false,
    };
    let thr_measured = user.is_some_and(|f| measured(f.output_tok_s_per_gpu, &mut thr, true));
    let ttft_measured = user.is_some_and(|f| measured(f.ttft_ms, &mut ttft, false));
    let tpot_measured = user.is_some_and(|f| measured(f.tpot_ms, &mut tpot, false));
    if serving {
        let w = &table.widening;
        if !(ttft_measured && tpot_measured) {
            widened.push(Cow::Borrowed("ttft-tpot-not-calibrated"));
        }
        if !ttft_measured {
            ttft.widen(w.ttft_ms[0], w.ttft_ms[1]);
        }
        if !tpot_measured {
            tpot.widen(w.tpot_ms[0], w.tpot_ms[1]);
        }
        if !regime.engine_calibrated {
            widened.push(Cow::Borrowed("engine-not-calibrated"));
        }
        if !regime.max_throughput && !thr_measured {
            widened.push(Cow::Borrowed("load-not-calibrated"));
        }
        if !regime.engine_calibrated || (!regime.max_throughput && !thr_measured) {
            thr.widen(w.output_tok_s_per_gpu[0], w.output_tok_s_per_gpu[1]);
        }
    }
    let across = layout.tp > scale_up_group;
    let wide_ep = regime.architecture == Architecture::Moe && layout.dp > 1;
    if across {
        widened.push(Cow::Borrowed("tp-across-nodes"));
    }
    if wide_ep {
        widened.push(Cow::Borrowed("wide-ep"));
    }
    if across || wide_ep {
        let share = |s: &StepTime| s.communication.value() / s.total.value().max(f64::MIN_POSITIVE);
        let (slow, fast) = communication_widening(share(&point.decode_step), regime.link_factor);
        thr.widen(slow, fast);
        tpot.widen(slow, fast);
        let (slow, fast) = communication_widening(share(&point.prefill_step), regime.link_factor);
        ttft.widen(slow, fast);
    }
    if layout.pp > 1 {
        widened.push(Cow::Borrowed("pipeline"));
        let slow = pipeline_widening(layout.pp);
        for s in [&mut thr, &mut tpot, &mut ttft] {
            s.widen(slow, 0.0);
        }
    }
    let speeds = Speeds {
        output_tok_s_per_gpu: [thr.lo, thr.hi],
        ttft_ms: [ttft.lo, ttft.hi],
        tpot_ms: [tpot.lo, tpot.hi],
    };
    let basis = RangeBasis {
        nominal: table.nominal,
        regime: regime.describe(phase).to_string(),
        user_calibrated: user.is_some(),
        widened_for: widened,
    };
    Some((speeds, basis))
}

/// The plan's ranges of a candidate at `point` on `gpus` GPUs (see `speeds`).
pub fn range(
    table: &RangeTable<'_>,
    regime: &Regime,
    layout: &Layout,
    scale_up_group: u32,
    gpus: u32,
    point: &OperatingPoint,
) -> Option<(Range, RangeBasis)> {
    let (s, basis) = speeds(table, regime, layout, scale_up_group, point, true)?;
    let speed = |r: [f64; 2]| Speed { lo: r[0], hi: r[1] };
    let range = Range {
        output_tok_s_per_gpu: speed(s.output_tok_s_per_gpu).rate(point.output_tok_s / gpus.max(1) as f64),
        ttft_ms: speed(s.ttft_ms).time(point.ttft.ms()),
        tpot_ms: speed(s.tpot_ms).time(point.tpot.ms()),
    };
    Some((range, basis))
}

#[cfg(test)]
mod tests;
