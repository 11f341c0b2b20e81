//! Mutations: an input of the pool becomes a new one, deterministically for the random
//! source's seed.
//!
//! Design decision: structure first where it is cheap. A JSON input is parsed and a node of it
//! changed (`json`), a share link's parameters or a result file's lines and cells are edited
//! as such (`text`), and a share of the mutations stays byte-level (`bytes`) for what no
//! structure foresees; one to four mutations are stacked per input.

mod bytes;
pub mod json;
mod text;

use crate::targets::Grammar;
use fastrand::Rng;

/// Inputs are kept below this size: larger ones only slow the run down.
pub const MAX_LEN: usize = 1 << 20;

/// Numbers that break arithmetic: zero, signs, the edges of the integer types and of `f64`.
pub const EXTREMES: [&str; 20] = [
    "0", "-1", "1", "2", "0.5", "-0.0", "1e308", "-1e308", "5e-324", "1e-9", "65536", "1000000", "4294967295",
    "4294967296", "9007199254740993", "18446744073709551615", "18446744073709551616", "-9223372036854775808",
    "1.7976931348623157e308", "1e15",
];

/// Tokens that are not (strict) JSON numbers, or not JSON at all, where a value stands.
pub const TOKENS: [&str; 16] = [
    "NaN", "Infinity", "-Infinity", "1e999", "-1e999", "1e-999", "-0", "00", ".5", "5.", "+1", "0x10", "1_000",
    "undefined", "None", "nan",
];

/// A seeded mutator with a dictionary of the keys and words of the seeds.
pub struct Mutator {
    rng: Rng,
    words: Vec<String>,
}

impl Mutator {
    pub fn new(seed: u64, words: Vec<String>) -> Self {
        Mutator { rng: Rng::with_seed(seed), words }
    }

    /// A random index below `n` (`n` > 0), for the driver's choice of inputs.
    pub fn pick(&mut self, n: usize) -> usize {
        self.rng.usize(..n)
    }

    /// A new input from `input`, with `other` (another input of the pool) to splice from.
    pub fn mutate(&mut self, grammar: Grammar, input: &[u8], other: &[u8]) -> Vec<u8> {
        let rounds = [1, 1, 1, 2, 2, 3, 4][self.rng.usize(..7)];
        let mut out = input.to_vec();
        for _ in 0..rounds {
            let structured = self.rng.u8(..100) < 85;
            let next = if structured { self.structured(grammar, &out, other) } else { None };
            out = match next {
                Some(next) => next,
                None => bytes::mutate(&mut self.rng, &self.words, &out),
            };
            out.truncate(MAX_LEN);
        }
        out
    }

    fn structured(&mut self, grammar: Grammar, input: &[u8], other: &[u8]) -> Option<Vec<u8>> {
        let text = std::str::from_utf8(input).ok()?;
        let other = std::str::from_utf8(other).unwrap_or_default();
        let out = match grammar {
            Grammar::Json => json::mutate(&mut self.rng, &self.words, text, other),
            Grammar::Url => text::url(&mut self.rng, &self.words, text),
            Grammar::ResultFile => text::result_file(&mut self.rng, &self.words, text, other),
        }?;
        Some(out.into_bytes())
    }
}

/// A word of the dictionary, or an extreme number when it is empty.
fn word<'a>(rng: &mut Rng, words: &'a [String]) -> &'a str {
    match words.len() {
        0 => EXTREMES[rng.usize(..EXTREMES.len())],
        n => &words[rng.usize(..n)],
    }
}

/// One of `items`.
fn one_of<'a>(rng: &mut Rng, items: &[&'a str]) -> &'a str {
    items[rng.usize(..items.len())]
}
