//! Byte-level mutations: what no grammar foresees (broken UTF-8, a cut in the middle of a
//! token, a stray quote or brace).

use super::{one_of, word, TOKENS};
use fastrand::Rng;

const SPECIAL: [&str; 14] = ["{", "}", "[", "]", "\"", ",", ":", "\\", "\0", "\u{feff}", "\r\n", "\n\n", "%", "\u{10FFFF}"];

pub fn mutate(rng: &mut Rng, words: &[String], input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    let len = out.len();
    let at = rng.usize(..=len);
    let span = |rng: &mut Rng| rng.usize(..=(len - at).min(64));
    match rng.u8(..9) {
        0 if len > 0 => {
            let i = rng.usize(..len);
            out[i] ^= 1 << rng.u8(..8);
        }
        1 if len > 0 => {
            let i = rng.usize(..len);
            out[i] = rng.u8(..);
        }
        2 => {
            let n = span(rng);
            out.drain(at..at + n);
        }
        3 => {
            let n = span(rng);
            let chunk = out[at..at + n].to_vec();
            out.splice(at..at, chunk);
        }
        4 => {
            out.truncate(at);
        }
        5 => {
            let w = word(rng, words).as_bytes().to_vec();
            out.splice(at..at, w);
        }
        6 => {
            let t = one_of(rng, &TOKENS).as_bytes();
            out.splice(at..at, t.iter().copied());
        }
        7 => {
            let random: Vec<u8> = (0..rng.usize(1..8)).map(|_| rng.u8(..)).collect();
            out.splice(at..at, random);
        }
        _ => {
            let s = one_of(rng, &SPECIAL).as_bytes();
            out.splice(at..at, s.iter().copied());
        }
    }
    out
}
