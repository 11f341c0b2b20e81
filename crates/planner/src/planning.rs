//! Scenario in, plan out: resolve the inputs, run the rule of thumb and the search, write the
//! trace, and convert the estimates into the `FORMAT.md` plan.
//!
//! Design decision: an evaluation becomes the plan's candidate (unit newtypes, parts, verdicts
//! into plain numbers) here, at the edge; a step's parts go through `StepTime::parts_ms`, which
//! the disaggregated candidates (`disagg::report`) share.

use super::error::InputError;
use std::fmt::Write;
use super::evaluate::{Evaluation, Verdict};
use super::inputs::{resolve_with, PlannerInputs};
use super::kernels::Library;
use super::model::summary;
use super::perf::ranges::{self, Regime};
use super::plan::{Candidate, MemoryGib, Plan};
use super::reject::RejectReason;
use super::rules::{rule_of_thumb, RuleInput};
use super::scenario::ScenarioInput;
use super::search::search;
use super::trace::trace;
use super::workload::Load;

/// Plan a scenario; an error names the first bad field.
pub fn plan(input: &ScenarioInput) -> Result<Plan, InputError> {
    plan_with(input, &Library::empty())
}

/// `plan` with the measured kernel tables of `library` (those of the scenario's GPU and engine
/// time the step by operation, `perf::ops`).
pub fn plan_with(input: &ScenarioInput, library: &Library) -> Result<Plan, InputError> {
    plan_inputs_with(&resolve_with(input, library)?, library)
}

/// Plan already-resolved inputs (a `capacity` comparison without kernel tables).
pub fn plan_inputs(inputs: &PlannerInputs) -> Result<Plan, InputError> {
    plan_inputs_with(inputs, &Library::empty())
}

/// `plan_inputs`, the `capacity` comparison's GPUs timed with `library`'s tables when the
/// scenario asks for them. Never inlined (several callers, large).
#[inline(never)]
pub fn plan_inputs_with(inputs: &PlannerInputs, library: &Library) -> Result<Plan, InputError> {
    #[cfg(not(feature = "capacity"))]
    let _ = library;
    #[cfg(not(feature = "capacity"))]
    if inputs.input.capacity.is_some() {
        return Err(InputError::new(
            "capacity",
            "capacity planning needs the full page (this build has no planner feature `capacity`): open the full page, or use the plan command",
        ));
    }
    #[cfg(feature = "capacity")]
    let capacity_spec = crate::capacity::spec(inputs)?;
    let result = search(inputs)?;
    let gpus = inputs.cluster.total_gpus();
    let rule = rule_of_thumb(&RuleInput {
        total_params: inputs.model.total_params(),
        layers: inputs.model.num_layers(),
        gpu_memory: inputs.cluster.gpu.memory,
        nodes: inputs.cluster.nodes,
        gpus_per_node: inputs.cluster.gpus_per_node,
        batch_size: match inputs.workload.load {
            Load::Concurrency(c) => Some(c),
            Load::MaxThroughput | Load::RequestRate(_) => None,
        },
    });
    #[cfg_attr(not(any(feature = "capacity", feature = "disaggregation")), allow(unused_mut))]
    let mut trace = trace(inputs, &result, rule.layout);
    let regime = inputs.regime();
    #[cfg_attr(not(feature = "capacity"), allow(unused_mut))]
    let mut candidates: Vec<Candidate> =
        result.evaluations.iter().map(|e| candidate(e, inputs, gpus, &regime)).collect();
    #[cfg(feature = "capacity")]
    let capacity = match &capacity_spec {
        None => None,
        Some(spec) => {
            let planned = crate::capacity::plan(inputs, spec, library)?;
            crate::capacity::annotate(inputs, spec, &mut candidates);
            trace.push(crate::capacity::trace_step(inputs, &planned));
            Some(planned)
        }
    };
    #[cfg(feature = "disaggregation")]
    let (disaggregated, recommended_mode) = disaggregated(inputs, &regime, &result, &mut trace);
    // Without the feature `resolve` refuses a scenario that asks for it (`ScenarioInput::serving`).
    #[cfg(not(feature = "disaggregation"))]
    let recommended_mode = None;
    let mut warnings = inputs.warnings.clone();
    warnings.extend(inputs.step_model_note());
    warnings.extend(rule.notes.iter().cloned());
    Ok(Plan {
        scenario: inputs.scenario.clone(),
        model: summary(&inputs.model, inputs.precision.kv),
        recommended: result.ranking.first().map(|&i| candidates[i].clone()),
        rule_of_thumb: rule,
        trace,
        candidates,
        pareto: result.pareto,
        ranking: result.ranking,
        warnings,
        #[cfg(feature = "capacity")]
        capacity,
        #[cfg(feature = "disaggregation")]
        disaggregated,
        recommended_mode,
    })
}

/// The disaggregated candidates and the recommended mode when the scenario asks for them
/// (`disagg`), their trace step added to `trace`.
#[cfg(feature = "disaggregation")]
fn disaggregated(
    inputs: &PlannerInputs,
    regime: &Regime,
    result: &super::search::SearchResult,
    trace: &mut Vec<super::plan::TraceStep>,
) -> (Option<super::plan::disagg::Disaggregated>, Option<String>) {
    if !inputs.serving.disaggregated() {
        return (None, None);
    }
    let searched = super::disagg::search(inputs, regime, result);
    trace.push(searched.trace);
    (Some(searched.plan), searched.mode)
}

/// The reasons in words, `; ` between them, written into one string.
fn joined(reasons: &[RejectReason]) -> String {
    let mut text = String::new();
    for (i, r) in reasons.iter().enumerate() {
        let separator = if i > 0 { "; " } else { "" };
        // Writing into a String cannot fail.
        let _ = write!(text, "{separator}{r}");
    }
    text
}

/// One evaluation in the plan's terms: milliseconds, GiB, tokens per second.
fn candidate(e: &Evaluation, inputs: &PlannerInputs, gpus: u32, regime: &Regime) -> Candidate {
    let point = e.point();
    let (rejected_because, rejected_detail) = match &e.verdict {
        Verdict::Feasible(_) => (None, None),
        Verdict::Rejected { reasons, .. } => (reasons.first().map(|r| r.code().to_string()), Some(joined(reasons))),
    };
    let memory = e.memory.as_ref().map_or(
        MemoryGib { capacity: inputs.cluster.gpu.memory.gib(), ..MemoryGib::default() },
        |m| m.gib(),
    );
    // Overloaded: served at capacity, the queue (and so TTFT and the requests in flight) without bound.
    let overloaded = e.reasons().iter().any(|r| matches!(r, RejectReason::Saturated { .. }));
    let steady = point.filter(|_| !overloaded);
    let ranged =
        steady.and_then(|p| ranges::range(ranges::shipped(), regime, &e.layout, inputs.cluster.scale_up_group(), gpus, p));
    let (range, range_basis) = ranged.map_or((None, None), |(r, b)| (Some(r), Some(b)));
    Candidate {
        layout: e.layout,
        feasible: matches!(e.verdict, Verdict::Feasible(_)),
        rejected_because,
        rejected_detail,
        // A light request rate keeps less than one request in the system on average; the plan
        // counts the one being served.
        concurrency: steady.map(|p| p.concurrency.round().max(1.0) as u32),
        ttft_ms: steady.map(|p| p.ttft.ms()),
        tpot_ms: point.map(|p| p.tpot.ms()),
        output_tok_s: point.map(|p| p.output_tok_s),
        output_tok_s_per_gpu: point.map(|p| p.output_tok_s / gpus as f64),
        tok_s_per_user: point.map(|p| p.tok_s_per_user),
        memory_per_gpu_gib: memory,
        bound: point.map(|p| p.decode_step.bound.id().to_string()),
        decode_step_ms: point.map(|p| p.decode_step.parts_ms()),
        range,
        range_basis,
        #[cfg(feature = "capacity")]
        usd_per_m_output_tokens: None,
        #[cfg(feature = "capacity")]
        usd_per_m_total_tokens: None,
        #[cfg(feature = "capacity")]
        power_w_per_gpu: None,
        #[cfg(feature = "capacity")]
        kwh_per_m_output_tokens: None,
        #[cfg(feature = "capacity")]
        kwh_per_m_total_tokens: None,
    }
}

#[cfg(test)]
pub(crate) mod tests;
