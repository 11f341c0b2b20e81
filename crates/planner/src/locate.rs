//! Which field of a JSON value a deserialization error is about (`workload.isl`,
//! `perf_params.fit.ttft_ms[1]`, `gpu.memory_gib`), for `InputError`'s field name.
//!
//! Design decision: a type is read from JSON without tracking where it is (the common case, a
//! valid scenario, pays nothing); only when that fails is the value walked again against a
//! table of its fields (`Kind`), re-reading each field on its own, in the order the reader
//! met them, to find the first that fails. A path-tracking deserializer wrapper does the same
//! by wrapping every visitor, which is compiled once per field type (~20 KB of WebAssembly).

use serde::de::DeserializeOwned;
use serde_json::Value;

/// What a field holds.
#[derive(Clone, Copy)]
pub enum Kind {
    /// Any JSON (read later by its own reader).
    Any,
    /// A value read by the check, with nothing inside worth naming.
    Leaf(fn(Value) -> Result<(), serde_json::Error>),
    /// An object with these fields (unknown ones are errors).
    Struct(fn(Value) -> Result<(), serde_json::Error>, &'static [(&'static str, Kind)]),
    /// A pair of numbers (`[lo, hi]`); an element that is not a number is named by index.
    Pair(fn(Value) -> Result<(), serde_json::Error>),
}

/// Whether `value` reads as a `T`.
pub fn check<T: DeserializeOwned>(value: Value) -> Result<(), serde_json::Error> {
    T::deserialize(value).map(|_| ())
}

/// The path (empty for the value itself) and message of the first error in `value` read as
/// `kind`, or `None` when it reads.
pub fn locate(value: &Value, kind: &Kind, path: &str) -> Option<(String, String)> {
    let error = match kind {
        Kind::Any => return None,
        Kind::Leaf(read) | Kind::Struct(read, _) | Kind::Pair(read) => read(value.clone()).err()?,
    };
    match (kind, value) {
        (Kind::Struct(_, fields), Value::Object(map)) => {
            for (key, child) in map {
                let child_path = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                match fields.iter().find(|(name, _)| name == key) {
                    // An unknown field: the object's own message names it.
                    None => return Some((child_path, error.to_string())),
                    Some((_, child_kind)) => {
                        if let Some(found) = locate(child, child_kind, &child_path) {
                            return Some(found);
                        }
                    }
                }
            }
            // A required field missing is named itself (`workload.isl`, `model`), not by the
            // object lacking it (the whole scenario, for a top-level one).
            let message = error.to_string();
            if let Some((name, _)) = fields.iter().find(|(name, _)| !map.contains_key(*name) && message == missing(name)) {
                return Some((if path.is_empty() { name.to_string() } else { format!("{path}.{name}") }, message));
            }
        }
        (Kind::Pair(_), Value::Array(items)) if items.len() == 2 => {
            for (i, item) in items.iter().enumerate() {
                if let Err(e) = check::<f64>(item.clone()) {
                    return Some((format!("{path}[{i}]"), e.to_string()));
                }
            }
        }
        _ => {}
    }
    // The value itself: the wrong type.
    Some((path.to_string(), error.to_string()))
}

/// serde's message for a required field that is absent.
fn missing(name: &'static str) -> String {
    <serde_json::Error as serde::de::Error>::missing_field(name).to_string()
}

/// Test helpers shared by the modules with field tables.
#[cfg(test)]
pub mod testing {
    use super::Kind;
    use serde::de::DeserializeOwned;
    use serde_json::{json, Value};

    /// The table names exactly the keys of `full` (a value with every field present), at every
    /// level.
    pub fn table_matches(full: &Value, kind: &Kind, path: &str) {
        let (Kind::Struct(_, fields), Value::Object(map)) = (kind, full) else { return };
        let mut keys: Vec<&str> = map.keys().map(String::as_str).collect();
        let mut names: Vec<&str> = fields.iter().map(|(n, _)| *n).collect();
        keys.sort_unstable();
        names.sort_unstable();
        assert_eq!(keys, names, "fields of {path:?}");
        for (name, child) in fields.iter() {
            table_matches(&map[*name], child, &format!("{path}.{name}"));
        }
    }

    /// Variants of `valid` that each break one thing: every leaf replaced by a value of the
    /// wrong type, an unknown key added to every object, every key removed.
    pub fn broken_variants(valid: &Value) -> Vec<Value> {
        variants(valid)
    }

    fn variants(value: &Value) -> Vec<Value> {
        let mut out = Vec::new();
        match value {
            Value::Object(map) => {
                let mut extra = map.clone();
                extra.insert("no_such_field".into(), json!(1));
                out.push(Value::Object(extra));
                for (key, child) in map {
                    let mut without = map.clone();
                    without.remove(key);
                    out.push(Value::Object(without));
                    for bad in variants(child) {
                        let mut changed = map.clone();
                        changed.insert(key.clone(), bad);
                        out.push(Value::Object(changed));
                    }
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    for bad in variants(item) {
                        let mut changed = items.clone();
                        changed[i] = bad;
                        out.push(Value::Array(changed));
                    }
                }
                out.push(json!([1]));
            }
            Value::String(_) => out.extend([json!(7), json!("no-such-choice")]),
            Value::Number(_) => out.extend([json!("12"), json!(null), json!([1])]),
            Value::Bool(_) => out.push(json!("yes")),
            Value::Null => {}
        }
        out
    }

    /// `serde_path_to_error`'s path and message for `value` read as `T`: the reference the
    /// located errors are checked against.
    pub fn reference<T: DeserializeOwned>(value: &Value) -> Option<(String, String)> {
        match serde_path_to_error::deserialize::<_, T>(value.clone()) {
            Ok(_) => None,
            Err(e) => {
                let path = e.path().to_string();
                let path = if path == "." { String::new() } else { path };
                let message = e.into_inner().to_string();
                // `locate` names a missing field itself, where the tracking reader names the
                // object lacking it.
                let path = match message.strip_prefix("missing field `").and_then(|m| m.strip_suffix('`')) {
                    Some(name) if path.is_empty() => name.to_string(),
                    Some(name) => format!("{path}.{name}"),
                    None => path,
                };
                Some((path, message))
            }
        }
    }
}
