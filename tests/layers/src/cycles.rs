//! The layering rule and its report: at every level of the module tree, the children of a
//! module form a directed acyclic graph; every strongly connected set of two or more siblings
//! is a cycle, reported with one walk around it and, for each edge inside it, the first
//! place that creates it.
//!
//! Design decision: a reference from `a::b::c` to `a::d::e` counts as the edge `b → d` among
//! the children of `a`; a reference between a module and its own ancestor or descendant
//! counts at no level (a child using its parent's types and a parent re-exporting a child are
//! how a module tree is meant to be used).

use crate::module_tree::{display, ModPath};
use crate::resolve::Reference;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;

/// An edge between two siblings, with the first reference (by file and line) that creates it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub reference: Reference,
}

/// Siblings (children of `parent`) that depend on each other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cycle {
    pub parent: ModPath,
    /// One walk around the cycle from its first member back to it (`[a, b, a]`).
    pub walk: Vec<String>,
    /// Every sibling in the knot, sorted.
    pub members: Vec<String>,
    /// Every edge between members, sorted.
    pub edges: Vec<Edge>,
}

/// Every cycle among siblings that `references` create, by parent then first member.
pub fn cycles(references: &[Reference]) -> Vec<Cycle> {
    let mut levels: BTreeMap<ModPath, BTreeMap<(String, String), &Reference>> = BTreeMap::new();
    for reference in references {
        let shared = reference.from.iter().zip(&reference.to).take_while(|(a, b)| a == b).count();
        let (Some(from), Some(to)) = (reference.from.get(shared), reference.to.get(shared)) else { continue };
        let first = levels.entry(reference.from[..shared].to_vec()).or_default().entry((from.clone(), to.clone())).or_insert(reference);
        if (&reference.file, reference.line) < (&first.file, first.line) {
            *first = reference;
        }
    }
    let mut out = Vec::new();
    for (parent, edges) in levels {
        let mut successors: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (from, to) in edges.keys() {
            successors.entry(from).or_default().push(to);
            successors.entry(to).or_default();
        }
        for members in strongly_connected(&successors).into_iter().filter(|c| c.len() > 1) {
            let walk = walk_around(&successors, &members);
            let edges = edges
                .iter()
                .filter(|((from, to), _)| members.contains(from.as_str()) && members.contains(to.as_str()))
                .map(|((from, to), reference)| Edge { from: from.clone(), to: to.clone(), reference: (*reference).clone() })
                .collect();
            let members = members.into_iter().map(str::to_string).collect();
            out.push(Cycle { parent: parent.clone(), walk, members, edges });
        }
    }
    out
}

/// Tarjan's strongly connected components of a graph given by its successor lists.
fn strongly_connected<'a>(successors: &BTreeMap<&'a str, Vec<&'a str>>) -> Vec<BTreeSet<&'a str>> {
    struct State<'a> {
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        components: Vec<BTreeSet<&'a str>>,
    }
    fn visit<'a>(node: &'a str, successors: &BTreeMap<&'a str, Vec<&'a str>>, state: &mut State<'a>) {
        let index = state.index.len();
        state.index.insert(node, index);
        state.low.insert(node, index);
        state.stack.push(node);
        state.on_stack.insert(node);
        for &next in &successors[node] {
            if !state.index.contains_key(next) {
                visit(next, successors, state);
                let low = state.low[node].min(state.low[next]);
                state.low.insert(node, low);
            } else if state.on_stack.contains(next) {
                let low = state.low[node].min(state.index[next]);
                state.low.insert(node, low);
            }
        }
        if state.low[node] == state.index[node] {
            let mut component = BTreeSet::new();
            while let Some(member) = state.stack.pop() {
                state.on_stack.remove(member);
                component.insert(member);
                if member == node {
                    break;
                }
            }
            state.components.push(component);
        }
    }
    let mut state = State { index: BTreeMap::new(), low: BTreeMap::new(), stack: Vec::new(), on_stack: BTreeSet::new(), components: Vec::new() };
    for &node in successors.keys() {
        if !state.index.contains_key(node) {
            visit(node, successors, &mut state);
        }
    }
    state.components.sort();
    state.components
}

/// The shortest walk from the first member of a strongly connected set back to it, inside the set.
fn walk_around(successors: &BTreeMap<&str, Vec<&str>>, members: &BTreeSet<&str>) -> Vec<String> {
    let Some(&start) = members.first() else { return Vec::new() };
    let mut came_from: BTreeMap<&str, &str> = BTreeMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        for &next in &successors[node] {
            if !members.contains(next) || came_from.contains_key(next) {
                continue;
            }
            came_from.insert(next, node);
            if next == start {
                let mut walk = vec![start.to_string()];
                let mut at = node;
                while at != start {
                    walk.push(at.to_string());
                    at = came_from[at];
                }
                walk.push(start.to_string());
                walk.reverse();
                return walk;
            }
            queue.push_back(next);
        }
    }
    Vec::new()
}

impl fmt::Display for Cycle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "in {}: {}", display(&self.parent), self.walk.join(" → "))?;
        let walked: BTreeSet<&String> = self.walk.iter().collect();
        let others: Vec<&str> = self.members.iter().filter(|m| !walked.contains(m)).map(String::as_str).collect();
        if !others.is_empty() {
            write!(f, " (in the same knot: {})", others.join(", "))?;
        }
        for edge in &self.edges {
            let r = &edge.reference;
            write!(f, "\n    {} → {}: {}:{} `{}`", edge.from, edge.to, r.file.display(), r.line, r.written)?;
            if r.from.len() > self.parent.len() + 1 || r.to.len() > self.parent.len() + 1 {
                write!(f, " ({} → {})", display(&r.from), display(&r.to))?;
            }
        }
        Ok(())
    }
}
