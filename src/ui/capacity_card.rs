//! Capacity and cost (issue 14), in the full page: how many GPUs of which kind serve a target
//! load within the SLA, at what price and energy. The card holds its inputs
//! (`capacity_inputs`), and from the plan's `capacity`: the sizing on the scenario's GPU
//! (`capacity_sizing`), the GPU comparison (`capacity_table`) with a CSV download
//! (`planner::export::capacity_csv`), cost against interactivity per GPU with the SLA marked
//! and the what-if sweep (`capacity_chart`), and how power is modelled and prices sourced.
//!
//! Design decision: the card's inputs are the scenario's `capacity` (state, typed, in the
//! share link); everything shown is the plan's, which the page plans from that scenario as it
//! plans the rest. When the startup page's capacity door (or a link with `capacity`) loaded
//! this page, the card opens on its inputs (a link's card stays as the link has it) and its
//! heading takes the focus.

use super::browser;
use super::capacity_chart::{line_chart, LineChartView};
use super::capacity_inputs::capacity_inputs;
use super::capacity_sizing::capacity_sizing;
use super::capacity_table::{capacity_table, price_sources, tdp_sources, Sort};
use super::form::{gpu_choices, FieldErrors};
use super::format::figure;
use super::shared::Shared;
use super::state::{Action, AppContext};
use planner::export::capacity_csv;
use planner::plan::capacity::CapacityPlan;
use planner::plan::Plan;
use std::sync::atomic::{AtomicBool, Ordering};
use yew::prelude::*;

/// Set by `focus_on_mount`, taken by the card's first render.
static FOCUS_CAPACITY: AtomicBool = AtomicBool::new(false);

/// Asks the card's first render to move the focus to its heading.
pub fn focus_on_mount() {
    FOCUS_CAPACITY.store(true, Ordering::Relaxed);
}

#[derive(Properties, PartialEq)]
pub struct CapacityCardProps {
    /// The plan on screen, if any.
    pub plan: Option<Shared<Plan>>,
    /// The scenario's GPU (catalog id, or a custom GPU's name).
    pub gpu: AttrValue,
    pub errors: FieldErrors,
}

/// Cost against interactivity: one series per GPU that has a price.
fn cost_chart(c: &CapacityPlan) -> Html {
    let series: Vec<(String, Vec<[f64; 2]>)> = c
        .per_gpu
        .iter()
        .filter(|r| !r.cost_vs_interactivity.is_empty())
        .map(|r| (r.gpu.clone(), r.cost_vs_interactivity.clone()))
        .collect();
    let mark = c.per_gpu.iter().find_map(|r| r.sla_tok_s_per_user).map(|v| (v, format!("SLA: TPOT ≤ {} ms", figure(1000.0 / v))));
    line_chart(LineChartView {
        testid: "cost-chart",
        caption: "Cost against interactivity: each GPU's best layouts at their maximum throughput (the SLA's TPOT marked)".into(),
        x_title: "tokens/s per user",
        y_title: "$ per million output tokens",
        series,
        mark,
    })
}

/// The sweep: GPUs needed, and $ per million output tokens, against the swept variable.
fn sweep_charts(c: &CapacityPlan) -> Html {
    let Some(sweep) = &c.sweep else { return Html::default() };
    let variable = match sweep.variable.as_str() {
        "isl" => "input tokens (ISL)",
        "osl" => "output tokens (OSL)",
        _ => "requests/s",
    };
    let series = |pick: &dyn Fn(usize, &planner::plan::capacity::SweepSeries) -> Option<f64>| -> Vec<(String, Vec<[f64; 2]>)> {
        sweep
            .per_gpu
            .iter()
            .map(|s| (s.gpu.clone(), sweep.values.iter().enumerate().map(|(i, &x)| [x, pick(i, s).unwrap_or(f64::NAN)]).collect()))
            .collect()
    };
    html! {
        <div class="chart" data-testid="sweep-chart">
            { line_chart(LineChartView {
                testid: "sweep-gpus-chart",
                caption: format!("What if: GPUs needed against {variable} (a gap: no count up to the ceiling serves)"),
                x_title: variable,
                y_title: "GPUs needed",
                series: series(&|i, s| s.gpus.get(i).copied().flatten().map(f64::from)),
                mark: None,
            }) }
            { line_chart(LineChartView {
                testid: "sweep-cost-chart",
                caption: format!("What if: $ per million output tokens against {variable}"),
                x_title: variable,
                y_title: "$ per million output tokens",
                series: series(&|i, s| s.usd_per_m_output_tokens.get(i).copied().flatten()),
                mark: None,
            }) }
        </div>
    }
}

#[component]
pub fn CapacityCard(props: &CapacityCardProps) -> Html {
    let state = use_context::<AppContext>().expect("CapacityCard is rendered inside App's context provider");
    let gpus = use_memo((), |()| gpu_choices());
    let sort = use_state_eq(|| None::<Sort>);
    let heading = use_node_ref();
    {
        // Opened from the startup page's door: the card opens on its inputs, its heading focused.
        let heading = heading.clone();
        let state = state.clone();
        use_effect_with((), move |_| {
            if FOCUS_CAPACITY.swap(false, Ordering::Relaxed) {
                state.dispatch(Action::SizeForLoad(true));
                if let Some(h) = heading.cast::<web_sys::HtmlElement>() {
                    // Focus scrolls the heading into view; a refusal only leaves it where it was.
                    let _ = h.focus();
                }
            }
        });
    }
    let size = |on: bool| {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::SizeForLoad(on)))
    };
    let capacity = props.plan.as_ref().and_then(|p| p.capacity.as_ref().map(|c| (p, c)));
    let on_csv = {
        let plan = props.plan.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(csv) = plan.as_ref().and_then(|p| capacity_csv(p)) {
                browser::download("gpu-comparison.csv", "text/csv", &csv);
            }
        })
    };
    html! {
        <section class="capacity card" data-testid="capacity-card" aria-labelledby="capacity-title">
            <h2 id="capacity-title" tabindex="-1" ref={heading}>{ "Capacity and cost" }</h2>
            <p class="muted">
                { "How many GPUs of which kind serve a target load within the SLA, and what a million tokens costs in dollars and energy. Computed in your browser, as the rest of the plan." }
            </p>
            if let Some(card) = &state.capacity {
                { capacity_inputs(&state, &props.errors, card, &gpus) }
                <button type="button" data-testid="capacity-stop" onclick={size(false)}>{ "Stop sizing" }</button>
                if let Some((plan, c)) = capacity {
                    { capacity_sizing(plan, &props.gpu) }
                    <h3>{ "GPU comparison" }</h3>
                    { capacity_table(&state, c, &props.errors, &sort) }
                    <p class="legend-note" data-testid="price-sources">
                        { "Default prices (published on-demand USD per GPU-hour): " }
                        { price_sources(c).join("; ") }
                        { ". A GPU without a published price has none until you enter one in its price cell." }
                    </p>
                    <p class="legend-note">{ format!("Energy: {}", c.energy_model) }</p>
                    <details data-testid="tdp-sources">
                        <summary>{ "Power figures (TDP) and their sources" }</summary>
                        <p class="legend-note">
                            { tdp_sources(c).join("; ") }
                            { ". From data/gpus.csv, which records no retrieval date (a source pinned to a commit names its version)." }
                        </p>
                    </details>
                    <button type="button" data-testid="capacity-csv" onclick={on_csv}>{ "Download the comparison (CSV)" }</button>
                    <div class="chart">
                        { cost_chart(c) }
                    </div>
                    { sweep_charts(c) }
                    <details>
                        <summary>{ "How the count is found" }</summary>
                        <p>{ c.sizing_rule.clone() }</p>
                    </details>
                }
            } else {
                <button type="button" class="primary" data-testid="capacity-start" onclick={size(true)}>{ "Size for a target load" }</button>
            }
        </section>
    }
}
