//! DeepSeek-V4 (`model_type` `deepseek_v4`, or `deepseek_ref` in sgl-project's FP8 conversions;
//! `DeepseekV4ForCausalLM`), read with the keys and defaults of transformers 5.25
//! (`models/deepseek_v4/configuration_deepseek_v4.py`) and served as SGLang 0.5.23 serves it
//! (`srt/configs/deepseek_v4.py`, `srt/models/deepseek_v4.py`).
//!
//! What each key changes (`model::CompressedAttention` for the cache and reads):
//! - `compress_ratios`, one per layer: 0 a sliding window only; 4 compressed sparse attention,
//!   with the indexer of `index_n_heads` heads of `index_head_dim` picking `index_topk` entries;
//!   128 heavily compressed attention. Entries past `num_hidden_layers` are the
//!   multi-token-prediction layers' (SGLang runs them at 0), not modelled, as those layers are
//!   not. transformers' own `layer_types` with `compress_rates` say the same. Ratios 1 and 2
//!   belong to DeepSeek-V4.1's shared compressed layers and are refused.
//! - `sliding_window`: the window every layer keeps and reads.
//! - `num_attention_heads`, `head_dim`, `qk_rope_head_dim`, `q_lora_rank`, `o_groups`,
//!   `o_lora_rank`; `num_key_value_heads` must be 1 (one key-value head, as SGLang asserts).
//! - `hc_mult`: the hyper-connections' residual streams; `hc_sinkhorn_iters` and `hc_eps` are
//!   arithmetic on `hc_mult²` numbers per token, not counted.
//! - `n_routed_experts`, `num_experts_per_tok`, `moe_intermediate_size`, `n_shared_experts`:
//!   every layer is MoE. `num_hash_layers` (or `hash_moe` in `mlp_layer_types`): those first
//!   layers take their experts from a token-id table (`tid2eid`) instead of the router's top-k;
//!   as many experts per token, the router's weights still scale them, so weights and compute are
//!   the other layers'.
//! - `expert_dtype`, `quantization_config`: the checkpoint's precision (`config::checkpoint`);
//!   `num_nextn_predict_layers`: the multi-token-prediction module, not counted (`mtp_note`).
//! - `compress_rope_theta`, `rope_scaling`, `scoring_func`, `topk_method`,
//!   `routed_scaling_factor`, `norm_topk_prob`, `swiglu_limit`: arithmetic inside the layers;
//!   no weight, cache entry or counted flop depends on them.

use super::super::fields::Fields;
use super::super::limits::*;
use super::Built;
use crate::error::InputError;
use crate::model::{Attention, CompressedAttention, FeedForward, Indexer, IndexerKind, Layer, MoeFfn};

/// The compression ratio of compressed sparse attention (with an indexer, overlapping
/// windows) and of heavily compressed attention: the only ones SGLang 0.5.23 sizes a
/// compressor state for (`get_compress_state_ring_size`) besides V4.1's 2.
const SPARSE_RATIO: u64 = 4;
const HEAVY_RATIO: u64 = 128;

/// Most hyper-connection streams accepted: `(2 + n)·n·n·hidden` stays far inside `u64`.
const MAX_STREAMS: u64 = 64;

/// Keys of DeepSeek-V4.1 the spec cannot express, with what they add.
const UNMODELLED: &[(&str, &str)] = &[
    ("kv_source_layer_ids", "layers that read another layer's compressed cache (DeepSeek-V4.1)"),
    ("index_source_layer_ids", "layers that reuse another layer's indexer (DeepSeek-V4.1)"),
    ("engram_layer_ids", "Engram n-gram memory layers (DeepSeek-V4.1)"),
];

/// Read a DeepSeek-V4 language model.
pub(super) fn build(f: &Fields, tied: Option<bool>) -> Result<Built, InputError> {
    for (key, what) in UNMODELLED {
        if f.wholes(key, 0, MAX_LAYERS)?.is_some_and(|l| !l.is_empty()) {
            return Err(f.error(key, format!("{what} are not modelled yet; the planner would misstate the cache")));
        }
    }
    let hidden = f.required("hidden_size", 1, MAX_HIDDEN)?;
    let n = f.required("num_hidden_layers", 1, MAX_LAYERS)? as usize;
    let vocab = f.required("vocab_size", 1, MAX_VOCAB)?;
    let tied = match tied {
        Some(t) => t,
        None => f.flag("tie_word_embeddings", false)?,
    };
    let heads = f.required("num_attention_heads", 1, MAX_HEADS)?;
    let kv_heads = f.whole_or("num_key_value_heads", 1, 1, MAX_HEADS)?;
    if kv_heads != 1 {
        return Err(f.error(
            "num_key_value_heads",
            format!("{kv_heads}: DeepSeek-V4 attention has one key-value head shared by every query head"),
        ));
    }
    let head_dim = f.required("head_dim", 1, MAX_HEAD_DIM)?;
    let rope_dim = f.whole_or("qk_rope_head_dim", 64, 1, MAX_HEAD_DIM)?;
    if rope_dim > head_dim {
        return Err(f.error("qk_rope_head_dim", format!("{rope_dim} exceeds head_dim {head_dim}")));
    }
    let o_groups = f.required("o_groups", 1, MAX_HEADS)?;
    if !heads.is_multiple_of(o_groups) {
        return Err(f.error("o_groups", format!("{o_groups} groups do not divide num_attention_heads {heads}")));
    }
    let indexer = Indexer {
        heads: f.whole_or("index_n_heads", 64, 1, MAX_HEADS)? as u32,
        head_dim: f.whole_or("index_head_dim", 128, 1, MAX_HEAD_DIM)? as u32,
        topk: f.whole_or("index_topk", 512, 1, u32::MAX as u64)?,
        kind: IndexerKind::DeepSeek,
    };
    let ratios = ratios(f, n)?;
    let base = CompressedAttention {
        heads: heads as u32,
        head_dim: head_dim as u32,
        rope_dim: rope_dim as u32,
        q_lora_rank: f.required("q_lora_rank", 1, MAX_LORA_RANK)? as u32,
        o_groups: o_groups as u32,
        o_lora_rank: f.required("o_lora_rank", 1, MAX_LORA_RANK)? as u32,
        window: f.whole_or("sliding_window", 128, 1, MAX_WINDOW)?,
        ratio: 0,
        indexer: None,
        streams: f.whole_or("hc_mult", 4, 1, MAX_STREAMS)? as u32,
    };
    let sparse = CompressedAttention { ratio: SPARSE_RATIO as u32, indexer: Some(indexer), ..base };
    let moe = moe(f)?;
    let hash = hash_layers(f, n)?;
    let layers: Vec<Layer> = ratios
        .iter()
        .map(|&r| {
            let attention = if r == SPARSE_RATIO { sparse } else { CompressedAttention { ratio: r as u32, ..base } };
            Layer { attention: Attention::Compressed(attention), window: None, ffn: FeedForward::Moe(moe) }
        })
        .collect();
    let count = |r: u64| ratios.iter().filter(|&&x| x == r).count();
    let state: f64 = layers.iter().filter_map(|l| l.attention.compressed()).map(|c| c.state_bytes_per_request()).sum();
    let notes = vec![
        format!(
            "DeepSeek-V4 compressed attention: every layer keeps its last {} tokens; {} layers add one entry per {SPARSE_RATIO} tokens \
             (an indexer of {} heads of {} scores them all, the query reads the top {}), {} one per {HEAVY_RATIO} tokens (all read), {} none. \
             An entry is {} B in an FP8 cache (SGLang's layout; it serves DeepSeek-V4 with one) and {} B in a 16-bit one, an indexer key {} B; \
             the compressors keep {:.1} MB of pending tokens per request",
            base.window,
            count(SPARSE_RATIO),
            indexer.heads,
            indexer.head_dim,
            indexer.topk,
            count(HEAVY_RATIO),
            count(0),
            sparse.entry_bytes(1.0),
            sparse.entry_bytes(2.0),
            sparse.index_key_bytes(),
            state / 1e6
        ),
        format!(
            "hash-routed MoE: the first {hash} layers take their {} of {} experts from the token id (tid2eid) instead of the router's top-k; \
             as many experts per token, so weights and compute are counted as for the other layers (the token-to-expert table is not counted)",
            moe.experts_per_token, moe.experts
        ),
        format!(
            "hyper-connections: {} residual streams per layer (hc_mult); their mixing weights are counted with the attention, their element-wise traffic in the step",
            base.streams
        ),
    ];
    let context_window = f.whole("max_position_embeddings", 1, MAX_WINDOW)?;
    Ok(Built { hidden, vocab, tied, layers, context_window, notes })
}

/// Each layer's compression ratio: `compress_ratios` (the released files), else `layer_types`
/// with `compress_rates` (transformers' own), else transformers' default (two heavily
/// compressed layers, then compressed sparse and heavily compressed in turn).
fn ratios(f: &Fields, n: usize) -> Result<Vec<u64>, InputError> {
    if let Some(list) = f.wholes("compress_ratios", 0, u32::MAX as u64)? {
        let mtp = f.whole_or("num_nextn_predict_layers", 0, 0, MAX_LAYERS)? as usize;
        if list.len() < n || list.len() > n + mtp {
            return Err(f.error(
                "compress_ratios",
                format!("has {} entries; num_hidden_layers is {n}, and {mtp} multi-token-prediction layers may follow", list.len()),
            ));
        }
        if let Some(i) = (0..n).find(|&i| ![0, SPARSE_RATIO, HEAVY_RATIO].contains(&list[i])) {
            return Err(InputError::new(
                format!("{}[{i}]", f.path("compress_ratios")),
                format!(
                    "compression ratio {} is not modelled: DeepSeek-V4 has 0 (window only), {SPARSE_RATIO} (compressed sparse) and {HEAVY_RATIO} (heavily compressed); 1 and 2 are DeepSeek-V4.1's shared compressed layers",
                    list[i]
                ),
            ));
        }
        return Ok(list[..n].to_vec());
    }
    let Some(types) = f.texts("layer_types")? else {
        return Ok((0..n).map(|i| if i < 2 || i % 2 == 0 { HEAVY_RATIO } else { SPARSE_RATIO }).collect());
    };
    if types.len() != n {
        return Err(f.error("layer_types", format!("has {} entries but num_hidden_layers is {n}", types.len())));
    }
    let rates = f.object("compress_rates")?;
    let path = f.path("compress_rates");
    let rates = rates.map(|r| Fields::new(r, &path));
    let rate = |key: &str, expected: u64| -> Result<u64, InputError> {
        let Some(r) = rates else { return Ok(expected) };
        match r.whole(key, 1, u32::MAX as u64)? {
            Some(x) if x != expected => Err(r.error(key, format!("{x}: SGLang serves DeepSeek-V4's {key} at a ratio of {expected} only"))),
            _ => Ok(expected),
        }
    };
    types
        .iter()
        .enumerate()
        .map(|(i, t)| match *t {
            "sliding_attention" => Ok(0),
            "compressed_sparse_attention" => rate(t, SPARSE_RATIO),
            "heavily_compressed_attention" => rate(t, HEAVY_RATIO),
            other => Err(InputError::new(
                format!("{}[{i}]", f.path("layer_types")),
                format!("layer type {other:?} is not one of DeepSeek-V4's (sliding_attention, compressed_sparse_attention, heavily_compressed_attention)"),
            )),
        })
        .collect()
}

/// The MoE block of every layer: `n_shared_experts` shared experts of the routed experts' width.
fn moe(f: &Fields) -> Result<MoeFfn, InputError> {
    let experts = f.required("n_routed_experts", 1, MAX_EXPERTS)?;
    let top_k = f.required("num_experts_per_tok", 1, MAX_EXPERTS)?;
    if top_k > experts {
        return Err(f.error("num_experts_per_tok", format!("{top_k} exceeds the {experts} experts (n_routed_experts)")));
    }
    let width = f.required("moe_intermediate_size", 1, MAX_INTERMEDIATE)?;
    let shared = f.whole_or("n_shared_experts", 1, 0, MAX_SHARED_EXPERTS)?;
    Ok(MoeFfn {
        experts: experts as u32,
        experts_per_token: top_k as u32,
        expert_intermediate: width,
        shared_intermediate: shared * width,
        bias: false,
        gated: true,
        latent: None,
    })
}

/// How many layers route by token id: `hash_moe` entries of `mlp_layer_types`, else
/// `num_hash_layers` (transformers' default 3), at most every layer.
fn hash_layers(f: &Fields, n: usize) -> Result<u64, InputError> {
    let Some(types) = f.texts("mlp_layer_types")? else {
        return Ok(f.whole_or("num_hash_layers", 3, 0, MAX_LAYERS)?.min(n as u64));
    };
    if types.len() != n {
        return Err(f.error("mlp_layer_types", format!("has {} entries but num_hidden_layers is {n}", types.len())));
    }
    if let Some(i) = types.iter().position(|t| !matches!(*t, "hash_moe" | "moe")) {
        return Err(InputError::new(
            format!("{}[{i}]", f.path("mlp_layer_types")),
            format!("MLP type {:?} is not one of DeepSeek-V4's (hash_moe, moe)", types[i]),
        ));
    }
    Ok(types.iter().filter(|t| **t == "hash_moe").count() as u64)
}

#[cfg(test)]
mod tests;
