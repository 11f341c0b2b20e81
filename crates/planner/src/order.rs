//! The crate's one sort: a stable merge sort of indices under a comparison.
//!
//! Design decision: every ordering the planner and the page need (the ranking, the Pareto
//! sweep, the catalog's suggestions, the chart's front, the table's columns) is an order of
//! indices, so they all go through this one function with a `dyn` comparison. The standard
//! library's `sort_by` is generic over the comparison and compiled afresh for each call site,
//! about 7 KB of WebAssembly apiece; this is compiled once, and for a few thousand layouts it
//! is as fast as the page needs.

use std::cmp::Ordering;

/// Sorts `items` by `compare`, keeping the order of equal items (stable), in O(n log n).
pub fn sort_indices(items: &mut [usize], compare: &mut dyn FnMut(usize, usize) -> Ordering) {
    let n = items.len();
    let mut from = items.to_vec();
    let mut to = vec![0; n];
    let mut width = 1;
    while width < n {
        for start in (0..n).step_by(2 * width) {
            let mid = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (mut i, mut j) = (start, mid);
            for slot in &mut to[start..end] {
                // The right run's item goes first only when strictly smaller: stable.
                let take_right = j < end && (i >= mid || compare(from[j], from[i]) == Ordering::Less);
                if take_right {
                    *slot = from[j];
                    j += 1;
                } else {
                    *slot = from[i];
                    i += 1;
                }
            }
        }
        std::mem::swap(&mut from, &mut to);
        width *= 2;
    }
    items.copy_from_slice(&from);
}

/// `0..n` sorted by `compare`.
pub fn sorted_indices(n: usize, compare: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut items: Vec<usize> = (0..n).collect();
    sort_indices(&mut items, compare);
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn small_cases() {
        for n in 0..5 {
            let keys = [3, 1, 2, 1, 0];
            let got = sorted_indices(n, &mut |a, b| keys[a].cmp(&keys[b]));
            let mut want: Vec<usize> = (0..n).collect();
            want.sort_by_key(|&i| keys[i]);
            assert_eq!(got, want, "n = {n}");
        }
    }

    proptest! {
        /// Same order as the standard library's stable sort, ties included.
        #[test]
        fn agrees_with_the_standard_stable_sort(keys in proptest::collection::vec(0u8..8, 0..300)) {
            let got = sorted_indices(keys.len(), &mut |a, b| keys[a].cmp(&keys[b]));
            let mut want: Vec<usize> = (0..keys.len()).collect();
            want.sort_by_key(|&i| keys[i]);
            prop_assert_eq!(got, want);
        }
    }
}
