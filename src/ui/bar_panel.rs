//! One figure of the top candidates as horizontal bars (`chart::bars` lays them out): a row per
//! candidate labelled with its layout, its value at the bar's end, a whisker for its range, a
//! diamond where a measured run put it, and the SLA limit as a dashed line. Events are handled
//! by the enclosing chart.

use super::format::figure;
use super::shared::Shared;
use super::svg::{diamond, line, n, text};
use crate::chart::bars::{bars, BarFrame, BarInput};
use yew::prelude::*;

/// One row: the candidate's index in the plan, its short label and its figure.
#[derive(Debug, Clone, PartialEq)]
pub struct BarRow {
    pub index: usize,
    pub label: AttrValue,
    pub bar: BarInput,
}

#[derive(Properties, PartialEq)]
pub struct BarPanelProps {
    pub title: AttrValue,
    pub unit: AttrValue,
    pub rows: Shared<Vec<BarRow>>,
    pub limit: Option<f64>,
    pub shown: Option<usize>,
    pub recommended: Option<usize>,
    /// Whether its bars are in the tab order (one panel is enough: focus shows every figure).
    pub focusable: bool,
}

/// Sized so that three panels side by side on a desktop show their text at about 10 px; the
/// label column grows with the longest label (`TP4 PP8 DP32 EP128`).
const FRAME: BarFrame = BarFrame { width: 260.0, label_width: 60.0, row_height: 22.0, top: 6.0, axis_height: 28.0, right: 34.0 };
/// Width of a label character at the panel's 10.5-unit font, and the column's limits.
const CHAR_WIDTH: f64 = 6.2;
const LABEL_WIDTH: (f64, f64) = (60.0, 130.0);

#[component]
pub fn BarPanel(props: &BarPanelProps) -> Html {
    let inputs: Vec<BarInput> = props.rows.iter().map(|r| r.bar).collect();
    let longest = props.rows.iter().map(|r| r.label.chars().count()).max().unwrap_or(0);
    let label_width = (longest as f64 * CHAR_WIDTH + 10.0).clamp(LABEL_WIDTH.0, LABEL_WIDTH.1);
    let layout = bars(&inputs, props.limit, BarFrame { label_width, ..FRAME });
    let f = layout.frame;
    let (x0, x1) = f.x_span();
    let axis_y = f.height - f.bottom;
    let title = if layout.log { format!("{} ({}, log scale)", props.title, props.unit) } else { format!("{} ({})", props.title, props.unit) };
    html! {
        <figure class="bar-panel">
            <figcaption>{ title.clone() }</figcaption>
            <svg viewBox={format!("0 0 {} {}", f.width, f.height)} role="group" aria-label={title}>
                { for layout.ticks.iter().map(|t| html! {
                    <g key={t.label.clone()} class="tick">
                        { line("", (t.pos, f.top), (t.pos, axis_y)) }
                        { text("", (t.pos, axis_y + 16.0), "middle", t.label.clone()) }
                    </g>
                }) }
                { line("axis", (x0, axis_y), (x1, axis_y)) }
                { for props.rows.iter().zip(&layout.rows).map(|(row, geometry)| {
                    let classes = classes!(
                        "bar-row",
                        (Some(row.index) == props.shown).then_some("shown"),
                        (Some(row.index) == props.recommended).then_some("recommended"),
                    );
                    let value = row.bar.value.map_or("—".to_string(), figure);
                    let measured = row.bar.measured.map_or(String::new(), |m| format!(", measured {} {}", figure(m), props.unit));
                    let y = geometry.center;
                    html! {
                        <g
                            key={row.index}
                            class={classes}
                            data-index={row.index.to_string()}
                            tabindex={if props.focusable { "0" } else { "-1" }}
                            role="button"
                            aria-label={format!("{}: {value} {}{measured}", row.label, props.unit)}
                        >
                            { text("row-label", (x0 - 6.0, y + 4.0), "end", row.label.to_string()) }
                            if let Some(b) = geometry.bar {
                                <rect x={n(b.x)} y={n(b.y)} width={n(b.width.max(1.0))} height={n(b.height)} rx="2" />
                                if let Some((lo, hi)) = b.whisker {
                                    { line("whisker", (lo, y), (hi, y)) }
                                }
                                { text("value", (b.label, y + 4.0), "start", value) }
                            }
                            if let (Some(x), Some(m)) = (geometry.measured, row.bar.measured) {
                                { diamond((x, y), m) }
                            }
                        </g>
                    }
                }) }
                if let Some(limit) = layout.limit {
                    <g class="limit">
                        { line("", (limit.x, f.top - 4.0), (limit.x, axis_y)) }
                        <title>{ format!("SLA limit: {} {}", figure(limit.value), props.unit) }</title>
                    </g>
                }
            </svg>
            if let Some(limit) = layout.limit {
                <p class="limit-note">{ format!("Dashed line: the SLA limit, {} {}", figure(limit.value), props.unit) }</p>
            }
        </figure>
    }
}
