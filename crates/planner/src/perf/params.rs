//! The few scalars of the performance model that are not physics — how close real kernels,
//! links and engines come to the datasheet, and what a step costs beyond its arithmetic — and
//! the ONE table that declares them.
//!
//! Design decision: each parameter is declared once, in the `perf_params!` invocation below:
//! its field, JSON name (unit in the name), unit, label, meaning, plausible bounds, prior and
//! their sources, whether it belongs to the hardware or to the engine, and which measurements
//! can set it. The invocation writes the table twice over: `PARAMS`, what code reads, and
//! `PARAM_DOCS`, the words the docs print (apart, so the page does not carry them). Everything
//! else derives from those: the `PerfParams` struct the model
//! reads, the vectors the fit moves (`to_array`, `from_array`, `PARAMS[i]` bounds), the
//! scenario's `perf_params` and the records' JSON (`ParamValues`, `ParamOverrides`), the
//! shipped constants (`perf::shipped`), the fallback of a missing fit (`Scope`), which
//! parameters a fit may free (`InformedBy`), the page's labels and `docs/perf-params.md`
//! (`markdown`). Adding a parameter is one entry here plus its fit.
//!
//! The values `prior` returns are PRIORS, chosen from the public figures cited with each, not
//! fitted; the planner uses `perf::fitted::for_gpu`, which returns the shipped fit where
//! measurements exist and says how it falls back where they do not.

use super::super::engine::Engine;
use super::super::error::InputError;
use super::super::gpu::Generation;
use super::super::units::Seconds;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use std::fmt::{self, Write};

/// The unit a parameter is written and shown in; its base unit is a fraction or seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A share of a datasheet figure, 0–1.
    Fraction,
    /// A plain number without a unit (an exponent).
    Number,
    Microseconds,
    Milliseconds,
}

impl Unit {
    /// From this unit to the base unit.
    pub const fn scale(self) -> f64 {
        match self {
            Unit::Fraction | Unit::Number => 1.0,
            Unit::Microseconds => 1e-6,
            Unit::Milliseconds => 1e-3,
        }
    }

    /// The unit as the page and the docs write it after a number (empty for a fraction).
    pub fn symbol(self) -> &'static str {
        match self {
            Unit::Fraction | Unit::Number => "",
            Unit::Microseconds => " µs",
            Unit::Milliseconds => " ms",
        }
    }
}

/// What a parameter describes, which decides where its value comes from when this engine has
/// no fit on this GPU generation but another engine has (`perf::fitted`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The silicon and its fabric: engines on one GPU run similar kernels (cuBLAS / CUTLASS
    /// GEMMs, FlashAttention-style attention, NCCL), so another engine's fit carries over.
    Hardware,
    /// The engine's own software (scheduler, CUDA graphs, kernel choice): another engine's fit
    /// says nothing about it, so it falls back to this engine's prior.
    Engine,
}

/// Which measurements can set a parameter: a fit frees it only when its rows include such a
/// measurement (`calibration::identifiable`); otherwise it would absorb whatever else is off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InformedBy {
    /// Every measurement (every step runs GEMMs and attention, reads HBM, runs sequences).
    Every,
    /// A multi-GPU layout (anything that communicates).
    MultiGpu,
    /// A group that crosses the scale-up domain (communication over the network).
    AcrossScaleUp,
    /// A mixture-of-experts model.
    Moe,
    /// A mixture-of-experts model timed with measured kernel tables (`perf::ops`): the
    /// parameter acts on the table-timed MoE operation only.
    MoeTables,
    /// A fixed load of few requests per replica (`SMALL_BATCH`), or a measured TTFT or TPOT
    /// (a latency isolates the fixed costs of a step): at maximum throughput hundreds of
    /// requests share a step and a fixed per-step cost cannot be told from per-token costs.
    SmallBatch,
    /// A mixture-of-experts model at a small fixed load or with a measured TTFT or TPOT
    /// (`SmallBatch` on a MoE model): a MoE layer's fixed cost is a visible share of a step
    /// only at a few tokens per expert.
    MoeSmallBatch,
    /// A disaggregated run's measured TTFT: its prefill workers' time is timed by the other
    /// parameters, what is left of the TTFT is the KV cache's move to a decode worker.
    DisaggregatedTtft,
}

/// Running requests per replica at or below which a fixed per-step cost is a visible share of
/// a step (`InformedBy::SmallBatch`): a 70B model's weight read takes ~20 ms, so 0.4 ms of
/// overhead is 2 % of it, against ~0.05 % at a few hundred requests, where per-token costs
/// swamp it.
pub const SMALL_BATCH: u32 = 16;

impl InformedBy {
    /// In words, for the docs.
    pub fn describe(self) -> String {
        match self {
            InformedBy::Every => "every measurement".into(),
            InformedBy::MultiGpu => "multi-GPU layouts".into(),
            InformedBy::AcrossScaleUp => "groups across the scale-up domain".into(),
            InformedBy::Moe => "MoE models".into(),
            InformedBy::MoeTables => "MoE models timed with kernel tables".into(),
            InformedBy::SmallBatch => format!("small fixed loads (≤ {SMALL_BATCH} requests per replica) or measured TTFT / TPOT"),
            InformedBy::MoeSmallBatch => format!("MoE models at small fixed loads (≤ {SMALL_BATCH} requests per replica) or with measured TTFT / TPOT"),
            InformedBy::DisaggregatedTtft => "the measured TTFT of disaggregated prefill/decode runs".into(),
        }
    }
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct ParamSpec {
    pub param: Param,
    /// The `PerfParams` field.
    pub field: &'static str,
    /// The name in JSON (the scenario's `perf_params`, the records), unit in the name.
    pub json: &'static str,
    pub unit: Unit,
    /// A short name for the page.
    pub label: &'static str,
    /// Plausible range, in `unit`: fits stay inside it, user values outside it are refused.
    pub bounds: [f64; 2],
    /// The prior for a GPU generation and an engine, in `unit`.
    pub prior: fn(Generation, Engine) -> f64,
    pub scope: Scope,
    pub informed_by: InformedBy,
}

/// What a parameter means and where its bounds and prior come from, in words: the docs'
/// part of the table (`PARAM_DOCS`, in `PARAMS` order), kept apart so that the page, which
/// reads `PARAMS`, does not carry the text (a few KB of its weight).
#[derive(Debug, Clone, Copy)]
pub struct ParamDoc {
    /// The field's documentation.
    pub meaning: &'static str,
    pub bounds_source: &'static str,
    pub prior_source: &'static str,
}

impl ParamSpec {
    /// Lowest plausible value, in the base unit (a fraction, or seconds).
    pub fn lo(&self) -> f64 {
        self.bounds[0] * self.unit.scale()
    }

    /// Highest plausible value, in the base unit.
    pub fn hi(&self) -> f64 {
        self.bounds[1] * self.unit.scale()
    }
}

/// A field's value in the base unit, for the vectors a fit moves.
trait BaseValue: Copy {
    fn base(self) -> f64;
    fn from_base(x: f64) -> Self;
}

impl BaseValue for f64 {
    fn base(self) -> f64 {
        self
    }
    fn from_base(x: f64) -> f64 {
        x
    }
}

impl BaseValue for Seconds {
    fn base(self) -> f64 {
        self.value()
    }
    fn from_base(x: f64) -> Seconds {
        Seconds(x)
    }
}

/// Declares the parameters: the `PerfParams` struct, the `Param` enum and `PARAMS`.
macro_rules! perf_params {
    ($(
        $(#[doc = $doc:literal])+
        $field:ident: $ty:ty => $variant:ident {
            json: $json:literal,
            unit: $unit:ident,
            label: $label:literal,
            bounds: $bounds:expr,
            bounds_source: $bounds_source:literal,
            prior: $prior:expr,
            prior_source: $prior_source:literal,
            scope: $scope:ident,
            informed_by: $informed:ident,
        }
    )+) => {
        /// Efficiencies and fixed costs of one GPU generation under one engine, in base units
        /// (fractions and seconds); declared, with everything said about them, in `PARAMS`.
        #[derive(Debug, Clone, Copy, PartialEq)]
        pub struct PerfParams {
            $( $(#[doc = $doc])+ pub $field: $ty, )+
        }

        /// A parameter, in table order.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Param {
            $( $variant, )+
        }

        /// The table.
        pub const PARAMS: [ParamSpec; PARAM_COUNT] = [$(
            ParamSpec {
                param: Param::$variant,
                field: stringify!($field),
                json: $json,
                unit: Unit::$unit,
                label: $label,
                bounds: $bounds,
                prior: $prior,
                scope: Scope::$scope,
                informed_by: InformedBy::$informed,
            },
        )+];

        /// The table's words, in `PARAMS` order.
        pub const PARAM_DOCS: [ParamDoc; PARAM_COUNT] = [$(
            ParamDoc { meaning: concat!($($doc, "\n"),+), bounds_source: $bounds_source, prior_source: $prior_source },
        )+];

        /// Number of parameters.
        pub const PARAM_COUNT: usize = [$(stringify!($field)),+].len();

        impl PerfParams {
            /// The parameters as a vector in table order (base units).
            pub fn to_array(&self) -> [f64; PARAM_COUNT] {
                [$( BaseValue::base(self.$field), )+]
            }

            /// The inverse of `to_array`.
            pub fn from_array(v: [f64; PARAM_COUNT]) -> PerfParams {
                let mut values = v.into_iter();
                PerfParams { $( $field: <$ty as BaseValue>::from_base(values.next().unwrap_or(0.0)), )+ }
            }
        }
    };
}

use Generation::*;

perf_params! {
    /// Fraction of the dense tensor-core peak (at the weights' compute rate) that the linear
    /// layers (dense GEMMs and the MoE grouped GEMMs) reach when compute-bound, end to end:
    /// the non-GEMM kernels of a layer (norms, activation, rotary, quantisation of
    /// activations) are folded in here.
    gemm_efficiency: f64 => GemmEfficiency {
        json: "gemm_efficiency",
        unit: Fraction,
        label: "GEMM efficiency",
        bounds: [0.2, 0.9],
        bounds_source: "no real kernel sustains more than ~0.9 of a datasheet figure (DeepGEMM's best FP8 GEMMs reach ~0.7 of the H800 peak); an engine below 0.2 would not be used in production",
        prior: |g, _| match g {
            Ampere => 0.6,
            Ada => 0.45,
            Hopper | Blackwell => 0.5,
            Cdna2 | Cdna3 | Cdna4 => 0.4,
            Other => 0.45,
        },
        prior_source: "DeepGEMM (deepseek-ai/DeepGEMM README, 2025): up to ~1350 FP8 TFLOPS on H800, 0.68 of the 1979 dense peak, for its best shapes; cuBLAS BF16 GEMMs on A100 reach ~0.8 of 312 TFLOPS on large square shapes (NVIDIA cuBLAS performance notes). A layer also runs norms, activations and activation quantisation, so the prior is below those: 0.6 Ampere (BF16), 0.5 Hopper / Blackwell (mostly FP8, further from peak), 0.45 Ada (L40S throttles under sustained tensor load; its 362 TFLOPS is a boost-clock figure), 0.4 CDNA (SemiAnalysis \"MI300X vs H100\", Dec 2024: about half of the BF16 peak), 0.45 other",
        scope: Hardware,
        informed_by: Every,
    }
    /// Fraction of the dense bf16 peak that attention kernels (FlashAttention / FlashMLA /
    /// the engine's FMHA) reach when compute-bound.
    attention_efficiency: f64 => AttentionEfficiency {
        json: "attention_efficiency",
        unit: Fraction,
        label: "attention efficiency",
        bounds: [0.15, 0.85],
        bounds_source: "FlashAttention-3 reaches 0.75 of H100 at its best; serving mixes short sequences and causal masks, and an engine below 0.15 would not be used",
        prior: |g, _| match g {
            Ampere | Hopper | Blackwell => 0.5,
            Ada | Cdna2 | Cdna3 | Cdna4 | Other => 0.4,
        },
        prior_source: "FlashAttention-2 (Dao 2023) reaches 50–73 % of A100 peak in the forward pass, FlashAttention-3 (Shah et al. 2024) up to 75 % of H100 (740 TFLOPS FP16) at long sequences, FlashMLA (deepseek-ai/FlashMLA README) 580 TFLOPS on H800 (0.59) compute-bound; serving mixes short sequences and causal masks: 0.5 (0.4 for Ada, CDNA and other)",
        scope: Hardware,
        informed_by: Every,
    }
    /// Fraction of the datasheet HBM bandwidth reached when streaming weights and KV cache.
    hbm_efficiency: f64 => HbmEfficiency {
        json: "hbm_efficiency",
        unit: Fraction,
        label: "HBM efficiency",
        bounds: [0.5, 0.95],
        bounds_source: "FlashMLA reaches ~0.9 of H800's bandwidth in one tuned kernel; below 0.5 a decode kernel would be rewritten",
        prior: |g, _| match g {
            Ampere | Ada | Hopper | Blackwell => 0.8,
            Cdna2 | Cdna3 | Cdna4 | Other => 0.7,
        },
        prior_source: "FlashMLA reports 3000 GB/s memory-bound on H800 (3.35 TB/s), 0.9 for one tuned kernel; weight-streaming GEMMs at small batch reach less: 0.8 NVIDIA, 0.7 CDNA and other (fewer tuned decode kernels; no measurement at hand)",
        scope: Hardware,
        informed_by: Every,
    }
    /// Fraction of the datasheet one-direction link bandwidth (scale-up and scale-out alike)
    /// that collectives reach ("bus bandwidth" in nccl-tests terms).
    link_efficiency: f64 => LinkEfficiency {
        json: "link_efficiency",
        unit: Fraction,
        label: "link efficiency",
        bounds: [0.4, 0.95],
        bounds_source: "nccl-tests bus bandwidth stays below ~0.95 of the link; below 0.4 a fabric is misconfigured",
        prior: |g, _| match g {
            Ampere | Ada | Hopper | Blackwell => 0.8,
            Cdna2 | Cdna3 | Cdna4 | Other => 0.7,
        },
        prior_source: "nccl-tests all_reduce_perf bus bandwidth on 8×H100 NVLink without NVLS is ~360 of 450 GB/s one-direction (0.8); NDR InfiniBand reaches ~46 of 50 GB/s: 0.8 (0.7 CDNA, other)",
        scope: Hardware,
        informed_by: MultiGpu,
    }
    /// Latency of one ring step of a collective over the scale-up fabric (NVLink / xGMI /
    /// PCIe inside a node); a ring all-reduce over n GPUs takes 2(n − 1) of them.
    scale_up_hop_latency: Seconds => ScaleUpHopLatency {
        json: "scale_up_hop_latency_us",
        unit: Microseconds,
        label: "scale-up hop latency",
        bounds: [0.2, 10.0],
        bounds_source: "a NVLink ring step is never below ~0.2 µs nor, in a healthy system, above ~10 µs",
        prior: |g, _| match g {
            Ampere | Hopper | Blackwell => 1.0,
            Ada | Other => 2.0,
            Cdna2 | Cdna3 | Cdna4 => 1.5,
        },
        prior_source: "NCCL's cost model (src/graph/tuning.cc, hwLat) puts a ring step of the low-latency protocol at ~0.6 µs on NVLink and ~1 µs on PCIe: 1 µs for NVLink generations, 2 µs where the scale-up tier is PCIe (Ada: L40S, L4) or unknown, 1.5 µs xGMI",
        scope: Hardware,
        informed_by: MultiGpu,
    }
    /// Latency of one ring step over the scale-out network (InfiniBand / RoCE).
    scale_out_hop_latency: Seconds => ScaleOutHopLatency {
        json: "scale_out_hop_latency_us",
        unit: Microseconds,
        label: "scale-out hop latency",
        bounds: [1.0, 30.0],
        bounds_source: "RDMA one-way latency is ~1–2 µs; a network step above ~30 µs is a congested fabric",
        prior: |_, _| 5.0,
        prior_source: "NCCL's cost model (src/graph/tuning.cc, hwLat): ~2.7 µs per network step plus the launch latency a per-hop model folds in: 5 µs",
        scope: Hardware,
        informed_by: AcrossScaleUp,
    }
    /// Fixed cost of one engine step on a pipeline stage: scheduling, input preparation,
    /// sampling, the CPU work a CUDA graph does not hide.
    step_overhead: Seconds => StepOverhead {
        json: "step_overhead_ms",
        unit: Milliseconds,
        label: "step overhead",
        bounds: [0.0, 10.0],
        bounds_source: "0 (fully hidden) up to 10 ms, the Python-bound vLLM 0.5 measured in the vLLM v0.6.0 blog",
        prior: |_, e| match e {
            Engine::Trtllm => 0.4,
            Engine::Sglang => 0.3,
            Engine::Vllm => 0.6,
        },
        prior_source: "TensorRT-LLM's C++ executor with CUDA graphs 0.4 ms; SGLang's overlapped \"zero-overhead\" scheduler (SGLang v0.4 blog, Dec 2024) 0.3 ms; vLLM 0.6 ms (the vLLM v0.6.0 blog, Sep 2024, measured CPU overhead as the dominant cost of v0.5.3 and cut it with multi-step scheduling and async output processing). Check: with these, the trtllm-bench latency file in data/bench-results/trtllm-bench (Qwen2.5-0.5B BF16, RTX PRO 6000, batch 1, measured TPOT 1.81 ms) is reproduced within 15 % (test prior_matches_trtllm_bench_latency)",
        scope: Engine,
        informed_by: SmallBatch,
    }
    /// Fixed cost per decoder layer per step: the floor of the layer's dozen small kernels
    /// (launch gaps, tails) that does not shrink with the batch.
    layer_overhead: Seconds => LayerOverhead {
        json: "layer_overhead_us",
        unit: Microseconds,
        label: "layer overhead",
        bounds: [0.0, 100.0],
        bounds_source: "0 (fused, graph-captured) up to 100 µs per layer (dozens of unfused kernels)",
        prior: |_, _| 25.0,
        prior_source: "about a dozen kernels per layer at a ~2 µs floor each: 25 µs",
        scope: Engine,
        informed_by: SmallBatch,
    }
    /// Cost per decoding sequence per step: the per-request work of an engine step that is
    /// neither a GEMM nor attention — the sampler's per-request kernels, the scheduler's and
    /// the KV-cache manager's bookkeeping, the detokenizer hand-off. At a batch of 2000 a few
    /// microseconds each are milliseconds per step.
    sequence_overhead: Seconds => SequenceOverhead {
        json: "sequence_overhead_us",
        unit: Microseconds,
        label: "sequence overhead",
        bounds: [0.0, 20.0],
        bounds_source: "a Python loop over requests costs a few µs each; 20 µs per sequence per step would be a pathological scheduler",
        prior: |_, e| match e {
            Engine::Trtllm => 2.0,
            Engine::Sglang => 3.0,
            Engine::Vllm => 5.0,
        },
        prior_source: "no measurement isolates it; an order of magnitude from the engines' architecture: 2 µs TensorRT-LLM's C++ batch manager, 3 µs SGLang's overlapped scheduler, 5 µs vLLM's Python scheduler and sampler bookkeeping",
        scope: Engine,
        informed_by: Every,
    }
    /// Share of `gemm_efficiency` and `hbm_efficiency` that the routed-expert (grouped) GEMMs of
    /// a MoE layer reach: each expert sees only its slice of the batch (top-k of E), so its
    /// GEMM tiles are padded and its weights are streamed by fewer, shorter kernels than one
    /// dense GEMM of the same size; routing (gating, top-k) runs beside them.
    moe_efficiency: f64 => MoeEfficiency {
        json: "moe_efficiency",
        unit: Fraction,
        label: "MoE efficiency",
        bounds: [0.3, 1.0],
        bounds_source: "from 0.3 (a naive loop over experts) to 1 (as good as a dense GEMM)",
        prior: |_, _| 0.8,
        prior_source: "a guess (no public grouped-GEMM against dense-GEMM comparison at hand); the TensorRT-LLM fit sets it from the Mixtral rows. Engine-scoped: the engines' MoE kernels differ (TensorRT-LLM's CUTLASS grouped GEMM, vLLM's and SGLang's Triton fused_moe)",
        scope: Engine,
        informed_by: Moe,
    }
    /// Fixed cost of every collective and send, on top of its per-hop latencies: kernel launch,
    /// the peers' handshake and the protocol's set-up (NCCL's `baseLat`).
    collective_latency: Seconds => CollectiveLatency {
        json: "collective_latency_us",
        unit: Microseconds,
        label: "collective latency",
        bounds: [0.0, 20.0],
        bounds_source: "NCCL's own cost model puts it at 6.6–14 µs (src/graph/tuning.cc, baseLat), plus a kernel launch of ~5 µs",
        prior: |_, _| 8.0,
        prior_source: "NCCL's baseLat for the ring with the Simple protocol (8.4 µs; 6.6 µs LL, 14 µs LL128), the protocol NCCL picks for the megabyte messages of a serving step: 8 µs",
        scope: Hardware,
        informed_by: MultiGpu,
    }
    /// How unevenly the router spreads tokens over the routed experts: the exponent of the
    /// power law AIConfigurator draws expert loads from, 0 for its `balanced` routing (every
    /// expert the same share). Scales the MoE operation timed by the kernel tables, by their
    /// `moe_routing` ratios at the layout's expert parallelism: 1 at 1.01 (the routing every
    /// `moe` table was measured at), the `balanced` ratio at 0, the `power_law_1.2` ratio at
    /// 1.2, linear in between (`perf::ops::ExpertOp::routing_factor`). The roofline's MoE term
    /// does not use it (`moe_efficiency` holds its imbalance).
    moe_routing_skew: f64 => MoeRoutingSkew {
        json: "moe_routing_skew",
        unit: Number,
        label: "MoE routing skew",
        bounds: [0.0, 1.2],
        bounds_source: "0 is AIConfigurator's `balanced` routing, 1.2 its most skewed measured one (`power_law_1.2`); beyond it no measurement to interpolate towards",
        prior: |_, _| 1.01,
        prior_source: "the routing every `moe` table of data/kernels was measured at (`dist=power_law_1.01`, AIConfigurator's default MoE workload), so at the prior the table-timed MoE operation is the table's measured time; real traffic is skewed too (DeepSeek-V3 report §2.1.2 balances experts per batch only approximately), and no measurement at hand says by how much",
        scope: Engine,
        informed_by: MoeTables,
    }
    /// Fraction of the datasheet one-direction link bandwidth that the KV cache's move from a
    /// prefill worker to a decode worker reaches (disaggregated serving, `disagg::transfer`):
    /// point-to-point RDMA or NVLink copies (NIXL, Mooncake), not collectives. A set of values
    /// that does not name it takes `link_efficiency`'s (`UNSET_FOLLOWS`).
    kv_transfer_efficiency: f64 => KvTransferEfficiency {
        json: "kv_transfer_efficiency",
        unit: Fraction,
        label: "KV transfer efficiency",
        bounds: [0.1, 0.95],
        bounds_source: "as link_efficiency above; down to 0.1, since a transfer engine that falls back from RDMA to TCP, or copies through host memory, reaches a small share of the link",
        prior: |g, _| match g {
            Ampere | Ada | Hopper | Blackwell => 0.8,
            Cdna2 | Cdna3 | Cdna4 | Other => 0.7,
        },
        prior_source: "link_efficiency's prior, and where a fit sets link_efficiency without this one, that fit's value (UNSET_FOLLOWS): every plan made before the parameter existed timed the transfer so, and keeps its numbers; a user's disaggregated runs set it (calibration, recalibrate)",
        scope: Hardware,
        informed_by: DisaggregatedTtft,
    }
    /// Fixed cost of a MoE layer's routed-expert kernels per step beyond what a dense MLP's
    /// two GEMMs cost (the layer overhead's share): sorting and aligning the tokens by expert,
    /// the grouped GEMMs' launch and tail, the weighted combine. The roofline streams the
    /// touched experts' weights at the HBM rate, which at a few tokens per step takes a few
    /// microseconds, while the measured kernels take tens. The kernel tables measure it inside
    /// their MoE times, so a table-timed MoE operation does not add it.
    moe_layer_latency: Seconds => MoeLayerLatency {
        json: "moe_layer_latency_us",
        unit: Microseconds,
        label: "MoE layer latency",
        bounds: [0.0, 100.0],
        bounds_source: "0 (a MoE layer as cheap as a dense MLP) up to 100 µs, twice the most a Hopper or Blackwell table measures (SGLang on H200: 39 µs beyond the MLP's share); the A100 tables' MoE kernels take 360–370 µs at one token under vLLM and TensorRT-LLM, six times SGLang's on the same GPU, and are no prior's basis",
        prior: |g, e| match (g, e) {
            (Hopper, Engine::Vllm) => 30.0,
            (Hopper, Engine::Sglang) => 38.8,
            (Hopper, Engine::Trtllm) => 16.9,
            (Blackwell, Engine::Vllm) => 8.6,
            (Blackwell, Engine::Sglang) => 16.0,
            (Blackwell, Engine::Trtllm) => 16.0,
            (_, Engine::Vllm) => 9.5,
            (_, Engine::Sglang) => 16.8,
            (_, Engine::Trtllm) => 16.5,
        },
        prior_source: "the measured kernel tables (data/kernels, NVIDIA AIConfigurator 0.12.0): per table, a MoE layer's time at one token less its touched weights at the HBM peak, less twice the GEMM floor (a GEMM's time at m = 1 less its bytes at the HBM peak, n and k ≤ 4096): the median over each engine's tables on H100 and H200 (Hopper) and on B200, B300, GB200 and GB300 (Blackwell); other generations take the median over all six GPUs (test moe_layer_latency_prior_matches_the_kernel_tables)",
        scope: Engine,
        informed_by: MoeSmallBatch,
    }
}

/// Parameters a set of values (a fit record, a scenario's `perf_params`, a fit that does not
/// free it) may leave unset, each with the parameter whose value it then takes. Design
/// decision: `kv_transfer_efficiency` was timed with `link_efficiency` until measured
/// disaggregated runs could set it; following it wherever the latter comes from (prior, shipped
/// fit per GPU generation, the other engine's fit, a user's value or fit) keeps every existing
/// plan's numbers, and only a set that names it (or a fit that frees it) parts them.
pub const UNSET_FOLLOWS: [(Param, Param); 1] = [(Param::KvTransferEfficiency, Param::LinkEfficiency)];

impl Param {
    /// Its row of the table.
    pub fn spec(self) -> &'static ParamSpec {
        &PARAMS[self as usize]
    }

    /// The parameter whose JSON name is `json`.
    pub fn from_json(json: &str) -> Option<Param> {
        PARAMS.iter().find(|s| s.json == json).map(|s| s.param)
    }
}

/// Every parameter's value in its named unit (`ParamSpec::unit`), in table order: what the
/// records (`data/fitted-params.json`) and the shipped constants hold. In JSON, an object with
/// every `ParamSpec::json` key.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamValues(pub [f64; PARAM_COUNT]);

impl ParamValues {
    pub fn from_params(p: &PerfParams) -> ParamValues {
        let x = p.to_array();
        ParamValues(std::array::from_fn(|i| x[i] / PARAMS[i].unit.scale()))
    }

    pub fn params(&self) -> PerfParams {
        PerfParams::from_array(std::array::from_fn(|i| self.0[i] * PARAMS[i].unit.scale()))
    }
}

/// Some parameters' values in their named units, in table order (`None`: not given): the
/// scenario's `perf_params` (`scenario::PerfParamsInput`).
pub type ParamOverrides = [Option<f64>; PARAM_COUNT];

/// Every parameter's JSON name, in table order: the fields a parameters object may have.
pub const JSON_NAMES: [&str; PARAM_COUNT] = {
    let mut names = [""; PARAM_COUNT];
    let mut i = 0;
    while i < PARAM_COUNT {
        names[i] = PARAMS[i].json;
        i += 1;
    }
    names
};

/// Reads an object key as its index in `names`; an unknown key is an error raised while the
/// key is read, as a derived reader raises it (so a path-tracking reader names the key).
pub struct FieldIndex(pub &'static [&'static str]);

impl<'de> de::DeserializeSeed<'de> for FieldIndex {
    type Value = usize;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl Visitor<'_> for FieldIndex {
    type Value = usize;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }
    fn visit_str<E: de::Error>(self, key: &str) -> Result<usize, E> {
        self.0.iter().position(|name| *name == key).ok_or_else(|| E::unknown_field(key, self.0))
    }
}

impl Serialize for ParamValues {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(PARAM_COUNT))?;
        for (spec, value) in PARAMS.iter().zip(self.0) {
            map.serialize_entry(spec.json, &value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for ParamValues {
    /// An object with every parameter once, by its JSON name, and nothing else; a parameter of
    /// `UNSET_FOLLOWS` may be left out (records written before it existed) and takes its
    /// leader's value.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<ParamValues, D::Error> {
        struct Values;
        impl<'de> Visitor<'de> for Values {
            type Value = ParamValues;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object with every performance parameter")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ParamValues, A::Error> {
                let mut values: ParamOverrides = [None; PARAM_COUNT];
                while let Some(i) = map.next_key_seed(FieldIndex(&JSON_NAMES))? {
                    if values[i].replace(map.next_value()?).is_some() {
                        return Err(de::Error::duplicate_field(JSON_NAMES[i]));
                    }
                }
                for (follower, leader) in UNSET_FOLLOWS {
                    let (f, l) = (follower as usize, leader as usize);
                    values[f] = values[f].or(values[l]);
                }
                let mut out = [0.0; PARAM_COUNT];
                for (i, value) in values.into_iter().enumerate() {
                    out[i] = value.ok_or_else(|| de::Error::missing_field(PARAMS[i].json))?;
                }
                Ok(ParamValues(out))
            }
        }
        deserializer.deserialize_map(Values)
    }
}

/// A bound in a named unit, without the binary noise of a unit conversion (0.2, not
/// 0.19999999999999998).
fn shown(x: f64) -> f64 {
    (x * 1e9).round() / 1e9
}

impl PerfParams {
    /// `self` with the values given in `overrides` (named units) replaced, a parameter of
    /// `UNSET_FOLLOWS` not given taking its leader's given value; an error names
    /// `<prefix>.<json name>` for a value that is not finite or leaves its bounds.
    pub fn with_overrides(&self, overrides: &ParamOverrides, prefix: &str) -> Result<PerfParams, InputError> {
        let mut x = self.to_array();
        for (spec, value) in PARAMS.iter().zip(overrides) {
            let Some(v) = *value else { continue };
            let base = v * spec.unit.scale();
            if !base.is_finite() || base < spec.lo() * (1.0 - 1e-12) || base > spec.hi() * (1.0 + 1e-12) {
                return Err(InputError::new(
                    format!("{prefix}.{}", spec.json),
                    format!("must be between {} and {}, got {v}", shown(spec.bounds[0]), shown(spec.bounds[1])),
                ));
            }
            x[spec.param as usize] = base.clamp(spec.lo(), spec.hi());
        }
        for (follower, leader) in UNSET_FOLLOWS {
            if overrides[follower as usize].is_none() && overrides[leader as usize].is_some() {
                x[follower as usize] = x[leader as usize];
            }
        }
        Ok(PerfParams::from_array(x))
    }

    /// The prior for a GPU generation and an engine (every value and its source in `PARAMS`).
    pub fn prior(generation: Generation, engine: Engine) -> PerfParams {
        PerfParams::from_array(std::array::from_fn(|i| (PARAMS[i].prior)(generation, engine) * PARAMS[i].unit.scale()))
    }

    /// Every value finite and inside its bounds; otherwise an error naming `perf.<field>`.
    pub fn check(&self) -> Result<(), InputError> {
        for (value, spec) in self.to_array().into_iter().zip(PARAMS.iter()) {
            if !value.is_finite() || value < spec.lo() || value > spec.hi() {
                return Err(InputError::new(
                    format!("perf.{}", spec.field),
                    format!("must be between {} and {}, got {value}", spec.lo(), spec.hi()),
                ));
            }
        }
        Ok(())
    }
}

/// `docs/perf-params.md`: the table for readers, written from `PARAMS` (a test keeps the file
/// equal; `calibrate --tables` rewrites it).
pub fn markdown() -> String {
    let mut out = String::from(
        "# The performance model's parameters\n\n\
         GENERATED from the table in `crates/planner/src/perf/params.rs` (`perf::params::markdown`,\n\
         rewritten by `cargo run --release -p planner-cli --bin calibrate -- --tables`); do not edit.\n\n\
         Values are in the unit of their JSON name (a scenario's `perf_params`, `data/fitted-params.json`).\n\
         **Scope** says where a value comes from when this engine has no fit on this GPU generation but\n\
         another engine has: `hardware` parameters take that fit, `engine` parameters this engine's prior.\n\
         **Set by** says which measurements let a fit move it (otherwise it stays at its prior).\n\n\
         | parameter | meaning | bounds | prior | scope | set by |\n\
         | --- | --- | --- | --- | --- | --- |\n",
    );
    for (s, doc) in PARAMS.iter().zip(&PARAM_DOCS) {
        let meaning = doc.meaning.split_whitespace().collect::<Vec<_>>().join(" ");
        let _ = writeln!(
            out,
            "| `{}` ({}) | {} | {}–{}{} | {} | {} | {} |",
            s.json,
            s.label,
            meaning,
            s.bounds[0],
            s.bounds[1],
            s.unit.symbol(),
            prior_cases(s),
            if s.scope == Scope::Hardware { "hardware" } else { "engine" },
            s.informed_by.describe(),
        );
    }
    out.push_str("\n## Sources\n\n");
    for (s, doc) in PARAMS.iter().zip(&PARAM_DOCS) {
        let _ = writeln!(out, "- `{}` — bounds: {}. Prior: {}.", s.json, doc.bounds_source, doc.prior_source);
    }
    out
}

/// The prior's values with the generations and engines each applies to (`0.5 (Hopper,
/// Blackwell)`), or one value when it is the same everywhere.
fn prior_cases(s: &ParamSpec) -> String {
    let mut cases: Vec<(f64, Vec<String>)> = Vec::new();
    for g in Generation::ALL {
        for e in Engine::ALL {
            let v = (s.prior)(g, e);
            let varies_by_engine = Engine::ALL.iter().any(|&o| (s.prior)(g, o) != v);
            let who = if varies_by_engine { e.display_name().to_string() } else { format!("{g:?}") };
            match cases.iter_mut().find(|(x, _)| *x == v) {
                Some((_, names)) if !names.contains(&who) => names.push(who),
                Some(_) => {}
                None => cases.push((v, vec![who])),
            }
        }
    }
    if cases.len() == 1 {
        return format!("{}{}", cases[0].0, s.unit.symbol());
    }
    cases.iter().map(|(v, who)| format!("{v}{} ({})", s.unit.symbol(), who.join(", "))).collect::<Vec<_>>().join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_prior_is_inside_its_bounds() {
        for g in Generation::ALL {
            for e in Engine::ALL {
                let p = PerfParams::prior(g, e);
                assert_eq!(p.check(), Ok(()), "{g:?} {e:?}");
                assert_eq!(PerfParams::from_array(p.to_array()), p);
                assert_eq!(ParamValues::from_params(&p).params(), p);
            }
        }
    }

    #[test]
    fn the_table_names_each_field_once_in_struct_order() {
        for (i, s) in PARAMS.iter().enumerate() {
            assert_eq!(s.param as usize, i, "{}", s.field);
            assert_eq!(Param::from_json(s.json), Some(s.param));
            assert!(s.json.starts_with(s.field), "{}: the JSON name is the field with its unit", s.json);
            let suffix = &s.json[s.field.len()..];
            let expected = match s.unit {
                Unit::Fraction | Unit::Number => "",
                Unit::Microseconds => "_us",
                Unit::Milliseconds => "_ms",
            };
            assert_eq!(suffix, expected, "{}", s.json);
            assert!(s.bounds[0] < s.bounds[1] && !PARAM_DOCS[i].meaning.is_empty() && !s.label.is_empty());
        }
        let mut p = PerfParams::prior(Generation::Hopper, Engine::Vllm);
        p.moe_efficiency = 0.31;
        assert_eq!(p.to_array()[Param::MoeEfficiency as usize], 0.31);
    }

    #[test]
    fn overrides_are_in_named_units_and_checked() {
        let p = PerfParams::prior(Generation::Hopper, Engine::Vllm);
        let mut o: ParamOverrides = [None; PARAM_COUNT];
        o[Param::HbmEfficiency as usize] = Some(0.7);
        o[Param::StepOverhead as usize] = Some(1.5);
        let q = p.with_overrides(&o, "perf_params").unwrap();
        assert_eq!((q.hbm_efficiency, q.step_overhead, q.gemm_efficiency), (0.7, Seconds::from_ms(1.5), p.gemm_efficiency));
        o[Param::ScaleUpHopLatency as usize] = Some(50.0);
        let e = p.with_overrides(&o, "perf_params").unwrap_err();
        assert_eq!(e.field, "perf_params.scale_up_hop_latency_us");
        assert!(e.message.contains("between 0.2 and 10"), "{e}");
        let mut nan: ParamOverrides = [None; PARAM_COUNT];
        nan[0] = Some(f64::NAN);
        assert_eq!(p.with_overrides(&nan, "perf_params").unwrap_err().field, "perf_params.gemm_efficiency");
    }

    /// `kv_transfer_efficiency` follows `link_efficiency` wherever a set of values leaves it
    /// unset, so plans made before it existed keep their numbers; named, it parts from it.
    #[test]
    fn an_unset_transfer_efficiency_follows_the_link_efficiency() {
        for g in Generation::ALL {
            let p = PerfParams::prior(g, Engine::Sglang);
            assert_eq!(p.kv_transfer_efficiency, p.link_efficiency, "{g:?}: the priors differ");
        }
        let p = PerfParams::prior(Generation::Hopper, Engine::Vllm);
        let mut o: ParamOverrides = [None; PARAM_COUNT];
        o[Param::LinkEfficiency as usize] = Some(0.61);
        let q = p.with_overrides(&o, "perf_params").unwrap();
        assert_eq!((q.link_efficiency, q.kv_transfer_efficiency), (0.61, 0.61));
        o[Param::KvTransferEfficiency as usize] = Some(0.3);
        let q = p.with_overrides(&o, "perf_params").unwrap();
        assert_eq!((q.link_efficiency, q.kv_transfer_efficiency), (0.61, 0.3));
        let mut only: ParamOverrides = [None; PARAM_COUNT];
        only[Param::KvTransferEfficiency as usize] = Some(0.25);
        let q = p.with_overrides(&only, "perf_params").unwrap();
        assert_eq!((q.link_efficiency, q.kv_transfer_efficiency), (p.link_efficiency, 0.25));
        // A record written before the parameter existed.
        let mut record = serde_json::to_value(ParamValues::from_params(&q)).unwrap();
        record.as_object_mut().unwrap().remove("kv_transfer_efficiency");
        record["link_efficiency"] = serde_json::json!(0.66);
        let read: ParamValues = serde_json::from_value(record.clone()).unwrap();
        assert_eq!(read.0[Param::KvTransferEfficiency as usize], 0.66);
        record.as_object_mut().unwrap().remove("link_efficiency");
        let missing = serde_json::from_value::<ParamValues>(record).unwrap_err().to_string();
        assert!(missing.contains("link_efficiency"), "{missing}");
    }

    #[test]
    fn out_of_bounds_names_the_field() {
        let mut p = PerfParams::prior(Generation::Hopper, Engine::Vllm);
        p.hbm_efficiency = 1.2;
        assert_eq!(p.check().unwrap_err().field, "perf.hbm_efficiency");
        p.hbm_efficiency = 0.8;
        p.step_overhead = Seconds(f64::NAN);
        assert_eq!(p.check().unwrap_err().field, "perf.step_overhead");
    }

    #[test]
    fn the_docs_are_the_table() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/perf-params.md");
        let actual = std::fs::read_to_string(path).unwrap_or_default();
        let expected = markdown();
        let first = expected.lines().zip(actual.lines()).position(|(a, b)| a != b);
        assert!(
            expected == actual,
            "docs/perf-params.md differs from the table (tolerance: none) at line {:?}:\nexpected {:?}\nactual   {:?}\n\
             rerun `cargo run --release -p planner-cli --bin calibrate -- --tables`",
            first.map(|i| i + 1),
            first.and_then(|i| expected.lines().nth(i)),
            first.and_then(|i| actual.lines().nth(i)),
        );
    }
}
