//! Import of a Hugging Face `config.json` into a `ModelSpec`.
//!
//! Design decision: an allow-list. Each supported family (`families`) is read the way
//! `transformers` 5.24 reads it (DeepSeek-V4: 5.25); every architecture whose cache or compute a
//! `ModelSpec` cannot express (linear-attention hybrids other than Qwen3.5's and Kimi Linear's,
//! Mamba hybrids other than Nemotron-H, block-sparse attention other than MiniMax-M3's, NAS
//! blocks the engines do not build) is refused with the key that shows it and what is missing,
//! and anything unknown is refused as unknown — never mapped to the nearest family. A
//! multimodal wrapper whose language model is supported imports that language model, counts its
//! vision tower's parameters (`vision`) and says what it left out.

mod checkpoint;
mod families;
mod fields;
mod limits;
mod vision;

#[cfg(test)]
pub(crate) mod folder_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod widths_tests;

use super::imported::ImportedModel;
use super::{IndexerKind, LinearGates, ModelSpec};
use crate::error::InputError;
use families::{Family, ARCHITECTURES, MODEL_TYPES};
use fields::Fields;
use serde_json::{Map, Value};
use vision::Tower;

const ROOT: &str = "model.config";
const TEXT: &str = "model.config.text_config";

/// Multimodal wrappers: their `model_type`, the family of their `text_config` and their vision
/// tower (Gemma 3's SigLIP tower is not counted yet: no Gemma 3 config in `data/model-configs/`).
const WRAPPERS: &[(&str, Family, Option<Tower>)] = &[
    ("llama4", Family::Llama4Text, Some(Tower::Llama4)),
    ("qwen3_vl", Family::Qwen3VlText, Some(Tower::Qwen3Vl)),
    ("qwen3_vl_moe", Family::Qwen3VlMoeText, Some(Tower::Qwen3Vl)),
    ("gemma3", Family::Gemma3Text, None),
    ("gemma4", Family::Gemma4Text, Some(Tower::Gemma4)),
    ("kimi_k25", Family::DeepseekV3, Some(Tower::KimiK25)),
    ("qwen3_5", Family::Qwen35Text, Some(Tower::Qwen35)),
    ("qwen3_5_moe", Family::Qwen35MoeText, Some(Tower::Qwen35)),
    // Step-3.7-Flash as published (transformers 5.25 `Step3p7Config`); a `step3p7` config
    // without `text_config` is the language model itself (`MODEL_TYPES`).
    ("step3p7", Family::Step3p7, None),
    // Kimi K3 and MiniMax-M3's wrappers: their towers are not counted yet.
    ("kimi_k3", Family::KimiLinear, None),
    ("minimax_m3_vl", Family::MinimaxM3, None),
];

/// Read the model described by `config` (a parsed `config.json`) and call it `name`.
pub fn from_config_json(name: &str, config: &Value) -> Result<ImportedModel, InputError> {
    let Value::Object(root) = config else {
        return Err(InputError::new(
            ROOT,
            format!("must be a JSON object (the model's config.json), got {}", fields::kind(config)),
        ));
    };
    let outer = Fields::new(root, ROOT);
    let text = outer.object("text_config")?;
    let lm = text.map_or(outer, |t| Fields::new(t, TEXT));
    // The language model first: its key names the missing feature best.
    refuse(&lm)?;
    if text.is_some() {
        refuse(&outer)?;
    }
    let family = family(&outer, text)?;
    // DeepSeek sparse attention is read with MLA (`families::indexer`) and DeepSeek-V4's
    // compressed attention; an indexer on another attention would be ignored.
    if lm.has("index_topk") && !matches!(family, Family::DeepseekV3 | Family::DeepseekV4) {
        return Err(lm.error(
            "index_topk",
            format!("DeepSeek sparse attention is modelled with multi-head latent attention (DeepSeek-V3.2, GLM-5) and DeepSeek-V4 only, not for {family:?} models"),
        ));
    }
    // A wrapper's own `tie_word_embeddings` governs its LM head.
    let tied = if text.is_some() && outer.has("tie_word_embeddings") {
        Some(outer.flag("tie_word_embeddings", false)?)
    } else {
        None
    };
    let built = families::build(family, &lm, tied)?;
    let wrapper = match wrapper_architecture(&outer, text.is_some()) {
        Some(arch) => {
            let tower = outer.text("model_type")?.and_then(|t| WRAPPERS.iter().find(|w| w.0 == t)).and_then(|w| w.2);
            vision::count(&outer, &arch, tower, built.hidden)?
        }
        None => vision::Counted { params: 0, notes: Vec::new() },
    };
    let mut notes = wrapper.notes;
    notes.extend(built.notes);
    if let Some(i) = built.layers.iter().find_map(|l| l.attention.indexer()) {
        notes.push(match i.kind {
            IndexerKind::DeepSeek => format!(
                "DeepSeek sparse attention: each token attends to the {} cached tokens its indexer ({} heads of {}) picks; the indexer scores \
                 the whole context and its FP8 keys ({} B per token and layer) are counted in the KV cache",
                i.topk,
                i.heads,
                i.head_dim,
                i.cache_bytes_per_token()
            ),
            IndexerKind::MiniMax { .. } => format!(
                "MiniMax-M3 block-sparse attention on {} of {} layers: each token attends to the {} cached tokens of the blocks its indexer \
                 ({} heads of {}) picks; the indexer scores the whole context and its 16-bit index cache ({} B per token and layer) is counted in the KV cache",
                built.layers.iter().filter(|l| l.attention.indexer().is_some()).count(),
                built.layers.len(),
                i.topk,
                i.heads,
                i.head_dim,
                i.cache_bytes_per_token()
            ),
        });
    }
    if built.layers.iter().any(|l| l.attention.linear().is_some_and(|l| matches!(l.gates, LinearGates::Kda { .. }))) {
        notes.push(format!(
            "Kimi Delta Attention on {} of {} layers: a fixed state per request ({:.1} MB on one GPU) instead of a KV cache",
            built.layers.iter().filter(|l| l.attention.linear().is_some()).count(),
            built.layers.len(),
            built.layers.iter().map(|l| l.attention.state_bytes_per_request(1)).sum::<f64>() / 1e6
        ));
    }
    notes.extend(mtp_note(&lm)?);
    let configs: Vec<Fields> = if text.is_some() { vec![lm, outer] } else { vec![outer] };
    let (checkpoint_precision, precision_notes) = checkpoint::checkpoint_precision(&configs);
    notes.extend(precision_notes);
    Ok(ImportedModel {
        spec: ModelSpec {
            name: name.to_string(),
            hidden_size: built.hidden,
            vocab_size: built.vocab,
            tied_embeddings: built.tied,
            layers: built.layers,
            vision_params: wrapper.params,
        },
        checkpoint_precision,
        context_window: built.context_window,
        notes,
    })
}

/// The family of the language model: its `model_type`, else its `architectures[0]`, else the
/// wrapper's `model_type`.
fn family(outer: &Fields, text: Option<&Map<String, Value>>) -> Result<Family, InputError> {
    let lm = text.map_or(*outer, |t| Fields::new(t, TEXT));
    if let Some(t) = lm.text("model_type")? {
        if let Some((_, f)) = MODEL_TYPES.iter().find(|(k, _)| *k == t) {
            return Ok(*f);
        }
        if text.is_none() {
            if let Some((_, f, _)) = WRAPPERS.iter().find(|(k, _, _)| *k == t) {
                return Err(outer.error(
                    "text_config",
                    format!("missing; {t} configs (wrapping {f:?}) keep the language model there"),
                ));
            }
        }
        return Err(unknown(&lm, "model_type", t));
    }
    if let Some(arch) = lm.texts("architectures")?.and_then(|a| a.first().copied()) {
        if let Some((_, f)) = ARCHITECTURES.iter().find(|(k, _)| *k == arch) {
            return Ok(*f);
        }
        if text.is_none() {
            return Err(unknown(&lm, "architectures", arch));
        }
    }
    if text.is_some() {
        if let Some(t) = outer.text("model_type")? {
            return WRAPPERS
                .iter()
                .find(|(k, _, _)| *k == t)
                .map(|(_, f, _)| *f)
                .ok_or_else(|| unknown(outer, "model_type", t));
        }
    }
    Err(lm.error("model_type", "missing, and no known architectures entry says what the model is"))
}

fn unknown(f: &Fields, key: &str, value: &str) -> InputError {
    let known: Vec<&str> = MODEL_TYPES.iter().map(|(k, _)| *k).collect();
    f.error(
        key,
        format!(
            "architecture {value:?} is not modelled; supported model types: {}; multimodal wrappers of these: {}",
            known.join(", "),
            WRAPPERS.iter().map(|(k, _, _)| *k).collect::<Vec<_>>().join(", ")
        ),
    )
}

/// The wrapper's class name when the config wraps a language model with other towers.
fn wrapper_architecture(outer: &Fields, has_text: bool) -> Option<String> {
    if !has_text {
        return None;
    }
    let arch = outer.texts("architectures").ok().flatten().and_then(|a| a.first().map(|s| s.to_string()));
    Some(arch.unwrap_or_else(|| "text_config wrapper".to_string()))
}

/// Architectures the spec cannot express, each with the key that shows it. `Err` refuses.
fn refuse(f: &Fields) -> Result<(), InputError> {
    let model_type = f.text("model_type")?.unwrap_or("");
    let first = |keys: &[&'static str]| keys.iter().copied().find(|k| f.has(k));
    let no = |key: &str, what: &str| Err(f.error(key, what.to_string()));
    // The family a file names by `model_type`, or without one by `architectures[0]`.
    let architecture = f.texts("architectures").ok().flatten().and_then(|a| a.first().copied());
    let names = |types: &[&str], archs: &[&str]| {
        types.contains(&model_type) || (model_type.is_empty() && architecture.is_some_and(|a| archs.contains(&a)))
    };
    // Nemotron-H's layer pattern is read by `families::nemotron_h`; in another family it
    // would be ignored.
    let nemotron_h = names(&["nemotron_h"], &["NemotronHForCausalLM"]);
    // Kimi Delta Attention and MiniMax-M3's block-sparse attention are read by their families
    // (`families::kimi_linear`, `families::minimax_m3`).
    let kimi_linear = names(&["kimi_linear"], &["KimiLinearForCausalLM"]);
    let minimax_m3 = names(&["minimax_m3", "minimax_m3_vl_text"], &["MiniMaxM3ForCausalLM", "MiniMaxM3SparseForCausalLM"]);
    if let Some(key) = first(&["layers_block_type", "hybrid_override_pattern"]).filter(|_| !nemotron_h) {
        return no(
            key,
            "hybrid layer patterns (Mamba2, attention, MLP and MoE blocks) are modelled for nemotron_h only",
        );
    }
    // Gated DeltaNet is modelled for Qwen3.5 (`families`); Qwen3-Next's layers differ (its
    // own decoder layout) and other files naming linear-attention layers are unknown.
    let qwen35 = matches!(model_type, "qwen3_5" | "qwen3_5_text" | "qwen3_5_moe" | "qwen3_5_moe_text");
    let linear_layers =
        f.texts("layer_types").ok().flatten().is_some_and(|t| t.contains(&"linear_attention"));
    if !qwen35 && !kimi_linear && (linear_layers || model_type == "qwen3_next") {
        return no(
            if linear_layers { "layer_types" } else { "model_type" },
            "linear-attention (Gated DeltaNet) layers are modelled for Qwen3.5 (qwen3_5) only; qwen3_next and others are not modelled yet",
        );
    }
    if f.has("linear_attn_config") && !kimi_linear {
        return no(
            "linear_attn_config",
            "Kimi Delta Attention (linear-attention) layers are modelled for Kimi Linear / Kimi K3 (kimi_linear) only",
        );
    }
    // `attn_type_list`: 0 = lightning (linear) attention, 1 = softmax (MiniMax-Text-01's
    // modelling code); MiniMax-M2 files list all 1s.
    let lightning = f.wholes("attn_type_list", 0, 1)?.is_some_and(|t| t.contains(&0));
    if lightning || matches!(model_type, "minimax" | "minimax_m1") {
        return no(
            first(&["attn_type_list"]).unwrap_or("model_type"),
            "lightning (linear) attention layers (MiniMax-Text-01 / M1) are not modelled yet; the planner would misstate their state cache",
        );
    }
    // Per-layer KV compression is modelled for DeepSeek-V4 (`families::deepseek_v4`), by
    // model type or, as SGLang recognises it, by architecture.
    let v4 = matches!(model_type, "deepseek_v4" | "deepseek_ref")
        || f.texts("architectures").ok().flatten().is_some_and(|a| a.first() == Some(&"DeepseekV4ForCausalLM"));
    if f.has("compress_ratios") && !v4 {
        return no(
            "compress_ratios",
            "per-layer KV compression is modelled for DeepSeek-V4 (model_type deepseek_v4) only; the planner would misstate this model's cache",
        );
    }
    if f.has("sparse_attention_config") && !minimax_m3 {
        return no(
            "sparse_attention_config",
            "block-sparse attention with an index cache is modelled for MiniMax-M3 (minimax_m3) only",
        );
    }
    // Per-block NAS configs and value heads of their own size are read for their families
    // (`families::nas`, `families::widths`); on another family they would be ignored.
    if f.has("block_configs") && model_type != "nemotron-nas" {
        return no(
            "block_configs",
            "per-block NAS configs (blocks without attention, per-block KV heads and FFN widths) are modelled for nemotron-nas (DeciLM) models only",
        );
    }
    if f.has("v_head_dim") && !f.has("kv_lora_rank") && model_type != "mimo_v2_flash" {
        return no(
            "v_head_dim",
            "value heads of their own size (v_head_dim without MLA's kv_lora_rank) are modelled for MiMo-V2-Flash (mimo_v2_flash) only",
        );
    }
    Ok(())
}

/// A note when the checkpoint carries multi-token-prediction layers the spec leaves out.
fn mtp_note(f: &Fields) -> Result<Option<String>, InputError> {
    for key in ["num_nextn_predict_layers", "mtp_num_hidden_layers", "num_mtp_modules"] {
        if let Some(n) = f.whole(key, 0, limits::MAX_LAYERS)?.filter(|&n| n > 0) {
            if key == "num_mtp_modules" && !f.flag("use_mtp", true)? {
                continue;
            }
            return Ok(Some(format!(
                "multi-token-prediction module ({key} = {n}) not counted: engines load it only for MTP speculative decoding, and published totals exclude it"
            )));
        }
    }
    Ok(None)
}
