//! The pure crates touch no file, socket, process or environment: no path in the non-test
//! code of planner, chart, calibration or benchmark goes through `std::fs`, `std::net`,
//! `std::process` or `std::env` (however it is imported or renamed). The `cli` crate and the
//! page are the I/O layers.

use layers::resolve::Crate;
use layers::sources::Sources;
use layers::workspace_root;
use std::path::Path;

const PURE: &[&str] = &["crates/planner", "crates/chart", "crates/calibration", "crates/benchmark"];
const FORBIDDEN: &[&str] = &["fs", "net", "process", "env"];

/// Every path of the crate at `root` that reaches a forbidden `std` module, as `file:line path`.
fn io_paths(sources: &Sources, root: &Path) -> Vec<String> {
    let krate = Crate::load(sources, root).unwrap_or_else(|e| panic!("reading the crate at {}: {e}", root.display()));
    krate
        .external_paths()
        .into_iter()
        .filter(|p| matches!(p.segments.as_slice(), [std, module, ..] if std == "std" && FORBIDDEN.contains(&module.as_str())))
        .map(|p| format!("{}:{} {}", p.file.display(), p.line, p.segments.join("::")))
        .collect()
}

#[test]
fn the_pure_crates_do_no_io() {
    let mut found = Vec::new();
    for dir in PURE {
        let src = format!("{dir}/src");
        let sources = Sources::read_dir(&workspace_root(), &src).unwrap_or_else(|e| panic!("reading {src}: {e}"));
        found.extend(io_paths(&sources, &Path::new(&src).join("lib.rs")));
    }
    assert!(found.is_empty(), "expected no std::{{{}}} in the pure crates, found:\n{}", FORBIDDEN.join(", "), found.join("\n"));
}

/// The check sees through groups, renames and a leading `::`, and leaves test code alone.
#[test]
fn io_is_found_however_it_is_written() {
    let sources = Sources::from_files([(
        "src/lib.rs",
        "use std::{fs, io};\nuse std as s;\nfn a() { let _ = fs::read(\"x\"); }\nfn b() { s::env::var(\"X\").ok(); }\n\
         fn c() { ::std::process::exit(0) }\nfn d() { format!(\"{:?}\", std::net::Ipv4Addr::LOCALHOST); }\n\
         #[cfg(test)]\nfn e() { std::fs::write(\"y\", \"\").unwrap(); }\n",
    )]);
    let expected = [
        "src/lib.rs:1 std::fs",
        "src/lib.rs:3 std::fs::read",
        "src/lib.rs:4 std::env::var",
        "src/lib.rs:5 std::process::exit",
        "src/lib.rs:6 std::net::Ipv4Addr::LOCALHOST",
    ];
    let mut found = io_paths(&sources, Path::new("src/lib.rs"));
    found.sort();
    assert_eq!(found, expected, "expected every I/O path outside the test function");
}
