//! Every enumerated layout in one table, sortable by any column (header buttons, `aria-sort`),
//! feasible ones with their figures, rejected ones with their reason, the recommended and the
//! Pareto ones marked; selecting a row selects the layout everywhere.
//!
//! Design decision: hundreds of rows (506 for a 1T model on 1024 GPUs) stay fast because no
//! row holds a closure and each row is a component compared by cheap props: one click handler
//! on `<tbody>` reads the row's `data-index`, and a new selection re-renders only the two rows
//! whose `selected` changed. The sorted order is memoised per plan and sort.

use planner::order::sorted_indices;
use super::candidate_row::{costs, CandidateRow};
use super::shared::Shared;
use planner::plan::{Candidate, Plan};
use std::cmp::Ordering;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::Element;
use yew::prelude::*;

/// The table's columns, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Rank,
    Layout,
    Requests,
    Ttft,
    Tpot,
    TokSGpu,
    TokSUser,
    Weights,
    /// $ and kWh per million output tokens: only in the full page (the startup page has no
    /// capacity planning), and only when the plan has them (`capacity`).
    #[cfg(feature = "full-page")]
    UsdOutput,
    #[cfg(feature = "full-page")]
    KwhOutput,
    Bound,
    Status,
}

impl Column {
    pub const ALL: &'static [Column] = &[
        Column::Rank,
        Column::Layout,
        Column::Requests,
        Column::Ttft,
        Column::Tpot,
        Column::TokSGpu,
        Column::TokSUser,
        Column::Weights,
        #[cfg(feature = "full-page")]
        Column::UsdOutput,
        #[cfg(feature = "full-page")]
        Column::KwhOutput,
        Column::Bound,
        Column::Status,
    ];

    /// Stable id, the suffix of the header's test hook (`sort-ttft`).
    pub fn id(self) -> &'static str {
        match self {
            Column::Rank => "rank",
            Column::Layout => "layout",
            Column::Requests => "requests",
            Column::Ttft => "ttft",
            Column::Tpot => "tpot",
            Column::TokSGpu => "tok-s-gpu",
            Column::TokSUser => "tok-s-user",
            Column::Weights => "weights",
            #[cfg(feature = "full-page")]
            Column::UsdOutput => "usd-output",
            #[cfg(feature = "full-page")]
            Column::KwhOutput => "kwh-output",
            Column::Bound => "bound",
            Column::Status => "status",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Column::Rank => "#",
            Column::Layout => "Layout",
            Column::Requests => "Req.",
            Column::Ttft => "TTFT ms",
            Column::Tpot => "TPOT ms",
            Column::TokSGpu => "tok/s /GPU",
            Column::TokSUser => "tok/s /user",
            Column::Weights => "Weights GiB",
            #[cfg(feature = "full-page")]
            Column::UsdOutput => "$/M out",
            #[cfg(feature = "full-page")]
            Column::KwhOutput => "kWh/M out",
            Column::Bound => "Bound",
            Column::Status => "Status",
        }
    }

    /// The header in words, for its tooltip (and screen readers' description: the name is the
    /// header as shown, so a user who speaks it can click it).
    fn description(self) -> &'static str {
        match self {
            Column::Rank => "Rank by the scenario's priority",
            Column::Layout => "Layout: TP, PP, DP (and EP)",
            Column::Requests => "Requests in flight",
            Column::Ttft => "Time to first token, ms",
            Column::Tpot => "Time per output token, ms",
            Column::TokSGpu => "Output tokens/s per GPU",
            Column::TokSUser => "Tokens/s per user",
            Column::Weights => "Weights per GPU, GiB",
            #[cfg(feature = "full-page")]
            Column::UsdOutput => "USD per million output tokens at this layout's operating point",
            #[cfg(feature = "full-page")]
            Column::KwhOutput => "kWh per million output tokens at this layout's operating point",
            Column::Bound => "What limits a decode step",
            Column::Status => "Status, or why rejected",
        }
    }

    /// The first click sorts best first: most tokens/s, least time, smallest sizes.
    fn first_descending(self) -> bool {
        matches!(self, Column::Requests | Column::TokSGpu | Column::TokSUser)
    }
}

/// A column and a direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub column: Column,
    pub descending: bool,
}

/// `Some` before `None` whatever the direction; the values in the direction asked.
pub fn by<T: PartialOrd>(a: Option<T>, b: Option<T>, descending: bool) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => {
            let o = a.partial_cmp(&b).unwrap_or(Ordering::Equal);
            if descending {
                o.reverse()
            } else {
                o
            }
        }
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// Candidate indices in `sort` order; ties keep the ranking (then enumeration) order.
pub fn sorted(plan: &Plan, ranks: &[Option<usize>], sort: Sort) -> Vec<usize> {
    let key = |c: &Candidate| c.layout;
    let d = sort.descending;
    sorted_indices(plan.candidates.len(), &mut |i, j| {
        let (a, b) = (&plan.candidates[i], &plan.candidates[j]);
        let primary = match sort.column {
            Column::Rank => by(ranks[i], ranks[j], d),
            Column::Layout => {
                let (x, y) = (key(a), key(b));
                by(Some((x.tp, x.pp, x.dp, x.ep)), Some((y.tp, y.pp, y.dp, y.ep)), d)
            }
            Column::Requests => by(a.concurrency, b.concurrency, d),
            Column::Ttft => by(a.ttft_ms, b.ttft_ms, d),
            Column::Tpot => by(a.tpot_ms, b.tpot_ms, d),
            Column::TokSGpu => by(a.output_tok_s_per_gpu, b.output_tok_s_per_gpu, d),
            Column::TokSUser => by(a.tok_s_per_user, b.tok_s_per_user, d),
            Column::Weights => {
                let w = |c: &Candidate| Some(c.memory_per_gpu_gib.weights).filter(|w| *w > 0.0);
                by(w(a), w(b), d)
            }
            #[cfg(feature = "full-page")]
            Column::UsdOutput => by(costs(a)[0], costs(b)[0], d),
            #[cfg(feature = "full-page")]
            Column::KwhOutput => by(costs(a)[1], costs(b)[1], d),
            Column::Bound => by(a.bound.as_deref(), b.bound.as_deref(), d),
            Column::Status => by(Some(status(a)), Some(status(b)), d),
        };
        primary.then_with(|| by(ranks[i], ranks[j], false)).then(i.cmp(&j))
    })
}

/// The status column's sort key: feasible ("") first, then by rejection code.
fn status(c: &Candidate) -> &str {
    c.rejected_because.as_deref().unwrap_or("")
}

/// The `data-index` of the table row a click landed in (one handler on `<tbody>` serves
/// every row).
pub fn row_index(e: &MouseEvent) -> Option<usize> {
    e.target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .and_then(|t| t.closest("tr[data-index]").ok().flatten())
        .and_then(|tr| tr.get_attribute("data-index"))
        .and_then(|i| i.parse::<usize>().ok())
}

/// A sortable column's header (`key` its key): a button (test hook `testid`) with the column's
/// `label` and `description`, and `aria-sort` from `sorted` (`None`: not the sort column, else
/// whether descending).
pub fn sort_header(key: &'static str, testid: String, label: &'static str, description: &'static str, sorted: Option<bool>, onclick: Callback<MouseEvent>) -> Html {
    let aria_sort = match sorted {
        None => "none",
        Some(false) => "ascending",
        Some(true) => "descending",
    };
    html! {
        <th {key} scope="col" aria-sort={aria_sort}>
            <button type="button" data-testid={testid} title={description} {onclick}>
                { label }
                <span class="sort-mark" aria-hidden="true">{ match sorted { Some(false) => "\u{a0}▲", Some(true) => "\u{a0}▼", None => "" } }</span>
            </button>
        </th>
    }
}

#[derive(Properties, PartialEq)]
pub struct CandidatesTableProps {
    pub plan: Shared<Plan>,
    /// Index into `plan.candidates` of the selected (or recommended) candidate.
    pub shown: Option<usize>,
    pub onselect: Callback<usize>,
}

#[component]
pub fn CandidatesTable(props: &CandidatesTableProps) -> Html {
    let sort = use_state_eq(|| Sort { column: Column::Rank, descending: false });
    let ranks = use_memo(props.plan.clone(), |plan| {
        let mut ranks = vec![None; plan.candidates.len()];
        for (r, &i) in plan.ranking.iter().enumerate() {
            ranks[i] = Some(r + 1);
        }
        Rc::new(ranks)
    });
    let order = use_memo((props.plan.clone(), *sort, ranks.clone()), |(plan, sort, ranks)| sorted(plan, ranks, *sort));
    let plan = &props.plan;
    let recommended = plan.ranking.first().copied();
    let onclick = {
        let onselect = props.onselect.clone();
        Callback::from(move |e: MouseEvent| {
            if let Some(i) = row_index(&e) {
                onselect.emit(i);
            }
        })
    };
    let header = |column: Column| {
        let onclick = {
            let sort = sort.clone();
            Callback::from(move |_: MouseEvent| {
                let descending = if sort.column == column { !sort.descending } else { column.first_descending() };
                sort.set(Sort { column, descending });
            })
        };
        let sorted = (sort.column == column).then_some(sort.descending);
        sort_header(column.id(), format!("sort-{}", column.id()), column.label(), column.description(), sorted, onclick)
    };
    let feasible = plan.ranking.len();
    let show_costs = plan.candidates.iter().any(|c| costs(c).iter().any(Option::is_some));
    #[cfg(feature = "full-page")]
    let columns = Column::ALL.iter().copied().filter(|c| show_costs || !matches!(c, Column::UsdOutput | Column::KwhOutput));
    #[cfg(not(feature = "full-page"))]
    let columns = Column::ALL.iter().copied();
    html! {
        <section class="candidates card" data-testid="candidates-table" aria-labelledby="candidates-title">
            <h2 id="candidates-title">{ "Every layout" }</h2>
            <p class="muted">
                { format!(
                    "{} layouts enumerated, {feasible} feasible, {} on the Pareto front. Sort by any column; select a row to show that layout everywhere.",
                    plan.candidates.len(),
                    plan.pareto.len()
                ) }
            </p>
            <div class="table-scroll" tabindex="0" role="region" aria-labelledby="candidates-title">
                <table>
                    <thead>
                        <tr>{ for columns.map(header) }</tr>
                    </thead>
                    <tbody {onclick}>
                        { for order.iter().map(|&i| html! {
                            <CandidateRow
                                key={i}
                                plan={props.plan.clone()}
                                index={i}
                                rank={ranks[i]}
                                selected={Some(i) == props.shown}
                                recommended={Some(i) == recommended}
                                pareto={plan.pareto.contains(&i)}
                                costs={show_costs}
                            />
                        }) }
                    </tbody>
                </table>
            </div>
        </section>
    }
}
