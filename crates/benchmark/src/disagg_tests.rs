//! The loop for disaggregated plans: the script's functions against the engines' real flags,
//! their placement, and what it does for engines it cannot start.

use super::compare::{beside_disaggregated, match_to_plan, measurements, Flag};
use super::deploy::{Deployment, Role};
use super::import::{import, Disaggregation};
use super::naming::{disagg_from_name, disagg_result_stem, Workers};
use super::script::disagg::{place, targets};
use super::script::{script, BenchLoad};
use planner::engine::Engine;
use super::tests::{commands, engine_flags, inputs};
use planner::layout::Layout;
use planner::planning::plan_inputs;

/// Long prompts under a tight TPOT limit (the planner's disaggregation case) on SGLang.
const SGLANG: &str = r#"{"model": "Qwen/Qwen3-235B-A22B", "weights": "fp8", "kv_cache": "fp8", "gpu": "h200-sxm",
    "nodes": 4, "gpus_per_node": 8, "engine": "sglang", "workload": {"isl": 8192, "osl": 1024},
    "sla": {"ttft_ms": 3000, "tpot_ms": 30}, "serving": "disaggregated"}"#;

/// The same model on vLLM, at a fixed concurrency without an SLA, both modes.
const VLLM: &str = r#"{"model": "Qwen/Qwen3-235B-A22B", "weights": "fp8", "kv_cache": "fp8", "gpu": "h200-sxm",
    "nodes": 4, "gpus_per_node": 8, "engine": "vllm", "workload": {"isl": 8192, "osl": 1024, "concurrency": 64},
    "serving": "both"}"#;

#[test]
fn sglang_candidates_start_every_worker_and_the_router_with_known_flags() {
    let i = inputs(SGLANG);
    let plan = plan_inputs(&i).unwrap();
    let picked = targets(&i, plan.disaggregated.as_ref().unwrap(), 2);
    assert_eq!(picked.len(), 2);
    let text = script(&i, 2).unwrap();
    assert!(!text.contains("run_layout_1"), "disaggregated only: {text}");
    let known = engine_flags();
    let mut seen = std::collections::BTreeMap::<&str, usize>::new();
    for (tool, flags, full) in commands(&text) {
        *seen.entry(tool).or_default() += 1;
        for flag in flags {
            assert!(known[tool].contains(flag.as_str()), "{tool} has no flag {flag} (engine_flags.txt): {full}");
        }
    }
    let workers: u32 = picked.iter().map(|t| t.prefill.count * nodes(t.prefill) + t.decode.count * nodes(t.decode)).sum();
    assert_eq!(seen.get("sglang-launch-server").copied(), Some(workers as usize), "{seen:?}");
    assert_eq!((seen.get("sglang-router").copied(), seen.get("sglang-bench-serving").copied()), (Some(2), Some(2)));
    for (k, t) in picked.iter().enumerate() {
        let n = k + 1;
        let body = function_body(&text, &format!("run_disagg_{n}()"));
        // The result file reads back as this candidate's workers.
        assert_eq!(disagg_from_name(&t.result_file), Some((t.prefill, t.decode)), "{}", t.result_file);
        assert!(body.contains(&format!("--output-file \"$RESULT_DIR/{}\"", t.result_file)), "{body}");
        // Every worker waited for, then the router, then the benchmark against the router.
        let (prefill, decode) = (t.prefill.count as usize, t.decode.count as usize);
        assert_eq!(body.matches("WORKER_URLS+=").count(), prefill + decode, "{body}");
        assert_eq!(body.matches("--disaggregation-mode prefill").count(), prefill * nodes(t.prefill) as usize);
        assert_eq!(body.matches("--disaggregation-mode decode").count(), decode * nodes(t.decode) as usize);
        assert_eq!(body.matches("  --prefill ").count(), prefill, "{body}");
        assert_eq!(body.matches("  --decode ").count(), decode, "{body}");
        let order = ["wait_healthy_at", "sglang_router.launch_router", "wait_healthy ||", "sglang.bench_serving", "stop_servers\n"];
        let at: Vec<usize> = order.iter().map(|o| body.find(o).unwrap_or_else(|| panic!("{o} missing: {body}"))).collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{order:?} at {at:?}: {body}");
        // Each prefill worker has its own bootstrap port, each worker its own HTTP port.
        let mut bootstrap: Vec<&str> =
            body.lines().filter_map(|l| l.trim().strip_prefix("--disaggregation-bootstrap-port ")).collect();
        bootstrap.dedup();
        assert_eq!(bootstrap.len(), prefill, "{body}");
    }
}

/// The lines of one shell function.
fn function_body<'a>(text: &'a str, name: &str) -> &'a str {
    let start = text.find(name).unwrap_or_else(|| panic!("no {name}"));
    let end = text[start..].find("\n}\n").map_or(text.len(), |e| start + e);
    &text[start..end]
}

/// Nodes one worker spans on 8-GPU nodes.
fn nodes(w: Workers) -> u32 {
    w.layout.gpus().div_ceil(8)
}

#[test]
fn vllm_candidates_are_printed_for_a_front_end_and_skipped() {
    let i = inputs(VLLM);
    let text = script(&i, 1).unwrap();
    assert!(text.contains("run_layout_1") && text.contains("run_disagg_1"), "both modes: {text}");
    let body = function_body(&text, "run_disagg_1()");
    assert!(body.contains("vLLM has no prefill/decode router of its own") && body.contains("return 1"), "{body}");
    assert!(body.contains("kv_producer") && body.contains("kv_consumer"), "{body}");
    assert!(!body.contains("setsid"), "nothing is started: {body}");
    // The benchmark it prints names both sides in its metadata and no single layout.
    assert!(body.contains("--metadata engine=vllm gpu=h200-sxm mode=disagg prefill="), "{body}");
    let known = engine_flags();
    for (tool, flags, full) in commands(&text) {
        for flag in flags {
            assert!(known[tool].contains(flag.as_str()), "{tool} has no flag {flag} (engine_flags.txt): {full}");
        }
    }
}

#[test]
fn aggregated_serving_benchmarks_no_disaggregated_candidate() {
    let aggregated = VLLM.replace(r#""serving": "both""#, r#""serving": "aggregated""#);
    let text = script(&inputs(&aggregated), 2).unwrap();
    assert!(text.contains("run_layout_1") && !text.contains("run_disagg_"), "{text}");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// Workers are placed without sharing a GPU, never straddle a node when smaller than one,
    /// and take no more nodes than the planner's placement rule counts.
    #[test]
    fn placement_never_overlaps_and_matches_the_planner(
        x in 1u32..9, y in 1u32..9, p in 0u32..5, d in 0u32..5, node in proptest::sample::select(vec![4u32, 8]),
    ) {
        let i = inputs(SGLANG);
        let side = |count, log2: u32| Workers { count, layout: Layout::new(1 << log2, 1, 1, 1, 1 << log2).unwrap() };
        let mut deployment = Deployment::from_workers(&i, side(x, p), side(y, d));
        deployment.gpus_per_node = node;
        let placed = place(&deployment).unwrap();
        proptest::prop_assert_eq!(placed.len() as u32, x + y);
        let mut gpus = std::collections::BTreeSet::new();
        for w in &placed {
            let size = deployment.groups.iter().find(|g| g.role == w.role).unwrap().layout.gpus();
            match &w.gpus {
                Some(range) => {
                    proptest::prop_assert!(range.end <= node && range.len() as u32 == size && w.nodes == 1, "{:?}", w);
                    for g in range.clone() {
                        proptest::prop_assert!(gpus.insert((w.first_node, g)), "GPU {} of node {} twice", g, w.first_node);
                    }
                }
                None => {
                    proptest::prop_assert!(size >= node && w.nodes == size.div_ceil(node), "{:?}", w);
                    for n in w.first_node..w.first_node + w.nodes {
                        for g in 0..node {
                            proptest::prop_assert!(gpus.insert((n, g)), "GPU {} of node {} twice", g, n);
                        }
                    }
                }
            }
        }
        let used = placed.iter().map(|w| w.first_node + w.nodes).max().unwrap();
        let planner = planner::disagg::placement::nodes_needed(x, 1 << p, y, 1 << d, node);
        proptest::prop_assert_eq!(used as u64, planner, "{:?}", placed);
        proptest::prop_assert!(placed.iter().filter(|w| w.role == Role::Prefill).count() as u32 == x);
    }
}

/// An SGLang `bench_serving` result of a disaggregated run, as the script's client writes it.
fn sglang_result(tag: &str, concurrency: u32, tok_s: f64, ttft_ms: f64, tpot_ms: f64) -> String {
    serde_json::json!({
        "backend": "sglang", "dataset_name": "random", "random_input_len": 8192, "random_output_len": 1024,
        "random_range_ratio": 1.0, "max_concurrency": concurrency, "completed": 1000, "tag": tag,
        "total_input_tokens": 8_192_000, "total_output_tokens": 1_024_000, "output_throughput": tok_s,
        "mean_ttft_ms": ttft_ms, "mean_tpot_ms": tpot_ms,
    })
    .to_string()
}

#[test]
fn a_disaggregated_run_is_matched_to_its_candidate_and_compared() {
    let i = inputs(SGLANG);
    let plan = plan_inputs(&i).unwrap();
    let t = &targets(&i, plan.disaggregated.as_ref().unwrap(), 1)[0];
    let BenchLoad::Concurrency { requests } = t.load else { panic!("{:?}", t.load) };
    let gpus = i.cluster.total_gpus() as f64;
    // Measured 10 % below the prediction on every figure.
    let (tok_s, ttft, tpot) = (t.predicted_tok_s_per_gpu * gpus * 0.9, t.predicted_ttft_ms * 1.1, t.predicted_tpot_ms * 1.1);
    let stem = t.result_file.trim_end_matches(".jsonl");
    let run = &import(&t.result_file, &sglang_result(stem, requests, tok_s, ttft, tpot)).unwrap()[0];
    assert_eq!(run.disaggregated.and_then(|d| d.workers()), Some((t.prefill, t.decode)));
    assert!(run.layout.is_none());
    let report = match_to_plan(&i, std::slice::from_ref(run)).unwrap();
    let c = &report.comparisons[0];
    assert!(c.matched, "{:?}", c.flags);
    assert_eq!(c.disaggregated.as_ref().map(|d| d.label.as_str()), Some(t.label.as_str()));
    // The prediction at the run's load is the plan's at the planned load, within the rounding
    // of the requests in flight to a whole concurrency; TTFT apart: a closed loop at that
    // concurrency waits for a prefill worker (`pairing`), which the maximum-throughput point
    // does not count, so its prediction is the plan's or more.
    let f = c.ttft_ms.unwrap();
    assert!(f.measured == ttft && f.predicted >= t.predicted_ttft_ms * (1.0 - 1e-9), "TTFT {f:?}, plan {}", t.predicted_ttft_ms);
    for (name, figure, expected) in
        [("tok/s per GPU", c.output_tok_s_per_gpu, 1.0 / 0.9 - 1.0), ("TPOT", c.tpot_ms, 1.0 / 1.1 - 1.0)]
    {
        let error = figure.and_then(|f| f.error).unwrap();
        let tolerance = 0.02;
        assert!((error - expected).abs() < tolerance, "{name}: expected error {expected:.4}, got {error:.4} (± {tolerance})");
    }
    let beside = beside_disaggregated(&report, &plan, i.workload.load);
    let best = plan.disaggregated.as_ref().unwrap().ranking[0];
    assert_eq!(beside[best].as_ref().map(|c| c.run), Some(0));
    assert_eq!(beside.iter().flatten().count(), 1);
    // The comparison's JSON carries the label; an aggregated run's has no such field.
    assert!(serde_json::to_string(c).unwrap().contains(&format!("\"label\":\"{}\"", t.label)));
}

#[test]
fn mismatched_disaggregated_runs_are_flagged_never_compared() {
    let i = inputs(SGLANG);
    let plan = plan_inputs(&i).unwrap();
    let t = &targets(&i, plan.disaggregated.as_ref().unwrap(), 1)[0];
    let BenchLoad::Concurrency { requests } = t.load else { panic!("{:?}", t.load) };
    let named = |p: Workers, d: Workers| {
        let stem = disagg_result_stem(Engine::Sglang, p, d);
        import(&format!("{stem}.jsonl"), &sglang_result(&stem, requests, 1000.0, 900.0, 25.0)).unwrap().remove(0)
    };
    let more = Workers { count: t.prefill.count + 1, ..t.prefill };
    let dense_decode = Workers { count: 1, layout: Layout::new(8, 1, 1, 1, 8).unwrap() };
    let mut server_info_only = named(t.prefill, t.decode);
    server_info_only.disaggregated = server_info_only.disaggregated.map(|d| Disaggregation { prefill: None, decode: None, ..d });
    let runs = [named(more, t.decode), named(t.prefill, dense_decode), server_info_only];
    let report = match_to_plan(&i, &runs).unwrap();
    let codes: Vec<Vec<&Flag>> = report.comparisons.iter().map(|c| c.flags.iter().filter(|f| f.blocks()).collect()).collect();
    assert!(matches!(codes[0][..], [Flag::WorkerCountsDiffer { .. }]), "{codes:?}");
    assert!(matches!(codes[1][..], [Flag::NoSuchDisaggCandidate { .. }]), "{codes:?}");
    assert!(matches!(codes[2][..], [Flag::Disaggregated { .. }]), "{codes:?}");
    assert!(report.comparisons.iter().all(|c| !c.matched && c.output_tok_s.is_none()));
    // Against a scenario that plans aggregated serving only.
    let aggregated = inputs(&SGLANG.replace(r#""serving": "disaggregated""#, r#""serving": "aggregated""#));
    let report = match_to_plan(&aggregated, &runs[..1]).unwrap();
    assert!(report.comparisons[0].flags.contains(&Flag::PlanNotDisaggregated), "{:?}", report.comparisons[0].flags);
    // And none of them becomes a measurement to fit.
    assert!(measurements(&i, &runs).is_empty());
}

/// A matched disaggregated run becomes a measurement of its workers (step 4, recalibration):
/// predicted again by calibration, its figures are the comparison's, and the fit's errors
/// before are the comparison's errors.
#[test]
fn a_matched_disaggregated_run_is_a_measurement_of_its_workers() {
    let i = inputs(SGLANG);
    let plan = plan_inputs(&i).unwrap();
    let t = &targets(&i, plan.disaggregated.as_ref().unwrap(), 1)[0];
    let BenchLoad::Concurrency { requests } = t.load else { panic!("{:?}", t.load) };
    let gpus = i.cluster.total_gpus() as f64;
    let (tok_s, ttft, tpot) = (t.predicted_tok_s_per_gpu * gpus * 0.9, t.predicted_ttft_ms * 1.3, t.predicted_tpot_ms * 1.1);
    let stem = t.result_file.trim_end_matches(".jsonl");
    let runs = import(&t.result_file, &sglang_result(stem, requests, tok_s, ttft, tpot)).unwrap();
    let compared = match_to_plan(&i, &runs).unwrap().comparisons.remove(0);
    let m: Vec<_> = measurements(&i, &runs).into_iter().map(|(_, m)| m).collect();
    assert_eq!(m.len(), 1);
    let d = m[0].disaggregated.expect("a disaggregated measurement");
    assert_eq!((d.prefill.count, d.prefill.layout, d.decode.count, d.decode.layout), (t.prefill.count, t.prefill.layout, t.decode.count, t.decode.layout));
    let r = calibration::recalibrate::recalibrate(&i, &m).unwrap();
    let before = r.measurements[0].before;
    for (name, fit, compared) in [
        ("tok/s per GPU", Some(before.output_tok_s_per_gpu), compared.output_tok_s_per_gpu),
        ("TTFT", before.ttft_ms, compared.ttft_ms),
        ("TPOT", before.tpot_ms, compared.tpot_ms),
    ] {
        let (fit, compared) = (fit.unwrap(), compared.unwrap());
        let tolerance = 1e-9;
        assert!(
            (fit.predicted - compared.predicted).abs() <= tolerance * compared.predicted,
            "{name}: expected the comparison's prediction {}, actual {} (relative tolerance {tolerance})",
            compared.predicted,
            fit.predicted
        );
        assert_eq!(fit.measured, compared.measured, "{name}");
    }
    assert!(r.measurements[0].workers.as_deref().is_some_and(|w| w.contains("× P")), "{:?}", r.measurements[0].workers);
    assert!(r.loss_after < r.loss_before, "loss {} → {}", r.loss_before, r.loss_after);
    println!("free {:?}; loss {:.5} → {:.5}", r.free, r.loss_before, r.loss_after);
}
