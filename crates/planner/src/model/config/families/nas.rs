//! Nemotron NAS (`nemotron-nas`, DeciLM: Llama-3.3-Nemotron-Super-49B): a Llama whose
//! `block_configs` give every block its own attention and FFN, read as SGLang 0.5.23 reads them
//! (`models/nemotron_nas.py`, adapted from vLLM's; the config class is the checkpoint's remote
//! code, not in transformers).
//!
//! - `attention.no_op`: the block has no attention and no norm before it (`Attention::None`);
//!   otherwise Llama attention with `num_attention_heads / attention.n_heads_in_group` KV heads.
//! - `ffn.no_op`: no MLP and no norm before it (`FeedForward::None`); otherwise a SwiGLU MLP of
//!   `int(2 · ffn_mult · hidden_size / 3)` rounded up to a multiple of 256
//!   (`_ffn_mult_to_intermediate_size`).
//!
//! Design decision: what SGLang (and vLLM) does not build is refused naming the block's key,
//! never read as the nearest thing: a linear layer in place of attention or FFN
//! (`replace_with_linear`, Nemotron-51B's), and windowed or sink attention (`window_length`,
//! `num_sink_tokens`, …) and `sparsify`, which those engines ignore.

use super::super::fields::{kind, Fields};
use super::super::limits::*;
use crate::error::InputError;
use crate::model::{Attention, DenseFfn, FeedForward};
use serde_json::Value;

/// The key that names the blocks.
const BLOCKS: &str = "block_configs";

/// Keys of a block's attention that must be absent, null or false: variants the engines do not
/// build.
const ATTENTION_UNBUILT: [&str; 6] =
    ["replace_with_linear", "window_length", "num_sink_tokens", "sparsify", "unshifted_sink", "use_prefill_window_in_sink_attention"];

/// Keys of a block's FFN that must be absent, null or false.
const FFN_UNBUILT: [&str; 2] = ["replace_with_linear", "sparsify"];

/// The attention of each of the `n` blocks: `heads` query heads of `head_dim`, with `bias`.
pub(super) fn attention(f: &Fields, n: usize, heads: u64, head_dim: u64, bias: bool) -> Result<Vec<Attention>, InputError> {
    blocks(f, n, "attention", |a| {
        if a.flag("no_op", false)? {
            return Ok(Attention::None);
        }
        unbuilt(a, &ATTENTION_UNBUILT, "attention")?;
        let group = a.required("n_heads_in_group", 1, heads)?;
        if !heads.is_multiple_of(group) {
            return Err(a.error("n_heads_in_group", format!("{group} does not divide num_attention_heads {heads}")));
        }
        Ok(Attention::Gqa {
            heads: heads as u32,
            kv_heads: (heads / group) as u32,
            head_dim: head_dim as u32,
            bias,
            values_from_keys: false,
            indexer: None,
        })
    })
}

/// The FFN of each of the `n` blocks, with `bias` (`mlp_bias`).
pub(super) fn ffn(f: &Fields, n: usize, bias: bool) -> Result<Vec<FeedForward>, InputError> {
    let hidden = f.required("hidden_size", 1, MAX_HIDDEN)?;
    blocks(f, n, "ffn", |b| {
        if b.flag("no_op", false)? {
            return Ok(FeedForward::None);
        }
        unbuilt(b, &FFN_UNBUILT, "FFN")?;
        let mult = b
            .positive("ffn_mult", MAX_INTERMEDIATE as f64)?
            .ok_or_else(|| b.error("ffn_mult", "missing; must be a number above 0"))?;
        // Python's `int(2 * ffn_mult * n_embd / 3)`, truncated, then `_find_multiple(·, 256)`.
        let intermediate = ((2.0 * mult * hidden as f64 / 3.0) as u64).next_multiple_of(256);
        if !(1..=MAX_INTERMEDIATE).contains(&intermediate) {
            return Err(b.error(
                "ffn_mult",
                format!("{mult} gives an MLP {intermediate} wide; it must be from 1 to {MAX_INTERMEDIATE}"),
            ));
        }
        Ok(FeedForward::Dense(DenseFfn { intermediate, gated: true, bias }))
    })
}

/// `read` applied to the `part` object (`attention` or `ffn`) of each block, which must be
/// one per layer.
fn blocks<T>(
    f: &Fields,
    n: usize,
    part: &str,
    mut read: impl FnMut(&Fields) -> Result<T, InputError>,
) -> Result<Vec<T>, InputError> {
    let blocks = match f.get(BLOCKS) {
        Some(Value::Array(blocks)) => blocks,
        Some(other) => return Err(f.error(BLOCKS, format!("must be a list, got {}", kind(other)))),
        None => return Err(f.error(BLOCKS, "missing; nemotron-nas configs describe each block there")),
    };
    if blocks.len() != n {
        return Err(f.error(BLOCKS, format!("has {} entries but num_hidden_layers is {n}", blocks.len())));
    }
    let mut read_blocks = Vec::with_capacity(n);
    for (i, block) in blocks.iter().enumerate() {
        let path = format!("{}[{i}]", f.path(BLOCKS));
        let Value::Object(block) = block else {
            return Err(InputError::new(path, format!("must be an object, got {}", kind(block))));
        };
        let block = Fields::new(block, &path);
        let inner = block.path(part);
        let object = block.object(part)?.ok_or_else(|| block.error(part, "missing"))?;
        read_blocks.push(read(&Fields::new(object, &inner))?);
    }
    Ok(read_blocks)
}

/// Refuses the first of `keys` set (not absent, null or false) in a block's `part`.
fn unbuilt(b: &Fields, keys: &[&str], part: &str) -> Result<(), InputError> {
    match keys.iter().find(|k| b.get(k).is_some_and(|v| *v != Value::Bool(false))) {
        Some(key) => Err(b.error(
            key,
            format!("a NAS block {part} with {key} is not modelled (SGLang and vLLM build plain attention and SwiGLU blocks only)"),
        )),
        None => Ok(()),
    }
}
