//! One row of the candidates table: a feasible layout with its figures, or a rejected one with
//! its reason; marked when recommended, on the Pareto front or selected. Clicks are handled by
//! the table (the row carries `data-index`), so the row holds no closure.

use super::format::{figure, layout_short};
use super::shared::Shared;
use planner::plan::{Candidate, Plan};
use yew::prelude::*;

/// A candidate's $ and kWh per million output tokens (`None` without the scenario's
/// `capacity`, and always in the startup page, whose planner has no capacity planning).
pub fn costs(c: &Candidate) -> [Option<f64>; 2] {
    #[cfg(feature = "full-page")]
    return [c.usd_per_m_output_tokens, c.kwh_per_m_output_tokens];
    #[cfg(not(feature = "full-page"))]
    {
        let _ = c;
        [None, None]
    }
}

#[derive(Properties, PartialEq)]
pub struct CandidateRowProps {
    pub plan: Shared<Plan>,
    /// Index into `plan.candidates`.
    pub index: usize,
    /// Position in the ranking (1 = recommended), `None` when rejected.
    pub rank: Option<usize>,
    pub selected: bool,
    pub recommended: bool,
    pub pareto: bool,
    /// Show the cost columns (`costs`).
    #[prop_or_default]
    pub costs: bool,
}

#[component]
pub fn CandidateRow(props: &CandidateRowProps) -> Html {
    let c = &props.plan.candidates[props.index];
    let cell = |v: Option<f64>| v.map_or_else(|| "—".to_string(), figure);
    let weights = Some(c.memory_per_gpu_gib.weights).filter(|w| *w > 0.0);
    let classes = classes!(
        "row",
        if c.feasible { "feasible" } else { "rejected" },
        props.selected.then_some("selected"),
        props.recommended.then_some("recommended"),
    );
    html! {
        <tr
            class={classes}
            data-index={props.index.to_string()}
            data-testid={format!("row-{}", layout_short(&c.layout).replace(' ', "-").to_ascii_lowercase())}
            aria-current={props.selected.then_some("true")}
        >
            <td class="num">{ props.rank.map_or(String::new(), |r| r.to_string()) }</td>
            <td>
                <button type="button" class="row-select" aria-pressed={props.selected.to_string()} title={format!("Show {} everywhere", c.layout)}>
                    { layout_short(&c.layout) }
                </button>
            </td>
            <td class="num">{ c.concurrency.map_or_else(|| "—".to_string(), |n| figure(n as f64)) }</td>
            <td class="num">{ cell(c.ttft_ms) }</td>
            <td class="num">{ cell(c.tpot_ms) }</td>
            <td class="num">{ cell(c.output_tok_s_per_gpu) }</td>
            <td class="num">{ cell(c.tok_s_per_user) }</td>
            <td class="num">{ cell(weights) }</td>
            if props.costs {
                { for costs(c).into_iter().map(|v| html! { <td class="num">{ cell(v) }</td> }) }
            }
            <td title={c.bound.clone().unwrap_or_default()}>{ match c.bound.as_deref() { Some("communication") => "comm.", Some(b) => b, None => "" } }</td>
            <td class="status">
                if props.recommended {
                    <span class="badge recommended">{ "recommended" }</span>
                }
                if props.pareto {
                    <span class="badge pareto">{ "Pareto" }</span>
                }
                if let Some(code) = &c.rejected_because {
                    <span class="reason" title={c.rejected_detail.clone().unwrap_or_default()}>
                        <strong>{ code.clone() }</strong>
                        if let Some(detail) = &c.rejected_detail {
                            { format!(": {detail}") }
                        }
                    </span>
                } else if !props.recommended && !props.pareto {
                    { "feasible" }
                }
            </td>
        </tr>
    }
}
