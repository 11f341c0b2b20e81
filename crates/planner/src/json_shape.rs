//! The shape of JSON text, read in one pass without recursion: whether it is JSON at all, and
//! its top-level value (or each element of a top-level array) with its text, how many levels
//! deep it nests and which field first reaches the JSON reader's limit.
//!
//! Design decision: `serde_json` refuses a value nested `READER_LIMIT` levels deep (its
//! recursion limit protects its stack), which makes a whole batch "not valid JSON" for one
//! scenario too deep. This reader keeps its stack on the heap, so any depth is read safely;
//! `batch` asks it only when `serde_json` refuses the text, and then refuses just the
//! scenarios that are too deep.

/// Levels of nesting at which `serde_json` refuses a value (it reads at most one fewer).
pub const READER_LIMIT: usize = 128;

/// Object keys of a field path kept for a too-deep value (`model.config.rope_scaling`): enough
/// to say which scenario field it is; a pasted config's deeper keys add nothing.
const FIELD_KEYS: usize = 3;

/// One JSON value of the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element<'a> {
    /// Its text, without surrounding whitespace.
    pub text: &'a str,
    /// Levels of arrays and objects, the value's own included (a number is 0, `[]` is 1).
    pub depth: usize,
    /// The object keys leading from the value to where it first nests `READER_LIMIT` levels
    /// deep (up to `FIELD_KEYS`, stopping at the first array); `None` below the limit.
    pub too_deep_at: Option<Vec<String>>,
}

/// What JSON text holds: one value, or the elements of a top-level array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape<'a> {
    One(Element<'a>),
    Array(Vec<Element<'a>>),
}

/// The shape of `text`, or `None` when it is not JSON.
pub fn shape(text: &str) -> Option<Shape<'_>> {
    let mut reader = Reader { text, at: 0 };
    reader.skip_whitespace();
    let shape = if reader.peek() == Some(b'[') {
        reader.at += 1;
        reader.skip_whitespace();
        let mut elements = Vec::new();
        if reader.peek() == Some(b']') {
            reader.at += 1;
        } else {
            loop {
                elements.push(reader.element()?);
                reader.skip_whitespace();
                match reader.next()? {
                    b',' => reader.skip_whitespace(),
                    b']' => break,
                    _ => return None,
                }
            }
        }
        Shape::Array(elements)
    } else {
        Shape::One(reader.element()?)
    };
    reader.skip_whitespace();
    (reader.at == text.len()).then_some(shape)
}

struct Reader<'a> {
    text: &'a str,
    at: usize,
}

#[derive(Clone, Copy, PartialEq)]
enum Container {
    Array,
    Object,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.at += 1;
        Some(byte)
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// One whole value from here, containers tracked on a heap stack with the key of each
    /// open object (decoded only within the first `FIELD_KEYS` levels).
    fn element(&mut self) -> Option<Element<'a>> {
        let start = self.at;
        let mut open: Vec<(Container, Option<String>)> = Vec::new();
        let (mut depth, mut too_deep_at) = (0, None);
        loop {
            // A value starts here.
            self.skip_whitespace();
            match self.next()? {
                opening @ (b'[' | b'{') => {
                    let container = if opening == b'[' { Container::Array } else { Container::Object };
                    open.push((container, None));
                    depth = depth.max(open.len());
                    if open.len() == READER_LIMIT && too_deep_at.is_none() {
                        too_deep_at = Some(open.iter().map_while(|(_, key)| key.clone()).collect());
                    }
                    self.skip_whitespace();
                    let closing = if container == Container::Array { b']' } else { b'}' };
                    if self.peek() == Some(closing) {
                        self.at += 1;
                        open.pop();
                    } else {
                        if container == Container::Object {
                            self.key(&mut open)?;
                        }
                        continue;
                    }
                }
                b'"' => self.string()?,
                b't' => self.word("rue")?,
                b'f' => self.word("alse")?,
                b'n' => self.word("ull")?,
                first => self.number(first)?,
            }
            // A value ended: close containers until one goes on.
            loop {
                let Some(&(container, _)) = open.last() else {
                    let text = &self.text[start..self.at];
                    return Some(Element { text, depth, too_deep_at });
                };
                self.skip_whitespace();
                match (self.next()?, container) {
                    (b',', Container::Array) => break,
                    (b',', Container::Object) => {
                        self.skip_whitespace();
                        self.key(&mut open)?;
                        break;
                    }
                    (b']', Container::Array) | (b'}', Container::Object) => {
                        open.pop();
                    }
                    _ => return None,
                }
            }
        }
    }

    /// An object's key and its colon; the key is kept (for `too_deep_at`) within the first
    /// `FIELD_KEYS` levels.
    fn key(&mut self, open: &mut [(Container, Option<String>)]) -> Option<()> {
        let start = self.at;
        (self.next()? == b'"').then_some(())?;
        self.string()?;
        let level = open.len();
        if let Some((_, key)) = open.last_mut() {
            *key = if level <= FIELD_KEYS { serde_json::from_str(&self.text[start..self.at]).ok() } else { None };
        }
        self.skip_whitespace();
        (self.next()? == b':').then_some(())
    }

    /// The rest of a string after its opening quote.
    fn string(&mut self) -> Option<()> {
        loop {
            match self.next()? {
                b'"' => return Some(()),
                b'\\' => match self.next()? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                    b'u' => {
                        for _ in 0..4 {
                            self.next()?.is_ascii_hexdigit().then_some(())?;
                        }
                    }
                    _ => return None,
                },
                byte if byte < 0x20 => return None,
                _ => {}
            }
        }
    }

    /// The rest of `true`, `false` or `null` after its first letter.
    fn word(&mut self, rest: &str) -> Option<()> {
        self.text[self.at..].starts_with(rest).then(|| self.at += rest.len())
    }

    /// The rest of a number after its first byte: `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`.
    fn number(&mut self, first: u8) -> Option<()> {
        let first = if first == b'-' { self.next()? } else { first };
        let digits = |reader: &mut Self| {
            let from = reader.at;
            while reader.peek().is_some_and(|b| b.is_ascii_digit()) {
                reader.at += 1;
            }
            reader.at > from
        };
        match first {
            b'0' => {}
            b'1'..=b'9' => {
                digits(self);
            }
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            digits(self).then_some(())?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            digits(self).then_some(())?;
        }
        Some(())
    }
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
        let text = format!("[ {{\"x\": 1}} , {} ,\"s\"]", nested(200));
        let Some(Shape::Array(elements)) = shape(&text) else { panic!("{text:.40}: expected an array") };
        let depths: Vec<usize> = elements.iter().map(|e| e.depth).collect();
        assert_eq!(depths, [1, 200, 0], "expected the elements' own depths");
        assert_eq!(elements[0].text, "{\"x\": 1}");
        assert_eq!(elements[1].too_deep_at, Some(Vec::new()), "expected a too-deep element with no key path");
        assert_eq!(elements[2].too_deep_at, None);
    }

    #[test]
    fn the_field_of_a_too_deep_value_is_its_first_object_keys() {
        let deep = nested(READER_LIMIT);
        let text = format!("{{\"gpu\": \"x\", \"model\": {{\"config\": {{\"rope\": {{\"more\": {{\"keys\": {deep}}}}}}}}}}}");
        let Some(Shape::One(element)) = shape(&text) else { panic!("expected one value") };
        let expected: Vec<String> = ["model", "config", "rope"].map(String::from).to_vec();
        assert_eq!(element.too_deep_at, Some(expected), "expected the first {FIELD_KEYS} keys");
        let shallow = format!("{{\"a\": {}}}", nested(READER_LIMIT - 2));
        let Some(Shape::One(element)) = shape(&shallow) else { panic!("expected one value") };
        assert_eq!((element.depth, element.too_deep_at), (READER_LIMIT - 1, None), "expected a value just within the limit");
    }

    #[test]
    fn text_that_is_not_json_has_no_shape() {
        let deep = nested(300);
        for text in ["", "[", "[1,]", "{\"a\" 1}", "{1: 2}", "tru", "01", "1.", "-", "\"a\\x\"", "[1] 2", "\"\u{1}\"",
            &format!("[{deep}, x]"), &deep[1..]] {
            assert_eq!(shape(text), None, "{text:.40}: expected not JSON");
        }
        for text in ["-0.5e+3", "true", "null", "\"\\u00e9\"", "[false, {}]"] {
            assert!(shape(text).is_some(), "{text}: expected JSON");
        }
    }

    /// A million levels: read on the heap, no stack overflow.
    #[test]
    fn any_depth_is_read_without_recursion() {
        let text = nested(1_000_000);
        let Some(Shape::Array(elements)) = shape(&text) else { panic!("expected an array") };
        assert_eq!(elements[0].depth, 999_999);
    }
}
