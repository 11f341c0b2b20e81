//! The rule-of-thumb decision flow as a flowchart: every rule of `RULES` as a box, every arrow
//! of `EDGES` drawn between them, the visited path in the accent colour with its step numbers,
//! numbers and answers, and the layout the rule arrives at; above it the reported reading and,
//! where it differs, the literal one with the notes saying why.
//!
//! Design decision: the drawing is a CSS grid of five lanes (the pure-DP exit, a connector, the
//! main questions, a connector, the in-node branch) whose cells are the boxes and the arrow
//! pieces, placed by class (`row-N`, `lane-X`), so there is no inline style for a
//! Content-Security-Policy to forbid and no text to measure. Below a narrow width (a container
//! query in the stylesheet) the arrows are hidden and each box lists where its answers lead.
//! A view function of `decision_trace`, not a component: a new plan brings a new rule of thumb
//! too, so comparing props would seldom skip a render.

use super::rule_node::{rule_node, Next};
use planner::layout::Layout;
use planner::plan::RuleOfThumb;
use planner::rules::{edge_taken, Edge, EDGES, END, RULES};
use yew::prelude::*;

/// The flowchart's lanes (grid columns).
#[derive(Clone, Copy)]
enum Lane {
    Exit,
    LeftConnector,
    Main,
    RightConnector,
    Side,
}

impl Lane {
    fn class(self) -> &'static str {
        match self {
            Lane::Exit => "lane-exit",
            Lane::LeftConnector => "lane-c1",
            Lane::Main => "lane-main",
            Lane::RightConnector => "lane-c2",
            Lane::Side => "lane-side",
        }
    }
}

/// The shape of one arrow piece in its cell.
#[derive(Clone, Copy)]
enum Shape {
    /// A line down the cell's middle ending in an arrowhead.
    Down,
    /// A line across the cell ending in an arrowhead on the right / the left.
    Right,
    Left,
    /// A plain line down the cell's middle.
    Line,
    /// Down to the cell's middle, then out to its right / left edge.
    ElbowRight,
    ElbowLeft,
    /// The pure-DP stop: a label with the line continuing below it.
    Stop,
}

impl Shape {
    fn class(self) -> &'static str {
        match self {
            Shape::Down => "down",
            Shape::Right => "right",
            Shape::Left => "left",
            Shape::Line => "line",
            Shape::ElbowRight => "elbow-right",
            Shape::ElbowLeft => "elbow-left",
            Shape::Stop => "stop",
        }
    }
}

/// One cell of an arrow: its grid rows (a `row-…` class), lane and shape; `label` shows the
/// edge's answer.
struct Piece {
    rows: &'static str,
    lane: Lane,
    shape: Shape,
    label: bool,
}

/// Where each rule's box sits: its grid row and lane. Rows alternate boxes and arrows.
fn place(id: &str) -> Option<(&'static str, Lane)> {
    Some(match id {
        "size-band" => ("row-1", Lane::Main),
        "fits-one-gpu" => ("row-3", Lane::Main),
        "fits-one-node" => ("row-5", Lane::Main),
        "tp-in-node" => ("row-5", Lane::Side),
        "multi-node" => ("row-7", Lane::Main),
        "stage-depth" => ("row-9", Lane::Main),
        "holds-share" => ("row-11", Lane::Main),
        _ => return None,
    })
}

/// The cells an arrow is drawn with; empty for an arrow this drawing has no place for (it is
/// still listed in its box's "next" notes).
fn pieces(edge: &Edge) -> &'static [Piece] {
    use Lane::*;
    use Shape::*;
    match (edge.from, edge.to) {
        ("size-band", "fits-one-gpu") => &[Piece { rows: "row-2", lane: Main, shape: Down, label: false }],
        ("fits-one-gpu", "holds-share") => &[
            Piece { rows: "row-3", lane: LeftConnector, shape: Left, label: true },
            Piece { rows: "row-3", lane: Exit, shape: Stop, label: false },
            Piece { rows: "rows-4-10", lane: Exit, shape: Line, label: false },
            Piece { rows: "row-11", lane: Exit, shape: ElbowRight, label: false },
            Piece { rows: "row-11", lane: LeftConnector, shape: Right, label: false },
        ],
        ("fits-one-gpu", "fits-one-node") => &[Piece { rows: "row-4", lane: Main, shape: Down, label: true }],
        ("fits-one-node", "tp-in-node") => &[Piece { rows: "row-5", lane: RightConnector, shape: Right, label: true }],
        ("fits-one-node", "multi-node") => &[Piece { rows: "row-6", lane: Main, shape: Down, label: true }],
        ("tp-in-node", "holds-share") => &[
            Piece { rows: "rows-6-10", lane: Side, shape: Line, label: false },
            Piece { rows: "row-11", lane: Side, shape: ElbowLeft, label: false },
            Piece { rows: "row-11", lane: RightConnector, shape: Left, label: false },
        ],
        ("multi-node", "stage-depth") => &[Piece { rows: "row-8", lane: Main, shape: Down, label: false }],
        ("stage-depth", "holds-share") => &[Piece { rows: "row-10", lane: Main, shape: Down, label: false }],
        ("holds-share", END) => &[Piece { rows: "row-12", lane: Main, shape: Down, label: true }],
        _ => &[],
    }
}

fn title_of(id: &str) -> &'static str {
    RULES.iter().find(|r| r.id == id).map_or("the layout", |r| r.title)
}

pub fn rule_flow(rule_of_thumb: &RuleOfThumb) -> Html {
    let steps = &rule_of_thumb.steps;
    let taken: Vec<bool> = EDGES.iter().map(|e| edge_taken(e, steps, rule_of_thumb.layout)).collect();
    let boxes = RULES.iter().map(|rule| {
        let visit = steps.iter().position(|step| step.id == rule.id);
        let (row, lane) = place(rule.id).unwrap_or(("row-auto", Lane::Main));
        let next: Vec<Next> = EDGES
            .iter()
            .zip(&taken)
            .filter(|(e, _)| e.from == rule.id)
            .map(|(e, t)| Next { when: e.when.into(), to: title_of(e.to).into(), taken: *t })
            .collect();
        rule_node(rule, visit.map(|i| i + 1), visit.map(|i| &steps[i]), classes!(row, lane.class()), &next)
    });
    let arrows = EDGES.iter().zip(&taken).flat_map(|(edge, &taken)| {
        pieces(edge).iter().enumerate().map(move |(i, p)| {
            let stop = matches!(p.shape, Shape::Stop);
            html! {
                <li
                    key={format!("{}>{}#{i}", edge.from, edge.to)}
                    class={classes!("edge", p.shape.class(), p.rows, p.lane.class(), if taken { "taken" } else { "untaken" })}
                    aria-hidden="true"
                >
                    if p.label && !edge.when.is_empty() {
                        <span class="when">{ edge.when.split(':').next().unwrap_or(edge.when) }</span>
                    }
                    if stop {
                        <span class="stop-label">{ "pure DP" }</span>
                    }
                </li>
            }
        })
    });
    html! {
        <div class="rule-flow">
            <p class="verdict">
                { "The classic rule says: " }
                <strong data-testid="rule-layout">{ describe(rule_of_thumb.layout) }</strong>
            </p>
            if rule_of_thumb.literal_layout != rule_of_thumb.layout {
                <div class="readings" data-testid="rule-readings">
                    <p>
                        { "Read word for word: " }
                        <strong data-testid="rule-literal-layout">{ describe(rule_of_thumb.literal_layout) }</strong>
                    </p>
                    <ul class="notes">
                        { for rule_of_thumb.notes.iter().enumerate().map(|(i, note)| html! { <li key={i}>{ note.clone() }</li> }) }
                    </ul>
                </div>
            }
            <div class="flowchart">
                <ol class="flow" aria-label="The rule of thumb's questions, in flow order">
                    { for boxes }
                    <li
                        key="end"
                        class={classes!("flow-end", "row-13", "lane-main", if rule_of_thumb.layout.is_some() { "taken" } else { "untaken" })}
                        data-testid="rule-end"
                    >
                        { describe(rule_of_thumb.layout) }
                    </li>
                    { for arrows }
                </ol>
            </div>
        </div>
    }
}

fn describe(layout: Option<Layout>) -> String {
    match layout {
        Some(layout) => layout.to_string(),
        None => "no usable layout".to_string(),
    }
}
