//! Enumerate every layout of the cluster, judge each, rank the feasible ones by the user's
//! priority, and find the Pareto set.
//!
//! Design decision: exhaustive, not heuristic. A cluster of G GPUs has at most a few hundred
//! (tp, pp, dp, ep) layouts, each judged in microseconds (`evaluate`), so every layout is
//! judged and every rejection keeps its reason: the trace can count them and the page can say
//! why a layout the user expected is missing.

use super::error::InputError;
use super::evaluate::{Evaluation, Evaluator};
use super::inputs::PlannerInputs;
use super::layout::Layout;
use super::order::sorted_indices;
use super::perf::OperatingPoint;
use super::scenario::LayoutConstraint;
use super::units::Seconds;
use super::workload::Priority;
use std::cmp::Ordering;

/// Every layout judged, the feasible ones ranked, and the Pareto set.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResult {
    pub evaluations: Vec<Evaluation>,
    /// Indices into `evaluations` of the feasible layouts, best first.
    pub ranking: Vec<usize>,
    /// Indices of the feasible layouts not beaten on both output tokens/s per GPU and
    /// tokens/s per user, by decreasing tokens/s per GPU.
    pub pareto: Vec<usize>,
}

/// Divisors of `n`, ascending.
pub fn divisors(n: u32) -> Vec<u32> {
    // Cluster sizes have a few dozen divisors at most (4096: 13; 3360: 48, split between the
    // two lists), so one allocation each, without regrowing, in the search's hot path.
    let mut small = Vec::with_capacity(32);
    let mut large = Vec::with_capacity(16);
    let mut d = 1;
    while d * d <= n {
        if n.is_multiple_of(d) {
            small.push(d);
            if d * d != n {
                large.push(n / d);
            }
        }
        d += 1;
    }
    small.extend(large.into_iter().rev());
    small
}

/// Every layout of `gpus` GPUs that honours the fixed sizes: tp × pp × dp = gpus, and for
/// MoE models every ep dividing tp × dp (ep = 1 for dense models unless fixed). An error
/// names the fixed size no layout can honour.
pub fn enumerate(gpus: u32, moe: bool, fixed: &LayoutConstraint) -> Result<Vec<Layout>, InputError> {
    for (field, v) in [("layout.tp", fixed.tp), ("layout.pp", fixed.pp), ("layout.dp", fixed.dp)] {
        if let Some(v) = v {
            if !gpus.is_multiple_of(v) {
                return Err(InputError::new(field, format!("{v} does not divide the cluster's {gpus} GPUs")));
            }
        }
    }
    let keep = |fixed: Option<u32>, v: u32| fixed.is_none_or(|f| f == v);
    let mut layouts = Vec::new();
    for tp in divisors(gpus).into_iter().filter(|&t| keep(fixed.tp, t)) {
        for pp in divisors(gpus / tp).into_iter().filter(|&p| keep(fixed.pp, p)) {
            let dp = gpus / (tp * pp);
            if !keep(fixed.dp, dp) {
                continue;
            }
            let eps = match fixed.ep {
                Some(ep) => vec![ep],
                None if moe => divisors(tp * dp),
                None => vec![1],
            };
            layouts.extend(eps.into_iter().filter_map(|ep| Layout::new(tp, pp, dp, ep, gpus).ok()));
        }
    }
    if layouts.is_empty() {
        let (tp, pp, dp) = (fixed.tp.unwrap_or(1), fixed.pp.unwrap_or(1), fixed.dp.unwrap_or(1));
        let field = if fixed.ep.is_some() && gpus.is_multiple_of(tp * pp * dp) { "layout.ep" } else { "layout" };
        return Err(InputError::new(
            field,
            format!("no layout of {gpus} GPUs has the fixed sizes {}", describe(fixed)),
        ));
    }
    Ok(layouts)
}

fn describe(fixed: &LayoutConstraint) -> String {
    [("tp", fixed.tp), ("pp", fixed.pp), ("dp", fixed.dp), ("ep", fixed.ep)]
        .iter()
        .filter_map(|(k, v)| v.map(|v| format!("{k} = {v}")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Judge every layout and rank the feasible ones.
pub fn search(inputs: &PlannerInputs) -> Result<SearchResult, InputError> {
    let layouts = enumerate(inputs.cluster.total_gpus(), inputs.model.is_moe(), &inputs.constraint)?;
    let mut evaluator = Evaluator::new(inputs);
    let evaluations: Vec<Evaluation> = layouts.into_iter().map(|l| evaluator.evaluate(l)).collect();
    let gpus = inputs.cluster.total_gpus() as f64;
    let feasible: Vec<usize> = (0..evaluations.len()).filter(|&i| evaluations[i].feasible().is_some()).collect();
    let point = |i: usize| evaluations[i].feasible().expect("ranking holds feasible layouts only");
    let figures: Vec<Figures> = feasible.iter().map(|&i| Figures::of(point(i), gpus)).collect();
    let ranking: Vec<usize> = rank(inputs.workload.priority, &figures).into_iter().map(|k| feasible[k]).collect();
    let pareto = pareto(&ranking, |i| {
        let p = point(i);
        (p.output_tok_s / gpus, p.tok_s_per_user)
    });
    Ok(SearchResult { evaluations, ranking, pareto })
}

/// What a ranking compares of a candidate: its throughput and the GPUs it takes, its speed per
/// user and its latencies. Aggregated layouts all take the cluster; a disaggregated candidate
/// (`disagg`) takes the GPUs of its workers, so the two rank alike on tokens/s per GPU.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figures {
    pub output_tok_s: f64,
    pub gpus: f64,
    pub tok_s_per_user: f64,
    pub tpot: Seconds,
    pub ttft: Seconds,
}

impl Figures {
    pub fn of(p: &OperatingPoint, gpus: f64) -> Figures {
        Figures { output_tok_s: p.output_tok_s, gpus, tok_s_per_user: p.tok_s_per_user, tpot: p.tpot, ttft: p.ttft }
    }

    pub fn tok_s_per_gpu(&self) -> f64 {
        self.output_tok_s / self.gpus
    }
}

/// Indices into `figures`, best first by `priority` (`compare`; a stable sort, so equals keep
/// their order).
pub fn rank(priority: Priority, figures: &[Figures]) -> Vec<usize> {
    let best = Best::of(figures.iter());
    sorted_indices(figures.len(), &mut |a, b| compare(priority, &figures[a], &figures[b], &best))
}

/// The best figures among the feasible layouts, for the balanced score.
#[derive(Debug, Clone, Copy)]
pub struct Best {
    pub tok_s_per_gpu: f64,
    pub tok_s_per_user: f64,
}

impl Best {
    fn of<'a>(figures: impl Iterator<Item = &'a Figures>) -> Best {
        figures.fold(Best { tok_s_per_gpu: 0.0, tok_s_per_user: 0.0 }, |b, f| Best {
            tok_s_per_gpu: b.tok_s_per_gpu.max(f.tok_s_per_gpu()),
            tok_s_per_user: b.tok_s_per_user.max(f.tok_s_per_user),
        })
    }
}

/// The balanced score: the product of throughput per GPU and speed per user, each as a share
/// of the best feasible value. A layout at 80 % of the best on both (0.64) beats one at 100 %
/// and 50 % (0.5): neither side is given up for a small gain on the other.
pub fn balanced_score(f: &Figures, best: &Best) -> f64 {
    let share = |x: f64, top: f64| if top > 0.0 { x / top } else { 0.0 };
    share(f.tok_s_per_gpu(), best.tok_s_per_gpu) * share(f.tok_s_per_user, best.tok_s_per_user)
}

/// Better first: throughput — most output tokens/s (per GPU when the two take different GPU
/// counts), then lower TPOT; latency — lowest TPOT, then TTFT; balanced — highest
/// `balanced_score`, then more tokens/s per GPU.
fn compare(priority: Priority, a: &Figures, b: &Figures, best: &Best) -> Ordering {
    let desc = |x: f64, y: f64| y.total_cmp(&x);
    let asc = |x: f64, y: f64| x.total_cmp(&y);
    let more_throughput = || {
        if a.gpus == b.gpus {
            desc(a.output_tok_s, b.output_tok_s)
        } else {
            desc(a.tok_s_per_gpu(), b.tok_s_per_gpu())
        }
    };
    match priority {
        Priority::Throughput => more_throughput().then(asc(a.tpot.value(), b.tpot.value())),
        Priority::Latency => asc(a.tpot.value(), b.tpot.value()).then(asc(a.ttft.value(), b.ttft.value())),
        Priority::Balanced => desc(balanced_score(a, best), balanced_score(b, best)).then(more_throughput()),
    }
}

/// The items of `candidates` not dominated on both coordinates of `figures` (higher is
/// better), by decreasing first coordinate.
pub fn pareto(candidates: &[usize], figures: impl Fn(usize) -> (f64, f64)) -> Vec<usize> {
    let figures: Vec<(f64, f64)> = candidates.iter().map(|&i| figures(i)).collect();
    let order = sorted_indices(figures.len(), &mut |a, b| {
        figures[b].0.total_cmp(&figures[a].0).then(figures[b].1.total_cmp(&figures[a].1))
    });
    let mut front = Vec::new();
    let mut best_second = f64::NEG_INFINITY;
    for k in order {
        let second = figures[k].1;
        if second > best_second {
            front.push(candidates[k]);
            best_second = second;
        }
    }
    front
}

#[cfg(test)]
mod tests;
