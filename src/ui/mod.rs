//! The page: Yew components that only render and collect input.
//!
//! Design decision: one reducer (`state::AppState` + `state::Action`) holds what the user typed,
//! as strings (`form::FormState`); everything shown is derived from it with `use_memo`, never
//! stored beside it. `form` turns the strings into planner input or per-field messages, so a
//! bad number is a message next to its field and never reaches the planner. One component
//! per file.
//!
//! Design decision: the page comes in two builds of this one crate. The startup page (bin
//! `app`, feature `web`) has everything but the benchmark loop, whose place holds a door
//! (`bench_loop_door`), and but the `config.json` importer: its presets are baked in
//! (`planner::model::catalog`). The full page (bin `full_page`, feature `full-page`) is the
//! whole page, loaded when the door is opened or the form reads a pasted config (`full_page`):
//! it unmounts the startup page and mounts itself on the same scenario, which lives in the
//! address bar (`browser::persist`). So the weight loaded at startup carries neither the loop's
//! views nor the importer, and no view exists twice.

pub mod app;
mod bar_panel;
#[cfg(not(feature = "full-page"))]
mod bench_loop_door;
#[cfg(feature = "full-page")]
pub mod bench_worker;
#[cfg(feature = "full-page")]
mod bench_script_panel;
pub mod bindings;
pub mod browser;
mod candidate_row;
#[cfg(feature = "full-page")]
mod capacity_card;
#[cfg(feature = "full-page")]
mod capacity_chart;
#[cfg(not(feature = "full-page"))]
mod capacity_door;
#[cfg(feature = "full-page")]
pub mod capacity_form;
#[cfg(feature = "full-page")]
mod capacity_inputs;
#[cfg(feature = "full-page")]
mod capacity_sizing;
#[cfg(feature = "full-page")]
mod capacity_table;
pub mod candidates_table;
mod comparison_chart;
mod copy_button;
mod decision_trace;
#[cfg(feature = "full-page")]
mod deploy_panel;
#[cfg(not(feature = "full-page"))]
mod deploy_door;
#[cfg(feature = "full-page")]
mod disagg_table;
pub mod form;
pub mod format;
#[cfg(not(feature = "full-page"))]
mod full_page;
mod gpu_field;
mod labelled_field;
mod launch_commands;
#[cfg(feature = "full-page")]
mod measured_import;
#[cfg(feature = "full-page")]
pub mod measured_results;
#[cfg(feature = "full-page")]
mod measured_table;
mod memory_bar;
mod model_field;
#[cfg(feature = "full-page")]
mod mount_focus;
pub mod panic;
mod pareto_plot;
#[cfg(feature = "full-page")]
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

/// The `<body>` attribute by which the startup page tells the full page which card to focus
/// (`capacity`: the capacity card; `deploy`: the deployment artifacts; absent: the benchmark
/// loop).
pub const FULL_PAGE_FOCUS: &str = "data-full-page-focus";

thread_local! {
    /// The mounted app, kept so the full page can unmount the startup page.
    static MOUNTED: std::cell::RefCell<Option<yew::AppHandle<App>>> = const { std::cell::RefCell::new(None) };
}

/// Mounts the app into `<main id="app">` (or `<body>` when absent), after installing the
/// panic hook.
pub fn start() {
    panic::install();
    let handle = match gloo::utils::document().get_element_by_id("app") {
        Some(root) => yew::Renderer::<App>::with_root(root).render(),
        None => yew::Renderer::<App>::new().render(),
    };
    MOUNTED.with(|m| m.replace(Some(handle)));
}

/// Unmounts the app `start` mounted, and gives `<main id="app">` a fresh element, so the
/// full page mounts on a root no other app has listeners on.
pub fn unmount() {
    if let Some(handle) = MOUNTED.with(|m| m.take()) {
        handle.destroy();
    }
    let document = gloo::utils::document();
    if let (Some(old), Ok(fresh)) = (document.get_element_by_id("app"), document.create_element("main")) {
        fresh.set_id("app");
        // Refused only when the old root has no parent: the new app then mounts on it.
        let _ = old.replace_with_with_node_1(&fresh);
    }
}

/// The full page's start: unmounts the startup page (its `unmount`, exported to
/// `window.wasmBindings` by `static/loader.js`) when it ran, then mounts the whole page,
/// which moves the focus to the card the startup page named (`FULL_PAGE_FOCUS`).
#[cfg(feature = "full-page")]
pub fn take_over_startup_page() {
    use wasm_bindgen::JsCast;
    let bindings = js_sys::Reflect::get(&gloo::utils::window(), &"wasmBindings".into()).ok();
    let unmount = bindings.and_then(|b| js_sys::Reflect::get(&b, &"unmount".into()).ok());
    if let Some(unmount) = unmount.and_then(|f| f.dyn_into::<js_sys::Function>().ok()) {
        // The startup page's own function cannot fail; if it threw, two apps would show and
        // the panic hook's message says so.
        let _ = unmount.call0(&wasm_bindgen::JsValue::UNDEFINED);
        match gloo::utils::body().get_attribute(FULL_PAGE_FOCUS).as_deref() {
            Some("capacity") => capacity_card::focus_on_mount(),
            Some("deploy") => deploy_panel::FOCUS_DEPLOY.request(),
            _ => measured_results::FOCUS_LOOP.request(),
        }
    }
    if let Some(root) = gloo::utils::document().get_element_by_id("app") {
        // For the end-to-end tests: which build the page now runs.
        let _ = root.set_attribute("data-testid", "full-page");
    }
    start();
}
