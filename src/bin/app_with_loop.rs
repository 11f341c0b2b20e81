//! The page with the benchmark loop (built by Trunk from `index.html` with the `bench-loop`
//! feature, as `app_with_loop.js` and its wasm): the whole page. The startup page loads it when
//! the user opens the loop (`ui::bench_loop_door`); once started, it unmounts the startup page
//! and mounts itself on the same scenario.

fn main() {
    planner_page::ui::take_over_startup_page();
}
