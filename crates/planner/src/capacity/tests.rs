//! Capacity planning: sizing, cost, energy, the comparison, sweeps and the shipped data.

use super::compare::resolve_on;
use super::input::read;
use super::sizing::{first_meeting, purchase_unit, replica_sizes, size};
use super::*;
use crate::inputs::resolve;
use crate::planning::plan;
use crate::scenario::ScenarioInput;
use serde_json::{json, Value};

/// The speed case: Llama-3.1-70B at FP8, 30 req/s, ISL 2048, OSL 512, TTFT ≤ 2 s, TPOT ≤ 50 ms.
fn llama_70b(capacity: Value) -> Value {
    json!({"model": "meta-llama/Llama-3.1-70B-Instruct", "weights": "fp8", "kv_cache": "fp8", "gpu": "h100-sxm",
           "workload": {"isl": 2048, "osl": 512}, "sla": {"ttft_ms": 2000, "tpot_ms": 50}, "capacity": capacity})
}

fn planned(scenario: Value) -> crate::plan::Plan {
    plan(&ScenarioInput::from_value(scenario.clone()).unwrap()).unwrap_or_else(|e| panic!("{scenario}: {e}"))
}

#[test]
fn the_70b_comparison_lists_every_catalog_gpu() {
    let started = std::time::Instant::now();
    let p = planned(llama_70b(json!({"target": {"request_rate": 30}})));
    let elapsed = started.elapsed();
    let c = p.capacity.expect("a capacity plan");
    println!("70B comparison planned in {elapsed:?} (unoptimised test build)");
    for r in &c.per_gpu {
        println!(
            "{:22} {:5} gpus {:?} replicas {:?} of {:?} cap {:?} bottleneck {:?} ttft {:?} tpot {:?} $/M {:?} kWh/M {:?} W {:?} reason {:?} notes {:?}",
            r.gpu, r.feasible, r.gpus, r.replicas, r.replica_layout.map(|l| l.to_string()), r.replica_capacity_req_s,
            r.bottleneck, r.ttft_ms, r.tpot_ms, r.usd_per_m_output_tokens, r.kwh_per_m_output_tokens, r.power_w_per_gpu, r.reason, r.notes
        );
    }
    let ids: Vec<&str> = crate::gpu::catalog::entries().iter().map(|e| e.id).collect();
    let listed: Vec<&str> = c.per_gpu.iter().map(|r| r.gpu.as_str()).collect();
    assert_eq!(listed, ids, "every catalog GPU listed, in catalog order");
    for r in &c.per_gpu {
        assert!(r.feasible != r.reason.is_some(), "{}: feasible {} with reason {:?}", r.gpu, r.feasible, r.reason);
    }
}

/// The scenario's inputs on its own GPU, ready for `size`.
fn base(scenario: Value) -> crate::inputs::PlannerInputs {
    let inputs = resolve(&ScenarioInput::from_value(scenario).unwrap()).unwrap();
    let gpu = inputs.input.gpu.clone();
    resolve_on(&inputs, &gpu, &crate::kernels::Library::empty()).unwrap()
}

/// Llama 3.1 8B on H100 SXM, TPOT ≤ 30 ms: fits one GPU, so replicas of one.
fn llama_8b() -> Value {
    json!({"model": "llama-3.1-8b", "gpu": "h100-sxm", "workload": {"isl": 1024, "osl": 256}, "sla": {"ttft_ms": 1000, "tpot_ms": 30}})
}

/// The replica at `per_replica` requests per second (Poisson), and whether it meets the SLA.
fn meets_at(inputs: &crate::inputs::PlannerInputs, sized: &sizing::Sizing, per_replica: f64) -> (bool, String) {
    use crate::workload::Load;
    let at = sizing::replica_inputs(inputs, sized.replica_size, Load::RequestRate(per_replica));
    let e = crate::evaluate::evaluate(&at, sized.replica);
    (e.feasible().is_some(), e.reasons().first().map_or_else(|| "meets".into(), |r| r.to_string()))
}

#[test]
fn capacity_scales_with_replicas() {
    let inputs = base(llama_8b());
    let one = size(&inputs, 0.5, 1024).unwrap();
    let cap = one.replica_capacity_req_s;
    // Loads just under whole multiples of one replica's capacity need that many replicas of the
    // same layout, and the deployment's capacity grows by one replica's each time.
    for k in 1..=4u32 {
        let sized = size(&inputs, 0.95 * k as f64 * cap, 1024).unwrap();
        let expected = k.div_ceil(sized.purchase_unit / sized.replica_size).max(1);
        println!("{k} × capacity: expected ⌈load ÷ {cap:.3}⌉ = {k} replicas needed, actual {} ({} deployed on {} GPUs)",
            sized.replicas_from_capacity, sized.replicas, sized.gpus);
        assert_eq!((sized.replica, sized.replica_size), (one.replica, one.replica_size), "the same replica at {k}×");
        assert_eq!(sized.replicas_from_capacity, k, "expected {k} replicas from the capacity, actual {}", sized.replicas_from_capacity);
        assert!(sized.replicas as f64 * cap >= 0.95 * k as f64 * cap, "the deployment serves the load");
        assert!(expected >= 1);
    }
}

#[test]
fn the_minimum_count_meets_the_load_and_one_replica_fewer_does_not() {
    for (name, scenario, rate) in [("8B on H100", llama_8b(), 400.0), ("70B fp8 on H200", llama_70b(Value::Null), 30.0)] {
        let inputs = base(scenario);
        let sized = size(&inputs, rate, 1024).unwrap();
        let (ok, why) = meets_at(&inputs, &sized, rate / sized.replicas as f64);
        println!("{name}: {} GPUs = {} replicas of {}: at {rate} req/s {why}", sized.gpus, sized.replicas, sized.replica);
        assert!(ok, "{name}: expected the SLA met at {} replicas, got {why}", sized.replicas);
        // The fewest whole units that meet it: the replicas one unit fewer holds do not.
        let fewer = (sized.gpus - sized.purchase_unit) / sized.replica_size;
        assert!(fewer >= 1, "{name}: the test wants more than one unit");
        let (ok, why) = meets_at(&inputs, &sized, rate / fewer as f64);
        println!("{name}: {fewer} replicas: {why}; the plan says {:?}", sized.fewer_fails);
        assert!(!ok, "{name}: expected {fewer} replicas to miss the SLA at {rate} req/s");
        // Whole units, within the ceiling, no fewer units would hold the replicas needed.
        assert_eq!(sized.gpus % sized.purchase_unit, 0);
        assert!(sized.gpus as u64 - (sized.purchase_unit as u64) < sized.replicas_needed as u64 * sized.replica_size as u64);
    }
}

#[test]
fn cost_per_million_tokens_is_price_times_gpus_over_tokens_per_hour() {
    let p = planned(llama_70b(json!({"target": {"request_rate": 30}, "gpus": ["h100-sxm", "b200"], "prices": {"b200": 6.0}})));
    let c = p.capacity.unwrap();
    for r in &c.per_gpu {
        let (price, gpus, per_gpu) = (r.usd_per_gpu_hour.unwrap(), r.gpus.unwrap() as f64, r.output_tok_s_per_gpu.unwrap());
        // At the load every GPU makes 30 × 512 ÷ GPUs output tokens per second.
        let served = 30.0 * 512.0;
        let expected = price * gpus / (served * 3600.0) * 1e6;
        let actual = r.usd_per_m_output_tokens.unwrap();
        println!("{}: expected {price} × {gpus} ÷ ({served} tok/s × 3600) × 1e6 = {expected:.6} $/M, actual {actual:.6}, tolerance 1e-6 relative", r.gpu);
        assert!((actual / expected - 1.0).abs() < 1e-6);
        assert!((per_gpu * gpus / served - 1.0).abs() < 1e-6, "{}: served {} tok/s, expected {served}", r.gpu, per_gpu * gpus);
        let total = r.usd_per_m_total_tokens.unwrap();
        assert!((total - actual * 512.0 / 2560.0).abs() < 1e-12, "{}: total-token cost {total}", r.gpu);
        // At capacity it costs no more than at the load.
        assert!(r.usd_per_m_output_tokens_at_capacity.unwrap() <= actual * (1.0 + 1e-9));
    }
    assert_eq!(c.per_gpu[1].usd_per_gpu_hour, Some(6.0));
    assert_eq!(c.per_gpu[1].price_source.as_deref(), Some("scenario"));
    assert_eq!(c.per_gpu[0].price_source.as_deref(), Some("https://aimultiple.com/gpu-index"));
    assert_eq!(c.per_gpu[0].price_date.as_deref(), Some("2026-05-20"));
}

#[test]
fn a_gpu_that_cannot_hold_the_model_is_listed_with_the_reason() {
    let scenario = json!({"model": "meta-llama/Llama-3.1-405B", "gpu": "l4", "workload": {"isl": 1024, "osl": 256},
        "capacity": {"target": {"request_rate": 1}, "gpus": ["l4", "h20", "b200"], "max_gpus": 8}});
    let c = planned(scenario).capacity.unwrap();
    let listed: Vec<&str> = c.per_gpu.iter().map(|r| r.gpu.as_str()).collect();
    assert_eq!(listed, ["l4", "h20", "b200"], "listed, not dropped");
    let l4 = &c.per_gpu[0];
    println!("l4: {:?}\nh20: {:?}", l4.reason, c.per_gpu[1].reason);
    assert!(!l4.feasible && l4.gpus.is_none());
    assert!(l4.reason.as_deref().unwrap().contains("the weights do not fit even on 8 GPUs"), "{:?}", l4.reason);
    assert!(c.per_gpu[1].reason.as_deref().unwrap().contains("no bf16_tflops"), "{:?}", c.per_gpu[1].reason);
    // 405B at BF16 (~756 GiB) on eight 180 GiB B200s: one node, set by memory.
    let b200 = &c.per_gpu[2];
    assert_eq!((b200.feasible, b200.gpus, b200.bottleneck.as_deref()), (true, Some(8), Some("memory")), "{b200:?}");
}

#[test]
fn a_gpu_without_a_price_has_none_and_says_so() {
    let c = planned(llama_70b(json!({"target": {"request_rate": 5}, "gpus": ["mi300x", "gb200"], "price_level": "low"}))).capacity.unwrap();
    for r in &c.per_gpu {
        assert!(r.feasible, "{r:?}");
        assert_eq!((r.usd_per_gpu_hour, r.usd_per_m_output_tokens), (None, None), "{}", r.gpu);
        assert!(r.notes.iter().any(|n| n.contains("enter one")), "{}: {:?}", r.gpu, r.notes);
        assert!(r.kwh_per_m_output_tokens.is_some(), "{}: a TDP is known, so energy is", r.gpu);
        assert!(r.cost_vs_interactivity.is_empty());
    }
}

#[test]
fn energy_follows_the_stated_model_and_stays_within_tdp() {
    let c = planned(llama_70b(json!({"target": {"request_rate": 30}, "gpus": ["h100-sxm"]}))).capacity.unwrap();
    let r = &c.per_gpu[0];
    let (watts, tdp) = (r.power_w_per_gpu.unwrap(), r.tdp_w.unwrap());
    assert_eq!(tdp, 700.0);
    assert!((0.2 * tdp..=tdp).contains(&watts), "power {watts} W outside [idle, TDP]");
    let expected = watts * r.gpus.unwrap() as f64 / (30.0 * 512.0) * 1e6 / 3.6e6;
    println!("kWh per M output tokens: expected {expected:.6}, actual {:.6}, tolerance 1e-9 relative", r.kwh_per_m_output_tokens.unwrap());
    assert!((r.kwh_per_m_output_tokens.unwrap() / expected - 1.0).abs() < 1e-9);
    assert!(c.energy_model.contains("20 % of TDP"), "{}", c.energy_model);
}

#[test]
fn the_candidates_carry_cost_and_energy_only_with_capacity() {
    let with = planned(llama_70b(json!({"target": {"request_rate": 30}, "gpus": ["h100-sxm"]})));
    let mut without_scenario = llama_70b(Value::Null);
    without_scenario.as_object_mut().unwrap().remove("capacity");
    let without = planned(without_scenario);
    let json = serde_json::to_value(&without).unwrap();
    assert!(json.get("capacity").is_none());
    for c in json["candidates"].as_array().unwrap() {
        assert!(c.get("usd_per_m_output_tokens").is_none() && c.get("kwh_per_m_output_tokens").is_none(), "{c}");
    }
    let gpus = 8.0;
    for c in with.candidates.iter().filter(|c| c.output_tok_s.is_some()) {
        let expected = 2.95 * gpus / (c.output_tok_s.unwrap() * 3600.0) * 1e6;
        let actual = c.usd_per_m_output_tokens.unwrap();
        assert!((actual / expected - 1.0).abs() < 1e-9, "{}: expected {expected}, actual {actual}", c.layout);
        assert!(c.kwh_per_m_output_tokens.is_some());
    }
    let step = with.trace.iter().find(|s| s.id == "capacity").expect("a capacity step");
    println!("{}", step.detail);
    assert!(step.inputs["replicas"] >= 1.0 && step.inputs["replica_capacity_req_s"] > 0.0);
    assert!(step.detail.contains("Bottleneck"));
    // The echoed scenario plans again to the same capacity plan.
    let again = planned(with.scenario.clone());
    assert_eq!(again.capacity, with.capacity);
}

#[test]
fn tokens_per_day_count_output_tokens() {
    let s = read(&json!({"target": {"tokens_per_day": 2e9}}), 500, None).unwrap();
    let expected = 2e9 / 86_400.0 / 500.0;
    println!("tokens_per_day 2e9 at OSL 500: expected {expected} req/s, actual {}", s.request_rate);
    assert!((s.request_rate - expected).abs() < 1e-12);
    assert_eq!((s.max_gpus, s.price_level.id(), s.gpus.len()), (1024, "typical", crate::gpu::catalog::entries().len()));
}

#[test]
fn capacity_fields_are_located() {
    use crate::locate::testing::table_matches;
    let full = json!({"target": {"request_rate": 30, "tokens_per_day": 2e9}, "gpus": ["h200-sxm"], "max_gpus": 64,
        "prices": {"h200-sxm": 3.1}, "price_level": "high", "sweep": {"variable": "osl", "values": [128, 256]}});
    table_matches(&full, &input::CAPACITY, "capacity");
    let cases = [
        (json!({"target": {"request_rate": -1}}), "capacity.target.request_rate"),
        (json!({"target": {"request_rate": "30"}}), "capacity.target.request_rate"),
        (json!({"target": {"tokens_per_day": 0}}), "capacity.target.tokens_per_day"),
        (json!({"target": {"request_rate": 1, "tokens_per_day": 1}}), "capacity.target.tokens_per_day"),
        (json!({"target": {}}), "capacity.target"),
        (json!({}), "capacity.target"),
        (json!({"target": {"request_rate": 1}, "gpus": ["h200-sxm", "tpu"]}), "capacity.gpus[1]"),
        (json!({"target": {"request_rate": 1}, "gpus": []}), "capacity.gpus"),
        (json!({"target": {"request_rate": 1}, "max_gpus": 0}), "capacity.max_gpus"),
        (json!({"target": {"request_rate": 1}, "max_gpus": 1.5}), "capacity.max_gpus"),
        (json!({"target": {"request_rate": 1}, "prices": {"h200-sxm": -3}}), "capacity.prices.h200-sxm"),
        (json!({"target": {"request_rate": 1}, "prices": {"my-gpu": 3}}), "capacity.prices.my-gpu"),
        (json!({"target": {"request_rate": 1}, "price_level": "median"}), "capacity.price_level"),
        (json!({"target": {"request_rate": 1}, "sweep": {"variable": "tp", "values": [1]}}), "capacity.sweep.variable"),
        (json!({"target": {"request_rate": 1}, "sweep": {"variable": "isl", "values": [128, 0.5]}}), "capacity.sweep.values[1]"),
        (json!({"target": {"request_rate": 1}, "sweep": {"variable": "request_rate", "values": []}}), "capacity.sweep.values"),
        (json!({"target": {"request_rate": 1}, "budget": 3}), "capacity.budget"),
    ];
    for (value, field) in cases {
        let e = read(&value, 512, None).expect_err(&value.to_string());
        assert_eq!(e.field, field, "{value}: {e}");
    }
    // Through the whole scenario too.
    let e = ScenarioInput::from_value(llama_70b(json!({"target": {"request_rate": 1}})))
        .and_then(|s| plan(&ScenarioInput { capacity: Some(json!({"target": {"request_rate": 0}})), ..s }))
        .expect_err("a zero rate");
    assert_eq!(e.field, "capacity.target.request_rate");
}

#[test]
fn sweeps_give_the_count_at_each_value() {
    let p = planned(llama_70b(json!({"target": {"request_rate": 10}, "gpus": ["h200-sxm", "b200"],
        "sweep": {"variable": "request_rate", "values": [5, 10, 20, 40]}})));
    let c = p.capacity.unwrap();
    let sweep = c.sweep.unwrap();
    assert_eq!(sweep.per_gpu.len(), 2);
    for (series, row) in sweep.per_gpu.iter().zip(&c.per_gpu) {
        println!("{}: {:?} GPUs, {:?} $/M", series.gpu, series.gpus, series.usd_per_m_output_tokens);
        assert_eq!(series.gpus[1], row.gpus, "the swept value equal to the target gives the row's count");
        assert!(series.gpus.windows(2).all(|w| w[0] <= w[1]), "{}: more load, no fewer GPUs", series.gpu);
    }
    // Without `gpus`, the scenario's GPU only; an OSL sweep converts a tokens-per-day target.
    let p = planned(llama_70b(json!({"target": {"tokens_per_day": 5e8}, "sweep": {"variable": "osl", "values": [256, 1024]}})));
    let sweep = p.capacity.unwrap().sweep.unwrap();
    assert_eq!(sweep.per_gpu.iter().map(|s| s.gpu.as_str()).collect::<Vec<_>>(), ["h100-sxm"]);
    let e = plan(&ScenarioInput::from_value(llama_70b(json!({"target": {"request_rate": 1}, "sweep": {"variable": "isl", "values": [200000]}}))).unwrap())
        .expect_err("past the context window");
    assert_eq!(e.field, "capacity.sweep.values[0]", "{e}");
}

#[test]
fn replica_sizes_are_node_divisors_then_whole_nodes() {
    assert_eq!(replica_sizes(8, 1024), [1, 2, 4, 8, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024]);
    assert_eq!(replica_sizes(4, 24), [1, 2, 4, 8, 12, 16, 24]);
    assert_eq!(replica_sizes(1, 3), [1, 2, 3]);
    assert_eq!(replica_sizes(8, 6), [1, 2, 4]);
    let h100 = base(llama_8b());
    assert_eq!(purchase_unit(&h100), 8, "HGX: by the node");
    let mut l40s = llama_8b();
    l40s["gpu"] = json!("l40s");
    assert_eq!(purchase_unit(&base(l40s)), 1, "PCIe cards: singly");
}

#[test]
fn first_meeting_finds_the_threshold_from_any_estimate() {
    for threshold in 1..=40u32 {
        for from in 1..=50u32 {
            let found = first_meeting(from, 50, |r| r >= threshold);
            assert_eq!(found, Some(threshold), "threshold {threshold}, estimate {from}");
        }
    }
    assert_eq!(first_meeting(3, 10, |_| false), None);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        /// More load never needs fewer GPUs; never above the ceiling; whole purchase units.
        #[test]
        fn the_count_is_monotone_in_the_load_bounded_and_whole(load in 0.05f64..80.0, extra in 0.0f64..40.0, max in 8u32..=256, gpu in prop::sample::select(vec!["h100-sxm", "l40s", "gb200"])) {
            let mut scenario = llama_8b();
            scenario["gpu"] = json!(gpu);
            let inputs = base(scenario);
            let a = size(&inputs, load, max);
            let b = size(&inputs, load + extra, max);
            for s in [&a, &b].into_iter().flatten() {
                prop_assert!(s.gpus <= max, "{} GPUs above the ceiling {max}", s.gpus);
                prop_assert_eq!(s.gpus % s.purchase_unit, 0, "{} GPUs not whole units of {}", s.gpus, s.purchase_unit);
                prop_assert_eq!(s.replicas * s.replica_size, s.gpus);
            }
            match (&a, &b) {
                (Ok(a), Ok(b)) => prop_assert!(a.gpus <= b.gpus, "{} req/s: {} GPUs, {} req/s: {}", load, a.gpus, load + extra, b.gpus),
                (Err(_), Ok(b)) => prop_assert!(false, "{load} req/s cannot, but {} can on {}", load + extra, b.gpus),
                _ => {}
            }
        }
    }
}

/// The cells of one CSV line (RFC 4180 quoting; the data files have no line breaks in cells).
fn cells(line: &str) -> Vec<String> {
    let (mut out, mut cell, mut quoted, mut chars) = (Vec::new(), String::new(), false, line.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cell)),
            _ => cell.push(c),
        }
    }
    out.push(cell);
    out
}

/// A CSV file as rows keyed by its header.
fn rows(text: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header = cells(lines.next().unwrap());
    lines.map(|l| header.iter().cloned().zip(cells(l)).collect()).collect()
}

#[test]
fn the_price_constants_equal_the_csv() {
    let file = rows(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/gpu-prices.csv")));
    assert_eq!(file.len(), prices::PRICES.len(), "one constant per row of data/gpu-prices.csv");
    for (row, entry) in file.iter().zip(prices::PRICES) {
        let number = |key: &str| (!row[key].is_empty()).then(|| row[key].parse::<f64>().unwrap());
        let expected = prices::PriceEntry {
            id: entry.id,
            low: number("usd_per_gpu_hour_low"),
            typical: number("usd_per_gpu_hour_typical"),
            high: number("usd_per_gpu_hour_high"),
            what: entry.what,
            date: entry.date,
            source: entry.source,
        };
        assert_eq!(*entry, expected, "prices of {}", row["id"]);
        assert_eq!((entry.id, entry.what, entry.date, entry.source), (row["id"].as_str(), row["what"].as_str(), row["date"].as_str(), row["source"].as_str()));
        assert!(crate::gpu::catalog::entries().iter().any(|e| e.id == entry.id), "{} is a catalog id", entry.id);
    }
}

#[test]
fn the_tdp_constants_equal_the_csv() {
    let file = rows(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/gpus.csv")));
    for e in crate::gpu::catalog::entries() {
        let row = file.iter().find(|r| r["id"] == e.id).unwrap_or_else(|| panic!("{} in data/gpus.csv", e.id));
        // The leading number of the cell (`1100 (configurable up to 1,100 W)`).
        let lead: String = row["tdp_w"].chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
        let expected = (!lead.is_empty()).then(|| lead.parse::<f64>().unwrap());
        assert_eq!(prices::tdp_w(e.id), expected, "{}: tdp_w cell {:?}", e.id, row["tdp_w"]);
        let first_source = row["source"].split(';').next().unwrap_or_default().trim();
        assert_eq!(prices::tdp_source(e.id), expected.map(|_| first_source), "{}: source cell", e.id);
    }
    assert!(prices::TDP_W.iter().all(|(id, _, _)| crate::gpu::catalog::entries().iter().any(|e| e.id == *id)));
}
