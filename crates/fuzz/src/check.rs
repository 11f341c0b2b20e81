//! The properties every target checks on what the code under test produced: no float that is
//! NaN or infinite anywhere in a typed output, and every rejection naming a real field.
//!
//! Design decision: floats are checked on the typed output, serialised to a `serde_value`
//! tree, never on its JSON text: serde_json writes NaN and infinity as `null`, which in an
//! `Option<f64>` field reads back as a legitimate "no figure". A rejection's field must be a
//! path into the input itself (every segment but the last present, the last present or
//! missing), under a scenario key, so "names the field" cannot be met by any non-empty string.

use serde::Serialize;
use serde_json::Value;
use serde_value::Value as Tree;
use std::fmt;

/// A property an input broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub kind: Kind,
    /// The evidence: where, what was expected, what was found.
    pub detail: String,
}

/// Which property.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Panic,
    Hang,
    NonFinite,
    UnnamedRejection,
    /// Any other broken promise: a status that contradicts the output, a share link that does
    /// not reproduce its own parameters.
    Contract,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Panic => "panic",
            Kind::Hang => "hang",
            Kind::NonFinite => "non-finite",
            Kind::UnnamedRejection => "unnamed-rejection",
            Kind::Contract => "contract",
        }
    }
}

impl Failure {
    pub fn new(kind: Kind, detail: impl Into<String>) -> Self {
        Failure { kind, detail: detail.into() }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.name(), self.detail)
    }
}

/// The scenario's top-level keys (`FORMAT.md`), and `scenario` for the input as a whole.
pub const SCENARIO_KEYS: [&str; 14] = [
    "model",
    "weights",
    "kv_cache",
    "gpu",
    "nodes",
    "gpus_per_node",
    "engine",
    "workload",
    "sla",
    "priority",
    "layout",
    "engine_options",
    "allow_tp_across_nodes",
    "perf_params",
];

/// Every float in `value` (serialised as its type says) is finite; `what` names the output.
pub fn finite<T: Serialize>(what: &str, value: &T) -> Result<(), Failure> {
    let tree = serde_value::to_value(value)
        .map_err(|e| Failure::new(Kind::Contract, format!("{what} does not serialise: {e}")))?;
    match non_finite(&tree, what) {
        None => Ok(()),
        Some((path, x)) => Err(Failure::new(Kind::NonFinite, format!("{path}: expected a finite number, got {x}"))),
    }
}

/// The path and value of the first float that is not finite.
fn non_finite(tree: &Tree, path: &str) -> Option<(String, f64)> {
    match tree {
        Tree::F32(x) if !x.is_finite() => Some((path.to_string(), f64::from(*x))),
        Tree::F64(x) if !x.is_finite() => Some((path.to_string(), *x)),
        Tree::Option(Some(inner)) | Tree::Newtype(inner) => non_finite(inner, path),
        Tree::Seq(items) => items.iter().enumerate().find_map(|(i, v)| non_finite(v, &format!("{path}[{i}]"))),
        Tree::Map(map) => map.iter().find_map(|(k, v)| {
            let key = match k {
                Tree::String(s) => s.clone(),
                other => format!("{other:?}"),
            };
            non_finite(k, path).or_else(|| non_finite(v, &format!("{path}.{key}")))
        }),
        _ => None,
    }
}

/// A rejection of `input` (a scenario, or a part wrapped as one) names a real field of it,
/// with a message.
pub fn named(field: &str, message: &str, input: &Value) -> Result<(), Failure> {
    let unnamed = |why: &str| Err(Failure::new(Kind::UnnamedRejection, format!("field {field:?} ({message:?}): {why}")));
    if message.trim().is_empty() {
        return unnamed("expected a message, got none");
    }
    if field == "scenario" {
        // The whole input: when it is no object, or for an unknown key that is empty (a path
        // cannot spell it).
        return match input {
            Value::Object(map) if !map.contains_key("") => {
                unnamed("expected the field of this scenario object, got the whole scenario")
            }
            _ => Ok(()),
        };
    }
    let root = field.split(['.', '[']).next().unwrap_or_default();
    // A key of the input may hold a dot or a bracket itself (an unknown key, named as it is).
    let input_key = input.as_object().is_some_and(|map| map.keys().any(|k| starts_with_key(field, k)));
    if !(SCENARIO_KEYS.contains(&root) || input_key) {
        return unnamed("expected a scenario key or a key of the input, got neither");
    }
    if !resolves(input, field) {
        return unnamed("expected a path into the input (every part but the last present in it)");
    }
    Ok(())
}

/// Whether `path` starts with `key` as a whole part (followed by nothing, a dot or a bracket).
fn starts_with_key(path: &str, key: &str) -> bool {
    path.strip_prefix(key).is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
}

/// Whether `path` (`a.b[2].c`) leads into `value`, its last part allowed to be missing. Keys
/// are matched whole, so a key holding a dot or a bracket still resolves.
fn resolves(value: &Value, path: &str) -> bool {
    match value {
        Value::Object(map) => {
            let last = !path.contains(['.', '[']);
            (last && !map.contains_key(path))
                || map.iter().any(|(key, v)| match path.strip_prefix(key.as_str()) {
                    Some("") => true,
                    Some(rest) if rest.starts_with('.') => resolves(v, &rest[1..]),
                    Some(rest) if rest.starts_with('[') => resolves(v, rest),
                    _ => false,
                })
        }
        // A struct given as an array of its fields in order (serde reads that form too) has
        // its fields named, not indexed.
        Value::Array(_) if !path.contains(['.', '[']) => true,
        Value::Array(items) => {
            let Some((index, rest)) = path.strip_prefix('[').and_then(|p| p.split_once(']')) else { return false };
            let Ok(index) = index.parse::<usize>() else { return false };
            match items.get(index) {
                None => rest.is_empty(),
                Some(item) => rest.is_empty() || resolves(item, rest.strip_prefix('.').unwrap_or(rest)),
            }
        }
        _ => path.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn kind_of(result: Result<(), Failure>) -> Option<Kind> {
        result.err().map(|f| f.kind)
    }

    #[test]
    fn a_nan_in_an_optional_plan_figure_is_flagged_with_its_path() {
        let scenario = r#"{"model": "Qwen/Qwen3-0.6B", "gpu": "h100-sxm", "nodes": 1, "gpus_per_node": 1,
            "workload": {"isl": 128, "osl": 32, "concurrency": 4}}"#;
        let input = planner::scenario::ScenarioInput::from_json(scenario).expect("the scenario reads");
        let mut plan = planner::planning::plan(&input).expect("the scenario plans");
        assert_eq!(finite("plan", &plan), Ok(()), "a real plan has only finite floats");
        plan.candidates[0].ttft_ms = Some(f64::NAN);
        let failure = finite("plan", &plan).expect_err("a NaN must be flagged");
        assert_eq!(failure.kind, Kind::NonFinite);
        assert!(failure.detail.starts_with("plan.candidates[0].ttft_ms:"), "expected the path, got {}", failure.detail);
        // The same NaN is invisible in the JSON text: that is why the typed plan is checked.
        let text = serde_json::to_string(&plan).expect("the plan writes");
        assert!(text.contains("\"ttft_ms\":null"), "expected serde_json to write NaN as null");
    }

    #[test]
    fn an_infinity_in_a_map_of_numbers_is_flagged() {
        let mut plan_inputs = planner::plan::Inputs::new();
        plan_inputs.insert("weights_gb".into(), f64::INFINITY);
        assert_eq!(kind_of(finite("inputs", &plan_inputs)), Some(Kind::NonFinite));
    }

    #[test]
    fn an_empty_field_or_message_is_an_unnamed_rejection() {
        let input = json!({"model": "x", "workload": {"isl": 0}});
        assert_eq!(kind_of(named("", "bad", &input)), Some(Kind::UnnamedRejection));
        assert_eq!(kind_of(named("workload.isl", " ", &input)), Some(Kind::UnnamedRejection));
        assert_eq!(kind_of(named("scenario", "bad", &input)), Some(Kind::UnnamedRejection));
        assert_eq!(kind_of(named("plan", "bad", &input)), Some(Kind::UnnamedRejection));
        assert_eq!(kind_of(named("workload.isl.x", "bad", &input)), Some(Kind::UnnamedRejection));
        assert_eq!(kind_of(named("sla.ttft_ms", "bad", &input)), Some(Kind::UnnamedRejection));
    }

    #[test]
    fn a_real_path_is_accepted_present_or_missing_at_its_end() {
        let input = json!({"model": {"config": {"a.b": 1}}, "workload": {"isl": 0}, "perf_params": {"fit": {"ttft_ms": [1]}}});
        for field in ["workload.isl", "workload.osl", "model.config.a.b", "perf_params.fit.ttft_ms[0]", "perf_params.fit.ttft_ms[1]", "gpu", "zzz_unknown_top"] {
            let expected = if field == "zzz_unknown_top" { Some(Kind::UnnamedRejection) } else { None };
            assert_eq!(kind_of(named(field, "bad", &input)), expected, "field {field}");
        }
        assert_eq!(kind_of(named("scenario", "not an object", &json!(42))), None);
        assert_eq!(kind_of(named("workload.osl", "must be between", &json!({"workload": [4, 0]}))), None, "a struct as an array");
        let odd_keys = json!({"n5.odes": 1, "": 2});
        assert_eq!(kind_of(named("n5.odes", "unknown field", &odd_keys)), None, "a key holding a dot");
        assert_eq!(kind_of(named("scenario", "unknown field ``", &odd_keys)), None, "an empty key");
    }
}
