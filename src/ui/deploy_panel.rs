//! What deploys the recommended plan (full page only), aggregated or, when the plan recommends
//! disaggregated serving (or the scenario asks only for it), its best prefill/decode candidate
//! (`Deployment::from_workers`: Prefill × x, Decode × y): every artifact of
//! `benchmark::deploy::artifacts` — LeaderWorkerSet and Dynamo manifests, the prefill/decode
//! scripts, SGLang's router, TensorRT-LLM's disaggregated configuration — with its name, its
//! kind, whether its flags and keys were checked against a published source (and which, or why
//! not), its text, a copy button and a download. The artifacts come from `benchmark::deploy`;
//! this view only shows them.

use super::browser;
use super::copy_button::CopyButton;
use super::shared::Shared;
use benchmark::deploy::{artifacts, Artifact, ArtifactKind, Deployment};
use benchmark::naming::Workers;
use planner::error::InputError;
use planner::inputs::PlannerInputs;
use planner::plan::Plan;
use planner::scenario::Serving;
use super::mount_focus::{use_focus_on_mount, FocusRequest};
use yew::prelude::*;

/// Taken by the panel's first render (`ui::take_over_startup_page` requests it when the startup
/// page's door to the deployment artifacts loaded this page).
pub static FOCUS_DEPLOY: FocusRequest = FocusRequest::new();

#[derive(Properties, PartialEq)]
pub struct DeployPanelProps {
    pub plan: Shared<Plan>,
    /// The resolved scenario the plan came from.
    pub inputs: Shared<PlannerInputs>,
}

/// What the kind of an artifact is called, and the media type of its download.
fn kind_text(kind: ArtifactKind) -> (&'static str, &'static str) {
    match kind {
        ArtifactKind::Shell => ("shell script", "text/x-shellscript"),
        ArtifactKind::Kubernetes => ("Kubernetes manifest", "application/yaml"),
        ArtifactKind::EngineConfig => ("engine configuration", "application/yaml"),
    }
}

/// One artifact: `index` makes the ids of its text unique on the page.
fn artifact(index: usize, a: &Artifact) -> Html {
    let (kind, mime) = kind_text(a.kind);
    let id = format!("deploy-text-{index}");
    let text = AttrValue::from(a.text.clone());
    let download = {
        let (name, text) = (a.name.clone(), a.text.clone());
        Callback::from(move |_: MouseEvent| {
            browser::download(&name, mime, &text);
        })
    };
    html! {
        <article class="artifact" key={a.name.clone()} data-testid="deploy-artifact" data-name={a.name.clone()} data-verified={a.verified.to_string()}>
            <h4>{ a.name.clone() }<span class="muted">{ format!(" · {kind}") }</span></h4>
            <p>
                <span class={classes!("badge", if a.verified { "verified" } else { "unverified" })}>{ if a.verified { "verified" } else { "unverified" } }</span>
                { a.note.clone() }
            </p>
            <div class="command">
                <pre {id} tabindex="0" role="region" aria-label={a.name.clone()}><code>{ text.clone() }</code></pre>
                <span class="artifact-actions">
                    <CopyButton {text} target={format!("deploy-text-{index}")} testid="deploy-copy" />
                    <button type="button" data-testid="deploy-download" data-file-name={a.name.clone()} onclick={download}>{ format!("Download {}", a.name) }</button>
                </span>
            </div>
        </article>
    }
}

/// The recommended deployment and what it is called: the best disaggregated candidate when the
/// plan recommends that mode or the scenario asks for no other, else the recommended layout.
fn recommended(inputs: &PlannerInputs, plan: &Plan) -> Option<(Deployment, String)> {
    let disaggregated = plan.recommended_mode.as_deref() == Some("disaggregated") || inputs.serving == Serving::Disaggregated;
    let best = plan.disaggregated.as_ref().and_then(|d| d.ranking.first().map(|&i| &d.candidates[i]));
    match best.filter(|_| disaggregated) {
        Some(c) => Some((
            Deployment::from_workers(
                inputs,
                Workers { count: c.prefill.count, layout: c.prefill.layout },
                Workers { count: c.decode.count, layout: c.decode.layout },
            ),
            c.label.clone(),
        )),
        None if inputs.serving == Serving::Disaggregated => None,
        None => Some((Deployment::from_plan(inputs, plan)?, plan.recommended.as_ref()?.layout.to_string())),
    }
}

#[component]
pub fn DeployPanel(props: &DeployPanelProps) -> Html {
    let written = use_memo((props.plan.clone(), props.inputs.clone()), |(plan, inputs)| {
        recommended(inputs, plan).map(|(d, name)| (artifacts(&d), name))
    });
    let name = written.as_ref().as_ref().map(|(_, name)| name.clone());
    let heading = use_focus_on_mount(&FOCUS_DEPLOY);
    let body = match written.as_ref().as_ref().map(|(a, _)| a) {
        Some(Ok(list)) => html! { <>{ for list.iter().enumerate().map(|(i, a)| artifact(i, a)) }</> },
        Some(Err(InputError { field, message })) => html! {
            <p class="blocked" role="status" data-testid="deploy-error">{ format!("The deployment artifacts cannot be written ({field}): {message}") }</p>
        },
        None => html! { <p class="muted">{ "No feasible layout to deploy." }</p> },
    };
    html! {
        <section class="deploy" data-testid="deploy-panel" aria-labelledby="deploy-title">
            <h3 id="deploy-title" tabindex="-1" ref={heading}>
                { name.map_or_else(|| "Deployment manifests".to_string(), |n| format!("Deployment manifests for the recommended {n}")) }
            </h3>
            <p class="muted">
                { "Kubernetes manifests for the recommended layout (a LeaderWorkerSet per vLLM or SGLang group, NVIDIA Dynamo's graph) and, for prefill/decode workers, their scripts. Each says whether its flags and keys were checked against the engine's or resource's published source." }
            </p>
            { body }
        </section>
    }
}
