//! The built page (`dist/`, release) served on 127.0.0.1 and driven in headless Chromium: a
//! share link renders every part of the plan; changing an input updates the recommendation; a
//! bad value gets its message while the last plan stays; a config.json from
//! `data/model-configs/` is planned (picked as a file and pasted); `?embed=1` is
//! compact; `window.wasmBindings.plan` returns the `plan` command's JSON; nothing is fetched
//! from another origin and the Content-Security-Policy is in place; the full search for a
//! 1T-parameter MoE on 1024 GPUs takes at most 16 ms (User Timing measure `plan`, median of
//! several runs); and the page weight (gzip -9, what `index.html` loads at startup; the
//! benchmark worker, loaded on the loop's first use, is weighed on its own) stays under its
//! ceiling, with the gap to the 300 KB goal printed.

use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use page_e2e::{
    axe_source, axe_violations, built_files, dist_dir, prefer_color_scheme, repo_path, require_built_page, startup_files, weigh,
    PageSession, Violation, WeighedFile, FULL_PAGE_FILES, WORKER_FILES,
};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The page-weight limit of issues 2 and 5: wasm + js + css loaded at startup, gzip -9, in
/// bytes (1 KB = 1000 B). See the README, "Page weight", for where the weight is.
const PAGE_WEIGHT_LIMIT_BYTES: u64 = 300_000;
/// The search-time budget of issue 5 for the 1T MoE on 1024 GPUs, milliseconds.
const PLAN_TIME_LIMIT_MS: f64 = 16.0;
/// The benchmark worker's budget (wasm + js, gzip -9): 317.3 KB measured on 2026-12-08 (its
/// own `bench-worker` features: importer, disaggregated runs, closed loop, kernel tables;
/// no capacity planning) plus 5 % headroom, rounded. It loads on the loop's first use, never
/// at startup, so it is held to what it weighs rather than to the startup ceiling.
const WORKER_WEIGHT_LIMIT_BYTES: u64 = 333_000;
/// The full page's budget (wasm + js, gzip -9): 438.1 KB measured on 2026-12-08 plus 5 %
/// headroom, rounded. It loads on demand (a door opened, a config pasted, a scenario that needs
/// it), never at startup, and carries the whole page: the startup page's views, the loop's,
/// the importer, capacity planning, disaggregated planning, the kernel tables' step model and
/// the deployment views.
const FULL_PAGE_WEIGHT_LIMIT_BYTES: u64 = 460_000;
/// How long the page may take to show an expected state (the first load includes compiling
/// the wasm module).
const PATIENCE: Duration = Duration::from_secs(20);
/// The six hooks of the plan's views (issue 5, item 9).
const HOOKS: [&str; 6] =
    ["recommendation", "decision-trace", "comparison-chart", "candidates-table", "memory-breakdown", "launch-commands"];
/// One `config.json` per frontier architecture the page must plan, with its decoder layers:
/// DeepSeek sparse attention, Gated DeltaNet, Mamba2 hybrid, value heads narrower than keys,
/// gated heads with per-kind widths, NAS blocks, Kimi Delta Attention, MiniMax-M3's block-sparse
/// attention, DeepSeek-V4's compressed attention.
const FRONTIER_CONFIGS: [(&str, u32); 9] = [
    ("deepseek-ai--DeepSeek-V3.2.json", 61),
    ("Qwen--Qwen3.5-27B.json", 64),
    ("nvidia--NVIDIA-Nemotron-3-Nano-30B-A3B-BF16.json", 52),
    ("XiaomiMiMo--MiMo-V2-Flash.json", 48),
    ("stepfun-ai--Step-3.7-Flash.json", 45),
    ("nvidia--Llama-3_3-Nemotron-Super-49B-v1.json", 80),
    ("moonshotai--Kimi-K3.json", 93),
    ("MiniMaxAI--MiniMax-M3.json", 60),
    ("deepseek-ai--DeepSeek-V4-Flash.json", 43),
];
/// LLaMA-2 70B on 2 × 8 H100, 64 requests in flight, as a share link's query.
const SHARE_QUERY: &str =
    "model=meta-llama/Llama-2-70b-hf&gpu=h100-sxm&nodes=2&gpus_per_node=8&engine=vllm&isl=2048&osl=512&concurrency=64&priority=throughput";
/// Llama 3.1 70B on 2 × 8 H100, no load given: the `plan` command takes the maximum-throughput
/// point (`FORMAT.md`), and so must the page.
const NO_LOAD_QUERY: &str = "model=meta-llama/Llama-3.1-70B-Instruct&gpu=h100-sxm&nodes=2&gpus_per_node=8&isl=2048&osl=512";
/// The same scenario as the `plan` command reads it.
const NO_LOAD_SCENARIO: &str = r#"{"model": "meta-llama/Llama-3.1-70B-Instruct", "gpu": "h100-sxm", "nodes": 2,
    "gpus_per_node": 8, "workload": {"isl": 2048, "osl": 512}}"#;
/// The 1T-parameter MoE (Kimi K2) on 128 × 8 H200.
const BIG_QUERY: &str =
    "model=moonshotai/Kimi-K2-Instruct&weights=fp8&kv_cache=fp8&gpu=h200-sxm&nodes=128&gpus_per_node=8&isl=4096&osl=1024&concurrency=4096";

/// DeepSeek-V3 in FP8 as TP16 × EP16 over 2 × 8 H200: one worker spanning two nodes.
const TWO_NODE_QUERY: &str =
    "model=deepseek-ai/DeepSeek-V3&weights=fp8&gpu=h200-sxm&nodes=2&gpus_per_node=8&isl=2048&osl=512&tp=16&ep=16";

fn testid(id: &str) -> String {
    format!("[data-testid='{id}']")
}

async fn find(client: &Client, id: &str) -> Element {
    client
        .find(Locator::Css(&testid(id)))
        .await
        .unwrap_or_else(|e| panic!("no element with data-testid={id}: {e}"))
}

async fn present(client: &Client, id: &str) -> bool {
    client.find(Locator::Css(&testid(id))).await.is_ok()
}

/// Polls the text of `data-testid=id` until `accept` takes it; fails with the last text seen.
async fn wait_for(client: &Client, id: &str, what: &str, accept: impl Fn(&str) -> bool) -> String {
    let start = Instant::now();
    let mut last = String::from("(element absent)");
    while start.elapsed() < PATIENCE {
        if let Ok(element) = client.find(Locator::Css(&testid(id))).await {
            if let Ok(text) = element.text().await {
                if accept(&text) {
                    return text;
                }
                last = text;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("data-testid={id}: expected {what}, last seen {last:?} after {PATIENCE:?}");
}

async fn wait_for_text(client: &Client, id: &str, expected: &str) {
    wait_for(client, id, &format!("{expected:?}"), |t| t == expected).await;
}

/// Polls until no element has `data-testid=id`.
async fn wait_gone(client: &Client, id: &str) {
    let start = Instant::now();
    while present(client, id).await {
        assert!(start.elapsed() < PATIENCE, "data-testid={id} is still there after {PATIENCE:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn attr(client: &Client, id: &str, name: &str) -> Option<String> {
    find(client, id).await.attr(name).await.unwrap_or_else(|e| panic!("reading {name} of {id}: {e}"))
}

/// Replaces the text of an input the way a user does: select all, type.
async fn type_into(client: &Client, id: &str, text: &str) {
    let input = find(client, id).await;
    input.send_keys(&(Key::Control + "a")).await.expect("selecting the field's text");
    input.send_keys(text).await.expect("typing into the field");
}

async fn script(client: &Client, code: &str, args: Vec<Value>) -> Value {
    client.execute(code, args).await.unwrap_or_else(|e| panic!("running {code}: {e}"))
}

/// Relative difference two numbers of the page and the native command may show: the page's
/// `powf`, `exp` and `ln` are WebAssembly's (Rust's libm), the command's the system's, which
/// may differ in the last bit.
const NUMBER_TOLERANCE: f64 = 1e-9;

/// The first place where `a` and `b` differ (numbers compared as numbers, `80.0` = `80`, within
/// `NUMBER_TOLERANCE`; object keys in any order), as a path and the two values.
fn first_difference(a: &Value, b: &Value, path: &str) -> Option<String> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap_or(f64::NAN), y.as_f64().unwrap_or(f64::NAN));
            let close = x == y || (x - y).abs() <= NUMBER_TOLERANCE * x.abs().max(y.abs());
            (!close).then(|| format!("{path}: {x} vs {y}"))
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            x.iter().zip(y).enumerate().find_map(|(i, (x, y))| first_difference(x, y, &format!("{path}[{i}]")))
        }
        (Value::Object(x), Value::Object(y)) if x.len() == y.len() => x.iter().find_map(|(k, v)| match y.get(k) {
            Some(w) => first_difference(v, w, &format!("{path}.{k}")),
            None => Some(format!("{path}.{k}: only in the page's answer")),
        }),
        _ => (a != b).then(|| format!("{path}: {a} vs {b}")),
    }
}

/// `data/model-configs/` of the repository (real `config.json` files; sources in `data/README.md`).
fn model_configs() -> PathBuf {
    repo_path("data/model-configs")
}

async fn wait_for_all_hooks(client: &Client) {
    for hook in HOOKS {
        wait_for(client, hook, "the part to render", |_| true).await;
    }
}

/// Types each ISL in turn, waits for the plan it starts, and returns those plans' `plan`
/// measures (milliseconds), sorted.
async fn plan_times(client: &Client, isls: &[&str]) -> Vec<f64> {
    let count = "return performance.getEntriesByName('plan').length";
    let before = script(client, count, vec![]).await.as_u64().unwrap_or(0);
    for (i, isl) in isls.iter().enumerate() {
        type_into(client, "field-isl", isl).await;
        let start = Instant::now();
        while script(client, count, vec![]).await.as_u64() < Some(before + i as u64 + 1) {
            assert!(start.elapsed() < PATIENCE, "no new plan after typing ISL {isl}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let code = format!("return performance.getEntriesByName('plan').slice({before}).map(e => e.duration)");
    let mut times: Vec<f64> = serde_json::from_value(script(client, &code, vec![]).await).unwrap();
    times.sort_by(f64::total_cmp);
    times
}

/// Plans the page's scenario at several ISLs and checks the median `plan` measure against the
/// budget, printing `what`, the median and every time.
async fn assert_median_plan_time(client: &Client, what: &str) {
    let times = plan_times(client, &["2048", "4096", "8192", "4096", "2048", "1024", "4096"]).await;
    let median = times[times.len() / 2];
    println!("{what}: median {median:.2} ms over {} runs: {times:?}", times.len());
    assert!(median <= PLAN_TIME_LIMIT_MS, "{what}: median plan time {median:.2} ms exceeds {PLAN_TIME_LIMIT_MS} ms: {times:?}");
}

#[tokio::test(flavor = "current_thread")]
async fn the_page_plans_in_headless_chromium() {
    let session = PageSession::start().await;
    let (client, server) = (session.client.clone(), &session.server);
    let origin = server.url();

    // A share link renders every part of its plan.
    client.goto(&format!("{origin}?{SHARE_QUERY}")).await.expect("loading the share link");
    wait_for_all_hooks(&client).await;
    wait_for_text(&client, "rule-layout", "TP 8 × PP 1 × DP 2").await;
    let summary = find(&client, "scenario-summary").await.text().await.unwrap();
    assert!(summary.contains("2 × 8") && summary.contains("2048 + 512"), "{summary}");
    let model = find(&client, "field-model").await.prop("value").await.expect("reading the model field");
    assert_eq!(model.as_deref(), Some("meta-llama/Llama-2-70b-hf"));

    // Regression: a link without a load planned 8 in flight (TP 16, 43 tok/s per GPU) where the
    // `plan` command takes the maximum-throughput point (TP 1 × PP 8 × DP 2, 604 tok/s per GPU).
    // The page now answers as the command does, and says which load it assumed.
    client.goto(&format!("{origin}?{NO_LOAD_QUERY}")).await.expect("loading the link without a load");
    let command: Value = serde_json::from_str(&planner::batch::run(NO_LOAD_SCENARIO).output).expect("the command's JSON");
    let best = &command["recommended"];
    let layout: planner::layout::Layout = serde_json::from_value(best["layout"].clone()).expect("a layout");
    wait_for_text(&client, "rec-layout", &layout.to_string()).await;
    let number = |text: String| -> f64 {
        text.chars().filter(|c| c.is_ascii_digit() || *c == '.').collect::<String>().parse().unwrap_or(f64::NAN)
    };
    let in_flight = number(find(&client, "rec-concurrency").await.text().await.unwrap());
    assert_eq!(Some(in_flight), best["concurrency"].as_f64(), "requests in flight at the operating point");
    let per_gpu = number(find(&client, "rec-tok-s-gpu").await.text().await.unwrap());
    let expected = best["output_tok_s_per_gpu"].as_f64().expect("a throughput");
    assert!((per_gpu - expected).abs() <= 0.01 * expected, "tok/s per GPU: page {per_gpu}, command {expected}");
    println!("a link without a load: {layout}, {in_flight} in flight, {per_gpu} tok/s per GPU, as the plan command");
    assert_eq!(find(&client, "field-load").await.prop("value").await.unwrap().as_deref(), Some("max"));
    let said = script(&client, "return document.querySelector(\"[data-testid='rec-concurrency']\").closest('div').textContent", vec![]).await;
    assert!(said.as_str().is_some_and(|s| s.contains("at maximum throughput")), "{said}");
    let summary = find(&client, "scenario-summary").await.text().await.unwrap();
    assert!(summary.contains("maximum throughput"), "{summary}");
    client.goto(&format!("{origin}?{SHARE_QUERY}")).await.expect("loading the share link");
    wait_for_text(&client, "rule-layout", "TP 8 × PP 1 × DP 2").await;

    // Changing an input updates the recommendation (one node of 8: no DP 2 any more).
    let before = find(&client, "rec-layout").await.text().await.unwrap();
    type_into(&client, "field-nodes", "1").await;
    let after = wait_for(&client, "rec-layout", "a new recommendation", |t| t != before).await;
    assert!(after.contains("DP 1") || !after.contains("DP 2"), "{before} → {after}");
    wait_for_text(&client, "rule-layout", "TP 8 × PP 1 × DP 1").await;
    let url = client.current_url().await.unwrap();
    assert!(url.query().unwrap_or("").contains("nodes=1"), "the address follows the form: {url}");

    // A bad value: its message beside the field, the last plan kept and marked.
    type_into(&client, "field-nodes", "two").await;
    wait_for_text(&client, "error-nodes", "“two” is not a number.").await;
    assert_eq!(attr(&client, "field-nodes", "aria-invalid").await.as_deref(), Some("true"));
    let note = find(&client, "form-invalid").await.text().await.unwrap();
    assert!(note.contains("last valid result"), "{note}");
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(find(&client, "rec-layout").await.text().await.unwrap(), after, "the last plan stays");
    type_into(&client, "field-nodes", "1").await;
    wait_gone(&client, "error-nodes").await;

    // A config.json picked as a file, then one pasted: each imported and planned. The startup
    // page has no importer: choosing config.json loads the full page, which takes its place.
    assert!(!present(&client, "full-page").await, "the startup page runs first");
    find(&client, "model-source-config").await.click().await.expect("choosing config.json");
    wait_for(&client, "full-page", "the full page, which reads config.json files", |_| true).await;
    wait_for(&client, "field-config-file", "the config field of the full page", |_| true).await;
    let qwen = model_configs().join("Qwen--Qwen3-30B-A3B.json");
    find(&client, "field-config-file").await.send_keys(&qwen.display().to_string()).await.expect("picking a file");
    wait_for(&client, "model-verdict", "the Qwen3-30B-A3B import", |t| t.contains("48 layers")).await;
    wait_for(&client, "scenario-summary", "the pasted model planned", |t| t.contains("Qwen3")).await;
    wait_for_all_hooks(&client).await;
    let llama = std::fs::read_to_string(model_configs().join("meta-llama--Meta-Llama-3.1-8B.json")).unwrap();
    script(
        &client,
        "const box = document.querySelector(\"[data-testid='field-config']\"); box.value = arguments[0]; box.dispatchEvent(new Event('input', {bubbles: true}));",
        vec![json!(llama)],
    )
    .await;
    wait_for(&client, "model-verdict", "the Llama 3.1 8B import", |t| t.contains("32 layers")).await;
    wait_for(&client, "scenario-summary", "the pasted model planned", |t| t.contains("Llama")).await;
    let url = client.current_url().await.unwrap();
    assert!(url.query().unwrap_or("").contains("config="), "a pasted config travels in the link: {url}");

    // One real config.json of each frontier family, pasted: each imported (its layer count in
    // the verdict) and planned (the scenario line names it, and a recommendation or the
    // reasons nothing fits on these 8 GPUs shows).
    for (file, layers) in FRONTIER_CONFIGS {
        let text = std::fs::read_to_string(model_configs().join(file)).unwrap();
        let config: Value = serde_json::from_str(&text).unwrap();
        let name = config["_name_or_path"].as_str().filter(|n| !n.is_empty()).or(config["architectures"][0].as_str()).unwrap().to_string();
        script(
            &client,
            "const box = document.querySelector(\"[data-testid='field-config']\"); box.value = arguments[0]; box.dispatchEvent(new Event('input', {bubbles: true}));",
            vec![json!(text)],
        )
        .await;
        let verdict = wait_for(&client, "model-verdict", file, |t| t.contains(&format!("{layers} layers"))).await;
        wait_for(&client, "scenario-summary", file, |t| t.contains(&name)).await;
        let answer = wait_for(&client, "recommendation", file, |_| true).await;
        println!("{file}: {verdict} → {}", answer.lines().next().unwrap_or_default());
    }

    // The reload keeps the scenario (local storage), the link wins over storage.
    client.goto(&origin).await.unwrap();
    let last = FRONTIER_CONFIGS[FRONTIER_CONFIGS.len() - 1].1;
    wait_for(&client, "model-verdict", "the stored scenario", |t| t.contains(&format!("{last} layers"))).await;
    let pasted_link = client.current_url().await.unwrap();

    // The compact view of a link with a pasted config: the startup page loads the full page,
    // which reads the config, and the compact view shows its plan.
    client.goto(&format!("{pasted_link}&embed=1")).await.unwrap();
    wait_for(&client, "full-page", "the full page, for the pasted config", |_| true).await;
    wait_for(&client, "embed-view", "the compact view", |_| true).await;
    wait_for(&client, "recommendation", "the pasted model's plan in the compact view", |_| true).await;
    assert!(!present(&client, "scenario-form").await, "the compact view stays compact");

    // ?embed=1: the answer and the chart, no form, no table.
    client.goto(&format!("{origin}?{SHARE_QUERY}&embed=1")).await.unwrap();
    wait_for(&client, "embed-view", "the compact view", |_| true).await;
    for hook in ["recommendation", "memory-breakdown", "comparison-chart"] {
        wait_for(&client, hook, "the part to render", |_| true).await;
    }
    for absent in ["scenario-form", "candidates-table", "launch-commands", "decision-trace"] {
        assert!(!present(&client, absent).await, "{absent} shows in the embed view");
    }

    // window.wasmBindings.plan answers as the `plan` command does.
    client.goto(&format!("{origin}?{SHARE_QUERY}")).await.unwrap();
    wait_for_all_hooks(&client).await;
    let scenario = json!({
        "model": "moonshotai/Kimi-K2-Instruct", "weights": "fp8", "gpu": "h200-sxm", "nodes": 2, "gpus_per_node": 8,
        "engine": "sglang", "workload": {"isl": 2048, "osl": 512, "request_rate": 4}, "sla": {"ttft_ms": 3000}
    });
    let page = script(&client, "return window.wasmBindings.plan(arguments[0])", vec![scenario.clone()]).await;
    let command: Value =
        serde_json::from_str(&planner::batch::run(&scenario.to_string()).output).expect("the command's JSON");
    assert!(command.get("candidates").is_some(), "the scenario plans: {command}");
    if let Some(difference) = first_difference(&page, &command, "plan") {
        panic!("wasmBindings.plan differs from the plan command at {difference}");
    }

    // Nothing went wrong, nothing came from another origin, and the CSP is in place.
    let fatal_hidden = script(&client, "return document.getElementById('fatal').hidden", vec![]).await;
    assert_eq!(fatal_hidden, Value::Bool(true), "the panic message is showing");
    let resources: Vec<String> = serde_json::from_value(
        script(&client, "return performance.getEntriesByType('resource').map(e => e.name)", vec![]).await,
    )
    .expect("a list of URLs");
    assert!(!resources.is_empty(), "the page loaded no resources at all?");
    let foreign: Vec<&String> = resources.iter().filter(|url| !url.starts_with(&origin)).collect();
    assert!(foreign.is_empty(), "requests to another origin than {origin}: {foreign:?}");
    println!("requests, all to {origin}: {resources:?}");
    let csp = script(
        &client,
        "const m = document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]'); return m && m.content",
        vec![],
    )
    .await;
    let csp = csp.as_str().unwrap_or_else(|| panic!("no Content-Security-Policy meta tag: {csp}"));
    assert!(csp.contains("default-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
    let inline = script(&client, "return [...document.scripts].filter(s => !s.src).length", vec![]).await;
    assert_eq!(inline, json!(0), "an inline script would be blocked by the CSP");

    // The full search for the 1T MoE on 1024 GPUs: the `plan` measure, median of several runs.
    client.goto(&format!("{origin}?{BIG_QUERY}")).await.unwrap();
    wait_for_all_hooks(&client).await;
    let candidates = script(&client, "return document.querySelectorAll(\"[data-testid='candidates-table'] tbody tr\").length", vec![]).await;
    assert_median_plan_time(&client, &format!("plan (1T MoE, 1024 H200, {candidates} table rows)")).await;

    // The same search with disaggregated candidates compared (`serving=both`): the link loads
    // the full page, which alone plans them.
    client.goto(&format!("{origin}?{BIG_QUERY}&serving=both")).await.unwrap();
    wait_for(&client, "disagg-table", "the disaggregated candidates", |_| true).await;
    wait_for_all_hooks(&client).await;
    let rows = script(&client, "return document.querySelectorAll(\"[data-testid='disagg-row']\").length", vec![]).await;
    assert_median_plan_time(&client, &format!("plan with serving=both (1T MoE, 1024 H200, {rows} disaggregated rows)")).await;

    client.close().await.expect("closing the browser session");
}

/// Qwen3-235B-A22B FP8 on 4 × 8 H200 under TensorRT-LLM, 8k-token prompts, TTFT ≤ 3 s, TPOT ≤ 30
/// ms, both serving modes compared: the case the planner's disaggregation test pins
/// (`disagg::tests::long_prompts_under_a_tight_tpot_disaggregate`), which disaggregates.
const DISAGG_QUERY: &str = "model=Qwen/Qwen3-235B-A22B&weights=fp8&kv_cache=fp8&gpu=h200-sxm&nodes=4&gpus_per_node=8&engine=trtllm&isl=8192&osl=1024&ttft_ms=3000&tpot_ms=30&serving=both";

/// A share link with `serving=both` opens the full page (the startup page has no disaggregated
/// planning, and says it loads it), which shows the disaggregated candidates, the recommended
/// mode with the trace's reason, the trace step `disaggregation`, and the deployment artifacts of
/// the recommended prefill/decode candidate.
#[tokio::test(flavor = "current_thread")]
async fn a_link_with_both_serving_modes_opens_the_full_page_on_the_disaggregated_plan() {
    let session = PageSession::start().await;
    let client = session.client.clone();
    client.goto(&format!("{}?{DISAGG_QUERY}", session.server.url())).await.expect("loading the share link");
    wait_for(&client, "disagg-table", "the disaggregated candidates", |_| true).await;
    assert!(present(&client, "full-page").await, "the full page took over");
    assert_eq!(attr(&client, "recommended-mode", "data-mode").await.as_deref(), Some("disaggregated"));
    let why = find(&client, "recommended-mode").await.text().await.unwrap();
    println!("recommended mode: {why}");
    assert!(why.contains("Recommended: disaggregated serving.") && why.contains("balances them") && why.contains("3.62×"), "{why}");
    let first = script(&client, "return document.querySelector(\"[data-testid='disagg-row'] th\").textContent", vec![]).await;
    assert_eq!(first, json!("6 × P TP1 PP2 + 2 × D TP1 DP8 EP8"));
    let cells = script(&client, "return [...document.querySelector(\"[data-testid='disagg-row']\").cells].map(c => c.textContent)", vec![]).await;
    println!("first disaggregated row: {cells}");
    let ttft = cells[3].as_str().unwrap();
    assert!(ttft.contains("prefill") && ttft.contains("transfer") && ttft.contains("queue"), "TTFT with its parts: {ttft}");
    assert_eq!(cells[7], "feasible");
    // The Pareto plot draws them as a second series, with a legend entry, selecting nothing.
    let series = script(
        &client,
        "const c = document.querySelector(\"[data-testid='comparison-chart']\");
         return [c.querySelectorAll('.point.disagg').length, c.querySelectorAll('.point.disagg[data-index]').length,
                 c.querySelectorAll('.point:not(.disagg)').length, c.textContent.includes('disaggregated: prefill and decode workers')];",
        vec![],
    )
    .await;
    println!("Pareto plot: [disaggregated points, of them selectable, aggregated points, legend]: {series}");
    assert!(series[0].as_u64() > Some(0) && series[1] == json!(0) && series[2].as_u64() > Some(0) && series[3] == json!(true), "{series}");
    let step = find(&client, "trace-disaggregation").await.text().await.unwrap();
    assert!(step.contains("Disaggregated or aggregated: disaggregated"), "{step}");
    let heading = find(&client, "deploy-panel").await.text().await.unwrap();
    assert!(heading.contains("for the recommended 6 × P TP1 PP2 + 2 × D TP1 DP8 EP8"), "{heading}");
    let names = script(&client, "return [...document.querySelectorAll(\"[data-testid='deploy-artifact']\")].map(a => a.dataset.name)", vec![]).await;
    println!("deployment artifacts: {names}");
    assert!(names.as_array().unwrap().iter().any(|n| n == "dynamo.yaml"), "{names}");
    let dynamo = script(&client, "return document.querySelector(\"[data-testid='deploy-artifact'][data-name='dynamo.yaml'] pre\").textContent", vec![]).await;
    let dynamo = dynamo.as_str().unwrap();
    assert!(dynamo.contains("prefill") && dynamo.contains("decode"), "Dynamo's graph has prefill and decode workers:\n{dynamo}");
    client.close().await.expect("closing the browser session");
}

/// The deployment artifacts: the startup page has only their door, in the launch commands'
/// card; opening it loads the full page on the same scenario, with the focus on the artifacts'
/// heading, and for DeepSeek-V3 over two nodes they are a LeaderWorkerSet of size 2
/// (unverified: no schema to check it against) and a Dynamo graph whose worker spans 2 nodes
/// (checked against ai-dynamo's model), each with its copy and download buttons.
#[tokio::test(flavor = "current_thread")]
async fn the_deployment_door_opens_the_full_page_on_the_manifests() {
    let session = PageSession::start().await;
    let client = session.client.clone();
    client.goto(&format!("{}?{TWO_NODE_QUERY}", session.server.url())).await.expect("loading the share link");
    let layout = wait_for(&client, "rec-layout", "the recommended layout", |t| t.contains("TP 16")).await;
    assert!(present(&client, "deploy-open").await, "the startup page shows the door");
    assert!(!present(&client, "deploy-panel").await, "the startup page has no deployment artifacts");
    let door_in_card = script(&client, "return !!document.querySelector(\"[data-testid='launch-commands'] [data-testid='deploy-open']\");", vec![]).await;
    assert_eq!(door_in_card, json!(true), "the door is in the launch commands' card");
    find(&client, "deploy-open").await.click().await.expect("opening the deployment artifacts");
    wait_for(&client, "deploy-panel", "the deployment artifacts", |_| true).await;
    assert_eq!(find(&client, "rec-layout").await.text().await.unwrap(), layout, "the same plan after the full page loads");
    assert!(present(&client, "full-page").await, "the full page took over");
    let focused = script(&client, "return document.activeElement.id;", vec![]).await;
    assert_eq!(focused, json!("deploy-title"), "the focus is on the artifacts' heading");
    let artifacts = script(
        &client,
        "return [...document.querySelectorAll(\"[data-testid='deploy-artifact']\")].map(a =>
           [a.dataset.name, a.dataset.verified, a.querySelector('pre').textContent, !!a.querySelector(\"[data-testid='deploy-copy']\"),
            a.querySelector(\"[data-testid='deploy-download']\")?.dataset.fileName]);",
        vec![],
    )
    .await;
    let artifacts = artifacts.as_array().expect("a list of artifacts");
    let names: Vec<&str> = artifacts.iter().map(|a| a[0].as_str().unwrap()).collect();
    println!("deployment artifacts for {layout}: {names:?}");
    assert_eq!(names, ["lws.yaml", "dynamo.yaml"]);
    let (lws, dynamo) = (&artifacts[0], &artifacts[1]);
    assert_eq!(lws[1], "false", "the LeaderWorkerSet is unverified");
    assert!(lws[2].as_str().unwrap().contains("size: 2"), "expected a LeaderWorkerSet of size 2:\n{}", lws[2]);
    assert_eq!(dynamo[1], "true", "Dynamo's graph is checked against ai-dynamo's model");
    assert!(dynamo[2].as_str().unwrap().contains("nodeCount: 2"), "expected a worker on 2 nodes:\n{}", dynamo[2]);
    for a in artifacts {
        assert_eq!((&a[3], &a[4]), (&json!(true), &a[0]), "copy and download for {}", a[0]);
    }
    let badges = script(&client, "return [...document.querySelectorAll(\"[data-testid='deploy-artifact'] .badge\")].map(b => b.textContent);", vec![]).await;
    assert_eq!(badges, json!(["unverified", "verified"]));
    client.close().await.expect("closing the browser session");
}

/// The views the accessibility check looks at: (name, window width, height, colour scheme).
const VIEWS: [(&str, u32, u32, &str); 4] =
    [("wide", 1200, 800, "light"), ("narrow", 400, 800, "light"), ("narrow", 400, 800, "dark"), ("wide", 1200, 800, "dark")];

/// axe-core (WCAG 2.0 and 2.1, A and AA) on the page with a plan, its benchmark script shown and
/// every `<details>` open, in a wide and a narrow window, light and dark; then the embedded
/// view. Every violation is printed with its impact and elements, and none is allowed.
#[tokio::test(flavor = "current_thread")]
async fn the_page_has_no_wcag_a_or_aa_violations() {
    let axe = axe_source();
    let session = PageSession::start().await;
    let client = session.client.clone();
    let origin = session.server.url();
    client.goto(&format!("{origin}?{SHARE_QUERY}")).await.expect("loading the share link");
    wait_for_all_hooks(&client).await;
    find(&client, "bench-loop-open").await.click().await.expect("opening the benchmark loop");
    wait_for(&client, "bench-script-open", "the full page", |_| true).await;
    find(&client, "bench-script-open").await.click().await.expect("showing the benchmark script");
    wait_for(&client, "bench-script", "the script from the benchmark worker", |_| true).await;
    script(&client, "document.querySelectorAll('details').forEach(d => d.open = true);", vec![]).await;
    let mut found = 0;
    let mut check = |view: String, violations: Vec<Violation>| {
        println!("axe-core, {view}: {} WCAG 2 A/AA violation(s)", violations.len());
        for v in &violations {
            println!("  {v}");
        }
        found += violations.len();
    };
    for (view, width, height, scheme) in VIEWS {
        client.set_window_size(width, height).await.expect("sizing the window");
        prefer_color_scheme(&client, scheme).await;
        check(format!("{view} ({width} × {height}), {scheme}"), axe_violations(&client, &axe).await);
        if width < 600 {
            // The candidates scroll sideways here: a named region the keyboard reaches.
            let region = script(
                &client,
                "const r = document.querySelector(\"[data-testid='candidates-table'] .table-scroll\");
                 return [r.scrollWidth > r.clientWidth, r.tabIndex, r.getAttribute('role'), !!r.getAttribute('aria-labelledby')];",
                vec![],
            )
            .await;
            assert_eq!(region, json!([true, 0, "region", true]), "the candidates' scroll region in a narrow window");
        }
    }
    client.goto(&format!("{origin}?{SHARE_QUERY}&embed=1")).await.expect("loading the embedded view");
    wait_for(&client, "comparison-chart", "the embedded chart", |_| true).await;
    check("embedded, wide (1200 × 800), dark".into(), axe_violations(&client, &axe).await);
    client.close().await.expect("closing the browser session");
    assert_eq!(found, 0, "WCAG 2 A/AA violations, listed above");
}

/// Prints `files` under `title` and returns their total gzip size.
fn report(title: &str, files: &[WeighedFile], limit: u64) -> u64 {
    let total: u64 = files.iter().map(|f| f.gzip_bytes).sum();
    println!("{title} (gzip -9):");
    for f in files {
        println!("  {:<40} {:>9} B raw {:>9} B gzip", f.name, f.bytes, f.gzip_bytes);
    }
    println!("  total {total} B = {:.1} KB (limit {} KB)", total as f64 / 1000.0, limit / 1000);
    total
}

#[test]
fn the_page_weighs_at_most_300_kb_at_startup_and_the_worker_apart() {
    let dist = dist_dir();
    require_built_page(&dist);
    let startup = startup_files(&dist);
    for kind in ["wasm", "js", "css"] {
        assert!(startup.iter().any(|f| f.ends_with(kind)), "index.html loads no .{kind} file: {startup:?}");
    }
    let on_demand: Vec<&str> = WORKER_FILES.iter().chain(&FULL_PAGE_FILES).copied().collect();
    for file in &on_demand {
        assert!(!startup.iter().any(|f| f == file), "index.html loads {file} at startup");
    }
    // Every built file is counted in one of the three.
    let unaccounted: Vec<String> =
        built_files(&dist).into_iter().filter(|f| !startup.contains(f) && !on_demand.contains(&f.as_str())).collect();
    assert!(unaccounted.is_empty(), "built but neither loaded at startup nor on demand: {unaccounted:?}");
    let total = report("page weight, loaded at startup", &weigh(&dist, &startup), PAGE_WEIGHT_LIMIT_BYTES);
    let worker = report(
        "benchmark worker, loaded on first use of the benchmark loop",
        &weigh(&dist, &WORKER_FILES),
        WORKER_WEIGHT_LIMIT_BYTES,
    );
    let full_page =
        report("page with the benchmark loop, loaded when the loop is opened", &weigh(&dist, &FULL_PAGE_FILES), FULL_PAGE_WEIGHT_LIMIT_BYTES);
    assert!(
        worker <= WORKER_WEIGHT_LIMIT_BYTES,
        "the benchmark worker weighs {worker} B gzip -9, over its {WORKER_WEIGHT_LIMIT_BYTES} B budget"
    );
    assert!(
        full_page <= FULL_PAGE_WEIGHT_LIMIT_BYTES,
        "the full page weighs {full_page} B gzip -9, over its {FULL_PAGE_WEIGHT_LIMIT_BYTES} B budget"
    );
    assert!(
        total <= PAGE_WEIGHT_LIMIT_BYTES,
        "page weight: expected at most {PAGE_WEIGHT_LIMIT_BYTES} B gzip -9 at startup, actual {total} B ({} B over)",
        total.saturating_sub(PAGE_WEIGHT_LIMIT_BYTES)
    );
}

/// A share link asking for a benchmark client's closed loop (`arrivals=benchmark`) plans with
/// it: the operating point's trace step says so, and the form's Arrivals field shows the choice.
#[tokio::test(flavor = "current_thread")]
async fn a_link_asking_for_a_benchmark_client_plans_with_it() {
    let session = PageSession::start().await;
    let client = session.client.clone();
    let query = "model=llama-3.1-8b&gpu=h100-sxm&nodes=1&gpus_per_node=1&engine=vllm&isl=1024&osl=256&concurrency=32&arrivals=benchmark";
    client.goto(&format!("{}?{query}", session.server.url())).await.expect("loading the link");
    let code = "const s = document.querySelector(\"[data-testid='trace-operating-point']\"); return s ? s.textContent : '';";
    let start = Instant::now();
    let mut step = String::new();
    while !step.contains("A benchmark client's closed loop") {
        assert!(start.elapsed() < PATIENCE, "the operating point under a benchmark client: {step:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
        step = script(&client, code, vec![]).await.as_str().unwrap_or_default().to_string();
    }
    println!("operating point: {step}");
    assert_eq!(find(&client, "field-arrivals").await.prop("value").await.unwrap().as_deref(), Some("benchmark"));
    client.close().await.expect("closing the browser session");
}

/// Llama 3.1 8B on one H100 under TensorRT-LLM, the step timed from the measured kernel tables.
const TABLES_QUERY: &str =
    "model=llama-3.1-8b&gpu=h100-sxm&nodes=1&gpus_per_node=1&engine=trtllm&isl=1024&osl=256&step_model=kernel_tables";

/// A share link asking for the kernel tables opens on the table-timed plan: the page fetches
/// the GPU and engine's file from its own origin (not at startup), the plan says which tables
/// timed it and lists its step by operation; a GPU the tables do not cover says so and plans
/// with the roofline.
#[tokio::test(flavor = "current_thread")]
async fn a_link_asking_for_the_kernel_tables_plans_with_them() {
    let session = PageSession::start().await;
    let (client, server) = (session.client.clone(), &session.server);
    client.goto(&format!("{}?{TABLES_QUERY}", server.url())).await.expect("loading the link");
    // The step's details are folded: read their text content, not what is shown.
    let operations = |client: Client| async move {
        let code = "const s = document.querySelector(\"[data-testid='trace-step-operations']\"); return s ? s.textContent : '';";
        script(&client, code, vec![]).await.as_str().unwrap_or_default().to_string()
    };
    let start = Instant::now();
    while !operations(client.clone()).await.contains("h100_sxm, trtllm") {
        assert!(start.elapsed() < PATIENCE, "the step by operation from the tables: {}", operations(client.clone()).await);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let warnings = wait_for(&client, "plan-warnings", "the step model's note", |t| t.contains("measured kernel tables")).await;
    assert!(warnings.contains("h100_sxm.trtllm"), "{warnings}");
    let fetched = script(&client, "return performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('/kernels/'));", vec![]).await;
    println!("fetched on demand: {fetched}");
    assert_eq!(fetched.as_array().map(Vec::len), Some(1), "one tables file: {fetched}");
    assert!(fetched.to_string().contains("kernels/h100_sxm.trtllm.txt"), "{fetched}");
    assert_eq!(find(&client, "field-step-model").await.prop("value").await.unwrap().as_deref(), Some("kernel_tables"));

    let mi300x = TABLES_QUERY.replace("gpu=h100-sxm", "gpu=mi300x").replace("engine=trtllm", "engine=vllm");
    client.goto(&format!("{}?{mi300x}", server.url())).await.expect("loading the MI300X link");
    wait_for(&client, "plan-warnings", "the roofline's note", |t| t.contains("No measured kernel tables for AMD Instinct MI300X")).await;
    let roofline = operations(client.clone()).await;
    assert!(roofline.contains("no table for AMD Instinct MI300X") && !roofline.contains("h100_sxm"), "{roofline}");

    // The full search for the 1T MoE on 1024 H200 with the tables: the `plan` measure of the
    // plans made once the tables are in, median of several.
    client.goto(&format!("{}?{BIG_QUERY}&step_model=kernel_tables", server.url())).await.unwrap();
    let start = Instant::now();
    while !operations(client.clone()).await.contains("h200_sxm, vllm") {
        assert!(start.elapsed() < PATIENCE, "the 1T plan from the tables: {}", operations(client.clone()).await);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let times = plan_times(&client, &["2048", "8192", "4096", "2048", "1024", "4096", "8192"]).await;
    let median = times[times.len() / 2];
    println!("plan with the kernel tables (1T MoE, 1024 H200): median {median:.2} ms over {} runs: {times:?}", times.len());
    assert!(median <= PLAN_TIME_LIMIT_MS, "median plan time {median:.2} ms exceeds {PLAN_TIME_LIMIT_MS} ms: {times:?}");
}
