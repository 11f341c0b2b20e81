//! The plan with the user's measurements: the result view (`Results`) with the imported runs
//! matched to the plan (`benchmark::compare::match_to_plan`) and marked on its chart beside their
//! layouts' predictions (`benchmark::compare::beside_plan`), and the benchmark loop below the
//! launch commands: the benchmark script, the import, predicted against measured, and the
//! recalibration.
//!
//! Design decision: the imported runs are state (user input, `state::Imported`); the match
//! against the plan is derived from them and the scenario by the benchmark worker
//! (`ui::bench_worker`), asked again whenever either changes, so keeping a fit (a new
//! scenario, a new plan) compares every run again with the fitted parameters. The answer
//! arrives as an action and is kept in `AppState::report`.
//!
//! When this page has just replaced the startup page (its door to the loop was used), the
//! loop's heading takes the focus, in view, where the door's button was.

use super::bench_script_panel::BenchScriptPanel;
use super::bench_worker::{ask, retry};
use super::measured_import::MeasuredImport;
use super::measured_table::measured_table;
use super::recalibrate_panel::RecalibratePanel;
use super::results::Results;
use super::shared::Shared;
use super::state::AppContext;
use benchmark::protocol::{Ask, RunCheck};
use planner::inputs::PlannerInputs;
use planner::layout::Layout;
use planner::plan::Plan;
use super::mount_focus::{use_focus_on_mount, FocusRequest};
use std::rc::Rc;
use yew::prelude::*;

/// Taken by the loop's first render (`ui::take_over_startup_page` requests it).
pub static FOCUS_LOOP: FocusRequest = FocusRequest::new();

#[derive(Properties, PartialEq)]
pub struct MeasuredResultsProps {
    pub plan: Shared<Plan>,
    pub inputs: Shared<PlannerInputs>,
    /// The layout the user selected (chart, table), or None for the recommended one.
    pub selected: Option<Layout>,
    pub onselect: Callback<Layout>,
}

#[component]
pub fn MeasuredResults(props: &MeasuredResultsProps) -> Html {
    let state = use_context::<AppContext>().expect("MeasuredResults is rendered inside App's context provider");
    let runs = use_memo(Shared(state.imports.clone()), |imports| {
        let runs: Vec<String> = imports.iter().filter_map(|i| i.outcome.as_ref().ok()).flatten().map(|r| r.json.clone()).collect();
        Shared(Rc::new(runs))
    });
    {
        let dispatcher = state.dispatcher();
        use_effect_with((props.inputs.clone(), (*runs).clone()), move |(inputs, runs)| {
            if !runs.is_empty() {
                ask(dispatcher, Ask::Compare { scenario: inputs.scenario.clone(), runs: runs.to_vec() });
            }
        });
    }
    let heading = use_focus_on_mount(&FOCUS_LOOP);
    let measured = use_memo((state.report.clone(), props.plan.candidates.len()), |(report, candidates)| {
        report.ready().and_then(|r| r.as_ref().ok()).map(|r| {
            let mut beside: Vec<Option<RunCheck>> = vec![None; *candidates];
            for run in &r.runs {
                if let Some(slot) = run.beside.and_then(|i| beside.get_mut(i)) {
                    *slot = Some(run.clone());
                }
            }
            Shared(Rc::new(beside))
        })
    });
    html! {
        <Results
            plan={props.plan.0.clone()}
            inputs={props.inputs.0.clone()}
            selected={props.selected}
            onselect={props.onselect.clone()}
            embed={false}
            measured={(*measured).clone()}
        >
            <section class="bench-loop card" data-testid="bench-loop" aria-labelledby="bench-loop-title">
                <h2 id="bench-loop-title" tabindex="-1" ref={heading}>{ "Benchmark, compare, recalibrate" }</h2>
                <p class="muted">
                    { "Run the plan's best layouts with the engine's own benchmark, bring the result files back, and see how far the prediction was; refit the model to them if you like. Files are read in your browser; nothing is uploaded." }
                </p>
                if let Some(e) = &state.worker_error {
                    <p class="blocked" role="alert" data-testid="worker-error">
                        { e.clone() }
                        { " " }
                        <button type="button" data-testid="worker-retry" onclick={
                            let dispatcher = state.dispatcher();
                            move |_| retry(dispatcher.clone())
                        }>{ "Retry" }</button>
                    </p>
                }
                <BenchScriptPanel inputs={props.inputs.clone()} feasible={props.plan.ranking.len()} />
                <MeasuredImport />
                { measured_table(&state) }
                <RecalibratePanel inputs={props.inputs.clone()} runs={(*runs).clone()} plan={props.plan.clone()} />
            </section>
        </Results>
    }
}
