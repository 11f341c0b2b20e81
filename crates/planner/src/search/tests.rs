//! Search: enumeration, ranking, Pareto, and the physically checkable cases of issue 4.

use super::*;
use crate::inputs::resolve;
use crate::scenario::ScenarioInput;

fn inputs(text: &str) -> PlannerInputs {
    resolve(&ScenarioInput::from_json(text).unwrap()).unwrap()
}

#[test]
fn divisors_are_complete_and_sorted() {
    assert_eq!(divisors(1), [1]);
    assert_eq!(divisors(16), [1, 2, 4, 8, 16]);
    assert_eq!(divisors(12), [1, 2, 3, 4, 6, 12]);
    assert_eq!(divisors(1024).len(), 11);
}

#[test]
fn enumeration_counts_ordered_factorisations() {
    // 16 = 2^4 into three ordered factors: C(6, 2) = 15 layouts.
    assert_eq!(enumerate(16, false, &LayoutConstraint::default()).unwrap().len(), 15);
    // MoE adds every ep dividing tp × dp: still all valid layouts.
    for l in enumerate(16, true, &LayoutConstraint::default()).unwrap() {
        assert_eq!(l.tp * l.pp * l.dp, 16);
        assert!((l.tp * l.dp).is_multiple_of(l.ep));
    }
}

#[test]
fn fixed_sizes_filter_or_name_the_field() {
    let fixed = LayoutConstraint { tp: Some(8), ..Default::default() };
    let layouts = enumerate(16, false, &fixed).unwrap();
    assert_eq!(layouts.len(), 2);
    assert!(layouts.iter().all(|l| l.tp == 8));
    let err = enumerate(16, false, &LayoutConstraint { tp: Some(3), ..Default::default() }).unwrap_err();
    assert_eq!(err.field, "layout.tp");
    let err = enumerate(16, false, &LayoutConstraint { tp: Some(8), pp: Some(4), ..Default::default() }).unwrap_err();
    assert_eq!(err.field, "layout");
}

#[test]
fn pareto_keeps_only_the_undominated() {
    let figures = [(10.0, 1.0), (8.0, 3.0), (9.0, 2.0), (7.0, 2.5), (8.0, 3.0)];
    let front = pareto(&[0, 1, 2, 3, 4], |i| figures[i]);
    assert_eq!(front, [0, 2, 1]);
}

#[test]
fn a_layout_that_does_not_fit_never_ranks() {
    // Llama 3.1 70B bf16 (141 GB) on 8 × H100 80 GB: TP 1 cannot hold it.
    let r = search(&inputs(r#"{"model": "llama-3.1-70b", "gpu": "h100-sxm", "workload": {"isl": 1024, "osl": 256}}"#)).unwrap();
    for e in &r.evaluations {
        if e.layout.tp * e.layout.pp == 1 {
            assert!(e.feasible().is_none(), "{} should not fit", e.layout);
        }
    }
    for &i in &r.ranking {
        let e = &r.evaluations[i];
        let m = e.memory.as_ref().unwrap();
        assert!(m.weights <= m.weight_room && m.max_requests_per_replica >= 1, "{} ranks but does not fit", e.layout);
    }
    assert!(!r.ranking.is_empty());
}

#[test]
fn pp_raises_tpot_but_keeps_most_of_the_throughput() {
    // Llama 3.1 70B fp8 on 16 H100s at a fixed 256 requests: PP 2 × TP 8 against DP 2 × TP 8.
    let base = r#"{"model": "llama-3.1-70b", "weights": "fp8", "gpu": "h100-sxm", "nodes": 2,
                   "workload": {"isl": 1024, "osl": 1024, "concurrency": 256}, "layout": {"tp": 8}}"#;
    let r = search(&inputs(base)).unwrap();
    let find = |pp: u32| r.evaluations.iter().find(|e| e.layout.pp == pp).unwrap().feasible().unwrap();
    let (dp2, pp2) = (find(1), find(2));
    assert!(pp2.tpot > dp2.tpot, "TPOT PP 2 {:?} vs DP 2 {:?}", pp2.tpot, dp2.tpot);
    let kept = pp2.output_tok_s / dp2.output_tok_s;
    assert!(kept > 0.5 * 1.2, "PP 2 keeps {kept:.2} of DP 2's throughput; 1/PP would be 0.5");
}

#[test]
fn tp_across_nodes_can_be_forbidden() {
    let text = r#"{"model": "llama-3.1-70b", "gpu": "h100-sxm", "nodes": 2, "allow_tp_across_nodes": false,
                   "workload": {"isl": 1024, "osl": 256}}"#;
    let r = search(&inputs(text)).unwrap();
    let tp16 = r.evaluations.iter().find(|e| e.layout.tp == 16).unwrap();
    assert_eq!(tp16.reasons()[0].code(), "tp-across-nodes");
}

#[test]
fn tp_across_nodes_pays_more_communication_than_inside_one() {
    // Staggered: decode steps (latency-bound all-reduces) and steps carrying a prompt's chunk
    // (megabytes each, so the network's bandwidth shows). The hierarchical all-reduce keeps most
    // bytes on NVLink (a reduce-scatter inside each node, an eighth of the data across the
    // nodes, one NIC per GPU), so TP 16 pays more in both, not the 9× of the links' bandwidths.
    let text = r#"{"model": "llama-3.1-70b", "gpu": "h100-sxm", "nodes": 2,
                   "workload": {"isl": 1024, "osl": 256, "concurrency": 16, "arrivals": "staggered"}}"#;
    let r = search(&inputs(text)).unwrap();
    let comm = |tp: u32| {
        let e = r.evaluations.iter().find(|e| e.layout.tp == tp && e.layout.pp == 1).unwrap();
        let p = e.feasible().unwrap();
        [p.decode_step.communication, p.prefill_step.communication]
    };
    // TP 16 spans the InfiniBand link; TP 8 stays on NVLink.
    let (tp16, tp8) = (comm(16), comm(8));
    for (step, (a, b)) in ["decode", "chunk"].iter().zip(tp16.iter().zip(tp8.iter())) {
        assert!(*a > *b * 1.3, "{step} step: TP 16 {a:?} vs TP 8 {b:?}");
    }
}

#[test]
fn rankings_follow_the_priority() {
    let base = |priority: &str| {
        inputs(&format!(
            r#"{{"model": "llama-3.1-8b", "gpu": "h100-sxm", "priority": "{priority}",
                "workload": {{"isl": 1024, "osl": 256, "concurrency": 64}}}}"#
        ))
    };
    let tput = search(&base("throughput")).unwrap();
    let lat = search(&base("latency")).unwrap();
    let per_gpu = |r: &SearchResult, i: usize| r.evaluations[i].feasible().unwrap().output_tok_s;
    let tpot = |r: &SearchResult, i: usize| r.evaluations[i].feasible().unwrap().tpot;
    for w in tput.ranking.windows(2) {
        assert!(per_gpu(&tput, w[0]) >= per_gpu(&tput, w[1]));
    }
    for w in lat.ranking.windows(2) {
        assert!(tpot(&lat, w[0]) <= tpot(&lat, w[1]));
    }
}

/// The search reuses what layouts that differ only in `ep` share (`evaluate::Evaluator`); every
/// evaluation must equal the one a fresh evaluator gives the layout alone. Regression guard for
/// the reuse: dense and MoE, windowed, MLA and compressed attention, uneven pipeline splits,
/// every engine.
#[test]
fn reusing_shared_parts_changes_no_evaluation() {
    let scenarios = [
        r#"{"model": "moonshotai/Kimi-K2-Instruct", "weights": "fp8", "kv_cache": "fp8", "gpu": "h200-sxm", "nodes": 8, "workload": {"isl": 4096, "osl": 1024}}"#,
        r#"{"model": "mixtral-8x7b", "gpu": "h100-sxm", "nodes": 2, "engine": "sglang", "workload": {"isl": 1024, "osl": 256, "concurrency": 96}}"#,
        r#"{"model": "google/gemma-4-31B-it", "gpu": "a100-sxm-80gb", "nodes": 2, "engine": "trtllm", "workload": {"isl": 8192, "osl": 512}}"#,
        r#"{"model": "openai/gpt-oss-120b", "gpu": "h100-sxm", "nodes": 3, "weights": "fp4", "workload": {"isl": 1024, "osl": 1024, "request_rate": 5}}"#,
        r#"{"model": "deepseek-ai/DeepSeek-V3", "gpu": "h200-sxm", "nodes": 4, "weights": "fp8", "engine": "sglang", "workload": {"isl": 2048, "osl": 512, "concurrency": 256}}"#,
        r#"{"model": "deepseek-v4-flash", "gpu": "b200", "nodes": 2, "weights": "fp4", "kv_cache": "fp8", "engine": "sglang", "workload": {"isl": 32768, "osl": 2048}}"#,
    ];
    for text in scenarios {
        let i = inputs(text);
        let r = search(&i).unwrap();
        let layouts = enumerate(i.cluster.total_gpus(), i.model.is_moe(), &i.constraint).unwrap();
        assert_eq!(r.evaluations.len(), layouts.len());
        for (e, l) in r.evaluations.iter().zip(layouts) {
            assert_eq!(*e, crate::evaluate::evaluate(&i, l), "{text}: {l}");
        }
    }
}
