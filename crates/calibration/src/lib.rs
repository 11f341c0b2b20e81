//! Calibration: measured runs in, the performance model's error out, and a bounded fit of its
//! parameters (`PerfParams`) to those runs.
//!
//! Design decision: fits are GLOBAL per (GPU generation, engine) — one parameter vector for
//! every model, layout and length measured on that generation — never per row or per model,
//! so a fit can only absorb what the hardware and the engine do, and what the model's
//! structure misses shows up as error instead of being tuned away. The same code fits the
//! shipped calibration set natively (`calibrate` command) and a user's own handful of
//! measurements in the browser (issue 6, "Recalibration"); nothing here reads a file.
//!
//! - `measurement`: `Measurement` (scenario, layout, measured figures) and its prepared form
//!   `Point`, predicted again for each parameter vector.
//! - `metrics`: relative errors, medians, best-layout rate and pairwise ranking agreement.
//! - `fit`: the robust loss and a deterministic, bounded Nelder–Mead.
//! - `dataset`: the TensorRT-LLM 0.17 CSV's rows as measurements.
//! - `silicon`: the second set, aiconfigurator's silicon sample (TTFT and TPOT of three engines
//!   at fixed concurrencies), its rows as measurements or skipped with a reason, a held-out
//!   part, and the planner's errors on it (`silicon::score`).
//! - `held_out`: out-of-sample errors per regime, the cells of the plan's ranges.
//! - `recalibrate`: a user's measurements in, a refit, the plan again and the errors before
//!   and after out.

pub mod csv;
pub mod dataset;
pub mod fit;
pub mod held_out;
pub mod measurement;
pub mod metrics;
pub mod recalibrate;
pub mod records;
pub mod shipped_source;
pub mod silicon;

#[cfg(test)]
pub(crate) mod tests;

pub use fit::{fit, FitOptions, FitResult};
pub use measurement::{DisaggWorkers, GroupKey, Measurement, Point, Predicted, Workers};
pub use metrics::{breakdown, compare, summarise, Compared, Summary};

use planner::engine::Engine;
use planner::error::InputError;
use planner::gpu::Generation;
use planner::kernels::Library;
use planner::perf::params::{InformedBy, Param, ParamSpec, PerfParams, PARAMS, PARAM_COUNT, SMALL_BATCH};
use planner::workload::Load;
use std::collections::BTreeSet;

/// Weight of the pull towards the priors in the shipped fit (`FitOptions::anchor`): a parameter
/// moved across its whole range costs as much as a 1.4 % error on every row.
pub const ANCHOR: f64 = 1e-4;

/// Most loss evaluations of one (generation, engine) fit.
pub const MAX_EVALUATIONS: usize = 4000;

/// Resolve and prepare every measurement; the error names the measurement and the field.
pub fn prepare(measurements: &[Measurement]) -> Result<Vec<Point>, InputError> {
    prepare_with(measurements, &Library::empty())
}

/// `prepare`, with the measured kernel tables of `library` (`Point::with_kernels`).
pub fn prepare_with(measurements: &[Measurement], library: &Library) -> Result<Vec<Point>, InputError> {
    measurements
        .iter()
        .enumerate()
        .map(|(i, m)| {
            Point::with_kernels(m.clone(), library)
                .map_err(|e| InputError::new(format!("measurement {i}: {}", e.field), e.message))
        })
        .collect()
}

/// Which parameters `points` can inform, in table order: each parameter's
/// `perf::params::InformedBy` against what the points measured. A parameter no point
/// informs stays where it started: a fit would push it to whatever absorbs the rest (freed at
/// maximum throughput, the step overhead went to 5–10 ms per step, which would wreck every
/// latency prediction).
pub fn identifiable(points: &[&Point]) -> [bool; PARAM_COUNT] {
    let small_batch = |p: &&Point| {
        let small = match p.inputs.workload.load {
            Load::Concurrency(c) => c <= SMALL_BATCH * p.measurement.layout.dp,
            Load::MaxThroughput | Load::RequestRate(_) => false,
        };
        small || p.measurement.ttft_ms.is_some() || p.measurement.tpot_ms.is_some()
    };
    let informs = |by: InformedBy| match by {
        InformedBy::Every => !points.is_empty(),
        InformedBy::MultiGpu => points.iter().any(|p| p.layouts().iter().any(|l| l.tp * l.pp > 1 || l.dp > 1)),
        InformedBy::AcrossScaleUp => points.iter().any(|p| p.inputs.cluster.total_gpus() > p.inputs.cluster.scale_up_group()),
        InformedBy::Moe => points.iter().any(|p| p.inputs.model.is_moe()),
        InformedBy::MoeTables => points.iter().any(|p| p.inputs.model.is_moe() && p.inputs.kernels.is_some()),
        InformedBy::SmallBatch => points.iter().any(small_batch),
        InformedBy::MoeSmallBatch => points.iter().any(|p| p.inputs.model.is_moe() && small_batch(p)),
        InformedBy::DisaggregatedTtft => {
            points.iter().any(|p| p.measurement.disaggregated.is_some() && p.measurement.ttft_ms.is_some())
        }
    };
    std::array::from_fn(|i| informs(PARAMS[i].informed_by))
}

/// One (generation, engine) fit.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerationFit {
    pub generation: Generation,
    pub engine: Engine,
    /// GPU catalog ids of the rows, sorted.
    pub gpus: Vec<String>,
    pub rows: usize,
    pub start: PerfParams,
    pub free: [bool; PARAM_COUNT],
    pub result: FitResult,
}

/// Fit every (generation, engine) present in `points`, each from `start(generation, engine)`
/// with the parameters the rows can inform (`identifiable`) free, `anchor` and
/// `max_evaluations` as in `FitOptions`. In (generation, engine) order. A scale-out hop
/// latency the rows cannot inform is raised to the fitted scale-up one if it is below it.
pub fn fit_by_generation<S: Fn(Generation, Engine) -> PerfParams>(
    points: &[Point],
    start: S,
    anchor: f64,
    max_evaluations: usize,
) -> Vec<GenerationFit> {
    fit_groups(&points.iter().collect::<Vec<_>>(), start, anchor, max_evaluations)
}

/// `fit_by_generation` over borrowed points (a subset of a calibration set, as the held-out
/// refits use).
pub fn fit_groups<S: Fn(Generation, Engine) -> PerfParams>(
    points: &[&Point],
    start: S,
    anchor: f64,
    max_evaluations: usize,
) -> Vec<GenerationFit> {
    let options = FitOptions { free: [true; PARAM_COUNT], anchor, max_evaluations, ttft: true };
    fit_groups_with(points, start, |_| true, &options)
}

/// `fit_groups` with only the parameters that `may_move` allows AND the rows inform free, and
/// `options`' anchor, evaluations and TTFT rule (its `free` is ignored).
pub fn fit_groups_with<S: Fn(Generation, Engine) -> PerfParams, M: Fn(&ParamSpec) -> bool>(
    points: &[&Point],
    start: S,
    may_move: M,
    options: &FitOptions,
) -> Vec<GenerationFit> {
    let mut keys: Vec<(Generation, Engine)> = Vec::new();
    for p in points {
        let k = (p.generation(), p.engine());
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    keys.sort_by_key(|&(g, e)| (format!("{g:?}"), e.id()));
    keys.into_iter()
        .map(|(generation, engine)| {
            let rows: Vec<&Point> =
                points.iter().copied().filter(|p| p.generation() == generation && p.engine() == engine).collect();
            let mut free = identifiable(&rows);
            for (f, spec) in free.iter_mut().zip(PARAMS.iter()) {
                *f = *f && may_move(spec);
            }
            let start = start(generation, engine);
            let mut result = fit(&rows, &start, &FitOptions { free, ..*options });
            // A network hop is never faster than a hop inside the node: when the rows cannot
            // inform the scale-out latency, keep it at least the fitted scale-up one.
            let scale_out_free = free[Param::ScaleOutHopLatency as usize];
            if !scale_out_free && result.params.scale_out_hop_latency < result.params.scale_up_hop_latency {
                result.params.scale_out_hop_latency = result.params.scale_up_hop_latency;
            }
            let gpus: BTreeSet<String> = rows.iter().map(|p| p.inputs.cluster.gpu.id.clone()).collect();
            GenerationFit { generation, engine, gpus: gpus.into_iter().collect(), rows: rows.len(), start, free, result }
        })
        .collect()
}
