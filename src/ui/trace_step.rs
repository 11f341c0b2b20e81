//! One step of the planner's quantitative decision, expandable: its title, then its detail
//! (one item per entry for the steps that list several) and the numbers it used.

use super::step_numbers::StepNumbers;
use crate::planner::plan::TraceStep;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TraceStepProps {
    /// Position in the trace, from 1.
    pub number: usize,
    pub step: TraceStep,
    /// Whether it starts expanded.
    pub open: bool,
}

#[component]
pub fn TraceStepView(props: &TraceStepProps) -> Html {
    let step = &props.step;
    // Two steps are lists joined with "; " (rejections by reason, the top three); the other
    // details use "; " inside sentences.
    let clauses: Vec<&str> =
        if matches!(step.id.as_str(), "reject" | "rank") { step.detail.split("; ").collect() } else { vec![&step.detail] };
    html! {
        <li class="step" data-testid={format!("trace-{}", step.id)}>
            <details open={props.open}>
                <summary>
                    <span class="order">{ props.number }</span>
                    { step.title.clone() }
                </summary>
                if clauses.len() > 1 {
                    <ul class="clauses">
                        { for clauses.iter().enumerate().map(|(i, c)| html! { <li key={i}>{ c.to_string() }</li> }) }
                    </ul>
                } else {
                    <p>{ step.detail.clone() }</p>
                }
                <StepNumbers inputs={step.inputs.clone()} />
            </details>
        </li>
    }
}
