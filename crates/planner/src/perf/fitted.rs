//! The fitted performance parameters shipped with the planner (`data/fitted-params.json`,
//! written by `cargo run --release --bin calibrate -- CSV --fit`), and the rule that picks
//! the parameters for a GPU generation and an engine.
//!
//! Design decision: the file is the record, with its provenance (which measurements, how many
//! rows, when, the loss, the errors per fit), parsed strictly (`deny_unknown_fields`) by the
//! tests and `calibrate`; a file that does not parse or holds a value outside `BOUNDS` is a bug
//! caught by this module's tests. What the planner reads at run time is the same fit as Rust
//! constants (`perf::shipped::FITS`: generation, engine, GPUs, values), which `calibrate`
//! writes beside the file and a test keeps equal to it, so neither the planner nor the page
//! carries the JSON or a reader for it. Raw numbers carry their unit in their name
//! (`step_overhead_ms`).
//!
//! Fallback rule (`PerfParams::for_gpu`):
//! 1. a fit for this generation and engine: its values;
//! 2. a fit for this generation under another engine (today every fit is TensorRT-LLM): its
//!    hardware figures (GEMM, attention, HBM and link efficiencies, hop latencies) — the same
//!    silicon runs similar kernels (cuBLAS / CUTLASS GEMMs, FlashAttention-style attention,
//!    NCCL) — with this engine's own PRIOR overheads (`step_overhead`, `layer_overhead`),
//!    which are where the engines differ most (scheduler, CUDA graphs, kernel fusion). This
//!    is an extrapolation: such predictions must carry wider ranges (issue 6);
//! 3. no fit for the generation (Blackwell, CDNA, custom GPUs): the prior.

use super::super::engine::Engine;
use super::super::gpu::Generation;
use super::super::units::Seconds;
use super::params::PerfParams;
use serde::{Deserialize, Serialize};

/// The shipped file.
pub const FITTED_PARAMS_JSON: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/fitted-params.json"));

/// `data/fitted-params.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FittedFile {
    /// What the file is, in a sentence.
    pub description: String,
    /// The measurements fitted (path from the repository's parent, as in the README).
    pub data: String,
    /// Rows in that file; all of them are used.
    pub rows: usize,
    /// Date of the fit, `YYYY-MM-DD` (UTC).
    pub date: String,
    /// The command that wrote the file.
    pub command: String,
    /// The loss minimised, in words.
    pub loss: String,
    pub fits: Vec<Fit>,
}

/// One (generation, engine) fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fit {
    pub generation: Generation,
    pub engine: Engine,
    /// GPU catalog ids of the rows.
    pub gpus: Vec<String>,
    pub rows: usize,
    /// Parameters the fit moved; the others stayed at the prior (the rows cannot inform them).
    pub free: Vec<String>,
    /// Free parameters that ended on a bound of `BOUNDS`.
    pub at_bound: Vec<String>,
    /// Mean robust loss of the rows under the prior and under the fit.
    pub loss_prior: f64,
    pub loss: f64,
    pub params: FittedValues,
    /// Errors of output tokens/s per GPU on the rows, under the prior and under the fit.
    pub errors_prior: FitErrors,
    pub errors: FitErrors,
}

/// `PerfParams` with units in the names.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FittedValues {
    pub gemm_efficiency: f64,
    pub attention_efficiency: f64,
    pub hbm_efficiency: f64,
    pub link_efficiency: f64,
    pub scale_up_hop_latency_us: f64,
    pub scale_out_hop_latency_us: f64,
    pub step_overhead_ms: f64,
    pub layer_overhead_us: f64,
    pub sequence_overhead_us: f64,
    pub moe_efficiency: f64,
    pub collective_latency_us: f64,
}

/// Error figures of a set of rows.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FitErrors {
    pub median_abs_error: f64,
    pub p90_abs_error: f64,
    /// Median signed error (positive: the model is optimistic).
    pub median_error: f64,
    /// Groups with two or more measured layouts, and of those, how many have the predicted
    /// best within 5 % of the measured best.
    pub groups: usize,
    pub best_layout_right: usize,
}

impl FittedValues {
    pub fn from_params(p: &PerfParams) -> FittedValues {
        FittedValues {
            gemm_efficiency: p.gemm_efficiency,
            attention_efficiency: p.attention_efficiency,
            hbm_efficiency: p.hbm_efficiency,
            link_efficiency: p.link_efficiency,
            scale_up_hop_latency_us: p.scale_up_hop_latency.value() * 1e6,
            scale_out_hop_latency_us: p.scale_out_hop_latency.value() * 1e6,
            step_overhead_ms: p.step_overhead.value() * 1e3,
            layer_overhead_us: p.layer_overhead.value() * 1e6,
            sequence_overhead_us: p.sequence_overhead.value() * 1e6,
            moe_efficiency: p.moe_efficiency,
            collective_latency_us: p.collective_latency.value() * 1e6,
        }
    }

    pub fn params(&self) -> PerfParams {
        PerfParams {
            gemm_efficiency: self.gemm_efficiency,
            attention_efficiency: self.attention_efficiency,
            hbm_efficiency: self.hbm_efficiency,
            link_efficiency: self.link_efficiency,
            scale_up_hop_latency: Seconds::from_us(self.scale_up_hop_latency_us),
            scale_out_hop_latency: Seconds::from_us(self.scale_out_hop_latency_us),
            step_overhead: Seconds::from_ms(self.step_overhead_ms),
            layer_overhead: Seconds::from_us(self.layer_overhead_us),
            sequence_overhead: Seconds::from_us(self.sequence_overhead_us),
            moe_efficiency: self.moe_efficiency,
            collective_latency: Seconds::from_us(self.collective_latency_us),
        }
    }
}

/// Parse a fitted-parameters file strictly; every value must pass `PerfParams::check`.
pub fn parse(text: &str) -> Result<FittedFile, String> {
    let file: FittedFile = serde_json::from_str(text).map_err(|e| e.to_string())?;
    for f in &file.fits {
        f.params.params().check().map_err(|e| format!("{:?} {:?}: {e}", f.generation, f.engine))?;
    }
    Ok(file)
}

/// One fit as the planner reads it at run time (`perf::shipped::FITS`): what `PerfParams::for_gpu`
/// and the ranges' regime need of a `Fit`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShippedFit {
    pub generation: Generation,
    pub engine: Engine,
    /// GPU catalog ids of the rows.
    pub gpus: &'static [&'static str],
    pub params: FittedValues,
}

/// The shipped fits, in the file's order.
pub fn shipped() -> &'static [ShippedFit] {
    super::shipped::FITS
}

/// Where a GPU generation and engine's parameters come from (module doc, "Fallback rule").
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Provenance {
    /// Fitted on measurements of this generation and engine.
    Fitted,
    /// This generation's hardware figures fitted under another engine, this engine's overhead
    /// priors.
    HardwareFittedUnder(Engine),
    /// No measurements of this generation: the prior.
    Prior,
}

/// The fit for `generation` and `engine` in the shipped file.
pub fn lookup(generation: Generation, engine: Engine) -> Option<&'static ShippedFit> {
    shipped().iter().find(|f| f.generation == generation && f.engine == engine)
}

/// The parameters for a generation and engine, and where they come from.
pub fn select(generation: Generation, engine: Engine) -> (PerfParams, Provenance) {
    if let Some(f) = lookup(generation, engine) {
        return (f.params.params(), Provenance::Fitted);
    }
    let other = shipped().iter().find(|f| f.generation == generation);
    let prior = PerfParams::prior(generation, engine);
    match other {
        Some(f) => {
            let hardware = f.params.params();
            let params = PerfParams {
                step_overhead: prior.step_overhead,
                layer_overhead: prior.layer_overhead,
                ..hardware
            };
            (params, Provenance::HardwareFittedUnder(f.engine))
        }
        None => (prior, Provenance::Prior),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_file_parses_and_every_value_is_inside_its_bounds() {
        let file = parse(FITTED_PARAMS_JSON).expect("data/fitted-params.json must parse");
        assert!(!file.fits.is_empty());
        for f in &file.fits {
            assert!(f.rows > 0 && !f.gpus.is_empty(), "{:?}", f.generation);
            assert!(f.loss.is_finite() && f.loss <= f.loss_prior, "{:?}: fit loss above the prior's", f.generation);
            let p = f.params.params();
            assert_eq!(FittedValues::from_params(&p).params(), p);
        }
    }

    #[test]
    fn fallback_rule() {
        let f = &shipped()[0];
        assert_eq!(select(f.generation, f.engine), (f.params.params(), Provenance::Fitted));
        // Another engine on a fitted generation: fitted hardware, its own overhead priors.
        let other = Engine::ALL.into_iter().find(|e| lookup(f.generation, *e).is_none()).unwrap();
        let (p, why) = select(f.generation, other);
        assert_eq!(why, Provenance::HardwareFittedUnder(f.engine));
        assert_eq!(p.hbm_efficiency, f.params.hbm_efficiency);
        assert_eq!(p.step_overhead, PerfParams::prior(f.generation, other).step_overhead);
        // A generation with no measurements: the prior.
        assert_eq!(select(Generation::Cdna3, Engine::Vllm), (PerfParams::prior(Generation::Cdna3, Engine::Vllm), Provenance::Prior));
    }

    #[test]
    fn strict_parse_rejects_unknown_fields_and_out_of_bounds_values() {
        let mut v: serde_json::Value = serde_json::from_str(FITTED_PARAMS_JSON).unwrap();
        v["fits"][0]["params"]["hbm_efficiency"] = serde_json::json!(1.5);
        assert!(parse(&v.to_string()).unwrap_err().contains("perf.hbm_efficiency"));
        let mut v: serde_json::Value = serde_json::from_str(FITTED_PARAMS_JSON).unwrap();
        v["fits"][0]["extra"] = serde_json::json!(1);
        assert!(parse(&v.to_string()).is_err());
    }
}
