//! How to run the layout shown: the command for vLLM, SGLang and TensorRT-LLM (one tab each,
//! the scenario's engine first), for each node of a multi-node layout, with a copy button.
//! Every command comes from `planner::benchmark::launch` (pure); this view only picks the engine
//! and the node and shows the text. Below it, the deployment artifacts the caller adds (the full
//! page: `children`), or on the startup page a door to the full page that has them.

use super::copy_button::CopyButton;
#[cfg(not(feature = "full-page"))]
use super::deploy_door::DeployDoor;
use super::shared::Shared;
use benchmark::launch::{engines_for, flags_verified, panel_command};
use planner::engine::Engine;
use planner::inputs::PlannerInputs;
use planner::layout::Layout;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct LaunchCommandsProps {
    pub inputs: Shared<PlannerInputs>,
    /// The layout shown, or `None` when nothing is feasible.
    pub layout: Option<Layout>,
    /// Why the layout is rejected, when the user selected a rejected one.
    pub rejected: Option<AttrValue>,
    /// Shown at the end of the card when a layout is, on the full page: the deployment artifacts.
    #[prop_or_default]
    pub children: Html,
}

/// The id of the `<pre>` holding the command (the copy button's fallback selects it).
const COMMAND_ID: &str = "launch-command-text";

/// On the startup page, which has not the deployment artifacts' code, a door to the full page
/// that has them (`deploy_door`); the full page shows them (`children`).
#[cfg(not(feature = "full-page"))]
fn deployment_door() -> Html {
    html! { <DeployDoor /> }
}

#[cfg(feature = "full-page")]
fn deployment_door() -> Html {
    Html::default()
}

#[component]
pub fn LaunchCommands(props: &LaunchCommandsProps) -> Html {
    let engines = engines_for(&props.inputs);
    let picked = use_state_eq(|| None::<Engine>);
    let node = use_state_eq(|| 0u32);
    let engine = picked.filter(|e| engines.contains(e)).unwrap_or(engines[0]);
    let nodes = props.inputs.cluster.nodes.max(1);
    let rank = (*node).min(nodes - 1);
    let command = use_memo((props.inputs.clone(), engine, props.layout, rank), |(inputs, engine, layout, rank)| {
        layout.map(|l| panel_command(inputs, *engine, l, *rank))
    });
    let Some(layout) = props.layout else {
        return html! {
            <section class="launch card" data-testid="launch-commands" aria-labelledby="launch-title">
                <h2 id="launch-title">{ "Launch commands" }</h2>
                <p class="muted">{ "No feasible layout to launch." }</p>
            </section>
        };
    };
    let onnode = {
        let node = node.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            node.set(select.value().parse().unwrap_or(0));
        })
    };
    let text: AttrValue = (*command).clone().unwrap_or_default().into();
    html! {
        <section class="launch card" data-testid="launch-commands" aria-labelledby="launch-title">
            <h2 id="launch-title">{ format!("Launch commands for {layout}") }</h2>
            if let Some(reason) = &props.rejected {
                <p class="warning" data-testid="launch-rejected">{ format!("The planner rejects this layout: {reason}") }</p>
            }
            <div class="tabs" role="tablist" aria-label="Serving engine">
                { for engines.iter().enumerate().map(|(i, &e)| {
                    let picked = picked.clone();
                    let selected = e == engine;
                    html! {
                        <button
                            key={e.id()}
                            type="button"
                            role="tab"
                            id={format!("launch-tab-{}", e.id())}
                            data-testid={format!("launch-tab-{}", e.id())}
                            aria-selected={selected.to_string()}
                            aria-controls="launch-panel"
                            tabindex={if selected { "0" } else { "-1" }}
                            onclick={move |_| picked.set(Some(e))}
                        >
                            { e.display_name() }
                            if i == 0 {
                                <span class="tab-note">{ " (scenario)" }</span>
                            }
                        </button>
                    }
                }) }
            </div>
            <div class="tab-panel" role="tabpanel" id="launch-panel" aria-labelledby={format!("launch-tab-{}", engine.id())}>
                if !flags_verified(engine) {
                    <p class="warning" data-testid="launch-unverified">
                        { format!("{}'s flags are unverified: its source could not be checked. Compare with `trtllm-serve --help` before use.", engine.display_name()) }
                    </p>
                }
                if engine != engines[0] {
                    <p class="muted">{ format!("{} with its own default memory fraction and batch caps; the plan's figures are for {}.", engine.display_name(), engines[0].display_name()) }</p>
                }
                if nodes > 1 {
                    <div class="field inline">
                        <label for="launch-node">{ format!("Node (of {nodes})") }</label>
                        <select id="launch-node" data-testid="launch-node" onchange={onnode}>
                            { for (0..nodes).map(|r| html! {
                                <option key={r} value={r.to_string()} selected={r == rank}>
                                    { if r == 0 { "0: head, serves HTTP".to_string() } else { r.to_string() } }
                                </option>
                            }) }
                        </select>
                    </div>
                    <p class="muted">{ "Set HEAD_NODE_ADDR to node 0's address on every node." }</p>
                }
                <div class="command">
                    <pre id={COMMAND_ID} data-testid="launch-command" data-engine={engine.id()} tabindex="0" role="region" aria-label="Launch command"><code>{ text.clone() }</code></pre>
                    <CopyButton {text} target={COMMAND_ID} />
                </div>
            </div>
            { props.children.clone() }
            { deployment_door() }
        </section>
    }
}
