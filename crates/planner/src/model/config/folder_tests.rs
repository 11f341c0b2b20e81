//! Every file of `data/model-configs/` is either imported with plausible numbers or
//! refused with a reason naming its field; none panics.

use super::*;
use crate::model::parse_config_text;
use std::path::{Path, PathBuf};

/// `data/model-configs/`: real `config.json` files (their source in `data/README.md`).
pub(crate) fn configs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/model-configs")
}

/// The files of the folder, sorted, with their repo id (`meta-llama--X.json` -> `meta-llama/X`).
pub(crate) fn config_files() -> Vec<(String, PathBuf)> {
    let mut files: Vec<(String, PathBuf)> = std::fs::read_dir(configs_dir())
        .expect("model-configs folder is readable")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| (p.file_stem().unwrap().to_string_lossy().replace("--", "/"), p))
        .collect();
    files.sort();
    files
}

pub(crate) fn import_file(name: &str, path: &Path) -> Result<ImportedModel, InputError> {
    let text = std::fs::read_to_string(path).expect("config file is readable");
    from_config_json(name, &parse_config_text(&text)?)
}

/// The files the importer must refuse, and the key (under `model.config.`) each refusal names.
/// Every other file must import. Pinned so that a file can never drift silently from refused to
/// (mis)modelled.
const EXPECTED_REFUSALS: &[(&str, &str)] = &[
];

/// What a parsed file must look like: numbers a real model can have.
fn implausible(m: &ImportedModel) -> Option<String> {
    let s = &m.spec;
    let (total, active) = (s.total_params(), s.active_params());
    let kv = s.kv_cache_bytes_per_token(2.0);
    if !(1e8..=5e12).contains(&(total as f64)) {
        return Some(format!("total {total} outside 0.1B..5T"));
    }
    if active > total || (active as f64) < 0.005 * total as f64 {
        return Some(format!("active {active} not within 0.5%..100% of total {total}"));
    }
    if !s.is_moe() && active + s.vision_params != total {
        return Some(format!("dense model with active {active} + vision tower {} != total {total}", s.vision_params));
    }
    if s.layers.is_empty() || !(kv.is_finite() && kv > 0.0) {
        return Some(format!("{} layers, KV {kv} bytes/token", s.layers.len()));
    }
    None
}

#[test]
fn every_shared_config_is_parsed_or_refused_with_a_reason() {
    let files = config_files();
    assert!(files.len() >= 80, "expected the ~89 shared configs, found {}", files.len());
    let (mut parsed, mut refused, mut failures) = (0, 0, Vec::new());
    for (name, path) in &files {
        let outcome = std::panic::catch_unwind(|| import_file(name, path));
        match outcome {
            Err(_) => failures.push(format!("{name}: panicked")),
            Ok(Ok(m)) => {
                parsed += 1;
                if EXPECTED_REFUSALS.iter().any(|(n, _)| n == name) {
                    failures.push(format!("{name}: imported, but it must be refused"));
                }
                let s = &m.spec;
                println!(
                    "parsed  {name}: total {:.2}B, active {:.2}B, {} layers, KV {} B/token bf16, checkpoint {:?}",
                    s.total_params() as f64 / 1e9,
                    s.active_params() as f64 / 1e9,
                    s.num_layers(),
                    s.kv_cache_bytes_per_token(2.0),
                    m.checkpoint_precision,
                );
                if let Some(why) = implausible(&m) {
                    failures.push(format!("{name}: implausible: {why}"));
                }
            }
            Ok(Err(e)) => {
                refused += 1;
                println!("refused {name}: {e}");
                if e.message.trim().is_empty() || !e.field.starts_with("model.config") {
                    failures.push(format!("{name}: refusal without a named field and reason: {e:?}"));
                }
                match EXPECTED_REFUSALS.iter().find(|(n, _)| n == name) {
                    None => failures.push(format!("{name}: refused, but it must import: {e}")),
                    Some((_, key)) if e.field != format!("model.config.{key}") => {
                        failures.push(format!("{name}: refused on {}, expected model.config.{key}", e.field))
                    }
                    Some(_) => {}
                }
            }
        }
    }
    println!("{parsed} parsed, {refused} refused, {} files", files.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// DeepSeek-V3.2 (DeepSeek sparse attention): 61 MLA layers, each with an indexer of 64 heads
/// of 128 picking the top 2,048 tokens. By hand:
/// - cache per token: the latent 512 + 64 = 576 elements (1,152 B in BF16, 576 B in FP8) and the
///   indexer's FP8 keys 128 B + one FP32 scale 4 B = 132 B, per layer: 61 × 1,284 = 78,324 B in
///   BF16, 61 × 708 = 43,188 B in FP8;
/// - indexer weights per layer: wq_b 1,536 × 64 × 128 = 12,582,912, wk 7,168 × 128 = 917,504,
///   k_norm 2 × 128 = 256, weights_proj 7,168 × 64 = 458,752: 13,959,424, so 851,524,864 over
///   61 layers beside the same config without the indexer keys.
#[test]
fn deepseek_sparse_attention_counts_its_indexer_cache_and_weights() {
    let path = configs_dir().join("deepseek-ai--DeepSeek-V3.2.json");
    let m = import_file("deepseek-ai/DeepSeek-V3.2", &path).expect("DeepSeek-V3.2 imports").spec;
    assert_eq!(m.layers[0].attention.indexer(), Some(crate::model::Indexer { heads: 64, head_dim: 128, topk: 2048, kind: crate::model::IndexerKind::DeepSeek }));
    assert_eq!(m.kv_cache_bytes_per_token(2.0), 78_324.0);
    assert_eq!(m.kv_cache_bytes_per_token(1.0), 43_188.0);
    let mut dense: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    for key in ["index_topk", "index_n_heads", "index_head_dim"] {
        dense.as_object_mut().unwrap().remove(key);
    }
    let without = from_config_json("without indexer", &dense).expect("imports as DeepSeek-V3").spec;
    assert_eq!(m.total_params() - without.total_params(), 851_524_864);
}

/// The performance model's view of DeepSeek-V3.2's attention on a stage of all 61 layers at
/// TP 8: the indexer scores every cached token, `2 × 64 × 128 = 16,384` flops per pair per
/// layer, whole on every rank; the MLA attention reads at most the 2,048 tokens it picks (its
/// pairs counted within that span, the selection). At a 128k context a decode token's
/// attention flops are therefore `61 × 16,384 × 131,072` for the indexer plus the MLA's over
/// 2,048 tokens, not over 131,072.
#[test]
fn deepseek_sparse_attention_reads_the_whole_context_only_in_its_indexer() {
    let path = configs_dir().join("deepseek-ai--DeepSeek-V3.2.json");
    let m = import_file("deepseek-ai/DeepSeek-V3.2", &path).expect("imports").spec;
    let c = crate::perf::StageCompute::per_tp(&m, &m.layers, true, 8);
    assert_eq!((c.window, c.selection), (None, Some(2048)));
    assert_eq!(c.attention_decode_flops_full, 61.0 * 16_384.0);
    assert!(c.attention_decode_flops_selected > 0.0);
}

/// Qwen3.5-27B: 64 layers, a full-attention layer every fourth (16 of them: GQA, 4 KV heads of
/// 256), the other 48 Gated DeltaNet (16 key heads and 48 value heads of 128, a convolution 4
/// wide, the state in float32). By hand:
/// - one linear layer's weights: hidden 5,120 × (2 × 2,048 + 2 × 6,144) = 83,886,080 for the
///   input projection, 5,120 × 2 × 48 = 491,520 for beta and alpha, (2 × 2,048 + 6,144) × 4 =
///   40,960 for the convolution, 96 for A_log and dt_bias, 128 for the gated norm, 6,144 ×
///   5,120 = 31,457,280 for the output: 115,876,064, plus the two norms 2 × 5,120;
/// - one request's state per linear layer at TP 1: the convolution (4,096 + 6,144) × 3 × 2 B =
///   61,440 B, the temporal state 48 × 128 × 128 × 4 B = 3,145,728 B; 48 layers: 153,944,064 B,
///   whatever the context; at TP 4 a quarter, 38,486,016 B;
/// - at a 128k context one request holds 16 × 4,096 B × 131,072 = 8,589,934,592 B of KV cache
///   plus that state, 8,743,878,656 B: 25.45 % of the 34,359,738,368 B the same 64 layers would
///   hold with full attention.
#[test]
fn gated_deltanet_keeps_a_fixed_state_per_request() {
    let path = configs_dir().join("Qwen--Qwen3.5-27B.json");
    let m = import_file("Qwen/Qwen3.5-27B", &path).expect("Qwen3.5-27B imports").spec;
    let linear: Vec<_> = m.layers.iter().filter_map(|l| l.attention.linear()).collect();
    assert_eq!((linear.len(), m.layers.len()), (48, 64));
    assert_eq!(linear[0].params(5120), 115_876_064);
    check_fixed_state(&m, &[(1, 153_944_064.0), (4, 38_486_016.0)], 8_743_878_656.0, 64.0 * 4096.0, 0.2545);
}

/// A model with linear-attention layers: its state per request at each `(tp, bytes)`, one
/// request at a 128k context on one GPU (`at_128k` bytes), and that request's `fraction` (within
/// 5e-5) of what its layers would cache at `full_per_token` bytes per token.
fn check_fixed_state(m: &crate::model::ModelSpec, states: &[(u32, f64)], at_128k: f64, full_per_token: f64, fraction: f64) {
    use crate::memory::kv;
    use crate::precision::KvPrecision;
    for &(tp, expected) in states {
        let state = m.layers.iter().map(|l| kv::state_bytes_per_request(l, tp).value()).sum::<f64>();
        println!("{} state per request at TP {tp}: expected {expected} B, actual {state} B, tolerance 0", m.name);
        assert_eq!(state, expected, "TP {tp}");
    }
    let actual = kv::bytes_per_request(&m.layers, 1, KvPrecision::Bf16, 131_072).value();
    assert_eq!(actual, at_128k);
    let full = full_per_token * 131_072.0;
    let share = actual / full;
    println!("{} at 128k: {actual} B per request, {:.2} % of the {full} B cached in full", m.name, share * 100.0);
    assert!((share - fraction).abs() < 5e-5, "expected {fraction}, actual {share}, tolerance 5e-5");
}

/// Kimi K3: 93 layers, 69 Kimi Delta Attention (96 heads of 128 for queries, keys and values,
/// a convolution 4 wide, a full-rank output gate, the state in float32) and 24 MLA with an
/// output gate (96 heads, latent 512 + 64). By hand (SGLang 0.5.23 `models/kimi_k3.py`):
/// - one KDA layer's weights, hidden 7,168, K = V = 96 × 128 = 12,288: `fused_qkvg_proj`
///   7,168 × 4 × 12,288 = 352,321,536; `b_proj` 7,168 × 96 = 688,128; `f_a_proj` 7,168 × 128 =
///   917,504; `f_b_proj` 128 × 12,288 = 1,572,864; `o_proj` 12,288 × 7,168 = 88,080,384; the
///   convolution 36,864 × 4 = 147,456; `A_log` 96 and `dt_bias` 12,288; `o_norm` 128:
///   443,740,384;
/// - one MLA layer's: `q_a_proj` 7,168 × 1,536 = 11,010,048, its norm 1,536, `q_b_proj`
///   1,536 × 96 × 192 = 28,311,552, `kv_a_proj_with_mqa` 7,168 × 576 = 4,128,768, its norm 512,
///   `kv_b_proj` 512 × 96 × 256 = 12,582,912, `o_proj` and `g_proj` 2 × 12,288 × 7,168 =
///   176,160,768: 232,196,096;
/// - one request's state per KDA layer at TP 1 (`KimiLinearStateShape`): the convolution
///   36,864 × 3 × 2 B = 221,184 B, the temporal state 96 × 128 × 128 × 4 B = 6,291,456 B;
///   69 layers: 449,372,160 B whatever the context; at TP 8 an eighth, 56,171,520 B;
/// - at a 128k context one request holds 24 × 1,152 B × 131,072 = 3,623,878,656 B of latent
///   cache plus that state, 4,073,250,816 B: 29.01 % of the 14,042,529,792 B the 93 layers
///   would hold as MLA.
#[test]
fn kimi_delta_attention_keeps_a_fixed_state_per_request() {
    use crate::model::{Attention, LinearGates};
    let path = configs_dir().join("moonshotai--Kimi-K3.json");
    let imported = import_file("moonshotai/Kimi-K3", &path).expect("Kimi K3 imports");
    let m = imported.spec;
    let linear: Vec<_> = m.layers.iter().filter_map(|l| l.attention.linear()).collect();
    assert_eq!((linear.len(), m.layers.len()), (69, 93));
    assert_eq!(linear[0].gates, LinearGates::Kda { rank: 128, full_rank_output_gate: true });
    // Layer 4 (1-based) is the first MLA layer, layer 93 the last.
    assert!(matches!(m.layers[3].attention, Attention::Mla(a) if a.output_gate) && m.layers[92].attention.attends());
    for (what, actual, expected) in [
        ("KDA layer", m.layers[1].attention.params(7168), 443_740_384),
        ("MLA layer", m.layers[3].attention.params(7168), 232_196_096),
    ] {
        println!("{what}: expected {expected}, actual {actual}, tolerance 0");
        assert_eq!(actual, expected, "{what}");
    }
    check_fixed_state(&m, &[(1, 449_372_160.0), (8, 56_171_520.0)], 4_073_250_816.0, 93.0 * 1152.0, 0.2901);
    assert!(imported.notes.iter().any(|n| n.contains("attention residuals")), "{:?}", imported.notes);
}

/// MiniMax-M3: 60 GQA layers (64 heads, 4 KV heads of 128), the last 57 block-sparse through an
/// indexer of 4 heads of 128 that picks 16 blocks of 128 tokens (2,048 tokens) per KV head. By
/// hand (SGLang 0.5.23 `MiniMaxSparseKVPool`, `models/minimax_m3.py`):
/// - cache per token: K and V, 2 × 4 × 128 × 2 B = 2,048 B in BF16 on 60 layers, and the
///   16-bit index key, 128 × 2 B = 256 B, on 57: 137,472 B; with an FP8 KV cache the index key
///   stays 16-bit: 60 × 1,024 + 57 × 256 = 76,032 B; at TP 8 one KV head per GPU (replicated)
///   and the whole index key: 60 × 512 + 57 × 256 = 45,312 B;
/// - the indexer's weights per sparse layer: queries 6,144 × 512 = 3,145,728, key 6,144 × 128 =
///   786,432: 3,932,160, so 224,133,120 for 57 layers beside the same config without
///   `sparse_attention_config`;
/// - NVIDIA's NVFP4 file is the same language model wrapped (`minimax_m3_vl`).
#[test]
fn minimax_m3_block_sparse_attention_counts_its_index_cache_and_weights() {
    use crate::memory::kv;
    use crate::model::{Indexer, IndexerKind};
    use crate::precision::KvPrecision;
    let path = configs_dir().join("MiniMaxAI--MiniMax-M3.json");
    let m = import_file("MiniMax-M3", &path).expect("MiniMax-M3 imports").spec;
    let sparse: Vec<usize> = (0..m.layers.len()).filter(|&i| m.layers[i].attention.indexer().is_some()).collect();
    assert_eq!(sparse, (3..60).collect::<Vec<_>>());
    let indexer = Indexer { heads: 4, head_dim: 128, topk: 2048, kind: IndexerKind::MiniMax { values: false } };
    assert_eq!(m.layers[3].attention.indexer(), Some(indexer));
    assert_eq!(kv::attention_span(&m.layers[3]), Some(2048));
    assert_eq!(kv::attention_span(&m.layers[0]), None);
    for (what, actual, expected) in [
        ("BF16, TP 1", kv::bytes_per_token(&m.layers, 1, KvPrecision::Bf16), 137_472.0),
        ("FP8, TP 1", kv::bytes_per_token(&m.layers, 1, KvPrecision::Fp8), 76_032.0),
        ("BF16, TP 8", kv::bytes_per_token(&m.layers, 8, KvPrecision::Bf16), 45_312.0),
    ] {
        println!("cache per token, {what}: expected {expected} B, actual {} B, tolerance 0", actual.value());
        assert_eq!(actual.value(), expected, "{what}");
    }
    let mut dense: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    dense.as_object_mut().unwrap().remove("sparse_attention_config");
    let without = from_config_json("without indexer", &dense).expect("imports as full attention").spec;
    assert_eq!(m.total_params() - without.total_params(), 224_133_120);
    assert!(without.layers.iter().all(|l| l.attention.indexer().is_none()));
    let mut nvfp4 = import_file("MiniMax-M3", &configs_dir().join("nvidia--MiniMax-M3-NVFP4.json")).expect("NVFP4 imports").spec;
    nvfp4.name = m.name.clone();
    assert_eq!(nvfp4, m);
}

/// SGLang's index values (a sparse layer not flagged in `sparse_disable_index_value`): the
/// index cache holds a value beside the key (512 B per token and layer), `index_qkv_proj` one
/// value more and `index_o_proj` (4 × 128 → 6,144) come in, 6,144 × 128 + 512 × 6,144 =
/// 3,932,160 weights per layer, and the indexer's pairs cost twice the flops (a weighted sum
/// of the values beside the scores): 4 × 4 × 128 = 2,048 per pair at TP 1.
#[test]
fn minimax_m3_index_values_double_the_index_cache_and_add_their_projections() {
    use crate::memory::kv;
    use crate::model::IndexerKind;
    use crate::precision::KvPrecision;
    let path = configs_dir().join("MiniMaxAI--MiniMax-M3.json");
    let keys = import_file("MiniMax-M3", &path).unwrap().spec;
    let mut config: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    config["sparse_attention_config"]["sparse_disable_index_value"] = serde_json::json!(vec![0; 60]);
    let values = from_config_json("with index values", &config).unwrap().spec;
    let i = values.layers[3].attention.indexer().unwrap();
    assert_eq!(i.kind, IndexerKind::MiniMax { values: true });
    let per_token = |m: &crate::model::ModelSpec| kv::bytes_per_token(&m.layers, 1, KvPrecision::Bf16).value();
    assert_eq!(per_token(&values) - per_token(&keys), 57.0 * 256.0);
    assert_eq!(values.total_params() - keys.total_params(), 57 * 3_932_160);
    assert_eq!(i.flops_per_pair(1), 2048.0);
}

/// The performance model's view of MiniMax-M3's attention on a stage of all 60 layers: the
/// indexer scores every cached token with its heads on this GPU, 2 × 4 × 128 = 1,024 flops per
/// pair and layer at TP 1, 2 × 1 × 128 = 256 at TP 8 (one index head per GPU, each head on 2
/// GPUs: `idx_head_tp_size` = 4); the 3 full layers' GQA pairs, 4 × 64 / 8 × 128 =
/// 4,096 each at TP 8, count over the whole context, the 57 sparse layers' over at most 2,048
/// tokens.
#[test]
fn minimax_m3_reads_the_whole_context_only_in_its_indexer() {
    let path = configs_dir().join("MiniMaxAI--MiniMax-M3.json");
    let m = import_file("MiniMax-M3", &path).expect("imports").spec;
    let c1 = crate::perf::StageCompute::per_tp(&m, &m.layers, true, 1);
    let c8 = crate::perf::StageCompute::per_tp(&m, &m.layers, true, 8);
    assert_eq!((c1.indexer_flops_per_pair, c8.indexer_flops_per_pair), (57.0 * 1024.0, 57.0 * 256.0));
    // The sparse layers' own pairs are the "selected" class: at most the 2,048 tokens picked.
    assert_eq!((c8.window, c8.selection), (None, Some(2048)));
    assert_eq!(c8.attention_decode_flops_full, 57.0 * 256.0 + 3.0 * 4096.0);
    assert_eq!(c8.attention_decode_flops_selected, 57.0 * 4096.0);
    assert_eq!(c8.indexer_bytes_per_token, 57.0 * 256.0);
}

/// Each counted vision tower of `data/model-configs/`, pinned, one of them counted by hand.
///
/// Qwen3-VL-8B-Instruct (`vision::qwen3_vl`; its `vision_config`: hidden 1152, depth 27,
/// intermediate 4304, 3 channels, patch 16, temporal patch 2, merge 2, out 4096, 2304
/// positions, DeepStack at layers 8, 16, 24):
/// - `patch_embed`: 3 × 2 × 16² × 1152 + 1152 = 1,770,624;
/// - `pos_embed`: 2304 × 1152 = 2,654,208;
/// - one block: `qkv` 1152 × 3456 + 3456 = 3,984,768, `proj` 1152² + 1152 = 1,328,256,
///   `linear_fc1` 1152 × 4304 + 4304 = 4,962,512, `linear_fc2` 4304 × 1152 + 1152 = 4,959,360,
///   two LayerNorms 4,608: 15,239,504; × 27 = 411,466,608;
/// - `merger` (merged width 1152 × 2² = 4608): norm 2,304, `linear_fc1` 4608² + 4608 =
///   21,238,272, `linear_fc2` 4608 × 4096 + 4096 = 18,878,464: 40,119,040;
/// - three DeepStack mergers, their norm over 4608 (9,216): 3 × 40,125,952 = 120,377,856.
///
/// Total 576,388,336: with the language model's 8,190,726,144, 8.767B (the repository's
/// 8.77B). The others by the same rules: Qwen3.5 (no DeepStack) 576,388,336 − 120,377,856 =
/// 456,010,480 at out 4096; Gemma 4 31B 884,736 + 23,592,960 + 27 × 20,187,792 + 1152 × 5376 =
/// 575,741,232; Kimi K2.5 678,528 + 4,718,592 + 27 × 15,239,504 + 2,304 + 2,304 + 21,238,272 +
/// 33,037,312 = 471,143,920.
#[test]
fn vision_towers_of_the_shared_configs() {
    let tower = |file: &str| {
        let m = import_file(file, &configs_dir().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(!m.notes.iter().any(|n| n.starts_with("vision tower:") && !n.contains("projection_hidden_size")), "{file}: {:?}", m.notes);
        m.spec.vision_params
    };
    let by_hand = 1_770_624 + 2_654_208 + 27 * 15_239_504 + 40_119_040 + 3 * 40_125_952;
    for (file, expected) in [
        ("Qwen--Qwen3-VL-8B-Instruct.json", by_hand),
        ("Qwen--Qwen3.5-397B-A17B.json", by_hand - 120_377_856),
        ("nvidia--Gemma-4-31B-IT-NVFP4.json", 575_741_232),
        ("moonshotai--Kimi-K2.5.json", 471_143_920),
    ] {
        let actual = tower(file);
        println!("{file} vision tower: expected {expected}, actual {actual}, tolerance 0");
        assert_eq!(actual, expected, "{file}");
    }
    assert_eq!(by_hand, 576_388_336);
    // Every wrapper of a counted family with a vision_config counts one.
    let mut checked = 0;
    for (name, path) in config_files() {
        let config = parse_config_text(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let wrapper = config["model_type"].as_str().unwrap_or_default();
        if ["qwen3_vl", "qwen3_vl_moe", "qwen3_5", "qwen3_5_moe", "gemma4", "kimi_k25"].contains(&wrapper) && config["vision_config"].is_object() {
            let m = import_file(&name, &path).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(m.spec.vision_params > 400_000_000, "{name}: {}", m.spec.vision_params);
            checked += 1;
        }
    }
    assert_eq!(checked, 22, "the 7 Qwen3-VL, 8 Qwen3.5/3.6, 3 Gemma 4 and 4 Kimi K2.5-K2.7 files");
}
