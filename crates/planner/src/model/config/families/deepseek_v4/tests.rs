//! DeepSeek-V4-Flash by hand: its layers' weights, its cache per token and per request, the
//! step model's view of a stage, its sharding, and the configs the reader refuses.

use super::super::super::folder_tests::{configs_dir, import_file};
use super::super::super::from_config_json;
use crate::model::parse_config_text;
use crate::layout::Layout;
use crate::memory::{kv, weights};
use crate::model::{Attention, CompressedAttention, FeedForward, ModelSpec};
use crate::precision::{KvPrecision, WeightPrecision};
use serde_json::{json, Value};

fn flash_config() -> Value {
    let text = std::fs::read_to_string(configs_dir().join("deepseek-ai--DeepSeek-V4-Flash.json")).unwrap();
    parse_config_text(&text).unwrap()
}

fn flash() -> ModelSpec {
    import_file("deepseek-ai/DeepSeek-V4-Flash", &configs_dir().join("deepseek-ai--DeepSeek-V4-Flash.json")).unwrap().spec
}

fn compressed(m: &ModelSpec, layer: usize) -> CompressedAttention {
    m.layers[layer].attention.compressed().expect("a DeepSeek-V4 layer")
}

fn exact(what: &str, actual: f64, expected: f64) {
    println!("{what}: expected {expected}, actual {actual}, tolerance 0");
    assert!(actual == expected, "{what}: expected {expected}, actual {actual}, difference {}, tolerance 0", actual - expected);
}

/// DeepSeek-V4-Flash (hidden 4,096, 64 heads of 512 with a 64-wide rotary part, query latent
/// 1,024, 8 output groups of 1,024, window 128, indexer 64 heads of 128 picking 512, 4
/// hyper-connection streams, 256 experts of 2,048 top-6 and one shared, vocab 129,280). One
/// compressed sparse attention layer (`compress_ratios[2] = 4`), by hand:
/// - split over TP: `wq_b` 1,024 × 64·512 = 33,554,432; `wo_a` 8 groups × 4,096 × 1,024 =
///   33,554,432; `wo_b` 8,192 × 4,096 = 33,554,432: 100,663,296;
/// - replicated, quantised: `wq_a` + `wkv` 4,096 × (1,024 + 512) = 6,291,456; the indexer's
///   `wq_b` 1,024 × 64·128 = 8,388,608: 14,680,064;
/// - replicated, 16-bit: query and key-value norms 1,024 + 512; the compressor's value and gate
///   projections 2 × 4,096 × 2 × 512 = 8,388,608, position bias 4 × 2 × 512 = 4,096, norm 512;
///   the indexer's `weights_proj` 4,096 × 64 = 262,144 and compressor 2 × 4,096 × 2 × 128 =
///   2,097,152 + 4 × 2 × 128 = 1,024 + 128; two hyper-connections 2 × (24 × 4 × 4,096 + 24 + 3)
///   = 786,486: 11,541,686;
/// - the layer's two norms 2 × 4,096 = 8,192: attention 126,893,238;
/// - MoE: 256 × 3 × 4,096 × 2,048 = 6,442,450,944 routed, 25,165,824 shared, router (4,096 + 1)
///   × 256 = 1,048,832: the layer holds 6,595,558,838.
///
/// A heavily compressed layer (ratio 128) has no indexer and a compressor of one series:
/// 2 × 4,096 × 512 + 128 × 512 + 512 = 4,260,352, attention 112,011,318; a window-only layer
/// (the first two) 107,750,966. The model: 21 + 20 + 2 layers' attention 5,120,486,290, 43 MoE
/// blocks 278,152,620,800, embedding and head 2 × 129,280 × 4,096 + the final norm 4,096 =
/// 1,059,065,856: 284,332,172,946 in all (card: 284B; `catalog::tests` checks it within 1 %);
/// a token passes through 6 routed experts a layer: 13,799,564,946 (card: 13B, within one unit).
/// The three hash-routed layers hold and use the same experts as the others.
#[test]
fn deepseek_v4_flash_weights_by_hand() {
    let m = flash();
    let h = m.hidden_size;
    let ratios: Vec<u32> = (0..m.layers.len()).map(|i| compressed(&m, i).ratio).collect();
    assert_eq!(ratios.iter().filter(|&&r| r == 4).count(), 21);
    assert_eq!(ratios.iter().filter(|&&r| r == 128).count(), 20);
    // The attention block with the layer's two norms (`Layer::norm_params`).
    let attention = |i: usize| (m.layers[i].attention.params(h) + m.layers[i].norm_params(h)) as f64;
    exact("compressed sparse attention layer", attention(2), 126_893_238.0);
    exact("heavily compressed attention layer", attention(3), 112_011_318.0);
    exact("window-only layer", attention(0), 107_750_966.0);
    exact("one whole layer", m.layer_params(&m.layers[2..3]).total() as f64, 6_595_558_838.0);
    assert!(m.layers.iter().all(|l| l.ffn == m.layers[0].ffn), "hash-routed layers hold the same experts");
    let FeedForward::Moe(moe) = m.layers[0].ffn else { panic!("every layer is MoE") };
    assert_eq!((moe.experts, moe.experts_per_token), (256, 6));
    exact("total", m.total_params() as f64, 284_332_172_946.0);
    exact("active", m.active_params() as f64, 13_799_564_946.0);
}

/// DeepSeek-V4-Flash's cache by hand, per layer and token (FP8: an entry is 448 FP8 values, 7
/// scales, 64 bf16 rotary values and a byte of padding = 584 B; bf16: 1,024 B; an indexer key
/// 128 FP8 + 4 = 132 B):
/// - window-only layer: 584 B, held for at most 128 tokens;
/// - ratio 4: 584 B of window, and per 4 tokens an entry and a key, (584 + 132)/4 = 179 B:
///   763 B (bf16: 1,024 + 1,156/4 = 1,313 B);
/// - ratio 128: 584 + 584/128 = 588.5625 B;
/// - the model: 2 × 584 + 21 × 763 + 20 × 588.5625 = 28,962.25 B, whole on every TP rank.
///
/// One request of 8,192 tokens at FP8 holds 43 × 128 × 584 = 3,214,336 B of windows, 21 × 2,048
/// × 716 = 30,793,728 B of compressed sparse entries and keys, 20 × 64 × 584 = 747,520 B of
/// heavily compressed entries, and the compressors' state, 21 × 8 × 2 × 2 × 640 × 4 + 20 × 128
/// × 2 × 512 × 4 = 12,206,080 B: 46,961,664 B. At 1,048,576 tokens: 3,214,336 + 21 × 262,144 ×
/// 716 + 20 × 8,192 × 584 + 12,206,080 = 4,052,700,160 B, an eighth of the 43 × 1,048,576 ×
/// 584 = 26,331,840,512 B the same layers would hold uncompressed.
#[test]
fn deepseek_v4_flash_kv_bytes_by_hand() {
    let m = flash();
    let fp8 = KvPrecision::Fp8;
    for tp in [1, 8] {
        exact("window-only layer", kv::layer_bytes_per_token(&m.layers[0], tp, fp8).value(), 584.0);
        exact("ratio 4", kv::layer_bytes_per_token(&m.layers[2], tp, fp8).value(), 763.0);
        exact("ratio 4, bf16", kv::layer_bytes_per_token(&m.layers[2], tp, KvPrecision::Bf16).value(), 1313.0);
        exact("ratio 128", kv::layer_bytes_per_token(&m.layers[3], tp, fp8).value(), 588.5625);
        exact("model", kv::bytes_per_token(&m.layers, tp, fp8).value(), 28_962.25);
    }
    let reads = kv::read_bytes_per_token(&m.layers[2], 1, fp8);
    exact("ratio 4 read over the context: the keys, 132 / 4", reads.all.value(), 33.0);
    exact("ratio 4 read over the window", reads.window.value(), 584.0);
    exact("ratio 4 read over the picks: 584 / 4", reads.selected.value(), 146.0);
    exact("8k request", kv::bytes_per_request(&m.layers, 8, fp8, 8192).value(), 46_961_664.0);
    let at_1m = kv::bytes_per_request(&m.layers, 8, fp8, 1 << 20).value();
    exact("1M request", at_1m, 4_052_700_160.0);
    println!("at 1M tokens: {:.1} % of uncompressed", at_1m / 26_331_840_512.0 * 100.0);
    // Below two windows the window and the compressed entries overlap: at 128 tokens a ratio-4
    // layer holds 128 × 584 + 32 × 716 = 97,664 B, more than 128 × 584 = 74,752 B uncompressed.
    let short = kv::bytes_per_request(&m.layers[2..3], 1, fp8, 128) - kv::state_bytes_per_request(&m.layers[2], 1);
    exact("128 tokens at ratio 4", short.value(), 97_664.0);
}

/// The step model's view of all 43 layers at TP 1 with an FP8 cache: per decode token and
/// token of context it reads the indexer keys 21 × 132/4 = 693 B and the heavily compressed
/// entries 20 × 584/128 = 91.25 B over the whole context, the windows 43 × 584 = 25,112 B over at
/// most 128 tokens, the picked entries 21 × 584/4 = 3,066 B over at most 4 × 512 = 2,048 tokens.
/// A pair costs 4 × 64 × 512 = 131,072 flops: 43 of them over the window, 21 × ¼ over the
/// picks, 20 × 1/128 of one and 21 indexer scorings of 2 × 64 × 128 / 4 over the whole context.
#[test]
fn deepseek_v4_flash_attention_reads_a_window_picks_and_compressed_entries() {
    let input = crate::scenario::ScenarioInput::from_json(
        r#"{"model": "deepseek-v4-flash", "weights": "fp8", "kv_cache": "fp8", "gpu": "b200", "nodes": 2, "workload": {"isl": 8192, "osl": 1024}}"#,
    )
    .unwrap();
    let inputs = crate::inputs::resolve(&input).unwrap();
    let p = crate::evaluate::prepare(&inputs, Layout::new(1, 1, 16, 16, 16).unwrap()).unwrap();
    let (load, c) = (&p.load, &p.load.compute);
    exact("bytes over the context", load.kv_bytes_per_token_full.value(), 784.25);
    exact("bytes over the window", load.kv_bytes_per_token_windowed.value(), 25_112.0);
    exact("bytes over the picks", load.kv_bytes_per_token_selected.value(), 3_066.0);
    assert_eq!((c.window, c.selection), (Some(128), Some(2048)));
    exact("flops over the window", c.attention_decode_flops_windowed, 43.0 * 131_072.0);
    exact("flops over the picks", c.attention_decode_flops_selected, 21.0 * 131_072.0 / 4.0);
    exact("flops over the context", c.attention_decode_flops_full, 20.0 * 131_072.0 / 128.0 + 21.0 * 16_384.0 / 4.0);
    exact("hyper-connection vectors", c.hyper_connection_vectors, 43.0 * 18.0);
}

/// At TP 8 a ratio-4 layer's GPU holds an eighth of the 100,663,296 split weights and the
/// 14,680,064 replicated quantised ones whole (FP8: 1 B each), and its 11,549,878 16-bit
/// weights (norms, compressors, the indexer's head weights, hyper-connections) whole:
/// 12,582,912 + 14,680,064 + 2 × 11,549,878 = 50,362,732 B. TP 16 would leave half an output
/// group per GPU, which SGLang cannot run.
#[test]
fn deepseek_v4_splits_its_heads_and_replicates_the_rest() {
    let m = flash();
    let tp8 = Layout::new(8, 1, 1, 1, 8).unwrap();
    let w = weights::layers_bytes(&m, &m.layers[2..3], &tp8, WeightPrecision::Fp8);
    exact("attention on one GPU at TP 8", w.attention.value(), 50_362_732.0);
    let codes = |tp: u32| -> Vec<&str> {
        crate::memory::divisibility::check(&m, &Layout::new(tp, 1, 1, 1, tp).unwrap()).iter().map(|r| r.code()).collect()
    };
    assert!(codes(8).is_empty());
    assert_eq!(codes(16), ["output-groups-not-divisible"]);
}

/// Every released file reads alike: the NVIDIA and sgl-project copies to the same layers.
#[test]
fn the_six_released_configs_read_alike() {
    for size in ["Flash", "Pro"] {
        let read = |file: String| import_file(&file, &configs_dir().join(format!("{file}.json"))).unwrap().spec.layers;
        let reference = read(format!("deepseek-ai--DeepSeek-V4-{size}"));
        assert_eq!(read(format!("nvidia--DeepSeek-V4-{size}-NVFP4")), reference, "{size} NVFP4");
        assert_eq!(read(format!("sgl-project--DeepSeek-V4-{size}-FP8")), reference, "{size} FP8");
    }
}

/// transformers 5.25 saves `layer_types` and `compress_rates` instead of `compress_ratios`:
/// the same model.
#[test]
fn transformers_layer_types_read_as_compress_ratios() {
    let mut c = flash_config();
    let ratios = c["compress_ratios"].as_array().unwrap()[..43].to_vec();
    let names = ratios.iter().map(|r| match r.as_u64() {
        Some(0) => "sliding_attention",
        Some(4) => "compressed_sparse_attention",
        _ => "heavily_compressed_attention",
    });
    c["layer_types"] = json!(names.collect::<Vec<_>>());
    c["compress_rates"] = json!({"compressed_sparse_attention": 4, "heavily_compressed_attention": 128});
    c.as_object_mut().unwrap().remove("compress_ratios");
    assert_eq!(from_config_json("x", &c).unwrap().spec.layers, flash().layers);
}

#[test]
fn what_the_spec_cannot_express_is_refused_naming_the_key() {
    let refused = |changes: Value| {
        let mut c = flash_config();
        c.as_object_mut().unwrap().extend(changes.as_object().unwrap().clone());
        from_config_json("x", &c).unwrap_err()
    };
    let mut shared = flash_config()["compress_ratios"].clone();
    shared[5] = json!(2);
    let cases = [
        (json!({"compress_ratios": shared}), "compress_ratios[5]", "DeepSeek-V4.1"),
        (json!({"compress_ratios": [4, 128]}), "compress_ratios", "has 2 entries"),
        (json!({"num_key_value_heads": 8}), "num_key_value_heads", "one key-value head"),
        (json!({"kv_source_layer_ids": [3]}), "kv_source_layer_ids", "not modelled"),
        (json!({"o_groups": 7}), "o_groups", "do not divide"),
        (json!({"mlp_layer_types": vec!["dense"; 43]}), "mlp_layer_types[0]", "hash_moe, moe"),
        (json!({"model_type": "deepseek_v3", "architectures": ["DeepseekV3ForCausalLM"]}), "compress_ratios", "DeepSeek-V4"),
    ];
    for (changes, key, words) in cases {
        let e = refused(changes);
        println!("{e}");
        assert_eq!(e.field, format!("model.config.{key}"), "{e}");
        assert!(e.message.contains(words), "{e}");
    }
    // The attention every layer was read into is DeepSeek-V4's.
    assert!(flash().layers.iter().all(|l| matches!(l.attention, Attention::Compressed(_))));
}
