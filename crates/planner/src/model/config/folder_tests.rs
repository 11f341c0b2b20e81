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
    ("XiaomiMiMo/MiMo-V2-Flash", "v_head_dim"),
    ("deepseek-ai/DeepSeek-V4-Flash", "compress_ratios"),
    ("deepseek-ai/DeepSeek-V4-Pro", "compress_ratios"),
    ("nvidia/DeepSeek-V4-Flash-NVFP4", "compress_ratios"),
    ("nvidia/DeepSeek-V4-Pro-NVFP4", "compress_ratios"),
    ("nvidia/Llama-3_3-Nemotron-Super-49B-v1", "block_configs"),
    ("sgl-project/DeepSeek-V4-Flash-FP8", "compress_ratios"),
    ("sgl-project/DeepSeek-V4-Pro-FP8", "compress_ratios"),
    ("stepfun-ai/Step-3.7-Flash", "model_type"),
    ("stepfun-ai/Step-3.7-Flash-FP8", "model_type"),
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
    if !s.is_moe() && active != total {
        return Some(format!("dense model with active {active} != total {total}"));
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
/// pairs counted within that span, as a window's are). At a 128k context a decode token's
/// attention flops are therefore `61 × 16,384 × 131,072` for the indexer plus the MLA's over
/// 2,048 tokens, not over 131,072.
#[test]
fn deepseek_sparse_attention_reads_the_whole_context_only_in_its_indexer() {
    let path = configs_dir().join("deepseek-ai--DeepSeek-V3.2.json");
    let m = import_file("deepseek-ai/DeepSeek-V3.2", &path).expect("imports").spec;
    let c = crate::perf::StageCompute::per_tp(&m, &m.layers, true, 8);
    assert_eq!(c.window, Some(2048));
    assert_eq!(c.attention_decode_flops_full, 61.0 * 16_384.0);
    assert!(c.attention_decode_flops_windowed > 0.0);
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
