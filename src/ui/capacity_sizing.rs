//! The sizing for the scenario's GPU: GPUs, nodes, the deployment's layout and each replica's,
//! replicas, a replica's capacity and the bottleneck that set the count, then how the count
//! was found (the trace's `capacity` step, through the trace's own view). When the scenario's
//! GPU is not among those compared, or cannot serve the load, the card says so and shows the
//! trace step, which then follows the first GPU that can. A view function of the card.

use super::format::{figure, with_unit};
use super::trace_step::trace_step;
use planner::plan::capacity::GpuSizing;
use planner::plan::Plan;
use yew::prelude::*;

/// One figure of the sizing: a term and its value.
fn item(term: &'static str, value: String) -> Html {
    html! {
        <div>
            <dt>{ term }</dt>
            <dd>{ value }</dd>
        </div>
    }
}

fn sizing(r: &GpuSizing) -> Html {
    let count = |v: Option<u32>| v.map_or_else(|| "—".to_string(), |n| n.to_string());
    html! {
        <dl class="numbers sizing">
            { item("GPUs", count(r.gpus)) }
            { item("Nodes", count(r.nodes)) }
            { item("Deployment", r.layout.map_or_else(|| "—".to_string(), |l| l.to_string())) }
            { item("Each replica", r.replica_layout.map_or_else(|| "—".to_string(), |l| l.to_string())) }
            { item("Replicas", count(r.replicas)) }
            { item("Capacity per replica", with_unit(r.replica_capacity_req_s, "req/s")) }
            { item("Bottleneck", r.bottleneck.clone().unwrap_or_else(|| "—".into())) }
            { item("TTFT at the load", with_unit(r.ttft_ms, "ms")) }
            { item("TPOT at the load", with_unit(r.tpot_ms, "ms")) }
            { item("$ per M output tokens", r.usd_per_m_output_tokens.map_or_else(|| "no price".into(), |v| format!("${}", figure(v)))) }
            { item("kWh per M output tokens", with_unit(r.kwh_per_m_output_tokens, "kWh")) }
        </dl>
    }
}

/// The sizing of `gpu` (the scenario's GPU id) in `plan`'s capacity, and the trace step.
pub fn capacity_sizing(plan: &Plan, gpu: &str) -> Html {
    let Some(capacity) = &plan.capacity else { return Html::default() };
    let own = capacity.per_gpu.iter().find(|r| r.gpu == gpu);
    let step = plan.trace.iter().find(|s| s.id == "capacity");
    html! {
        <div class="capacity-sizing" data-testid="capacity-sizing">
            <h3>{ format!("On the scenario's GPU, {gpu}") }</h3>
            { match own {
                Some(r) if r.feasible => sizing(r),
                Some(r) => html! { <p class="blocked" role="status">{ format!("{gpu} cannot serve the load: {}", r.reason.clone().unwrap_or_default()) }</p> },
                None => html! { <p class="muted">{ format!("{gpu} is not among the GPUs compared.") }</p> },
            } }
            if let Some(step) = step {
                <ol class="steps" data-testid="capacity-trace">{ trace_step(1, step, true) }</ol>
            }
        </div>
    }
}
