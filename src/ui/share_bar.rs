//! Share and export: copy the link that reproduces the plan, download the plan as JSON (the
//! `plan` command's output) and the candidates as CSV. Made in the page, nothing is sent.

use super::browser;
use super::copy_button::CopyButton;
use crate::planner::export::candidates_csv;
use crate::planner::plan::Plan;
use super::shared::Shared;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ShareBarProps {
    /// The share link of the scenario on screen.
    pub link: AttrValue,
    /// The plan on screen, when there is one (compared by pointer: 500 candidates are not
    /// compared field by field on every render).
    pub plan: Option<Shared<Plan>>,
}

#[component]
pub fn ShareBar(props: &ShareBarProps) -> Html {
    let on_json = {
        let plan = props.plan.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(plan) = &plan {
                // Through a JSON value, as the `plan` command prints it (`cli::plan_one`).
                let text = serde_json::to_value(&**plan).and_then(|v| serde_json::to_string_pretty(&v)).unwrap_or_default();
                browser::download("plan.json", "application/json", &text);
            }
        })
    };
    let on_csv = {
        let plan = props.plan.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(plan) = &plan {
                browser::download("candidates.csv", "text/csv", &candidates_csv(plan));
            }
        })
    };
    let none = props.plan.is_none();
    html! {
        <div class="share-bar" data-testid="share-bar">
            <CopyButton text={props.link.clone()} target="share-link" label="Copy share link" testid="copy-link" />
            <button type="button" data-testid="export-json" disabled={none} onclick={on_json}>{ "Download plan (JSON)" }</button>
            <button type="button" data-testid="export-csv" disabled={none} onclick={on_csv}>{ "Download candidates (CSV)" }</button>
            <details class="share-link">
                <summary>{ "Show the link" }</summary>
                <code id="share-link" data-testid="share-link">{ props.link.clone() }</code>
            </details>
        </div>
    }
}
