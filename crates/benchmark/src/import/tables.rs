//! CSV result files: genai-perf and AIPerf `profile_export_*.csv`, and the planner's own CSV.
//!
//! genai-perf and AIPerf write a per-request table (`Metric,avg,min,max,…`, rows named
//! `Title Case Name (unit)`), a blank line, then `Metric,Value` rows; AIPerf's table has `sum`
//! and `p1` columns, genai-perf's (0.0.10) has neither. Rows read: `Time To First Token`,
//! `Inter Token Latency` (a per-request TPOT, see `import`), `Input Sequence Length`,
//! `Output Sequence Length`, `Output Token Throughput`, `Request Count`; AIPerf's GPU telemetry
//! table (`Endpoint,GPU_Index,GPU_Name,…`) gives the GPU name. These CSVs hold no settings:
//! model, load and requested lengths are unknown.

use calibration::csv::{blocks, lower, number, Row};
use super::{ImportError, LayoutSource, MeasuredLayout, MeasuredLoad, MeasuredRun, TimeStat, Tool, FORMATS};
use crate::naming::layout_of;

/// The planner CSV's columns, in the documented order.
pub const PLANNER_CSV_HEADER: [&str; 8] = ["tp", "pp", "dp", "ep", "concurrency", "output_tok_s", "ttft_ms", "tpot_ms"];

pub(super) fn import(file: &str, text: &str) -> Result<Vec<MeasuredRun>, ImportError> {
    let blocks = blocks(text);
    let Some(header) = blocks.first().and_then(|b| b.first()) else {
        return Err(ImportError::Empty { file: file.into() });
    };
    let head = lower(header);
    if head.iter().any(|h| PLANNER_CSV_HEADER.contains(&h.as_str())) && head.first().map(String::as_str) != Some("metric") {
        return planner_csv(file, header, &blocks);
    }
    if head.first().map(String::as_str) == Some("metric") && head.get(1).map(String::as_str) == Some("avg") {
        let tool = if head.iter().any(|h| h == "sum" || h == "p1") { Tool::Aiperf } else { Tool::GenaiPerf };
        return metric_tables(file, tool, &blocks);
    }
    let shown: String = header.cells.join(",").chars().take(80).collect();
    Err(ImportError::Unrecognised { file: file.into(), found: format!("a text file starting {shown:?}") })
}

/// A metric row's name without its unit, lower case: `Time To First Token (ms)` → `time to first token`.
fn metric_name(row: &Row) -> String {
    let name = row.cells.first().map(String::as_str).unwrap_or_default();
    name.split(" (").next().unwrap_or_default().trim().to_ascii_lowercase()
}

fn metric_tables(file: &str, tool: Tool, blocks: &[Vec<Row>]) -> Result<Vec<MeasuredRun>, ImportError> {
    let mut stats: Vec<(String, f64, Option<f64>)> = Vec::new(); // name, avg, p50
    let mut values: Vec<(String, f64)> = Vec::new();
    let mut gpus: Vec<String> = Vec::new();
    for block in blocks {
        let Some(header) = block.first() else { continue };
        let head = lower(header);
        let rows = &block[1..];
        if head.first().map(String::as_str) == Some("metric") && head.get(1).map(String::as_str) == Some("avg") {
            let p50 = head.iter().position(|h| h == "p50");
            for r in rows {
                if let Some(avg) = r.cells.get(1).and_then(|c| number(c)) {
                    stats.push((metric_name(r), avg, p50.and_then(|i| r.cells.get(i)).and_then(|c| number(c))));
                }
            }
        } else if head == ["metric", "value"] {
            for r in rows {
                if let Some(v) = r.cells.get(1).and_then(|c| number(c)) {
                    values.push((metric_name(r), v));
                }
            }
        } else if let Some(i) = head.iter().position(|h| h == "gpu_name") {
            for name in rows.iter().filter_map(|r| r.cells.get(i)).filter(|n| !n.is_empty()) {
                if !gpus.contains(name) {
                    gpus.push(name.clone());
                }
            }
        }
    }
    let stat = |name: &str| stats.iter().find(|s| s.0 == name);
    let value = |name: &str| values.iter().find(|v| v.0 == name).map(|v| v.1);
    let Some(output) = value("output token throughput").filter(|t| *t >= 0.0) else {
        return Err(ImportError::MissingKeys {
            file: file.into(),
            tool,
            where_: "the Metric,Value table".into(),
            missing: vec!["Output Token Throughput".into()],
        });
    };
    let mut run = MeasuredRun::new(tool, file, output);
    let time = |name: &str| stat(name).map_or(TimeStat::default(), |s| TimeStat { mean: Some(s.1), median: s.2 });
    run.ttft_ms = time("time to first token");
    run.tpot_ms = time("inter token latency");
    run.mean_isl = stat("input sequence length").map(|s| s.1);
    run.mean_osl = stat("output sequence length").map(|s| s.1);
    run.completed = value("request count").filter(|c| *c >= 0.0 && c.fract() == 0.0 && *c <= u32::MAX as f64).map(|c| c as u32);
    run.gpu = (!gpus.is_empty()).then(|| gpus.join(", "));
    run.notes.push(format!("{tool} CSV: no model, load or requested lengths in the file; the JSON export has them"));
    if run.ttft_ms.mean.is_none() {
        run.notes.push("no Time To First Token row: the run was not streamed".into());
    }
    Ok(vec![run])
}

fn planner_csv(file: &str, header: &Row, blocks: &[Vec<Row>]) -> Result<Vec<MeasuredRun>, ImportError> {
    let bad = |line: usize, message: String| ImportError::BadValue { file: file.into(), where_: format!("line {line}"), message };
    let head = lower(header);
    let unknown: Vec<&String> = head.iter().filter(|h| !PLANNER_CSV_HEADER.contains(&h.as_str())).collect();
    let missing: Vec<String> =
        PLANNER_CSV_HEADER.iter().filter(|c| !head.iter().any(|h| h == *c)).map(|c| c.to_string()).collect();
    if !unknown.is_empty() || !missing.is_empty() {
        return Err(bad(
            header.line,
            format!(
                "the planner CSV's header is {}; {}{}",
                PLANNER_CSV_HEADER.join(","),
                if missing.is_empty() { String::new() } else { format!("missing {}", missing.join(", ")) },
                if unknown.is_empty() {
                    String::new()
                } else {
                    format!("{}unknown {}", if missing.is_empty() { "" } else { "; " }, unknown.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "))
                },
            ),
        ));
    }
    let column = |name: &str| head.iter().position(|h| h == name).unwrap_or(0);
    let rows: Vec<&Row> = blocks.iter().flatten().skip(1).collect();
    if rows.is_empty() {
        return Err(bad(header.line, format!("no rows under the header; expected one run per row ({FORMATS})")));
    }
    rows.into_iter()
        .map(|row| {
            if row.cells.len() != head.len() {
                return Err(bad(row.line, format!("{} cells, the header has {}", row.cells.len(), head.len())));
            }
            let cell = |name: &str| row.cells[column(name)].as_str();
            let whole = |name: &str| -> Result<u32, ImportError> {
                match number(cell(name)) {
                    Some(x) if x >= 1.0 && x.fract() == 0.0 && x <= u32::MAX as f64 => Ok(x as u32),
                    _ => Err(bad(row.line, format!("{name} must be a whole number ≥ 1, got {:?}", cell(name)))),
                }
            };
            let positive = |name: &str, required: bool| -> Result<Option<f64>, ImportError> {
                match (cell(name).trim().is_empty(), number(cell(name))) {
                    (true, _) if !required => Ok(None),
                    (_, Some(x)) if x > 0.0 => Ok(Some(x)),
                    _ => Err(bad(row.line, format!("{name} must be a positive number, got {:?}", cell(name)))),
                }
            };
            let (tp, pp, dp, ep) = (whole("tp")?, whole("pp")?, whole("dp")?, whole("ep")?);
            let layout = layout_of(tp, pp, dp, ep).ok_or_else(|| {
                bad(row.line, format!("tp {tp}, pp {pp}, dp {dp}, ep {ep} is not a layout: ep must divide tp × dp"))
            })?;
            let mut run = MeasuredRun::new(Tool::PlannerCsv, file, positive("output_tok_s", true)?.unwrap_or_default());
            run.layout = Some(MeasuredLayout { layout, source: LayoutSource::Csv, assumed: vec![] });
            run.load = MeasuredLoad::Concurrency { requests: whole("concurrency")? };
            run.ttft_ms.mean = positive("ttft_ms", false)?;
            run.tpot_ms.mean = positive("tpot_ms", false)?;
            Ok(run)
        })
        .collect()
}
