//! MiniMax-M3 (`minimax_m3`, `minimax_m3_vl_text`; wrapped as `minimax_m3_vl`): grouped-query
//! attention, block-sparse on the layers an indexer serves, dense MLPs on the first layers and
//! MoE with one shared expert after.
//!
//! Design decision: read as transformers 5.25 reads it (`models/minimax_m3_vl/
//! configuration_minimax_m3_vl.py`, `MiniMaxM3VLTextConfig`, its defaults): the flat `index_*`
//! keys, overridden by the checkpoint's `sparse_attention_config` (`sparse_num_index_heads`,
//! `sparse_index_dim`, `sparse_block_size`, `sparse_topk_blocks`); the layers from
//! `layer_types`, else `sparse_attention_config.sparse_attention_freq`; the MLPs from
//! `mlp_layer_types`, else `moe_layer_freq`. One thing transformers lacks is read as SGLang
//! 0.5.23 runs it: the index-value path (`models/minimax_m3.py`, `MiniMaxM3Attention`), on every
//! sparse layer not flagged in `sparse_attention_config.sparse_disable_index_value` (both
//! shipped files flag them all). SGLang runs the shared expert `intermediate_size ×
//! n_shared_experts` wide, transformers `shared_intermediate_size`: the same in both files.

use super::super::fields::Fields;
use super::super::limits::*;
use super::{read_kv_heads, routed, sizes, Built, Sizes};
use crate::error::InputError;
use crate::model::{Attention, DenseFfn, FeedForward, Indexer, IndexerKind, Layer, MoeFfn};

/// The language model of a MiniMax-M3 config.
pub(super) fn build(f: &Fields, tied: Option<bool>) -> Result<Built, InputError> {
    let Sizes { hidden, layers: n, vocab, tied } = sizes(f, tied, false)?;
    let n = n as usize;
    if f.flag("attention_output_gate", false)? {
        return Err(f.error(
            "attention_output_gate",
            "an attention output gate on MiniMax-M3 is built by neither SGLang 0.5.23 nor transformers 5.25; not modelled",
        ));
    }
    let heads = f.whole_or("num_attention_heads", 64, 1, MAX_HEADS)?;
    let kv_heads = read_kv_heads(f, "num_key_value_heads", heads, 4)?;
    let head_dim = f.whole_or("head_dim", 128, 1, MAX_HEAD_DIM)? as u32;
    let gqa = |indexer: Option<Indexer>| Attention::Gqa {
        heads: heads as u32,
        kv_heads: kv_heads as u32,
        head_dim,
        bias: false,
        values_from_keys: false,
        indexer,
    };
    let sparse_path = f.path("sparse_attention_config");
    let sparse = f.object("sparse_attention_config")?.map(|o| Fields::new(o, &sparse_path));
    let indexers = indexers(f, sparse.as_ref(), n, kv_heads)?;
    let ffns = ffns(f, n)?;
    let layers = (0..n)
        .map(|i| Layer { attention: gqa(indexers[i]), window: None, ffn: ffns[i] })
        .collect();
    let context_window = f.whole("max_position_embeddings", 1, MAX_WINDOW)?;
    Ok(Built { hidden, vocab, tied, layers, context_window, notes: Vec::new() })
}

/// `list`, read under `key` of `c`, when it has one entry per layer (`None` when absent).
fn per_layer<T>(c: &Fields, key: &str, n: usize, list: Option<Vec<T>>) -> Result<Option<Vec<T>>, InputError> {
    match list {
        Some(list) if list.len() != n => {
            Err(c.error(key, format!("has {} entries but num_hidden_layers is {n}", list.len())))
        }
        other => Ok(other),
    }
}

/// A per-layer list of two names under `key`, `(yes, no)`, as whether each layer is `yes`
/// (`None` when absent).
fn kinds(f: &Fields, key: &str, n: usize, (yes, no): (&str, &str)) -> Result<Option<Vec<bool>>, InputError> {
    let Some(list) = per_layer(f, key, n, f.texts(key)?)? else { return Ok(None) };
    list.iter()
        .enumerate()
        .map(|(i, t)| match *t {
            t if t == yes => Ok(true),
            t if t == no => Ok(false),
            other => Err(InputError::new(format!("{}[{i}]", f.path(key)), format!("{other:?} is not {yes} or {no}"))),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// A per-layer list of 0 and 1 under `key`, as whether each layer is 1 (`None` when absent).
fn flags(c: &Fields, key: &str, n: usize) -> Result<Option<Vec<bool>>, InputError> {
    Ok(per_layer(c, key, n, c.wholes(key, 0, 1)?)?.map(|list| list.iter().map(|&x| x == 1).collect()))
}

/// Each layer's indexer: `None` on a full-attention layer.
fn indexers(f: &Fields, sparse: Option<&Fields>, n: usize, kv_heads: u64) -> Result<Vec<Option<Indexer>>, InputError> {
    // The legacy key in `sparse_attention_config` wins over the flat one (`__post_init__`);
    // returned with where it was read, for errors.
    let read = |flat: &'static str, legacy: &'static str, default: u64, max: u64| -> Result<(u64, Fields, &'static str), InputError> {
        if let Some(s) = sparse {
            if let Some(value) = s.whole(legacy, 1, max)? {
                return Ok((value, *s, legacy));
            }
        }
        Ok((f.whole_or(flat, default, 1, max)?, *f, flat))
    };
    let is_sparse: Vec<bool> = if let Some(types) = kinds(f, "layer_types", n, ("minimax_m3_sparse", "full_attention"))? {
        types
    } else if let Some(s) = sparse {
        flags(s, "sparse_attention_freq", n)?.unwrap_or(vec![false; n])
    } else {
        vec![false; n]
    };
    if !is_sparse.contains(&true) {
        return Ok(vec![None; n]);
    }
    let (heads, at, key) = read("index_n_heads", "sparse_num_index_heads", 4, MAX_HEADS)?;
    // Each KV head's queries read the blocks its index heads pick (SGLang's
    // `topk_index_reduce` over `index_n_heads / num_key_value_heads` heads).
    if !heads.is_multiple_of(kv_heads) {
        return Err(at.error(key, format!("{heads} index heads are not a multiple of the {kv_heads} KV heads")));
    }
    let (head_dim, ..) = read("index_head_dim", "sparse_index_dim", 128, MAX_HEAD_DIM)?;
    let (block, ..) = read("index_block_size", "sparse_block_size", 128, MAX_WINDOW)?;
    let (blocks, at, key) = read("index_topk_blocks", "sparse_topk_blocks", 16, MAX_WINDOW)?;
    let topk = block
        .checked_mul(blocks)
        .filter(|&t| t <= MAX_WINDOW)
        .ok_or_else(|| at.error(key, format!("{blocks} blocks of {block} tokens exceed {MAX_WINDOW} tokens")))?;
    // SGLang runs an index value on every sparse layer its config does not flag; without a
    // `sparse_attention_config` (transformers' flat keys), there is none.
    let no_values = match sparse {
        Some(s) => flags(s, "sparse_disable_index_value", n)?.unwrap_or(vec![false; n]),
        None => vec![true; n],
    };
    Ok((0..n)
        .map(|i| {
            is_sparse[i].then_some(Indexer {
                heads: heads as u32,
                head_dim: head_dim as u32,
                topk,
                kind: IndexerKind::MiniMax { values: !no_values[i] },
            })
        })
        .collect())
}

/// Each layer's feed-forward block: `mlp_layer_types` (`sparse` or `dense`), else
/// `moe_layer_freq` (1 or 0 per layer), else MoE everywhere. Dense layers are
/// `dense_intermediate_size` wide (12,288 when absent); MoE layers have `num_local_experts`
/// (128) experts of `intermediate_size` (3,072), `num_experts_per_tok` (4) per token, and one
/// shared expert of `shared_intermediate_size` (3,072), all gated.
fn ffns(f: &Fields, n: usize) -> Result<Vec<FeedForward>, InputError> {
    let moe_layers: Vec<bool> = if let Some(types) = kinds(f, "mlp_layer_types", n, ("sparse", "dense"))? {
        types
    } else if let Some(freq) = flags(f, "moe_layer_freq", n)? {
        freq
    } else {
        vec![true; n]
    };
    let dense = FeedForward::Dense(DenseFfn {
        intermediate: f.whole_or("dense_intermediate_size", 12288, 1, MAX_INTERMEDIATE)?,
        gated: true,
        bias: false,
    });
    let experts_key = if f.has("num_local_experts") { "num_local_experts" } else { "num_experts" };
    let (experts, top_k) = routed(f, (experts_key, Some(128)), ("num_experts_per_tok", Some(4)))?;
    let moe = FeedForward::Moe(MoeFfn {
        experts,
        experts_per_token: top_k,
        expert_intermediate: f.whole_or("intermediate_size", 3072, 1, MAX_INTERMEDIATE)?,
        shared_intermediate: f.whole_or("shared_intermediate_size", 3072, 1, MAX_INTERMEDIATE)?,
        bias: false,
        gated: true,
        latent: None,
    });
    Ok(moe_layers.into_iter().map(|m| if m { moe } else { dense }).collect())
}
