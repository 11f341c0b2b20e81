//! The paths a module writes: every leaf of its `use` trees (groups expanded) and every path
//! of two or more segments in its code, macro arguments included, each with its line. Test
//! code and child modules are skipped.
//!
//! Design decision: paths are kept as written (`super::table::GPUS`, `catalog::lookup`);
//! what they name is decided later by `resolve`, once every module's imports are known.

use crate::test_code::{is_test_only, item_attrs};
use proc_macro2::{Spacing, TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::visit::{self, Visit};
use syn::{ImplItem, Item, ItemMod, ItemUse, Macro, Path, TraitItem, UseTree};

/// A path as written: its segments (a leading `::` is an empty first segment) and its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenPath {
    pub segments: Vec<String>,
    pub line: usize,
}

/// One leaf of a `use` tree: the full path, and the name it brings into scope (`None` for a
/// glob, `Some("_")` for an anonymous import).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UseLeaf {
    pub path: WrittenPath,
    pub name: Option<String>,
}

/// Everything a module writes.
#[derive(Debug, Default)]
pub struct Written {
    pub uses: Vec<UseLeaf>,
    pub paths: Vec<WrittenPath>,
}

/// The `use` leaves and paths of a module's own items (not its children's, not test code).
pub fn written(items: &[Item]) -> Written {
    let mut collector = Written::default();
    for item in items {
        collector.visit_item(item);
    }
    collector
}

/// The attributes of a member of an impl or a trait (`ImplItem` and `TraitItem` have the same
/// four kinds with attributes).
macro_rules! member_attrs {
    ($kind:ident, $item:expr) => {
        match $item {
            $kind::Const(i) => &i.attrs[..],
            $kind::Fn(i) => &i.attrs,
            $kind::Type(i) => &i.attrs,
            $kind::Macro(i) => &i.attrs,
            _ => &[],
        }
    };
}

impl<'ast> Visit<'ast> for Written {
    fn visit_item(&mut self, item: &'ast Item) {
        if !is_test_only(item_attrs(item)) {
            visit::visit_item(self, item);
        }
    }

    fn visit_item_mod(&mut self, _: &'ast ItemMod) {}

    fn visit_impl_item(&mut self, item: &'ast ImplItem) {
        if !is_test_only(member_attrs!(ImplItem, item)) {
            visit::visit_impl_item(self, item);
        }
    }

    fn visit_trait_item(&mut self, item: &'ast TraitItem) {
        if !is_test_only(member_attrs!(TraitItem, item)) {
            visit::visit_trait_item(self, item);
        }
    }

    fn visit_item_use(&mut self, item: &'ast ItemUse) {
        let prefix = if item.leading_colon.is_some() { vec![String::new()] } else { Vec::new() };
        leaves(&item.tree, prefix, &mut self.uses);
    }

    fn visit_path(&mut self, path: &'ast Path) {
        if path.segments.len() > 1 || path.leading_colon.is_some() {
            let mut segments = if path.leading_colon.is_some() { vec![String::new()] } else { Vec::new() };
            segments.extend(path.segments.iter().map(|s| s.ident.unraw().to_string()));
            let line = path.segments.first().map_or(0, |s| s.ident.span().start().line);
            self.paths.push(WrittenPath { segments, line });
        }
        visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast Macro) {
        visit::visit_macro(self, mac);
        scan_tokens(mac.tokens.clone(), &mut self.paths);
    }
}

/// The leaves of a `use` tree under `prefix`.
fn leaves(tree: &UseTree, mut prefix: Vec<String>, out: &mut Vec<UseLeaf>) {
    let leaf = |segments: Vec<String>, ident: &syn::Ident, name: Option<String>| UseLeaf {
        path: WrittenPath { segments, line: ident.span().start().line },
        name,
    };
    match tree {
        UseTree::Path(p) => {
            prefix.push(p.ident.unraw().to_string());
            leaves(&p.tree, prefix, out);
        }
        UseTree::Name(n) if n.ident == "self" => {
            let name = prefix.last().cloned();
            out.push(leaf(prefix, &n.ident, name));
        }
        UseTree::Name(n) => {
            let name = n.ident.unraw().to_string();
            prefix.push(name.clone());
            out.push(leaf(prefix, &n.ident, Some(name)));
        }
        UseTree::Rename(r) => {
            if r.ident != "self" {
                prefix.push(r.ident.unraw().to_string());
            }
            out.push(leaf(prefix, &r.ident, Some(r.rename.unraw().to_string())));
        }
        UseTree::Glob(g) => {
            let line = g.star_token.span.start().line;
            out.push(UseLeaf { path: WrittenPath { segments: prefix, line }, name: None });
        }
        UseTree::Group(g) => {
            for tree in &g.items {
                leaves(tree, prefix.clone(), out);
            }
        }
    }
}

/// Paths of two or more segments (`a::b`, `$crate::a::b`) in a macro's tokens, at any depth.
fn scan_tokens(tokens: TokenStream, out: &mut Vec<WrittenPath>) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let ident_at = |at: usize| match tokens.get(at) {
        Some(TokenTree::Ident(ident)) => Some(ident.unraw().to_string()),
        _ => None,
    };
    let separator_at = |at: usize| {
        matches!((tokens.get(at), tokens.get(at + 1)),
            (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)))
                if a.as_char() == ':' && a.spacing() == Spacing::Joint && b.as_char() == ':')
    };
    let mut at = 0;
    while at < tokens.len() {
        match &tokens[at] {
            TokenTree::Group(group) => {
                scan_tokens(group.stream(), out);
                at += 1;
            }
            TokenTree::Ident(first) => {
                let mut segments = vec![first.unraw().to_string()];
                at += 1;
                while separator_at(at) {
                    let Some(next) = ident_at(at + 2) else { break };
                    segments.push(next);
                    at += 3;
                }
                if segments.len() > 1 {
                    out.push(WrittenPath { segments, line: first.span().start().line });
                }
            }
            _ => at += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segments_of(text: &str) -> (Vec<(String, Option<String>)>, Vec<String>) {
        let file = syn::parse_file(text).expect("valid Rust");
        let found = written(&file.items);
        let uses = found.uses.iter().map(|u| (u.path.segments.join("::"), u.name.clone())).collect();
        let paths = found.paths.iter().map(|p| p.segments.join("::")).collect();
        (uses, paths)
    }

    #[test]
    fn use_groups_expand_into_one_leaf_per_name() {
        let (uses, _) = segments_of("use crate::gpu::{self, table::{GPUS as ALL, *}, Spec}; use ::std::fs;");
        let expected = vec![
            ("crate::gpu".to_string(), Some("gpu".to_string())),
            ("crate::gpu::table::GPUS".to_string(), Some("ALL".to_string())),
            ("crate::gpu::table".to_string(), None),
            ("crate::gpu::Spec".to_string(), Some("Spec".to_string())),
            ("::std::fs".to_string(), Some("fs".to_string())),
        ];
        assert_eq!(uses, expected, "expected the leaves {expected:?}, got {uses:?}");
    }

    #[test]
    fn code_and_macro_paths_are_found_and_test_code_and_child_modules_skipped() {
        let text = "
            fn f() -> super::a::A { let x: Vec<crate::b::B> = vec![self::c::make()]; format!(\"{}\", d::e::F) }
            #[cfg(test)] fn g() { crate::test_only::x(); }
            #[cfg(test)] use crate::test_only::y;
            mod child { fn h() { crate::in_child::z(); } }
            impl S { #[cfg(test)] fn t() { crate::test_only::w(); } fn u() { crate::f::g(); } }";
        let (uses, paths) = segments_of(text);
        assert!(uses.is_empty(), "expected no use leaf outside tests, got {uses:?}");
        let expected = ["super::a::A", "crate::b::B", "self::c::make", "d::e::F", "crate::f::g"];
        assert_eq!(paths, expected, "expected the paths {expected:?}, got {paths:?}");
    }
}
