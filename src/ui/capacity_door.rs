//! The capacity card's place on the startup page, which has no capacity planning (the
//! planner's feature `capacity` is the full page's): a door (`bench_loop_door::door`) that
//! loads the full page, whose capacity card then takes the focus. A link that carries a
//! capacity scenario opens the full page at once (`app`).

use super::bench_loop_door::{door, Door, DoorButton};
use super::full_page::FullPageLoad;
use super::FULL_PAGE_FOCUS;
use yew::prelude::*;

const CAPACITY: Door = Door {
    testid: "capacity-door",
    title_id: "capacity-door-title",
    class: "capacity",
    title: "Capacity and cost",
    text: "How many GPUs of which kind serve a target load within the SLA, and what a million tokens costs in dollars and energy, every catalog GPU side by side. Its code loads when you open it; your scenario stays.",
    button: DoorButton {
        open_id: "capacity-door-open",
        error_id: "capacity-door-error",
        open: "Size for a target load",
        loading: "Loading capacity and cost…",
        what: "Capacity and cost",
    },
};

/// Asks the full page, once loaded, to focus the capacity card.
pub fn focus_capacity_when_loaded() {
    // Refused only without a body; the full page then focuses its default.
    let _ = gloo::utils::body().set_attribute(FULL_PAGE_FOCUS, "capacity");
}

/// The door: `load` and `start` from `use_full_page`.
pub fn capacity_door(load: &FullPageLoad, start: Callback<()>) -> Html {
    let open = Callback::from(move |()| {
        focus_capacity_when_loaded();
        start.emit(());
    });
    door(&CAPACITY, load, open)
}
