//! The step model by operation: each operation of a pipeline stage's step — the QKV, output,
//! MLP and shared-expert projections, the router, the LM head, decode and prefill attention,
//! the routed experts, the TP all-reduce and the EP all-to-all — timed from the measured
//! utilisation of its kernel at its shape (`kernels`, `tools/distil/FORMAT.md`) where the
//! scenario's GPU and engine have a table that covers it. Every kind of operation no table
//! covers keeps the roofline of `step` with the fitted efficiencies (`Uncovered` says why).
//!
//! Design decision: the tables are read once per search and once per layout, never per step.
//! `KernelPlan::new` picks, per scenario, the tables that match the weights' and the KV cache's
//! precisions and bridges their holes (`grid::Dense`); `StageOps::new` fixes, per layout, every
//! axis the layout decides (a GEMM's n and k, the heads per GPU, the GPUs of a collective, the
//! MoE shape) and keeps per operation a small curve over the axes the step decides (tokens;
//! sequences and context; bytes) and the coefficients of its F and B. A step then costs one
//! multilinear look-up in log2 and a few multiplications per operation, with no allocation.
//!
//! A kernel takes `max(F/peak, B/hbm)/u`: F and B by FORMAT.md's formulas for its table kind at
//! the real shape (a definition: the table's `u` was computed with exactly these), `peak` and
//! `hbm` the table file's (what `u` was computed against, not the catalog's), `u` linear in
//! log2 of each axis between measured points, clamped outside. Mappings the tables do not
//! carry, as FORMAT.md recommends: another GQA ratio takes B at the model's KV heads, decode with
//! grouped queries looking `u` up at the batch that reads as many KV bytes in the table's heads
//! (`AttentionOp::batch_scale`), prefill and one query head per KV head at the same batch; a head dim other than 64/128 takes the nearest table with F and B at the
//! real one (key and value heads of their own sizes: at their mean, which FORMAT.md's GQA
//! formulas are linear in); a MoE shape not measured takes the nearest row (hidden, expert
//! width, E/k) at the same tokens per expert, scaled by the `moe_routing` ratios for the
//! routing skew and for an ep other than the row's, the row's own wait for its most loaded
//! rank taken from `moe_rank_load` at its experts per rank (`ExpertOp::routing_factor`);
//! sliding-window layers are timed at min(context, window).

use super::super::gpu::Cluster;
use super::super::kernels::grid::{Between, Dense, Grid};
use super::super::kernels::{KernelTables, Table};
use super::super::layout::Layout;
use super::super::memory::kv;
use super::super::model::{Attention, FeedForward, Layer, ModelSpec};
use super::super::precision::{KvPrecision, Precisions, WeightPrecision};
use super::load::{stage_gemms, Gemm, StageCompute};
use super::comm::ACTIVATION_BYTES;

/// The routing skew every `moe` table was measured at (`dist=power_law_1.01`, FORMAT.md).
pub const ROUTING_MEASURED: f64 = 1.01;
/// The skewed routing the `moe_routing` tables compare with it (`dist=power_law_1.2`); the
/// other one, `balanced`, stands at skew 0.
pub const ROUTING_SKEWED: f64 = 1.2;

/// Query heads per KV head of every GQA attention table (`gqa=8`, FORMAT.md): the table's
/// KV heads at `h` query heads are `ceil(h / 8)`.
const GQA_TABLE: f64 = 8.0;

/// Why the roofline times a kind of operation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Uncovered {
    /// The stage runs no such operation (no experts, no TP, no dispatch).
    Absent,
    /// No tables for this GPU and engine (the reason is the scenario's: `absent_reason`).
    NoTables,
    /// The tables have no `kind` table for this precision or shape (`what`).
    NoTable { kind: &'static str, what: &'static str },
    /// A collective over more GPUs than the tables measured in one node, or across the
    /// scale-up domain.
    Group { gpus: u32, measured: u32 },
}

impl Uncovered {
    /// In words, after "roofline: ".
    pub fn describe(&self, tables: Option<&KernelTables>, no_tables: &str) -> String {
        let file = tables.map_or(String::new(), |t| format!(" in {}.{}", t.system, t.engine));
        match *self {
            Uncovered::Absent => "not run".into(),
            Uncovered::NoTables => no_tables.into(),
            Uncovered::NoTable { kind, what } => format!("no {kind} table for {what}{file}"),
            Uncovered::Group { gpus, measured } => {
                format!("{gpus} GPUs, beyond the {measured} of one node the collective tables measured")
            }
        }
    }
}

/// Bytes per activation and per weight element of a table dtype (FORMAT.md, "Bytes per
/// element"): fp32 scales per 1×128 activation tile and 128×128 weight block for `fp8_block`,
/// one fp8 scale per 16 values for `nvfp4`, one 8-bit scale per 32 weights for `w4a16_mxfp4`.
fn dtype_bytes(dtype: &str) -> (f64, f64) {
    match dtype {
        "fp8" => (1.0, 1.0),
        "fp8_block" => (1.0 + 4.0 / 128.0, 1.0 + 4.0 / (128.0 * 128.0)),
        "nvfp4" => (0.5 + 1.0 / 16.0, 0.5 + 1.0 / 16.0),
        "w4a16_mxfp4" => (2.0, 0.5 + 1.0 / 32.0),
        _ => (2.0, 2.0),
    }
}

/// The `gemm` dtypes that run the weights' precision, preferred first: fp8 per-tensor, else
/// 128×128 blocks; fp4 as NVFP4 (Blackwell). Integer formats have no table.
fn gemm_dtypes(w: WeightPrecision) -> &'static [&'static str] {
    match w {
        WeightPrecision::Bf16 | WeightPrecision::Fp16 => &["bf16"],
        WeightPrecision::Fp8 => &["fp8", "fp8_block"],
        WeightPrecision::Fp4 => &["nvfp4"],
        WeightPrecision::Int8 | WeightPrecision::Int4 => &[],
    }
}

/// The `moe` dtypes for the weights' precision: as `gemm_dtypes`, and MXFP4 experts (gpt-oss)
/// for fp4 where no NVFP4 row is measured (Hopper).
fn moe_dtypes(w: WeightPrecision) -> &'static [&'static str] {
    match w {
        WeightPrecision::Fp4 => &["nvfp4", "w4a16_mxfp4"],
        other => gemm_dtypes(other),
    }
}

/// The `gemm` dtype whose table times the GEMM part of a `moe` dtype (`ExpertOp::time`): the
/// same, except MXFP4 experts with 16-bit activations (`w4a16_mxfp4`), whose kernel dequantises the weights
/// and multiplies in bf16 (its `moe` rows' rate is bf16): the bf16 table, with F and B at the
/// MXFP4 weights' bytes.
fn expert_gemm_dtype(moe_dtype: &str) -> &str {
    match moe_dtype {
        "w4a16_mxfp4" => "bf16",
        other => other,
    }
}

/// The attention tables' `kv=` for the KV cache's precision (no table for int8).
fn kv_dtype(kv: KvPrecision) -> Option<&'static str> {
    match kv {
        KvPrecision::Bf16 | KvPrecision::Fp16 => Some("bf16"),
        KvPrecision::Fp8 => Some("fp8"),
        KvPrecision::Int8 => None,
    }
}

/// Why DeepSeek-V4's attention is the roofline's: the `mla_ctx` / `mla_gen` tables measure
/// DeepSeek-V3's 576-wide latent read whole, not a window plus compressed entries of a
/// 512-wide head read through FlashMLA's sparse kernel (SGLang 0.5.23 `deepseek_v4_backend.py`).
pub const COMPRESSED_ATTENTION: Uncovered = Uncovered::NoTable {
    kind: "attention",
    what: "DeepSeek-V4's window and compressed entries (the MLA tables measure DeepSeek-V3's whole latent)",
};

/// One table ready to be fixed at a layout's shape.
#[derive(Debug, Clone)]
struct Source {
    /// Its index in `KernelTables::tables`.
    table: usize,
    dense: Dense,
    /// The file's peak for the table's rate (0 for collectives).
    peak: f64,
    /// Bytes per activation and weight element of its dtype.
    bytes: (f64, f64),
}

impl Source {
    fn new(tables: &KernelTables, index: usize, between: Between) -> Option<Source> {
        let t = &tables.tables[index];
        let peak = t.rate.as_deref().map_or(Some(0.0), |r| tables.peak(r))?;
        Some(Source { table: index, dense: t.grid.dense(between)?, peak, bytes: dtype_bytes(t.attr("dtype").unwrap_or("")) })
    }

    /// The most GPUs of its first axis (collectives: `gpus`).
    fn measured_gpus(&self) -> u32 {
        self.dense.axes[0].last().map_or(0, |l| l.exp2().round() as u32)
    }
}

/// The first table of `kind` with every attribute of `attrs`, ready.
fn first(tables: &KernelTables, kind: &str, attrs: &[(&str, &str)], between: Between) -> Option<Source> {
    let index = tables.tables.iter().position(|t| t.kind == kind && attrs.iter().all(|(k, v)| t.attr(k) == Some(*v)))?;
    Source::new(tables, index, between)
}

/// An attention table: GQA (`attn_ctx`, `attn_gen`, by head dim) or MLA (`mla_ctx`, `mla_gen`).
#[derive(Debug, Clone)]
struct AttentionTable {
    prefill: bool,
    mla: bool,
    /// Head dim (`d=`) of a GQA table.
    head_dim: f64,
    source: Source,
}

/// A `moe` row of the weights' dtype.
#[derive(Debug, Clone)]
struct MoeRow {
    hidden: f64,
    inter: f64,
    topk: f64,
    experts: f64,
    /// The expert parallelism it was measured at.
    ep: f64,
    source: Source,
}

/// The tables one scenario's search uses: those of its GPU and engine that match the weights'
/// and the KV cache's precisions, holes bridged. Built once per search (`evaluate::Evaluator`).
#[derive(Debug, Clone)]
pub struct KernelPlan {
    hbm: f64,
    link: f64,
    /// Every GEMM of the weights' precision; `Err` when no table runs it.
    gemm: Result<Source, Uncovered>,
    /// The 16-bit GEMMs (router, LM head).
    gemm_unquantised: Option<Source>,
    /// The KV cache's attention tables; `kv` its `kv=` value.
    attention: Vec<AttentionTable>,
    kv: Result<&'static str, Uncovered>,
    /// The rows of the first MoE dtype with any, and that dtype.
    moe: Vec<MoeRow>,
    moe_dtype: Result<&'static str, Uncovered>,
    /// The `gemm` table that times the experts' GEMM part (`expert_gemm_dtype`), if any.
    expert_gemm: Option<Source>,
    /// `moe_routing` ratios against the measured routing, over (`ep`, `tokens`): `balanced`
    /// and `power_law_1.2`.
    routing: [Option<Dense>; 2],
    /// `moe_rank_load`: the `balanced` ratio at the rows' ep by experts per rank, over
    /// (`local`, `tokens`), and that ep.
    rank_load: Option<(Dense, f64)>,
    /// The engine's all-reduce and NCCL's, whichever is faster per message.
    all_reduce: Vec<Source>,
    all_to_all: Option<Source>,
}

impl KernelPlan {
    /// The tables of `tables` that `model` at `precision` can use (no MoE tables for a dense
    /// model, no MLA tables for a GQA one, and the reverse).
    pub fn new(tables: &KernelTables, precision: Precisions, model: &ModelSpec) -> KernelPlan {
        let lin = Between::Linear;
        let moe_model = model.is_moe();
        let has = |mla: bool| model.layers.iter().any(|l| matches!(l.attention, Attention::Mla(_)) == mla);
        let weights = precision.weights;
        let gemm = gemm_dtypes(weights)
            .iter()
            .find_map(|d| first(tables, "gemm", &[("dtype", d)], lin))
            .ok_or(Uncovered::NoTable { kind: "gemm", what: weights.id() });
        let kv = kv_dtype(precision.kv).ok_or(Uncovered::NoTable { kind: "attention", what: precision.kv.id() });
        let mut attention = Vec::new();
        for (index, t) in tables.tables.iter().enumerate() {
            let (prefill, mla) = match t.kind.as_str() {
                "attn_ctx" => (true, false),
                "attn_gen" => (false, false),
                "mla_ctx" => (true, true),
                "mla_gen" => (false, true),
                _ => continue,
            };
            // MLA's prefill kernel runs on the up-projected keys and values (16-bit) whatever
            // the cache's precision: its one table, `kv=bf16`, serves every cache.
            let kv_matches = (mla && prefill) || kv.ok() == t.attr("kv");
            if !kv_matches || t.attr("q") != Some("bf16") || !has(mla) {
                continue;
            }
            let head_dim = t.number("d").unwrap_or(0.0);
            if let Some(source) = Source::new(tables, index, lin) {
                attention.push(AttentionTable { prefill, mla, head_dim, source });
            }
        }
        let dtypes = moe_dtypes(weights);
        let rows = |dtype: &str| -> Vec<MoeRow> {
            let mut rows = Vec::new();
            for (index, t) in tables.tables.iter().enumerate() {
                let number = |key: &str| t.number(key);
                let shape = (number("hidden"), number("inter"), number("topk"), number("experts"), number("ep"));
                let (Some(hidden), Some(inter), Some(topk), Some(experts), Some(ep)) = shape else { continue };
                if t.kind != "moe" || t.attr("dtype") != Some(dtype) {
                    continue;
                }
                if let Some(source) = Source::new(tables, index, lin) {
                    rows.push(MoeRow { hidden, inter, topk, experts, ep, source });
                }
            }
            rows
        };
        let (moe, moe_dtype) = match dtypes.iter().filter(|_| moe_model).map(|d| (rows(d), *d)).find(|(r, _)| !r.is_empty()) {
            Some((rows, dtype)) => (rows, Ok(dtype)),
            None => (Vec::new(), Err(Uncovered::NoTable { kind: "moe", what: weights.id() })),
        };
        let expert_gemm = moe_dtype.ok().and_then(|d| first(tables, "gemm", &[("dtype", expert_gemm_dtype(d))], lin));
        let routing = ["balanced", "power_law_1.2"].map(|dist| {
            let index = tables.tables.iter().position(|t| t.kind == "moe_routing" && t.attr("dist") == Some(dist))?;
            tables.tables[index].grid.dense(lin).filter(|_| moe_model)
        });
        let rank_load = tables.tables.iter().find(|t| t.kind == "moe_rank_load" && t.attr("dist") == Some("balanced"));
        let rank_load = rank_load.and_then(|t| Some((t.grid.dense(lin)?, t.number("ep")?))).filter(|_| moe_model);
        let log = Between::Logarithmic;
        let all_reduce = [("custom_ar", "all_reduce"), ("nccl", "all_reduce")]
            .iter()
            .filter_map(|(kind, op)| first(tables, kind, &[("op", op)], log))
            .collect();
        KernelPlan {
            hbm: tables.hbm,
            link: tables.link,
            gemm,
            gemm_unquantised: first(tables, "gemm", &[("dtype", "bf16")], lin),
            attention,
            kv,
            moe,
            moe_dtype,
            expert_gemm,
            routing,
            rank_load,
            all_reduce,
            all_to_all: first(tables, "nccl", &[("op", "alltoall")], log).filter(|_| moe_model),
        }
    }
}

/// A GEMM of the stage, timed from its table: `count` calls of `n × k` weights.
#[derive(Debug, Clone, PartialEq)]
pub struct GemmOp {
    pub gemm: Gemm,
    pub table: usize,
    /// u over log2(m).
    u: Dense,
    /// Seconds of F/peak per token, of B/hbm per token and of B/hbm for the weights, all calls.
    compute: f64,
    memory_per_token: f64,
    memory_fixed: f64,
}

impl GemmOp {
    fn new(gemm: Gemm, source: &Source, hbm: f64) -> GemmOp {
        let (n, k, count) = (gemm.n, gemm.k, gemm.count as f64);
        let (a, w) = source.bytes;
        // FORMAT.md `gemm`: F = 2·m·n·k; B = m·k·a + n·k·w + 2·m·n.
        GemmOp {
            gemm,
            table: source.table,
            u: source.dense.fix(n).fix(k),
            compute: count * 2.0 * n * k / source.peak,
            memory_per_token: count * (k * a + 2.0 * n) / hbm,
            memory_fixed: count * n * k * w / hbm,
        }
    }

    /// (compute, memory) seconds of all calls at `m` tokens; the time is their max.
    pub fn time(&self, m: f64) -> (f64, f64) {
        if m <= 0.0 {
            return (0.0, 0.0);
        }
        let u = self.u.at(&[m.log2()]);
        (self.compute * m / u, (self.memory_fixed + self.memory_per_token * m) / u)
    }
}

/// What an attention operation runs, for its description.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AttentionShape {
    pub mla: bool,
    /// Query heads on this GPU and (GQA) KV heads on this GPU.
    pub heads: f64,
    pub kv_heads: f64,
    /// GQA: the table's KV heads at the heads it is read at (`ceil(h/8)`, h clamped to its grid).
    pub table_kv_heads: f64,
    /// The model's head dim (GQA; the mean of the key and value sizes where they differ,
    /// `GqaDims::mean_head_dim`) and the table's.
    pub head_dim: f64,
    pub table_head_dim: f64,
    /// The key and value head sizes whose mean `head_dim` is, when they differ (`GqaDims`).
    pub key_value_dims: Option<(u32, u32)>,
}

/// Decode or prefill attention of the stage's layers of one shape and window.
#[derive(Debug, Clone, PartialEq)]
pub struct AttentionOp {
    pub layers: u32,
    /// Sliding-window layers attend to at most this many tokens, sparse-attention layers to
    /// the top-k their indexer picks (`sparse`).
    pub window: Option<f64>,
    pub sparse: bool,
    pub prefill: bool,
    pub table: usize,
    pub shape: AttentionShape,
    /// u over (log2 b, log2 s), heads fixed.
    u: Dense,
    /// The table batch with as many KV bytes as one of this op's sequences: the model's KV heads
    /// per GPU over the table's `ceil(h/8)`, for GQA decode with ≥ 2 query heads per KV head
    /// (FORMAT.md, "Axes the tables do not carry"); 1 for prefill, MLA and one query head per
    /// KV head.
    pub batch_scale: f64,
    /// Seconds of F/peak per b·s and per b·s², of B/hbm per b·s and per b, all layers.
    flops_bs: f64,
    flops_bss: f64,
    bytes_bs: f64,
    bytes_b: f64,
}

impl AttentionOp {
    /// The table's batch and length for `tokens` decoding at `context` cached tokens, or
    /// `tokens` prompt tokens attending to `context` keys on average (FORMAT.md `attn_ctx`
    /// measures whole causal prompts of `s` tokens, whose mean is `(s + 1)/2` keys).
    pub fn batch_and_length(&self, tokens: f64, context: f64) -> (f64, f64) {
        let context = self.window.map_or(context, |w| context.min(w));
        if self.prefill {
            let s = (2.0 * context - 1.0).max(1.0);
            (tokens / s, s)
        } else {
            (tokens, context)
        }
    }

    /// (compute, memory) seconds of all layers for a table batch `b` of length `s`.
    pub fn time(&self, b: f64, s: f64) -> (f64, f64) {
        if b <= 0.0 || s <= 0.0 {
            return (0.0, 0.0);
        }
        let u = self.u.at(&[(b * self.batch_scale).log2(), s.log2()]);
        ((self.flops_bs * b * s + self.flops_bss * b * s * s) / u, (self.bytes_bs * b * s + self.bytes_b * b) / u)
    }
}

/// The routed experts of the stage's MoE layers on one GPU.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpertOp {
    pub layers: u32,
    pub table: usize,
    /// Tokens of the measured row with the same tokens per expert as one token here, and the
    /// experts' share one token goes to (k/E).
    pub to_row: f64,
    pub share: f64,
    /// The expert width on this GPU and the experts it holds.
    pub width: f64,
    pub local_experts: f64,
    /// u and the routing ratios (`balanced`, `power_law_1.2`) at this layout's ep, over log2
    /// of the row's tokens; the `balanced` ratio of the row itself: `moe_rank_load` at the
    /// row's experts per rank where the file has it, else the `moe_routing` median at its ep.
    u: Dense,
    routing: [Option<Dense>; 2],
    balanced_measured: Option<Dense>,
    /// This layout's ep is the row's: no correction at the measured skew.
    measured_ep: bool,
    /// The row's own work, one layer on one of its GPUs: seconds of F/peak per row token, of
    /// activation B/hbm per row token, of weight B/hbm with every local expert touched; and
    /// ln(1 − k/E) of the row.
    row_work: [f64; 4],
    /// The GEMM table's u (weights' precision) over log2 of the tokens per expert, for a dense
    /// GEMM as large as this GPU's local experts and as the row's (`ExpertOp::time`); `None`
    /// without a GEMM table.
    dense: Option<(Dense, Dense)>,
    /// That GEMM table (`expert_gemm_dtype`), for the trace.
    pub gemm_table: Option<usize>,
    /// Seconds of F/peak and of activation B/hbm per token entering the layer, and of weight
    /// B/hbm with every local expert touched; ln(1 − k/E).
    compute: f64,
    memory_per_token: f64,
    memory_experts: f64,
    ln_untouched: f64,
}

impl ExpertOp {
    /// The routing factor at `skew` (`PerfParams::moe_routing_skew`) for `log2_row_tokens`,
    /// from the `moe_routing` ratios (a ratio the tables lack counts as 1):
    /// - at this layout's ep, the time at `skew` against the measured routing: 1 at the measured
    ///   skew, the `balanced` ratio at 0, the `power_law_1.2` one at 1.2, linear between;
    /// - times, when this ep is not the row's, `balanced(row) / balanced(this ep)`: the row's
    ///   `u` holds the wait for its most loaded rank under the measured routing (`balanced(row)`:
    ///   `moe_rank_load` at the row's experts per rank, 0.24 for one expert per rank at 16384
    ///   tokens on H100, against 0.65 for 32; FORMAT.md), which another
    ///   ep has in another measure. Balanced routing has none, so at skew 0 the time is the
    ///   same for every ep: the row's times its `balanced` ratio.
    pub fn routing_factor(&self, skew: f64, log2_row_tokens: f64) -> f64 {
        let at = |d: &Option<Dense>| d.as_ref().map_or(1.0, |d| d.at(&[log2_row_tokens]));
        let ep = if self.measured_ep { 1.0 } else { at(&self.balanced_measured) / at(&self.routing[0]) };
        let skewed = if skew == ROUTING_MEASURED {
            1.0
        } else if skew < ROUTING_MEASURED {
            1.0 + (at(&self.routing[0]) - 1.0) * (ROUTING_MEASURED - skew.max(0.0)) / ROUTING_MEASURED
        } else {
            1.0 + (at(&self.routing[1]) - 1.0) * (skew.min(ROUTING_SKEWED) - ROUTING_MEASURED) / (ROUTING_SKEWED - ROUTING_MEASURED)
        };
        ep * skewed
    }

    /// (compute, memory) seconds of all MoE layers for `tokens` entering each, and the routing
    /// factor applied. The row's time at the same tokens per expert (its `u`, the routing
    /// factor applied) is split in two: what a dense GEMM as large as the row's local experts
    /// takes for the row's work (the GEMM table of the experts' dtype, `expert_gemm_dtype`), and the rest — the
    /// grouped kernel's fixed costs (routing, permutation, launches, the wait for its slowest
    /// expert), kept as they are. Only the first part scales, with this GPU's work and the dense
    /// GEMM's efficiency at its size. At the row's own split that is the row's time; it matters
    /// where the `moe` tables (measured at expert parallelism 8 only) stand for another split:
    /// a TP-only layout holds every expert on every GPU, so its GEMM part grows with the
    /// experts held, its fixed part does not. Without a GEMM table, the row's `u` at this work.
    ///
    /// Design decision: the GEMM part is one GEMM as large as all local experts, not a batch of
    /// per-expert GEMMs at their thin shapes (n = 2I/tp, k = I/tp for down). The `gemm` tables
    /// time a lone GEMM, which at n 256–1024 cannot fill the GPU and pays its own launch
    /// (nvfp4 on B200: 7.6 µs at n 256, k 1024, m 1, whose work takes 0.02 µs); a grouped kernel
    /// runs its experts side by side. Timed as such a batch, TP-only layouts came out far too
    /// slow (silicon sample: DeepSeek 23.5 → 32.8 %, Kimi 23.9 → 39.5 %; TensorRT-LLM 0.17
    /// Mixtral 7.6 → 14.7 %), and the down projection's k = I/tp (256 for DeepSeek at tp 8) lies
    /// below the tables' first k (1024), so they cannot speak to its short main loop.
    pub fn time(&self, tokens: f64, skew: f64) -> (f64, f64, f64) {
        if tokens <= 0.0 {
            return (0.0, 0.0, 1.0);
        }
        let row_tokens = tokens * self.to_row;
        let at = row_tokens.log2();
        let routing = self.routing_factor(skew, at);
        let touched = 1.0 - (tokens * self.ln_untouched).exp();
        let (compute, memory) = (self.compute * tokens, self.memory_per_token * tokens + self.memory_experts * touched);
        let here = compute.max(memory);
        let [c, m, me, ln_untouched] = self.row_work;
        let row = (c * row_tokens).max(m * row_tokens + me * (1.0 - (row_tokens * ln_untouched).exp()));
        let row_time = routing * row / self.u.at(&[at]);
        let time = match &self.dense {
            Some((dense_here, dense_row)) if row > 0.0 => {
                let per_expert = [(tokens * self.share).log2()];
                let (u_here, u_row) = (dense_here.at(&per_expert).max(f64::MIN_POSITIVE), dense_row.at(&per_expert).max(f64::MIN_POSITIVE));
                let gemm_row = (row / u_row).min(row_time);
                let layers = f64::from(self.layers.max(1));
                layers * (gemm_row * (here / layers / row) * (u_row / u_here) + (row_time - gemm_row))
            }
            _ => routing * here / self.u.at(&[at]),
        };
        let scale = time / here.max(f64::MIN_POSITIVE);
        (compute * scale, memory * scale, routing)
    }
}

/// A collective timed from its tables (the faster where there are two, per message).
#[derive(Debug, Clone, PartialEq)]
pub struct CollectiveOp {
    /// Calls per step.
    pub count: f64,
    /// Bytes each call's message carries per token of the attention group.
    pub bytes_per_token: f64,
    pub gpus: u32,
    /// (table, ln u over log2 bytes) per table.
    curves: Vec<(usize, Dense)>,
    /// The table's `bytes` of a message (the whole buffer, own share included).
    to_buffer: f64,
    /// Bus-bandwidth factor: busbw = factor · bytes / t (nccl-tests' `doc/PERFORMANCE.md`).
    factor: f64,
    link: f64,
}

impl CollectiveOp {
    /// The table's `bytes` for a message of `message` bytes (the buffer holds the GPU's own
    /// share too for an all-to-all).
    pub fn table_bytes(&self, message: f64) -> f64 {
        message * self.to_buffer
    }

    /// Seconds of all calls for `tokens` and the table that sets it: `factor · bytes / (u ·
    /// link)`, below the smallest measured message its time (FORMAT.md, "Collectives").
    pub fn time(&self, tokens: f64) -> (f64, usize) {
        let mut best = (f64::INFINITY, 0);
        for (table, u) in &self.curves {
            let smallest = u.axes[0].first().map_or(1.0, |l| l.exp2());
            let buffer = (tokens * self.bytes_per_token * self.to_buffer).max(smallest);
            let t = self.factor * buffer / (u.at(&[buffer.log2()]) * self.link);
            if t < best.0 {
                best = (t, *table);
            }
        }
        (self.count * best.0, best.1)
    }
}

/// Every operation of a layout's heaviest stage, timed from tables where they cover it
/// (`Err`: the roofline times that kind, and why). Built once per layout (`StageOps::new`).
#[derive(Debug, Clone, PartialEq)]
pub struct StageOps {
    pub gemms: Result<Vec<GemmOp>, Uncovered>,
    pub decode: Result<Vec<AttentionOp>, Uncovered>,
    pub prefill: Result<Vec<AttentionOp>, Uncovered>,
    pub experts: Result<ExpertOp, Uncovered>,
    pub all_reduce: Result<CollectiveOp, Uncovered>,
    pub all_to_all: Result<CollectiveOp, Uncovered>,
}

/// The stage's layers grouped by attention shape and window, with counts.
fn attention_groups(stage: &[Layer]) -> Vec<(Attention, Option<u64>, u32)> {
    let mut groups: Vec<(Attention, Option<u64>, u32)> = Vec::new();
    // Linear-attention and Mamba2 layers attend to no context (their recurrent step is timed
    // apart), nor do layers without a mixer.
    for l in stage.iter().filter(|l| l.attention.attends()) {
        // What a query reads: a window, or a sparse-attention indexer's top-k.
        let span = kv::attention_span(l);
        match groups.iter_mut().find(|g| g.0 == l.attention && g.1 == span) {
            Some(g) => g.2 += 1,
            None => groups.push((l.attention, span, 1)),
        }
    }
    groups
}

impl StageOps {
    /// The operations of one GPU of the stage holding `stage` (and the LM head when
    /// `lm_head`) in `layout` on `cluster`, `compute` its `StageCompute` completed for the
    /// layout.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        plan: &KernelPlan,
        model: &ModelSpec,
        stage: &[Layer],
        lm_head: bool,
        layout: &Layout,
        cluster: &Cluster,
        kv: KvPrecision,
        compute: &StageCompute,
    ) -> StageOps {
        let tp = layout.tp.max(1);
        let gemms = plan.gemm.as_ref().map_err(|e| *e).and_then(|quantised| {
            stage_gemms(model, stage, lm_head, tp)
                .into_iter()
                .map(|g| {
                    let source = if g.projection.unquantised() { plan.gemm_unquantised.as_ref() } else { Some(quantised) };
                    let source = source.ok_or(Uncovered::NoTable { kind: "gemm", what: "bf16" })?;
                    Ok(GemmOp::new(g, source, plan.hbm))
                })
                .collect()
        });
        let groups = attention_groups(stage);
        let attention = |prefill: bool| -> Result<Vec<AttentionOp>, Uncovered> {
            let kv_id = plan.kv?;
            groups.iter().map(|&(a, window, layers)| attention_op(plan, a, window, layers, prefill, tp, kv, kv_id)).collect()
        };
        StageOps {
            gemms,
            decode: attention(false),
            prefill: attention(true),
            experts: expert_op(plan, model, stage, layout, compute),
            all_reduce: all_reduce_op(plan, layout, cluster, compute),
            all_to_all: all_to_all_op(plan, layout, cluster, compute),
        }
    }

    /// Whether any collective is table-timed (the step then sums its communication by part).
    pub fn times_communication(&self) -> bool {
        self.all_reduce.is_ok() || self.all_to_all.is_ok()
    }
}

/// The attention op of `layers` layers of attention `a` (and `window`), from the nearest table.
#[allow(clippy::too_many_arguments)]
fn attention_op(
    plan: &KernelPlan,
    a: Attention,
    window: Option<u64>,
    layers: u32,
    prefill: bool,
    tp: u32,
    kv: KvPrecision,
    kv_id: &'static str,
) -> Result<AttentionOp, Uncovered> {
    let tp = tp as f64;
    let mla = matches!(a, Attention::Mla(_));
    // Key and value heads of their own sizes: FORMAT.md's GQA formulas at their mean
    // (`GqaDims::mean_head_dim`), and the table nearest to it.
    let key_value_dims = match a {
        Attention::GqaDims(g) if g.qk_head_dim != g.v_head_dim => Some((g.qk_head_dim, g.v_head_dim)),
        _ => None,
    };
    let (gqa, model_dim) = match a {
        Attention::Gqa { heads, kv_heads, head_dim, .. } => (Some((heads, kv_heads)), head_dim as f64),
        Attention::GqaDims(g) => (Some((g.heads, g.kv_heads)), g.mean_head_dim()),
        Attention::Mla(_) => (None, 0.0),
        // No attention over the context (`attention_groups` leaves these layers out).
        Attention::Linear(_) | Attention::Mamba2(_) | Attention::None => return Err(Uncovered::Absent),
        // No table measures a query over a window and compressed entries of one 512-wide
        // key-value head (FlashMLA's sparse kernel with its extra cache): the roofline times it.
        Attention::Compressed(_) => return Err(COMPRESSED_ATTENTION),
    };
    let kind = match (mla, prefill) {
        (false, false) => "attn_gen",
        (false, true) => "attn_ctx",
        (true, false) => "mla_gen",
        (true, true) => "mla_ctx",
    };
    let table = plan
        .attention
        .iter()
        .filter(|t| t.prefill == prefill && t.mla == mla)
        .min_by(|x, y| {
            let off = |t: &AttentionTable| if mla { 0.0 } else { (t.head_dim.log2() - model_dim.log2()).abs() };
            off(x).total_cmp(&off(y))
        })
        .ok_or(Uncovered::NoTable { kind, what: kv_id })?;
    let s = &table.source;
    let (l, peak, hbm) = (layers as f64, s.peak, plan.hbm);
    let kv_bytes = kv.bytes();
    let (mut batch_scale, mut table_kv_heads) = (1.0, 0.0);
    let (heads, kv_heads, coefficients) = match (gqa, a) {
        (Some((heads, kv_heads)), _) => {
            let (h, d) = (heads as f64 / tp, model_dim);
            let kvh = (kv_heads as f64 / tp).max(1.0);
            // The table's KV heads at the h it is read at (`Dense::fix` clamps h to the grid).
            let h_read = h.clamp(s.dense.axes[0][0].exp2(), s.dense.axes[0].last().map_or(h, |l| l.exp2()));
            table_kv_heads = (h_read / GQA_TABLE).ceil().max(1.0);
            if !prefill && heads >= 2 * kv_heads {
                batch_scale = kvh / table_kv_heads;
            }
            // FORMAT.md attn_gen: F = 4·b·h·d·s; B = 2·b·s·kv_h·d·kv + 4·b·h·d.
            // attn_ctx: F = 2·b·h·d·s²; B = b·s·d·(2·h·q + 2·kv_h·kv), q = 2 (bf16).
            let c = if prefill {
                [0.0, 2.0 * h * d / peak, d * (2.0 * h * 2.0 + 2.0 * kvh * kv_bytes) / hbm, 0.0]
            } else {
                [4.0 * h * d / peak, 0.0, 2.0 * kvh * d * kv_bytes / hbm, 4.0 * h * d / hbm]
            };
            (h, kvh, c)
        }
        (None, Attention::Mla(m)) => {
            let h = m.heads as f64 / tp;
            let (qk, v, r, latent) = (m.qk_head_dim() as f64, m.v_head_dim as f64, m.kv_lora_rank as f64, m.latent_width() as f64);
            // FORMAT.md mla_ctx (192 = qk, 128 = v): F = b·h·s²·(qk + v); B = 2·b·s·h·(2·qk + 2·v).
            // mla_gen (576 = latent, 512 = r): F = 2·b·h·s·(latent + r); B = b·s·latent·kv + 2·b·h·(latent + r).
            let c = if prefill {
                [0.0, h * (qk + v) / peak, 2.0 * h * (2.0 * qk + 2.0 * v) / hbm, 0.0]
            } else {
                [2.0 * h * (latent + r) / peak, 0.0, latent * kv_bytes / hbm, 2.0 * h * (latent + r) / hbm]
            };
            (h, 0.0, c)
        }
        (None, _) => return Err(Uncovered::Absent),
    };
    Ok(AttentionOp {
        layers,
        window: window.map(|w| w as f64),
        sparse: a.indexer().is_some(),
        prefill,
        table: s.table,
        shape: AttentionShape {
            mla,
            heads,
            kv_heads,
            table_kv_heads,
            head_dim: model_dim,
            table_head_dim: table.head_dim,
            key_value_dims,
        },
        u: s.dense.fix(heads),
        batch_scale,
        flops_bs: l * coefficients[0],
        flops_bss: l * coefficients[1],
        bytes_bs: l * coefficients[2],
        bytes_b: l * coefficients[3],
    })
}

/// The routed experts from the nearest measured row: closest in log2 of the hidden size and of
/// the expert width, then of the sparsity E/k, looked up at the same tokens per expert. Experts
/// split over several GPUs (ep below the stage's GPUs) run at the row's `u` (the tables measured
/// whole experts) with F and B at the width on this GPU.
fn expert_op(
    plan: &KernelPlan,
    model: &ModelSpec,
    stage: &[Layer],
    layout: &Layout,
    c: &StageCompute,
) -> Result<ExpertOp, Uncovered> {
    let moe = stage.iter().find_map(|l| match l.ffn {
        FeedForward::Moe(m) => Some(m),
        FeedForward::Dense(_) | FeedForward::None => None,
    });
    let Some(moe) = moe else { return Err(Uncovered::Absent) };
    plan.moe_dtype?;
    let ep = layout.ep.max(1) as f64;
    let slices = (layout.stage_gpus().max(1) as f64 / ep).max(1.0);
    // A latent MoE's experts read and write the latent, not the hidden state.
    let (h, k, e) = (moe.expert_input(model.hidden_size) as f64, moe.experts_per_token as f64, moe.experts as f64);
    let matrices = moe.matrices() as f64;
    let width = moe.expert_intermediate as f64 / slices;
    let distance = |r: &MoeRow| {
        let d = |a: f64, b: f64| (a.log2() - b.log2()).powi(2);
        (d(r.hidden, h) + d(r.inter, moe.expert_intermediate as f64), d(r.experts / r.topk, e / k))
    };
    let row = plan
        .moe
        .iter()
        .min_by(|a, b| {
            let (x, y) = (distance(a), distance(b));
            x.0.total_cmp(&y.0).then(x.1.total_cmp(&y.1))
        })
        .ok_or(Uncovered::NoTable { kind: "moe", what: "this precision" })?;
    let s = &row.source;
    let (a, w) = s.bytes;
    let l = c.moe_layers as f64;
    // FORMAT.md moe, on this GPU: A = T·k/ep assignments, each through the 3 matrices of an
    // expert `width` wide; F = 2·A·H·I·3; B = touched·3·H·I·w + A·H·(a + 2). A plain expert
    // (Nemotron-H) has 2 matrices: its F and B count 2, at the gated row's `u`.
    let assignments = k / ep;
    // A dense GEMM as large as the local experts, here and in the row (`ExpertOp::time`).
    let dense = plan.expert_gemm.as_ref().map(|g| {
        let dense = |hidden: f64, n: f64| g.dense.fix(n).fix(hidden);
        (dense(h, matrices * width * e / ep), dense(row.hidden, 3.0 * row.inter * row.experts / row.ep))
    });
    let (hr, ir, kr, er, epr) = (row.hidden, row.inter, row.topk, row.experts, row.ep);
    let row_work = [
        2.0 * (kr / epr) * hr * ir * 3.0 / s.peak,
        (kr / epr) * hr * (a + 2.0) / plan.hbm,
        (er / epr) * 3.0 * hr * ir * w / plan.hbm,
        (1.0 - (kr / er).min(1.0)).ln(),
    ];
    Ok(ExpertOp {
        layers: c.moe_layers,
        table: s.table,
        to_row: (k / e) * (row.experts / row.topk),
        share: k / e,
        width,
        local_experts: e / ep,
        u: s.dense.clone(),
        routing: plan.routing.clone().map(|r| r.map(|d| d.fix(ep))),
        balanced_measured: match &plan.rank_load {
            Some((by_local, ep)) if *ep == row.ep => Some(by_local.fix(row.experts / row.ep)),
            _ => plan.routing[0].as_ref().map(|d| d.fix(row.ep)),
        },
        measured_ep: ep == row.ep,
        row_work,
        dense,
        gemm_table: plan.expert_gemm.as_ref().map(|g| g.table),
        compute: l * 2.0 * assignments * h * width * matrices / s.peak,
        memory_per_token: l * assignments * h * (a + 2.0) / plan.hbm,
        memory_experts: l * (e / ep) * matrices * h * width * w / plan.hbm,
        ln_untouched: (1.0 - (k / e).min(1.0)).ln(),
    })
}

/// A collective over `gpus` GPUs from `sources`, if one node of the tables covers it.
fn collective(sources: &[&Source], gpus: u32, cluster: &Cluster) -> Result<Vec<(usize, Dense)>, Uncovered> {
    if sources.is_empty() {
        return Err(Uncovered::NoTable { kind: "collective", what: "this engine" });
    }
    let measured = sources.iter().map(|s| s.measured_gpus()).max().unwrap_or(0);
    if gpus > measured || gpus > cluster.scale_up_group() {
        return Err(Uncovered::Group { gpus, measured });
    }
    Ok(sources.iter().map(|s| (s.table, s.dense.fix(gpus as f64))).collect())
}

/// The TP all-reduce of each block (after attention and after the MLP: two per transformer
/// layer), message tokens × hidden × 2 bytes.
fn all_reduce_op(plan: &KernelPlan, layout: &Layout, cluster: &Cluster, c: &StageCompute) -> Result<CollectiveOp, Uncovered> {
    let n = layout.tp;
    if n <= 1 {
        return Err(Uncovered::Absent);
    }
    let curves = collective(&plan.all_reduce.iter().collect::<Vec<_>>(), n, cluster)?;
    Ok(CollectiveOp {
        count: c.blocks as f64,
        bytes_per_token: c.hidden_size as f64 * ACTIVATION_BYTES,
        gpus: n,
        curves,
        to_buffer: 1.0,
        factor: 2.0 * (n - 1) as f64 / n as f64,
        link: plan.link,
    })
}

/// The EP dispatch and combine of each MoE layer over the stage's GPUs: each GPU sends a token
/// to `dispatch_destinations` others (`load::dispatch_destinations`), 1/tp of the group's
/// tokens per TP rank; the table's buffer also holds the GPU's own share.
fn all_to_all_op(plan: &KernelPlan, layout: &Layout, cluster: &Cluster, c: &StageCompute) -> Result<CollectiveOp, Uncovered> {
    let n = layout.stage_gpus();
    if c.dispatch_destinations <= 0.0 || n <= 1 {
        return Err(Uncovered::Absent);
    }
    let sources: Vec<&Source> = plan.all_to_all.iter().collect();
    let curves = collective(&sources, n, cluster)?;
    let others = (n - 1) as f64 / n as f64;
    Ok(CollectiveOp {
        count: 2.0 * c.moe_layers as f64,
        bytes_per_token: c.hidden_size as f64 * ACTIVATION_BYTES * c.dispatch_destinations / layout.tp.max(1) as f64,
        gpus: n,
        curves,
        to_buffer: 1.0 / others,
        factor: others,
        link: plan.link,
    })
}

/// Where a coordinate falls on a table's axis: "8 measured", "1280 between 1024 and 4096",
/// "3 below the first measured 16: clamped".
fn bracket(name: &str, values: &[f64], x: f64) -> String {
    let close = |v: f64| (v - x).abs() <= 1e-9 * v.abs().max(1.0);
    let shown = |v: f64| if v >= 100.0 || v == v.round() { format!("{v:.0}") } else { format!("{v:.3}") };
    match (values.first(), values.last()) {
        (Some(_), _) if values.iter().any(|&v| close(v)) => format!("{name} {} measured", shown(x)),
        (Some(&lo), _) if x < lo => format!("{name} {} below the first measured {}: clamped", shown(x), shown(lo)),
        (_, Some(&hi)) if x > hi => format!("{name} {} above the last measured {}: clamped", shown(x), shown(hi)),
        _ => {
            let lo = values.iter().rev().find(|&&v| v <= x).copied().unwrap_or(x);
            let hi = values.iter().find(|&&v| v >= x).copied().unwrap_or(x);
            format!("{name} {} between {} and {}", shown(x), shown(lo), shown(hi))
        }
    }
}

/// The values of axis `axis` of `grid` with any number at them: a value whose every cell is a
/// hole (a line the distillation dropped, as L40S's 4- and 8-GPU collectives) was not measured,
/// and the look-up bridges it from its neighbours (`grid::Dense`).
fn measured_values(grid: &Grid, axis: usize) -> Vec<f64> {
    let inner: usize = grid.axes[axis + 1..].iter().map(|a| a.values.len()).product();
    let count = grid.axes[axis].values.len();
    grid.axes[axis]
        .values
        .iter()
        .enumerate()
        .filter(|&(i, _)| grid.values.iter().enumerate().any(|(cell, v)| v.is_some() && (cell / inner) % count == i))
        .map(|(_, &v)| v)
        .collect()
}

/// `<table> (<system>, <engine> <version>): <axis> <where>, …` for a look-up at `point` (one
/// coordinate per axis of the table), placed among the values actually measured.
pub fn describe_lookup(tables: &KernelTables, table: usize, point: &[f64]) -> String {
    let t: &Table = &tables.tables[table];
    let axes: Vec<String> =
        t.grid.axes.iter().zip(point).enumerate().map(|(i, (a, &x))| bracket(&a.name, &measured_values(&t.grid, i), x)).collect();
    format!("{} ({}, {} {}): {}", t.name(), tables.system, tables.engine, tables.engine_version, axes.join(", "))
}

#[cfg(all(test, feature = "kernel-tables"))]
mod tests;
