//! The benchmark client's two constants per engine (`planner::perf::closed_loop::ClientLoop`:
//! front-end cost per layer, clustering share) fitted on the silicon sample's FIT part, and the
//! figures they give on both parts; `calibrate --silicon --fit-client` prints it, and a test
//! keeps the shipped constants equal to its optimum.
//!
//! Design decision: the constants enter the client's figures in closed form over two arrival
//! models that do not depend on them (`ClientLoop::latencies` of the staggered and the
//! synchronized operating point), so each row is predicted once per arrival model and the grid
//! is searched on those parts, through the planner's own function; a test checks that the parts
//! give the planner's benchmark operating point. A row enters the fit only where all three
//! points are set by the offered concurrency (`Limit::Offered`): beyond what a replica admits,
//! each adds its own wait for a slot, which the closed form leaves out (the count is printed).
//!
//! The grid: per-layer cost 0–4 ms in steps of 0.25 ms (aiconfigurator's own vLLM figure, 0.8 ms,
//! lies inside); clustering 0–1 in steps of 0.05 (its whole range). The loss, per engine: the
//! fit part's median |ln(predicted / measured)| of TTFT plus that of TPOT (equal weights: both
//! are measured, and output tokens/s is derived from them; ties go to the first grid point).

use super::SiliconSet;
use crate::measurement::Point;
use crate::metrics::median;
use planner::engine::Engine;
use planner::perf::closed_loop::{ClientLoop, Latencies};
use planner::perf::serving::Limit;
use planner::perf::PerfParams;
use planner::units::Seconds;
use planner::workload::Arrivals;

/// Per-layer costs tried, in ms: 0 to 4 in steps of 0.25.
const PER_LAYER_STEPS: u32 = 16;
const PER_LAYER_MAX_MS: f64 = 4.0;
/// Clustering shares tried: 0 to 1 in steps of 0.05.
const CLUSTERING_STEPS: u32 = 20;

/// One row's parts: the two arrival models' figures and what was measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RowParts {
    pub engine: Engine,
    pub held_out: bool,
    /// Decoder layers a prompt crosses (the heaviest stage's × PP, as the planner counts them).
    pub layers: u32,
    pub staggered: Latencies,
    pub synchronized: Latencies,
    /// The planner's benchmark operating point with the shipped constants (TTFT, TPOT, s).
    pub benchmark: Latencies,
    /// Requests in flight, output tokens and GPUs of the deployment.
    pub concurrency: f64,
    pub osl: f64,
    pub gpus: f64,
    /// Measured TTFT and TPOT (s) and output tokens/s per GPU (derived from them).
    pub measured: Latencies,
    pub measured_tok_s_per_gpu: f64,
}

impl RowParts {
    /// The client's TTFT, TPOT and output tokens/s per GPU under `client`.
    pub fn predicted(&self, client: &ClientLoop) -> (Latencies, f64) {
        let c = client.latencies(self.layers, self.staggered, Some(self.synchronized));
        let (ttft, tpot) = (c.ttft(), c.tpot);
        let lifetime = ttft + tpot * (self.osl - 1.0);
        (Latencies { ttft, tpot }, self.concurrency * self.osl / lifetime.value() / self.gpus)
    }

    /// `ln(predicted / measured)` of TTFT, TPOT and output tokens/s per GPU under `client`.
    pub fn errors(&self, client: &ClientLoop) -> [f64; 3] {
        let (p, tok_s) = self.predicted(client);
        [
            (p.ttft.value() / self.measured.ttft.value()).ln(),
            (p.tpot.value() / self.measured.tpot.value()).ln(),
            (tok_s / self.measured_tok_s_per_gpu).ln(),
        ]
    }
}

/// The rows' parts: those the fit can use, and how many rows with a measurement it leaves out
/// (a point not set by the offered concurrency, or none at all).
pub fn parts<F: Fn(&Point) -> PerfParams>(set: &SiliconSet, params_for: F) -> (Vec<RowParts>, usize) {
    let mut out = Vec::new();
    let mut left_out = 0;
    for row in &set.rows {
        let p = &row.point;
        let (Some(prepared), Some(ttft_ms), Some(tpot_ms)) = (&p.prepared, p.measurement.ttft_ms, p.measurement.tpot_ms) else {
            continue;
        };
        let params = params_for(p);
        let at = |arrivals: Arrivals| {
            let mut inputs = p.inputs.clone();
            inputs.workload.arrivals = arrivals;
            prepared.point(&inputs, &params).ok().filter(|o| o.limit == Limit::Offered)
        };
        let (Some(s), Some(w), Some(b)) = (at(Arrivals::Staggered), at(Arrivals::Synchronized), at(Arrivals::Benchmark)) else {
            left_out += 1;
            continue;
        };
        let cost = prepared.cost(&p.inputs, &params);
        out.push(RowParts {
            engine: p.engine(),
            held_out: row.held_out,
            layers: cost.layers * cost.pp,
            staggered: Latencies { ttft: s.ttft, tpot: s.tpot },
            synchronized: Latencies { ttft: w.ttft, tpot: w.tpot },
            benchmark: Latencies { ttft: b.ttft, tpot: b.tpot },
            concurrency: f64::from(row.concurrency),
            osl: f64::from(p.group.osl),
            gpus: f64::from(p.inputs.cluster.total_gpus().max(1)),
            measured: Latencies { ttft: Seconds::from_ms(ttft_ms), tpot: Seconds::from_ms(tpot_ms) },
            measured_tok_s_per_gpu: p.measured(),
        });
    }
    (out, left_out)
}

/// Median |ln error| of TTFT, TPOT and tok/s per GPU over `rows` under `client`.
pub fn medians(rows: &[&RowParts], client: &ClientLoop) -> [f64; 3] {
    let errors: Vec<[f64; 3]> = rows.iter().map(|r| r.errors(client)).collect();
    [0, 1, 2].map(|k| median(&errors.iter().map(|e| e[k].abs()).collect::<Vec<_>>()))
}

/// One engine's fit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EngineFit {
    pub engine: Engine,
    pub fit_rows: usize,
    pub held_out_rows: usize,
    pub best: ClientLoop,
    /// The loss at the optimum (module doc).
    pub loss: f64,
}

/// The grid optimum per engine on the fit part of `rows` (module doc).
pub fn fit(rows: &[RowParts]) -> Vec<EngineFit> {
    Engine::ALL
        .iter()
        .filter_map(|&engine| {
            let fit: Vec<&RowParts> = rows.iter().filter(|r| r.engine == engine && !r.held_out).collect();
            let held_out_rows = rows.iter().filter(|r| r.engine == engine && r.held_out).count();
            let mut best: Option<(f64, ClientLoop)> = None;
            for i in 0..=PER_LAYER_STEPS {
                for j in 0..=CLUSTERING_STEPS {
                    let per_layer_ms = PER_LAYER_MAX_MS * f64::from(i) / f64::from(PER_LAYER_STEPS);
                    let client = ClientLoop {
                        per_layer: Seconds::from_ms(per_layer_ms),
                        clustering: f64::from(j) / f64::from(CLUSTERING_STEPS),
                    };
                    let [ttft, tpot, _] = medians(&fit, &client);
                    if best.is_none_or(|(loss, _)| ttft + tpot < loss) {
                        best = Some((ttft + tpot, client));
                    }
                }
            }
            let (loss, best) = best.filter(|_| !fit.is_empty())?;
            Some(EngineFit { engine, fit_rows: fit.len(), held_out_rows, best, loss })
        })
        .collect()
}
