//! The page's few calls into browser APIs beyond the DOM Yew manages: the address bar and
//! local storage (the scenario survives a reload and travels in links), downloads (Blob +
//! object URL, nothing leaves the machine), and the User Timing mark of each planning run.
//!
//! Design decision: every function degrades to doing nothing when an API is missing or
//! refuses (storage disabled, a sandboxed iframe): persistence and timing are conveniences,
//! and none of them may stop the page from planning.

use super::share::{from_params, to_params, EMBED};
use super::state::AppState;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::UrlSearchParams;

/// The local-storage key holding the last scenario (as query parameters).
const STORAGE_KEY: &str = "llm-layout-planner.scenario";

fn params(search: &str) -> Option<UrlSearchParams> {
    UrlSearchParams::new_with_str(search).ok()
}

fn search() -> String {
    web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default()
}

/// The state a query string (`?model=…`) describes, if it names any scenario field.
pub fn state_from_query(search: &str) -> Option<AppState> {
    let params = params(search)?;
    from_params(|name| params.get(name))
}

/// Whether the page was asked for the compact view (`?embed=1`).
pub fn embed_requested() -> bool {
    params(&search()).and_then(|p| p.get(EMBED)).is_some_and(|v| v == "1" || v == "true")
}

/// The state to open on: the link's scenario, else the last one stored, else the default.
pub fn initial_state() -> AppState {
    state_from_query(&search())
        .or_else(|| storage().and_then(|s| s.get_item(STORAGE_KEY).ok().flatten()).and_then(|q| state_from_query(&q)))
        .unwrap_or_default()
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The state as a query string without the `?` (`embed=1` kept when asked).
pub fn query_string(state: &AppState, embed: bool) -> String {
    let Some(params) = params("") else { return String::new() };
    for (name, value) in to_params(state) {
        params.append(name, &value);
    }
    if embed {
        params.append(EMBED, "1");
    }
    params.to_string().into()
}

/// The page's address with `query` (a share link).
pub fn link(query: &str) -> String {
    let Some(window) = web_sys::window() else { return format!("?{query}") };
    let location = window.location();
    let origin = location.origin().unwrap_or_default();
    let path = location.pathname().unwrap_or_default();
    format!("{origin}{path}?{query}")
}

/// Writes the scenario into the address bar (without a new history entry) and local storage.
pub fn persist(query: &str, embed: bool) {
    if let Some(window) = web_sys::window() {
        if let Ok(history) = window.history() {
            // Refused only in odd documents (about:blank); the link button still works.
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("?{query}")));
        }
    }
    if embed {
        // An embedded view must not overwrite the reader's own last scenario.
        return;
    }
    if let Some(storage) = storage() {
        // Full or disabled storage: the scenario just will not survive a reload.
        let _ = storage.set_item(STORAGE_KEY, query);
    }
}

/// Offers `text` as a file download named `name`, made in the page (no request); `false`
/// when the browser refused (no document, no Blob or object URL).
pub fn download(name: &str, mime: &str, text: &str) -> bool {
    let offer = || -> Option<String> {
        let document = web_sys::window()?.document()?;
        let parts = js_sys::Array::of1(&text.into());
        let options = web_sys::BlobPropertyBag::new();
        options.set_type(mime);
        let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
        let url = web_sys::Url::create_object_url_with_blob(&blob).ok()?;
        let anchor: web_sys::HtmlAnchorElement = document.create_element("a").ok()?.dyn_into().ok()?;
        anchor.set_href(&url);
        anchor.set_download(name);
        anchor.click();
        Some(url)
    };
    let Some(url) = offer() else { return false };
    // Released once the download has surely started.
    gloo::timers::callback::Timeout::new(10_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
    true
}

/// Runs `work` between User Timing marks and records a measure named `plan`.
pub fn timed<T>(work: impl FnOnce() -> T) -> T {
    let performance = web_sys::window().and_then(|w| w.performance());
    if let Some(p) = &performance {
        let _ = p.mark("plan-start");
    }
    let result = work();
    if let Some(p) = &performance {
        // Timing is for the developer tools and the tests; a refusal changes nothing shown.
        let _ = p.measure_with_start_mark("plan", "plan-start");
    }
    result
}

/// What a JavaScript failure says: a thrown string as it is, an exception by its own text
/// (`TypeError: …`, whose JSON would be `{}`), anything else as JSON.
fn js_error_text(e: wasm_bindgen::JsValue) -> String {
    e.as_string()
        .or_else(|| e.dyn_ref::<js_sys::Error>().map(|error| String::from(error.to_string())))
        .or_else(|| js_sys::JSON::stringify(&e).ok().and_then(|s| s.as_string()))
        .unwrap_or_default()
}

/// The text at `url` (relative to the page), or why not: the request's error, or the HTTP
/// status.
pub async fn fetch_text(url: &str) -> Result<String, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(url)).await.map_err(js_error_text)?.unchecked_into();
    if !response.ok() {
        return Err(format!("{url}: HTTP {}", response.status()));
    }
    let text = JsFuture::from(response.text().map_err(js_error_text)?).await.map_err(js_error_text)?;
    text.as_string().ok_or_else(|| format!("{url}: not text"))
}

/// The full page: Trunk's build of `src/bin/full_page.rs`
/// (`data-type="worker"` in `index.html`, so its files are named without a hash), then its
/// starter (`static/full_page_loader.js`), which defines `window.startFullPage`.
#[cfg(not(feature = "full-page"))]
const FULL_PAGE_SCRIPTS: [&str; 2] = ["./full_page.js", "./full_page_loader.js"];

/// Loads and starts the full page, which replaces this page's app
/// (`ui::take_over_startup_page`); or why it could not be loaded (this page then stays).
#[cfg(not(feature = "full-page"))]
pub async fn load_full_page() -> Result<(), String> {
    use js_sys::{Function, Promise, Reflect};
    use wasm_bindgen::JsValue;
    let window = web_sys::window().ok_or("no window")?;
    let document = window.document().ok_or("no document")?;
    let start = |window: &web_sys::Window| Reflect::get(window, &"startFullPage".into()).ok().and_then(|f| f.dyn_into::<Function>().ok());
    if start(&window).is_none() {
        for url in FULL_PAGE_SCRIPTS {
            let script: web_sys::HtmlScriptElement = document.create_element("script").map_err(js_error_text)?.unchecked_into();
            script.set_src(url);
            let loaded = Promise::new(&mut |resolve, reject| {
                script.set_onload(Some(&resolve));
                script.set_onerror(Some(&reject));
            });
            document.head().ok_or("no head")?.append_child(&script).map_err(js_error_text)?;
            JsFuture::from(loaded).await.map_err(|_| format!("{url} did not load"))?;
        }
    }
    let start = start(&window).ok_or("the full page's starter defined no startFullPage")?;
    let started = start.call0(&JsValue::UNDEFINED).map_err(js_error_text)?;
    JsFuture::from(Promise::resolve(&started)).await.map_err(|e| format!("full_page_bg.wasm: {}", js_error_text(e)))?;
    Ok(())
}
