//! The few scalars of the performance model that are not physics: how close real kernels,
//! links and engines come to the datasheet, and what a step costs beyond its arithmetic.
//!
//! Design decision: one plain struct per (GPU generation, engine), the same fields for every
//! GPU, so a later step can FIT them globally on measured rows (a vector in, a vector out,
//! with `BOUNDS` restricting the fit to physically plausible values). The values returned by
//! `PerfParams::prior` are PRIORS, chosen from the public figures cited beside each one, not
//! fitted; the planner uses `PerfParams::for_gpu`, which returns the shipped fit
//! (`data/fitted-params.json`, `perf::fitted`) where measurements exist and says how it falls
//! back where they do not.

use super::super::engine::Engine;
use super::super::error::InputError;
use super::super::gpu::Generation;
use super::super::units::Seconds;

/// Efficiencies and fixed costs of one GPU generation under one engine.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PerfParams {
    /// Fraction of the dense tensor-core peak (at the weights' compute rate) that the linear
    /// layers (dense GEMMs and the MoE grouped GEMMs) reach when compute-bound, end to end:
    /// the non-GEMM kernels of a layer (norms, activation, rotary, quantisation of
    /// activations) are folded in here.
    pub gemm_efficiency: f64,
    /// Fraction of the dense bf16 peak that attention kernels (FlashAttention / FlashMLA /
    /// the engine's FMHA) reach when compute-bound.
    pub attention_efficiency: f64,
    /// Fraction of the datasheet HBM bandwidth reached when streaming weights and KV cache.
    pub hbm_efficiency: f64,
    /// Fraction of the datasheet one-direction link bandwidth (scale-up and scale-out alike)
    /// that collectives reach ("bus bandwidth" in nccl-tests terms).
    pub link_efficiency: f64,
    /// Latency of one ring step of a collective over the scale-up fabric (NVLink / xGMI /
    /// PCIe inside a node); a ring all-reduce over n GPUs takes 2(n − 1) of them.
    pub scale_up_hop_latency: Seconds,
    /// Latency of one ring step over the scale-out network (InfiniBand / RoCE).
    pub scale_out_hop_latency: Seconds,
    /// Fixed cost of one engine step on a pipeline stage: scheduling, input preparation,
    /// sampling, the CPU work a CUDA graph does not hide.
    pub step_overhead: Seconds,
    /// Fixed cost per decoder layer per step: the floor of the layer's dozen small kernels
    /// (launch gaps, tails) that does not shrink with the batch.
    pub layer_overhead: Seconds,
    /// Cost per decoding sequence per step: the per-request work of an engine step that is
    /// neither a GEMM nor attention — the sampler's per-request kernels, the scheduler's and
    /// the KV-cache manager's bookkeeping, the detokenizer hand-off. At a batch of 2000 a few
    /// microseconds each are milliseconds per step.
    pub sequence_overhead: Seconds,
    /// Share of `gemm_efficiency` and `hbm_efficiency` that the routed-expert (grouped) GEMMs of
    /// a MoE layer reach: each expert sees only its slice of the batch (top-k of E), so its
    /// GEMM tiles are padded and its weights are streamed by fewer, shorter kernels than one
    /// dense GEMM of the same size; routing (gating, top-k) runs beside them.
    pub moe_efficiency: f64,
    /// Fixed cost of every collective and send, on top of its per-hop latencies: kernel launch,
    /// the peers' handshake and the protocol's set-up (NCCL's `baseLat`).
    pub collective_latency: Seconds,
}

/// The plausible range of one parameter, for fits and for checking user overrides.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamBound {
    /// Field name, as in `PerfParams` (and, prefixed with `perf.`, in input errors).
    pub name: &'static str,
    /// Lowest plausible value, in the field's base unit (a fraction, or seconds).
    pub lo: f64,
    /// Highest plausible value.
    pub hi: f64,
}

/// Number of fitted parameters.
pub const PARAM_COUNT: usize = 11;

/// Plausible ranges, in the order of `PerfParams::to_array`. Efficiencies: no real kernel
/// sustains more than ~0.9 of a datasheet figure (DeepGEMM's best FP8 GEMMs reach ~0.7 of the
/// H800 peak, FlashMLA ~0.9 of its bandwidth), and an engine below the low end would not be
/// used in production. Latencies: a NVLink ring step is never below ~0.2 µs nor, in a healthy
/// system, above ~10 µs; a network step between 1 and 30 µs (RDMA one-way latency is ~1–2 µs).
/// Overheads: 0 (fully hidden) up to 10 ms per step (the Python-bound vLLM 0.5 measured in the
/// vLLM v0.6.0 blog) and 100 µs per layer; up to 20 µs per sequence per step (a Python loop
/// over requests costs a few µs each). Expert GEMMs: from 0.3 (a naive loop over experts) to
/// 1 (as good as a dense GEMM). A collective's fixed cost: 0 to 20 µs (NCCL's own cost model
/// puts it at 6.6–14 µs, `src/graph/tuning.cc` `baseLat`, plus a kernel launch of ~5 µs).
pub const BOUNDS: [ParamBound; PARAM_COUNT] = [
    ParamBound { name: "gemm_efficiency", lo: 0.2, hi: 0.9 },
    ParamBound { name: "attention_efficiency", lo: 0.15, hi: 0.85 },
    ParamBound { name: "hbm_efficiency", lo: 0.5, hi: 0.95 },
    ParamBound { name: "link_efficiency", lo: 0.4, hi: 0.95 },
    ParamBound { name: "scale_up_hop_latency", lo: 0.2e-6, hi: 10e-6 },
    ParamBound { name: "scale_out_hop_latency", lo: 1e-6, hi: 30e-6 },
    ParamBound { name: "step_overhead", lo: 0.0, hi: 10e-3 },
    ParamBound { name: "layer_overhead", lo: 0.0, hi: 100e-6 },
    ParamBound { name: "sequence_overhead", lo: 0.0, hi: 20e-6 },
    ParamBound { name: "moe_efficiency", lo: 0.3, hi: 1.0 },
    ParamBound { name: "collective_latency", lo: 0.0, hi: 20e-6 },
];

/// The parameters as a scenario's `perf_params` and `data/fitted-params.json` name them, with
/// the factor from that unit to the base unit, in `BOUNDS` order.
pub const UNIT_NAMES: [(&str, f64); PARAM_COUNT] = [
    ("gemm_efficiency", 1.0),
    ("attention_efficiency", 1.0),
    ("hbm_efficiency", 1.0),
    ("link_efficiency", 1.0),
    ("scale_up_hop_latency_us", 1e-6),
    ("scale_out_hop_latency_us", 1e-6),
    ("step_overhead_ms", 1e-3),
    ("layer_overhead_us", 1e-6),
    ("sequence_overhead_us", 1e-6),
    ("moe_efficiency", 1.0),
    ("collective_latency_us", 1e-6),
];

/// A bound in a named unit, without the binary noise of the unit conversion (0.2, not
/// 0.19999999999999998).
fn shown(x: f64) -> f64 {
    (x * 1e9).round() / 1e9
}

impl PerfParams {
    /// `self` with the values given in `overrides` (in `UNIT_NAMES` units, `BOUNDS` order)
    /// replaced; an error names `<prefix>.<unit name>` for a value that is not finite or leaves
    /// its `BOUNDS`.
    pub fn with_overrides(&self, overrides: [Option<f64>; PARAM_COUNT], prefix: &str) -> Result<PerfParams, InputError> {
        let mut x = self.to_array();
        for (i, value) in overrides.into_iter().enumerate() {
            let Some(v) = value else { continue };
            let ((name, scale), b) = (UNIT_NAMES[i], BOUNDS[i]);
            let base = v * scale;
            if !base.is_finite() || base < b.lo * (1.0 - 1e-12) || base > b.hi * (1.0 + 1e-12) {
                return Err(InputError::new(
                    format!("{prefix}.{name}"),
                    format!("must be between {} and {}, got {v}", shown(b.lo / scale), shown(b.hi / scale)),
                ));
            }
            x[i] = base.clamp(b.lo, b.hi);
        }
        Ok(PerfParams::from_array(x))
    }

    /// The prior for a GPU generation and an engine. Every number is a prior (see the module
    /// doc); the sources:
    ///
    /// - `gemm_efficiency`: DeepGEMM (deepseek-ai/DeepGEMM README, 2025) reports up to ~1350
    ///   FP8 TFLOPS on H800, 0.68 of the 1979 dense peak, for its best shapes; cuBLAS BF16
    ///   GEMMs on A100 reach ~0.8 of 312 TFLOPS on large square shapes (NVIDIA cuBLAS
    ///   performance notes). End to end a layer also runs norms, activations and activation
    ///   quantisation, so the prior is below those: 0.6 Ampere (BF16), 0.5 Hopper / Blackwell
    ///   (mostly FP8, whose kernels sit further from peak), 0.45 Ada (L40S throttles under
    ///   sustained tensor load; its 362 TFLOPS is a boost-clock figure), 0.4 CDNA (public
    ///   MI300X BF16 GEMM measurements, e.g. SemiAnalysis "MI300X vs H100" Dec 2024, reach
    ///   about half of peak), 0.45 other.
    /// - `attention_efficiency`: FlashAttention-2 (Dao 2023) reaches 50–73% of A100 peak in
    ///   the forward pass, FlashAttention-3 (Shah et al. 2024) up to 75% of H100 (740 TFLOPS
    ///   FP16) at long sequences, FlashMLA (deepseek-ai/FlashMLA README) 580 TFLOPS on H800
    ///   (0.59) compute-bound. Serving mixes short sequences and causal masks: prior 0.5
    ///   (0.4 for Ada, CDNA and other).
    /// - `hbm_efficiency`: FlashMLA reports 3000 GB/s memory-bound on H800 (3.35 TB/s), 0.9 for
    ///   one tuned kernel; weight-streaming GEMMs at small batch reach less. Prior 0.8 NVIDIA,
    ///   0.7 CDNA and other (fewer tuned decode kernels; no measurement at hand).
    /// - `link_efficiency`: nccl-tests all_reduce_perf bus bandwidth on 8×H100 NVLink without
    ///   NVLS is ~360 GB/s of 450 GB/s one-direction (0.8); NDR InfiniBand reaches ~46 of
    ///   50 GB/s. Prior 0.8 (0.7 CDNA, other).
    /// - hop latencies: NCCL's own cost model (`src/graph/tuning.cc`, `hwLat`) puts a ring step
    ///   of the low-latency protocol at ~0.6 µs on NVLink, ~1 µs on PCIe and ~2.7 µs on the
    ///   network, plus a base launch latency of several µs per collective that a per-hop
    ///   model folds into the hops. Prior 1 µs scale-up for NVLink generations, 2 µs where
    ///   the scale-up tier is PCIe (Ada: L40S, L4) or unknown, 1.5 µs xGMI; 5 µs scale-out.
    /// - `step_overhead`: TensorRT-LLM's C++ executor with CUDA graphs, 0.4 ms; SGLang's
    ///   overlapped "zero-overhead" scheduler (SGLang v0.4 blog, Dec 2024), 0.3 ms; vLLM,
    ///   0.6 ms (the vLLM v0.6.0 blog, Sep 2024, measured CPU overhead as the dominant cost of
    ///   v0.5.3 and cut it with multi-step scheduling and async output processing; V1 cuts it
    ///   further). `layer_overhead`: 25 µs, about a dozen kernels per layer at a ~2 µs floor
    ///   each. Check: with these, the `trtllm-bench latency` file in
    ///   `data/bench-results/trtllm-bench` (Qwen2.5-0.5B BF16, RTX PRO 6000, batch 1,
    ///   measured TPOT 1.81 ms) is reproduced within 15% (test `prior_matches_trtllm_bench_latency`).
    /// - `sequence_overhead`: no measurement isolates it; an order-of-magnitude prior from the
    ///   engines' architecture: 2 µs for TensorRT-LLM's C++ batch manager, 3 µs for SGLang's
    ///   overlapped scheduler, 5 µs for vLLM's Python scheduler and sampler bookkeeping.
    /// - `moe_efficiency`: 0.8, a guess (no public grouped-GEMM against dense-GEMM comparison at
    ///   hand); the TensorRT-LLM fit sets it from the Mixtral rows.
    /// - `collective_latency`: 8 µs, NCCL's `baseLat` for the ring with the Simple protocol
    ///   (8.4 µs; 6.6 µs LL, 14 µs LL128), the protocol NCCL picks for the megabyte messages of
    ///   a serving step.
    pub fn prior(generation: Generation, engine: Engine) -> PerfParams {
        use Generation::*;
        let (gemm, attention, hbm, link, up_us) = match generation {
            Ampere => (0.6, 0.5, 0.8, 0.8, 1.0),
            Ada => (0.45, 0.4, 0.8, 0.8, 2.0),
            Hopper | Blackwell => (0.5, 0.5, 0.8, 0.8, 1.0),
            Cdna2 | Cdna3 | Cdna4 => (0.4, 0.4, 0.7, 0.7, 1.5),
            Other => (0.45, 0.4, 0.7, 0.7, 2.0),
        };
        let (step_ms, sequence_us) = match engine {
            Engine::Trtllm => (0.4, 2.0),
            Engine::Sglang => (0.3, 3.0),
            Engine::Vllm => (0.6, 5.0),
        };
        PerfParams {
            gemm_efficiency: gemm,
            attention_efficiency: attention,
            hbm_efficiency: hbm,
            link_efficiency: link,
            scale_up_hop_latency: Seconds::from_us(up_us),
            scale_out_hop_latency: Seconds::from_us(5.0),
            step_overhead: Seconds::from_ms(step_ms),
            layer_overhead: Seconds::from_us(25.0),
            sequence_overhead: Seconds::from_us(sequence_us),
            moe_efficiency: 0.8,
            collective_latency: Seconds::from_us(8.0),
        }
    }

    /// The parameters to plan with for a GPU generation and an engine: the shipped fit where
    /// one exists (`data/fitted-params.json`), otherwise the fallback rule of `perf::fitted`
    /// (fitted hardware figures with the engine's own overhead priors, or the prior).
    pub fn for_gpu(generation: Generation, engine: Engine) -> PerfParams {
        super::fitted::select(generation, engine).0
    }

    /// The parameters as a vector in the order of `BOUNDS` (base units: fractions, seconds).
    pub fn to_array(&self) -> [f64; PARAM_COUNT] {
        [
            self.gemm_efficiency,
            self.attention_efficiency,
            self.hbm_efficiency,
            self.link_efficiency,
            self.scale_up_hop_latency.value(),
            self.scale_out_hop_latency.value(),
            self.step_overhead.value(),
            self.layer_overhead.value(),
            self.sequence_overhead.value(),
            self.moe_efficiency,
            self.collective_latency.value(),
        ]
    }

    /// The inverse of `to_array`.
    pub fn from_array(v: [f64; PARAM_COUNT]) -> PerfParams {
        PerfParams {
            gemm_efficiency: v[0],
            attention_efficiency: v[1],
            hbm_efficiency: v[2],
            link_efficiency: v[3],
            scale_up_hop_latency: Seconds(v[4]),
            scale_out_hop_latency: Seconds(v[5]),
            step_overhead: Seconds(v[6]),
            layer_overhead: Seconds(v[7]),
            sequence_overhead: Seconds(v[8]),
            moe_efficiency: v[9],
            collective_latency: Seconds(v[10]),
        }
    }

    /// Every value finite and inside its `BOUNDS`; otherwise an error naming `perf.<field>`.
    pub fn check(&self) -> Result<(), InputError> {
        for (value, bound) in self.to_array().into_iter().zip(BOUNDS) {
            if !value.is_finite() || value < bound.lo || value > bound.hi {
                return Err(InputError::new(
                    format!("perf.{}", bound.name),
                    format!("must be between {} and {}, got {value}", bound.lo, bound.hi),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GENERATIONS: [Generation; 8] = [
        Generation::Ampere,
        Generation::Ada,
        Generation::Hopper,
        Generation::Blackwell,
        Generation::Cdna2,
        Generation::Cdna3,
        Generation::Cdna4,
        Generation::Other,
    ];

    #[test]
    fn every_prior_is_inside_its_bounds() {
        for g in GENERATIONS {
            for e in Engine::ALL {
                let p = PerfParams::prior(g, e);
                assert_eq!(p.check(), Ok(()), "{g:?} {e:?}");
                assert_eq!(PerfParams::from_array(p.to_array()), p);
            }
        }
    }

    #[test]
    fn overrides_are_in_named_units_and_checked() {
        let p = PerfParams::prior(Generation::Hopper, Engine::Vllm);
        let mut o = [None; PARAM_COUNT];
        o[2] = Some(0.7);
        o[6] = Some(1.5);
        let q = p.with_overrides(o, "perf_params").unwrap();
        assert_eq!((q.hbm_efficiency, q.step_overhead, q.gemm_efficiency), (0.7, Seconds::from_ms(1.5), p.gemm_efficiency));
        o[4] = Some(50.0);
        let e = p.with_overrides(o, "perf_params").unwrap_err();
        assert_eq!(e.field, "perf_params.scale_up_hop_latency_us");
        assert!(e.message.contains("between 0.2 and 10"), "{e}");
        let mut nan = [None; PARAM_COUNT];
        nan[0] = Some(f64::NAN);
        assert_eq!(p.with_overrides(nan, "perf_params").unwrap_err().field, "perf_params.gemm_efficiency");
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
}
