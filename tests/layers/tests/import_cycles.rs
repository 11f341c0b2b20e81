//! No import cycle among sibling modules in any crate of the workspace, the page included
//! (its `web` code too): at every level of each module tree the children form a DAG (the
//! rule and how references are counted: `layers::cycles`). A failure lists every cycle with
//! one walk around it and, for each edge, the file and line that creates it; the fix is to
//! move what both sides need into the lower one.

use layers::{package_report, workspace_root};

fn assert_no_cycle(src: &str) {
    if let Some(report) = package_report(src) {
        panic!("expected no import cycle in {src}, found:\n{report}");
    }
}

#[test]
fn the_planner_has_no_import_cycle() {
    assert_no_cycle("crates/planner/src");
}

#[test]
fn the_chart_has_no_import_cycle() {
    assert_no_cycle("crates/chart/src");
}

#[test]
fn calibration_has_no_import_cycle() {
    assert_no_cycle("crates/calibration/src");
}

#[test]
fn benchmark_has_no_import_cycle() {
    assert_no_cycle("crates/benchmark/src");
}

#[test]
fn the_cli_has_no_import_cycle() {
    assert_no_cycle("crates/cli/src");
}

#[test]
fn the_page_has_no_import_cycle() {
    assert_no_cycle("src");
}

/// A crate added under crates/ is checked without being named here.
#[test]
fn every_other_crate_has_no_import_cycle() {
    let named = ["planner", "chart", "calibration", "benchmark", "cli"];
    let crates = std::fs::read_dir(workspace_root().join("crates")).expect("crates/ is readable");
    for entry in crates {
        let name = entry.expect("a directory entry").file_name().to_string_lossy().into_owned();
        if !named.contains(&name.as_str()) && workspace_root().join("crates").join(&name).join("src").is_dir() {
            assert_no_cycle(&format!("crates/{name}/src"));
        }
    }
}
