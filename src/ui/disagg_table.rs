//! The disaggregated prefill/decode candidates (full page, when the scenario's `serving` asks
//! for them): which mode is recommended and why, in the words and numbers of the plan's trace
//! step `disaggregation`, then one row per candidate — "2 × P TP4 + 1 × D TP8 EP8", the GPUs it
//! uses, TTFT with its parts (prefill, KV transfer, queue), TPOT, tokens/s per GPU and per user,
//! and feasible (ranked) or rejected with the reason. The planner computes every figure
//! (`planner::disagg`); this view only lays them out.

use super::format::{figure, with_unit};
use planner::plan::disagg::{DisaggCandidate, Disaggregated};
use planner::plan::Plan;
use yew::prelude::*;

/// "812 ms (prefill 640 + transfer 12 + queue 160)".
fn ttft(c: &DisaggCandidate) -> String {
    match c.ttft_ms {
        Some(total) => format!(
            "{} (prefill {} + transfer {} + queue {})",
            with_unit(Some(total), "ms"),
            figure(c.prefill.ttft_prefill_ms),
            figure(c.kv_transfer_ms),
            c.queue_ms.map_or_else(|| "—".to_string(), figure)
        ),
        None => "—".to_string(),
    }
}

fn row(rank: Option<usize>, c: &DisaggCandidate) -> Html {
    let status = match (&c.rejected_because, &c.rejected_detail) {
        _ if c.feasible => "feasible".to_string(),
        (_, Some(detail)) => format!("rejected: {detail}"),
        (Some(code), None) => format!("rejected: {code}"),
        (None, None) => "rejected".to_string(),
    };
    html! {
        <tr class={classes!("row", if c.feasible { "feasible" } else { "rejected" })} data-testid="disagg-row">
            <td class="num">{ rank.map_or(String::new(), |r| (r + 1).to_string()) }</td>
            <th scope="row">{ c.label.clone() }</th>
            <td class="num">{ format!("{} + {} idle", c.gpus_used, c.idle_gpus) }</td>
            <td>{ ttft(c) }</td>
            <td class="num">{ with_unit(c.tpot_ms, "ms") }</td>
            <td class="num">{ with_unit(c.output_tok_s_per_gpu, "tok/s") }</td>
            <td class="num">{ with_unit(c.tok_s_per_user, "tok/s") }</td>
            <td class="status">{ status }</td>
        </tr>
    }
}

/// The candidates ranked first, then the rejected ones in the planner's order.
fn rows(d: &Disaggregated) -> Html {
    let ranked = d.ranking.iter().enumerate().map(|(rank, &i)| (Some(rank), &d.candidates[i]));
    let rejected = d.candidates.iter().filter(|c| !c.feasible).map(|c| (None, c));
    html! { <>{ for ranked.chain(rejected).map(|(rank, c)| row(rank, c)) }</> }
}

/// The plan's disaggregated part, or nothing when the scenario did not ask for it.
pub fn disagg_table(plan: &Plan) -> Html {
    let Some(d) = &plan.disaggregated else { return Html::default() };
    let why = plan.trace.iter().find(|s| s.id == "disaggregation");
    let mode = plan.recommended_mode.as_deref().map_or_else(
        || "Disaggregated serving only, as the scenario asks.".to_string(),
        |m| format!("Recommended: {m} serving."),
    );
    html! {
        <section class="disagg card" data-testid="disaggregated" aria-labelledby="disagg-title">
            <h2 id="disagg-title">{ "Disaggregated prefill/decode" }</h2>
            <p class="recommended-mode" data-testid="recommended-mode" data-mode={plan.recommended_mode.clone()}>
                <strong>{ mode }</strong>
                { " " }
                { why.map(|s| s.detail.clone()).unwrap_or_default() }
            </p>
            <div class="table-scroll" tabindex="0" role="region" aria-labelledby="disagg-title">
                <table class="candidates" data-testid="disagg-table">
                    <thead>
                        <tr>
                            <th scope="col">{ "Rank" }</th>
                            <th scope="col">{ "Workers" }</th>
                            <th scope="col">{ "GPUs used" }</th>
                            <th scope="col">{ "TTFT" }</th>
                            <th scope="col">{ "TPOT" }</th>
                            <th scope="col">{ "Output tok/s per GPU" }</th>
                            <th scope="col">{ "Tok/s per user" }</th>
                            <th scope="col">{ "Status" }</th>
                        </tr>
                    </thead>
                    <tbody>{ rows(d) }</tbody>
                </table>
            </div>
        </section>
    }
}
