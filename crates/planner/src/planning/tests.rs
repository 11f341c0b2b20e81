//! Plans end to end: the FORMAT.md shape, and invariants over random scenarios.

use super::*;
use crate::gpu::catalog as gpus;
use crate::model::catalog as models;
use proptest::prelude::*;
use serde_json::{json, Value};

fn plan_json(scenario: Value) -> Result<Plan, InputError> {
    plan(&ScenarioInput::from_value(scenario)?)
}

/// GPU ids the catalog can plan without a custom spec.
fn usable_gpus() -> Vec<String> {
    gpus::entries().iter().filter(|g| gpus::lookup(g.id).is_ok()).map(|g| g.id.to_string()).collect()
}

#[test]
fn the_format_md_example_plans() {
    let p = plan_json(json!({
        "model": "meta-llama/Llama-3.1-70B-Instruct", "weights": "bf16", "kv_cache": "bf16",
        "gpu": "h100-sxm", "nodes": 2, "gpus_per_node": 8, "engine": "vllm",
        "workload": { "isl": 2048, "osl": 512, "concurrency": 64 },
        "sla": { "ttft_ms": 2000, "tpot_ms": 50 }, "priority": "throughput",
        "layout": { "tp": 8, "pp": 1, "dp": 2, "ep": 1 }
    }))
    .unwrap();
    assert_eq!(p.candidates.len(), 1);
    assert_eq!(p.model.kv_cache_bytes_per_token, 327_680.0);
    let json = serde_json::to_value(&p).unwrap();
    for key in ["scenario", "model", "recommended", "rule_of_thumb", "trace", "candidates", "pareto", "warnings"] {
        assert!(json.get(key).is_some(), "plan lacks {key}");
    }
    let c = &json["candidates"][0];
    for key in ["layout", "feasible", "rejected_because", "concurrency", "ttft_ms", "tpot_ms", "output_tok_s",
        "output_tok_s_per_gpu", "tok_s_per_user", "memory_per_gpu_gib", "bound", "range"]
    {
        assert!(c.get(key).is_some(), "candidate lacks {key}");
    }
}

/// A vision-language model's plan shows its vision tower as its own memory item, part of the
/// weights; a text model's plan has no such item. Qwen3-VL-8B at TP 2: each GPU holds
/// 576,388,336 / 2 parameters of the tower (`model::config::folder_tests`) in 16 bits,
/// 0.5368 GiB. (Which stage holds it: `memory::weights`.)
#[test]
fn the_vision_tower_is_a_memory_item_of_a_vlm_only() {
    let scenario = |model: &str| {
        json!({"model": model, "gpu": "h100-sxm", "gpus_per_node": 2, "workload": {"isl": 2048, "osl": 256, "concurrency": 8},
               "layout": {"tp": 2, "pp": 1, "dp": 1, "ep": 1}})
    };
    let vlm = plan_json(scenario("qwen/qwen3-vl-8b-instruct")).unwrap();
    let m = vlm.candidates[0].memory_per_gpu_gib;
    let tower = 576_388_336.0 / 2.0 * 2.0 / (1u64 << 30) as f64;
    println!("Qwen3-VL-8B TP 2 vision encoder: expected {tower} GiB, actual {}, tolerance 1e-12", m.vision_encoder);
    assert!((m.vision_encoder - tower).abs() < 1e-12, "{m:?}");
    assert!((m.language_model_weights() + m.vision_encoder - m.weights).abs() < 1e-12, "{m:?}");
    let json = serde_json::to_value(&vlm).unwrap();
    let memory = &json["candidates"][0]["memory_per_gpu_gib"];
    assert!(memory["vision_encoder"].is_number(), "{memory}");
    assert_eq!(vlm.model.total_params - vlm.model.active_params, 576_388_336, "a dense VLM: only the tower is not active");
    let text = plan_json(scenario("meta-llama/Llama-3.1-8B")).unwrap();
    let json = serde_json::to_value(&text).unwrap();
    let memory = &json["candidates"][0]["memory_per_gpu_gib"];
    assert!(memory.get("vision_encoder").is_none(), "a text model's plan has no vision item: {memory}");
}

#[test]
fn an_sla_no_layout_meets_gives_an_empty_recommendation_with_the_reason() {
    let p = plan_json(json!({
        "model": "llama-3.1-70b", "gpu": "h100-sxm", "workload": {"isl": 2048, "osl": 256},
        "sla": {"tpot_ms": 0.5}
    }))
    .unwrap();
    assert!(p.recommended.is_none());
    let last = p.trace.last().unwrap();
    assert_eq!(last.id, "no-feasible-layout");
    assert!(p.candidates.iter().any(|c| c.rejected_because.as_deref() == Some("sla-tpot")));
}

/// Issue 11, item 3: a request rate above what a layout serves is overloaded — served at its
/// capacity, with no TTFT (the queue grows without bound) — and the plan says so in numbers.
#[test]
fn an_overloaded_request_rate_is_served_at_capacity_and_said_in_numbers() {
    let offered = 1000.0;
    let p = plan_json(json!({"model": "llama-3.1-8b", "gpu": "h100-sxm", "workload": {"isl": 2048, "osl": 512, "request_rate": offered}}))
        .unwrap();
    assert!(p.recommended.is_none(), "1000 req/s of 2048 + 512 tokens overload one H100");
    let c = &p.candidates[0];
    assert_eq!(c.rejected_because.as_deref(), Some("saturated"));
    let served = c.output_tok_s.expect("served at capacity") / 512.0;
    let detail = c.rejected_detail.as_deref().unwrap_or_default();
    let said = format!("overloaded: {offered:.2} req/s offered, {served:.2} req/s served");
    println!("{detail}");
    assert!(detail.starts_with(&said), "expected {said:?} in {detail:?}");
    assert_eq!((c.ttft_ms, c.concurrency, c.range), (None, None, None), "no steady TTFT nor queue length when overloaded");
    assert!(c.tpot_ms.is_some_and(|t| t > 0.0) && served > 0.0 && served < offered);
    // The same capacity as the maximum-throughput point of the layout.
    let max = plan_json(json!({"model": "llama-3.1-8b", "gpu": "h100-sxm", "workload": {"isl": 2048, "osl": 512}})).unwrap();
    let capacity = max.candidates[0].output_tok_s.unwrap();
    let diff = (c.output_tok_s.unwrap() - capacity).abs() / capacity;
    println!("served at capacity: expected {capacity:.1} tok/s, actual {:.1}, difference {diff:.2e}, tolerance 1e-9", c.output_tok_s.unwrap());
    assert!(diff < 1e-9);
    let last = p.trace.last().unwrap();
    assert_eq!(last.id, "no-feasible-layout");
    assert!(last.detail.contains(&format!("the most any serves is {served:.2} req/s")), "{}", last.detail);
    assert_eq!(last.inputs["offered_req_s"], offered);
}

#[test]
fn the_trace_explains_the_winner_and_the_rule() {
    let p = plan_json(json!({"model": "llama-3.1-70b", "gpu": "h100-sxm", "nodes": 2,
                             "workload": {"isl": 1024, "osl": 512}})).unwrap();
    let ids: Vec<&str> = p.trace.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["enumerate", "reject", "operating-point", "rank", "winner", "vs-rule-of-thumb"]);
    let winner = p.recommended.as_ref().unwrap();
    assert!(p.trace[4].title.contains(&winner.layout.to_string()));
    assert_eq!(p.trace[0].inputs["layouts"], p.candidates.len() as f64);
    assert!(p.trace[5].detail.contains("TP 8 × PP 1 × DP 2"), "{}", p.trace[5].detail);
}

#[test]
fn bad_scenarios_name_their_field() {
    let cases = [
        (json!({"model": "llama-3.1-8b", "gpu": "h100-sxm", "nodes": 0, "workload": {"isl": 1, "osl": 1}}), "nodes"),
        (json!({"model": "llama-3.1-8b", "gpu": "h100-sxm", "workload": {"isl": 0, "osl": 1}}), "workload.isl"),
        (json!({"model": "llama-3.1-8b", "gpu": "h100-sxm", "workload": {"isl": 8, "osl": -1}}), "workload.osl"),
        (json!({"model": "llama-3.1-8b", "gpu": "h100-sxm", "workload": {"isl": 8, "osl": 8}, "layout": {"tp": 3}}), "layout.tp"),
        (json!({"model": "llama-3.1-8b", "gpu": "h100-sxm", "workload": {"isl": 8, "osl": 8}, "layout": {"tp": 8, "pp": 2}}), "layout"),
    ];
    for (scenario, field) in cases {
        let err = plan_json(scenario.clone()).expect_err(&scenario.to_string());
        assert_eq!(err.field, field, "{scenario}: {err}");
    }
}

fn finite_positive(x: Option<f64>, what: &str, c: &Candidate) {
    let x = x.unwrap_or_else(|| panic!("{} feasible but {what} missing", c.layout));
    assert!(x.is_finite() && x > 0.0, "{}: {what} = {x}", c.layout);
}

/// A random scenario's `workload` and `sla`: `load` 1 a concurrency of `c`, 2 a request rate of
/// `rate`, otherwise the maximum-throughput point; each limit when drawn. Shared by the property
/// tests of aggregated and disaggregated planning.
pub(crate) fn workload_and_sla(
    (isl, osl, load, c, rate): (u32, u32, u8, u32, f64),
    (ttft, tpot): (Option<f64>, Option<f64>),
) -> (Value, Value) {
    let mut workload = json!({"isl": isl, "osl": osl});
    match load {
        1 => workload["concurrency"] = json!(c),
        2 => workload["request_rate"] = json!(rate),
        _ => {}
    }
    let mut sla = json!({});
    if let Some(t) = ttft {
        sla["ttft_ms"] = json!(t);
    }
    if let Some(t) = tpot {
        sla["tpot_ms"] = json!(t);
    }
    (workload, sla)
}

fn scenario_strategy() -> impl Strategy<Value = Value> {
    let n_models = models::entries().len();
    let n_gpus = usable_gpus().len();
    (
        (0..n_models, 0..n_gpus, 1u32..=4, prop::sample::select(vec![1u32, 2, 4, 8])),
        (prop::sample::select(vec!["bf16", "fp8", "int4", "fp4"]), prop::sample::select(vec!["bf16", "fp8"])),
        prop::sample::select(vec!["vllm", "sglang", "trtllm"]),
        (1u32..=32768, 1u32..=8192, 0u8..3, 1u32..=4096, 0.01f64..200.0),
        (prop::option::of(50.0f64..10_000.0), prop::option::of(2.0f64..500.0)),
        prop::sample::select(vec!["throughput", "latency", "balanced"]),
    )
        .prop_map(move |((m, g, nodes, gpn), (w, kv), engine, (isl, osl, load, c, rate), (ttft, tpot), priority)| {
            let (workload, sla) = workload_and_sla((isl, osl, load, c, rate), (ttft, tpot));
            json!({
                "model": models::entries()[m].id, "gpu": usable_gpus()[g], "nodes": nodes, "gpus_per_node": gpn,
                "weights": w, "kv_cache": kv, "engine": engine, "workload": workload, "sla": sla, "priority": priority,
            })
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Issue 4: no panic; every feasible candidate fits in memory; tp × pp × dp = GPUs; all
    /// figures finite and positive; the recommendation is the best-ranked feasible candidate.
    #[test]
    fn random_scenarios_keep_the_invariants(scenario in scenario_strategy()) {
        let gpus = scenario["nodes"].as_u64().unwrap() * scenario["gpus_per_node"].as_u64().unwrap();
        let p = match plan_json(scenario.clone()) {
            Ok(p) => p,
            // Only a precision the GPU cannot be trusted with, or lengths past the model's
            // context window, may be refused here.
            Err(e) => {
                let past_window = e.field.starts_with("workload.") && e.message.contains("context window");
                prop_assert!(e.field == "gpu" || past_window, "{}: {}", scenario, e);
                return Ok(());
            }
        };
        for c in &p.candidates {
            prop_assert_eq!((c.layout.tp * c.layout.pp * c.layout.dp) as u64, gpus);
            let m = &c.memory_per_gpu_gib;
            for part in [m.weights, m.kv_cache, m.activations, m.overhead, m.capacity] {
                prop_assert!(part.is_finite() && part >= 0.0, "{}: memory part {}", c.layout, part);
            }
            if c.feasible {
                prop_assert!(m.weights + m.kv_cache + m.activations + m.overhead <= m.capacity * (1.0 + 1e-9),
                    "{} feasible but over capacity: {:?}", c.layout, m);
                for (x, what) in [(c.ttft_ms, "ttft"), (c.tpot_ms, "tpot"), (c.output_tok_s, "tok/s"),
                                  (c.output_tok_s_per_gpu, "tok/s/GPU"), (c.tok_s_per_user, "tok/s/user")] {
                    finite_positive(x, what, c);
                }
                prop_assert!(c.concurrency.unwrap_or(0) >= 1);
            } else {
                prop_assert!(c.rejected_because.is_some());
            }
        }
        match &p.recommended {
            Some(r) => prop_assert!(r.feasible),
            None => prop_assert!(p.candidates.iter().all(|c| !c.feasible)),
        }
        for &i in &p.pareto {
            prop_assert!(p.candidates[i].feasible);
        }
        // The ranking holds every feasible candidate once, the recommended one first.
        let mut ranked = p.ranking.clone();
        ranked.sort_unstable();
        let feasible: Vec<usize> = (0..p.candidates.len()).filter(|&i| p.candidates[i].feasible).collect();
        prop_assert_eq!(ranked, feasible);
        prop_assert_eq!(p.ranking.first().map(|&i| &p.candidates[i]), p.recommended.as_ref());
        // The plan's scenario (every default filled in) plans the same again.
        prop_assert_eq!(&plan_json(p.scenario.clone()).unwrap(), &p);
    }
}

/// The plan's `scenario` replays the plan (the benchmark worker is sent it): with a custom
/// GPU, a pasted config.json, fixed sizes, engine options, an SLA and a kept fit.
#[cfg(feature = "config-import")]
#[test]
fn the_echoed_scenario_plans_the_same_plan() {
    let config: Value = serde_json::from_str(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/model-configs/Qwen--Qwen3-30B-A3B.json")))
        .expect("a shared config.json");
    let scenarios = [
        json!({"model": {"name": "pasted", "config": config}, "gpu": "h100-sxm", "nodes": 2, "layout": {"tp": 4},
               "workload": {"isl": 1024, "osl": 256, "request_rate": 3.5, "arrivals": "staggered"},
               "sla": {"ttft_ms": 900.0}, "engine": "sglang", "engine_options": {"memory_fraction": 0.8}}),
        json!({"model": "llama-3.1-70b", "gpu": {"name": "mine", "memory_gib": 96, "hbm_tb_s": 4.0, "bf16_tflops": 900,
               "scale_up_gb_s": 450, "scale_out_gb_s": 50}, "workload": {"isl": 2048, "osl": 128, "concurrency": 32},
               "weights": "fp8", "priority": "latency", "allow_tp_across_nodes": false,
               "perf_params": {"hbm_efficiency": 0.75, "fit": {"measurements": 2, "output_tok_s_per_gpu": [-0.02, 0.01]}}}),
    ];
    for scenario in scenarios {
        let p = plan_json(scenario.clone()).unwrap_or_else(|e| panic!("{scenario}: {e}"));
        assert_eq!(plan_json(p.scenario.clone()).unwrap(), p, "{}", p.scenario);
    }
}

/// Found by the invariants' property test: at 0.01 requests/s of 1-token requests, Llama 3.2 1B
/// on one A100 has 0.0002 requests in the system on average, which rounded to 0 "in flight"
/// while serving; the plan counts the one being served.
#[test]
fn a_light_request_rate_reports_the_request_being_served() {
    let input = ScenarioInput::from_json(
        r#"{"model": "meta-llama/Llama-3.2-1B", "gpu": "a100-sxm-80gb", "nodes": 1, "gpus_per_node": 1,
            "workload": {"isl": 1, "osl": 1, "request_rate": 0.01}}"#,
    )
    .unwrap();
    let plan = plan(&input).unwrap();
    let recommended = plan.recommended.expect("a feasible layout");
    assert_eq!(recommended.concurrency, Some(1));
}

/// The startup page's build (no feature `capacity`) refuses a scenario with `capacity` on that
/// field, and plans one without it as before. Run with `--no-default-features`.
#[cfg(not(feature = "capacity"))]
#[test]
fn without_the_capacity_feature_a_capacity_scenario_is_refused_on_its_field() {
    let scenario = json!({"model": "llama-3.1-8b", "gpu": "h100-sxm", "workload": {"isl": 128, "osl": 128},
        "capacity": {"target": {"request_rate": 1}}});
    let e = plan_json(scenario.clone()).expect_err("no capacity planning in this build");
    assert_eq!(e.field, "capacity", "{e}");
    assert!(e.message.contains("full page"), "{e}");
    let mut without = scenario;
    without.as_object_mut().unwrap().remove("capacity");
    assert!(plan_json(without).is_ok());
}
