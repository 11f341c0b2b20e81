//! Memory of the most loaded GPU for a layout: weights, KV cache, activations, runtime
//! overhead, and the engine's rule that turns what is left into KV-cache capacity and a number
//! of requests.
//!
//! Design decision: the parts are separate functions over plain inputs — divisibility
//! (`divisibility::check`), stage ranges (`stages::stage_layers`), weight bytes per GPU
//! (`weights::per_stage`), KV bytes per token and per request per GPU (`kv`), activations and
//! overhead (`runtime`), the engine's budget (`budget`) — so the performance model reads the
//! same weight and KV bytes for its memory traffic. `per_gpu` only composes them.

pub mod budget;
pub mod divisibility;
pub mod kv;
pub mod runtime;
pub mod stages;
pub mod weights;

#[cfg(test)]
mod tests;

use crate::engine::EngineProfile;
use crate::gpu::Cluster;
use crate::layout::Layout;
use crate::model::{Layer, ModelSpec};
use crate::plan::MemoryGib;
use crate::precision::{KvPrecision, Precisions};
use crate::reject::RejectReason;
use crate::units::Bytes;
use crate::workload::Workload;
use std::ops::Range;

pub use stages::stage_layers;

/// Memory of the most loaded GPU: the GPU of the pipeline stage that runs out of KV cache
/// first (fewest requests at ISL + OSL; where the weights do not fit, the stage furthest over).
#[derive(Debug, Clone, PartialEq)]
pub struct MemoryPlan {
    /// Index of that GPU's pipeline stage.
    pub stage: usize,
    /// The GPU's memory.
    pub capacity: Bytes,
    /// Weight bytes on that GPU, and their parts.
    pub weights: Bytes,
    pub weight_parts: weights::WeightBytes,
    /// Peak transient memory of a step of `max_batch_tokens` tokens.
    pub activations: Bytes,
    /// Fixed runtime memory, and its parts.
    pub overhead: Bytes,
    pub overhead_parts: runtime::Overhead,
    /// The engine's memory fraction for this layout.
    pub memory_fraction: f64,
    /// The most the weights may take under the engine's rule.
    pub weight_room: Bytes,
    /// The KV-cache pool (0 when the weights do not fit).
    pub kv_capacity: Bytes,
    /// What no part claims: `capacity − weights − kv_capacity − activations − overhead`.
    pub free: Bytes,
    /// KV bytes per token on this GPU at full-attention cost (windows ignored).
    pub kv_bytes_per_token: Bytes,
    /// `kv_capacity / kv_bytes_per_token`: tokens the pool holds at full-attention cost.
    pub kv_tokens: f64,
    /// KV bytes of one request of ISL + OSL tokens on this GPU (windows applied).
    pub kv_bytes_per_request: Bytes,
    /// Requests of ISL + OSL tokens that fit at once in one data-parallel replica
    /// (`tp × pp` GPUs); `u64::MAX` when the model caches nothing per token.
    pub max_requests_per_replica: u64,
    /// The same for the whole cluster: `dp` replicas.
    pub max_requests: u64,
}

impl MemoryPlan {
    /// Why this GPU cannot serve: weights over the engine's room, or not one request of KV
    /// cache. Empty when it can.
    pub fn rejections(&self) -> Vec<RejectReason> {
        if self.weights > self.weight_room {
            vec![RejectReason::WeightsDoNotFit { need: self.weights, have: self.weight_room }]
        } else if self.max_requests_per_replica == 0 {
            vec![RejectReason::KvCacheTooSmall {
                need: self.kv_bytes_per_request,
                have: self.kv_capacity,
            }]
        } else {
            Vec::new()
        }
    }

    /// The plan's `memory_per_gpu_gib`.
    pub fn gib(&self) -> MemoryGib {
        MemoryGib {
            weights: self.weights.gib(),
            vision_encoder: self.weight_parts.vision.gib(),
            kv_cache: self.kv_capacity.gib(),
            activations: self.activations.gib(),
            overhead: self.overhead.gib(),
            free: self.free.gib(),
            capacity: self.capacity.gib(),
        }
    }
}

/// Indices of the layers that differ from the layer before them (the first always): a model of
/// one repeated block has one or two.
pub fn distinct_layers(layers: &[Layer]) -> Vec<usize> {
    (0..layers.len()).filter(|&i| i == 0 || layers[i] != layers[i - 1]).collect()
}

/// What every stage of a layout holds that does not depend on its expert parallelism: the
/// stages' layer ranges (from `pp`), one GPU's weights (from `tp`, `tp × dp` and `pp`) and KV
/// bytes per token and per request (from `tp` and `pp`). A search builds it once for all the
/// layouts that differ only in `ep`; `breakdown` builds it for one.
#[derive(Debug, Clone, PartialEq)]
pub struct StageParts {
    pub stages: Vec<Range<usize>>,
    pub weights: Vec<weights::WeightBytes>,
    pub kv_bytes_per_token: Vec<Bytes>,
    pub kv_bytes_per_request: Vec<Bytes>,
}

impl StageParts {
    /// The parts of `layout`.
    pub fn new(
        model: &ModelSpec,
        layout: &Layout,
        precision: Precisions,
        engine: &EngineProfile,
        workload: &Workload,
    ) -> StageParts {
        let context = workload.max_context();
        let stages = stage_layers(model, layout.pp, engine.pp_partition);
        let weights = weights::per_stage(model, &stages, layout, precision.weights);
        let layers = |r: &Range<usize>| &model.layers[r.clone()];
        StageParts {
            kv_bytes_per_token: stages.iter().map(|r| kv::bytes_per_token(layers(r), layout.tp, precision.kv)).collect(),
            kv_bytes_per_request: stages
                .iter()
                .map(|r| kv::bytes_per_request(layers(r), layout.tp, precision.kv, context))
                .collect(),
            stages,
            weights,
        }
    }

    /// These parts (built for `layout`) with the KV bytes per request at another `context`.
    pub fn with_context(&self, model: &ModelSpec, layout: &Layout, kv: KvPrecision, context: u64) -> StageParts {
        StageParts {
            stages: self.stages.clone(),
            weights: self.weights.clone(),
            kv_bytes_per_token: self.kv_bytes_per_token.clone(),
            kv_bytes_per_request: self
                .stages
                .iter()
                .map(|r| kv::bytes_per_request(&model.layers[r.clone()], layout.tp, kv, context))
                .collect(),
        }
    }

    /// Whether these parts serve `layout` too: the same `tp`, `pp` and `dp` (only `ep` differs).
    pub fn serves(&self, built_for: &Layout, layout: &Layout) -> bool {
        (built_for.tp, built_for.pp, built_for.dp) == (layout.tp, layout.pp, layout.dp)
    }
}

/// The memory breakdown of the most loaded GPU, whether or not it fits; `Err` only when the
/// layout cannot split the model at all (`divisibility::check`).
pub fn breakdown(
    model: &ModelSpec,
    cluster: &Cluster,
    layout: &Layout,
    precision: Precisions,
    engine: &EngineProfile,
    workload: &Workload,
) -> Result<MemoryPlan, Vec<RejectReason>> {
    let reasons = divisibility::check(model, layout);
    if !reasons.is_empty() {
        return Err(reasons);
    }
    let parts = StageParts::new(model, layout, precision, engine, workload);
    breakdown_with(model, cluster, layout, engine, &parts, &distinct_layers(&model.layers))
}

/// `breakdown` of a layout that divides, from its `StageParts` (which must have been built for
/// a layout with the same `tp`, `pp` and `dp`) and the model's `distinct_layers` (an activation
/// peak is a maximum over layers, so a layer like the one before need not be visited).
pub fn breakdown_with(
    model: &ModelSpec,
    cluster: &Cluster,
    layout: &Layout,
    engine: &EngineProfile,
    parts: &StageParts,
    distinct: &[usize],
) -> Result<MemoryPlan, Vec<RejectReason>> {
    let capacity = cluster.gpu.memory;
    let fraction = engine.memory_fraction(capacity, layout, model);
    let overhead = runtime::overhead(model, layout, engine);
    let stages = &parts.stages;
    let last = stages.len().saturating_sub(1);
    // Each stage's activation peak, KV budget and signed headroom in requests (to find the
    // binding stage even when nothing fits); the plan is then written for the binding stage.
    let stage = |i: usize| {
        let range = &stages[i];
        let inside = distinct.iter().copied().filter(|&l| l > range.start && l < range.end);
        let activations = runtime::activation_bytes_of(
            model,
            range.clone().take(1).chain(inside).map(|l| &model.layers[l]),
            layout,
            i == last,
            engine.max_batch_tokens,
            engine.max_batch_requests,
        );
        let weights = parts.weights[i].total();
        let budget =
            budget::kv_budget(engine.memory_rule, fraction, capacity, weights, activations, &overhead);
        let per_request = parts.kv_bytes_per_request[i].value();
        let headroom = if per_request > 0.0 { budget.kv.value() / per_request } else { f64::INFINITY };
        (headroom, weights, activations, budget)
    };
    let binding = (0..parts.weights.len())
        .map(|i| (i, stage(i)))
        .min_by(|(_, a), (_, b)| a.0.total_cmp(&b.0).then(b.1.value().total_cmp(&a.1.value())));
    let Some((i, (_, weights, activations, budget))) = binding else {
        return Err(vec![RejectReason::LayersNotDivisible { pp: layout.pp, layers: model.num_layers() }]);
    };
    let kv_capacity = budget.kv.max(Bytes::ZERO);
    let kv_bytes_per_token = parts.kv_bytes_per_token[i];
    let kv_bytes_per_request = parts.kv_bytes_per_request[i];
    let per_request = kv_bytes_per_request.value();
    let max_requests_per_replica =
        if per_request > 0.0 { (kv_capacity.value() / per_request).floor() as u64 } else { u64::MAX };
    Ok(MemoryPlan {
        stage: i,
        capacity,
        weights,
        weight_parts: parts.weights[i],
        activations,
        overhead: overhead.total(),
        overhead_parts: overhead,
        memory_fraction: fraction,
        weight_room: budget.room,
        kv_capacity,
        free: capacity - weights - kv_capacity - activations - overhead.total(),
        kv_bytes_per_token,
        kv_tokens: if kv_bytes_per_token.value() > 0.0 { kv_capacity.value() / kv_bytes_per_token.value() } else { 0.0 },
        kv_bytes_per_request,
        max_requests_per_replica,
        max_requests: max_requests_per_replica.saturating_mul(layout.dp as u64),
    })
}

/// The memory plan of the most loaded GPU if the layout fits, or every reason it does not.
pub fn per_gpu(
    model: &ModelSpec,
    cluster: &Cluster,
    layout: &Layout,
    precision: Precisions,
    engine: &EngineProfile,
    workload: &Workload,
) -> Result<MemoryPlan, Vec<RejectReason>> {
    let plan = breakdown(model, cluster, layout, precision, engine, workload)?;
    let reasons = plan.rejections();
    if reasons.is_empty() {
        Ok(plan)
    } else {
        Err(reasons)
    }
}
