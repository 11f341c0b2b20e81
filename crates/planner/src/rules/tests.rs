//! The classic worked examples of `DESIGN.md` and the spots where the rule contradicts them.

use super::*;

/// The examples' GPUs: 80 GB each, 8 per node.
fn input(params_b: f64, layers: u32, nodes: u32, gpus_per_node: u32, batch: Option<u32>) -> RuleInput {
    RuleInput {
        total_params: (params_b * 1e9) as u64,
        layers,
        gpu_memory: Bytes(80e9),
        nodes,
        gpus_per_node,
        batch_size: batch,
    }
}

fn layout(tp: u32, pp: u32, dp: u32) -> Option<Layout> {
    Some(Layout::new(tp, pp, dp, 1, tp * pp * dp).unwrap())
}

const LLAMA_7B: (f64, u32) = (6.74, 32); // LLaMA 7B: 6.7B params, 32 layers (Touvron et al. 2023, Table 2)
const LLAMA_70B: (f64, u32) = (68.98, 80); // Llama 2 70B, 80 layers
const GPT3: (f64, u32) = (174.6, 96); // GPT-3 175B, 96 layers (Brown et al. 2020, Table 2.1)
const ONE_T: (f64, u32) = (1008.0, 128); // 1T, 128 layers (Narayanan et al. 2021, Table 1)

#[test]
fn worked_examples_are_reproduced() {
    let cases = [
        ("LLaMA-7B on 4 × 80 GB", input(LLAMA_7B.0, LLAMA_7B.1, 1, 4, None), layout(1, 1, 4)),
        ("LLaMA-70B on 16 GPUs", input(LLAMA_70B.0, LLAMA_70B.1, 2, 8, None), layout(8, 1, 2)),
        ("GPT-3 175B on 64 GPUs", input(GPT3.0, GPT3.1, 8, 8, None), layout(8, 8, 1)),
        ("1T on 1024 GPUs", input(ONE_T.0, ONE_T.1, 128, 8, None), layout(8, 32, 4)),
    ];
    for (name, input, expected) in cases {
        let plan = rule_of_thumb(&input);
        assert_eq!(plan.layout, expected, "{name}: steps {:#?}", plan.steps);
    }
}

#[test]
fn literal_reading_contradicts_the_examples_where_design_md_says() {
    let cases = [
        // Agree.
        ("LLaMA-7B", input(LLAMA_7B.0, LLAMA_7B.1, 1, 4, None), layout(1, 1, 4), false),
        ("LLaMA-70B", input(LLAMA_70B.0, LLAMA_70B.1, 2, 8, None), layout(8, 1, 2), false),
        // 350 GB fit a 640 GB node, so step 2 gives TP 8, DP 8.
        ("GPT-3", input(GPT3.0, GPT3.1, 8, 8, None), layout(8, 1, 8), true),
        // Large batch: PP = nodes = 128; no branch gives PP 32.
        ("1T", input(ONE_T.0, ONE_T.1, 128, 8, None), layout(8, 128, 1), true),
        // DP = GPUs // 8 = 0 below 8 GPUs.
        ("LLaMA-70B on 4 GPUs", input(LLAMA_70B.0, LLAMA_70B.1, 1, 4, None), None, true),
    ];
    for (name, input, literal, differs) in cases {
        let plan = rule_of_thumb(&input);
        assert_eq!(plan.literal_layout, literal, "{name}");
        assert_eq!(!plan.notes.is_empty(), differs, "{name}: notes {:?}", plan.notes);
    }
}

#[test]
fn dp_zero_is_repaired_and_explained() {
    let plan = rule_of_thumb(&input(LLAMA_70B.0, LLAMA_70B.1, 1, 4, None));
    assert_eq!(plan.layout, layout(4, 1, 1));
    assert!(plan.notes[0].contains("no usable layout"), "{:?}", plan.notes);
    assert!(plan.notes[1].contains("= 0"), "{:?}", plan.notes);
    let (_, literal_steps) = flow(&input(LLAMA_70B.0, LLAMA_70B.1, 1, 4, None), Reading::Literal);
    assert!(literal_steps.iter().any(|s| s.outcome.contains("= 0")), "{literal_steps:#?}");
}

#[test]
fn gpt3_note_names_the_parting_question() {
    let plan = rule_of_thumb(&input(GPT3.0, GPT3.1, 8, 8, None));
    assert!(plan.notes[1].contains(FITS_ONE_NODE.question), "{:?}", plan.notes);
    assert!(plan.notes[1].contains("349 GB ≤ 640 GB"), "{:?}", plan.notes);
    assert!(plan.notes[1].contains("349 GB > 320 GB"), "{:?}", plan.notes);
}

#[test]
fn small_batch_keeps_the_pipeline_shallow() {
    let plan = rule_of_thumb(&input(GPT3.0, GPT3.1, 8, 8, Some(8)));
    assert_eq!(plan.layout, layout(8, 4, 2));
    let multi = plan.steps.iter().find(|s| s.id == "multi-node").unwrap();
    assert_eq!(multi.answer, "yes");
    assert_eq!(multi.inputs["batch_size"], 8.0);
}

/// Fuzzing found `batch_size: inf` in the multi-node step of a scenario without a concurrency
/// (written as `null` in the plan's JSON).
#[test]
fn without_a_batch_size_the_multi_node_step_records_no_batch_size() {
    let plan = rule_of_thumb(&input(GPT3.0, GPT3.1, 8, 8, None));
    let multi = plan.steps.iter().find(|s| s.id == "multi-node").unwrap();
    let names: Vec<&str> = multi.inputs.iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["nodes", "pp", "tp"], "expected no batch_size without a concurrency");
    for step in &plan.steps {
        for (name, value) in step.inputs.iter() {
            assert!(value.is_finite(), "{}: {name} = {value}, expected a finite number", step.id);
        }
    }
}

#[test]
fn steps_record_their_numbers_and_follow_the_flow() {
    let plan = rule_of_thumb(&input(GPT3.0, GPT3.1, 8, 8, None));
    let ids: Vec<_> = plan.steps.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["size-band", "fits-one-gpu", "fits-one-node", "multi-node", "stage-depth", "holds-share"]);
    let node = &plan.steps[2];
    assert_eq!(node.answer, "no");
    assert!((node.inputs["weights_gb"] - 349.2).abs() < 0.1, "{:?}", node.inputs);
    assert_eq!(node.inputs["memory_gb"], 640.0);
    for s in &plan.steps {
        assert!(RULES.iter().any(|r| r.id == s.id && r.question == s.question), "{} is not a listed rule", s.id);
    }
}

#[test]
fn a_model_too_large_for_the_cluster_gets_no_layout() {
    let plan = rule_of_thumb(&input(ONE_T.0, ONE_T.1, 1, 8, None));
    assert_eq!(plan.layout, None);
    assert_eq!(plan.steps.last().unwrap().answer, "no");
}

#[test]
fn never_panics_on_odd_clusters() {
    for nodes in [1, 2, 3, 7, 128] {
        for gpn in [1, 2, 3, 4, 8, 16] {
            for params in [0.1, 7.0, 70.0, 175.0, 1000.0] {
                for layers in [1, 2, 32, 128] {
                    let plan = rule_of_thumb(&input(params, layers, nodes, gpn, Some(4)));
                    if let Some(l) = plan.layout {
                        assert_eq!(l.gpus(), nodes * gpn);
                    }
                    assert_runs_along_the_edges(&plan);
                }
            }
        }
    }
}

/// Every consecutive pair of visited steps is an arrow of `EDGES`, the path starts at the
/// first rule, and it ends on the arrow to the layout exactly when there is one.
fn assert_runs_along_the_edges(plan: &RuleOfThumb) {
    assert_eq!(plan.steps.first().map(|s| s.id.as_str()), Some(RULES[0].id));
    for pair in plan.steps.windows(2) {
        let (from, to) = (pair[0].id.as_str(), pair[1].id.as_str());
        assert!(EDGES.iter().any(|e| e.from == from && e.to == to), "no arrow from {from} to {to}: {:#?}", plan.steps);
    }
    let taken: Vec<&Edge> = EDGES.iter().filter(|e| edge_taken(e, &plan.steps, plan.layout)).collect();
    assert_eq!(taken.len(), plan.steps.len() - 1 + usize::from(plan.layout.is_some()), "{taken:?} for {:#?}", plan.steps);
}

#[test]
fn the_worked_examples_run_along_the_drawn_arrows() {
    for (params, nodes, gpn) in [(LLAMA_7B, 1, 4), (LLAMA_70B, 2, 8), (GPT3, 8, 8), (ONE_T, 128, 8), (ONE_T, 1, 8)] {
        assert_runs_along_the_edges(&rule_of_thumb(&input(params.0, params.1, nodes, gpn, None)));
    }
    for edge in EDGES {
        assert!(RULES.iter().any(|r| r.id == edge.from), "{edge:?} starts at no rule");
        assert!(edge.to == END || RULES.iter().any(|r| r.id == edge.to), "{edge:?} ends at no rule");
    }
}

/// Regression: with one GPU per node the node question was recorded as a second
/// `fits-one-gpu` step (the rule was guessed from the GPU count).
#[test]
fn one_gpu_per_node_asks_the_node_question_once() {
    let plan = rule_of_thumb(&input(LLAMA_70B.0, LLAMA_70B.1, 4, 1, None));
    let ids: Vec<&str> = plan.steps.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(&ids[..3], ["size-band", "fits-one-gpu", "fits-one-node"], "{ids:?}");
}
