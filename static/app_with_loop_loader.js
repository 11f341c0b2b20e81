// Starts the page with the benchmark loop (Trunk's worker-type build of
// src/bin/app_with_loop.rs). Its script, app_with_loop.js, declares `wasm_bindgen` with a
// top-level `let`: a global binding other classic scripts see, but not a property of `window`,
// which the startup page's wasm could call. Loaded right after it (src/ui/browser.rs,
// `load_page_with_loop`), this script offers the start as `window.startPageWithLoop`.
window.startPageWithLoop = () => wasm_bindgen({ module_or_path: "./app_with_loop_bg.wasm" });
