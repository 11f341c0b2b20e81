//! Predicted against measured: each imported run matched to the scenario, its mismatches
//! flagged, and the planner re-run for the run's layout at the run's own load.
//!
//! A run is compared only when nothing blocks it: a different model, engine or GPU, input or
//! output lengths more than `LENGTH_TOLERANCE` away from the scenario's, an unknown layout or
//! one this cluster cannot run, prefill/decode disaggregation, or an unknown load. Lesser
//! doubts (the model or GPU not stated, a load the planner only approximates, a median used for
//! want of a mean) are flagged but do not block.
//!
//! Design decision: the prediction is made at the SAME load as the measurement: a copy of the
//! inputs whose workload load is the run's concurrency or request rate, whose lengths are the
//! run's (when within tolerance), and whose SLA is dropped (an SLA decides what is recommended,
//! not what a layout does at a given load). Errors are relative to the measured value:
//! `(predicted − measured) / measured`.
//!
//! The arrivals are the run's too (`arrivals_of`): a closed loop whose requests all had the
//! same lengths runs in lockstep waves (synchronized); one whose lengths varied drifts apart
//! into the staggered steady state (the planner then predicts at the mean lengths, an
//! approximation: a wave lasts as long as its longest request); a request rate is staggered.
//! When the file does not show whether the lengths were fixed, the scenario's own arrivals are
//! used, flagged.

pub use calibration::Measurement;
use calibration::DisaggWorkers;
use super::import::{MeasuredLoad, MeasuredRun};
use super::naming::Workers;
use super::script::{planned_load, BenchLoad};
use planner::engine::Engine;
use planner::error::InputError;
use planner::evaluate::{evaluate, Verdict};
use planner::gpu::catalog as gpu_catalog;
use planner::inputs::PlannerInputs;
use planner::layout::Layout;
use planner::model::catalog as model_catalog;
use planner::perf::OperatingPoint;
use planner::plan::Plan;
use planner::scenario::{LayoutConstraint, LayoutInput, ScenarioInput, WorkloadInput};
use planner::search::{enumerate, search};
use planner::workload::{Arrivals, Load, Priority, Sla};
use serde::{Deserialize, Serialize};

#[cfg(feature = "disaggregation")]
mod disagg;

/// How far a run's mean input or output length may be from the scenario's (as a share of the
/// scenario's) and still be compared: vLLM's random prompts lose the tokenizer's special tokens
/// (1023 of 1024 for Llama 3, `vllm/benchmarks/datasets/utils.py`) and text re-tokenised by a
/// client shifts lengths by a few per cent; an output that stopped at EOS, or SGLang's default
/// range ratio (mean ≈ half the length), is far outside.
pub const LENGTH_TOLERANCE: f64 = 0.10;

/// Something about a run that does not match the scenario, or a doubt about the comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "code", rename_all = "kebab-case")]
pub enum Flag {
    ModelDiffers { file: String, plan: String },
    ModelNotStated,
    EngineDiffers { file: Engine, plan: Engine },
    GpuDiffers { file: String, plan: String },
    GpuNotRecognised { file: String },
    GpuNotStated,
    InputLengthOff { file: f64, plan: u32, tolerance: f64 },
    OutputLengthOff { file: f64, plan: u32, tolerance: f64 },
    /// The file gives no input or output length; the scenario's is assumed.
    LengthNotStated { which: String },
    /// Disaggregated, and the file does not say both sides' worker layouts (or this build
    /// compares no disaggregated run: without the `disaggregation` feature).
    Disaggregated { prefill_servers: u32, decode_servers: u32 },
    /// A disaggregated run against a scenario that plans aggregated serving only.
    PlanNotDisaggregated,
    /// The plan's disaggregated search, at the run's load, has no candidate of these worker
    /// layouts (rejected on its own, cut as dominated, or never paired).
    NoSuchDisaggCandidate { run: String },
    /// The plan pairs these worker layouts at another x:y.
    WorkerCountsDiffer { run: String, plan: String },
    LayoutUnknown,
    /// Not a layout of this cluster (another GPU count, or expert parallelism for a dense model).
    NotAClusterLayout { layout: Layout, gpus: u32 },
    /// A layout of this cluster that the scenario's fixed sizes leave out of the plan.
    OutsideFixedLayout { layout: Layout },
    LoadUnknown,
    /// The planner models this load only approximately.
    LoadApproximated { detail: String },
    /// The planner finds no operating point for this layout at this load.
    NotPredicted { reason: String },
    /// The file has no mean for this figure; its median is compared.
    MedianUsed { figure: String },
    /// The measured throughput is not a finite, non-negative number (a damaged stored run).
    BadThroughput { value: String },
    /// The file does not show whether the lengths were fixed; the scenario's arrivals are used.
    ArrivalsAssumed { arrivals: Arrivals },
    /// The requests' lengths varied (random lengths, a real dataset): the planner predicts the
    /// mean lengths, staggered.
    LengthsVary,
}

impl Flag {
    /// Whether the run is left out of the comparison.
    pub fn blocks(&self) -> bool {
        matches!(
            self,
            Flag::ModelDiffers { .. }
                | Flag::EngineDiffers { .. }
                | Flag::GpuDiffers { .. }
                | Flag::InputLengthOff { .. }
                | Flag::OutputLengthOff { .. }
                | Flag::Disaggregated { .. }
                | Flag::PlanNotDisaggregated
                | Flag::NoSuchDisaggCandidate { .. }
                | Flag::WorkerCountsDiffer { .. }
                | Flag::LayoutUnknown
                | Flag::NotAClusterLayout { .. }
                | Flag::LoadUnknown
                | Flag::NotPredicted { .. }
                | Flag::BadThroughput { .. }
        )
    }

    /// The flag in words.
    pub fn message(&self) -> String {
        match self {
            Flag::ModelDiffers { file, plan } => format!("the run served {file}, the plan is for {plan}"),
            Flag::ModelNotStated => "the file does not name the model".into(),
            Flag::EngineDiffers { file, plan } => {
                format!("the run used {}, the plan is for {}", file.display_name(), plan.display_name())
            }
            Flag::GpuDiffers { file, plan } => format!("the run used {file}, the plan is for {plan}"),
            Flag::GpuNotRecognised { file } => format!("GPU {file:?} is not one the catalog recognises"),
            Flag::GpuNotStated => "the file does not name the GPU".into(),
            Flag::InputLengthOff { file, plan, tolerance } => {
                format!("mean input {file:.0} tokens is more than {:.0} % from the plan's {plan}", tolerance * 100.0)
            }
            Flag::OutputLengthOff { file, plan, tolerance } => {
                format!("mean output {file:.0} tokens is more than {:.0} % from the plan's {plan}", tolerance * 100.0)
            }
            Flag::LengthNotStated { which } => format!("the file gives no {which} length; the plan's is assumed"),
            Flag::Disaggregated { prefill_servers, decode_servers } => format!(
                "prefill/decode disaggregated ({prefill_servers} prefill, {decode_servers} decode servers) without both \
                 sides' worker layouts (name the file like sglang-disagg-2p-tp4-pp1-dp1-ep1-1d-tp8-pp1-dp1-ep8.jsonl)"
            ),
            Flag::PlanNotDisaggregated => {
                "a disaggregated run; the scenario plans aggregated serving only (set serving to both)".into()
            }
            Flag::NoSuchDisaggCandidate { run } => {
                format!("the plan has no disaggregated candidate of the run's worker layouts ({run})")
            }
            Flag::WorkerCountsDiffer { run, plan } => {
                format!("the run had {run}; the plan pairs these worker layouts as {plan}")
            }
            Flag::LayoutUnknown => "the file does not say the layout (name it like tp8-pp1-dp2-ep1.json)".into(),
            Flag::NotAClusterLayout { layout, gpus } => {
                let used = layout.tp as u64 * layout.pp as u64 * layout.dp as u64;
                if used == *gpus as u64 {
                    format!("{layout} is not a layout the planner considers for this model (EP on a dense model?)")
                } else {
                    format!("{layout} uses {used} GPUs; this cluster has {gpus}")
                }
            }
            Flag::OutsideFixedLayout { layout } => format!("{layout} is outside the layout sizes the scenario fixes"),
            Flag::LoadUnknown => "the file does not say the concurrency or request rate".into(),
            Flag::LoadApproximated { detail } => detail.clone(),
            Flag::NotPredicted { reason } => format!("the planner finds no operating point at this load: {reason}"),
            Flag::MedianUsed { figure } => format!("no mean {figure} in the file; the median is compared"),
            Flag::BadThroughput { value } => format!("the measured output tok/s {value} is not a usable number"),
            Flag::LengthsVary => "request lengths varied: predicted at the mean lengths, staggered (a closed loop's \
                                  longest requests set its pace; the planner's scenarios have fixed lengths)"
                .into(),
            Flag::ArrivalsAssumed { arrivals } => format!(
                "the file does not show whether every request had the same lengths; predicted with {} arrivals",
                arrivals.id()
            ),
        }
    }
}

/// A predicted and a measured value, and the prediction's relative error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    pub predicted: f64,
    pub measured: f64,
    /// `(predicted − measured) / measured`; `None` when the measured value is 0.
    pub error: Option<f64>,
}

impl Figure {
    fn new(predicted: f64, measured: f64) -> Self {
        let error = (measured != 0.0).then(|| (predicted - measured) / measured);
        Figure { predicted, measured, error }
    }
}

/// Where the prediction was made.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EvaluatedAt {
    pub isl: u32,
    pub osl: u32,
    pub load: BenchLoad,
    pub arrivals: Arrivals,
}

/// One run against the plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// Index into the runs given to `match_to_plan`.
    pub run: usize,
    pub source: String,
    /// The aggregated layout that ran (`None` for a disaggregated run).
    pub layout: Option<Layout>,
    /// A disaggregated run's workers and the label the plan gives them (`2 × P TP4 + 1 × D
    /// TP8 EP8`); absent for aggregated runs, so their JSON is as before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disaggregated: Option<DisaggRun>,
    pub flags: Vec<Flag>,
    /// No flag blocks the run and the planner predicted it.
    pub matched: bool,
    pub evaluated_at: Option<EvaluatedAt>,
    /// Output tokens/s, whole cluster.
    pub output_tok_s: Option<Figure>,
    pub output_tok_s_per_gpu: Option<Figure>,
    pub ttft_ms: Option<Figure>,
    pub tpot_ms: Option<Figure>,
}

/// A disaggregated run's two sides, as the chart and table label them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DisaggRun {
    pub prefill: Workers,
    pub decode: Workers,
    pub label: String,
}

/// Whether the layout that measured best is the one predicted best.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BestLayout {
    /// What "best" means, from the scenario's priority.
    pub metric: String,
    /// Among the matched runs (each layout by its best run on the metric).
    pub measured_best: Option<Layout>,
    /// The best of the same runs by their predicted values.
    pub predicted_best: Option<Layout>,
    /// `None` with fewer than two layouts measured.
    pub agree: Option<bool>,
    /// The plan's recommendation, and whether a matched run measured it.
    pub recommended: Option<Layout>,
    pub recommended_measured: bool,
}

/// Every run against the plan, and the best-layout check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatchReport {
    pub comparisons: Vec<Comparison>,
    pub best: BestLayout,
}

/// Compare every run with the plan of `inputs`. Runs one search (for the recommendation).
pub fn match_to_plan(inputs: &PlannerInputs, runs: &[MeasuredRun]) -> Result<MatchReport, InputError> {
    let comparisons: Vec<Comparison> = runs.iter().enumerate().map(|(i, r)| compare_run(inputs, i, r).0).collect();
    let result = search(inputs)?;
    let recommended = result.ranking.first().and_then(|&i| result.evaluations.get(i)).map(|e| e.layout);
    let best = best_layout(inputs.workload.priority, &comparisons, recommended);
    Ok(MatchReport { comparisons, best })
}

/// For each of `plan`'s candidates (same order), the matched run to draw beside its prediction:
/// of the runs of its layout, the one measured nearest the load the candidate was planned at
/// (`script::planned_load` of the scenario's `load`; a run at the other kind of load only when
/// none is at the same kind); `None` for a candidate no matched run measured.
pub fn beside_plan(report: &MatchReport, plan: &Plan, load: Load) -> Vec<Option<Comparison>> {
    plan.candidates
        .iter()
        .map(|candidate| {
            let planned = planned_load(load, candidate.concurrency.unwrap_or(1) as f64);
            report
                .comparisons
                .iter()
                .filter(|c| c.matched && c.layout == Some(candidate.layout))
                .filter_map(|c| c.evaluated_at.map(|at| (load_distance(planned, at.load), c)))
                .min_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, c)| c.clone())
        })
        .collect()
}

/// How far apart two loads are: `|ln(a / b)|` of the same kind (requests in flight, or
/// requests per second); a load of the other kind is farther than any of the same kind.
fn load_distance(a: BenchLoad, b: BenchLoad) -> f64 {
    let ratio = |x: f64, y: f64| (x.max(1e-9) / y.max(1e-9)).ln().abs();
    match (a, b) {
        (BenchLoad::Concurrency { requests: x }, BenchLoad::Concurrency { requests: y }) => ratio(x as f64, y as f64),
        (BenchLoad::RequestRate { per_s: x }, BenchLoad::RequestRate { per_s: y }) => ratio(x, y),
        _ => f64::MAX,
    }
}

/// For each of the plan's disaggregated candidates (same order), the matched run of its
/// workers measured nearest the load it was planned at (its decode workers' requests in flight
/// at the maximum-throughput point), as `beside_plan` does for the aggregated candidates;
/// empty without disaggregated candidates.
#[cfg(feature = "disaggregation")]
pub fn beside_disaggregated(report: &MatchReport, plan: &Plan, load: Load) -> Vec<Option<Comparison>> {
    let Some(d) = &plan.disaggregated else { return Vec::new() };
    d.candidates
        .iter()
        .map(|candidate| {
            let planned = planned_load(load, candidate.decode.count as f64 * candidate.decode.batch);
            let workers = disagg::workers_of(candidate);
            report
                .comparisons
                .iter()
                .filter(|c| c.matched && c.disaggregated.as_ref().is_some_and(|r| (r.prefill, r.decode) == workers))
                .filter_map(|c| c.evaluated_at.map(|at| (load_distance(planned, at.load), c)))
                .min_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, c)| c.clone())
        })
        .collect()
}

/// The matched runs as measurements for fitting, each with the index of its run: a
/// disaggregated run as its workers (`Measurement::disaggregated`, its tokens/s per GPU of the
/// cluster as the plan counts them).
pub fn measurements(inputs: &PlannerInputs, runs: &[MeasuredRun]) -> Vec<(usize, Measurement)> {
    runs.iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let (c, at) = compare_run(inputs, i, r);
            let at = at?;
            let (layout, disaggregated, gpus) = match (&c.disaggregated, c.layout) {
                (Some(d), _) => {
                    let side = |w: Workers| calibration::Workers { count: w.count, layout: w.layout };
                    let workers = DisaggWorkers { prefill: side(d.prefill), decode: side(d.decode), prefill_batch: None };
                    (d.decode.layout, Some(workers), at.cluster.total_gpus())
                }
                (None, Some(layout)) => (layout, None, layout.gpus()),
                (None, None) => return None,
            };
            let scenario = scenario_as_run(inputs, &at, disaggregated.is_none().then_some(layout));
            c.matched.then(|| {
                let measurement = Measurement {
                    scenario,
                    layout,
                    output_tok_s_per_gpu: r.output_tok_s / gpus.max(1) as f64,
                    ttft_ms: c.ttft_ms.map(|f| f.measured),
                    tpot_ms: c.tpot_ms.map(|f| f.measured),
                    disaggregated,
                };
                (i, measurement)
            })
        })
        .collect()
}

/// The plan's scenario with the run's lengths, load and layout (none for a disaggregated run)
/// and no SLA: resolving it gives the inputs the prediction was made with.
fn scenario_as_run(inputs: &PlannerInputs, at: &PlannerInputs, layout: Option<Layout>) -> ScenarioInput {
    let w = &at.workload;
    let (concurrency, request_rate) = match w.load {
        Load::Concurrency(c) => (Some(c as f64), None),
        Load::RequestRate(r) => (None, Some(r)),
        Load::MaxThroughput => (None, None),
    };
    let size = |n: u32| Some(n as f64);
    ScenarioInput {
        workload: WorkloadInput { isl: w.isl as f64, osl: w.osl as f64, concurrency, request_rate, arrivals: Some(w.arrivals) },
        sla: None,
        layout: layout.map(|l| LayoutInput { tp: size(l.tp), pp: size(l.pp), dp: size(l.dp), ep: size(l.ep) }),
        ..inputs.input.clone()
    }
}

/// A model name reduced for comparison: the catalog's normal form (organisation, `Meta-`,
/// `-Instruct`-style suffixes dropped), quantisation suffixes dropped, mapped to its catalog id
/// when it has one, then letters and digits only (`/workspace/qwen-3-8b` = `Qwen/Qwen3-8B`).
fn model_key(name: &str) -> String {
    const QUANT: [&str; 12] =
        ["-fp8-dynamic", "-fp8", "-awq", "-gptq", "-int4", "-int8", "-w4a16", "-w8a8", "-nvfp4", "-mxfp4", "-fp4", "-bf16"];
    let mut n = model_catalog::normalise(name);
    while let Some(stripped) = QUANT.iter().find_map(|q| n.strip_suffix(q)) {
        n = model_catalog::normalise(stripped);
    }
    let n = model_catalog::canonical_id(&n).map_or(n, model_catalog::normalise);
    n.chars().filter(char::is_ascii_alphanumeric).collect()
}

/// The comparison of one run, and the inputs the prediction was made with.
fn compare_run(inputs: &PlannerInputs, index: usize, run: &MeasuredRun) -> (Comparison, Option<PlannerInputs>) {
    let mut flags = Vec::new();
    let plan_model = super::launch::model_id(inputs);
    let names: Vec<&String> = run.model.iter().chain(&run.tokenizer).collect();
    if names.is_empty() {
        flags.push(Flag::ModelNotStated);
    } else if !names.iter().any(|n| model_key(n) == model_key(&plan_model) || model_key(n) == model_key(&inputs.model.name)) {
        flags.push(Flag::ModelDiffers { file: names[0].clone(), plan: plan_model.clone() });
    }
    if let Some(e) = run.engine.filter(|&e| e != inputs.engine.engine) {
        flags.push(Flag::EngineDiffers { file: e, plan: inputs.engine.engine });
    }
    let gpu = &inputs.cluster.gpu;
    match &run.gpu {
        None => flags.push(Flag::GpuNotStated),
        Some(text) => match super::gpu_name::identify(text) {
            Some(id) if id == gpu.id => {}
            Some(id) => flags.push(Flag::GpuDiffers { file: format!("{text} ({id})"), plan: gpu.id.clone() }),
            None if gpu_catalog::lookup(&gpu.id).is_err() && squash(text) == squash(&gpu.name) => {}
            None => flags.push(Flag::GpuNotRecognised { file: text.clone() }),
        },
    }
    let w = &inputs.workload;
    let length = |measured: Option<f64>, plan: u32, which: &str, flags: &mut Vec<Flag>| -> u32 {
        match measured {
            None => {
                flags.push(Flag::LengthNotStated { which: which.into() });
                plan
            }
            Some(x) if (x - plan as f64).abs() > LENGTH_TOLERANCE * plan as f64 => {
                flags.push(if which == "input" {
                    Flag::InputLengthOff { file: x, plan, tolerance: LENGTH_TOLERANCE }
                } else {
                    Flag::OutputLengthOff { file: x, plan, tolerance: LENGTH_TOLERANCE }
                });
                plan
            }
            Some(x) => (x.round() as u32).max(1),
        }
    };
    let isl = length(run.isl(), w.isl, "input", &mut flags);
    let osl = length(run.osl(), w.osl, "output", &mut flags);

    let layout = run.layout.as_ref().map(|l| l.layout);
    let mut workers = None;
    match (layout, run.disaggregated) {
        (_, Some(d)) => match d.workers().filter(|_| cfg!(feature = "disaggregation")) {
            Some(w) => {
                workers = Some(w);
                if !inputs.serving.disaggregated() {
                    flags.push(Flag::PlanNotDisaggregated);
                }
            }
            None => flags.push(Flag::Disaggregated { prefill_servers: d.prefill_servers, decode_servers: d.decode_servers }),
        },
        (None, None) => flags.push(Flag::LayoutUnknown),
        (Some(l), None) => {
            let gpus = inputs.cluster.total_gpus();
            let moe = inputs.model.is_moe();
            let all = enumerate(gpus, moe, &LayoutConstraint::default()).unwrap_or_default();
            if !all.contains(&l) {
                flags.push(Flag::NotAClusterLayout { layout: l, gpus });
            } else if !enumerate(gpus, moe, &inputs.constraint).unwrap_or_default().contains(&l) {
                flags.push(Flag::OutsideFixedLayout { layout: l });
            }
        }
    }
    let rate_ok = |r: f64| r.is_finite() && r > 0.0;
    let load = match run.load {
        MeasuredLoad::Concurrency { requests } if requests > 0 => Some(Load::Concurrency(requests)),
        MeasuredLoad::RequestRate { per_s } if rate_ok(per_s) => Some(Load::RequestRate(per_s)),
        MeasuredLoad::RateCapped { per_s, requests } if rate_ok(per_s) => {
            flags.push(Flag::LoadApproximated {
                detail: format!("{per_s} requests/s capped at {requests} in flight: predicted at the rate alone"),
            });
            Some(Load::RequestRate(per_s))
        }
        MeasuredLoad::AllAtOnce { requests } if requests > 0 => {
            flags.push(Flag::LoadApproximated {
                detail: format!(
                    "all {requests} requests sent at once: predicted as {requests} requests in flight (the engine runs \
                     what its caps admit, the rest wait)"
                ),
            });
            Some(Load::Concurrency(requests))
        }
        // Unknown, or no load at all (a zero or non-finite figure in a stored run).
        _ => {
            flags.push(Flag::LoadUnknown);
            None
        }
    };

    if !(run.output_tok_s.is_finite() && run.output_tok_s >= 0.0) {
        flags.push(Flag::BadThroughput { value: run.output_tok_s.to_string() });
    }
    let mut comparison = Comparison {
        run: index,
        source: run.source.clone(),
        layout,
        disaggregated: workers.map(|(prefill, decode)| DisaggRun {
            prefill,
            decode,
            label: label(prefill, decode),
        }),
        flags,
        matched: false,
        evaluated_at: None,
        output_tok_s: None,
        output_tok_s_per_gpu: None,
        ttft_ms: None,
        tpot_ms: None,
    };
    if comparison.flags.iter().any(Flag::blocks) {
        return (comparison, None);
    }
    let Some(load) = load else { return (comparison, None) };
    let mut at = inputs.clone();
    at.workload.isl = isl;
    at.workload.osl = osl;
    at.workload.load = load;
    at.workload.arrivals = arrivals_of(run, load, inputs.workload.arrivals, &mut comparison.flags);
    at.workload.sla = Sla::default();
    #[cfg(feature = "disaggregation")]
    if let Some(workers) = workers {
        disagg::compare(&at, inputs.workload.sla, &mut comparison, run, workers);
        return (comparison, Some(at));
    }
    let Some(layout) = layout else { return (comparison, None) };
    let point: OperatingPoint = match evaluate(&at, layout).verdict {
        Verdict::Feasible(p) | Verdict::Rejected { point: Some(p), .. } => p,
        Verdict::Rejected { reasons, point: None } => {
            let reason = reasons.iter().map(|r| r.to_string()).collect::<Vec<_>>().join("; ");
            comparison.flags.push(Flag::NotPredicted { reason });
            return (comparison, None);
        }
    };
    let gpus = layout.gpus() as f64;
    comparison.evaluated_at = Some(EvaluatedAt {
        isl,
        osl,
        load: match load {
            Load::RequestRate(per_s) => BenchLoad::RequestRate { per_s },
            Load::Concurrency(requests) => BenchLoad::Concurrency { requests },
            Load::MaxThroughput => BenchLoad::Concurrency { requests: point.concurrency.round() as u32 },
        },
        arrivals: at.workload.arrivals,
    });
    comparison.output_tok_s = Some(Figure::new(point.output_tok_s, run.output_tok_s));
    comparison.output_tok_s_per_gpu = Some(Figure::new(point.output_tok_s / gpus, run.output_tok_s / gpus));
    let mut time = |stat: &super::import::TimeStat, predicted_ms: f64, figure: &str| {
        let usable = |x: &f64| x.is_finite() && *x >= 0.0;
        let measured = stat.mean.filter(usable).or_else(|| {
            stat.median.filter(usable).inspect(|_| comparison.flags.push(Flag::MedianUsed { figure: figure.into() }))
        })?;
        Some(Figure::new(predicted_ms, measured))
    };
    let ttft = time(&run.ttft_ms, point.ttft.ms(), "TTFT");
    let tpot = time(&run.tpot_ms, point.tpot.ms(), "TPOT");
    comparison.ttft_ms = ttft;
    comparison.tpot_ms = tpot;
    comparison.matched = true;
    (comparison, Some(at))
}

/// `2 × P TP4 + 1 × D TP8 EP8`, as the plan labels its candidates.
fn label(prefill: Workers, decode: Workers) -> String {
    let short = |l: &Layout| {
        let mut s = format!("TP{}", l.tp);
        for (name, v) in [("PP", l.pp), ("DP", l.dp), ("EP", l.ep)] {
            if v > 1 {
                s.push_str(&format!(" {name}{v}"));
            }
        }
        s
    };
    format!("{} × P {} + {} × D {}", prefill.count, short(&prefill.layout), decode.count, short(&decode.layout))
}

/// The arrivals a run's load had (module doc): `scenario`'s when the file does not tell, with
/// a flag.
fn arrivals_of(run: &MeasuredRun, load: Load, scenario: Arrivals, flags: &mut Vec<Flag>) -> Arrivals {
    let Load::Concurrency(_) = load else {
        if run.fixed_lengths == Some(false) {
            flags.push(Flag::LengthsVary);
        }
        return Arrivals::Staggered;
    };
    match run.fixed_lengths {
        Some(true) => Arrivals::Synchronized,
        Some(false) => {
            flags.push(Flag::LengthsVary);
            Arrivals::Staggered
        }
        None => {
            flags.push(Flag::ArrivalsAssumed { arrivals: scenario });
            scenario
        }
    }
}

fn squash(s: &str) -> String {
    s.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

/// A comparison's score on the priority's metric, higher is better, from its predicted or its
/// measured values: tok/s per GPU (throughput); −TPOT (latency); tok/s per GPU × tok/s per
/// user (balanced: the balanced score's product, whose normalising constants do not change
/// the order).
fn score(priority: Priority, c: &Comparison, value: fn(&Figure) -> f64) -> Option<f64> {
    match priority {
        Priority::Throughput => c.output_tok_s_per_gpu.as_ref().map(value),
        Priority::Latency => c.tpot_ms.as_ref().map(|f| -value(f)),
        Priority::Balanced => {
            let per_gpu = c.output_tok_s_per_gpu.as_ref().map(value)?;
            let tpot = c.tpot_ms.as_ref().map(value).filter(|t| *t > 0.0)?;
            Some(per_gpu * 1000.0 / tpot)
        }
    }
}

/// A measured layout and the run that measured best for it.
struct LayoutBest<'a> {
    layout: Layout,
    run: &'a Comparison,
    measured: f64,
}

/// The best-layout check over the matched comparisons.
fn best_layout(priority: Priority, comparisons: &[Comparison], recommended: Option<Layout>) -> BestLayout {
    let metric = match priority {
        Priority::Throughput => "output tokens/s per GPU",
        Priority::Latency => "TPOT (lower is better)",
        Priority::Balanced => "output tokens/s per GPU × tokens/s per user",
    };
    let mut per_layout: Vec<LayoutBest> = Vec::new();
    for c in comparisons.iter().filter(|c| c.matched) {
        let (Some(layout), Some(measured)) = (c.layout, score(priority, c, |f| f.measured)) else { continue };
        match per_layout.iter_mut().find(|e| e.layout == layout) {
            Some(e) if e.measured >= measured => {}
            Some(e) => *e = LayoutBest { layout, run: c, measured },
            None => per_layout.push(LayoutBest { layout, run: c, measured }),
        }
    }
    let best = |value: &dyn Fn(&LayoutBest) -> Option<f64>| {
        per_layout
            .iter()
            .filter_map(|e| value(e).map(|v| (e.layout, v)))
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(l, _)| l)
    };
    let measured_best = best(&|e| Some(e.measured));
    let predicted_best = best(&|e| score(priority, e.run, |f| f.predicted));
    BestLayout {
        metric: metric.into(),
        measured_best,
        predicted_best,
        agree: (per_layout.len() >= 2).then(|| measured_best == predicted_best),
        recommended,
        recommended_measured: recommended.is_some_and(|r| per_layout.iter().any(|e| e.layout == r)),
    }
}
