//! The Pareto view: every feasible candidate as a point (x: tokens/s per user, y: tokens/s per
//! GPU), the Pareto front joined left to right, error whiskers from ranges, and a vertical
//! limit line (the TPOT SLA, as tokens/s per user = 1000 / TPOT); a measured point beside a
//! candidate's predicted one.

use planner::order::sorted_indices;
use super::bars::Marker;
use super::scale::{Scale, ScaleKind, Tick};
use super::Frame;

/// One point's data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PointInput {
    pub x: f64,
    pub y: f64,
    pub x_range: Option<[f64; 2]>,
    pub y_range: Option<[f64; 2]>,
    /// The point measured for this candidate, `[x, y]`.
    pub measured: Option<[f64; 2]>,
}

/// A point in SVG units, with its whiskers (`(from, to)` along each axis) and its measured
/// point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
    pub x_whisker: Option<(f64, f64)>,
    pub y_whisker: Option<(f64, f64)>,
    pub measured: Option<(f64, f64)>,
}

/// Everything the view draws.
#[derive(Debug, Clone, PartialEq)]
pub struct Scatter {
    pub frame: Frame,
    /// One per input, `None` where the input is not finite.
    pub points: Vec<Option<Point>>,
    /// The front's points in increasing x, for a polyline.
    pub front: Vec<(f64, f64)>,
    pub x_ticks: Vec<Tick>,
    pub y_ticks: Vec<Tick>,
    pub x_log: bool,
    pub y_log: bool,
    /// The vertical limit line, if any.
    pub x_limit: Option<Marker>,
}

/// The laid-out points at `indices` (out-of-range and dropped ones ignored) as a polyline in
/// increasing x: a front, `Scatter::front` or a second series' drawn on the same scales (the
/// disaggregated candidates beside the aggregated ones).
pub fn front_of(points: &[Option<Point>], indices: &[usize]) -> Vec<(f64, f64)> {
    let front: Vec<(f64, f64)> = indices.iter().filter_map(|&i| points.get(i).copied().flatten()).map(|p| (p.x, p.y)).collect();
    sorted_indices(front.len(), &mut |a, b| front[a].0.total_cmp(&front[b].0)).into_iter().map(|i| front[i]).collect()
}

/// Lays out the points on scales fitted to them, their ranges, their measured points and the
/// limit (a measured point that is not finite is dropped). `front` holds
/// indices into `data` (out-of-range ones are ignored).
pub fn scatter(data: &[PointInput], front: &[usize], x_limit: Option<f64>, frame: Frame) -> Scatter {
    let (x0, x1) = frame.x_span();
    let (y0, y1) = frame.y_span();
    let finite = |p: &&PointInput| p.x.is_finite() && p.y.is_finite();
    let mut xs: Vec<f64> = Vec::new();
    let mut ys: Vec<f64> = Vec::new();
    for p in data.iter().filter(finite) {
        xs.push(p.x);
        xs.extend(p.x_range.into_iter().flatten());
        ys.push(p.y);
        ys.extend(p.y_range.into_iter().flatten());
        if let Some([x, y]) = p.measured.filter(|m| m.iter().all(|v| v.is_finite())) {
            xs.push(x);
            ys.push(y);
        }
    }
    xs.extend(x_limit);
    let xs_scale = Scale::fit(&xs, x0, x1, false);
    let ys_scale = Scale::fit(&ys, y0, y1, false);
    let whisker = |scale: &Scale, r: Option<[f64; 2]>| {
        r.filter(|r| r.iter().all(|v| v.is_finite())).map(|[a, b]| (scale.pos(a.min(b)), scale.pos(a.max(b))))
    };
    let points: Vec<Option<Point>> = data
        .iter()
        .map(|p| {
            finite(&p).then(|| Point {
                x: xs_scale.pos(p.x),
                y: ys_scale.pos(p.y),
                x_whisker: whisker(&xs_scale, p.x_range),
                y_whisker: whisker(&ys_scale, p.y_range),
                measured: p
                    .measured
                    .filter(|m| m.iter().all(|v| v.is_finite()))
                    .map(|[x, y]| (xs_scale.pos(x), ys_scale.pos(y))),
            })
        })
        .collect();
    let front = front_of(&points, front);
    Scatter {
        frame,
        points,
        front,
        x_ticks: xs_scale.ticks(),
        y_ticks: ys_scale.ticks(),
        x_log: xs_scale.kind == ScaleKind::Log,
        y_log: ys_scale.kind == ScaleKind::Log,
        x_limit: x_limit.filter(|v| v.is_finite()).map(|value| Marker { value, x: xs_scale.pos(value) }),
    }
}
