//! Unit tests of the import: per-family rules, refusals, precision, errors, and properties.

use super::*;
use crate::model::parse_config_text;
use crate::precision::WeightPrecision;
use crate::model::{Attention, FeedForward};
use proptest::prelude::*;
use serde_json::json;

fn import(config: Value) -> Result<ImportedModel, InputError> {
    from_config_json("test", &config)
}

fn llama_8b() -> Value {
    json!({
        "model_type": "llama", "hidden_size": 4096, "num_hidden_layers": 32,
        "num_attention_heads": 32, "num_key_value_heads": 8, "intermediate_size": 14336,
        "vocab_size": 128256, "tie_word_embeddings": false, "torch_dtype": "bfloat16"
    })
}

fn deepseek_v3() -> Value {
    json!({
        "model_type": "deepseek_v3", "hidden_size": 7168, "num_hidden_layers": 61,
        "num_attention_heads": 128, "intermediate_size": 18432, "vocab_size": 129280,
        "q_lora_rank": 1536, "kv_lora_rank": 512, "qk_nope_head_dim": 128, "qk_rope_head_dim": 64,
        "v_head_dim": 128, "n_routed_experts": 256, "num_experts_per_tok": 8,
        "moe_intermediate_size": 2048, "n_shared_experts": 1, "first_k_dense_replace": 3,
        "moe_layer_freq": 1, "num_nextn_predict_layers": 1
    })
}

fn gpt_oss_20b() -> Value {
    json!({
        "model_type": "gpt_oss", "hidden_size": 2880, "num_hidden_layers": 24, "head_dim": 64,
        "num_attention_heads": 64, "num_key_value_heads": 8, "intermediate_size": 2880,
        "vocab_size": 201088, "num_local_experts": 32, "num_experts_per_tok": 4, "sliding_window": 128,
        "quantization_config": {"quant_method": "mxfp4"}
    })
}

fn llama4_maverick() -> Value {
    json!({
        "model_type": "llama4", "architectures": ["Llama4ForConditionalGeneration"],
        "vision_config": {"hidden_size": 1408},
        "text_config": {
            "model_type": "llama4_text", "hidden_size": 5120, "num_hidden_layers": 48,
            "num_attention_heads": 40, "num_key_value_heads": 8, "head_dim": 128,
            "intermediate_size": 8192, "intermediate_size_mlp": 16384, "vocab_size": 202048,
            "num_local_experts": 128, "num_experts_per_tok": 1, "interleave_moe_layer_step": 2,
            "attention_chunk_size": 8192
        }
    })
}

fn gemma4_31b() -> Value {
    json!({
        "model_type": "gemma4", "tie_word_embeddings": true, "vision_config": {},
        "text_config": {
            "model_type": "gemma4_text", "hidden_size": 5376, "num_hidden_layers": 60,
            "num_attention_heads": 32, "num_key_value_heads": 16, "head_dim": 256,
            "global_head_dim": 512, "num_global_key_value_heads": 4, "attention_k_eq_v": true,
            "intermediate_size": 21504, "vocab_size": 262144, "sliding_window": 1024,
            "hidden_size_per_layer_input": 0, "num_kv_shared_layers": 0
        }
    })
}

/// Kimi K3's shape, four layers: KDA on the first three, MLA with an output gate on the fourth.
fn kimi_k3_small() -> Value {
    json!({
        "model_type": "kimi_k3", "architectures": ["KimiK3ForConditionalGeneration"], "vision_config": {},
        "text_config": {
            "model_type": "kimi_linear", "hidden_size": 7168, "num_hidden_layers": 4, "vocab_size": 163840,
            "num_attention_heads": 96, "q_lora_rank": 1536, "kv_lora_rank": 512, "qk_nope_head_dim": 128,
            "qk_rope_head_dim": 64, "v_head_dim": 128, "mla_use_output_gate": true, "intermediate_size": 33792,
            "first_k_dense_replace": 1, "num_experts": 896, "num_experts_per_token": 16,
            "moe_intermediate_size": 3072, "num_shared_experts": 2, "routed_expert_hidden_size": 3584,
            "linear_attn_config": {"num_heads": 96, "head_dim": 128, "short_conv_kernel_size": 4,
                "use_full_rank_gate": true, "kda_layers": [1, 2, 3], "full_attn_layers": [4]}
        }
    })
}

/// MiniMax-M3's shape, four layers: the first dense and full, the others MoE and sparse (the
/// second with index values).
fn minimax_m3_small() -> Value {
    json!({
        "model_type": "minimax_m3", "hidden_size": 6144, "num_hidden_layers": 4, "vocab_size": 200064,
        "num_attention_heads": 64, "num_key_value_heads": 4, "head_dim": 128, "intermediate_size": 3072,
        "dense_intermediate_size": 12288, "shared_intermediate_size": 3072, "num_local_experts": 128,
        "num_experts_per_tok": 4, "moe_layer_freq": [0, 1, 1, 1],
        "sparse_attention_config": {"sparse_attention_freq": [0, 1, 1, 1], "sparse_disable_index_value": [0, 0, 1, 1],
            "sparse_num_index_heads": 4, "sparse_index_dim": 128, "sparse_block_size": 128, "sparse_topk_blocks": 16}
    })
}

/// The layer lists of Kimi Linear and MiniMax-M3 are checked: a layer in neither or both of
/// `kda_layers` and `full_attn_layers`, a per-layer list of the wrong length, index heads that
/// do not group the KV heads, an attention output gate no engine builds.
#[test]
fn kimi_and_minimax_layer_lists_are_checked_naming_the_key() {
    type Patch = fn(&mut Value);
    let cases: [(Value, Patch, &str, &str); 5] = [
        (kimi_k3_small(), |c| c["text_config"]["linear_attn_config"]["full_attn_layers"] = json!([]), "text_config.linear_attn_config.kda_layers", "neither"),
        (kimi_k3_small(), |c| c["text_config"]["linear_attn_config"]["kda_layers"] = json!([1, 2, 3, 4]), "text_config.linear_attn_config.kda_layers", "both"),
        (minimax_m3_small(), |c| c["moe_layer_freq"] = json!([0, 1]), "moe_layer_freq", "has 2 entries"),
        (minimax_m3_small(), |c| c["sparse_attention_config"]["sparse_num_index_heads"] = json!(6), "sparse_attention_config.sparse_num_index_heads", "not a multiple"),
        (minimax_m3_small(), |c| c["attention_output_gate"] = json!(true), "attention_output_gate", "neither"),
    ];
    for (mut config, patch, key, words) in cases {
        patch(&mut config);
        let e = import(config).unwrap_err();
        assert_eq!(e.field, format!("model.config.{key}"), "{e}");
        assert!(e.message.contains(words), "{e}");
    }
    let k3 = import(kimi_k3_small()).unwrap();
    assert!(k3.notes.iter().any(|n| n.contains("Kimi Delta Attention on 3 of 4 layers")), "{:?}", k3.notes);
    let m3 = import(minimax_m3_small()).unwrap().spec;
    // Layer 1 reads index values (its flag is 0), layers 2 and 3 only keys.
    let kinds: Vec<_> = m3.layers.iter().map(|l| l.attention.indexer().map(|i| i.kind)).collect();
    use crate::model::IndexerKind::MiniMax;
    assert_eq!(kinds, [None, Some(MiniMax { values: true }), Some(MiniMax { values: false }), Some(MiniMax { values: false })]);
}

#[test]
fn llama_reads_gqa_and_untied_embeddings() {
    let m = import(llama_8b()).unwrap();
    let s = &m.spec;
    assert_eq!((s.hidden_size, s.vocab_size, s.tied_embeddings, s.num_layers()), (4096, 128256, false, 32));
    assert_eq!(
        s.layers[0].attention,
        Attention::Gqa { heads: 32, kv_heads: 8, head_dim: 128, bias: false, values_from_keys: false, indexer: None }
    );
    assert_eq!(s.kv_cache_bytes_per_token(2.0), 131_072.0);
    assert_eq!(m.checkpoint_precision, Some(WeightPrecision::Bf16));
    assert!(m.notes.is_empty(), "{:?}", m.notes);
}

#[test]
fn deepseek_has_three_dense_layers_then_moe_with_a_shared_expert() {
    let m = import(deepseek_v3()).unwrap();
    let mut expected = crate::model::fixtures::deepseek_v3();
    expected.name = "test".into();
    assert_eq!(m.spec, expected);
    assert!(m.notes.iter().any(|n| n.contains("multi-token-prediction")), "{:?}", m.notes);
}

#[test]
fn gpt_oss_alternates_sliding_and_full_layers_from_the_first() {
    let m = import(gpt_oss_20b()).unwrap();
    let windows: Vec<Option<u64>> = m.spec.layers.iter().map(|l| l.window).collect();
    assert_eq!(&windows[..4], &[Some(128), None, Some(128), None]);
    assert!(matches!(m.spec.layers[0].ffn, FeedForward::Moe(f) if f.bias && f.experts == 32));
    assert_eq!(m.checkpoint_precision, Some(WeightPrecision::Fp4));
}

#[test]
fn llama4_interleaves_moe_and_chunks_the_rope_layers() {
    let m = import(llama4_maverick()).unwrap();
    let s = &m.spec;
    // interleave_moe_layer_step 2: MoE on layers 1, 3, 5, …; dense layers intermediate_size_mlp.
    assert!(matches!(s.layers[0].ffn, FeedForward::Dense(d) if d.intermediate == 16384));
    assert!(
        matches!(s.layers[1].ffn, FeedForward::Moe(m) if m.shared_intermediate == 8192 && m.experts == 128)
    );
    // Every 4th layer is a global NoPE layer; the rest attend within 8192-token chunks.
    let windows: Vec<Option<u64>> = s.layers.iter().take(4).map(|l| l.window).collect();
    assert_eq!(windows, [Some(8192), Some(8192), Some(8192), None]);
    assert_eq!(s.layers.iter().filter(|l| l.window.is_some()).count(), 36);
    assert!(m.notes.iter().any(|n| n.contains("chunked attention")), "{:?}", m.notes);
}

/// A `vision_config` that gives only `hidden_size` (1408): every other size is
/// `Llama4VisionConfig`'s default, and the import names them. By hand (`vision::llama4`): patch
/// 3 × 14² × 1408 = 827,904; class 1,408; positions ((448 / 14)² + 1 = 1,025) × 1408 =
/// 1,443,200; two LayerNorms 5,632; 34 layers × 23,807,872 (attention 4 × (1408² + 1408) =
/// 7,935,488, fc1 1408 × 5632 + 5632 = 7,935,488, fc2 5632 × 1408 + 1408 = 7,931,264, norms
/// 5,632) = 809,467,648; adapter 5632 × 4096 + 4096² = 39,845,888; projector 7680 × 5120 =
/// 39,321,600. Total 890,913,280.
#[test]
fn a_vision_config_missing_keys_takes_transformers_defaults_and_says_which() {
    let m = import(llama4_maverick()).unwrap();
    println!("Llama 4 tower, defaults but hidden_size: expected 890913280, actual {}, tolerance 0", m.spec.vision_params);
    assert_eq!(m.spec.vision_params, 890_913_280);
    let defaulted = m.notes.iter().find(|n| n.starts_with("vision tower:")).unwrap_or_else(|| panic!("{:?}", m.notes));
    for key in ["num_hidden_layers", "image_size", "vision_output_dim", "projector_input_dim"] {
        assert!(defaulted.contains(key), "{key} not named: {defaulted}");
    }
    assert!(!defaulted.contains("hidden_size,"), "hidden_size was given: {defaulted}");
    let total = m.spec.total_params();
    assert_eq!(total - m.spec.active_params(), m.spec.params().experts - m.spec.active_expert_params() + 890_913_280, "the tower is not active");
}

/// No tower counted: Gemma 3 (its SigLIP tower not modelled yet) keeps the note that says its
/// vision_config is ignored; a wrapper without `vision_config` says there is none; an explicit
/// `null` (Gemma 4 text-only) is no tower and no note.
#[test]
fn towers_not_counted_are_said_so() {
    let mut gemma3 = gemma4_31b();
    gemma3["model_type"] = json!("gemma3");
    gemma3["text_config"] = json!({"model_type": "gemma3_text", "hidden_size": 2560, "num_hidden_layers": 34,
        "num_attention_heads": 8, "num_key_value_heads": 4, "head_dim": 256, "intermediate_size": 10240,
        "vocab_size": 262208, "sliding_window": 1024});
    let m = import(gemma3).unwrap();
    assert_eq!(m.spec.vision_params, 0);
    assert!(m.notes.iter().any(|n| n.contains("vision_config ignored")), "{:?}", m.notes);
    let mut bare = llama4_maverick();
    bare.as_object_mut().unwrap().remove("vision_config");
    let m = import(bare).unwrap();
    assert_eq!(m.spec.vision_params, 0);
    assert!(m.notes.iter().any(|n| n.contains("has no vision_config")), "{:?}", m.notes);
    let mut text_only = gemma4_31b();
    text_only["vision_config"] = Value::Null;
    let m = import(text_only).unwrap();
    assert_eq!(m.spec.vision_params, 0);
    assert!(!m.notes.iter().any(|n| n.contains("vision")), "{:?}", m.notes);
}

/// Bad vision sizes are refused naming the field, never a panic or a silent default.
#[test]
fn bad_vision_sizes_name_their_field() {
    for (patch, field, what) in [
        (json!({"hidden_size": "wide"}), "model.config.vision_config.hidden_size", "whole number"),
        (json!({"patch_size": 0}), "model.config.vision_config.patch_size", "whole number"),
        (json!({"num_hidden_layers": 1e9}), "model.config.vision_config.num_hidden_layers", "whole number"),
        (json!([1]), "model.config.vision_config", "object"),
    ] {
        let mut c = llama4_maverick();
        c["vision_config"] = patch.clone();
        let e = import(c).unwrap_err();
        assert_eq!(e.field, field, "{patch}: {e}");
        assert!(e.message.contains(what), "{patch}: {e}");
    }
    let kimi = json!({"model_type": "kimi_k25", "vision_config": {"merge_kernel_size": [2, 2, 2]}, "text_config": deepseek_v3()});
    let e = import(kimi).unwrap_err();
    assert_eq!(e.field, "model.config.vision_config.merge_kernel_size", "{e}");
}

#[test]
fn gemma4_global_layers_have_their_own_heads_and_no_v_proj() {
    let m = import(gemma4_31b()).unwrap();
    let s = &m.spec;
    assert!(s.tied_embeddings);
    let global =
        Attention::Gqa { heads: 32, kv_heads: 4, head_dim: 512, bias: false, values_from_keys: true, indexer: None };
    let local =
        Attention::Gqa { heads: 32, kv_heads: 16, head_dim: 256, bias: false, values_from_keys: false, indexer: None };
    assert_eq!((s.layers[5].attention, s.layers[5].window), (global, None));
    assert_eq!((s.layers[0].attention, s.layers[0].window), (local, Some(1024)));
    assert_eq!(s.layers.iter().filter(|l| l.window.is_none()).count(), 10);
    // 50 sliding layers × 2 × 16 × 256 + 10 global × 2 × 4 × 512 elements, bf16.
    assert_eq!(s.kv_cache_bytes_per_token(2.0), (50.0 * 8192.0 + 10.0 * 4096.0) * 2.0);
    // No v_proj on the global layers: 5376 × 4 × 512 weights fewer each.
    let with_v = global_with_v_proj(global).params(5376) - global.params(5376);
    assert_eq!(with_v, 5376 * 4 * 512);
}

fn global_with_v_proj(a: Attention) -> Attention {
    match a {
        Attention::Gqa { heads, kv_heads, head_dim, bias, .. } => {
            Attention::Gqa { heads, kv_heads, head_dim, bias, values_from_keys: false, indexer: None }
        }
        other => other,
    }
}

#[test]
fn gemma4_per_layer_embeddings_and_kv_sharing_are_refused() {
    let mut c = gemma4_31b();
    c["text_config"].as_object_mut().unwrap().remove("hidden_size_per_layer_input");
    let e = import(c).unwrap_err();
    assert_eq!(e.field, "model.config.text_config.hidden_size_per_layer_input", "{e}");
    let mut c = gemma4_31b();
    c["text_config"]["num_kv_shared_layers"] = json!(20);
    assert_eq!(import(c).unwrap_err().field, "model.config.text_config.num_kv_shared_layers");
}

#[test]
fn gemma2_and_gemma3_follow_their_sliding_patterns() {
    let gemma = |model_type: &str, extra: Value| {
        let mut c = llama_8b();
        c["model_type"] = json!(model_type);
        c["head_dim"] = json!(128);
        c.as_object_mut().unwrap().remove("tie_word_embeddings");
        c.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        import(c).unwrap().spec
    };
    let g2 = gemma("gemma2", json!({"sliding_window": 4096}));
    assert!(g2.tied_embeddings, "Gemma ties its embeddings by default");
    assert_eq!((g2.layers[0].window, g2.layers[1].window), (Some(4096), None));
    let g3 = gemma("gemma3_text", json!({"sliding_window": 1024, "sliding_window_pattern": 6}));
    let full: Vec<usize> = (0..32).filter(|&i| g3.layers[i].window.is_none()).collect();
    assert_eq!(full, [5, 11, 17, 23, 29]);
}

/// The context window is the language model's `max_position_embeddings` (in `text_config`
/// for a wrapper, `n_positions` for GPT-2), as written: no rope scaling applied on top.
#[test]
fn the_context_window_is_read_where_transformers_reads_it() {
    let with = |mut config: Value, path: &[&str], window: u64| {
        let mut at = &mut config;
        for key in &path[..path.len() - 1] {
            at = &mut at[*key];
        }
        at[path[path.len() - 1]] = json!(window);
        config
    };
    let mut scaled = with(llama_8b(), &["max_position_embeddings"], 131072);
    scaled["rope_scaling"] = json!({"rope_type": "llama3", "factor": 8.0, "original_max_position_embeddings": 8192});
    let gpt2 = json!({"model_type": "gpt2", "n_embd": 768, "n_layer": 12, "n_head": 12, "vocab_size": 50257});
    let cases = [
        ("llama without the key", llama_8b(), None),
        ("llama 3.1 with llama3 rope scaling", scaled, Some(131072)),
        ("a wrapper's text_config", with(llama4_maverick(), &["text_config", "max_position_embeddings"], 1048576), Some(1048576)),
        ("a wrapper's own key is not the language model's", with(llama4_maverick(), &["max_position_embeddings"], 4096), None),
        ("gpt2's n_positions", with(gpt2.clone(), &["n_positions"], 1024), Some(1024)),
        ("gpt2 without n_positions", gpt2, None),
    ];
    for (what, config, expected) in cases {
        let window = import(config).unwrap_or_else(|e| panic!("{what}: {e}")).context_window;
        assert_eq!(window, expected, "{what}: expected the context window {expected:?}, got {window:?}");
    }
}

#[test]
fn architectures_stand_in_for_a_missing_model_type() {
    let mut c = llama_8b();
    c.as_object_mut().unwrap().remove("model_type");
    c["architectures"] = json!(["MixtralForCausalLM"]);
    c["num_local_experts"] = json!(8);
    c["num_experts_per_tok"] = json!(2);
    assert!(import(c.clone()).unwrap().spec.is_moe());
    c["architectures"] = json!(["MambaForCausalLM"]);
    assert_eq!(import(c.clone()).unwrap_err().field, "model.config.architectures");
    c.as_object_mut().unwrap().remove("architectures");
    assert_eq!(import(c).unwrap_err().field, "model.config.model_type");
}

#[test]
fn a_wrapper_ties_its_language_model_by_its_own_flag() {
    let text = {
        let mut t = llama_8b();
        t["model_type"] = json!("qwen3_vl_moe_text");
        t["num_experts"] = json!(8);
        t["num_experts_per_tok"] = json!(2);
        t["moe_intermediate_size"] = json!(768);
        t.as_object_mut().unwrap().remove("tie_word_embeddings");
        t
    };
    let wrapper = |tie: Option<bool>| {
        let mut c = json!({"model_type": "qwen3_vl_moe", "text_config": text.clone(), "vision_config": {}});
        if let Some(t) = tie {
            c["tie_word_embeddings"] = json!(t);
        }
        import(c).unwrap().spec.tied_embeddings
    };
    assert!(!wrapper(Some(false)), "the wrapper's false wins over Qwen3VLMoeTextConfig's default");
    assert!(wrapper(None), "absent everywhere: the text config's default (true)");
}

#[test]
fn mistral_window_follows_mistral_config_defaults() {
    let mistral = |window: Option<Value>| {
        let mut c = llama_8b();
        c["model_type"] = json!("mistral");
        if let Some(w) = window {
            c["sliding_window"] = w;
        }
        import(c).unwrap().spec.layers[0].window
    };
    assert_eq!(mistral(None), Some(4096), "absent: MistralConfig's default 4096");
    assert_eq!(mistral(Some(json!(null))), None, "null: no window");
    assert_eq!(mistral(Some(json!(2048))), Some(2048));
}

#[test]
fn qwen_slides_only_from_max_window_layers_when_enabled() {
    let mut c = llama_8b();
    c["model_type"] = json!("qwen2");
    c["sliding_window"] = json!(4096);
    c["max_window_layers"] = json!(28);
    assert!(import(c.clone()).unwrap().spec.layers.iter().all(|l| l.window.is_none()));
    c["use_sliding_window"] = json!(true);
    let s = import(c).unwrap().spec;
    assert_eq!(s.layers.iter().filter(|l| l.window == Some(4096)).count(), 4);
    assert!(s.layers[27].window.is_none() && s.layers[28].window.is_some());
    assert!(matches!(s.layers[0].attention, Attention::Gqa { bias: true, .. }), "Qwen2 q/k/v biases");
}

#[test]
fn window_caps_the_cache_of_one_request() {
    let s = import(gpt_oss_20b()).unwrap().spec;
    // 12 sliding layers hold 128 tokens, 12 full layers 8192; 2 × 8 × 64 elements, bf16.
    let per_layer_token = 2.0 * 8.0 * 64.0 * 2.0;
    let expected = 12.0 * 128.0 * per_layer_token + 12.0 * 8192.0 * per_layer_token;
    assert_eq!(crate::memory::kv::bytes_per_request(&s.layers, 1, crate::precision::KvPrecision::Bf16, 8192).value(), expected);
    // Below the window every layer holds the whole context.
    assert_eq!(crate::memory::kv::bytes_per_request(&s.layers, 1, crate::precision::KvPrecision::Bf16, 100).value(), 100.0 * s.kv_cache_bytes_per_token(2.0));
}

#[test]
fn checkpoint_precision_comes_from_the_quantization_config() {
    let with = |q: Value| {
        let mut c = llama_8b();
        c["quantization_config"] = q;
        import(c).unwrap()
    };
    let cases = [
        (json!({"quant_method": "fp8", "weight_block_size": [128, 128]}), Some(WeightPrecision::Fp8)),
        (json!({"quant_method": "mxfp4"}), Some(WeightPrecision::Fp4)),
        (json!({"quant_method": "awq", "bits": 4}), Some(WeightPrecision::Int4)),
        (json!({"quant_algo": "NVFP4", "producer": {"name": "modelopt"}}), Some(WeightPrecision::Fp4)),
        (
            json!({"quant_method": "compressed-tensors", "config_groups": {"g": {"weights": {"num_bits": 4, "type": "int"}}}}),
            Some(WeightPrecision::Int4),
        ),
        (json!({"quant_method": "bitsandbytes", "load_in_4bit": true}), None),
        (json!({"quant_algo": "MIXED_PRECISION"}), None),
        (json!("fp8"), None),
    ];
    for (q, expected) in cases {
        let m = with(q.clone());
        assert_eq!(m.checkpoint_precision, expected, "{q}");
        assert_eq!(
            expected.is_none(),
            !m.notes.is_empty(),
            "{q}: a note exactly when unknown: {:?}",
            m.notes
        );
    }
    let mut c = llama_8b();
    c["torch_dtype"] = json!("float16");
    assert_eq!(import(c).unwrap().checkpoint_precision, Some(WeightPrecision::Fp16));
}

#[test]
fn refusals_name_the_key_that_shows_the_missing_feature() {
    let refused = |extra: Value| -> InputError {
        let mut c = llama_8b();
        c.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        import(c).unwrap_err()
    };
    let cases = [
        (json!({"hybrid_override_pattern": "M-M*"}), "hybrid_override_pattern", "Mamba"),
        (json!({"layer_types": ["linear_attention"]}), "layer_types", "linear-attention"),
        (json!({"linear_attn_config": {}}), "linear_attn_config", "Kimi Delta"),
        (json!({"sparse_attention_config": {}}), "sparse_attention_config", "MiniMax-M3"),
        (json!({"attn_type_list": [0, 1]}), "attn_type_list", "lightning"),
        (json!({"index_topk": 2048}), "index_topk", "multi-head latent attention"),
        (json!({"compress_ratios": [0, 4]}), "compress_ratios", "DeepSeek-V4"),
        (json!({"block_configs": []}), "block_configs", "NAS"),
        (json!({"v_head_dim": 64}), "v_head_dim", "value heads"),
        (json!({"model_type": "mamba"}), "model_type", "not modelled"),
        (json!({"layer_types": ["full_attention", "cross_attention"]}), "layer_types", "has 2 entries"),
    ];
    for (extra, key, words) in cases {
        let e = refused(extra.clone());
        assert_eq!(e.field, format!("model.config.{key}"), "{extra}: {e}");
        assert!(e.message.contains(words), "{extra}: {e}");
    }
}

#[test]
fn bad_values_of_required_keys_are_errors_naming_the_key() {
    let keys = [
        "hidden_size",
        "num_hidden_layers",
        "num_attention_heads",
        "num_key_value_heads",
        "intermediate_size",
        "vocab_size",
    ];
    let bad =
        [json!(0), json!(-1), json!(1.5), json!("4096"), json!(1e30), json!(true), json!([]), json!({})];
    for key in keys {
        for value in &bad {
            let mut c = llama_8b();
            c[key] = value.clone();
            let e = import(c).expect_err(&format!("{key} = {value}"));
            assert_eq!(e.field, format!("model.config.{key}"), "{key} = {value}: {e}");
        }
        let mut c = llama_8b();
        c.as_object_mut().unwrap().remove(key);
        if key != "num_key_value_heads" {
            let e = import(c).expect_err(key);
            assert_eq!(e.field, format!("model.config.{key}"));
            assert!(e.message.starts_with("missing"), "{e}");
        }
    }
    let mut c = llama_8b();
    c["num_key_value_heads"] = json!(5);
    assert_eq!(import(c).unwrap_err().field, "model.config.num_key_value_heads", "5 does not divide 32");
    assert_eq!(import(json!([1, 2])).unwrap_err().field, "model.config");
}

#[test]
fn sizes_at_every_bound_count_without_overflow() {
    use super::limits::*;
    let c = json!({
        "model_type": "qwen3_moe", "hidden_size": MAX_HIDDEN, "num_hidden_layers": MAX_LAYERS,
        "num_attention_heads": MAX_HEADS, "num_key_value_heads": MAX_HEADS, "head_dim": MAX_HEAD_DIM,
        "intermediate_size": MAX_INTERMEDIATE, "moe_intermediate_size": MAX_INTERMEDIATE,
        "num_experts": MAX_EXPERTS, "num_experts_per_tok": MAX_EXPERTS, "vocab_size": MAX_VOCAB
    });
    let s = import(c).unwrap().spec;
    let total = s.total_params();
    assert!(total < 1 << 62 && s.active_params() == total, "{total}");
    let mut over = llama_8b();
    over["hidden_size"] = json!(MAX_HIDDEN + 1);
    assert_eq!(import(over).unwrap_err().field, "model.config.hidden_size");
}

#[test]
fn python_nan_and_infinity_read_as_null_outside_strings() {
    let v =
        parse_config_text(r#"{"a": [0.0, Infinity, -Infinity, NaN], "b": "NaN Infinity \" NaN"}"#).unwrap();
    assert_eq!(v, json!({"a": [0.0, null, null, null], "b": "NaN Infinity \" NaN"}));
    assert_eq!(parse_config_text("{").unwrap_err().field, "model.config");
}

/// Keys each base config reads, for targeted mutations.
fn bases() -> Vec<(Value, &'static str, Vec<&'static str>)> {
    let common =
        ["hidden_size", "num_hidden_layers", "num_attention_heads", "vocab_size", "intermediate_size"];
    let with = |extra: &[&'static str]| common.iter().chain(extra).copied().collect::<Vec<_>>();
    vec![
        (llama_8b(), "model.config", with(&["num_key_value_heads", "tie_word_embeddings", "model_type"])),
        (
            deepseek_v3(),
            "model.config",
            with(&[
                "q_lora_rank",
                "kv_lora_rank",
                "qk_rope_head_dim",
                "v_head_dim",
                "n_routed_experts",
                "num_experts_per_tok",
                "moe_intermediate_size",
                "n_shared_experts",
                "first_k_dense_replace",
                "moe_layer_freq",
                "num_nextn_predict_layers",
            ]),
        ),
        (
            gpt_oss_20b(),
            "model.config",
            with(&[
                "num_key_value_heads",
                "head_dim",
                "num_local_experts",
                "num_experts_per_tok",
                "sliding_window",
            ]),
        ),
        (
            llama4_maverick(),
            "model.config.text_config",
            with(&[
                "num_key_value_heads",
                "head_dim",
                "intermediate_size_mlp",
                "num_local_experts",
                "num_experts_per_tok",
                "interleave_moe_layer_step",
                "attention_chunk_size",
            ]),
        ),
        (
            gemma4_31b(),
            "model.config.text_config",
            with(&[
                "num_key_value_heads",
                "head_dim",
                "global_head_dim",
                "num_global_key_value_heads",
                "attention_k_eq_v",
                "sliding_window",
            ]),
        ),
        (
            kimi_k3_small(),
            "model.config.text_config",
            with(&[
                "q_lora_rank",
                "kv_lora_rank",
                "qk_rope_head_dim",
                "v_head_dim",
                "mla_use_output_gate",
                "num_experts",
                "num_experts_per_token",
                "moe_intermediate_size",
                "num_shared_experts",
                "routed_expert_hidden_size",
                "first_k_dense_replace",
            ]),
        ),
        (
            minimax_m3_small(),
            "model.config",
            with(&[
                "num_key_value_heads",
                "head_dim",
                "dense_intermediate_size",
                "shared_intermediate_size",
                "num_local_experts",
                "num_experts_per_tok",
                "moe_layer_freq",
            ]),
        ),
    ]
}

fn bad_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!(-1)),
        Just(json!(1.5)),
        Just(json!("x")),
        Just(json!(1e30)),
        Just(json!(u64::MAX)),
        Just(json!(-1e300)),
        Just(json!({})),
    ]
}

/// Any JSON value, nested a few levels.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        "[a-z_]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,10}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A result is sound: counts finite and ordered, or an error naming a `model.config` field.
fn check_sound(result: &Result<ImportedModel, InputError>) -> Result<(), TestCaseError> {
    match result {
        Ok(m) => {
            let s = &m.spec;
            let (total, active) = (s.total_params(), s.active_params());
            prop_assert!(active <= total, "active {} > total {}", active, total);
            let kv = s.kv_cache_bytes_per_token(2.0);
            prop_assert!(kv.is_finite() && kv >= 0.0, "KV {}", kv);
            let ctx = crate::memory::kv::bytes_per_request(&s.layers, 1, crate::precision::KvPrecision::Fp8, 1 << 20).value();
            prop_assert!(ctx.is_finite() && ctx >= 0.0, "KV at context {}", ctx);
        }
        Err(e) => {
            prop_assert!(e.field.starts_with("model.config"), "field {:?}", e.field);
            prop_assert!(!e.message.is_empty());
        }
    }
    Ok(())
}

proptest! {
    /// A bad value in any key a config reads is an error naming exactly that key.
    #[test]
    fn a_bad_value_in_a_read_key_is_an_error_naming_it(
        (base, key) in (0..7usize).prop_flat_map(|i| {
            let n = bases()[i].2.len();
            (Just(i), 0..n)
        }),
        value in bad_value(),
    ) {
        let (mut config, prefix, keys) = bases().swap_remove(base);
        let key = keys[key];
        let target = if prefix.ends_with("text_config") { &mut config["text_config"] } else { &mut config };
        target[key] = value.clone();
        let result = import(config);
        check_sound(&result)?;
        let e = result.expect_err("a bad value must be refused");
        prop_assert_eq!(e.field, format!("{prefix}.{key}"), "{} = {}: {}", key, value, e.message);
    }

    /// Any value in any key, or a key removed, never panics and never gives unsound numbers.
    #[test]
    fn mutated_configs_never_panic(
        base in 0..7usize,
        key in "[a-z_]{1,12}",
        pick in any::<prop::sample::Index>(),
        value in any_json(),
        remove in any::<bool>(),
    ) {
        let (mut config, prefix, keys) = bases().swap_remove(base);
        let key = if remove || pick.index(3) > 0 { keys[pick.index(keys.len())].to_string() } else { key };
        let target = if prefix.ends_with("text_config") { &mut config["text_config"] } else { &mut config };
        if remove {
            target.as_object_mut().unwrap().remove(&key);
        } else {
            target[key.as_str()] = value;
        }
        check_sound(&import(config))?;
    }

    /// Arbitrary JSON at the root never panics.
    #[test]
    fn arbitrary_json_never_panics(value in any_json()) {
        check_sound(&import(value))?;
    }

    /// Arbitrary text never panics the text parser.
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,64}") {
        let _ = parse_config_text(&text);
    }
}
