//! MiMo-V2-Flash and Step-3.5/3.7: sliding and full layers whose attention has heads of its
//! own (`GqaDims`), read with the keys of transformers 5.25 (`configuration_mimo_v2_flash.py`,
//! `configuration_step3p7.py`) and, where SGLang 0.5.23 reads others for the same shapes
//! (`models/mimo_v2.py`, `models/step3p5.py`), with those too.
//!
//! Design decision: where the two read a shape from different keys, the config's own keys win
//! and transformers' defaults fill what neither states. The files in `data/model-configs/`
//! are written for SGLang (MiMo-V2-Flash's `hybrid_layer_pattern`, `swa_*` keys and
//! `moe_layer_freq` list) or curated flat (Step-3.7-Flash: its language model without the
//! wrapper, with `first_k_dense_replace` and `num_experts`), so both readings are needed.
//!
//! - MiMo-V2-Flash: full layers of `num_attention_heads`, `num_key_value_heads`, `head_dim`
//!   (keys and queries) and `v_head_dim` (values); sliding layers of `swa_num_attention_heads`,
//!   `swa_num_key_value_heads`, `swa_head_dim`, `swa_v_head_dim` (transformers, which reads no
//!   `swa_*` key: the same heads and sizes, twice the KV heads). Which layers slide:
//!   `layer_types`, else `hybrid_layer_pattern` (1 = sliding), else full at layer 0 and every
//!   sixth. MoE layers: `mlp_layer_types`, else a `moe_layer_freq` list (1 = MoE), else all
//!   but the first; no shared experts (`MiMoV2FlashMoE`). Attention sinks (one logit per head
//!   on the sliding layers) are not counted.
//! - Step-3.5/3.7: every layer `num_key_value_heads` (or `num_attention_groups`) KV heads of
//!   `head_dim`, full layers `num_attention_heads` query heads, sliding layers
//!   `num_sliding_attention_heads` (transformers) or `attention_other_setting`'s
//!   `num_attention_heads` and `num_attention_groups` (SGLang); a `g_proj` gate per query head
//!   (transformers builds it always, SGLang unless `use_head_wise_attn_gate` is false). MoE
//!   layers: `mlp_layer_types`, else `moe_layers_enum`, else from `first_k_dense_replace` on
//!   (default 3, transformers' default `range(3, n)`); one always-on shared expert of
//!   `share_expert_dim`. Lists padded with the `num_nextn_predict_layers` MTP layers are cut
//!   to the decoder's layers, as transformers does. The window is `sliding_window` tokens, the
//!   query's included, as transformers reads it (SGLang passes it as the earlier tokens a query
//!   sees, one token more: 0.2 % of a 512-token window's cache, not modelled).

use super::super::fields::Fields;
use super::super::limits::*;
use super::{read_kv_heads, LayerKind};
use crate::error::InputError;
use crate::model::{Attention, GqaDims};
use serde_json::Value;

/// MiMo-V2-Flash's sliding window when the config states none (transformers'
/// `sliding_window` default: 128 earlier tokens and the query).
pub(super) const MIMO_WINDOW: u64 = 129;

/// MiMo-V2-Flash's window: `sliding_window_size` + 1 (SGLang attends to that many earlier
/// tokens plus the query; transformers' `MiMoV2FlashConfig` adds the 1), else
/// `sliding_window` as written.
pub(super) fn mimo_window(f: &Fields) -> Result<Option<u64>, InputError> {
    match f.whole("sliding_window_size", 1, MAX_WINDOW - 1)? {
        Some(w) => Ok(Some(w + 1)),
        None => f.whole("sliding_window", 1, MAX_WINDOW),
    }
}

/// MiMo-V2-Flash's layer kinds without `layer_types`: `hybrid_layer_pattern` (SGLang's
/// `is_swa_layer`: 1 slides), else transformers' default (full at layer 0 and every sixth).
pub(super) fn mimo_kinds(f: &Fields, n: usize) -> Result<Vec<LayerKind>, InputError> {
    let kind = |sliding: bool| if sliding { LayerKind::Sliding } else { LayerKind::Full };
    match per_layer_flags(f, "hybrid_layer_pattern", n)? {
        Some(pattern) => Ok(pattern.into_iter().map(kind).collect()),
        None => Ok((0..n).map(|i| kind(i != 0 && (i + 1) % 6 != 0)).collect()),
    }
}

/// A list of 0/1 per layer, `None` when absent.
fn per_layer_flags(f: &Fields, key: &str, n: usize) -> Result<Option<Vec<bool>>, InputError> {
    let Some(flags) = f.wholes(key, 0, 1)? else { return Ok(None) };
    if flags.len() != n {
        return Err(f.error(key, format!("has {} entries but num_hidden_layers is {n}", flags.len())));
    }
    Ok(Some(flags.into_iter().map(|x| x == 1).collect()))
}

/// A per-layer list padded with one entry per MTP layer (`num_nextn_predict_layers`), cut to
/// the decoder's `n` layers (transformers' `Step3p7TextConfig.__post_init__`); any other
/// length is left for the caller to refuse.
pub(super) fn drop_mtp_entries<T>(f: &Fields, list: &mut Vec<T>, n: usize) -> Result<(), InputError> {
    let mtp = f.whole_or("num_nextn_predict_layers", 0, 0, MAX_LAYERS)? as usize;
    if mtp > 0 && list.len() == n + mtp {
        list.truncate(n);
    }
    Ok(())
}

/// The attention of each layer: Step's (`step`) or MiMo-V2-Flash's, full and sliding apart.
pub(super) fn attention(step: bool, f: &Fields, heads: u64, kinds: &[LayerKind]) -> Result<Vec<Attention>, InputError> {
    if f.flag("attention_bias", false)? {
        return Err(f.error("attention_bias", "attention biases are not modelled for MiMo-V2-Flash and Step (their checkpoints have none)"));
    }
    let (full, sliding) = if step { step_heads(f, heads)? } else { mimo_heads(f, heads)? };
    Ok(kinds
        .iter()
        .map(|k| Attention::GqaDims(if *k == LayerKind::Sliding { sliding } else { full }))
        .collect())
}

/// MiMo-V2-Flash's full and sliding attention (defaults: transformers' `MiMoV2FlashConfig`,
/// 4 KV heads, keys of 192 and values of 128; sliding layers twice the KV heads).
fn mimo_heads(f: &Fields, heads: u64) -> Result<(GqaDims, GqaDims), InputError> {
    let kv = read_kv_heads(f, "num_key_value_heads", heads, 4)?;
    let qk = f.whole_or("head_dim", 192, 1, MAX_HEAD_DIM)?;
    let v = f.whole_or("v_head_dim", 128, 1, MAX_HEAD_DIM)?;
    let swa_heads = f.whole_or("swa_num_attention_heads", heads, 1, MAX_HEADS)?;
    let swa_kv = read_kv_heads(f, "swa_num_key_value_heads", swa_heads, 2 * kv)?;
    let swa_qk = f.whole_or("swa_head_dim", qk, 1, MAX_HEAD_DIM)?;
    let swa_v = f.whole_or("swa_v_head_dim", v, 1, MAX_HEAD_DIM)?;
    Ok((dims(heads, kv, qk, v, false), dims(swa_heads, swa_kv, swa_qk, swa_v, false)))
}

/// Step's full and sliding attention: one head size and KV heads for both unless
/// `attention_other_setting` says otherwise, the gate on both.
fn step_heads(f: &Fields, heads: u64) -> Result<(GqaDims, GqaDims), InputError> {
    let gate = step_gate(f)?;
    // `num_attention_groups` is SGLang's name, an alias in transformers.
    let kv_key = if f.has("num_attention_groups") && !f.has("num_key_value_heads") { "num_attention_groups" } else { "num_key_value_heads" };
    let kv = read_kv_heads(f, kv_key, heads, 8)?;
    let dim = f.whole_or("head_dim", 128, 1, MAX_HEAD_DIM)?;
    let path = f.path("attention_other_setting");
    let other = f.object("attention_other_setting")?.map(|o| Fields::new(o, &path));
    let written = match (f.whole("num_sliding_attention_heads", 1, MAX_HEADS)?, other) {
        (Some(h), _) => Some(h),
        (None, Some(o)) => o.whole("num_attention_heads", 1, MAX_HEADS)?,
        (None, None) => None,
    };
    let swa_heads = written.unwrap_or(heads);
    let swa_kv = match other {
        Some(o) => read_kv_heads(&o, "num_attention_groups", swa_heads, kv)?,
        None => read_kv_heads(f, kv_key, swa_heads, kv)?,
    };
    if let Some(o) = other {
        if let Some(d) = o.whole("head_dim", 1, MAX_HEAD_DIM)?.filter(|&d| d != dim) {
            return Err(o.error(
                "head_dim",
                format!("{d} differs from head_dim {dim}: sliding layers of another head size are not modelled"),
            ));
        }
    }
    Ok((dims(heads, kv, dim, dim, gate), dims(swa_heads, swa_kv, dim, dim, gate)))
}

/// Whether Step's layers gate each head's output: per head unless `use_head_wise_attn_gate`
/// is false (SGLang); transformers' `gating` other than per head (an element-wise gate) is
/// refused.
fn step_gate(f: &Fields) -> Result<bool, InputError> {
    match f.get("gating") {
        None | Some(Value::Bool(true)) => {}
        Some(Value::String(s)) if s == "per-head" => {}
        Some(other) => {
            return Err(f.error(
                "gating",
                format!("only a gate per head (true or \"per-head\") is modelled, got {other}"),
            ))
        }
    }
    f.flag("use_head_wise_attn_gate", true)
}

fn dims(heads: u64, kv_heads: u64, qk: u64, v: u64, head_gate: bool) -> GqaDims {
    GqaDims { heads: heads as u32, kv_heads: kv_heads as u32, qk_head_dim: qk as u32, v_head_dim: v as u32, head_gate }
}

/// The keys a family names its MoE blocks with (the first of each family's aliases the
/// config has).
pub(super) struct MoeKeys {
    pub experts: &'static str,
    pub top_k: &'static str,
    /// The always-on shared expert's width; `None`: no shared expert.
    pub shared: Option<&'static str>,
}

/// Which layers are MoE, and the keys of their experts: Step's (`step`) or MiMo-V2-Flash's.
pub(super) fn moe_layers(step: bool, f: &Fields, n: usize) -> Result<(Vec<bool>, MoeKeys), InputError> {
    let first = |keys: &[&'static str]| keys.iter().copied().find(|k| f.has(k)).unwrap_or(keys[0]);
    let shared_experts = f.whole("n_shared_experts", 0, MAX_SHARED_EXPERTS)?;
    if let Some(written) = mlp_layer_types(f, n)? {
        let keys = if step { step_keys(f, shared_experts, first)? } else { mimo_keys(f, shared_experts)? };
        return Ok((written, keys));
    }
    if !step {
        let sparse = match per_layer_flags(f, "moe_layer_freq", n)? {
            Some(flags) => flags,
            None => (0..n).map(|i| i > 0).collect(),
        };
        return Ok((sparse, mimo_keys(f, shared_experts)?));
    }
    let sparse = match moe_layers_enum(f)? {
        Some(listed) => (0..n).map(|i| listed.contains(&(i as u64))).collect(),
        None => {
            let dense = f.whole_or("first_k_dense_replace", 3, 0, MAX_LAYERS)? as usize;
            (0..n).map(|i| i >= dense).collect()
        }
    };
    Ok((sparse, step_keys(f, shared_experts, first)?))
}

/// MiMo-V2-Flash's expert keys: no shared experts (`n_shared_experts` null in its config).
fn mimo_keys(f: &Fields, shared_experts: Option<u64>) -> Result<MoeKeys, InputError> {
    if shared_experts.is_some_and(|s| s > 0) {
        return Err(f.error("n_shared_experts", "shared experts are not modelled for MiMo-V2-Flash (its MoE has none)"));
    }
    Ok(MoeKeys { experts: "n_routed_experts", top_k: "num_experts_per_tok", shared: None })
}

/// Step's expert keys (transformers' names and their aliases, and the curated file's
/// `num_experts`): one shared expert.
fn step_keys(
    f: &Fields,
    shared_experts: Option<u64>,
    first: impl Fn(&[&'static str]) -> &'static str,
) -> Result<MoeKeys, InputError> {
    if shared_experts.is_some_and(|s| s != 1) {
        return Err(f.error("n_shared_experts", "Step has one shared expert (share_expert_dim wide); another count is not modelled"));
    }
    Ok(MoeKeys {
        experts: first(&["n_routed_experts", "moe_num_experts", "num_local_experts", "num_experts"]),
        top_k: first(&["num_experts_per_tok", "moe_top_k"]),
        shared: Some(first(&["share_expert_dim", "share_expert_dims"])),
    })
}

/// transformers' `mlp_layer_types`: `"sparse"` (MoE) or `"dense"` per layer, MTP padding cut.
fn mlp_layer_types(f: &Fields, n: usize) -> Result<Option<Vec<bool>>, InputError> {
    let Some(mut types) = f.texts("mlp_layer_types")? else { return Ok(None) };
    drop_mtp_entries(f, &mut types, n)?;
    if types.len() != n {
        return Err(f.error("mlp_layer_types", format!("has {} entries but num_hidden_layers is {n}", types.len())));
    }
    let mut sparse = Vec::with_capacity(n);
    for (i, t) in types.into_iter().enumerate() {
        match t {
            "sparse" | "dense" => sparse.push(t == "sparse"),
            other => return Err(InputError::new(format!("{}[{i}]", f.path("mlp_layer_types")), format!("{other:?} is not \"sparse\" or \"dense\""))),
        }
    }
    Ok(Some(sparse))
}

/// Step's `moe_layers_enum`: the MoE layers' indices, comma-separated in a string (as the
/// published configs write it) or a list; entries past the decoder's layers are MTP layers.
fn moe_layers_enum(f: &Fields) -> Result<Option<Vec<u64>>, InputError> {
    const KEY: &str = "moe_layers_enum";
    let Some(Value::String(s)) = f.get(KEY) else { return f.wholes(KEY, 0, MAX_LAYERS) };
    let mut listed = Vec::new();
    for t in s.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        match t.parse::<u64>() {
            Ok(i) if i <= MAX_LAYERS => listed.push(i),
            _ => return Err(f.error(KEY, format!("{t:?} is not a layer index from 0 to {MAX_LAYERS}"))),
        }
    }
    Ok(Some(listed))
}
