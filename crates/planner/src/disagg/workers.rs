//! The worker layouts of disaggregated serving, each judged once per role with the aggregated
//! machinery (`evaluate::Evaluator` for divisibility and memory, `StageCost::step` for time).
//!
//! A worker is one engine instance of `tp × pp × dp` GPUs (`dp`: attention data parallelism
//! inside the worker, sharing its experts, so only MoE models get `dp > 1`; a dense model's
//! replicas are separate workers). Its sizes: the divisors of a node and whole nodes in powers of
//! two up to the cluster (and the whole cluster), an assumption that keeps the search to
//! log₂(nodes) sizes: the engines' expert and tensor groups are powers of two for every MoE
//! model in the catalog, so other node counts add few layouts that divide.
//!
//! Sizes no pair can hold (beside them the cluster has fewer GPUs than the smallest worker that
//! can hold the weights once) are counted, not judged (`Unpaired`); of the rest, the decode role
//! takes the prefill role's stage parts (`Evaluator::prepare_after`), and each role keeps only
//! the workers not dominated (`Front`, `disagg`'s module doc), as they are judged.
//!
//! - Prefill worker: memory for its prompts (KV of ISL tokens and the first output token per
//!   request); each replica prefills `k` whole prompts per step within the engine's token
//!   budget (chunks of one prompt when it is longer), `k` the most that fits the budget, the
//!   request cap and the KV cache, lowered until a prompt's prefill (`pp` steps) meets the TTFT
//!   limit. Capacity: `m·k / (pp·step)` requests/s per replica with `m = min(pp, ⌊KV / k⌋)`
//!   micro-batches in flight.
//! - Decode worker: memory for ISL + OSL tokens; decode-only steps at context ISL + OSL/2; its
//!   batch `b` per replica the most the KV cache, the engine's caps and the TPOT limit allow
//!   (bisection: TPOT grows with the batch); `TPOT = pp × step(b / min(b, pp))`, capacity
//!   `b / (OSL × TPOT)` per replica (a request holds its slot for OSL steps: the transfer's
//!   arrival counted as one, an assumption rounding up by a step).

use super::super::evaluate::{Evaluation, Evaluator, Prepared};
use super::super::gpu::Cluster;
use super::super::inputs::PlannerInputs;
use super::super::layout::Layout;
use super::super::memory::weights;
use super::super::perf::{Batch, StageCost, StepTime};
use super::super::reject::RejectReason;
use super::super::scenario::LayoutConstraint;
use super::super::search::{divisors, enumerate};
use super::super::units::Seconds;

/// The two kinds of worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Prefill,
    Decode,
}

impl Role {
    pub fn id(self) -> &'static str {
        match self {
            Role::Prefill => "prefill",
            Role::Decode => "decode",
        }
    }
}

/// A prefill worker layout that can serve, with its figures.
#[derive(Debug, Clone, PartialEq)]
pub struct PrefillWorker {
    pub prepared: Prepared,
    /// Prompts per step of each replica.
    pub batch: f64,
    /// One request's prefill: its batch (or its chunks) through every stage.
    pub time: Seconds,
    /// Requests per second the worker prefills.
    pub capacity: f64,
    pub step: StepTime,
    pub step_batch: Batch,
}

/// A decode worker layout that can serve, with its figures at its largest batch.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeWorker {
    pub prepared: Prepared,
    /// Requests per replica at the largest batch, and what stops it.
    pub batch: f64,
    pub limit: &'static str,
    pub tpot: Seconds,
    /// Requests per second the worker completes at that batch.
    pub capacity: f64,
    pub step: StepTime,
    pub step_batch: Batch,
}

/// A worker layout rejected on its own.
#[derive(Debug, Clone, PartialEq)]
pub struct RejectedWorker {
    pub role: Role,
    pub layout: Layout,
    pub reason: RejectReason,
}

/// Every worker layout judged: the workers of each role kept (`Front`), the rejected ones with
/// their reasons, and the sizes left unjudged because no pair could hold them.
#[derive(Debug, Clone, PartialEq)]
pub struct Workers {
    pub prefill: Vec<PrefillWorker>,
    pub decode: Vec<DecodeWorker>,
    pub rejected: Vec<RejectedWorker>,
    /// Layouts judged, both roles counted.
    pub judged: u32,
    pub unpaired: Vec<Unpaired>,
}

/// The layouts of one worker size not judged: beside a worker of this size the cluster has
/// fewer GPUs than any worker of the other role needs to hold the weights, so no pair holds it
/// (an exact cut: the GPUs of a worker hold every weight at least once).
#[derive(Debug, Clone, PartialEq)]
pub struct Unpaired {
    pub size: u32,
    /// Layouts of that size, per role.
    pub layouts: u32,
    pub example: Layout,
    /// GPUs the cluster has beside it, and the fewest GPUs a worker needs (the smallest worker
    /// size of at least ⌈weights ÷ GPU memory⌉).
    pub left: u32,
    pub smallest: u32,
}

/// Workers of one role kept as they are judged: those not dominated by copies of a worker of the
/// same size or of a size dividing it (`disagg` module doc). Workers arrive by ascending size.
struct Front<W> {
    /// GPUs, capacity per GPU, time (prefill time or TPOT), the worker.
    kept: Vec<(u32, f64, Seconds, W)>,
}

impl<W> Front<W> {
    fn offer(&mut self, gpus: u32, capacity: f64, time: Seconds, worker: W) {
        let per_gpu = capacity / gpus as f64;
        if !self.kept.iter().any(|&(kg, kc, kt, _)| gpus.is_multiple_of(kg) && kc >= per_gpu && kt <= time) {
            // A worker of its size it dominates was kept before it: no longer.
            self.kept.retain(|&(kg, kc, kt, _)| !(kg == gpus && per_gpu >= kc && time <= kt));
            self.kept.push((gpus, per_gpu, time, worker));
        }
    }

    fn workers(self) -> Vec<W> {
        self.kept.into_iter().map(|(.., w)| w).collect()
    }
}

/// The worker sizes of a cluster, ascending (module doc).
pub fn worker_sizes(cluster: &Cluster) -> Vec<u32> {
    let total = cluster.total_gpus();
    let node = cluster.gpus_per_node;
    let mut sizes: Vec<u32> = divisors(node).into_iter().filter(|&d| d <= total).collect();
    let mut nodes = 2;
    while nodes <= cluster.nodes {
        sizes.push(nodes * node);
        nodes *= 2;
    }
    if cluster.nodes > 1 && !sizes.contains(&total) {
        sizes.push(total);
    }
    sizes
}

/// The inputs a prefill worker is judged with: its requests hold the prompt and the first
/// output token.
pub fn prefill_inputs(inputs: &PlannerInputs) -> PlannerInputs {
    let mut prefill = inputs.clone();
    prefill.workload.osl = 1;
    prefill
}

/// The fewest GPUs any worker needs: the smallest worker size whose GPUs together can hold the
/// whole model's weights once (`None`: no size can, and every layout is rejected on memory).
pub fn smallest_worker(inputs: &PlannerInputs, sizes: &[u32]) -> Option<u32> {
    let m = &inputs.model;
    let whole = Layout::new(1, 1, 1, 1, 1).ok()?;
    let weights = weights::layers_bytes(m, &m.layers, &whole, inputs.precision.weights).total()
        + weights::embedding_bytes(m, 0, 1, 1)
        + weights::vision_bytes(m, 0, 1);
    let gpus = weights.value() / inputs.cluster.gpu.memory.value();
    sizes.iter().copied().find(|&s| s as f64 >= gpus)
}

/// Judge every worker layout of every size once per role, keeping the undominated ones; the
/// sizes no pair can hold are counted, not judged (`Unpaired`).
pub fn judge(inputs: &PlannerInputs, prefill_inputs: &PlannerInputs) -> Workers {
    let mut workers =
        Workers { prefill: Vec::new(), decode: Vec::new(), rejected: Vec::new(), judged: 0, unpaired: Vec::new() };
    let mut prefill_front = Front { kept: Vec::new() };
    let mut decode_front = Front { kept: Vec::new() };
    let moe = inputs.model.is_moe();
    let total = inputs.cluster.total_gpus();
    let sizes = worker_sizes(&inputs.cluster);
    let smallest = smallest_worker(inputs, &sizes);
    let mut prefill_evaluator = Evaluator::new(prefill_inputs);
    let mut decode_evaluator = Evaluator::new(inputs);
    for size in sizes {
        // Every size divides itself, and no size is fixed: the enumeration cannot fail.
        let layouts = enumerate(size, moe, &LayoutConstraint::default()).unwrap_or_default();
        let layouts = layouts.into_iter().filter(|l| l.dp == 1 || moe);
        if let Some(smallest) = smallest.filter(|&s| size + s > total) {
            let mut layouts = layouts;
            if let Some(example) = layouts.next() {
                let count = 1 + layouts.count() as u32;
                workers.unpaired.push(Unpaired { size, layouts: count, example, left: total - size, smallest });
            }
            continue;
        }
        for layout in layouts {
            workers.judged += 2;
            let gpus = layout.gpus();
            match prefill_evaluator.prepare(layout) {
                Ok(prepared) => match prefill(prefill_inputs, prepared) {
                    Ok(w) => prefill_front.offer(gpus, w.capacity, w.time, w),
                    Err(reason) => workers.rejected.push(RejectedWorker { role: Role::Prefill, layout, reason }),
                },
                Err(e) => workers.rejected.push(rejected(Role::Prefill, &e)),
            }
            match decode_evaluator.prepare_after(layout, &prefill_evaluator) {
                Ok(prepared) => match decode(inputs, prepared) {
                    Ok(w) => decode_front.offer(gpus, w.capacity, w.tpot, w),
                    Err(reason) => workers.rejected.push(RejectedWorker { role: Role::Decode, layout, reason }),
                },
                Err(e) => workers.rejected.push(rejected(Role::Decode, &e)),
            }
        }
    }
    workers.prefill = prefill_front.workers();
    workers.decode = decode_front.workers();
    workers
}

fn rejected(role: Role, e: &Evaluation) -> RejectedWorker {
    RejectedWorker { role, layout: e.layout, reason: first_reason(e) }
}

/// The first reason a layout was rejected for, as the workers' report names it.
pub fn first_reason(e: &Evaluation) -> RejectReason {
    e.reasons().first().copied().unwrap_or(RejectReason::LayersNotDivisible { pp: e.layout.pp, layers: 0 })
}

/// A prefill worker's batch, time and capacity (module doc), or why it cannot serve.
pub fn prefill(inputs: &PlannerInputs, prepared: Prepared) -> Result<PrefillWorker, RejectReason> {
    let cost = prepared.cost(inputs, &inputs.params);
    let isl = inputs.workload.isl as f64;
    let pp = cost.pp as f64;
    let limits = prepared.limits;
    let budget = limits.max_batch_tokens.max(1) as f64;
    let kv = limits.kv_max_requests.floor();
    let no_room = RejectReason::KvCacheTooSmall {
        need: prepared.memory.kv_bytes_per_request,
        have: prepared.memory.kv_capacity,
    };
    if kv < 1.0 {
        return Err(no_room);
    }
    // (time of one request, capacity per replica, step, batch) at k prompts per step.
    let at = |k: f64| -> (Seconds, f64, StepTime, Batch) {
        if isl > budget {
            let (time, step) = cost.prefill(isl, budget);
            let batch = Batch::prefill(isl / (isl / budget).ceil(), isl);
            let in_flight = pp.min(kv);
            (time, in_flight / time.value().max(f64::MIN_POSITIVE), step, batch)
        } else {
            let batch = Batch::prefill(k * isl, isl);
            let step = cost.step(&batch);
            let in_flight = pp.min((kv / k).floor()).max(1.0);
            (step.total * pp, in_flight * k / (pp * step.total.value()).max(f64::MIN_POSITIVE), step, batch)
        }
    };
    let most = if isl > budget {
        1.0
    } else {
        (budget / isl).floor().min(limits.max_batch_requests as f64).min(kv).max(1.0)
    };
    let meets = |k: f64| inputs.workload.sla.ttft.is_none_or(|limit| at(k).0 <= limit);
    let k = if meets(most) {
        most
    } else if !meets(1.0) {
        let (time, ..) = at(1.0);
        return Err(RejectReason::SlaTtft { ttft: time, limit: inputs.workload.sla.ttft.unwrap_or(time) });
    } else {
        largest(1.0, most, meets)
    };
    let (time, capacity, step, step_batch) = at(k);
    Ok(PrefillWorker { batch: k, time, capacity: capacity * cost.dp as f64, step, step_batch, prepared })
}

/// A decode worker's largest batch, TPOT and capacity (module doc), or why it cannot serve.
pub fn decode(inputs: &PlannerInputs, prepared: Prepared) -> Result<DecodeWorker, RejectReason> {
    let cost = prepared.cost(inputs, &inputs.params);
    let limits = prepared.limits;
    let pp = cost.pp as f64;
    let kv = limits.kv_max_requests.floor();
    let requests = pp * limits.max_batch_requests as f64;
    let tokens = pp * limits.max_batch_tokens as f64;
    let (upper, mut limit) = if kv <= requests.min(tokens) {
        (kv, "kv-cache")
    } else if requests <= tokens {
        (requests, "batch-requests")
    } else {
        (tokens, "batch-tokens")
    };
    if upper < 1.0 {
        return Err(RejectReason::KvCacheTooSmall {
            need: prepared.memory.kv_bytes_per_request,
            have: prepared.memory.kv_capacity,
        });
    }
    let meets = |b: f64| inputs.workload.sla.tpot.is_none_or(|l| decode_step(&cost, inputs, b).0 <= l);
    let batch = if meets(upper) {
        upper
    } else if !meets(1.0) {
        let tpot = decode_step(&cost, inputs, 1.0).0;
        return Err(RejectReason::SlaTpot { tpot, limit: inputs.workload.sla.tpot.unwrap_or(tpot) });
    } else {
        limit = "sla-tpot";
        largest(1.0, upper, meets)
    };
    let (tpot, step, step_batch) = decode_step(&cost, inputs, batch);
    let osl = inputs.workload.osl.max(1) as f64;
    let capacity = cost.dp as f64 * batch / (osl * tpot.value().max(f64::MIN_POSITIVE));
    Ok(DecodeWorker { batch, limit, tpot, capacity, step, step_batch, prepared })
}

/// TPOT, the step and its batch of a replica decoding `b` requests (`b` may be fractional: a
/// mean) at the mean context ISL + OSL/2, over `min(b, pp)` micro-batches.
pub fn decode_step(cost: &StageCost, inputs: &PlannerInputs, b: f64) -> (Seconds, StepTime, Batch) {
    let w = &inputs.workload;
    let pp = cost.pp as f64;
    let micro = b.clamp(1.0, pp);
    let batch = Batch::decode(b.max(0.0) / micro, w.isl as f64 + w.osl as f64 / 2.0);
    let step = cost.step(&batch);
    (step.total * pp, step, batch)
}

/// The largest whole `n` in `[lo, hi]` with `ok(n)`, given `ok(lo)` and `!ok(hi)` (bisection;
/// `ok` is monotone: true up to a point).
fn largest(lo: f64, hi: f64, ok: impl Fn(f64) -> bool) -> f64 {
    let (mut lo, mut hi) = (lo, hi);
    while hi - lo > 1.0 {
        let mid = ((lo + hi) / 2.0).floor();
        if ok(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}
