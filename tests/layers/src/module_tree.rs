//! The module tree of one crate: its root file, every `mod x;` followed to `x.rs` or
//! `x/mod.rs`, every inline `mod x { … }`, test-only modules and files left out.
//!
//! Design decision: a module holds its own items only; a child's items (inline or in its
//! file) belong to the child, so every path in the crate is read exactly once, in the module
//! that writes it.

use crate::sources::Sources;
use crate::test_code::is_test_only;
use std::path::{Path, PathBuf};
use syn::ext::IdentExt;
use syn::Item;

/// A module's path from the crate root (`["gpu", "catalog"]`; the root is empty).
pub type ModPath = Vec<String>;

/// `crate`, `crate::gpu::catalog`: a module path as the code writes it.
pub fn display(path: &[String]) -> String {
    std::iter::once("crate").chain(path.iter().map(String::as_str)).collect::<Vec<_>>().join("::")
}

/// One module: where it is and what it declares.
pub struct Module {
    pub path: ModPath,
    /// The file its items are written in (the parent's file for an inline module).
    pub file: PathBuf,
    pub items: Vec<Item>,
}

/// The crate roots of a package's `src`: `lib.rs`, `main.rs`, and every binary under `bin/`
/// (`bin/x.rs`, `bin/x/main.rs`).
pub fn crate_roots(sources: &Sources, src: &Path) -> Vec<PathBuf> {
    let bin = src.join("bin");
    sources
        .paths()
        .filter(|path| {
            *path == src.join("lib.rs")
                || *path == src.join("main.rs")
                || path.parent() == Some(bin.as_path())
                || (path.file_name().is_some_and(|name| name == "main.rs")
                    && path.parent().and_then(Path::parent) == Some(bin.as_path()))
        })
        .map(Path::to_path_buf)
        .collect()
}

/// Every non-test module of the crate whose root file is `root`, parents before children.
pub fn modules(sources: &Sources, root: &Path) -> Result<Vec<Module>, String> {
    let file = parse(sources, root)?;
    let mut out = Vec::new();
    if !is_test_only(&file.attrs) {
        let dir = root.parent().unwrap_or(Path::new("")).to_path_buf();
        load(sources, Vec::new(), root, file.items, &dir, &mut out)?;
    }
    Ok(out)
}

/// Adds the module `path` (items `items`, written in `file`) and its children, whose files
/// are looked for in `dir`.
fn load(sources: &Sources, path: ModPath, file: &Path, items: Vec<Item>, dir: &Path, out: &mut Vec<Module>) -> Result<(), String> {
    let mut children = Vec::new();
    for item in &items {
        let Item::Mod(declaration) = item else { continue };
        if is_test_only(&declaration.attrs) {
            continue;
        }
        let name = declaration.ident.unraw().to_string();
        let mut child = path.clone();
        child.push(name.clone());
        let child_dir = dir.join(&name);
        match &declaration.content {
            Some((_, inner)) => children.push((child, file.to_path_buf(), inner.clone(), child_dir)),
            None => {
                let line = declaration.ident.span().start().line;
                let child_file = child_file(sources, dir, &name)
                    .map_err(|why| format!("{}:{line}: `mod {name};` {why}", file.display()))?;
                let parsed = parse(sources, &child_file)?;
                if !is_test_only(&parsed.attrs) {
                    children.push((child, child_file, parsed.items, child_dir));
                }
            }
        }
    }
    out.push(Module { path, file: file.to_path_buf(), items });
    for (child, child_file, items, child_dir) in children {
        load(sources, child, &child_file, items, &child_dir, out)?;
    }
    Ok(())
}

/// `dir/name.rs` or `dir/name/mod.rs`, whichever exists (both is an error, as for rustc).
fn child_file(sources: &Sources, dir: &Path, name: &str) -> Result<PathBuf, String> {
    let flat = dir.join(format!("{name}.rs"));
    let nested = dir.join(name).join("mod.rs");
    match (sources.get(&flat).is_some(), sources.get(&nested).is_some()) {
        (true, false) => Ok(flat),
        (false, true) => Ok(nested),
        (true, true) => Err(format!("has two files, {} and {}", flat.display(), nested.display())),
        (false, false) => Err(format!("has no file: neither {} nor {}", flat.display(), nested.display())),
    }
}

fn parse(sources: &Sources, path: &Path) -> Result<syn::File, String> {
    let text = sources.get(path).ok_or_else(|| format!("{}: no such file", path.display()))?;
    syn::parse_file(text).map_err(|e| format!("{}:{}: {e}", path.display(), e.span().start().line))
}
