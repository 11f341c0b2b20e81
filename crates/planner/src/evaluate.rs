//! One layout, judged: divisibility, memory on the most loaded GPU, then the performance model
//! at the workload's operating point.
//!
//! Design decision: this is the only place where the memory module and the performance model
//! meet. The bytes the performance model streams per step (`StageLoad`) are read off the same
//! weight and KV functions that size the memory, so a layout's time and its memory can never
//! disagree about what a GPU holds.
//!
//! Speed: a search judges hundreds of layouts, and most of a layout's memory and load depends
//! only on `tp`, `pp` and `dp` — not on `ep`, which the enumeration varies innermost. An
//! `Evaluator` keeps the parts of the last (`tp`, `pp`, `dp`) it saw (`memory::StageParts`,
//! the heaviest stage and its load before the experts are spread) and reuses them while only
//! `ep` changes: the same functions on the same arguments, so the same numbers, computed once.
//! With kernel tables, it also picks the scenario's tables once (`ops::KernelPlan`), and each
//! prepared layout carries its table-timed operations (`ops::StageOps`), so a step stays plain
//! arithmetic.

use super::engine::EngineProfile;
use super::inputs::PlannerInputs;
use super::layout::Layout;
use super::memory::{self, divisibility, kv, weights, MemoryPlan, StageParts};
use super::perf::ops::{KernelPlan, StageOps};
use super::perf::{
    operating_point, NoOperatingPoint, OperatingPoint, PerfParams, ServingLimits, StageCompute, StageCost, StageLoad,
};
use super::reject::RejectReason;
use super::units::Bytes;
use std::ops::Range;

/// A layout and what became of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub layout: Layout,
    /// The most loaded GPU's memory; `None` when the layout cannot split the model at all.
    pub memory: Option<MemoryPlan>,
    pub verdict: Verdict,
}

/// Feasible with its operating point, or rejected with every reason (and, for an SLA miss,
/// the point that missed it, so its numbers can still be shown).
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Feasible(OperatingPoint),
    Rejected { reasons: Vec<RejectReason>, point: Option<OperatingPoint> },
}

impl Evaluation {
    pub fn point(&self) -> Option<&OperatingPoint> {
        match &self.verdict {
            Verdict::Feasible(p) => Some(p),
            Verdict::Rejected { point, .. } => point.as_ref(),
        }
    }

    pub fn feasible(&self) -> Option<&OperatingPoint> {
        match &self.verdict {
            Verdict::Feasible(p) => Some(p),
            Verdict::Rejected { .. } => None,
        }
    }

    pub fn reasons(&self) -> &[RejectReason] {
        match &self.verdict {
            Verdict::Feasible(_) => &[],
            Verdict::Rejected { reasons, .. } => reasons,
        }
    }
}

/// Judge one layout of `inputs`' cluster with `inputs.params`.
pub fn evaluate(inputs: &PlannerInputs, layout: Layout) -> Evaluation {
    Evaluator::new(inputs).evaluate(layout)
}

/// Judges layouts of one set of inputs, reusing what layouts that differ only in `ep` share
/// (module doc, "Speed").
#[derive(Debug)]
pub struct Evaluator<'a> {
    inputs: &'a PlannerInputs,
    /// The model's `memory::distinct_layers`.
    distinct: Vec<usize>,
    shared: Option<Shared>,
    /// The scenario's kernel tables, picked (`None`: no tables).
    kernels: Option<KernelPlan>,
}

/// The parts of the last (`tp`, `pp`, `dp`) judged.
#[derive(Debug)]
struct Shared {
    layout: Layout,
    parts: StageParts,
    /// The heaviest stage's load (most weight bytes streamed per step), with the experts'
    /// compute not yet spread over the layout (`StageCompute::finish`).
    load: StageLoad,
    /// That stage's layers and whether it holds the LM head.
    stage: Range<usize>,
    lm_head: bool,
}

impl<'a> Evaluator<'a> {
    pub fn new(inputs: &'a PlannerInputs) -> Evaluator<'a> {
        // Without the `kernel-tables` feature there are never tables (`resolve` refuses the
        // step model): the constant `None` leaves the table code out of the startup page.
        let tables = inputs.kernels.as_deref().filter(|_| cfg!(feature = "kernel-tables"));
        let kernels = tables.map(|t| KernelPlan::new(t, inputs.precision, &inputs.model));
        Evaluator { inputs, distinct: memory::distinct_layers(&inputs.model.layers), shared: None, kernels }
    }

    /// Judge one layout with `inputs.params`.
    pub fn evaluate(&mut self, layout: Layout) -> Evaluation {
        match self.prepare(layout) {
            Ok(prepared) => prepared.judge(self.inputs, &self.inputs.params),
            Err(rejected) => *rejected,
        }
    }

    /// `prepare`, taking the parts that do not depend on the workload's lengths from `other`
    /// when it has just prepared a layout with the same `tp`, `pp` and `dp`: `other` judges the
    /// same model, cluster, precisions and engine with a workload that may differ only in its
    /// lengths (disaggregated serving's prefill and decode workers). Changes no number (test).
    pub fn prepare_after(&mut self, layout: Layout, other: &Evaluator) -> Result<Prepared, Box<Evaluation>> {
        let serves = |s: &Option<Shared>| s.as_ref().is_some_and(|s| s.parts.serves(&s.layout, &layout));
        if !serves(&self.shared) {
            if let Some(theirs) = other.shared.as_ref().filter(|_| serves(&other.shared)) {
                self.shared = Some(Shared::for_context(theirs, self.inputs));
            }
        }
        self.prepare(layout)
    }

    /// `prepare` with the parts shared with the previous layout reused.
    pub fn prepare(&mut self, layout: Layout) -> Result<Prepared, Box<Evaluation>> {
        let inputs = self.inputs;
        let rejected =
            |reasons, memory| Box::new(Evaluation { layout, memory, verdict: Verdict::Rejected { reasons, point: None } });
        if !inputs.allow_tp_across_nodes && layout.tp > inputs.cluster.scale_up_group() {
            let reason = RejectReason::TpAcrossNodes { tp: layout.tp, scale_up_group: inputs.cluster.scale_up_group() };
            return Err(rejected(vec![reason], None));
        }
        let m = &inputs.model;
        let reasons = divisibility::check_distinct(m, &layout, &self.distinct);
        if !reasons.is_empty() {
            return Err(rejected(reasons, None));
        }
        if !self.shared.as_ref().is_some_and(|s| s.parts.serves(&s.layout, &layout)) {
            self.shared = Some(Shared::new(inputs, layout));
        }
        let shared = self.shared.as_ref().expect("set just above");
        let plan = match memory::breakdown_with(m, &inputs.cluster, &layout, &inputs.engine, &shared.parts, &self.distinct) {
            Ok(plan) => plan,
            Err(reasons) => return Err(rejected(reasons, None)),
        };
        let reasons = plan.rejections();
        if !reasons.is_empty() {
            return Err(rejected(reasons, Some(plan)));
        }
        let load = StageLoad { compute: shared.load.compute.finish(&layout), ..shared.load };
        let limits = ServingLimits {
            kv_max_requests: plan.max_requests_per_replica.min(MAX_REQUESTS) as f64,
            max_batch_requests: requests_per_micro_batch(&inputs.engine, &layout),
            max_batch_tokens: inputs.engine.max_batch_tokens,
            engine: inputs.engine.engine,
        };
        let ops = self.kernels.as_ref().filter(|_| cfg!(feature = "kernel-tables")).map(|k| {
            let stage = &m.layers[shared.stage.clone()];
            Box::new(StageOps::new(k, m, stage, shared.lm_head, &layout, &inputs.cluster, inputs.precision.kv, &load.compute))
        });
        Ok(Prepared { layout, memory: plan, load, limits, ops })
    }
}

impl Shared {
    /// `other`'s parts for `inputs`, whose model, cluster, precisions and engine are the same
    /// and whose workload may differ in its lengths: only the KV bytes per request depend on
    /// them (the stage ranges, weights, KV bytes per token and the heaviest stage's load do not).
    fn for_context(other: &Shared, inputs: &PlannerInputs) -> Shared {
        let context = inputs.workload.max_context();
        Shared {
            layout: other.layout,
            parts: other.parts.with_context(&inputs.model, &other.layout, inputs.precision.kv, context),
            load: other.load,
            stage: other.stage.clone(),
            lm_head: other.lm_head,
        }
    }

    fn new(inputs: &PlannerInputs, layout: Layout) -> Shared {
        let parts = StageParts::new(&inputs.model, &layout, inputs.precision, &inputs.engine, &inputs.workload);
        let (load, stage, lm_head) = heaviest_stage_load(inputs, &layout, &parts);
        Shared { layout, parts, load, stage, lm_head }
    }
}

/// The part of a layout's judgement that does not depend on the performance parameters: the
/// memory plan, the heaviest stage's load and the serving limits. A calibration fit prepares
/// each measured layout once and then re-times it for every parameter vector it tries.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    pub layout: Layout,
    pub memory: MemoryPlan,
    pub load: StageLoad,
    pub limits: ServingLimits,
    /// The heaviest stage's operations timed from the kernel tables (`None`: no tables).
    /// Boxed: a prepared layout moves through the search, and most plans have no tables.
    pub ops: Option<Box<StageOps>>,
}

/// Check divisibility and memory and gather the performance model's inputs; `Err` holds the
/// rejected evaluation when the layout cannot run at all.
pub fn prepare(inputs: &PlannerInputs, layout: Layout) -> Result<Prepared, Box<Evaluation>> {
    Evaluator::new(inputs).prepare(layout)
}

impl Prepared {
    /// The heaviest stage's step model under `params`.
    pub fn cost<'a>(&'a self, inputs: &PlannerInputs, params: &PerfParams) -> StageCost<'a> {
        StageCost::new(&self.load, &self.layout, &inputs.cluster, inputs.precision.weights, params, self.ops.as_deref())
    }

    /// The operating point under `params` (the performance model alone).
    pub fn point(&self, inputs: &PlannerInputs, params: &PerfParams) -> Result<OperatingPoint, NoOperatingPoint> {
        operating_point(&self.cost(inputs, params), &inputs.workload, &self.limits)
    }

    /// The full evaluation under `params`.
    pub fn judge(&self, inputs: &PlannerInputs, params: &PerfParams) -> Evaluation {
        let plan = &self.memory;
        let verdict = match self.point(inputs, params) {
            Ok(point) => Verdict::Feasible(point),
            Err(NoOperatingPoint::Sla { reason, point }) => {
                Verdict::Rejected { reasons: vec![reason], point: Some(*point) }
            }
            Err(NoOperatingPoint::NoCapacity { .. }) => Verdict::Rejected {
                reasons: vec![RejectReason::KvCacheTooSmall { need: plan.kv_bytes_per_request, have: plan.kv_capacity }],
                point: None,
            },
            Err(NoOperatingPoint::Saturated { offered, max, point }) => {
                Verdict::Rejected { reasons: vec![RejectReason::Saturated { offered, max }], point: Some(*point) }
            }
        };
        Evaluation { layout: self.layout, memory: Some(plan.clone()), verdict }
    }
}

/// The engine's request cap for one pipeline micro-batch.
fn requests_per_micro_batch(engine: &EngineProfile, layout: &Layout) -> u32 {
    if engine.request_cap_spans_pipeline {
        (engine.max_batch_requests / layout.pp.max(1)).max(1)
    } else {
        engine.max_batch_requests
    }
}

/// A cap on requests per replica for models that cache nothing per token, far above any
/// engine's batch cap.
const MAX_REQUESTS: u64 = 1 << 40;

/// What one GPU of the stage that streams the most bytes per step holds (the last one on a
/// tie, since it also samples), with the experts' compute not yet spread over the layout: the
/// performance model's input, from the memory module's weight and KV functions (the stages'
/// weights in `parts`); and that stage's layers and whether it holds the LM head.
fn heaviest_stage_load(inputs: &PlannerInputs, layout: &Layout, parts: &StageParts) -> (StageLoad, Range<usize>, bool) {
    let m = &inputs.model;
    let stages = &parts.stages;
    let last = stages.len().saturating_sub(1);
    let streamed = |i: usize, w: &weights::WeightBytes| {
        // The input embedding is a row lookup; the LM head (and final norm) is read in full.
        let head = if i == last {
            Bytes(m.vocab_size as f64 * m.hidden_size as f64 / layout.tp.max(1) as f64 * weights::UNQUANTISED_BYTES)
        } else {
            Bytes::ZERO
        };
        (w.attention + w.dense_ffn + w.routers + head, w.experts)
    };
    let (index, (dense, experts)) = parts
        .weights
        .iter()
        .enumerate()
        .map(|(i, w)| (i, streamed(i, w)))
        .fold(None, |best: Option<(usize, (Bytes, Bytes))>, (i, bytes)| match best {
            Some((_, b)) if (b.0 + b.1).value() > (bytes.0 + bytes.1).value() => best,
            _ => Some((i, bytes)),
        })
        .unwrap_or((0, (Bytes::ZERO, Bytes::ZERO)));
    let range = stages.get(index).cloned().unwrap_or(0..0);
    let layers = &m.layers[range.clone()];
    let mut reads = kv::Reads::default();
    for layer in layers {
        let r = kv::read_bytes_per_token(layer, layout.tp, inputs.precision.kv);
        reads.all += r.all;
        reads.window += r.window;
        reads.selected += r.selected;
    }
    let load = StageLoad {
        dense_weight_bytes: dense,
        expert_weight_bytes: experts,
        kv_bytes_per_token_full: reads.all,
        kv_bytes_per_token_windowed: reads.window,
        kv_bytes_per_token_selected: reads.selected,
        compute: StageCompute::per_tp(m, layers, index == last, layout.tp),
    };
    (load, range, index == last)
}
