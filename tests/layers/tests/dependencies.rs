//! Each crate depends only on what its layer may use: an allow-list per crate, with the
//! reason, checked against its Cargo.toml (build dependencies, every target); the web crates
//! appear in no manifest but the page's.

use layers::manifest::dependencies;
use layers::workspace_root;

/// (package directory, what it may depend on, why).
const ALLOWED: &[(&str, &[&str], &str)] = &[
    ("crates/planner", &["serde", "serde_json", "thiserror"],
        "the pure core: its data types and JSON, nothing else: no web crate, no I/O crate"),
    ("crates/chart", &["planner"],
        "the chart's layout is arithmetic over the planner's one stable sort; the page draws it"),
    ("crates/calibration", &["planner", "serde", "serde_json"],
        "measured runs against the planner's model: data in, a fit out"),
    ("crates/benchmark", &["planner", "calibration", "serde", "serde_json", "thiserror"],
        "launch commands, scripts, importers and comparison over the planner, and the worker's recalibration"),
    ("crates/cli", &["planner", "calibration", "benchmark", "serde", "serde_json"],
        "the native commands over the crates below them; their file I/O is std's"),
    ("crates/fuzz", &["planner", "benchmark", "page", "serde", "serde_json", "serde-value", "fastrand", "form_urlencoded", "cpu-time"],
        "the fuzz drivers: the inputs' readers (planner, benchmark, the page's pure part without the web feature), a seeded \
         random source, the browser's query-string reading, and an input's CPU time"),
    (".", &["planner", "chart", "calibration", "benchmark", "serde", "serde_json",
            "yew", "wasm-bindgen", "wasm-bindgen-futures", "serde-wasm-bindgen", "gloo", "web-sys", "js-sys", "talc"],
        "the page: the crates below it and, behind the `web` feature, the web crates and the wasm binaries' allocator"),
];

/// The crates that bind to the browser: only the page may name them.
const WEB_CRATES: &[&str] =
    &["yew", "wasm-bindgen", "wasm-bindgen-futures", "wasm-bindgen-test", "serde-wasm-bindgen", "gloo", "web-sys", "js-sys"];

fn manifest(dir: &str) -> String {
    let path = workspace_root().join(dir).join("Cargo.toml");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// Every package directory under `crates/` and `tests/`.
fn member_dirs() -> Vec<String> {
    let mut dirs = Vec::new();
    for parent in ["crates", "tests"] {
        for entry in std::fs::read_dir(workspace_root().join(parent)).expect("a readable directory") {
            let name = entry.expect("a directory entry").file_name().to_string_lossy().into_owned();
            if workspace_root().join(parent).join(&name).join("Cargo.toml").is_file() {
                dirs.push(format!("{parent}/{name}"));
            }
        }
    }
    dirs.sort();
    dirs
}

#[test]
fn every_crate_depends_only_on_its_allow_list() {
    let mut outside = Vec::new();
    for (dir, allowed, why) in ALLOWED {
        let found = dependencies(&manifest(dir)).unwrap_or_else(|e| panic!("{dir}/Cargo.toml: {e}"));
        for name in found.build.iter().filter(|name| !allowed.contains(&name.as_str())) {
            outside.push(format!("{dir} depends on {name}; allowed: {} ({why})", allowed.join(", ")));
        }
    }
    assert!(outside.is_empty(), "expected every dependency within its crate's allow-list, found:\n{}", outside.join("\n"));
}

/// A crate added under crates/ states its layer here before it builds on anything.
#[test]
fn every_crate_under_crates_has_an_allow_list() {
    let listed: Vec<&str> = ALLOWED.iter().map(|(dir, _, _)| *dir).collect();
    let missing: Vec<String> = member_dirs().into_iter().filter(|d| d.starts_with("crates/") && !listed.contains(&d.as_str())).collect();
    assert!(missing.is_empty(), "expected an allow-list (with its reason) in tests/layers/tests/dependencies.rs for {missing:?}");
}

#[test]
fn only_the_page_names_a_web_crate() {
    let mut offenders = Vec::new();
    for dir in member_dirs() {
        let found = dependencies(&manifest(&dir)).unwrap_or_else(|e| panic!("{dir}/Cargo.toml: {e}"));
        for name in found.build.iter().chain(&found.dev).filter(|name| WEB_CRATES.contains(&name.as_str())) {
            offenders.push(format!("{dir} depends on {name}"));
        }
    }
    assert!(offenders.is_empty(), "expected web crates in the page's manifest only, found:\n{}", offenders.join("\n"));
    let page = dependencies(&manifest(".")).expect("the page's manifest");
    assert!(page.build.contains("yew"), "expected the page (the root package) to depend on yew, found {:?}", page.build);
}
