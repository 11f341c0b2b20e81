//! The benchmark loop's place on the startup page: its title and what it does, and the door
//! (`full_page::FullPageDoor`) that loads the full page, which then takes this page's place on
//! the same scenario with the focus on the loop's heading.

use super::full_page::FullPageDoor;
use yew::prelude::*;

/// The loop's card on the startup page. A view function: the door holds the state.
pub fn bench_loop_door() -> Html {
    html! {
        <section class="bench-loop card" data-testid="bench-loop" aria-labelledby="bench-loop-title">
            <h2 id="bench-loop-title">{ "Benchmark, compare, recalibrate" }</h2>
            <p class="muted">
                { "Run the plan's best layouts with the engine's own benchmark, bring the result files back, and see how far the prediction was; refit the model to them if you like. Files are read in your browser; nothing is uploaded. The loop's code loads when you open it; your scenario stays." }
            </p>
            <FullPageDoor label="Open the benchmark loop" focus="bench-loop-title" testid="bench-loop-open" error_testid="bench-loop-error" />
        </section>
    }
}
