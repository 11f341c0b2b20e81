// Starts the page's WebAssembly. Trunk would inline this in index.html; the page's
// Content-Security-Policy (script-src 'self' 'wasm-unsafe-eval') forbids inline scripts, so
// Trunk.toml's `pattern_script` writes a tag naming this file, with the generated module and
// wasm file in data attributes. Exposes the planner as `window.wasmBindings.plan(scenario)`.
const tag = document.querySelector("script[data-wasm]");
const bindings = await import(tag.dataset.js);
const wasm = await bindings.default({ module_or_path: tag.dataset.wasm });
window.wasmBindings = bindings;
dispatchEvent(new CustomEvent("TrunkApplicationStarted", { detail: { wasm } }));
