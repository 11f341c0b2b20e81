//! Weight bytes on one GPU of each pipeline stage.
//!
//! Design decision: parameters are split the way the engines shard them (vLLM's linear layers;
//! SGLang and TensorRT-LLM shard the same tensors the same way), per layer, so a stage's share
//! is a sum over its layers plus the embeddings it owns:
//! - Mamba2 mixers: column-parallel `in_proj` and `conv1d`, row-parallel `out_proj`, the
//!   per-head vectors and the gated norm split by `tp` (SGLang 0.5.23
//!   `layers/attention/mamba/mamba.py`, `MambaMixer2`), the `B` and `C` groups whole on every
//!   GPU when `tp` does not divide them (`Mamba2::groups_per_gpu`).
//! - Latent-MoE projections (`fc1_latent_proj`, `fc2_latent_proj`): replicated, quantised
//!   (SGLang 0.5.23 `models/nemotron_h.py`, `ReplicatedLinear`).
//! - Attention: column-parallel Q, K, V and row-parallel O split by `tp`; with `tp > kv_heads`
//!   each GPU holds one replicated KV head's K and V projections (vLLM `QKVParallelLinear`).
//!   MLA's down-projections (`q_a_proj`, `kv_a_proj_with_mqa`) are replicated on every rank,
//!   its up-projections (`q_b_proj`, `kv_b_proj`) and `o_proj` split by `tp` (vLLM
//!   `DeepseekV2MLAAttention`); Kimi K3's MLA output gate is column-parallel (SGLang 0.5.23
//!   `models/kimi_k3.py`, `g_proj`). A DeepSeek sparse-attention indexer is whole on every
//!   rank; MiniMax-M3's block indexer splits its query heads up to one per rank and keeps its
//!   key (and value) projection whole (SGLang 0.5.23 `models/minimax_m3.py`, `index_qkv_proj`
//!   over `ReplicatedParallelGroup`). Norms and row-parallel output biases are replicated.
//!   DeepSeek-V4's query up-projection, grouped output and output projections split by `tp`,
//!   its query and key-value down-projections, compressors, indexer and hyper-connections are
//!   replicated (SGLang 0.5.23 `MqaAttentionBase`; `CompressedAttention::split_params`).
//! - Linear attention: split by heads, but Kimi Delta Attention's gate down-projections
//!   (`f_a_proj`, `g_a_proj`: `ReplicatedLinear`, SGLang 0.5.23 `models/kimi_k3.py`).
//! - Dense MLPs and shared experts: gate/up column-parallel, down row-parallel, split by `tp`.
//! - Routed experts of a stage: spread evenly over the stage's `tp × dp` GPUs (`ep` ranks of
//!   whole experts, each expert split `tp × dp / ep` ways; `FORMAT.md`). The router is
//!   replicated.
//! - Vocab-parallel input embedding on the first stage and LM head on the last, each split by
//!   `tp`; with `pp = 1` and tied embeddings one matrix serves both; with `pp > 1` the last
//!   stage holds its own copy of a tied head. The final norm sits on the last stage.
//! - A multimodal model's vision encoder and projector (`ModelSpec::vision_params`): on the
//!   first stage only, split by `tp`, in 16 bits. vLLM 0.33.0 builds a tower only on the first
//!   pipeline stage (`model_executor/models/interfaces.py` `_mark_tower_model`, under Model
//!   Runner V2, its default: `config/vllm.py` `use_v2_model_runner`) and splits its layers
//!   across the TP ranks (`config/multimodal.py`: `mm_encoder_tp_mode = "weights"`); SGLang
//!   0.5.23 splits them the same way unless `--mm-enable-dp-encoder` replicates them
//!   (`arg_groups/fields/mm.py`, off by default; `models/qwen3_vl.py`, `models/mllama4.py`:
//!   column- and row-parallel layers) and keeps Gemma 4's tower on the first stage
//!   (`models/gemma4_mm.py`: "they live on the first PP rank only"). Both build the tower
//!   unquantised (`quant_config=None` in vLLM's `mllama4.py` and SGLang's `qwen3_vl.py`), and
//!   NVIDIA's FP8/NVFP4 checkpoints leave it out of their quantisation (`ignore`: `model.visual*`,
//!   `vision_tower*`). Not modelled: SGLang builds Qwen3-VL's and Kimi K2.5's tower blocks on
//!   every pipeline stage (`models/qwen3_vl.py`: only `pos_embed` is first-stage only), and by
//!   default leaves Llama 4's tower out (`configs/model_config.py`: multimodal off for
//!   `Llama4ForConditionalGeneration` unless `--enable-multimodal`).
//!
//! Precision: the weight precision applies to the projection matrices (attention, MLPs,
//! experts). Embeddings, LM head, norms, routers and biases stay 16-bit, as quantised
//! checkpoints ship them: DeepSeek-V3's FP8 release and NVIDIA's FP8/NVFP4 checkpoints keep
//! `lm_head` and the embeddings in bf16; AWQ/GPTQ int4 keep them in fp16; gpt-oss' MXFP4
//! release lists `model.embed_tokens`, `lm_head` and `mlp.router` in `modules_to_not_convert`
//! (`data/model-configs/openai--gpt-oss-120b.json`). gpt-oss also keeps its attention
//! (`self_attn`) in bf16; that per-checkpoint exception is not modelled (at fp4 it understates
//! gpt-oss-120b's weights by about 1.4 GB in all).

use crate::layout::Layout;
use crate::model::{Attention, FeedForward, Layer, ModelSpec};
use crate::precision::WeightPrecision;
use crate::units::Bytes;
use std::ops::Range;

use super::kv::kv_heads_per_gpu;

/// Bytes per element of the tensors quantised checkpoints keep in 16 bits (bf16 / fp16).
pub const UNQUANTISED_BYTES: f64 = 2.0;

/// One GPU's weight bytes, split the way the page explains them.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct WeightBytes {
    /// Token mixers (attention, linear attention, Mamba2) with their biases, and the layers'
    /// norms.
    pub attention: Bytes,
    /// Dense MLPs, shared experts and latent-MoE projections.
    pub dense_ffn: Bytes,
    /// This GPU's share of the routed experts.
    pub experts: Bytes,
    /// Routers (replicated).
    pub routers: Bytes,
    /// Input embedding, LM head and final norm, where this stage holds them.
    pub embeddings: Bytes,
    /// This GPU's share of the vision encoder and projector (first stage only). Read once per
    /// image, not per step: the performance model leaves it out of a step's traffic.
    pub vision: Bytes,
}

impl WeightBytes {
    pub fn total(&self) -> Bytes {
        self.attention + self.dense_ffn + self.experts + self.routers + self.embeddings + self.vision
    }
}

/// Elements of one GPU's share, quantised (`matrices`) and 16-bit (`other`).
#[derive(Debug, Clone, Copy, Default)]
struct Elements {
    matrices: f64,
    other: f64,
}

impl Elements {
    fn bytes(self, precision: WeightPrecision) -> Bytes {
        Bytes(self.matrices * precision.bytes() + self.other * UNQUANTISED_BYTES)
    }
}

/// One GPU's share of a layer's mixer at tensor parallelism `tp`, and the layer's norms
/// (replicated).
fn attention_elements(layer: &Layer, hidden: u64, tp: u32) -> Elements {
    let h = hidden as f64;
    let t = tp.max(1) as f64;
    let norms = layer.norm_params(hidden) as f64;
    match layer.attention {
        Attention::Gqa { heads, kv_heads, head_dim, bias, values_from_keys, indexer } => {
            let q = heads as f64 * head_dim as f64 / t;
            let k = kv_heads_per_gpu(kv_heads, tp) as f64 * head_dim as f64;
            // Gemma 4's global layers reuse the keys as values: no v_proj.
            let kv = if values_from_keys { k } else { 2.0 * k };
            let biases = if bias { q + kv + h } else { 0.0 };
            // MiniMax-M3's block indexer: its query heads split, its key whole on every rank.
            let indexer = indexer.map_or(0.0, |i| i.params_per_gpu(hidden, hidden, tp));
            Elements { matrices: h * (q + kv) + q * h + indexer, other: biases + norms }
        }
        Attention::Mla(m) => {
            let heads = m.heads as f64 / t;
            let qk_head = m.qk_head_dim() as f64;
            let (q_replicated, q_split, q_norm) = match m.q_lora_rank {
                Some(r) => (h * r as f64, r as f64 * heads * qk_head, r as f64),
                None => (0.0, h * heads * qk_head, 0.0),
            };
            let kv_lora = m.kv_lora_rank as f64;
            let kv_a = h * m.latent_width() as f64;
            let kv_b = kv_lora * heads * (m.qk_nope_head_dim + m.v_head_dim) as f64;
            let o = heads * m.v_head_dim as f64 * h;
            // A DeepSeek sparse-attention indexer runs whole on every TP rank (one key head;
            // SGLang and vLLM replicate its projections), so each GPU holds all of it.
            let indexer = m.indexer_params_per_gpu(hidden, tp);
            // Kimi K3's output gate is column-parallel, split as the heads.
            let gate = m.output_gate_params(hidden) as f64 / t;
            Elements {
                matrices: q_replicated + q_split + kv_a + kv_b + o + indexer + gate,
                other: q_norm + kv_lora + norms,
            }
        }
        // The projections, the convolution and the per-head and per-channel vectors split
        // across the TP group by heads, but Kimi Delta Attention's gate down-projections
        // (replicated); the gated norm (one `value_dim` vector) and the layer norms whole.
        Attention::Linear(l) => {
            let conv_and_heads = l.params(hidden) - l.projection_params(hidden) - l.value_dim as u64;
            Elements {
                matrices: l.split_projection_params(hidden) as f64 / t + l.replicated_projection_params(hidden) as f64,
                other: conv_and_heads as f64 / t + l.value_dim as f64 + norms,
            }
        }
        // As `Gqa`, with the gate column-parallel by heads like Q (SGLang 0.5.23
        // `models/step3p5.py`: `g_proj` a `ColumnParallelLinear` over the heads).
        Attention::GqaDims(g) => Elements {
            matrices: h * g.projection_width(g.heads as f64 / t, kv_heads_per_gpu(g.kv_heads, tp) as f64),
            other: norms,
        },
        // Heads and channels split across the TP group, the `B` and `C` groups by
        // `groups_per_gpu` (whole when `tp` does not divide them): `in_proj` (`z`, `x`, `B`,
        // `C`, `dt`) and `out_proj` quantised; `conv1d` over `x`, `B`, `C`, `A_log`, `D`,
        // `dt_bias` and the gated norm in 16 bits.
        Attention::Mamba2(m) => {
            let (i, heads, in_width) = (m.intermediate() as f64 / t, m.heads as f64 / t, m.in_proj_width_per_gpu(tp));
            let biases = if m.projection_bias { in_width + h } else { 0.0 };
            let conv = m.conv_channels_per_gpu(tp) * (m.conv_kernel as f64 + if m.conv_bias { 1.0 } else { 0.0 });
            Elements { matrices: h * in_width + i * h, other: biases + conv + 3.0 * heads + i + norms }
        }
        Attention::None => Elements { matrices: 0.0, other: norms },
        Attention::Compressed(c) => Elements {
            matrices: c.split_params(hidden) as f64 / t + c.replicated_matrix_params(hidden) as f64,
            other: c.replicated_other_params(hidden) as f64 + norms,
        },
    }
}

/// One GPU's weight bytes for `layers` (one stage's), without embeddings.
pub fn layers_bytes(
    model: &ModelSpec,
    layers: &[Layer],
    layout: &Layout,
    precision: WeightPrecision,
) -> WeightBytes {
    let h = model.hidden_size as f64;
    let t = layout.tp.max(1) as f64;
    let stage_gpus = layout.stage_gpus().max(1) as f64;
    let mut out = WeightBytes::default();
    for layer in layers {
        out.attention += attention_elements(layer, model.hidden_size, layout.tp).bytes(precision);
        let (dense_width, gated, bias, moe) = match layer.ffn {
            FeedForward::Dense(d) => (d.intermediate, d.gated, d.bias, None),
            FeedForward::Moe(m) => (m.shared_intermediate, m.gated, false, Some(m)),
            FeedForward::None => (0, false, false, None),
        };
        let matrices = if gated { 3.0 } else { 2.0 };
        let width = dense_width as f64 / t;
        let dense = Elements {
            matrices: matrices * h * width,
            other: if bias { (matrices - 1.0) * width + h } else { 0.0 },
        };
        out.dense_ffn += dense.bytes(precision);
        if let Some(m) = moe {
            let latent = Elements { matrices: m.latent_params(model.hidden_size) as f64, other: 0.0 };
            out.dense_ffn += latent.bytes(precision);
            let biases = m.expert_biases(model.hidden_size);
            let per_expert = Elements {
                matrices: (m.expert_params(model.hidden_size) - biases) as f64,
                other: biases as f64,
            };
            let experts = m.experts as f64 / stage_gpus;
            out.experts += per_expert.bytes(precision) * experts;
            out.routers += Bytes(m.router_params(model.hidden_size) as f64 * UNQUANTISED_BYTES);
        }
    }
    out
}

/// One GPU's bytes of the embeddings stage `stage` of `pp` holds: the vocab-parallel input
/// embedding on the first, the LM head and final norm on the last.
pub fn embedding_bytes(model: &ModelSpec, stage: usize, pp: u32, tp: u32) -> Bytes {
    let table = model.vocab_size as f64 * model.hidden_size as f64 / tp.max(1) as f64;
    let first = stage == 0;
    let last = stage + 1 == pp.max(1) as usize;
    let mut elements = 0.0;
    if first {
        elements += table;
    }
    if last {
        // A tied head shares the input embedding only when both sit on the same GPU.
        if !(model.tied_embeddings && first) {
            elements += table;
        }
        elements += model.hidden_size as f64;
    }
    Bytes(elements * UNQUANTISED_BYTES)
}

/// One GPU's bytes of the vision tower on stage `stage`: its `tp`-th share on the first stage,
/// none elsewhere.
pub fn vision_bytes(model: &ModelSpec, stage: usize, tp: u32) -> Bytes {
    if stage == 0 {
        Bytes(model.vision_params as f64 / tp.max(1) as f64 * UNQUANTISED_BYTES)
    } else {
        Bytes::ZERO
    }
}

/// One GPU's weight bytes in each pipeline stage, first to last, for the given stage ranges.
pub fn per_stage(
    model: &ModelSpec,
    stages: &[Range<usize>],
    layout: &Layout,
    precision: WeightPrecision,
) -> Vec<WeightBytes> {
    stages
        .iter()
        .enumerate()
        .map(|(i, range)| {
            let layers = model.layers.get(range.clone()).unwrap_or(&[]);
            WeightBytes {
                embeddings: embedding_bytes(model, i, layout.pp, layout.tp),
                vision: vision_bytes(model, i, layout.tp),
                ..layers_bytes(model, layers, layout, precision)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::PpPartition;
    use crate::memory::stages::stage_layers;
    use crate::model::fixtures::*;

    fn max_per_gpu(model: &ModelSpec, layout: &Layout, precision: WeightPrecision) -> f64 {
        let stages = stage_layers(model, layout.pp, PpPartition::BeforeLast);
        per_stage(model, &stages, layout, precision)
            .iter()
            .map(|w| w.total().value())
            .fold(0.0, f64::max)
    }

    fn layout(tp: u32, pp: u32, dp: u32, ep: u32) -> Layout {
        Layout::new(tp, pp, dp, ep, tp * pp * dp).unwrap()
    }

    fn exact(actual: f64, expected: f64, what: &str) {
        assert!(
            actual == expected,
            "{what}: expected {expected}, actual {actual}, difference {}, tolerance 0",
            actual - expected
        );
    }

    #[test]
    fn tp_1_holds_every_parameter() {
        for m in [llama_3_1_70b(), deepseek_v3(), gpt_oss_120b(), mixtral_8x7b(), qwen2_5_3b()] {
            let bytes = max_per_gpu(&m, &layout(1, 1, 1, 1), WeightPrecision::Bf16);
            exact(bytes, m.total_params() as f64 * 2.0, &m.name);
        }
    }

    /// DeepSeek-V3 with DeepSeek-V3.2's indexer (64 heads of 128) on every layer: at TP 1 a GPU
    /// holds every parameter, the indexer's included; at TP 8 each GPU holds the whole indexer,
    /// 61 × 13,959,424 parameters (hand sum in `model::config::folder_tests`), × 2 bytes more
    /// than without it.
    #[test]
    fn a_sparse_attention_indexer_is_whole_on_every_tp_rank() {
        let plain = deepseek_v3();
        let mut sparse = deepseek_v3();
        for layer in &mut sparse.layers {
            if let Attention::Mla(m) = &mut layer.attention {
                m.indexer = Some(crate::model::Indexer { heads: 64, head_dim: 128, topk: 2048, kind: crate::model::IndexerKind::DeepSeek });
            }
        }
        exact(max_per_gpu(&sparse, &layout(1, 1, 1, 1), WeightPrecision::Bf16), sparse.total_params() as f64 * 2.0, "TP 1");
        let at_tp8 = |m: &ModelSpec| max_per_gpu(m, &layout(8, 1, 1, 1), WeightPrecision::Bf16);
        exact(at_tp8(&sparse) - at_tp8(&plain), 61.0 * 13_959_424.0 * 2.0, "the indexer at TP 8");
    }

    /// One GPU of TP 8, BF16, the mixers of one layer each, by hand:
    /// - a Kimi K3 KDA layer: the split projections (`fused_qkvg_proj` 352,321,536, `b_proj`
    ///   688,128, `f_b_proj` 1,572,864, `o_proj` 88,080,384: 442,662,912) / 8 = 55,332,864, and
    ///   `f_a_proj` whole, 917,504; the convolution and the decay's vectors (147,456 + 12,384) /
    ///   8 = 19,980, `o_norm` 128 and the two norms 14,336: 56,284,812 elements, 112,569,624 B;
    /// - a Kimi K3 MLA layer: `q_a_proj` 11,010,048 and `kv_a_proj_with_mqa` 4,128,768 whole,
    ///   `q_b_proj` 3,538,944, `kv_b_proj` 1,572,864, `o_proj` and `g_proj` 11,010,048 each (an
    ///   eighth), their norms 1,536 + 512 and the layer's 14,336: 42,287,104 elements, 84,574,208 B;
    /// - a MiniMax-M3 sparse layer: q and o 2 × 6,144 × 1,024 = 12,582,912, k and v of the one
    ///   KV head each GPU keeps 2 × 6,144 × 128 = 1,572,864, the indexer's one query head of the
    ///   4 and its key 2 × 6,144 × 128 = 1,572,864 (3,932,160 at TP 1), the norms 12,288:
    ///   15,740,928 elements, 31,481,856 B.
    #[test]
    fn kda_mla_gate_and_block_indexer_split_as_the_engine_shards_them() {
        let at_tp8 = |id: &str, layer: usize| {
            let m = crate::model::catalog::lookup(id).unwrap().spec;
            layers_bytes(&m, &m.layers[layer..=layer], &layout(8, 1, 1, 1), WeightPrecision::Bf16).attention.value()
        };
        for (what, actual, expected) in [
            ("Kimi K3 KDA layer", at_tp8("kimi-k3", 1), 112_569_624.0),
            ("Kimi K3 MLA layer", at_tp8("kimi-k3", 3), 84_574_208.0),
            ("MiniMax-M3 sparse layer", at_tp8("minimax-m3", 3), 31_481_856.0),
        ] {
            println!("{what} at TP 8: expected {expected} B, actual {actual} B, tolerance 0");
            exact(actual, expected, what);
        }
    }

    #[test]
    fn llama_70b_bf16_at_tp_4_and_8() {
        // Per layer at TP t (hidden 8192, 64 heads × 128, 8 KV heads, intermediate 28672):
        //   Q + O: 2 × 8192 × 8192 / t = 134,217,728 / t
        //   K + V: 2 × 8192 × 1024 / t =  16,777,216 / t  (t ≤ 8: 8 / t KV heads each)
        //   MLP:   3 × 8192 × 28672 / t = 704,643,072 / t
        //   norms: 2 × 8192 = 16,384, replicated
        // 80 layers: 68,451,041,280 / t + 1,310,720.
        // Embedding and LM head (untied, pp = 1): 2 × 128256 × 8192 / t = 2,101,346,304 / t;
        // final norm 8192. Total: 70,552,387,584 / t + 1,318,912 parameters, × 2 bytes.
        let m = llama_3_1_70b();
        let tp4 = (70_552_387_584.0 / 4.0 + 1_318_912.0) * 2.0; // 35,278,831,616 B = 32.86 GiB
        let tp8 = (70_552_387_584.0 / 8.0 + 1_318_912.0) * 2.0; // 17,640,734,720 B = 16.43 GiB
        exact(max_per_gpu(&m, &layout(4, 1, 1, 1), WeightPrecision::Bf16), tp4, "TP 4");
        exact(max_per_gpu(&m, &layout(8, 1, 1, 1), WeightPrecision::Bf16), tp8, "TP 8");
        exact(tp4, 35_278_831_616.0, "hand sum TP 4");
        exact(tp8, 17_640_734_720.0, "hand sum TP 8");
    }

    #[test]
    fn fp8_quantises_matrices_but_not_embeddings() {
        // Llama 3.1 70B FP8 at TP 8: 68,451,041,280 / 8 matrix weights at 1 byte, the rest
        // (2,101,346,304 / 8 embedding + head, 1,318,912 norms) at 2 bytes.
        let m = llama_3_1_70b();
        let expected = 68_451_041_280.0 / 8.0 + (2_101_346_304.0 / 8.0 + 1_318_912.0) * 2.0;
        exact(max_per_gpu(&m, &layout(8, 1, 1, 1), WeightPrecision::Fp8), expected, "FP8 TP 8");
    }

    #[test]
    fn pipeline_stages_own_embedding_and_head() {
        let m = llama_3_1_70b();
        let stages = stage_layers(&m, 2, PpPartition::BeforeLast);
        let w = per_stage(&m, &stages, &layout(1, 2, 1, 1), WeightPrecision::Bf16);
        let table = 128_256.0 * 8192.0 * 2.0;
        exact(w[0].embeddings.value(), table, "first stage: input embedding");
        exact(w[1].embeddings.value(), table + 8192.0 * 2.0, "last stage: head + final norm");
        // Tied embeddings: one table with pp = 1, a copy on each end with pp = 2.
        let tied = qwen2_5_3b();
        let table = 151_936.0 * 2048.0 * 2.0;
        exact(embedding_bytes(&tied, 0, 1, 1).value(), table + 2048.0 * 2.0, "tied, pp 1");
        exact(embedding_bytes(&tied, 0, 2, 1).value(), table, "tied, pp 2, first");
        exact(embedding_bytes(&tied, 1, 2, 1).value(), table + 2048.0 * 2.0, "tied, pp 2, last");
    }

    /// A vision tower (Qwen3-VL-8B's 576,388,336 parameters, `model::config::folder_tests`)
    /// sits on the first stage only, split by TP, in 16 bits whatever the weights' precision.
    #[test]
    fn the_vision_tower_is_on_the_first_stage_split_by_tp() {
        let mut m = llama_3_1_70b();
        m.vision_params = 576_388_336;
        let stages = stage_layers(&m, 2, PpPartition::BeforeLast);
        let w = per_stage(&m, &stages, &layout(4, 2, 1, 1), WeightPrecision::Fp8);
        exact(w[0].vision.value(), 576_388_336.0 / 4.0 * 2.0, "first stage, TP 4");
        exact(w[1].vision.value(), 0.0, "last stage");
        let text = per_stage(&llama_3_1_70b(), &stages, &layout(4, 2, 1, 1), WeightPrecision::Fp8);
        exact(w[0].total().value() - text[0].total().value(), w[0].vision.value(), "only the tower differs");
        exact(max_per_gpu(&m, &layout(1, 1, 1, 1), WeightPrecision::Bf16), m.total_params() as f64 * 2.0, "TP 1 holds it all");
    }

    #[test]
    fn experts_spread_over_the_stage_whatever_ep() {
        // Mixtral 8x7B, TP 2 × DP 4: 8 GPUs per stage share the 8 experts of each layer,
        // whether as 8 EP ranks of whole experts or 1 rank splitting each expert 8 ways.
        let m = mixtral_8x7b();
        let stages = stage_layers(&m, 1, PpPartition::BeforeLast);
        let ep1 = per_stage(&m, &stages, &layout(2, 1, 4, 1), WeightPrecision::Bf16)[0];
        let ep8 = per_stage(&m, &stages, &layout(2, 1, 4, 8), WeightPrecision::Bf16)[0];
        assert_eq!(ep1, ep8);
        // One expert: 3 × 4096 × 14336; 32 layers × 8 experts / 8 GPUs.
        exact(ep1.experts.value(), 3.0 * 4096.0 * 14336.0 * 32.0 * 2.0, "experts per GPU");
    }

    #[test]
    fn mla_replicates_down_projections() {
        // DeepSeek-V3 at TP 128 keeps q_a_proj (7168 × 1536) and kv_a_proj (7168 × 576) whole
        // on every GPU: per layer at least 7168 × 2112 elements.
        let m = deepseek_v3();
        let w = layers_bytes(&m, &m.layers[..1], &layout(128, 1, 1, 1), WeightPrecision::Bf16);
        assert!(w.attention.value() > 7168.0 * 2112.0 * 2.0, "{:?}", w.attention);
        let one = layers_bytes(&m, &m.layers[..1], &layout(1, 1, 1, 1), WeightPrecision::Bf16);
        let layer = m.layers[0];
        exact(one.attention.value(), (layer.attention.params(7168) + layer.norm_params(7168)) as f64 * 2.0, "TP 1");
    }
}
