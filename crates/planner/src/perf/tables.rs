//! The shapes of the tables the planner ships (`perf::shipped`, generated from `data/` by
//! `calibrate`): a fit of the performance parameters per GPU generation and engine, and the
//! range table — held-out errors per regime cell (how the GPU is calibrated × dense or MoE ×
//! prefill- or decode-bound) and the serving widening.
//!
//! Design decision: plain `Copy` data with no behaviour beyond lookups, below both the
//! generated constants and the code that reads them, so neither depends on the other's
//! internals. The records these are distilled from (provenance, rows, losses, coverage) are
//! the calibration crate's (`calibration::records`).

use super::super::engine::Engine;
use super::super::gpu::Generation;
use super::params::ParamValues;
use super::serving::OperatingPoint;
use serde::{Deserialize, Serialize};

/// One fit as the planner reads it: a GPU generation and engine, the GPUs its rows were
/// measured on, and its values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShippedFit {
    pub generation: Generation,
    pub engine: Engine,
    /// GPU catalog ids of the rows.
    pub gpus: &'static [&'static str],
    pub values: ParamValues,
}

/// How the GPU's performance parameters were calibrated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Hardware {
    /// This very GPU has calibration rows in the shipped fit (H100 SXM, H200, GH200, A100 SXM
    /// 80 GB, L40S): held out by model (the model planned is, in general, not one measured).
    MeasuredGpu,
    /// Another GPU of its generation was measured (H800, H20, …): held out by GPU.
    FittedGeneration,
    /// No GPU of its generation was measured (Blackwell, CDNA, custom): the priors, held out by
    /// generation.
    Uncalibrated,
}

impl Hardware {
    pub fn id(self) -> &'static str {
        match self {
            Hardware::MeasuredGpu => "measured-gpu",
            Hardware::FittedGeneration => "fitted-generation",
            Hardware::Uncalibrated => "uncalibrated",
        }
    }
}

/// Dense or mixture-of-experts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Architecture {
    Dense,
    Moe,
}

/// Where most of the engine's time goes (`OperatingPoint::prefill_share`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    Prefill,
    Decode,
}

impl Phase {
    pub fn of(point: &OperatingPoint) -> Phase {
        if point.prefill_bound() {
            Phase::Prefill
        } else {
            Phase::Decode
        }
    }
}

/// One regime cell as the planner reads it: its quantiles of `ln(measured / predicted)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CellRange {
    pub hardware: Hardware,
    pub architecture: Architecture,
    pub phase: Phase,
    pub log_error: [f64; 2],
}

/// What a range needs of the range record (`calibration::records::RangeFile`): the shipped one
/// is `perf::shipped::RANGES`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RangeTable<'a> {
    pub nominal: f64,
    pub cells: &'a [CellRange],
    pub widening: Widening,
}

impl RangeTable<'_> {
    /// The quantiles of a regime cell; `None` when the table lacks it (a damaged table).
    pub fn cell(&self, hardware: Hardware, architecture: Architecture, phase: Phase) -> Option<[f64; 2]> {
        let c = self.cells.iter().find(|c| c.hardware == hardware && c.architecture == architecture && c.phase == phase)?;
        Some(c.log_error)
    }
}

/// `[slow, fast]` widenings per figure, natural-log units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Widening {
    pub output_tok_s_per_gpu: [f64; 2],
    pub ttft_ms: [f64; 2],
    pub tpot_ms: [f64; 2],
}

