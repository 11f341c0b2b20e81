//! Horizontal bars, one row per item, on a shared value axis: rows of candidates compared on one
//! figure, an optional limit line (an SLA), error whiskers from a range, and a measured value
//! marked beside the predicted bar.

use super::scale::{Scale, ScaleKind, Tick};
use super::Frame;

/// One row's figure: `None` draws no bar (the item has no such figure).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BarInput {
    pub value: Option<f64>,
    /// `[lo, hi]` where the true value is expected to fall.
    pub range: Option<[f64; 2]>,
    /// The value measured for this item, marked on its row.
    pub measured: Option<f64>,
}

/// The bar chart's margins and row height; its height follows from the row count.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BarFrame {
    pub width: f64,
    /// Room for the row labels, left of the bars.
    pub label_width: f64,
    pub row_height: f64,
    /// Room above the first row.
    pub top: f64,
    /// Room for the value axis below the last row.
    pub axis_height: f64,
    /// Room right of the longest bar (for the last tick label).
    pub right: f64,
}

/// A bar's rectangle and its whisker (`x` of the range's ends), in SVG units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bar {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    /// Where the value ends (the bar's far edge).
    pub end: f64,
    /// Where the value's label starts: past the bar's end and the row's measured mark.
    pub label: f64,
    pub whisker: Option<(f64, f64)>,
}

/// One row: its vertical centre (for its label), its bar, if any, and the `x` of its measured
/// value, if any.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Row {
    pub center: f64,
    pub bar: Option<Bar>,
    pub measured: Option<f64>,
}

/// A vertical marker line at a value (the SLA limit).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Marker {
    pub value: f64,
    pub x: f64,
}

/// Everything the view draws.
#[derive(Debug, Clone, PartialEq)]
pub struct BarLayout {
    pub frame: Frame,
    pub rows: Vec<Row>,
    pub ticks: Vec<Tick>,
    pub limit: Option<Marker>,
    pub log: bool,
}

/// Share of a row's height a bar takes.
const BAR_THICKNESS: f64 = 0.62;
/// Half the width of a measured mark, and the gap before a label.
pub const MARK_RADIUS: f64 = 5.0;
const LABEL_GAP: f64 = 4.0;

/// Lays out one bar per input on a scale fitted to the values, their ranges, the measured
/// values and the limit.
pub fn bars(data: &[BarInput], limit: Option<f64>, f: BarFrame) -> BarLayout {
    let height = f.top + data.len() as f64 * f.row_height + f.axis_height;
    let frame = Frame { width: f.width, height, left: f.label_width, right: f.right, top: f.top, bottom: f.axis_height };
    let (x0, x1) = frame.x_span();
    let mut values: Vec<f64> = Vec::new();
    for d in data {
        values.extend(d.value);
        values.extend(d.range.into_iter().flatten());
        values.extend(d.measured);
    }
    values.extend(limit);
    let scale = Scale::fit(&values, x0, x1, true);
    let base = scale.base();
    let rows = data
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let top = f.top + i as f64 * f.row_height;
            let thickness = f.row_height * BAR_THICKNESS;
            let measured = d.measured.filter(|v| v.is_finite()).map(|v| scale.pos(v));
            let bar = d.value.filter(|v| v.is_finite()).map(|v| {
                let end = scale.pos(v);
                let whisker = d
                    .range
                    .filter(|r| r.iter().all(|x| x.is_finite()))
                    .map(|[lo, hi]| (scale.pos(lo.min(hi)), scale.pos(lo.max(hi))));
                Bar {
                    x: base.min(end),
                    y: top + (f.row_height - thickness) / 2.0,
                    width: (end - base).abs(),
                    height: thickness,
                    end,
                    label: end.max(measured.map_or(end, |m| m + MARK_RADIUS)) + LABEL_GAP,
                    whisker,
                }
            });
            Row { center: top + f.row_height / 2.0, bar, measured }
        })
        .collect();
    BarLayout {
        frame,
        rows,
        ticks: scale.ticks(),
        limit: limit.filter(|v| v.is_finite()).map(|value| Marker { value, x: scale.pos(value) }),
        log: scale.kind == ScaleKind::Log,
    }
}

/// One stacked bar: parts laid end to end against a capacity.
#[derive(Debug, Clone, PartialEq)]
pub struct Stack {
    /// `(x, width)` of each part, in order; a non-positive or non-finite part has width 0.
    pub segments: Vec<(f64, f64)>,
    /// Where the capacity ends: `width` unless the parts overflow it.
    pub capacity_x: f64,
    /// Whether the parts add up to more than the capacity.
    pub overflows: bool,
}

/// Lays `parts` end to end across `width`, scaled so that the larger of the capacity and the
/// parts' sum fills it.
pub fn stacked(parts: &[f64], capacity: f64, width: f64) -> Stack {
    let clean = |v: f64| if v.is_finite() && v > 0.0 { v } else { 0.0 };
    let sum: f64 = parts.iter().map(|&v| clean(v)).sum();
    let capacity = clean(capacity);
    let full = sum.max(capacity);
    let unit = if full > 0.0 { width / full } else { 0.0 };
    let mut x = 0.0;
    let segments = parts
        .iter()
        .map(|&v| {
            let w = clean(v) * unit;
            let segment = (x, w);
            x += w;
            segment
        })
        .collect();
    Stack { segments, capacity_x: if full > 0.0 { capacity * unit } else { width }, overflows: sum > capacity * (1.0 + 1e-9) }
}
