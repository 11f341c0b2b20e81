//! The shipped range table, and how a candidate's regime widens its ranges.

use super::*;
use crate::planning::plan;
use crate::scenario::ScenarioInput;
use serde_json::json;

fn recommended_range(scenario: serde_json::Value) -> (crate::plan::Candidate, Range, RangeBasis) {
    let p = plan(&ScenarioInput::from_value(scenario).unwrap()).unwrap();
    let c = p.recommended.expect("a feasible layout");
    let (r, b) = (c.range.expect("a range"), c.range_basis.clone().expect("a basis"));
    (c, r, b)
}

fn width(r: [f64; 2]) -> f64 {
    (r[1] / r[0]).ln()
}

#[test]
fn every_range_holds_its_prediction_and_is_finite() {
    let p = plan(&ScenarioInput::from_value(json!({
        "model": "mixtral-8x7b", "gpu": "h100-sxm", "nodes": 2, "workload": {"isl": 1024, "osl": 256}
    })).unwrap())
    .unwrap();
    let mut seen = 0;
    for c in p.candidates.iter().filter(|c| c.output_tok_s.is_some()) {
        let r = c.range.expect("a candidate with figures has ranges");
        for (range, value) in [
            (r.output_tok_s_per_gpu, c.output_tok_s_per_gpu.unwrap()),
            (r.ttft_ms, c.ttft_ms.unwrap()),
            (r.tpot_ms, c.tpot_ms.unwrap()),
        ] {
            assert!(range[0].is_finite() && range[1].is_finite() && range[0] > 0.0, "{c:?}");
            assert!(range[0] <= value && value <= range[1], "{value} outside {range:?} for {}", c.layout);
        }
        seen += 1;
    }
    assert!(seen > 10);
    assert!(p.candidates.iter().filter(|c| c.output_tok_s.is_none()).all(|c| c.range.is_none()));
}

#[test]
fn ranges_widen_outside_the_calibrated_regimes() {
    let base = json!({"model": "llama-3.1-70b", "weights": "fp8", "kv_cache": "fp8", "gpu": "h100-sxm",
        "engine": "trtllm", "layout": {"tp": 8}, "workload": {"isl": 1024, "osl": 1024}});
    let (_, calibrated, b) = recommended_range(base.clone());
    assert_eq!(b.regime, "measured-gpu, dense, decode-bound, engine calibrated");
    assert_eq!(b.widened_for, ["ttft-tpot-not-calibrated"]);
    // Another engine on the same GPU: throughput widened by the serving samples.
    let mut vllm = base.clone();
    vllm["engine"] = json!("vllm");
    let (_, other_engine, b) = recommended_range(vllm);
    assert!(b.widened_for.contains(&"engine-not-calibrated".into()), "{b:?}");
    assert!(width(other_engine.output_tok_s_per_gpu) > width(calibrated.output_tok_s_per_gpu));
    // A fixed concurrency: the load was never calibrated.
    let mut fixed = base.clone();
    fixed["workload"]["concurrency"] = json!(64);
    let (_, _, b) = recommended_range(fixed);
    assert!(b.widened_for.contains(&"load-not-calibrated".into()), "{b:?}");
    // A generation never measured: the priors' errors.
    let mut b200 = base.clone();
    b200["gpu"] = json!("b200");
    let (_, uncalibrated, b) = recommended_range(b200);
    assert!(b.regime.starts_with("uncalibrated"), "{b:?}");
    assert!(width(uncalibrated.output_tok_s_per_gpu) > width(calibrated.output_tok_s_per_gpu));
    // A pipeline: only the slow side moves.
    let mut pp = base.clone();
    pp["nodes"] = json!(2);
    pp["layout"] = json!({"tp": 8, "pp": 2});
    let (c, piped, b) = recommended_range(pp);
    assert!(b.widened_for.contains(&"pipeline".into()), "{b:?}");
    let per_gpu = c.output_tok_s_per_gpu.unwrap();
    let slow = (per_gpu / piped.output_tok_s_per_gpu[0]).ln();
    let fast = (piped.output_tok_s_per_gpu[1] / per_gpu).ln();
    let phase = if b.regime.contains("prefill-bound") { Phase::Prefill } else { Phase::Decode };
    let cell = table().cell(Hardware::MeasuredGpu, Architecture::Dense, phase).unwrap();
    assert!((slow - (-cell[0] + 1.5f64.ln())).abs() < 1e-9, "slow {slow} against {cell:?}");
    assert!((fast - cell[1]).abs() < 1e-9, "fast {fast} against {cell:?}");
    // TP across nodes: communication widening on both sides.
    let mut across = base;
    across["nodes"] = json!(2);
    across["layout"] = json!({"tp": 16});
    let (_, wide, b) = recommended_range(across);
    assert!(b.widened_for.contains(&"tp-across-nodes".into()), "{b:?}");
    assert!(width(wide.tpot_ms) > width(calibrated.tpot_ms));
}

fn table() -> &'static RangeTable<'static> {
    shipped()
}

#[test]
fn widening_rules() {
    // No communication: nothing to widen; all communication, F either way.
    assert_eq!(communication_widening(0.0, 2.0), (0.0, 0.0));
    let (slow, fast) = communication_widening(1.0, 2.0);
    assert!((slow - 2f64.ln()).abs() < 1e-12 && (fast - 2f64.ln()).abs() < 1e-12);
    // GPipe bubble with M = PP: (PP − 1)/(2PP − 1) of the throughput; PP 2 keeps 2/3.
    assert!((pipeline_widening(2) - 1.5f64.ln()).abs() < 1e-12);
    assert_eq!(pipeline_widening(1), 0.0);
    // The link factor from the bounds [0.4, 0.95]: at 0.8, max(2, 1.1875) = 2.
    assert!((link_factor(0.8) - 2.0).abs() < 1e-12);
    assert!((link_factor(0.95) - 0.95 / 0.4).abs() < 1e-12);
}

#[test]
fn a_user_fit_calibrates_what_it_measured_and_its_residuals_set_a_floor() {
    let base = json!({"model": "llama-3.1-70b", "gpu": "h100-sxm", "engine": "vllm", "layout": {"tp": 8},
        "workload": {"isl": 1024, "osl": 128, "concurrency": 50}});
    let (_, shipped, b) = recommended_range(base.clone());
    assert!(!b.user_calibrated);
    // A fit that measured throughput and TPOT within a few per cent, not TTFT.
    let mut fitted = base.clone();
    fitted["perf_params"] = json!({"hbm_efficiency": 0.75,
        "fit": {"measurements": 2, "output_tok_s_per_gpu": [-0.02, 0.01], "tpot_ms": [-0.01, 0.03]}});
    let (c, user, b) = recommended_range(fitted.clone());
    assert!(b.user_calibrated && b.regime.starts_with("user-calibrated (2 measurements), dense"), "{b:?}");
    assert_eq!(b.widened_for, ["ttft-tpot-not-calibrated"], "TTFT was not measured");
    assert!(width(user.output_tok_s_per_gpu) < width(shipped.output_tok_s_per_gpu));
    // TPOT: the shipped table's serving widening of TPOT is [0, 0], so an uncalibrated engine's
    // TPOT range is already its cell's; residuals inside the cell keep it, never widen it.
    assert!(
        width(user.tpot_ms) <= width(shipped.tpot_ms) + 1e-12,
        "TPOT range with the fit {:?}, shipped {:?}: expected no wider",
        user.tpot_ms,
        shipped.tpot_ms
    );
    // The residuals set a floor: a throughput 30 % under the prediction widens the slow side.
    fitted["perf_params"]["fit"]["output_tok_s_per_gpu"] = json!([0.3, 0.3]);
    let (_, loose, _) = recommended_range(fitted);
    let per_gpu = c.output_tok_s_per_gpu.unwrap();
    let slow = (per_gpu / loose.output_tok_s_per_gpu[0]).ln();
    assert!(slow >= 1.3f64.ln() - 1e-9, "slow side {slow} against the residual ln 1.3");
    // User-set parameters without a fit: nothing validates them.
    let mut set = base;
    set["perf_params"] = json!({"hbm_efficiency": 0.75});
    let (_, _, b) = recommended_range(set);
    assert!(!b.user_calibrated && b.regime.starts_with("user-set parameters"), "{b:?}");
}
