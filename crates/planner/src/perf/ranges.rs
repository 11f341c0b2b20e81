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
//! - The serving widening: per figure and side, the larger of the smallest widening that puts
//!   every real serving benchmark with a known GPU and layout and fixed request lengths
//!   (`benchmark::samples`) inside its range, and the widening that puts 80 % of the fit part
//!   of NVIDIA's silicon sample (2,800 measured deployments on Hopper and Blackwell under three
//!   engines, `calibration::silicon::widening`) inside theirs; the sample's held-out part then
//!   falls inside at 77.6 % (TTFT), 83.0 % (TPOT) and 84.1 % (tok/s per GPU), against 35, 64
//!   and 75 % before. (Runs with random lengths are outside what a scenario describes and are
//!   listed with their errors, not used.) Applied to TTFT and
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
use super::params::{Param, PerfParams};
use super::serving::OperatingPoint;
use super::shipped;
use super::step::StepTime;
use super::tables::{Architecture, Hardware, Phase, RangeTable};
use std::borrow::Cow;

/// The shipped table (checked against `data/range-errors.json` by a test).
pub fn shipped() -> &'static RangeTable<'static> {
    &shipped::RANGES
}

/// How the GPU was calibrated, from the shipped fit.
pub fn hardware(gpu: &GpuSpec) -> Hardware {
    let fits: Vec<_> = shipped::FITS.iter().filter(|f| f.generation == gpu.generation).collect();
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
    /// The shipped fit and its fallback rule (`perf::fitted::for_gpu`).
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
    /// The fit freed `kv_transfer_efficiency` (`FitRecordInput::kv_transfer_fitted`): the
    /// user's disaggregated runs measured the KV transfer inside their TTFT.
    pub kv_transfer: bool,
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
    let spec = Param::LinkEfficiency.spec();
    let b = (spec.lo(), spec.hi());
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
