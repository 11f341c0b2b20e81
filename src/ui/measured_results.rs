//! The plan with the user's measurements: the result view (`Results`) with the imported runs
//! matched to the plan (`bench::compare::match_to_plan`) and marked on its chart beside their
//! layouts' predictions (`bench::compare::beside_plan`), and the benchmark loop below the
//! launch commands: the benchmark script, the import, predicted against measured, and the
//! recalibration.
//!
//! Design decision: the imported runs are state (user input, `state::Imported`); the match
//! against the plan is derived from them and the resolved scenario with `use_memo`, so keeping
//! a fit (a new scenario, a new plan) compares every run again with the fitted parameters.

use super::bench_script_panel::BenchScriptPanel;
use super::measured_import::MeasuredImport;
use super::measured_table::MeasuredTable;
use super::recalibrate_panel::RecalibratePanel;
use super::results::Results;
use super::shared::Shared;
use super::state::AppContext;
use crate::planner::bench::compare::{beside_plan, match_to_plan, MatchReport};
use crate::planner::bench::import::MeasuredRun;
use crate::planner::error::InputError;
use crate::planner::inputs::PlannerInputs;
use crate::planner::layout::Layout;
use crate::planner::plan::Plan;
use std::rc::Rc;
use yew::prelude::*;

/// The imported runs against the plan; `None` while nothing is imported.
pub type Report = Option<Result<MatchReport, InputError>>;

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
    // One memo for the three (each hook instance costs WebAssembly): the plan and the resolved
    // scenario always change together, and the imports change only on an import.
    let derived = use_memo(
        (props.plan.clone(), props.inputs.clone(), Shared(state.imports.clone())),
        |(plan, inputs, imports)| {
            let runs: Vec<MeasuredRun> =
                imports.iter().filter_map(|i| i.outcome.as_ref().ok()).flatten().cloned().collect();
            let report: Report = (!runs.is_empty()).then(|| match_to_plan(inputs, &runs));
            let measured = match &report {
                Some(Ok(r)) => Some(Shared(Rc::new(beside_plan(r, plan, inputs.workload.load)))),
                _ => None,
            };
            (Shared(Rc::new(runs)), Shared(Rc::new(report)), measured)
        },
    );
    let (runs, report, measured) = &*derived;
    html! {
        <Results
            plan={props.plan.0.clone()}
            inputs={props.inputs.0.clone()}
            selected={props.selected}
            onselect={props.onselect.clone()}
            embed={false}
            measured={measured.clone()}
        >
            <section class="bench-loop card" data-testid="bench-loop" aria-labelledby="bench-loop-title">
                <h2 id="bench-loop-title">{ "Benchmark, compare, recalibrate" }</h2>
                <p class="muted">
                    { "Run the plan's best layouts with the engine's own benchmark, bring the result files back, and see how far the prediction was; refit the model to them if you like. Files are read in your browser; nothing is uploaded." }
                </p>
                <BenchScriptPanel inputs={props.inputs.clone()} feasible={props.plan.ranking.len()} />
                <MeasuredImport report={report.clone()} />
                <MeasuredTable report={report.clone()} />
                <RecalibratePanel inputs={props.inputs.clone()} runs={runs.clone()} plan={props.plan.clone()} />
            </section>
        </Results>
    }
}
