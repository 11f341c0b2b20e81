//! The planner and the chart layout name no web crate. The build already keeps them out (they are optional
//! dependencies of the `web` feature, and the planner's tests run without it); this test also
//! catches a `#[cfg(feature = "web")]` slipped into `src/planner/`, which the build would accept.

use std::fs;
use std::path::{Path, PathBuf};

const WEB_CRATES: &[&str] = &["yew", "wasm_bindgen", "web_sys", "js_sys", "gloo", "serde_wasm_bindgen"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display())) {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

/// Whole-word occurrences of `word` (identifier characters do not count as a boundary), so
/// `yew` is found in `use yew::prelude` but not in `eyewear`.
fn mentions(text: &str, word: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

/// Every mention of a web crate or the web feature in the sources under `src/{dir}`.
fn web_mentions(dir: &str, min_files: usize) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(dir);
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    assert!(files.len() >= min_files, "expected sources under {}, found {}", root.display(), files.len());
    let mut offenders = Vec::new();
    for file in &files {
        let text = fs::read_to_string(file).unwrap_or_else(|e| panic!("reading {}: {e}", file.display()));
        for web_crate in WEB_CRATES {
            if mentions(&text, web_crate) {
                offenders.push(format!("{} mentions {web_crate}", file.display()));
            }
        }
        if text.contains("feature = \"web\"") {
            offenders.push(format!("{} depends on the web feature", file.display()));
        }
    }
    offenders
}

#[test]
fn no_file_under_src_planner_mentions_a_web_crate() {
    let offenders = web_mentions("planner", 10);
    assert!(offenders.is_empty(), "the planner must not know about the web layer:\n{}", offenders.join("\n"));
}

/// The chart layout is tested natively and only its view (`ui::comparison_chart`) draws SVG.
#[test]
fn no_file_under_src_chart_mentions_a_web_crate() {
    let offenders = web_mentions("chart", 4);
    assert!(offenders.is_empty(), "the chart layout must not know about the web layer:\n{}", offenders.join("\n"));
}

#[test]
fn the_word_check_finds_crate_paths_and_ignores_longer_words() {
    assert!(mentions("use yew::prelude::*;", "yew"));
    assert!(mentions("wasm_bindgen::JsValue", "wasm_bindgen"));
    assert!(!mentions("serde_wasm_bindgen::to_value", "wasm_bindgen"));
    assert!(!mentions("eyewear and gloom", "yew"));
    assert!(!mentions("gloomy", "gloo"));
}
