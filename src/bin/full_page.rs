//! The full page (built by Trunk from `index.html` with the `full-page` feature, as
//! `full_page.js` and its wasm): the whole page, with the benchmark loop and the `config.json`
//! importer. The startup page loads it when the user opens the loop or pastes a config
//! (`ui::full_page`); once started, it unmounts the startup page and mounts itself on the same
//! scenario.

fn main() {
    planner_page::ui::take_over_startup_page();
}
