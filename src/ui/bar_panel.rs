//! One figure of the top candidates as horizontal bars (`chart::bars` lays them out): a row per
//! candidate labelled with its layout, its value at the bar's end, a whisker for its range,
//! and the SLA limit as a dashed line. Events are handled by the enclosing chart.

use super::format::figure;
use super::shared::Shared;
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

/// Sized so that three panels side by side on a desktop show their text at about 10 px.
const FRAME: BarFrame = BarFrame { width: 260.0, label_width: 78.0, row_height: 22.0, top: 6.0, axis_height: 28.0, right: 34.0 };

#[component]
pub fn BarPanel(props: &BarPanelProps) -> Html {
    let inputs: Vec<BarInput> = props.rows.iter().map(|r| r.bar).collect();
    let layout = bars(&inputs, props.limit, FRAME);
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
                        <line x1={t.pos.to_string()} x2={t.pos.to_string()} y1={f.top.to_string()} y2={axis_y.to_string()} />
                        <text x={t.pos.to_string()} y={(axis_y + 16.0).to_string()} text-anchor="middle">{ t.label.clone() }</text>
                    </g>
                }) }
                <line class="axis" x1={x0.to_string()} x2={x1.to_string()} y1={axis_y.to_string()} y2={axis_y.to_string()} />
                { for props.rows.iter().zip(&layout.rows).map(|(row, geometry)| {
                    let classes = classes!(
                        "bar-row",
                        (Some(row.index) == props.shown).then_some("shown"),
                        (Some(row.index) == props.recommended).then_some("recommended"),
                    );
                    let value = row.bar.value.map_or("—".to_string(), figure);
                    html! {
                        <g
                            key={row.index}
                            class={classes}
                            data-index={row.index.to_string()}
                            tabindex={if props.focusable { "0" } else { "-1" }}
                            role="button"
                            aria-label={format!("{}: {value} {}", row.label, props.unit)}
                        >
                            <text class="row-label" x={(x0 - 6.0).to_string()} y={(geometry.center + 4.0).to_string()} text-anchor="end">{ row.label.clone() }</text>
                            if let Some(b) = geometry.bar {
                                <rect x={b.x.to_string()} y={b.y.to_string()} width={b.width.max(1.0).to_string()} height={b.height.to_string()} rx="2" />
                                if let Some((lo, hi)) = b.whisker {
                                    <line class="whisker" x1={lo.to_string()} x2={hi.to_string()} y1={geometry.center.to_string()} y2={geometry.center.to_string()} />
                                }
                                <text class="value" x={(b.end + 4.0).to_string()} y={(geometry.center + 4.0).to_string()}>{ value }</text>
                            }
                        </g>
                    }
                }) }
                if let Some(limit) = layout.limit {
                    <g class="limit">
                        <line x1={limit.x.to_string()} x2={limit.x.to_string()} y1={(f.top - 4.0).to_string()} y2={axis_y.to_string()} />
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
