//! Typed reading of one `config.json` object, every error naming the dotted field.
//!
//! Design decision: absent and `null` mean the same (transformers writes `null` for "use the
//! default"), and whole numbers may arrive as `4096` or `4096.0` (some exporters write floats);
//! anything else of the wrong type or out of range is an error, never coerced.

use crate::error::InputError;
use serde_json::{Map, Value};

/// One JSON object of a config (the top level or its `text_config`) and its field path.
#[derive(Clone, Copy)]
pub(super) struct Fields<'a> {
    obj: &'a Map<String, Value>,
    prefix: &'a str,
}

impl<'a> Fields<'a> {
    pub fn new(obj: &'a Map<String, Value>, prefix: &'a str) -> Self {
        Self { obj, prefix }
    }

    /// The dotted path of `key` (`model.config.text_config.hidden_size`).
    pub fn path(&self, key: &str) -> String {
        format!("{}.{}", self.prefix, key)
    }

    pub fn error(&self, key: &str, message: impl Into<String>) -> InputError {
        InputError::new(self.path(key), message)
    }

    /// The value of `key`, `None` when absent or `null`.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.obj.get(key).filter(|v| !v.is_null())
    }

    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// `key` is present and `null`: "none", where absence would mean the family's default.
    pub fn is_null(&self, key: &str) -> bool {
        matches!(self.obj.get(key), Some(Value::Null))
    }

    /// A whole number in `[min, max]`, or `None` when absent.
    pub fn whole(&self, key: &str, min: u64, max: u64) -> Result<Option<u64>, InputError> {
        self.get(key).map(|v| whole_value(v, min, max).map_err(|m| self.error(key, m))).transpose()
    }

    /// A whole number in `[min, max]` that must be present.
    pub fn required(&self, key: &str, min: u64, max: u64) -> Result<u64, InputError> {
        self.whole(key, min, max)?
            .ok_or_else(|| self.error(key, format!("missing; must be a whole number from {min} to {max}")))
    }

    /// A whole number in `[min, max]`, `default` when absent.
    pub fn whole_or(&self, key: &str, default: u64, min: u64, max: u64) -> Result<u64, InputError> {
        Ok(self.whole(key, min, max)?.unwrap_or(default))
    }

    /// A finite number greater than 0 and at most `max`, or `None` when absent.
    pub fn positive(&self, key: &str, max: f64) -> Result<Option<f64>, InputError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => match n.as_f64() {
                Some(x) if x > 0.0 && x <= max => Ok(Some(x)),
                _ => Err(self.error(key, format!("must be a number above 0 and at most {max}, got {n}"))),
            },
            Some(other) => Err(self.error(key, format!("must be a number above 0 and at most {max}, got {}", kind(other)))),
        }
    }

    /// A boolean, `default` when absent.
    pub fn flag(&self, key: &str, default: bool) -> Result<bool, InputError> {
        match self.get(key) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(other) => Err(self.error(key, format!("must be true or false, got {}", kind(other)))),
        }
    }

    /// A string, or `None` when absent.
    pub fn text(&self, key: &str) -> Result<Option<&'a str>, InputError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(self.error(key, format!("must be a string, got {}", kind(other)))),
        }
    }

    /// A list of strings, or `None` when absent.
    pub fn texts(&self, key: &str) -> Result<Option<Vec<&'a str>>, InputError> {
        self.list(key, |i, v| match v {
            Value::String(s) => Ok(s.as_str()),
            other => Err((i, format!("must be a string, got {}", kind(other)))),
        })
    }

    /// A list of whole numbers in `[min, max]`, or `None` when absent.
    pub fn wholes(&self, key: &str, min: u64, max: u64) -> Result<Option<Vec<u64>>, InputError> {
        self.list(key, |i, v| whole_value(v, min, max).map_err(|m| (i, m)))
    }

    /// A nested object, or `None` when absent.
    pub fn object(&self, key: &str) -> Result<Option<&'a Map<String, Value>>, InputError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Object(o)) => Ok(Some(o)),
            Some(other) => Err(self.error(key, format!("must be an object, got {}", kind(other)))),
        }
    }

    fn list<T>(
        &self,
        key: &str,
        item: impl Fn(usize, &'a Value) -> Result<T, (usize, String)>,
    ) -> Result<Option<Vec<T>>, InputError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| item(i, v))
                .collect::<Result<Vec<T>, _>>()
                .map(Some)
                .map_err(|(i, m)| InputError::new(format!("{}[{i}]", self.path(key)), m)),
            Some(other) => Err(self.error(key, format!("must be a list, got {}", kind(other)))),
        }
    }
}

/// A JSON number that is a whole number in `[min, max]`.
fn whole_value(v: &Value, min: u64, max: u64) -> Result<u64, String> {
    let range = || format!("must be a whole number from {min} to {max}");
    let Value::Number(n) = v else {
        return Err(format!("{}, got {}", range(), kind(v)));
    };
    let value = if let Some(u) = n.as_u64() {
        u
    } else {
        match n.as_f64() {
            Some(f) if f.is_finite() && f.fract() == 0.0 && f >= 0.0 && f <= max as f64 => f as u64,
            _ => return Err(format!("{}, got {n}", range())),
        }
    };
    if value < min || value > max {
        return Err(format!("{}, got {value}", range()));
    }
    Ok(value)
}

/// What kind of JSON value this is, for messages.
pub(super) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}
