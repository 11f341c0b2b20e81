//! The page's side of the benchmark worker (`src/bin/bench_worker.rs`): created on the first
//! request (the first use of the benchmark loop), then kept. `ask` posts a
//! `benchmark::protocol::Request` as JSON and dispatches `Action::Asked`; the worker's reply comes
//! back as `Action::Answered`, and a worker that fails to load or crashes as
//! `Action::WorkerFailed`. `retry` replaces a failed worker and sends it again every request
//! not answered yet.
//!
//! Design decision: the worker's wasm only starts listening once it is instantiated, so it
//! says `"ready"` first and requests wait in a queue until then. Every request is kept until
//! its reply arrives, so a retry loses none. The browser tests have no built worker;
//! `answer_in_page` makes this module answer with a function instead (in tests,
//! `benchmark::protocol::serve`), asynchronously like the worker.

use super::state::{Action, Asked};
use benchmark::protocol::{page, Ask, READY};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, Event, MessageEvent, Worker};
use yew::UseReducerDispatcher;

use super::state::AppState;

/// The worker's loader script (`static/bench_worker_loader.js`, copied beside `index.html`).
pub const WORKER_URL: &str = "./bench_worker_loader.js";

type Dispatcher = UseReducerDispatcher<AppState>;

enum Link {
    /// `queue`: the messages to post once the worker says it is ready (`None` once it has).
    Worker { worker: Worker, queue: Option<Vec<String>> },
    InPage(fn(&str) -> String),
}

struct Bench {
    link: Option<Link>,
    next_id: u32,
    dispatch: Option<Dispatcher>,
    /// Every request sent and not answered yet (id, message), for `retry`.
    pending: Vec<(u32, String)>,
}

thread_local! {
    static BENCH: RefCell<Bench> =
        const { RefCell::new(Bench { link: None, next_id: 1, dispatch: None, pending: Vec::new() }) };
}

fn dispatch(action: Action) {
    if let Some(d) = BENCH.with(|b| b.borrow().dispatch.clone()) {
        d.dispatch(action);
    }
}

/// A reply from the worker, as text, into the reducer.
fn on_reply(text: &str) {
    match page::reply(text) {
        Ok(reply) => {
            BENCH.with(|b| b.borrow_mut().pending.retain(|(id, _)| *id != reply.id));
            dispatch(Action::Answered(reply));
        }
        Err(e) => dispatch(Action::WorkerFailed(format!("the benchmark worker's reply could not be read: {e}"))),
    }
}

/// Starts the worker, wiring its messages and errors.
fn start() -> Result<Link, String> {
    // The error's own `toString()` ("SecurityError: …"), as the browser words it.
    let worker = Worker::new(WORKER_URL).map_err(|e| {
        format!("the benchmark worker could not be started: {}", e.unchecked_into::<js_sys::Object>().to_string())
    })?;
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(|e: MessageEvent| {
        let text = e.data().as_string().unwrap_or_default();
        if text == READY {
            let queued = BENCH.with(|b| match &mut b.borrow_mut().link {
                Some(Link::Worker { worker, queue }) => queue.take().map(|q| (worker.clone(), q)),
                _ => None,
            });
            if let Some((worker, queue)) = queued {
                for message in queue {
                    post(&worker, &message);
                }
            }
        } else {
            on_reply(&text);
        }
    });
    worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    // A script that cannot be loaded fires a plain `Event`, with no message.
    let onerror = Closure::<dyn FnMut(Event)>::new(|e: Event| {
        let why = e.dyn_ref::<ErrorEvent>().map_or_else(|| "it could not be loaded".into(), ErrorEvent::message);
        dispatch(Action::WorkerFailed(format!("the benchmark worker failed: {why}")));
    });
    worker.set_onerror(Some(onerror.as_ref().unchecked_ref()));
    onerror.forget();
    Ok(Link::Worker { worker, queue: Some(Vec::new()) })
}

fn post(worker: &Worker, message: &str) {
    if worker.post_message(&JsValue::from_str(message)).is_err() {
        dispatch(Action::WorkerFailed("the request could not be sent to the benchmark worker".into()));
    }
}

/// Hands `message` to the worker (started when there is none, queued until it is ready), or
/// answers it in the page.
fn send(message: String) {
    enum Send {
        Now(Worker),
        Queued,
        InPage(fn(&str) -> String),
        Failed(String),
    }
    let send = BENCH.with(|b| {
        let mut b = b.borrow_mut();
        if b.link.is_none() {
            match start() {
                Ok(link) => b.link = Some(link),
                Err(e) => return Send::Failed(e),
            }
        }
        match &mut b.link {
            Some(Link::Worker { worker, queue: None }) => Send::Now(worker.clone()),
            Some(Link::Worker { queue: Some(q), .. }) => {
                q.push(message.clone());
                Send::Queued
            }
            Some(Link::InPage(serve)) => Send::InPage(*serve),
            None => Send::Queued,
        }
    });
    match send {
        Send::Now(worker) => post(&worker, &message),
        Send::Queued => {}
        Send::InPage(serve) => wasm_bindgen_futures::spawn_local(async move { on_reply(&serve(&message)) }),
        Send::Failed(e) => dispatch(Action::WorkerFailed(e)),
    }
}

/// Answers every request with `serve` in the page instead of a worker (the browser tests).
pub fn answer_in_page(serve: fn(&str) -> String) {
    BENCH.with(|b| b.borrow_mut().link = Some(Link::InPage(serve)));
}

/// Posts `ask` to the worker (starting it on first use); the answer arrives as
/// `Action::Answered`.
pub fn ask(dispatcher: Dispatcher, ask: Ask) {
    let asked = match &ask {
        Ask::Script { .. } => Asked::Script,
        Ask::Import { .. } => Asked::Import,
        Ask::Compare { .. } => Asked::Compare,
        Ask::Recalibrate { .. } => Asked::Recalibrate,
    };
    let id = BENCH.with(|b| b.borrow().next_id);
    // The loop compares layouts; sizing for a load is not part of it (`Ask::for_worker`).
    let message = page::request(id, &ask.for_worker());
    BENCH.with(|b| {
        let mut b = b.borrow_mut();
        b.dispatch = Some(dispatcher.clone());
        b.next_id += 1;
        b.pending.push((id, message.clone()));
    });
    dispatcher.dispatch(Action::Asked(id, asked));
    send(message);
}

/// After a failure: stops the worker, starts a new one and sends it every request not
/// answered yet (`Action::Retried` clears the error).
pub fn retry(dispatcher: Dispatcher) {
    let pending: Vec<String> = BENCH.with(|b| {
        let mut b = b.borrow_mut();
        match b.link.take() {
            Some(Link::Worker { worker, .. }) => worker.terminate(),
            kept => b.link = kept,
        }
        b.pending.iter().map(|(_, m)| m.clone()).collect()
    });
    dispatcher.dispatch(Action::Retried);
    for message in pending {
        send(message);
    }
}
