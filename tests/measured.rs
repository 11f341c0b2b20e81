//! The benchmark loop in a real browser (headless Chromium through wasm-bindgen-test), on the
//! whole page (`App`): the benchmark script for the plan's best layouts, result files imported
//! by pasting, picking and dropping with every file's outcome listed (runs, the importer's
//! message, mismatches named and left out), measured marks on the chart beside the
//! predictions, the predicted-against-measured table, and a recalibration kept and dropped.
//!
//! Run: `cargo test --target wasm32-unknown-unknown --features full-page --test measured` (scripts/test).
//! After each render or event, `yew::scheduler::flush()` runs the pending renders. The loop's
//! work is done by the benchmark worker, which this harness does not build: the page answers
//! its requests in place with the worker's own function (`benchmark::protocol::serve`, through
//! `ui::bench_worker::answer_in_page`), asynchronously like the worker, so every test waits for
//! the answers (`answered`). The worker itself runs in the page's end-to-end test.

#![cfg(target_arch = "wasm32")]

use benchmark::protocol::serve;
use planner::evaluate::evaluate;
use planner::inputs::resolve;
use planner::layout::Layout;
use planner::planning::plan_inputs;
use planner::scenario::ScenarioInput;
use planner_page::ui::bench_worker::answer_in_page;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, Event, EventInit, HtmlInputElement, HtmlTextAreaElement};

mod support;
use support::{by_testid, drop_files, files, get, settle, text, until};

wasm_bindgen_test_configure!(run_in_browser);

/// The scenario the tests open the page on (`ui::form` defaults, at 8 in flight: `mount`):
/// LLaMA-7B on 1 × 4 A100 80GB, 1024 + 256 tokens, for throughput.
const OPENING_SCENARIO: &str = r#"{"model": "huggyllama/llama-7b", "gpu": "a100-sxm-80gb", "nodes": 1, "gpus_per_node": 4,
    "workload": {"isl": 1024, "osl": 256, "concurrency": 8}, "priority": "throughput"}"#;

/// A vLLM `vllm bench serve` result of another model on 8 GPUs (the layout in its name): it
/// imports, and is left out of the comparison with the mismatches named.
const OTHER_MODEL_RUN: &str = r#"{"date": "20260101-000000", "endpoint_type": "openai", "backend": "openai",
    "model_id": "meta-llama/Llama-3.1-70B-Instruct", "tokenizer_id": "meta-llama/Llama-3.1-70B-Instruct",
    "num_prompts": 1000, "request_rate": "inf", "max_concurrency": 50, "completed": 1000,
    "total_input_tokens": 1023000, "total_output_tokens": 128000, "output_throughput": 2900.5,
    "mean_ttft_ms": 410.2, "median_ttft_ms": 380.0, "mean_tpot_ms": 15.1, "median_tpot_ms": 15.0}"#;

/// The planner's CSV for the opening plan's `n` best layouts at 8 in flight, measured at
/// `speed` × the predicted throughput (times divided by it), and those layouts.
fn measured_csv(n: usize, speed: f64) -> (String, Vec<Layout>) {
    let inputs = resolve(&ScenarioInput::from_json(OPENING_SCENARIO).expect("valid JSON")).expect("a valid scenario");
    let plan = plan_inputs(&inputs).expect("plans");
    let mut csv = "tp,pp,dp,ep,concurrency,output_tok_s,ttft_ms,tpot_ms\n".to_string();
    let mut layouts = Vec::new();
    for &i in plan.ranking.iter().take(n) {
        let l = plan.candidates[i].layout;
        let p = *evaluate(&inputs, l).point().expect("a ranked layout has an operating point");
        csv.push_str(&format!("{},{},{},{},8,{},{},{}\n", l.tp, l.pp, l.dp, l.ep, p.output_tok_s * speed, p.ttft.ms() / speed, p.tpot.ms() / speed));
        layouts.push(l);
    }
    (csv, layouts)
}

/// The page from the default scenario at 8 in flight (a fixed load, as a benchmark runs), its
/// worker requests answered in the page by the worker's own function.
async fn mount() -> Element {
    answer_in_page(serve);
    support::mount_at("concurrency=8").await
}

fn all(root: &Element, selector: &str) -> Vec<Element> {
    let list = root.query_selector_all(selector).expect("a valid selector");
    (0..list.length()).filter_map(|i| list.item(i)?.dyn_into::<Element>().ok()).collect()
}

async fn click(root: &Element, id: &str) {
    get(root, id).dyn_into::<web_sys::HtmlElement>().expect("an HTML element").click();
    answered(root).await;
}

/// Pastes `text` as a file named `name` and imports it.
async fn paste(root: &Element, name: &str, text: &str) {
    get(root, "pasted-name").dyn_into::<HtmlInputElement>().expect("an <input>").set_value(name);
    get(root, "pasted-text").dyn_into::<HtmlTextAreaElement>().expect("a <textarea>").set_value(text);
    click(root, "import-pasted").await;
}

/// Waits until the benchmark worker has answered everything asked (no "…" status is shown).
async fn answered(root: &Element) {
    yew::scheduler::flush().await;
    until(root, "the benchmark worker's answers", |r| all(r, "[data-testid$='-pending']").is_empty()).await;
}

fn outcomes(root: &Element) -> Vec<(String, String)> {
    all(root, "[data-testid='import-outcome']")
        .iter()
        .map(|o| (o.get_attribute("data-status").unwrap_or_default(), o.text_content().unwrap_or_default()))
        .collect()
}

/// How many layouts a script benchmarks: its `run_layout_N() {` functions.
fn layout_functions(script: &str) -> usize {
    script.lines().filter(|l| l.starts_with("run_layout_") && l.ends_with("() {")).count()
}

#[wasm_bindgen_test]
async fn the_benchmark_script_covers_the_layouts_the_user_picks() {
    let root = mount().await;
    assert!(by_testid(&root, "bench-script").is_none(), "the script is only made once the loop is used");
    click(&root, "bench-script-open").await;
    let button = get(&root, "bench-download");
    assert_eq!(button.get_attribute("data-file-name").as_deref(), Some("benchmark-plan-vllm-top3.sh"));
    let script = text(&root, "bench-script");
    assert!(script.starts_with("#!/usr/bin/env bash"), "{script}");
    assert!(script.contains("vllm bench serve") && script.contains("--max-concurrency 8"), "{script}");
    assert_eq!(layout_functions(&script), 3, "three layouts: {script}");
    let select: web_sys::HtmlSelectElement = get(&root, "bench-top-n").dyn_into().unwrap();
    select.set_value("1");
    let init = EventInit::new();
    init.set_bubbles(true);
    select.dispatch_event(&Event::new_with_event_init_dict("change", &init).unwrap()).unwrap();
    answered(&root).await;
    assert_eq!(get(&root, "bench-download").get_attribute("data-file-name").as_deref(), Some("benchmark-plan-vllm-top1.sh"));
    assert_eq!(layout_functions(&text(&root, "bench-script")), 1);
}

#[wasm_bindgen_test]
async fn every_file_gets_its_outcome_and_mismatches_are_not_used() {
    let root = mount().await;
    let (csv, layouts) = measured_csv(2, 0.8);
    paste(&root, "runs.csv", &csv).await;
    paste(&root, "broken.json", "{\"model_id\": ").await;
    paste(&root, "vllm-tp8-pp1-dp1-ep1.json", OTHER_MODEL_RUN).await;
    paste(&root, "notes.txt", "hello").await;
    let seen = outcomes(&root);
    assert_eq!(seen.len(), 4, "{seen:?}");
    assert_eq!(seen[0].0, "imported");
    assert!(seen[0].1.contains(&layouts[0].to_string()) && seen[0].1.contains("8 in flight"), "{seen:?}");
    assert_eq!((seen[1].0.as_str(), seen[3].0.as_str()), ("error", "error"), "{seen:?}");
    assert!(seen[1].1.contains("not valid JSON"), "{}", seen[1].1);
    assert!(seen[3].1.contains("expected") && seen[3].1.contains("tp,pp,dp,ep,concurrency"), "says what was expected: {}", seen[3].1);
    // The other model's run imports, and is flagged, not used.
    assert_eq!(seen[2].0, "imported");
    let runs = all(&root, "[data-testid='import-run']");
    let matched: Vec<String> = runs.iter().map(|r| r.get_attribute("data-matched").unwrap_or_default()).collect();
    assert_eq!(matched, ["true", "true", "false"]);
    let mismatch = runs[2].text_content().unwrap_or_default();
    assert!(mismatch.contains("not used") && mismatch.contains("Llama-3.1-70B") && mismatch.contains("8 GPUs"), "{mismatch}");
    // Predicted against measured: the two matched runs, 20 % slow, so the error is +25 %.
    let rows = all(&root, "[data-testid='measured-row']");
    assert_eq!(rows.len(), 2);
    assert!(rows[0].text_content().unwrap_or_default().contains("+25 %"), "{:?}", rows[0].text_content());
    let best = get(&root, "measured-best");
    assert_eq!(best.get_attribute("data-agree").as_deref(), Some("true"), "{:?}", best.text_content());
    // Removing a file takes its runs away; clearing removes the rest.
    let remove = all(&root, "[data-testid='import-outcome'] button.link");
    remove[0].clone().dyn_into::<web_sys::HtmlElement>().unwrap().click();
    answered(&root).await;
    assert_eq!(outcomes(&root).len(), 3);
    assert!(all(&root, "[data-testid='measured-row']").is_empty());
    click(&root, "clear-imports").await;
    assert!(outcomes(&root).is_empty());
}

#[wasm_bindgen_test]
async fn picked_and_dropped_files_are_read_in_the_browser() {
    let root = mount().await;
    let (csv, _) = measured_csv(1, 1.0);
    let input: HtmlInputElement = get(&root, "import-files").dyn_into().unwrap();
    input.set_files(files(&[("a.csv", &csv), ("empty.json", "")]).files().as_ref());
    let init = EventInit::new();
    init.set_bubbles(true);
    input.dispatch_event(&Event::new_with_event_init_dict("change", &init).unwrap()).unwrap();
    until(&root, "two picked files", |r| outcomes(r).len() == 2).await;
    answered(&root).await;
    drop_files(&get(&root, "drop-zone"), &[("dropped-tp1-pp1-dp4-ep1.json", OTHER_MODEL_RUN)]);
    until(&root, "the dropped file", |r| outcomes(r).len() == 3).await;
    answered(&root).await;
    // In the order picked, then dropped.
    let seen = outcomes(&root);
    assert!(seen[0].0 == "imported" && seen[0].1.contains("a.csv"), "{seen:?}");
    assert!(seen[1].0 == "error" && seen[1].1.contains("empty.json") && seen[1].1.contains("the file is empty"), "{seen:?}");
    // The dropped file's layout comes from its name.
    assert!(seen[2].1.contains("dropped-tp1-pp1-dp4-ep1.json") && seen[2].1.contains("TP 1 × PP 1 × DP 4"), "{seen:?}");
}

#[wasm_bindgen_test]
async fn measured_runs_are_marked_beside_their_predictions() {
    let root = mount().await;
    assert!(all(&root, ".measured-mark").is_empty(), "no marks before anything is measured");
    let (csv, layouts) = measured_csv(2, 0.5);
    paste(&root, "runs.csv", &csv).await;
    let chart = get(&root, "comparison-chart");
    // Two layouts × three bar panels, and two Pareto points.
    let bar_marks = all(&chart, ".bar-row .measured-mark");
    assert_eq!(bar_marks.len(), 6);
    let pareto_marks = all(&chart, ".point .measured-mark");
    assert_eq!(pareto_marks.len(), 2);
    for layout in &layouts {
        let point = chart
            .query_selector(&format!(".point[data-layout='{layout}']"))
            .unwrap()
            .unwrap_or_else(|| panic!("no point for {layout}"));
        let predicted: f64 = point.get_attribute("data-tok-s-per-gpu").unwrap().parse().unwrap();
        let mark = point.query_selector(".measured-mark").unwrap().expect("a measured mark on the point");
        let measured: f64 = mark.get_attribute("data-measured").unwrap().parse().unwrap();
        assert!((measured / predicted - 0.5).abs() < 1e-6, "{layout}: measured {measured}, predicted {predicted}");
        assert!(point.get_attribute("aria-label").unwrap().contains("measured"));
    }
    assert!(text(&root, "chart-details").contains("measured (runs.csv"), "{}", text(&root, "chart-details"));
}

#[wasm_bindgen_test]
async fn a_fit_is_proposed_then_kept_or_dropped() {
    let root = mount().await;
    assert!(by_testid(&root, "recalibrate-button").is_none(), "nothing to fit before an import");
    let (csv, _) = measured_csv(3, 0.6);
    paste(&root, "runs.csv", &csv).await;
    let before = text(&root, "rec-tok-s-gpu");
    // Proposed, then dropped: nothing changes.
    click(&root, "recalibrate-button").await;
    let proposal = text(&root, "fit-proposal");
    assert!(proposal.contains("Fitted to 3 runs") && proposal.contains("→"), "{proposal}");
    assert_eq!(all(&root, "[data-testid='fit-errors'] tbody tr").len(), 3);
    click(&root, "discard-fit").await;
    assert!(by_testid(&root, "fit-proposal").is_none() && by_testid(&root, "custom-calibration").is_none());
    assert_eq!(text(&root, "rec-tok-s-gpu"), before);
    // Kept: the page plans with it and says so; the measured runs are compared again.
    click(&root, "recalibrate-button").await;
    click(&root, "keep-fit").await;
    settle().await;
    answered(&root).await;
    assert!(by_testid(&root, "fit-proposal").is_none());
    let custom = text(&root, "custom-calibration");
    assert!(custom.contains("Custom calibration") && custom.contains("3 measurements"), "{custom}");
    assert_ne!(text(&root, "rec-tok-s-gpu"), before, "the recommendation's throughput follows the fit");
    let rows = all(&root, "[data-testid='measured-row']");
    assert_eq!(rows.len(), 3);
    // Dropped again: back to the shipped calibration.
    click(&root, "drop-kept-fit").await;
    settle().await;
    answered(&root).await;
    assert!(by_testid(&root, "custom-calibration").is_none());
    assert_eq!(text(&root, "rec-tok-s-gpu"), before);
}

/// The worker's answers go through the reducer: only the answer to the latest request of its
/// kind is kept (an older one, e.g. from before an edit, is dropped without a re-render), and
/// the files of every import request are added in the order the answers arrive.
#[wasm_bindgen_test]
fn only_the_latest_answer_is_kept() {
    use benchmark::protocol::{Answer, FileOutcome, Reply};
    use planner_page::ui::state::{Action, AppState, Asked, Slot};
    use std::rc::Rc;
    use yew::Reducible;
    let reduce = |s: &Rc<AppState>, a: Action| s.clone().reduce(a);
    let mut s = Rc::new(AppState::default());
    assert!(!s.bench_opened);
    s = reduce(&s, Action::Asked(1, Asked::Script));
    s = reduce(&s, Action::Asked(2, Asked::Script));
    assert!(s.bench_opened && s.script == Slot::Waiting(2));
    let stale = reduce(&s, Action::Answered(Reply { id: 1, answer: Answer::Script(Ok("old".into())) }));
    assert!(Rc::ptr_eq(&stale, &s), "an answer to an older request changes nothing");
    s = reduce(&s, Action::Answered(Reply { id: 2, answer: Answer::Script(Ok("new".into())) }));
    assert_eq!(s.script.ready(), Some(&Ok("new".to_string())));
    s = reduce(&s, Action::Asked(3, Asked::Import));
    assert_eq!(s.importing, [3]);
    let file = |name: &str| FileOutcome { name: name.into(), runs: Vec::new(), error: Some("empty".into()) };
    s = reduce(&s, Action::Answered(Reply { id: 3, answer: Answer::Import(vec![file("a"), file("b")]) }));
    assert!(s.importing.is_empty());
    let names: Vec<&str> = s.imports.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(s.imports[0].outcome, Err("empty".to_string()));
    s = reduce(&s, Action::Asked(4, Asked::Import));
    s = reduce(&s, Action::WorkerFailed("no worker".into()));
    assert_eq!(s.worker_error.as_deref(), Some("no worker"));
    assert_eq!(s.importing, [4], "a failure keeps the request waiting, for a retry");
    s = reduce(&s, Action::Retried);
    assert_eq!(s.worker_error, None);
    assert!(Rc::ptr_eq(&reduce(&s, Action::Retried), &s), "nothing to retry, same state");
}
