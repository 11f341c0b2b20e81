//! How deep JSON text nests, read in one pass without recursion: the top-level value (or each
//! element of a top-level array) with its depth, and which scenario field first reaches the
//! JSON reader's limit.
//!
//! Design decision: `serde_json` refuses a value nested `READER_LIMIT` levels deep (its
//! recursion limit protects its stack), which would make a whole batch "not valid JSON" for
//! one scenario too deep. `batch` asks this module only when `serde_json` refuses a text: it
//! splits the text at its structure (brackets, commas and colons outside strings), counts
//! levels on the way, and leaves checking each element's JSON to `serde_json` — except an
//! element too deep for it, which is refused for its depth. So the scan stays small (the page
//! carries it) and never recurses.

/// Levels of nesting at which `serde_json` refuses a value (it reads at most one fewer).
pub const READER_LIMIT: usize = 128;

/// One value of the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element<'a> {
    /// Its text, without surrounding whitespace.
    pub text: &'a str,
    /// Levels of arrays and objects, the value's own included (a number is 0, `[]` is 1).
    pub depth: usize,
    /// When it nests `READER_LIMIT` levels deep: the key of its own object under which it
    /// does so (`model`, `sla`, as written), or `scenario` when the value is not an object (or
    /// the key is empty).
    pub too_deep_at: Option<&'a str>,
}

/// What JSON text holds: one value, or the elements of a top-level array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape<'a> {
    One(Element<'a>),
    Array(Vec<Element<'a>>),
}

/// Calls `visit(offset, byte)` for each byte of `text` outside its strings, whitespace
/// skipped, a string passed as one `b'"'` at its opening quote; `None` for a string left open.
/// `visit` returns `false` to stop.
fn structure(text: &str, mut visit: impl FnMut(usize, u8) -> bool) -> Option<()> {
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        if !byte.is_ascii_whitespace() && !visit(at, byte) {
            return Some(());
        }
        if byte == b'"' {
            at += 1;
            while *bytes.get(at)? != b'"' {
                at += if bytes[at] == b'\\' { 2 } else { 1 };
            }
        }
        at += 1;
    }
    Some(())
}

/// The shape of `text`, or `None` when its brackets do not balance.
pub fn shape(text: &str) -> Option<Shape<'_>> {
    let trimmed = text.trim();
    if !trimmed.starts_with('[') {
        return Some(Shape::One(element(trimmed)?));
    }
    // A top-level array: its elements lie between the commas at level 1.
    let (mut depth, mut start, mut end, mut elements) = (0usize, 1, None, Vec::new());
    let mut bad = false;
    structure(trimmed, |at, byte| {
        match byte {
            b'[' | b'{' => depth += 1,
            b']' | b'}' => depth = depth.wrapping_sub(1),
            _ => {}
        }
        if depth == 0 || (depth == 1 && byte == b',') {
            let piece = trimmed[start..at].trim();
            if !piece.is_empty() {
                match element(piece) {
                    Some(e) => elements.push(e),
                    None => bad = true,
                }
            }
            start = at + 1;
        }
        if depth == 0 {
            end = Some(at + 1);
        }
        depth != 0 && depth != usize::MAX && !bad
    })?;
    (!bad && end == Some(trimmed.len())).then_some(Shape::Array(elements))
}

/// One value's depth and, when too deep, the key under which it first is.
fn element(text: &str) -> Option<Element<'_>> {
    let (mut depth, mut deepest, mut too_deep_at) = (0usize, 0, None);
    // The last string's offset and whether nothing came between it and here.
    let (mut string_at, mut just_after_string, mut key, mut bad) = (0, false, "scenario", false);
    structure(text, |at, byte| {
        match byte {
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
                if depth == READER_LIMIT && too_deep_at.is_none() {
                    too_deep_at = Some(key);
                }
            }
            b']' | b'}' => depth = depth.wrapping_sub(1),
            // A key names the field, except an empty one, which no field path can spell.
            b':' if depth == 1 => match just_after_string {
                true => key = text[string_at + 1..at].trim_end().strip_suffix('"').filter(|k| !k.is_empty()).unwrap_or("scenario"),
                false => bad = true,
            },
            _ => {}
        }
        just_after_string = byte == b'"';
        if just_after_string {
            string_at = at;
        }
        depth != usize::MAX && !bad
    })?;
    (depth == 0 && !bad).then_some(Element { text, depth: deepest, too_deep_at })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(levels: usize) -> String {
        format!("{}{}", "[".repeat(levels), "]".repeat(levels))
    }

    #[test]
    fn depth_counts_containers_and_ignores_brackets_in_strings() {
        let cases = [
            ("1", 0),
            ("\"[[[\"", 0),
            ("[]", 1),
            ("{\"a\": [1, {\"b\": \"]}\\\"[\"}], \"c\": {}}", 3),
            (" [[ ], [[ ]]] ", 3),
        ];
        for (text, expected) in cases {
            let found = shape(text).map(|s| match s {
                Shape::One(e) => e.depth,
                Shape::Array(elements) => 1 + elements.iter().map(|e| e.depth).max().unwrap_or(0),
            });
            assert_eq!(found, Some(expected), "{text:?}: expected depth {expected}, got {found:?}");
        }
    }

    #[test]
    fn a_top_level_array_is_read_element_by_element() {
        let text = format!("[ {{\"x\": [1, 2]}} , {} ,\"s\"]", nested(200));
        let Some(Shape::Array(elements)) = shape(&text) else { panic!("{text:.40}: expected an array") };
        let depths: Vec<usize> = elements.iter().map(|e| e.depth).collect();
        assert_eq!(depths, [2, 200, 0], "expected the elements' own depths");
        assert_eq!(elements[0].text, "{\"x\": [1, 2]}");
        assert_eq!(elements[1].too_deep_at, Some("scenario"), "expected a too-deep element that is not an object");
        assert_eq!(elements[2].too_deep_at, None);
        assert_eq!(shape("[]"), Some(Shape::Array(Vec::new())));
    }

    #[test]
    fn the_field_of_a_too_deep_value_is_its_objects_key() {
        let deep = nested(READER_LIMIT);
        let text = format!("{{\"gpu\": \"x\", \"model\": {{\"config\": {{\"rope\": {deep}}}}}, \"sla\": {{}}}}");
        let Some(Shape::One(element)) = shape(&text) else { panic!("expected one value") };
        assert_eq!(element.too_deep_at, Some("model"), "expected the scenario field holding the deep value");
        let shallow = format!("{{\"a\": {}}}", nested(READER_LIMIT - 2));
        let Some(Shape::One(element)) = shape(&shallow) else { panic!("expected one value") };
        assert_eq!((element.depth, element.too_deep_at), (READER_LIMIT - 1, None), "expected a value just within the limit");
    }

    /// Only the structure is read: a bracket of the wrong kind or a bad token inside is left to
    /// `serde_json`, which reads every element not too deep for it (`batch`).
    #[test]
    fn unbalanced_text_has_no_shape() {
        let deep = nested(300);
        for text in ["[", "]", "[[]", "{\"a\": [1]", "\"open", "{: 1}", &deep[1..], &format!("[{deep}] ]")] {
            assert_eq!(shape(text), None, "{text:.40}: expected no shape");
        }
    }

    /// A million levels: counted on the way, no recursion.
    #[test]
    fn any_depth_is_read_without_recursion() {
        let text = nested(1_000_000);
        let Some(Shape::Array(elements)) = shape(&text) else { panic!("expected an array") };
        assert_eq!(elements[0].depth, 999_999);
    }
}
