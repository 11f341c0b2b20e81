//! JSON as benchmark tools write it: one or several objects per file, and Python's bare
//! `Infinity`, `-Infinity` and `NaN`, which `json.dumps` writes and strict parsers refuse.
//!
//! Design decision: rather than a second JSON parser, a pre-pass rewrites the three bare
//! Python tokens (outside strings only) into the strings `"inf"`, `"-inf"`, `"nan"` — the form
//! vLLM itself writes for an infinite request rate (`vllm/benchmarks/serve.py`, 0.33.0:
//! `args.request_rate if args.request_rate < float("inf") else "inf"`) — so `number` reads both
//! spellings the same way and serde_json does the rest.

use serde_json::Value;

/// Every top-level JSON value of `text`, in order (JSON Lines, concatenated objects, or one).
/// The error gives the line and column serde_json stopped at.
pub fn values(text: &str) -> Result<Vec<Value>, String> {
    let cleaned = python_tokens_to_strings(text);
    let mut out = Vec::new();
    for item in serde_json::Deserializer::from_str(&cleaned).into_iter::<Value>() {
        match item {
            Ok(v) => out.push(v),
            Err(e) => return Err(format!("line {}, column {}: {e}", e.line(), e.column())),
        }
    }
    Ok(out)
}

/// Rewrite bare `Infinity`, `-Infinity` and `NaN` outside strings as `"inf"`, `"-inf"`, `"nan"`.
fn python_tokens_to_strings(text: &str) -> String {
    const TOKENS: [(&str, &str); 3] = [("-Infinity", "\"-inf\""), ("Infinity", "\"inf\""), ("NaN", "\"nan\"")];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut in_string = false;
    while let Some(c) = rest.chars().next() {
        if in_string {
            out.push(c);
            rest = &rest[c.len_utf8()..];
            match c {
                '\\' => {
                    if let Some(escaped) = rest.chars().next() {
                        out.push(escaped);
                        rest = &rest[escaped.len_utf8()..];
                    }
                }
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        if c == '"' {
            in_string = true;
        } else if let Some((token, replacement)) = TOKENS.iter().find(|(t, _)| rest.starts_with(t)) {
            out.push_str(replacement);
            rest = &rest[token.len()..];
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// A number as the tools write it: a JSON number, or a string holding one (`"inf"`, vLLM
/// `--metadata` values, `"1000"`). `None` for anything else.
pub fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "inf" | "infinity" | "+inf" => Some(f64::INFINITY),
            "-inf" | "-infinity" => Some(f64::NEG_INFINITY),
            "nan" => Some(f64::NAN),
            other => other.parse::<f64>().ok(),
        },
        _ => None,
    }
}

/// The value at a path of object keys (`["engine", "model"]`), if every step exists.
pub fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, key| v.get(key))
}

/// A finite number at `path`.
pub fn finite(v: &Value, path: &[&str]) -> Option<f64> {
    at(v, path).and_then(number).filter(|x| x.is_finite())
}

/// A finite, non-negative whole number at `path` that fits a `u32`.
pub fn count(v: &Value, path: &[&str]) -> Option<u32> {
    finite(v, path).filter(|x| *x >= 0.0 && x.fract() == 0.0 && *x <= u32::MAX as f64).map(|x| x as u32)
}

/// A non-empty string at `path`.
pub fn text(v: &Value, path: &[&str]) -> Option<String> {
    at(v, path).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_infinity_and_nan_become_strings_outside_strings_only() {
        let vs = values(r#"{"a": Infinity, "b": -Infinity, "c": NaN, "d": "NaN Infinity \"x\" Infinity"}"#).unwrap();
        assert_eq!(number(&vs[0]["a"]), Some(f64::INFINITY));
        assert_eq!(number(&vs[0]["b"]), Some(f64::NEG_INFINITY));
        assert!(number(&vs[0]["c"]).unwrap().is_nan());
        assert_eq!(vs[0]["d"], "NaN Infinity \"x\" Infinity");
    }

    #[test]
    fn several_objects_in_one_file() {
        let vs = values("{\"a\": 1}\n{\"a\": 2}\n\n{\"a\": \"inf\"}").unwrap();
        assert_eq!(vs.len(), 3);
        assert_eq!(finite(&vs[1], &["a"]), Some(2.0));
        assert_eq!(finite(&vs[2], &["a"]), None);
        assert_eq!(number(&vs[2]["a"]), Some(f64::INFINITY));
    }

    #[test]
    fn malformed_json_says_where() {
        let err = values("{\"a\": 1}\n{\"a\": }").unwrap_err();
        assert!(err.starts_with("line 2"), "{err}");
    }
}
