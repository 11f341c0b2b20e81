//! The benchmark loop's messages between the page and its worker (`src/bin/bench_worker.rs`),
//! as JSON: a `Request` in, a `Reply` out, each carrying the page's request `id`, and `serve`,
//! the worker's whole job as a pure function (JSON text in, JSON text out), so it is tested
//! natively.
//!
//! Design decision: the page plans, the worker does the rest of the loop (the script, the
//! importers, the comparison, the fit): that code is only loaded when the user first uses the
//! loop, and a fit never blocks the page. The scenario travels as the plan's `scenario`
//! (FORMAT.md: every default filled in, which plans the same plan again, as a test checks), JSON
//! the page already holds, so the page links no writer for `ScenarioInput`; the worker reads
//! and resolves it itself. The answers carry what the panels show, already in words where the
//! page would otherwise need the planner's code to word them (a run's flags).
//!
//! The page's weight counts: it writes requests and reads replies with `page` (over
//! `serde_json::Value`, rather than a derived writer and reader per type); replies are plain
//! structs and externally tagged enums, and an imported run goes to the page as its JSON text
//! (`RunView::json`), which the page only hands back, so the page never links a reader for
//! `MeasuredRun`.

use super::compare::{beside_plan, match_to_plan, measurements, BestLayout, Comparison, Figure};
use super::import::{import, MeasuredLoad, MeasuredRun};
use super::script::{script, BenchLoad};
use calibration::recalibrate::{recalibrate, MeasurementFit};
use planner::error::InputError;
use planner::inputs::{resolve, PlannerInputs};
use planner::layout::Layout;
use planner::plan::Plan;
use planner::perf::params::Param;
use planner::planning::plan_inputs;
use planner::scenario::{PerfParamsInput, ScenarioInput};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The worker's first message once it listens (before any reply).
pub const READY: &str = "ready";

/// One request from the page, with the id its reply carries back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    pub id: u32,
    pub ask: Ask,
}

/// What the page asks for. Runs are `RunView::json` texts, as the worker sent them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Ask {
    /// The benchmark script for the plan's `top_n` best layouts.
    Script { scenario: Value, top_n: usize },
    /// Read result files.
    Import { files: Vec<FileText> },
    /// Match the runs read so far to the plan of `scenario`.
    Compare { scenario: Value, runs: Vec<String> },
    /// Refit the performance parameters to the runs that match `scenario`.
    Recalibrate { scenario: Value, runs: Vec<String> },
}

impl Ask {
    /// This request as the page sends it to the worker: its scenario without `capacity`. The
    /// loop compares layouts (script, comparison, fit); sizing for a load is not part of it,
    /// and the worker is built without the planner's `capacity` (its weight, README "Page
    /// weight"), so a plan made with a capacity card still goes through the loop.
    pub fn for_worker(self) -> Ask {
        let strip = |mut scenario: Value| {
            if let Value::Object(fields) = &mut scenario {
                fields.remove("capacity");
            }
            scenario
        };
        match self {
            Ask::Script { scenario, top_n } => Ask::Script { scenario: strip(scenario), top_n },
            Ask::Compare { scenario, runs } => Ask::Compare { scenario: strip(scenario), runs },
            Ask::Recalibrate { scenario, runs } => Ask::Recalibrate { scenario: strip(scenario), runs },
            import @ Ask::Import { .. } => import,
        }
    }
}

/// A result file: its name (which may carry the layout) and its text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileText {
    pub name: String,
    pub text: String,
}

/// The worker's answer to the request `id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    pub id: u32,
    pub answer: Answer,
}

/// One answer per kind of request; `Unreadable` for a message the worker could not read.
// One answer per message, moved once; its size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Answer {
    Script(Result<String, InputError>),
    Import(Vec<FileOutcome>),
    Compare(Result<Report, InputError>),
    Recalibrate(Result<Fit, InputError>),
    Unreadable(String),
}

/// What the importer read from one file: its runs, or the message saying what was expected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileOutcome {
    pub name: String,
    pub runs: Vec<RunView>,
    pub error: Option<String>,
}

/// One imported run as the page lists it, and the run itself as JSON for later requests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunView {
    pub source: String,
    pub layout: Option<Layout>,
    /// Prefill/decode disaggregated serving (no layout the planner models).
    pub disaggregated: bool,
    /// The load as the file states it: requests in flight (or sent at once), requests per
    /// second, both (a rate capped in flight), or neither (not stated).
    pub requests: Option<u32>,
    pub per_s: Option<f64>,
    pub all_at_once: bool,
    pub output_tok_s: f64,
    /// The `MeasuredRun`, as JSON text.
    pub json: String,
}

impl RunView {
    fn new(run: &MeasuredRun) -> Self {
        let (requests, per_s, all_at_once) = match run.load {
            MeasuredLoad::Concurrency { requests } => (Some(requests), None, false),
            MeasuredLoad::RequestRate { per_s } => (None, Some(per_s), false),
            MeasuredLoad::RateCapped { per_s, requests } => (Some(requests), Some(per_s), false),
            MeasuredLoad::AllAtOnce { requests } => (Some(requests), None, true),
            MeasuredLoad::Unknown => (None, None, false),
        };
        RunView {
            source: run.source.clone(),
            layout: run.layout.as_ref().map(|l| l.layout),
            disaggregated: run.disaggregated.is_some(),
            requests,
            per_s,
            all_at_once,
            output_tok_s: run.output_tok_s,
            json: serde_json::to_string(run).unwrap_or_default(),
        }
    }
}

/// One run against the plan (`compare::Comparison`, its flags in words).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunCheck {
    /// Index into the runs of the request.
    pub run: usize,
    pub source: String,
    pub layout: Option<Layout>,
    /// No flag blocks the run and the planner predicted it.
    pub matched: bool,
    /// Why the run is not compared, and the doubts that do not block it, each joined by "; "
    /// (empty: none).
    pub blocking: String,
    pub doubts: String,
    /// The plan's candidate (index in `Plan::candidates`) the run is drawn beside on the chart
    /// (`compare::beside_plan`), if any.
    pub beside: Option<usize>,
    /// The load the prediction was made at: requests in flight, or requests per second.
    pub in_flight: Option<u32>,
    pub per_s: Option<f64>,
    pub output_tok_s_per_gpu: Option<Figure>,
    pub ttft_ms: Option<Figure>,
    pub tpot_ms: Option<Figure>,
}

impl From<&Comparison> for RunCheck {
    fn from(c: &Comparison) -> Self {
        let (blocking, doubts): (Vec<_>, Vec<_>) = c.flags.iter().partition(|f| f.blocks());
        RunCheck {
            run: c.run,
            source: c.source.clone(),
            layout: c.layout,
            matched: c.matched,
            blocking: blocking.iter().map(|f| f.message()).collect::<Vec<_>>().join("; "),
            doubts: doubts.iter().map(|f| f.message()).collect::<Vec<_>>().join("; "),
            beside: None,
            in_flight: match c.evaluated_at.map(|a| a.load) {
                Some(BenchLoad::Concurrency { requests }) => Some(requests),
                _ => None,
            },
            per_s: match c.evaluated_at.map(|a| a.load) {
                Some(BenchLoad::RequestRate { per_s }) => Some(per_s),
                _ => None,
            },
            output_tok_s_per_gpu: c.output_tok_s_per_gpu,
            ttft_ms: c.ttft_ms,
            tpot_ms: c.tpot_ms,
        }
    }
}

/// Every run against the plan, and the best-layout check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub runs: Vec<RunCheck>,
    pub best: BestLayout,
}

/// A proposed fit: what `calibration::recalibrate` found, and what the plan recommends with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fit {
    /// The parameters the fit moved, and those that ended on a bound, by their labels
    /// (`perf::params::PARAMS`) joined by ", " (empty: none).
    pub free: String,
    pub at_bound: String,
    pub loss_before: f64,
    pub loss_after: f64,
    pub measurements: Vec<MeasurementFit>,
    /// The scenario field that keeps the fit.
    pub perf_params: PerfParamsInput,
    /// The layout the plan recommends with the fit; `None` when nothing is feasible.
    pub recommended: Option<Layout>,
}

fn compare(scenario: &Value, runs: &[MeasuredRun]) -> Result<Report, InputError> {
    let inputs = inputs_of(scenario)?;
    let report = match_to_plan(&inputs, runs)?;
    let plan: Plan = plan_inputs(&inputs)?;
    let mut runs: Vec<RunCheck> = report.comparisons.iter().map(RunCheck::from).collect();
    for (candidate, c) in beside_plan(&report, &plan, inputs.workload.load).iter().enumerate() {
        if let Some(run) = c.as_ref().and_then(|c| runs.get_mut(c.run)) {
            run.beside = Some(candidate);
        }
    }
    Ok(Report { runs, best: report.best })
}

fn fit(scenario: &Value, runs: &[MeasuredRun]) -> Result<Fit, InputError> {
    let inputs = inputs_of(scenario)?;
    let ms: Vec<_> = measurements(&inputs, runs).into_iter().map(|(_, m)| m).collect();
    if ms.is_empty() {
        return Err(InputError::new("measurements", "no imported run matches this scenario, so there is nothing to fit"));
    }
    let r = recalibrate(&inputs, &ms)?;
    let labels = |names: &[&str]| names.iter().filter_map(|n| Param::from_json(n)).map(|p| p.spec().label).collect::<Vec<_>>().join(", ");
    Ok(Fit {
        free: labels(&r.free),
        at_bound: labels(&r.at_bound),
        loss_before: r.loss_before,
        loss_after: r.loss_after,
        measurements: r.measurements,
        perf_params: r.perf_params,
        recommended: r.plan.recommended.map(|c| c.layout),
    })
}

/// The planner's inputs for a request's scenario.
fn inputs_of(scenario: &Value) -> Result<PlannerInputs, InputError> {
    resolve(&ScenarioInput::from_value(scenario.clone())?)
}

/// What the importer read from one file.
fn read(file: &FileText) -> FileOutcome {
    let (runs, error) = match import(&file.name, &file.text) {
        Ok(runs) => (runs.iter().map(RunView::new).collect(), None),
        Err(e) => (Vec::new(), Some(e.to_string())),
    };
    FileOutcome { name: file.name.clone(), runs, error }
}

/// The runs of a request, read back from their JSON.
fn runs(texts: &[String]) -> Result<Vec<MeasuredRun>, String> {
    texts.iter().map(|t| serde_json::from_str(t).map_err(|e| format!("the benchmark worker could not read a run: {e}"))).collect()
}

/// The answer to one request.
pub fn answer(ask: &Ask) -> Answer {
    match ask {
        Ask::Script { scenario, top_n } => Answer::Script(inputs_of(scenario).and_then(|inputs| script(&inputs, *top_n))),
        Ask::Import { files } => Answer::Import(files.iter().map(read).collect()),
        Ask::Compare { scenario, runs: texts } => match runs(texts) {
            Ok(runs) => Answer::Compare(compare(scenario, &runs)),
            Err(e) => Answer::Unreadable(e),
        },
        Ask::Recalibrate { scenario, runs: texts } => match runs(texts) {
            Ok(runs) => Answer::Recalibrate(fit(scenario, &runs)),
            Err(e) => Answer::Unreadable(e),
        },
    }
}

/// The worker's job: a request as JSON text in, its reply as JSON text out. A request that
/// cannot be read is answered with id 0 and `Unreadable`, never a panic.
pub fn serve(request: &str) -> String {
    let reply = match serde_json::from_str::<Request>(request) {
        Ok(r) => Reply { id: r.id, answer: answer(&r.ask) },
        Err(e) => Reply { id: 0, answer: Answer::Unreadable(format!("the benchmark worker could not read the request: {e}")) },
    };
    serde_json::to_string(&reply)
        .unwrap_or_else(|_| r#"{"id":0,"answer":{"Unreadable":"the benchmark worker could not write its reply"}}"#.into())
}

pub mod page;

#[cfg(test)]
mod tests;
