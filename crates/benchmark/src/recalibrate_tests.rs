//! Recalibration (`calibration::recalibrate`) on a real run: a vLLM result file imported and
//! matched to its scenario here, then refitted.

use crate::compare::measurements as matched;
use crate::import::{import, tests::samples_dir};
use calibration::recalibrate::{recalibrate, Figures};
use calibration::Measurement;
use planner::inputs::{resolve, PlannerInputs};
use planner::perf::params::PARAMS;
use planner::perf::ranges::Calibration;
use planner::scenario::ScenarioInput;

fn inputs(text: &str) -> PlannerInputs {
    resolve(&ScenarioInput::from_json(text).unwrap()).unwrap()
}

/// The Scicom sample: Llama 3.1 70B Instruct, vLLM 0.15, 8 × H100 SXM, TP 8, 1023/128, 50 in
/// flight: throughput, TTFT and TPOT measured.
const SCICOM: &str = "vllm/Scicom-AI-Enterprise-Organization--llm-benchmaq--llama31_70b_TP8_DP1_in1024_out128_p1000_c50_f1ba91.json";
const SCENARIO: &str = r#"{"model": "meta-llama/Llama-3.1-70B-Instruct", "gpu": "h100-sxm", "engine": "vllm",
    "workload": {"isl": 1024, "osl": 128, "concurrency": 50}}"#;

fn scicom() -> (PlannerInputs, Vec<Measurement>) {
    let i = inputs(SCENARIO);
    let path = samples_dir().join(SCICOM);
    let runs = import(SCICOM, &std::fs::read_to_string(path).unwrap()).unwrap();
    let m: Vec<Measurement> = matched(&i, &runs).into_iter().map(|(_, m)| m).collect();
    assert_eq!(m.len(), 1);
    (i, m)
}

fn abs_error(f: &Figures) -> f64 {
    [Some(f.output_tok_s_per_gpu), f.ttft_ms, f.tpot_ms].into_iter().flatten().map(|e| e.error.abs()).sum()
}

#[test]
fn a_real_run_refits_a_few_parameters_and_its_errors_fall() {
    let (i, m) = scicom();
    let r = recalibrate(&i, &m).unwrap();
    let fit = &r.measurements[0];
    println!("free {:?}, at bound {:?}, loss {:.5} → {:.5}", r.free, r.at_bound, r.loss_before, r.loss_after);
    for (name, before, after) in [
        ("output tok/s/GPU", Some(fit.before.output_tok_s_per_gpu), Some(fit.after.output_tok_s_per_gpu)),
        ("TTFT ms", fit.before.ttft_ms, fit.after.ttft_ms),
        ("TPOT ms", fit.before.tpot_ms, fit.after.tpot_ms),
    ] {
        let (b, a) = (before.unwrap(), after.unwrap());
        println!("{name}: measured {:.2}; before {:.2} ({:+.1} %), after {:.2} ({:+.1} %)", b.measured, b.predicted, b.error * 100.0, a.predicted, a.error * 100.0);
    }
    assert!(r.loss_after < r.loss_before, "loss {} → {}", r.loss_before, r.loss_after);
    assert!(abs_error(&fit.after) < abs_error(&fit.before));
    // Three figures of one run fix at most three parameters; the rest stay where they were.
    assert!(!r.free.is_empty() && r.free.len() <= 3, "{:?}", r.free);
    assert_eq!(r.params.check(), Ok(()));
    let (x0, x) = (r.start.to_array(), r.params.to_array());
    for (k, name) in PARAMS.iter().map(|s| s.json).enumerate() {
        if !r.free.contains(&name) {
            assert!((x[k] - x0[k]).abs() <= 1e-9 * x0[k].abs().max(1e-12), "{name} moved: {} → {}", x0[k], x[k]);
        }
    }
    // The fit is kept as a scenario field, and the plan made with it says so.
    assert_eq!(r.scenario["perf_params"]["fit"]["measurements"], 1.0);
    let again = resolve(&ScenarioInput::from_value(r.scenario.clone()).unwrap()).unwrap();
    assert!(matches!(again.calibration, Calibration::UserFitted(_)));
    let c = r.plan.recommended.as_ref().unwrap();
    let basis = c.range_basis.as_ref().unwrap();
    assert!(basis.user_calibrated && basis.regime.starts_with("user-calibrated (1 measurement)"), "{basis:?}");
    assert!(!basis.widened_for.contains(&"engine-not-calibrated".into()), "{basis:?}");
    // Deterministic.
    assert_eq!(recalibrate(&i, &m).unwrap(), r);
}

#[test]
fn unusable_measurements_are_named() {
    let (i, m) = scicom();
    assert_eq!(recalibrate(&i, &[]).unwrap_err().field, "measurements");
    let other = inputs(r#"{"model": "meta-llama/Llama-3.1-70B-Instruct", "gpu": "h200-sxm", "engine": "vllm",
        "workload": {"isl": 1024, "osl": 128, "concurrency": 50}}"#);
    let e = recalibrate(&other, &m).unwrap_err();
    assert_eq!(e.field, "measurement 0");
    assert!(e.message.contains("one GPU and engine"), "{e}");
}
