//! The numbers a step of either trace used, as a definition list (name → value). A view
//! function, not a component (a component's glue weighs more than it could save here).

use super::format;
use planner::plan::Inputs;
use yew::prelude::*;

/// Nothing when the step used no number.
pub fn step_numbers(inputs: &Inputs) -> Html {
    if inputs.is_empty() {
        return Html::default();
    }
    html! {
        <dl class="numbers">
            { for inputs.iter().map(|(name, value)| html! {
                <div key={name}>
                    <dt>{ name.to_string() }</dt>
                    <dd>{ format::number(value) }</dd>
                </div>
            }) }
        </dl>
    }
}
