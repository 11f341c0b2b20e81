//! The cycle check shown failing: synthetic trees held in memory, with known cycles that it
//! must report (module by module, edge by edge, file and line) and known non-cycles it must
//! accept. The trees use every layout the real crates use (`x.rs` beside `x/`, `x/mod.rs`,
//! inline modules) and every way of writing a path (`crate::`, `super::` chains, `self::`, a
//! name imported as a module, a path inside a macro).

use layers::crate_cycles;
use layers::sources::Sources;
use std::path::Path;

/// The cycles of the tree `files` (rooted at `src/lib.rs`), as their reports.
fn reported(files: &[(&str, &str)]) -> Vec<String> {
    let sources = Sources::from_files(files.iter().copied());
    let cycles = crate_cycles(&sources, Path::new("src/lib.rs")).unwrap_or_else(|e| panic!("reading the tree: {e}"));
    cycles.iter().map(ToString::to_string).collect()
}

/// A two-module cycle at the root (`a` ↔ `b`, one edge written in a macro and one through an
/// imported module name), and a three-module cycle among the children of `c`
/// (`p` → `q` → `r` → `p`, one edge from a grandchild, one through `super::super`).
#[test]
fn a_two_module_and_a_three_module_cycle_are_reported_with_their_edges() {
    let files = [
        ("src/lib.rs", "pub mod a;\npub mod b;\npub mod c;\n"),
        ("src/a.rs", "pub fn f() -> String {\n    format!(\"{}\", crate::b::NAME)\n}\n"),
        ("src/b.rs", "use crate::a;\npub const NAME: &str = \"b\";\npub fn g() { a::f(); }\n"),
        ("src/c/mod.rs", "mod p;\nmod q;\nmod r { pub struct R(pub super::p::P); }\n"),
        ("src/c/p.rs", "pub struct P;\nmod deep;\n"),
        ("src/c/p/deep.rs", "fn make() -> super::super::q::Q { super::super::q::Q }\n"),
        ("src/c/q.rs", "\n\npub struct Q;\nimpl Q { fn r(&self) -> Option<self::super::r::R> { None } }\n"),
    ];
    let expected = [
        "in crate: a → b → a\
         \n    a → b: src/a.rs:2 `crate::b::NAME`\
         \n    b → a: src/b.rs:1 `crate::a`",
        "in crate::c: p → q → r → p\
         \n    p → q: src/c/p/deep.rs:1 `super::super::q::Q` (crate::c::p::deep → crate::c::q)\
         \n    q → r: src/c/q.rs:4 `self::super::r::R`\
         \n    r → p: src/c/mod.rs:3 `super::p::P`",
    ];
    assert_eq!(reported(&files), expected, "expected exactly these two cycles");
}

/// A parent using its children and a child using its parent (and a sibling one way only) is
/// a tree, not a cycle.
#[test]
fn parent_and_child_using_each_other_is_no_cycle() {
    let files = [
        ("src/lib.rs", "pub mod gpu;\npub mod units;\npub use gpu::Spec;\npub struct Config;\n"),
        ("src/units.rs", "pub struct Bytes;\n"),
        ("src/gpu/mod.rs", "mod table;\npub use table::Spec;\npub fn all() -> Vec<Spec> { table::ALL.to_vec() }\n"),
        ("src/gpu/table.rs", "use super::super::Config;\nuse crate::units::Bytes;\n#[derive(Clone)] pub struct Spec(Bytes);\npub const ALL: &[Spec] = &[];\n"),
    ];
    assert_eq!(reported(&files), Vec::<String>::new(), "expected no cycle in a tree of parents and children");
}

/// Test code may use anything: a `#[cfg(test)]` file, module or item closes no cycle.
#[test]
fn test_code_closes_no_cycle() {
    let files = [
        ("src/lib.rs", "pub mod a;\npub mod b;\n"),
        ("src/a.rs", "pub use crate::b::B;\n"),
        ("src/b.rs", "pub struct B;\n#[cfg(test)]\nmod tests;\n#[cfg(test)]\nfn check() { crate::a::B; }\nimpl B {\n    #[cfg(test)]\n    fn t() { crate::a::B; }\n}\n"),
        ("src/b/tests.rs", "use crate::a::B;\n"),
    ];
    assert_eq!(reported(&files), Vec::<String>::new(), "expected test code to be left out");
}

/// A re-export does not hide a dependency: `y` reaches `x` through the parent's `pub use`.
#[test]
fn a_cycle_through_a_re_export_is_reported() {
    let files = [
        ("src/lib.rs", "pub mod p;\n"),
        ("src/p/mod.rs", "mod x;\nmod y;\npub use x::Thing;\n"),
        ("src/p/x.rs", "pub struct Thing(super::y::Other);\n"),
        ("src/p/y.rs", "use super::Thing;\npub struct Other;\n"),
    ];
    let expected = ["in crate::p: x → y → x\
        \n    x → y: src/p/x.rs:1 `super::y::Other`\
        \n    y → x: src/p/y.rs:1 `super::Thing`"];
    assert_eq!(reported(&files), expected, "expected the cycle behind the re-export");
}

/// A module declared without a file is an error naming the declaration, not a silent gap.
#[test]
fn a_module_without_a_file_is_an_error() {
    let sources = Sources::from_files([("src/lib.rs", "\npub mod gone;\n")]);
    let error = crate_cycles(&sources, Path::new("src/lib.rs")).expect_err("a missing module file");
    let expected = "src/lib.rs:2: `mod gone;` has no file: neither src/gone.rs nor src/gone/mod.rs";
    assert_eq!(error, expected, "expected the missing file named");
}
