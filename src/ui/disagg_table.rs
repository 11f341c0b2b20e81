//! The disaggregated prefill/decode candidates (full page, when the scenario's `serving` asks
//! for them): which mode is recommended and why, in the words and numbers of the plan's trace
//! step `disaggregation`, then one row per candidate — "2 × P TP4 + 1 × D TP8 EP8", the GPUs it
//! uses, TTFT with its parts (prefill, KV transfer, queue), TPOT, tokens/s per GPU and per user,
//! and feasible (ranked) or rejected with the reason. The planner computes every figure
//! (`planner::disagg`); this view only lays them out.
//!
//! The numeric columns sort (`candidates_table::sort_header` and its `by`; the ranking order
//! first, then the rejected ones, is the default), and selecting a row highlights it and its
//! point in the Pareto plot's disaggregated series. The selection is owned by the caller
//! (`Results`), as for the aggregated candidates, and found from one handler on `<tbody>`.

use super::candidates_table::{by, row_index, sort_header};
use super::format::{figure, with_unit};
use super::shared::Shared;
use planner::order::sorted_indices;
use planner::plan::disagg::{DisaggCandidate, Disaggregated};
use planner::plan::Plan;
use yew::prelude::*;

/// The sortable columns: id (test hook `disagg-sort-<id>`), header, tooltip, and whether the
/// first click sorts descending (most tokens/s first; least time and fewest GPUs first).
const COLUMNS: [(&str, &str, &str, bool); 6] = [
    ("rank", "Rank", "Rank by the scenario's priority", false),
    ("gpus", "GPUs used", "GPUs used by the prefill and decode workers, and those left idle", false),
    ("ttft", "TTFT", "Time to first token: prefill, KV transfer and queue", false),
    ("tpot", "TPOT", "Time per output token", false),
    ("tok-s-gpu", "Output tok/s per GPU", "Output tokens/s per GPU", true),
    ("tok-s-user", "Tok/s per user", "Tokens/s per user", true),
];

/// Per candidate, its place in the plan's disaggregated ranking (`None`: rejected).
fn ranks(d: &Disaggregated) -> Vec<Option<usize>> {
    let mut ranks = vec![None; d.candidates.len()];
    for (r, &i) in d.ranking.iter().enumerate() {
        ranks[i] = Some(r);
    }
    ranks
}

/// `default` (candidate indices) sorted by `COLUMNS[column]`; ties keep the `default` order.
fn sorted(d: &Disaggregated, ranks: &[Option<usize>], default: &[usize], column: usize, descending: bool) -> Vec<usize> {
    let key = |i: usize| {
        let c = &d.candidates[i];
        [ranks[i].map(|r| r as f64), Some(f64::from(c.gpus_used)), c.ttft_ms, c.tpot_ms, c.output_tok_s_per_gpu, c.tok_s_per_user][column]
    };
    let order = sorted_indices(default.len(), &mut |a, b| by(key(default[a]), key(default[b]), descending));
    order.into_iter().map(|o| default[o]).collect()
}

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

fn row(index: usize, rank: Option<usize>, c: &DisaggCandidate, selected: bool) -> Html {
    let status = match (&c.rejected_because, &c.rejected_detail) {
        _ if c.feasible => "feasible".to_string(),
        (_, Some(detail)) => format!("rejected: {detail}"),
        (Some(code), None) => format!("rejected: {code}"),
        (None, None) => "rejected".to_string(),
    };
    html! {
        <tr
            class={classes!("row", if c.feasible { "feasible" } else { "rejected" }, selected.then_some("selected"))}
            data-testid="disagg-row"
            data-index={index.to_string()}
            aria-current={selected.then_some("true")}
        >
            <td class="num">{ rank.map_or(String::new(), |r| (r + 1).to_string()) }</td>
            <th scope="row">
                <button type="button" class="row-select" aria-pressed={selected.to_string()} title={format!("Show {} on the chart", c.label)}>
                    { c.label.clone() }
                </button>
            </th>
            <td class="num">{ format!("{} + {} idle", c.gpus_used, c.idle_gpus) }</td>
            <td>{ ttft(c) }</td>
            <td class="num">{ with_unit(c.tpot_ms, "ms") }</td>
            <td class="num">{ with_unit(c.output_tok_s_per_gpu, "tok/s") }</td>
            <td class="num">{ with_unit(c.tok_s_per_user, "tok/s") }</td>
            <td class="status">{ status }</td>
        </tr>
    }
}

/// The default order: the candidates ranked first, then the rejected ones in the planner's order.
fn ranked_first(d: &Disaggregated) -> Vec<usize> {
    let rejected = (0..d.candidates.len()).filter(|&i| !d.candidates[i].feasible);
    d.ranking.iter().copied().chain(rejected).collect()
}

#[derive(Properties, PartialEq)]
pub struct DisaggTableProps {
    pub plan: Shared<Plan>,
    /// Index into the plan's disaggregated candidates of the selected one.
    pub selected: Option<usize>,
    pub onselect: Callback<usize>,
}

/// The plan's disaggregated part, or nothing when the scenario did not ask for it.
#[component]
pub fn DisaggTable(props: &DisaggTableProps) -> Html {
    // The column (into `COLUMNS`) and whether descending; `None` keeps the default order.
    let sort = use_state_eq(|| None::<(usize, bool)>);
    let ranks = use_memo(props.plan.clone(), |plan| plan.disaggregated.as_ref().map_or_else(Vec::new, ranks));
    let order = use_memo((props.plan.clone(), *sort, ranks.clone()), |(plan, sort, ranks)| {
        let Some(d) = &plan.disaggregated else { return Vec::new() };
        let default = ranked_first(d);
        match *sort {
            Some((column, descending)) => sorted(d, ranks, &default, column, descending),
            None => default,
        }
    });
    let plan = &props.plan;
    let Some(d) = &plan.disaggregated else { return Html::default() };
    let onclick = {
        let onselect = props.onselect.clone();
        Callback::from(move |e: MouseEvent| {
            if let Some(i) = row_index(&e) {
                onselect.emit(i);
            }
        })
    };
    let header = |(column, &(id, label, description, first_descending)): (usize, &(&'static str, &'static str, &'static str, bool))| {
        let current = (*sort).filter(|(c, _)| *c == column).map(|(_, descending)| descending);
        let onclick = {
            let sort = sort.clone();
            Callback::from(move |_: MouseEvent| sort.set(Some((column, current.map_or(first_descending, |d| !d)))))
        };
        sort_header(id, format!("disagg-sort-{id}"), label, description, current, onclick)
    };
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
                            { header((0, &COLUMNS[0])) }
                            <th scope="col">{ "Workers" }</th>
                            { for COLUMNS.iter().enumerate().skip(1).map(header) }
                            <th scope="col">{ "Status" }</th>
                        </tr>
                    </thead>
                    <tbody {onclick}>
                        { for order.iter().map(|&i| row(i, ranks[i], &d.candidates[i], props.selected == Some(i))) }
                    </tbody>
                </table>
            </div>
        </section>
    }
}
