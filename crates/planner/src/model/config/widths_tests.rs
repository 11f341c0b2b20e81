//! The configs whose layers have their own widths (`families::widths`, `families::nas`), read
//! from `data/model-configs/`: MiMo-V2-Flash, Step-3.7-Flash (flat, and nested as published)
//! and Llama-3.3-Nemotron-Super-49B; their shapes, cache and weights by hand, the TP checks of
//! their layer kinds, and the refusal of what the engines do not build.

use super::folder_tests::{configs_dir, import_file};
use super::*;
use crate::layout::Layout;
use crate::memory::{divisibility, kv};
use crate::model::{parse_config_text, Attention, FeedForward, GqaDims, ModelSpec};
use crate::precision::KvPrecision;
use crate::reject::RejectReason;
use serde_json::json;

fn imported(file: &str) -> ImportedModel {
    let name = file.trim_end_matches(".json").replace("--", "/");
    import_file(&name, &configs_dir().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn file_config(file: &str) -> Value {
    parse_config_text(&std::fs::read_to_string(configs_dir().join(file)).unwrap()).unwrap()
}

fn exact(what: &str, actual: f64, expected: f64) {
    println!("{what}: expected {expected}, actual {actual}, tolerance 0");
    assert_eq!(actual, expected, "{what}: expected {expected}, actual {actual}, tolerance 0");
}

fn gqa_dims(heads: u32, kv_heads: u32, qk_head_dim: u32, v_head_dim: u32, head_gate: bool) -> Attention {
    Attention::GqaDims(GqaDims { heads, kv_heads, qk_head_dim, v_head_dim, head_gate })
}

fn sliding_layers(s: &ModelSpec) -> Vec<usize> {
    (0..s.layers.len()).filter(|&i| s.layers[i].window.is_some()).collect()
}

/// MiMo-V2-Flash: 48 layers, full attention at layer 0 and every sixth (9 layers: 4 KV heads),
/// sliding attention on the other 39 (8 KV heads, 128 earlier tokens and the query: a window of
/// 129), keys of 192 and values of 128 everywhere. By hand:
/// - KV cache per token: a full layer 4 × (192 + 128) = 1,280 elements, a sliding layer
///   8 × 320 = 2,560; 9 × 1,280 + 39 × 2,560 = 111,360 elements, 222,720 B in BF16 (values as
///   wide as keys would make it 9 × 1,536 + 39 × 3,072 = 133,632 elements);
/// - at TP 8 every layer keeps one KV head of 320 on each GPU (4 full-layer heads replicated
///   twice, 8 sliding-layer heads split): 48 × 320 × 2 B = 30,720 B per token per GPU;
/// - one request at 32,768 tokens, TP 1, BF16: 9 × 2,560 B × 32,768 + 39 × 5,120 B × 129 =
///   754,974,720 + 25,758,720 = 780,733,440 B;
/// - a full layer's attention weights: q 4,096 × 64 × 192 = 50,331,648, k 4,096 × 4 × 192 =
///   3,145,728, v 4,096 × 4 × 128 = 2,097,152, o 64 × 128 × 4,096 = 33,554,432, two norms
///   8,192: 89,137,152; a sliding layer's k and v twice as many: 94,380,032.
#[test]
fn mimo_v2_flash_caches_keys_and_values_of_their_own_sizes() {
    let m = imported("XiaomiMiMo--MiMo-V2-Flash.json");
    let s = &m.spec;
    let (full, sliding) = (gqa_dims(64, 4, 192, 128, false), gqa_dims(64, 8, 192, 128, false));
    assert_eq!(s.num_layers(), 48);
    let full_layers: Vec<usize> = (0..48).filter(|&i| s.layers[i].window.is_none()).collect();
    assert_eq!(full_layers, [0, 5, 11, 17, 23, 29, 35, 41, 47]);
    for l in &s.layers {
        let expected = if l.window.is_some() { (sliding, Some(129)) } else { (full, None) };
        assert_eq!((l.attention, l.window), expected);
    }
    exact("KV bytes per token, BF16", s.kv_cache_bytes_per_token(2.0), 222_720.0);
    exact("KV bytes per token, FP8", s.kv_cache_bytes_per_token(1.0), 111_360.0);
    exact("KV bytes per token per GPU at TP 8", kv::bytes_per_token(&s.layers, 8, KvPrecision::Bf16).value(), 30_720.0);
    exact("one request at 32,768 tokens", kv::bytes_per_request(&s.layers, 1, KvPrecision::Bf16, 32_768).value(), 780_733_440.0);
    let attention = |i: usize| s.layer_params(&s.layers[i..=i]).attention as f64;
    exact("full layer 0: attention weights and norms", attention(0), 89_137_152.0);
    exact("sliding layer 1: attention weights and norms", attention(1), 94_380_032.0);
    // Layer 0 dense, the rest 256 experts, top 8, 2,048 wide, no shared expert.
    assert!(matches!(s.layers[0].ffn, FeedForward::Dense(d) if d.intermediate == 16_384));
    for l in &s.layers[1..] {
        assert!(matches!(l.ffn, FeedForward::Moe(e) if (e.experts, e.experts_per_token, e.expert_intermediate, e.shared_intermediate) == (256, 8, 2048, 0)));
    }
}

/// Step-3.7-Flash as data/model-configs has it: every layer 64 query heads and 8 KV heads of
/// 128, a gate per query head; 33 sliding layers (512 tokens) and 12 full; dense layers 0–2,
/// then 288 experts (top 8, 1,280 wide) with one shared expert of 1,280. By hand:
/// - KV cache per token: 45 × 2 × 8 × 128 × 2 B = 184,320 B in BF16;
/// - one layer's attention weights: q 4,096 × 8,192 = 33,554,432, k and v 4,096 × 1,024 each
///   = 8,388,608, o 8,192 × 4,096 = 33,554,432, the gate 4,096 × 64 = 262,144, two norms
///   8,192: 75,767,808.
#[test]
fn step_3_7_flash_gates_every_head() {
    for file in ["stepfun-ai--Step-3.7-Flash.json", "stepfun-ai--Step-3.7-Flash-FP8.json"] {
        let m = imported(file);
        let s = &m.spec;
        let gated = gqa_dims(64, 8, 128, 128, true);
        assert!(s.layers.iter().all(|l| l.attention == gated), "{file}");
        assert_eq!(sliding_layers(s).len(), 33, "{file}");
        assert!(s.layers.iter().all(|l| l.window.is_none_or(|w| w == 512)), "{file}");
        exact("KV bytes per token, BF16", s.kv_cache_bytes_per_token(2.0), 184_320.0);
        exact("one layer's attention weights and norms", s.layer_params(&s.layers[..1]).attention as f64, 75_767_808.0);
        let moe: Vec<usize> = (0..45).filter(|&i| matches!(s.layers[i].ffn, FeedForward::Moe(_))).collect();
        assert_eq!(moe, (3..45).collect::<Vec<_>>(), "{file}");
        assert!(matches!(s.layers[3].ffn, FeedForward::Moe(e) if (e.experts, e.experts_per_token, e.expert_intermediate, e.shared_intermediate) == (288, 8, 1280, 1280)));
        assert!(m.notes.iter().any(|n| n.contains("num_nextn_predict_layers = 3")), "{:?}", m.notes);
    }
}

/// Step-3.7-Flash the way the published config writes its language model (transformers 5.25
/// `Step3p7Config`, SGLang 0.5.23 `Step3p5Config`): nested in `text_config` beside a vision
/// tower, `attention_other_setting` giving the sliding layers 96 query heads, `layer_types`
/// padded with the 3 MTP layers, MoE layers enumerated as a string, SGLang's key names.
fn step_as_published(other_setting: Value) -> Value {
    let mut text = file_config("stepfun-ai--Step-3.7-Flash.json");
    let t = text.as_object_mut().unwrap();
    for key in ["architectures", "num_experts", "num_experts_per_tok", "num_key_value_heads", "first_k_dense_replace"] {
        t.remove(key);
    }
    t.insert("model_type".into(), json!("step3p5"));
    t.insert("moe_num_experts".into(), json!(288));
    t.insert("moe_top_k".into(), json!(8));
    t.insert("num_attention_groups".into(), json!(8));
    t.insert("use_head_wise_attn_gate".into(), json!(true));
    t.insert("attention_other_setting".into(), other_setting);
    t.insert("moe_layers_enum".into(), json!((3..48).map(|i| i.to_string()).collect::<Vec<_>>().join(",")));
    let types = t["layer_types"].as_array_mut().unwrap();
    types.extend([json!("full_attention"), json!("full_attention"), json!("full_attention")]);
    json!({
        "model_type": "step3p7",
        "architectures": ["Step3p7ForConditionalGeneration"],
        "vision_config": {"width": 1536, "layers": 47},
        "text_config": text,
    })
}

/// The sliding layers' 96 heads against the full layers' 64: each of the 33 sliding layers
/// has 32 more query heads, `32 × 128 × 4,096` more in q and in o and 32 × 4,096 more in the
/// gate, 33,685,504 weights a layer, 1,111,621,632 in all; TP 64 splits the full layers' 64
/// heads but not the sliding layers' 96, which the check names; TP 32 splits both.
#[test]
fn step_as_published_gives_its_sliding_layers_their_own_heads() {
    let flat = imported("stepfun-ai--Step-3.7-Flash.json").spec;
    let other = json!({"attention_type": "sliding_attention", "num_attention_heads": 96, "num_attention_groups": 8, "head_dim": 128});
    let m = from_config_json("stepfun-ai/Step-3.7-Flash", &step_as_published(other)).unwrap();
    let s = &m.spec;
    assert_eq!(s.num_layers(), 45, "the 3 MTP entries of layer_types cut");
    assert_eq!(sliding_layers(s), sliding_layers(&flat));
    for l in &s.layers {
        let heads = if l.window.is_some() { 96 } else { 64 };
        assert_eq!(l.attention, gqa_dims(heads, 8, 128, 128, true));
    }
    let ffn = |s: &ModelSpec| s.layers.iter().map(|l| l.ffn).collect::<Vec<_>>();
    assert_eq!(ffn(s), ffn(&flat), "MoE from moe_layers_enum as from first_k_dense_replace");
    exact("weights beside the flat file", (s.total_params() - flat.total_params()) as f64, 1_111_621_632.0);
    assert!(m.notes.iter().any(|n| n.contains("vision_config ignored")), "{:?}", m.notes);
    let reasons = |tp: u32| divisibility::check(s, &Layout::new(tp, 1, 1, 1, tp).unwrap());
    assert_eq!(reasons(64), [RejectReason::HeadsNotDivisible { tp: 64, heads: 96 }]);
    assert_eq!(reasons(32), []);
    // The sliding layers' head size must be the full layers'; an element-wise gate is refused.
    let e = from_config_json("x", &step_as_published(json!({"num_attention_heads": 96, "head_dim": 64}))).unwrap_err();
    assert_eq!(e.field, "model.config.text_config.attention_other_setting.head_dim", "{e}");
    let mut c = step_as_published(json!({}));
    c["text_config"]["gating"] = json!("per-element");
    assert_eq!(from_config_json("x", &c).unwrap_err().field, "model.config.text_config.gating");
    // Without the gate (SGLang's `use_head_wise_attn_gate`), 64 × 4,096 weights a layer fewer.
    c["text_config"]["gating"] = json!(true);
    c["text_config"]["use_head_wise_attn_gate"] = json!(false);
    let ungated = from_config_json("x", &c).unwrap().spec;
    exact("gate weights", (flat.total_params() - ungated.total_params()) as f64, 45.0 * 64.0 * 4096.0);
}

/// Llama-3.3-Nemotron-Super-49B: 80 NAS blocks, 49 with Llama attention (64 heads, 8 groups of 8:
/// 8 KV heads of 128), 31 without; FFN widths `int(2 · ffn_mult · 8,192 / 3)` rounded up to a
/// multiple of 256. By hand:
/// - ffn_mult 5.25: 28,672; 2.625: 14,336; 1.3125: 7,168; 1.0: 5,461 → 5,632; 0.5: 2,730 → 2,816;
/// - KV cache per token: 49 × 2 × 8 × 128 × 2 B = 200,704 B in BF16, none in the 31 other blocks;
/// - block 0's weights: attention q and o 2 × 8,192 × 8,192 = 134,217,728, k and v 2 × 8,192 ×
///   1,024 = 16,777,216, two norms 16,384: 151,011,328; its MLP (2.625) 3 × 8,192 × 14,336 =
///   352,321,536; a block without attention keeps only its FFN's norm, 8,192;
/// - in all, with the embeddings and LM head 2 × 128,256 × 8,192 and the final norm:
///   49,867,145,216, which the name's 49B meets by `data/README.md`'s rule for a figure of two
///   digits (within 1B: 0.87B above).
#[test]
fn nemotron_super_blocks_have_their_own_attention_and_widths() {
    let s = imported("nvidia--Llama-3_3-Nemotron-Super-49B-v1.json").spec;
    let llama = Attention::Gqa { heads: 64, kv_heads: 8, head_dim: 128, bias: false, values_from_keys: false, indexer: None };
    let without: Vec<usize> = (0..80).filter(|&i| s.layers[i].attention == Attention::None).collect();
    assert_eq!(without.len(), 31);
    assert!(s.layers.iter().all(|l| l.attention == llama || l.attention == Attention::None));
    assert!(s.layers.iter().all(|l| l.window.is_none()));
    let widths: std::collections::BTreeSet<u64> = s
        .layers
        .iter()
        .map(|l| match l.ffn {
            FeedForward::Dense(d) => d.intermediate,
            FeedForward::Moe(_) | FeedForward::None => panic!("an MLP in every block"),
        })
        .collect();
    assert_eq!(widths.into_iter().collect::<Vec<_>>(), [2816, 5632, 7168, 14336, 17920, 28672]);
    exact("KV bytes per token, BF16", s.kv_cache_bytes_per_token(2.0), 200_704.0);
    let block0 = s.layer_params(&s.layers[..1]);
    exact("block 0 attention", block0.attention as f64, 151_011_328.0);
    exact("block 0 MLP", block0.dense_ffn as f64, 352_321_536.0);
    exact("a block without attention", s.layer_params(&s.layers[6..7]).attention as f64, 8192.0);
    exact("total", s.total_params() as f64, 49_867_145_216.0);
    let over = s.total_params() as f64 - 49e9;
    println!("total against the name's 49B: {over:+.3e}, tolerance ±1e9");
    assert!(over.abs() < 1e9, "expected 49B within 1B, actual {}", s.total_params());
    // 8 KV heads: TP 16 replicates them; the widths are multiples of 256.
    assert_eq!(divisibility::check(&s, &Layout::new(16, 1, 1, 1, 16).unwrap()), []);
}

/// What SGLang's (and vLLM's) `nemotron_nas.py` does not build is refused at the block's key;
/// blocks without attention or FFN are read.
#[test]
fn nas_blocks_the_engines_do_not_build_are_refused_at_their_key() {
    let base = file_config("nvidia--Llama-3_3-Nemotron-Super-49B-v1.json");
    let cases = [
        ("/block_configs/1/attention/replace_with_linear", json!(true), "block_configs[1].attention.replace_with_linear"),
        ("/block_configs/0/attention/window_length", json!(4096), "block_configs[0].attention.window_length"),
        ("/block_configs/2/attention/n_heads_in_group", json!(7), "block_configs[2].attention.n_heads_in_group"),
        ("/block_configs/3/ffn/replace_with_linear", json!(true), "block_configs[3].ffn.replace_with_linear"),
        ("/block_configs/4/ffn/ffn_mult", json!(0), "block_configs[4].ffn.ffn_mult"),
        ("/block_configs/4/ffn/ffn_mult", json!("2.5"), "block_configs[4].ffn.ffn_mult"),
        ("/block_configs/4/ffn", json!({}), "block_configs[4].ffn.ffn_mult"),
        ("/block_configs/5", json!([]), "block_configs[5]"),
        ("/block_configs", json!([]), "block_configs"),
    ];
    for (pointer, value, field) in cases {
        let mut c = base.clone();
        *c.pointer_mut(pointer).unwrap() = value.clone();
        let e = from_config_json("x", &c).map(|_| ()).expect_err(pointer);
        println!("{pointer} = {value}: {e}");
        assert_eq!(e.field, format!("model.config.{field}"), "{pointer} = {value}: {e}");
    }
    // A block whose attention or FFN is off (no_op) needs nothing else (SGLang reads no other
    // key of it) and has no norm before it; with both off the block is empty.
    let mut c = base.clone();
    c["block_configs"][0]["attention"] = json!({"no_op": true});
    c["block_configs"][6]["ffn"] = json!({"no_op": true});
    let s = from_config_json("x", &c).unwrap().spec;
    assert_eq!(s.layers[0].attention, Attention::None);
    assert_eq!((s.layers[6].attention, s.layers[6].ffn, s.layers[6].blocks()), (Attention::None, FeedForward::None, 0));
    assert_eq!(s.layer_params(&s.layers[6..7]).total(), 0);
}

/// MiMo-V2-Flash's keys that other files write another way: transformers' `layer_types`,
/// `mlp_layer_types` and defaults read as SGLang's `hybrid_layer_pattern`, `moe_layer_freq`
/// and `swa_*` keys are; what neither engine builds is refused.
#[test]
fn mimo_v2_flash_reads_transformers_keys_like_sglangs() {
    let sglang = imported("XiaomiMiMo--MiMo-V2-Flash.json").spec;
    let mut c = file_config("XiaomiMiMo--MiMo-V2-Flash.json");
    let types: Vec<&str> = sglang.layers.iter().map(|l| if l.window.is_some() { "sliding_attention" } else { "full_attention" }).collect();
    let mlp: Vec<&str> = (0..48).map(|i| if i == 0 { "dense" } else { "sparse" }).collect();
    let o = c.as_object_mut().unwrap();
    for key in ["hybrid_layer_pattern", "moe_layer_freq", "swa_num_attention_heads", "swa_num_key_value_heads", "swa_head_dim", "swa_v_head_dim"] {
        o.remove(key);
    }
    o.insert("layer_types".into(), json!(types));
    o.insert("mlp_layer_types".into(), json!(mlp));
    let transformers = from_config_json("XiaomiMiMo/MiMo-V2-Flash", &c).unwrap().spec;
    assert_eq!(transformers, sglang);
    for (key, value) in [("attention_bias", json!(true)), ("n_shared_experts", json!(1)), ("moe_layer_freq", json!([1, 0]))] {
        let mut bad = file_config("XiaomiMiMo--MiMo-V2-Flash.json");
        bad[key] = value;
        assert_eq!(from_config_json("x", &bad).unwrap_err().field, format!("model.config.{key}"), "{key}");
    }
}
