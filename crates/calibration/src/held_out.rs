//! Held-out errors of the performance model on the calibration set, the regime cells the plan's
//! ranges are read from (`perf::ranges`), and how often measurements fall inside them.
//!
//! Design decision: every error here is OUT OF SAMPLE for the situation it stands for. A user
//! planning a model on a GPU the shipped fit measured is, in general, planning a model the fit
//! never saw, so that regime's errors come from refits without each model in turn
//! (leave-one-model-out); a GPU of a measured generation that was not itself measured (H800,
//! H20) from refits of the generation without each GPU in turn (leave-one-GPU-out); a
//! generation never measured (Blackwell, CDNA, custom GPUs) runs on the priors, whose error on
//! every row is that regime's (leave-one-generation-out: without its rows there is no fit).
//! The refits are the shipped fit's own code and settings (`fit_groups`, `ANCHOR`,
//! `MAX_EVALUATIONS`), so the held-out errors are those of the procedure that made the shipped
//! parameters.

use planner::engine::Engine;
use planner::gpu::Generation;
use planner::perf::params::PerfParams;
use crate::records::{Cell, HeldOut};
use planner::perf::tables::{Architecture, Hardware, Phase};
use super::metrics::quantile;
use super::{fit_groups, Point, ANCHOR, MAX_EVALUATIONS};
use std::collections::{BTreeMap, BTreeSet};

/// One calibration row predicted by parameters that were not fitted on it.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldOutRow {
    /// Index into the calibration points.
    pub index: usize,
    pub hardware: Hardware,
    pub held_out: HeldOut,
    /// What was left out to predict it: the model, the GPU, or the generation.
    pub fold: String,
    pub architecture: Architecture,
    pub phase: Phase,
    /// Output tokens/s per GPU; 0 when the held-out parameters judge the layout unable to run.
    pub predicted: f64,
    pub measured: f64,
}

impl HeldOutRow {
    /// `ln(measured / predicted)`, a prediction of 0 taken as 1 % of the measurement (as the
    /// fit's loss does).
    pub fn log_error(&self) -> f64 {
        (self.measured / self.predicted.max(0.01 * self.measured)).ln()
    }
}

fn row(points: &[Point], index: usize, params: &PerfParams, hardware: Hardware, held_out: HeldOut, fold: &str) -> HeldOutRow {
    let p = &points[index];
    let point = p.point(params);
    let gpus = p.inputs.cluster.total_gpus().max(1) as f64;
    HeldOutRow {
        index,
        hardware,
        held_out,
        fold: fold.to_string(),
        architecture: if p.inputs.model.is_moe() { Architecture::Moe } else { Architecture::Dense },
        phase: point.as_ref().map_or(Phase::Decode, Phase::of),
        predicted: point.map_or(0.0, |o| o.output_tok_s / gpus),
        measured: p.measured(),
    }
}

/// Every row held out under each scheme that applies to it: leave-one-model-out for every row,
/// leave-one-GPU-out for rows of a generation with two or more measured GPUs, and the priors
/// for every row. In that order, rows by index within each fold.
pub fn held_out(points: &[Point]) -> Vec<HeldOutRow> {
    let mut rows = Vec::new();
    let models: BTreeSet<&str> = points.iter().map(|p| p.group.model.as_str()).collect();
    for model in models {
        let train: Vec<&Point> = points.iter().filter(|p| p.group.model != model).collect();
        let fits = fits_of(&train);
        for (i, p) in points.iter().enumerate().filter(|(_, p)| p.group.model == model) {
            let params = fitted(&fits, p);
            rows.push(row(points, i, &params, Hardware::MeasuredGpu, HeldOut::LeaveOneModelOut, model));
        }
    }
    let mut gpus_of: BTreeMap<(String, &'static str), BTreeSet<&str>> = BTreeMap::new();
    for p in points {
        gpus_of.entry(key(p)).or_default().insert(p.group.gpu.as_str());
    }
    for (group, gpus) in gpus_of.iter().filter(|(_, g)| g.len() >= 2) {
        for gpu in gpus {
            let train: Vec<&Point> = points.iter().filter(|p| key(p) == *group && p.group.gpu != *gpu).collect();
            let fits = fits_of(&train);
            for (i, p) in points.iter().enumerate().filter(|(_, p)| key(p) == *group && p.group.gpu == *gpu) {
                let params = fitted(&fits, p);
                rows.push(row(points, i, &params, Hardware::FittedGeneration, HeldOut::LeaveOneGpuOut, gpu));
            }
        }
    }
    for (i, p) in points.iter().enumerate() {
        let generation = format!("{:?}", p.generation()).to_lowercase();
        rows.push(row(points, i, &prior(p), Hardware::Uncalibrated, HeldOut::Prior, &generation));
    }
    rows
}

fn key(p: &Point) -> (String, &'static str) {
    (format!("{:?}", p.generation()), p.engine().id())
}

fn prior(p: &Point) -> PerfParams {
    PerfParams::prior(p.generation(), p.engine())
}

/// Each (generation, engine) fitted on `train`.
fn fits_of(train: &[&Point]) -> Vec<(Generation, Engine, PerfParams)> {
    fit_groups(train, PerfParams::prior, ANCHOR, MAX_EVALUATIONS)
        .into_iter()
        .map(|f| (f.generation, f.engine, f.result.params))
        .collect()
}

/// The fitted parameters for `p`'s generation and engine, or its prior when the training rows
/// had none of them.
fn fitted(fits: &[(Generation, Engine, PerfParams)], p: &Point) -> PerfParams {
    fits.iter().find(|f| f.0 == p.generation() && f.1 == p.engine()).map_or_else(|| prior(p), |f| f.2)
}

/// The quantiles `(1 ∓ nominal)/2` of `errors`.
fn interval(errors: &[f64], nominal: f64) -> [f64; 2] {
    let tail = (1.0 - nominal) / 2.0;
    [quantile(errors, tail), quantile(errors, 1.0 - tail)]
}

fn inside(x: f64, r: [f64; 2]) -> bool {
    x >= r[0] && x <= r[1]
}

/// The regime cells, every (hardware, architecture, phase) once in that order. A cell with
/// fewer than `min_rows` rows takes its range from the rows of the same hardware and
/// architecture, or failing that of the same hardware (`Cell::pooled`). Each cell's coverage
/// counts its own rows; the cross-validated coverage recomputes the range without the row's
/// fold (the model, GPU or generation it was held out with).
pub fn cells(rows: &[HeldOutRow], nominal: f64, min_rows: usize) -> Vec<Cell> {
    let mut out = Vec::new();
    for hardware in [Hardware::MeasuredGpu, Hardware::FittedGeneration, Hardware::Uncalibrated] {
        for architecture in [Architecture::Dense, Architecture::Moe] {
            for phase in [Phase::Prefill, Phase::Decode] {
                let own: Vec<&HeldOutRow> = rows
                    .iter()
                    .filter(|r| r.hardware == hardware && r.architecture == architecture && r.phase == phase)
                    .collect();
                let same_arch: Vec<&HeldOutRow> =
                    rows.iter().filter(|r| r.hardware == hardware && r.architecture == architecture).collect();
                let same_hw: Vec<&HeldOutRow> = rows.iter().filter(|r| r.hardware == hardware).collect();
                let (pool, pooled) = if own.len() >= min_rows {
                    (own.clone(), None)
                } else if same_arch.len() >= min_rows {
                    (same_arch, Some("hardware, architecture"))
                } else {
                    (same_hw, Some("hardware"))
                };
                let errors: Vec<f64> = pool.iter().map(|r| r.log_error()).collect();
                let range = interval(&errors, nominal);
                let covered = own.iter().filter(|r| inside(r.log_error(), range)).count();
                let mut by_fold: BTreeMap<&str, [f64; 2]> = BTreeMap::new();
                let cross = own
                    .iter()
                    .filter(|r| {
                        let fold_range = *by_fold.entry(r.fold.as_str()).or_insert_with(|| {
                            let others: Vec<f64> =
                                pool.iter().filter(|o| o.fold != r.fold).map(|o| o.log_error()).collect();
                            interval(&others, nominal)
                        });
                        inside(r.log_error(), fold_range)
                    })
                    .count();
                let share = |k: usize| if own.is_empty() { 1.0 } else { k as f64 / own.len() as f64 };
                out.push(Cell {
                    hardware,
                    architecture,
                    phase,
                    held_out: match hardware {
                        Hardware::MeasuredGpu => HeldOut::LeaveOneModelOut,
                        Hardware::FittedGeneration => HeldOut::LeaveOneGpuOut,
                        Hardware::Uncalibrated => HeldOut::Prior,
                    },
                    rows: own.len(),
                    pooled: pooled.map(String::from),
                    pooled_rows: if pooled.is_some() { pool.len() } else { 0 },
                    log_error: range,
                    coverage: share(covered),
                    coverage_cross_validated: share(cross),
                });
            }
        }
    }
    out
}

/// Overall coverage of the held-out rows by their cells: in sample, and cross-validated
/// (weighted by each cell's rows). Returns `(rows, in sample, cross-validated)`.
pub fn coverage(cells: &[Cell]) -> (usize, f64, f64) {
    let rows: usize = cells.iter().map(|c| c.rows).sum();
    let weighted = |f: fn(&Cell) -> f64| {
        if rows == 0 {
            1.0
        } else {
            cells.iter().map(|c| f(c) * c.rows as f64).sum::<f64>() / rows as f64
        }
    };
    (rows, weighted(|c| c.coverage), weighted(|c| c.coverage_cross_validated))
}
