//! The scenario's `model` field turned into a model: a catalog id, or a pasted config.
//!
//! Design decision: both paths end in `config::from_config_json`, so a preset and the same
//! `config.json` pasted by hand give the same spec.

use super::catalog;
use super::config::{from_config_json, parse_config_text, ImportedModel};
use crate::error::InputError;
use serde_json::Value;

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
                Some(Value::String(text)) => from_config_json(name, &parse_config_text(text)?),
                Some(config) => from_config_json(name, config),
                None => Err(InputError::new("model.config", "missing; paste the model's config.json")),
            }
        }
        _ => Err(InputError::new(
            "model",
            "must be a catalog id (\"meta-llama/Llama-3.1-70B\") or {\"name\": \"...\", \"config\": {…config.json…}}",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_catalog_id_and_its_pasted_config_give_the_same_spec() {
        let by_id = resolve(&json!("meta-llama/Llama-3.1-8B")).unwrap();
        let entry = catalog::entries().iter().find(|e| e.id == "meta-llama/Llama-3.1-8B").unwrap();
        let pasted = resolve(&json!({"name": "meta-llama/Llama-3.1-8B", "config": entry.config()})).unwrap();
        assert_eq!(by_id, pasted);
        let text = resolve(&json!({"name": "meta-llama/Llama-3.1-8B", "config": entry.config().to_string()}))
            .unwrap();
        assert_eq!(by_id, text);
    }

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
