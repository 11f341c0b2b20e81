//! What one GPU of a layout's heaviest pipeline stage holds and computes: the inputs of the
//! step model.
//!
//! Design decision: bytes come from outside, arithmetic from here. The byte figures (weights
//! and KV cache per GPU) are the memory module's — the performance model never recomputes
//! them, so memory and time can never disagree about what a GPU holds. The compute figures
//! (parameters a token passes through, attention flops per query–key pair, routing) follow
//! from the model and the layout alone and are derived by `StageCompute::new`, once per layout.

use super::super::layout::Layout;
use super::super::model::{Attention, CompressedAttention, FeedForward, Layer, LinearGates, ModelSpec};
use super::super::units::Bytes;

/// Per-GPU load of the heaviest pipeline stage (the one whose step sets the pace).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StageLoad {
    /// Weights every step reads in full, on one GPU of the stage: attention projections,
    /// dense MLPs, shared experts, routers, norms, and the LM head when this stage holds it
    /// (the input embedding is a row lookup and is not read in full). From the memory module.
    pub dense_weight_bytes: Bytes,
    /// Routed-expert weights held by one GPU of the stage (all of them); a step reads only the
    /// experts its tokens are routed to. Zero for dense models. From the memory module.
    pub expert_weight_bytes: Bytes,
    /// KV-cache bytes one token adds on one GPU that a decode step reads over the whole
    /// context, summed over the stage's layers (after TP split or replication, at the KV
    /// precision; `memory::kv::Reads::all`). From the memory module.
    pub kv_bytes_per_token_full: Bytes,
    /// The same read over at most a window of context (sliding / chunked-local layers,
    /// DeepSeek-V4's window): over at most `compute.window` tokens. From the memory module.
    pub kv_bytes_per_token_windowed: Bytes,
    /// The same read over at most the context an indexer's picks cover: over at most
    /// `compute.selection` tokens. From the memory module.
    pub kv_bytes_per_token_selected: Bytes,
    /// Parameters and flops, derived from the model and layout.
    pub compute: StageCompute,
}

/// What one GPU of the stage computes per token, derived from the model and the layout.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StageCompute {
    /// Decoder layers in the stage.
    pub layers: u32,
    /// Their blocks, each a mixer or a feed-forward block behind its norm and ending in a TP
    /// all-reduce: two per transformer layer, one per hybrid layer (`Layer::blocks`).
    pub blocks: u32,
    /// Of which with routed experts.
    pub moe_layers: u32,
    /// Model width: the size of the activation vector a collective moves per token.
    pub hidden_size: u64,
    /// Non-expert matrix-multiply parameters on one GPU that every token of its attention
    /// group passes through (attention projections, dense MLPs, shared experts, routers).
    pub matmul_params: f64,
    /// LM-head parameters on one GPU: only the token that is sampled (a decode token, or the
    /// last of a prompt) passes through them. Zero unless the stage holds the head.
    pub lm_head_params: f64,
    /// Routed-expert parameters held by one GPU (a token uses a `experts_per_token / experts`
    /// share of them on average).
    pub expert_params: f64,
    /// Routed experts per MoE layer (0 for dense models).
    pub experts: u32,
    /// Experts each token is routed to.
    pub experts_per_token: u32,
    /// Attention groups (DP ranks) whose tokens reach this GPU's experts: `dp` for MoE (the
    /// experts of a stage are split over its tp × dp GPUs, `FORMAT.md` "Layout semantics"),
    /// 1 for dense models.
    pub expert_group_units: u32,
    /// Other GPUs that one token's hidden state is sent to per MoE layer in the EP dispatch
    /// (and gathered back from in the combine); 0 when the experts live inside the token's
    /// own tensor-parallel group (no all-to-all; the TP all-reduce combines them).
    pub dispatch_destinations: f64,
    /// Attention flops per (query, token of context) pair on one GPU, summed over the stage's
    /// layers, that a decode token spends over the whole context.
    pub attention_decode_flops_full: f64,
    /// The same spent over at most a window of context (`window`).
    pub attention_decode_flops_windowed: f64,
    /// The same spent over at most the context an indexer's picks cover (`selection`).
    pub attention_decode_flops_selected: f64,
    /// Attention flops per (query, token of context) pair in prefill, over the whole context.
    pub attention_prefill_flops_full: f64,
    /// The same over at most a window.
    pub attention_prefill_flops_windowed: f64,
    /// The same over at most the indexers' picks.
    pub attention_prefill_flops_selected: f64,
    /// The largest attention window of the stage's windowed layers (tokens), `None` when none.
    pub window: Option<u64>,
    /// The largest span of context the stage's indexers pick from (DeepSeek sparse attention's
    /// top-k, DeepSeek-V4's `ratio × topk`), `None` when none.
    pub selection: Option<u64>,
    /// The sparse-attention indexers' part of `attention_*_flops_full` (flops per pair, summed
    /// over the layers) and their key cache per token: what a table-timed step adds beside the
    /// attention tables, which time only the top-k attention.
    pub indexer_flops_per_pair: f64,
    pub indexer_bytes_per_token: f64,
    /// Replicated activation vectors per token that DeepSeek-V4's hyper-connections add to the
    /// step's element-wise traffic, summed over the layers
    /// (`CompressedAttention::hyper_connection_vectors`).
    pub hyper_connection_vectors: f64,
    /// Linear-attention and Mamba2 layers' state per sequence on one GPU, read and written
    /// once per step (`Attention::state_bytes_per_request`), and their recurrent step's flops
    /// per decode token (part of `matmul_params`' work, apart for a table-timed step, whose
    /// GEMMs leave it out).
    pub state_bytes_per_sequence: f64,
    pub recurrent_flops_per_token: f64,
    /// Flops per prompt token of their scan, which runs a prompt in chunks (Mamba2's chunked
    /// scan, `Mamba2::prefill_flops_per_token`; Gated DeltaNet's is counted as its recurrent
    /// step), and what a prompt token costs beyond the recurrent step in `matmul_params`.
    pub scan_flops_per_token: f64,
}

impl StageCompute {
    /// The compute of one GPU of a stage holding `stage` (a contiguous run of `model.layers`)
    /// and, when `lm_head`, the LM head.
    ///
    /// Tensor parallelism splits attention heads, MLP widths and the vocabulary `tp` ways
    /// (Megatron-LM, Shoeybi et al. 2019). Exceptions, as vLLM implements them: K/V heads are
    /// replicated when `tp > kv_heads` (each GPU keeps one); MLA's down-projections
    /// (`q_a_proj`, `kv_a_proj_with_mqa`) are replicated (`ReplicatedLinear` in vLLM's
    /// `deepseek_v2.py`); so are a DeepSeek sparse-attention indexer, Kimi Delta Attention's
    /// gate down-projections and MiniMax-M3's index key, whose index query heads split up to one
    /// per GPU (SGLang 0.5.23 `models/kimi_k3.py`, `models/minimax_m3.py`), and DeepSeek-V4's
    /// down-projections, compressors, indexer and hyper-connections (SGLang 0.5.23
    /// `deepseek_v4.py`; `compressed_gemms`).
    ///
    /// Attention flops per (query, key) pair and layer, on `h = heads / tp` heads:
    /// - GQA: `2·h·d` for QKᵀ plus `2·h·d` for PV (FlashAttention-2 paper's count, forward);
    ///   with key and value heads of their own sizes, `2·h·qk + 2·h·v` (`GqaDims`).
    /// - MLA prefill, uncompressed form: `2·h·(d_nope + d_rope) + 2·h·d_v`.
    /// - MLA decode, absorbed form (DeepSeek-V2 paper §2.1.2; FlashMLA): every head attends
    ///   over the shared 576-wide latent+rope key and the 512-wide latent value,
    ///   `2·h·(r_kv + d_rope) + 2·h·r_kv`; the absorbed `W_UK`/`W_UV` products are the
    ///   `kv_b_proj` parameters, already in `matmul_params`.
    /// - DeepSeek-V4: `2·h·d + 2·h·d` per (query, entry) of its one `d`-wide key-value head,
    ///   read as key and value, in decode and prefill; its window, picked entries and
    ///   compressed entries span different lengths of context (`compressed_pairs`).
    /// - A sparse-attention indexer, over the whole context: `2·d` per head on this GPU
    ///   (`Indexer::flops_per_pair`), beside the layer's own pairs over at most its top-k.
    pub fn new(model: &ModelSpec, stage: &[Layer], lm_head: bool, layout: &Layout) -> StageCompute {
        StageCompute::per_tp(model, stage, lm_head, layout.tp).finish(layout)
    }

    /// The part of `new` that depends only on the tensor-parallel degree: the sums over the
    /// stage's layers, experts not yet spread over the stage's GPUs. A search computes it once
    /// for all the layouts that share `tp` and the stage (`finish` completes it per layout).
    pub fn per_tp(model: &ModelSpec, stage: &[Layer], lm_head: bool, tp: u32) -> StageCompute {
        let tp = tp.max(1) as f64;
        let h = model.hidden_size;
        let hf = h as f64;
        let mut c = StageCompute {
            layers: stage.len() as u32,
            blocks: stage.iter().map(Layer::blocks).sum(),
            moe_layers: 0,
            hidden_size: h,
            matmul_params: 0.0,
            lm_head_params: if lm_head { (model.vocab_size * h) as f64 / tp } else { 0.0 },
            expert_params: 0.0,
            experts: 0,
            experts_per_token: 0,
            expert_group_units: 1,
            dispatch_destinations: 0.0,
            attention_decode_flops_full: 0.0,
            attention_decode_flops_windowed: 0.0,
            attention_decode_flops_selected: 0.0,
            attention_prefill_flops_full: 0.0,
            attention_prefill_flops_windowed: 0.0,
            attention_prefill_flops_selected: 0.0,
            window: None,
            selection: None,
            indexer_flops_per_pair: 0.0,
            indexer_bytes_per_token: 0.0,
            hyper_connection_vectors: 0.0,
            state_bytes_per_sequence: 0.0,
            recurrent_flops_per_token: 0.0,
            scan_flops_per_token: 0.0,
        };
        for layer in stage {
            let (projections, decode, prefill) = match layer.attention {
                Attention::Gqa { heads, kv_heads, head_dim, indexer, .. } => {
                    let d = head_dim as f64;
                    let q_o = 2.0 * hf * heads as f64 * d / tp;
                    let kv_heads_per_gpu = (kv_heads as f64 / tp).max(1.0);
                    let kv = 2.0 * hf * kv_heads_per_gpu * d;
                    let pair = 4.0 * heads as f64 / tp * d;
                    // MiniMax-M3's block indexer: its query heads split, its key whole.
                    let indexer = indexer.map_or(0.0, |i| i.params_per_gpu(h, h, tp as u32));
                    (q_o + kv + indexer, pair, pair)
                }
                Attention::Mla(m) => {
                    let hh = m.heads as f64 / tp;
                    let (nope, rope, v, r) = (
                        m.qk_nope_head_dim as f64,
                        m.qk_rope_head_dim as f64,
                        m.v_head_dim as f64,
                        m.kv_lora_rank as f64,
                    );
                    let q = match m.q_lora_rank {
                        Some(qr) => hf * qr as f64 + qr as f64 * hh * (nope + rope),
                        None => hf * hh * (nope + rope),
                    };
                    let kv = hf * (r + rope) + r * hh * (nope + v);
                    let o = hh * v * hf;
                    // A DeepSeek sparse-attention indexer's projections run whole on every TP
                    // rank; an output gate is split as the heads.
                    let indexer = m.indexer_params_per_gpu(h, tp as u32);
                    let gate = m.output_gate_params(h) as f64 / tp;
                    let decode = 2.0 * hh * (r + rope) + 2.0 * hh * r;
                    let prefill = 2.0 * hh * (nope + rope) + 2.0 * hh * v;
                    (q + kv + o + indexer + gate, decode, prefill)
                }
                // No pairs with the context: the projections and, per token, the recurrent step
                // on the state (counted as the multiply-adds of `flops_per_token / 2` weights).
                Attention::Linear(l) => {
                    let projections = l.split_projection_params(h) as f64 / tp + l.replicated_projection_params(h) as f64;
                    c.state_bytes_per_sequence += l.state_bytes_per_request(tp as u32);
                    c.recurrent_flops_per_token += l.flops_per_token() / tp;
                    c.scan_flops_per_token += l.flops_per_token() / tp;
                    (projections + l.flops_per_token() / 2.0 / tp, 0.0, 0.0)
                }
                // `2·h·qk` for QKᵀ plus `2·h·v` for PV: the GQA count at the mean head size.
                Attention::GqaDims(g) => {
                    let pair = 4.0 * g.heads as f64 / tp * g.mean_head_dim();
                    (hf * g.projection_width(g.heads as f64 / tp, (g.kv_heads as f64 / tp).max(1.0)), pair, pair)
                }
                // The same for Mamba2, its `B` and `C` groups whole when `tp` does not divide
                // them; a prompt runs the chunked scan instead of the recurrent step.
                Attention::Mamba2(m) => {
                    let t = tp as u32;
                    c.state_bytes_per_sequence += m.state_bytes_per_request(t);
                    c.recurrent_flops_per_token += m.decode_flops_per_token(t);
                    c.scan_flops_per_token += m.prefill_flops_per_token(t);
                    let out = m.intermediate() as f64 / tp;
                    (hf * (m.in_proj_width_per_gpu(t) + out) + m.decode_flops_per_token(t) / 2.0, 0.0, 0.0)
                }
                Attention::None => (0.0, 0.0, 0.0),
                // Its GEMMs (`compressed_gemms`), replicated ones whole; its pairs apart.
                Attention::Compressed(a) => {
                    let mut projections = 0.0;
                    compressed_gemms(&a, hf, tp, &mut |_, n, k| projections += n * k);
                    c.hyper_connection_vectors += a.hyper_connection_vectors();
                    compressed_pairs(&mut c, &a, tp);
                    (projections, 0.0, 0.0)
                }
            };
            c.matmul_params += projections;
            // The indexer scores every cached token (its heads on this GPU); the attention
            // itself reads at most its span (`kv::attention_span`: a window, or the indexer's
            // top-k).
            if let Some(i) = layer.attention.indexer() {
                let pair = i.flops_per_pair(tp as u32);
                c.attention_decode_flops_full += pair;
                c.attention_prefill_flops_full += pair;
                c.indexer_flops_per_pair += pair;
                c.indexer_bytes_per_token += i.cache_bytes_per_token();
            }
            match (layer.window, layer.attention.indexer()) {
                (Some(w), _) => {
                    c.attention_decode_flops_windowed += decode;
                    c.attention_prefill_flops_windowed += prefill;
                    c.window = Some(c.window.map_or(w, |x| x.max(w)));
                }
                (None, Some(i)) => {
                    c.attention_decode_flops_selected += decode;
                    c.attention_prefill_flops_selected += prefill;
                    c.select(i.topk);
                }
                (None, None) => {
                    c.attention_decode_flops_full += decode;
                    c.attention_prefill_flops_full += prefill;
                }
            }
            match layer.ffn {
                FeedForward::Dense(d) => c.matmul_params += d.params(h) as f64 / tp,
                FeedForward::None => {}
                FeedForward::Moe(m) => {
                    c.moe_layers += 1;
                    // The latent projections run whole on every TP rank (replicated).
                    c.matmul_params += m.shared_params(h) as f64 / tp + (h * m.experts as u64) as f64 + m.latent_params(h) as f64;
                    c.expert_params += (m.experts as u64 * m.expert_params(h)) as f64;
                    c.experts = m.experts;
                    c.experts_per_token = m.experts_per_token;
                }
            }
        }
        c
    }

    /// Set the selected class's span to at least `span` tokens of context.
    fn select(&mut self, span: u64) {
        self.selection = Some(self.selection.map_or(span, |x| x.max(span)));
    }

    /// `per_tp`'s sums completed for `layout`: a MoE stage's routed experts spread over its
    /// `tp × dp` GPUs, the attention groups that reach them, and the EP dispatch.
    pub fn finish(mut self, layout: &Layout) -> StageCompute {
        if self.moe_layers > 0 {
            let stage_gpus = layout.stage_gpus().max(1);
            self.expert_params /= stage_gpus as f64;
            self.expert_group_units = layout.dp.max(1);
            self.dispatch_destinations = dispatch_destinations(layout, self.experts_per_token);
        }
        self
    }
}

/// A DeepSeek-V4 layer's attention pairs (`CompressedAttention::read_bytes_per_token` says the
/// same of its bytes), in decode and prefill alike (the same multi-query kernel): its window's
/// entries over the window; with an indexer, the picked entries (one per `ratio` tokens) over
/// `ratio × topk` tokens and the indexer's scoring of every entry (whole on every TP rank) over
/// the whole context; without one, every compressed entry over the whole context.
fn compressed_pairs(c: &mut StageCompute, a: &CompressedAttention, tp: f64) {
    let pair = a.flops_per_pair(tp);
    c.attention_decode_flops_windowed += pair;
    c.attention_prefill_flops_windowed += pair;
    c.window = Some(c.window.map_or(a.window, |x| x.max(a.window)));
    if a.ratio == 0 {
        return;
    }
    let per_token = pair / a.ratio as f64;
    match (a.indexer, a.selection_span()) {
        (Some(i), Some(span)) => {
            c.attention_decode_flops_selected += per_token;
            c.attention_prefill_flops_selected += per_token;
            c.select(span);
            let scoring = i.flops_per_pair(tp as u32) / a.ratio as f64;
            c.attention_decode_flops_full += scoring;
            c.attention_prefill_flops_full += scoring;
            c.indexer_flops_per_pair += scoring;
            c.indexer_bytes_per_token += a.index_key_bytes() / a.ratio as f64;
        }
        _ => {
            c.attention_decode_flops_full += per_token;
            c.attention_prefill_flops_full += per_token;
        }
    }
}

/// A linear layer of a stage's decoder layers (or its LM head), as the engines run it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Projection {
    /// Query, key and value fused into one GEMM (every engine's `qkv_proj`).
    Qkv,
    /// Attention output (`o_proj`).
    Output,
    /// MLA's query and KV down-projections fused (`fused_qkv_a_proj`, replicated).
    MlaDown,
    /// MLA's query projection: the up-projection from the query latent (`q_b_proj`), or the
    /// direct one when queries are not compressed (`q_proj`).
    MlaQuery,
    /// MLA's KV down-projection alone, when queries are not compressed (`kv_a_proj_with_mqa`).
    MlaKvDown,
    /// MLA's key/value up-projection from the latent (`kv_b_proj`; absorbed in decode into
    /// the query and output, the same multiply-adds).
    MlaKvUp,
    /// Kimi K3's MLA output gate (`g_proj`).
    OutputGate,
    /// Kimi Delta Attention's gate down-projections (replicated) with its `beta` projection.
    KdaGateDown,
    /// Kimi Delta Attention's gate up-projections from the bottleneck (`f_b_proj`, `g_b_proj`).
    KdaGateUp,
    /// A gated MLP's gate and up projections fused (`gate_up_proj`).
    GateUp,
    /// A plain MLP's up projection.
    Up,
    /// An MLP's down projection.
    Down,
    /// The shared experts' gate and up projections fused.
    SharedGateUp,
    /// The shared experts' up projection, when they are plain (Nemotron-H).
    SharedUp,
    /// The shared experts' down projection.
    SharedDown,
    /// A latent MoE's projections into and out of the experts' latent space (replicated).
    Latent,
    /// A Mamba2 mixer's input projection (`in_proj`: gate, input, `B`, `C`, `dt`).
    MambaIn,
    /// DeepSeek-V4's query down-projection and key-value projection, fused (`wqkv_a`,
    /// replicated).
    CompressedDown,
    /// DeepSeek-V4's query up-projection (`wq_b`).
    CompressedQuery,
    /// DeepSeek-V4's grouped output projection (`wo_a`): the local head groups, each to
    /// `o_lora_rank`; its `output projection` (`wo_b`) follows.
    GroupedOutput,
    /// DeepSeek-V4's KV compressors' value and gate projections (`wkv_gate`; the attention's
    /// and the indexer's; replicated, 16-bit).
    Compressor,
    /// DeepSeek-V4's indexer query projection (`wq_b`, replicated).
    IndexerQuery,
    /// DeepSeek-V4's indexer head weights (`weights_proj`; replicated, 16-bit).
    IndexerWeights,
    /// DeepSeek-V4's hyper-connection mixing weights (two per layer; replicated, 16-bit).
    HyperConnection,
    /// The MoE router (one logit per expert; replicated, 16-bit).
    Router,
    /// The gate per query head on the attention output (`g_proj`, its own column-parallel
    /// GEMM in SGLang 0.5.23 `models/step3p5.py`).
    HeadGate,
    /// The LM head (16-bit): only the sampled tokens pass through it.
    LmHead,
}

impl Projection {
    pub fn name(self) -> &'static str {
        match self {
            Projection::Qkv => "QKV projection",
            Projection::Output => "output projection",
            Projection::MlaDown => "MLA query/KV down-projection",
            Projection::MlaQuery => "MLA query projection",
            Projection::MlaKvDown => "MLA KV down-projection",
            Projection::MlaKvUp => "MLA KV up-projection",
            Projection::OutputGate => "attention output gate",
            Projection::KdaGateDown => "KDA gate down-projection and beta",
            Projection::KdaGateUp => "KDA gate up-projection",
            Projection::GateUp => "MLP gate+up",
            Projection::Up => "MLP up",
            Projection::Down => "MLP down",
            Projection::SharedGateUp => "shared experts gate+up",
            Projection::SharedUp => "shared experts up",
            Projection::SharedDown => "shared experts down",
            Projection::Latent => "latent MoE projection",
            Projection::MambaIn => "Mamba2 input projection",
            Projection::CompressedDown => "query/KV down-projection",
            Projection::CompressedQuery => "query up-projection",
            Projection::GroupedOutput => "grouped output projection",
            Projection::Compressor => "KV compressor",
            Projection::IndexerQuery => "indexer query projection",
            Projection::IndexerWeights => "indexer head weights",
            Projection::HyperConnection => "hyper-connection mixing",
            Projection::Router => "router",
            Projection::HeadGate => "head-wise output gate",
            Projection::LmHead => "LM head",
        }
    }

    /// Kept in 16 bits whatever the weights' precision (`memory::weights`: routers, the LM
    /// head and DeepSeek-V4's compressors, indexer head weights and hyper-connections are not
    /// quantised).
    pub fn unquantised(self) -> bool {
        matches!(
            self,
            Projection::Router
                | Projection::LmHead
                | Projection::Compressor
                | Projection::IndexerWeights
                | Projection::HyperConnection
        )
    }
}

/// One GEMM shape of a stage on one GPU, after tensor parallelism: `Y[m×n] = X[m×k]·W[k×n]`,
/// run `count` times per step (once per layer that has it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gemm {
    pub projection: Projection,
    /// Output features on this GPU.
    pub n: f64,
    /// Input features on this GPU.
    pub k: f64,
    pub count: u32,
}

/// The GEMMs of a stage holding `stage` (and the LM head when `lm_head`) on one GPU of a
/// `tp`-way tensor-parallel group, identical shapes merged: the shapes behind
/// `StageCompute::per_tp`'s `matmul_params` and `lm_head_params` (their `n·k·count` sum to
/// those, but for Gemma 4's key-only layers, which run no value projection), split as
/// `per_tp` splits them. Biases are left out (a vector add inside the GEMM).
pub fn stage_gemms(model: &ModelSpec, stage: &[Layer], lm_head: bool, tp: u32) -> Vec<Gemm> {
    let tp = tp.max(1) as f64;
    let h = model.hidden_size as f64;
    let mut gemms: Vec<Gemm> = Vec::new();
    let mut add = |projection: Projection, n: f64, k: f64| {
        match gemms.iter_mut().find(|g| g.projection == projection && g.n == n && g.k == k) {
            Some(g) => g.count += 1,
            None => gemms.push(Gemm { projection, n, k, count: 1 }),
        }
    };
    for layer in stage {
        match layer.attention {
            Attention::Gqa { heads, kv_heads, head_dim, values_from_keys, indexer, .. } => {
                let d = head_dim as f64;
                let q = heads as f64 / tp;
                let kv = (kv_heads as f64 / tp).max(1.0);
                let kv_matrices = if values_from_keys { 1.0 } else { 2.0 };
                // MiniMax-M3's block indexer: its queries, key (and value) fused into the QKV
                // GEMM (SGLang 0.5.23 `models/minimax_m3.py`, `fused_qkv_index_proj`), its
                // `index_o_proj` (with index values) a second output projection.
                let (index_in, index_out) = indexer.and_then(|i| i.minimax_widths(tp as u32)).unwrap_or((0.0, 0.0));
                add(Projection::Qkv, (q + kv_matrices * kv) * d + index_in, h);
                add(Projection::Output, h, q * d);
                if index_out > 0.0 {
                    add(Projection::Output, h, index_out);
                }
            }
            Attention::Mla(m) => {
                let hh = m.heads as f64 / tp;
                let (qk, v, r, rope) =
                    (m.qk_head_dim() as f64, m.v_head_dim as f64, m.kv_lora_rank as f64, m.qk_rope_head_dim as f64);
                match m.q_lora_rank {
                    Some(qr) => {
                        add(Projection::MlaDown, qr as f64 + r + rope, h);
                        add(Projection::MlaQuery, hh * qk, qr as f64);
                    }
                    None => {
                        add(Projection::MlaQuery, hh * qk, h);
                        add(Projection::MlaKvDown, r + rope, h);
                    }
                }
                add(Projection::MlaKvUp, hh * (m.qk_nope_head_dim as f64 + v), r);
                if m.output_gate {
                    add(Projection::OutputGate, hh * v, h);
                }
                add(Projection::Output, h, hh * v);
            }
            // Linear attention: the input projection and the output projection; its recurrent
            // step is no GEMM (`recurrent_flops_per_token`). Gated DeltaNet's input projection
            // holds queries, keys, values, gate, beta and alpha; Kimi Delta Attention's fuses
            // queries, keys, values and a full-rank gate (SGLang 0.5.23 `models/kimi_k3.py`,
            // `fused_qkvg_proj`) and runs beta with the replicated gate down-projections
            // (`_bfa_w`: `[f_a | b]`), then the gate up-projections.
            Attention::Linear(l) => {
                let (k, v, heads) = (l.keys() as f64, l.values() as f64, l.value_heads as f64);
                match l.gates {
                    LinearGates::GatedDeltaNet => add(Projection::Qkv, (2.0 * k + 2.0 * v + 2.0 * heads) / tp, h),
                    LinearGates::Kda { rank, full_rank_output_gate } => {
                        let (r, gate) = (rank as f64, if full_rank_output_gate { v } else { 0.0 });
                        add(Projection::Qkv, (2.0 * k + v + gate) / tp, h);
                        add(Projection::KdaGateDown, l.replicated_projection_params(model.hidden_size) as f64 / h + heads / tp, h);
                        add(Projection::KdaGateUp, k / tp, r);
                        if !full_rank_output_gate {
                            add(Projection::KdaGateUp, v / tp, r);
                        }
                    }
                }
                add(Projection::Output, h, v / tp);
            }
            Attention::GqaDims(g) => {
                let (q, kv) = (g.heads as f64 / tp, (g.kv_heads as f64 / tp).max(1.0));
                add(Projection::Qkv, g.qkv_width(q, kv), h);
                if g.head_gate {
                    add(Projection::HeadGate, g.gate_width(q), h);
                }
                add(Projection::Output, h, g.output_width(q));
            }
            // Mamba2: `in_proj` and `out_proj`; its scan is no GEMM (`recurrent_flops_per_token`).
            Attention::Mamba2(m) => {
                add(Projection::MambaIn, m.in_proj_width_per_gpu(tp as u32), h);
                add(Projection::Output, h, m.intermediate() as f64 / tp);
            }
            Attention::None => {}
            Attention::Compressed(a) => compressed_gemms(&a, h, tp, &mut add),
        }
        match layer.ffn {
            FeedForward::Dense(d) => {
                let i = d.intermediate as f64 / tp;
                add(if d.gated { Projection::GateUp } else { Projection::Up }, if d.gated { 2.0 * i } else { i }, h);
                add(Projection::Down, h, i);
            }
            FeedForward::Moe(m) => {
                if m.shared_intermediate > 0 {
                    let i = m.shared_intermediate as f64 / tp;
                    add(if m.gated { Projection::SharedGateUp } else { Projection::SharedUp }, (m.matrices() - 1) as f64 * i, h);
                    add(Projection::SharedDown, h, i);
                }
                add(Projection::Router, m.experts as f64, h);
                if let Some(latent) = m.latent {
                    add(Projection::Latent, latent as f64, h);
                    add(Projection::Latent, h, latent as f64);
                }
            }
            FeedForward::None => {}
        }
    }
    if lm_head {
        add(Projection::LmHead, model.vocab_size as f64 / tp, h);
    }
    gemms
}

/// A DeepSeek-V4 layer's GEMMs on one GPU (`StageCompute::per_tp` sums their parameters):
/// the fused down-projection, the query up-projection, the grouped output projection as one
/// GEMM over the local groups (`o_groups / tp` blocks of `heads·head_dim / o_groups` inputs), the
/// output projection, the compressors (two series each when overlapping), the indexer's query
/// and head weights, and the two hyper-connections.
fn compressed_gemms(a: &CompressedAttention, h: f64, tp: f64, add: &mut impl FnMut(Projection, f64, f64)) {
    let (d, heads, groups) = (a.head_dim as f64, a.heads as f64, a.o_groups as f64);
    let (q_lora, o_lora) = (a.q_lora_rank as f64, a.o_lora_rank as f64);
    add(Projection::CompressedDown, q_lora + d, h);
    add(Projection::CompressedQuery, heads / tp * d, q_lora);
    add(Projection::GroupedOutput, groups / tp * o_lora, heads * d / groups);
    add(Projection::Output, h, groups / tp * o_lora);
    let series = |overlap: bool| if overlap { 2.0 } else { 1.0 };
    if a.ratio > 0 {
        add(Projection::Compressor, 2.0 * series(a.indexer.is_some()) * d, h);
    }
    if let Some(i) = a.indexer {
        add(Projection::IndexerQuery, i.heads as f64 * i.head_dim as f64, q_lora);
        add(Projection::IndexerWeights, i.heads as f64, h);
        add(Projection::Compressor, 2.0 * series(true) * i.head_dim as f64, h);
    }
    let n = a.streams as f64;
    for _ in 0..2 {
        add(Projection::HyperConnection, (2.0 + n) * n, n * h);
    }
}

/// Other GPUs one token's hidden state goes to per MoE layer, when the experts are shared by
/// several attention groups (`dp > 1`); 0 otherwise.
///
/// The stage's `S = tp·dp` GPUs form `ep` expert-parallel ranks of `S / ep` GPUs, each holding
/// `E / ep` experts split `S / ep` ways. With uniform routing a token's `k` experts touch
/// `ep·(1 − (1 − 1/ep)^k)` ranks on average (one copy per rank, as DeepEP's dispatch), each
/// rank's `S / ep` GPUs need the token, and a `(S − 1)/S` share of them are other GPUs. For
/// `ep = 1` this is `S − 1`: the all-gather of vLLM's data-parallel MoE.
pub fn dispatch_destinations(layout: &Layout, experts_per_token: u32) -> f64 {
    if layout.dp <= 1 {
        return 0.0;
    }
    let s = layout.stage_gpus() as f64;
    let ep = layout.ep.max(1) as f64;
    let ranks = ep * (1.0 - (1.0 - 1.0 / ep).powi(experts_per_token as i32));
    ranks * (s / ep) * (s - 1.0) / s
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::super::model::fixtures::{deepseek_v3, llama_3_1_70b};
    use super::*;

    #[test]
    fn llama_70b_tp8_splits_matmuls_eight_ways() {
        let m = llama_3_1_70b();
        let layout = Layout::new(8, 1, 1, 1, 8).unwrap();
        let c = StageCompute::new(&m, &m.layers, true, &layout);
        // Layers: 80 × (q,o 2·8192·8192 + k,v 2·8192·1024 + MLP 3·8192·28672) = 68.45e9; /8.
        let per_layer = 2.0 * 8192.0 * 8192.0 + 2.0 * 8192.0 * 1024.0 + 3.0 * 8192.0 * 28672.0;
        let expected = 80.0 * per_layer / 8.0;
        assert!((c.matmul_params - expected).abs() / expected < 1e-12, "{} vs {expected}", c.matmul_params);
        assert_eq!(c.lm_head_params, 128256.0 * 8192.0 / 8.0);
        // 4 · 64/8 heads · 128 · 80 layers per pair.
        assert_eq!(c.attention_decode_flops_full, 4.0 * 8.0 * 128.0 * 80.0);
        assert_eq!((c.experts, c.dispatch_destinations, c.window), (0, 0.0, None));
    }

    /// The GEMM shapes are the parameters `per_tp` counts, split the same way.
    #[test]
    fn the_stage_gemms_hold_the_matmul_parameters() {
        use super::super::super::model::fixtures::mixtral_8x7b;
        for (model, tp) in [(llama_3_1_70b(), 8), (llama_3_1_70b(), 1), (deepseek_v3(), 4), (mixtral_8x7b(), 2)] {
            let c = StageCompute::per_tp(&model, &model.layers, true, tp);
            let gemms = stage_gemms(&model, &model.layers, true, tp);
            let sum = |head: bool| -> f64 {
                gemms.iter().filter(|g| (g.projection == Projection::LmHead) == head).map(|g| g.n * g.k * g.count as f64).sum()
            };
            for (what, actual, expected) in [("layers", sum(false), c.matmul_params), ("LM head", sum(true), c.lm_head_params)] {
                let diff = (actual - expected).abs() / expected;
                println!("{} TP {tp} {what}: expected {expected:.6e}, actual {actual:.6e}, tolerance 1e-12", model.name);
                assert!(diff < 1e-12, "{} TP {tp} {what}: expected {expected}, actual {actual}", model.name);
            }
        }
        // Llama 3.1 70B at TP 8: QKV (64/8 + 2·1)·128 = 1280 wide, 80 of them.
        let gemms = stage_gemms(&llama_3_1_70b(), &llama_3_1_70b().layers, false, 8);
        assert_eq!(gemms[0], Gemm { projection: Projection::Qkv, n: 1280.0, k: 8192.0, count: 80 });
        assert_eq!(gemms.len(), 4, "{gemms:?}");
    }

    /// Nemotron 3 Nano at TP 1: 52 layers of one block each (23 Mamba2, 6 attention, 23 MoE);
    /// the Mamba2 state per sequence is 23 × 2,134,016 B (`memory::kv` tests); per token and
    /// Mamba2 layer the recurrent step takes 5 × 64 × 64 × 128 = 2,621,440 flops and the scan
    /// 2 × 128 × 128 × 8 + 2 × 128 × 64 × 64 + 4 × 64 × 64 × 128 = 3,407,872; the GEMMs hold
    /// the matmul parameters but the recurrent step's half-flops.
    #[test]
    fn nemotron_3_nano_stage_compute() {
        let m = crate::model::catalog::lookup("nemotron-3-nano").unwrap().spec;
        let c = StageCompute::per_tp(&m, &m.layers, true, 1);
        assert_eq!((c.layers, c.blocks, c.moe_layers), (52, 52, 23));
        for (what, actual, expected) in [
            ("state bytes per sequence", c.state_bytes_per_sequence, 23.0 * 2_134_016.0),
            ("recurrent flops per token", c.recurrent_flops_per_token, 23.0 * 2_621_440.0),
            ("scan flops per token", c.scan_flops_per_token, 23.0 * 3_407_872.0),
        ] {
            println!("{what}: expected {expected}, actual {actual}, tolerance 0");
            assert_eq!(actual, expected, "{what}");
        }
        let gemms: f64 = stage_gemms(&m, &m.layers, false, 1).iter().map(|g| g.n * g.k * g.count as f64).sum();
        let expected = c.matmul_params - c.recurrent_flops_per_token / 2.0;
        println!("GEMM parameters: expected {expected:.6e}, actual {gemms:.6e}, tolerance 1e-12");
        assert!((gemms - expected).abs() / expected < 1e-12);
    }

    /// Kimi K3 and MiniMax-M3: the GEMMs hold the matmul parameters but the recurrent step's
    /// half-flops, at TP 1 and 8. At TP 8, by hand: a KDA layer's fused `[q, k, v, g]` is
    /// 4 × 12,288 / 8 = 6,144 wide, its replicated `f_a_proj` with its share of `b_proj`
    /// 128 + 96 / 8 = 140, its `f_b_proj` 12,288 / 8 = 1,536 from the 128-wide bottleneck; an MLA
    /// layer's output gate 96 / 8 × 128 = 1,536; a MiniMax-M3 sparse layer's QKV (8 query heads,
    /// one KV head kept whole, one index query head, the index key) (8 + 2 + 1 + 1) × 128 = 1,536,
    /// a full layer's 1,280.
    #[test]
    fn kimi_k3_and_minimax_m3_stage_gemms_hold_their_matmul_parameters() {
        for (id, tp) in [("kimi-k3", 1), ("kimi-k3", 8), ("minimax-m3", 1), ("minimax-m3", 8)] {
            let m = crate::model::catalog::lookup(id).unwrap().spec;
            let c = StageCompute::per_tp(&m, &m.layers, false, tp);
            let gemms: f64 = stage_gemms(&m, &m.layers, false, tp).iter().map(|g| g.n * g.k * g.count as f64).sum();
            let expected = c.matmul_params - c.recurrent_flops_per_token / 2.0;
            println!("{id} TP {tp} GEMM parameters: expected {expected:.6e}, actual {gemms:.6e}, tolerance 1e-12");
            assert!((gemms - expected).abs() / expected < 1e-12, "{id} TP {tp}");
        }
        let gemms = |id: &str| {
            let m = crate::model::catalog::lookup(id).unwrap().spec;
            stage_gemms(&m, &m.layers, false, 8)
        };
        let k3 = gemms("kimi-k3");
        for g in [
            Gemm { projection: Projection::Qkv, n: 6144.0, k: 7168.0, count: 69 },
            Gemm { projection: Projection::KdaGateDown, n: 140.0, k: 7168.0, count: 69 },
            Gemm { projection: Projection::KdaGateUp, n: 1536.0, k: 128.0, count: 69 },
            Gemm { projection: Projection::OutputGate, n: 1536.0, k: 7168.0, count: 24 },
        ] {
            assert!(k3.contains(&g), "{g:?} in {k3:?}");
        }
        let m3 = gemms("minimax-m3");
        for g in [
            Gemm { projection: Projection::Qkv, n: 1280.0, k: 6144.0, count: 3 },
            Gemm { projection: Projection::Qkv, n: 1536.0, k: 6144.0, count: 57 },
        ] {
            assert!(m3.contains(&g), "{g:?} in {m3:?}");
        }
    }

    #[test]
    fn deepseek_mla_decode_uses_the_absorbed_form() {
        let m = deepseek_v3();
        let layout = Layout::new(1, 1, 32, 32, 32).unwrap();
        let c = StageCompute::new(&m, &m.layers, false, &layout);
        // Absorbed: 2·128·576 + 2·128·512 per layer; uncompressed prefill 2·128·192 + 2·128·128.
        assert_eq!(c.attention_decode_flops_full, 61.0 * (2.0 * 128.0 * 576.0 + 2.0 * 128.0 * 512.0));
        assert_eq!(c.attention_prefill_flops_full, 61.0 * (2.0 * 128.0 * 192.0 + 2.0 * 128.0 * 128.0));
        assert_eq!((c.moe_layers, c.experts, c.experts_per_token, c.expert_group_units), (58, 256, 8, 32));
        // 256 experts × 58 layers × 3·7168·2048 over 32 GPUs.
        let expected = 256.0 * 58.0 * 3.0 * 7168.0 * 2048.0 / 32.0;
        assert!((c.expert_params - expected).abs() / expected < 1e-12);
        // Wide EP, 32 ranks, top-8: 32·(1 − (31/32)^8) ≈ 7.17 ranks, 31/32 of them remote.
        let ranks = 32.0 * (1.0 - (31.0f64 / 32.0).powi(8));
        assert!((c.dispatch_destinations - ranks * 31.0 / 32.0).abs() < 1e-12);
    }
}
