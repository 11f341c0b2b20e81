// Starts the full page (Trunk's worker-type build of
// src/bin/full_page.rs). Its script, full_page.js, declares `wasm_bindgen` with a
// top-level `let`: a global binding other classic scripts see, but not a property of `window`,
// which the startup page's wasm could call. Loaded right after it (src/ui/browser.rs,
// `load_full_page`), this script offers the start as `window.startFullPage`.
window.startFullPage = () => wasm_bindgen({ module_or_path: "./full_page_bg.wasm" });
