//! The layering checks' reader: a crate's module tree parsed with `syn`, the paths each
//! module writes resolved to the modules they name, the cycles those references make among
//! siblings, and the dependencies its manifest declares. The checks themselves are the tests
//! under `tests/` (the real tree) and the synthetic trees beside them.
//!
//! Design decision: everything is computed from the source text (no compiler, no `cargo`
//! run), so a check runs in the plain `cargo test` and a synthetic tree exercises exactly
//! the code that checks the real one.

pub mod cycles;
pub mod manifest;
pub mod module_tree;
pub mod resolve;
pub mod sources;
pub mod test_code;
pub mod written;

use std::path::{Path, PathBuf};

/// The workspace root (two levels above this package).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("the workspace root exists")
}

/// Every cycle among sibling modules of the crate rooted at `root`.
pub fn crate_cycles(sources: &sources::Sources, root: &Path) -> Result<Vec<cycles::Cycle>, String> {
    Ok(cycles::cycles(&resolve::Crate::load(sources, root)?.references()))
}

/// The cycles of a package of the workspace (its `src` directory `src`, relative to the
/// root), crate by crate (library, binaries), as one report; `None` when there are none.
pub fn package_report(src: &str) -> Option<String> {
    let sources = sources::Sources::read_dir(&workspace_root(), src).unwrap_or_else(|e| panic!("reading {src}: {e}"));
    let roots = module_tree::crate_roots(&sources, Path::new(src));
    assert!(!roots.is_empty(), "expected a lib.rs, main.rs or bin/ under {src}, found none");
    let mut report = Vec::new();
    for root in roots {
        let cycles = crate_cycles(&sources, &root).unwrap_or_else(|e| panic!("reading the crate at {}: {e}", root.display()));
        if !cycles.is_empty() {
            report.push(format!("{}: {} cycle(s) among sibling modules", root.display(), cycles.len()));
            report.extend(cycles.iter().map(|c| format!("  {}", c.to_string().replace('\n', "\n  "))));
        }
    }
    (!report.is_empty()).then(|| report.join("\n"))
}
