//! Recalibration on disaggregated runs: runs built from the plan's own disaggregated candidates
//! with the KV transfer made slower recover `kv_transfer_efficiency`, and only it moves.

use super::*;
use crate::{DisaggWorkers, Workers};
use planner::perf::params::Param;
use serde_json::json;

/// Transfer time of the runs against the plan's: 20 % slower.
const SLOWER: f64 = 1.2;
/// Tolerance on the recovered efficiency, relative: the fit's stopping rule and the anchor's
/// pull towards the start (`ANCHOR`) leave a fraction of a percent; 2 % is well above that.
const TOLERANCE: f64 = 0.02;

/// Llama 3.1 8B on two nodes of 8 H100-class GPUs whose scale-out network gives 6.25 GB/s per
/// GPU (50 Gb/s Ethernet, no RDMA NIC per GPU): a pair that does not fit one node moves its KV
/// over it, and the transfer is a visible share of TTFT. Maximum throughput: no wait for a
/// prefill worker, so the TTFT is the prefill and the transfer alone.
fn scenario() -> PlannerInputs {
    let scenario = json!({"model": "meta-llama/Llama-3.1-8B", "engine": "sglang", "nodes": 2, "gpus_per_node": 8,
        "gpu": {"name": "h100 slow network", "memory_gib": 80, "hbm_tb_s": 3.35, "bf16_tflops": 989, "fp8_tflops": 1979,
                "scale_up_gb_s": 450, "scale_out_gb_s": 6.25},
        "workload": {"isl": 4096, "osl": 256}, "serving": "disaggregated"});
    resolve(&ScenarioInput::from_value(scenario).unwrap()).unwrap()
}

#[test]
fn disaggregated_runs_with_a_slower_transfer_recover_its_efficiency() {
    let inputs = scenario();
    let plan = plan_inputs(&inputs).unwrap();
    let d = plan.disaggregated.as_ref().unwrap();
    // The best ranked candidates that move their KV over the network (the transfer's share of
    // TTFT differs from run to run).
    let mut runs = Vec::new();
    let mut expected = Vec::new();
    let hop = inputs.params.scale_out_hop_latency.ms();
    for c in d.ranking.iter().map(|&i| &d.candidates[i]) {
        if c.kv_transfer_link != "scale-out" || runs.len() == 3 {
            continue;
        }
        let transfer = c.kv_transfer_ms;
        let ttft = c.ttft_ms.unwrap() + (SLOWER - 1.0) * transfer;
        println!("{}: TTFT {:.1} ms of which transfer {transfer:.1} ms; measured {ttft:.1} ms", c.label, c.ttft_ms.unwrap());
        // bytes / (bandwidth · e) + hop, 20 % slower: e' = e · (T − hop) / (1.2 T − hop).
        expected.push(inputs.params.kv_transfer_efficiency * (transfer - hop) / (SLOWER * transfer - hop));
        let side = |count, layout| Workers { count, layout };
        runs.push(Measurement {
            scenario: inputs.input.clone(),
            layout: c.decode.layout,
            output_tok_s_per_gpu: c.output_tok_s_per_gpu.unwrap(),
            ttft_ms: Some(ttft),
            tpot_ms: c.tpot_ms,
            disaggregated: Some(DisaggWorkers {
                prefill: side(c.prefill.count, c.prefill.layout),
                decode: side(c.decode.count, c.decode.layout),
                prefill_batch: None,
            }),
        });
    }
    assert!(runs.len() >= 2, "the plan has {} network-paired candidates", runs.len());
    let r = recalibrate(&inputs, &runs).unwrap();
    let want = expected.iter().sum::<f64>() / expected.len() as f64;
    let got = r.params.kv_transfer_efficiency;
    println!("free {:?}; kv_transfer_efficiency: start {:.4}, expected {want:.4}, fitted {got:.4}, tolerance {TOLERANCE}", r.free, r.start.kv_transfer_efficiency);
    assert!((got - want).abs() <= TOLERANCE * want, "kv_transfer_efficiency: expected {want}, actual {got}, tolerance {TOLERANCE}");
    assert!(r.free.contains(&Param::KvTransferEfficiency.spec().json), "{:?}", r.free);
    // Only what the runs identify moved: the link efficiency of collectives stays.
    assert_eq!(r.params.link_efficiency, r.start.link_efficiency);
    for m in &r.measurements {
        let (before, after) = (m.before.ttft_ms.unwrap().error, m.after.ttft_ms.unwrap().error);
        println!("{}: TTFT error before {:.2} %, after {:.3} %", m.workers.as_deref().unwrap_or("?"), before * 100.0, after * 100.0);
        assert!(before < -0.005 && after.abs() < 0.005, "TTFT error before {before}, after {after} (tolerance 0.5 %)");
        assert!(m.workers.is_some(), "the report names the workers");
    }
    assert!(r.loss_after < r.loss_before, "loss {} → {}", r.loss_before, r.loss_after);
    // The fit kept: the scenario plans with it, and the transfer is slower by the fit.
    assert_eq!(r.perf_params.values[Param::KvTransferEfficiency as usize].map(|v| (v * 1e4).round()), Some((got * 1e4).round()));
    // The record names what the fit freed, and the plan made with it (issue 13) takes the
    // transfer as measured: its TTFT ranges rest on the fit's residuals.
    let record = r.perf_params.fit.as_ref().unwrap();
    assert!(record.kv_transfer_fitted, "{record:?}");
    for c in &r.plan.disaggregated.as_ref().unwrap().candidates {
        let basis = c.range_basis.as_ref().unwrap();
        let unmeasured = basis.widened_for.contains(&"kv-transfer-not-measured".into());
        assert!(!unmeasured, "{}: {:?}", c.label, basis.widened_for);
        let fitted = "KV transfer: fitted to the user's disaggregated runs (TTFT on the fit's residuals)";
        assert!(basis.regime.ends_with(fitted), "{}", basis.regime);
    }
}

/// A disaggregated run whose workers do not fit the cluster cannot be predicted: the error
/// names the measurement and its `disaggregated` field.
#[test]
fn a_disaggregated_run_that_does_not_fit_names_the_field() {
    let inputs = scenario();
    let l = Layout::new(8, 1, 1, 1, 8).unwrap();
    let run = Measurement {
        scenario: inputs.input.clone(),
        layout: l,
        output_tok_s_per_gpu: 100.0,
        ttft_ms: Some(100.0),
        tpot_ms: None,
        disaggregated: Some(DisaggWorkers { prefill: Workers { count: 2, layout: l }, decode: Workers { count: 1, layout: l }, prefill_batch: None }),
    };
    let e = recalibrate(&inputs, &[run]).unwrap_err();
    assert_eq!(e.field, "measurement 0: disaggregated", "{e}");
}
