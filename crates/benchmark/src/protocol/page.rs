//! The page's side of the protocol: `reply(text)` gives the `Reply` that
//! `serde_json::from_str::<Reply>` would, read over `serde_json::Value`, and `request(id, ask)`
//! the text `serde_json::to_string(&Request { id, ask })` would, built as a `Value`.
//!
//! Design decision: the page already links serde_json's `Value` reader (pasted `config.json`
//! files, share links, `wasmBindings.plan`). A derived `Deserialize` for the reply types would
//! add a reader of its own per type — about 43 KB of the page's WebAssembly (some 15 KB
//! gzipped) for a panel most visits never open — while this one walks the `Value` with a
//! handful of shared helpers. The `reader!` macro lists each struct's fields and builds the
//! struct from them, so a field added to a reply type without being read here does not
//! compile; the tests check that every kind of reply reads back equal to the derived reader,
//! every request is written as the derived writer writes it, and malformed replies are errors
//! naming the field, never a panic. The worker keeps the derived `Deserialize` of requests and
//! `Serialize` of replies: serde's default shapes, externally tagged enums, `null` for `None`.

use super::{Answer, Ask, FileOutcome, Fit, Report, Reply, RunCheck, RunView};
use crate::compare::{BestLayout, Figure};
use calibration::recalibrate::{FigureError, Figures, MeasurementFit};
use planner::error::InputError;
use planner::layout::Layout;
use planner::scenario::PerfParamsInput;
use serde::Deserialize;
use serde_json::{Map, Value};

/// A reply's part, or what is wrong with it (the path of the field, then the problem).
type Read<T> = Result<T, String>;

/// A reply type read from its JSON value.
trait FromReply: Sized {
    fn read(v: &Value) -> Read<Self>;
}

/// The reply in `text`, or why it cannot be read.
pub fn reply(text: &str) -> Read<Reply> {
    let value: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    Reply::read(&value)
}

/// The request `ask` with the id `id`, as JSON text.
pub fn request(id: u32, ask: &Ask) -> String {
    fn object<const N: usize>(fields: [(&str, Value); N]) -> Value {
        Value::Object(fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect::<Map<String, Value>>())
    }
    let texts = |texts: &[String]| Value::Array(texts.iter().map(|t| Value::from(t.as_str())).collect());
    let (tag, content) = match ask {
        Ask::Script { scenario, top_n } => ("Script", object([("scenario", scenario.clone()), ("top_n", Value::from(*top_n))])),
        Ask::Import { files } => {
            let files = files.iter().map(|f| object([("name", Value::from(f.name.as_str())), ("text", Value::from(f.text.as_str()))]));
            ("Import", object([("files", Value::Array(files.collect()))]))
        }
        Ask::Compare { scenario, runs } => ("Compare", object([("scenario", scenario.clone()), ("runs", texts(runs))])),
        Ask::Recalibrate { scenario, runs } => ("Recalibrate", object([("scenario", scenario.clone()), ("runs", texts(runs))])),
    };
    object([("id", Value::from(id)), ("ask", object([(tag, content)]))]).to_string()
}

/// Field `name` of the object `v` (a missing field reads as `null`), with the field's name
/// prefixed to any error.
fn get<T: FromReply>(v: &Value, name: &str) -> Read<T> {
    T::read(v.get(name).unwrap_or(&Value::Null)).map_err(|e| within(name, e))
}

/// An error inside `part`. Not generic, so the readers share one copy.
#[inline(never)]
fn within(part: &str, error: String) -> String {
    format!("{part}: {error}")
}

fn expected(what: &str, v: &Value) -> String {
    format!("expected {what}, got {v}")
}

/// The tag and content of an externally tagged enum value (`{"Tag": content}`).
fn variant(v: &Value) -> Read<(&str, &Value)> {
    match v.as_object().filter(|o| o.len() == 1).and_then(|o| o.iter().next()) {
        Some((tag, content)) => Ok((tag.as_str(), content)),
        None => Err(expected("an object with one key", v)),
    }
}

impl FromReply for f64 {
    fn read(v: &Value) -> Read<f64> {
        v.as_f64().ok_or_else(|| expected("a number", v))
    }
}

impl FromReply for u32 {
    fn read(v: &Value) -> Read<u32> {
        v.as_u64().and_then(|n| u32::try_from(n).ok()).ok_or_else(|| expected("a whole number", v))
    }
}

impl FromReply for usize {
    fn read(v: &Value) -> Read<usize> {
        v.as_u64().and_then(|n| usize::try_from(n).ok()).ok_or_else(|| expected("a whole number", v))
    }
}

impl FromReply for bool {
    fn read(v: &Value) -> Read<bool> {
        v.as_bool().ok_or_else(|| expected("true or false", v))
    }
}

impl FromReply for String {
    fn read(v: &Value) -> Read<String> {
        v.as_str().map(str::to_string).ok_or_else(|| expected("a string", v))
    }
}

impl<T: FromReply> FromReply for Option<T> {
    fn read(v: &Value) -> Read<Option<T>> {
        if v.is_null() {
            Ok(None)
        } else {
            T::read(v).map(Some)
        }
    }
}

impl<T: FromReply> FromReply for Vec<T> {
    fn read(v: &Value) -> Read<Vec<T>> {
        let items = v.as_array().ok_or_else(|| expected("a list", v))?;
        let mut read = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            read.push(T::read(item).map_err(|e| within(&format!("[{i}]"), e))?);
        }
        Ok(read)
    }
}

impl<T: FromReply> FromReply for Result<T, InputError> {
    fn read(v: &Value) -> Read<Self> {
        match variant(v)? {
            ("Ok", content) => T::read(content).map(Ok),
            ("Err", content) => InputError::read(content).map(Err),
            (tag, _) => Err(format!("expected Ok or Err, got {tag}")),
        }
    }
}

/// The scenario field a fit is kept as, by the scenario's own reader (`ScenarioInput` reads its
/// `perf_params` with this same function, so the page links it once).
impl FromReply for PerfParamsInput {
    fn read(v: &Value) -> Read<Self> {
        PerfParamsInput::deserialize(v.clone()).map_err(|e| e.to_string())
    }
}

impl FromReply for Answer {
    fn read(v: &Value) -> Read<Answer> {
        let (tag, content) = variant(v)?;
        let answer = match tag {
            "Script" => Answer::Script(FromReply::read(content)?),
            "Import" => Answer::Import(FromReply::read(content)?),
            "Compare" => Answer::Compare(FromReply::read(content)?),
            "Recalibrate" => Answer::Recalibrate(FromReply::read(content)?),
            "Unreadable" => Answer::Unreadable(FromReply::read(content)?),
            _ => return Err(format!("unknown answer {tag}")),
        };
        Ok(answer)
    }
}

/// `FromReply` for a struct with named fields: each read by `get` under its own name.
macro_rules! reader {
    ($($name:ident { $($field:ident),* $(,)? })*) => {$(
        impl FromReply for $name {
            fn read(v: &Value) -> Read<$name> {
                if !v.is_object() {
                    return Err(expected("an object", v));
                }
                Ok($name { $($field: get(v, stringify!($field))?),* })
            }
        }
    )*};
}

reader! {
    Reply { id, answer }
    InputError { field, message }
    Layout { tp, pp, dp, ep }
    FileOutcome { name, runs, error }
    RunView { source, layout, disaggregated, requests, per_s, all_at_once, output_tok_s, json }
    Report { runs, best }
    RunCheck { run, source, layout, matched, blocking, doubts, beside, in_flight, per_s, output_tok_s_per_gpu, ttft_ms, tpot_ms }
    Figure { predicted, measured, error }
    BestLayout { metric, measured_best, predicted_best, agree, recommended, recommended_measured }
    Fit { free, at_bound, loss_before, loss_after, measurements, perf_params, recommended }
    MeasurementFit { layout, workers, load, before, after }
    Figures { output_tok_s_per_gpu, ttft_ms, tpot_ms }
    FigureError { predicted, measured, error }
}
