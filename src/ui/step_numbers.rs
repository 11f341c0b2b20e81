//! The numbers a step of either trace used, as a definition list (name → value).

use super::format;
use crate::planner::plan::Inputs;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct StepNumbersProps {
    pub inputs: Inputs,
}

/// Nothing when the step used no number.
#[component]
pub fn StepNumbers(props: &StepNumbersProps) -> Html {
    if props.inputs.is_empty() {
        return html! {};
    }
    html! {
        <dl class="numbers">
            { for props.inputs.iter().map(|(name, value)| html! {
                <div key={name.clone()}>
                    <dt>{ name.clone() }</dt>
                    <dd>{ format::number(*value) }</dd>
                </div>
            }) }
        </dl>
    }
}
