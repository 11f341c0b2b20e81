//! Memory besides weights and KV cache: the activation peak of one step and the runtime's fixed
//! overhead (CUDA context, communication buffers, CUDA graphs).
//!
//! Design decision: the activation peak is derived from the tensors alive at once in a forward
//! step, because that is what the engines measure (vLLM's profile run pushes one batch of
//! `max_num_batched_tokens` tokens through the model and reads the PyTorch allocator's peak,
//! `vllm/v1/worker/gpu_worker.py` `determine_available_memory`); the fixed overheads are
//! constants fitted to measured engine start-ups (the runs named at each constant). The
//! activation formula is not yet fitted to a measured profile run: compare it with vLLM's log
//! line "torch peak memory increase" when one is available.

use crate::engine::EngineProfile;
use crate::layout::Layout;
use crate::model::{Attention, FeedForward, Layer, ModelSpec};
use crate::units::{Bytes, GIB};

use super::kv::kv_heads_per_gpu;

/// Bytes per activation element: bf16 / fp16. Engines keep the residual stream and GEMM
/// outputs in 16 bits whatever the weight precision (fp8 / fp4 GEMMs quantise their input on
/// the fly and write 16-bit outputs).
pub const ACTIVATION_BYTES: f64 = 2.0;

/// Bytes per vocabulary entry of one sampled request on the last stage: the LM head's 16-bit
/// logits, then float32 logits and float32 probabilities in the sampler (vLLM
/// `vllm/v1/sample/sampler.py` converts logits to float32 and computes probabilities for
/// top-p/top-k; the profile run samples `max_num_seqs` dummy requests).
pub const SAMPLER_BYTES_PER_LOGIT: f64 = 2.0 + 4.0 + 4.0;

/// Memory in use before the weights load on a single GPU (CUDA context, library handles,
/// allocator pools), at the catalog's memory figure: 1.60 GiB, the mean of two fits to SGLang
/// start-ups (`data/bench-results/sglang`, `server_info.max_total_num_tokens` with
/// `mem_fraction_static` 0.9, Qwen2.5-3B-Instruct TP 1): 1.40 GiB on A100 80GB (SGLang 0.5.6),
/// 1.81 GiB on GH200 96GB (0.5.5.post3). The two differ by about the memory the driver
/// reserves on GH200 (its catalog figure is the datasheet's 96 GiB). Test:
/// `budget::tests::sglang_pool_sizes_match_measured_runs`.
pub const RUNTIME_BASE: Bytes = Bytes(1.60 * GIB);

/// Communication buffers (NCCL, custom all-reduce) per 8 GPUs of the group a GPU talks to:
/// 1 GiB. SGLang's own reserve for "large parallel size" is `tp × pp / 8 × 1024` MiB
/// (`sglang/srt/arg_groups/memory_hook.py`, 0.5.23), and the fit to the one multi-GPU SGLang
/// start-up on record (Qwen3-8B, 8 × H100 TP 8, SGLang 0.5.9: 2.65 GiB in use before weights,
/// 1.05 GiB above `RUNTIME_BASE`) agrees.
pub const COMM_BUFFERS_PER_8_GPUS: Bytes = Bytes(GIB);

/// The most communication-buffer memory one GPU reserves: 2 GiB, SGLang's reserve at 16 GPUs.
/// The linear rule above was written for TP groups of a node or two; NCCL's ring and tree
/// buffers grow with the number of channels, not of peers (`NCCL_BUFFSIZE` 4 MiB per channel
/// and peer of the ring), and wide expert parallelism allocates fixed-size all-to-all buffers
/// (DeepEP `Buffer(num_nvl_bytes, num_rdma_bytes)`, about a GiB each in SGLang's defaults), so
/// a 1024-GPU expert group does not reserve 128 GiB.
pub const MAX_COMM_BUFFERS: Bytes = Bytes(2.0 * GIB);

/// CUDA-graph memory per unit of the largest captured decode batch: 2 MiB, SGLang's estimate
/// (`reserve_for_graph_mb`: `cuda_graph_max_bs × 2` MiB, `memory_hook.py` 0.5.23), used for vLLM
/// too (its 0.33.0 profiler measures graphs instead; no measurement is on record here).
pub const CUDA_GRAPH_BYTES_PER_BATCH: Bytes = Bytes(2.0 * 1_048_576.0);

/// Fixed memory of one GPU's serving process.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Overhead {
    /// In use before the weights load: CUDA context and library handles.
    pub context: Bytes,
    /// NCCL and all-reduce buffers of the groups this GPU belongs to.
    pub communication: Bytes,
    /// Captured CUDA graphs.
    pub cuda_graphs: Bytes,
}

impl Overhead {
    pub fn total(&self) -> Bytes {
        self.context + self.communication + self.cuda_graphs
    }
}

/// GPUs one GPU exchanges data with in a step: its tensor- and pipeline-parallel group, and
/// for MoE models the whole stage's expert group across data-parallel copies.
fn group_size(model: &ModelSpec, layout: &Layout) -> u32 {
    let stage = if model.is_moe() { layout.stage_gpus() } else { layout.tp };
    stage.saturating_mul(layout.pp)
}

/// The fixed overhead of one GPU for this model, layout and engine.
pub fn overhead(model: &ModelSpec, layout: &Layout, engine: &EngineProfile) -> Overhead {
    let group = group_size(model, layout);
    let communication = if group > 1 {
        (COMM_BUFFERS_PER_8_GPUS * (group as f64 / 8.0)).min(MAX_COMM_BUFFERS)
    } else {
        Bytes::ZERO
    };
    Overhead {
        context: RUNTIME_BASE,
        communication,
        cuda_graphs: CUDA_GRAPH_BYTES_PER_BATCH * engine.cuda_graph_batch(layout) as f64,
    }
}

/// Activation elements per token alive at the peak of one layer on one GPU: the residual
/// stream (or streams) and its normalised copy (2 × hidden) plus the larger of the attention
/// block's outputs (Q, K, V and the attention output; for MLA the up-projected Q, K/V, the
/// latent and an output gate; for Mamba2 the input projection's output and the scan's) and the
/// MLP's (gate/up output and the activated half: 3 × intermediate / tp, kept for plain MLPs as a
/// bound; for MoE the fused-MoE caches per routed copy, top-k × (3 × expert intermediate / ways
/// + its input: the hidden state or the latent), as in vLLM's `fused_moe` intermediate caches).
fn layer_elements_per_token(layer: &Layer, hidden: u64, layout: &Layout) -> f64 {
    let h = hidden as f64;
    let t = layout.tp.max(1) as f64;
    let attention = match layer.attention {
        Attention::Gqa { heads, kv_heads, head_dim, .. } => {
            let q = heads as f64 * head_dim as f64 / t;
            let kv = 2.0 * kv_heads_per_gpu(kv_heads, layout.tp) as f64 * head_dim as f64;
            2.0 * q + kv
        }
        Attention::Mla(m) => {
            let heads = m.heads as f64 / t;
            let q = heads * m.qk_head_dim() as f64;
            let kv = heads * (m.qk_nope_head_dim + m.v_head_dim) as f64;
            // The output gate's activations, as wide as the attention output.
            let gate = if m.output_gate { heads * m.v_head_dim as f64 } else { 0.0 };
            q + kv + m.latent_width() as f64 + heads * m.v_head_dim as f64 + gate
        }
        // The input projection's queries, keys, values and gate, and the output.
        Attention::Linear(l) => {
            (2.0 * l.keys() as f64 + 3.0 * l.values() as f64) / t
        }
        // Q, K, V, the gate and the attention output.
        Attention::GqaDims(g) => g.projection_width(g.heads as f64 / t, kv_heads_per_gpu(g.kv_heads, layout.tp) as f64),
        Attention::Mamba2(m) => m.in_proj_width_per_gpu(layout.tp) + m.intermediate() as f64 / t,
        Attention::None => 0.0,
        // The queries and the attention output (all heads' width), the one key-value head,
        // and the grouped output projection's output.
        Attention::Compressed(c) => {
            let heads = c.heads as f64 / t * c.head_dim as f64;
            2.0 * heads + c.head_dim as f64 + c.o_groups as f64 / t * c.o_lora_rank as f64
        }
    };
    let ffn = match layer.ffn {
        FeedForward::Dense(d) => 3.0 * d.intermediate as f64 / t,
        FeedForward::Moe(m) => {
            let ways = layout.expert_tp().max(1) as f64;
            let routed = m.experts_per_token as f64
                * (3.0 * m.expert_intermediate as f64 / ways + m.expert_input(hidden) as f64);
            routed + 3.0 * m.shared_intermediate as f64 / t
        }
        FeedForward::None => 0.0,
    };
    // The residual stream (DeepSeek-V4's hyper-connections keep `hc_mult` of them) and the
    // block's normalised input.
    (layer.attention.residual_streams() as f64 + 1.0) * h + attention.max(ffn)
}

/// Peak transient memory of one step of `tokens` tokens over `layers` on one GPU; on the last
/// stage add the sampler's logits for `requests` sampled requests (full vocabulary: the LM
/// head's vocab-parallel output is gathered before sampling).
pub fn activation_bytes(
    model: &ModelSpec,
    layers: &[Layer],
    layout: &Layout,
    last_stage: bool,
    tokens: u32,
    requests: u32,
) -> Bytes {
    activation_bytes_of(model, layers.iter(), layout, last_stage, tokens, requests)
}

/// `activation_bytes` over any run of layers: the peak is a maximum over them, so a caller may
/// pass each distinct layer once.
pub fn activation_bytes_of<'a>(
    model: &ModelSpec,
    layers: impl Iterator<Item = &'a Layer>,
    layout: &Layout,
    last_stage: bool,
    tokens: u32,
    requests: u32,
) -> Bytes {
    let per_token = layers.map(|l| layer_elements_per_token(l, model.hidden_size, layout)).fold(0.0, f64::max);
    let sampler = if last_stage {
        requests.min(tokens) as f64 * model.vocab_size as f64 * SAMPLER_BYTES_PER_LOGIT
    } else {
        0.0
    };
    Bytes(tokens as f64 * per_token * ACTIVATION_BYTES + sampler)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::*;

    #[test]
    fn llama_8b_activation_peak_at_8192_tokens() {
        // TP 1, 8192 tokens: per token 2 × 4096 + max(attention 2 × 4096 + 2 × 8 × 128 = 10240,
        // MLP 3 × 14336 = 43008) = 51200 elements × 2 bytes × 8192 = 838,860,800 bytes; the
        // sampler for 1024 requests: 1024 × 128256 × 10 = 1,313,341,440 bytes.
        let m = llama_3_1_8b();
        let layout = Layout::new(1, 1, 1, 1, 1).unwrap();
        let a = activation_bytes(&m, &m.layers, &layout, true, 8192, 1024);
        assert_eq!(a.value(), 838_860_800.0 + 1_313_341_440.0);
        let middle = activation_bytes(&m, &m.layers, &layout, false, 8192, 1024);
        assert_eq!(middle.value(), 838_860_800.0);
    }

    #[test]
    fn communication_buffers_only_for_groups() {
        let m = llama_3_1_70b();
        let p = crate::engine::profile(
            crate::engine::Engine::Trtllm,
            &crate::engine::tests::gpu("h100-sxm", 80.0),
            None,
        )
        .unwrap();
        let dp = overhead(&m, &Layout::new(1, 1, 8, 1, 8).unwrap(), &p);
        assert_eq!(dp.communication, Bytes::ZERO, "pure DP of a dense model talks to no one");
        let tp8 = overhead(&m, &Layout::new(8, 1, 1, 1, 8).unwrap(), &p);
        assert_eq!(tp8.communication, Bytes(GIB));
        let moe = overhead(&mixtral_8x7b(), &Layout::new(1, 1, 8, 8, 8).unwrap(), &p);
        assert_eq!(moe.communication, Bytes(GIB), "experts shared across DP copies");
    }
}
