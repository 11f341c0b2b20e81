//! The planner scored on the silicon sample: every used row's TTFT, TPOT and output tokens/s
//! per GPU predicted beside its measurement, summarised over the whole set, its fit and
//! held-out parts, and per engine (and per engine in each part), GPU, model family, model,
//! precision and ISL/OSL, with the best-layout rate; and the report's text.
//!
//! Design decision: a row the planner gives no operating point (it rejects the layout that
//! was measured) is counted with its reason and left out of the error medians, not scored
//! −100 % as the shipped set's throughput check does: two of the three figures are latencies,
//! which a layout that cannot run has no value for, and "cannot run" is a different failure
//! from a speed error. Every median is printed beside the number of such rows.
//!
//! Best layout: a group is one choice a planner user makes — same model, GPU, GPU count,
//! engine and release, precision, ISL/OSL and concurrency (`GroupKey` with its `fixed` part) —
//! and the layouts are compared by output tokens/s per GPU (at a fixed GPU count and
//! concurrency, the fastest layout is also the lowest-latency one). The release is part of the
//! group because the sample measures many (a new release moves throughput by more than the
//! 5 % tolerance, which would be credited to or blamed on the layout). Repeated measurements
//! of one layout in a group count once, at their median.

use super::{SiliconRow, SiliconSet};
use crate::measurement::{GroupKey, Point};
use crate::metrics::{best_of, median, split_by, summarise, Compared, Summary, BEST_LAYOUT_TOLERANCE};
use planner::evaluate::prepare;
#[cfg(feature = "disaggregation")]
use planner::disagg::measured::Deployment;
use planner::perf::ranges::{range, shipped, Regime};
use planner::perf::serving::NoOperatingPoint;
use planner::perf::OperatingPoint;
use planner::workload::Load;
use planner::perf::PerfParams;
use std::collections::BTreeMap;
use std::fmt::Write;

/// A used row's three figures, predicted beside measured (`Compared::error` is
/// `predicted / measured − 1`: a positive TTFT or TPOT error is a prediction slower than
/// measured, a positive throughput error a faster one).
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    pub ttft_ms: Compared,
    pub tpot_ms: Compared,
    pub output_tok_s_per_gpu: Compared,
    /// Whether each measurement (TTFT, TPOT, tok/s per GPU) falls inside the range the plan
    /// would show beside the prediction (`perf::ranges::range`, the shipped range table):
    /// how honest the ranges are on this set.
    pub inside: [bool; 3],
}

/// Why the planner predicts nothing for a used row.
#[derive(Debug, Clone, PartialEq)]
pub struct NoPrediction {
    /// What the report counts by (`layout rejected: heads-not-divisible`).
    pub kind: String,
    /// With the numbers (`128 attention heads do not split evenly over TP 36`).
    pub detail: String,
}

/// One used row, scored.
#[derive(Debug, Clone)]
pub struct Scored<'a> {
    pub row: &'a SiliconRow,
    pub figures: Result<Figures, NoPrediction>,
}

/// Predict every used aggregated row with `params_for(point)`.
pub fn score<'a, F: Fn(&Point) -> PerfParams>(set: &'a SiliconSet, params_for: F) -> Vec<Scored<'a>> {
    score_rows(&set.rows, params_for)
}

/// Predict every used disaggregated row with `params_for(point)` (`super::disagg`).
pub fn score_disaggregated<'a, F: Fn(&Point) -> PerfParams>(set: &'a SiliconSet, params_for: F) -> Vec<Scored<'a>> {
    score_rows(&set.disaggregated, params_for)
}

fn score_rows<'a, F: Fn(&Point) -> PerfParams>(rows: &'a [SiliconRow], params_for: F) -> Vec<Scored<'a>> {
    rows.iter().map(|row| Scored { row, figures: figures(&row.point, &params_for(&row.point)) }).collect()
}

fn figures(p: &Point, params: &PerfParams) -> Result<Figures, NoPrediction> {
    let m = &p.measurement;
    #[cfg(feature = "disaggregation")]
    if let Some(d) = &p.deployment {
        return deployment_figures(p, d, params);
    }
    let Some(prepared) = &p.prepared else {
        let reasons = prepare(&p.inputs, m.layout).err().map(|e| e.reasons().to_vec()).unwrap_or_default();
        let codes: Vec<&str> = reasons.iter().map(|r| r.code()).collect();
        let details: Vec<String> = reasons.iter().map(|r| r.to_string()).collect();
        return Err(NoPrediction { kind: format!("layout rejected: {}", codes.join(", ")), detail: details.join("; ") });
    };
    let point = prepared.point(&p.inputs, params).map_err(|e| {
        let (kind, detail) = match e {
            NoOperatingPoint::NoCapacity { kv_max_requests, max_batch_requests } => (
                "no capacity: not one request fits a replica",
                format!("KV cache holds {kv_max_requests:.2} requests, the engine admits {max_batch_requests}"),
            ),
            NoOperatingPoint::Sla { reason, .. } => ("SLA missed", reason.to_string()),
            NoOperatingPoint::Saturated { offered, max, .. } => {
                ("saturated", format!("{offered:.2} requests/s offered, at most {max:.2}"))
            }
        };
        NoPrediction { kind: kind.to_string(), detail }
    })?;
    let (Some(ttft), Some(tpot)) = (m.ttft_ms, m.tpot_ms) else {
        let kind = "no measured TTFT and TPOT".to_string();
        return Err(NoPrediction { detail: kind.clone(), kind });
    };
    let gpus = f64::from(p.inputs.cluster.total_gpus().max(1));
    let compared = |predicted: f64, measured: f64| Compared { group: p.group.clone(), tp: m.layout.tp, predicted, measured };
    let inside = inside_ranges(p, params, &point, [ttft, tpot, p.measured()]);
    Ok(Figures {
        ttft_ms: compared(point.ttft.ms(), ttft),
        tpot_ms: compared(point.tpot.ms(), tpot),
        output_tok_s_per_gpu: compared(point.output_tok_s / gpus, p.measured()),
        inside,
    })
}

/// A disaggregated row's figures: the deployment re-timed (`disagg::measured`), with the
/// ranges the plan would show for it; tokens/s per GPU over the cluster's GPUs, as measured.
#[cfg(feature = "disaggregation")]
fn deployment_figures(p: &Point, d: &Deployment, params: &PerfParams) -> Result<Figures, NoPrediction> {
    let m = &p.measurement;
    let f = d.figures(&p.inputs, params).map_err(|r| NoPrediction { kind: format!("deployment rejected: {}", r.code()), detail: r.to_string() })?;
    let (Some(ttft), Some(tpot)) = (m.ttft_ms, m.tpot_ms) else {
        let kind = "no measured TTFT and TPOT".to_string();
        return Err(NoPrediction { detail: kind.clone(), kind });
    };
    let gpus = f64::from(p.inputs.cluster.total_gpus().max(1));
    let compared = |predicted: f64, measured: f64| Compared { group: p.group.clone(), tp: m.layout.tp, predicted, measured };
    let within = |[lo, hi]: [f64; 2], x: f64| lo <= x && x <= hi;
    let inside = d.range(&p.inputs, params).map_or([false; 3], |r| {
        [within(r.ttft_ms, ttft), within(r.tpot_ms, tpot), within(r.output_tok_s_per_gpu, p.measured())]
    });
    Ok(Figures {
        ttft_ms: compared(f.ttft.ms(), ttft),
        tpot_ms: compared(f.tpot.ms(), tpot),
        output_tok_s_per_gpu: compared(f.output_tok_s / gpus, p.measured()),
        inside,
    })
}

/// Whether the measured TTFT, TPOT and tokens/s per GPU fall inside the plan's ranges at
/// `point` (as `planning` builds them: the scenario's regime, the shipped range table).
fn inside_ranges(p: &Point, params: &PerfParams, point: &OperatingPoint, measured: [f64; 3]) -> [bool; 3] {
    let i = &p.inputs;
    let regime = Regime::new(&i.cluster.gpu, i.engine.engine, i.model.is_moe(), i.workload.load == Load::MaxThroughput, params, i.calibration);
    let layout = &p.measurement.layout;
    let Some((r, _)) = range(shipped(), &regime, layout, i.cluster.scale_up_group(), i.cluster.total_gpus(), point) else {
        return [false; 3];
    };
    let within = |[lo, hi]: [f64; 2], x: f64| lo <= x && x <= hi;
    [within(r.ttft_ms, measured[0]), within(r.tpot_ms, measured[1]), within(r.output_tok_s_per_gpu, measured[2])]
}

/// The figures of a set of scored rows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scores {
    pub rows: usize,
    /// Rows without a prediction, left out of every summary below.
    pub unpredicted: usize,
    pub ttft: Summary,
    pub tpot: Summary,
    pub output_tok_s_per_gpu: Summary,
    /// Best layout and pairwise ordering of output tokens/s per GPU over the groups' distinct
    /// layouts (repeats merged at their median); its `rows` counts those layouts.
    pub layouts: Summary,
    /// Share of the predicted rows whose measured TTFT, TPOT and tok/s per GPU fall inside
    /// the plan's ranges (`Figures::inside`); 0 for no rows.
    pub inside: [f64; 3],
}

/// Summarise `scored` (groups formed among these rows only).
pub fn scores(scored: &[&Scored]) -> Scores {
    let predicted: Vec<&Figures> = scored.iter().filter_map(|s| s.figures.as_ref().ok()).collect();
    let summary = |figure: fn(&Figures) -> &Compared| summarise(&predicted.iter().map(|f| figure(f)).collect::<Vec<_>>());
    let layouts = layouts(scored);
    let share = |k: usize| predicted.iter().filter(|f| f.inside[k]).count() as f64 / predicted.len().max(1) as f64;
    Scores {
        rows: scored.len(),
        unpredicted: scored.len() - predicted.len(),
        ttft: summary(|f| &f.ttft_ms),
        tpot: summary(|f| &f.tpot_ms),
        output_tok_s_per_gpu: summary(|f| &f.output_tok_s_per_gpu),
        layouts: summarise(&layouts.iter().map(|(_, c)| c).collect::<Vec<_>>()),
        inside: [share(0), share(1), share(2)],
    }
}

/// One layout of a group (a disaggregated row's deployment) and its measurements (repeats of
/// one run).
struct Repeats<'a> {
    layout: String,
    rows: Vec<&'a Compared>,
}

/// The distinct layouts (deployments) of each group among the predicted rows, in (group,
/// layout) order: the output tokens/s per GPU predicted, and measured at the median of the
/// layout's repeats.
fn layouts(scored: &[&Scored]) -> Vec<(String, Compared)> {
    let mut repeats: BTreeMap<(&GroupKey, [u32; 4], String), Repeats> = BTreeMap::new();
    for s in scored {
        if let Ok(f) = &s.figures {
            let m = &s.row.point.measurement;
            let (layout, workers) = (m.layout, m.disaggregated.map_or(String::new(), |d| d.label()));
            let key = (&f.output_tok_s_per_gpu.group, [layout.tp, layout.pp, layout.dp, layout.ep], workers.clone());
            let label = if workers.is_empty() { layout.to_string() } else { workers };
            repeats.entry(key).or_insert(Repeats { layout: label, rows: Vec::new() }).rows.push(&f.output_tok_s_per_gpu);
        }
    }
    repeats
        .into_values()
        .map(|Repeats { layout, rows }| {
            let measured: Vec<f64> = rows.iter().map(|r| r.measured).collect();
            (layout, Compared { measured: median(&measured), ..rows[0].clone() })
        })
        .collect()
}

/// Scores of `scored` split by `key`, in key order.
pub fn breakdown<K: Ord, F: Fn(&Scored) -> K>(scored: &[Scored], key: F) -> Vec<(K, Scores)> {
    split_by(scored, key, scores)
}

/// The table's column heads (`line` writes the rows).
pub const COLUMNS: &str =
    "                                  rows unpred | TTFT |err|    bias | TPOT |err|    bias | tok/s/GPU |err|    bias | best layout";

fn pct(x: f64) -> String {
    format!("{:.1} %", x * 100.0)
}

fn signed(x: f64) -> String {
    format!("{:+.1} %", x * 100.0)
}

/// One table row: the rows, the unpredicted ones, each figure's median |error| and bias, and
/// the groups whose predicted-best layout is right.
pub fn line(label: &str, s: &Scores) -> String {
    let best = if s.layouts.groups > 0 {
        format!("{}/{}", s.layouts.best_layout_right, s.layouts.groups)
    } else {
        "-".to_string()
    };
    format!(
        "  {label:<30} {:>5} {:>6} | {:>10} {:>7} | {:>10} {:>7} | {:>15} {:>7} | {best:>11}",
        s.rows,
        s.unpredicted,
        pct(s.ttft.median_abs_error),
        signed(s.ttft.median_error),
        pct(s.tpot.median_abs_error),
        signed(s.tpot.median_error),
        pct(s.output_tok_s_per_gpu.median_abs_error),
        signed(s.output_tok_s_per_gpu.median_error),
    )
}

/// The parts of the set: every used row, the part fits may use, the held-out part.
pub const PARTS: [&str; 3] = ["all used rows", "fit part", "held-out part"];

/// The rows of part `i` of `PARTS`.
pub fn part<'s, 'a>(scored: &'s [Scored<'a>], i: usize) -> Vec<&'s Scored<'a>> {
    scored.iter().filter(|s| i == 0 || s.row.held_out == (i == 2)).collect()
}

/// Counts of `reasons`, most frequent first (ties in text order).
pub(crate) fn counted<'r>(reasons: impl Iterator<Item = &'r str>) -> Vec<(usize, &'r str)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for r in reasons {
        *counts.entry(r).or_default() += 1;
    }
    let mut list: Vec<(usize, &str)> = counts.into_iter().map(|(r, n)| (n, r)).collect();
    list.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    list
}

/// The rows of `scored` without a prediction, counted by kind, a line each (`none` when every
/// row has one).
pub(crate) fn unpredicted(out: &mut String, scored: &[Scored]) {
    let kinds = counted(scored.iter().filter_map(|s| s.figures.as_ref().err()).map(|e| e.kind.as_str()));
    if kinds.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for (n, kind) in kinds {
        let _ = writeln!(out, "  {n:>5}  {kind}");
    }
}

/// The report `calibrate --silicon` prints: coverage, the headline per part, the breakdowns
/// over every used row, and the groups whose predicted-best layout is wrong.
pub fn report(set: &SiliconSet, scored: &[Scored], parameters: &str) -> String {
    let mut out = String::new();
    let used = set.rows.len();
    let held = set.rows.iter().filter(|r| r.held_out).count();
    let disaggregated = set.skipped.iter().filter(|s| s.disaggregated).count();
    let _ = writeln!(
        out,
        "Silicon sample: {} rows; {used} used ({} in the fit part, {held} held out), {} skipped ({disaggregated} of them disaggregated); {} disaggregated rows used, scored apart.",
        used + set.skipped.len() + set.disaggregated.len(),
        used - held,
        set.skipped.len(),
        set.disaggregated.len()
    );
    let _ = writeln!(out, "Parameters: {parameters}.");
    let _ = writeln!(out, "\nSkipped, by reason:");
    let reasons = set.skipped.iter().map(|s| if s.disaggregated { DISAGGREGATED_SKIPS } else { s.reason.as_str() });
    for (n, reason) in counted(reasons) {
        let _ = writeln!(out, "  {n:>5}  {reason}");
    }
    body(&mut out, scored);
    out
}

/// How the aggregated report counts the skipped disaggregated rows (`disagg_report` gives
/// their reasons).
const DISAGGREGATED_SKIPS: &str = "disaggregated rows skipped (their reasons: the disaggregated section)";

/// A report's figures over `scored`: the rows without a prediction, the headline per part, the
/// ranges' coverage, the best-layout rate, the breakdowns and the groups whose predicted-best
/// layout is wrong.
pub fn body(out: &mut String, scored: &[Scored]) {
    let _ = writeln!(out, "\nUsed rows without a prediction (left out of the medians), by reason:");
    unpredicted(out, scored);
    let _ = writeln!(
        out,
        "\nErrors are predicted / measured − 1: a positive TTFT or TPOT bias is a prediction slower than measured, a positive\n\
         tok/s/GPU bias a faster one. Measured output tok/s per GPU is derived from the measured means,\n\
         C × OSL / (TTFT + (OSL − 1) × TPOT) / GPUs. Best layout: groups with two or more layouts (same model, GPU, GPU count,\n\
         engine and release, precision, ISL/OSL, concurrency) whose predicted-best layout measures within {:.0} % of the best.",
        BEST_LAYOUT_TOLERANCE * 100.0
    );
    let _ = writeln!(out, "\n{COLUMNS}");
    for (i, name) in PARTS.iter().enumerate() {
        let _ = writeln!(out, "{}", line(name, &scores(&part(scored, i))));
    }
    let _ = writeln!(out, "\nMeasurements inside the plan's ranges (nominal {:.0} %; TTFT, TPOT, tok/s per GPU):", shipped().nominal * 100.0);
    for (i, name) in PARTS.iter().enumerate() {
        let s = scores(&part(scored, i));
        let _ = writeln!(out, "  {name:<30} {:>6} {:>6} {:>6}", pct(s.inside[0]), pct(s.inside[1]), pct(s.inside[2]));
    }
    let all = scores(&part(scored, 0));
    let _ = writeln!(
        out,
        "\nBest layout within {:.0} % of the measured best: {} of {} groups ({:.1} %); layout pairs (measured > 5 % apart) ordered as measured: {} of {} ({:.1} %).",
        BEST_LAYOUT_TOLERANCE * 100.0,
        all.layouts.best_layout_right,
        all.layouts.groups,
        all.layouts.best_layout_rate() * 100.0,
        all.layouts.pairs_concordant,
        all.layouts.pairs,
        all.layouts.concordance() * 100.0
    );
    let precision = |s: &Scored| s.row.point.group.precision.clone();
    let lengths = |s: &Scored| (s.row.point.group.isl, s.row.point.group.osl);
    let engine_part = |s: &Scored| format!("{}, {}", s.row.point.group.engine, if s.row.held_out { "held out" } else { "fit part" });
    let tables: [(&str, Vec<(String, Scores)>); 7] = [
        ("Per engine", keyed(breakdown(scored, |s| s.row.point.group.engine))),
        ("Per engine and part", breakdown(scored, engine_part)),
        ("Per GPU", keyed(breakdown(scored, |s| s.row.point.group.gpu.clone()))),
        ("Per model family", keyed(breakdown(scored, |s| s.row.family))),
        ("Per model", keyed(breakdown(scored, |s| s.row.point.group.model.clone()))),
        ("Per precision (weights/KV)", keyed(breakdown(scored, precision))),
        ("Per ISL/OSL", breakdown(scored, lengths).into_iter().map(|((i, o), s)| (format!("{i}/{o}"), s)).collect()),
    ];
    for (title, rows) in tables {
        let _ = writeln!(out, "\n{title}:\n{COLUMNS}");
        for (k, s) in rows {
            let _ = writeln!(out, "{}", line(&k, &s));
        }
    }
    misses(out, scored);
}

fn keyed<K: ToString>(rows: Vec<(K, Scores)>) -> Vec<(String, Scores)> {
    rows.into_iter().map(|(k, s)| (k.to_string(), s)).collect()
}

/// The groups whose predicted-best layout measures more than the tolerance below the best.
fn misses(out: &mut String, scored: &[Scored]) {
    let _ = writeln!(
        out,
        "\nGroups whose predicted-best layout measures more than {:.0} % below the measured best:",
        BEST_LAYOUT_TOLERANCE * 100.0
    );
    let layouts = layouts(&scored.iter().collect::<Vec<_>>());
    let mut groups: BTreeMap<&GroupKey, Vec<&(String, Compared)>> = BTreeMap::new();
    for l in &layouts {
        groups.entry(&l.1.group).or_default().push(l);
    }
    let mut any = false;
    for (g, members) in groups.iter().filter(|(_, m)| m.len() >= 2) {
        let compared: Vec<&Compared> = members.iter().map(|(_, c)| c).collect();
        let (picked, best) = best_of(&compared);
        let layout_of = |c: &Compared| members.iter().find(|(_, m)| std::ptr::eq(m, c)).map(|(l, _)| l.as_str());
        if let (true, Some(picked_layout), Some(best_layout)) =
            (picked.measured < (1.0 - BEST_LAYOUT_TOLERANCE) * best.measured, layout_of(picked), layout_of(best))
        {
            any = true;
            let _ = writeln!(
                out,
                "  {} {} {} {}/{} {} ({}): predicted best {picked_layout} measures {:.0} tok/s/GPU, {:.1} % below {best_layout} ({:.0})",
                g.model,
                g.gpu,
                g.precision,
                g.isl,
                g.osl,
                g.load,
                g.fixed,
                picked.measured,
                (1.0 - picked.measured / best.measured) * 100.0,
                best.measured
            );
        }
    }
    if !any {
        let _ = writeln!(out, "  none");
    }
}

/// Every row of the file: the used ones with their figures (or why they have none), then the
/// skipped ones with their reason.
pub fn listing(set: &SiliconSet, scored: &[Scored]) -> String {
    let mut out = used_listing(scored);
    let _ = writeln!(out, "Skipped rows: line, id: reason (particulars)");
    for s in &set.skipped {
        let detail = if s.detail.is_empty() { String::new() } else { format!(" ({})", s.detail) };
        let _ = writeln!(out, "  {:>5} {}: {}{detail}", s.line, s.id, s.reason);
    }
    out
}

/// The used rows with their figures (or why they have none); a disaggregated row's layout is
/// its workers (`2 × P TP4 + 1 × D TP8`).
pub fn used_listing(scored: &[Scored]) -> String {
    let mut out = String::from(
        "Used rows: line, id, [GPUs, engine release], layout, concurrency, ISL/OSL, part | TTFT ms, TPOT ms, tok/s/GPU: measured → predicted\n",
    );
    for s in scored {
        let m = &s.row.point.measurement;
        let (r, l) = (s.row, m.disaggregated.map_or(m.layout.to_string(), |d| d.label()));
        let figures = match &s.figures {
            Ok(f) => [&f.ttft_ms, &f.tpot_ms, &f.output_tok_s_per_gpu]
                .map(|c| format!("{:.1} → {:.1} ({:+.1} %)", c.measured, c.predicted, c.error() * 100.0))
                .join(", "),
            Err(e) => format!("no prediction: {}", e.detail),
        };
        let _ = writeln!(
            out,
            "  {:>5} {} [{}] {l} C {} {}/{} {} | {figures}",
            r.line,
            r.id,
            r.point.group.fixed,
            r.concurrency,
            r.point.group.isl,
            r.point.group.osl,
            if r.held_out { "held out" } else { "fit" },
        );
    }
    out
}
