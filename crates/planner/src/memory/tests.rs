//! End-to-end memory plans and property tests over random models and layouts.

use super::*;
use crate::engine::{profile, tests::gpu, Engine, PpPartition};
use crate::gpu::{Cluster, GpuSpec};
use crate::model::fixtures::*;
use crate::model::{Attention, CompressedAttention, DenseFfn, FeedForward, GqaDims, Indexer, Layer, Mamba2, Mla, MoeFfn};
use crate::precision::{KvPrecision, WeightPrecision};
use crate::units::GIB;
use crate::workload::{Arrivals, Load, Priority, Sla};
use proptest::prelude::*;

fn cluster(gpu: GpuSpec, gpus: u32) -> Cluster {
    Cluster { gpu, nodes: 1, gpus_per_node: gpus }
}

fn workload(isl: u32, osl: u32) -> Workload {
    Workload { isl, osl, load: Load::MaxThroughput, arrivals: Arrivals::Staggered, sla: Sla::default(), priority: Priority::Throughput }
}

const BF16: Precisions = Precisions { weights: WeightPrecision::Bf16, kv: KvPrecision::Bf16 };

#[test]
fn llama_70b_tp8_on_h100_with_vllm() {
    let m = llama_3_1_70b();
    let h100 = gpu("h100-sxm", 80.0);
    let engine = profile(Engine::Vllm, &h100, None).unwrap();
    let layout = Layout::new(8, 1, 2, 1, 16).unwrap();
    let plan = per_gpu(&m, &cluster(h100, 16), &layout, BF16, &engine, &workload(2048, 512)).unwrap();
    // Weights: 17,640,734,720 bytes (weights::tests); KV per token per GPU 40,960 bytes; a
    // request of 2560 tokens 104,857,600 bytes.
    assert_eq!(plan.weights.value(), 17_640_734_720.0);
    assert_eq!(plan.kv_bytes_per_token.value(), 40_960.0);
    assert_eq!(plan.kv_bytes_per_request.value(), 104_857_600.0);
    // vLLM: KV = 0.92 × 80 GiB − weights − activations − 1 GiB NCCL − 512 × 2 MiB graphs.
    let expected = 0.92 * 80.0 * GIB - 17_640_734_720.0 - plan.activations.value() - 2.0 * GIB;
    assert!((plan.kv_capacity.value() - expected).abs() < 1.0, "{plan:?}");
    let parts = plan.weights + plan.kv_capacity + plan.activations + plan.overhead + plan.free;
    assert!((parts.value() - plan.capacity.value()).abs() < 1.0);
    assert_eq!(plan.max_requests_per_replica, (expected / 104_857_600.0).floor() as u64);
    assert_eq!(plan.max_requests, 2 * plan.max_requests_per_replica);
    let gib = plan.gib();
    assert!((gib.weights - 16.429).abs() < 1e-3 && gib.capacity == 80.0, "{gib:?}");
}

#[test]
fn rejections_name_what_does_not_fit() {
    let m = llama_3_1_70b();
    let h100 = gpu("h100-sxm", 80.0);
    let engine = profile(Engine::Vllm, &h100, None).unwrap();
    let one = Layout::new(1, 1, 1, 1, 1).unwrap();
    let err = per_gpu(&m, &cluster(h100.clone(), 1), &one, BF16, &engine, &workload(2048, 512))
        .unwrap_err();
    assert!(matches!(err[..], [RejectReason::WeightsDoNotFit { .. }]), "{err:?}");
    // The breakdown is still there for the page.
    let plan = breakdown(&m, &cluster(h100.clone(), 1), &one, BF16, &engine, &workload(2048, 512))
        .unwrap();
    assert_eq!(plan.kv_capacity, Bytes::ZERO);
    assert!(plan.free.value() < 0.0);
    // TP 2 fits the weights (65.7 GiB) but not one 128k-token request (20 GiB at TP 2).
    let tp2 = Layout::new(2, 1, 1, 1, 2).unwrap();
    let err = per_gpu(&m, &cluster(h100.clone(), 2), &tp2, BF16, &engine, &workload(120_000, 8_000))
        .unwrap_err();
    assert!(matches!(err[..], [RejectReason::KvCacheTooSmall { .. }]), "{err:?}");
    // Divisibility comes first.
    let tp3 = Layout::new(3, 1, 1, 1, 3).unwrap();
    let err = per_gpu(&m, &cluster(h100, 3), &tp3, BF16, &engine, &workload(1, 1)).unwrap_err();
    assert_eq!(err[0].code(), "heads-not-divisible");
}

#[test]
fn gpt_oss_120b_fits_one_h100_at_fp4_with_window_savings() {
    let m = gpt_oss_120b();
    let h100 = gpu("h100-sxm", 80.0);
    let engine = profile(Engine::Vllm, &h100, None).unwrap();
    let fp4 = Precisions { weights: WeightPrecision::Fp4, kv: KvPrecision::Bf16 };
    let plan = per_gpu(&m, &cluster(h100, 1), &Layout::new(1, 1, 1, 1, 1).unwrap(), fp4, &engine, &workload(4096, 4096))
        .unwrap();
    // 8192-token request: 306,708,480 bytes (kv::tests), not 36 × 2048 × 8192.
    assert_eq!(plan.kv_bytes_per_request.value(), 306_708_480.0);
    assert!(plan.weights.gib() > 60.0 && plan.weights.gib() < 66.0, "{}", plan.weights.gib());
}

#[test]
fn pipeline_binding_stage_is_the_one_with_more_layers() {
    // DeepSeek-V3's 61 layers over PP 2 with vLLM: [31, 30]; the first stage holds 31 layers.
    let m = deepseek_v3();
    let b200 = gpu("b200", 180.0);
    let engine = profile(Engine::Vllm, &b200, None).unwrap();
    let fp8 = Precisions { weights: WeightPrecision::Fp8, kv: KvPrecision::Bf16 };
    let layout = Layout::new(8, 2, 1, 1, 16).unwrap();
    let plan = per_gpu(&m, &cluster(b200, 16), &layout, fp8, &engine, &workload(4096, 1024)).unwrap();
    assert_eq!(plan.stage, 0);
    assert_eq!(plan.kv_bytes_per_token.value(), 576.0 * 31.0 * 2.0);
}

fn attention() -> impl Strategy<Value = Attention> {
    prop_oneof![
        (1u32..=128, 1u32..=16, 1u32..=256, any::<bool>()).prop_map(|(heads, kv, head_dim, bias)| {
            Attention::Gqa { heads, kv_heads: kv.min(heads), head_dim, bias, values_from_keys: false, indexer: None }
        }),
        (1u32..=128, proptest::option::of(1u32..=2048), 0u32..=1024, 0u32..=128, 0u32..=128, 0u32..=64, 0u32..=256)
            .prop_map(|(heads, q_lora_rank, kv_lora_rank, qk_nope_head_dim, qk_rope_head_dim, _, v_head_dim)| {
                Attention::Mla(Mla { heads, q_lora_rank, kv_lora_rank, qk_nope_head_dim, qk_rope_head_dim, v_head_dim, indexer: None, output_gate: false })
            }),
        mamba2(),
        compressed().prop_map(Attention::Compressed),
        (1u32..=128, 1u32..=16, 1u32..=256, 1u32..=256, any::<bool>()).prop_map(|(heads, kv, qk_head_dim, v_head_dim, head_gate)| {
            Attention::GqaDims(GqaDims { heads, kv_heads: kv.min(heads), qk_head_dim, v_head_dim, head_gate })
        }),
    ]
}

fn mamba2() -> impl Strategy<Value = Attention> {
    (1u32..=256, 1u32..=128, 1u32..=16, 1u32..=256, 1u32..=8, any::<bool>(), 1u32..=512, proptest::sample::select(vec![2u32, 4]))
        .prop_map(|(heads, head_dim, groups, state_size, conv_kernel, bias, chunk_size, state_element_bytes)| {
            Attention::Mamba2(Mamba2 {
                heads,
                head_dim,
                groups,
                state_size,
                conv_kernel,
                conv_bias: bias,
                projection_bias: bias,
                chunk_size,
                state_element_bytes,
            })
        })
}

/// DeepSeek-V4 attention of any shape: the head groups divide the heads, an indexer on the
/// ratio-4 layers.
pub(crate) fn compressed() -> impl Strategy<Value = CompressedAttention> {
    (
        (1u32..=16, 1u32..=8, 1u32..=1024, 0u32..=128, 1u32..=2048, 1u32..=2048),
        (1u64..=4096, proptest::sample::select(vec![0u32, 4, 128]), (1u32..=64, 1u32..=256, 1u64..=4096), 1u32..=8),
    )
        .prop_map(|((groups, per_group, head_dim, rope_dim, q_lora_rank, o_lora_rank), (window, ratio, (ih, id, topk), streams))| {
            CompressedAttention {
                heads: groups * per_group,
                head_dim,
                rope_dim: rope_dim.min(head_dim),
                q_lora_rank,
                o_groups: groups,
                o_lora_rank,
                window,
                ratio,
                indexer: (ratio == 4).then_some(Indexer { heads: ih, head_dim: id, topk, kind: crate::model::IndexerKind::DeepSeek }),
                streams,
            }
        })
}

fn ffn() -> impl Strategy<Value = FeedForward> {
    prop_oneof![
        (0u64..=65536, any::<bool>(), any::<bool>())
            .prop_map(|(intermediate, gated, bias)| FeedForward::Dense(DenseFfn { intermediate, gated, bias })),
        (1u32..=512, 1u32..=16, 0u64..=8192, 0u64..=8192, any::<bool>()).prop_map(
            |(experts, k, expert_intermediate, shared_intermediate, bias)| {
                FeedForward::Moe(MoeFfn {
                    experts,
                    experts_per_token: k.min(experts),
                    expert_intermediate,
                    shared_intermediate,
                    bias,
                    gated: true,
                    latent: None,
                })
            }
        ),
    ]
}

fn model() -> impl Strategy<Value = ModelSpec> {
    model_with(attention())
}

/// Random models of one layer repeated, alternating only the window; or, `hybrid`, one block
/// per layer (Nemotron-H): the mixer on even layers, the feed-forward block on odd ones.
fn model_with(attention: impl Strategy<Value = Attention>) -> impl Strategy<Value = ModelSpec> {
    (
        1u64..=16384,
        1u64..=300_000,
        any::<bool>(),
        attention,
        proptest::option::of(1u64..=8192),
        ffn(),
        1usize..=128,
        any::<bool>(),
        any::<bool>(),
        prop_oneof![Just(0u64), 1u64..=4_000_000_000],
    )
        .prop_map(|(hidden, vocab, tied, attention, window, ffn, layers, alternate, hybrid, vision_params)| {
            let layers = (0..layers)
                .map(|i| {
                    let window = if alternate && i % 2 == 1 { None } else { window };
                    match (hybrid, i % 2) {
                        (false, _) => Layer { attention, window, ffn },
                        (true, 0) => Layer { attention, window, ffn: FeedForward::None },
                        (true, _) => Layer { attention: Attention::None, window: None, ffn },
                    }
                })
                .collect();
            ModelSpec { name: "random".into(), hidden_size: hidden, vocab_size: vocab, tied_embeddings: tied, layers, vision_params }
        })
}

fn pow2(max_log: u32) -> impl Strategy<Value = u32> {
    (0..=max_log).prop_map(|e| 1u32 << e)
}

fn engine() -> impl Strategy<Value = Engine> {
    prop_oneof![Just(Engine::Vllm), Just(Engine::Sglang), Just(Engine::Trtllm)]
}

/// The model with heads and widths rounded up to multiples of 64 and KV heads to a power of
/// two, so every TP up to 64 splits it.
fn divisible_by_64(mut m: ModelSpec) -> ModelSpec {
    for layer in &mut m.layers {
        match &mut layer.attention {
            Attention::Gqa { heads, kv_heads, .. } => {
                *heads = heads.next_multiple_of(64);
                *kv_heads = kv_heads.next_power_of_two();
            }
            Attention::GqaDims(g) => {
                g.heads = g.heads.next_multiple_of(64);
                g.kv_heads = g.kv_heads.next_power_of_two();
            }
            Attention::Mla(m) => m.heads = m.heads.next_multiple_of(64),
            Attention::Linear(l) => {
                l.key_heads = l.key_heads.next_multiple_of(64);
                l.value_heads = l.value_heads.next_multiple_of(64);
            }
            // One group is replicated at any TP; more must split.
            Attention::Mamba2(m) => {
                m.heads = m.heads.next_multiple_of(64);
                if m.groups > 1 {
                    m.groups = m.groups.next_multiple_of(64);
                }
            }
            Attention::None => {}
            Attention::Compressed(c) => {
                c.heads = c.heads.next_multiple_of(64);
                c.o_groups = 64;
            }
        }
        match &mut layer.ffn {
            FeedForward::Dense(d) => d.intermediate = d.intermediate.next_multiple_of(64),
            FeedForward::Moe(e) => {
                e.expert_intermediate = e.expert_intermediate.next_multiple_of(64);
                e.shared_intermediate = e.shared_intermediate.next_multiple_of(64);
            }
            FeedForward::None => {}
        }
    }
    m
}

fn max_stage_weights(m: &ModelSpec, layout: &Layout, rule: PpPartition, p: WeightPrecision) -> f64 {
    let stages = stage_layers(m, layout.pp, rule);
    weights::per_stage(m, &stages, layout, p).iter().map(|w| w.total().value()).fold(0.0, f64::max)
}

fn all_rules() -> impl Strategy<Value = PpPartition> {
    prop_oneof![Just(PpPartition::BeforeLast), Just(PpPartition::Last), Just(PpPartition::First)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn no_panic_no_nan_no_negative_bytes(
        m in model(), tp in pow2(6), pp in pow2(5), dp in pow2(4), ep_log in 0u32..=10,
        engine_id in engine(), memory_gib in 1.0f64..400.0, isl in 1u32..=2_000_000, osl in 1u32..=100_000,
        w in proptest::sample::select(WeightPrecision::ALL.to_vec()), kv in proptest::sample::select(KvPrecision::ALL.to_vec()),
    ) {
        let ep = (1u32 << ep_log).min(tp * dp);
        let layout = Layout::new(tp, pp, dp, ep, tp * pp * dp).unwrap();
        let g = gpu("random", memory_gib);
        let engine = profile(engine_id, &g, None).unwrap();
        let result = breakdown(&m, &cluster(g, tp * pp * dp), &layout, Precisions { weights: w, kv }, &engine, &workload(isl, osl));
        if let Ok(plan) = result {
            for (name, b) in [
                ("weights", plan.weights), ("activations", plan.activations), ("overhead", plan.overhead),
                ("kv_capacity", plan.kv_capacity), ("kv_bytes_per_token", plan.kv_bytes_per_token),
                ("kv_bytes_per_request", plan.kv_bytes_per_request), ("capacity", plan.capacity),
            ] {
                prop_assert!(b.value().is_finite() && b.value() >= 0.0, "{name} = {:?}", b);
            }
            prop_assert!(plan.free.value().is_finite() && plan.weight_room.value().is_finite());
            prop_assert!(plan.kv_tokens.is_finite() && plan.kv_tokens >= 0.0);
            prop_assert!((0.0..=1.0).contains(&plan.memory_fraction));
            if plan.rejections().is_empty() {
                prop_assert!(plan.free.value() >= -1e-3 * GIB, "free {:?}", plan.free);
            }
        }
    }

    #[test]
    fn weight_bytes_never_grow_with_tp(m in model(), tp in pow2(3), k in pow2(3), rule in all_rules()) {
        let m = divisible_by_64(m);
        let small = Layout::new(tp, 1, 1, 1, tp).unwrap();
        let large = Layout::new(tp * k, 1, 1, 1, tp * k).unwrap();
        prop_assert!(divisibility::check(&m, &large).is_empty());
        let a = max_stage_weights(&m, &small, rule, WeightPrecision::Bf16);
        let b = max_stage_weights(&m, &large, rule, WeightPrecision::Bf16);
        prop_assert!(b <= a * (1.0 + 1e-12), "tp {tp}: {a}, tp {}: {b}", tp * k);
    }

    #[test]
    fn weight_bytes_never_grow_with_pp(m in model(), pp in 1u32..=16, more in 1u32..=16, rule in all_rules()) {
        // Same layer everywhere (the `model()` strategy repeats one layer, alternating only the
        // window, unless hybrid), so any deeper pipeline holds no more on its heaviest stage.
        let deeper = pp + more;
        prop_assume!(deeper as usize <= m.layers.len() && m.layers.iter().all(|l| l.blocks() == 2));
        let a = max_stage_weights(&m, &Layout::new(1, pp, 1, 1, pp).unwrap(), rule, WeightPrecision::Bf16);
        let b = max_stage_weights(&m, &Layout::new(1, deeper, 1, 1, deeper).unwrap(), rule, WeightPrecision::Bf16);
        prop_assert!(b <= a * (1.0 + 1e-12), "pp {pp}: {a}, pp {deeper}: {b}");
    }

    /// A model whose mixers are all Mamba2 keeps the same state per request at any context:
    /// the memory plan's bytes per request are the same for a short and a long request, and
    /// not zero.
    #[test]
    fn mamba_state_does_not_grow_with_context(
        m in model_with(mamba2()), tp in pow2(6), short in 1u32..=4096, longer in 1u32..=1_000_000,
    ) {
        let m = divisible_by_64(m);
        let layout = Layout::new(tp, 1, 1, 1, tp).unwrap();
        let g = gpu("random", 400.0);
        let engine = profile(Engine::Sglang, &g, None).unwrap();
        let plan = |isl: u32| breakdown(&m, &cluster(g.clone(), tp), &layout, BF16, &engine, &workload(isl, 1)).unwrap();
        let (a, b) = (plan(short).kv_bytes_per_request, plan(short + longer).kv_bytes_per_request);
        prop_assert!(a.value() > 0.0, "state {a:?}");
        prop_assert_eq!(a, b, "ISL {} and {}", short, short + longer);
    }
}

/// Visiting only the layers that differ from the one before (`distinct_layers`) gives the same
/// divisibility reasons, in the same order, and the same memory plan as visiting every layer:
/// for every catalog model, over layouts of 16 GPUs with every ep.
#[test]
fn distinct_layers_give_the_same_reasons_and_plans_as_every_layer() {
    let h100 = gpu("h100-sxm", 80.0);
    let c = cluster(h100.clone(), 16);
    let mut compared = 0;
    for entry in crate::model::catalog::entries() {
        let m = entry.import().spec;
        let distinct = distinct_layers(&m.layers);
        let every: Vec<usize> = (0..m.layers.len()).collect();
        for engine in Engine::ALL {
            let e = profile(engine, &h100, None).unwrap();
            for l in crate::search::enumerate(16, m.is_moe(), &Default::default()).unwrap() {
                let reasons = divisibility::check_distinct(&m, &l, &distinct);
                assert_eq!(reasons, divisibility::check_distinct(&m, &l, &every), "{} {l}", m.name);
                if reasons.is_empty() {
                    let parts = StageParts::new(&m, &l, BF16, &e, &workload(1024, 256));
                    assert_eq!(
                        breakdown_with(&m, &c, &l, &e, &parts, &distinct),
                        breakdown_with(&m, &c, &l, &e, &parts, &every),
                        "{} {l}",
                        m.name
                    );
                    compared += 1;
                }
            }
        }
    }
    assert!(compared > 100, "{compared} plans compared");
}

proptest! {
    /// Compression never makes a DeepSeek-V4 layer's cache larger than the same layer
    /// uncompressed (every token's entry cached, as multi-head latent attention caches its
    /// latent): a token of context adds at most an entry to the compressed cache ((entry +
    /// key) / ratio), and a request of at least two windows holds at most `context × entry` —
    /// its window's `w·E` and its `c/r·(E + I)` are each at most `c·E/2` when the ratio is at
    /// least 4 and an indexer key is no wider than an entry (132 B against 584 B in DeepSeek-V4).
    /// Below two windows it can hold more, SGLang keeping the window and the compressed entries
    /// apart (`model::config::families::deepseek_v4::tests` pins a case).
    #[test]
    fn compression_never_makes_the_cache_larger_than_uncompressed(
        a in compressed(), kv in proptest::sample::select(KvPrecision::ALL.to_vec()), windows in 2u64..=64, extra in 0u64..=1 << 20,
    ) {
        let entry = a.entry_bytes(kv.bytes());
        prop_assume!(a.index_key_bytes() <= entry);
        prop_assert!(a.compressed_bytes_per_token(kv.bytes()) <= entry, "{a:?}");
        let context = windows * a.window + extra;
        let ffn = FeedForward::Dense(DenseFfn { intermediate: 1, gated: true, bias: false });
        let layer = Layer { attention: Attention::Compressed(a), window: None, ffn };
        let held = kv::bytes_per_request(&[layer], 1, kv, context) - kv::state_bytes_per_request(&layer, 1);
        let uncompressed = context as f64 * entry;
        prop_assert!(held.value() <= uncompressed, "{a:?} at {context} tokens: {} B against {uncompressed} B uncompressed", held.value());
    }
}
