//! Predicted against measured: for every run that matches the plan, the planner's figure at the
//! run's own load (`benchmark::compare`, in the benchmark worker), the measured one and the error,
//! for output tokens/s per GPU, TTFT and TPOT; and whether the layout that measured best is the
//! one predicted best.

use super::format::{figure, layout_short};
use super::state::{AppContext, Slot};
use benchmark::compare::{BestLayout, Figure};
use yew::prelude::*;

/// A relative error as a signed percentage, one decimal below 10 %: `+67 %`, `−3.4 %`.
pub fn error_text(error: Option<f64>) -> String {
    match error {
        Some(e) if e.is_finite() => {
            let sign = if e < 0.0 { "−" } else { "+" };
            let percent = (e * 100.0).abs();
            if percent < 9.95 {
                format!("{sign}{percent:.1} %")
            } else {
                format!("{sign}{} %", figure(percent.round()))
            }
        }
        _ => "—".into(),
    }
}

/// Three cells: predicted, measured, error.
fn cells(f: Option<Figure>) -> Html {
    match f {
        Some(f) => html! {
            <>
                <td>{ figure(f.predicted) }</td>
                <td>{ figure(f.measured) }</td>
                <td class="error">{ error_text(f.error) }</td>
            </>
        },
        None => html! { <><td>{ "—" }</td><td>{ "—" }</td><td>{ "—" }</td></> },
    }
}

/// Whether the measured best is the predicted best, in one sentence.
fn best_line(best: &BestLayout) -> String {
    let recommended = match best.recommended {
        Some(r) if !best.recommended_measured => format!(" The plan's recommendation, {r}, was not measured."),
        _ => String::new(),
    };
    let verdict = match (best.agree, best.measured_best, best.predicted_best) {
        (Some(true), Some(m), _) => format!("The measured best, {m}, is the predicted best ({}).", best.metric),
        (Some(false), Some(m), Some(p)) => {
            format!("The measured best is {m}; the planner predicted {p} best among the same runs ({}).", best.metric)
        }
        _ => "Measure at least two layouts to see whether the measured best is the predicted best.".into(),
    };
    verdict + &recommended
}

/// The table for the page's `state`. A view function of `MeasuredResults`, not a component: as
/// a component it read the app's context and so re-rendered on every change of state, as its
/// caller does; the component's glue only weighed WebAssembly.
pub fn measured_table(state: &AppContext) -> Html {
    if matches!(state.report, Slot::Waiting(_)) || (state.report == Slot::Idle && !state.imports.iter().all(|i| i.outcome.as_ref().map_or(true, |r| r.is_empty()))) {
        return html! { <p class="muted" role="status" data-testid="measured-pending">{ "Comparing the runs with the plan…" }</p> };
    }
    let Some(Ok(report)) = state.report.ready() else { return html! {} };
    let matched: Vec<_> = report.runs.iter().filter(|c| c.matched).collect();
    html! {
        <div class="measured" data-testid="measured-table">
            <h3>{ "3. Predicted against measured" }</h3>
            if matched.is_empty() {
                <p class="muted">{ "No imported run matches this scenario yet; the list above says why for each." }</p>
            } else {
                <p class="best" data-testid="measured-best" data-agree={best_agree(&report.best)}>{ best_line(&report.best) }</p>
                <div class="table-scroll" tabindex="0" role="region" aria-label="Predicted against measured, per run">
                    <table>
                        <thead>
                            <tr>
                                <th rowspan="2">{ "Layout" }</th>
                                <th rowspan="2">{ "Load" }</th>
                                <th colspan="3">{ "Output tok/s per GPU" }</th>
                                <th colspan="3">{ "TTFT (ms)" }</th>
                                <th colspan="3">{ "TPOT (ms)" }</th>
                            </tr>
                            <tr>
                                { for (0..3).map(|i| html! { <><th key={format!("p{i}")}>{ "pred." }</th><th>{ "meas." }</th><th>{ "error" }</th></> }) }
                            </tr>
                        </thead>
                        <tbody>
                            { for matched.iter().map(|c| {
                                let load = match (c.in_flight, c.per_s) {
                                    (Some(requests), _) => format!("{requests} in flight"),
                                    (None, Some(per_s)) => format!("{} req/s", figure(per_s)),
                                    (None, None) => "—".into(),
                                };
                                html! {
                                    <tr key={c.run} data-testid="measured-row" title={c.source.clone()}>
                                        <td>{ c.layout.map_or("—".into(), |l| layout_short(&l)) }</td>
                                        <td>{ load }</td>
                                        { cells(c.output_tok_s_per_gpu) }
                                        { cells(c.ttft_ms) }
                                        { cells(c.tpot_ms) }
                                    </tr>
                                }
                            }) }
                        </tbody>
                    </table>
                </div>
                <p class="muted">{ "Predicted (pred.) at each run's own load and lengths against measured (meas.); error = (predicted − measured) / measured." }</p>
            }
        </div>
    }
}

fn best_agree(best: &BestLayout) -> &'static str {
    match best.agree {
        Some(true) => "true",
        Some(false) => "false",
        None => "unknown",
    }
}
