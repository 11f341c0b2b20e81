//! The GPU comparison: one row per compared GPU (`plan.capacity.per_gpu`), sized or with the
//! reason it cannot serve the load, sortable by every column (header buttons, `aria-sort`).
//! The price cell is a text box: empty, it shows the default price (or "no price: enter one")
//! with its source and date; typed, it overrides the default (`capacity.prices`).
//!
//! Design decision: a view function, not a component (a component's glue weighs a few KB of
//! the full page); the sort is the card's state, the order a pure function of the plan's rows
//! (`sorted`), and a score of rows needs no per-row component.

use super::candidates_table::{by, sort_header};
use super::capacity_form::{CapacityEdit, CapacityField};
use super::capacity_inputs::on_edit;
use super::form::FieldErrors;
use super::format::{figure, layout_short};
use super::state::AppContext;
use planner::order::sorted_indices;
use planner::plan::capacity::{CapacityPlan, GpuSizing};
use yew::prelude::*;

/// The table's columns, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Gpu,
    Gpus,
    Nodes,
    Layout,
    Replicas,
    Bottleneck,
    TokSGpu,
    TokSUser,
    Price,
    UsdOutput,
    UsdTotal,
    KwhOutput,
    Status,
}

impl Column {
    pub const ALL: [Column; 13] = [
        Column::Gpu,
        Column::Gpus,
        Column::Nodes,
        Column::Layout,
        Column::Replicas,
        Column::Bottleneck,
        Column::TokSGpu,
        Column::TokSUser,
        Column::Price,
        Column::UsdOutput,
        Column::UsdTotal,
        Column::KwhOutput,
        Column::Status,
    ];

    /// (id: the suffix of the header's test hook `capacity-sort-<id>`, header, description)
    fn names(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Column::Gpu => ("gpu", "GPU", "GPU kind (catalog id)"),
            Column::Gpus => ("gpus", "GPUs", "GPUs needed, whole purchase units"),
            Column::Nodes => ("nodes", "Nodes", "Nodes those GPUs fill"),
            Column::Layout => ("layout", "Layout", "The whole deployment: TP, PP, DP (replicas × the replica's DP), EP"),
            Column::Replicas => ("replicas", "Replicas", "Serving groups"),
            Column::Bottleneck => ("bottleneck", "Bottleneck", "What set the count: memory, throughput, SLA or the purchase unit"),
            Column::TokSGpu => ("tok-s-gpu", "tok/s /GPU", "Output tokens/s per GPU at the target load"),
            Column::TokSUser => ("tok-s-user", "tok/s /user", "Tokens/s per user at the target load"),
            Column::Price => ("price", "$/GPU-h", "USD per GPU-hour: the default (source and date in the cell's title) or yours"),
            Column::UsdOutput => ("usd-output", "$/M out", "USD per million output tokens at the target load"),
            Column::UsdTotal => ("usd-total", "$/M total", "USD per million input + output tokens at the target load"),
            Column::KwhOutput => ("kwh-output", "kWh/M out", "kWh per million output tokens at the target load"),
            Column::Status => ("status", "Status", "Sized, or why no count serves the load"),
        }
    }

    /// The first click sorts best first: most tokens/s, least cost, fewest GPUs.
    fn first_descending(self) -> bool {
        matches!(self, Column::TokSGpu | Column::TokSUser)
    }
}

/// A column and a direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub column: Column,
    pub descending: bool,
}

/// Row indices in `sort` order; ties keep the plan's order (`None`: the plan's order).
pub fn sorted(rows: &[GpuSizing], sort: Option<Sort>) -> Vec<usize> {
    let Some(sort) = sort else { return (0..rows.len()).collect() };
    let d = sort.descending;
    sorted_indices(rows.len(), &mut |i, j| {
        let (a, b) = (&rows[i], &rows[j]);
        let f = |r: &GpuSizing| match sort.column {
            Column::Gpus => r.gpus.map(f64::from),
            Column::Nodes => r.nodes.map(f64::from),
            Column::Replicas => r.replicas.map(f64::from),
            Column::TokSGpu => r.output_tok_s_per_gpu,
            Column::TokSUser => r.tok_s_per_user,
            Column::Price => r.usd_per_gpu_hour,
            Column::UsdOutput => r.usd_per_m_output_tokens,
            Column::UsdTotal => r.usd_per_m_total_tokens,
            Column::KwhOutput => r.kwh_per_m_output_tokens,
            Column::Gpu | Column::Layout | Column::Bottleneck | Column::Status => None,
        };
        let primary = match sort.column {
            Column::Gpu => by(Some(&a.gpu), Some(&b.gpu), d),
            Column::Layout => {
                let key = |r: &GpuSizing| r.layout.map(|l| (l.tp, l.pp, l.dp, l.ep));
                by(key(a), key(b), d)
            }
            Column::Bottleneck => by(a.bottleneck.as_deref(), b.bottleneck.as_deref(), d),
            Column::Status => by(Some(!a.feasible), Some(!b.feasible), d),
            _ => by(f(a), f(b), d),
        };
        primary.then(i.cmp(&j))
    })
}

/// The modelled draw and the TDP it is bounded by, with the TDP's source, for the energy cell's
/// title (`data/gpus.csv` records no retrieval date, so none is shown).
fn power_origin(r: &GpuSizing) -> Option<String> {
    let (tdp, source) = (r.tdp_w?, r.tdp_source.as_deref()?);
    let draw = r.power_w_per_gpu.map(|w| format!("{} W modelled, ", figure(w))).unwrap_or_default();
    Some(format!("{draw}TDP {} W: {source} (no retrieval date recorded)", figure(tdp)))
}

/// "source, date" of a row's price, for its title and the footnote.
fn price_origin(row: &GpuSizing) -> Option<String> {
    match (row.price_source.as_deref(), row.price_date.as_deref()) {
        (Some("scenario"), _) => Some("your price".into()),
        (Some(source), Some(date)) => Some(format!("{source}, {date}")),
        (Some(source), None) => Some(source.to_string()),
        _ => None,
    }
}

/// The comparison of `capacity` sorted by `sort` (the card's state, so a new plan keeps the
/// order asked); price cells edit the card in `state`, with their messages from `errors`. A view
/// function of the card: a score of rows re-sorts in microseconds.
pub fn capacity_table(state: &AppContext, capacity: &CapacityPlan, errors: &FieldErrors, sort: &UseStateHandle<Option<Sort>>) -> Html {
    let order = sorted(&capacity.per_gpu, **sort);
    let card = state.capacity.clone().unwrap_or_default();
    let header = |column: Column| {
        let (id, label, description) = column.names();
        let onclick = {
            let sort = sort.clone();
            Callback::from(move |_: MouseEvent| {
                let descending = match *sort {
                    Some(s) if s.column == column => !s.descending,
                    _ => column.first_descending(),
                };
                sort.set(Some(Sort { column, descending }));
            })
        };
        let sorted = sort.filter(|s| s.column == column).map(|s| s.descending);
        sort_header(id, format!("capacity-sort-{id}"), label, description, sorted, onclick)
    };
    let cell = |v: Option<f64>| v.map_or_else(|| "—".to_string(), figure);
    let count = |v: Option<u32>| v.map_or_else(|| "—".to_string(), |n| n.to_string());
    let row = |r: &GpuSizing| {
        let field = CapacityField::Price(r.gpu.clone());
        let id = field.id();
        let error = errors.capacity_message(&id);
        let typed = card.price(&r.gpu).unwrap_or_default().to_string();
        let placeholder = match (r.usd_per_gpu_hour, typed.is_empty()) {
            (Some(p), true) => figure(p),
            (None, true) => "no price: enter one".to_string(),
            _ => String::new(),
        };
        let gpu = r.gpu.clone();
        let oninput = on_edit(state, move |text| CapacityEdit::Price(gpu.clone(), text));
        let status = match (&r.reason, r.feasible) {
            (Some(reason), _) => reason.clone(),
            (None, true) => "sized".to_string(),
            (None, false) => "not sized".to_string(),
        };
        html! {
            <tr key={r.gpu.clone()} data-testid="capacity-row" data-gpu={r.gpu.clone()} data-feasible={r.feasible.to_string()}
                class={if r.feasible { "feasible" } else { "rejected" }}>
                <th scope="row">{ r.gpu.clone() }</th>
                <td class="num">{ count(r.gpus) }</td>
                <td class="num">{ count(r.nodes) }</td>
                <td>{ r.layout.as_ref().map_or_else(|| "—".to_string(), layout_short) }</td>
                <td class="num">{ count(r.replicas) }</td>
                <td>{ r.bottleneck.clone().unwrap_or_default() }</td>
                <td class="num">{ cell(r.output_tok_s_per_gpu) }</td>
                <td class="num">{ cell(r.tok_s_per_user) }</td>
                <td class="price" title={price_origin(r).unwrap_or_default()}>
                    <input
                        id={id.clone()}
                        type="text"
                        inputmode="decimal"
                        autocomplete="off"
                        aria-label={format!("USD per GPU-hour for {}", r.gpu)}
                        aria-invalid={error.is_some().to_string()}
                        placeholder={placeholder}
                        value={typed}
                        {oninput}
                    />
                    if let Some(error) = error {
                        <span class="error" role="alert" data-testid={format!("error-{id}")}>{ error.to_string() }</span>
                    }
                </td>
                <td class="num">{ cell(r.usd_per_m_output_tokens) }</td>
                <td class="num">{ cell(r.usd_per_m_total_tokens) }</td>
                <td class="num" title={power_origin(r).unwrap_or_default()}>{ cell(r.kwh_per_m_output_tokens) }</td>
                <td class="status">{ status }{ for r.notes.iter().map(|n| html! { <span class="note">{ format!(" ({n})") }</span> }) }</td>
            </tr>
        }
    };
    html! {
        <div class="candidates table-scroll" tabindex="0" role="region" aria-labelledby="capacity-table-title">
            <table data-testid="capacity-table">
                <caption id="capacity-table-title">{ caption(capacity) }</caption>
                <thead>
                    <tr>{ for Column::ALL.into_iter().map(header) }</tr>
                </thead>
                <tbody>
                    { for order.iter().map(|&i| row(&capacity.per_gpu[i])) }
                </tbody>
            </table>
        </div>
    }
}

/// The table's caption: the load and the prices' level.
fn caption(c: &CapacityPlan) -> String {
    let sized = c.per_gpu.iter().filter(|r| r.feasible).count();
    format!(
        "{} GPU kinds compared for {} req/s ({} output tokens/s), {sized} sized within {} GPUs; default prices at the {} published level.",
        c.per_gpu.len(),
        figure(c.target_request_rate),
        figure(c.target_output_tok_s),
        c.max_gpus,
        c.price_level
    )
}

/// Each compared GPU's TDP with its source ("h100-sxm 700 W: …"), for the energy footnote.
pub fn tdp_sources(c: &CapacityPlan) -> Vec<String> {
    c.per_gpu
        .iter()
        .filter_map(|r| Some(format!("{} {} W: {}", r.gpu, figure(r.tdp_w?), r.tdp_source.as_deref()?)))
        .collect()
}

/// The distinct sources and dates of the default prices, for the footnote.
pub fn price_sources(c: &CapacityPlan) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for origin in c.per_gpu.iter().filter(|r| r.price_source.as_deref() != Some("scenario")).filter_map(price_origin) {
        if !seen.contains(&origin) {
            seen.push(origin);
        }
    }
    seen
}
