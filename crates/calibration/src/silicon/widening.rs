//! The ranges' serving widening from the silicon sample: how much wider than the calibration
//! cells the plan's TTFT, TPOT and serving-throughput ranges must be for `nominal` of the
//! sample's FIT-part measurements to fall inside them, and how many of the HELD-OUT part then
//! do — the coverage on measurements the widening never saw.
//!
//! Design decision: a quantile per side, not the largest miss. Each fit-part row needs, per
//! figure, some widening on the slow side (its measurement is slower than its base range) or
//! the fast side, or none; the widening of a side is the `(1 + nominal)/2` quantile of what the
//! rows need there (0 for a row inside), so at most `(1 − nominal)/2` of the rows stay outside
//! on each side and the range keeps its nominal level. Where one side has fewer misses than
//! that without any widening (TPOT's fast side: the model is rarely slower than a measurement
//! by more than its base range), the other side takes the rest of the `1 − nominal`, so the
//! range covers the nominal level of the fit part, not more: per-side quantiles alone covered
//! 88 % of its TPOTs and 86 % of the held-out part's at a nominal 80 %. Taking the largest miss instead would
//! let the one odd run of a sample of 1,600 (a TTFT of 20 s where its neighbours take 0.3 s)
//! set every user's range. The rows are predicted as a user's plan is: shipped parameters,
//! the scenario's own regime, the base range before any serving widening (`ranges::speeds`
//! with `serving` off; the communication and pipeline widenings included).

use super::{SiliconRow, SiliconSet};
use crate::metrics::quantile;
use planner::perf::params::PerfParams;
use planner::perf::ranges::{speeds, Regime};
use planner::perf::tables::{RangeTable, Widening};
use planner::workload::Load;
use std::collections::BTreeMap;

/// The figures in `Widening`'s order of use here: TTFT, TPOT, output tokens/s per GPU.
const FIGURES: usize = 3;

/// One predicted row: per figure, its speed error `ln(true rate / predicted rate)` and its base
/// range `[lo, hi]` in the same space.
#[derive(Debug, Clone, Copy, PartialEq)]
struct RowSpeeds<'a> {
    held_out: bool,
    deployment: &'a str,
    error: [f64; FIGURES],
    base: [[f64; 2]; FIGURES],
}

/// The widening the sample asks for and what it achieves.
#[derive(Debug, Clone, PartialEq)]
pub struct SiliconWidening {
    /// `[slow, fast]` per figure, from the fit part.
    pub widening: Widening,
    /// Predicted rows of the fit and the held-out part.
    pub fit_rows: usize,
    pub held_out_rows: usize,
}

/// Every predicted row of the sample with its speed errors and base ranges, predicted once for
/// both the widening and its coverage.
#[derive(Debug, Clone, PartialEq)]
pub struct Predicted<'a>(Vec<RowSpeeds<'a>>);

impl<'a> Predicted<'a> {
    /// The rows of `set` the planner predicts, with `params_for` and the base ranges of `table`.
    pub fn new<F: Fn(&SiliconRow) -> PerfParams>(set: &'a SiliconSet, table: &RangeTable<'_>, params_for: F) -> Predicted<'a> {
        Predicted(predicted(set, table, params_for))
    }

    /// The widening `nominal` of the fit part's measurements need beyond their base ranges.
    pub fn widening(&self, nominal: f64) -> SiliconWidening {
        let fit: Vec<&RowSpeeds> = self.0.iter().filter(|r| !r.held_out).collect();
        let tail = (1.0 - nominal) / 2.0;
        let needs = |k: usize, slow: bool| -> Vec<f64> {
            fit.iter().map(|r| if slow { r.base[k][0] - r.error[k] } else { r.error[k] - r.base[k][1] }.max(0.0)).collect()
        };
        let missed = |need: &[f64], w: f64| need.iter().filter(|&&x| x > w).count() as f64 / need.len().max(1) as f64;
        let pair = |k: usize| {
            let (slow, fast) = (needs(k, true), needs(k, false));
            let (w_slow, w_fast) = (quantile(&slow, 1.0 - tail), quantile(&fast, 1.0 - tail));
            let (miss_slow, miss_fast) = (missed(&slow, w_slow), missed(&fast, w_fast));
            // A side with fewer misses than its tail (none need widening there) leaves the
            // rest of the (1 − nominal) to the other side.
            let (w_slow, w_fast) = if miss_fast < tail && miss_fast <= miss_slow {
                (quantile(&slow, nominal + miss_fast), w_fast)
            } else if miss_slow < tail {
                (w_slow, quantile(&fast, nominal + miss_slow))
            } else {
                (w_slow, w_fast)
            };
            [round(w_slow), round(w_fast)]
        };
        SiliconWidening {
            widening: Widening { ttft_ms: pair(0), tpot_ms: pair(1), output_tok_s_per_gpu: pair(2) },
            fit_rows: fit.len(),
            held_out_rows: self.0.len() - fit.len(),
        }
    }

    /// Share of the fit part's and of the held-out part's measurements (TTFT, TPOT, tok/s per
    /// GPU) inside their base ranges widened by `w`.
    pub fn coverage(&self, w: &Widening) -> [[f64; FIGURES]; 2] {
        self.coverage_with_error(w).map(|part| part.map(|(share, _)| share))
    }

    /// `coverage`, each share with its standard error over deployments: a deployment's rows (one
    /// configuration at several lengths and concurrencies) miss or hit together, so the share
    /// varies like a mean of its deployments', not of independent rows. The cluster-robust
    /// (linearised ratio) estimate: `√(G/(G − 1) · Σ_c (inside_c − share · rows_c)²) / rows` over
    /// the part's G deployments (0 with fewer than two).
    pub fn coverage_with_error(&self, w: &Widening) -> [[(f64, f64); FIGURES]; 2] {
        let widen = [w.ttft_ms, w.tpot_ms, w.output_tok_s_per_gpu];
        let share = |held_out: bool, k: usize| {
            let mut clusters: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
            for r in self.0.iter().filter(|r| r.held_out == held_out) {
                let inside = r.base[k][0] - widen[k][0] <= r.error[k] && r.error[k] <= r.base[k][1] + widen[k][1];
                let c = clusters.entry(r.deployment).or_default();
                *c = (c.0 + f64::from(u8::from(inside)), c.1 + 1.0);
            }
            let rows: f64 = clusters.values().map(|c| c.1).sum();
            let share = clusters.values().map(|c| c.0).sum::<f64>() / rows.max(1.0);
            let g = clusters.len() as f64;
            let spread: f64 = clusters.values().map(|c| (c.0 - share * c.1).powi(2)).sum();
            let error = if g >= 2.0 { (g / (g - 1.0) * spread).sqrt() / rows } else { 0.0 };
            (round(share), round(error))
        };
        [false, true].map(|held_out| [0, 1, 2].map(|k| share(held_out, k)))
    }
}

/// Every row the planner predicts, with its speed errors and base ranges.
fn predicted<'a, F: Fn(&SiliconRow) -> PerfParams>(set: &'a SiliconSet, table: &RangeTable<'_>, params_for: F) -> Vec<RowSpeeds<'a>> {
    set.rows
        .iter()
        .filter_map(|row| {
            let p = &row.point;
            let (Some(ttft), Some(tpot)) = (p.measurement.ttft_ms, p.measurement.tpot_ms) else { return None };
            let params = params_for(row);
            let point = p.prepared.as_ref()?.point(&p.inputs, &params).ok()?;
            let i = &p.inputs;
            let max_throughput = i.workload.load == Load::MaxThroughput;
            let regime = Regime::new(&i.cluster.gpu, i.engine.engine, i.model.is_moe(), max_throughput, &params, i.calibration);
            let (base, _) = speeds(table, &regime, &p.measurement.layout, i.cluster.scale_up_group(), &point, false)?;
            let gpus = f64::from(i.cluster.total_gpus().max(1));
            // Speed space: a rate's true/predicted, a time's predicted/true.
            let error = [
                (point.ttft.ms() / ttft).ln(),
                (point.tpot.ms() / tpot).ln(),
                (p.measured() / (point.output_tok_s / gpus)).ln(),
            ];
            error.iter().all(|e| e.is_finite()).then_some(RowSpeeds {
                held_out: row.held_out,
                deployment: &row.deployment,
                error,
                base: [base.ttft_ms, base.tpot_ms, base.output_tok_s_per_gpu],
            })
        })
        .collect()
}

fn round(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}
