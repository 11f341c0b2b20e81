//! The rule-of-thumb decision flow: every rule in flow order, the visited ones highlighted
//! with their numbers and answers, the others greyed, and the layout the rule arrives at.

use super::rule_node::RuleNode;
use crate::planner::layout::Layout;
use crate::planner::plan::RuleOfThumb;
use crate::planner::rules::RULES;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct RuleTraceProps {
    pub rule_of_thumb: Rc<RuleOfThumb>,
}

#[component]
pub fn RuleTrace(props: &RuleTraceProps) -> Html {
    let rule_of_thumb = &props.rule_of_thumb;
    let steps = &rule_of_thumb.steps;
    html! {
        <section class="trace" data-testid="decision-trace" aria-labelledby="trace-title">
            <h2 id="trace-title">{ "Rule of thumb" }</h2>
            <p class="verdict">
                { "The classic rule says: " }
                <strong data-testid="rule-layout">{ describe(rule_of_thumb.layout) }</strong>
            </p>
            if rule_of_thumb.literal_layout != rule_of_thumb.layout {
                <div class="readings" data-testid="rule-readings">
                    <p>
                        { "Read word for word: " }
                        <strong data-testid="rule-literal-layout">{ describe(rule_of_thumb.literal_layout) }</strong>
                    </p>
                    <ul class="notes">
                        { for rule_of_thumb.notes.iter().enumerate().map(|(i, note)| html! { <li key={i}>{ note.clone() }</li> }) }
                    </ul>
                </div>
            }
            <ol class="flow">
                { for RULES.iter().map(|rule| {
                    let visit = steps.iter().position(|step| step.id == rule.id);
                    html! {
                        <RuleNode
                            key={rule.id}
                            id={rule.id}
                            title={rule.title}
                            question={rule.question}
                            rationale={rule.rationale}
                            order={visit.map(|i| i + 1)}
                            step={visit.map(|i| steps[i].clone())}
                        />
                    }
                }) }
            </ol>
        </section>
    }
}

fn describe(layout: Option<Layout>) -> String {
    match layout {
        Some(layout) => layout.to_string(),
        None => "no usable layout".to_string(),
    }
}
