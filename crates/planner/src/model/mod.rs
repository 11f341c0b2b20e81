//! The model as the planner sees it: an ordered list of decoder layers, each with its attention
//! (grouped-query — with key and value heads of their own sizes and a head gate where a model
//! has them — multi-head latent or DeepSeek-V4's compressed attention, full, windowed or sparse
//! through an indexer; linear attention or a Mamba2 mixer with a fixed state) and its
//! feed-forward block (dense or mixture-of-experts), plus the embeddings. A hybrid model's layer
//! may have only one of the two (Nemotron-H: a Mamba2, attention, MLP or MoE block per layer; a
//! Nemotron NAS block may lack either), so either may be absent.
//!
//! Design decision: one `Layer` per decoder layer, in order, rather than one set of global
//! hyper-parameters. Real models mix layer kinds (DeepSeek-V3's three leading dense layers,
//! Llama 4 Maverick's alternating dense/MoE layers, gpt-oss' alternating sliding/full attention,
//! MiMo-V2-Flash's and Step-3.7's sliding layers with their own heads, Nemotron-Super's NAS
//! blocks each with its own attention or none and its own MLP width), and a pipeline stage
//! holds a contiguous run of layers, so per-stage memory and time follow from summing the
//! stage's layers, with no special case per architecture.
//!
//! Parameter counts follow the Hugging Face `transformers` modelling code of each family; norms
//! and biases are counted, the multi-token-prediction modules of DeepSeek-V3 and V4 are not (the
//! published 671B and 284B exclude them). Small per-layer vectors that no family's KV cache or
//! FLOPs depend on are not counted: per-head q/k norms (Qwen3, Gemma 3/4, Step-3.7, MiniMax-M3
//! and its indexer), Gemma's extra sandwich norms, gpt-oss', MiMo-V2-Flash's and DeepSeek-V4's
//! attention sinks (one scalar per head), LayerNorm biases, DeepSeek-V4's token-to-expert table
//! of its hash-routed layers (an index, not a weight: vocab × top-k ids), Kimi K3's latent-MoE
//! norm and attention residuals (two norms and two one-output projections per layer); together
//! under 0.01 % of any model in `data/model-configs/`. A multimodal model's vision encoder and
//! projector are one count (`vision_params`, from `config::vision`), in the total and in the
//! weights, not in the layers: it runs on images, not on text tokens.
//!
//! `config` imports a Hugging Face `config.json` (feature `config-import`), `catalog` holds the
//! presets (imported once by `calibrate --tables` and baked in as constants), and `resolve`
//! turns the scenario's `model` field into a spec.

pub mod catalog;
mod compressed;
#[cfg(feature = "config-import")]
pub mod config;
mod imported;
mod resolve;

pub use compressed::CompressedAttention;
#[cfg(feature = "config-import")]
pub use config::from_config_json;
pub use resolve::{parse_config_text, resolve, ImportedModel};

use super::plan::ModelSummary;
use super::precision::KvPrecision;
use serde::Serialize;

/// A decoder-only transformer.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelSpec {
    /// Display name (the catalog id or the name given with a pasted config).
    pub name: String,
    pub hidden_size: u64,
    pub vocab_size: u64,
    /// Input embedding and LM head share one matrix.
    pub tied_embeddings: bool,
    /// Decoder layers, first to last.
    pub layers: Vec<Layer>,
    /// Parameters of a multimodal model's vision encoder and projector (`config::vision`); 0
    /// for a text-only model. Counted in the total, not in the parameters a text token passes
    /// through; held on the first pipeline stage (`memory::weights`).
    pub vision_params: u64,
}

/// One decoder layer: a token mixer (`attention`) and a feed-forward block, each with the
/// RMSNorm before it; a hybrid model's layer has one of the two (`Attention::None`,
/// `FeedForward::None`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Layer {
    pub attention: Attention,
    /// `Some(w)`: the layer attends to at most the last `w` tokens (sliding-window or chunked
    /// local attention), so its KV cache holds at most `w` tokens per request.
    pub window: Option<u64>,
    pub ffn: FeedForward,
}

/// The attention block of a layer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Attention {
    /// Multi-head (`kv_heads == heads`), grouped-query or multi-query attention.
    Gqa {
        heads: u32,
        kv_heads: u32,
        head_dim: u32,
        /// Biases on the q, k, v and o projections (Qwen2, gpt-oss, GPT-3).
        bias: bool,
        /// Values are taken from the key projection, so the layer has no `v_proj` (Gemma 4
        /// global layers, `attention_k_eq_v`; transformers 5.24 `modeling_gemma4.py`). The cache
        /// still holds keys and values: values are normed, keys are normed and rotated.
        values_from_keys: bool,
        /// MiniMax-M3's block-sparse attention: the layer attends to the `topk` tokens its
        /// indexer picks, not to the whole context.
        indexer: Option<Indexer>,
    },
    /// Multi-head latent attention (DeepSeek-V2/V3, Kimi K2).
    Mla(Mla),
    /// Linear attention with a fixed-size recurrent state per request instead of a KV cache
    /// (Gated DeltaNet: Qwen3.5's `linear_attention` layers; Kimi Delta Attention: Kimi K3's
    /// `kda_layers`).
    Linear(LinearAttention),
    /// A Mamba2 mixer (selective state space, Nemotron-H's `M` layers): a fixed state per
    /// request, as linear attention.
    Mamba2(Mamba2),
    /// No token mixer: a layer that is only a feed-forward block (Nemotron-H's `-` and `E`, a
    /// Nemotron NAS block whose attention is `no_op`).
    None,
    /// DeepSeek-V4: one shared key-value head, a sliding window and a per-layer compressed
    /// cache (`compressed`); its window is its own, not the layer's.
    Compressed(CompressedAttention),
    /// Grouped-query attention whose heads have sizes of their own: value heads narrower than
    /// key heads (MiMo-V2-Flash), a gate per query head on the output (Step-3.5/3.7).
    GqaDims(GqaDims),
}

/// Grouped-query attention with its key and value head sizes apart and an optional gate per
/// query head, for the layers `Attention::Gqa` (one head size, no gate) cannot describe; a
/// variant of its own, so every model that `Gqa` describes keeps its numbers.
///
/// Shapes (transformers 5.25 `modeling_mimo_v2_flash.py` `MiMoV2FlashAttention`,
/// `modeling_step3p7.py` `Step3p7Attention`; SGLang 0.5.23 `models/mimo_v2.py`,
/// `models/step3p5.py`): `q_proj` hidden → heads × qk, `k_proj` hidden → kv_heads × qk,
/// `v_proj` hidden → kv_heads × v, `o_proj` heads × v → hidden, and with the gate `g_proj`
/// hidden → heads (a sigmoid scales each head's output before `o_proj`). No biases. The cache
/// holds per token and KV head a key of `qk` and a value of `v`. Per-head q/k norms (Step) and
/// attention-sink logits (MiMo-V2-Flash's sliding layers) are not counted, as for the other
/// families (module docs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GqaDims {
    pub heads: u32,
    pub kv_heads: u32,
    /// Query and key size per head (`head_dim`).
    pub qk_head_dim: u32,
    /// Value and attention-output size per head (`v_head_dim`).
    pub v_head_dim: u32,
    /// A sigmoid gate per query head on the attention output (`g_proj`).
    pub head_gate: bool,
}

impl GqaDims {
    /// Key plus value size of one KV head: the elements it caches per token.
    pub fn kv_width(&self) -> u64 {
        self.qk_head_dim as u64 + self.v_head_dim as u64
    }

    /// Output features of the fused Q, K, V projection for `heads` query heads and
    /// `kv_heads` KV heads (a GPU's share under tensor parallelism).
    pub fn qkv_width(&self, heads: f64, kv_heads: f64) -> f64 {
        heads * self.qk_head_dim as f64 + kv_heads * self.kv_width() as f64
    }

    /// Output features of the gate projection for `heads` query heads (0 without a gate).
    pub fn gate_width(&self, heads: f64) -> f64 {
        if self.head_gate {
            heads
        } else {
            0.0
        }
    }

    /// Input features of the output projection for `heads` query heads.
    pub fn output_width(&self, heads: f64) -> f64 {
        heads * self.v_head_dim as f64
    }

    /// Hidden-sized rows and columns of every projection for `heads` and `kv_heads` heads: the
    /// weights are this times the hidden size.
    pub fn projection_width(&self, heads: f64, kv_heads: f64) -> f64 {
        self.qkv_width(heads, kv_heads) + self.gate_width(heads) + self.output_width(heads)
    }

    /// The mean of the key and value head sizes: attention's flops and bytes per (query, key)
    /// pair are `QKᵀ` over the key size plus `PV` over the value size, so every formula written
    /// for one head size `d` (`2·h·d` each) holds with this mean (MiMo-V2-Flash: 192 and 128
    /// read as 160).
    pub fn mean_head_dim(&self) -> f64 {
        self.kv_width() as f64 / 2.0
    }
}

/// A gated delta-rule linear attention: Gated DeltaNet (Qwen3.5 `linear_num_key_heads`,
/// `linear_num_value_heads`, `linear_key_head_dim`, `linear_value_head_dim`,
/// `linear_conv_kernel_dim`, `mamba_ssm_dtype`) or Kimi Delta Attention (Kimi K3's
/// `linear_attn_config`: `num_heads` key and value heads of `head_dim`,
/// `short_conv_kernel_size`). Per request it keeps, instead of keys and values per token, a
/// short convolution window over its query/key/value channels and one `key_dim × value_dim`
/// state matrix per value head, so its cache does not grow with the context. The two share
/// these shapes, the convolution and the recurrence (SGLang 0.5.23 `configs/mamba_utils.py`:
/// `KimiLinearStateShape` is `Mamba2StateShape`'s layout for Gated DeltaNet with `num_heads`
/// key and value heads); they differ in their gates (`gates`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinearAttention {
    pub key_heads: u32,
    pub value_heads: u32,
    pub key_dim: u32,
    pub value_dim: u32,
    pub conv_kernel: u32,
    /// Bytes per element of the recurrent state (`mamba_ssm_dtype`: 4 for float32).
    pub state_element_bytes: u32,
    /// How the decay and the output gate are computed.
    pub gates: LinearGates,
}

/// The gate projections of a linear-attention layer, where Gated DeltaNet and Kimi Delta
/// Attention differ.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LinearGates {
    /// Gated DeltaNet (transformers' `Qwen3NextGatedDeltaNet`): one decay `alpha` and one
    /// `beta` per value head and the output gate `z` (`V` wide), all in the input projection;
    /// `A_log` and `dt_bias` per value head.
    GatedDeltaNet,
    /// Kimi Delta Attention (SGLang 0.5.23 `models/kimi_k3.py`, `KimiK3DeltaAttention`;
    /// `models/kimi_linear.py`, `KimiDeltaAttention`): one decay per key channel through a
    /// bottleneck `rank` wide (`f_a_proj`, hidden → rank, whole on every TP rank; `f_b_proj`,
    /// rank → `K`, split), a `dt_bias` per key channel, `A_log` and `beta` (`b_proj`) per head;
    /// the output gate `g` (`V` wide) straight from the hidden state (`use_full_rank_gate`: Kimi
    /// K3's `g_proj`), else through a bottleneck of the same rank (`g_a_proj` whole on every
    /// rank, `g_b_proj` split).
    Kda { rank: u32, full_rank_output_gate: bool },
}

impl LinearAttention {
    /// Query and key channels, all heads: `key_heads × key_dim` each.
    pub fn keys(&self) -> u64 {
        self.key_heads as u64 * self.key_dim as u64
    }

    /// Value channels, all heads.
    pub fn values(&self) -> u64 {
        self.value_heads as u64 * self.value_dim as u64
    }

    /// Weights of the projections a TP group splits by heads (column-parallel in,
    /// row-parallel out). Gated DeltaNet: in, to queries, keys, values and the output gate `z`
    /// (`2K + 2V`) and one `beta` and one `alpha` per value head; out, `V × hidden`. Kimi Delta
    /// Attention: queries, keys and values (`2K + V`), `beta` per head, the decay's `f_b_proj`
    /// (`rank × K`), the output gate (`hidden × V`, or `g_b_proj`'s `rank × V`) and out.
    pub fn split_projection_params(&self, hidden: u64) -> u64 {
        let (k, v, heads) = (self.keys(), self.values(), self.value_heads as u64);
        let out = v * hidden;
        match self.gates {
            LinearGates::GatedDeltaNet => hidden * (2 * k + 2 * v + 2 * heads) + out,
            LinearGates::Kda { rank, full_rank_output_gate } => {
                let gate = if full_rank_output_gate { hidden * v } else { rank as u64 * v };
                hidden * (2 * k + v + heads) + rank as u64 * k + gate + out
            }
        }
    }

    /// Weights of the projections every TP rank holds whole: Kimi Delta Attention's gate
    /// down-projections (`f_a_proj`, and `g_a_proj` without a full-rank output gate,
    /// `ReplicatedLinear`); none for Gated DeltaNet.
    pub fn replicated_projection_params(&self, hidden: u64) -> u64 {
        match self.gates {
            LinearGates::GatedDeltaNet => 0,
            LinearGates::Kda { rank, full_rank_output_gate } => {
                hidden * rank as u64 * if full_rank_output_gate { 1 } else { 2 }
            }
        }
    }

    /// Weights of all its projections: all but the convolution and the per-head and
    /// per-channel vectors of `params`.
    pub fn projection_params(&self, hidden: u64) -> u64 {
        self.split_projection_params(hidden) + self.replicated_projection_params(hidden)
    }

    /// Channels of the short convolution: queries, keys and values (`conv_dim`).
    fn conv_channels(&self) -> u64 {
        2 * self.keys() + self.values()
    }

    /// The decay's vectors: `A_log` and `dt_bias` per value head (Gated DeltaNet), or `A_log`
    /// per head and `dt_bias` per key channel (Kimi Delta Attention).
    fn decay_params(&self) -> u64 {
        let heads = self.value_heads as u64;
        match self.gates {
            LinearGates::GatedDeltaNet => 2 * heads,
            LinearGates::Kda { .. } => heads + self.keys(),
        }
    }

    /// Weights (transformers' `Qwen3NextGatedDeltaNet`, which Qwen3.5 reuses; SGLang 0.5.23's
    /// `KimiK3DeltaAttention`): the projections (`projection_params`), the depthwise
    /// convolution (`conv_dim × conv_kernel`, no bias), the decay's vectors (`decay_params`),
    /// the gated norm (`value_dim`).
    pub fn params(&self, hidden: u64) -> u64 {
        self.projection_params(hidden)
            + self.conv_channels() * self.conv_kernel as u64
            + self.decay_params()
            + self.value_dim as u64
    }

    /// Bytes of one request's state on one GPU at tensor parallelism `tp`, heads and channels
    /// split across the group (SGLang 0.5.23 `configs/mamba_utils.py`, `Mamba2StateShape` and
    /// `KimiLinearStateShape`: the convolution state `conv_dim / tp × (conv_kernel − 1)` at
    /// `CONV_STATE_BYTES`, the temporal state `value_heads / tp × value_dim × key_dim` at
    /// `state_element_bytes`).
    pub fn state_bytes_per_request(&self, tp: u32) -> f64 {
        let tp = tp.max(1) as f64;
        let conv = self.conv_channels() as f64 / tp * (self.conv_kernel.saturating_sub(1)) as f64 * CONV_STATE_BYTES;
        let temporal = self.value_heads as f64 / tp * self.value_dim as f64 * self.key_dim as f64 * self.state_element_bytes as f64;
        conv + temporal
    }

    /// Flops of one token's recurrent step on all heads: the decay and the delta-rule update
    /// of each `key_dim × value_dim` state (≈ 4 per element; Kimi Delta Attention's decay per
    /// key channel is still one multiply per element) and the read-out by the query (2 per
    /// element).
    pub fn flops_per_token(&self) -> f64 {
        6.0 * self.value_heads as f64 * self.key_dim as f64 * self.value_dim as f64
    }
}

/// A Mamba2 mixer's shape (Nemotron-H's `mamba_num_heads`, `mamba_head_dim`, `n_groups`,
/// `ssm_state_size`, `conv_kernel`, `use_conv_bias`, `use_bias`, `chunk_size`,
/// `mamba_ssm_cache_dtype`; transformers 5.24 `models/nemotron_h/modeling_nemotron_h.py`,
/// `NemotronHMamba2Mixer`). Its `intermediate = heads × head_dim` channels are split into
/// `heads` heads; `groups` groups of heads share one input matrix `B` and one output matrix `C`
/// of `state_size` each. Per request it keeps a short convolution window and one
/// `head_dim × state_size` state per head, so its cache does not grow with the context.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mamba2 {
    pub heads: u32,
    pub head_dim: u32,
    pub groups: u32,
    pub state_size: u32,
    pub conv_kernel: u32,
    /// Biases on the depthwise convolution (`use_conv_bias`).
    pub conv_bias: bool,
    /// Biases on `in_proj` and `out_proj` (`use_bias`).
    pub projection_bias: bool,
    /// Tokens per chunk of the chunked scan that runs a prompt (`chunk_size`).
    pub chunk_size: u32,
    /// Bytes per element of the SSM state (`mamba_ssm_cache_dtype`: 4 for float32).
    pub state_element_bytes: u32,
}

/// Bytes per element of a Mamba2 or Gated DeltaNet convolution state: SGLang 0.5.23 keeps it in
/// bfloat16 (`environ.py`: `SGLANG_MAMBA_CONV_DTYPE = EnvStr("bfloat16")`, read by
/// `configs/mamba_utils.py::mamba2_state_dtype`).
pub const CONV_STATE_BYTES: f64 = 2.0;

impl Mamba2 {
    /// Channels of the scan: `heads × head_dim` (transformers' `intermediate_size`; the
    /// config's `expand` is not read by the mixer).
    pub fn intermediate(&self) -> u64 {
        self.heads as u64 * self.head_dim as u64
    }

    /// The `B` and `C` channels of `groups` groups: `2 × groups × state_size`.
    fn group_channels(&self, groups: u64) -> u64 {
        2 * groups * self.state_size as u64
    }

    /// Outputs of `in_proj`: the gate `z` and the input `x` (`intermediate` each), `B` and `C`,
    /// and one `dt` per head: `2·I + 2·G·N + H`.
    pub fn in_proj_width(&self) -> u64 {
        2 * self.intermediate() + self.group_channels(self.groups as u64) + self.heads as u64
    }

    /// Weights of the two projections: `in_proj` (`hidden × (2·I + 2·G·N + H)`) and `out_proj`
    /// (`I × hidden`), with their biases when `projection_bias`.
    pub fn projection_params(&self, hidden: u64) -> u64 {
        let biases = if self.projection_bias { self.in_proj_width() + hidden } else { 0 };
        hidden * self.in_proj_width() + self.intermediate() * hidden + biases
    }

    /// Groups of `B` and `C` one GPU holds at tensor parallelism `tp`: `groups / tp`, or the one
    /// group every GPU keeps whole when `tp` does not divide them (SGLang 0.5.23
    /// `configs/mamba_utils.py::extra_groups_for_head_shards`: `tp − n_groups` extra groups
    /// replicate the single group to every head shard; `layers/attention/mamba/mamba.py`
    /// `MambaMixer2` accepts that for `n_groups == 1` only, the divisibility check the rest).
    pub fn groups_per_gpu(&self, tp: u32) -> u64 {
        (self.groups as u64).div_ceil(tp.max(1) as u64)
    }

    /// Channels of the depthwise convolution on one GPU: `x`, `B` and `C`
    /// (`conv_dim = I + 2·G·N`, `I / tp + 2·(G / tp)·N` of them per GPU).
    pub fn conv_channels_per_gpu(&self, tp: u32) -> f64 {
        self.intermediate() as f64 / tp.max(1) as f64 + self.group_channels(self.groups_per_gpu(tp)) as f64
    }

    /// Outputs of `in_proj` on one GPU: the convolution's channels, the gate `z` (`I / tp`) and
    /// the heads' `dt` (`H / tp`).
    pub fn in_proj_width_per_gpu(&self, tp: u32) -> f64 {
        let t = tp.max(1) as f64;
        self.conv_channels_per_gpu(tp) + (self.intermediate() + self.heads as u64) as f64 / t
    }

    /// Weights (transformers' `NemotronHMamba2Mixer`): `in_proj` and `out_proj`
    /// (`projection_params`), the depthwise `conv1d` (`conv_dim × conv_kernel`, plus `conv_dim`
    /// biases when `conv_bias`), `A_log`, `D` and `dt_bias` (one per head each) and the gated
    /// RMSNorm over the `I` channels.
    pub fn params(&self, hidden: u64) -> u64 {
        let conv_dim = self.intermediate() + self.group_channels(self.groups as u64);
        let conv = conv_dim * self.conv_kernel as u64 + if self.conv_bias { conv_dim } else { 0 };
        self.projection_params(hidden) + conv + 3 * self.heads as u64 + self.intermediate()
    }

    /// Bytes of one request's state on one GPU at tensor parallelism `tp` (SGLang 0.5.23
    /// `configs/mamba_utils.py`, `Mamba2StateShape.create`): the convolution state,
    /// `conv_dim / tp × (conv_kernel − 1)` at `CONV_STATE_BYTES`, where `conv_dim` counts the
    /// replicated groups (`groups_per_gpu`), and the temporal (SSM) state,
    /// `heads / tp × head_dim × state_size` at `state_element_bytes`.
    pub fn state_bytes_per_request(&self, tp: u32) -> f64 {
        let conv = self.conv_channels_per_gpu(tp) * self.conv_kernel.saturating_sub(1) as f64 * CONV_STATE_BYTES;
        let heads = self.heads as f64 / tp.max(1) as f64;
        conv + heads * self.head_dim as f64 * self.state_size as f64 * self.state_element_bytes as f64
    }

    /// Flops of one decode token's recurrent step on one GPU at `tp`: per element of each
    /// head's `head_dim × state_size` state, the decay and the input's outer product with `B`
    /// (`h ← exp(dt·A)·h + dt·x·Bᵀ`: a multiply and a multiply-add) and the read-out by `C`
    /// (a multiply-add): 5 flops (Dao & Gu 2024, "Transformers are SSMs", §3: the recurrence).
    pub fn decode_flops_per_token(&self, tp: u32) -> f64 {
        5.0 * self.heads as f64 / tp.max(1) as f64 * self.head_dim as f64 * self.state_size as f64
    }

    /// Flops per prompt token of the chunked scan on one GPU at `tp` (Dao & Gu 2024, §6, the
    /// SSD algorithm over chunks of `Q = chunk_size` tokens): within a chunk `C·Bᵀ` per group
    /// (`2·Q·N` per token and group) and its masked product with the inputs (`2·Q·P` per token
    /// and head), and across chunks each token's part of its chunk's state (`2·P·N` per head)
    /// and its read-out from the previous state (`2·P·N` per head).
    pub fn prefill_flops_per_token(&self, tp: u32) -> f64 {
        let (q, n, p) = (self.chunk_size as f64, self.state_size as f64, self.head_dim as f64);
        let heads = self.heads as f64 / tp.max(1) as f64;
        2.0 * q * n * self.groups_per_gpu(tp) as f64 + 2.0 * q * p * heads + 4.0 * heads * p * n
    }
}

/// Multi-head latent attention's dimensions: the cache holds one compressed latent of
/// `kv_lora_rank` plus a shared rotary key of `qk_rope_head_dim` per token.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mla {
    pub heads: u32,
    /// Low-rank query compression; `None` projects queries directly (DeepSeek-V2-Lite).
    pub q_lora_rank: Option<u32>,
    pub kv_lora_rank: u32,
    pub qk_nope_head_dim: u32,
    pub qk_rope_head_dim: u32,
    pub v_head_dim: u32,
    /// DeepSeek sparse attention (DeepSeek-V3.2, GLM-5): the layer attends to the `topk` tokens
    /// its indexer picks, not to the whole context.
    pub indexer: Option<Indexer>,
    /// An output gate (Kimi K3, `mla_use_output_gate`; SGLang 0.5.23 `models/kimi_k3.py`,
    /// `KimiK3MLAAttention.g_proj`): a column-parallel projection from the hidden state to
    /// `heads × v_head_dim` whose sigmoid scales the attention output before `o_proj`.
    pub output_gate: bool,
}

/// A sparse-attention indexer: for each query token, `heads` small query heads score every
/// cached token against one cached key of `head_dim`, and the layer's attention reads only the
/// `topk` tokens they pick. Its key cache sits beside the layer's and grows with the whole
/// context; the attention itself reads at most `topk` tokens. DeepSeek sparse attention's
/// lightning indexer on MLA (`index_n_heads`, `index_head_dim`, `index_topk` of DeepSeek-V3.2's
/// and GLM-5's `config.json`) and MiniMax-M3's block indexer on GQA (`sparse_attention_config`)
/// differ in how they cache and split (`kind`). DeepSeek-V4's is the DeepSeek scoring over
/// compressed entries, one key per entry (`CompressedAttention::indexer`, its weights counted
/// there).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Indexer {
    pub heads: u32,
    pub head_dim: u32,
    /// Tokens a query attends to at most.
    pub topk: u64,
    pub kind: IndexerKind,
}

/// Which indexer, for its cache, weights and split over TP.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum IndexerKind {
    /// DeepSeek's (DeepSeek-V3.2 `inference/model.py`, `Indexer`): FP8 keys with an FP32
    /// scale, its projections and scoring whole on every TP rank, one weight per head.
    DeepSeek,
    /// MiniMax-M3's (SGLang 0.5.23 `models/minimax_m3.py`, `MiniMaxM3Attention`; transformers
    /// 5.25 `MiniMaxM3VLIndexer`): scores max-pooled over blocks of `sparse_block_size` keys,
    /// each KV head's queries reading the `sparse_topk_blocks` best blocks (the local block
    /// among them), so `topk` is their tokens. Keys, and values with `values` (SGLang's
    /// index-value path: the indexer's own attention output, added through `index_o_proj`), in
    /// 16 bits; its query heads split over TP up to one per rank.
    MiniMax { values: bool },
}

/// Bytes per element of MiniMax-M3's index cache: the model's 16-bit dtype (SGLang 0.5.23
/// `mem_cache/memory_pool.py`, `get_minimax_sparse_index_dtype`, which keeps it there unless
/// the attention GEMMs run in FP8 or, on Hopper, the KV cache is FP8; those are not modelled).
pub const MINIMAX_INDEX_BYTES: f64 = 2.0;

impl Indexer {
    /// Keys and values it caches per token: 1, or 2 for MiniMax-M3's index values.
    fn cached_vectors(&self) -> u64 {
        match self.kind {
            IndexerKind::MiniMax { values: true } => 2,
            IndexerKind::DeepSeek | IndexerKind::MiniMax { values: false } => 1,
        }
    }

    /// Query heads one GPU scores with at tensor parallelism `tp`: all of DeepSeek's (whole on
    /// every rank); `heads / min(tp, heads)` of MiniMax-M3's (`idx_head_tp_size`: split over TP,
    /// each head replicated on `tp / heads` ranks past one per rank).
    pub fn heads_per_gpu(&self, tp: u32) -> f64 {
        match self.kind {
            IndexerKind::DeepSeek => self.heads as f64,
            IndexerKind::MiniMax { .. } => self.heads as f64 / tp.clamp(1, self.heads.max(1)) as f64,
        }
    }

    /// Bytes of its cache per token and layer, on every GPU of a TP group (one key, not split
    /// by head). DeepSeek: FP8 keys and one FP32 scale per 128 of them, whatever the KV
    /// cache's precision (SGLang 0.5.23 `mem_cache/index_key_cache.py`: `index_head_dim +
    /// index_head_dim // quant_block_size * 4`, `quant_block_size` 128; 132 bytes at 128).
    /// MiniMax-M3: its key (and value) at `MINIMAX_INDEX_BYTES` (SGLang 0.5.23
    /// `MiniMaxSparseKVPool`: one head per sparse layer in `index_k_pool` or, with values,
    /// `index_kv_pool`, on every rank).
    pub fn cache_bytes_per_token(&self) -> f64 {
        let dim = self.head_dim as f64;
        match self.kind {
            IndexerKind::DeepSeek => dim + (dim / 128.0).ceil() * 4.0,
            IndexerKind::MiniMax { .. } => self.cached_vectors() as f64 * dim * MINIMAX_INDEX_BYTES,
        }
    }

    /// Weights. DeepSeek (DeepSeek-V3.2 `inference/model.py`, `Indexer`): `wq_b` from the query
    /// latent (`q_rank`: `q_lora_rank`, or the hidden size without one) to `heads × head_dim`,
    /// `wk` from the hidden state to one key, `k_norm` (a LayerNorm: weight and bias), and
    /// `weights_proj` from the hidden state to one weight per head. MiniMax-M3 (`q_rank` unused:
    /// `index_qkv_proj` reads the hidden state, to `heads × head_dim` queries, one key and, with
    /// values, one value; with values `index_o_proj` back to the hidden state; its per-head q/k
    /// norms, two `head_dim` vectors, not counted, as the model's own are not).
    pub fn params(&self, hidden: u64, q_rank: u64) -> u64 {
        self.params_split(hidden, q_rank, self.heads as f64) as u64
    }

    /// One GPU's share of its weights at tensor parallelism `tp`: all of DeepSeek's (SGLang and
    /// vLLM replicate them); MiniMax-M3's query heads and `index_o_proj` split as its heads
    /// (`heads_per_gpu`), its key and value projections whole.
    pub fn params_per_gpu(&self, hidden: u64, q_rank: u64, tp: u32) -> f64 {
        self.params_split(hidden, q_rank, self.heads_per_gpu(tp))
    }

    /// Weights with `heads` of its query heads.
    fn params_split(&self, hidden: u64, q_rank: u64, heads: f64) -> f64 {
        let (h, dim, q) = (hidden as f64, self.head_dim as f64, q_rank as f64);
        match self.kind {
            IndexerKind::DeepSeek => q * heads * dim + h * dim + 2.0 * dim + h * heads,
            IndexerKind::MiniMax { .. } => {
                let (input, output) = self.minimax_widths_of(heads);
                h * (input + output)
            }
        }
    }

    /// MiniMax-M3's projections on one GPU at tensor parallelism `tp`, as widths over the
    /// hidden state: `index_qkv_proj`'s outputs (its query heads on this GPU, the key and the
    /// value) and `index_o_proj`'s inputs (0 without index values); `None` for DeepSeek's,
    /// whose queries read MLA's query latent.
    pub fn minimax_widths(&self, tp: u32) -> Option<(f64, f64)> {
        match self.kind {
            IndexerKind::MiniMax { .. } => Some(self.minimax_widths_of(self.heads_per_gpu(tp))),
            IndexerKind::DeepSeek => None,
        }
    }

    fn minimax_widths_of(&self, heads: f64) -> (f64, f64) {
        let dim = self.head_dim as f64;
        let output = if self.cached_vectors() == 2 { heads * dim } else { 0.0 };
        (heads * dim + self.cached_vectors() as f64 * dim, output)
    }

    /// Flops on one GPU of scoring one query token against one cached token at tensor
    /// parallelism `tp`: a dot product per head; with MiniMax-M3's index values, the weighted
    /// sum of the values too.
    pub fn flops_per_pair(&self, tp: u32) -> f64 {
        2.0 * self.cached_vectors() as f64 * self.heads_per_gpu(tp) * self.head_dim as f64
    }
}

impl Mla {
    /// The sparse-attention indexer's weights (0 without one): its query projection reads the
    /// query latent, or the hidden state without one.
    pub fn indexer_params(&self, hidden: u64) -> u64 {
        self.indexer.map_or(0, |i| i.params(hidden, self.q_rank(hidden)))
    }

    /// One GPU's share of the indexer's weights at tensor parallelism `tp`.
    pub fn indexer_params_per_gpu(&self, hidden: u64, tp: u32) -> f64 {
        self.indexer.map_or(0.0, |i| i.params_per_gpu(hidden, self.q_rank(hidden), tp))
    }

    /// Width of what the query projections read: the query latent, or the hidden state.
    fn q_rank(&self, hidden: u64) -> u64 {
        self.q_lora_rank.map_or(hidden, u64::from)
    }

    /// The output gate's weights (`hidden × heads × v_head_dim`; 0 without one).
    pub fn output_gate_params(&self, hidden: u64) -> u64 {
        if self.output_gate {
            hidden * self.heads as u64 * self.v_head_dim as u64
        } else {
            0
        }
    }

    /// Query and key width per head: the unrotated part plus the rotary part.
    pub fn qk_head_dim(&self) -> u32 {
        self.qk_nope_head_dim + self.qk_rope_head_dim
    }

    /// Cached elements per token: the latent plus the shared rotary key.
    pub fn latent_width(&self) -> u32 {
        self.kv_lora_rank + self.qk_rope_head_dim
    }
}

/// The feed-forward block of a layer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FeedForward {
    Dense(DenseFfn),
    Moe(MoeFfn),
    /// No feed-forward block: a layer that is only a token mixer (Nemotron-H's `M` and `*`).
    None,
}

/// A dense MLP.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DenseFfn {
    pub intermediate: u64,
    /// Gated (SwiGLU: gate, up, down = 3 matrices) or plain (GPT-style up, down = 2 matrices).
    pub gated: bool,
    /// Biases on the projections (GPT-3).
    pub bias: bool,
}

/// A mixture-of-experts block: `experts` routed experts of which each token uses
/// `experts_per_token`, plus optional always-on shared experts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MoeFfn {
    pub experts: u32,
    pub experts_per_token: u32,
    /// Intermediate size of one routed expert.
    pub expert_intermediate: u64,
    /// Total intermediate size of the shared experts (n_shared × their size); 0 for none.
    pub shared_intermediate: u64,
    /// Biases on the expert projections (gpt-oss).
    pub bias: bool,
    /// Gated experts and shared experts (SwiGLU: gate, up, down = 3 matrices), or plain ones
    /// (Nemotron-H's squared-ReLU experts: up, down = 2 matrices).
    pub gated: bool,
    /// Latent MoE (Nemotron 3 Super and Ultra, `moe_latent_size`): the routed experts work in a
    /// `latent`-wide space, entered through `fc1_latent_proj` (`hidden × latent`) and left
    /// through `fc2_latent_proj` (`latent × hidden`), which every token passes through; `None`:
    /// the experts read the hidden state itself.
    pub latent: Option<u64>,
}

/// Parameter counts of a model, split the way parallelism splits them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct ParamCounts {
    /// Token mixers (attention, linear attention, Mamba2) and every layer's norms.
    pub attention: u64,
    /// Dense MLPs, shared experts and latent-MoE projections, all layers.
    pub dense_ffn: u64,
    /// Routed experts, all layers.
    pub experts: u64,
    /// Routers, all layers.
    pub routers: u64,
    /// Input embedding, LM head (when untied) and the final norm.
    pub embeddings: u64,
    /// A multimodal model's vision encoder and projector.
    pub vision: u64,
}

impl ParamCounts {
    pub fn total(&self) -> u64 {
        self.attention + self.dense_ffn + self.experts + self.routers + self.embeddings + self.vision
    }
}

impl Attention {
    /// Query heads.
    pub fn heads(&self) -> u32 {
        match *self {
            Attention::Gqa { heads, .. } => heads,
            Attention::Mla(m) => m.heads,
            Attention::Linear(l) => l.value_heads,
            Attention::Mamba2(m) => m.heads,
            Attention::GqaDims(g) => g.heads,
            Attention::Compressed(c) => c.heads,
            Attention::None => 0,
        }
    }

    /// Weights of the mixer: its projections and its own vectors, without the layer's norms
    /// (`Layer::norm_params`).
    pub fn params(&self, hidden: u64) -> u64 {
        match *self {
            Attention::Gqa { heads, kv_heads, head_dim, bias, values_from_keys, indexer } => {
                let q = heads as u64 * head_dim as u64;
                let k = kv_heads as u64 * head_dim as u64;
                let v = if values_from_keys { 0 } else { k };
                let weights = hidden * (q + k + v) + q * hidden;
                let biases = if bias { q + k + v + hidden } else { 0 };
                // A block indexer's queries read the hidden state.
                weights + biases + indexer.map_or(0, |i| i.params(hidden, hidden))
            }
            Attention::Mla(m) => {
                let h = m.heads as u64;
                let qk_head = m.qk_head_dim() as u64;
                let q = match m.q_lora_rank {
                    // q_a_proj, q_a_layernorm, q_b_proj
                    Some(r) => hidden * r as u64 + r as u64 + r as u64 * h * qk_head,
                    None => hidden * h * qk_head,
                };
                let kv_lora = m.kv_lora_rank as u64;
                // kv_a_proj_with_mqa, kv_a_layernorm, kv_b_proj
                let kv = hidden * (kv_lora + m.qk_rope_head_dim as u64)
                    + kv_lora
                    + kv_lora * h * (m.qk_nope_head_dim as u64 + m.v_head_dim as u64);
                let o = h * m.v_head_dim as u64 * hidden;
                q + kv + o + m.indexer_params(hidden) + m.output_gate_params(hidden)
            }
            Attention::Linear(l) => l.params(hidden),
            Attention::Mamba2(m) => m.params(hidden),
            Attention::GqaDims(g) => hidden * g.projection_width(g.heads as f64, g.kv_heads as f64) as u64,
            Attention::Compressed(c) => c.params(hidden),
            Attention::None => 0,
        }
    }

    /// KV-cache elements per token for this layer, on one GPU holding all its heads (a
    /// compressed layer's entries are not one element count: `CompressedAttention::entry_bytes`).
    pub fn kv_elements_per_token(&self) -> u64 {
        match *self {
            Attention::Gqa { kv_heads, head_dim, .. } => 2 * kv_heads as u64 * head_dim as u64,
            Attention::Mla(m) => m.latent_width() as u64,
            Attention::Linear(_) | Attention::Mamba2(_) | Attention::Compressed(_) | Attention::None => 0,
            Attention::GqaDims(g) => g.kv_heads as u64 * g.kv_width(),
        }
    }

    /// The linear attention, if the layer is one.
    pub fn linear(&self) -> Option<LinearAttention> {
        match *self {
            Attention::Linear(l) => Some(l),
            _ => None,
        }
    }

    /// Whether the mixer attends to the context (GQA, MLA or DeepSeek-V4's compressed
    /// attention, with a KV cache), rather than keeping a fixed state (linear attention,
    /// Mamba2) or being absent.
    pub fn attends(&self) -> bool {
        matches!(self, Attention::Gqa { .. } | Attention::GqaDims(_) | Attention::Mla(_) | Attention::Compressed(_))
    }

    /// Bytes of the fixed state one request keeps in this mixer on one GPU at tensor
    /// parallelism `tp`, whatever its context (linear attention, Mamba2; DeepSeek-V4's
    /// compressor state, whole on every GPU); 0 for the others.
    pub fn state_bytes_per_request(&self, tp: u32) -> f64 {
        match *self {
            Attention::Linear(l) => l.state_bytes_per_request(tp),
            Attention::Mamba2(m) => m.state_bytes_per_request(tp),
            Attention::Compressed(c) => c.state_bytes_per_request(),
            _ => 0.0,
        }
    }

    /// DeepSeek-V4's compressed attention, if the layer is one.
    pub fn compressed(&self) -> Option<CompressedAttention> {
        match *self {
            Attention::Compressed(c) => Some(c),
            _ => None,
        }
    }

    /// DeepSeek sparse attention's indexer over every cached token, if the layer has one
    /// (DeepSeek-V4's indexes compressed entries: `CompressedAttention::indexer`).
    pub fn indexer(&self) -> Option<Indexer> {
        match *self {
            Attention::Mla(m) => m.indexer,
            Attention::Gqa { indexer, .. } => indexer,
            _ => None,
        }
    }

    /// KV heads of a grouped-query layer (either form), which tensor parallelism splits or
    /// replicates; `None` for the others.
    pub fn gqa_kv_heads(&self) -> Option<u32> {
        match *self {
            Attention::Gqa { kv_heads, .. } | Attention::GqaDims(GqaDims { kv_heads, .. }) => Some(kv_heads),
            _ => None,
        }
    }

    /// Residual streams of the layer: DeepSeek-V4's hyper-connections' `hc_mult`, else 1.
    pub fn residual_streams(&self) -> u32 {
        self.compressed().map_or(1, |c| c.streams.max(1))
    }

    /// Cache bytes per token for this layer at `bytes_per_element` for the KV cache: its
    /// elements, and the indexer's keys at their own precision; a compressed layer's window
    /// entry and compressed share (`CompressedAttention::bytes_per_token`).
    pub fn cache_bytes_per_token(&self, bytes_per_element: f64) -> f64 {
        if let Some(c) = self.compressed() {
            return c.bytes_per_token(bytes_per_element);
        }
        self.kv_elements_per_token() as f64 * bytes_per_element + self.indexer().map_or(0.0, |i| i.cache_bytes_per_token())
    }
}

impl DenseFfn {
    pub fn params(&self, hidden: u64) -> u64 {
        let matrices = if self.gated { 3 } else { 2 };
        let biases = if self.bias { (matrices - 1) * self.intermediate + hidden } else { 0 };
        matrices * hidden * self.intermediate + biases
    }
}

impl MoeFfn {
    /// Matrices of an expert: 3 gated, 2 plain.
    pub fn matrices(&self) -> u64 {
        if self.gated {
            3
        } else {
            2
        }
    }

    /// The width a routed expert reads and writes: the latent, or the hidden size.
    pub fn expert_input(&self, hidden: u64) -> u64 {
        self.latent.unwrap_or(hidden)
    }

    /// Parameters of one routed expert: its matrices over `expert_input` and its biases.
    pub fn expert_params(&self, hidden: u64) -> u64 {
        self.matrices() * self.expert_input(hidden) * self.expert_intermediate + self.expert_biases(hidden)
    }

    /// One routed expert's biases, with `bias`: one per output of each matrix
    /// (`(matrices − 1) × intermediate + input`).
    pub fn expert_biases(&self, hidden: u64) -> u64 {
        if self.bias {
            (self.matrices() - 1) * self.expert_intermediate + self.expert_input(hidden)
        } else {
            0
        }
    }

    /// Parameters of the shared experts together (they read the hidden state, not the latent).
    pub fn shared_params(&self, hidden: u64) -> u64 {
        self.matrices() * hidden * self.shared_intermediate
    }

    /// The latent-MoE projections into and out of the latent (`2 × hidden × latent`; 0 without
    /// a latent).
    pub fn latent_params(&self, hidden: u64) -> u64 {
        self.latent.map_or(0, |l| 2 * hidden * l)
    }

    /// The router: one logit per expert (plus a bias, counted as a row).
    pub fn router_params(&self, hidden: u64) -> u64 {
        (hidden + 1) * self.experts as u64
    }
}

impl Layer {
    /// Blocks of the layer: a transformer layer's mixer and feed-forward block, or a hybrid
    /// layer's one.
    pub fn blocks(&self) -> u32 {
        u32::from(self.attention != Attention::None) + u32::from(self.ffn != FeedForward::None)
    }

    /// The RMSNorms before its blocks, one `hidden` vector each (a transformer layer's
    /// `input_layernorm` and `post_attention_layernorm`; a Nemotron-H block's `norm`).
    pub fn norm_params(&self, hidden: u64) -> u64 {
        self.blocks() as u64 * hidden
    }
}

impl ModelSpec {
    pub fn num_layers(&self) -> u32 {
        self.layers.len() as u32
    }

    /// True when any layer has routed experts.
    pub fn is_moe(&self) -> bool {
        self.layers.iter().any(|l| matches!(l.ffn, FeedForward::Moe(_)))
    }

    /// Input embedding, LM head when untied, and the final norm.
    pub fn embedding_params(&self) -> u64 {
        let one = self.vocab_size * self.hidden_size;
        let head = if self.tied_embeddings { 0 } else { one };
        one + head + self.hidden_size
    }

    /// Parameters of the given layers, split by kind.
    pub fn layer_params(&self, layers: &[Layer]) -> ParamCounts {
        let h = self.hidden_size;
        let mut counts = ParamCounts::default();
        for layer in layers {
            counts.attention += layer.attention.params(h) + layer.norm_params(h);
            match layer.ffn {
                FeedForward::Dense(d) => counts.dense_ffn += d.params(h),
                FeedForward::Moe(m) => {
                    counts.dense_ffn += m.shared_params(h) + m.latent_params(h);
                    counts.experts += m.experts as u64 * m.expert_params(h);
                    counts.routers += m.router_params(h);
                }
                FeedForward::None => {}
            }
        }
        counts
    }

    /// All parameters, split by kind.
    pub fn params(&self) -> ParamCounts {
        ParamCounts { embeddings: self.embedding_params(), vision: self.vision_params, ..self.layer_params(&self.layers) }
    }

    pub fn total_params(&self) -> u64 {
        self.params().total()
    }

    /// Parameters one text token passes through: everything but the routed experts it is not
    /// sent to and the vision tower (which runs on images, not text tokens). The input
    /// embedding is a lookup, not a matrix multiply, but model cards count it, so it is counted
    /// here too; compute estimates use `matmul_params_per_token`.
    pub fn active_params(&self) -> u64 {
        let p = self.params();
        p.total() - p.experts - p.vision + self.active_expert_params()
    }

    /// Routed-expert parameters one token passes through, all layers.
    pub fn active_expert_params(&self) -> u64 {
        let h = self.hidden_size;
        self.layers
            .iter()
            .map(|l| match l.ffn {
                FeedForward::Moe(m) => m.experts_per_token as u64 * m.expert_params(h),
                FeedForward::Dense(_) | FeedForward::None => 0,
            })
            .sum()
    }

    /// KV-cache bytes per token for the whole model on one GPU, at full context (no window
    /// cap), at `bytes_per_element` — the plan's `kv_cache_bytes_per_token`.
    pub fn kv_cache_bytes_per_token(&self, bytes_per_element: f64) -> f64 {
        self.layers
            .iter()
            .map(|l| l.attention.cache_bytes_per_token(bytes_per_element))
            .sum()
    }
}

/// The plan's `model` block: the model as the planner understood it, KV cache at full context.
pub fn summary(spec: &ModelSpec, kv: KvPrecision) -> ModelSummary {
    ModelSummary {
        name: spec.name.clone(),
        total_params: spec.total_params(),
        active_params: spec.active_params(),
        layers: spec.num_layers(),
        kv_cache_bytes_per_token: spec.kv_cache_bytes_per_token(kv.bytes()),
    }
}

#[cfg(test)]
pub(crate) mod fixtures {
    //! Hand-written specs of well-known models for unit tests, from their `config.json`.
    use super::*;

    /// meta-llama/Llama-3.1-70B: hidden 8192, 80 layers, 64 heads, 8 KV heads, head_dim 128,
    /// intermediate 28672, vocab 128256, untied.
    pub fn llama_3_1_70b() -> ModelSpec {
        let layer = Layer {
            attention: Attention::Gqa {
                heads: 64,
                kv_heads: 8,
                head_dim: 128,
                bias: false,
                values_from_keys: false,
                indexer: None,
            },
            window: None,
            ffn: FeedForward::Dense(DenseFfn { intermediate: 28672, gated: true, bias: false }),
        };
        ModelSpec {
            name: "meta-llama/Llama-3.1-70B".into(),
            hidden_size: 8192,
            vocab_size: 128256,
            tied_embeddings: false,
            layers: vec![layer; 80],
            vision_params: 0,
        }
    }

    /// A dense GQA model with SwiGLU MLPs and no biases (the Llama / Qwen3 / Mistral shape).
    fn dense_gqa(
        name: &str,
        hidden: u64,
        layers: usize,
        (heads, kv_heads, head_dim): (u32, u32, u32),
        intermediate: u64,
        vocab: u64,
    ) -> ModelSpec {
        let layer = Layer {
            attention: Attention::Gqa { heads, kv_heads, head_dim, bias: false, values_from_keys: false, indexer: None },
            window: None,
            ffn: FeedForward::Dense(DenseFfn { intermediate, gated: true, bias: false }),
        };
        ModelSpec {
            name: name.into(),
            hidden_size: hidden,
            vocab_size: vocab,
            tied_embeddings: false,
            layers: vec![layer; layers],
            vision_params: 0,
        }
    }

    /// meta-llama/Meta-Llama-3.1-8B (`data/model-configs`): hidden 4096, 32 layers,
    /// 32 heads, 8 KV heads, head_dim 128, intermediate 14336, vocab 128256, untied.
    pub fn llama_3_1_8b() -> ModelSpec {
        dense_gqa("meta-llama/Llama-3.1-8B", 4096, 32, (32, 8, 128), 14336, 128256)
    }

    /// Qwen/Qwen3-8B (`data/model-configs`): hidden 4096, 36 layers, 32 heads, 8 KV
    /// heads, head_dim 128, intermediate 12288, vocab 151936, untied. (Its per-head q/k norms,
    /// 256 weights a layer, are not counted.)
    pub fn qwen3_8b() -> ModelSpec {
        dense_gqa("Qwen/Qwen3-8B", 4096, 36, (32, 8, 128), 12288, 151936)
    }

    /// Qwen/Qwen2.5-3B-Instruct (its Hugging Face `config.json`; not in `data`):
    /// hidden 2048, 36 layers, 16 heads, 2 KV heads, head_dim 128, intermediate 11008,
    /// vocab 151936, tied embeddings, q/k/v biases (counted with an o bias too: 2048 extra
    /// weights a layer). Model card: 3.09B parameters.
    pub fn qwen2_5_3b() -> ModelSpec {
        let mut m = dense_gqa("Qwen/Qwen2.5-3B-Instruct", 2048, 36, (16, 2, 128), 11008, 151936);
        m.tied_embeddings = true;
        for layer in &mut m.layers {
            layer.attention = Attention::Gqa { heads: 16, kv_heads: 2, head_dim: 128, bias: true, values_from_keys: false, indexer: None };
        }
        m
    }

    /// mistralai/Mixtral-8x7B-v0.1 (`data/model-configs`): hidden 4096, 32 layers,
    /// 32 heads, 8 KV heads, head_dim 128, 8 experts top-2 of intermediate 14336, vocab 32000,
    /// untied, no sliding window.
    pub fn mixtral_8x7b() -> ModelSpec {
        let mut m = dense_gqa("mistralai/Mixtral-8x7B-v0.1", 4096, 32, (32, 8, 128), 0, 32000);
        for layer in &mut m.layers {
            layer.ffn = FeedForward::Moe(MoeFfn {
                experts: 8,
                experts_per_token: 2,
                expert_intermediate: 14336,
                shared_intermediate: 0,
                bias: false,
                gated: true,
                latent: None,

            });
        }
        m
    }

    /// openai/gpt-oss-120b (`data/model-configs`): hidden 2880, 36 layers alternating
    /// sliding-window (128 tokens, even layers) and full attention, 64 heads, 8 KV heads,
    /// head_dim 64, attention biases, 128 experts top-4 of intermediate 2880 with biases,
    /// vocab 201088, untied. (Its 64 attention-sink logits a layer are not counted.)
    pub fn gpt_oss_120b() -> ModelSpec {
        let attention = Attention::Gqa { heads: 64, kv_heads: 8, head_dim: 64, bias: true, values_from_keys: false, indexer: None };
        let ffn = FeedForward::Moe(MoeFfn {
            experts: 128,
            experts_per_token: 4,
            expert_intermediate: 2880,
            shared_intermediate: 0,
            bias: true,
            gated: true,
            latent: None,

        });
        let layers = (0..36)
            .map(|i| Layer { attention, window: (i % 2 == 0).then_some(128), ffn })
            .collect();
        ModelSpec {
            name: "openai/gpt-oss-120b".into(),
            hidden_size: 2880,
            vocab_size: 201088,
            tied_embeddings: false,
            layers,
            vision_params: 0,
        }
    }

    /// deepseek-ai/DeepSeek-V3: 61 layers (3 dense), MLA, 256 routed experts top-8, 1 shared.
    pub fn deepseek_v3() -> ModelSpec {
        let attention = Attention::Mla(Mla {
            heads: 128,
            q_lora_rank: Some(1536),
            kv_lora_rank: 512,
            qk_nope_head_dim: 128,
            qk_rope_head_dim: 64,
            v_head_dim: 128,
            indexer: None,
            output_gate: false,
        });
        let dense = Layer {
            attention,
            window: None,
            ffn: FeedForward::Dense(DenseFfn { intermediate: 18432, gated: true, bias: false }),
        };
        let moe = Layer {
            attention,
            window: None,
            ffn: FeedForward::Moe(MoeFfn {
                experts: 256,
                experts_per_token: 8,
                expert_intermediate: 2048,
                shared_intermediate: 2048,
                bias: false,
                gated: true,
                latent: None,

            }),
        };
        let mut layers = vec![dense; 3];
        layers.extend(vec![moe; 58]);
        ModelSpec {
            name: "deepseek-ai/DeepSeek-V3".into(),
            hidden_size: 7168,
            vocab_size: 129280,
            tied_embeddings: false,
            layers,
            vision_params: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;

    fn within(actual: f64, expected: f64, tolerance: f64) {
        let diff = (actual - expected).abs() / expected;
        assert!(
            diff <= tolerance,
            "expected {expected:.4e}, actual {actual:.4e}, difference {:.2}% > tolerance {:.2}%",
            diff * 100.0,
            tolerance * 100.0
        );
    }

    #[test]
    fn llama_70b_has_70_6b_params() {
        // Model card: 70.6B.
        within(llama_3_1_70b().total_params() as f64, 70.6e9, 0.01);
    }

    #[test]
    fn fixture_param_counts_match_model_cards() {
        // data/README.md (model cards); Qwen2.5-3B: its model card, 3.09B.
        within(llama_3_1_8b().total_params() as f64, 8.03e9, 0.01);
        within(mixtral_8x7b().total_params() as f64, 46.7e9, 0.01);
        within(mixtral_8x7b().active_params() as f64, 12.9e9, 0.01);
        within(gpt_oss_120b().total_params() as f64, 117e9, 0.01);
        within(qwen2_5_3b().total_params() as f64, 3.09e9, 0.01);
        // Qwen3-8B model card: 8.2B.
        within(qwen3_8b().total_params() as f64, 8.2e9, 0.01);
    }

    #[test]
    fn llama_70b_kv_is_327680_bytes_per_token_bf16() {
        assert_eq!(llama_3_1_70b().kv_cache_bytes_per_token(2.0), 327_680.0);
    }

    #[test]
    fn deepseek_v3_is_671b_total_37b_active() {
        let m = deepseek_v3();
        within(m.total_params() as f64, 671e9, 0.01);
        within(m.active_params() as f64, 37e9, 0.03);
    }

    #[test]
    fn deepseek_v3_mla_caches_576_elements_per_layer() {
        // (kv_lora_rank 512 + rope 64) × 61 layers × 2 bytes.
        assert_eq!(deepseek_v3().kv_cache_bytes_per_token(2.0), 576.0 * 61.0 * 2.0);
    }
}
