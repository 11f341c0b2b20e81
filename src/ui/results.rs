//! The plan on the page: the recommendation and its memory, the comparison chart, the launch
//! commands with the deployment artifacts (`deploy_panel`; on the startup page a door to
//! them), what the caller adds below them (`children`: the benchmark loop), the decision
//! trace and every candidate; in embed mode only the first two and a compact memory bar.
//! Measured runs, when given, are marked on the chart beside their layouts' predictions.
//!
//! Design decision: the selection is a layout owned by the caller (`selected`, `onselect`);
//! here it becomes an index into `plan.candidates` once, and every part highlights that one
//! candidate (the recommended one when nothing, or a layout this plan lacks, is selected).
//! On the full page the disaggregated candidates (`DisaggTable`, after the launch commands)
//! have a selection of their own, kept here by label (a new plan keeps it when it has that
//! candidate), highlighted in their table and in the Pareto plot's second series.

use super::candidates_table::CandidatesTable;
use super::comparison_chart::ComparisonChart;
use super::decision_trace::decision_trace;
#[cfg(feature = "full-page")]
use super::deploy_panel::DeployPanel;
#[cfg(feature = "full-page")]
use super::disagg_table::DisaggTable;
use super::launch_commands::LaunchCommands;
use super::memory_bar::memory_bar;
use super::recommendation::recommendation;
use super::shared::Shared;
use benchmark::protocol::RunCheck;
use planner::inputs::PlannerInputs;
use planner::layout::Layout;
use planner::plan::Plan;
use planner::workload::Load;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties)]
pub struct ResultsProps {
    pub plan: Rc<Plan>,
    /// The layout the user selected (chart, table), or None for the recommended one.
    pub selected: Option<Layout>,
    pub onselect: Callback<Layout>,
    /// The compact view for an iframe (`?embed=1`).
    pub embed: bool,
    /// The resolved scenario the plan came from (for launch commands).
    pub inputs: Rc<PlannerInputs>,
    /// Per candidate (same order as `plan.candidates`), the measured run drawn beside it.
    #[prop_or_default]
    pub measured: Option<Shared<Vec<Option<RunCheck>>>>,
    /// Shown after the launch commands (not in embed mode).
    #[prop_or_default]
    pub children: Html,
}

/// The plan and the inputs compare by pointer: the caller replaces them (a new `Rc`) when it
/// plans again, and comparing 500 candidates field by field on every render would cost more
/// than the render it saves (and a comparison function's worth of WebAssembly).
impl PartialEq for ResultsProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.plan, &other.plan)
            && Rc::ptr_eq(&self.inputs, &other.inputs)
            && self.selected == other.selected
            && self.onselect == other.onselect
            && self.embed == other.embed
            && self.measured == other.measured
            && self.children == other.children
    }
}

#[component]
pub fn Results(props: &ResultsProps) -> Html {
    let plan = Shared(props.plan.clone());
    let inputs = Shared(props.inputs.clone());
    let recommended = plan.ranking.first().copied();
    let shown = props.selected.and_then(|l| plan.candidates.iter().position(|c| c.layout == l)).or(recommended);
    let onpick = use_callback((plan.clone(), props.onselect.clone()), |index: usize, (plan, onselect)| {
        if let Some(candidate) = plan.candidates.get(index) {
            onselect.emit(candidate.layout);
        }
    });
    #[cfg(feature = "full-page")]
    let (disagg_shown, ondisagg) = {
        let label = use_state_eq(|| None::<String>);
        let shown = use_memo((plan.clone(), (*label).clone()), |(plan, label)| {
            let d = plan.disaggregated.as_ref()?;
            d.candidates.iter().position(|c| Some(&c.label) == label.as_ref())
        });
        let onselect = use_callback((plan.clone(), label.setter()), |index: usize, (plan, label)| {
            if let Some(c) = plan.disaggregated.as_ref().and_then(|d| d.candidates.get(index)) {
                label.set(Some(c.label.clone()));
            }
        });
        (*shown, onselect)
    };
    let candidate = shown.map(|i| &plan.candidates[i]);
    // A candidate rejected before its memory was sized carries only the capacity.
    let memory = candidate.map(|c| c.memory_per_gpu_gib).filter(|m| m.weights > 0.0);
    let sla = &props.inputs.workload.sla;
    let (sla_ttft_ms, sla_tpot_ms) = (sla.ttft.map(|t| t.ms()), sla.tpot.map(|t| t.ms()));
    let memory_bar = memory_bar(memory, candidate.map(|c| c.layout), props.embed);
    let recommendation = recommendation(&plan, shown, &onpick, props.inputs.workload.load == Load::MaxThroughput);
    #[cfg(feature = "full-page")]
    let chart = html! {
        <ComparisonChart plan={plan.clone()} {shown} {disagg_shown} {sla_ttft_ms} {sla_tpot_ms} onselect={onpick.clone()} measured={props.measured.clone()} />
    };
    #[cfg(not(feature = "full-page"))]
    let chart = html! {
        <ComparisonChart plan={plan.clone()} {shown} {sla_ttft_ms} {sla_tpot_ms} onselect={onpick.clone()} measured={props.measured.clone()} />
    };
    if props.embed {
        return html! {
            <div class="results-view embed" data-testid="results">
                <div class="summary">
                    { recommendation }
                    { memory_bar }
                </div>
                { chart }
            </div>
        };
    }
    // The recommended plan's deployment artifacts, in the launch commands' card (the startup
    // page, without their code, has a door to the full page there instead).
    #[cfg(feature = "full-page")]
    let deployment = html! { <DeployPanel plan={plan.clone()} inputs={inputs.clone()} /> };
    #[cfg(not(feature = "full-page"))]
    let deployment = Html::default();
    // On the full page the disaggregated candidates come first, before what the caller adds.
    #[cfg(feature = "full-page")]
    let children = html! { <><DisaggTable plan={plan.clone()} selected={disagg_shown} onselect={ondisagg} />{ props.children.clone() }</> };
    #[cfg(not(feature = "full-page"))]
    let children = props.children.clone();
    html! {
        <div class="results-view" data-testid="results">
            <div class="summary">
                { recommendation }
                { memory_bar }
            </div>
            if !plan.warnings.is_empty() {
                <ul class="warnings" data-testid="plan-warnings">
                    { for plan.warnings.iter().enumerate().map(|(i, w)| html! { <li key={i}>{ w.clone() }</li> }) }
                </ul>
            }
            { chart }
            <LaunchCommands
                {inputs}
                layout={candidate.map(|c| c.layout)}
                rejected={candidate.and_then(|c| c.rejected_detail.clone()).map(AttrValue::from)}
            >
                { deployment }
            </LaunchCommands>
            { children }
            { decision_trace(&plan) }
            <CandidatesTable plan={plan.clone()} {shown} onselect={onpick} />
        </div>
    }
}
