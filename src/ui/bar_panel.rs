//! One figure of the top candidates as horizontal bars (`chart::bars` lays them out): a row per
//! candidate labelled with its layout, its value at the bar's end, a whisker for its range, a
//! diamond where a measured run put it, and the SLA limit as a dashed line. Events are handled
//! by the enclosing chart. A view function of `ComparisonChart`, not a component: a panel is a
//! few dozen SVG elements, cheaper to draw again when the chart does (a hover) than a
//! component's glue is to carry in the page.

use super::format::figure;
use super::svg::{diamond, line, n, text};
use chart::bars::{bars, BarFrame, BarInput};
use yew::prelude::*;

/// One row: the candidate's index in the plan, its short label and its figure.
#[derive(Debug, Clone, PartialEq)]
pub struct BarRow {
    pub index: usize,
    pub label: AttrValue,
    pub bar: BarInput,
}

/// Sized so that three panels side by side on a desktop show their text at about 10 px; the
/// label column grows with the longest label (`TP4 PP8 DP32 EP128`).
const FRAME: BarFrame = BarFrame { width: 260.0, label_width: 60.0, row_height: 22.0, top: 6.0, axis_height: 28.0, right: 34.0 };
/// Width of a label character at the panel's 10.5-unit font, and the column's limits.
const CHAR_WIDTH: f64 = 6.2;
const LABEL_WIDTH: (f64, f64) = (60.0, 130.0);

/// The panel of `rows` titled `title` in `unit`, the SLA `limit` drawn if any, the candidates
/// `shown` and `recommended` marked; `focusable`: whether its bars are in the tab order (one
/// panel is enough: focus shows every figure).
pub fn bar_panel(
    (title, unit): (&str, &str),
    rows: &[BarRow],
    limit: Option<f64>,
    shown: Option<usize>,
    recommended: Option<usize>,
    focusable: bool,
) -> Html {
    let inputs: Vec<BarInput> = rows.iter().map(|r| r.bar).collect();
    let longest = rows.iter().map(|r| r.label.chars().count()).max().unwrap_or(0);
    let label_width = (longest as f64 * CHAR_WIDTH + 10.0).clamp(LABEL_WIDTH.0, LABEL_WIDTH.1);
    let layout = bars(&inputs, limit, BarFrame { label_width, ..FRAME });
    let f = layout.frame;
    let (x0, x1) = f.x_span();
    let axis_y = f.height - f.bottom;
    let title = if layout.log { format!("{title} ({unit}, log scale)") } else { format!("{title} ({unit})") };
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
                { for rows.iter().zip(&layout.rows).map(|(row, geometry)| {
                    let classes = classes!(
                        "bar-row",
                        (Some(row.index) == shown).then_some("shown"),
                        (Some(row.index) == recommended).then_some("recommended"),
                    );
                    let value = row.bar.value.map_or("—".to_string(), figure);
                    let measured = row.bar.measured.map_or(String::new(), |m| format!(", measured {} {unit}", figure(m)));
                    let y = geometry.center;
                    html! {
                        <g
                            key={row.index}
                            class={classes}
                            data-index={row.index.to_string()}
                            tabindex={if focusable { "0" } else { "-1" }}
                            role="button"
                            aria-label={format!("{}: {value} {unit}{measured}", row.label)}
                        >
                            { text("row-label", (x0 - 6.0, y + 4.0), "end", row.label.to_string()) }
                            if let Some(b) = geometry.bar {
                                <rect x={n(b.x)} y={n(b.y)} width={n(b.width.max(1.0))} height={n(b.height)} rx="2" />
                                if let Some((lo, hi)) = b.whisker {
                                    { line("whisker", (lo, y), (hi, y)) }
                                }
                                // After a space: the row's text reads "TP8 PP1 DP2 193", not "…DP2193",
                                // so its name (the label, then the value) holds the text shown.
                                { text("value", (b.label, y + 4.0), "start", format!(" {value}")) }
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
                        <title>{ format!("SLA limit: {} {unit}", figure(limit.value)) }</title>
                    </g>
                }
            </svg>
            if let Some(limit) = layout.limit {
                <p class="limit-note">{ format!("Dashed line: the SLA limit, {} {unit}", figure(limit.value)) }</p>
            }
        </figure>
    }
}
