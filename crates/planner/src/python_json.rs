//! JSON text as Python's `json` module writes it: `NaN`, `Infinity` and `-Infinity` for special
//! floats (Hugging Face configs carry them, e.g. Nemotron-H's `time_step_limit`), which strict
//! JSON lacks. Outside strings they are read as `null`, which no field the planner reads can
//! be, so a value that matters still gets its field's message; inside strings they are text.
//!
//! Design decision: one rule for every JSON text the planner takes — a pasted or embedded
//! `config.json` (`model::config::parse_config_text`) and a whole scenario or batch
//! (`batch`) — so the page's import and the `plan` command read the same file the same way.

use std::borrow::Cow;

/// `text` with each `NaN`, `Infinity` and `-Infinity` outside strings replaced by `null`;
/// borrowed when there is none.
pub fn specials_as_null(text: &str) -> Cow<'_, str> {
    if !["NaN", "Infinity"].iter().any(|w| text.contains(w)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
        } else if let Some(word) = ["-Infinity", "Infinity", "NaN"].into_iter().find(|w| rest.starts_with(w)) {
            out.push_str("null");
            rest = &rest[word.len()..];
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specials_outside_strings_become_null_and_strings_keep_them() {
        let text = r#"{"a": [0.0, Infinity, -Infinity, NaN], "b": "NaN Infinity \" NaN", "c": 1}"#;
        let read: serde_json::Value = serde_json::from_str(&specials_as_null(text)).unwrap();
        assert_eq!(read, serde_json::json!({"a": [0.0, null, null, null], "b": "NaN Infinity \" NaN", "c": 1}));
        assert!(matches!(specials_as_null(r#"{"c": 1}"#), Cow::Borrowed(_)));
    }
}
