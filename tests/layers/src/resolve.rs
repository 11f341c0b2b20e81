//! What the written paths of a crate name: each module's scope (the names it defines, the
//! names its `use`s import, its glob imports), and each path resolved through them to an
//! absolute path, inside the crate or outside it.
//!
//! Design decision: a path that names an item a module re-exports (`crate::perf::PerfParams`,
//! imported by `perf` from `perf::params`) is followed to the module that defines it, so a
//! re-export does not hide the dependency behind the parent.

use crate::module_tree::{self, ModPath, Module};
use crate::sources::Sources;
use crate::test_code::{is_test_only, item_attrs};
use crate::written::{self, UseLeaf, Written, WrittenPath};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use syn::ext::IdentExt;
use syn::Item;

/// Re-exports followed at most this deep (a chain longer than this is a loop of imports).
const MAX_HOPS: usize = 16;

/// One use of a module by another: where it is written and what is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub from: ModPath,
    pub to: ModPath,
    pub file: PathBuf,
    pub line: usize,
    /// The path as written (`super::table::GPUS`).
    pub written: String,
}

/// A path that leaves the crate (`std::fs::read`, `serde::Deserialize`), and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalPath {
    pub segments: Vec<String>,
    pub file: PathBuf,
    pub line: usize,
}

/// What a path names: a path from this crate's root, or one outside it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Resolved {
    Internal(Vec<String>),
    External(Vec<String>),
}

/// The names visible at the top of a module.
#[derive(Debug, Default)]
struct Scope {
    defined: BTreeSet<String>,
    imports: BTreeMap<String, Vec<String>>,
    globs: Vec<Vec<String>>,
}

struct ModuleInfo {
    file: PathBuf,
    scope: Scope,
    written: Written,
}

/// A crate's modules with their scopes and written paths.
pub struct Crate {
    modules: BTreeMap<ModPath, ModuleInfo>,
}

impl Crate {
    /// The crate whose root file is `root` in `sources`.
    pub fn load(sources: &Sources, root: &Path) -> Result<Crate, String> {
        let modules = module_tree::modules(sources, root)?;
        Ok(Crate { modules: modules.into_iter().map(|m| (m.path.clone(), info(m))).collect() })
    }

    /// Every written path that names another module of the crate, in module then file order.
    pub fn references(&self) -> Vec<Reference> {
        let mut out = Vec::new();
        for (from, info) in &self.modules {
            for path in all_paths(&info.written) {
                if let Some(Resolved::Internal(absolute)) = self.resolve(from, &path.segments, 0) {
                    let to = self.module_of(&absolute, 0);
                    if to != *from {
                        let written = path.segments.join("::");
                        out.push(Reference { from: from.clone(), to, file: info.file.clone(), line: path.line, written });
                    }
                }
            }
        }
        out
    }

    /// Every written path that leaves the crate, resolved through the module's imports.
    pub fn external_paths(&self) -> Vec<ExternalPath> {
        let mut out = Vec::new();
        for (at, info) in &self.modules {
            for path in all_paths(&info.written) {
                if let Some(Resolved::External(segments)) = self.resolve(at, &path.segments, 0) {
                    out.push(ExternalPath { segments, file: info.file.clone(), line: path.line });
                }
            }
        }
        out
    }

    /// `segments`, written in module `at`, as an absolute path; `None` when it climbs above
    /// the root or follows imports in a loop.
    fn resolve(&self, at: &[String], segments: &[String], hops: usize) -> Option<Resolved> {
        let (first, rest) = segments.split_first()?;
        if hops > MAX_HOPS {
            return None;
        }
        let joined = |mut base: Vec<String>, rest: &[String]| {
            base.extend_from_slice(rest);
            Some(Resolved::Internal(base))
        };
        match first.as_str() {
            "" => Some(Resolved::External(rest.to_vec())),
            "crate" => joined(Vec::new(), rest),
            "self" => joined(at.to_vec(), rest),
            "super" => {
                let climbs = segments.iter().take_while(|s| *s == "super").count();
                let base = at.get(..at.len().checked_sub(climbs)?)?.to_vec();
                joined(base, &segments[climbs..])
            }
            name => {
                let scope = &self.modules.get(at)?.scope;
                if scope.defined.contains(name) {
                    return joined(at.to_vec(), segments);
                }
                if let Some(imported) = scope.imports.get(name) {
                    return match self.resolve(at, imported, hops + 1)? {
                        Resolved::Internal(base) => joined(base, rest),
                        Resolved::External(mut base) => {
                            base.extend_from_slice(rest);
                            Some(Resolved::External(base))
                        }
                    };
                }
                for glob in &scope.globs {
                    if let Some(Resolved::Internal(module)) = self.resolve(at, glob, hops + 1) {
                        if self.modules.get(&module).is_some_and(|m| m.scope.knows(name)) {
                            return self.resolve(&module, segments, hops + 1);
                        }
                    }
                }
                Some(Resolved::External(segments.to_vec()))
            }
        }
    }

    /// The module an absolute path names or names an item of, re-exports followed.
    fn module_of(&self, absolute: &[String], hops: usize) -> ModPath {
        let depth = (0..=absolute.len()).rev().find(|&n| self.modules.contains_key(&absolute[..n])).unwrap_or(0);
        let module = absolute[..depth].to_vec();
        let Some(name) = absolute.get(depth) else { return module };
        let scope = &self.modules[&module].scope;
        if hops < MAX_HOPS && !scope.defined.contains(name) {
            if let Some(Resolved::Internal(target)) = self.resolve(&module, &absolute[depth..], hops + 1) {
                if target != absolute {
                    return self.module_of(&target, hops + 1);
                }
            }
        }
        module
    }
}

impl Scope {
    /// Whether the name is defined or imported by name here (what a glob of this module brings in).
    fn knows(&self, name: &str) -> bool {
        self.defined.contains(name) || self.imports.contains_key(name)
    }
}

fn info(module: Module) -> ModuleInfo {
    let written = written::written(&module.items);
    let defined = module.items.iter().filter(|item| !is_test_only(item_attrs(item))).filter_map(defined_name).collect();
    let mut scope = Scope { defined, ..Scope::default() };
    for UseLeaf { path, name } in &written.uses {
        match name {
            None => scope.globs.push(path.segments.clone()),
            Some(name) if name != "_" => {
                scope.imports.entry(name.clone()).or_insert_with(|| path.segments.clone());
            }
            Some(_) => {}
        }
    }
    ModuleInfo { file: module.file, scope, written }
}

/// The name an item defines in its module's type or value namespace.
fn defined_name(item: &Item) -> Option<String> {
    let ident = match item {
        Item::Const(i) => &i.ident,
        Item::Enum(i) => &i.ident,
        Item::ExternCrate(i) => i.rename.as_ref().map_or(&i.ident, |(_, rename)| rename),
        Item::Fn(i) => &i.sig.ident,
        Item::Mod(i) => &i.ident,
        Item::Static(i) => &i.ident,
        Item::Struct(i) => &i.ident,
        Item::Trait(i) => &i.ident,
        Item::TraitAlias(i) => &i.ident,
        Item::Type(i) => &i.ident,
        Item::Union(i) => &i.ident,
        _ => return None,
    };
    Some(ident.unraw().to_string())
}

fn all_paths(written: &Written) -> impl Iterator<Item = &WrittenPath> {
    written.uses.iter().map(|u| &u.path).chain(&written.paths)
}
