//! The candidates compared: the top ones side by side on output tokens/s per GPU, TTFT and
//! TPOT (bars, SLA limits as lines), and every feasible one on the Pareto view (tokens/s per
//! GPU against tokens/s per user, the front joined, the TPOT limit as a line). Hovering or
//! focusing a candidate shows its figures; a click or Enter selects it everywhere. Measured
//! runs (`benchmark::compare::beside_plan`, from the benchmark worker) are marked beside their layout's predictions.
//!
//! Design decision: one set of event handlers on the chart's box, not one per bar or point:
//! each drawn candidate carries `data-index` (its index in `plan.candidates`) and the handlers
//! find it with `closest`, so hundreds of points cost no closures. The geometry comes from the
//! pure `chart` layouts; the views only draw it.

use super::bar_panel::{bar_panel, BarRow};
use super::format::{figure, layout_short, with_unit};
use super::pareto_plot::{ParetoPlot, ParetoPlotProps, ParetoPoint};
use super::shared::Shared;
use chart::bars::BarInput;
use chart::pareto::PointInput;
use benchmark::compare::Figure;
use benchmark::protocol::RunCheck;
use planner::plan::{Candidate, Plan, Range};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::Element;
use yew::prelude::*;

/// How many of the best-ranked candidates the bars compare (the selected one is added when
/// it is not among them).
pub const TOP_CANDIDATES: usize = 8;

#[derive(Properties, PartialEq)]
pub struct ComparisonChartProps {
    pub plan: Shared<Plan>,
    /// Index into `plan.candidates` of the candidate highlighted everywhere.
    pub shown: Option<usize>,
    /// Index into the plan's disaggregated candidates of the selected one (full page only).
    #[cfg(feature = "full-page")]
    #[prop_or_default]
    pub disagg_shown: Option<usize>,
    pub sla_ttft_ms: Option<f64>,
    pub sla_tpot_ms: Option<f64>,
    /// Selects a candidate by index.
    pub onselect: Callback<usize>,
    /// Per candidate (same order as `plan.candidates`), the measured run drawn beside it.
    #[prop_or_default]
    pub measured: Option<Shared<Vec<Option<RunCheck>>>>,
}

/// The measured value of one figure of candidate `i`, if a run measured it.
fn measured_of(measured: &Option<Shared<Vec<Option<RunCheck>>>>, i: usize, figure: fn(&RunCheck) -> Option<Figure>) -> Option<f64> {
    measured.as_ref()?.get(i)?.as_ref().and_then(figure).map(|f| f.measured)
}

/// The candidate index carried by the event's target or its nearest ancestor.
fn index_of(event: &Event) -> Option<usize> {
    let target: Element = event.target()?.dyn_into().ok()?;
    let carrier = target.closest("[data-index]").ok()??;
    carrier.get_attribute("data-index")?.parse().ok()
}

/// The bars' rows: the top candidates, then the shown one if it is feasible and not among them.
fn top_rows(plan: &Plan, shown: Option<usize>) -> Vec<usize> {
    let mut rows: Vec<usize> = plan.ranking.iter().copied().take(TOP_CANDIDATES).collect();
    if let Some(s) = shown.filter(|s| plan.candidates[*s].feasible && !rows.contains(s)) {
        rows.push(s);
    }
    rows
}

/// Tokens/s per user is 1000 / TPOT (FORMAT.md): its range is the TPOT range inverted.
fn per_user_range(c: &Candidate) -> Option<[f64; 2]> {
    per_user(c.range)
}

/// Tokens/s per user is 1000 / TPOT (FORMAT.md), so its range is the TPOT range inverted.
fn per_user(range: Option<Range>) -> Option<[f64; 2]> {
    range.map(|r| [1000.0 / r.tpot_ms[1], 1000.0 / r.tpot_ms[0]])
}

/// The feasible disaggregated candidates (full page, when the scenario asks for them) as the
/// Pareto plot's second series; indexed after the aggregated candidates, which they never
/// select.
#[cfg(feature = "full-page")]
fn disaggregated_points(plan: &Plan) -> Vec<ParetoPoint> {
    let Some(d) = &plan.disaggregated else { return Vec::new() };
    d.ranking
        .iter()
        .map(|&i| {
            let c = &d.candidates[i];
            ParetoPoint {
                index: plan.candidates.len() + i,
                label: c.label.clone().into(),
                pareto: d.pareto.contains(&i),
                input: PointInput {
                    x: c.tok_s_per_user.unwrap_or(f64::NAN),
                    y: c.output_tok_s_per_gpu.unwrap_or(f64::NAN),
                    x_range: per_user(c.range),
                    y_range: c.range.map(|r| r.output_tok_s_per_gpu),
                    measured: None,
                },
                disaggregated: true,
            }
        })
        .collect()
}

#[component]
pub fn ComparisonChart(props: &ComparisonChartProps) -> Html {
    let active = use_state_eq(|| None::<usize>);
    let plan = &props.plan;
    let recommended = plan.ranking.first().copied();
    let bars = use_memo((props.plan.clone(), props.shown, props.measured.clone()), |(plan, shown, measured)| {
        let rows = top_rows(plan, *shown);
        let metric = |value: fn(&Candidate) -> Option<f64>,
                      range: fn(&Candidate) -> Option<[f64; 2]>,
                      figure: fn(&RunCheck) -> Option<Figure>|
         -> Vec<BarRow> {
            rows.iter()
                .map(|&i| {
                    let c = &plan.candidates[i];
                    let bar = BarInput { value: value(c), range: range(c), measured: measured_of(measured, i, figure) };
                    BarRow { index: i, label: layout_short(&c.layout).into(), bar }
                })
                .collect()
        };
        [
            metric(|c| c.output_tok_s_per_gpu, |c| c.range.map(|r| r.output_tok_s_per_gpu), |m| m.output_tok_s_per_gpu),
            metric(|c| c.ttft_ms, |c| c.range.map(|r| r.ttft_ms), |m| m.ttft_ms),
            metric(|c| c.tpot_ms, |c| c.range.map(|r| r.tpot_ms), |m| m.tpot_ms),
        ]
    });
    let points = use_memo((props.plan.clone(), props.measured.clone()), |(plan, measured)| {
        let points: Vec<ParetoPoint> = plan
            .ranking
            .iter()
            .map(|&i| {
                let c = &plan.candidates[i];
                ParetoPoint {
                    index: i,
                    label: c.layout.to_string().into(),
                    pareto: plan.pareto.contains(&i),
                    input: PointInput {
                        x: c.tok_s_per_user.unwrap_or(f64::NAN),
                        y: c.output_tok_s_per_gpu.unwrap_or(f64::NAN),
                        x_range: per_user_range(c),
                        y_range: c.range.map(|r| r.output_tok_s_per_gpu),
                        // Tokens/s per user is 1000 / TPOT (FORMAT.md): a run without a TPOT has no point.
                        measured: measured_of(measured, i, |m| m.tpot_ms)
                            .zip(measured_of(measured, i, |m| m.output_tok_s_per_gpu))
                            .map(|(tpot, per_gpu)| [1000.0 / tpot, per_gpu]),
                    },
                    disaggregated: false,
                }
            })
            .collect();
        #[cfg(feature = "full-page")]
        let points = {
            let mut points = points;
            points.extend(disaggregated_points(plan));
            points
        };
        Shared(Rc::new(points))
    });

    let on_point = {
        let active = active.clone();
        Callback::from(move |e: Event| active.set(index_of(&e)))
    };
    let onmouseleave = {
        let active = active.clone();
        Callback::from(move |_: MouseEvent| active.set(None))
    };
    let onclick = {
        let onselect = props.onselect.clone();
        Callback::from(move |e: MouseEvent| {
            if let Some(i) = index_of(&e) {
                onselect.emit(i);
            }
        })
    };
    let onkeydown = {
        let onselect = props.onselect.clone();
        Callback::from(move |e: KeyboardEvent| {
            if matches!(e.key().as_str(), "Enter" | " ") {
                if let Some(i) = index_of(&e) {
                    e.prevent_default();
                    onselect.emit(i);
                }
            }
        })
    };
    let on_over = on_point.clone();
    let on_focus = on_point.clone();

    if plan.ranking.is_empty() {
        return html! {
            <section class="chart card" data-testid="comparison-chart" aria-labelledby="chart-title">
                <h2 id="chart-title">{ "Candidates compared" }</h2>
                <p class="muted">{ "No feasible candidate to compare." }</p>
            </section>
        };
    }
    let detail_index = (*active).or(props.shown);
    let detail = detail_index.map(|i| &plan.candidates[i]);
    let measured = detail_index.and_then(|i| props.measured.as_ref()?.get(i)?.clone());
    let tpot_as_rate = props.sla_tpot_ms.filter(|t| *t > 0.0).map(|t| 1000.0 / t);
    let pareto = ParetoPlotProps {
        points: (*points).clone(),
        x_limit: tpot_as_rate,
        sla_tpot_ms: props.sla_tpot_ms,
        shown: props.shown,
        // The disaggregated points are indexed after the aggregated ones (`disaggregated_points`).
        #[cfg(feature = "full-page")]
        shown_second: props.disagg_shown.map(|i| plan.candidates.len() + i),
        recommended,
    };
    html! {
        <section class="chart card" data-testid="comparison-chart" aria-labelledby="chart-title">
            <h2 id="chart-title">{ "Candidates compared" }</h2>
            <p class="muted chart-hint">
                { format!("The {} best of {} feasible layouts; hover or focus one for its figures, click or press Enter to select it.", bars[0].len().min(TOP_CANDIDATES), plan.ranking.len()) }
            </p>
            <div
                class="chart-body"
                onmouseover={move |e: MouseEvent| on_over.emit(e.into())}
                onfocusin={move |e: FocusEvent| on_focus.emit(e.into())}
                {onmouseleave}
                {onclick}
                {onkeydown}
            >
                <div class="bar-panels">
                    { bar_panel(("Output tokens/s per GPU", "tok/s"), &bars[0], None, props.shown, recommended, true) }
                    { bar_panel(("Time to first token", "ms"), &bars[1], props.sla_ttft_ms, props.shown, recommended, false) }
                    { bar_panel(("Time per output token", "ms"), &bars[2], props.sla_tpot_ms, props.shown, recommended, false) }
                </div>
                <ParetoPlot ..pareto />
            </div>
            <div class="chart-details" data-testid="chart-details" role="status" aria-live="polite">
                if let Some(c) = detail {
                    <strong>{ c.layout.to_string() }</strong>
                    { format!(
                        ": {} per GPU, {} per user, TTFT {}, TPOT {}, {} requests in flight{}",
                        with_unit(c.output_tok_s_per_gpu, "tok/s"),
                        with_unit(c.tok_s_per_user, "tok/s"),
                        with_unit(c.ttft_ms, "ms"),
                        with_unit(c.tpot_ms, "ms"),
                        c.concurrency.map_or("—".to_string(), |n| figure(n as f64)),
                        c.bound.as_deref().map_or(String::new(), |b| format!(", {b}-bound")),
                    ) }
                    if let Some(m) = measured {
                        <span class="measured-detail" data-testid="chart-measured">
                            { format!(
                                "; measured ({}): {} per GPU, TTFT {}, TPOT {}",
                                m.source,
                                with_unit(m.output_tok_s_per_gpu.map(|f| f.measured), "tok/s"),
                                with_unit(m.ttft_ms.map(|f| f.measured), "ms"),
                                with_unit(m.tpot_ms.map(|f| f.measured), "ms"),
                            ) }
                        </span>
                    }
                }
            </div>
        </section>
    }
}
