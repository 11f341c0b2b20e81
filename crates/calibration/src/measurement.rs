//! A measured run and its prepared form: the scenario and layout that were run, what was
//! measured, and everything the performance model needs to predict it again and again.
//!
//! Design decision: a measurement is prepared once (scenario resolved, memory planned, the
//! heaviest stage's load gathered, `evaluate::prepare`) and then only re-timed per parameter
//! vector (`Point::predict`), so a fit that tries thousands of vectors pays the memory model and
//! the catalog look-ups once per row, not once per try.
//!
//! A disaggregated run (`Measurement::disaggregated`: prefill and decode workers, counts and
//! layouts) is prepared and re-timed the same way as the deployment it was
//! (`planner::disagg::measured`, calibration feature `disaggregation`): its TTFT is the prefill,
//! the KV transfer and the wait, its TPOT the decode workers' step, its throughput what the run's
//! x:y serves. Without the feature (the page's startup build) such a measurement is an
//! `InputError` naming `disaggregated`.

use planner::engine::Engine;
use planner::error::InputError;
use planner::evaluate::{prepare, Prepared};
use planner::gpu::Generation;
use planner::inputs::{resolve_with, PlannerInputs};
use planner::kernels::Library;
use planner::layout::Layout;
use planner::perf::{OperatingPoint, PerfParams};
use planner::scenario::{ScenarioInput, StepModel};
use planner::units::Seconds;
use planner::workload::Load;
#[cfg(feature = "disaggregation")]
use planner::disagg::measured::{Deployment, Side};

/// One measured run.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    /// What was run: model, precisions, GPU and cluster, engine (with its options), lengths and
    /// load (`FORMAT.md` scenario). Its own `layout` field, if any, is ignored: `layout` is.
    pub scenario: ScenarioInput,
    /// The layout that was run.
    pub layout: Layout,
    /// Measured output tokens per second per GPU (whole run's output tokens/s ÷ GPUs).
    pub output_tok_s_per_gpu: f64,
    /// Measured mean time to first token, when the benchmark reports it.
    pub ttft_ms: Option<f64>,
    /// Measured mean time per output token, when the benchmark reports it.
    pub tpot_ms: Option<f64>,
    /// A disaggregated run's workers (`layout` is then its decode workers' layout); `None` for
    /// an aggregated run.
    pub disaggregated: Option<DisaggWorkers>,
}

/// One side of a disaggregated run: how many workers of which layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Workers {
    pub count: u32,
    pub layout: Layout,
}

/// A disaggregated run's prefill and decode workers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DisaggWorkers {
    pub prefill: Workers,
    pub decode: Workers,
    /// The prompts per step each prefill replica's engine was capped at, when the run states it
    /// (the silicon sample's `prefill_batch_size`); `None`: the engine's own cap.
    pub prefill_batch: Option<u32>,
}

impl DisaggWorkers {
    /// `2 × P TP4 + 1 × D TP8`, as the plan labels a disaggregated candidate.
    pub fn label(&self) -> String {
        format!("{} × P {} + {} × D {}", self.prefill.count, self.prefill.layout, self.decode.count, self.decode.layout)
    }
}

/// What the model predicts for a measurement under one parameter vector: the figures a
/// measurement can have, for an aggregated or a disaggregated run alike.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Predicted {
    /// Output tokens per second of the whole run.
    pub output_tok_s: f64,
    pub ttft: Seconds,
    pub tpot: Seconds,
}

/// Which measurements compete for "best layout": same model, GPU, precisions, engine,
/// lengths, load and `fixed` part (`DESIGN.md`, "Calibration data"). Ordered for stable
/// reports.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GroupKey {
    pub model: String,
    pub gpu: String,
    /// `weights/kv`, e.g. `fp8/fp8`.
    pub precision: String,
    /// The engine's id (`trtllm`).
    pub engine: &'static str,
    pub isl: u32,
    pub osl: u32,
    /// The load as written (`max-throughput`, `concurrency 64`, `rate 2.5`).
    pub load: String,
    /// Whatever else the group's layouts share, as written (the silicon sample's GPU count and
    /// engine release, `8 GPUs, vllm 0.19.0`); empty when nothing else is held fixed.
    pub fixed: String,
}

/// A measurement ready to be predicted.
#[derive(Debug, Clone)]
pub struct Point {
    pub measurement: Measurement,
    pub inputs: PlannerInputs,
    /// `None` when the planner rejects the measured layout (it does not fit, by the memory
    /// model): the prediction is then "cannot run", an error of −100 %.
    pub prepared: Option<Prepared>,
    pub group: GroupKey,
    /// A disaggregated run's deployment, prepared (`prepared` is then `None`).
    #[cfg(feature = "disaggregation")]
    pub deployment: Option<Deployment>,
}

impl Point {
    /// Resolve and prepare a measurement; an error names the bad scenario field.
    pub fn new(measurement: Measurement) -> Result<Point, InputError> {
        Point::with_kernels(measurement, &Library::empty())
    }

    /// `new`, the step timed by operation from `library`'s tables of the measurement's GPU and
    /// engine where they cover it (`planner::perf::ops`).
    pub fn with_kernels(measurement: Measurement, library: &Library) -> Result<Point, InputError> {
        if !(measurement.output_tok_s_per_gpu.is_finite() && measurement.output_tok_s_per_gpu > 0.0) {
            return Err(InputError::new(
                "output_tok_s_per_gpu",
                format!("must be a positive number, got {}", measurement.output_tok_s_per_gpu),
            ));
        }
        let step_model = Some(if library.is_empty() { StepModel::Roofline } else { StepModel::KernelTables });
        let inputs = resolve_with(&ScenarioInput { step_model, ..measurement.scenario.clone() }, library)?;
        let gpus = inputs.cluster.total_gpus();
        let l = measurement.layout;
        if measurement.disaggregated.is_none() {
            Layout::new(l.tp, l.pp, l.dp, l.ep, gpus).map_err(|e| InputError::new(e.field(), e.to_string()))?;
        }
        #[cfg(feature = "disaggregation")]
        let deployment = match measurement.disaggregated {
            Some(w) => {
                let side = |w: Workers| Side { count: w.count, layout: w.layout };
                Some(Deployment::with_prefill_batch(&inputs, side(w.prefill), side(w.decode), w.prefill_batch)?)
            }
            None => None,
        };
        #[cfg(not(feature = "disaggregation"))]
        if measurement.disaggregated.is_some() {
            return Err(InputError::new(
                "disaggregated",
                "a disaggregated run needs the disaggregated planner (calibration feature `disaggregation`), which this build leaves out",
            ));
        }
        let prepared = if measurement.disaggregated.is_some() { None } else { prepare(&inputs, l).ok() };
        let w = &inputs.workload;
        let load = match w.load {
            Load::MaxThroughput => "max-throughput".to_string(),
            Load::Concurrency(c) => format!("concurrency {c}"),
            Load::RequestRate(r) => format!("rate {r}"),
        };
        let group = GroupKey {
            model: inputs.model.name.clone(),
            gpu: inputs.cluster.gpu.id.clone(),
            precision: format!("{}/{}", inputs.precision.weights.id(), inputs.precision.kv.id()),
            engine: inputs.engine.engine.id(),
            isl: w.isl,
            osl: w.osl,
            load,
            fixed: String::new(),
        };
        Ok(Point {
            measurement,
            inputs,
            prepared,
            group,
            #[cfg(feature = "disaggregation")]
            deployment,
        })
    }

    pub fn generation(&self) -> Generation {
        self.inputs.cluster.gpu.generation
    }

    pub fn engine(&self) -> Engine {
        self.inputs.engine.engine
    }

    pub fn measured(&self) -> f64 {
        self.measurement.output_tok_s_per_gpu
    }

    /// The operating point under `params`, `None` when the layout cannot run.
    pub fn point(&self, params: &PerfParams) -> Option<OperatingPoint> {
        self.prepared.as_ref()?.point(&self.inputs, params).ok()
    }

    /// The figures predicted under `params`, for an aggregated or a disaggregated run; `None`
    /// when the layout (or either side's) cannot run.
    pub fn predicted(&self, params: &PerfParams) -> Option<Predicted> {
        #[cfg(feature = "disaggregation")]
        if let Some(d) = &self.deployment {
            let f = d.figures(&self.inputs, params).ok()?;
            return Some(Predicted { output_tok_s: f.output_tok_s, ttft: f.ttft, tpot: f.tpot });
        }
        self.point(params).map(|o| Predicted { output_tok_s: o.output_tok_s, ttft: o.ttft, tpot: o.tpot })
    }

    /// The layouts the run ran: its layout, or a disaggregated run's prefill and decode ones.
    pub fn layouts(&self) -> Vec<Layout> {
        match self.measurement.disaggregated {
            Some(d) => vec![d.prefill.layout, d.decode.layout],
            None => vec![self.measurement.layout],
        }
    }

    /// Predicted output tokens/s per GPU of the cluster under `params`; 0 when the layout
    /// cannot run.
    pub fn predict(&self, params: &PerfParams) -> f64 {
        let gpus = self.inputs.cluster.total_gpus().max(1) as f64;
        self.predicted(params).map_or(0.0, |p| p.output_tok_s / gpus)
    }
}
