//! The benchmark worker (built by Trunk from `index.html` as a Web Worker, loaded by the page
//! on the first use of the benchmark loop, `ui::bench_worker`): each message is a
//! `benchmark::protocol::Request` as JSON text, answered with its `Reply` as JSON text by
//! `benchmark::protocol::serve`. It says `"ready"` once it listens. No Yew: only the planner and
//! the bindings a worker needs.

use benchmark::protocol::{serve, READY};
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

fn main() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let replies = scope.clone();
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let reply = serve(&e.data().as_string().unwrap_or_default());
        // A reply that cannot be posted leaves the page waiting; there is no one else to tell.
        let _ = replies.post_message(&JsValue::from_str(&reply));
    });
    scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    let _ = scope.post_message(&JsValue::from_str(READY));
}
