//! A peer model's predictions of the silicon sample scored beside ours: the rows
//! `calibrate --silicon` uses, written out as the scenarios the peer is given (`rows_csv`;
//! `tools/peer/silicon_aiconfigurator.py` runs NVIDIA AIConfigurator on them), the peer's
//! TTFT and TPOT per row read back (`read_predictions`), scored with the metrics of
//! `silicon::score` (`score_peer`) and compared with ours on exactly the rows both predicted
//! (`report`): the whole set and its parts, per engine, GPU, model family and precision, and
//! the groups (model × GPU × engine × precision) where one of the two is much closer.
//!
//! Design decision: the peer's output tokens/s per GPU is derived from its TTFT and TPOT by the
//! formula the measured figure is derived by (`derived_output_tok_s_per_gpu`), so both sides of
//! its error come from the same closed-loop arithmetic; ours is the planner's own throughput,
//! as `calibrate --silicon` scores it. The peer has no ranges: its rows count as outside them,
//! and the report prints no coverage for it.

use super::score::{breakdown, line, part, scores, unpredicted, Figures, NoPrediction, Scored, Scores, COLUMNS, PARTS};
use super::{derived_output_tok_s_per_gpu, CHECKPOINT_VARIANTS};
use crate::csv::{blocks, Row};
use crate::metrics::{median, Compared};
use planner::error::InputError;
use std::collections::BTreeMap;
use std::fmt::Write;

#[cfg(test)]
mod tests;

/// The columns `rows_csv` writes, in order.
pub const ROW_COLUMNS: [&str; 25] = [
    "line",
    "id",
    "model",
    "model_path",
    "config_file",
    "system",
    "backend",
    "backend_version",
    "gemm_quant_mode",
    "moe_quant_mode",
    "weights",
    "kv_cache",
    "tp",
    "pp",
    "attention_dp",
    "moe_tp",
    "moe_ep",
    "batch_size",
    "isl",
    "osl",
    "held_out",
    "measured_ttft_ms",
    "measured_tpot_ms",
    "our_ttft_ms",
    "our_tpot_ms",
];

/// The sample's columns `rows_csv` copies as written (the row's own names for the GPU system
/// and the quantisation modes, which a peer reads in its own terms).
const RAW: [&str; 5] = ["model_path", "system", "backend_version", "gemm_quant_mode", "moe_quant_mode"];

/// Every scored row as the scenario a peer is given, one CSV line each (`ROW_COLUMNS`): the
/// sample's line and id; the catalog model, the row's `model_path` and the full config it is
/// planned from (the checkpoint's own file for a `CHECKPOINT_VARIANTS` row, else
/// `config_files[model]`); the row's system, engine, release and quantisation modes as written;
/// the precisions, layout, batch per attention-DP rank and lengths the planner was given; the
/// part; the measured figures and ours (blank when we predict none). `sample` is the text the
/// rows were read from; an error names a row whose model has no config file.
pub fn rows_csv(sample: &str, scored: &[Scored], config_files: &BTreeMap<String, String>) -> Result<String, InputError> {
    let records: Vec<Row> = blocks(sample).into_iter().flatten().collect();
    let Some((header, data)) = records.split_first() else {
        return Err(InputError::new("csv", "empty file"));
    };
    let index = RAW.map(|name| header.cells.iter().position(|h| h == name).ok_or_else(|| InputError::new("csv", format!("no column `{name}`"))));
    let index: Vec<usize> = index.into_iter().collect::<Result<_, _>>()?;
    let by_line: BTreeMap<usize, &Row> = data.iter().map(|r| (r.line, r)).collect();
    let mut out = ROW_COLUMNS.join(",") + "\n";
    for s in scored {
        let (row, p) = (s.row, &s.row.point);
        let cells = by_line.get(&row.line).ok_or_else(|| InputError::new("csv", format!("no line {} in the sample", row.line)))?;
        let raw = |k: usize| cells.cells.get(index[k]).map_or("", |c| c.trim());
        let model = p.group.model.as_str();
        let config = CHECKPOINT_VARIANTS
            .iter()
            .find(|(path, _, _)| *path == raw(0))
            .map(|(_, _, file)| file.to_string())
            .or_else(|| config_files.get(model).cloned())
            .ok_or_else(|| InputError::new("model", format!("{model} (line {}): no full config.json named for it", row.line)))?;
        let l = p.measurement.layout;
        let (moe_tp, moe_ep) = if p.inputs.model.is_moe() { ((l.tp * l.dp / l.ep).to_string(), l.ep.to_string()) } else { (String::new(), String::new()) };
        let (ours_ttft, ours_tpot) = match &s.figures {
            Ok(f) => (f.ttft_ms.predicted.to_string(), f.tpot_ms.predicted.to_string()),
            Err(_) => (String::new(), String::new()),
        };
        let measured = |x: Option<f64>| x.map_or(String::new(), |v| v.to_string());
        let fields = [
            row.line.to_string(),
            row.id.clone(),
            model.to_string(),
            raw(0).to_string(),
            config,
            raw(1).to_string(),
            p.group.engine.to_string(),
            raw(2).to_string(),
            raw(3).to_string(),
            raw(4).to_string(),
            p.inputs.precision.weights.id().to_string(),
            p.inputs.precision.kv.id().to_string(),
            l.tp.to_string(),
            l.pp.to_string(),
            l.dp.to_string(),
            moe_tp,
            moe_ep,
            (row.concurrency / l.dp).to_string(),
            p.group.isl.to_string(),
            p.group.osl.to_string(),
            u8::from(row.held_out).to_string(),
            measured(p.measurement.ttft_ms),
            measured(p.measurement.tpot_ms),
            ours_ttft,
            ours_tpot,
        ];
        out += &fields.map(|f| quoted(&f)).join(",");
        out.push('\n');
    }
    Ok(out)
}

/// A cell as CSV writes it: quoted when it holds a comma or a quote.
fn quoted(cell: &str) -> String {
    if cell.contains([',', '"']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_string()
    }
}

/// The peer's answer for one row: its TTFT and TPOT in ms, or the error it raised.
#[derive(Debug, Clone, PartialEq)]
pub struct PeerPrediction {
    pub id: String,
    pub ttft_tpot_ms: Result<[f64; 2], String>,
}

/// The peer's predictions file (`line,id,<peer>_ttft_ms,<peer>_tpot_ms,<peer>_error`, the peer
/// named by the prefix of its columns, e.g. `aic_`), by the sample's line. An error names the
/// line of a row with neither two positive times nor an error, or a line written twice.
pub fn read_predictions(text: &str) -> Result<BTreeMap<usize, PeerPrediction>, InputError> {
    let records: Vec<Row> = blocks(text).into_iter().flatten().collect();
    let Some((header, data)) = records.split_first() else {
        return Err(InputError::new("predictions", "empty file"));
    };
    let column = |suffix: &str| {
        header
            .cells
            .iter()
            .position(|h| h == suffix || h.ends_with(&format!("_{suffix}")))
            .ok_or_else(|| InputError::new("predictions", format!("no column `line`, `id` or `…_{suffix}` in the header")))
    };
    let [line, id, ttft, tpot, error] = [column("line")?, column("id")?, column("ttft_ms")?, column("tpot_ms")?, column("error")?];
    let mut out = BTreeMap::new();
    for r in data {
        let cell = |i: usize| r.cells.get(i).map_or("", |c| c.trim());
        let at = |what: &str| InputError::new("predictions", format!("line {}: {what}", r.line));
        let sample_line: usize = cell(line).parse().map_err(|_| at("`line` is not a line number"))?;
        let figures = if cell(error).is_empty() {
            let ms = |i: usize| cell(i).parse::<f64>().ok().filter(|v| v.is_finite() && *v > 0.0);
            match (ms(ttft), ms(tpot)) {
                (Some(a), Some(b)) => Ok([a, b]),
                _ => return Err(at("neither two positive times nor an error")),
            }
        } else {
            Err(cell(error).to_string())
        };
        if out.insert(sample_line, PeerPrediction { id: cell(id).to_string(), ttft_tpot_ms: figures }).is_some() {
            return Err(at(&format!("sample line {sample_line} predicted twice")));
        }
    }
    Ok(out)
}

/// Why a row has no peer prediction when the file lacks it.
pub const NOT_IN_FILE: &str = "not in the predictions file";

/// What a peer's error counts by: its text up to its particulars (the first quote, brace or
/// digit), `PerfDataNotAvailableError: perf database error: MoE data missing for MoeKey`.
pub fn error_kind(error: &str) -> String {
    let end = error.find(|c: char| matches!(c, '{' | '\'' | '"') || c.is_ascii_digit()).unwrap_or(error.len());
    error[..end].trim_end_matches([' ', ':', '(', ',']).to_string()
}

/// The peer's figures for each of `ours`' rows, as `silicon::score` scores ours: TTFT and TPOT
/// as predicted, tokens/s per GPU derived from them; the peer's error (counted by `error_kind`)
/// or `NOT_IN_FILE` where it predicts none. An error when the file's id for a
/// line is not the sample's (predictions made from another version of the sample).
pub fn score_peer<'a>(ours: &[Scored<'a>], predictions: &BTreeMap<usize, PeerPrediction>) -> Result<Vec<Scored<'a>>, InputError> {
    ours.iter()
        .map(|s| {
            let (row, p) = (s.row, &s.row.point);
            let figures = match predictions.get(&row.line) {
                None => Err(NoPrediction { kind: NOT_IN_FILE.to_string(), detail: String::new() }),
                Some(peer) if peer.id != row.id => {
                    return Err(InputError::new(
                        "predictions",
                        format!("sample line {}: id `{}` in the predictions, `{}` in the sample", row.line, peer.id, row.id),
                    ))
                }
                Some(PeerPrediction { ttft_tpot_ms: Err(e), .. }) => Err(NoPrediction { kind: error_kind(e), detail: e.clone() }),
                Some(PeerPrediction { ttft_tpot_ms: Ok([ttft, tpot]), .. }) => match (p.measurement.ttft_ms, p.measurement.tpot_ms) {
                    (Some(measured_ttft), Some(measured_tpot)) => {
                        let compared = |predicted: f64, measured: f64| Compared { group: p.group.clone(), tp: p.measurement.layout.tp, predicted, measured };
                        let gpus = p.inputs.cluster.total_gpus();
                        let tok_s = derived_output_tok_s_per_gpu(row.concurrency, p.group.osl, *ttft, *tpot, gpus);
                        Ok(Figures {
                            ttft_ms: compared(*ttft, measured_ttft),
                            tpot_ms: compared(*tpot, measured_tpot),
                            output_tok_s_per_gpu: compared(tok_s, p.measured()),
                            inside: [false; 3],
                        })
                    }
                    _ => Err(NoPrediction { kind: "no measured TTFT and TPOT".to_string(), detail: String::new() }),
                },
            };
            Ok(Scored { row, figures })
        })
        .collect()
}

/// The rows both predicted, ours and the peer's, in row order (`ours` and `peer` are the same
/// rows in the same order, as `score_peer` gives them).
pub fn paired<'a>(ours: &[Scored<'a>], peer: &[Scored<'a>]) -> (Vec<Scored<'a>>, Vec<Scored<'a>>) {
    ours.iter().zip(peer).filter(|(a, b)| a.figures.is_ok() && b.figures.is_ok()).map(|(a, b)| (a.clone(), b.clone())).unzip()
}

/// One group of the comparison (model × GPU × engine × precision) with both sides' scores.
#[derive(Debug, Clone)]
pub struct GroupGap {
    pub group: String,
    pub ours: Scores,
    pub peer: Scores,
}

impl GroupGap {
    /// Median |error| of output tokens/s per GPU, ours less the peer's: positive where the peer
    /// is closer.
    pub fn tok_s_gap(&self) -> f64 {
        self.ours.output_tok_s_per_gpu.median_abs_error - self.peer.output_tok_s_per_gpu.median_abs_error
    }
}

/// Groups with fewer rows both predicted are not ranked (a median of one or two rows says
/// little).
pub const MIN_GROUP_ROWS: usize = 3;

/// Every model × GPU × engine × precision group of the paired rows with at least
/// `MIN_GROUP_ROWS` rows, both sides scored.
pub fn group_gaps(ours: &[Scored], peer: &[Scored]) -> Vec<GroupGap> {
    let key = |s: &Scored| {
        let g = &s.row.point.group;
        format!("{} {} {} {}", g.model, g.gpu, g.engine, g.precision)
    };
    let theirs: BTreeMap<String, Scores> = breakdown(peer, key).into_iter().collect();
    breakdown(ours, key)
        .into_iter()
        .filter(|(_, s)| s.rows >= MIN_GROUP_ROWS)
        .filter_map(|(group, ours)| Some(GroupGap { peer: *theirs.get(&group)?, group, ours }))
        .collect()
}

fn pct(x: f64) -> String {
    format!("{:.1} %", x * 100.0)
}

/// What a breakdown of the report splits the rows by.
type BreakdownKey<'k> = &'k dyn Fn(&Scored) -> String;

/// The side-by-side report: coverage (what each side lacks, the peer's errors by kind), both
/// sides' medians on the paired rows per part, engine, engine and part, GPU, model family and
/// precision, and the `ranked` groups where the peer is closest ahead of us and we of it.
pub fn report(ours: &[Scored], peer: &[Scored], peer_name: &str, ranked: usize) -> String {
    let mut out = String::new();
    let (a, b) = paired(ours, peer);
    let lack = |s: &[Scored]| s.iter().filter(|x| x.figures.is_err()).count();
    let _ = writeln!(
        out,
        "Peer: {peer_name}. Of {} used rows, we predict {} (lack {}), {peer_name} predicts {} (lacks {}); both: {}.",
        ours.len(),
        ours.len() - lack(ours),
        lack(ours),
        peer.len() - lack(peer),
        lack(peer),
        a.len()
    );
    let _ = writeln!(out, "\n{peer_name} has no prediction for, by kind:");
    unpredicted(&mut out, peer);
    let _ =
        writeln!(out, "\nOn the {} rows both predicted ({peer_name}'s tok/s/GPU derived from its TTFT and TPOT as the measured one is):\n{COLUMNS}", a.len());
    for (i, name) in PARTS.iter().enumerate() {
        let _ = writeln!(out, "{}", line(&format!("ours, {name}"), &scores(&part(&a, i))));
        let _ = writeln!(out, "{}", line(&format!("{peer_name}, {name}"), &scores(&part(&b, i))));
    }
    let only_ours: Vec<&Scored> = ours.iter().zip(peer).filter(|(_, p)| p.figures.is_err()).map(|(o, _)| o).collect();
    let _ = writeln!(out, "{}", line(&format!("ours, rows {peer_name} lacks"), &scores(&only_ours)));
    let engine = |s: &Scored| s.row.point.group.engine.to_string();
    let engine_part = |s: &Scored| format!("{}, {}", s.row.point.group.engine, if s.row.held_out { "held out" } else { "fit part" });
    let gpu = |s: &Scored| s.row.point.group.gpu.clone();
    let family = |s: &Scored| s.row.family.to_string();
    let precision = |s: &Scored| s.row.point.group.precision.clone();
    let tables: [(&str, BreakdownKey); 5] = [
        ("Per engine", &engine),
        ("Per engine and part", &engine_part),
        ("Per GPU", &gpu),
        ("Per model family", &family),
        ("Per precision (weights/KV)", &precision),
    ];
    for (title, key) in tables {
        let _ = writeln!(out, "\n{title} (ours, then {peer_name}):\n{COLUMNS}");
        for ((k, x), (_, y)) in breakdown(&a, key).into_iter().zip(breakdown(&b, key)) {
            let _ = writeln!(out, "{}", line(&format!("{k}, ours"), &x));
            let _ = writeln!(out, "{}", line(&format!("{k}, {peer_name}"), &y));
        }
    }
    let mut gaps = group_gaps(&a, &b);
    gaps.sort_by(|x, y| y.tok_s_gap().total_cmp(&x.tok_s_gap()));
    let head = |out: &mut String, title: String| {
        let _ = writeln!(out, "\n{title}\n  {:<62} {:>5} | ours: TTFT   TPOT  tok/s | {peer_name}: TTFT   TPOT  tok/s", "model gpu engine weights/kv", "rows");
    };
    let gap_line = |g: &GroupGap| {
        let m =
            |s: &Scores| format!("{:>8} {:>6} {:>6}", pct(s.ttft.median_abs_error), pct(s.tpot.median_abs_error), pct(s.output_tok_s_per_gpu.median_abs_error));
        format!("  {:<62} {:>5} | {} | {}", g.group, g.ours.rows, m(&g.ours), m(&g.peer))
    };
    let title = |who: &str| format!("Groups (≥ {MIN_GROUP_ROWS} rows both predicted) where {who} is furthest ahead on tok/s/GPU (gap in median |error|):");
    head(&mut out, title(peer_name));
    for g in gaps.iter().take(ranked).filter(|g| g.tok_s_gap() > 0.0) {
        let _ = writeln!(out, "{}", gap_line(g));
    }
    head(&mut out, title("the planner"));
    for g in gaps.iter().rev().take(ranked).filter(|g| g.tok_s_gap() < 0.0) {
        let _ = writeln!(out, "{}", gap_line(g));
    }
    let ahead = gaps.iter().filter(|g| g.tok_s_gap() > 0.0).count();
    let gap_median = median(&gaps.iter().map(GroupGap::tok_s_gap).collect::<Vec<_>>());
    let _ = writeln!(
        out,
        "\n{ahead} of {} groups have {peer_name} closer on tok/s/GPU; median gap (ours − {peer_name}) {:+.1} points.",
        gaps.len(),
        gap_median * 100.0
    );
    out
}
