//! One rule of the flow: its question, and when the flow visited it, the numbers it used,
//! the answer and where that led; and where each answer goes (shown when the flowchart is too
//! narrow for arrows).

use super::step_numbers::step_numbers;
use crate::planner::plan::RuleStep;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct RuleNodeProps {
    /// The rule's stable id; the test hook is `rule-{id}`.
    pub id: AttrValue,
    pub title: AttrValue,
    /// The rule's general question; a visited step shows its own wording.
    pub question: AttrValue,
    pub rationale: AttrValue,
    /// Position on the taken path (1 = first question asked), `None` when not visited.
    pub order: Option<usize>,
    /// What the rule found, when visited.
    pub step: Option<RuleStep>,
    /// Placement classes in the flowchart's grid.
    #[prop_or_default]
    pub class: Classes,
    /// Where each answer leads.
    #[prop_or_default]
    pub next: Vec<Next>,
}

/// One way out of a rule: on which answer (empty: always), to which rule, and whether the
/// flow went that way.
#[derive(Debug, Clone, PartialEq)]
pub struct Next {
    pub when: AttrValue,
    pub to: AttrValue,
    pub taken: bool,
}

#[component]
pub fn RuleNode(props: &RuleNodeProps) -> Html {
    let visited = props.step.is_some();
    html! {
        <li
            class={classes!("rule", if visited { "taken" } else { "untaken" }, props.class.clone())}
            data-testid={format!("rule-{}", props.id)}
            data-visited={visited.to_string()}
        >
            <h3>
                if let Some(order) = props.order {
                    <span class="order" aria-label={format!("step {order}")}>{ order }</span>
                }
                { props.title.clone() }
            </h3>
            <p class="question">
                { props.step.as_ref().map_or_else(|| props.question.to_string(), |step| step.question.clone()) }
            </p>
            if let Some(step) = &props.step {
                { step_numbers(&step.inputs) }
                <p class="answer">{ "Answer: " }<strong data-testid={format!("answer-{}", props.id)}>{ step.answer.clone() }</strong></p>
                <p class="outcome">{ step.outcome.clone() }</p>
            }
            if !props.next.is_empty() {
                <ul class="next">
                    { for props.next.iter().map(|n| html! {
                        <li key={n.to.to_string()} class={classes!(n.taken.then_some("taken"))}>
                            { if n.when.is_empty() { format!("→ {}", n.to) } else { format!("{} → {}", n.when, n.to) } }
                        </li>
                    }) }
                </ul>
            }
            <details class="rationale">
                <summary>{ "Why this rule" }</summary>
                <p>{ props.rationale.clone() }</p>
            </details>
        </li>
    }
}
