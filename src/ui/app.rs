//! The whole page: the form and, derived from it, the plan (`Results`), or the rule-of-thumb
//! flow alone when the scenario cannot be planned (a GPU whose catalog entry lacks figures).

use super::form::{FieldErrors, FormState, Query};
use super::measured_results::MeasuredResults;
use super::rule_flow::RuleFlow;
use super::scenario_form::ScenarioForm;
use super::shared::Shared;
use super::state::{AppContext, AppState};
use crate::planner::error::InputError;
use crate::planner::inputs::{resolve, PlannerInputs};
use crate::planner::layout::Layout;
use crate::planner::plan::{Plan, RuleOfThumb};
use crate::planner::planning::plan_inputs;
use crate::planner::rules::rule_of_thumb;
use crate::planner::scenario::{PerfParamsInput, ScenarioInput, WorkloadInput};
use crate::planner::workload::Priority;
use std::rc::Rc;
use yew::prelude::*;

/// Input and output tokens per request until the form has workload fields.
const WORKLOAD_ISL: f64 = 1024.0;
const WORKLOAD_OSL: f64 = 256.0;

/// The planner's answer for a valid form, or why it could not plan.
type Planned = Result<(Rc<PlannerInputs>, Rc<Plan>), InputError>;

/// What the page shows, derived from the form: the plan (and the rule of thumb), or why it
/// cannot ask.
type Derived = Result<(Query, Rc<RuleOfThumb>, Planned), FieldErrors>;

/// The scenario of a valid form: its model, GPU and cluster, the batch size as concurrency,
/// a fixed workload of `WORKLOAD_ISL` + `WORKLOAD_OSL` tokens, and the user's kept fit.
fn scenario(form: &FormState, query: &Query, perf_params: Option<&PerfParamsInput>) -> ScenarioInput {
    let input = &query.rule_input;
    ScenarioInput {
        model: form.model.clone().into(),
        gpu: form.gpu.clone().into(),
        nodes: Some(input.nodes.into()),
        gpus_per_node: Some(input.gpus_per_node.into()),
        workload: WorkloadInput {
            isl: WORKLOAD_ISL,
            osl: WORKLOAD_OSL,
            concurrency: input.batch_size.map(f64::from),
            request_rate: None,
            arrivals: None,
        },
        priority: Some(query.priority),
        perf_params: perf_params.cloned(),
        ..ScenarioInput::default()
    }
}

fn derive(form: &FormState, perf_params: Option<&PerfParamsInput>) -> Derived {
    let query = Query::try_from(form)?;
    let rule = Rc::new(rule_of_thumb(&query.rule_input));
    let planned = resolve(&scenario(form, &query, perf_params))
        .and_then(|inputs| plan_inputs(&inputs).map(|plan| (Rc::new(inputs), Rc::new(plan))));
    Ok((query, rule, planned))
}

/// One line restating the scenario: "LLaMA 7B on 1 × 4 NVIDIA A100 …, batch 8, for throughput".
fn summary(query: &Query) -> String {
    let input = &query.rule_input;
    let priority = match query.priority {
        Priority::Throughput => "throughput",
        Priority::Latency => "latency",
        Priority::Balanced => "balance",
    };
    let batch = input.batch_size.map_or_else(|| "no batch limit".to_string(), |b| format!("batch {b}"));
    format!(
        "{} on {} × {} {}, {batch} of {WORKLOAD_ISL} + {WORKLOAD_OSL} tokens, optimising for {priority}",
        query.model_name, input.nodes, input.gpus_per_node, query.gpu_name
    )
}

#[component]
pub fn App() -> Html {
    let state = use_reducer(AppState::default);
    let derived = use_memo((state.form.clone(), state.perf_params.clone()), |(form, params)| derive(form, params.as_ref()));
    let selected = use_state_eq(|| None::<Layout>);
    let onselect = {
        let selected = selected.clone();
        Callback::from(move |layout: Layout| selected.set(Some(layout)))
    };
    let errors = match &*derived {
        Ok(_) => FieldErrors::default(),
        Err(errors) => errors.clone(),
    };
    html! {
        <ContextProvider<AppContext> context={state}>
            <header class="masthead">
                <h1>{ "LLM layout planner" }</h1>
                <p class="tagline">
                    { "How should this model be split across these GPUs? Everything runs in your browser; nothing is sent anywhere." }
                </p>
            </header>
            <div class="columns">
                <ScenarioForm {errors} />
                { match &*derived {
                    Ok((query, rule, planned)) => html! {
                        <div class="results">
                            <p class="scenario-summary" data-testid="scenario-summary">
                                { summary(query) }
                            </p>
                            { match planned {
                                Ok((inputs, plan)) => html! {
                                    <MeasuredResults plan={Shared(plan.clone())} inputs={Shared(inputs.clone())} selected={*selected} {onselect} />
                                },
                                Err(error) => html! {
                                    <>
                                        <p class="blocked" data-testid="plan-error" role="status">
                                            { format!("The planner cannot plan this scenario ({}): {}", error.field, error.message) }
                                        </p>
                                        <section class="trace card" data-testid="decision-trace">
                                            <h2>{ "Rule of thumb" }</h2>
                                            <RuleFlow rule_of_thumb={rule.clone()} />
                                        </section>
                                    </>
                                },
                            } }
                        </div>
                    },
                    Err(errors) => html! {
                        <div class="results">
                            <p class="blocked" data-testid="form-invalid" role="status">
                                { format!("Fix the {} highlighted field{} to see the plan.", errors.len(), if errors.len() == 1 { "" } else { "s" }) }
                            </p>
                        </div>
                    },
                } }
            </div>
        </ContextProvider<AppContext>>
    }
}
