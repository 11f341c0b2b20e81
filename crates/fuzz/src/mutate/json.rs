//! JSON-aware mutations: one node of the parsed input changed: a number pushed to an extreme
//! or replaced by a token JSON lacks (`NaN`, `1e999`), a value of the wrong type, a key
//! removed, misspelt or unknown, a value repeated into a huge array or nested deep, a subtree
//! spliced from another input, a string from the dictionary.

use super::{one_of, word, EXTREMES, MAX_LEN, TOKENS};
use fastrand::Rng;
use serde_json::{Map, Number, Value};

/// A string standing where a raw token goes once the value is written.
const MARK: &str = "\u{1}fuzz-token\u{1}";
/// Nodes considered per input: enough to reach every field of a scenario or a config.
const MAX_NODES: usize = 4096;

/// `text` with one node changed; `None` when it is not JSON.
pub fn mutate(rng: &mut Rng, words: &[String], text: &str, other: &str) -> Option<String> {
    let mut value: Value = serde_json::from_str(text).ok()?;
    let at = pick(rng, &value);
    let mut token = None;
    let node = value.pointer(&at)?.clone();
    let replacement = match rng.u8(..13) {
        0 => Some(number(rng)),
        1 => {
            token = Some(one_of(rng, &TOKENS));
            Some(Value::String(MARK.into()))
        }
        2 => Some(wrong_type(rng)),
        3 => {
            remove(&mut value, &at);
            None
        }
        4 => {
            add_key(rng, words, &mut value, &at);
            None
        }
        5 => {
            rename(rng, &mut value, &at);
            None
        }
        6 => Some(huge(rng, node, at.is_empty())),
        7 => Some(deep(rng, node)),
        8 => serde_json::from_str::<Value>(other).ok().and_then(|o| o.pointer(&pick(rng, &o)).cloned()),
        9 => Some(Value::String(string(rng, words, &node))),
        10 => Some(perturb(rng, &node)),
        11 => {
            duplicate(rng, &mut value, &at, node);
            None
        }
        _ => serde_json::from_str(word(rng, words)).ok().or_else(|| Some(Value::String(word(rng, words).into()))),
    };
    if let Some(new) = replacement {
        *value.pointer_mut(&at)? = new;
    }
    let mut out = if rng.bool() { serde_json::to_string(&value) } else { serde_json::to_string_pretty(&value) }.ok()?;
    if let Some(token) = token {
        out = out.replacen(&serde_json::to_string(MARK).ok()?, token, 1);
    }
    Some(out)
}

/// A JSON pointer to a random node (the root included).
fn pick(rng: &mut Rng, value: &Value) -> String {
    let mut all = Vec::new();
    pointers(value, String::new(), &mut all);
    all.swap_remove(rng.usize(..all.len()))
}

fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    if out.len() >= MAX_NODES {
        return;
    }
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                pointers(v, format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                pointers(v, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

/// The parent's pointer and the last step, unescaped; `None` for the root.
fn split(at: &str) -> Option<(&str, String)> {
    let (parent, last) = at.rsplit_once('/')?;
    Some((parent, last.replace("~1", "/").replace("~0", "~")))
}

fn number(rng: &mut Rng) -> Value {
    serde_json::from_str(one_of(rng, &EXTREMES)).unwrap_or(Value::Null)
}

fn wrong_type(rng: &mut Rng) -> Value {
    let text = one_of(rng, &["null", "true", "false", "\"\"", "\"1\"", "[]", "{}", "0", "[1]", "{\"\": 1}", "[[]]"]);
    serde_json::from_str(text).unwrap_or(Value::Null)
}

fn remove(value: &mut Value, at: &str) {
    let Some((parent, last)) = split(at) else { return };
    match value.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.remove(&last);
        }
        Some(Value::Array(items)) => {
            if let Ok(i) = last.parse::<usize>() {
                if i < items.len() {
                    items.remove(i);
                }
            }
        }
        _ => {}
    }
}

/// A key the node's object (or its parent's) does not expect: a dictionary word or a typo of
/// a key it has.
fn add_key(rng: &mut Rng, words: &[String], value: &mut Value, at: &str) {
    let target = match value.pointer(at) {
        Some(Value::Object(_)) => at.to_string(),
        _ => split(at).map(|(p, _)| p.to_string()).unwrap_or_default(),
    };
    let Some(Value::Object(map)) = value.pointer_mut(&target) else { return };
    let key = match map.keys().nth(rng.usize(..map.len().max(1))) {
        Some(k) if rng.bool() => typo(rng, k),
        _ => word(rng, words).to_string(),
    };
    let new = if rng.bool() { number(rng) } else { wrong_type(rng) };
    map.insert(key, new);
}

fn rename(rng: &mut Rng, value: &mut Value, at: &str) {
    let Some((parent, last)) = split(at) else { return };
    if let Some(Value::Object(map)) = value.pointer_mut(parent) {
        if let Some(v) = map.remove(&last) {
            map.insert(typo(rng, &last), v);
        }
    }
}

/// A near miss of `key`: a letter dropped or doubled, the case changed, a separator swapped.
fn typo(rng: &mut Rng, key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    let i = rng.usize(..chars.len().max(1));
    match rng.u8(..5) {
        0 if !chars.is_empty() => chars.iter().enumerate().filter(|&(j, _)| j != i).map(|(_, c)| c).collect(),
        1 if !chars.is_empty() => chars.iter().enumerate().flat_map(|(j, &c)| if j == i { vec![c, c] } else { vec![c] }).collect(),
        2 => key.to_uppercase(),
        3 => key.replace('_', "-"),
        _ => format!("{key}s"),
    }
}

/// The node repeated, up to 100,000 times but within `MAX_LEN`; the whole input only up to
/// 10 times (an array of scenarios is a batch, each planned in turn: its time is theirs).
fn huge(rng: &mut Rng, node: Value, root: bool) -> Value {
    let size = node.to_string().len() + 1;
    let n = one_of(rng, &["2", "10", "100", "1000", "10000", "100000"]).parse::<usize>().unwrap_or(2);
    let cap = if root { 10 } else { MAX_LEN / 2 / size };
    Value::Array(vec![node; n.min(cap).max(1)])
}

/// The node nested in arrays and objects, around serde_json's recursion limit of 128 and past it.
fn deep(rng: &mut Rng, node: Value) -> Value {
    let depth = one_of(rng, &["8", "64", "126", "127", "128", "129", "1000"]).parse::<usize>().unwrap_or(8);
    let object = rng.bool();
    (0..depth).fold(node, |v, _| if object { Value::Object(Map::from_iter([("a".to_string(), v)])) } else { Value::Array(vec![v]) })
}

fn string(rng: &mut Rng, words: &[String], node: &Value) -> String {
    let current = node.as_str().unwrap_or_default();
    match rng.u8(..9) {
        0 => String::new(),
        1 => " ".into(),
        2 => "a".repeat(one_of(rng, &["201", "1000", "100000"]).parse().unwrap_or(201)),
        3 => one_of(rng, &["é", "\u{0}", "𝄞", "\u{202e}x", "\u{feff}", "../../etc", "%00", "NaN", "-1"]).into(),
        4 => current.to_uppercase(),
        5 => format!(" {current} "),
        6 => format!("{current}{}", word(rng, words)),
        _ => word(rng, words).into(),
    }
}

/// A number near the node's own value (or an extreme for a node that is no number).
fn perturb(rng: &mut Rng, node: &Value) -> Value {
    let Some(x) = node.as_f64() else { return number(rng) };
    let y = match rng.u8(..9) {
        0 => x + 1.0,
        1 => x - 1.0,
        2 => x * 2.0,
        3 => x / 2.0,
        4 => -x,
        5 => x * 1e6,
        6 => x + 0.5,
        7 => x * 1024.0,
        _ => x / 3.0,
    };
    match (y.fract() == 0.0 && y.abs() < 9e15 && rng.bool(), Number::from_f64(y)) {
        (true, _) => Value::from(y as i64),
        (false, Some(n)) => Value::Number(n),
        (false, None) => number(rng),
    }
}

/// The node copied beside itself: again in its array, or under a sibling key of its object.
fn duplicate(rng: &mut Rng, value: &mut Value, at: &str, node: Value) {
    let Some((parent, last)) = split(at) else { return };
    match value.pointer_mut(parent) {
        Some(Value::Array(items)) => {
            let i = last.parse::<usize>().unwrap_or(0).min(items.len());
            items.insert(i, node);
        }
        Some(Value::Object(map)) => {
            if let Some(key) = map.keys().nth(rng.usize(..map.len().max(1))).cloned() {
                map.insert(key, node);
            }
        }
        _ => {}
    }
}

/// `text` with one node removed, for each node in turn (the minimiser's first pass); nothing
/// when it is not JSON.
pub fn without_each(text: &str) -> Vec<String> {
    let Ok(value) = serde_json::from_str::<Value>(text) else { return Vec::new() };
    let mut all = Vec::new();
    pointers(&value, String::new(), &mut all);
    all.iter()
        .filter(|at| !at.is_empty())
        .filter_map(|at| {
            let mut smaller = value.clone();
            remove(&mut smaller, at);
            serde_json::to_string(&smaller).ok()
        })
        .collect()
}
