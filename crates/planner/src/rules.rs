//! The classic rule of thumb for splitting a model across GPUs (`DESIGN.md`, "The question it
//! answers"), as named rules, each with its question, its rationale and a pure check that
//! records the numbers it used and the branch it took.
//!
//! Design decision: the rule is run in two readings. Read word for word (`Reading::Literal`) it
//! contradicts its own worked examples: GPT-3 175B (350 GB) "fits" one 640 GB node, so step 2
//! gives TP 8, DP 8, not the table's TP 8, PP 8; no branch yields the 1T model's PP 32; and
//! "DP = GPUs // 8" is 0 below 8 GPUs. The reading that reproduces all four examples
//! (`Reading::WorkedExamples`) makes two soft goals concrete and repairs the DP formula:
//! - "fits" leaves room for the KV cache: weights take at most half the memory
//!   (`HEADROOM_FRACTION`); GPT-3 then needs 350 GB > 320 GB and goes multi-node;
//! - "pipelines short enough to keep bubbles small": each stage keeps at least
//!   `MIN_LAYERS_PER_STAGE` layers; the 1T model's 128 layers then allow PP ≤ 32;
//! - DP = GPUs / TP, so fewer than 8 GPUs still give a layout.
//!
//! The plan reports the worked-example reading, shows the literal one beside it, and says
//! where they part.

use super::layout::Layout;
use super::plan::{inputs_of, RuleOfThumb, RuleStep};
use super::units::Bytes;

/// What the rule of thumb looks at. Nothing else: it knows no workload but the batch size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RuleInput {
    pub total_params: u64,
    pub layers: u32,
    pub gpu_memory: Bytes,
    pub nodes: u32,
    pub gpus_per_node: u32,
    /// Requests batched together; `None` (maximum throughput) counts as a large batch.
    pub batch_size: Option<u32>,
}

/// One node of the decision flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub id: &'static str,
    pub title: &'static str,
    pub question: &'static str,
    pub rationale: &'static str,
}

/// Which way to read the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// Word for word, as stated.
    Literal,
    /// With the soft goals made concrete so that the classic worked examples come out.
    WorkedExamples,
}

/// "Weights in GB ≈ params in billions × 2": bf16, 2 bytes per parameter.
pub const RULE_BYTES_PER_PARAM: f64 = 2.0;
/// The largest TP the rule uses: one 8-GPU node's NVLink domain.
pub const MAX_TP: u32 = 8;
/// Below this batch size the rule keeps the pipeline shallow.
pub const SMALL_BATCH: u32 = 16;
/// The shallow pipeline's depth limit.
pub const SHALLOW_PP: u32 = 4;
/// Worked-example reading: weights may take at most this share of memory, the rest is left
/// for the KV cache and activations. Any value in (0.22, 0.54) reproduces the table (LLaMA-70B
/// needs 22 % of a node, GPT-3 175B 55 %); a half is the usual practitioners' figure.
pub const HEADROOM_FRACTION: f64 = 0.5;
/// Worked-example reading: fewest layers per pipeline stage. 4 is the only bound for which the
/// 1T example's 128 layers give the table's PP 32.
pub const MIN_LAYERS_PER_STAGE: u32 = 4;
/// Size bands of the rule, in billions of parameters.
pub const BANDS_B: (f64, f64) = (7.0, 70.0);

pub const SIZE_BAND: Rule = Rule {
    id: "size-band",
    title: "Size band",
    question: "Which size band is the model in?",
    rationale: "Rough bands: under 7B pure DP; 7–70B TP + DP; over 70B TP + PP + DP. Informative: the steps below decide.",
};
pub const FITS_ONE_GPU: Rule = Rule {
    id: "fits-one-gpu",
    title: "Fits one GPU?",
    question: "Do the weights (params in billions × 2 GB) fit on one GPU?",
    rationale: "A model that fits one GPU needs no communication between GPUs: every GPU serves its own copy (pure DP).",
};
pub const FITS_ONE_NODE: Rule = Rule {
    id: "fits-one-node",
    title: "Fits one node?",
    question: "Do the weights fit in one node's GPUs together?",
    rationale: "Inside a node GPUs share NVLink, fast enough for tensor parallelism's two all-reduces per layer.",
};
pub const TP_IN_NODE: Rule = Rule {
    id: "tp-in-node",
    title: "TP inside the node, DP across nodes",
    question: "How wide is TP, and how many copies?",
    rationale: "TP = GPUs per node (at most 8) keeps all-reduces on NVLink; each node (or group of 8) serves its own copy.",
};
pub const MULTI_NODE: Rule = Rule {
    id: "multi-node",
    title: "TP 8 inside nodes, PP across nodes",
    question: "Is the batch small (under 16 requests)?",
    rationale: "Across nodes only point-to-point pipeline traffic is cheap enough. With few requests a deep pipeline idles (bubbles), so keep PP ≤ 4 and use the rest for DP; with many, PP = nodes.",
};
pub const STAGE_DEPTH: Rule = Rule {
    id: "stage-depth",
    title: "Pipeline stages deep enough",
    question: "Does every pipeline stage keep at least 4 layers?",
    rationale: "Pipelines short enough to keep bubbles small: a stage of very few layers spends its time on hand-offs, not on compute.",
};
pub const HOLDS_SHARE: Rule = Rule {
    id: "holds-share",
    title: "Each GPU holds its share",
    question: "Does each GPU's share of the weights fit in its memory?",
    rationale: "Hard limit: tp × pp × dp = GPUs, and each GPU must hold weights / (tp × pp).",
};

/// Every node of the flow, in order, so a view can draw the untaken ones too.
pub static RULES: &[Rule] =
    &[SIZE_BAND, FITS_ONE_GPU, FITS_ONE_NODE, TP_IN_NODE, MULTI_NODE, STAGE_DEPTH, HOLDS_SHARE];

/// One arrow of the flow: from a rule to the next one, on an answer (`when`, empty when the
/// flow always goes on).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    pub from: &'static str,
    /// A rule id, or `END` for the layout the flow arrives at.
    pub to: &'static str,
    pub when: &'static str,
}

/// The end of the flow: the layout (an `Edge::to` that is no rule).
pub const END: &str = "layout";

/// Every arrow of the flow in its worked-example reading (the one `RuleOfThumb::steps`
/// follows), so a view can draw the branches not taken. `rules::tests` checks that every
/// visited path runs along these arrows.
pub static EDGES: &[Edge] = &[
    Edge { from: SIZE_BAND.id, to: FITS_ONE_GPU.id, when: "" },
    Edge { from: FITS_ONE_GPU.id, to: HOLDS_SHARE.id, when: "yes: pure DP" },
    Edge { from: FITS_ONE_GPU.id, to: FITS_ONE_NODE.id, when: "no" },
    Edge { from: FITS_ONE_NODE.id, to: TP_IN_NODE.id, when: "yes" },
    Edge { from: FITS_ONE_NODE.id, to: MULTI_NODE.id, when: "no" },
    Edge { from: TP_IN_NODE.id, to: HOLDS_SHARE.id, when: "" },
    Edge { from: MULTI_NODE.id, to: STAGE_DEPTH.id, when: "" },
    Edge { from: STAGE_DEPTH.id, to: HOLDS_SHARE.id, when: "" },
    Edge { from: HOLDS_SHARE.id, to: END, when: "yes" },
];

/// Whether the visited `steps` (in order) run along `edge`: its two ends visited one after
/// the other, or, for the arrow to `END`, its start visited last with a layout found.
pub fn edge_taken(edge: &Edge, steps: &[RuleStep], layout: Option<Layout>) -> bool {
    if edge.to == END {
        return layout.is_some() && steps.last().is_some_and(|s| s.id == edge.from);
    }
    steps.windows(2).any(|pair| pair[0].id == edge.from && pair[1].id == edge.to)
}

/// Runs the rule on a scenario: the worked-example reading, the literal one beside it, and
/// notes where they part.
pub fn rule_of_thumb(input: &RuleInput) -> RuleOfThumb {
    let (layout, steps) = flow(input, Reading::WorkedExamples);
    let (literal_layout, literal_steps) = flow(input, Reading::Literal);
    let mut notes = Vec::new();
    if literal_layout != layout {
        notes.push(format!(
            "Read word for word the rule gives {}; this view reports {} because that reading \
             reproduces the rule's own worked examples.",
            describe(literal_layout),
            describe(layout)
        ));
        let parting = literal_steps.iter().zip(&steps).find(|(a, b)| a.id != b.id || a.answer != b.answer);
        if let Some((literal, worked)) = parting {
            notes.push(format!(
                "They part at \"{}\": word for word, {}; in the worked-example reading, {}.",
                literal.question, literal.outcome, worked.outcome
            ));
        }
    }
    RuleOfThumb { layout, steps, literal_layout, notes }
}

fn describe(layout: Option<Layout>) -> String {
    match layout {
        Some(l) => l.to_string(),
        None => "no usable layout".into(),
    }
}

/// The decision flow in one reading: the layout (if any) and the visited steps.
pub fn flow(input: &RuleInput, reading: Reading) -> (Option<Layout>, Vec<RuleStep>) {
    let mut steps = vec![size_band(input)];
    let gpus = input.nodes * input.gpus_per_node;
    let chosen = if fits(input, &FITS_ONE_GPU, 1, reading, &mut steps) {
        Some((1, 1, gpus))
    } else if fits(input, &FITS_ONE_NODE, input.gpus_per_node, reading, &mut steps) {
        tp_in_node(input, reading, &mut steps)
    } else {
        multi_node(input, reading, &mut steps)
    };
    let layout = chosen.and_then(|(tp, pp, dp)| Layout::new(tp, pp, dp, 1, gpus).ok());
    let layout = layout.filter(|l| holds_share(input, l, &mut steps));
    (layout, steps)
}

fn weights_gb(input: &RuleInput) -> f64 {
    input.total_params as f64 / 1e9 * RULE_BYTES_PER_PARAM
}

fn gpu_gb(input: &RuleInput) -> f64 {
    input.gpu_memory.value() / 1e9
}

fn step(rule: &Rule, inputs: &[(&str, f64)], answer: impl Into<String>, outcome: impl Into<String>) -> RuleStep {
    RuleStep {
        id: rule.id.into(),
        question: rule.question.into(),
        inputs: inputs_of(inputs),
        answer: answer.into(),
        outcome: outcome.into(),
    }
}

fn size_band(input: &RuleInput) -> RuleStep {
    let params_b = input.total_params as f64 / 1e9;
    let (answer, outcome) = if params_b < BANDS_B.0 {
        ("under 7B", "the bands suggest pure DP")
    } else if params_b <= BANDS_B.1 {
        ("7B to 70B", "the bands suggest TP + DP")
    } else {
        ("over 70B", "the bands suggest TP + PP + DP")
    };
    step(&SIZE_BAND, &[("params_b", params_b)], answer, outcome)
}

/// Fits-one-GPU or fits-one-node (`rule`): weights against the memory of `gpus` GPUs, all of
/// it (literal) or half of it (worked examples). The rule is passed, not guessed from `gpus`:
/// with one GPU per node the node question has `gpus == 1` too.
fn fits(input: &RuleInput, rule: &Rule, gpus: u32, reading: Reading, steps: &mut Vec<RuleStep>) -> bool {
    let memory_gb = gpu_gb(input) * gpus as f64;
    let weights = weights_gb(input);
    let (usable, inputs) = match reading {
        Reading::Literal => (memory_gb, vec![("weights_gb", weights), ("memory_gb", memory_gb)]),
        Reading::WorkedExamples => (
            memory_gb * HEADROOM_FRACTION,
            vec![("weights_gb", weights), ("memory_gb", memory_gb), ("headroom_fraction", HEADROOM_FRACTION)],
        ),
    };
    let yes = weights <= usable;
    let outcome = match (yes, rule.id == FITS_ONE_GPU.id) {
        (true, true) => format!("pure DP: every GPU serves its own copy ({weights:.0} GB ≤ {usable:.0} GB)"),
        (false, true) => format!("split the model ({weights:.0} GB > {usable:.0} GB usable on one GPU)"),
        (true, false) => format!("TP inside one node ({weights:.0} GB ≤ {usable:.0} GB usable in a node)"),
        (false, false) => format!("span nodes ({weights:.0} GB > {usable:.0} GB usable in a node)"),
    };
    steps.push(step(rule, &inputs, if yes { "yes" } else { "no" }, outcome));
    yes
}

fn tp_in_node(input: &RuleInput, reading: Reading, steps: &mut Vec<RuleStep>) -> Option<(u32, u32, u32)> {
    let gpus = input.nodes * input.gpus_per_node;
    let tp = input.gpus_per_node.min(MAX_TP);
    let dp = match reading {
        Reading::Literal => gpus / MAX_TP,
        Reading::WorkedExamples => gpus / tp,
    };
    let outcome = if dp == 0 {
        format!("DP = GPUs // 8 = {gpus} // 8 = 0: no layout (the formula assumes at least 8 GPUs)")
    } else if reading == Reading::Literal && tp * dp != gpus {
        format!("TP {tp} × DP {dp} = {} ≠ {gpus} GPUs: the formula DP = GPUs // 8 leaves GPUs idle or over-counts", tp * dp)
    } else {
        format!("TP {tp}, DP {dp}")
    };
    steps.push(step(&TP_IN_NODE, &[("gpus", gpus as f64), ("tp", tp as f64), ("dp", dp as f64)], format!("TP {tp}, DP {dp}"), outcome));
    (dp > 0).then_some((tp, 1, dp))
}

fn multi_node(input: &RuleInput, reading: Reading, steps: &mut Vec<RuleStep>) -> Option<(u32, u32, u32)> {
    let gpus = input.nodes * input.gpus_per_node;
    let tp = input.gpus_per_node.min(MAX_TP);
    let small = input.batch_size.is_some_and(|b| b < SMALL_BATCH);
    let mut pp = if small { largest_divisor_at_most(input.nodes, SHALLOW_PP) } else { input.nodes };
    let branch = if small { format!("small batch: PP = {pp} (≤ {SHALLOW_PP}), the rest DP") } else { format!("large batch: PP = nodes = {pp}") };
    // Without a batch size (no concurrency given) the step records none: no stand-in number.
    let mut numbers = vec![("nodes", input.nodes as f64), ("tp", tp as f64), ("pp", pp as f64)];
    numbers.extend(input.batch_size.map(|b| ("batch_size", b as f64)));
    steps.push(step(&MULTI_NODE, &numbers, if small { "yes" } else { "no" }, branch));
    if reading == Reading::WorkedExamples {
        let max_pp = (input.layers / MIN_LAYERS_PER_STAGE).max(1);
        let deep_enough = pp <= max_pp;
        if !deep_enough {
            pp = largest_divisor_at_most(input.nodes, max_pp);
        }
        let outcome = if deep_enough {
            format!("{} layers per stage", input.layers / pp.max(1))
        } else {
            format!("PP lowered to {pp} (≤ {} layers / {MIN_LAYERS_PER_STAGE}), the rest DP", input.layers)
        };
        steps.push(step(
            &STAGE_DEPTH,
            &[("layers", input.layers as f64), ("min_layers_per_stage", MIN_LAYERS_PER_STAGE as f64), ("pp", pp as f64)],
            if deep_enough { "yes" } else { "no" },
            outcome,
        ));
    }
    let dp = gpus / (tp * pp);
    (dp > 0 && tp * pp * dp == gpus).then_some((tp, pp, dp))
}

fn holds_share(input: &RuleInput, layout: &Layout, steps: &mut Vec<RuleStep>) -> bool {
    let share = weights_gb(input) / (layout.tp * layout.pp) as f64;
    let gpu = gpu_gb(input);
    let yes = share <= gpu;
    let outcome = if yes {
        format!("{layout}: {share:.1} GB of weights per GPU")
    } else {
        format!("{layout} puts {share:.1} GB on a {gpu:.0} GB GPU: more GPUs are needed")
    };
    steps.push(step(&HOLDS_SHARE, &[("weights_per_gpu_gb", share), ("gpu_memory_gb", gpu)], if yes { "yes" } else { "no" }, outcome));
    yes
}

/// The largest divisor of `n` that is at most `limit` (at least 1).
fn largest_divisor_at_most(n: u32, limit: u32) -> u32 {
    (1..=limit.min(n).max(1)).rev().find(|d| n.is_multiple_of(*d)).unwrap_or(1)
}

#[cfg(test)]
mod tests;
