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
use planner::disagg::measured::{Deployment, Side};
use planner::workload::{Load, Sla, Workload};

/// `c`'s deployment (its layouts and counts) timed at `at`, as calibration times a run, or why
/// it cannot serve there.
fn timed_at(at: &PlannerInputs, c: &DisaggCandidate) -> Result<DisaggCandidate, String> {
    let side = |count, layout| Side { count, layout };
    let deployment = Deployment::new(at, side(c.prefill.count, c.prefill.layout), side(c.decode.count, c.decode.layout))
        .map_err(|e| e.to_string())?;
    deployment.candidate(at, &at.params).map_err(|r| r.to_string())
}

/// A candidate's two sides as counts and layouts.
pub(super) fn workers_of(c: &DisaggCandidate) -> (Workers, Workers) {
    (Workers { count: c.prefill.count, layout: c.prefill.layout }, Workers { count: c.decode.count, layout: c.decode.layout })
}

/// Fill `comparison` for a disaggregated `run` of `workers`, predicted with `at` (the scenario
/// at the run's lengths, load and arrivals, no SLA); `sla` is the scenario's own.
///
/// Each role's workers are the ones no other dominates at its own largest batch, which an SLA
/// sets (`disagg::workers`): without it a worker of the plan's candidate can drop out (two
/// 8-GPU decode workers holding as much per GPU as one of 16 at a lower TPOT). So when the
/// search without an SLA lacks the run's layouts, the search with the scenario's SLA names the
/// plan's candidate of those layouts, and that deployment is timed at `at` as calibration
/// times a run (`disagg::measured`), which at its counts is the search's arithmetic.
pub(super) fn compare(at: &PlannerInputs, sla: Sla, comparison: &mut Comparison, run: &MeasuredRun, workers: (Workers, Workers)) {
    let (prefill, decode) = workers;
    let same_layouts = |c: &&DisaggCandidate| c.prefill.layout == prefill.layout && c.decode.layout == decode.layout;
    let find = |inputs: &PlannerInputs| {
        plan_inputs(inputs)
            .map(|plan| plan.disaggregated.and_then(|d| d.candidates.iter().find(same_layouts).cloned()))
            .map_err(|e| e.to_string())
    };
    let found = match find(at) {
        Ok(None) if sla != at.workload.sla => {
            let with_sla = PlannerInputs { workload: Workload { sla, ..at.workload }, ..at.clone() };
            find(&with_sla).and_then(|c| c.map(|c| timed_at(at, &c)).transpose())
        }
        other => other,
    };
    let c = match found {
        Ok(Some(c)) => c,
        Ok(None) => {
            comparison.flags.push(Flag::NoSuchDisaggCandidate { run: label(prefill, decode) });
            return;
        }
        Err(reason) => {
            comparison.flags.push(Flag::NotPredicted { reason });
            return;
        }
    };
    let c = &c;
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
