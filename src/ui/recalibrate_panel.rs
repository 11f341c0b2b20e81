//! Recalibration: the performance model refitted to the imported runs that match the plan
//! (`calibration::recalibrate::recalibrate`, the same bounded fit as the shipped parameters),
//! the error of every run before and after, and what the plan recommends with the fit. The
//! user keeps the fit (`Action::SetPerfParams`: the scenario's `perf_params`, so the whole page
//! plans with it) or drops it; a kept fit says so ("custom calibration") and can be dropped.
//!
//! Design decision: the fit is derived from the scenario and the runs, computed by the
//! benchmark worker (`ui::bench_worker`, so the page stays responsive while it runs) only once
//! the user asks (`AppState::fit_requested`) and asked again when either changes; its answer
//! waits in `AppState::fit` until it is kept or dropped: only the kept parameters are input.

use super::format::{figure, layout_short};
use super::measured_table::error_text;
use super::shared::Shared;
use super::bench_worker::ask;
use super::state::{Action, AppContext};
use benchmark::protocol::Ask;
use calibration::recalibrate::{FigureError, Figures};
use planner::inputs::PlannerInputs;
use planner::layout::Layout;
use planner::plan::Plan;
use planner::scenario::FitRecordInput;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct RecalibratePanelProps {
    pub inputs: Shared<PlannerInputs>,
    /// Every imported run, as JSON (those that do not match the plan are left out of the fit).
    pub runs: Shared<Vec<String>>,
    /// The plan made with the current parameters.
    pub plan: Shared<Plan>,
}

/// `+12 % → −1.5 %` for one figure.
fn change(before: Option<FigureError>, after: Option<FigureError>) -> String {
    match (before, after) {
        (Some(b), Some(a)) => format!("{} → {}", error_text(Some(b.error)), error_text(Some(a.error))),
        _ => "—".into(),
    }
}

fn figures_cells(before: &Figures, after: &Figures) -> Html {
    html! {
        <>
            <td>{ change(Some(before.output_tok_s_per_gpu), Some(after.output_tok_s_per_gpu)) }</td>
            <td>{ change(before.ttft_ms, after.ttft_ms) }</td>
            <td>{ change(before.tpot_ms, after.tpot_ms) }</td>
        </>
    }
}

/// The kept fit's residuals in words: "tok/s per GPU −2 % to +3 %, TPOT …".
fn residuals(fit: &FitRecordInput) -> String {
    let spans: Vec<String> = [("tok/s per GPU", fit.output_tok_s_per_gpu), ("TTFT", fit.ttft_ms), ("TPOT", fit.tpot_ms)]
        .into_iter()
        .filter_map(|(name, span)| span.map(|[lo, hi]| format!("{name} {} to {}", error_text(Some(lo)), error_text(Some(hi)))))
        .collect();
    spans.join(", ")
}

#[component]
pub fn RecalibratePanel(props: &RecalibratePanelProps) -> Html {
    let state = use_context::<AppContext>().expect("RecalibratePanel is rendered inside App's context provider");
    {
        let dispatcher = state.dispatcher();
        use_effect_with((props.inputs.clone(), props.runs.clone(), state.fit_requested), move |(inputs, runs, requested)| {
            if *requested {
                ask(dispatcher, Ask::Recalibrate { scenario: inputs.scenario.clone(), runs: runs.to_vec() });
            }
        });
    }
    let requested = state.fit_requested;
    let dispatch = |action: Action| {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(action.clone()))
    };
    html! {
        <div class="recalibrate" data-testid="recalibrate">
            <h3>{ "4. Recalibrate" }</h3>
            if let Some(kept) = &state.perf_params {
                <p class="custom-calibration" data-testid="custom-calibration" role="status">
                    <strong>{ "Custom calibration: " }</strong>
                    { match &kept.fit {
                        Some(fit) => format!(
                            "the plan uses your fit to {} measurement{} (left after the fit: {}).",
                            figure(fit.measurements),
                            if fit.measurements == 1.0 { "" } else { "s" },
                            residuals(fit)
                        ),
                        None => "the plan uses your performance parameters.".into(),
                    } }
                    <button type="button" data-testid="drop-kept-fit" onclick={dispatch(Action::SetPerfParams(None))}>
                        { "Drop it: use the shipped calibration" }
                    </button>
                </p>
            }
            if props.runs.is_empty() {
                <p class="muted">{ "Import measured runs of this scenario's GPU and engine to refit the model to them." }</p>
            } else if !requested {
                <button type="button" data-testid="recalibrate-button" onclick={dispatch(Action::RequestFit)}>
                    { "Refit the model to the matching runs" }
                </button>
            }
            { match state.fit.ready().filter(|_| requested) {
                None if !requested => html! {},
                None => html! { <p class="muted" role="status" data-testid="fit-pending">{ "Fitting the model to the runs…" }</p> },
                Some(Err(e)) => html! {
                    <p class="blocked" role="status" data-testid="fit-error">
                        { format!("No fit ({}): {}", e.field, e.message) }
                        <button type="button" onclick={dispatch(Action::DiscardFit)}>{ "Close" }</button>
                    </p>
                },
                Some(Ok(r)) => html! {
                    <div class="fit" data-testid="fit-proposal">
                        <p>
                            { format!(
                                "Fitted to {} run{}: {} set free{}. Mean loss {} → {}.",
                                r.measurements.len(),
                                if r.measurements.len() == 1 { "" } else { "s" },
                                if r.free.is_empty() { "no parameter" } else { r.free.as_str() },
                                if r.at_bound.is_empty() { String::new() } else { format!(" ({} at a bound of its plausible range)", r.at_bound) },
                                figure(r.loss_before),
                                figure(r.loss_after),
                            ) }
                        </p>
                        <div class="table-scroll" tabindex="0" role="region" aria-label="Error of each run, before and after the fit">
                            <table data-testid="fit-errors">
                                <caption>{ "Error of each run, before → after the fit" }</caption>
                                <thead>
                                    <tr>
                                        <th>{ "Layout" }</th>
                                        <th>{ "Load" }</th>
                                        <th>{ "tok/s per GPU" }</th>
                                        <th>{ "TTFT" }</th>
                                        <th>{ "TPOT" }</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    { for r.measurements.iter().enumerate().map(|(i, m)| html! {
                                        <tr key={i}>
                                            <td>{ layout_short(&m.layout) }</td>
                                            <td>{ m.load.clone() }</td>
                                            { figures_cells(&m.before, &m.after) }
                                        </tr>
                                    }) }
                                </tbody>
                            </table>
                        </div>
                        <p data-testid="fit-recommendation">
                            { fit_outcome(r.recommended, props.plan.recommended.as_ref().map(|c| c.layout)) }
                        </p>
                        <div class="fit-actions">
                            <button type="button" class="primary" data-testid="keep-fit" onclick={dispatch(Action::SetPerfParams(Some(r.perf_params.clone())))}>
                                { "Keep the fit: plan with it" }
                            </button>
                            <button type="button" data-testid="discard-fit" onclick={dispatch(Action::DiscardFit)}>{ "Drop it" }</button>
                        </div>
                    </div>
                },
            } }
        </div>
    }
}

/// What keeping the fit would do to the recommendation: keep it, or change it (and from what).
fn fit_outcome(with_fit: Option<Layout>, now: Option<Layout>) -> String {
    let name = |layout: Option<Layout>| layout.map_or("nothing feasible".to_string(), |l| l.to_string());
    if with_fit == now {
        format!("With the fit the plan still recommends {}.", name(with_fit))
    } else {
        format!("With the fit the plan would recommend {} instead of {}.", name(with_fit), name(now))
    }
}
