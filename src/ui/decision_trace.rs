//! Why this layout: the rule of thumb drawn as a flowchart, then the planner's own decision
//! step by step (enumerate → reject by reason → operating point → rank → winner → against the
//! rule of thumb), each step expandable.
//!
//! A view function of `Results`, not a component: a component's glue weighs about a KB of
//! WebAssembly, and drawing the trace again when the selection changes costs little.

use super::rule_flow::rule_flow;
use super::trace_step::trace_step;
use planner::plan::Plan;
use yew::prelude::*;

pub fn decision_trace(plan: &Plan) -> Html {
    html! {
        <section class="trace card" data-testid="decision-trace" aria-labelledby="trace-title">
            <h2 id="trace-title">{ "How the layout was decided" }</h2>
            <h3>{ "1. The rule of thumb" }</h3>
            { rule_flow(&plan.rule_of_thumb) }
            <h3>{ "2. The planner's estimate" }</h3>
            <ol class="steps" data-testid="trace-steps">
                { for plan.trace.iter().enumerate().map(|(i, step)| trace_step(i + 1, step, i + 1 == plan.trace.len())) }
            </ol>
        </section>
    }
}
