//! The engine's memory rule: how much of a GPU the weights may take and what is left for the
//! KV cache.
//!
//! Design decision: each rule is written as the engine computes it, in two numbers — `room`, the
//! most the weights may take before the KV budget reaches zero, and the KV budget itself — and
//! the KV budget is never more than physically remains after every other part (an engine whose
//! fraction leaves too little for activations and graphs fails at start-up or on its first
//! large batch; the planner shows that as a smaller cache rather than a budget that cannot
//! exist).
//! - vLLM (`determine_available_memory`): KV = f × capacity − weights − activation peak −
//!   communication buffers − CUDA graphs; the CUDA context sits outside `f × capacity`.
//! - SGLang (`_profile_available_bytes`): KV = f × (capacity − memory in use before loading)
//!   − weights; activations and graphs live in the rest.
//! - TensorRT-LLM: KV = f × (capacity − weights − activations − overhead).

use crate::engine::MemoryRule;
use crate::units::Bytes;

use super::runtime::Overhead;

/// What the rule leaves for weights and for the KV cache on one GPU.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Budget {
    /// The most the weights may take: the weights fit when `weights ≤ room`.
    pub room: Bytes,
    /// KV-cache bytes; negative when the weights exceed `room`.
    pub kv: Bytes,
}

/// The KV budget of one GPU holding `weights`, under `rule` at memory fraction `fraction`.
pub fn kv_budget(
    rule: MemoryRule,
    fraction: f64,
    capacity: Bytes,
    weights: Bytes,
    activations: Bytes,
    overhead: &Overhead,
) -> Budget {
    let physical_room = capacity - activations - overhead.total();
    let (room, kv) = match rule {
        MemoryRule::FractionOfTotal => {
            let room =
                capacity * fraction - activations - overhead.communication - overhead.cuda_graphs;
            (room, room - weights)
        }
        MemoryRule::FractionOfFreeAtStart => {
            let room = (capacity - overhead.context - overhead.communication) * fraction;
            (room, room - weights)
        }
        MemoryRule::FractionOfFreeAfterLoad => {
            (physical_room, (physical_room - weights) * fraction)
        }
    };
    let room = room.min(physical_room);
    Budget { room, kv: kv.min(physical_room - weights) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{profile, Engine};
    use crate::layout::Layout;
    use crate::memory::{kv, runtime, weights};
    use crate::model::fixtures::*;
    use crate::model::ModelSpec;
    use crate::precision::{KvPrecision, WeightPrecision};
    use crate::engine::EngineOptionsInput;
    use crate::units::GIB;

    /// KV-pool tokens SGLang would allocate on `memory_gib` for `model` at TP `tp` with
    /// `mem_fraction_static` 0.9.
    fn sglang_tokens(model: &ModelSpec, memory_gib: f64, tp: u32) -> f64 {
        let gpu = crate::engine::tests::gpu("measured", memory_gib);
        let options = EngineOptionsInput { memory_fraction: Some(0.9), ..Default::default() };
        let engine = profile(Engine::Sglang, &gpu, Some(&options)).unwrap();
        let layout = Layout::new(tp, 1, 1, 1, tp).unwrap();
        let stages = crate::memory::stage_layers(model, 1, engine.pp_partition);
        let w = weights::per_stage(model, &stages, &layout, WeightPrecision::Bf16);
        let overhead = runtime::overhead(model, &layout, &engine);
        let budget = kv_budget(
            engine.memory_rule,
            0.9,
            gpu.memory,
            w[0].total(),
            Bytes::ZERO,
            &overhead,
        );
        budget.kv.value() / kv::bytes_per_token(&model.layers, tp, KvPrecision::Bf16).value()
    }

    #[test]
    fn sglang_pool_sizes_match_measured_runs() {
        // `server_info.max_total_num_tokens` of three SGLang runs in
        // data/bench-results/sglang, each with mem_fraction_static 0.9 and a bf16 model
        // and cache. `runtime::RUNTIME_BASE` and `COMM_BUFFERS_PER_8_GPUS` were fitted to these
        // runs, so this checks the chain (weights, KV per token, rule) reproduces them.
        let cases = [
            // Scicom llm-benchmaq tp8_dp1_Qwen3-8B: 8 × H100 SXM, TP 8, SGLang 0.5.9.
            ("Qwen3-8B H100 TP 8", qwen3_8b(), 80.0, 8, 3_944_182.0),
            // TonyLi15 sglang-benchmark agg_n100: GH200, TP 1, SGLang 0.5.5.post3.
            ("Qwen2.5-3B GH200 TP 1", qwen2_5_3b(), 96.0, 1, 2_301_720.0),
            // TonyLi15 sglang-benchmark pd_1p2d decode server: A100 80GB, TP 1, SGLang 0.5.6.
            ("Qwen2.5-3B A100 TP 1", qwen2_5_3b(), 80.0, 1, 1_893_103.0),
        ];
        let tolerance = 0.01;
        for (name, model, memory_gib, tp, measured) in cases {
            let predicted = sglang_tokens(&model, memory_gib, tp);
            let diff = (predicted - measured) / measured;
            assert!(
                diff.abs() <= tolerance,
                "{name}: expected {measured} tokens, actual {predicted:.0}, difference {:.2}%, \
                 tolerance {:.0}%",
                diff * 100.0,
                tolerance * 100.0
            );
        }
    }

    #[test]
    fn rules_differ_as_the_engines_do() {
        // 80 GiB, 40 GiB of weights, 2 GiB activations, overhead 1 + 1 + 1 GiB.
        let o = Overhead { context: Bytes(GIB), communication: Bytes(GIB), cuda_graphs: Bytes(GIB) };
        let (c, w, a) = (Bytes::from_gib(80.0), Bytes::from_gib(40.0), Bytes::from_gib(2.0));
        let gib = |b: Budget| (b.room.gib(), b.kv.gib());
        // vLLM: 0.9 × 80 − 2 − 1 − 1 = 68 room, 28 KV.
        let v = gib(kv_budget(MemoryRule::FractionOfTotal, 0.9, c, w, a, &o));
        assert!((v.0 - 68.0).abs() < 1e-9 && (v.1 - 28.0).abs() < 1e-9, "{v:?}");
        // SGLang: 0.9 × (80 − 2) = 70.2 room, 30.2 KV (activations and graphs in the rest).
        let s = gib(kv_budget(MemoryRule::FractionOfFreeAtStart, 0.9, c, w, a, &o));
        assert!((s.0 - 70.2).abs() < 1e-9 && (s.1 - 30.2).abs() < 1e-9, "{s:?}");
        // TensorRT-LLM: room 80 − 2 − 3 = 75, KV 0.9 × 35 = 31.5.
        let t = gib(kv_budget(MemoryRule::FractionOfFreeAfterLoad, 0.9, c, w, a, &o));
        assert!((t.0 - 75.0).abs() < 1e-9 && (t.1 - 31.5).abs() < 1e-9, "{t:?}");
        // A fraction of 1 cannot give the KV cache what activations and graphs need.
        let full = kv_budget(MemoryRule::FractionOfFreeAtStart, 1.0, c, w, a, &o);
        assert!((full.kv.gib() - 35.0).abs() < 1e-9, "{:?}", full.kv.gib());
    }
}
