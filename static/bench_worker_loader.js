// Starts the benchmark worker (built by Trunk from index.html as `bench_worker.js` and its
// wasm). Trunk's own loader shim would leave a failed WebAssembly load as an unhandled
// rejection inside the worker, which the page never hears of; thrown again as an uncaught
// error, it reaches the page as the worker's `error` event, and the page offers a retry.
importScripts("./bench_worker.js");
wasm_bindgen("./bench_worker_bg.wasm").catch((e) => setTimeout(() => { throw e; }));
