//! The deployment artifacts' place on the startup page, which has not their code (`benchmark`
//! without `deploy`): at the end of the launch commands' card, a door's button
//! (`bench_loop_door::door_button`) that loads the full page, whose deployment panel then takes
//! the focus (`FULL_PAGE_FOCUS` = `deploy`).

use super::bench_loop_door::{door_button, DoorButton};
use super::full_page::use_full_page;
use super::FULL_PAGE_FOCUS;
use yew::prelude::*;

const DEPLOY: DoorButton = DoorButton {
    open_id: "deploy-open",
    error_id: "deploy-error",
    open: "Deployment manifests (Kubernetes, Dynamo) — open the full page",
    loading: "Loading the deployment manifests…",
    what: "The deployment manifests",
};

#[component]
pub fn DeployDoor() -> Html {
    let (load, start) = use_full_page();
    let open = Callback::from(move |()| {
        // Refused only without a body; the full page then focuses its default.
        let _ = gloo::utils::body().set_attribute(FULL_PAGE_FOCUS, "deploy");
        start.emit(());
    });
    html! { <div class="door">{ door_button(&DEPLOY, "", &load, open) }</div> }
}
