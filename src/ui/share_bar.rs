//! Share and export: copy the link that reproduces the plan, download the plan as JSON (the
//! `plan` command's output) and the candidates as CSV. Made in the page, nothing is sent.

use super::browser;
use super::copy_button::CopyButton;
use planner::export::candidates_csv;
use planner::plan::Plan;
use std::rc::Rc;
use yew::prelude::*;

/// The bar for the share `link` and the `plan` on screen (when there is one). A view function
/// of `App`, not a component of its own: a component's glue weighs a few KB of WebAssembly.
pub fn share_bar(link: AttrValue, plan: Option<Rc<Plan>>) -> Html {
    let on_json = {
        let plan = plan.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(plan) = &plan {
                // Through a JSON value, as the `plan` command prints it (`cli::plan_one`).
                let text = serde_json::to_value(&**plan).map(|v| planner::batch::pretty(&v)).unwrap_or_default();
                browser::download("plan.json", "application/json", &text);
            }
        })
    };
    let on_csv = {
        let plan = plan.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(plan) = &plan {
                browser::download("candidates.csv", "text/csv", &candidates_csv(plan));
            }
        })
    };
    let none = plan.is_none();
    html! {
        <div class="share-bar" data-testid="share-bar">
            <CopyButton text={link.clone()} target="share-link" label="Copy share link" testid="copy-link" />
            <button type="button" data-testid="export-json" disabled={none} onclick={on_json}>{ "Download plan (JSON)" }</button>
            <button type="button" data-testid="export-csv" disabled={none} onclick={on_csv}>{ "Download candidates (CSV)" }</button>
            <details class="share-link">
                <summary>{ "Show the link" }</summary>
                <code id="share-link" data-testid="share-link">{ link }</code>
            </details>
        </div>
    }
}
