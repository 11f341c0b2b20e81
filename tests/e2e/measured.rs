//! The benchmark loop on the built page (`dist/`, release) in headless Chromium, as a user runs
//! it: plan, export the benchmark plan (the downloaded script is caught at its object URL and
//! read), write the result files the script names (vLLM `vllm bench serve` JSON, as the script's
//! flags make vLLM write them, measured slower than predicted), pick them together with a real
//! sample of another deployment (`data/bench-results/`) and a malformed file, see every
//! outcome, the measured marks on the chart and the table, then refit and keep the fit: the
//! plan's figures change and "custom calibration" shows. Everything past the plan goes through
//! the real benchmark worker, which the page loads only when the loop is first used.
//!
//! With `MEASURED_SCREENSHOTS=DIR` the test also saves the chart's and the loop's cards, with
//! the fit proposed, as `DIR/comparison-chart.png` and `DIR/bench-loop.png` (the README's
//! screenshot is the two side by side).

use fantoccini::{Client, Locator};
use page_e2e::{axe_source, axe_violations, dist_dir, repo_path, PageSession};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long the page may take to show an expected state.
const PATIENCE: Duration = Duration::from_secs(20);
/// The measured runs are this share of the predicted throughput (their times 1 / it).
const SPEED: f64 = 0.6;

fn testid(id: &str) -> String {
    format!("[data-testid='{id}']")
}

/// Runs `script` in the page and returns its value.
async fn js(client: &Client, script: &str) -> Value {
    client.execute(script, vec![]).await.unwrap_or_else(|e| panic!("running {script}: {e}"))
}

/// Polls `script` (a JavaScript expression) until it is truthy; returns its value.
async fn wait_for(client: &Client, what: &str, script: &str) -> Value {
    let start = Instant::now();
    loop {
        let value = js(client, &format!("return {script};")).await;
        if !matches!(value, Value::Null | Value::Bool(false)) && value != json!(0) && value != json!("") {
            return value;
        }
        assert!(start.elapsed() < PATIENCE, "waited {PATIENCE:?} for {what} ({script}), last {value}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn text_of(client: &Client, id: &str) -> String {
    let v = js(client, &format!("const e = document.querySelector(\"{}\"); return e ? e.textContent : null;", testid(id))).await;
    v.as_str().unwrap_or_else(|| panic!("no element with data-testid={id}")).to_string()
}

async fn click(client: &Client, id: &str) {
    client
        .find(Locator::Css(&testid(id)))
        .await
        .unwrap_or_else(|e| panic!("no element with data-testid={id}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("clicking {id}: {e}"));
}

/// `data/bench-results/` of the repository (real result files; sources in its README).
fn samples_dir() -> PathBuf {
    repo_path("data/bench-results")
}

/// One layout of the script: its result file and the `--metadata` it passes, and the
/// planner's figures from the comment above it.
#[derive(Debug)]
struct Planned {
    result_file: String,
    metadata: Vec<(String, String)>,
    tok_s_per_gpu: f64,
    ttft_ms: f64,
    tpot_ms: f64,
}

/// The layouts a downloaded script benchmarks, read from its text.
fn planned_layouts(script: &str) -> Vec<Planned> {
    let mut out: Vec<Planned> = Vec::new();
    let mut figures = None;
    for line in script.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("# Predicted: ") {
            // "# Predicted: 1234.5 output tok/s per GPU, TTFT 45 ms, TPOT 6.1 ms; 100 prompts."
            let numbers: Vec<f64> = rest
                .split(|c: char| !(c.is_ascii_digit() || c == '.'))
                .filter_map(|t| t.parse().ok())
                .collect();
            figures = Some((numbers[0], numbers[1], numbers[2]));
        } else if let Some(rest) = line.split("--result-filename ").nth(1) {
            let (tok_s_per_gpu, ttft_ms, tpot_ms) = figures.take().expect("predicted figures before each benchmark");
            let result_file = rest.split_whitespace().next().unwrap().to_string();
            out.push(Planned { result_file, metadata: Vec::new(), tok_s_per_gpu, ttft_ms, tpot_ms });
        } else if let Some(rest) = line.strip_prefix("--metadata ") {
            let last = out.last_mut().expect("--metadata after --result-filename");
            last.metadata = rest
                .split_whitespace()
                .filter_map(|kv| kv.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())))
                .collect();
        }
    }
    out
}

/// What `vllm bench serve --save-result` writes for one planned layout measured at `SPEED`.
fn vllm_result(model: &str, p: &Planned, gpus: f64, concurrency: u32) -> String {
    let prompts = 100.0;
    let mut v = json!({
        "date": "20261204-120000", "endpoint_type": "openai", "backend": "openai", "label": null,
        "model_id": model, "tokenizer_id": model, "num_prompts": prompts, "request_rate": "inf", "burstiness": 1.0,
        "max_concurrency": concurrency, "duration": 60.0, "completed": prompts, "failed": 0,
        "total_input_tokens": 1023.0 * prompts, "total_output_tokens": 256.0 * prompts,
        "output_throughput": p.tok_s_per_gpu * gpus * SPEED,
        "mean_ttft_ms": p.ttft_ms / SPEED, "median_ttft_ms": p.ttft_ms / SPEED,
        "mean_tpot_ms": p.tpot_ms / SPEED, "median_tpot_ms": p.tpot_ms / SPEED,
    });
    for (k, value) in &p.metadata {
        v[k] = json!(value);
    }
    v.to_string()
}

#[tokio::test(flavor = "current_thread")]
async fn plan_benchmark_import_compare_and_recalibrate() {
    let session = PageSession::start().await;
    let (client, server) = (session.client.clone(), &session.server);
    client.set_window_size(1400, 1000).await.expect("sizing the window");
    client.goto(&format!("{}?concurrency=8", server.url())).await.expect("loading the page");

    // Plan: the opening scenario (LLaMA-7B on 1 × 4 A100 80GB) at 8 in flight.
    wait_for(&client, "the recommendation", &format!("document.querySelector(\"{}\")", testid("rec-layout"))).await;

    // Open the loop: the full page, not loaded until now, takes the startup page's
    // place on the same scenario, with the focus on the loop's heading.
    let recommended = js(&client, &format!("return document.querySelector(\"{}\").textContent;", testid("rec-layout"))).await;
    let full_page = "performance.getEntriesByType('resource').filter(r => r.name.includes('full_page')).length";
    assert_eq!(js(&client, &format!("return {full_page};")).await, json!(0), "the full page is not loaded at startup");
    click(&client, "bench-loop-open").await;
    wait_for(&client, "the loop's controls", &format!("document.querySelector(\"{}\")", testid("bench-download"))).await;
    assert_eq!(js(&client, &format!("return {full_page};")).await, json!(3), "its script, its starter and its wasm were loaded");
    assert_eq!(js(&client, "return document.activeElement.id;").await, json!("bench-loop-title"), "the focus is on the loop");
    let after = js(&client, &format!("return document.querySelector(\"{}\").textContent;", testid("rec-layout"))).await;
    assert_eq!(after, recommended, "the same scenario, the same recommendation");
    assert_eq!(js(&client, "return document.querySelectorAll('#app').length;").await, json!(1), "one app");

    // Export the benchmark plan; the download is caught at its object URL.
    js(
        &client,
        "window.__blobs = []; window.__downloads = [];
         const create = URL.createObjectURL;
         URL.createObjectURL = function (b) { window.__blobs.push(b); return create.call(URL, b); };
         HTMLAnchorElement.prototype.click = function () { window.__downloads.push(this.download); };
         return true;",
    )
    .await;
    // The first use of the loop: the benchmark worker is started, and the download happens
    // when its script arrives.
    let workers = js(&client, "return performance.getEntriesByType('resource').filter(r => r.name.includes('bench_worker')).length;").await;
    assert_eq!(workers, json!(0), "the benchmark worker is not loaded before the loop is used");
    click(&client, "bench-download").await;
    wait_for(&client, "the downloaded script", "window.__blobs.length > 0").await;
    let loaded = js(&client, "return performance.getEntriesByType('resource').map(r => r.name).filter(n => n.includes('bench_worker'));").await;
    // The worker's own fetches (its bindings and wasm) are in its timeline, not the page's.
    assert!(loaded.to_string().contains("bench_worker_loader.js"), "the worker was started: {loaded}");
    let download = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             window.__blobs[0].text().then(text => done({name: window.__downloads[0], type: window.__blobs[0].type, text}));",
            vec![],
        )
        .await
        .expect("reading the downloaded script");
    assert_eq!(download["name"], "benchmark-plan-vllm-top3.sh");
    assert_eq!(download["type"], "text/x-shellscript");
    let script = download["text"].as_str().expect("the script's text");
    assert!(script.starts_with("#!/usr/bin/env bash"), "{script}");
    assert!(script.contains("vllm bench serve") && script.contains("--max-concurrency 8"), "{script}");
    let model = script
        .lines()
        .find_map(|l| l.strip_prefix("MODEL=\"${MODEL:-")?.strip_suffix("}\""))
        .expect("the script's default model");
    let planned = planned_layouts(script);
    assert_eq!(planned.len(), 3, "three layouts in the script: {planned:?}");
    assert_eq!(text_of(&client, "bench-script").await, script, "the shown script is the downloaded one");

    // The result files the script names, a real sample of another deployment, a malformed file.
    let dir = session.profile.0.join("results");
    std::fs::create_dir_all(&dir).expect("a results folder");
    let mut paths: Vec<PathBuf> = Vec::new();
    for p in &planned {
        let path = dir.join(&p.result_file);
        std::fs::write(&path, vllm_result(model, p, 4.0, 8)).expect("writing a result file");
        paths.push(path);
    }
    paths.push(samples_dir().join("vllm/Scicom-AI-Enterprise-Organization--llm-benchmaq--llama31_70b_TP8_DP1_in1024_out128_p1000_c50_f1ba91.json"));
    let broken = dir.join("broken.json");
    std::fs::write(&broken, "{\"model_id\": \"x\", ").expect("writing a malformed file");
    paths.push(broken);
    let picker = client.find(Locator::Css(&testid("import-files"))).await.expect("the file picker");
    let list: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    picker.send_keys(&list.join("\n")).await.expect("picking the files");

    // Every file's outcome.
    wait_for(&client, "five outcomes", "document.querySelectorAll(\"[data-testid='import-outcome']\").length === 5").await;
    let outcomes = js(
        &client,
        "return [...document.querySelectorAll(\"[data-testid='import-outcome']\")].map(o => [o.dataset.status, o.textContent]);",
    )
    .await;
    let outcomes: Vec<(String, String)> = serde_json::from_value(outcomes).expect("pairs");
    let statuses: Vec<&str> = outcomes.iter().map(|o| o.0.as_str()).collect();
    assert_eq!(statuses, ["imported", "imported", "imported", "imported", "error"], "in the order picked: {outcomes:?}");
    assert!(outcomes[4].1.contains("broken.json") && outcomes[4].1.contains("not valid JSON"), "{outcomes:?}");
    wait_for(&client, "the runs matched", "document.querySelectorAll(\"[data-testid='import-run'][data-matched='true']\").length === 3").await;
    let matched = js(&client, "return [...document.querySelectorAll(\"[data-testid='import-run']\")].map(r => r.dataset.matched);").await;
    let matched: Vec<String> = serde_json::from_value(matched).expect("strings");
    assert_eq!(matched.iter().filter(|m| *m == "true").count(), 3, "{matched:?}");
    assert_eq!(matched.iter().filter(|m| *m == "false").count(), 1, "{matched:?}");
    let mismatch = text_of(&client, "run-mismatch").await;
    assert!(mismatch.contains("not used") && mismatch.contains("Llama-3.1-70B") && mismatch.contains("8 GPUs"), "{mismatch}");

    // The overlay: a measured mark per layout on each bar panel and on the Pareto view.
    wait_for(&client, "the comparison", "document.querySelectorAll(\"[data-testid='measured-row']\").length > 0").await;
    let marks = js(
        &client,
        "return [document.querySelectorAll('.bar-row .measured-mark').length, document.querySelectorAll('.point .measured-mark').length];",
    )
    .await;
    assert_eq!(marks, json!([9, 3]), "three layouts × three bar panels, three Pareto points");
    let rows = js(&client, "return document.querySelectorAll(\"[data-testid='measured-row']\").length;").await;
    assert_eq!(rows, json!(3));
    let best = text_of(&client, "measured-best").await;
    assert!(best.contains("measured best"), "{best}");
    // Measured at 60 % of the prediction: +67 % error in tok/s per GPU, −40 % in TTFT and TPOT.
    let table = text_of(&client, "measured-table").await;
    assert!(table.contains("+67 %") && table.contains("−40 %"), "{table}");

    // Recalibrate and keep the fit: the plan's figures change and the page says so.
    let before = text_of(&client, "rec-tok-s-gpu").await;
    click(&client, "recalibrate-button").await;
    wait_for(&client, "the proposed fit", &format!("document.querySelector(\"{}\")", testid("fit-proposal"))).await;
    let proposal = text_of(&client, "fit-proposal").await;
    assert!(proposal.contains("Fitted to 3 runs"), "{proposal}");
    if let Some(dir) = std::env::var_os("MEASURED_SCREENSHOTS") {
        // Tall enough for each card to be captured whole.
        client.set_window_size(1400, 3000).await.expect("sizing the window for the screenshots");
        for id in ["comparison-chart", "bench-loop"] {
            let card = client.find(Locator::Css(&testid(id))).await.expect("the card");
            let png = card.screenshot().await.expect("a screenshot of the card");
            std::fs::write(Path::new(&dir).join(format!("{id}.png")), png).expect("writing the screenshot");
        }
    }
    // The loop's panels, tables and the fit proposed, in a narrow window: no WCAG 2 A/AA violation.
    client.set_window_size(400, 1000).await.expect("a narrow window");
    let violations = axe_violations(&client, &axe_source()).await;
    for v in &violations {
        println!("axe-core, the benchmark loop: {v}");
    }
    assert!(violations.is_empty(), "{} WCAG 2 A/AA violation(s) in the benchmark loop, listed above", violations.len());
    client.set_window_size(1400, 1000).await.expect("sizing the window");
    click(&client, "keep-fit").await;
    wait_for(&client, "custom calibration", &format!("document.querySelector(\"{}\")", testid("custom-calibration"))).await;
    // The kept fit is a new scenario: the page plans again once its debounce has passed.
    let changed = format!(
        "document.querySelector(\"{}\").textContent !== {}",
        testid("rec-tok-s-gpu"),
        serde_json::to_string(&before).expect("a string")
    );
    wait_for(&client, "the plan made with the fit", &changed).await;
    let after = text_of(&client, "rec-tok-s-gpu").await;
    assert_ne!(after, before, "the recalibrated plan's throughput differs");
    let custom = text_of(&client, "custom-calibration").await;
    assert!(custom.contains("Custom calibration") && custom.contains("3 measurements"), "{custom}");
    println!("recommended throughput before the fit: {before}; after: {after}");

    let fatal_hidden = js(&client, "return document.getElementById('fatal').hidden;").await;
    assert_eq!(fatal_hidden, json!(true), "the panic message is showing");
    client.close().await.expect("closing the browser session");
}

/// Regression: a benchmark worker that could not load left the page waiting forever. Served
/// from a copy of the page whose worker files go missing and come back: its loader missing (a
/// plain `error` event), then its WebAssembly (a rejection inside the worker, rethrown by
/// `static/bench_worker_loader.js`); each time the page says so, keeps the plan and the
/// request, and a retry with the files back writes the script.
#[tokio::test(flavor = "current_thread")]
async fn a_worker_that_cannot_load_is_said_and_retried() {
    let copy = page_e2e::ProfileDir::new();
    for entry in std::fs::read_dir(dist_dir()).expect("the built page") {
        let path = entry.expect("a file").path();
        if path.is_file() {
            std::fs::copy(&path, copy.0.join(path.file_name().unwrap())).expect("copying the page");
        }
    }
    let hide = |name: &str| std::fs::rename(copy.0.join(name), copy.0.join(format!("{name}.away"))).expect("hiding a file");
    let restore = |name: &str| std::fs::rename(copy.0.join(format!("{name}.away")), copy.0.join(name)).expect("restoring a file");
    let session = PageSession::serving(&copy.0).await;
    let client = session.client.clone();
    client.goto(&session.server.url()).await.expect("loading the page");
    let layout = format!("document.querySelector(\"{}\").textContent", testid("rec-layout"));
    let plan = wait_for(&client, "the recommendation", &layout).await;
    // The full page cannot load: the door says so, the plan stays; back, it opens.
    hide("full_page_bg.wasm");
    click(&client, "bench-loop-open").await;
    let door = format!("document.querySelector(\"{}\")?.textContent", testid("bench-loop-error"));
    let said = wait_for(&client, "the door's failure", &door).await;
    assert!(said.as_str().is_some_and(|s| s.contains("could not be loaded") && s.contains("full_page_bg.wasm")), "{said}");
    println!("without full_page_bg.wasm: {said}");
    assert_eq!(js(&client, &format!("return {layout};")).await, plan, "the plan stays on screen");
    restore("full_page_bg.wasm");
    click(&client, "bench-loop-open").await;
    wait_for(&client, "the loop's controls", &format!("document.querySelector(\"{}\")", testid("bench-script-open"))).await;

    let failure = format!("document.querySelector(\"{}\")?.textContent", testid("worker-error"));
    hide("bench_worker_loader.js");
    click(&client, "bench-script-open").await;
    for (missing, next) in [("bench_worker_loader.js", Some("bench_worker_bg.wasm")), ("bench_worker_bg.wasm", None)] {
        let said = wait_for(&client, &format!("the failure without {missing}"), &failure).await;
        assert!(said.as_str().is_some_and(|s| s.contains("the benchmark worker failed")), "{said}");
        println!("without {missing}: {said}");
        assert_eq!(js(&client, &format!("return {layout};")).await, plan, "the plan stays on screen");
        let pending = js(&client, &format!("return !!document.querySelector(\"{}\");", testid("bench-script-pending"))).await;
        assert_eq!(pending, json!(true), "the request waits for a retry");
        restore(missing);
        if let Some(next) = next {
            hide(next);
        }
        click(&client, "worker-retry").await;
    }
    wait_for(&client, "the script after the retry", &format!("document.querySelector(\"{}\")", testid("bench-script"))).await;
    assert_eq!(js(&client, &format!("return {failure} ?? null;")).await, Value::Null, "the failure is gone");
    client.close().await.expect("closing the browser session");
}
