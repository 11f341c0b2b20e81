//! The whole page: the form and, derived from it, the plan (`Results`); or, with `?embed=1`,
//! the compact view for an iframe.
//!
//! Design decision: the form is checked on every keystroke (messages appear at once), but the
//! search runs on the last *valid* query only, 150 ms after typing stops (the debounce keeps
//! the query, never the plan: the plan is `use_memo` of it). So while a field is invalid the
//! last valid plan stays on screen, marked as such. The scenario is written to the address
//! bar and local storage by an effect, never by the reducer.

use super::browser;
#[cfg(feature = "full-page")]
use super::capacity_card::CapacityCard;
#[cfg(not(feature = "full-page"))]
use super::capacity_door::{capacity_door, focus_capacity_when_loaded};
#[cfg(feature = "full-page")]
use super::capacity_form::check_with_capacity as checked_query;
#[cfg(not(feature = "full-page"))]
use super::form::check;
use super::form::{FieldErrors, Query};
#[cfg(not(feature = "full-page"))]
use super::bench_loop_door::BenchLoopDoor;
#[cfg(not(feature = "full-page"))]
use super::form::Field;
#[cfg(not(feature = "full-page"))]
use super::full_page::{use_full_page, FullPageFor};
#[cfg(not(feature = "full-page"))]
use super::form::{DISAGGREGATION_LOADING, IMPORTER_LOADING, KERNEL_TABLES_LOADING};
#[cfg(feature = "full-page")]
use super::measured_results::MeasuredResults;
use super::results::Results;
use super::scenario_form::ScenarioForm;
use super::share_bar::share_bar;
use super::shared::Shared;
#[cfg(not(feature = "full-page"))]
use super::state::{Capacity, PerfParams};
use super::state::{Action, AppContext};
#[cfg(feature = "full-page")]
use super::state::{Tables, TablesStatus};
use planner::error::InputError;
use planner::inputs::PlannerInputs;
use planner::layout::Layout;
use planner::plan::Plan;
use planner::planning::plan_inputs;
use planner::workload::{Load, Priority};
use gloo::timers::callback::Timeout;
use std::rc::Rc;
use yew::prelude::*;

/// Quiet time after the last keystroke before the search runs again.
pub const DEBOUNCE_MS: u32 = 150;

type Checked = Result<Shared<Query>, FieldErrors>;

/// The plan of the last valid query, or why the planner refused it (`None`: no valid query yet).
type Planned = Rc<Option<Result<Rc<Plan>, InputError>>>;

/// One line restating the scenario: "LLaMA 7B on 1 × 4 NVIDIA A100 …, 1024 + 256 tokens, 8 in
/// flight, for throughput".
fn summary(inputs: &PlannerInputs) -> String {
    let w = &inputs.workload;
    let c = &inputs.cluster;
    let priority = match w.priority {
        Priority::Throughput => "throughput",
        Priority::Latency => "latency",
        Priority::Balanced => "balance",
    };
    let load = match w.load {
        Load::Concurrency(n) => format!("{n} requests in flight"),
        Load::RequestRate(r) => format!("{r} requests/s"),
        Load::MaxThroughput => "maximum throughput".to_string(),
    };
    format!(
        "{} on {} × {} {}, {} + {} tokens, {load}, optimising for {priority}",
        inputs.model.name, c.nodes, c.gpus_per_node, c.gpu.name, w.isl, w.osl
    )
}

/// The plan of the last valid query with the kernel tables fetched so far, when the scenario
/// asks for them, and the step model field's note on them: the file the scenario still lacks
/// (`tables_wanted`) is fetched once, and the plan follows its arrival. The full page's only.
#[cfg(feature = "full-page")]
#[hook]
fn use_plan_with_tables(
    state: &AppContext,
    planned_query: &Option<Shared<Query>>,
) -> (Planned, Option<AttrValue>) {
    let tables = state.tables.clone();
    let planned = use_memo((planned_query.clone(), tables.clone()), |(query, tables)| {
        query.as_ref().map(|q| browser::timed(|| plan_inputs(&with_tables(&q.inputs, tables))).map(Rc::new))
    });
    let wanted = use_memo((planned_query.clone(), tables), |(query, tables)| {
        query.as_ref().and_then(|q| with_tables(&q.inputs, tables).tables_wanted())
    });
    {
        let state = state.clone();
        use_effect_with(wanted.clone(), move |wanted| {
            if let Some(file) = wanted.as_ref().as_ref().filter(|f| state.tables.status(f).is_none()).cloned() {
                state.dispatch(Action::TablesRequested(file.clone()));
                wasm_bindgen_futures::spawn_local(async move {
                    let text = browser::fetch_text(&format!("kernels/{file}.txt")).await;
                    state.dispatch(Action::TablesArrived(file, text));
                });
            }
        });
    }
    let note = wanted.as_ref().as_ref().and_then(|file| tables_note(file, state.tables.status(file)));
    (planned, note)
}

/// The inputs with the kernel tables fetched so far (their own when the scenario does not ask
/// for tables).
#[cfg(feature = "full-page")]
fn with_tables(inputs: &PlannerInputs, tables: &Tables) -> PlannerInputs {
    inputs.clone().with_tables(&tables.library)
}

/// The startup page plans without the capacity card: a scenario with one loads the full page,
/// which plans it (`capacity_form::check_with_capacity`).
#[cfg(not(feature = "full-page"))]
fn checked_query(form: &super::form::FormState, perf: Option<&PerfParams>, _card: Option<&Capacity>) -> Result<Query, FieldErrors> {
    check(form, perf)
}

/// What the step model field says while the tables `file` are not there.
#[cfg(feature = "full-page")]
fn tables_note(file: &str, status: Option<&TablesStatus>) -> Option<AttrValue> {
    Some(AttrValue::from(match status? {
        TablesStatus::Loading => format!("Loading the measured kernel tables {file}; the roofline times the steps meanwhile."),
        TablesStatus::Failed(why) => format!("The kernel tables {file} could not be loaded ({why}); the roofline times the steps."),
    }))
}

/// "64 GPUs; scale-up domain 8 GPUs" for the cluster fields.
fn cluster_note(inputs: &PlannerInputs) -> String {
    let c = &inputs.cluster;
    format!("{} GPUs in all; GPUs share the fast scale-up link in groups of {}.", c.total_gpus(), c.scale_up_group())
}

#[component]
pub fn App() -> Html {
    let state = use_reducer(browser::initial_state);
    let embed = *use_memo((), |()| browser::embed_requested());
    let checked: Rc<Checked> = use_memo((state.form.clone(), state.perf_params.clone(), state.capacity.clone()), |(form, perf, capacity)| {
        checked_query(form, perf.as_ref(), capacity.as_ref()).map(|q| Shared(Rc::new(q)))
    });
    // The query planned: the last valid one, once typing has paused.
    let planned_query = use_state(|| checked.as_ref().as_ref().ok().cloned());
    {
        let planned_query = planned_query.clone();
        use_effect_with(checked.clone(), move |checked| {
            let next = checked.as_ref().as_ref().ok().filter(|q| planned_query.as_ref() != Some(*q)).cloned();
            let timer = next.map(|q| Timeout::new(DEBOUNCE_MS, move || planned_query.set(Some(q))));
            move || drop(timer)
        });
    }
    #[cfg(feature = "full-page")]
    let (planned, tables_note) = use_plan_with_tables(&state, &planned_query);
    // The startup page has no kernel tables: a scenario that asks for them is an error naming
    // the step model (`form::check`) and loads the full page.
    #[cfg(not(feature = "full-page"))]
    let planned: Planned =
        use_memo((*planned_query).clone(), |query| query.as_ref().map(|q| browser::timed(|| plan_inputs(&q.inputs)).map(Rc::new)));
    #[cfg(not(feature = "full-page"))]
    let tables_note: Option<AttrValue> = None;
    let query_string = use_memo(((*state).clone(), embed), |(state, embed)| browser::query_string(state, *embed));
    use_effect_with(query_string.clone(), move |query| browser::persist(query, embed));
    let selected = use_state_eq(|| None::<Layout>);
    let onselect = {
        let selected = selected.clone();
        Callback::from(move |layout: Layout| selected.set(Some(layout)))
    };

    let errors = match &*checked {
        Ok(_) => FieldErrors::default(),
        Err(errors) => errors.clone(),
    };
    let shown_query = (*planned_query).clone();
    let plan = match &*planned {
        Some(Ok(plan)) => Some(plan.clone()),
        _ => None,
    };
    let results = match (&shown_query, &*planned) {
        // The embedded view shows the answer only; the page adds the benchmark loop (the startup
        // page, its door).
        (Some(query), Some(Ok(plan))) if embed => html! {
            <Results plan={plan.clone()} inputs={query.inputs.clone()} selected={*selected} {onselect} {embed} />
        },
        #[cfg(feature = "full-page")]
        (Some(query), Some(Ok(plan))) => html! {
            <MeasuredResults plan={Shared(plan.clone())} inputs={Shared(query.inputs.clone())} selected={*selected} {onselect} />
        },
        #[cfg(not(feature = "full-page"))]
        (Some(query), Some(Ok(plan))) => html! {
            <Results plan={plan.clone()} inputs={query.inputs.clone()} selected={*selected} {onselect} embed={false}>
                <BenchLoopDoor />
            </Results>
        },
        (_, Some(Err(error))) => html! {
            <p class="blocked" data-testid="plan-error" role="status">
                { format!("The planner cannot plan this scenario ({}): {}", error.field, error.message) }
            </p>
        },
        _ => Html::default(),
    };
    let summary_line = shown_query.as_ref().map(|q| summary(&q.inputs));
    // Capacity planning is the full page's: the startup page holds its door, and a scenario
    // with `capacity` (a link) loads the full page at once.
    #[cfg(not(feature = "full-page"))]
    let (capacity_load, open_capacity) = use_full_page();
    #[cfg(not(feature = "full-page"))]
    {
        let open = open_capacity.clone();
        use_effect_with(state.capacity.is_some() && !embed, move |wanted| {
            if *wanted {
                focus_capacity_when_loaded();
                open.emit(());
            }
        });
    }
    #[cfg(not(feature = "full-page"))]
    let capacity = capacity_door(&capacity_load, open_capacity);
    #[cfg(feature = "full-page")]
    let capacity = html! {
        <CapacityCard
            plan={plan.clone().map(Shared)}
            gpu={shown_query.as_ref().map(|q| AttrValue::from(q.inputs.cluster.gpu.id.clone())).unwrap_or_default()}
            errors={errors.clone()}
        />
    };
    // The startup page has no config.json importer, no disaggregated planning and no kernel
    // tables: a pasted config, a serving mode other than aggregated or the kernel-table step
    // model loads the full page.
    #[cfg(not(feature = "full-page"))]
    let reason = if state.form.active(Field::Config) {
        Some(IMPORTER_LOADING)
    } else if state.form.get(Field::Serving) != "aggregated" {
        Some(DISAGGREGATION_LOADING)
    } else {
        (state.form.get(Field::StepModel) != "roofline").then_some(KERNEL_TABLES_LOADING)
    };
    #[cfg(not(feature = "full-page"))]
    let importer_load = html! { <FullPageFor {reason} /> };
    #[cfg(feature = "full-page")]
    let importer_load = Html::default();
    if embed {
        let full = browser::link(&browser::query_string(&state, false));
        return html! {
            <div class="embed-view" data-testid="embed-view">
                <p class="scenario-summary" data-testid="scenario-summary">
                    { summary_line.unwrap_or_default() }
                    { " · " }
                    <a href={full} target="_blank" rel="noopener">{ "Open in the planner" }</a>
                </p>
                if !errors.is_empty() {
                    <p class="blocked" data-testid="form-invalid" role="status">{ "The link's scenario has invalid fields; open it in the planner to see them." }</p>
                }
                { importer_load.clone() }
                { results }
            </div>
        };
    }
    let invalid_note = (!errors.is_empty()).then(|| {
        let n = errors.len();
        let fields = format!("{n} highlighted field{}", if n == 1 { "" } else { "s" });
        if plan.is_some() {
            format!("Showing the last valid result: fix the {fields} to update it.")
        } else {
            format!("Fix the {fields} to see the plan.")
        }
    });
    let drop_calibration = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::SetPerfParams(None)))
    };
    let link = browser::link(&query_string);
    html! {
        <ContextProvider<AppContext> context={state.clone()}>
            <header class="masthead">
                <h1>{ "LLM layout planner" }</h1>
                <p class="tagline">
                    { "How should this model be split across these GPUs? Everything runs in your browser; nothing is sent anywhere." }
                </p>
            </header>
            <div class="columns">
                <ScenarioForm
                    errors={errors.clone()}
                    cluster_note={checked.as_ref().as_ref().ok().map(|q| AttrValue::from(cluster_note(&q.inputs)))}
                    {tables_note}
                />
                <div class="results">
                    if state.perf_params.is_some() {
                        <p class="calibration" data-testid="calibration-note" role="status">
                            { "Custom calibration in use: the performance parameters are your own fit, not the shipped ones. " }
                            <button type="button" data-testid="drop-calibration" onclick={drop_calibration}>{ "Use the shipped calibration" }</button>
                        </p>
                    }
                    if let Some(message) = &errors.calibration {
                        <p class="blocked" data-testid="error-calibration" role="alert">{ message.clone() }</p>
                    }
                    if let Some(note) = invalid_note {
                        <p class={classes!("blocked", plan.is_some().then_some("stale"))} data-testid="form-invalid" role="status">{ note }</p>
                    }
                    if let Some(line) = summary_line {
                        <p class="scenario-summary" data-testid="scenario-summary">{ line }</p>
                    }
                    { importer_load }
                    { share_bar(AttrValue::from(link), plan.clone()) }
                    { results }
                    { capacity }
                </div>
            </div>
        </ContextProvider<AppContext>>
    }
}
