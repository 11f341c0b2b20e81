//! Mutations of the line- and parameter-shaped inputs: a share link's query parameters, and a
//! result file (its name line, its JSON, JSON lines or CSV cells).

use super::{json, one_of, word, EXTREMES, TOKENS};
use fastrand::Rng;

/// A share link with one parameter changed, added, repeated or dropped, or its encoding broken.
pub fn url(rng: &mut Rng, words: &[String], text: &str) -> Option<String> {
    let (base, query) = text.split_once('?').unwrap_or(("", text));
    let mut pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    let i = rng.usize(..pairs.len().max(1));
    match rng.u8(..8) {
        0 | 1 if i < pairs.len() => {
            let value = &pairs[i].1;
            // A parameter holding JSON (a pasted config, the calibration) is mutated as JSON.
            pairs[i].1 = json::mutate(rng, words, value, "").unwrap_or_else(|| value_like(rng, words, value));
        }
        2 if i < pairs.len() => {
            pairs[i].1 = value_like(rng, words, &pairs[i].1);
        }
        3 if i < pairs.len() => {
            pairs.remove(i);
        }
        4 if i < pairs.len() => {
            let again = (pairs[i].0.clone(), value_like(rng, words, &pairs[i].1));
            pairs.insert(if rng.bool() { 0 } else { pairs.len() }, again);
        }
        5 => {
            let name = word(rng, words).to_string();
            let value = value_like(rng, words, "");
            pairs.insert(rng.usize(..=pairs.len()), (name, value));
        }
        6 => {
            let raw = one_of(rng, &["%", "%zz", "%FF", "%C3", "+", "&&", "==", "#x", "?", "%00", "&=", ";"]);
            let at = rng.usize(..=query.len());
            let at = (0..=at).rev().find(|&j| query.is_char_boundary(j)).unwrap_or(0);
            return Some(format!("{base}?{}{raw}{}", &query[..at], &query[at..]));
        }
        _ => rng.shuffle(&mut pairs),
    }
    let query = form_urlencoded::Serializer::new(String::new()).extend_pairs(&pairs).finish();
    Some(if base.is_empty() { query } else { format!("{base}?{query}") })
}

/// A parameter value: a number near or at an extreme, a word, empty, a choice's near miss.
fn value_like(rng: &mut Rng, words: &[String], current: &str) -> String {
    match rng.u8(..7) {
        0 => one_of(rng, &EXTREMES).into(),
        1 => one_of(rng, &TOKENS).into(),
        2 => String::new(),
        3 => format!(" {current}"),
        4 => current.to_uppercase(),
        5 => format!("{current}{}", one_of(rng, &["0", "a", ".5", "e3", "%"])),
        _ => word(rng, words).into(),
    }
}

/// A result file with its name, its JSON, one of its JSON lines, or a CSV cell or line changed.
pub fn result_file(rng: &mut Rng, words: &[String], text: &str, other: &str) -> Option<String> {
    let (name, body) = text.split_once('\n').unwrap_or((text, ""));
    if rng.u8(..6) == 0 {
        return Some(format!("{}\n{body}", file_name(rng, name)));
    }
    let trimmed = body.trim_start_matches('\u{feff}').trim_start();
    let other_body = other.split_once('\n').map_or("", |(_, b)| b);
    let body = match trimmed.chars().next() {
        Some('{' | '[') => match json::mutate(rng, words, body, other_body) {
            Some(b) => b,
            None => lines(rng, words, body, true)?,
        },
        _ => lines(rng, words, body, false)?,
    };
    Some(format!("{name}\n{body}"))
}

/// A file name with its extension, tool or layout changed (`vllm-tp8-pp1-dp2-ep1.json`).
fn file_name(rng: &mut Rng, name: &str) -> String {
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    match rng.u8(..5) {
        0 => format!("{stem}{}", one_of(rng, &[".json", ".jsonl", ".csv", ".txt", "", ".JSON", "."])),
        1 => format!(
            "{}{}",
            one_of(rng, &["vllm-", "sglang-", "trtllm-", "", "dir/", "C:\\x\\"]),
            one_of(rng, &["tp8-pp1-dp2-ep1.json", "tp0-pp1-dp1-ep1.json", "tp4294967296.jsonl", "tp2_dp2_x.csv", "-ep.json", "profile_export_aiperf.csv", "profile_export_genai_perf.json"])
        ),
        2 => String::new(),
        3 => format!("{stem}-tp{}.json", one_of(rng, &EXTREMES)),
        _ => format!("{name}{name}"),
    }
}

/// Lines (JSON lines when `json`, else CSV rows) with one changed, dropped, repeated or
/// inserted blank, or a cell of one changed.
fn lines(rng: &mut Rng, words: &[String], body: &str, json_lines: bool) -> Option<String> {
    let mut rows: Vec<String> = body.lines().map(str::to_string).collect();
    if rows.is_empty() {
        return None;
    }
    let i = rng.usize(..rows.len());
    match rng.u8(..6) {
        0 => {
            rows.remove(i);
        }
        1 => rows.insert(i, rows[i].clone()),
        2 => rows.insert(i, String::new()),
        _ if json_lines => rows[i] = json::mutate(rng, words, &rows[i], "")?,
        _ => {
            let mut cells: Vec<String> = rows[i].split(',').map(str::to_string).collect();
            let j = rng.usize(..cells.len());
            match rng.u8(..5) {
                0 => {
                    cells.remove(j);
                }
                1 => cells.insert(j, one_of(rng, &EXTREMES).into()),
                2 => cells[j] = format!("\"{}\"", cells[j].replace('"', "\"\"")),
                3 => cells[j] = one_of(rng, &TOKENS).into(),
                _ => cells[j] = one_of(rng, &EXTREMES).into(),
            }
            rows[i] = cells.join(",");
        }
    }
    let eol = if rng.u8(..10) == 0 { "\r\n" } else { "\n" };
    Some(rows.join(eol))
}
