//! The page in a real browser (headless Chromium through wasm-bindgen-test): the app renders
//! every input with its label, plans the default scenario, recomputes after the debounce when an
//! input changes, shows a message next to a bad value while keeping the last plan, imports a
//! pasted config.json; the form's conversion to the `FORMAT.md` scenario, share links both
//! ways, the calibration action, `wasmBindings.plan` against the `plan` command, and the
//! number formatting.
//!
//! Run: `cargo test --target wasm32-unknown-unknown --features full-page --test web` (scripts/test).
//! After each render or event, `yew::scheduler::flush()` runs the pending renders; after an
//! edit, `settle` waits out the debounce.

#![cfg(target_arch = "wasm32")]

use benchmark::protocol::serve;
use planner::batch::run;
use planner::inputs::resolve;
use planner::model::catalog;
use planner::rules::RULES;
use planner::perf::params::Param;
use planner::scenario::{PerfParamsInput, ScenarioInput};
use planner_page::ui::form::{self, check, parse_count, Field, FormState, CUSTOM_GPU, FIELDS, MAX_NODES};
use planner_page::ui::share::{from_params, to_params};
use planner_page::ui::state::{Action, AppState};
use planner_page::ui::bench_worker::answer_in_page;
use planner_page::ui::{bindings, browser, format, panic, App};
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, Event, EventInit, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::Reducible;

mod support;
use support::{by_testid, drop_files, get, mount, mount_at, settle, text, until};

wasm_bindgen_test_configure!(run_in_browser);

/// A model and its expected rule-of-thumb answers, from the catalog.
const MODEL_LLAMA_70B: &str = "meta-llama/Llama-2-70b-hf";

fn dispatch(target: &Element, kind: &str) {
    let init = EventInit::new();
    init.set_bubbles(true);
    let event = Event::new_with_event_init_dict(kind, &init).expect("creating an event");
    target.dispatch_event(&event).expect("dispatching the event");
}

async fn type_into(root: &Element, id: &str, value: &str) {
    let element = get(root, id);
    match element.dyn_ref::<HtmlTextAreaElement>() {
        Some(area) => area.set_value(value),
        None => element.dyn_ref::<HtmlInputElement>().expect("an <input>").set_value(value),
    }
    dispatch(&element, "input");
    yew::scheduler::flush().await;
}

async fn choose(root: &Element, id: &str, value: &str) {
    let select: HtmlSelectElement = get(root, id).dyn_into().expect("a <select>");
    select.set_value(value);
    assert_eq!(select.value(), value, "{id} has no option {value}");
    // A browser fires both when the choice changes.
    dispatch(&select, "input");
    dispatch(&select, "change");
    yew::scheduler::flush().await;
}

async fn click(root: &Element, id: &str) {
    get(root, id).dyn_into::<web_sys::HtmlElement>().expect("an element").click();
    yew::scheduler::flush().await;
}

fn visited(root: &Element, rule: &str) -> bool {
    get(root, &format!("rule-{rule}")).get_attribute("data-visited").as_deref() == Some("true")
}

#[wasm_bindgen_test]
async fn renders_every_field_and_the_default_plan() {
    let root = mount().await;
    let form = FormState::default();
    for field in FIELDS.into_iter().filter(|f| form.active(*f) && *f != Field::ModelSource) {
        let id = format!("field-{}", field.id());
        assert!(by_testid(&root, &id).is_some(), "missing {id}");
        let label = root.query_selector(&format!("label[for='{}']", field.id())).unwrap();
        assert!(label.is_some(), "{id} has no label");
    }
    for hook in ["recommendation", "decision-trace", "comparison-chart", "candidates-table", "memory-breakdown", "launch-commands"] {
        assert!(by_testid(&root, hook).is_some(), "missing {hook}");
    }
    // LLaMA-7B on 4 × 80 GB: fits one GPU, pure DP 4.
    assert_eq!(text(&root, "rule-layout"), "TP 1 × PP 1 × DP 4");
    let nodes = root.query_selector_all("[data-testid='decision-trace'] li.rule").unwrap();
    assert_eq!(nodes.length() as usize, RULES.len(), "one node per rule of the flow");
    assert!(visited(&root, "fits-one-gpu"));
    assert!(!visited(&root, "multi-node"), "the multi-node branch is not taken");
    assert!(by_testid(&root, "form-invalid").is_none());
    assert!(text(&root, "model-verdict").contains("32 layers"), "{}", text(&root, "model-verdict"));
    assert!(text(&root, "gpu-figures").contains("GiB"));
    assert!(text(&root, "cluster-note").contains("4 GPUs"), "{}", text(&root, "cluster-note"));
    // The load the plan command assumes when none is given, and the page says so.
    assert!(text(&root, "scenario-summary").contains("maximum throughput"), "{}", text(&root, "scenario-summary"));
    assert!(by_testid(&root, "field-concurrency").is_none());
}

/// A share link without a load (no `concurrency`, no `request_rate`).
const LINK_WITHOUT_LOAD: &str = "model=meta-llama/Llama-3.1-70B-Instruct&gpu=h100-sxm&nodes=2&gpus_per_node=8&isl=2048&osl=512";
/// The same scenario as the `plan` command reads it (`FORMAT.md`).
const SCENARIO_WITHOUT_LOAD: &str = r#"{"model": "meta-llama/Llama-3.1-70B-Instruct", "gpu": "h100-sxm", "nodes": 2,
    "gpus_per_node": 8, "workload": {"isl": 2048, "osl": 512}}"#;

/// Regression: a share link without a load opened the page at 8 requests in flight (TP 16,
/// 43 tok/s per GPU) while the `plan` command took the maximum-throughput point for the same
/// scenario (TP 1 × PP 8 × DP 2, 604 tok/s per GPU): one scenario, two answers.
#[wasm_bindgen_test]
async fn a_link_without_a_load_plans_as_the_command_does() {
    let root = mount_at(LINK_WITHOUT_LOAD).await;
    let command: planner::plan::Plan = serde_json::from_str(&run(SCENARIO_WITHOUT_LOAD).output).expect("a plan");
    let best = command.recommended.expect("a feasible layout");
    assert_eq!(text(&root, "rec-layout"), best.layout.to_string());
    assert_eq!(text(&root, "rec-tok-s-gpu"), format::with_unit(best.output_tok_s_per_gpu, "tok/s"));
    assert_eq!(text(&root, "rec-concurrency"), format::figure(best.concurrency.expect("a concurrency") as f64));
    // The page shows the load it assumed: the load field, its hint, the figure's label.
    assert_eq!(get(&root, "field-load").dyn_into::<HtmlSelectElement>().unwrap().value(), "max");
    let field = get(&root, "field-load").parent_element().unwrap().text_content().unwrap_or_default();
    assert!(field.contains("As many requests in flight as fit and meet the SLA"), "{field}");
    let row = get(&root, "rec-concurrency").closest("div").unwrap().unwrap().text_content().unwrap_or_default();
    assert!(row.contains("Requests in flight at maximum throughput"), "{row}");
    // The link written back keeps saying so: no load, which means the maximum-throughput point
    // (FORMAT.md), as in the link it was opened with.
    let location = gloo::utils::window().location().search().unwrap();
    assert!(!location.contains("concurrency") && !location.contains("request_rate"), "{location}");
}

#[wasm_bindgen_test]
async fn a_bad_number_gets_its_message_and_keeps_the_last_plan() {
    let root = mount().await;
    let before = text(&root, "rec-layout");
    for (typed, message) in [
        ("", "Enter a number."),
        ("-2", "Must not be negative."),
        ("abc", "“abc” is not a number."),
        ("1.5", "Must be a whole number."),
        ("0", "Must be at least 1."),
    ] {
        type_into(&root, "field-nodes", typed).await;
        settle().await;
        assert_eq!(text(&root, "error-nodes"), message, "nodes = {typed:?}");
        assert_eq!(get(&root, "field-nodes").get_attribute("aria-invalid").as_deref(), Some("true"));
        assert!(text(&root, "form-invalid").contains("last valid result"), "{}", text(&root, "form-invalid"));
        assert_eq!(text(&root, "rec-layout"), before, "the last plan stays");
    }
    // Fixed: the message goes, and 2 nodes × 8 GPUs of a 7B model give DP 16.
    type_into(&root, "field-nodes", "2").await;
    type_into(&root, "field-gpus-per-node", "8").await;
    settle().await;
    assert!(by_testid(&root, "error-nodes").is_none());
    assert!(by_testid(&root, "form-invalid").is_none());
    assert_eq!(text(&root, "rule-layout"), "TP 1 × PP 1 × DP 16");
}

/// A text box and a drop-down are one labelled field (`labelled_field`): the label names the
/// control, the control carries its hook, and when invalid points at its message, an alert.
#[wasm_bindgen_test]
async fn text_boxes_and_drop_downs_tie_label_control_and_message_alike() {
    for (link, bad) in [("nodes=x", "nodes"), ("weights=fp3", "weights")] {
        let root = mount_at(link).await;
        for (id, tag) in [("nodes", "INPUT"), ("weights", "SELECT"), ("gpus-per-node", "INPUT"), ("engine", "SELECT")] {
            let control = get(&root, &format!("field-{id}"));
            assert_eq!((control.tag_name().as_str(), control.id().as_str()), (tag, id));
            assert!(root.query_selector(&format!("label[for='{id}']")).unwrap().is_some(), "{id} has no label");
            let invalid = id == bad;
            assert_eq!(control.get_attribute("aria-invalid"), Some(invalid.to_string()), "{link}: {id}");
            let described = control.get_attribute("aria-describedby");
            match by_testid(&root, &format!("error-{id}")) {
                Some(message) => {
                    assert!(invalid, "{link}: {id} has a message but is valid");
                    assert_eq!(described.as_deref(), Some(message.id().as_str()), "{link}: {id}");
                    assert_eq!(message.get_attribute("role").as_deref(), Some("alert"));
                }
                None => assert!(!invalid && described.is_none(), "{link}: {id} has no message, described by {described:?}"),
            }
        }
    }
}

#[wasm_bindgen_test]
async fn a_planner_refusal_is_shown_at_its_field() {
    let root = mount().await;
    type_into(&root, "field-tp", "3").await;
    assert!(text(&root, "error-tp").contains("does not divide"), "{}", text(&root, "error-tp"));
    type_into(&root, "field-tp", "").await;
    type_into(&root, "field-isl", "20000000").await;
    assert!(text(&root, "error-isl").contains("workload.isl"), "{}", text(&root, "error-isl"));
}

#[wasm_bindgen_test]
async fn typing_a_bigger_model_changes_the_path() {
    let root = mount().await;
    type_into(&root, "field-nodes", "2").await;
    type_into(&root, "field-gpus-per-node", "8").await;
    // Any case, alias or suffix is accepted.
    type_into(&root, "field-model", "LLAMA-2-70B").await;
    settle().await;
    assert!(by_testid(&root, "error-model").is_none());
    assert_eq!(text(&root, "rule-layout"), "TP 8 × PP 1 × DP 2");
    assert_eq!(text(&root, "answer-fits-one-gpu"), "no");
    assert!(visited(&root, "tp-in-node"));
    type_into(&root, "field-model", "no-such-model").await;
    assert!(text(&root, "error-model").contains("no-such-model"));
}

/// Switches the model field to a pasted or dropped config.json.
async fn config_source(root: &Element) {
    let source = get(root, "model-source-config");
    source.dyn_ref::<HtmlInputElement>().unwrap().set_checked(true);
    dispatch(&source, "change");
    yew::scheduler::flush().await;
}

/// A preset's trimmed `config.json`, as `data/models.json` holds it.
fn preset_config(id: &str) -> serde_json::Value {
    let presets = catalog::source::presets(include_str!("../data/models.json")).expect("data/models.json reads");
    presets.into_iter().find(|p| p.id == id).expect("in the catalog").config
}

#[wasm_bindgen_test]
async fn a_pasted_config_is_imported_or_refused_by_name() {
    let root = mount().await;
    config_source(&root).await;
    assert_eq!(text(&root, "error-config"), "Paste, drop or choose a config.json.");
    let config = serde_json::to_string_pretty(&preset_config(MODEL_LLAMA_70B)).unwrap();
    type_into(&root, "field-config", &config).await;
    settle().await;
    assert!(by_testid(&root, "error-config").is_none(), "{:?}", by_testid(&root, "error-config").map(|e| e.text_content()));
    assert!(text(&root, "model-verdict").contains("80 layers"), "{}", text(&root, "model-verdict"));
    let no_layers = config.replace("\"num_hidden_layers\"", "\"layers_elsewhere\"");
    type_into(&root, "field-config", &no_layers).await;
    assert!(text(&root, "model-verdict").contains("num_hidden_layers"), "{}", text(&root, "model-verdict"));
    assert!(text(&root, "error-config").contains("num_hidden_layers"));
}

#[wasm_bindgen_test]
async fn a_dropped_config_is_imported() {
    let root = mount().await;
    config_source(&root).await;
    let config = serde_json::to_string(&preset_config(MODEL_LLAMA_70B)).unwrap();
    let event = drop_files(&get(&root, "field-config"), &[("config.json", &config)]);
    assert!(event.default_prevented(), "the browser must not open the dropped file");
    until(&root, "the dropped config's verdict", |r| by_testid(r, "model-verdict").is_some_and(|v| v.text_content().unwrap_or_default().contains("80 layers"))).await;
    settle().await;
    assert!(by_testid(&root, "error-config").is_none());
    assert!(text(&root, "scenario-summary").contains("on 1 × 4"), "{}", text(&root, "scenario-summary"));
}

#[wasm_bindgen_test]
async fn a_custom_gpu_takes_its_figures() {
    let root = mount().await;
    choose(&root, "field-gpu", CUSTOM_GPU).await;
    assert_eq!(text(&root, "error-gpu-memory"), "Enter a number.");
    for (id, value) in [("gpu-name", "Lab GPU"), ("gpu-memory", "80"), ("gpu-hbm", "3"), ("gpu-bf16", "900"), ("gpu-scale-up", "400"), ("gpu-scale-out", "50")] {
        type_into(&root, &format!("field-{id}"), value).await;
    }
    settle().await;
    assert!(by_testid(&root, "form-invalid").is_none());
    assert!(text(&root, "scenario-summary").contains("Lab GPU"), "{}", text(&root, "scenario-summary"));
    // FP8 weights without an FP8 rate: planned at the BF16 rate, and the plan says so.
    choose(&root, "field-weights", "fp8").await;
    settle().await;
    assert!(text(&root, "plan-warnings").contains("Lab GPU has no fp8_tflops figure"), "{}", text(&root, "plan-warnings"));
    // The optional rate: a bad value is named, a good one goes into the scenario and the note goes.
    type_into(&root, "field-gpu-fp8", "-1").await;
    assert_eq!(text(&root, "error-gpu-fp8"), "Must be above 0.");
    type_into(&root, "field-gpu-fp8", "1800").await;
    settle().await;
    assert!(by_testid(&root, "plan-warnings").is_none_or(|w| !w.text_content().unwrap_or_default().contains("fp8_tflops")));
}

#[wasm_bindgen_test]
async fn the_calibration_note_drops_it() {
    let root = mount().await;
    assert!(by_testid(&root, "calibration-note").is_none());
    let mut state = AppState::default();
    state.perf_params = Some(PerfParamsInput::one(Param::GemmEfficiency, 0.5));
    let query = browser::query_string(&state, false);
    assert!(query.contains("perf_params="), "{query}");
    // A fresh page from that link shows the note; its button drops the calibration.
    gloo::utils::window().history().unwrap().replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("?{query}"))).unwrap();
    let document = gloo::utils::document();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;
    assert!(by_testid(&root, "calibration-note").is_some());
    click(&root, "drop-calibration").await;
    assert!(by_testid(&root, "calibration-note").is_none());
    let location = gloo::utils::window().location().search().unwrap();
    assert!(!location.contains("perf_params"), "{location}");
}

/// Regression: a benchmark worker that could not be loaded left the page waiting for it
/// forever (its `error` event, a plain `Event` with no message, broke the handler).
#[wasm_bindgen_test]
async fn a_worker_that_fails_to_load_is_said_and_retried() {
    let root = mount().await;
    let plan = text(&root, "rec-layout");
    // This harness serves no worker: the page's own fails to load.
    click(&root, "bench-script-open").await;
    until(&root, "the worker's failure", |r| by_testid(r, "worker-error").is_some()).await;
    assert!(text(&root, "worker-error").contains("the benchmark worker failed"), "{}", text(&root, "worker-error"));
    assert!(by_testid(&root, "bench-script-pending").is_some(), "the request waits for a retry");
    assert_eq!(text(&root, "rec-layout"), plan, "the plan stays on screen");
    // The retry sends the request again, here to the worker's function in the page.
    answer_in_page(serve);
    click(&root, "worker-retry").await;
    until(&root, "the script", |r| by_testid(r, "bench-script").is_some()).await;
    assert!(by_testid(&root, "worker-error").is_none(), "the retry clears the failure");
    assert_eq!(text(&root, "rec-layout"), plan);
}

#[wasm_bindgen_test]
fn the_form_is_the_plan_commands_scenario() {
    let mut form = FormState::default();
    form.set(Field::TpotMs, "50".into());
    form.set(Field::Ep, "1".into());
    let query = check(&form, None).expect("valid");
    let expected = ScenarioInput::from_json(
        r#"{"model": "huggyllama/llama-7b", "weights": "bf16", "kv_cache": "bf16", "gpu": "a100-sxm-80gb",
            "nodes": 1, "gpus_per_node": 4, "engine": "vllm",
            "workload": {"isl": 1024, "osl": 256}, "sla": {"tpot_ms": 50},
            "priority": "throughput", "layout": {"ep": 1}, "allow_tp_across_nodes": true}"#,
    )
    .unwrap();
    assert_eq!(query.scenario, expected);

    // The link without a load is the command's scenario without one.
    let linked = from_params(|name| {
        LINK_WITHOUT_LOAD.split('&').find_map(|p| p.strip_prefix(name)?.strip_prefix('=')).map(str::to_string)
    })
    .expect("a scenario");
    let expected = ScenarioInput::from_json(SCENARIO_WITHOUT_LOAD).unwrap();
    let linked = check(&linked.form, None).expect("valid").scenario;
    // Every default filled in; the page names the model by its catalog id, the command as given.
    let echo = |s: &ScenarioInput| {
        let mut echo = resolve(s).unwrap().scenario;
        echo.as_object_mut().unwrap().remove("model");
        echo
    };
    assert_eq!(echo(&linked), echo(&expected));

    let mut bad = form.clone();
    bad.set(Field::LoadKind, "concurrency".into());
    bad.set(Field::Nodes, "x".into());
    bad.set(Field::Concurrency, String::new());
    bad.set(Field::Model, "no-such-model".into());
    let errors = check(&bad, None).expect_err("three fields are bad");
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert_eq!(errors.get(Field::Nodes), Some("“x” is not a number."));
    assert_eq!(errors.get(Field::Concurrency), Some("Enter a number."));
    assert!(errors.get(Field::Model).is_some_and(|m| m.contains("no-such-model")));
    assert_eq!(errors.get(Field::Gpu), None);

    // A request rate replaces the concurrency; max throughput has neither.
    let mut rate = form.clone();
    rate.set(Field::LoadKind, "request_rate".into());
    rate.set(Field::RequestRate, "2.5".into());
    let w = check(&rate, None).unwrap().scenario.workload;
    assert_eq!((w.concurrency, w.request_rate), (None, Some(2.5)));
    rate.set(Field::LoadKind, "max".into());
    let w = check(&rate, None).unwrap().scenario.workload;
    assert_eq!((w.concurrency, w.request_rate), (None, None));
}

#[wasm_bindgen_test]
fn share_links_carry_the_whole_scenario() {
    let mut state = AppState::default();
    for (field, value) in [
        (Field::Model, "moonshotai/Kimi-K2-Instruct"),
        (Field::Gpu, "h200-sxm"),
        (Field::Nodes, "128"),
        (Field::GpusPerNode, "8"),
        (Field::Engine, "sglang"),
        (Field::LoadKind, "request_rate"),
        (Field::RequestRate, "12"),
        (Field::TtftMs, "2000"),
        (Field::AllowTpAcrossNodes, "false"),
        (Field::Pp, "1"),
    ] {
        state.form.set(field, value.into());
    }
    state.perf_params = Some(PerfParamsInput::one(Param::HbmEfficiency, 0.8));
    let params: HashMap<&str, String> = to_params(&state).into_iter().collect();
    assert_eq!(params["model"], "moonshotai/Kimi-K2-Instruct");
    assert_eq!(params["request_rate"], "12");
    assert!(!params.contains_key("concurrency"), "only the chosen load is shared");
    assert!(!params.contains_key("memory_gib"), "no custom figures for a catalog GPU");
    assert_eq!(params["perf_params"], r#"{"hbm_efficiency":0.8}"#);
    let back = from_params(|name| params.get(name).cloned()).expect("a scenario");
    assert_eq!(back, state);
    // Through a real query string too.
    let query = browser::query_string(&state, true);
    assert!(query.contains("embed=1"));
    assert_eq!(browser::state_from_query(&format!("?{query}")), Some(state));
    assert_eq!(browser::state_from_query("?embed=1"), None, "embed alone names no scenario");

    // A pasted config travels as compact JSON.
    let mut pasted = AppState::default();
    pasted.form.set(Field::ModelSource, "config".into());
    pasted.form.set(Field::Config, "{\n  \"a\": 1\n}".into());
    let params: HashMap<&str, String> = to_params(&pasted).into_iter().collect();
    assert_eq!(params["config"], r#"{"a":1}"#);
    assert!(!params.contains_key("model"));
    let back = from_params(|name| params.get(name).cloned()).unwrap();
    assert_eq!(back.form.get(Field::ModelSource), "config");
}

#[wasm_bindgen_test]
fn the_reducer_sets_and_drops_a_calibration() {
    let state = Rc::new(AppState::default());
    let same = state.clone().reduce(Action::SetPerfParams(None));
    assert!(Rc::ptr_eq(&state, &same), "no change, same state");
    let params = PerfParamsInput::one(Param::StepOverhead, 2.0);
    let kept = state.reduce(Action::SetPerfParams(Some(params.clone())));
    assert_eq!(kept.perf_params, Some(params.clone()));
    let query = check(&kept.form, kept.perf_params.as_ref()).unwrap();
    assert_eq!(query.scenario.perf_params, Some(params));
    let dropped = kept.reduce(Action::SetPerfParams(None));
    assert_eq!(dropped.perf_params, None);
}

#[wasm_bindgen_test]
fn the_bindings_plan_as_the_command_does() {
    let scenario = r#"{"model": "llama-2-70b", "gpu": "h100-sxm", "nodes": 1, "gpus_per_node": 8,
        "workload": {"isl": 2048, "osl": 512, "concurrency": 32}}"#;
    let expected: serde_json::Value = serde_json::from_str(&run(scenario).output).unwrap();
    let object = js_sys::JSON::parse(scenario).unwrap();
    let got = js_sys::JSON::stringify(&bindings::plan(&object)).unwrap().as_string().unwrap();
    let got: serde_json::Value = serde_json::from_str(&got).unwrap();
    // JavaScript has one number type: `80.0` comes back as `80`; compare numbers as numbers.
    assert_eq!(as_f64(got), as_f64(expected));
    let error = js_sys::JSON::stringify(&bindings::plan(&"{\"model\": 1}".into())).unwrap().as_string().unwrap();
    assert!(error.contains("\"error\""), "{error}");
}

/// The value with every number as an f64.
fn as_f64(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Number(n) => n.as_f64().map_or(Value::Null, |f| serde_json::json!(f)),
        Value::Array(items) => Value::Array(items.into_iter().map(as_f64).collect()),
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, as_f64(v))).collect()),
        other => other,
    }
}

#[wasm_bindgen_test]
fn counts_parse_strictly() {
    assert_eq!(parse_count(" 8 ", 1, 10), Ok(8));
    assert_eq!(parse_count("1e3", 1, 1000), Ok(1000));
    assert_eq!(parse_count("NaN", 1, 10), Err("“NaN” is not a number.".into()));
    assert_eq!(parse_count("inf", 1, 10), Err("“inf” is not a number.".into()));
    assert_eq!(parse_count("11", 1, 10), Err("Must be at most 10.".into()));
    let too_many = (MAX_NODES as u64 + 1).to_string();
    assert!(parse_count(&too_many, 1, MAX_NODES).is_err());
}

#[wasm_bindgen_test]
fn numbers_format_for_reading() {
    assert_eq!(format::number(175e9), "175\u{2009}000\u{2009}000\u{2009}000");
    assert_eq!(format::number(13.5), "13.5");
    assert_eq!(format::number(1234.567), "1\u{2009}234.57");
    assert_eq!(format::number(f64::INFINITY), "∞");
    assert_eq!(format::number(f64::NAN), "—");
    assert_eq!(format::params(6.74e9), "6.74 B");
    assert_eq!(format::params(1.03e12), "1.03 T");
    assert_eq!(format::bytes(524_288.0), "512 KiB");
}

#[wasm_bindgen_test]
fn a_panic_message_shows_in_the_page() {
    let document = gloo::utils::document();
    let fatal = document.create_element("div").unwrap();
    fatal.set_id(panic::FATAL_ELEMENT_ID);
    fatal.set_attribute("hidden", "").unwrap();
    document.body().unwrap().append_child(&fatal).unwrap();
    panic::report("index out of bounds at src/example.rs:1:1");
    assert!(!fatal.has_attribute("hidden"), "the message is shown");
    let shown = fatal.text_content().unwrap_or_default();
    assert!(shown.contains("Reload the page"), "{shown}");
    assert!(shown.contains("index out of bounds at src/example.rs:1:1"), "{shown}");
    fatal.remove();
}

#[wasm_bindgen_test]
fn every_catalog_choice_plans_or_names_what_is_missing() {
    let mut planned = 0;
    for (model, _) in form::model_choices() {
        for (gpu, _) in form::gpu_choices() {
            let mut choice = FormState::default();
            choice.set(Field::Model, model.clone());
            choice.set(Field::Gpu, gpu.clone());
            match check(&choice, None) {
                Ok(_) => planned += 1,
                Err(errors) => {
                    let said = FIELDS.iter().filter_map(|f| errors.get(*f)).count();
                    assert!(said > 0 && errors.calibration.is_none(), "{model} on {gpu}: {errors:?}");
                }
            }
        }
    }
    assert!(planned > 0, "no catalog choice planned at all");
}
