//! The precision a checkpoint ships in, read from its `quantization_config` or, failing that,
//! its `torch_dtype` / `dtype`.
//!
//! Design decision: this is information, not a requirement. A quantization scheme the planner
//! has no precision for (bitsandbytes NF4, mixed per-layer recipes) gives `None` and a note, not
//! an error: the user still picks the serving precision. Some NVIDIA ModelOpt checkpoints keep
//! their recipe in a separate `hf_quant_config.json`; their `config.json` then says only
//! `bfloat16`, and so does this reading.

use super::fields::Fields;
use crate::precision::WeightPrecision;
use serde_json::{Map, Value};

/// The checkpoint's weight precision, looked up in `configs` in order (the language model's
/// config first, then a multimodal wrapper's), and notes on what could not be read.
pub(super) fn checkpoint_precision(configs: &[Fields]) -> (Option<WeightPrecision>, Vec<String>) {
    let mut notes = Vec::new();
    if let Some(p) = configs.iter().find_map(|f| expert_precision(f, &mut notes)) {
        return (Some(p), notes);
    }
    for f in configs {
        if let Some(q) = f.get("quantization_config") {
            let field = f.path("quantization_config");
            return match q {
                Value::Object(q) => match quantized(q) {
                    Ok(p) => (Some(p), notes),
                    Err(why) => {
                        notes.push(format!("{field}: {why}; checkpoint precision unknown"));
                        (None, notes)
                    }
                },
                _ => {
                    notes.push(format!("{field} is not an object; checkpoint precision unknown"));
                    (None, notes)
                }
            };
        }
    }
    for f in configs {
        for key in ["torch_dtype", "dtype"] {
            match f.get(key) {
                Some(Value::String(s)) => match s.as_str() {
                    "bfloat16" => return (Some(WeightPrecision::Bf16), notes),
                    "float16" => return (Some(WeightPrecision::Fp16), notes),
                    other => {
                        notes.push(format!(
                            "{}: checkpoint dtype {other:?} is not a serving precision of the planner",
                            f.path(key)
                        ));
                        return (None, notes);
                    }
                },
                Some(_) => {
                    notes.push(format!("{} is not a string; checkpoint precision unknown", f.path(key)));
                    return (None, notes);
                }
                None => {}
            }
        }
    }
    (None, notes)
}

/// DeepSeek-V4's routed experts ship in their own precision (`expert_dtype`, which transformers
/// 5.25 also reads inside `quantization_config`): they hold nearly all of its weights, so theirs
/// is the checkpoint's precision, as gpt-oss' MXFP4 experts make its fp4.
fn expert_precision(f: &Fields, notes: &mut Vec<String>) -> Option<WeightPrecision> {
    let inside = f.get("quantization_config").and_then(|q| q.get("expert_dtype"));
    let (field, value) = match (f.get("expert_dtype"), inside) {
        (Some(v), _) => (f.path("expert_dtype"), v),
        (None, Some(v)) => (f.path("quantization_config.expert_dtype"), v),
        (None, None) => return None,
    };
    let precision = match value.as_str() {
        Some("fp4") => WeightPrecision::Fp4,
        Some("fp8") => WeightPrecision::Fp8,
        _ => {
            notes.push(format!("{field}: {value} is not a routed-expert precision the planner knows (fp4, fp8)"));
            return None;
        }
    };
    notes.push(format!(
        "{field}: the routed experts ship in {precision}, the other weights as quantization_config says; a plan applies one precision to every matrix, and the experts are nearly all of it"
    ));
    Some(precision)
}

/// The precision a `quantization_config` object describes, or why it has none.
fn quantized(q: &Map<String, Value>) -> Result<WeightPrecision, String> {
    let text = |k: &str| q.get(k).and_then(Value::as_str).map(str::to_ascii_lowercase);
    let bits = q.get("bits").and_then(Value::as_u64);
    match text("quant_method").as_deref() {
        // transformers `FineGrainedFP8Config` (DeepSeek-V3, Qwen3-FP8), `FbgemmFp8Config`.
        Some("fp8" | "fbgemm_fp8") => return Ok(WeightPrecision::Fp8),
        // gpt-oss: MXFP4 experts (4-bit e2m1, one 8-bit scale per 32).
        Some("mxfp4") => return Ok(WeightPrecision::Fp4),
        Some("awq" | "gptq" | "awq_marlin" | "gptq_marlin") => {
            return match bits {
                Some(4) => Ok(WeightPrecision::Int4),
                Some(8) => Ok(WeightPrecision::Int8),
                _ => Err(format!(
                    "{} with bits {:?} has no planner precision",
                    text("quant_method").unwrap_or_default(),
                    bits
                )),
            }
        }
        Some("bitsandbytes") => {
            return if q.get("load_in_8bit").and_then(Value::as_bool) == Some(true) {
                Ok(WeightPrecision::Int8)
            } else {
                Err("bitsandbytes 4-bit (NF4/FP4 with absmax) has no planner precision".into())
            }
        }
        Some("modelopt" | "compressed-tensors") | None => {}
        Some(other) => return Err(format!("quant_method {other:?} is not recognised")),
    }
    // NVIDIA ModelOpt names its recipe; compressed-tensors describes the weights per group.
    match text("quant_algo").as_deref() {
        Some("fp8") => return Ok(WeightPrecision::Fp8),
        Some("nvfp4") => return Ok(WeightPrecision::Fp4),
        Some("w4a16_awq" | "w4a8_awq") => return Ok(WeightPrecision::Int4),
        Some("mixed_precision") => return Err("per-layer mixed precision (MIXED_PRECISION)".into()),
        _ => {}
    }
    let Some(Value::Object(groups)) = q.get("config_groups") else {
        return Err("no quant_method, quant_algo or config_groups".into());
    };
    let mut found = None;
    for group in groups.values() {
        let w = group.get("weights");
        let bits = w.and_then(|w| w.get("num_bits")).and_then(Value::as_u64);
        let kind = w.and_then(|w| w.get("type")).and_then(Value::as_str);
        let p = match (bits, kind) {
            (Some(4), Some("float")) => WeightPrecision::Fp4,
            (Some(4), Some("int")) => WeightPrecision::Int4,
            (Some(8), Some("float")) => WeightPrecision::Fp8,
            (Some(8), Some("int")) => WeightPrecision::Int8,
            _ => return Err(format!("weights of {bits:?} bits of type {kind:?} have no planner precision")),
        };
        if found.is_some_and(|f| f != p) {
            return Err("config groups quantize different layers to different precisions".into());
        }
        found = Some(p);
    }
    found.ok_or_else(|| "config_groups is empty".into())
}
