//! Target `config`: a `config.json` text as the page imports it (`parse_config_text`, then
//! `from_config_json`), its summary at every KV precision, and a plan of it on one GPU.
//!
//! Design decision: the plan uses one catalog GPU and one layout, so the target costs about
//! one evaluation: the model's numbers reach the memory and performance model without a search.

use super::{checked_plan, rejected, seen, Seen};
use crate::check::finite;
use planner::model::{from_config_json, parse_config_text, summary};
use planner::precision::KvPrecision;
use serde_json::{json, Value};

pub fn run(text: &str) -> Seen {
    // A rejection names a field of the scenario that would embed this config.
    let config = match parse_config_text(text) {
        Ok(config) => config,
        Err(e) => return rejected(&e, &embedded(&Value::String(text.into()))),
    };
    let scenario = embedded(&config);
    let imported = match from_config_json("fuzz", &config) {
        Ok(imported) => imported,
        Err(e) => return rejected(&e, &scenario),
    };
    for kv in [KvPrecision::Bf16, KvPrecision::Fp16, KvPrecision::Fp8, KvPrecision::Int8] {
        finite("summary", &summary(&imported.spec, kv))?;
    }
    Ok(seen(&checked_plan(&scenario)?))
}

/// A one-GPU scenario of the model `config` describes.
fn embedded(config: &Value) -> Value {
    json!({
        "model": {"name": "fuzz", "config": config},
        "gpu": "b200", "nodes": 1, "gpus_per_node": 1,
        "workload": {"isl": 1024, "osl": 256, "concurrency": 8},
    })
}
