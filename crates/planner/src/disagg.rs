//! Disaggregated prefill/decode: x prefill workers and y decode workers, each an engine with
//! its own layout, the KV cache of every request moved from one to the other; searched beside
//! the aggregated layouts when the scenario's `serving` asks for it (planner feature
//! `disaggregation`, left out of the page's startup build).
//!
//! Design decision: every worker layout is judged ONCE per role with the aggregated machinery
//! (`workers`: the `Evaluator`'s memory plan, `StageCost::step`), then every kept (prefill,
//! decode) pair is only arithmetic: the KV transfer (`transfer`), the x:y that balances the two
//! sides within the GPU budget and the nodes (`pairing`, `placement`), and the plan's figures,
//! ranges and trace (`report`). Worker layouts are first cut to those not dominated by copies of
//! a worker of the same size or of a size dividing it (capacity per GPU, and prefill time or
//! TPOT): the copies take the same GPUs and places, so a dominated worker makes no pair better
//! on any figure the ranking or the front reads, and the candidate list stays bounded (one per
//! kept pair, at its best x:y). Ranking and front are the aggregated search's (`search::rank`,
//! `search::pareto`) on tokens/s per GPU of the cluster: GPUs a pair leaves idle count zero, as
//! for aggregated layouts.
//!
//! **Invariant:** a candidate's workers fit the cluster's GPUs and nodes, both fit their
//! memory, its throughput is at most either side's capacity, and at maximum throughput no other
//! x:y within the budget serves more, nor as much on fewer GPUs (property tests).

pub mod measured;
pub mod pairing;
pub mod placement;
pub mod report;
pub mod transfer;
pub mod workers;

#[cfg(test)]
mod tests;

/// The x:y tests' tolerance: the search's own (`pairing::TIE`), twice over for the rounding of
/// the figures the plan reports.
#[cfg(test)]
const TIE_CHECK: f64 = 2.0 * pairing::TIE;

use super::evaluate::Evaluation;
use super::inputs::PlannerInputs;
use super::perf::ranges::Regime;
use super::plan::disagg::{DisaggCandidate, Disaggregated, WorkersRejected};
use super::plan::TraceStep;
use super::scenario::Serving;
use super::search::{pareto, rank, Figures, SearchResult};
use super::units::Seconds;
use workers::{Role, Workers};

/// The disaggregated part of a plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Searched {
    pub plan: Disaggregated,
    pub trace: TraceStep,
    /// `aggregated` or `disaggregated` when `serving` is `both`.
    pub mode: Option<String>,
}

/// Search the disaggregated candidates of `inputs` and compare them with the aggregated
/// search's best (`aggregated`).
pub fn search(inputs: &PlannerInputs, regime: &Regime, aggregated: &SearchResult) -> Searched {
    let prefill_inputs = workers::prefill_inputs(inputs);
    let judged = workers::judge(inputs, &prefill_inputs);
    let (prefill, decode) = (&judged.prefill, &judged.decode);
    let bytes = transfer::bytes_per_request(inputs);
    let mut candidates = Vec::with_capacity(prefill.len() * decode.len());
    for p in prefill {
        for d in decode {
            let t = transfer::transfer(inputs, bytes, &p.prepared.layout, &d.prepared.layout);
            let c = match pairing::choose(inputs, p, d, &t) {
                Ok(s) => report::candidate(inputs, regime, p, d, &t, Some(&s), None),
                Err((reason, s)) => report::candidate(inputs, regime, p, d, &t, s.as_deref(), Some(&reason)),
            };
            candidates.push(c);
        }
    }
    let feasible: Vec<usize> = (0..candidates.len()).filter(|&i| candidates[i].feasible).collect();
    let gpus = inputs.cluster.total_gpus() as f64;
    let ranked: Vec<Figures> = feasible.iter().map(|&i| figures(&candidates[i], gpus)).collect();
    let ranking: Vec<usize> = rank(inputs.workload.priority, &ranked).into_iter().map(|k| feasible[k]).collect();
    let front = pareto(&ranking, |i| {
        let c = &candidates[i];
        (c.output_tok_s_per_gpu.unwrap_or(0.0), c.tok_s_per_user.unwrap_or(0.0))
    });
    let best_aggregated: Option<&Evaluation> = aggregated.ranking.first().map(|&i| &aggregated.evaluations[i]);
    let best = ranking.first().map(|&i| &candidates[i]);
    let mode = (inputs.serving == Serving::Both).then(|| {
        let agg = best_aggregated.and_then(|e| e.feasible()).map(|p| Figures::of(p, gpus));
        match (agg, best.map(|c| figures(c, gpus))) {
            (Some(a), Some(d)) if rank(inputs.workload.priority, &[a, d])[0] == 1 => "disaggregated",
            (None, Some(_)) => "disaggregated",
            _ => "aggregated",
        }
        .to_string()
    });
    let trace = report::trace_step(inputs, best, best_aggregated, bytes, mode.as_deref(), &judged.unpaired);
    Searched {
        plan: Disaggregated {
            candidates,
            ranking,
            pareto: front,
            workers_judged: judged.judged,
            workers_rejected: rejected(&judged),
        },
        trace,
        mode,
    }
}

/// A candidate's figures for the ranking, per GPU over the cluster's `gpus` (idle ones count
/// zero), as the aggregated layouts'.
fn figures(c: &DisaggCandidate, gpus: f64) -> Figures {
    Figures {
        output_tok_s: c.output_tok_s.unwrap_or(0.0),
        gpus,
        tok_s_per_user: c.tok_s_per_user.unwrap_or(0.0),
        tpot: Seconds::from_ms(c.tpot_ms.unwrap_or(0.0)),
        ttft: Seconds::from_ms(c.ttft_ms.unwrap_or(0.0)),
    }
}

/// Rejected worker layouts grouped by role and reason, in the order first met.
fn rejected(workers: &Workers) -> Vec<WorkersRejected> {
    let mut groups: Vec<WorkersRejected> = Vec::new();
    for r in &workers.rejected {
        let code = r.reason.code();
        match groups.iter_mut().find(|g| g.role == r.role.id() && g.rejected_because == code) {
            Some(g) => g.count += 1,
            None => groups.push(WorkersRejected {
                role: r.role.id().to_string(),
                rejected_because: code.to_string(),
                count: 1,
                example: r.layout,
                detail: r.reason.to_string(),
            }),
        }
    }
    for u in &workers.unpaired {
        for role in [Role::Prefill, Role::Decode] {
            groups.push(WorkersRejected {
                role: role.id().to_string(),
                rejected_because: UNPAIRED.to_string(),
                count: u.layouts,
                example: u.example,
                detail: format!(
                    "not judged: a worker of {} GPUs leaves {} of the cluster's GPUs, and a worker of the other role needs at least {} to hold the weights",
                    u.size, u.left, u.smallest
                ),
            });
        }
    }
    groups
}

/// The code of the worker layouts not judged because no pair can hold them.
pub const UNPAIRED: &str = "no-room-for-the-other-role";
