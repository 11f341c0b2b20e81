//! The plan: the planner's one output shape (`FORMAT.md`, "Plan (output)").
//!
//! These types are the JSON contract: field names are fixed (tests and outside scripts read
//! them), fields may be added, never renamed. Times are milliseconds, sizes GiB, rates per
//! second, each named with its unit. Internal estimates (with unit newtypes and their parts)
//! are converted into these at the end of planning; nothing here is computed.

#[cfg(feature = "capacity")]
pub mod capacity;
#[cfg(feature = "disaggregation")]
pub mod disagg;

use super::layout::Layout;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Numbers a rule or trace step used, by name (`"weights_gb": 140.0`): a JSON object, its keys
/// in sorted order. Kept as a sorted list rather than a `BTreeMap`: a step holds a handful of
/// numbers, and the map's code would weigh ~9 KB of the page's WebAssembly.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inputs(Vec<(String, f64)>);

impl Inputs {
    pub fn new() -> Inputs {
        Inputs(Vec::new())
    }

    /// Sets `name` to `value`, keeping the names in order.
    pub fn insert(&mut self, name: String, value: f64) {
        match self.0.binary_search_by(|(n, _)| n.as_str().cmp(&name)) {
            Ok(i) => self.0[i].1 = value,
            Err(i) => self.0.insert(i, (name, value)),
        }
    }

    /// The numbers in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, f64)> {
        self.0.iter().map(|(n, v)| (n.as_str(), *v))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::ops::Index<&str> for Inputs {
    type Output = f64;

    /// The number `name`; panics when there is none (as a map's index does).
    fn index(&self, name: &str) -> &f64 {
        match self.0.iter().find(|(n, _)| n == name) {
            Some((_, v)) => v,
            None => panic!("no number named {name}"),
        }
    }
}

impl Serialize for Inputs {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(n, v)| (n, v)))
    }
}

impl<'de> Deserialize<'de> for Inputs {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Inputs, D::Error> {
        let map = BTreeMap::<String, f64>::deserialize(deserializer)?;
        Ok(Inputs(map.into_iter().collect()))
    }
}

/// `Inputs` from named numbers.
pub fn inputs_of(pairs: &[(&str, f64)]) -> Inputs {
    let mut inputs = Inputs::new();
    for &(name, value) in pairs {
        inputs.insert(name.to_string(), value);
    }
    inputs
}

/// The full answer for one scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// The scenario with every default filled in.
    pub scenario: serde_json::Value,
    pub model: ModelSummary,
    /// The best feasible candidate, or `None` when nothing is feasible.
    pub recommended: Option<Candidate>,
    pub rule_of_thumb: RuleOfThumb,
    /// The quantitative decision, step by step.
    pub trace: Vec<TraceStep>,
    /// Every enumerated candidate, feasible or not.
    pub candidates: Vec<Candidate>,
    /// Indices into `candidates`: feasible candidates not beaten on both output tokens/s per
    /// GPU and tokens/s per user.
    pub pareto: Vec<usize>,
    /// Indices into `candidates` of every feasible candidate, best first by the scenario's
    /// priority (`recommended` is the first). Added after `FORMAT.md`'s first version, so
    /// absent in older plans.
    #[serde(default)]
    pub ranking: Vec<usize>,
    pub warnings: Vec<String>,
    /// Sizing, cost and energy for the scenario's `capacity` (an addition to `FORMAT.md`;
    /// absent without it).
    #[cfg(feature = "capacity")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<capacity::CapacityPlan>,
    /// Disaggregated prefill/decode candidates, when the scenario's `serving` asks for them
    /// (an addition to `FORMAT.md`; absent otherwise, and always in a build without the feature
    /// `disaggregation`, which refuses `serving`).
    #[cfg(feature = "disaggregation")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disaggregated: Option<disagg::Disaggregated>,
    /// `aggregated` or `disaggregated`: which of the two best candidates ranks first, when
    /// `serving` is `both` (`recommended` stays the best aggregated candidate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommended_mode: Option<String>,
}

/// The model as the planner understood it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSummary {
    pub name: String,
    pub total_params: u64,
    pub active_params: u64,
    pub layers: u32,
    /// Whole model, one GPU, at the scenario's KV precision.
    pub kv_cache_bytes_per_token: f64,
}

/// The classic decision flow run on this scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleOfThumb {
    /// What the rule recommends, in the reading that reproduces the classic worked examples
    /// (`None` when it gives no usable layout).
    pub layout: Option<Layout>,
    /// The visited steps of that reading, in order.
    pub steps: Vec<RuleStep>,
    /// What the rule gives read word for word (`None` when that is no layout, e.g. DP = 0).
    pub literal_layout: Option<Layout>,
    /// Where the two readings part, and why the reported one is reported.
    pub notes: Vec<String>,
}

/// One question of the rule-of-thumb flow and the branch it took.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleStep {
    /// Stable id of the rule (`fits-one-gpu`).
    pub id: String,
    pub question: String,
    pub inputs: Inputs,
    /// `yes`, `no`, or the value chosen.
    pub answer: String,
    pub outcome: String,
}

/// One step of the quantitative decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceStep {
    pub id: String,
    pub title: String,
    pub detail: String,
    pub inputs: Inputs,
}

/// One enumerated layout and how it fares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub layout: Layout,
    pub feasible: bool,
    /// Short machine-readable reason (`weights-do-not-fit`), or `None` when feasible.
    pub rejected_because: Option<String>,
    /// The reason in words, with its numbers.
    pub rejected_detail: Option<String>,
    /// Requests in flight across the cluster at the operating point.
    pub concurrency: Option<u32>,
    pub ttft_ms: Option<f64>,
    pub tpot_ms: Option<f64>,
    pub output_tok_s: Option<f64>,
    pub output_tok_s_per_gpu: Option<f64>,
    pub tok_s_per_user: Option<f64>,
    pub memory_per_gpu_gib: MemoryGib,
    /// What limits a decode step: `compute`, `memory`, or `communication`.
    pub bound: Option<String>,
    /// Parts of one decode step at the operating point, for the explanation.
    pub decode_step_ms: Option<StepParts>,
    /// Where the true values are expected to fall.
    pub range: Option<Range>,
    /// What `range` rests on: its nominal level, the regime its errors were measured in, and
    /// what it was widened for.
    pub range_basis: Option<RangeBasis>,
    /// Cost and energy at this candidate's operating point (additions to `FORMAT.md`, written
    /// only when the scenario has `capacity`; cost only when its GPU has a price).
    #[cfg(feature = "capacity")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usd_per_m_output_tokens: Option<f64>,
    #[cfg(feature = "capacity")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usd_per_m_total_tokens: Option<f64>,
    #[cfg(feature = "capacity")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub power_w_per_gpu: Option<f64>,
    #[cfg(feature = "capacity")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kwh_per_m_output_tokens: Option<f64>,
    #[cfg(feature = "capacity")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kwh_per_m_total_tokens: Option<f64>,
}

/// Memory of the most loaded GPU, GiB.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct MemoryGib {
    /// Every weight the GPU holds, the vision encoder's share included.
    pub weights: f64,
    /// Of `weights`, the share of a multimodal model's vision encoder and projector (an
    /// addition to `FORMAT.md`'s fields, written only when the GPU holds some).
    #[serde(default, skip_serializing_if = "no_vision_encoder")]
    pub vision_encoder: f64,
    pub kv_cache: f64,
    pub activations: f64,
    pub overhead: f64,
    pub free: f64,
    pub capacity: f64,
}

impl MemoryGib {
    /// The language model's weights: `weights` without the vision encoder.
    pub fn language_model_weights(&self) -> f64 {
        self.weights - self.vision_encoder
    }
}

/// A GPU without vision encoder weights, whose plan leaves the field out.
fn no_vision_encoder(gib: &f64) -> bool {
    *gib == 0.0
}

/// The parts of a step's time, milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct StepParts {
    pub compute: f64,
    pub memory: f64,
    pub communication: f64,
    pub overhead: f64,
    pub total: f64,
}

/// What a candidate's ranges rest on (`perf::ranges`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RangeBasis {
    /// The probability each range is meant to hold in its calibrated regime (0.8: the 10th to
    /// the 90th percentile of the held-out errors); widenings only raise it.
    pub nominal: f64,
    /// The calibrated regime the errors were looked up under: how the GPU was calibrated
    /// (`measured-gpu`, `fitted-generation`, `uncalibrated`), dense or MoE, prefill- or
    /// decode-bound, and whether the engine was calibrated on this GPU generation.
    pub regime: String,
    /// The parameters were fitted to the user's own measurements (scenario `perf_params.fit`):
    /// the measured figures' ranges are the measured-GPU regime's, at least as wide as the
    /// fit's residuals, and no longer widened for the engine, the load or (when measured) TTFT
    /// and TPOT.
    pub user_calibrated: bool,
    /// Why the range is wider than that regime's errors: `ttft-tpot-not-calibrated`,
    /// `engine-not-calibrated`, `load-not-calibrated`, `tp-across-nodes`, `wide-ep`, `pipeline`.
    pub widened_for: Vec<Cow<'static, str>>,
}

/// Expected ranges of the headline figures: `[lo, hi]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Range {
    pub output_tok_s_per_gpu: [f64; 2],
    pub ttft_ms: [f64; 2],
    pub tpot_ms: [f64; 2],
}

