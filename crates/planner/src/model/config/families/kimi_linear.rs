//! Kimi Linear and Kimi K3 (`kimi_linear`; Kimi K3 wraps it as `kimi_k3`): Kimi Delta Attention
//! (KDA) layers with multi-head latent attention between them, a dense MLP then DeepSeek-V3-style
//! MoE (Kimi K3's experts in a latent space).
//!
//! Design decision: read as SGLang 0.5.23 reads it (`configs/kimi_linear.py`,
//! `KimiLinearConfig`; `models/kimi_k3.py`; `models/kimi_linear.py`), keys and defaults: the
//! engine runs Kimi K3's keys (`use_full_rank_gate`, `mla_use_output_gate`,
//! `routed_expert_hidden_size`), transformers 5.25's `KimiLinearConfig` knows none of them. A
//! layer is KDA when its 1-based index is in `linear_attn_config.kda_layers`
//! (`KimiLinearConfig.is_kda_layer`), MLA otherwise; a layer in both lists or in neither is an
//! error naming `kda_layers`. Kimi K3's attention residuals (`attn_res_block_size`) are not
//! modelled: their weights are two norms and two one-output projections per layer (4 × hidden,
//! 0.0001 % of Kimi K3) and their reads of up to 8 block summaries per block are activation
//! traffic the step model leaves out; the import says so.

use super::super::fields::Fields;
use super::super::limits::*;
use super::{routed, sizes, Built, Sizes};
use crate::error::InputError;
use crate::model::{Attention, DenseFfn, FeedForward, Layer, LinearAttention, LinearGates, Mla, MoeFfn};

/// Bytes per element of a KDA layer's recurrent state: float32. SGLang 0.5.23 sizes it with
/// `KimiLinearCacheParams`, whose dtype is `mamba2_state_dtype(None)`: the config's
/// `mamba_ssm_dtype` is not read, the default (float32) stands (`configs/mamba_utils.py`).
const KDA_STATE_BYTES: u32 = 4;

/// The language model of a Kimi Linear / Kimi K3 config.
pub(super) fn build(f: &Fields, tied: Option<bool>) -> Result<Built, InputError> {
    let Sizes { hidden, layers: n, vocab, tied } = sizes(f, tied, false)?;
    let n = n as usize;
    let Some(linear) = f.object("linear_attn_config")? else {
        return Err(f.error("linear_attn_config", "missing; Kimi Linear's KDA layers and their shape are listed there"));
    };
    let path = f.path("linear_attn_config");
    let linear = Fields::new(linear, &path);
    let kda = Attention::Linear(kda(&linear)?);
    let mla = Attention::Mla(mla(f)?);
    let is_kda = kda_layers(&linear, n)?;
    let ffns = ffns(f, n)?;
    let layers = (0..n)
        .map(|i| Layer { attention: if is_kda[i] { kda } else { mla }, window: None, ffn: ffns[i] })
        .collect();
    let mut notes = Vec::new();
    if let Some(block) = f.whole("attn_res_block_size", 1, MAX_LAYERS)? {
        notes.push(format!(
            "attention residuals (attn_res_block_size = {block}) not modelled: their norms and one-output projections (4 × hidden_size per layer) are not counted, nor their reads of the earlier blocks' outputs"
        ));
    }
    let context_window = f.whole("max_position_embeddings", 1, MAX_WINDOW)?;
    Ok(Built { hidden, vocab, tied, layers, context_window, notes })
}

/// A KDA layer (`linear_attn_config`: `num_heads` query, key and value heads of `head_dim`, the
/// convolution `short_conv_kernel_size` wide, 4 when absent; the decay's bottleneck is
/// `head_dim` wide, `f_a_proj`'s output; `use_full_rank_gate`, false when absent).
fn kda(c: &Fields) -> Result<LinearAttention, InputError> {
    let heads = c.required("num_heads", 1, MAX_HEADS)? as u32;
    let dim = c.required("head_dim", 1, MAX_HEAD_DIM)? as u32;
    Ok(LinearAttention {
        key_heads: heads,
        value_heads: heads,
        key_dim: dim,
        value_dim: dim,
        conv_kernel: c.whole_or("short_conv_kernel_size", 4, 1, 64)? as u32,
        state_element_bytes: KDA_STATE_BYTES,
        gates: LinearGates::Kda { rank: dim, full_rank_output_gate: c.flag("use_full_rank_gate", false)? },
    })
}

/// Which layers are KDA: layer `i` when `i + 1` is in `kda_layers`; every layer must be in
/// exactly one of `kda_layers` and `full_attn_layers` (1-based, as the config writes them).
fn kda_layers(c: &Fields, n: usize) -> Result<Vec<bool>, InputError> {
    let read = |key: &str| -> Result<Vec<u64>, InputError> {
        c.wholes(key, 1, n as u64)?.ok_or_else(|| c.error(key, "missing; it lists the layers (1-based) of each kind"))
    };
    let (kda, full) = (read("kda_layers")?, read("full_attn_layers")?);
    (1..=n as u64)
        .map(|layer| match (kda.contains(&layer), full.contains(&layer)) {
            (true, false) => Ok(true),
            (false, true) => Ok(false),
            (both, _) => Err(c.error(
                "kda_layers",
                format!(
                    "layer {layer} is in {} kda_layers and full_attn_layers; each of the {n} layers must be in exactly one",
                    if both { "both" } else { "neither of" }
                ),
            )),
        })
        .collect()
}

/// The MLA layers (`KimiK3MLAAttention`: DeepSeek-V2's MLA, with `mla_use_output_gate`'s
/// `g_proj`; `mla_use_nope` drops the rotary embedding but not the rotary key's cache).
fn mla(f: &Fields) -> Result<Mla, InputError> {
    Ok(Mla {
        heads: f.required("num_attention_heads", 1, MAX_HEADS)? as u32,
        q_lora_rank: f.whole("q_lora_rank", 1, MAX_LORA_RANK)?.map(|r| r as u32),
        kv_lora_rank: f.required("kv_lora_rank", 1, MAX_LORA_RANK)? as u32,
        qk_nope_head_dim: f.required("qk_nope_head_dim", 0, MAX_HEAD_DIM)? as u32,
        qk_rope_head_dim: f.required("qk_rope_head_dim", 1, MAX_HEAD_DIM)? as u32,
        v_head_dim: f.required("v_head_dim", 1, MAX_HEAD_DIM)? as u32,
        indexer: None,
        output_gate: f.flag("mla_use_output_gate", false)?,
    })
}

/// Each layer's feed-forward block (`_is_moe_layer`: MoE from `first_k_dense_replace` on, 0
/// when absent, every `moe_layer_freq`-th layer, when `num_experts` is set; dense
/// `intermediate_size` otherwise). `num_shared_experts` (0 when absent) shared experts of
/// `moe_intermediate_size` read the hidden state; with `routed_expert_hidden_size`, the routed
/// experts work in that latent behind two replicated projections (`KimiK3MoE`; its RMSNorm on
/// the latent, `latent_moe_use_norm`, one vector, not counted).
fn ffns(f: &Fields, n: usize) -> Result<Vec<FeedForward>, InputError> {
    let dense = FeedForward::Dense(DenseFfn {
        intermediate: f.required("intermediate_size", 1, MAX_INTERMEDIATE)?,
        gated: true,
        bias: false,
    });
    if !f.has("num_experts") {
        return Ok(vec![dense; n]);
    }
    // `attribute_map`: `num_experts_per_tok` is the shared utilities' name of the same key.
    let top_k_key = if f.has("num_experts_per_token") { "num_experts_per_token" } else { "num_experts_per_tok" };
    let (experts, top_k) = routed(f, ("num_experts", None), (top_k_key, None))?;
    let width = f.required("moe_intermediate_size", 1, MAX_INTERMEDIATE)?;
    let shared = f.whole_or("num_shared_experts", 0, 0, MAX_SHARED_EXPERTS)?;
    let moe = FeedForward::Moe(MoeFfn {
        experts,
        experts_per_token: top_k,
        expert_intermediate: width,
        shared_intermediate: shared * width,
        bias: false,
        gated: true,
        latent: f.whole("routed_expert_hidden_size", 1, MAX_HIDDEN)?,
    });
    let first_dense = f.whole_or("first_k_dense_replace", 0, 0, MAX_LAYERS)? as usize;
    let freq = f.whole_or("moe_layer_freq", 1, 1, MAX_LAYERS)? as usize;
    Ok((0..n).map(|i| if i >= first_dense && i % freq == 0 { moe } else { dense }).collect())
}
