//! One rule of the flow: its question, and when the flow visited it, the numbers it used,
//! the answer and where that led; and where each answer goes (shown when the flowchart is too
//! narrow for arrows).

use super::step_numbers::step_numbers;
use planner::plan::RuleStep;
use planner::rules::Rule;
use yew::prelude::*;

/// One way out of a rule: on which answer (empty: always), to which rule, and whether the
/// flow went that way.
#[derive(Debug, Clone, PartialEq)]
pub struct Next {
    pub when: AttrValue,
    pub to: AttrValue,
    pub taken: bool,
}

/// The box of `rule` (test hook `rule-{id}`, keyed by its id): `order` its position on the
/// taken path (1 = first question asked) and `step` what it found, both `None` when not
/// visited; `class` its placement in the flowchart's grid; `next` where each answer leads. A
/// view function of `rule_flow`, not a component: the flow draws its boxes only when its rule
/// changes, so comparing a box's inputs could never skip a render.
pub fn rule_node(rule: &Rule, order: Option<usize>, step: Option<&RuleStep>, class: Classes, next: &[Next]) -> Html {
    let visited = step.is_some();
    html! {
        <li
            key={rule.id}
            class={classes!("rule", if visited { "taken" } else { "untaken" }, class)}
            data-testid={format!("rule-{}", rule.id)}
            data-visited={visited.to_string()}
        >
            <h3>
                if let Some(order) = order {
                    <span class="order" aria-label={format!("step {order}")}>{ order }</span>
                }
                { rule.title }
            </h3>
            <p class="question">
                { step.map_or(rule.question, |step| &step.question).to_string() }
            </p>
            if let Some(step) = step {
                { step_numbers(&step.inputs) }
                <p class="answer">{ "Answer: " }<strong data-testid={format!("answer-{}", rule.id)}>{ step.answer.clone() }</strong></p>
                <p class="outcome">{ step.outcome.clone() }</p>
            }
            if !next.is_empty() {
                <ul class="next">
                    { for next.iter().map(|n| html! {
                        <li key={n.to.to_string()} class={classes!(n.taken.then_some("taken"))}>
                            { if n.when.is_empty() { format!("→ {}", n.to) } else { format!("{} → {}", n.when, n.to) } }
                        </li>
                    }) }
                </ul>
            }
            <details class="rationale">
                <summary>{ "Why this rule" }</summary>
                <p>{ rule.rationale }</p>
            </details>
        </li>
    }
}
