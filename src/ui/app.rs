//! The whole page: the form and, derived from it, the rule-of-thumb trace.

use super::form::{FieldErrors, Query};
use super::rule_trace::RuleTrace;
use super::scenario_form::ScenarioForm;
use super::state::{AppContext, AppState};
use crate::planner::plan::RuleOfThumb;
use crate::planner::rules::rule_of_thumb;
use crate::planner::workload::Priority;
use std::rc::Rc;
use yew::prelude::*;

/// What the page shows, derived from the form: the planner's answer, or why it cannot ask.
type Derived = Result<(Query, Rc<RuleOfThumb>), FieldErrors>;

fn derive(form: &super::form::FormState) -> Derived {
    let query = Query::try_from(form)?;
    let rule = Rc::new(rule_of_thumb(&query.rule_input));
    Ok((query, rule))
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
        "{} on {} × {} {}, {batch}, optimising for {priority}",
        query.model_name, input.nodes, input.gpus_per_node, query.gpu_name
    )
}

#[component]
pub fn App() -> Html {
    let state = use_reducer(AppState::default);
    let derived = use_memo(state.form.clone(), derive);
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
                    Ok((query, rule)) => html! {
                        <div class="results">
                            <p class="scenario-summary" data-testid="scenario-summary">
                                { summary(query) }
                            </p>
                            <RuleTrace rule_of_thumb={rule.clone()} />
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
