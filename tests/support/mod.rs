//! What the App browser tests (`tests/web.rs`, `tests/measured.rs`) share: mounting the page
//! from the default scenario, waiting out its planning debounce, and finding elements by their
//! `data-testid` hook.

use planner_app::ui::app::DEBOUNCE_MS;
use planner_app::ui::App;
use web_sys::Element;

/// Renders the app into a fresh element of its own (tests share one page), from the default
/// scenario: the address bar and storage of earlier tests are cleared first, since the page
/// restores the last scenario from them.
pub async fn mount() -> Element {
    let window = gloo::utils::window();
    window.local_storage().unwrap().unwrap().clear().unwrap();
    window.history().unwrap().replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("?")).unwrap();
    let document = gloo::utils::document();
    let root = document.create_element("div").expect("creating a root element");
    document.body().expect("a body").append_child(&root).expect("attaching the root");
    yew::Renderer::<App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;
    root
}

/// Waits out the page's planning debounce (an edit, a kept or dropped fit) and runs the
/// renders it causes.
pub async fn settle() {
    gloo::timers::future::TimeoutFuture::new(DEBOUNCE_MS + 50).await;
    yew::scheduler::flush().await;
}

pub fn by_testid(root: &Element, id: &str) -> Option<Element> {
    root.query_selector(&format!("[data-testid='{id}']")).expect("a valid selector")
}

pub fn get(root: &Element, id: &str) -> Element {
    by_testid(root, id).unwrap_or_else(|| panic!("no element with data-testid={id}"))
}

pub fn text(root: &Element, id: &str) -> String {
    get(root, id).text_content().unwrap_or_default()
}
