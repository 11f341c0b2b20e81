//! A short fuzzing run of every target, so `cargo test` keeps each input's properties checked:
//! a few thousand inputs per target from a fixed seed, every failure listed with the input
//! that shows it. The long campaign is the README's command.

use fuzz::driver::{run, Options};
use fuzz::targets::TARGETS;
use std::time::Duration;

#[test]
fn every_target_survives_a_short_run() {
    let crashes = std::env::temp_dir().join(format!("fuzz-short-run-{}", std::process::id()));
    let options = Options {
        inputs: 2_000,
        seed: 7,
        corpus: Vec::new(),
        crashes: crashes.clone(),
        // An unoptimised test build runs the planner ~20× slower than the campaign's.
        hang: Duration::from_secs(20),
        progress: false,
    };
    let mut failures = Vec::new();
    for target in TARGETS {
        let report = run(target, &options).expect("the committed seeds load");
        assert_eq!(report.inputs, options.inputs, "{}: inputs run", target.name());
        for found in report.found {
            let input = String::from_utf8_lossy(&found.input).chars().take(300).collect::<String>();
            failures.push(format!("{}: {} (input {input:?})", target.name(), found.failure));
        }
    }
    let _ = std::fs::remove_dir_all(&crashes);
    assert!(failures.is_empty(), "expected no failure, found {}:\n{}", failures.len(), failures.join("\n"));
}
