//! The shipped range table is what the held-out refits and the serving samples give today.

use super::*;
use crate::planner::bench::import::tests::samples_dir;
use crate::planner::calibration::tests::shipped_points;
use crate::planner::perf::ranges::{parse, RANGE_ERRORS_JSON};

fn read_samples() -> Vec<(Sample, String)> {
    samples()
        .into_iter()
        .map(|s| {
            let path = samples_dir().join(s.file);
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (s, text)
        })
        .collect()
}

#[test]
fn the_committed_range_table_matches_a_fresh_computation() {
    let shipped = parse(RANGE_ERRORS_JSON).expect("data/range-errors.json parses");
    let started = std::time::Instant::now();
    let provenance = Provenance {
        data: shipped.data.clone(),
        samples: shipped.samples.clone(),
        date: shipped.date.clone(),
        command: shipped.command.clone(),
    };
    let fresh = range_file(&shipped_points(), &read_samples(), provenance).unwrap();
    println!("fresh range table in {:.1} s (this build)", started.elapsed().as_secs_f64());
    let (a, b) = (serde_json::to_value(&shipped).unwrap(), serde_json::to_value(&fresh).unwrap());
    if a != b {
        let (x, y) = (serde_json::to_string_pretty(&a).unwrap(), serde_json::to_string_pretty(&b).unwrap());
        let first = x.lines().zip(y.lines()).enumerate().find(|(_, (p, q))| p != q);
        panic!(
            "data/range-errors.json differs from a fresh computation (tolerance: none after rounding to 4 decimals); \
             first difference at line {:?}; rerun `cargo run --release --bin calibrate -- CSV --ranges`",
            first
        );
    }
}

#[test]
fn every_sample_matches_its_scenario_and_is_predicted() {
    let table = crate::planner::perf::ranges::shipped().unwrap();
    for (s, text) in read_samples() {
        let checked = check_with(table, &s, &text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(checked.figures.len(), 3, "{}: throughput, TTFT and TPOT", s.file);
        for f in &checked.figures {
            assert!(f.predicted > 0.0 && f.measured > 0.0 && f.speed_error.is_finite(), "{f:?}");
        }
    }
}
