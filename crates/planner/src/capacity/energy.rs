//! A GPU's power at an operating point, and kilowatt-hours per million tokens.
//!
//! The model (stated in every capacity plan, `ENERGY_MODEL`): `P = P_idle + (TDP − P_idle) × u`,
//! bounded by TDP, where `u` is the busier of the step's compute and memory shares
//! (`compute / total` and `memory / total` of the heaviest stage's mean step: the time the
//! tensor cores, or HBM, would need at the fitted efficiencies, as a share of the step; the
//! rest is communication and overhead, when both idle) and `P_idle = IDLE_SHARE_OF_TDP × TDP`.
//! Every GPU is taken at the heaviest stage's draw (an upper bound for pipelines, whose other
//! stages idle more). Not measured: a first-order estimate that names its assumption.

use crate::perf::step::StepTime;

/// The draw of a GPU holding a loaded engine but running nothing, as a share of its TDP: an
/// ASSUMPTION (no measurement in `data/`), chosen because a serving GPU keeps its clocks,
/// HBM refreshed and weights resident; a user with a measured figure should read the power
/// figures as relative.
pub const IDLE_SHARE_OF_TDP: f64 = 0.2;

/// Joules per kilowatt-hour.
const JOULES_PER_KWH: f64 = 3.6e6;

/// The model in words, for the plan's `energy_model`.
pub fn energy_model() -> String {
    format!(
        "P = P_idle + (TDP − P_idle) × u, at most TDP; u = the larger of the compute and the memory share of the heaviest \
         stage's mean step at the operating point; P_idle = {:.0} % of TDP (an assumption, not measured); TDP from \
         data/gpus.csv (tdp_w); every GPU at the heaviest stage's draw; kWh per million tokens = P × GPUs ÷ tokens per \
         second × 10⁶ ÷ 3.6·10⁶ J/kWh.",
        IDLE_SHARE_OF_TDP * 100.0
    )
}

/// The busier of the compute and memory shares of `step`, in [0, 1].
pub fn utilisation(step: &StepTime) -> f64 {
    let total = step.total.value();
    if !(total > 0.0 && total.is_finite()) {
        return 0.0;
    }
    (step.compute.value().max(step.memory.value()) / total).clamp(0.0, 1.0)
}

/// Watts one GPU of TDP `tdp_w` draws at `step`.
pub fn power_w(tdp_w: f64, step: &StepTime) -> f64 {
    let idle = IDLE_SHARE_OF_TDP * tdp_w;
    (idle + (tdp_w - idle) * utilisation(step)).min(tdp_w)
}

/// kWh per million output tokens of `gpus` GPUs drawing `watts` each while producing
/// `output_tok_s`; `None` when nothing is produced.
pub fn kwh_per_m_output(watts: f64, gpus: f64, output_tok_s: f64) -> Option<f64> {
    (output_tok_s > 0.0 && output_tok_s.is_finite()).then(|| watts * gpus / output_tok_s * 1e6 / JOULES_PER_KWH)
}
