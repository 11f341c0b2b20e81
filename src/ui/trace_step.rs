//! One step of the planner's quantitative decision, expandable: its title, then its detail
//! (one item per entry for the steps that list several) and the numbers it used. A view
//! function, not a component: a component's glue (and a deep comparison of the step on every
//! render) would weigh more than the few steps it could skip redrawing.

use super::step_numbers::step_numbers;
use planner::plan::TraceStep;
use yew::prelude::*;

/// Step `number` (from 1) of the trace, expanded when `open`.
pub fn trace_step(number: usize, step: &TraceStep, open: bool) -> Html {
    // Two steps are lists joined with "; " (rejections by reason, the top three); the other
    // details use "; " inside sentences.
    let clauses: Vec<&str> =
        if matches!(step.id.as_str(), "reject" | "rank") { step.detail.split("; ").collect() } else { vec![&step.detail] };
    html! {
        <li key={step.id.clone()} class="step" data-testid={format!("trace-{}", step.id)}>
            <details {open}>
                <summary>
                    <span class="order">{ number }</span>
                    { step.title.clone() }
                </summary>
                if clauses.len() > 1 {
                    <ul class="clauses">
                        { for clauses.iter().enumerate().map(|(i, c)| html! { <li key={i}>{ c.to_string() }</li> }) }
                    </ul>
                } else {
                    <p>{ step.detail.clone() }</p>
                }
                { step_numbers(&step.inputs) }
            </details>
        </li>
    }
}
