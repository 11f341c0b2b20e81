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
    ("MiniMaxAI/MiniMax-M3", "sparse_attention_config"),
    ("moonshotai/Kimi-K3", "text_config.linear_attn_config"),
    ("nvidia/MiniMax-M3-NVFP4", "text_config.sparse_attention_config"),
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
    assert_eq!(m.layers[0].attention.indexer(), Some(crate::model::Indexer { heads: 64, head_dim: 128, topk: 2048 }));
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
    use crate::memory::kv;
    use crate::precision::KvPrecision;
    let path = configs_dir().join("Qwen--Qwen3.5-27B.json");
    let m = import_file("Qwen/Qwen3.5-27B", &path).expect("Qwen3.5-27B imports").spec;
    let linear: Vec<_> = m.layers.iter().filter_map(|l| l.attention.linear()).collect();
    assert_eq!((linear.len(), m.layers.len()), (48, 64));
    assert_eq!(linear[0].params(5120), 115_876_064);
    let state = |tp: u32| m.layers.iter().map(|l| kv::state_bytes_per_request(l, tp).value()).sum::<f64>();
    assert_eq!(state(1), 153_944_064.0);
    assert_eq!(state(4), 38_486_016.0);
    let at_128k = kv::bytes_per_request(&m.layers, 1, KvPrecision::Bf16, 131_072).value();
    assert_eq!(at_128k, 8_743_878_656.0);
    let all_full = 64.0 * 4096.0 * 131_072.0;
    let fraction = at_128k / all_full;
    println!("Qwen3.5-27B at 128k: {at_128k} B per request, {:.2} % of full attention's {all_full} B", fraction * 100.0);
    assert!((fraction - 0.2545).abs() < 5e-5, "expected 0.2545, actual {fraction}, tolerance 5e-5");
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
