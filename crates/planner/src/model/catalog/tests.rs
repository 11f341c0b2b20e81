//! Catalog tests: the data file, lookups, agreement with the shared full configs, and parameter
//! counts against published figures.

use super::source::{presets, JsonPreset};
use super::*;
use crate::model::config::folder_tests::{config_files, import_file};
use serde::Deserialize;

/// `data/models.json`, as `calibrate --tables` reads it.
const DATA: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/models.json"));
use crate::model::summary;
use crate::precision::KvPrecision;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// `data/model-sources.json`: where each preset comes from, by id.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SourcesFile {
    about: String,
    models: BTreeMap<String, Sources>,
}

/// One preset's provenance.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Sources {
    /// Where the config comes from: repo and file, or paper and table.
    source: String,
    /// The full `config.json` in `data/model-configs/` this preset was trimmed from.
    #[serde(default)]
    full_config: Option<String>,
    /// Where the preset's `vision_config` comes from when that full config has none
    /// (aiconfigurator's copies of Llama 4 leave it out), so its tower is checked against the
    /// published total only.
    #[serde(default)]
    vision_config_source: Option<String>,
    /// Parameter counts as the model card or paper gives them.
    #[serde(default)]
    published: Option<Published>,
}

/// Published parameter counts, as written by their source (`"70.6B"`, `"1T"`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Published {
    total: String,
    /// Parameters a token passes through; absent for dense models.
    #[serde(default)]
    active: Option<String>,
    source: String,
    /// The card's active count leaves out the input embedding table (gpt-oss).
    #[serde(default)]
    active_excludes_input_embedding: bool,
}

fn sources() -> SourcesFile {
    serde_json::from_str(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/model-sources.json")))
        .expect("data/model-sources.json parses strictly")
}

/// The provenance of preset `id`.
fn sources_of<'a>(file: &'a SourcesFile, id: &str) -> &'a Sources {
    file.models.get(id).unwrap_or_else(|| panic!("{id} has no entry in data/model-sources.json"))
}

#[test]
fn catalog_file_is_valid() {
    let entries: Vec<JsonPreset> = presets(DATA).expect("data/models.json parses strictly");
    assert!(entries.len() >= 30, "{} presets", entries.len());
    let file = sources();
    assert!(!file.about.is_empty());
    let ids: BTreeSet<&str> = entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(file.models.keys().map(String::as_str).collect::<BTreeSet<_>>(), ids, "one source entry per preset");
    let mut seen: HashMap<String, &str> = HashMap::new();
    for e in &entries {
        let origin = sources_of(&file, &e.id);
        assert!(!e.display_name.is_empty() && !origin.source.is_empty(), "{}", e.id);
        if let Some(p) = &origin.published {
            assert!(!p.source.is_empty(), "{}: published figures name their source", e.id);
        }
        for name in std::iter::once(&e.id).chain(&e.aliases) {
            if let Some(other) = seen.insert(normalise(name), &e.id) {
                assert_eq!(other, e.id, "{name:?} names both {other} and {}", e.id);
            }
        }
        let m = e.import().unwrap_or_else(|err| panic!("{}: {err}", e.id));
        let total = m.spec.total_params() as f64;
        assert!((1e8..=5e12).contains(&total), "{}: total {total}", e.id);
        assert_eq!(m.spec.name, e.id);
    }
}

#[test]
fn the_presets_the_issue_asks_for_are_there() {
    let wanted = [
        "Llama-2-7b",
        "llama-2-70b",
        "llama-3.1-8b",
        "llama-3.1-70b",
        "llama-3.1-405b",
        "llama-3.3-70b",
        "llama-4-scout",
        "llama-4-maverick",
        "mistral-7b",
        "mixtral-8x7b",
        "mixtral-8x22b",
        "qwen3-8b",
        "qwen3-32b",
        "qwen3-30b-a3b",
        "qwen3-235b-a22b",
        "qwen3-coder-480b",
        "deepseek-v3",
        "deepseek-r1",
        "kimi-k2",
        "gpt-oss-20b",
        "gpt-oss-120b",
        "llama-7b",
        "llama-70b",
        "gpt-3-175b",
        "gpt-1t",
    ];
    for id in wanted {
        lookup(id).unwrap_or_else(|e| panic!("{id}: {e}"));
    }
}

#[test]
fn lookup_accepts_case_suffix_prefix_and_alias_variants() {
    let canonical = lookup("meta-llama/Llama-3.1-70B").unwrap();
    for variant in [
        "META-LLAMA/llama-3.1-70b",
        "meta-llama/Llama-3.1-70B-Instruct",
        "meta-llama/Meta-Llama-3.1-70B-Instruct",
        "Llama-3.1-70B",
        "llama-3.1-70b",
        " llama3.1-70b ",
    ] {
        assert_eq!(lookup(variant).unwrap(), canonical, "{variant}");
    }
    assert_eq!(
        lookup("mistralai/Mixtral-8x7B-Instruct-v0.1").unwrap().spec.name,
        "mistralai/Mixtral-8x7B-v0.1"
    );
    assert_eq!(lookup("meta-llama/Llama-2-7b-chat-hf").unwrap().spec.name, "meta-llama/Llama-2-7b-hf");
    assert_eq!(lookup("google/gemma-4-31B-it").unwrap().spec.name, "google/gemma-4-31B-it");
}

#[test]
fn unknown_ids_are_errors_on_model_with_close_matches() {
    let e = lookup("meta-llama/Llama-3.1-7B").unwrap_err();
    assert_eq!(e.field, "model");
    assert!(
        e.message.contains("meta-llama/Llama-3.1-70B") && e.message.contains("meta-llama/Llama-3.1-8B"),
        "{e}"
    );
    let e = lookup("qwen3").unwrap_err();
    assert!(e.message.contains("Qwen/Qwen3-8B"), "{e}");
    let e = lookup("").unwrap_err();
    assert_eq!(e.field, "model");
    assert!(lookup("zzzzzzzzzzzzzzzzzzzzzzzzzz").unwrap_err().message.contains("paste"));
}

/// Bug: "foo/bar" was answered "did you mean gpt-1t?" (any name within three edits, however
/// short the names). A suggestion is close relative to the name's length, a misspelt variant
/// suffix included; nothing close, no suggestion.
#[test]
fn only_close_names_are_suggested() {
    let hint = |id: &str| {
        let message = lookup(id).map(|_| ()).expect_err(id).message;
        message.split_once("did you mean ").map(|(_, ids)| ids.trim_end_matches('?').split(", ").map(str::to_string).collect::<Vec<_>>())
    };
    for nothing_close in ["foo/bar", "bar", "abc-def", "zzzzzzzzzzzzzzzzzzzzzzzzzz"] {
        assert_eq!(hint(nothing_close), None, "{nothing_close:?}: expected no suggestion");
    }
    let typo = hint("meta-llama/Llama-3.1-70B-Instrct").unwrap_or_default();
    assert_eq!(typo.first().map(String::as_str), Some("meta-llama/Llama-3.1-70B"), "a misspelt -Instruct: expected Llama 3.1 70B first, got {typo:?}");
    let size = hint("llama-3.1-7b").unwrap_or_default();
    assert_eq!(size[..2], ["meta-llama/Llama-3.1-8B", "meta-llama/Llama-3.1-70B"], "a size off by one edit: expected 8B and 70B first, got {size:?}");
}

/// Fuzzing found a share link whose model was a megabyte of text taking seconds: every
/// catalog name's edit distance to it was counted in full. Names that far off in length are
/// no longer counted (the fuzz corpus keeps that link as a seed, so the fuzz run's 1 s CPU
/// limit guards the time); a name they contain is still suggested.
#[test]
fn a_very_long_unknown_id_still_gets_containment_hints() {
    let long = format!("{}qwen3-8b", "x".repeat(100_000));
    let e = lookup(&long).unwrap_err();
    assert!(e.message.contains("Qwen/Qwen3-8B"), "expected the contained preset suggested: {}", &e.message[e.message.len() - 200..]);
}

/// A preset trimmed from a shared full config imports to the same spec; when the shared file
/// is the same repo (not a quantized sibling), to the same checkpoint precision too.
#[test]
fn trimmed_presets_import_like_their_full_files() {
    let files = config_files();
    let mut checked = 0;
    let file = sources();
    for e in entries() {
        let Some(copy) = &sources_of(&file, e.id).full_config else { continue };
        let (name, path) = files
            .iter()
            .find(|(_, p)| p.file_name().is_some_and(|f| f.to_string_lossy() == *copy))
            .unwrap_or_else(|| panic!("{}: full config {copy} not in model-configs", e.id));
        let full = import_file(name, path).unwrap_or_else(|err| panic!("{copy}: {err}"));
        let trimmed = e.import();
        let mut full_spec = full.spec.clone();
        full_spec.name = e.id.to_string();
        // A full config without `vision_config`: the tower is the preset's alone, and so are
        // the notes that describe it (the rest must agree).
        let vision_elsewhere = sources_of(&file, e.id).vision_config_source.is_some();
        let mut full_notes = full.notes.clone();
        let mut trimmed_notes = trimmed.notes.clone();
        if vision_elsewhere {
            assert_eq!(full_spec.vision_params, 0, "{}: {copy} has a vision_config; drop vision_config_source", e.id);
            assert!(trimmed.spec.vision_params > 0, "{}: vision_config_source names a tower the preset lacks", e.id);
            full_spec.vision_params = trimmed.spec.vision_params;
            full_notes.retain(|n| !n.contains("vision"));
            trimmed_notes.retain(|n| !n.contains("vision"));
        }
        assert_eq!(trimmed.spec, full_spec, "{}: trimmed config differs from {copy}", e.id);
        assert_eq!(
            trimmed.context_window, full.context_window,
            "{}: expected the context window of {copy}, got the preset's", e.id
        );
        // Same model (org, `Meta-` and `-Instruct` variants aside): same precision and notes.
        if normalise(&copy.trim_end_matches(".json").replace("--", "/")) == normalise(e.id) {
            assert_eq!(trimmed.checkpoint_precision, full.checkpoint_precision, "{}", e.id);
            assert_eq!(trimmed_notes, full_notes, "{}", e.id);
        }
        checked += 1;
    }
    assert!(checked >= 25, "only {checked} presets have a full config");
}

/// A published figure as the card writes it: value, and its last digit's unit.
fn published_figure(text: &str) -> (f64, f64, usize) {
    let (number, scale) = match text.chars().last() {
        Some('B') => (&text[..text.len() - 1], 1e9),
        Some('T') => (&text[..text.len() - 1], 1e12),
        _ => panic!("published figure {text:?} must end in B or T"),
    };
    let value: f64 = number.parse().unwrap_or_else(|_| panic!("published figure {text:?}"));
    let decimals = number.split_once('.').map_or(0, |(_, d)| d.len());
    let significant = number.chars().filter(char::is_ascii_digit).skip_while(|c| *c == '0').count();
    (value * scale, scale / 10f64.powi(decimals as i32), significant)
}

/// The rule of `data/README.md`: a card figure with three or more significant figures
/// must be met within 1 %; a rounder one ("1T", "17B", "5.1B") must be our count rounded — up,
/// down or to nearest — to the card's last digit, i.e. within one unit of that digit.
fn check_count(id: &str, what: &str, actual: u64, card: &str) -> Result<String, String> {
    let (expected, unit, significant) = published_figure(card);
    let (tolerance, rule) =
        if significant >= 3 { (0.01 * expected, "1 %") } else { (unit, "one unit of the card's last digit") };
    let diff = actual as f64 - expected;
    let line = format!(
        "{id:40} {what:6} expected {card:>7} actual {:9.3}B difference {:+.3}B ({:+.2} %) tolerance ±{:.3}B ({rule})",
        actual as f64 / 1e9,
        diff / 1e9,
        100.0 * diff / expected,
        tolerance / 1e9,
    );
    if significant >= 3 && diff.abs() <= tolerance || significant < 3 && diff.abs() < tolerance {
        Ok(line)
    } else {
        Err(line)
    }
}

#[test]
fn parameter_counts_match_published_figures() {
    let mut lines = Vec::new();
    let mut failures = Vec::new();
    let file = sources();
    for e in entries() {
        let Some(p) = &sources_of(&file, e.id).published else { continue };
        let spec = e.import().spec;
        let mut checks = vec![("total", spec.total_params(), p.total.as_str())];
        if let Some(active) = &p.active {
            let embedding =
                if p.active_excludes_input_embedding { spec.vocab_size * spec.hidden_size } else { 0 };
            checks.push(("active", spec.active_params() - embedding, active.as_str()));
        }
        for (what, actual, card) in checks {
            match check_count(e.id, what, actual, card) {
                Ok(line) => lines.push(line),
                Err(line) => failures.push(line),
            }
        }
    }
    println!("{}", lines.join("\n"));
    assert!(failures.is_empty(), "outside tolerance:\n{}", failures.join("\n"));
    // Every model of the README table is checked.
    let readme = [
        "meta-llama/Llama-3.1-8B",
        "meta-llama/Llama-3.1-70B",
        "meta-llama/Llama-3.1-405B",
        "mistralai/Mixtral-8x7B-v0.1",
        "mistralai/Mixtral-8x22B-v0.1",
        "Qwen/Qwen3-30B-A3B",
        "Qwen/Qwen3-235B-A22B",
        "deepseek-ai/DeepSeek-V3",
        "deepseek-ai/DeepSeek-R1",
        "meta-llama/Llama-4-Scout-17B-16E",
        "meta-llama/Llama-4-Maverick-17B-128E",
        "openai/gpt-oss-120b",
        "openai/gpt-oss-20b",
        "moonshotai/Kimi-K2-Instruct",
    ];
    for id in readme {
        let e = entries().iter().find(|e| e.id == id).unwrap_or_else(|| panic!("{id} missing"));
        assert!(sources_of(&file, e.id).published.is_some(), "{id} has no published figures");
    }
}

/// Llama 4 Scout's card counts its vision encoder and projector in its 109B. The preset's
/// `vision_config` (`Llama4VisionModel` with hidden 1408, 34 layers, intermediate 5632, patch
/// 14, image 336, output 4096; `config::vision::llama4`): patch 827,904, class 1,408, positions
/// 577 × 1408 = 812,416, LayerNorms 5,632, 34 × 23,807,872 = 809,467,648, adapter 23,068,672 +
/// 16,777,216, projector 4096 × 5120 = 20,971,520: 871,932,416. With the language model's
/// 107,769,861,888: 108,641,794,304, which rounds to the card's 109B.
#[test]
fn llama_4_scout_meets_its_card_with_its_vision_tower() {
    let s = lookup("llama-4-scout").unwrap().spec;
    println!("Scout vision tower: expected 871932416, actual {}, tolerance 0", s.vision_params);
    assert_eq!(s.vision_params, 871_932_416);
    let total = s.total_params();
    println!("Scout total: expected 109B rounded, actual {:.3}B, tolerance ±0.5B (the card's rounding)", total as f64 / 1e9);
    assert_eq!(total, 108_641_794_304);
    assert_eq!((total as f64 / 1e9).round(), 109.0);
    assert_eq!(s.active_params(), s.total_params() - s.vision_params - s.params().experts + s.active_expert_params());
}

#[test]
fn the_count_rule_fails_outside_its_tolerance() {
    assert!(check_count("x", "total", 70_553_706_496, "70.6B").is_ok());
    assert!(check_count("x", "total", 69_800_000_000, "70.6B").is_err(), "1.1 % off a 3-digit figure");
    assert!(check_count("x", "active", 3_353_000_000, "3.3B").is_ok());
    assert!(check_count("x", "active", 3_400_000_000, "3.3B").is_err(), "a whole unit off");
    assert_eq!(published_figure("175.0B"), (175.0e9, 0.1e9, 4));
    assert_eq!(published_figure("1T"), (1e12, 1e12, 1));
}

/// KV-cache bytes per token at full context, bf16, one GPU holding the whole model.
#[test]
fn kv_cache_bytes_per_token_of_reference_models() {
    let cases = [
        // 80 layers × 2 (K, V) × 8 KV heads × 128 × 2 bytes (the issue's pinned figure).
        ("meta-llama/Llama-3.1-70B", 327_680.0),
        // 32 layers × 2 × 8 × 128 × 2.
        ("mistralai/Mixtral-8x7B-v0.1", 131_072.0),
        // MLA latent: 61 layers × (kv_lora_rank 512 + rope 64) × 2.
        ("deepseek-ai/DeepSeek-V3", 70_272.0),
        // 36 layers × 2 × 8 × 64 × 2, before the sliding window caps half of them.
        ("openai/gpt-oss-120b", 73_728.0),
    ];
    for (id, expected) in cases {
        let s = lookup(id).unwrap().spec;
        assert_eq!(s.kv_cache_bytes_per_token(2.0), expected, "{id}");
    }
    // gpt-oss-120b at 32k context: 18 sliding layers hold 128 tokens, 18 full layers all 32768.
    let s = lookup("openai/gpt-oss-120b").unwrap().spec;
    let per_layer_token = 2.0 * 8.0 * 64.0 * 2.0;
    let expected = 18.0 * per_layer_token * (128.0 + 32768.0);
    assert_eq!(crate::memory::kv::bytes_per_request(&s.layers, 1, crate::precision::KvPrecision::Bf16, 32768).value(), expected);
    assert_eq!(expected, 1_212_678_144.0);
}

#[test]
fn classic_examples_have_their_paper_shapes() {
    let gpt3 = lookup("gpt-3").unwrap();
    let s = &gpt3.spec;
    assert_eq!((s.hidden_size, s.num_layers(), s.vocab_size, s.tied_embeddings), (12288, 96, 50257, true));
    assert!(gpt3.notes.iter().any(|n| n.contains("position")), "{:?}", gpt3.notes);
    let one_t = lookup("gpt-1t").unwrap().spec;
    assert_eq!((one_t.hidden_size, one_t.num_layers(), one_t.layers[0].attention.heads()), (25600, 128, 160));
    let llama = lookup("LLaMA-7B").unwrap().spec;
    assert_eq!(llama.num_layers(), 32);
}

#[test]
fn summary_reports_counts_and_kv_at_the_scenario_precision() {
    let s = lookup("meta-llama/Llama-3.1-70B").unwrap().spec;
    let m = summary(&s, KvPrecision::Fp8);
    assert_eq!((m.name.as_str(), m.layers), ("meta-llama/Llama-3.1-70B", 80));
    assert_eq!((m.total_params, m.active_params), (s.total_params(), s.total_params()));
    assert_eq!(m.kv_cache_bytes_per_token, 163_840.0);
}

/// Nemotron 3 Nano, Super and Ultra (Mamba2 hybrids) against their published counts (the
/// rule of `check_count`: Nano's card gives 31.6B total and 3.2B active without the input
/// embedding, within 1 % and 0.1B; Super's and Ultra's names give 120B/12B and 550B/55B,
/// within 1 % and 1B), and one layer of each kind counted by hand.
///
/// Nano (hidden 2,688):
/// - Mamba2 (64 heads × 64 = 4,096 channels, 8 groups of state 128, kernel 4): `in_proj`
///   2,688 × (2 × 4,096 + 2 × 8 × 128 + 64 = 10,304) = 27,697,152; `out_proj` 4,096 × 2,688 =
///   11,010,048; `conv1d` (4,096 + 2,048 = 6,144) × 4 + 6,144 biases = 30,720; `A_log`, `D`,
///   `dt_bias` 3 × 64 = 192; gated norm 4,096; the block's norm 2,688: 38,744,896.
/// - attention (32 heads, 2 KV heads of 128): q and o 2 × 2,688 × 4,096 = 22,020,096; k and v
///   2 × 2,688 × 256 = 1,376,256; norm 2,688: 23,399,040.
/// - MoE (128 plain experts of 1,856, one shared of 3,712): experts 128 × 2 × 2,688 × 1,856 =
///   1,277,165,568; shared 2 × 2,688 × 3,712 = 19,955,712; router (2,688 + 1) × 128 = 344,192;
///   norm 2,688: 1,297,468,160.
///
/// Super (hidden 4,096), its latent MoE (512 experts of 2,688 in a latent of 1,024, one shared
/// of 5,376): experts 512 × 2 × 1,024 × 2,688 = 2,818,572,288; shared 2 × 4,096 × 5,376 =
/// 44,040,192; latent projections 2 × 4,096 × 1,024 = 8,388,608; router 4,097 × 512 = 2,097,664;
/// norm 4,096: 2,873,102,848.
#[test]
fn nemotron_3_counts_match_the_published_figures_and_one_layer_of_each_kind() {
    let file = sources();
    for (id, total, active) in [
        ("nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-BF16", "31.6B", "3.2B"),
        ("nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-FP8", "120B", "12B"),
        ("nvidia/NVIDIA-Nemotron-3-Ultra-550B-A55B-BF16", "550B", "55B"),
    ] {
        let p = sources_of(&file, id).published.clone().unwrap_or_else(|| panic!("{id}: no published figures"));
        assert_eq!((p.total.as_str(), p.active.as_deref(), p.active_excludes_input_embedding), (total, Some(active), true), "{id}");
        let s = lookup(id).unwrap().spec;
        for (what, actual, card) in [("total", s.total_params(), total), ("active", s.active_params() - s.vocab_size * s.hidden_size, active)] {
            let line = check_count(id, what, actual, card).unwrap_or_else(|line| panic!("{line}"));
            println!("{line}");
        }
    }
    let kinds = |id: &str| {
        let s = lookup(id).unwrap().spec;
        let one = |pick: fn(&crate::model::Layer) -> bool| s.layer_params(&[*s.layers.iter().find(|l| pick(l)).unwrap()]).total();
        (
            one(|l| matches!(l.attention, crate::model::Attention::Mamba2(_))),
            one(|l| l.attention.attends()),
            one(|l| matches!(l.ffn, crate::model::FeedForward::Moe(_))),
        )
    };
    let (mamba, attention, moe) = kinds("nemotron-3-nano");
    for (what, actual, expected) in [("Mamba2", mamba, 38_744_896), ("attention", attention, 23_399_040), ("MoE", moe, 1_297_468_160)] {
        println!("Nano {what} layer: expected {expected}, actual {actual}, tolerance 0");
        assert_eq!(actual, expected, "Nano {what} layer");
    }
    let (_, _, latent_moe) = kinds("nemotron-3-super");
    println!("Super latent MoE layer: expected 2873102848, actual {latent_moe}, tolerance 0");
    assert_eq!(latent_moe, 2_873_102_848, "Super latent MoE layer");
}

/// The presets of the two models whose layers have their own widths against their published
/// counts (`data/model-sources.json`: MiMo-V2-Flash's model card, 309B total and 15B active;
/// Step-3.5-Flash's card, 196B and 11B, for Step-3.7-Flash's language model), by the rule of
/// `data/README.md`: 309B and 196B within 1 %, 15B and 11B within one unit of their last digit
/// (1B). Our counts, by hand:
/// - MiMo-V2-Flash: embeddings and LM head 2 × 152,576 × 4,096 + the final norm 4,096 =
///   1,249,906,688; attention 9 full layers × 89,137,152 + 39 sliding × 94,380,032 (a full
///   layer: q 4,096 × 64 × 192 = 50,331,648, k 4,096 × 4 × 192 = 3,145,728, v 4,096 × 4 × 128
///   = 2,097,152, o 64 × 128 × 4,096 = 33,554,432, two norms 8,192; a sliding layer has 8 KV
///   heads) = 4,483,055,616; layer 0's MLP 3 × 4,096 × 16,384 = 201,326,592; 47 MoE layers of
///   256 experts of 3 × 4,096 × 2,048 = 25,165,824 and a router of 4,097 × 256 = 1,048,832:
///   302,844,489,472. Total 308,778,778,368; active, 8 experts a layer instead of 256:
///   15,445,933,824.
/// - Step-3.7-Flash: embeddings 2 × 128,896 × 4,096 + 4,096 = 1,055,920,128; attention 45 ×
///   75,767,808 (q 4,096 × 8,192, k and v 4,096 × 1,024 each, o 8,192 × 4,096, the gate 4,096 ×
///   64, two norms) = 3,409,551,360; 3 dense MLPs 3 × (3 × 4,096 × 11,264) = 415,236,096; 42 MoE
///   layers of 288 experts of 3 × 4,096 × 1,280 = 15,728,640, a shared expert as wide and a
///   router of 4,097 × 288 = 1,179,936: 190,963,789,632. Total 195,844,497,216; active, 8
///   experts a layer: 10,875,690,816.
#[test]
fn presets_with_their_own_layer_widths_match_their_published_counts() {
    let file = sources();
    for (id, total, active) in [
        ("XiaomiMiMo/MiMo-V2-Flash", 308_778_778_368, 15_445_933_824),
        ("stepfun-ai/Step-3.7-Flash", 195_844_497_216, 10_875_690_816),
    ] {
        let spec = lookup(id).unwrap().spec;
        assert_eq!((spec.total_params(), spec.active_params()), (total, active), "{id}: the counts by hand");
        let published = sources_of(&file, id).published.clone().unwrap_or_else(|| panic!("{id}: published counts"));
        let active_card = published.active.unwrap_or_else(|| panic!("{id}: a published active count"));
        for (what, actual, card) in [("total", total, published.total.as_str()), ("active", active, active_card.as_str())] {
            let line = check_count(id, what, actual, card).unwrap_or_else(|line| panic!("outside tolerance: {line}"));
            println!("{line}");
        }
    }
}

/// Kimi K3 and MiniMax-M3 against their counts. No published count is reachable for either
/// (`data/model-sources.json`: no model card in `data/`, and neither the configs, SGLang 0.5.23,
/// vLLM 0.34.0 nor transformers 5.25.0 states one), so both are pinned, tolerance 0, to a sum
/// by hand from the tensor shapes of SGLang 0.5.23 (`models/kimi_k3.py`, `models/minimax_m3.py`).
///
/// Kimi K3 (hidden 7,168, vocab 163,840, untied): embeddings 2 × 163,840 × 7,168 + 7,168 =
/// 2,348,817,408; 69 KDA layers of 443,740,384 and 24 MLA layers of 232,196,096
/// (`model::config::folder_tests`), each with its two norms (14,336); layer 0's dense MLP
/// 3 × 7,168 × 33,792 = 726,663,168; 92 MoE layers of 29,784,933,248: 896 experts of
/// 3 × 3,584 × 3,072 = 33,030,144 in the latent (29,595,009,024), 2 shared experts of 3,072 on
/// the hidden state (3 × 7,168 × 6,144 = 132,120,576), the latent projections 2 × 7,168 × 3,584 =
/// 51,380,224 and the router 7,169 × 896 = 6,423,424. Total 2,779,481,465,440; active: 16 of the
/// 896 experts, 2,779,481,465,440 − 92 × 880 × 33,030,144 = 105,361,007,200.
///
/// MiniMax-M3 (hidden 6,144, vocab 200,064, untied): embeddings 2 × 200,064 × 6,144 + 6,144 =
/// 2,458,392,576; 60 attention blocks of 106,954,752 (q and o 2 × 6,144 × 8,192, k and v
/// 2 × 6,144 × 512) with two norms (12,288); 57 indexers of 3,932,160; 3 dense MLPs of
/// 3 × 6,144 × 12,288 = 226,492,416; 57 MoE layers of 7,305,166,976: 128 experts of
/// 3 × 6,144 × 3,072 = 56,623,104 (7,247,757,312), one shared expert as wide (56,623,104) and the
/// router 6,145 × 128 = 786,560. Total 426,174,542,976; active: 4 of the 128 experts,
/// 426,174,542,976 − 57 × 124 × 56,623,104 = 25,962,443,904.
#[test]
fn kimi_k3_and_minimax_m3_counts_match_the_hand_sums_of_their_shapes() {
    for (id, total, active) in [("kimi-k3", 2_779_481_465_440u64, 105_361_007_200u64), ("minimax-m3", 426_174_542_976, 25_962_443_904)] {
        let s = lookup(id).unwrap().spec;
        for (what, actual, expected) in [("total", s.total_params(), total), ("active", s.active_params(), active)] {
            println!("{id} {what}: expected {expected}, actual {actual}, tolerance 0");
            assert_eq!(actual, expected, "{id} {what}");
        }
    }
    assert_eq!(2_348_817_408u64 + 69 * (443_740_384 + 14_336) + 24 * (232_196_096 + 14_336) + 726_663_168 + 92 * 29_784_933_248, 2_779_481_465_440);
    assert_eq!(2_458_392_576u64 + 60 * (106_954_752 + 12_288) + 57 * 3_932_160 + 3 * 226_492_416 + 57 * 7_305_166_976, 426_174_542_976);
}
