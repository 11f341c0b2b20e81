//! Result-file names that carry the layout, and reading a layout back from a name or tag.
//!
//! The benchmark script names each result `{engine}-tp{tp}-pp{pp}-dp{dp}-ep{ep}.json` (`.jsonl`
//! for SGLang), so the importer recovers the layout from the name alone. Names written by
//! other people's scripts often carry part of it (`llama31_70b_TP8_DP1_in1024….json`,
//! `…_tp1_len2000.json`); those are read too, the missing sizes taken as 1 and reported as
//! assumed.
//!
//! A disaggregated run (x prefill and y decode workers, each with its own layout) is named
//! `{engine}-disagg-{x}p-tp…-ep…-{y}d-tp…-ep…` (`sglang-disagg-2p-tp4-pp1-dp1-ep1-1d-tp8-pp1-dp1-ep8`):
//! the whole token `disagg` marks it, and a name carrying it is never read as one aggregated
//! layout (`layout_from_name` returns `None`), so the two kinds of stems cannot collide.
//!
//! Design decision: a size is a whole token `tp8` / `TP8` between separators (anything not a
//! letter or digit), never a substring, so `deep1` or `p100` are not read as sizes.

use planner::engine::Engine;
use planner::inputs::MAX_TOTAL_GPUS;
use planner::layout::Layout;
use serde::{Deserialize, Serialize};

/// The stem of a layout's result file: `vllm-tp8-pp1-dp2-ep1`.
pub fn result_stem(engine: Engine, layout: &Layout) -> String {
    format!("{}-{}", engine.id(), layout_label(layout))
}

/// `tp8-pp1-dp2-ep1`.
pub fn layout_label(layout: &Layout) -> String {
    format!("tp{}-pp{}-dp{}-ep{}", layout.tp, layout.pp, layout.dp, layout.ep)
}

/// The token that marks a disaggregated result name.
pub const DISAGG_TOKEN: &str = "disagg";

/// `count` workers of one role, each running `layout`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workers {
    pub count: u32,
    pub layout: Layout,
}

/// The stem of a disaggregated candidate's result file:
/// `sglang-disagg-2p-tp4-pp1-dp1-ep1-1d-tp8-pp1-dp1-ep8`.
pub fn disagg_result_stem(engine: Engine, prefill: Workers, decode: Workers) -> String {
    format!(
        "{}-{DISAGG_TOKEN}-{}p-{}-{}d-{}",
        engine.id(),
        prefill.count,
        layout_label(&prefill.layout),
        decode.count,
        layout_label(&decode.layout)
    )
}

/// The prefill and decode workers a name spells (`…-disagg-2p-tp4-pp1-dp1-ep1-1d-tp8-pp1-dp1-ep8…`,
/// any case, directories ignored): the token `disagg`, then `<x>p` and the four sizes in order,
/// then `<y>d` and the four sizes. `None` when the name does not carry that sequence, a count is
/// 0, or a layout is not one (`layout_of`).
pub fn disagg_from_name(name: &str) -> Option<(Workers, Workers)> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name).to_ascii_lowercase();
    let tokens: Vec<&str> = base.split(|c: char| !c.is_ascii_alphanumeric()).collect();
    let start = tokens.iter().position(|t| *t == DISAGG_TOKEN)?;
    let mut rest = tokens[start + 1..].iter().copied();
    let mut workers = |role: &str| -> Option<Workers> {
        let count = number(rest.next()?.strip_suffix(role)?)?;
        let mut size = |key: &str| number(rest.next()?.strip_prefix(key)?);
        let (tp, pp, dp, ep) = (size("tp")?, size("pp")?, size("dp")?, size("ep")?);
        (count > 0).then_some(())?;
        Some(Workers { count, layout: layout_of(tp, pp, dp, ep)? })
    };
    let prefill = workers("p")?;
    let decode = workers("d")?;
    Some((prefill, decode))
}

/// A whole decimal count (`None` for an empty token, a sign, or more than a `u32`).
fn number(digits: &str) -> Option<u32> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Whether a name carries the disaggregated mark (the whole token `disagg`).
fn is_disagg_name(base: &str) -> bool {
    base.split(|c: char| !c.is_ascii_alphanumeric()).any(|t| t.eq_ignore_ascii_case(DISAGG_TOKEN))
}

/// A layout read from a name, and the sizes the name did not give (taken as 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedLayout {
    pub layout: Layout,
    pub assumed: Vec<String>,
}

/// The layout a file name or tag spells, if it names at least `tp`. Directory parts of a path
/// are ignored. `None` when no `tp<N>` token is present, a size is 0, two tokens disagree, the
/// product exceeds the planner's cluster limit, `ep` does not divide `tp × dp`, or the name is
/// a disaggregated one (token `disagg`: its layouts are `disagg_from_name`'s).
pub fn layout_from_name(name: &str) -> Option<NamedLayout> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    if is_disagg_name(base) {
        return None;
    }
    let mut sizes: [Option<u32>; 4] = [None; 4];
    const KEYS: [&str; 4] = ["tp", "pp", "dp", "ep"];
    for token in base.split(|c: char| !c.is_ascii_alphanumeric()) {
        let lower = token.to_ascii_lowercase();
        for (i, key) in KEYS.iter().enumerate() {
            let Some(digits) = lower.strip_prefix(key) else { continue };
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            let value: u32 = digits.parse().ok()?;
            match sizes[i] {
                Some(previous) if previous != value => return None,
                _ => sizes[i] = Some(value),
            }
        }
    }
    sizes[0]?;
    let assumed = KEYS.iter().zip(&sizes).filter(|(_, v)| v.is_none()).map(|(k, _)| k.to_string()).collect();
    let [tp, pp, dp, ep] = sizes.map(|s| s.unwrap_or(1));
    Some(NamedLayout { layout: layout_of(tp, pp, dp, ep)?, assumed })
}

/// A layout from four sizes, its GPU count being their product; `None` when it is not one
/// (a zero, more GPUs than the planner plans, `ep` not dividing `tp × dp`).
pub fn layout_of(tp: u32, pp: u32, dp: u32, ep: u32) -> Option<Layout> {
    // In u128: three u32 sizes can overflow a u64.
    let gpus = tp as u128 * pp as u128 * dp as u128;
    if gpus == 0 || gpus > MAX_TOTAL_GPUS as u128 {
        return None;
    }
    Layout::new(tp, pp, dp, ep, gpus as u32).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fuzzing found a planner CSV row `10000,4294967295,1000000,6` overflowing the product
    /// of the sizes (a panic with overflow checks, a wrong GPU count without).
    #[test]
    fn sizes_whose_product_overflows_a_u64_are_no_layout() {
        assert_eq!(layout_of(10_000, u32::MAX, 1_000_000, 6), None);
        assert_eq!(layout_of(u32::MAX, u32::MAX, u32::MAX, 1), None);
    }

    #[test]
    fn our_names_round_trip() {
        let l = layout_of(8, 1, 2, 16).unwrap();
        let stem = result_stem(Engine::Sglang, &l);
        assert_eq!(stem, "sglang-tp8-pp1-dp2-ep16");
        let read = layout_from_name(&format!("results/{stem}.jsonl")).unwrap();
        assert_eq!((read.layout, read.assumed.len()), (l, 0));
    }

    #[test]
    fn other_peoples_names() {
        let r = layout_from_name("llama31_70b_TP8_DP1_in1024_out128_p1000_c50_f1ba91.json").unwrap();
        assert_eq!(r.layout, layout_of(8, 1, 1, 1).unwrap());
        assert_eq!(r.assumed, ["pp", "ep"]);
        let r = layout_from_name("Meta-Llama-3-8B-Instruct_tp1_len2000.json").unwrap();
        assert_eq!(r.layout.gpus(), 1);
        for none in ["results.json", "tm-l40sx2_qwen35b_a3b_in1024_out128_p500_c50_baef10.json", "deep1-tpx.json",
            "tp0.json", "tp2-tp4.json", "tp4-dp2-ep3.json", "tp99999999999.json"]
        {
            assert_eq!(layout_from_name(none), None, "{none}");
        }
    }

    #[test]
    fn a_disaggregated_name_spells_both_sides() {
        let (p, d) = (Workers { count: 2, layout: layout_of(4, 1, 1, 1).unwrap() }, Workers {
            count: 1,
            layout: layout_of(8, 1, 1, 8).unwrap(),
        });
        let stem = disagg_result_stem(Engine::Sglang, p, d);
        assert_eq!(stem, "sglang-disagg-2p-tp4-pp1-dp1-ep1-1d-tp8-pp1-dp1-ep8");
        assert_eq!(disagg_from_name(&format!("out/{stem}.jsonl")), Some((p, d)));
        assert_eq!(disagg_from_name("LLAMA_DISAGG_1P_TP2_PP1_DP1_EP1_3D_TP2_PP1_DP1_EP1_run4.json").map(|w| w.1.count), Some(3));
        for none in ["vllm-tp8-pp1-dp1-ep1.json", "disagg.json", "x-disagg-0p-tp4-pp1-dp1-ep1-1d-tp8-pp1-dp1-ep8.json",
            "x-disagg-2p-tp4-pp1-dp1-1d-tp8-pp1-dp1-ep8.json", "x-disagg-2p-tp4-pp1-dp1-ep3-1d-tp8-pp1-dp1-ep8.json",
            "x-disagg-2d-tp4-pp1-dp1-ep1-1p-tp8-pp1-dp1-ep8.json", "x-disaggregated-2p-tp4-pp1-dp1-ep1-1d-tp8-pp1-dp1-ep8.json"]
        {
            assert_eq!(disagg_from_name(none), None, "{none}");
        }
    }

    /// Sizes of a worker layout, and of a whole aggregated one, within the planner's limits.
    fn sizes() -> impl proptest::strategy::Strategy<Value = Layout> {
        use proptest::prelude::*;
        (0u32..7, 0u32..3, 0u32..4, 0u32..7).prop_filter_map("ep divides tp × dp", |(t, p, d, e)| {
            layout_of(1 << t, 1 << p, 1 << d, 1 << e)
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// Every disaggregated stem reads back as its workers, whatever the engine and
        /// extension, and never as an aggregated layout; every aggregated stem never as a
        /// disaggregated one.
        #[test]
        fn disaggregated_stems_round_trip_and_never_collide(
            p in sizes(), d in sizes(), agg in sizes(), x in 1u32..64, y in 1u32..64, engine in 0usize..3, jsonl: bool,
        ) {
            let engine = [Engine::Vllm, Engine::Sglang, Engine::Trtllm][engine];
            let (prefill, decode) = (Workers { count: x, layout: p }, Workers { count: y, layout: d });
            let extension = if jsonl { "jsonl" } else { "json" };
            let name = format!("results/{}.{extension}", disagg_result_stem(engine, prefill, decode));
            proptest::prop_assert_eq!(disagg_from_name(&name), Some((prefill, decode)), "{}", name);
            proptest::prop_assert_eq!(layout_from_name(&name), None, "{}", name);
            let aggregated = format!("{}.{extension}", result_stem(engine, &agg));
            proptest::prop_assert_eq!(disagg_from_name(&aggregated), None, "{}", aggregated);
            proptest::prop_assert_eq!(layout_from_name(&aggregated).map(|n| n.layout), Some(agg), "{}", aggregated);
        }
    }
}
