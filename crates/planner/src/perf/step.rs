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
use super::super::plan::StepParts;
use super::super::precision::WeightPrecision;
use super::super::units::Seconds;
pub use super::comm::ACTIVATION_BYTES;
use super::imbalance;
use super::comm::{self, CommCost};
use super::load::{Projection, StageCompute, StageLoad};
use super::ops::{AttentionOp, CollectiveOp, ExpertOp, GemmOp, StageOps, Uncovered};
use super::params::PerfParams;
use serde::{Deserialize, Serialize};

/// Activation vectors (of the model width, `ACTIVATION_BYTES` each) that every
/// tensor-parallel rank reads or writes per token and block (`Layer::blocks`: a transformer
/// layer's attention and MLP, a hybrid layer's one) outside its GEMMs and attention: the
/// residual stream and the norm before each block are not split by TP (Megatron-LM's layout,
/// Shoeybi et al. 2019, §3; every engine's Llama/Mistral/Mixtral block): a residual add (read
/// 2, write 1) and an RMSNorm (read 1, write 1). GEMM inputs and outputs are not counted: they
/// stream inside the GEMM kernels, which are compute-bound at serving batch sizes.
pub const REPLICATED_VECTORS_PER_BLOCK: f64 = 5.0;

/// With TP > 1, the all-reduce ending a block also reads its input and writes its output in
/// HBM (1 + 1), beside the link traffic `comm` prices.
pub const ALL_REDUCE_VECTORS_PER_BLOCK: f64 = 2.0;

/// Replicated activation vectors per token of one stage (see the two constants above), plus,
/// per MoE layer, the routing permutation on every rank (TensorRT-LLM's MoE plugin, vLLM's
/// `fused_moe`): gather the token into its `k` expert slots (read 1, write k) and scatter-add
/// the `k` results back (read k, write 1), `2 + 2k`; and the wider residual streams of
/// DeepSeek-V4's hyper-connections (`StageCompute::hyper_connection_vectors`).
pub fn replicated_elements(c: &StageCompute, tp: u32) -> f64 {
    let per_block = REPLICATED_VECTORS_PER_BLOCK + if tp > 1 { ALL_REDUCE_VECTORS_PER_BLOCK } else { 0.0 };
    c.blocks as f64 * per_block + c.moe_layers as f64 * (2.0 + 2.0 * c.experts_per_token as f64) + c.hyper_connection_vectors
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
    /// Time all the step's flops would take at the efficiencies' rates (a table-timed kernel:
    /// its F/peak/u).
    pub compute: Seconds,
    /// Time all the step's HBM traffic (weights read, KV read and written) would take (a
    /// table-timed kernel: its B/hbm/u).
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

impl StepTime {
    /// The parts in the plan's terms, milliseconds: an aggregated candidate's decode step
    /// (`planning`) and a disaggregated worker's step (`disagg::report`).
    pub fn parts_ms(&self) -> StepParts {
        StepParts {
            compute: self.compute.ms(),
            memory: self.memory.ms(),
            communication: self.communication.ms(),
            overhead: self.overhead.ms(),
            total: self.total.ms(),
        }
    }
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
    /// `min(mean, window)` here and for decode (an indexer's picks `min(mean, selection)`):
    /// exact when every context is on one side of the window, an overestimate of at most the
    /// window's share otherwise.
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
/// step), and its table-timed operations when there are tables. Build once per layout with
/// `StageCost::new`; evaluate with `step`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StageCost<'a> {
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
    // Routed experts per expert-parallel rank and the expected largest of the ranks' normal
    // draws (`imbalance`): the slowest rank's share of its experts.
    local_experts: f64,
    rank_z: f64,
    // Attention: seconds per (query, key) pair and per cached token read, over the whole
    // context / at most the window / at most the indexers' picks.
    decode_pair_full: f64,
    decode_pair_windowed: f64,
    decode_pair_selected: f64,
    prefill_pair_full: f64,
    prefill_pair_windowed: f64,
    prefill_pair_selected: f64,
    kv_full: f64,
    kv_windowed: f64,
    kv_selected: f64,
    window: f64,
    selection: f64,
    // Communication: seconds per step and per token of the attention group, all collectives,
    // under the bulk and the low-latency protocol for the all-reduces; and by collective.
    comm_fixed: f64,
    comm_per_token: f64,
    comm_fixed_ll: f64,
    comm_per_token_ll: f64,
    all_reduce: [f64; 4],
    all_to_all: [f64; 2],
    send: [f64; 2],
    // Bytes of an all-reduce message and of a GPU's EP dispatch per token.
    token_bytes: f64,
    dispatch_bytes: f64,
    overhead: f64,
    sequence_overhead: f64,
    // The stage's MoE layers' fixed cost per step (`moe_layer_latency`); 0 when the tables time
    // the experts (a table's MoE time holds it).
    moe_layer_overhead: f64,
    // Replicated activation traffic: seconds per token of the attention group.
    replicated_per_token: f64,
    // Sparse-attention indexers: seconds per (token, context token) pair of scoring and per
    // context token of key reads (`StageCompute::indexer_flops_per_pair`).
    indexer_pair: f64,
    indexer_kv: f64,
    /// The table-timed operations (`None`: no tables, all roofline).
    ops: Option<&'a StageOps>,
    routing_skew: f64,
    // Linear-attention and Mamba2 state read and written per sequence in the step, their
    // recurrent step per token (the part of `linear_per_token` no GEMM table times) and their
    // scan per prompt token: seconds.
    state_per_sequence: f64,
    recurrent_per_token: f64,
    scan_per_token: f64,
}

/// The table-timed operations of `ops`, and none at all without the `kernel-tables` feature
/// (the constant `None` lets the startup page's build leave every table lookup out).
fn enabled(ops: Option<&StageOps>) -> Option<&StageOps> {
    ops.filter(|_| cfg!(feature = "kernel-tables"))
}

/// A kind of kernel the roofline times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Linear,
    Experts,
    DecodeAttention,
    PrefillAttention,
    /// A sparse-attention indexer's scoring of the whole context (no table times it).
    Indexer,
    /// Linear-attention and Mamba2 layers' recurrent step (decode) and scan (prefill) on their
    /// state (no table times them).
    Recurrent,
}

/// One operation of a step, as `StageCost::operations` lists it, with the point it was looked
/// up at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Op<'a> {
    Gemm { op: &'a GemmOp, m: f64 },
    /// Attention at the table's batch `b` and length `s` (`AttentionOp::batch_and_length`).
    Attention { op: &'a AttentionOp, b: f64, s: f64 },
    /// Routed experts for `tokens` entering each MoE layer, `routing` the routing factor.
    Experts { op: &'a ExpertOp, tokens: f64, routing: f64 },
    /// A kind of kernel the roofline times, and why.
    Roofline { kind: Kind, why: Uncovered },
    /// A collective from its tables (and the table that set it) or the roofline, for a
    /// message of `bytes`.
    AllReduce { op: Result<(&'a CollectiveOp, usize), Uncovered>, bytes: f64 },
    AllToAll { op: Result<(&'a CollectiveOp, usize), Uncovered>, bytes: f64 },
    PipelineSend,
    /// The element-wise activation traffic every TP rank pays in full, and (`state`) the
    /// linear-attention or Mamba2 state each sequence reads and writes once per step.
    Replicated { state: bool },
    /// The step's, layers' and sequences' fixed costs, and (`moe_layers`) the MoE layers'
    /// (`moe_layer_latency`, when the roofline times the experts).
    Overhead { moe_layers: bool },
}

/// One operation's time in a step: its compute and memory rooflines (kernels), and its time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OpTime<'a> {
    pub op: Op<'a>,
    pub compute: Seconds,
    pub memory: Seconds,
    pub time: Seconds,
}

/// A batch's counts cleaned (negative or non-finite: 0).
#[derive(Debug, Clone, Copy)]
struct Query {
    d: f64,
    ctx: f64,
    p: f64,
    pctx: f64,
    tokens: f64,
    routed: f64,
}

impl Query {
    fn new(batch: &Batch, expert_units: f64) -> Query {
        let clean = |x: f64| if x > 0.0 && x.is_finite() { x } else { 0.0 };
        let (d, p) = (clean(batch.decode_tokens), clean(batch.prefill_tokens));
        Query { d, ctx: clean(batch.decode_context), p, pctx: clean(batch.prefill_context), tokens: d + p, routed: (d + p) * expert_units }
    }

    /// Sequences sampled: the decoding ones and the prompts of the prefill tokens, taken as
    /// whole prompts of `2·context − 1` tokens (the LM head's `m`).
    fn sampled(&self) -> f64 {
        self.d + self.p / (2.0 * self.pctx - 1.0).max(1.0)
    }
}

/// Why a kind is not table-timed: no tables at all, or the tables' reason.
fn uncovered<T>(ops: Option<&Result<T, Uncovered>>) -> Uncovered {
    match ops {
        Some(Err(why)) => *why,
        _ => Uncovered::NoTables,
    }
}

impl<'a> StageCost<'a> {
    /// Fold a stage's load into costs for `cluster`'s GPU, the weights' compute rate
    /// (`GpuSpec::peak`, bf16 when the GPU lacks the rate) and `params`, with the layout's
    /// table-timed operations `ops` when there are tables. Attention runs at the bf16 rate (FP8
    /// attention kernels exist but are not the engines' default).
    pub fn new(
        load: &StageLoad,
        layout: &Layout,
        cluster: &Cluster,
        weights: WeightPrecision,
        params: &PerfParams,
        ops: Option<&'a StageOps>,
    ) -> StageCost<'a> {
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

        // Collectives, per step: an all-reduce per block over TP (after attention and after
        // the MLP / MoE: 2 per transformer layer); per MoE layer, when experts are shared across attention groups, a
        // dispatch and a combine, each TP rank moving 1/tp of the group's tokens; one PP send
        // of the stage's output (1/tp of it per TP rank, vLLM's `send_tensor_dict`).
        let token_bytes = c.hidden_size as f64 * ACTIVATION_BYTES;
        let tp = layout.tp.max(1);
        let ar = comm::all_reduce(cluster, params, tp);
        let ar_count = if tp > 1 { c.blocks as f64 } else { 0.0 };
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
        // The same, by collective (for the parts the tables do not time).
        let all_reduce = [
            ar_count * ar.latency.value(),
            ar_count * ar.seconds_per_byte * token_bytes,
            ar_count * ll.latency.value(),
            ar_count * ll.seconds_per_byte * token_bytes,
        ];
        let all_to_all = [
            a2a_count * a2a.latency.value(),
            a2a_count * a2a.seconds_per_byte * token_bytes * c.dispatch_destinations / tp as f64,
        ];
        let send = [p2p.latency.value(), p2p.seconds_per_byte * token_bytes / tp as f64];

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
            local_experts: c.experts as f64 / layout.ep.max(1) as f64,
            rank_z: if c.experts > 0 { imbalance::expected_max_of_normals(layout.ep as f64) } else { 0.0 },
            expert_units: c.expert_group_units.max(1) as f64,
            decode_pair_full: nonneg(c.attention_decode_flops_full) / attention,
            decode_pair_windowed: nonneg(c.attention_decode_flops_windowed) / attention,
            decode_pair_selected: nonneg(c.attention_decode_flops_selected) / attention,
            prefill_pair_full: nonneg(c.attention_prefill_flops_full) / attention,
            prefill_pair_windowed: nonneg(c.attention_prefill_flops_windowed) / attention,
            prefill_pair_selected: nonneg(c.attention_prefill_flops_selected) / attention,
            kv_full: nonneg(load.kv_bytes_per_token_full.value()) / hbm,
            kv_windowed: nonneg(load.kv_bytes_per_token_windowed.value()) / hbm,
            kv_selected: nonneg(load.kv_bytes_per_token_selected.value()) / hbm,
            window: c.window.map_or(f64::INFINITY, |w| w as f64),
            selection: c.selection.map_or(f64::INFINITY, |w| w as f64),
            comm_fixed,
            comm_per_token,
            comm_fixed_ll,
            comm_per_token_ll,
            all_reduce,
            all_to_all,
            send,
            token_bytes,
            dispatch_bytes: token_bytes * c.dispatch_destinations / tp as f64,
            overhead: params.step_overhead.value() + c.layers as f64 * params.layer_overhead.value(),
            sequence_overhead: params.sequence_overhead.value(),
            moe_layer_overhead: if enabled(ops).is_some_and(|o| o.experts.is_ok()) {
                0.0
            } else {
                c.moe_layers as f64 * params.moe_layer_latency.value()
            },
            replicated_per_token: replicated_elements(c, tp) * token_bytes / hbm,
            indexer_pair: nonneg(c.indexer_flops_per_pair) / attention,
            indexer_kv: nonneg(c.indexer_bytes_per_token) / hbm,
            ops,
            routing_skew: params.moe_routing_skew,
            state_per_sequence: 2.0 * nonneg(c.state_bytes_per_sequence) / hbm,
            recurrent_per_token: nonneg(c.recurrent_flops_per_token) / gemm,
            scan_per_token: nonneg(c.scan_flops_per_token) / gemm,
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

    /// Attention groups that run every step together: a MoE stage's `dp` groups share its
    /// experts (`FORMAT.md` "Layout semantics"), so each MoE layer waits for all of them; 1 for
    /// a dense stage, whose replicas step independently.
    pub fn lockstep_groups(&self) -> f64 {
        self.expert_units
    }

    /// One step of the heaviest stage for `batch` on each attention group. Negative or
    /// non-finite counts are treated as zero.
    pub fn step(&self, batch: &Batch) -> StepTime {
        let q = Query::new(batch, self.expert_units);
        // Each sequence of the step reads and writes its linear-attention state once.
        let replicated = q.tokens * self.replicated_per_token + q.sampled() * self.state_per_sequence;
        let (mut compute, mut memory, mut compute_bound, mut memory_bound) = (0.0, 0.0, 0.0, replicated);
        let mut add = |c: f64, m: f64| {
            compute += c;
            memory += m;
            if c >= m {
                compute_bound += c;
            } else {
                memory_bound += m;
            }
        };
        if self.table_ops().is_none() {
            // No tables: the four rooflines straight, without building the operations (the
            // search calls this thousands of times per plan).
            for (c, m) in [self.linear_roofline(&q), self.experts_roofline(&q), self.decode_roofline(&q), self.prefill_roofline(&q)] {
                add(c, m);
            }
        } else {
            self.kernels(&q, &mut |_, c, m| add(c, m));
        }
        memory += replicated;
        let communication = match self.table_ops() {
            Some(ops) if ops.times_communication() => self.communication(q.tokens).iter().fold(0.0, |sum, c| sum + c.1),
            _ => (self.comm_fixed + q.tokens * self.comm_per_token).min(self.comm_fixed_ll + q.tokens * self.comm_per_token_ll),
        };
        let overhead = self.fixed_overhead(&q);
        let bound = if communication > compute_bound && communication > memory_bound {
            Bound::Communication
        } else if compute_bound >= memory_bound {
            Bound::Compute
        } else {
            Bound::Memory
        };
        StepTime {
            compute: Seconds(compute),
            memory: Seconds(memory),
            communication: Seconds(communication),
            overhead: Seconds(overhead),
            total: Seconds(compute_bound + memory_bound + communication + overhead),
            bound,
        }
    }

    /// Every operation of `step(batch)`, in order: kernels, the replicated traffic, the
    /// collectives, the overhead; their times sum to the step's total.
    pub fn operations(&self, batch: &Batch) -> Vec<OpTime<'a>> {
        let q = Query::new(batch, self.expert_units);
        let mut list = Vec::new();
        self.kernels(&q, &mut |op, c, m| {
            list.push(OpTime { op, compute: Seconds(c), memory: Seconds(m), time: Seconds(c.max(m)) });
        });
        let other = |op, t: f64| OpTime { op, compute: Seconds::ZERO, memory: Seconds::ZERO, time: Seconds(t) };
        let replicated = q.tokens * self.replicated_per_token + q.sampled() * self.state_per_sequence;
        let state = self.state_per_sequence > 0.0;
        list.push(OpTime { memory: Seconds(replicated), ..other(Op::Replicated { state }, replicated) });
        list.extend(self.communication(q.tokens).into_iter().map(|(op, t)| other(op, t)));
        list.push(other(Op::Overhead { moe_layers: self.moe_layers_overhead(&q) > 0.0 }, self.fixed_overhead(&q)));
        list
    }

    /// The step's fixed costs: per step, per layer, per decoding sequence, and per MoE layer.
    fn fixed_overhead(&self, q: &Query) -> f64 {
        self.overhead + q.d * self.sequence_overhead + self.moe_layers_overhead(q)
    }

    /// The MoE layers' fixed cost when tokens reach the experts and the roofline times them.
    fn moe_layers_overhead(&self, q: &Query) -> f64 {
        if q.routed > 0.0 {
            self.moe_layer_overhead
        } else {
            0.0
        }
    }

    /// The linear layers' roofline: (compute, memory) seconds. `linear_per_token` holds the
    /// recurrent step; a prompt token runs the scan instead.
    fn linear_roofline(&self, q: &Query) -> (f64, f64) {
        let scan = q.p * (self.scan_per_token - self.recurrent_per_token);
        (q.tokens * self.linear_per_token + q.d * self.lm_head_per_token + scan, self.dense_weights)
    }

    /// The recurrent layers' step and scan, apart from the GEMMs (compute seconds).
    fn recurrent(&self, q: &Query) -> f64 {
        q.tokens * self.recurrent_per_token + q.p * (self.scan_per_token - self.recurrent_per_token)
    }

    /// The routed experts' roofline: the slowest expert-parallel rank's weight reads
    /// (`imbalance`).
    fn experts_roofline(&self, q: &Query) -> (f64, f64) {
        let touched = imbalance::slowest_share(self.experts_touched(q.routed), self.local_experts, self.rank_z);
        (q.routed * self.expert_per_token, touched * self.expert_weights)
    }

    /// Decode attention's roofline (windowed layers at most their window of context, an
    /// indexer's picks at most their span).
    fn decode_roofline(&self, q: &Query) -> (f64, f64) {
        let (ctx_w, ctx_s) = (q.ctx.min(self.window), q.ctx.min(self.selection));
        let c = q.d * (q.ctx * self.decode_pair_full + ctx_w * self.decode_pair_windowed + ctx_s * self.decode_pair_selected);
        (c, q.d * (q.ctx * self.kv_full + ctx_w * self.kv_windowed + ctx_s * self.kv_selected))
    }

    /// Prefill attention's roofline.
    fn prefill_roofline(&self, q: &Query) -> (f64, f64) {
        let (pctx_w, pctx_s) = (q.pctx.min(self.window), q.pctx.min(self.selection));
        let c = q.p * (q.pctx * self.prefill_pair_full + pctx_w * self.prefill_pair_windowed + pctx_s * self.prefill_pair_selected);
        (c, q.p * (self.kv_full + self.kv_windowed + self.kv_selected))
    }

    /// The table-timed operations (`enabled`).
    fn table_ops(&self) -> Option<&'a StageOps> {
        enabled(self.ops)
    }

    /// The kernels of a step, each with its (compute, memory) seconds, in the roofline's
    /// order: linear layers, experts, decode attention, prefill attention; a kind the tables
    /// time as its operations, else as one roofline.
    fn kernels(&self, q: &Query, f: &mut impl FnMut(Op<'a>, f64, f64)) {
        let (d, ctx, p, pctx) = (q.d, q.ctx, q.p, q.pctx);
        let ops = self.table_ops();
        match ops.map(|o| &o.gemms) {
            Some(Ok(gemms)) => {
                let sampled = q.sampled();
                for op in gemms {
                    let m = if op.gemm.projection == Projection::LmHead { sampled } else { q.tokens };
                    let (c, mem) = op.time(m);
                    f(Op::Gemm { op, m }, c, mem);
                }
                if self.recurrent_per_token > 0.0 || self.scan_per_token > 0.0 {
                    let why = Uncovered::NoTable { kind: "recurrent step", what: "linear attention or Mamba2" };
                    f(Op::Roofline { kind: Kind::Recurrent, why }, self.recurrent(q), 0.0);
                }
            }
            other => {
                let (c, m) = self.linear_roofline(q);
                f(Op::Roofline { kind: Kind::Linear, why: uncovered(other) }, c, m);
            }
        }
        match ops.map(|o| &o.experts) {
            Some(Ok(op)) => {
                let (c, mem, routing) = op.time(q.routed, self.routing_skew);
                f(Op::Experts { op, tokens: q.routed, routing }, c, mem);
            }
            other => {
                let (c, m) = self.experts_roofline(q);
                f(Op::Roofline { kind: Kind::Experts, why: uncovered(other) }, c, m);
            }
        }
        for (prefill, attention) in [(false, ops.map(|o| &o.decode)), (true, ops.map(|o| &o.prefill))] {
            match attention {
                Some(Ok(list)) => {
                    for op in list {
                        let (b, s) = if prefill { op.batch_and_length(p, pctx) } else { op.batch_and_length(d, ctx) };
                        let (c, m) = op.time(b, s);
                        f(Op::Attention { op, b, s }, c, m);
                    }
                    // The tables time a sparse layer's top-k attention; its indexer scores
                    // the whole context, by the roofline.
                    if self.indexer_pair > 0.0 {
                        let (c, m) = if prefill {
                            (p * pctx * self.indexer_pair, p * self.indexer_kv)
                        } else {
                            (d * ctx * self.indexer_pair, d * ctx * self.indexer_kv)
                        };
                        f(Op::Roofline { kind: Kind::Indexer, why: Uncovered::NoTable { kind: "indexer", what: "sparse attention" } }, c, m);
                    }
                }
                other if prefill => {
                    let (c, m) = self.prefill_roofline(q);
                    f(Op::Roofline { kind: Kind::PrefillAttention, why: uncovered(other) }, c, m);
                }
                other => {
                    let (c, m) = self.decode_roofline(q);
                    f(Op::Roofline { kind: Kind::DecodeAttention, why: uncovered(other) }, c, m);
                }
            }
        }
    }

    /// The step's collectives by part: the TP all-reduces (the tables', else the faster of
    /// NCCL's bulk and low-latency protocols), the EP dispatch and combine, the PP send.
    fn communication(&self, tokens: f64) -> [(Op<'a>, f64); 3] {
        let [fixed, per_token, fixed_ll, per_token_ll] = self.all_reduce;
        // A collective from its tables, else its roofline time, with its message's bytes.
        let part = |ops: Option<&'a Result<CollectiveOp, Uncovered>>, roofline: f64, bytes_per_token: f64| match ops {
            Some(Ok(op)) => {
                let (t, table) = op.time(tokens);
                (Ok((op, table)), tokens * op.bytes_per_token, t)
            }
            other => (Err(uncovered(other)), tokens * bytes_per_token, roofline),
        };
        let ar_roofline = (fixed + tokens * per_token).min(fixed_ll + tokens * per_token_ll);
        let (ar, ar_bytes, ar_time) = part(self.table_ops().map(|o| &o.all_reduce), ar_roofline, self.token_bytes);
        let a2a_roofline = self.all_to_all[0] + tokens * self.all_to_all[1];
        let (a2a, a2a_bytes, a2a_time) = part(self.table_ops().map(|o| &o.all_to_all), a2a_roofline, self.dispatch_bytes);
        [
            (Op::AllReduce { op: ar, bytes: ar_bytes }, ar_time),
            (Op::AllToAll { op: a2a, bytes: a2a_bytes }, a2a_time),
            (Op::PipelineSend, self.send[0] + tokens * self.send[1]),
        ]
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

