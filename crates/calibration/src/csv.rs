//! Comma-separated tables as the benchmark tools, spreadsheet users and the calibration data
//! write them: CRLF or LF
//! line ends, quoted cells (genai-perf 0.0.10 quotes numbers with a thousands separator,
//! `"5,494.07"`), and several tables in one file separated by blank lines (genai-perf and
//! AIPerf write a per-request table, then `Metric,Value` rows, then GPU telemetry).
//!
//! Design decision: a file is read as a list of blocks of rows; each importer picks the
//! blocks it knows by their header, so an extra table a newer tool version appends is ignored
//! instead of breaking the import.

/// One row: its 1-based line number and its cells, trimmed.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub line: usize,
    pub cells: Vec<String>,
}

/// Rows grouped into blocks at blank lines. Quotes follow RFC 4180 (`""` is a quote inside a
/// quoted cell); a quoted cell never spans lines in these tools' output, so a line break ends
/// the row.
pub fn blocks(text: &str) -> Vec<Vec<Row>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out: Vec<Vec<Row>> = Vec::new();
    let mut current: Vec<Row> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        current.push(Row { line: i + 1, cells: cells(line) });
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

pub fn cells(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cell).trim().to_string()),
            (c, _) => cell.push(c),
        }
    }
    out.push(cell.trim().to_string());
    out
}

/// A cell as a number: thousands separators dropped (`5,494.07`), empty cells and `N/A` are
/// `None`.
pub fn number(cell: &str) -> Option<f64> {
    let t = cell.trim().replace(',', "");
    if t.is_empty() || t.eq_ignore_ascii_case("n/a") || t.eq_ignore_ascii_case("none") {
        return None;
    }
    t.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// The lower-cased cells of a row, for matching headers.
pub fn lower(row: &Row) -> Vec<String> {
    row.cells.iter().map(|c| c.to_ascii_lowercase()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_thousands_crlf_and_blocks() {
        let text = "Metric,avg,min\r\nRequest Latency (ms),\"5,494.07\",410.94\r\n\r\nMetric,Value\r\nX,1\r\n";
        let b = blocks(text);
        assert_eq!(b.len(), 2);
        assert_eq!(b[0][1].cells, ["Request Latency (ms)", "5,494.07", "410.94"]);
        assert_eq!(number(&b[0][1].cells[1]), Some(5494.07));
        assert_eq!(b[1][1].line, 5);
        assert_eq!(cells(r#"a,"say ""hi""",c"#), ["a", "say \"hi\"", "c"]);
        assert_eq!(number(""), None);
    }
}
