//! The seed corpus: the committed inputs of each target (`crates/fuzz/corpus/<target>/`,
//! real files from `data/` and hand-written edge cases), and the dictionary the mutator draws
//! words from.
//!
//! Design decision: the dictionary is harvested from the seeds themselves (their keys,
//! parameter names and short strings, catalog ids included), so it follows the formats as
//! they change without a list to keep in step.

use crate::check::SCENARIO_KEYS;
use crate::targets::Target;
use serde_json::Value;
use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};

/// The committed seeds of `target`.
pub fn dir(target: Target) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus").join(target.name())
}

/// Every file of the folders, in name order (a folder that does not exist holds none).
pub fn load(dirs: &[PathBuf]) -> io::Result<Vec<Vec<u8>>> {
    let mut files = Vec::new();
    for dir in dirs.iter().filter(|d| d.exists()) {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_file() {
                files.push(path);
            }
        }
    }
    files.sort();
    files.iter().map(std::fs::read).collect()
}

/// The words of the seeds: JSON keys and short strings, query parameter names and values, a
/// result file's name and CSV header cells; sorted, so the same seeds give the same words.
pub fn words(seeds: &[Vec<u8>]) -> Vec<String> {
    let mut words: BTreeSet<String> = SCENARIO_KEYS.iter().map(|k| k.to_string()).collect();
    for seed in seeds {
        let text = String::from_utf8_lossy(seed);
        for line in text.lines().take(50) {
            if let Ok(value) = serde_json::from_str::<Value>(line.trim_end_matches(',')) {
                harvest(&value, &mut words);
            }
            for (k, v) in form_urlencoded::parse(line.trim_start_matches(|c| c != '?').trim_start_matches('?').as_bytes()) {
                words.extend([k.into_owned(), v.into_owned()].into_iter().filter(|w| short(w)));
            }
            if !line.contains([':', '{', '&']) {
                words.extend(line.split(',').filter(|c| short(c)).map(str::to_string));
            }
        }
        if let Ok(value) = serde_json::from_str::<Value>(&text) {
            harvest(&value, &mut words);
        }
    }
    words.into_iter().collect()
}

fn short(word: &str) -> bool {
    !word.is_empty() && word.len() <= 40 && !word.contains(['\n', '{', '}'])
}

fn harvest(value: &Value, words: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                words.insert(k.clone());
                harvest(v, words);
            }
        }
        Value::Array(items) => items.iter().take(64).for_each(|v| harvest(v, words)),
        Value::String(s) if short(s) => {
            words.insert(s.clone());
        }
        _ => {}
    }
}
