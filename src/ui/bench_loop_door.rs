//! The benchmark loop's place on the startup page: its title and what it does, and a button that
//! loads the page with the loop (`browser::load_page_with_loop`), which then takes this page's
//! place on the same scenario. While it loads the button says so; a failed load says why and
//! the button tries again.

use super::browser;
use yew::prelude::*;

/// Where the load of the page with the loop stands.
#[derive(Clone, PartialEq)]
enum Door {
    Closed,
    Loading,
    Failed(String),
}

#[component]
pub fn BenchLoopDoor() -> Html {
    let door = use_state(|| Door::Closed);
    let onclick = {
        let door = door.clone();
        Callback::from(move |_: MouseEvent| {
            door.set(Door::Loading);
            let door = door.clone();
            wasm_bindgen_futures::spawn_local(async move {
                // On success the page with the loop has replaced this one, door and all.
                if let Err(e) = browser::load_page_with_loop().await {
                    door.set(Door::Failed(e));
                }
            });
        })
    };
    let loading = *door == Door::Loading;
    html! {
        <section class="bench-loop card" data-testid="bench-loop" aria-labelledby="bench-loop-title">
            <h2 id="bench-loop-title">{ "Benchmark, compare, recalibrate" }</h2>
            <p class="muted">
                { "Run the plan's best layouts with the engine's own benchmark, bring the result files back, and see how far the prediction was; refit the model to them if you like. Files are read in your browser; nothing is uploaded. The loop's code loads when you open it; your scenario stays." }
            </p>
            <button type="button" class="primary" data-testid="bench-loop-open" disabled={loading} {onclick}>
                { if loading { "Loading the benchmark loop…" } else { "Open the benchmark loop" } }
            </button>
            if let Door::Failed(e) = &*door {
                <p class="blocked" role="alert" data-testid="bench-loop-error">{ format!("The benchmark loop could not be loaded: {e}. Try again.") }</p>
            }
        </section>
    }
}
