//! The disaggregated rows' section of `calibrate --silicon`: the same figures as the aggregated
//! report (`score::body`: all / fit part / held out, per engine, GPU, family, precision and
//! lengths, the ranges' coverage, the best deployment per group), over the disaggregated rows
//! only, so the aggregated figures, which the targets are about, never mix with them.

use super::score::{body, counted, Scored};
use super::SiliconSet;
use planner::workload::Arrivals;
use std::fmt::Write;

/// What the section's TTFT is made of, by the rows' arrivals (`silicon::with_arrivals`).
fn ttft_parts(set: &SiliconSet) -> &'static str {
    match set.disaggregated.first().map(|r| r.point.inputs.workload.arrivals) {
        Some(Arrivals::Benchmark) => {
            "the benchmark client's front end + wait for a prefill worker + prefill + clustered wait + KV transfer\n\
             (planner::perf::closed_loop: the aggregated rows' client constants per engine, not refitted on these rows)"
        }
        _ => "wait for a prefill worker + prefill + KV transfer",
    }
}

/// The section's text: the rows used and skipped (by reason), then `score::body` over `scored`
/// (`score::score_disaggregated`).
pub fn report(set: &SiliconSet, scored: &[Scored]) -> String {
    let mut out = String::new();
    let used = set.disaggregated.len();
    let held = set.disaggregated.iter().filter(|r| r.held_out).count();
    let skipped: Vec<&str> = set.skipped.iter().filter(|s| s.disaggregated).map(|s| s.reason.as_str()).collect();
    let _ = writeln!(
        out,
        "Disaggregated rows (prefill and decode workers; scored apart from the figures above): {} rows; {used} used ({} in the fit part, {held} held out), {} skipped.\n\
         Each is the deployment the row states (x prefill workers, y decode workers, the prefill batch as the prefill engine's cap),\n\
         timed by planner::disagg::measured at the client's concurrency; TTFT = {}.",
        used + skipped.len(),
        used - held,
        skipped.len(),
        ttft_parts(set)
    );
    let _ = writeln!(out, "\nSkipped disaggregated rows, by reason:");
    for (n, reason) in counted(skipped.into_iter()) {
        let _ = writeln!(out, "  {n:>5}  {reason}");
    }
    body(&mut out, scored);
    out
}
