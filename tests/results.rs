//! The result view in a real browser (headless Chromium through wasm-bindgen-test), rendered
//! from real plans made in the test with `planner::planning`: the six hooks, selection from the
//! table and the chart reaching the recommendation and the launch commands, sorting, the
//! chart's points carrying their candidates' figures, the flowchart, embed mode, and a plan
//! where nothing is feasible.
//!
//! Run: `cargo test --target wasm32-unknown-unknown --features web --test results` (scripts/test).
//! After each render or event, `yew::scheduler::flush()` runs the pending renders: no sleeps.

#![cfg(target_arch = "wasm32")]

use planner::inputs::{resolve, PlannerInputs};
use planner::layout::Layout;
use planner::plan::{Plan, Range};
use planner::planning::plan_inputs;
use planner::rules::{edge_taken, EDGES, RULES};
use planner::scenario::ScenarioInput;
use planner_page::ui::results::Results;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, Event, EventInit, HtmlElement, HtmlSelectElement, KeyboardEvent, KeyboardEventInit};
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Llama 3.1 70B on 2 × 8 H100 at maximum throughput: 15 layouts, one rejected.
const LLAMA_70B_16: &str =
    r#"{"model": "llama-3.1-70b", "gpu": "h100-sxm", "nodes": 2, "workload": {"isl": 2048, "osl": 512}}"#;
/// GPT-3 175B on 8 × 8 A100 80GB, 64 in flight: the rule's two readings differ.
const GPT3_64: &str =
    r#"{"model": "gpt-3-175b", "gpu": "a100-sxm-80gb", "nodes": 8, "workload": {"isl": 1024, "osl": 256, "concurrency": 64}}"#;
/// A TPOT limit no layout meets.
const IMPOSSIBLE_SLA: &str =
    r#"{"model": "llama-3.1-70b", "gpu": "h100-sxm", "workload": {"isl": 2048, "osl": 256}, "sla": {"tpot_ms": 0.5}}"#;
/// The 1T-parameter MoE on 1024 GPUs: 506 layouts.
const KIMI_K2_1024: &str = r#"{"model": "moonshotai/Kimi-K2-Instruct", "weights": "fp8", "kv_cache": "fp8", "gpu": "h200-sxm",
    "nodes": 128, "gpus_per_node": 8, "workload": {"isl": 4096, "osl": 1024}}"#;

fn planned(scenario: &str) -> (Rc<Plan>, Rc<PlannerInputs>) {
    let inputs = resolve(&ScenarioInput::from_json(scenario).expect("valid JSON")).expect("a valid scenario");
    let plan = plan_inputs(&inputs).expect("plans");
    (Rc::new(plan), Rc::new(inputs))
}

#[derive(Properties, PartialEq)]
struct HarnessProps {
    plan: Rc<Plan>,
    inputs: Rc<PlannerInputs>,
    embed: bool,
}

/// `Results` with the selection held the way the page holds it.
#[component]
fn Harness(props: &HarnessProps) -> Html {
    let selected = use_state(|| None::<Layout>);
    let onselect = {
        let selected = selected.clone();
        Callback::from(move |layout: Layout| selected.set(Some(layout)))
    };
    html! {
        <Results plan={props.plan.clone()} inputs={props.inputs.clone()} selected={*selected} {onselect} embed={props.embed} />
    }
}

/// Renders the results of `scenario` into a fresh element of its own (tests share one page).
async fn mount(scenario: &str, embed: bool) -> (Element, Rc<Plan>) {
    let (plan, inputs) = planned(scenario);
    mount_plan(plan, inputs, embed).await
}

async fn mount_plan(plan: Rc<Plan>, inputs: Rc<PlannerInputs>, embed: bool) -> (Element, Rc<Plan>) {
    let document = gloo::utils::document();
    let root = document.create_element("div").expect("creating a root element");
    document.body().expect("a body").append_child(&root).expect("attaching the root");
    let props = HarnessProps { plan: plan.clone(), inputs, embed };
    yew::Renderer::<Harness>::with_root_and_props(root.clone(), props).render();
    yew::scheduler::flush().await;
    (root, plan)
}

fn find(root: &Element, selector: &str) -> Option<Element> {
    root.query_selector(selector).expect("a valid selector")
}

fn get(root: &Element, id: &str) -> Element {
    find(root, &format!("[data-testid='{id}']")).unwrap_or_else(|| panic!("no element with data-testid={id}"))
}

fn text(root: &Element, id: &str) -> String {
    get(root, id).text_content().unwrap_or_default()
}

fn all(root: &Element, selector: &str) -> Vec<Element> {
    let list = root.query_selector_all(selector).expect("a valid selector");
    (0..list.length()).filter_map(|i| list.item(i)?.dyn_into::<Element>().ok()).collect()
}

fn has_class(element: &Element, class: &str) -> bool {
    element.get_attribute("class").is_some_and(|c| c.split_whitespace().any(|x| x == class))
}

fn index(element: &Element) -> usize {
    element.get_attribute("data-index").expect("data-index").parse().expect("a number")
}

async fn click(element: &Element) {
    element.dyn_ref::<HtmlElement>().map_or_else(
        || {
            let init = EventInit::new();
            init.set_bubbles(true);
            element.dispatch_event(&Event::new_with_event_init_dict("click", &init).unwrap()).unwrap();
        },
        |e| e.click(),
    );
    yew::scheduler::flush().await;
}

async fn press_enter(element: &Element) {
    let init = KeyboardEventInit::new();
    init.set_key("Enter");
    init.set_bubbles(true);
    element.dispatch_event(&KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap()).unwrap();
    yew::scheduler::flush().await;
}

async fn fire(element: &Element, kind: &str) {
    let init = EventInit::new();
    init.set_bubbles(true);
    element.dispatch_event(&Event::new_with_event_init_dict(kind, &init).unwrap()).unwrap();
    yew::scheduler::flush().await;
}

/// The table's rows in display order, as candidate indices.
fn row_order(root: &Element) -> Vec<usize> {
    all(root, "[data-testid='candidates-table'] tbody tr").iter().map(index).collect()
}

#[wasm_bindgen_test]
async fn a_real_plan_renders_all_six_hooks_with_the_recommended_layout() {
    let (root, plan) = mount(LLAMA_70B_16, false).await;
    for id in ["recommendation", "decision-trace", "comparison-chart", "candidates-table", "memory-breakdown", "launch-commands"] {
        get(&root, id);
    }
    let best = plan.recommended.as_ref().expect("a feasible layout");
    assert_eq!(text(&root, "rec-layout"), best.layout.to_string());
    assert!(text(&root, "recommendation").contains("Recommended layout"));
    assert_eq!(text(&root, "rec-concurrency"), planner_page::ui::format::figure(best.concurrency.unwrap() as f64));
    assert!(text(&root, "rec-bound").contains(&format!("{}-bound", best.bound.as_deref().unwrap())));
    // Every feasible candidate of a real plan carries its range, shown as "±" beside the figures.
    assert!(best.range.is_some() && text(&root, "recommendation").contains('±'), "{}", text(&root, "recommendation"));
    // The memory table holds the candidate's figures.
    assert_eq!(text(&root, "memory-capacity"), planner_page::ui::format::figure(best.memory_per_gpu_gib.capacity));
    // Every layout has a row; the launch command is vLLM's for the recommended layout.
    assert_eq!(row_order(&root).len(), plan.candidates.len());
    let command = text(&root, "launch-command");
    assert!(command.starts_with("# vLLM: ") && command.contains("vllm serve llama-3.1-70b"), "{command}");
    assert!(command.contains(&format!("--pipeline-parallel-size {}", best.layout.pp)), "{command}");
    assert!(command.contains("--nnodes 2 --node-rank 0"), "{command}");
}

/// A vision-language model's memory breakdown has a vision encoder row and segment, the
/// planner's figure; a text model's has none.
#[wasm_bindgen_test]
async fn the_vision_encoder_is_its_own_memory_item_of_a_vlm_only() {
    let vlm = r#"{"model": "qwen/qwen3-vl-8b-instruct", "gpu": "h100-sxm", "gpus_per_node": 2, "workload": {"isl": 2048, "osl": 256}}"#;
    let (root, plan) = mount(vlm, false).await;
    let best = plan.recommended.as_ref().expect("a feasible layout");
    let memory = best.memory_per_gpu_gib;
    assert!(memory.vision_encoder > 0.0, "{memory:?}");
    let row = text(&root, "memory-vision");
    assert!(row.contains("Vision encoder") && row.contains(&planner_page::ui::format::figure(memory.vision_encoder)), "{row}");
    assert!(text(&root, "memory-weights").contains(&planner_page::ui::format::figure(memory.language_model_weights())));
    assert!(find(&root, ".membar .seg-vision").is_some(), "the bar has the tower's segment");
    let (root, _) = mount(LLAMA_70B_16, false).await;
    assert!(find(&root, "[data-testid='memory-vision']").is_none() && find(&root, ".seg-vision").is_none(), "a text model has no vision item");
}

#[wasm_bindgen_test]
async fn selecting_a_table_row_updates_the_recommendation_and_the_launch_commands() {
    let (root, plan) = mount(LLAMA_70B_16, false).await;
    let pick = plan.ranking[3];
    let layout = plan.candidates[pick].layout;
    let button = find(&root, &format!("tr[data-index='{pick}'] button")).expect("the row's select button");
    click(&button).await;
    assert_eq!(text(&root, "rec-layout"), layout.to_string());
    assert!(text(&root, "recommendation").contains("Selected layout"));
    let command = text(&root, "launch-command");
    assert!(command.contains(&format!("--tensor-parallel-size {} --pipeline-parallel-size {}", layout.tp, layout.pp)), "{command}");
    let row = find(&root, &format!("tr[data-index='{pick}']")).unwrap();
    assert!(has_class(&row, "selected") && row.get_attribute("aria-current").as_deref() == Some("true"));
    let shown: Vec<usize> = all(&root, ".bar-row.shown, .point.shown").iter().map(index).collect();
    assert!(shown.len() == 4 && shown.iter().all(|&i| i == pick), "three bars and a point highlight it too: {shown:?}");

    // A rejected row can be looked at: its reason replaces the figures.
    let rejected = plan.candidates.iter().position(|c| !c.feasible).expect("one rejected layout");
    click(&find(&root, &format!("tr[data-index='{rejected}']")).unwrap()).await;
    assert!(text(&root, "rec-rejected").contains(plan.candidates[rejected].rejected_detail.as_deref().unwrap()));
    assert!(text(&root, "launch-rejected").contains("rejects this layout"));

    click(&get(&root, "back-to-recommended")).await;
    assert_eq!(text(&root, "rec-layout"), plan.recommended.as_ref().unwrap().layout.to_string());
    assert!(find(&root, "[data-testid='back-to-recommended']").is_none());
}

#[wasm_bindgen_test]
async fn sorting_by_a_column_reorders_the_rows_and_says_so() {
    let (root, plan) = mount(LLAMA_70B_16, false).await;
    let feasible_first: Vec<usize> = plan.ranking.clone();
    assert_eq!(&row_order(&root)[..feasible_first.len()], &feasible_first[..], "opens in rank order");

    let header = |id: &str| get(&root, &format!("sort-{id}")).parent_element().unwrap();
    click(&get(&root, "sort-tpot")).await;
    assert_eq!(header("tpot").get_attribute("aria-sort").as_deref(), Some("ascending"));
    assert_eq!(header("rank").get_attribute("aria-sort").as_deref(), Some("none"));
    let tpot = |i: usize| plan.candidates[i].tpot_ms;
    let order = row_order(&root);
    let with: Vec<f64> = order.iter().filter_map(|&i| tpot(i)).collect();
    assert!(with.windows(2).all(|w| w[0] <= w[1]), "ascending TPOT: {with:?}");
    assert!(order.iter().skip(with.len()).all(|&i| tpot(i).is_none()), "rows without a TPOT last");

    click(&get(&root, "sort-tpot")).await;
    assert_eq!(header("tpot").get_attribute("aria-sort").as_deref(), Some("descending"));
    let with: Vec<f64> = row_order(&root).iter().filter_map(|&i| tpot(i)).collect();
    assert!(with.windows(2).all(|w| w[0] >= w[1]), "descending TPOT: {with:?}");

    // Tokens/s per GPU sorts best first on the first click.
    click(&get(&root, "sort-tok-s-gpu")).await;
    assert_eq!(header("tok-s-gpu").get_attribute("aria-sort").as_deref(), Some("descending"));
    let first = row_order(&root)[0];
    let best = plan.candidates.iter().filter_map(|c| c.output_tok_s_per_gpu).fold(0.0, f64::max);
    assert_eq!(plan.candidates[first].output_tok_s_per_gpu, Some(best));
}

#[wasm_bindgen_test]
async fn the_chart_points_carry_the_candidates_figures_and_select_them() {
    let (root, plan) = mount(LLAMA_70B_16, false).await;
    let points = all(&root, "[data-testid='comparison-chart'] .point");
    assert_eq!(points.len(), plan.ranking.len(), "one point per feasible candidate");
    for p in &points {
        let c = &plan.candidates[index(p)];
        assert_eq!(p.get_attribute("data-layout"), Some(c.layout.to_string()));
        assert_eq!(p.get_attribute("data-tok-s-per-gpu"), c.output_tok_s_per_gpu.map(|v| v.to_string()));
        assert_eq!(p.get_attribute("data-tok-s-per-user"), c.tok_s_per_user.map(|v| v.to_string()));
        assert_eq!(has_class(p, "pareto"), plan.pareto.contains(&index(p)), "{}", c.layout);
    }
    let front = all(&root, ".pareto polyline.front");
    assert_eq!(front.len(), usize::from(plan.pareto.len() > 1));
    // Bars: the top candidates in rank order, in each of the three panels.
    let bars: Vec<usize> = all(&root, ".bar-panel:first-child .bar-row").iter().map(index).collect();
    assert_eq!(bars, plan.ranking.iter().copied().take(8).collect::<Vec<_>>());
    assert_eq!(all(&root, ".bar-panel").len(), 3);

    // Hovering shows a candidate's figures; focusing shows another's.
    let third = plan.ranking[2];
    let point = find(&root, &format!(".point[data-index='{third}']")).unwrap();
    fire(&point, "mouseover").await;
    assert!(text(&root, "chart-details").starts_with(&plan.candidates[third].layout.to_string()));
    let second = plan.ranking[1];
    fire(&find(&root, &format!(".bar-row[data-index='{second}']")).unwrap(), "focusin").await;
    assert!(text(&root, "chart-details").starts_with(&plan.candidates[second].layout.to_string()));

    // A click on a point, or Enter on a bar, selects that candidate everywhere.
    click(&point).await;
    assert_eq!(text(&root, "rec-layout"), plan.candidates[third].layout.to_string());
    press_enter(&find(&root, &format!(".bar-row[data-index='{second}']")).unwrap()).await;
    assert_eq!(text(&root, "rec-layout"), plan.candidates[second].layout.to_string());
    let row = find(&root, &format!("tr[data-index='{second}']")).unwrap();
    assert!(has_class(&row, "selected"));
}

#[wasm_bindgen_test]
async fn the_sla_is_drawn_as_lines() {
    let (root, _) = mount(
        r#"{"model": "llama-3.1-70b", "gpu": "h100-sxm", "nodes": 2, "workload": {"isl": 2048, "osl": 512},
            "sla": {"ttft_ms": 2000, "tpot_ms": 40}}"#,
        false,
    )
    .await;
    // TTFT and TPOT bars, and the Pareto view's TPOT line at 1000 / 40 = 25 tok/s per user.
    assert_eq!(all(&root, ".bar-panel .limit").len(), 2);
    let pareto = find(&root, ".pareto .limit").expect("the TPOT line on the Pareto view");
    assert!(pareto.text_content().unwrap().contains("TPOT ≤ 40 ms"));
}

#[wasm_bindgen_test]
async fn the_flowchart_draws_every_rule_and_the_taken_path() {
    let (root, plan) = mount(GPT3_64, false).await;
    let rule = &plan.rule_of_thumb;
    let boxes = all(&root, "[data-testid='decision-trace'] li.rule");
    assert_eq!(boxes.len(), RULES.len(), "one box per rule");
    assert!(boxes.iter().all(|b| !has_class(b, "row-auto")), "every rule has its place in the drawing");
    for step in &rule.steps {
        let node = get(&root, &format!("rule-{}", step.id));
        assert_eq!(node.get_attribute("data-visited").as_deref(), Some("true"), "{}", step.id);
        assert_eq!(text(&root, &format!("answer-{}", step.id)), step.answer);
    }
    let taken = EDGES.iter().filter(|e| edge_taken(e, &rule.steps, rule.layout)).count();
    let drawn_taken: Vec<Element> = all(&root, ".flow .edge.taken");
    assert!(taken >= 3 && drawn_taken.len() >= taken, "{taken} arrows taken, {} pieces drawn", drawn_taken.len());
    assert_eq!(text(&root, "rule-layout"), rule.layout.unwrap().to_string());
    // GPT-3: word for word the rule gives TP 8 × DP 8; the notes say why the table's is shown.
    assert_eq!(text(&root, "rule-literal-layout"), rule.literal_layout.unwrap().to_string());
    assert!(text(&root, "rule-readings").contains("worked examples"));
    // Then the planner's steps, each expandable, the last one open.
    let steps = all(&root, "[data-testid='trace-steps'] > li details");
    assert_eq!(steps.len(), plan.trace.len());
    assert!(steps.last().unwrap().has_attribute("open"));
    assert!(text(&root, "trace-vs-rule-of-thumb").contains(&rule.layout.unwrap().to_string()));
}

#[wasm_bindgen_test]
async fn nothing_feasible_says_why() {
    let (root, plan) = mount(IMPOSSIBLE_SLA, false).await;
    assert!(plan.recommended.is_none());
    assert!(text(&root, "recommendation").contains("No feasible layout"));
    let why = &plan.trace.last().unwrap().detail;
    assert_eq!(&text(&root, "no-feasible"), why);
    assert!(text(&root, "comparison-chart").contains("No feasible candidate"));
    assert!(text(&root, "launch-commands").contains("No feasible layout"));
    assert!(text(&root, "memory-breakdown").contains("No layout"));
    let rows = row_order(&root);
    assert_eq!(rows.len(), plan.candidates.len());
    assert!(text(&root, "candidates-table").contains("sla-tpot"));
}

#[wasm_bindgen_test]
async fn embed_mode_shows_the_answer_the_chart_and_a_compact_memory_bar() {
    let (root, _) = mount(LLAMA_70B_16, true).await;
    for id in ["recommendation", "comparison-chart", "memory-breakdown"] {
        get(&root, id);
    }
    for id in ["decision-trace", "candidates-table", "launch-commands"] {
        assert!(find(&root, &format!("[data-testid='{id}']")).is_none(), "{id} is not embedded");
    }
    assert!(has_class(&get(&root, "memory-breakdown"), "compact"));
    assert!(find(&root, "[data-testid='memory-breakdown'] table").is_none(), "the compact bar has a one-line legend");
}

#[wasm_bindgen_test]
async fn launch_commands_switch_engines_and_nodes() {
    let (root, _) = mount(LLAMA_70B_16, false).await;
    assert_eq!(get(&root, "launch-tab-vllm").get_attribute("aria-selected").as_deref(), Some("true"));
    click(&get(&root, "launch-tab-sglang")).await;
    let command = text(&root, "launch-command");
    assert!(command.contains("python -m sglang.launch_server") && command.contains("--node-rank 0"), "{command}");
    let node: HtmlSelectElement = get(&root, "launch-node").dyn_into().unwrap();
    node.set_value("1");
    fire(&node, "change").await;
    let command = text(&root, "launch-command");
    assert!(command.contains("--node-rank 1") && command.contains("node 1 of 2"), "{command}");
    assert!(find(&root, "[data-testid='launch-unverified']").is_none());
    click(&get(&root, "launch-tab-trtllm")).await;
    assert!(text(&root, "launch-unverified").contains("unverified"));
    assert!(text(&root, "launch-command").contains("trtllm-serve") || text(&root, "launch-command").contains("run by hand"));
}

/// The full page's deployment artifacts, in the launch commands' card: every artifact
/// `benchmark::deploy` writes for the recommended plan, in its order, with its name, its
/// verification (attribute and badge), its note and its text; selecting another layout changes
/// the launch command, not the artifacts, which stay those of the recommended plan.
#[cfg(feature = "full-page")]
#[wasm_bindgen_test]
async fn the_deploy_panel_shows_every_artifact_of_the_recommended_plan() {
    use benchmark::deploy::{artifacts, Deployment};
    let (plan, inputs) = planned(LLAMA_70B_16);
    let expected = artifacts(&Deployment::from_plan(&inputs, &plan).expect("a feasible plan")).expect("artifacts");
    let recommended = plan.recommended.as_ref().unwrap().layout;
    let (root, plan) = mount_plan(plan, inputs, false).await;
    let shown = |root: &Element| all(root, "[data-testid='launch-commands'] [data-testid='deploy-artifact']");
    let texts = |root: &Element| shown(root).iter().map(|a| a.text_content().unwrap_or_default()).collect::<Vec<_>>();
    assert_eq!(shown(&root).len(), expected.len(), "expected {} artifacts", expected.len());
    for (element, artifact) in shown(&root).iter().zip(&expected) {
        assert_eq!(element.get_attribute("data-name").as_deref(), Some(artifact.name.as_str()));
        assert_eq!(element.get_attribute("data-verified"), Some(artifact.verified.to_string()));
        let badge = find(element, ".badge").expect("a badge").text_content().unwrap_or_default();
        assert_eq!(badge, if artifact.verified { "verified" } else { "unverified" }, "{}", artifact.name);
        assert!(element.text_content().unwrap_or_default().contains(&artifact.note), "{}: the note", artifact.name);
        assert_eq!(find(element, "pre").expect("the text").text_content().as_deref(), Some(artifact.text.as_str()));
    }
    assert!(text(&root, "deploy-panel").contains(&format!("for the recommended {recommended}")));
    let before = texts(&root);
    let command = text(&root, "launch-command");
    let second = plan.ranking[1];
    click(&find(&root, &format!("tr[data-index='{second}'] button")).expect("the second layout's select button")).await;
    assert_ne!(text(&root, "launch-command"), command, "the launch command follows the selection");
    assert_eq!(texts(&root), before, "the artifacts stay the recommended plan's");
}

#[wasm_bindgen_test]
async fn five_hundred_rows_render_and_select() {
    let (root, plan) = mount(KIMI_K2_1024, false).await;
    assert_eq!(plan.candidates.len(), 506);
    assert_eq!(row_order(&root).len(), 506);
    assert_eq!(all(&root, ".point").len(), plan.ranking.len());
    let last = *row_order(&root).last().unwrap();
    click(&find(&root, &format!("tr[data-index='{last}'] button")).unwrap()).await;
    assert_eq!(text(&root, "rec-layout"), plan.candidates[last].layout.to_string());
    assert_eq!(all(&root, "tr.selected").len(), 1);
}

#[wasm_bindgen_test]
async fn ranges_show_as_plus_minus_and_whiskers_when_present() {
    let (plan, inputs) = planned(LLAMA_70B_16);
    let mut plan = (*plan).clone();
    let spread = |v: Option<f64>| v.map_or([0.0, 0.0], |v| [v * 0.8, v * 1.25]);
    for &i in &plan.ranking {
        let c = &mut plan.candidates[i];
        c.range = Some(Range {
            output_tok_s_per_gpu: spread(c.output_tok_s_per_gpu),
            ttft_ms: spread(c.ttft_ms),
            tpot_ms: spread(c.tpot_ms),
        });
    }
    plan.recommended = plan.ranking.first().map(|&i| plan.candidates[i].clone());
    let (root, plan) = mount_plan(Rc::new(plan), inputs, false).await;
    let best = plan.recommended.as_ref().unwrap();
    let range = best.range.unwrap().output_tok_s_per_gpu;
    let shown = text(&root, "rec-tok-s-gpu-range");
    assert!(shown.starts_with('±') && shown.contains(&planner_page::ui::format::figure(range[1])), "{shown}");
    // Tokens/s per user is 1000 / TPOT, so its range comes from TPOT's, inverted.
    let user = text(&root, "rec-tok-s-user-range");
    let tpot = best.range.unwrap().tpot_ms;
    assert!(user.contains(&planner_page::ui::format::figure(1000.0 / tpot[0])), "{user}");
    // Whiskers: three bar panels of the top candidates and two per point on the Pareto view.
    let bars = all(&root, ".bar-row .whisker").len();
    let points = all(&root, ".point .whisker").len();
    assert_eq!(bars, 3 * plan.ranking.len().min(8));
    assert_eq!(points, 2 * plan.ranking.len());
}

/// Qwen3-235B on 4 × 8 H200 with long prompts under a tight TPOT, both serving modes planned:
/// disaggregated candidates, feasible and rejected (`planner::disagg` tests).
#[cfg(feature = "full-page")]
const QWEN3_235B_BOTH: &str = r#"{"model": "Qwen/Qwen3-235B-A22B", "weights": "fp8", "kv_cache": "fp8", "gpu": "h200-sxm",
    "nodes": 4, "gpus_per_node": 8, "engine": "trtllm", "workload": {"isl": 8192, "osl": 1024},
    "sla": {"ttft_ms": 3000, "tpot_ms": 30}, "serving": "both"}"#;

/// The disaggregated candidates' table sorts by its numeric columns (ranking order first, then
/// the rejected ones, until a header is clicked), and a click on a row selects it: the row is
/// marked, and so is its point in the Pareto plot's disaggregated series, beside the aggregated
/// selection's.
#[cfg(feature = "full-page")]
#[wasm_bindgen_test]
async fn the_disaggregated_table_sorts_and_a_row_selects_its_point() {
    let (root, plan) = mount(QWEN3_235B_BOTH, false).await;
    let d = plan.disaggregated.as_ref().expect("disaggregated candidates");
    assert!(d.ranking.len() >= 2, "at least two feasible disaggregated candidates, got {}", d.ranking.len());
    let rows = |root: &Element| all(root, "[data-testid='disagg-table'] tbody tr");
    let order = |root: &Element| rows(root).iter().map(index).collect::<Vec<_>>();
    let rejected: Vec<usize> = (0..d.candidates.len()).filter(|&i| !d.candidates[i].feasible).collect();
    assert_eq!(order(&root), [d.ranking.clone(), rejected].concat(), "opens ranked first, then the rejected ones");

    let header = |id: &str| get(&root, &format!("disagg-sort-{id}")).parent_element().unwrap();
    assert_eq!(header("rank").get_attribute("aria-sort").as_deref(), Some("none"));
    let tpot = |i: usize| d.candidates[i].tpot_ms;
    click(&get(&root, "disagg-sort-tpot")).await;
    assert_eq!(header("tpot").get_attribute("aria-sort").as_deref(), Some("ascending"));
    let sorted = order(&root);
    let with: Vec<f64> = sorted.iter().filter_map(|&i| tpot(i)).collect();
    assert!(with.windows(2).all(|w| w[0] <= w[1]), "ascending TPOT: {with:?}");
    assert!(sorted.iter().skip(with.len()).all(|&i| tpot(i).is_none()), "rows without a TPOT last");
    click(&get(&root, "disagg-sort-tpot")).await;
    assert_eq!(header("tpot").get_attribute("aria-sort").as_deref(), Some("descending"));
    let with: Vec<f64> = order(&root).iter().filter_map(|&i| tpot(i)).collect();
    assert!(with.windows(2).all(|w| w[0] >= w[1]), "descending TPOT: {with:?}");
    click(&get(&root, "disagg-sort-tok-s-gpu")).await;
    assert_eq!(header("tok-s-gpu").get_attribute("aria-sort").as_deref(), Some("descending"), "most tokens/s first");
    assert_eq!(header("tpot").get_attribute("aria-sort").as_deref(), Some("none"));
    let best = d.candidates.iter().filter_map(|c| c.output_tok_s_per_gpu).fold(0.0, f64::max);
    assert_eq!(d.candidates[order(&root)[0]].output_tok_s_per_gpu, Some(best));

    let shown_disagg = |root: &Element| all(root, "[data-testid='comparison-chart'] .point.disagg.shown");
    assert!(shown_disagg(&root).is_empty(), "no disaggregated point shown before a selection");
    let pick = d.ranking[1];
    let row = find(&root, &format!("[data-testid='disagg-table'] tr[data-index='{pick}']")).expect("the picked row");
    click(&find(&row, "button").expect("the row's select button")).await;
    let selected: Vec<usize> = rows(&root).iter().filter(|r| has_class(r, "selected")).map(index).collect();
    assert_eq!(selected, [pick], "the clicked row alone is selected");
    let row = find(&root, &format!("[data-testid='disagg-table'] tr[data-index='{pick}']")).unwrap();
    assert_eq!(row.get_attribute("aria-current").as_deref(), Some("true"));
    let points = shown_disagg(&root);
    assert_eq!(points.len(), 1, "one disaggregated point shown");
    assert_eq!(points[0].get_attribute("data-layout"), Some(d.candidates[pick].label.clone()));
    assert_eq!(all(&root, "[data-testid='comparison-chart'] .point.shown:not(.disagg)").len(), 1, "the aggregated selection stays shown");
}
