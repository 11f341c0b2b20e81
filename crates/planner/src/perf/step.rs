//! The time of one engine step on the heaviest pipeline stage, for a batch of decode and
//! prefill tokens, split into compute, memory, communication and fixed overhead.
//!
//! Design decision: `StageCost::new` folds everything that depends only on the layout (bytes,
//! flops per token, collective costs, efficiencies, peaks) into a few seconds-per-unit
//! coefficients once; `StageCost::step` is then ~40 floating-point operations, one `exp`, no
//! loop and no allocation, so the search can evaluate hundreds of layouts × a concurrency
//! bisection in well under a millisecond.
//!
//! The step is the sum of four rooflines, one per kind of kernel, plus the replicated
//! activation traffic, communication and overhead:
//!
//! ```text
//! total = max(linear flops / (peak·gemm_eff),  dense weight bytes / (bw·hbm_eff))
//!       + max(expert flops / (peak·gemm_eff·moe_eff), touched expert bytes / (bw·hbm_eff·moe_eff))
//!       + max(decode attention flops / (bf16·attn_eff), KV bytes read / (bw·hbm_eff))
//!       + max(prefill attention flops / (bf16·attn_eff), KV bytes written / (bw·hbm_eff))
//!       + tokens · replicated activation bytes / (bw·hbm_eff)
//!       + communication + step_overhead + layers·layer_overhead + sequences·sequence_overhead
//! ```
//!
//! The linear layers, the expert GEMMs and the two attention kernels are separate kernels run
//! one after the other, so their times add; one `max` over the whole step would let the KV read
//! of decode attention hide behind the GEMMs' compute, which no kernel does. (With one kind of
//! kernel dominating, this is `DESIGN.md`'s single `max(flops/peak, bytes/bw)`.)
//!
//! Communication does NOT overlap compute: a TP all-reduce's output is the next layer's input,
//! and TensorRT-LLM 0.17, vLLM and SGLang run it on the critical path by default (GEMM–
//! collective overlap, e.g. TensorRT-LLM's UserBuffers or SGLang's two-batch overlap for EP, is
//! opt-in). The element-wise kernels' activation traffic that TP does not split (residual
//! stream, norms, all-reduce buffers, MoE permutation: `replicated_elements`) is its own
//! memory-bound term: every rank pays it in full, so it is what makes per-GPU throughput fall
//! with TP at large batches, which the TensorRT-LLM calibration rows show (a version that
//! folded it into `gemm_efficiency` divided it by TP and over-predicted TP 8 by ~30 %). The
//! split element-wise work (SwiGLU, rotary, quantisation of GEMM inputs) stays folded into the
//! efficiencies.

use super::super::gpu::Cluster;
use super::super::layout::Layout;
use super::super::precision::WeightPrecision;
use super::super::units::Seconds;
use super::comm::{self, CommCost};
use super::load::{StageCompute, StageLoad};
use super::params::PerfParams;
use serde::{Deserialize, Serialize};

/// Bytes per activation element moved by collectives: bf16. Engines keep activations between
/// layers in the model dtype and all-reduce them there, also with FP8 weights (TensorRT-LLM's
/// `AllReduce` plugin runs in the network dtype; vLLM `tensor_model_parallel_all_reduce`).
pub const ACTIVATION_BYTES: f64 = 2.0;

/// Activation vectors (of the model width, `ACTIVATION_BYTES` each) that every
/// tensor-parallel rank reads or writes per token and decoder layer outside its GEMMs and
/// attention: the residual stream and the norms around attention and MLP are not split by
/// TP (Megatron-LM's layout, Shoeybi et al. 2019, §3; every engine's Llama/Mistral/Mixtral
/// block): two residual adds (read 2, write 1 each) and two RMSNorms (read 1, write 1 each).
/// GEMM inputs and outputs are not counted: they stream inside the GEMM kernels, which are
/// compute-bound at serving batch sizes.
pub const REPLICATED_VECTORS_PER_LAYER: f64 = 10.0;

/// With TP > 1, the two all-reduces of a layer also read their input and write their output
/// in HBM (2 × (1 + 1)), beside the link traffic `comm` prices.
pub const ALL_REDUCE_VECTORS_PER_LAYER: f64 = 4.0;

/// Replicated activation vectors per token of one stage (see the two constants above), plus,
/// per MoE layer, the routing permutation on every rank (TensorRT-LLM's MoE plugin, vLLM's
/// `fused_moe`): gather the token into its `k` expert slots (read 1, write k) and scatter-add
/// the `k` results back (read k, write 1), `2 + 2k`.
pub fn replicated_elements(c: &StageCompute, tp: u32) -> f64 {
    let per_layer = REPLICATED_VECTORS_PER_LAYER + if tp > 1 { ALL_REDUCE_VECTORS_PER_LAYER } else { 0.0 };
    c.layers as f64 * per_layer + c.moe_layers as f64 * (2.0 + 2.0 * c.experts_per_token as f64)
}

/// What limits a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Bound {
    Compute,
    Memory,
    Communication,
}

impl Bound {
    /// The plan's `bound` string.
    pub fn id(self) -> &'static str {
        match self {
            Bound::Compute => "compute",
            Bound::Memory => "memory",
            Bound::Communication => "communication",
        }
    }
}

/// One engine step on one GPU of the heaviest stage, by part.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepTime {
    /// Time all the step's flops would take at the efficiencies' rates.
    pub compute: Seconds,
    /// Time all the step's HBM traffic (weights read, KV read and written) would take.
    pub memory: Seconds,
    /// Collectives (TP all-reduce, EP all-to-all, PP send), not overlapped; the all-reduces
    /// under the faster of NCCL's bulk and low-latency protocols for the step's message.
    pub communication: Seconds,
    /// Per-step, per-layer and per-sequence cost.
    pub overhead: Seconds,
    /// The step: the per-kernel-kind rooflines (see the module doc) + communication +
    /// overhead. `max(compute, memory) + communication + overhead ≤ total ≤ compute + memory
    /// + communication + overhead`.
    pub total: Seconds,
    /// The part that accounts for the most time: compute or memory (summed over the kernel
    /// kinds they bind), or communication.
    pub bound: Bound,
}

/// The tokens of one step (one micro-batch) on one attention group. Counts may be fractional:
/// the serving model works with means.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Batch {
    /// Sequences decoding one token each.
    pub decode_tokens: f64,
    /// Mean context (tokens already cached) of the decoding sequences.
    pub decode_context: f64,
    /// Prompt tokens prefilled in this step.
    pub prefill_tokens: f64,
    /// Mean number of keys each prefilled token attends to: the tokens before it in its
    /// request plus itself. For whole prompts of `n` tokens, however chunked, `(n + 1)/2`; for
    /// one chunk of `c` tokens after `a` cached ones, `a + (c + 1)/2`. Windowed layers use
    /// `min(mean, window)` here and for decode: exact when every context is on one side of the
    /// window, an overestimate of at most the window's share otherwise.
    pub prefill_context: f64,
}

impl Batch {
    /// `n` sequences decoding at mean context `context`.
    pub fn decode(n: f64, context: f64) -> Batch {
        Batch { decode_tokens: n, decode_context: context, ..Batch::default() }
    }

    /// `tokens` prompt tokens of prompts `prompt` tokens long, prefilled in whole.
    pub fn prefill(tokens: f64, prompt: f64) -> Batch {
        Batch { prefill_tokens: tokens, prefill_context: (prompt + 1.0) / 2.0, ..Batch::default() }
    }
}

/// A layout's heaviest stage, folded into per-unit costs (seconds per token, per pair, per
/// step). Build once per layout with `StageCost::new`; evaluate with `step`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StageCost {
    /// Pipeline stages of the layout (a token's latency crosses all of them).
    pub pp: u32,
    /// Attention groups (DP replicas) of the layout; each runs its own batch.
    pub dp: u32,
    /// Decoder layers of the heaviest stage.
    pub layers: u32,
    // Linear layers: seconds of compute per token, per sampled token, and of weight reading.
    linear_per_token: f64,
    lm_head_per_token: f64,
    dense_weights: f64,
    // Experts: seconds of compute per token routed, of reading all held experts, ln(1 − k/E).
    expert_per_token: f64,
    expert_weights: f64,
    ln_untouched: f64,
    expert_units: f64,
    // Attention: seconds per (query, key) pair and per cached token read, full / windowed.
    decode_pair_full: f64,
    decode_pair_windowed: f64,
    prefill_pair_full: f64,
    prefill_pair_windowed: f64,
    kv_full: f64,
    kv_windowed: f64,
    window: f64,
    // Communication: seconds per step and per token of the attention group.
    comm_fixed: f64,
    comm_per_token: f64,
    comm_fixed_ll: f64,
    comm_per_token_ll: f64,
    overhead: f64,
    sequence_overhead: f64,
    // Replicated activation traffic: seconds per token of the attention group.
    replicated_per_token: f64,
    // Linear-attention state read and written per sequence in the step: seconds.
    state_per_sequence: f64,
}

impl StageCost {
    /// Fold a stage's load into costs for `cluster`'s GPU, the weights' compute rate
    /// (`GpuSpec::peak`, bf16 when the GPU lacks the rate) and `params`. Attention runs at the
    /// bf16 rate (FP8 attention kernels exist but are not the engines' default).
    pub fn new(
        load: &StageLoad,
        layout: &Layout,
        cluster: &Cluster,
        weights: WeightPrecision,
        params: &PerfParams,
    ) -> StageCost {
        let gpu = &cluster.gpu;
        let c = &load.compute;
        let gemm = gpu.peak(weights.compute_rate()).0.value() * params.gemm_efficiency;
        let attention = gpu.bf16.value() * params.attention_efficiency;
        let hbm = gpu.hbm_bandwidth.value() * params.hbm_efficiency;
        let nonneg = |x: f64| if x.is_finite() { x.max(0.0) } else { 0.0 };

        let untouched = if c.experts > 0 {
            1.0 - (c.experts_per_token as f64 / c.experts as f64).min(1.0)
        } else {
            1.0
        };
        let share = if c.experts > 0 { c.experts_per_token as f64 / c.experts as f64 } else { 0.0 };

        // Collectives, per step: 2 all-reduces per layer over TP (after attention and after
        // the MLP / MoE); per MoE layer, when experts are shared across attention groups, a
        // dispatch and a combine, each TP rank moving 1/tp of the group's tokens; one PP send
        // of the stage's output (1/tp of it per TP rank, vLLM's `send_tensor_dict`).
        let token_bytes = c.hidden_size as f64 * ACTIVATION_BYTES;
        let tp = layout.tp.max(1);
        let ar = comm::all_reduce(cluster, params, tp);
        let ar_count = if tp > 1 { 2.0 * c.layers as f64 } else { 0.0 };
        let a2a = if c.dispatch_destinations > 0.0 {
            comm::all_to_all(cluster, params, layout.stage_gpus())
        } else {
            CommCost::NONE
        };
        let a2a_count = if c.dispatch_destinations > 0.0 { 2.0 * c.moe_layers as f64 } else { 0.0 };
        let span = layout.tp * c.expert_group_units.max(1) * layout.pp;
        let p2p = if layout.pp > 1 { comm::point_to_point(cluster, params, span) } else { CommCost::NONE };
        let comm_fixed = ar_count * ar.latency.value()
            + a2a_count * a2a.latency.value()
            + p2p.latency.value();
        let comm_per_token = ar_count * ar.seconds_per_byte * token_bytes
            + a2a_count * a2a.seconds_per_byte * token_bytes * c.dispatch_destinations / tp as f64
            + p2p.seconds_per_byte * token_bytes / tp as f64;
        // The same step with the all-reduces under NCCL's low-latency protocol; each step
        // takes whichever is faster, as NCCL picks the protocol by message size.
        let ll = comm::all_reduce_low_latency(cluster, params, tp);
        let comm_fixed_ll = comm_fixed + ar_count * (ll.latency.value() - ar.latency.value());
        let comm_per_token_ll = comm_per_token + ar_count * (ll.seconds_per_byte - ar.seconds_per_byte) * token_bytes;

        StageCost {
            pp: layout.pp.max(1),
            dp: layout.dp.max(1),
            layers: c.layers,
            linear_per_token: 2.0 * nonneg(c.matmul_params) / gemm,
            lm_head_per_token: 2.0 * nonneg(c.lm_head_params) / gemm,
            dense_weights: nonneg(load.dense_weight_bytes.value()) / hbm,
            expert_per_token: 2.0 * share * nonneg(c.expert_params) / (gemm * params.moe_efficiency),
            expert_weights: nonneg(load.expert_weight_bytes.value()) / (hbm * params.moe_efficiency),
            ln_untouched: untouched.ln(),
            expert_units: c.expert_group_units.max(1) as f64,
            decode_pair_full: nonneg(c.attention_decode_flops_full) / attention,
            decode_pair_windowed: nonneg(c.attention_decode_flops_windowed) / attention,
            prefill_pair_full: nonneg(c.attention_prefill_flops_full) / attention,
            prefill_pair_windowed: nonneg(c.attention_prefill_flops_windowed) / attention,
            kv_full: nonneg(load.kv_bytes_per_token_full.value()) / hbm,
            kv_windowed: nonneg(load.kv_bytes_per_token_windowed.value()) / hbm,
            window: c.window.map_or(f64::INFINITY, |w| w as f64),
            comm_fixed,
            comm_per_token,
            comm_fixed_ll,
            comm_per_token_ll,
            overhead: params.step_overhead.value() + c.layers as f64 * params.layer_overhead.value(),
            sequence_overhead: params.sequence_overhead.value(),
            replicated_per_token: replicated_elements(c, tp) * token_bytes / hbm,
            state_per_sequence: 2.0 * nonneg(c.state_bytes_per_sequence) / hbm,
        }
    }

    /// Expected fraction of a GPU's routed experts that `tokens` routed tokens touch, each
    /// choosing `k` of `E` experts: `1 − (1 − k/E)^tokens` (uniform, independent routing).
    pub fn experts_touched(&self, tokens: f64) -> f64 {
        if tokens <= 0.0 {
            0.0
        } else {
            1.0 - (tokens * self.ln_untouched).exp()
        }
    }

    /// One step of the heaviest stage for `batch` on each attention group. Negative or
    /// non-finite counts are treated as zero.
    pub fn step(&self, batch: &Batch) -> StepTime {
        let clean = |x: f64| if x > 0.0 && x.is_finite() { x } else { 0.0 };
        let d = clean(batch.decode_tokens);
        let ctx = clean(batch.decode_context);
        let p = clean(batch.prefill_tokens);
        let pctx = clean(batch.prefill_context);
        let tokens = d + p;
        let routed = tokens * self.expert_units;

        let linear_c = tokens * self.linear_per_token + d * self.lm_head_per_token;
        let linear_m = self.dense_weights;
        let expert_c = routed * self.expert_per_token;
        let expert_m = self.experts_touched(routed) * self.expert_weights;
        let ctx_w = ctx.min(self.window);
        let decode_c = d * (ctx * self.decode_pair_full + ctx_w * self.decode_pair_windowed);
        let decode_m = d * (ctx * self.kv_full + ctx_w * self.kv_windowed);
        let pctx_w = pctx.min(self.window);
        let prefill_c = p * (pctx * self.prefill_pair_full + pctx_w * self.prefill_pair_windowed);
        let prefill_m = p * (self.kv_full + self.kv_windowed);

        // Each sequence of the step reads and writes its linear-attention state once: the
        // decoding ones, and the prompts of the prefill tokens (whole prompts of
        // `2·context − 1` tokens).
        let sequences = d + p / (2.0 * pctx - 1.0).max(1.0);
        let replicated = tokens * self.replicated_per_token + sequences * self.state_per_sequence;
        let mut compute_bound = 0.0;
        let mut memory_bound = replicated;
        for (c, m) in [(linear_c, linear_m), (expert_c, expert_m), (decode_c, decode_m), (prefill_c, prefill_m)] {
            if c >= m {
                compute_bound += c;
            } else {
                memory_bound += m;
            }
        }
        let communication =
            (self.comm_fixed + tokens * self.comm_per_token).min(self.comm_fixed_ll + tokens * self.comm_per_token_ll);
        let overhead = self.overhead + d * self.sequence_overhead;
        let bound = if communication > compute_bound && communication > memory_bound {
            Bound::Communication
        } else if compute_bound >= memory_bound {
            Bound::Compute
        } else {
            Bound::Memory
        };
        StepTime {
            compute: Seconds(linear_c + expert_c + decode_c + prefill_c),
            memory: Seconds(linear_m + expert_m + decode_m + prefill_m + replicated),
            communication: Seconds(communication),
            overhead: Seconds(overhead),
            total: Seconds(compute_bound + memory_bound + communication + overhead),
            bound,
        }
    }

    /// Prefill of one request of `prompt` tokens alone, on every stage, in chunks of at most
    /// `chunk` tokens (the engine's token cap): `chunks × pp × step(chunk)`, each chunk's
    /// step taken at the mean chunk size and the prompt's mean context `(prompt + 1)/2` (exact
    /// for the attention flops summed over the chunks). Chunks of one request run one after
    /// the other through the pipeline (an engine schedules a request in one micro-batch).
    /// Returns the time and the step of one chunk on the heaviest stage.
    pub fn prefill(&self, prompt: f64, chunk: f64) -> (Seconds, StepTime) {
        let prompt = prompt.max(1.0);
        let chunks = (prompt / chunk.max(1.0)).ceil().max(1.0);
        let step = self.step(&Batch {
            prefill_tokens: prompt / chunks,
            prefill_context: (prompt + 1.0) / 2.0,
            ..Batch::default()
        });
        (step.total * (chunks * self.pp as f64), step)
    }
}

