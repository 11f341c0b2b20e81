//! The scenario's `model` field turned into a model: a catalog id, or a pasted config.
//!
//! Design decision: a pasted config goes through `config::from_config_json`, and so did every
//! preset, once, when `calibrate --tables` baked it into `catalog::baked` (a test keeps the two
//! equal), so a preset and the same `config.json` pasted by hand give the same spec. The
//! importer is the `config-import` feature (on by default): the page's startup build leaves it
//! out and plans presets only.

use super::catalog;
#[cfg(feature = "config-import")]
use super::config::from_config_json;
pub use super::imported::ImportedModel;
use crate::error::InputError;
use crate::python_json::specials_as_null;
use serde_json::Value;

/// Where a pasted config's errors point.
const CONFIG: &str = "model.config";

/// Parse pasted `config.json` text, with Python's special floats read as `null`
/// (`python_json`).
pub fn parse_config_text(text: &str) -> Result<Value, InputError> {
    serde_json::from_str(&specials_as_null(text)).map_err(|e| InputError::new(CONFIG, format!("not valid JSON: {e}")))
}


/// `"meta-llama/Llama-3.1-70B-Instruct"` (a catalog id or alias), or
/// `{"name": "...", "config": {…config.json…}}` (the config may also be its JSON text).
pub fn resolve(model: &Value) -> Result<ImportedModel, InputError> {
    match model {
        Value::String(id) => catalog::lookup(id),
        Value::Object(fields) => {
            if let Some(key) = fields.keys().find(|k| !matches!(k.as_str(), "name" | "config")) {
                return Err(InputError::new(
                    format!("model.{key}"),
                    "unknown field; a pasted model is {\"name\": \"...\", \"config\": {…config.json…}}",
                ));
            }
            let name = match fields.get("name") {
                Some(Value::String(n)) if !n.trim().is_empty() => n.trim(),
                Some(_) => return Err(InputError::new("model.name", "must be a non-empty string")),
                None => return Err(InputError::new("model.name", "missing; name the pasted model")),
            };
            match fields.get("config") {
                Some(Value::String(text)) => import(name, &parse_config_text(text)?),
                Some(config) => import(name, config),
                None => Err(InputError::new(CONFIG, "missing; paste the model's config.json")),
            }
        }
        _ => Err(InputError::new(
            "model",
            "must be a catalog id (\"meta-llama/Llama-3.1-70B\") or {\"name\": \"...\", \"config\": {…config.json…}}",
        )),
    }
}

/// A pasted `config.json` read by the importer (`config`).
#[cfg(feature = "config-import")]
fn import(name: &str, config: &Value) -> Result<ImportedModel, InputError> {
    from_config_json(name, config)
}

/// Without the importer (the page's startup build, `config-import` off) a pasted config is
/// refused; the page loads its full build, which reads it, before asking.
#[cfg(not(feature = "config-import"))]
fn import(_name: &str, _config: &Value) -> Result<ImportedModel, InputError> {
    Err(InputError::new(CONFIG, "this build of the planner reads no config.json (the page's full build does)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[cfg(feature = "config-import")]
    #[test]
    fn a_catalog_id_and_its_pasted_config_give_the_same_spec() {
        let by_id = resolve(&json!("meta-llama/Llama-3.1-8B")).unwrap();
        let json = catalog::source::presets(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/models.json"))).unwrap();
        let config = &json.iter().find(|e| e.id == "meta-llama/Llama-3.1-8B").unwrap().config;
        let pasted = resolve(&json!({"name": "meta-llama/Llama-3.1-8B", "config": config})).unwrap();
        assert_eq!(by_id, pasted);
        let text = resolve(&json!({"name": "meta-llama/Llama-3.1-8B", "config": config.to_string()})).unwrap();
        assert_eq!(by_id, text);
    }

    #[cfg(not(feature = "config-import"))]
    #[test]
    fn without_the_importer_a_pasted_config_is_refused_naming_it() {
        let e = resolve(&json!({"name": "x", "config": {"model_type": "llama"}})).unwrap_err();
        assert_eq!(e.field, "model.config");
        assert!(e.message.contains("reads no config.json"), "{}", e.message);
        assert!(resolve(&json!("meta-llama/Llama-3.1-8B")).is_ok(), "presets need no importer");
    }

    #[cfg(feature = "config-import")]
    #[test]
    fn bad_model_fields_are_named() {
        let cases = [
            (json!(42), "model"),
            (json!(null), "model"),
            (json!(["x"]), "model"),
            (json!({"config": {}}), "model.name"),
            (json!({"name": "", "config": {}}), "model.name"),
            (json!({"name": "x"}), "model.config"),
            (json!({"name": "x", "config": "{not json"}), "model.config"),
            (json!({"name": "x", "config": 7}), "model.config"),
            (json!({"name": "x", "config": {}, "extra": 1}), "model.extra"),
            (json!({"name": "x", "config": {"model_type": "llama"}}), "model.config.hidden_size"),
            (json!("no-such-model"), "model"),
        ];
        for (input, field) in cases {
            let err = resolve(&input).expect_err(&input.to_string());
            assert_eq!(err.field, field, "{input}: {err}");
            assert!(!err.message.is_empty());
        }
    }
}
