//! What the App browser tests (`tests/web.rs`, `tests/measured.rs`) share: mounting the page
//! from the default scenario, waiting out its planning debounce or until something holds,
//! finding elements by their `data-testid` hook, and files to pick or drop.

use planner_page::ui::app::DEBOUNCE_MS;
use planner_page::ui::App;
use web_sys::{DataTransfer, DragEvent, DragEventInit, Element, File};

/// Renders the app into a fresh element of its own (tests share one page), from the default
/// scenario (`mount`) or a link's (`mount_at`): the address bar and storage of earlier tests are cleared first, since the page
/// restores the last scenario from them.
// Not every test file opens the default scenario.
#[allow(dead_code)]
pub async fn mount() -> Element {
    mount_at("").await
}

/// The same, opened from a share link's `query` (without the `?`).
pub async fn mount_at(query: &str) -> Element {
    let window = gloo::utils::window();
    window.local_storage().unwrap().unwrap().clear().unwrap();
    window.history().unwrap().replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("?{query}"))).unwrap();
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

/// Waits (through the browser's event loop, not a fixed sleep) until `done` holds.
pub async fn until(root: &Element, what: &str, done: impl Fn(&Element) -> bool) {
    for _ in 0..200 {
        if done(root) {
            return;
        }
        let tick = js_sys::Promise::new(&mut |resolve, _| {
            web_sys::window().expect("a window").set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 10).expect("a timer");
        });
        wasm_bindgen_futures::JsFuture::from(tick).await.expect("the timer fires");
        yew::scheduler::flush().await;
    }
    panic!("gave up waiting for {what}");
}

/// Files named and holding `list`'s texts, as a drop or a file picker hands them over.
pub fn files(list: &[(&str, &str)]) -> DataTransfer {
    let transfer = DataTransfer::new().expect("a DataTransfer");
    for (name, body) in list {
        let file = File::new_with_str_sequence(&js_sys::Array::of1(&(*body).into()), name).expect("a File");
        transfer.items().add_with_file(&file).expect("adding the file");
    }
    transfer
}

/// Drops files named and holding `list`'s texts on `target`, as a user dragging them there;
/// the event, to ask whether the page took it (`default_prevented`).
pub fn drop_files(target: &Element, list: &[(&str, &str)]) -> DragEvent {
    let init = DragEventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    init.set_data_transfer(Some(&files(list)));
    let event = DragEvent::new_with_event_init_dict("drop", &init).expect("a drop event");
    target.dispatch_event(&event).expect("dispatching the drop");
    event
}
