//! Placing the workers on nodes: a worker of a node or less stays inside one node (its
//! tensor-parallel group must not straddle the scale-out network), a larger one takes whole
//! nodes (its sizes are whole nodes, `workers::worker_sizes`).
//!
//! Design decision: first-fit decreasing by arithmetic, not by a loop over workers, since the
//! x:y search asks for every count. The larger small worker fills nodes first, the smaller one
//! fills what each node has left, then new nodes. With the sizes a node's divisors, that is the
//! fewest nodes whenever one size divides the other (1, 2, 4, 8 on an 8-GPU node); otherwise
//! (3 and 4 on a 12-GPU node) it may use a node more than the optimum, which only errs towards
//! rejecting a placement.

/// Nodes of `node` GPUs that `count` workers of `size` GPUs and `other_count` of `other_size`
/// take.
pub fn nodes_needed(count: u32, size: u32, other_count: u32, other_size: u32, node: u32) -> u64 {
    let node = node.max(1) as u64;
    let mut nodes = 0u64;
    // The workers smaller than a node, by size (at most two sizes; no allocation: the x:y
    // search asks for every count).
    let mut small = [(0u64, 0u64); 2];
    let mut sizes = 0;
    for (n, s) in [(count as u64, size.max(1) as u64), (other_count as u64, other_size.max(1) as u64)] {
        if n == 0 {
            continue;
        }
        if s >= node {
            nodes += n * s.div_ceil(node);
        } else if sizes == 1 && small[0].1 == s {
            small[0].0 += n;
        } else {
            small[sizes] = (n, s);
            sizes += 1;
        }
    }
    let small = &mut small[..sizes];
    small.sort_by_key(|entry| std::cmp::Reverse(entry.1));
    let Some(&(n_a, a)) = small.first() else { return nodes };
    let per_node = node / a;
    let full = n_a / per_node;
    let rest = n_a % per_node;
    let a_nodes = full + u64::from(rest > 0);
    nodes += a_nodes;
    if let Some(&(n_b, b)) = small.get(1) {
        // What each node of the larger workers has left, in workers of the smaller size.
        let left = full * ((node - per_node * a) / b) + if rest > 0 { (node - rest * a) / b } else { 0 };
        let remaining = n_b.saturating_sub(left);
        nodes += remaining.div_ceil(node / b);
    }
    nodes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workers_pack_into_nodes_without_straddling() {
        for (args, expected) in [
            ((2, 4, 1, 8, 8), 2), // two TP4 in one node, one TP8 in another
            ((3, 4, 2, 2, 8), 2), // 4+4 | 4+2+2
            ((1, 16, 3, 8, 8), 5),
            ((3, 3, 1, 4, 12), 2), // 4+3+3 | 3: first fit decreasing
            ((0, 8, 0, 8, 8), 0),
            ((5, 1, 0, 2, 8), 1),
        ] {
            let (c, s, oc, os, node) = args;
            let got = nodes_needed(c, s, oc, os, node);
            assert_eq!(got, expected, "{args:?}: expected {expected} nodes, got {got}");
        }
    }
}
