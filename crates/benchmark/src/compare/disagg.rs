//! A disaggregated run against the plan (benchmark feature `disaggregation`): the plan made
//! again at the run's lengths and load, without an SLA (as for aggregated runs), and the run
//! matched to its disaggregated candidate of the same prefill and decode worker layouts; the
//! x:y must be the plan's too, else the prediction would be for other GPUs and is not made.
//!
//! Figures as the plan counts them: tokens/s per GPU over the cluster's GPUs (workers' and
//! idle ones alike, `DisaggCandidate::output_tok_s_per_gpu`), TTFT with the KV transfer, TPOT.
//!
//! Design decision: the candidate comes from the planner's own search rather than an
//! evaluation of the run's x:y, so a run of other counts is flagged (`WorkerCountsDiffer`), not
//! predicted; the benchmark script runs the plan's counts at the plan's load, which the search
//! at that load gives back.

use super::{label, Comparison, EvaluatedAt, Figure, Flag};
use crate::import::{MeasuredRun, TimeStat};
use crate::naming::Workers;
use crate::script::BenchLoad;
use planner::inputs::PlannerInputs;
use planner::plan::disagg::DisaggCandidate;
use planner::planning::plan_inputs;
use planner::workload::Load;

/// A candidate's two sides as counts and layouts.
pub(super) fn workers_of(c: &DisaggCandidate) -> (Workers, Workers) {
    (Workers { count: c.prefill.count, layout: c.prefill.layout }, Workers { count: c.decode.count, layout: c.decode.layout })
}

/// Fill `comparison` for a disaggregated `run` of `workers`, predicted with `at` (the scenario
/// at the run's lengths, load and arrivals, no SLA).
pub(super) fn compare(at: &PlannerInputs, comparison: &mut Comparison, run: &MeasuredRun, workers: (Workers, Workers)) {
    let (prefill, decode) = workers;
    let plan = match plan_inputs(at) {
        Ok(plan) => plan,
        Err(e) => {
            comparison.flags.push(Flag::NotPredicted { reason: e.to_string() });
            return;
        }
    };
    let same_layouts = |c: &&DisaggCandidate| c.prefill.layout == prefill.layout && c.decode.layout == decode.layout;
    let Some(c) = plan.disaggregated.as_ref().and_then(|d| d.candidates.iter().find(same_layouts)) else {
        comparison.flags.push(Flag::NoSuchDisaggCandidate { run: label(prefill, decode) });
        return;
    };
    if workers_of(c) != workers {
        comparison.flags.push(Flag::WorkerCountsDiffer { run: label(prefill, decode), plan: c.label.clone() });
        return;
    }
    let (Some(tok_s), Some(per_gpu)) = (c.output_tok_s, c.output_tok_s_per_gpu) else {
        let reason = c.rejected_detail.clone().unwrap_or_else(|| "no operating point".into());
        comparison.flags.push(Flag::NotPredicted { reason });
        return;
    };
    if let Some(d) = comparison.disaggregated.as_mut() {
        d.label = c.label.clone();
    }
    let gpus = at.cluster.total_gpus().max(1) as f64;
    let w = &at.workload;
    comparison.evaluated_at = Some(EvaluatedAt {
        isl: w.isl,
        osl: w.osl,
        load: match w.load {
            Load::RequestRate(per_s) => BenchLoad::RequestRate { per_s },
            Load::Concurrency(requests) => BenchLoad::Concurrency { requests },
            Load::MaxThroughput => BenchLoad::Concurrency { requests: (c.decode.count as f64 * c.decode.batch).round() as u32 },
        },
        arrivals: w.arrivals,
    });
    comparison.output_tok_s = Some(Figure::new(tok_s, run.output_tok_s));
    comparison.output_tok_s_per_gpu = Some(Figure::new(per_gpu, run.output_tok_s / gpus));
    let flags = &mut comparison.flags;
    let mut time = |stat: &TimeStat, predicted_ms: Option<f64>, figure: &str| {
        let usable = |x: &f64| x.is_finite() && *x >= 0.0;
        let predicted_ms = predicted_ms?;
        let measured = stat
            .mean
            .filter(usable)
            .or_else(|| stat.median.filter(usable).inspect(|_| flags.push(Flag::MedianUsed { figure: figure.into() })))?;
        Some(Figure::new(predicted_ms, measured))
    };
    comparison.ttft_ms = time(&run.ttft_ms, c.ttft_ms, "TTFT");
    comparison.tpot_ms = time(&run.tpot_ms, c.tpot_ms, "TPOT");
    comparison.matched = true;
}
