//! The architecture families the importer models, each read the way Hugging Face
//! `transformers` 5.24 reads it: same keys, same defaults when a key is absent
//! (`models/<type>/configuration_<type>.py`), same per-layer rules (which layers are MoE, which
//! slide). Families whose layers have widths of their own are read in child modules, with the
//! keys SGLang reads beside transformers' where the shipped configs use them: MiMo-V2-Flash and
//! Step-3.5/3.7 (`widths`), Nemotron NAS, which transformers lacks (`nas`).
//!
//! Design decision: a family is data plus three small rules — how a layer attends (`attention`),
//! where its window is (`window_rule`) and what its feed-forward block is (`ffn_rule`) — so the
//! per-family differences are visible side by side instead of buried in one function per model.

mod deepseek_v4;
mod nas;
mod widths;
mod kimi_linear;
mod minimax_m3;

use super::fields::Fields;
use super::limits::*;
use crate::error::InputError;
use crate::model::{Attention, DenseFfn, FeedForward, Indexer, IndexerKind, Layer, LinearAttention, LinearGates, Mamba2, Mla, MoeFfn};

/// A family of `config.json` files that share one reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Family {
    Llama,
    Mistral,
    Mixtral,
    Qwen2,
    Qwen3,
    Qwen3Moe,
    Qwen3VlText,
    Qwen3VlMoeText,
    Mimo,
    MinimaxM2,
    GptOss,
    Gemma,
    Gemma2,
    Gemma3Text,
    Gemma4Text,
    Llama4Text,
    DeepseekV2,
    DeepseekV3,
    /// Qwen3.5's language model: Gated DeltaNet layers with a full-attention layer every
    /// `full_attention_interval`, dense (`qwen3_5_text`) or MoE (`qwen3_5_moe_text`).
    Qwen35Text,
    Qwen35MoeText,
    /// Nemotron-H (Nemotron 3 Nano, Super, Ultra; Nemotron-H): one block per layer, a Mamba2
    /// mixer, attention, a plain MLP or a MoE, as `hybrid_override_pattern` or
    /// `layers_block_type` lists them (`nemotron_h`).
    NemotronH,
    /// DeepSeek-V4: compressed attention and hyper-connections (`deepseek_v4`).
    DeepseekV4,
    /// Kimi Linear and Kimi K3: Kimi Delta Attention layers between MLA layers, MoE
    /// (`kimi_linear`, `families::kimi_linear`).
    KimiLinear,
    /// MiniMax-M3: GQA, block-sparse through an indexer on most layers, MoE
    /// (`minimax_m3`, `families::minimax_m3`).
    MinimaxM3,
    Gpt2,
    /// MiMo-V2-Flash: sliding and full layers with their own KV heads, value heads narrower
    /// than key heads, MoE after a dense first layer (`widths`).
    MimoV2Flash,
    /// Step-3.5/3.7's language model: sliding and full layers with their own query heads, a
    /// gate per head, MoE with a shared expert after dense leading layers (`widths`).
    Step3p7,
    /// Nemotron NAS (DeciLM): every block with its own attention (or none) and FFN width
    /// (`nas`).
    NemotronNas,
}

/// Every supported `model_type`, for messages and tests.
pub(super) const MODEL_TYPES: &[(&str, Family)] = &[
    ("llama", Family::Llama),
    ("mistral", Family::Mistral),
    ("mixtral", Family::Mixtral),
    ("qwen2", Family::Qwen2),
    ("qwen3", Family::Qwen3),
    ("qwen3_moe", Family::Qwen3Moe),
    ("qwen3_vl_text", Family::Qwen3VlText),
    ("qwen3_vl_moe_text", Family::Qwen3VlMoeText),
    ("mimo", Family::Mimo),
    ("minimax_m2", Family::MinimaxM2),
    ("gpt_oss", Family::GptOss),
    ("gemma", Family::Gemma),
    ("gemma2", Family::Gemma2),
    ("gemma3_text", Family::Gemma3Text),
    ("gemma4_text", Family::Gemma4Text),
    ("llama4_text", Family::Llama4Text),
    ("deepseek_v2", Family::DeepseekV2),
    ("deepseek_v3", Family::DeepseekV3),
    // Kimi K2 is DeepseekV3ForCausalLM with its own model_type.
    ("kimi_k2", Family::DeepseekV3),
    // DeepSeek-V3.2 and GLM-5: DeepSeek-V3's layers with sparse attention's indexer (`indexer`).
    ("deepseek_v32", Family::DeepseekV3),
    ("glm_moe_dsa", Family::DeepseekV3),
    ("qwen3_5_text", Family::Qwen35Text),
    ("qwen3_5_moe_text", Family::Qwen35MoeText),
    ("nemotron_h", Family::NemotronH),
    ("deepseek_v4", Family::DeepseekV4),
    // sgl-project's FP8 conversions of DeepSeek-V4 name the reference implementation
    // (`architectures`: DeepseekV4ForCausalLM, which SGLang serves them as).
    ("deepseek_ref", Family::DeepseekV4),
    ("kimi_linear", Family::KimiLinear),
    ("minimax_m3", Family::MinimaxM3),
    ("minimax_m3_vl_text", Family::MinimaxM3),
    ("gpt2", Family::Gpt2),
    ("mimo_v2_flash", Family::MimoV2Flash),
    // The language model flat (data/model-configs' Step-3.7-Flash), or, nested in a `step3p7`
    // wrapper's `text_config`, as transformers 5.25's `Step3p7TextConfig` names it.
    ("step3p7", Family::Step3p7),
    ("step3p5", Family::Step3p7),
    ("nemotron-nas", Family::NemotronNas),
];

/// `architectures[0]` of configs without a usable `model_type`.
pub(super) const ARCHITECTURES: &[(&str, Family)] = &[
    ("LlamaForCausalLM", Family::Llama),
    ("MistralForCausalLM", Family::Mistral),
    ("MixtralForCausalLM", Family::Mixtral),
    ("Qwen2ForCausalLM", Family::Qwen2),
    ("Qwen3ForCausalLM", Family::Qwen3),
    ("Qwen3MoeForCausalLM", Family::Qwen3Moe),
    ("MiMoForCausalLM", Family::Mimo),
    ("MiniMaxM2ForCausalLM", Family::MinimaxM2),
    ("GptOssForCausalLM", Family::GptOss),
    ("GemmaForCausalLM", Family::Gemma),
    ("Gemma2ForCausalLM", Family::Gemma2),
    ("Gemma3ForCausalLM", Family::Gemma3Text),
    ("Llama4ForCausalLM", Family::Llama4Text),
    ("DeepseekV2ForCausalLM", Family::DeepseekV2),
    ("DeepseekV3ForCausalLM", Family::DeepseekV3),
    ("DeepseekV32ForCausalLM", Family::DeepseekV3),
    ("GlmMoeDsaForCausalLM", Family::DeepseekV3),
    ("NemotronHForCausalLM", Family::NemotronH),
    ("DeepseekV4ForCausalLM", Family::DeepseekV4),
    ("KimiLinearForCausalLM", Family::KimiLinear),
    ("MiniMaxM3ForCausalLM", Family::MinimaxM3),
    ("MiniMaxM3SparseForCausalLM", Family::MinimaxM3),
    ("GPT2LMHeadModel", Family::Gpt2),
    ("MiMoV2FlashForCausalLM", Family::MimoV2Flash),
    ("Step3p5ForCausalLM", Family::Step3p7),
    ("Step3p7FlashForCausalLM", Family::Step3p7),
    ("DeciLMForCausalLM", Family::NemotronNas),
];

/// The language model's parts, before naming.
pub(super) struct Built {
    pub hidden: u64,
    pub vocab: u64,
    pub tied: bool,
    pub layers: Vec<Layer>,
    /// The longest context the config states (`ImportedModel::context_window`).
    pub context_window: Option<u64>,
    pub notes: Vec<String>,
}

/// How a layer attends, before its window is applied.
#[derive(Clone, Copy, PartialEq)]
enum LayerKind {
    Full,
    Sliding,
    Chunked,
    /// Linear attention (Gated DeltaNet): no KV cache, a fixed state.
    Linear,
}

impl Family {
    /// `tie_word_embeddings` when absent.
    fn tie_default(self) -> bool {
        matches!(
            self,
            Family::Gemma
                | Family::Gemma2
                | Family::Gemma3Text
                | Family::Gemma4Text
                | Family::Gpt2
                | Family::Qwen3VlMoeText
        )
    }

    /// `num_key_value_heads` when absent; `None`: one per query head (`LlamaConfig`).
    fn kv_heads_default(self) -> Option<u64> {
        match self {
            Family::Llama
            | Family::Gpt2
            | Family::DeepseekV2
            | Family::DeepseekV3
            | Family::DeepseekV4
            | Family::Qwen35Text
            | Family::Qwen35MoeText
            | Family::NemotronNas
            | Family::KimiLinear => None,
            // Read per layer kind (`widths`).
            Family::MimoV2Flash | Family::Step3p7 => None,
            Family::NemotronH => Some(8),
            Family::MinimaxM3 => Some(4),
            Family::Mistral | Family::Mixtral | Family::MinimaxM2 | Family::GptOss | Family::Llama4Text => {
                Some(8)
            }
            Family::Qwen2 | Family::Qwen3 | Family::Qwen3VlText | Family::Mimo => Some(32),
            Family::Qwen3Moe | Family::Gemma2 | Family::Gemma3Text | Family::Gemma4Text => Some(4),
            Family::Qwen3VlMoeText | Family::Gemma => Some(16),
        }
    }

    /// `head_dim` when absent; `None`: `hidden_size / num_attention_heads`.
    fn head_dim_default(self) -> Option<u64> {
        match self {
            Family::Qwen3 | Family::Qwen3VlText | Family::MinimaxM2 | Family::Llama4Text => Some(128),
            Family::Gemma | Family::Gemma2 | Family::Gemma3Text | Family::Gemma4Text => Some(256),
            Family::GptOss => Some(64),
            _ => None,
        }
    }

    /// Whether the family has linear-attention layers (`layer_types: linear_attention`).
    fn linear_attention(self) -> bool {
        matches!(self, Family::Qwen35Text | Family::Qwen35MoeText)
    }

    /// Biases on q, k, v, o when `attention_bias` is absent. Qwen2 always has q/k/v biases
    /// (`Qwen2Attention`, no flag); its o_proj has none, which the spec counts anyway (one
    /// hidden-sized vector per layer).
    fn attention_bias(self, f: &Fields) -> Result<bool, InputError> {
        match self {
            Family::Qwen2 | Family::Gpt2 => Ok(true),
            Family::Mimo | Family::GptOss => f.flag("attention_bias", true),
            _ => f.flag("attention_bias", false),
        }
    }
}

/// Read the language model of `family` from `f`. `tied` overrides `tie_word_embeddings` (a
/// multimodal wrapper's own flag decides for its language model).
pub(super) fn build(family: Family, f: &Fields, tied: Option<bool>) -> Result<Built, InputError> {
    match family {
        Family::Gpt2 => return gpt2(f, tied),
        Family::NemotronH => return nemotron_h(f, tied),
        Family::KimiLinear => return kimi_linear::build(f, tied),
        Family::MinimaxM3 => return minimax_m3::build(f, tied),
        _ => {}
    }
    if family == Family::DeepseekV4 {
        return deepseek_v4::build(f, tied);
    }
    let Sizes { hidden, layers: n_layers, vocab, tied } = sizes(f, tied, family.tie_default())?;
    if family == Family::Gemma4Text {
        gemma4_unmodelled(f)?;
    }
    let mut notes = Vec::new();
    let kinds = layer_kinds(family, f, n_layers as usize)?;
    let windows = windows(family, f, &kinds, &mut notes)?;
    let attentions = attention(family, f, hidden, &kinds)?;
    let ffns = ffn(family, f, n_layers as usize)?;
    let layers = (0..n_layers as usize)
        .map(|i| Layer { attention: attentions[i], window: windows[i], ffn: ffns[i] })
        .collect();
    // Every family but GPT-2 names it `max_position_embeddings` (read as written: a rope
    // scaling's factor is already in it for Llama 3.1, DeepSeek-V3, gpt-oss, and never applied).
    let context_window = f.whole("max_position_embeddings", 1, MAX_WINDOW)?;
    Ok(Built { hidden, vocab, tied, layers, context_window, notes })
}

/// The sizes every family but GPT-2 and Nemotron-H reads alike.
struct Sizes {
    hidden: u64,
    layers: u64,
    vocab: u64,
    /// Whether the LM head is the input embedding.
    tied: bool,
}

/// `hidden_size`, `num_hidden_layers` and `vocab_size` (all required), and the embeddings' tie:
/// `tied` when a wrapper decides it, else `tie_word_embeddings`, `tie_default` when absent.
fn sizes(f: &Fields, tied: Option<bool>, tie_default: bool) -> Result<Sizes, InputError> {
    Ok(Sizes {
        hidden: f.required("hidden_size", 1, MAX_HIDDEN)?,
        layers: f.required("num_hidden_layers", 1, MAX_LAYERS)?,
        vocab: f.required("vocab_size", 1, MAX_VOCAB)?,
        tied: match tied {
            Some(t) => t,
            None => f.flag("tie_word_embeddings", tie_default)?,
        },
    })
}

/// Routed experts and experts per token, from `experts` and `top_k` (key, and default or
/// `None` when required); more per token than experts is an error naming `top_k`.
fn routed(f: &Fields, experts: (&str, Option<u64>), top_k: (&str, Option<u64>)) -> Result<(u32, u32), InputError> {
    let read = |(key, default): (&str, Option<u64>)| match default {
        Some(d) => f.whole_or(key, d, 1, MAX_EXPERTS),
        None => f.required(key, 1, MAX_EXPERTS),
    };
    let (e, k) = (read(experts)?, read(top_k)?);
    if k > e {
        return Err(f.error(top_k.0, format!("{k} exceeds the {e} experts ({})", experts.0)));
    }
    Ok((e as u32, k as u32))
}

/// Gemma 4 features a spec cannot express: per-layer embeddings (PLE, the E2B/E4B models) and
/// layers that reuse another layer's KV cache.
fn gemma4_unmodelled(f: &Fields) -> Result<(), InputError> {
    if f.whole_or("hidden_size_per_layer_input", 256, 0, u64::MAX)? > 0 {
        return Err(f.error(
            "hidden_size_per_layer_input",
            "per-layer embeddings (Gemma 4 PLE; transformers' default is 256 when absent) are not modelled yet",
        ));
    }
    if f.whole_or("num_kv_shared_layers", 0, 0, u64::MAX)? > 0 {
        return Err(f.error(
            "num_kv_shared_layers",
            "KV sharing across layers is not modelled yet; the planner would overstate the cache",
        ));
    }
    Ok(())
}

/// Full, sliding or chunked, per layer: `layer_types` when given, else the family's pattern.
fn layer_kinds(family: Family, f: &Fields, n: usize) -> Result<Vec<LayerKind>, InputError> {
    if let Some(mut types) = f.texts("layer_types")? {
        if family == Family::Step3p7 {
            widths::drop_mtp_entries(f, &mut types, n)?;
        }
        if types.len() != n {
            return Err(
                f.error("layer_types", format!("has {} entries but num_hidden_layers is {n}", types.len()))
            );
        }
        let mut kinds = types
            .iter()
            .enumerate()
            .map(|(i, t)| match *t {
                "full_attention" => Ok(LayerKind::Full),
                "sliding_attention" => Ok(LayerKind::Sliding),
                "chunked_attention" if family == Family::Llama4Text => Ok(LayerKind::Chunked),
                // Every layer of a DeepSeek-sparse-attention model (NVIDIA's GLM-5.2 / 5.3 NVFP4
                // files list it): the whole context cached, the attention sparse through the
                // indexer of `index_topk` (`indexer`).
                "deepseek_sparse_attention" if family == Family::DeepseekV3 && f.has("index_topk") => Ok(LayerKind::Full),
                "linear_attention" if family.linear_attention() => Ok(LayerKind::Linear),
                other => Err(InputError::new(
                    format!("{}[{i}]", f.path("layer_types")),
                    format!("layer type {other:?} is not modelled for {family:?} models"),
                )),
            })
            .collect::<Result<Vec<_>, _>>()?;
        if family == Family::Gemma4Text {
            // Gemma4TextConfig forces the last layer to full attention.
            kinds[n - 1] = LayerKind::Full;
        }
        return Ok(kinds);
    }
    let every = |period: u64| -> Vec<LayerKind> {
        (0..n as u64)
            .map(|i| if (i + 1) % period != 0 { LayerKind::Sliding } else { LayerKind::Full })
            .collect()
    };
    Ok(match family {
        // One full layer in two (`GptOssConfig`, `Gemma2Config`: (i + 1) % 2).
        Family::GptOss | Family::Gemma2 => every(2),
        // Linear attention with a full layer every `full_attention_interval` (default 4).
        Family::Qwen35Text | Family::Qwen35MoeText => {
            let period = f.whole_or("full_attention_interval", 4, 1, MAX_LAYERS)?;
            (0..n as u64).map(|i| if (i + 1) % period != 0 { LayerKind::Linear } else { LayerKind::Full }).collect()
        }
        // Five sliding, one full (`Gemma3TextConfig` `sliding_window_pattern`, default 6).
        Family::Gemma3Text => every(f.whole_or("sliding_window_pattern", 6, 1, MAX_LAYERS)?),
        Family::Gemma4Text => {
            let mut kinds = every(6);
            kinds[n - 1] = LayerKind::Full;
            kinds
        }
        Family::Mistral => {
            // `MistralConfig`: absent means the default window of 4096, `null` means none.
            vec![if f.is_null("sliding_window") { LayerKind::Full } else { LayerKind::Sliding }; n]
        }
        Family::Mixtral => {
            vec![if f.has("sliding_window") { LayerKind::Sliding } else { LayerKind::Full }; n]
        }
        Family::Qwen2 | Family::Qwen3 | Family::Qwen3Moe | Family::Mimo => {
            // `Qwen2Config`: layers from `max_window_layers` on slide, when enabled.
            let enabled = f.flag("use_sliding_window", false)? && !f.is_null("sliding_window");
            let from = f.whole_or("max_window_layers", 28, 0, MAX_LAYERS)? as usize;
            (0..n).map(|i| if enabled && i >= from { LayerKind::Sliding } else { LayerKind::Full }).collect()
        }
        Family::Llama4Text => llama4_kinds(f, n)?,
        Family::MimoV2Flash => widths::mimo_kinds(f, n)?,
        _ => vec![LayerKind::Full; n],
    })
}

/// Llama 4: RoPE layers attend within chunks of `attention_chunk_size`; every
/// `no_rope_layer_interval`-th layer (default 4) is a global NoPE layer. In `no_rope_layers`, 1
/// means "uses RoPE" (`Llama4TextConfig`).
fn llama4_kinds(f: &Fields, n: usize) -> Result<Vec<LayerKind>, InputError> {
    let chunked = !f.is_null("attention_chunk_size");
    let rope = match f.wholes("no_rope_layers", 0, 1)? {
        Some(list) if !list.is_empty() => {
            if list.len() != n {
                return Err(f.error(
                    "no_rope_layers",
                    format!("has {} entries but num_hidden_layers is {n}", list.len()),
                ));
            }
            list.into_iter().map(|r| r == 1).collect()
        }
        _ => {
            let interval = f.whole_or("no_rope_layer_interval", 4, 1, MAX_LAYERS)? as usize;
            (0..n).map(|i| (i + 1) % interval != 0).collect::<Vec<_>>()
        }
    };
    Ok(rope.into_iter().map(|r| if r && chunked { LayerKind::Chunked } else { LayerKind::Full }).collect())
}

/// The window of each layer, from `sliding_window` / `attention_chunk_size`.
fn windows(
    family: Family,
    f: &Fields,
    kinds: &[LayerKind],
    notes: &mut Vec<String>,
) -> Result<Vec<Option<u64>>, InputError> {
    let sliding = if kinds.contains(&LayerKind::Sliding) {
        let default = match family {
            Family::GptOss => Some(128),
            Family::Mistral
            | Family::Gemma2
            | Family::Gemma3Text
            | Family::Qwen2
            | Family::Qwen3
            | Family::Qwen3Moe
            | Family::Mimo => Some(4096),
            Family::Gemma4Text => Some(512),
            Family::MimoV2Flash => Some(widths::MIMO_WINDOW),
            _ => None,
        };
        let written = match family {
            Family::MimoV2Flash => widths::mimo_window(f)?,
            _ => f.whole("sliding_window", 1, MAX_WINDOW)?,
        };
        match (written, default) {
            (Some(w), _) | (None, Some(w)) => Some(w),
            (None, None) => {
                return Err(f.error("sliding_window", "missing; layer_types has sliding_attention layers"))
            }
        }
    } else {
        None
    };
    let chunk = if kinds.contains(&LayerKind::Chunked) {
        let c = f.whole_or("attention_chunk_size", 8192, 1, MAX_WINDOW)?;
        notes.push(format!(
            "chunked attention on the RoPE layers modelled as a window of attention_chunk_size = {c} tokens: a chunk never holds more"
        ));
        Some(c)
    } else {
        None
    };
    Ok(kinds
        .iter()
        .map(|k| match k {
            LayerKind::Full | LayerKind::Linear => None,
            LayerKind::Sliding => sliding,
            LayerKind::Chunked => chunk,
        })
        .collect())
}

/// DeepSeek sparse attention's indexer (`index_topk` with its heads and head dim), when the
/// config has one (DeepSeek-V3.2, GLM-5).
fn indexer(f: &Fields) -> Result<Option<Indexer>, InputError> {
    let Some(topk) = f.whole("index_topk", 1, u32::MAX as u64)? else { return Ok(None) };
    Ok(Some(Indexer {
        heads: f.required("index_n_heads", 1, MAX_HEADS)? as u32,
        head_dim: f.required("index_head_dim", 1, MAX_HEAD_DIM)? as u32,
        topk,
        kind: IndexerKind::DeepSeek,
    }))
}

/// The attention block of each layer.
fn attention(
    family: Family,
    f: &Fields,
    hidden: u64,
    kinds: &[LayerKind],
) -> Result<Vec<Attention>, InputError> {
    let heads = f.required("num_attention_heads", 1, MAX_HEADS)?;
    if matches!(family, Family::DeepseekV2 | Family::DeepseekV3) {
        let mla = Attention::Mla(Mla {
            heads: heads as u32,
            q_lora_rank: f.whole("q_lora_rank", 1, MAX_LORA_RANK)?.map(|r| r as u32),
            kv_lora_rank: f.required("kv_lora_rank", 1, MAX_LORA_RANK)? as u32,
            qk_nope_head_dim: f.required("qk_nope_head_dim", 0, MAX_HEAD_DIM)? as u32,
            qk_rope_head_dim: f.required("qk_rope_head_dim", 1, MAX_HEAD_DIM)? as u32,
            v_head_dim: f.required("v_head_dim", 1, MAX_HEAD_DIM)? as u32,
            indexer: indexer(f)?,
            output_gate: false,
        });
        return Ok(vec![mla; kinds.len()]);
    }
    if matches!(family, Family::MimoV2Flash | Family::Step3p7) {
        return widths::attention(family == Family::Step3p7, f, heads, kinds);
    }
    let bias = family.attention_bias(f)?;
    let kv_heads =
        read_kv_heads(f, "num_key_value_heads", heads, family.kv_heads_default().unwrap_or(heads))?;
    let head_dim =
        match f.whole("head_dim", 1, MAX_HEAD_DIM)? {
            Some(d) => d,
            None => match family.head_dim_default() {
                Some(d) => d,
                None if hidden.is_multiple_of(heads) && hidden / heads <= MAX_HEAD_DIM => hidden / heads,
                None => return Err(f.error(
                    "head_dim",
                    format!(
                        "missing, and hidden_size {hidden} is not a multiple of num_attention_heads {heads}"
                    ),
                )),
            },
        };
    let gqa = |kv: u64, dim: u64, values_from_keys: bool| Attention::Gqa {
        heads: heads as u32,
        kv_heads: kv as u32,
        head_dim: dim as u32,
        bias,
        values_from_keys,
        indexer: None,
    };
    if family == Family::NemotronNas {
        return nas::attention(f, kinds.len(), heads, head_dim, bias);
    }
    if family.linear_attention() {
        let linear = Attention::Linear(linear_attention(f)?);
        return Ok(kinds.iter().map(|k| if *k == LayerKind::Linear { linear } else { gqa(kv_heads, head_dim, false) }).collect());
    }
    if family != Family::Gemma4Text {
        return Ok(vec![gqa(kv_heads, head_dim, false); kinds.len()]);
    }
    // Gemma 4 global layers: their own head size and, with `attention_k_eq_v`, their own KV
    // head count and no v_proj (`Gemma4TextConfig.per_layer_config`).
    let k_eq_v = f.flag("attention_k_eq_v", false)?;
    let global_dim = f.whole_or("global_head_dim", 512, 1, MAX_HEAD_DIM)?;
    let global_kv = match f.get("num_global_key_value_heads") {
        Some(_) if k_eq_v => read_kv_heads(f, "num_global_key_value_heads", heads, kv_heads)?,
        _ => kv_heads,
    };
    Ok(kinds
        .iter()
        .map(|k| match k {
            LayerKind::Full => gqa(global_kv, global_dim, k_eq_v),
            _ => gqa(kv_heads, head_dim, false),
        })
        .collect())
}

/// A Gated DeltaNet layer's shape (`linear_*` keys; the convolution 4 wide and the state in
/// float32 when absent, as SGLang's `mamba2_state_dtype` defaults).
fn linear_attention(f: &Fields) -> Result<LinearAttention, InputError> {
    let key_heads = f.required("linear_num_key_heads", 1, MAX_HEADS)?;
    let value_heads = f.required("linear_num_value_heads", 1, MAX_HEADS)?;
    if !value_heads.is_multiple_of(key_heads) {
        return Err(f.error(
            "linear_num_value_heads",
            format!("{value_heads} value heads are not a multiple of linear_num_key_heads {key_heads}"),
        ));
    }
    let state_element_bytes = state_dtype_bytes(f, "mamba_ssm_dtype")?;
    Ok(LinearAttention {
        key_heads: key_heads as u32,
        value_heads: value_heads as u32,
        key_dim: f.required("linear_key_head_dim", 1, MAX_HEAD_DIM)? as u32,
        value_dim: f.required("linear_value_head_dim", 1, MAX_HEAD_DIM)? as u32,
        conv_kernel: f.whole_or("linear_conv_kernel_dim", 4, 1, 64)? as u32,
        state_element_bytes,
        gates: LinearGates::GatedDeltaNet,
    })
}

/// Bytes per element of a recurrent state whose dtype `key` names: float32 when absent.
fn state_dtype_bytes(f: &Fields, key: &str) -> Result<u32, InputError> {
    match f.text(key)? {
        None | Some("float32") => Ok(4),
        Some("bfloat16" | "float16") => Ok(2),
        Some(other) => Err(f.error(key, format!("{other:?} is not float32, bfloat16 or float16"))),
    }
}

/// A KV-head count that divides the query heads.
fn read_kv_heads(f: &Fields, key: &str, heads: u64, default: u64) -> Result<u64, InputError> {
    let kv = f.whole_or(key, default.min(heads), 1, MAX_HEADS)?;
    if !heads.is_multiple_of(kv) {
        return Err(f.error(key, format!("{kv} KV heads do not divide num_attention_heads {heads}")));
    }
    Ok(kv)
}

/// The feed-forward block of each layer.
fn ffn(family: Family, f: &Fields, n: usize) -> Result<Vec<FeedForward>, InputError> {
    let dense = |key: &str, bias: bool| -> Result<FeedForward, InputError> {
        Ok(FeedForward::Dense(DenseFfn {
            intermediate: f.required(key, 1, MAX_INTERMEDIATE)?,
            gated: true,
            bias,
        }))
    };
    let moe = |experts_key: &str, top_k_key: &str, size_key: &str, shared: u64, bias: bool| {
        let experts = f.required(experts_key, 1, MAX_EXPERTS)?;
        let top_k = f.required(top_k_key, 1, MAX_EXPERTS)?;
        if top_k > experts {
            return Err(f.error(top_k_key, format!("{top_k} exceeds the {experts} experts ({experts_key})")));
        }
        Ok(FeedForward::Moe(MoeFfn {
            experts: experts as u32,
            experts_per_token: top_k as u32,
            expert_intermediate: f.required(size_key, 1, MAX_INTERMEDIATE)?,
            shared_intermediate: shared,
            bias,
            gated: true,
            latent: None,
        }))
    };
    match family {
        Family::Mixtral => {
            Ok(vec![moe("num_local_experts", "num_experts_per_tok", "intermediate_size", 0, false)?; n])
        }
        Family::MinimaxM2 => {
            if f.whole_or("shared_intermediate_size", 0, 0, MAX_INTERMEDIATE)? > 0 {
                return Err(f.error(
                    "shared_intermediate_size",
                    "MiniMax-M2 with shared experts is not modelled (transformers' MiniMaxM2 has none)",
                ));
            }
            Ok(vec![moe("num_local_experts", "num_experts_per_tok", "intermediate_size", 0, false)?; n])
        }
        Family::GptOss => {
            let top_k =
                if f.has("num_experts_per_tok") { "num_experts_per_tok" } else { "experts_per_token" };
            Ok(vec![moe("num_local_experts", top_k, "intermediate_size", 0, true)?; n])
        }
        Family::Qwen3Moe | Family::Qwen3VlMoeText | Family::Qwen35MoeText => {
            // `Qwen3MoeDecoderLayer`: sparse unless listed in `mlp_only_layers`, every
            // `decoder_sparse_step`-th layer. Qwen3.5 adds one shared expert of
            // `shared_expert_intermediate_size` (its one-output sigmoid gate left out).
            let only_mlp = f.wholes("mlp_only_layers", 0, MAX_LAYERS)?.unwrap_or_default();
            let step = f.whole_or("decoder_sparse_step", 1, 1, MAX_LAYERS)? as usize;
            let shared = if family == Family::Qwen35MoeText {
                f.required("shared_expert_intermediate_size", 1, MAX_INTERMEDIATE)?
            } else {
                0
            };
            let sparse = moe("num_experts", "num_experts_per_tok", "moe_intermediate_size", shared, false)?;
            (0..n)
                .map(|i| {
                    if !only_mlp.contains(&(i as u64)) && (i + 1) % step == 0 {
                        Ok(sparse)
                    } else {
                        dense("intermediate_size", false)
                    }
                })
                .collect()
        }
        Family::Llama4Text => {
            // Routed experts and the shared expert are `intermediate_size` wide; dense layers
            // `intermediate_size_mlp` (`Llama4TextDecoderLayer`).
            let shared = f.required("intermediate_size", 1, MAX_INTERMEDIATE)?;
            let sparse = moe("num_local_experts", "num_experts_per_tok", "intermediate_size", shared, false)?;
            let moe_layers = match f.wholes("moe_layers", 0, MAX_LAYERS)? {
                Some(list) => list,
                None => {
                    let step = f.whole_or("interleave_moe_layer_step", 1, 1, MAX_LAYERS)?;
                    (step - 1..n as u64).step_by(step as usize).collect()
                }
            };
            let dense_mlp = FeedForward::Dense(DenseFfn {
                intermediate: f.whole_or("intermediate_size_mlp", 16384, 1, MAX_INTERMEDIATE)?,
                gated: true,
                bias: false,
            });
            Ok((0..n as u64).map(|i| if moe_layers.contains(&i) { sparse } else { dense_mlp }).collect())
        }
        Family::DeepseekV2 | Family::DeepseekV3 => {
            // `DeepseekV3DecoderLayer`: MoE from `first_k_dense_replace` on, every
            // `moe_layer_freq`-th layer; shared experts are `n_shared_experts` ×
            // `moe_intermediate_size` wide.
            if !f.has("n_routed_experts") {
                return Ok(vec![dense("intermediate_size", false)?; n]);
            }
            let (k_default, shared_default) = if family == Family::DeepseekV3 { (3, 1) } else { (0, 2) };
            let first_dense = f.whole_or("first_k_dense_replace", k_default, 0, MAX_LAYERS)? as usize;
            let freq = f.whole_or("moe_layer_freq", 1, 1, MAX_LAYERS)? as usize;
            let n_shared = f.whole_or("n_shared_experts", shared_default, 0, MAX_SHARED_EXPERTS)?;
            let size = f.required("moe_intermediate_size", 1, MAX_INTERMEDIATE)?;
            let sparse = moe(
                "n_routed_experts",
                "num_experts_per_tok",
                "moe_intermediate_size",
                n_shared * size,
                false,
            )?;
            (0..n)
                .map(|i| {
                    if i >= first_dense && i % freq == 0 {
                        Ok(sparse)
                    } else {
                        dense("intermediate_size", false)
                    }
                })
                .collect()
        }
        Family::Gemma4Text if f.flag("enable_moe_block", false)? => {
            // Every layer runs its dense MLP and the experts side by side: the MLP is an
            // always-on shared expert (`Gemma4TextDecoderLayer`).
            let shared = f.required("intermediate_size", 1, MAX_INTERMEDIATE)?;
            Ok(vec![moe("num_experts", "top_k_experts", "moe_intermediate_size", shared, false)?; n])
        }
        Family::Llama => {
            let bias = f.flag("mlp_bias", false)?;
            Ok(vec![dense("intermediate_size", bias)?; n])
        }
        Family::MimoV2Flash | Family::Step3p7 => {
            let (sparse_layers, keys) = widths::moe_layers(family == Family::Step3p7, f, n)?;
            let shared = match keys.shared {
                Some(key) => f.required(key, 1, MAX_INTERMEDIATE)?,
                None => 0,
            };
            let sparse = moe(keys.experts, keys.top_k, "moe_intermediate_size", shared, false)?;
            sparse_layers.iter().map(|&s| if s { Ok(sparse) } else { dense("intermediate_size", false) }).collect()
        }
        Family::NemotronNas => nas::ffn(f, n, f.flag("mlp_bias", false)?),
        _ => Ok(vec![dense("intermediate_size", false)?; n]),
    }
}

/// GPT-2-style configs (`GPT2Config` keys: `n_embd`, `n_layer`, `n_head`, `n_inner`): dense
/// multi-head attention and a plain GELU MLP, biases everywhere, LayerNorms, a learned position
/// table, tied embeddings by default. The classic GPT-3 and 1T examples use this shape.
fn gpt2(f: &Fields, tied: Option<bool>) -> Result<Built, InputError> {
    let hidden = f.required("n_embd", 1, MAX_HIDDEN)?;
    let n_layers = f.required("n_layer", 1, MAX_LAYERS)?;
    let heads = f.required("n_head", 1, MAX_HEADS)?;
    let vocab = f.required("vocab_size", 1, MAX_VOCAB)?;
    if !hidden.is_multiple_of(heads) {
        return Err(f.error("n_head", format!("{heads} heads do not divide n_embd {hidden}")));
    }
    let inner = match f.whole("n_inner", 1, MAX_INTERMEDIATE)? {
        Some(i) => i,
        None if 4 * hidden <= MAX_INTERMEDIATE => 4 * hidden,
        None => return Err(f.error("n_inner", format!("missing, and 4 × n_embd exceeds {MAX_INTERMEDIATE}"))),
    };
    let tied = match tied {
        Some(t) => t,
        None => f.flag("tie_word_embeddings", true)?,
    };
    // `GPT2Config` maps `max_position_embeddings` to `n_positions`; absent, it states no window.
    let context_window = f.whole("n_positions", 1, MAX_WINDOW)?;
    let positions = context_window.unwrap_or(1024);
    let layer = Layer {
        attention: Attention::Gqa {
            heads: heads as u32,
            kv_heads: heads as u32,
            head_dim: (hidden / heads) as u32,
            bias: true,
            values_from_keys: false,
            indexer: None,
        },
        window: None,
        ffn: FeedForward::Dense(DenseFfn { intermediate: inner, gated: false, bias: true }),
    };
    let position_params = positions as f64 * hidden as f64;
    let notes = vec![format!(
        "learned position table (n_positions {positions} × n_embd {hidden} = {:.1}M parameters) not counted",
        position_params / 1e6
    )];
    Ok(Built { hidden, vocab, tied, layers: vec![layer; n_layers as usize], context_window, notes })
}

/// One Nemotron-H block kind (`NemotronHConfig._pattern_to_list`: `M` Mamba2, `*` attention,
/// `-` MLP, `E` MoE; `layers_block_type` names them `mamba`/`linear_attention`,
/// `attention`/`full_attention`, `mlp`, `moe`).
#[derive(Clone, Copy, PartialEq)]
enum Block {
    Mamba,
    Attention,
    Mlp,
    Moe,
}

/// Nemotron-H's blocks: `layers_block_type` when given, else `hybrid_override_pattern`, else
/// transformers' default (mamba, moe, attention, mlp); `num_hidden_layers` is ignored, as
/// transformers 5.24 `NemotronHConfig` ignores it.
fn nemotron_blocks(f: &Fields) -> Result<Vec<Block>, InputError> {
    let blocks = if let Some(list) = f.texts("layers_block_type")? {
        list.iter()
            .enumerate()
            .map(|(i, t)| match *t {
                "mamba" | "linear_attention" => Ok(Block::Mamba),
                "attention" | "full_attention" => Ok(Block::Attention),
                "mlp" => Ok(Block::Mlp),
                "moe" => Ok(Block::Moe),
                other => Err(InputError::new(
                    format!("{}[{i}]", f.path("layers_block_type")),
                    format!("block type {other:?} is not one of mamba, attention, mlp, moe"),
                )),
            })
            .collect::<Result<Vec<_>, _>>()?
    } else if let Some(pattern) = f.text("hybrid_override_pattern")? {
        pattern
            .chars()
            .map(|c| match c {
                'M' => Ok(Block::Mamba),
                '*' => Ok(Block::Attention),
                '-' => Ok(Block::Mlp),
                'E' => Ok(Block::Moe),
                other => Err(f.error(
                    "hybrid_override_pattern",
                    format!("character {other:?} is not M (Mamba2), * (attention), - (MLP) or E (MoE)"),
                )),
            })
            .collect::<Result<Vec<_>, _>>()?
    } else {
        vec![Block::Mamba, Block::Moe, Block::Attention, Block::Mlp]
    };
    let key = if f.has("layers_block_type") { "layers_block_type" } else { "hybrid_override_pattern" };
    if blocks.is_empty() || blocks.len() as u64 > MAX_LAYERS {
        return Err(f.error(key, format!("has {} layers; must have 1 to {MAX_LAYERS}", blocks.len())));
    }
    Ok(blocks)
}

/// A Nemotron-H Mamba2 mixer (`NemotronHMamba2Mixer`; transformers 5.24 defaults). The state's
/// dtype is `mamba_ssm_cache_dtype` (float32 when absent, transformers' default; SGLang 0.5.23
/// reads `mamba_ssm_dtype` instead and defaults to float32 too).
fn mamba2(f: &Fields) -> Result<Mamba2, InputError> {
    let heads = f.whole_or("mamba_num_heads", 128, 1, MAX_HEADS)?;
    let groups = f.whole_or("n_groups", 8, 1, MAX_HEADS)?;
    if !heads.is_multiple_of(groups) {
        return Err(f.error("n_groups", format!("{groups} groups do not divide mamba_num_heads {heads}")));
    }
    let state_element_bytes = state_dtype_bytes(f, "mamba_ssm_cache_dtype")?;
    Ok(Mamba2 {
        heads: heads as u32,
        head_dim: f.whole_or("mamba_head_dim", 64, 1, MAX_HEAD_DIM)? as u32,
        groups: groups as u32,
        state_size: f.whole_or("ssm_state_size", 128, 1, MAX_HEAD_DIM)? as u32,
        conv_kernel: f.whole_or("conv_kernel", 4, 1, 64)? as u32,
        conv_bias: f.flag("use_conv_bias", true)?,
        projection_bias: f.flag("use_bias", false)?,
        chunk_size: f.whole_or("chunk_size", 128, 1, MAX_INTERMEDIATE)? as u32,
        state_element_bytes,
    })
}

/// Nemotron-H (`NemotronHConfig`, `NemotronHBlock` of transformers 5.24): each layer is one
/// RMSNorm and one block. Attention has no biases and no window (`NemotronHAttention`); the MLP
/// and the experts are plain (`up_proj`, `down_proj`; squared ReLU), the MLP
/// `intermediate_size` wide with `mlp_bias`; the MoE has `n_routed_experts` experts of
/// `moe_intermediate_size`, `num_experts_per_tok` per token, one shared expert of
/// `moe_shared_expert_intermediate_size` (transformers builds one whatever `n_shared_experts`
/// says; SGLang 0.5.23 multiplies the width by it, the same at the 1 every file states) and,
/// with `moe_latent_size`, experts in that latent space behind two projections.
fn nemotron_h(f: &Fields, tied: Option<bool>) -> Result<Built, InputError> {
    let hidden = f.required("hidden_size", 1, MAX_HIDDEN)?;
    let vocab = f.required("vocab_size", 1, MAX_VOCAB)?;
    let tied = match tied {
        Some(t) => t,
        None => f.flag("tie_word_embeddings", false)?,
    };
    if f.flag("mlp_bias", false)? {
        return Err(f.error("mlp_bias", "biases on Nemotron-H's MLPs, shared experts and latent projections are not modelled yet"));
    }
    let blocks = nemotron_blocks(f)?;
    let has = |b: Block| blocks.contains(&b);
    let attention = if has(Block::Attention) {
        let heads = f.whole_or("num_attention_heads", 32, 1, MAX_HEADS)?;
        Attention::Gqa {
            heads: heads as u32,
            kv_heads: read_kv_heads(f, "num_key_value_heads", heads, Family::NemotronH.kv_heads_default().unwrap_or(heads))? as u32,
            head_dim: f.whole_or("head_dim", 128, 1, MAX_HEAD_DIM)? as u32,
            bias: false,
            values_from_keys: false,
            indexer: None,
        }
    } else {
        Attention::None
    };
    let mamba = if has(Block::Mamba) { Attention::Mamba2(mamba2(f)?) } else { Attention::None };
    let mlp = if has(Block::Mlp) {
        FeedForward::Dense(DenseFfn {
            intermediate: f.whole_or("intermediate_size", 21504, 1, MAX_INTERMEDIATE)?,
            gated: false,
            bias: false,
        })
    } else {
        FeedForward::None
    };
    let moe = if has(Block::Moe) {
        let (experts, top_k) = routed(f, ("n_routed_experts", Some(8)), ("num_experts_per_tok", Some(2)))?;
        FeedForward::Moe(MoeFfn {
            experts,
            experts_per_token: top_k,
            expert_intermediate: f.whole_or("moe_intermediate_size", 7688, 1, MAX_INTERMEDIATE)?,
            shared_intermediate: f.whole_or("moe_shared_expert_intermediate_size", 7688, 0, MAX_INTERMEDIATE)?,
            bias: false,
            gated: false,
            latent: f.whole("moe_latent_size", 1, MAX_HIDDEN)?,
        })
    } else {
        FeedForward::None
    };
    let layers = blocks
        .iter()
        .map(|b| match b {
            Block::Mamba => Layer { attention: mamba, window: None, ffn: FeedForward::None },
            Block::Attention => Layer { attention, window: None, ffn: FeedForward::None },
            Block::Mlp => Layer { attention: Attention::None, window: None, ffn: mlp },
            Block::Moe => Layer { attention: Attention::None, window: None, ffn: moe },
        })
        .collect();
    let context_window = f.whole("max_position_embeddings", 1, MAX_WINDOW)?;
    Ok(Built { hidden, vocab, tied, layers, context_window, notes: Vec::new() })
}
