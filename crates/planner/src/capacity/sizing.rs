//! The smallest deployment of one GPU kind that serves a request rate within the SLA.
//!
//! Design decision: search per replica size, then derive the count, rather than plan every
//! count. A replica (one serving group) of `s` GPUs is searched with the existing machinery
//! (`search::search` on the typed inputs with a cluster of `s` GPUs, the maximum-throughput
//! load under the scenario's SLA, ranked by throughput); its best layout's completed requests
//! per second is the replica's capacity; `replicas = ⌈load / capacity⌉`, rounded up to whole
//! purchase units. Then the count is checked at the load itself: each replica's Poisson share
//! of the arrivals (`Load::RequestRate`, TTFT with its queueing) must meet the SLA — if not, a
//! replica more, and a replica fewer must not (`first_meeting`). The minimum over the sizes
//! wins (fewest GPUs, then most capacity).
//!
//! Replica sizes: the divisors of the GPU's node (`gpus_per_node`), then whole nodes ×1, 2, 3,
//! 4, 6, 8, 12, 16, 24, … (powers of two and three times powers of two: the splits layer and
//! head counts take), up to `max_gpus`; sizes above the best count found are not searched.
//! Inside a replica of a dense model `dp = 1` (a replica with `dp` copies is `dp` smaller
//! replicas, which the smaller sizes cover); a MoE replica may be data-parallel in attention
//! with experts spread over its ranks (`ep > tp`), the layout the search enumerates.
//!
//! Purchase unit: a GPU on a multi-GPU scale-up board or rack (scale-up domain > 1: HGX, NVL72,
//! MI300X platforms) is bought or rented by the node of the catalog's `gpus_per_node`; a GPU
//! whose scale-up domain is one card (PCIe cards, GH200) is sold singly. The count is whole
//! units, and the units' spare GPUs serve as more replicas.

use crate::evaluate::{Evaluation, Evaluator, Prepared};
use crate::inputs::PlannerInputs;
use crate::layout::Layout;
use crate::perf::serving::Limit;
use crate::perf::OperatingPoint;
use crate::reject::RejectReason;
use crate::scenario::LayoutConstraint;
use crate::search::{divisors, search};
use crate::workload::{Arrivals, Load, Priority};

/// What set the count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bottleneck {
    /// The model (weights and one request's KV cache) fits no fewer GPUs.
    Memory,
    /// The capacity of a replica: the load needs this many.
    Throughput,
    /// The TTFT or TPOT limit: it capped a replica's load, forced a larger replica, or the
    /// queueing at the load forced a replica more.
    Sla,
    /// One purchase unit (a node) already serves more than the load.
    PurchaseUnit,
}

impl Bottleneck {
    pub fn id(self) -> &'static str {
        match self {
            Bottleneck::Memory => "memory",
            Bottleneck::Throughput => "throughput",
            Bottleneck::Sla => "sla",
            Bottleneck::PurchaseUnit => "purchase-unit",
        }
    }
}

/// The sized deployment of one GPU kind.
#[derive(Debug, Clone, PartialEq)]
pub struct Sizing {
    /// GPUs per replica.
    pub replica_size: u32,
    pub replica: Layout,
    /// Replicas deployed: every GPU of the whole units serves.
    pub replicas: u32,
    /// Replicas the load needs from the capacity alone (`⌈load / capacity⌉`).
    pub replicas_from_capacity: u32,
    /// The fewest replicas whose Poisson share of the load meets the SLA (`replicas` is this
    /// rounded up to fill whole units).
    pub replicas_needed: u32,
    pub gpus: u32,
    /// Nodes of the catalog's node size.
    pub nodes: u32,
    pub purchase_unit: u32,
    /// A replica's maximum-throughput point within the SLA, and its requests per second.
    pub replica_max: OperatingPoint,
    pub replica_capacity_req_s: f64,
    /// A replica at its share of the load.
    pub served: OperatingPoint,
    /// Why the replicas one purchase unit fewer hold do not serve the load (`None`: one unit
    /// holds fewer than one replica).
    pub fewer_fails: Option<String>,
    pub bottleneck: Bottleneck,
    /// The maximum-throughput points of every feasible layout of the replica size.
    pub alternatives: Vec<OperatingPoint>,
}

/// Why no count up to the ceiling serves the load.
#[derive(Debug, Clone, PartialEq)]
pub struct CannotServe(pub String);

/// Nodes per replica beyond one: powers of two and three times powers of two.
fn node_multiples(limit: u32) -> impl Iterator<Item = u32> {
    (0..31u32).flat_map(|j| [1u64 << j, 3u64 << j]).filter(move |&k| k > 1 && k <= limit as u64).map(|k| k as u32)
}

/// The replica sizes searched, ascending, up to `max_gpus`.
pub fn replica_sizes(gpus_per_node: u32, max_gpus: u32) -> Vec<u32> {
    let node = gpus_per_node.max(1);
    let mut sizes: Vec<u32> = divisors(node).into_iter().filter(|&s| s <= max_gpus).collect();
    sizes.extend(node_multiples(max_gpus / node).map(|k| k * node));
    sizes.sort_unstable();
    sizes.dedup();
    sizes
}

/// The unit GPUs are bought in: the node on a multi-GPU scale-up board or rack, else one GPU.
pub fn purchase_unit(inputs: &PlannerInputs) -> u32 {
    let gpu = &inputs.cluster.gpu;
    if gpu.scale_up_domain > 1 { gpu.gpus_per_node.max(1) } else { 1 }
}

/// `base` with a cluster of `size` GPUs on nodes of at most the catalog's node size, at `load`.
pub fn replica_inputs(base: &PlannerInputs, size: u32, load: Load) -> PlannerInputs {
    let mut inputs = base.clone();
    let node = base.cluster.gpu.gpus_per_node.max(1);
    (inputs.cluster.nodes, inputs.cluster.gpus_per_node) = if size <= node { (1, size) } else { (size / node, node) };
    inputs.workload.load = load;
    inputs.workload.arrivals = Arrivals::Staggered;
    inputs.workload.priority = Priority::Throughput;
    inputs.constraint = if base.model.is_moe() { LayoutConstraint::default() } else { LayoutConstraint { dp: Some(1), ..Default::default() } };
    inputs
}

/// GPUs for `replicas` replicas of `size`, in whole units of `unit`.
fn gpus_for(replicas: u32, size: u32, unit: u32) -> u64 {
    (replicas as u64 * size as u64).div_ceil(unit as u64) * unit as u64
}

/// A replica size's answer: the best layout and the replicas needed, or why it has none.
enum SizeOutcome {
    Sized(Box<Sizing>),
    /// No layout of this size serves even one request within the SLA: the first reason of each
    /// layout.
    NoLayout(Vec<RejectReason>),
    /// Serves, but the load needs more than the ceiling.
    TooMany { capacity: f64, size: u32 },
}

/// The smallest deployment of `base`'s GPU serving `rate` requests per second within its SLA,
/// at most `max_gpus` GPUs.
pub fn size(base: &PlannerInputs, rate: f64, max_gpus: u32) -> Result<Sizing, CannotServe> {
    let unit = purchase_unit(base);
    let mut best: Option<Sizing> = None;
    let mut smaller_failed: Vec<RejectReason> = Vec::new();
    let mut last_failure = None;
    let mut too_many = None;
    for s in replica_sizes(base.cluster.gpu.gpus_per_node, max_gpus) {
        if best.as_ref().is_some_and(|b| s > b.gpus) {
            break;
        }
        match size_replicas(base, s, unit, rate, max_gpus) {
            SizeOutcome::Sized(mut sized) => {
                let better = best.as_ref().is_none_or(|b| {
                    sized.gpus < b.gpus
                        || (sized.gpus == b.gpus
                            && sized.replica_capacity_req_s * sized.replicas as f64 > b.replica_capacity_req_s * b.replicas as f64)
                });
                if better {
                    sized.bottleneck = bottleneck(&sized, &smaller_failed);
                    best = Some(*sized);
                }
            }
            SizeOutcome::NoLayout(reasons) => {
                if best.is_none() {
                    smaller_failed.extend(reasons.iter().copied());
                }
                last_failure = Some((s, reasons));
            }
            // The size serving the most per GPU says it best.
            SizeOutcome::TooMany { capacity, size } => {
                if too_many.is_none_or(|(c, s): (f64, u32)| capacity / size as f64 > c / s as f64) {
                    too_many = Some((capacity, size));
                }
            }
        }
    }
    best.ok_or_else(|| cannot(rate, max_gpus, last_failure, too_many))
}

/// Search one replica size and derive the replicas.
fn size_replicas(base: &PlannerInputs, s: u32, unit: u32, rate: f64, max_gpus: u32) -> SizeOutcome {
    let inputs = replica_inputs(base, s, Load::MaxThroughput);
    let Ok(result) = search(&inputs) else { return SizeOutcome::NoLayout(Vec::new()) };
    let Some(&top) = result.ranking.first() else {
        return SizeOutcome::NoLayout(result.evaluations.iter().filter_map(|e| e.reasons().first().copied()).collect());
    };
    let alternatives: Vec<OperatingPoint> = result.ranking.iter().filter_map(|&i| result.evaluations[i].feasible().copied()).collect();
    let best = &result.evaluations[top];
    let Some(&max_point) = best.feasible() else { return SizeOutcome::NoLayout(Vec::new()) };
    let capacity = max_point.request_rate;
    if !(capacity.is_finite() && capacity > 0.0) {
        return SizeOutcome::NoLayout(Vec::new());
    }
    let at_rate = replica_inputs(base, s, Load::RequestRate(rate));
    let Ok(prepared) = Evaluator::new(&at_rate).prepare(best.layout) else { return SizeOutcome::NoLayout(Vec::new()) };
    let fill = |r: u32| (gpus_for(r, s, unit) / s as u64) as u32;
    let most = ((max_gpus / unit * unit) / s).max(1);
    let judge = |r: u32| judge_at(&prepared, &at_rate, rate / fill(r) as f64);
    let from_capacity = ((rate / capacity).ceil() as u64).clamp(1, u32::MAX as u64) as u32;
    if from_capacity > most {
        return SizeOutcome::TooMany { capacity, size: s };
    }
    let Some(r) = first_meeting(from_capacity, most, |r| judge(r).feasible().is_some()) else {
        return SizeOutcome::TooMany { capacity, size: s };
    };
    let gpus = gpus_for(r, s, unit) as u32;
    if gpus > max_gpus {
        return SizeOutcome::TooMany { capacity, size: s };
    }
    let served_eval = judge(r);
    let Some(&served) = served_eval.feasible() else { return SizeOutcome::TooMany { capacity, size: s } };
    // One purchase unit fewer holds this many replicas.
    let fewer = (gpus - unit) / s;
    let fewer_fails = (fewer >= 1).then(|| {
        let at_fewer = judge_at(&prepared, &at_rate, rate / fewer as f64);
        let why = at_fewer.reasons().first().map_or_else(|| "meets the SLA".to_string(), |x| x.to_string());
        format!("{fewer} replicas ({} GPUs): {why}", fewer * s)
    });
    let node = base.cluster.gpu.gpus_per_node.max(1);
    SizeOutcome::Sized(Box::new(Sizing {
        replica_size: s,
        replica: best.layout,
        replicas: fill(r),
        replicas_from_capacity: from_capacity,
        replicas_needed: r,
        gpus,
        nodes: gpus.div_ceil(node),
        purchase_unit: unit,
        replica_max: max_point,
        replica_capacity_req_s: capacity,
        served,
        fewer_fails,
        bottleneck: Bottleneck::Throughput,
        alternatives,
    }))
}

/// The replica at `per_replica` requests per second (Poisson).
fn judge_at(prepared: &Prepared, at_rate: &PlannerInputs, per_replica: f64) -> Evaluation {
    let mut inputs_at = at_rate.clone();
    inputs_at.workload.load = Load::RequestRate(per_replica);
    prepared.judge(&inputs_at, &inputs_at.params)
}

/// The fewest replicas in `1..=most` that `meets`, starting from the estimate `from` (meeting is
/// taken as monotone in the replicas: each replica's share of the load falls): one fewer is
/// checked first, then halving; upwards, one more, then doubling, then bisection.
pub fn first_meeting(from: u32, most: u32, meets: impl Fn(u32) -> bool) -> Option<u32> {
    let from = from.clamp(1, most);
    let (mut fail, mut ok) = if meets(from) {
        if from == 1 || !meets(from - 1) {
            return Some(from);
        }
        // `from - 1` meets: find a failing count below it.
        let mut ok = from - 1;
        let mut step = 1;
        loop {
            let lower = ok.saturating_sub(step);
            if lower == 0 {
                break (0, ok);
            }
            if !meets(lower) {
                break (lower, ok);
            }
            ok = lower;
            step *= 2;
        }
    } else {
        let mut fail = from;
        let mut step = 1;
        loop {
            if fail >= most {
                return None;
            }
            let upper = (fail + step).min(most);
            if meets(upper) {
                break (fail, upper);
            }
            fail = upper;
            step *= 2;
        }
    };
    while ok - fail > 1 {
        let mid = fail + (ok - fail) / 2;
        if meets(mid) { ok = mid } else { fail = mid }
    }
    Some(ok)
}

/// What set the count of `sized`, given the reasons smaller replica sizes failed.
fn bottleneck(sized: &Sizing, smaller_failed: &[RejectReason]) -> Bottleneck {
    let sla = |r: &RejectReason| matches!(r, RejectReason::SlaTtft { .. } | RejectReason::SlaTpot { .. });
    if sized.replicas_needed == 1 && !smaller_failed.is_empty() {
        return if smaller_failed.iter().any(sla) { Bottleneck::Sla } else { Bottleneck::Memory };
    }
    if sized.replicas_needed > sized.replicas_from_capacity || matches!(sized.replica_max.limit, Limit::SlaTtft | Limit::SlaTpot) {
        return Bottleneck::Sla;
    }
    if sized.replicas_needed == 1 && sized.gpus > sized.replica_size {
        return Bottleneck::PurchaseUnit;
    }
    Bottleneck::Throughput
}

/// Why no count up to `max_gpus` serves `rate`.
fn cannot(rate: f64, max_gpus: u32, last_failure: Option<(u32, Vec<RejectReason>)>, too_many: Option<(f64, u32)>) -> CannotServe {
    if let Some((capacity, size)) = too_many {
        return CannotServe(format!(
            "{rate:.3} req/s needs more than {max_gpus} GPUs: at best a replica of {size} GPUs serves {capacity:.3} req/s within the SLA"
        ));
    }
    let Some((size, reasons)) = last_failure else {
        return CannotServe(format!("no replica size up to {max_gpus} GPUs was searched"));
    };
    let weights = reasons.iter().find(|r| matches!(r, RejectReason::WeightsDoNotFit { .. }));
    let fits_memory = reasons.iter().all(|r| matches!(r, RejectReason::WeightsDoNotFit { .. } | RejectReason::KvCacheTooSmall { .. }));
    let example = weights.or(reasons.first()).map_or_else(String::new, |r| format!(" ({r})"));
    CannotServe(if fits_memory && weights.is_some() {
        format!("the weights do not fit even on {size} GPUs{example}")
    } else if fits_memory {
        format!("not one request's KV cache fits even on {size} GPUs{example}")
    } else {
        format!("no layout of up to {size} GPUs meets the SLA even at one request{example}")
    })
}
