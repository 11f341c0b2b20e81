//! The benchmark loop's place on the startup page: its title and what it does, and a button that
//! loads the full page (`full_page::use_full_page`), which then takes this page's place on the
//! same scenario. While it loads the button says so; a failed load says why and the button
//! tries again.

use super::full_page::{use_full_page, FullPageLoad};
use yew::prelude::*;

#[component]
pub fn BenchLoopDoor() -> Html {
    let (load, start) = use_full_page();
    let onclick = Callback::from(move |_: MouseEvent| start.emit(()));
    let loading = load == FullPageLoad::Loading;
    html! {
        <section class="bench-loop card" data-testid="bench-loop" aria-labelledby="bench-loop-title">
            <h2 id="bench-loop-title">{ "Benchmark, compare, recalibrate" }</h2>
            <p class="muted">
                { "Run the plan's best layouts with the engine's own benchmark, bring the result files back, and see how far the prediction was; refit the model to them if you like. Files are read in your browser; nothing is uploaded. The loop's code loads when you open it; your scenario stays." }
            </p>
            <button type="button" class="primary" data-testid="bench-loop-open" disabled={loading} {onclick}>
                { if loading { "Loading the benchmark loop…" } else { "Open the benchmark loop" } }
            </button>
            if let FullPageLoad::Failed(e) = &load {
                <p class="blocked" role="alert" data-testid="bench-loop-error">{ format!("The benchmark loop could not be loaded: {e}. Try again.") }</p>
            }
        </section>
    }
}
