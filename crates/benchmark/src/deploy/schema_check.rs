//! A structural check of a JSON value against a JSON Schema, the subset the resources' schemas
//! use: `$ref` into `$defs`, `type`, `properties`, `required`, `items`, `anyOf`, and
//! `additionalProperties: false` (a closed object). Every violation is reported with its path.

use serde_json::Value;

/// The violations of `value` against `schema` (whose `$defs` resolve the references).
pub fn violations(schema: &Value, value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    check(schema, schema, value, "$", &mut out);
    out
}

fn resolve<'a>(root: &'a Value, node: &'a Value) -> &'a Value {
    match node
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/$defs/"))
    {
        Some(name) => &root["$defs"][name],
        None => node,
    }
}

fn type_matches(t: &str, v: &Value) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "integer" => v.as_i64().is_some() || v.as_u64().is_some(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        _ => false,
    }
}

fn check(root: &Value, node: &Value, v: &Value, path: &str, out: &mut Vec<String>) {
    let node = resolve(root, node);
    if let Some(alternatives) = node.get("anyOf").and_then(Value::as_array) {
        let fits = alternatives.iter().any(|a| {
            let mut inner = Vec::new();
            check(root, a, v, path, &mut inner);
            inner.is_empty()
        });
        if !fits {
            out.push(format!("{path}: matches none of anyOf: {v}"));
        }
        return;
    }
    if let Some(t) = node.get("type").and_then(Value::as_str) {
        if !type_matches(t, v) {
            out.push(format!("{path}: expected {t}, found {v}"));
            return;
        }
    }
    if let (Some(items), Some(array)) = (node.get("items"), v.as_array()) {
        for (i, item) in array.iter().enumerate() {
            check(root, items, item, &format!("{path}[{i}]"), out);
        }
    }
    let Some(object) = v.as_object() else { return };
    let properties = node.get("properties").and_then(Value::as_object);
    for key in node
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if !object.contains_key(key) {
            out.push(format!("{path}: required field {key} missing"));
        }
    }
    let closed = node.get("additionalProperties") == Some(&Value::Bool(false));
    for (key, value) in object {
        match properties.and_then(|p| p.get(key)) {
            Some(schema) => check(root, schema, value, &format!("{path}.{key}"), out),
            None if closed => out.push(format!("{path}: unknown field {key}")),
            None => {}
        }
    }
}
