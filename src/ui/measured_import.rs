//! Measured results in: result files dropped on the panel, picked (several at once) or pasted
//! with a file name (which may carry the layout: `vllm-tp2-pp1-dp2-ep1.json`), read by
//! `benchmark::import` in the benchmark worker. Every file's outcome is listed: its runs (layout and load)
//! with how each compares with the plan (used, or left out with every mismatch named), or the
//! importer's message saying what was expected.
//!
//! Design decision: files are read with the browser's `File.text()` and handed to the
//! benchmark worker (`ui::bench_worker`), all the files of one pick or drop in one request, so
//! their outcomes arrive together and in order; nothing leaves the browser. The pasted text is read from the fields
//! when the user imports it, so typing keeps no state.

use super::bench_worker::ask;
use super::format::figure;
use super::state::{Action, AppContext};
use benchmark::protocol::{Ask, FileText, RunCheck, RunView};
use wasm_bindgen_futures::JsFuture;
use web_sys::{DragEvent, FileList, HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

/// Reads the files one after the other and imports them, in the order given.
fn read_files(files: Option<FileList>, state: &AppContext) {
    let Some(files) = files else { return };
    let files: Vec<_> = (0..files.length()).filter_map(|i| files.item(i)).collect();
    if files.is_empty() {
        return;
    }
    let dispatcher = state.dispatcher();
    wasm_bindgen_futures::spawn_local(async move {
        let mut read = Vec::with_capacity(files.len());
        for file in files {
            // An unreadable file imports as empty text, which the importer reports.
            let text = JsFuture::from(file.text()).await.ok().and_then(|v| v.as_string()).unwrap_or_default();
            read.push(FileText { name: file.name(), text });
        }
        ask(dispatcher, Ask::Import { files: read });
    });
}

/// A run's load in words.
fn load(run: &RunView) -> String {
    match (run.requests, run.per_s) {
        (Some(requests), None) if run.all_at_once => format!("all {requests} requests at once"),
        (Some(requests), None) => format!("{requests} in flight"),
        (None, Some(per_s)) => format!("{} requests/s", figure(per_s)),
        (Some(requests), Some(per_s)) => format!("{} requests/s, at most {requests} in flight", figure(per_s)),
        (None, None) => "load not stated".into(),
    }
}

/// One run: its layout, load and throughput (its source too when the file holds several), and
/// how it compares with the plan.
fn run_item(run: &RunView, comparison: Option<&RunCheck>, key: usize, several: bool) -> Html {
    let layout = match (&run.layout, run.disaggregated) {
        (Some(l), _) => l.to_string(),
        (None, true) => "prefill/decode disaggregated".into(),
        (None, false) => "layout unknown".into(),
    };
    let matched = comparison.is_some_and(|c| c.matched);
    let (blocking, doubts) = match comparison {
        Some(c) => (c.blocking.as_str(), c.doubts.as_str()),
        None => ("", ""),
    };
    html! {
        <li key={key} data-testid="import-run" data-matched={matched.to_string()} data-layout={layout.clone()}>
            <span class="run-head">
                { format!("{}{layout}, {}, {} output tok/s", if several { format!("{}: ", run.source) } else { String::new() }, load(run), figure(run.output_tok_s)) }
            </span>
            if matched {
                <span class="run-used">{ " — compared with the plan" }</span>
            } else if !blocking.is_empty() {
                <span class="run-flagged" data-testid="run-mismatch">{ format!(" — not used: {blocking}") }</span>
            }
            if !doubts.is_empty() {
                <span class="muted small">{ format!(" ({doubts})") }</span>
            }
        </li>
    }
}

#[component]
pub fn MeasuredImport() -> Html {
    let state = use_context::<AppContext>().expect("MeasuredImport is rendered inside App's context provider");
    let pasted = use_node_ref();
    let pasted_name = use_node_ref();
    let onpick = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                read_files(input.files(), &state);
                // The same file may be picked again after a change.
                input.set_value("");
            }
        })
    };
    let ondragover = Callback::from(|e: DragEvent| e.prevent_default());
    let ondrop = {
        let state = state.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            read_files(e.data_transfer().and_then(|d| d.files()), &state);
        })
    };
    let onpaste = {
        let (state, pasted, pasted_name) = (state.clone(), pasted.clone(), pasted_name.clone());
        Callback::from(move |_: MouseEvent| {
            let (Some(area), Some(name)) = (pasted.cast::<HtmlTextAreaElement>(), pasted_name.cast::<HtmlInputElement>()) else {
                return;
            };
            let name = name.value().trim().to_string();
            let name = if name.is_empty() { "pasted".to_string() } else { name };
            ask(state.dispatcher(), Ask::Import { files: vec![FileText { name, text: area.value() }] });
            area.set_value("");
        })
    };
    let onclear = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::ClearImports))
    };
    let report = state.report.ready();
    let comparisons: &[RunCheck] = match report {
        Some(Ok(r)) => &r.runs,
        _ => &[],
    };
    let mut offset = 0;
    html! {
        <div class="measured-import" data-testid="measured-import">
            <h3>{ "2. Measured results" }</h3>
            <div class="drop-zone" data-testid="drop-zone" {ondragover} {ondrop}>
                <p>{ "Drop result files here: vLLM bench serve JSON, SGLang bench_serving JSONL, genai-perf or AIPerf JSON/CSV, trtllm-bench JSON, or a CSV with the header tp,pp,dp,ep,concurrency,output_tok_s,ttft_ms,tpot_ms." }</p>
                <label class="file-pick">
                    { "or pick files " }
                    <input type="file" multiple=true accept=".json,.jsonl,.csv,.txt" data-testid="import-files" onchange={onpick} />
                </label>
            </div>
            <details class="paste">
                <summary>{ "Paste a result instead" }</summary>
                <label for="pasted-name">{ "File name (it may carry the layout, e.g. vllm-tp2-pp1-dp2-ep1.json)" }</label>
                <input id="pasted-name" type="text" data-testid="pasted-name" placeholder="vllm-tp1-pp1-dp4-ep1.json" ref={pasted_name} />
                <label for="pasted-text">{ "Contents" }</label>
                <textarea id="pasted-text" rows="6" data-testid="pasted-text" ref={pasted} />
                <button type="button" data-testid="import-pasted" onclick={onpaste}>{ "Import the pasted result" }</button>
            </details>
            if !state.importing.is_empty() {
                <p class="muted" role="status" data-testid="import-pending">{ "Reading the files…" }</p>
            }
            if let Some(Err(e)) = report {
                <p class="blocked" role="status">{ format!("The runs cannot be compared ({}): {}", e.field, e.message) }</p>
            }
            if !state.imports.is_empty() {
                <ul class="import-outcomes" data-testid="import-outcomes">
                    { for state.imports.iter().enumerate().map(|(k, imported)| {
                        let onremove = {
                            let state = state.clone();
                            Callback::from(move |_: MouseEvent| state.dispatch(Action::RemoveImport(k)))
                        };
                        let body = match &imported.outcome {
                            Err(e) => html! { <p class="import-error" data-testid="import-error">{ e.clone() }</p> },
                            Ok(runs) => {
                                let first = offset;
                                offset += runs.len();
                                html! {
                                    <ul>
                                        { for runs.iter().enumerate().map(|(j, run)| run_item(run, comparisons.get(first + j), j, runs.len() > 1)) }
                                    </ul>
                                }
                            }
                        };
                        html! {
                            <li key={k} data-testid="import-outcome" data-status={if imported.outcome.is_ok() { "imported" } else { "error" }}>
                                <strong>{ imported.name.clone() }</strong>
                                <button type="button" class="link" aria-label={format!("Remove {}", imported.name)} onclick={onremove}>{ "remove" }</button>
                                { body }
                            </li>
                        }
                    }) }
                </ul>
                <button type="button" data-testid="clear-imports" onclick={onclear}>{ "Remove every file" }</button>
            }
        </div>
    }
}
