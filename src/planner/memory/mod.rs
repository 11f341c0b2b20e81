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

use crate::planner::engine::EngineProfile;
use crate::planner::gpu::Cluster;
use crate::planner::layout::Layout;
use crate::planner::model::ModelSpec;
use crate::planner::plan::MemoryGib;
use crate::planner::precision::Precisions;
use crate::planner::reject::RejectReason;
use crate::planner::units::Bytes;
use crate::planner::workload::Workload;

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
            kv_cache: self.kv_capacity.gib(),
            activations: self.activations.gib(),
            overhead: self.overhead.gib(),
            free: self.free.gib(),
            capacity: self.capacity.gib(),
        }
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
    let capacity = cluster.gpu.memory;
    let fraction = engine.memory_fraction(capacity, layout, model);
    let overhead = runtime::overhead(model, layout, engine);
    let context = workload.max_context();
    let stages = stage_layers(model, layout.pp, engine.pp_partition);
    let stage_weights = weights::per_stage(model, &stages, layout, precision.weights);
    let last = stages.len().saturating_sub(1);
    let plans = stages.iter().zip(stage_weights).enumerate().map(|(i, (range, w))| {
        let layers = &model.layers[range.clone()];
        let activations = runtime::activation_bytes(
            model,
            layers,
            layout,
            i == last,
            engine.max_batch_tokens,
            engine.max_batch_requests,
        );
        let weights = w.total();
        let budget =
            budget::kv_budget(engine.memory_rule, fraction, capacity, weights, activations, &overhead);
        let kv_capacity = budget.kv.max(Bytes::ZERO);
        let kv_bytes_per_token = kv::bytes_per_token(layers, layout.tp, precision.kv);
        let kv_bytes_per_request = kv::bytes_per_request(layers, layout.tp, precision.kv, context);
        let per_request = kv_bytes_per_request.value();
        // Signed headroom in requests, to find the binding stage even when nothing fits.
        let headroom = if per_request > 0.0 { budget.kv.value() / per_request } else { f64::INFINITY };
        let max_requests_per_replica =
            if per_request > 0.0 { (kv_capacity.value() / per_request).floor() as u64 } else { u64::MAX };
        let plan = MemoryPlan {
            stage: i,
            capacity,
            weights,
            weight_parts: w,
            activations,
            overhead: overhead.total(),
            overhead_parts: overhead,
            memory_fraction: fraction,
            weight_room: budget.room,
            kv_capacity,
            free: capacity - weights - kv_capacity - activations - overhead.total(),
            kv_bytes_per_token,
            kv_tokens: if kv_bytes_per_token.value() > 0.0 {
                kv_capacity.value() / kv_bytes_per_token.value()
            } else {
                0.0
            },
            kv_bytes_per_request,
            max_requests_per_replica,
            max_requests: max_requests_per_replica.saturating_mul(layout.dp as u64),
        };
        (headroom, plan)
    });
    let binding = plans
        .min_by(|a, b| a.0.total_cmp(&b.0).then(b.1.weights.value().total_cmp(&a.1.weights.value())))
        .map(|(_, plan)| plan);
    binding.ok_or_else(|| {
        vec![RejectReason::LayersNotDivisible { pp: layout.pp, layers: model.num_layers() }]
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
