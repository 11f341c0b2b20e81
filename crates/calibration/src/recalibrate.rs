//! Recalibration for users: the performance model refitted to the user's own measurements of
//! their GPU and engine, the plan made again with the fit, and the error of every measurement
//! before and after — for the page and the command line alike.
//!
//! Design decision: the SAME fit as the shipped parameters (`fit`, bounded to each parameter's bounds, the
//! same robust loss, here over throughput, TTFT and TPOT as measured), started from the
//! parameters the scenario plans with and pulled towards them (`ANCHOR`), with only the
//! parameters the measurements can identify set free (`free_parameters`). The result is a
//! scenario field (`perf_params`, with a record of the fit's residuals) that the user keeps or
//! drops: kept, it travels with the scenario (share link, local storage) and the plan's ranges
//! say they are user-calibrated.
//!
//! Which parameters are free: first the structural rule of the shipped fit (`identifiable`:
//! link figures only with several GPUs, the scale-out hop only across the scale-up domain, the
//! MoE efficiency only for MoE models), except that a measured TPOT or TTFT times steps
//! directly, so the per-step and per-layer overheads may be fitted at any batch; then each
//! remaining parameter's effect on the measured figures is taken (`ln` of each prediction when
//! the parameter moves by `SENSITIVITY_STEP` of its range), and parameters are taken greedily,
//! largest effect first, while their effect is at least `MIN_EFFECT` and not mostly a copy of
//! the effects already taken (`MIN_INDEPENDENCE` of it left after projecting those out), at
//! most one per measured figure: three figures of one run can fix three parameters, not
//! eleven.

use super::fit::{fit, FitOptions};
use super::{identifiable, prepare, Measurement, Point, Predicted, ANCHOR, MAX_EVALUATIONS};
use planner::error::InputError;
use planner::inputs::{resolve, PlannerInputs};
use planner::layout::Layout;
use planner::perf::params::Param;
use planner::perf::params::{ParamOverrides, PerfParams, PARAMS, PARAM_COUNT};
use planner::plan::Plan;
use planner::planning::plan_inputs;
use planner::scenario::{FitRecordInput, PerfParamsInput, ScenarioInput};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A parameter moves by this share of its plausible range to measure its effect.
pub const SENSITIVITY_STEP: f64 = 0.05;
/// Least effect worth fitting: a measured figure moves by 0.5 % when the parameter moves by
/// `SENSITIVITY_STEP` of its range.
pub const MIN_EFFECT: f64 = 0.005;
/// Share of a parameter's effect that must remain once the effects of the parameters already
/// taken are projected out (else the measurements cannot tell it from them).
pub const MIN_INDEPENDENCE: f64 = 0.3;

/// A predicted figure against its measurement.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FigureError {
    pub predicted: f64,
    pub measured: f64,
    /// `predicted / measured − 1`.
    pub error: f64,
}

impl FigureError {
    fn new(predicted: f64, measured: f64) -> FigureError {
        FigureError { predicted, measured, error: predicted / measured - 1.0 }
    }
}

/// The figures of one measurement under one parameter vector (`None`: not measured, or the
/// parameters judge the layout unable to run).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    pub output_tok_s_per_gpu: FigureError,
    pub ttft_ms: Option<FigureError>,
    pub tpot_ms: Option<FigureError>,
}

/// One measurement before and after the fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasurementFit {
    pub layout: Layout,
    /// A disaggregated run's workers (`2 × P TP4 + 1 × D TP8`; `layout` is its decode
    /// workers'); absent for an aggregated run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workers: Option<String>,
    /// The load it ran at, in words.
    pub load: String,
    pub before: Figures,
    pub after: Figures,
}

/// The outcome of a recalibration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recalibration {
    /// Parameters before (the scenario's) and after the fit.
    #[serde(skip)]
    pub start: PerfParams,
    #[serde(skip)]
    pub params: PerfParams,
    /// Parameters the fit moved (their JSON names), and those that ended on a bound.
    pub free: Vec<&'static str>,
    pub at_bound: Vec<&'static str>,
    /// Mean robust loss over the measurements before and after.
    pub loss_before: f64,
    pub loss_after: f64,
    pub measurements: Vec<MeasurementFit>,
    /// The scenario field that keeps the fit.
    pub perf_params: PerfParamsInput,
    /// The scenario with `perf_params` set: what to save to keep the fit.
    pub scenario: Value,
    /// The plan made with the fit.
    pub plan: Plan,
}

fn figures(p: &Point, point: Option<&Predicted>) -> Figures {
    let gpus = p.inputs.cluster.total_gpus().max(1) as f64;
    let m = &p.measurement;
    Figures {
        output_tok_s_per_gpu: FigureError::new(point.map_or(0.0, |o| o.output_tok_s / gpus), m.output_tok_s_per_gpu),
        ttft_ms: m.ttft_ms.zip(point).map(|(t, o)| FigureError::new(o.ttft.ms(), t)),
        tpot_ms: m.tpot_ms.zip(point).map(|(t, o)| FigureError::new(o.tpot.ms(), t)),
    }
}

/// `ln` of every measured figure's prediction under `params`, in a fixed order; `None` when a
/// layout cannot run.
fn log_predictions(points: &[&Point], params: &PerfParams) -> Option<Vec<f64>> {
    let mut out = Vec::new();
    for p in points {
        let o = p.predicted(params)?;
        let gpus = p.inputs.cluster.total_gpus().max(1) as f64;
        out.push((o.output_tok_s / gpus).ln());
        if p.measurement.ttft_ms.is_some() {
            out.push(o.ttft.ms().ln());
        }
        if p.measurement.tpot_ms.is_some() {
            out.push(o.tpot.ms().ln());
        }
    }
    Some(out)
}

/// The parameters `points` can identify, starting from `start` (see the module doc).
pub fn free_parameters(points: &[&Point], start: &PerfParams) -> [bool; PARAM_COUNT] {
    let structural = identifiable(points);
    let mut free = [false; PARAM_COUNT];
    let Some(base) = log_predictions(points, start) else { return free };
    let x0 = start.to_array();
    // Each candidate's effect on the figures, per SENSITIVITY_STEP of its range.
    let mut effects: Vec<(usize, Vec<f64>)> = Vec::new();
    for (i, b) in PARAMS.iter().enumerate().filter(|(i, _)| structural[*i]) {
        let h = SENSITIVITY_STEP * (b.hi() - b.lo());
        let mut x = x0;
        x[i] = if x[i] + h <= b.hi() { x[i] + h } else { x[i] - h };
        let Some(moved) = log_predictions(points, &PerfParams::from_array(x)) else { continue };
        let effect: Vec<f64> = moved.iter().zip(&base).map(|(a, b)| a - b).collect();
        effects.push((i, effect));
    }
    let norm = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
    effects.sort_by(|a, b| norm(&b.1).total_cmp(&norm(&a.1)).then(a.0.cmp(&b.0)));
    let mut taken: Vec<Vec<f64>> = Vec::new();
    for (i, effect) in effects {
        if taken.len() >= base.len() || norm(&effect) < MIN_EFFECT {
            break;
        }
        // Gram–Schmidt against the effects already taken (kept orthonormal).
        let mut rest = effect.clone();
        for t in &taken {
            let dot: f64 = rest.iter().zip(t).map(|(a, b)| a * b).sum();
            rest.iter_mut().zip(t).for_each(|(a, b)| *a -= dot * b);
        }
        let left = norm(&rest);
        if left < MIN_INDEPENDENCE * norm(&effect) {
            continue;
        }
        free[i] = true;
        taken.push(rest.into_iter().map(|x| x / left).collect());
    }
    free
}

/// Refit the performance parameters of `inputs`' GPU and engine to `measurements` (each of
/// this GPU and engine, e.g. from `benchmark::compare::measurements`), plan again with them, and
/// report every measurement's errors before and after. An error names the measurement and
/// field that cannot be used.
pub fn recalibrate(inputs: &PlannerInputs, measurements: &[Measurement]) -> Result<Recalibration, InputError> {
    if measurements.is_empty() {
        return Err(InputError::new("measurements", "no measurement to fit"));
    }
    let points = prepare(measurements)?;
    let gpu = &inputs.cluster.gpu;
    for (i, p) in points.iter().enumerate() {
        let (g, e) = (&p.inputs.cluster.gpu, p.inputs.engine.engine);
        if g.id != gpu.id || e != inputs.engine.engine {
            return Err(InputError::new(
                format!("measurement {i}"),
                format!(
                    "measured on {} with {}; the scenario plans {} with {}: a fit is for one GPU and engine",
                    g.name,
                    e.display_name(),
                    gpu.name,
                    inputs.engine.engine.display_name()
                ),
            ));
        }
    }
    let refs: Vec<&Point> = points.iter().collect();
    let start = inputs.params;
    let free = free_parameters(&refs, &start);
    let result = fit(&refs, &start, &FitOptions { free, anchor: ANCHOR, max_evaluations: MAX_EVALUATIONS, ttft: true });
    // The fit as the scenario keeps it: in named units, without the binary noise of the unit
    // conversion (nine decimals); the errors after are those of these values.
    let x = result.params.to_array();
    let values: ParamOverrides = std::array::from_fn(|i| Some(((x[i] / PARAMS[i].unit.scale()) * 1e9).round() / 1e9));
    let params = start.with_overrides(&values, "perf_params")?;
    let fits: Vec<MeasurementFit> = points
        .iter()
        .map(|p| MeasurementFit {
            layout: p.measurement.layout,
            workers: p.measurement.disaggregated.map(|d| d.label()),
            load: p.group.load.clone(),
            before: figures(p, p.predicted(&start).as_ref()),
            after: figures(p, p.predicted(&params).as_ref()),
        })
        .collect();
    let span = |f: &dyn Fn(&Figures) -> Option<FigureError>| -> Option<[f64; 2]> {
        let errors: Vec<f64> = fits.iter().filter_map(|m| f(&m.after)).map(|e| e.error).collect();
        (!errors.is_empty()).then(|| {
            [errors.iter().copied().fold(f64::INFINITY, f64::min), errors.iter().copied().fold(f64::NEG_INFINITY, f64::max)]
        })
    };
    let perf_params = PerfParamsInput {
        values,
        fit: Some(FitRecordInput {
            measurements: fits.len() as f64,
            output_tok_s_per_gpu: span(&|f| Some(f.output_tok_s_per_gpu)),
            ttft_ms: span(&|f| f.ttft_ms),
            tpot_ms: span(&|f| f.tpot_ms),
            kv_transfer_fitted: free[Param::KvTransferEfficiency as usize],
        }),
    };
    let mut scenario = inputs.scenario.clone();
    if let Some(object) = scenario.as_object_mut() {
        object.insert("perf_params".into(), serde_json::json!(perf_params));
    }
    let replanned = resolve(&ScenarioInput { perf_params: Some(perf_params.clone()), ..inputs.input.clone() })?;
    let plan = plan_inputs(&replanned)?;
    let names = |params: &mut dyn Iterator<Item = usize>| params.map(|i| PARAMS[i].json).collect::<Vec<_>>();
    Ok(Recalibration {
        start,
        params: replanned.params,
        free: names(&mut (0..PARAM_COUNT).filter(|&i| free[i])),
        at_bound: names(&mut result.at_bound.iter().map(|&p| p as usize)),
        loss_before: result.start_loss,
        loss_after: super::fit::loss(&refs, &params, true),
        measurements: fits,
        perf_params,
        scenario,
        plan,
    })
}

#[cfg(test)]
mod tests;

#[cfg(all(test, feature = "disaggregation"))]
mod disagg_tests;
