//! A package's dependencies as its `Cargo.toml` names them, by kind: what it builds with
//! (`[dependencies]`, `[build-dependencies]`, and both under any `[target.…]`) and what only
//! its tests and benchmarks build with (`[dev-dependencies]`).
//!
//! Design decision: dependencies are read by the name the manifest gives them (the key, as
//! the code writes it), and every target's tables count, so a dependency cannot slip in under
//! a `cfg`.

use std::collections::BTreeSet;

/// The names a manifest depends on.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Dependencies {
    /// `[dependencies]` and `[build-dependencies]`, any target.
    pub build: BTreeSet<String>,
    /// `[dev-dependencies]`, any target.
    pub dev: BTreeSet<String>,
}

/// The dependencies of the manifest `text`.
pub fn dependencies(text: &str) -> Result<Dependencies, String> {
    let manifest: toml::Table = text.parse().map_err(|e| format!("not a valid manifest: {e}"))?;
    let mut tables = vec![&manifest];
    if let Some(targets) = manifest.get("target").and_then(toml::Value::as_table) {
        tables.extend(targets.values().filter_map(toml::Value::as_table));
    }
    let mut found = Dependencies::default();
    for table in tables {
        let names = |kind: &str| table.get(kind).and_then(toml::Value::as_table).into_iter().flat_map(|t| t.keys().cloned());
        found.build.extend(names("dependencies").chain(names("build-dependencies")));
        found.dev.extend(names("dev-dependencies"));
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_and_target_is_read() {
        let text = r#"
            [package]
            name = "x"
            [dependencies]
            serde.workspace = true
            [build-dependencies]
            cc = "1"
            [dev-dependencies]
            proptest = "1"
            [target.'cfg(target_arch = "wasm32")'.dependencies]
            web-sys = "0.3"
            [target.'cfg(unix)'.dev-dependencies]
            criterion = "0.7"
        "#;
        let found = dependencies(text).expect("a valid manifest");
        let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
        let expected = Dependencies { build: names(&["cc", "serde", "web-sys"]), dev: names(&["criterion", "proptest"]) };
        assert_eq!(found, expected, "expected {expected:?}, got {found:?}");
    }
}
