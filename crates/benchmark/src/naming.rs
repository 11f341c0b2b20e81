//! Result-file names that carry the layout, and reading a layout back from a name or tag.
//!
//! The benchmark script names each result `{engine}-tp{tp}-pp{pp}-dp{dp}-ep{ep}.json` (`.jsonl`
//! for SGLang), so the importer recovers the layout from the name alone. Names written by
//! other people's scripts often carry part of it (`llama31_70b_TP8_DP1_in1024….json`,
//! `…_tp1_len2000.json`); those are read too, the missing sizes taken as 1 and reported as
//! assumed.
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

/// A layout read from a name, and the sizes the name did not give (taken as 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedLayout {
    pub layout: Layout,
    pub assumed: Vec<String>,
}

/// The layout a file name or tag spells, if it names at least `tp`. Directory parts of a path
/// are ignored. `None` when no `tp<N>` token is present, a size is 0, two tokens disagree, the
/// product exceeds the planner's cluster limit, or `ep` does not divide `tp × dp`.
pub fn layout_from_name(name: &str) -> Option<NamedLayout> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
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
}
