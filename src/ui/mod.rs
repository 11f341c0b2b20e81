//! The page: Yew components that only render and collect input.
//!
//! Design decision: one reducer (`state::AppState` + `state::Action`) holds what the user typed,
//! as strings (`form::FormState`); everything shown is derived from it with `use_memo`, never
//! stored beside it. `form` turns the strings into planner input or per-field messages, so a
//! bad number is a message next to its field and never reaches the planner. One component
//! per file.

pub mod app;
mod bar_panel;
pub mod bench_worker;
mod bench_script_panel;
pub mod bindings;
pub mod browser;
mod candidate_row;
pub mod candidates_table;
mod comparison_chart;
mod copy_button;
mod decision_trace;
pub mod form;
pub mod format;
mod gpu_field;
mod labelled_field;
mod launch_commands;
mod measured_import;
pub mod measured_results;
mod measured_table;
mod memory_bar;
mod model_field;
pub mod panic;
mod pareto_plot;
mod recalibrate_panel;
mod recommendation;
pub mod results;
mod rule_flow;
mod rule_node;
mod scenario_form;
pub mod share;
mod share_bar;
pub mod shared;
pub mod state;
mod step_numbers;
mod svg;
mod trace_step;

pub use app::App;

/// Mounts the app into `<main id="app">` (or `<body>` when absent), after installing the
/// panic hook.
pub fn start() {
    panic::install();
    match gloo::utils::document().get_element_by_id("app") {
        Some(root) => yew::Renderer::<App>::with_root(root).render(),
        None => yew::Renderer::<App>::new().render(),
    };
}
