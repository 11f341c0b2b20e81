//! Recalibration on a real run and on runs made by the model itself with other parameters.

use super::*;

fn inputs(text: &str) -> PlannerInputs {
    resolve(&ScenarioInput::from_json(text).unwrap()).unwrap()
}

fn abs_error(f: &Figures) -> f64 {
    [Some(f.output_tok_s_per_gpu), f.ttft_ms, f.tpot_ms].into_iter().flatten().map(|e| e.error.abs()).sum()
}

#[test]
fn runs_made_with_other_parameters_are_fitted_back() {
    // Three layouts of Llama 3.1 8B on 8 H100s at 64 in flight, "measured" by the model itself
    // with a slower HBM and a costlier step: the fit must bring every error under 2 %.
    let i = inputs(r#"{"model": "meta-llama/Llama-3.1-8B", "gpu": "h100-sxm", "engine": "vllm",
        "workload": {"isl": 1024, "osl": 256, "concurrency": 64}}"#);
    let mut truth = i.params;
    truth.hbm_efficiency = 0.62;
    truth.step_overhead = planner::units::Seconds::from_ms(1.4);
    let mut runs = Vec::new();
    for (tp, dp) in [(1, 8), (2, 4), (8, 1)] {
        let layout = Layout::new(tp, 1, dp, 1, 8).unwrap();
        let mut scenario = i.scenario.clone();
        scenario["layout"] = serde_json::json!({"tp": tp, "pp": 1, "dp": dp, "ep": 1});
        let probe = Point::new(Measurement {
            scenario: ScenarioInput::from_value(scenario.clone()).unwrap(),
            layout,
            output_tok_s_per_gpu: 1.0,
            ttft_ms: None,
            tpot_ms: None,
            disaggregated: None,
        })
        .unwrap();
        let o = probe.point(&truth).unwrap();
        runs.push(Measurement {
            scenario: ScenarioInput::from_value(scenario).unwrap(),
            layout,
            output_tok_s_per_gpu: o.output_tok_s / 8.0,
            ttft_ms: Some(o.ttft.ms()),
            tpot_ms: Some(o.tpot.ms()),
            disaggregated: None,
        });
    }
    let r = recalibrate(&i, &runs).unwrap();
    // Aggregated runs say nothing of the KV transfer: it is not freed and keeps following the
    // link efficiency, as plans made before it was a parameter had it.
    assert!(!r.free.contains(&"kv_transfer_efficiency"), "{:?}", r.free);
    assert_eq!(r.params.kv_transfer_efficiency, r.params.link_efficiency);
    println!("free {:?}: hbm {:.3} (truth 0.62), step overhead {:.2} ms (truth 1.4)", r.free, r.params.hbm_efficiency, r.params.step_overhead.ms());
    for m in &r.measurements {
        let worst = [Some(m.after.output_tok_s_per_gpu), m.after.ttft_ms, m.after.tpot_ms]
            .into_iter()
            .flatten()
            .map(|e| e.error.abs())
            .fold(0.0, f64::max);
        println!("{}: worst error before {:.1} %, after {:.2} %", m.layout, abs_error(&m.before) * 100.0, worst * 100.0);
        assert!(worst < 0.02, "{}: {worst} ≥ 2 %", m.layout);
    }
}

/// Without the `disaggregation` feature (the page's startup build), a disaggregated run is an
/// error naming the measurement's `disaggregated` field, never a panic nor a wrong prediction.
/// Runs with `cargo test -p calibration --no-default-features`.
#[cfg(not(feature = "disaggregation"))]
#[test]
fn without_the_feature_a_disaggregated_run_names_the_field() {
    let i = inputs(r#"{"model": "meta-llama/Llama-3.1-8B", "gpu": "h100-sxm", "workload": {"isl": 1024, "osl": 256}}"#);
    let l = Layout::new(4, 1, 1, 1, 4).unwrap();
    let side = crate::Workers { count: 1, layout: l };
    let run = Measurement {
        scenario: i.input.clone(),
        layout: l,
        output_tok_s_per_gpu: 100.0,
        ttft_ms: Some(50.0),
        tpot_ms: None,
        disaggregated: Some(crate::DisaggWorkers { prefill: side, decode: side, prefill_batch: None }),
    };
    assert_eq!(recalibrate(&i, &[run]).unwrap_err().field, "measurement 0: disaggregated");
}
