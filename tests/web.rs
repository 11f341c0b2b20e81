//! The page in a real browser (headless Chromium through wasm-bindgen-test): the app renders
//! its form and the rule-of-thumb trace, recomputes when an input changes, and shows a message
//! next to a bad number. Also the form's conversion and the number formatting, which need no
//! DOM but live in the web layer.
//!
//! Run: `cargo test --target wasm32-unknown-unknown --features web --test web` (scripts/test).
//! After each render or event, `yew::scheduler::flush()` runs the pending renders: no sleeps.

#![cfg(target_arch = "wasm32")]

use planner_app::planner::rules::{rule_of_thumb, RULES};
use planner_app::ui::form::{self, parse_count, Field, FormState, Query, MAX_NODES};
use planner_app::ui::{format, panic, App};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, Event, EventInit, HtmlInputElement, HtmlSelectElement};

wasm_bindgen_test_configure!(run_in_browser);

/// A model and its expected rule-of-thumb answers, from the catalog.
const MODEL_LLAMA_70B: &str = "meta-llama/Llama-2-70b-hf";

/// Renders the app into a fresh element of its own (tests share one page).
async fn mount() -> Element {
    let document = gloo::utils::document();
    let root = document.create_element("div").expect("creating a root element");
    document.body().expect("a body").append_child(&root).expect("attaching the root");
    yew::Renderer::<App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;
    root
}

fn by_testid(root: &Element, id: &str) -> Option<Element> {
    root.query_selector(&format!("[data-testid='{id}']")).expect("a valid selector")
}

fn get(root: &Element, id: &str) -> Element {
    by_testid(root, id).unwrap_or_else(|| panic!("no element with data-testid={id}"))
}

fn text(root: &Element, id: &str) -> String {
    get(root, id).text_content().unwrap_or_default()
}

fn dispatch(target: &Element, kind: &str) {
    let init = EventInit::new();
    init.set_bubbles(true);
    let event = Event::new_with_event_init_dict(kind, &init).expect("creating an event");
    target.dispatch_event(&event).expect("dispatching the event");
}

async fn type_into(root: &Element, id: &str, value: &str) {
    let input: HtmlInputElement = get(root, id).dyn_into().expect("an <input>");
    input.set_value(value);
    dispatch(&input, "input");
    yew::scheduler::flush().await;
}

async fn choose(root: &Element, id: &str, value: &str) {
    let select: HtmlSelectElement = get(root, id).dyn_into().expect("a <select>");
    select.set_value(value);
    assert_eq!(select.value(), value, "{id} has no option {value}");
    dispatch(&select, "change");
    yew::scheduler::flush().await;
}

fn visited(root: &Element, rule: &str) -> bool {
    get(root, &format!("rule-{rule}")).get_attribute("data-visited").as_deref() == Some("true")
}

#[wasm_bindgen_test]
async fn renders_every_field_and_the_default_trace() {
    let root = mount().await;
    for field in [Field::Model, Field::Gpu, Field::Nodes, Field::GpusPerNode, Field::BatchSize, Field::Priority] {
        let id = format!("field-{}", field.id());
        assert!(by_testid(&root, &id).is_some(), "missing {id}");
        let label = root.query_selector(&format!("label[for='{}']", field.id())).unwrap();
        assert!(label.is_some(), "{id} has no label");
    }
    // LLaMA-7B on 4 × 80 GB: fits one GPU, pure DP 4.
    assert_eq!(text(&root, "rule-layout"), "TP 1 × PP 1 × DP 4");
    let nodes = root.query_selector_all("[data-testid='decision-trace'] li.rule").unwrap();
    assert_eq!(nodes.length() as usize, RULES.len(), "one node per rule of the flow");
    assert!(visited(&root, "fits-one-gpu"));
    assert_eq!(text(&root, "answer-fits-one-gpu"), "yes");
    assert!(!visited(&root, "multi-node"), "the multi-node branch is not taken");
    let classes = get(&root, "rule-multi-node").class_name();
    assert!(classes.split(' ').any(|c| c == "untaken"), "untaken rules are drawn greyed: {classes}");
    assert!(by_testid(&root, "form-invalid").is_none());
}

#[wasm_bindgen_test]
async fn a_bad_number_gets_its_message_and_a_good_one_recomputes() {
    let root = mount().await;
    for (typed, message) in [
        ("", "Enter a number."),
        ("-2", "Must not be negative."),
        ("abc", "“abc” is not a number."),
        ("1.5", "Must be a whole number."),
        ("0", "Must be at least 1."),
    ] {
        type_into(&root, "field-nodes", typed).await;
        assert_eq!(text(&root, "error-nodes"), message, "nodes = {typed:?}");
        assert_eq!(get(&root, "field-nodes").get_attribute("aria-invalid").as_deref(), Some("true"));
        assert!(by_testid(&root, "form-invalid").is_some(), "no plan from an invalid form");
        assert!(by_testid(&root, "rule-layout").is_none());
    }
    // Fixed: the message goes, and 2 nodes × 8 GPUs of a 7B model give DP 16.
    type_into(&root, "field-nodes", "2").await;
    type_into(&root, "field-gpus-per-node", "8").await;
    assert!(by_testid(&root, "error-nodes").is_none());
    assert_eq!(text(&root, "rule-layout"), "TP 1 × PP 1 × DP 16");
}

#[wasm_bindgen_test]
async fn choosing_a_bigger_model_changes_the_path() {
    let root = mount().await;
    type_into(&root, "field-nodes", "2").await;
    type_into(&root, "field-gpus-per-node", "8").await;
    choose(&root, "field-model", MODEL_LLAMA_70B).await;
    assert_eq!(text(&root, "rule-layout"), "TP 8 × PP 1 × DP 2");
    assert_eq!(text(&root, "answer-fits-one-gpu"), "no");
    assert_eq!(text(&root, "answer-fits-one-node"), "yes");
    assert!(visited(&root, "tp-in-node"));
    assert!(!visited(&root, "multi-node"));
}

#[wasm_bindgen_test]
fn the_form_converts_only_when_every_field_is_valid() {
    let form = FormState::default();
    let query = Query::try_from(&form).expect("the default form is valid");
    assert_eq!(query.rule_input.nodes, 1);
    assert_eq!(query.rule_input.gpus_per_node, 4);
    assert_eq!(query.rule_input.batch_size, Some(8));

    let mut bad = form.clone();
    bad.set(Field::Nodes, "x".into());
    bad.set(Field::BatchSize, String::new());
    bad.set(Field::Model, "no-such-model".into());
    let errors = Query::try_from(&bad).expect_err("three fields are bad");
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert_eq!(errors.get(Field::Nodes), Some("“x” is not a number."));
    assert_eq!(errors.get(Field::BatchSize), Some("Enter a number."));
    assert!(errors.get(Field::Model).is_some_and(|m| m.contains("no-such-model")));
    assert_eq!(errors.get(Field::Gpu), None);
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
    assert_eq!(format::number(0.5), "0.5");
    assert_eq!(format::number(1234.567), "1\u{2009}234.57");
    assert_eq!(format::number(8.0), "8");
    assert_eq!(format::number(f64::INFINITY), "∞");
    assert_eq!(format::number(f64::NAN), "—");
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
            match Query::try_from(&choice) {
                Ok(query) => {
                    let rule = rule_of_thumb(&query.rule_input);
                    assert!(!rule.steps.is_empty(), "{model} on {gpu}: no steps");
                    planned += 1;
                }
                Err(errors) => {
                    let said = [Field::Model, Field::Gpu].iter().filter_map(|f| errors.get(*f)).count();
                    assert!(said > 0 && errors.len() == said, "{model} on {gpu}: {errors:?}");
                }
            }
        }
    }
    assert!(planned > 0, "no catalog choice planned at all");
}
