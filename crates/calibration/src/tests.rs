//! The calibration set run through the whole planner: the shipped parameters must keep the
//! model within its stated accuracy, order layouts as the measurements do, and the shipped
//! file's recorded errors must be the ones the model gives today (so a model change without a
//! refit fails here, not silently in the README's figures).

use planner::perf::fitted;
use planner::perf::PerfParams;
use super::*;
use std::path::PathBuf;

/// The calibration set, `data/calibration/` (a copy of the published rows; its source in
/// `data/README.md`).
pub(crate) fn calibration_csv() -> (PathBuf, String) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/calibration/trtllm-0.17-max-throughput.csv");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (path, text)
}

pub(crate) fn shipped_points() -> Vec<Point> {
    let (path, text) = calibration_csv();
    let measurements = dataset::trtllm_measurements(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    prepare(&measurements).unwrap()
}

fn shipped(p: &Point) -> PerfParams {
    fitted::for_gpu(p.generation(), p.engine()).0
}

/// Issue 4, item 6: median ≤ 15 %, best layout right ≥ 85 %.
const MAX_MEDIAN_ERROR: f64 = 0.15;
const MIN_BEST_LAYOUT_RATE: f64 = 0.85;
/// Layout pairs measured more than 5 % apart that the model must order the same way.
const MIN_CONCORDANCE: f64 = 0.90;
/// Pairs this far apart (the better layout measures ≥ 1.3× the other) must never be inverted.
const CLEAR_GAP: f64 = 1.3;

#[test]
fn shipped_parameters_meet_the_stated_accuracy_on_every_row() {
    let points = shipped_points();
    assert_eq!(points.len(), 353, "rows in the calibration set");
    let rows = compare(&points, shipped);
    let s = summarise(&rows.iter().collect::<Vec<_>>());
    println!(
        "calibration: {} rows, median |error| {:.1} % (bias {:+.1} %, p90 {:.1} %), best layout {}/{} groups, pairs ordered {}/{}",
        s.rows,
        s.median_abs_error * 100.0,
        s.median_error * 100.0,
        s.p90_abs_error * 100.0,
        s.best_layout_right,
        s.groups,
        s.pairs_concordant,
        s.pairs
    );
    assert!(
        s.median_abs_error <= MAX_MEDIAN_ERROR,
        "median |error| of output tok/s per GPU: expected ≤ {:.1} %, actual {:.1} %, difference {:+.1} points, tolerance {:.1} %",
        MAX_MEDIAN_ERROR * 100.0,
        s.median_abs_error * 100.0,
        (s.median_abs_error - MAX_MEDIAN_ERROR) * 100.0,
        MAX_MEDIAN_ERROR * 100.0
    );
    assert!(
        s.best_layout_rate() >= MIN_BEST_LAYOUT_RATE,
        "best layout within 5 % of the measured best: expected ≥ {:.0} % of groups, actual {:.1} % ({}/{}), difference {:+.1} points",
        MIN_BEST_LAYOUT_RATE * 100.0,
        s.best_layout_rate() * 100.0,
        s.best_layout_right,
        s.groups,
        (s.best_layout_rate() - MIN_BEST_LAYOUT_RATE) * 100.0
    );
    // Every row runs: no measured layout may be judged unable to run.
    let cannot = rows.iter().filter(|r| r.predicted <= 0.0).count();
    assert_eq!(cannot, 0, "{cannot} measured layouts predicted unable to run");
    // The breakdown per GPU keeps every GPU inside the stated median too.
    for (gpu, g) in breakdown(&rows, |r| r.group.gpu.clone()) {
        assert!(
            g.median_abs_error <= MAX_MEDIAN_ERROR,
            "{gpu}: median |error| expected ≤ {:.0} %, actual {:.1} %",
            MAX_MEDIAN_ERROR * 100.0,
            g.median_abs_error * 100.0
        );
    }
}

#[test]
fn the_model_ranks_layouts_as_the_measurements_do() {
    let points = shipped_points();
    let rows = compare(&points, shipped);
    let s = summarise(&rows.iter().collect::<Vec<_>>());
    assert!(
        s.concordance() >= MIN_CONCORDANCE,
        "layout pairs > 5 % apart ordered as measured: expected ≥ {:.0} %, actual {:.1} % ({}/{})",
        MIN_CONCORDANCE * 100.0,
        s.concordance() * 100.0,
        s.pairs_concordant,
        s.pairs
    );
    // No clear inversion: within a group, a layout measured ≥ 1.3× another is predicted ahead.
    let mut inverted = Vec::new();
    for (i, a) in rows.iter().enumerate() {
        for b in &rows[i + 1..] {
            if a.group != b.group {
                continue;
            }
            let (hi, lo) = if a.measured >= b.measured { (a, b) } else { (b, a) };
            if hi.measured >= CLEAR_GAP * lo.measured && hi.predicted <= lo.predicted {
                inverted.push(format!(
                    "{:?}: TP {} measured {:.0} > TP {} measured {:.0}, predicted {:.0} ≤ {:.0}",
                    hi.group, hi.tp, hi.measured, lo.tp, lo.measured, hi.predicted, lo.predicted
                ));
            }
        }
    }
    assert!(inverted.is_empty(), "clear inversions (tolerance: none):\n{}", inverted.join("\n"));
}

#[test]
fn shipped_file_records_the_errors_the_model_gives_today() {
    let points = shipped_points();
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/fitted-params.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let file = crate::records::parse_fits(&text).expect("data/fitted-params.json parses");
    assert_eq!(file.rows, points.len());
    let rows = compare(&points, shipped);
    for f in &file.fits {
        let own: Vec<&Compared> = points
            .iter()
            .zip(&rows)
            .filter(|(p, _)| p.generation() == f.generation && p.engine() == f.engine)
            .map(|(_, r)| r)
            .collect();
        assert_eq!(own.len(), f.rows, "{:?} rows", f.generation);
        let s = summarise(&own);
        let tolerance = 5e-4;
        assert!(
            (s.median_abs_error - f.errors.median_abs_error).abs() <= tolerance
                && s.best_layout_right == f.errors.best_layout_right,
            "{:?}: the file records median |error| {:.4} and {} best layouts, the model gives {:.4} and {} \
             (tolerance {tolerance}); rerun `cargo run --release -p planner-cli --bin calibrate -- data/calibration/trtllm-0.17-max-throughput.csv --fit`",
            f.generation,
            f.errors.median_abs_error,
            f.errors.best_layout_right,
            s.median_abs_error,
            s.best_layout_right
        );
    }
}

#[test]
fn a_browser_sized_fit_is_deterministic_bounded_and_improves_the_loss() {
    // Ten rows, as a user would bring from their own benchmarks: Llama 3.1 70B on H200.
    let points = shipped_points();
    let ten: Vec<&Point> = points
        .iter()
        .filter(|p| p.group.gpu == "h200-sxm" && p.group.model.contains("Llama-3.1-70B"))
        .take(10)
        .collect();
    assert_eq!(ten.len(), 10);
    // Start from a deliberately wrong vector inside the bounds, as the priors are for a new GPU.
    let mut start = PerfParams::prior(Generation::Hopper, Engine::Trtllm);
    start.gemm_efficiency = 0.3;
    start.hbm_efficiency = 0.6;
    let options = FitOptions { free: identifiable(&ten), ..FitOptions::all() };
    let started = std::time::Instant::now();
    let a = fit(&ten, &start, &options);
    let elapsed = started.elapsed();
    let b = fit(&ten, &start, &options);
    println!(
        "10-row fit: loss {:.5} → {:.5} in {} evaluations, {:.0} ms (this build)",
        a.start_loss,
        a.loss,
        a.evaluations,
        elapsed.as_secs_f64() * 1e3
    );
    assert_eq!(a, b, "the fit must be deterministic");
    assert!(a.loss < 0.5 * a.start_loss, "loss {} → {}", a.start_loss, a.loss);
    assert!(a.evaluations <= options.max_evaluations);
    assert_eq!(a.params.check(), Ok(()), "fitted values inside BOUNDS");
}

/// Issue 4: the `plan` command's front door (`planner::batch::run`, one JSON array of scenarios) answers
/// every scenario of the calibration set with its measured layout fixed, and the figure it
/// reports is the one the calibration check scores.
#[test]
fn the_plan_command_answers_every_calibration_scenario_with_its_layout_fixed() {
    use planner::scenario::LayoutInput;
    let points = shipped_points();
    let scenarios: Vec<_> = points
        .iter()
        .map(|p| {
            let l = p.measurement.layout;
            let mut s = p.measurement.scenario.clone();
            let size = |n: u32| Some(f64::from(n));
            s.layout = Some(LayoutInput { tp: size(l.tp), pp: size(l.pp), dp: size(l.dp), ep: size(l.ep) });
            s
        })
        .collect();
    let outcome = planner::batch::run(&serde_json::to_string(&scenarios).expect("scenarios serialise"));
    assert_eq!(outcome.status, 0, "every calibration scenario plans: {}", &outcome.output[..outcome.output.len().min(400)]);
    let plans: Vec<serde_json::Value> = serde_json::from_str(&outcome.output).expect("an array of plans");
    assert_eq!(plans.len(), points.len());
    for (p, plan) in points.iter().zip(&plans) {
        let candidates = plan["candidates"].as_array().expect("candidates");
        assert_eq!(candidates.len(), 1, "{:?}: the fixed layout alone is enumerated", p.group);
        let c = &candidates[0];
        let l = p.measurement.layout;
        assert_eq!(
            [&c["layout"]["tp"], &c["layout"]["pp"], &c["layout"]["dp"], &c["layout"]["ep"]].map(|v| v.as_u64()),
            [l.tp, l.pp, l.dp, l.ep].map(|n| Some(u64::from(n))),
            "{:?}",
            p.group
        );
        let predicted = p.predict(&shipped(p));
        let reported = c["output_tok_s_per_gpu"].as_f64().unwrap_or(0.0);
        let tolerance = 0.005 * predicted.max(1.0);
        assert!(
            (reported - predicted).abs() <= tolerance,
            "{:?} {}: plan reports {reported:.2} tok/s per GPU, the calibration check {predicted:.2}, tolerance {tolerance:.2}",
            p.group,
            l
        );
    }
}
