//! The built page (`dist/`, release) served on 127.0.0.1 and driven in headless Chromium:
//! it loads, the trace follows the inputs, a bad number gets its message, nothing is fetched
//! from another origin; and the page weighs at most 300 KB gzip -9.

use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use page_e2e::{dist_dir, headless_chromium, page_weight, require_built_page, Chromedriver, ProfileDir, StaticServer};
use std::time::{Duration, Instant};

/// The page-weight budget of issue 2 (wasm + js + css, gzip -9), in bytes (1 KB = 1000 B).
const PAGE_WEIGHT_LIMIT_BYTES: u64 = 300_000;
/// Catalog ids of two classic examples.
const MODEL_LLAMA_70B: &str = "meta-llama/Llama-2-70b-hf";
const MODEL_GPT3_175B: &str = "gpt-3-175b";
/// How long the page may take to show an expected state (the first load includes compiling
/// the wasm module).
const PATIENCE: Duration = Duration::from_secs(20);

fn testid(id: &str) -> String {
    format!("[data-testid='{id}']")
}

async fn find(client: &Client, id: &str) -> Element {
    client
        .find(Locator::Css(&testid(id)))
        .await
        .unwrap_or_else(|e| panic!("no element with data-testid={id}: {e}"))
}

/// Polls the text of `data-testid=id` until it equals `expected`; fails with the last text seen.
async fn wait_for_text(client: &Client, id: &str, expected: &str) {
    let start = Instant::now();
    let mut last = String::from("(element absent)");
    while start.elapsed() < PATIENCE {
        if let Ok(element) = client.find(Locator::Css(&testid(id))).await {
            if let Ok(text) = element.text().await {
                if text == expected {
                    return;
                }
                last = text;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("data-testid={id}: expected text {expected:?}, last seen {last:?} after {PATIENCE:?}");
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

async fn select(client: &Client, id: &str, value: &str) {
    find(client, id).await.select_by_value(value).await.unwrap_or_else(|e| panic!("selecting {value} in {id}: {e}"));
}

async fn visited(client: &Client, rule: &str) -> bool {
    attr(client, &format!("rule-{rule}"), "data-visited").await.as_deref() == Some("true")
}

#[tokio::test(flavor = "current_thread")]
async fn the_trace_follows_the_inputs_in_headless_chromium() {
    let dist = dist_dir();
    require_built_page(&dist);
    let server = StaticServer::start(&dist).expect("starting the static server on 127.0.0.1");
    let driver = Chromedriver::start();
    let profile = ProfileDir::new();
    let client = headless_chromium(&driver, &profile).await;
    client.goto(&server.url()).await.expect("loading the page");

    // Opens on the first classic example: LLaMA-7B on 4 × 80 GB → pure DP 4.
    wait_for_text(&client, "rule-layout", "TP 1 × PP 1 × DP 4").await;
    assert_eq!(find(&client, "answer-fits-one-gpu").await.text().await.unwrap(), "yes");
    assert!(!visited(&client, "multi-node").await, "the multi-node rule is off the path for a 7B model");

    // LLaMA-70B on 2 nodes × 8 → TP 8 inside the node, DP 2 across nodes.
    type_into(&client, "field-nodes", "2").await;
    type_into(&client, "field-gpus-per-node", "8").await;
    select(&client, "field-model", MODEL_LLAMA_70B).await;
    wait_for_text(&client, "rule-layout", "TP 8 × PP 1 × DP 2").await;
    assert_eq!(find(&client, "answer-fits-one-gpu").await.text().await.unwrap(), "no");
    assert_eq!(find(&client, "answer-fits-one-node").await.text().await.unwrap(), "yes");
    assert!(visited(&client, "tp-in-node").await);

    // A bad number: its message next to the field, no plan from it.
    type_into(&client, "field-nodes", "two").await;
    wait_for_text(&client, "error-nodes", "“two” is not a number.").await;
    assert_eq!(attr(&client, "field-nodes", "aria-invalid").await.as_deref(), Some("true"));
    assert!(client.find(Locator::Css(&testid("form-invalid"))).await.is_ok());

    // GPT-3 175B on 8 nodes × 8 with a large batch → TP 8 × PP 8, DP 1.
    type_into(&client, "field-nodes", "8").await;
    type_into(&client, "field-batch-size", "64").await;
    select(&client, "field-model", MODEL_GPT3_175B).await;
    wait_for_text(&client, "rule-layout", "TP 8 × PP 8 × DP 1").await;
    assert!(visited(&client, "multi-node").await);
    assert!(!visited(&client, "tp-in-node").await);

    // Nothing went wrong, and nothing came from another origin.
    let fatal_hidden = client
        .execute("return document.getElementById('fatal').hidden", vec![])
        .await
        .expect("reading #fatal");
    assert_eq!(fatal_hidden, serde_json::Value::Bool(true), "the panic message is showing");
    let resources = client
        .execute("return performance.getEntriesByType('resource').map(e => e.name)", vec![])
        .await
        .expect("listing the page's requests");
    let origin = server.url();
    let resources: Vec<String> = serde_json::from_value(resources).expect("a list of URLs");
    assert!(!resources.is_empty(), "the page loaded no resources at all?");
    let foreign: Vec<&String> = resources.iter().filter(|url| !url.starts_with(&origin)).collect();
    assert!(foreign.is_empty(), "requests to another origin than {origin}: {foreign:?}");
    println!("requests, all to {origin}: {resources:?}");

    client.close().await.expect("closing the browser session");
}

#[test]
fn the_page_weighs_at_most_300_kb_gzip() {
    let dist = dist_dir();
    require_built_page(&dist);
    let files = page_weight(&dist);
    for kind in ["wasm", "js", "css"] {
        assert!(files.iter().any(|f| f.name.ends_with(kind)), "no .{kind} file in {}: {files:?}", dist.display());
    }
    let total: u64 = files.iter().map(|f| f.gzip_bytes).sum();
    println!("page weight (gzip -9):");
    for f in &files {
        println!("  {:<40} {:>9} B raw {:>9} B gzip", f.name, f.bytes, f.gzip_bytes);
    }
    println!(
        "  total {total} B = {:.1} KB (limit {} KB)",
        total as f64 / 1000.0,
        PAGE_WEIGHT_LIMIT_BYTES / 1000
    );
    assert!(
        total <= PAGE_WEIGHT_LIMIT_BYTES,
        "page weight {total} B gzip -9 exceeds the {PAGE_WEIGHT_LIMIT_BYTES} B budget by {} B",
        total - PAGE_WEIGHT_LIMIT_BYTES
    );
}
