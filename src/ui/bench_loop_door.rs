//! The benchmark loop's place on the startup page: its title and what it does, and a button that
//! loads the full page (`full_page::use_full_page`), which then takes this page's place on the
//! same scenario. While it loads the button says so; a failed load says why and the button
//! tries again. `door` draws any such card (the capacity card's door is another).

use super::full_page::{use_full_page, FullPageLoad};
use yew::prelude::*;

/// What a door's card to the full page says, and its test hooks (the card's, the heading's id).
pub struct Door {
    pub testid: &'static str,
    pub title_id: &'static str,
    pub class: &'static str,
    pub title: &'static str,
    pub text: &'static str,
    pub button: DoorButton,
}

/// What a door's button says, and its test hooks (the button's, the failure's).
pub struct DoorButton {
    pub open_id: &'static str,
    pub error_id: &'static str,
    pub open: &'static str,
    pub loading: &'static str,
    /// What failed to load, in "… could not be loaded".
    pub what: &'static str,
}

const BENCH_LOOP: Door = Door {
    testid: "bench-loop",
    title_id: "bench-loop-title",
    class: "bench-loop",
    title: "Benchmark, compare, recalibrate",
    text: "Run the plan's best layouts with the engine's own benchmark, bring the result files back, and see how far the prediction was; refit the model to them if you like. Files are read in your browser; nothing is uploaded. The loop's code loads when you open it; your scenario stays.",
    button: DoorButton {
        open_id: "bench-loop-open",
        error_id: "bench-loop-error",
        open: "Open the benchmark loop",
        loading: "Loading the benchmark loop…",
        what: "The benchmark loop",
    },
};

/// A door's card: `load` and `start` from `use_full_page`.
pub fn door(d: &Door, load: &FullPageLoad, start: Callback<()>) -> Html {
    html! {
        <section class={classes!(d.class, "card")} data-testid={d.testid} aria-labelledby={d.title_id}>
            <h2 id={d.title_id}>{ d.title }</h2>
            <p class="muted">{ d.text }</p>
            { door_button(&d.button, "primary", load, start) }
        </section>
    }
}

/// A door's button (of `class`) and, after a failed load, why; a card's (`door`), or on its
/// own inside another card (the deployment artifacts' door, `deploy_door`).
pub fn door_button(d: &DoorButton, class: &'static str, load: &FullPageLoad, start: Callback<()>) -> Html {
    let onclick = Callback::from(move |_: MouseEvent| start.emit(()));
    let loading = *load == FullPageLoad::Loading;
    html! {
        <>
            <button type="button" {class} data-testid={d.open_id} disabled={loading} {onclick}>
                { if loading { d.loading } else { d.open } }
            </button>
            if let FullPageLoad::Failed(e) = load {
                <p class="blocked" role="alert" data-testid={d.error_id}>{ format!("{} could not be loaded: {e}. Try again.", d.what) }</p>
            }
        </>
    }
}

#[component]
pub fn BenchLoopDoor() -> Html {
    let (load, start) = use_full_page();
    door(&BENCH_LOOP, &load, start)
}
