//! The benchmark plan: the user picks how many of the best layouts to measure and downloads
//! the script that launches the engine with each and runs its serving benchmark at the planned
//! load (`benchmark::script::script`), named after the engine. The script is made in the browser
//! by the benchmark worker and downloaded from a `Blob` behind an object URL; it is also shown,
//! for a look before running.
//!
//! Design decision: the worker is only started once the user uses the panel (opens the script,
//! picks a count, or downloads), so a page that never benchmarks never loads it; a download
//! asked for before the script has arrived happens when it arrives.

use super::browser;
use super::shared::Shared;
use super::bench_worker::ask;
use super::state::{Action, AppContext, Slot};
use benchmark::protocol::Ask;
use planner::inputs::PlannerInputs;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// The media type of the downloaded script.
const SCRIPT_MIME: &str = "text/x-shellscript";

/// The most layouts one script covers.
pub const MAX_TOP_N: usize = 10;

#[derive(Properties, PartialEq)]
pub struct BenchScriptPanelProps {
    pub inputs: Shared<PlannerInputs>,
    /// How many layouts are feasible.
    pub feasible: usize,
}

#[component]
pub fn BenchScriptPanel(props: &BenchScriptPanelProps) -> Html {
    let state = use_context::<AppContext>().expect("BenchScriptPanel is rendered inside App's context provider");
    let top_n = state.bench_top_n.min(props.feasible.clamp(1, MAX_TOP_N));
    {
        let dispatcher = state.dispatcher();
        use_effect_with((props.inputs.clone(), top_n, state.bench_opened), move |(inputs, n, opened)| {
            if *opened {
                ask(dispatcher, Ask::Script { scenario: inputs.scenario.clone(), top_n: *n });
            }
        });
    }
    let engine = props.inputs.engine.engine.id();
    let file_name = format!("benchmark-plan-{engine}-top{top_n}.sh");
    let failed = use_state_eq(|| false);
    // A download asked for before the script arrived.
    let wanted = use_state_eq(|| false);
    {
        let (failed, wanted, file_name) = (failed.clone(), wanted.clone(), file_name.clone());
        use_effect_with((state.script.clone(), *wanted), move |(made, want)| {
            if let (true, Some(Ok(text))) = (*want, made.ready()) {
                failed.set(!browser::download(&file_name, SCRIPT_MIME, text));
                wanted.set(false);
            }
        });
    }
    let open = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::OpenBench))
    };
    let onchange = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            if let Some(n) = e.target_dyn_into::<HtmlSelectElement>().and_then(|s| s.value().parse().ok()) {
                state.dispatch(Action::OpenBench);
                state.dispatch(Action::SetBenchTopN(n));
            }
        })
    };
    let onclick = {
        let (state, file_name, failed, wanted) = (state.clone(), file_name.clone(), failed.clone(), wanted.clone());
        Callback::from(move |_: MouseEvent| match state.script.ready() {
            Some(Ok(text)) if state.bench_opened => failed.set(!browser::download(&file_name, SCRIPT_MIME, text)),
            _ => {
                state.dispatch(Action::OpenBench);
                wanted.set(true);
            }
        })
    };
    let made = &state.script;
    html! {
        <div class="bench-script" data-testid="bench-script-panel">
            <h3>{ "1. Benchmark plan" }</h3>
            if props.feasible == 0 {
                <p class="muted">{ "No layout is feasible, so there is nothing to benchmark." }</p>
            } else {
                <div class="bench-script-controls">
                    <label for="bench-top-n">{ "Layouts to benchmark (best first)" }</label>
                    <select id="bench-top-n" data-testid="bench-top-n" {onchange}>
                        { for (1..=props.feasible.min(MAX_TOP_N)).map(|n| html! {
                            <option key={n} value={n.to_string()} selected={n == top_n}>{ n }</option>
                        }) }
                    </select>
                    <button type="button" data-testid="bench-download" data-file-name={file_name.clone()} {onclick} disabled={matches!(made.ready(), Some(Err(_)))}>
                        { format!("Download {file_name}") }
                    </button>
                </div>
                { match made {
                    Slot::Ready(r) => match &**r {
                        Ok(text) => html! {
                            <details>
                                <summary>{ format!("Show the script ({} lines)", text.lines().count()) }</summary>
                                <pre class="script" data-testid="bench-script" tabindex="0" role="region" aria-label="Benchmark script">{ text.to_string() }</pre>
                            </details>
                        },
                        Err(e) => html! { <p class="blocked" role="status">{ format!("No script ({}): {}", e.field, e.message) }</p> },
                    },
                    Slot::Idle if state.bench_opened => html! { <p class="muted" role="status" data-testid="bench-script-pending">{ "Writing the script…" }</p> },
                    Slot::Waiting(_) => html! { <p class="muted" role="status" data-testid="bench-script-pending">{ "Writing the script…" }</p> },
                    Slot::Idle => html! {
                        <details>
                            <summary data-testid="bench-script-open" onclick={open}>{ "Show the script" }</summary>
                        </details>
                    },
                } }
                if *failed {
                    <p class="blocked" role="status">{ "The browser refused the download; copy the script shown above instead." }</p>
                }
            }
        </div>
    }
}
