//! Line charts: several series of `(x, y)` points on shared scales, each joined in increasing
//! x, a missing value (`NaN`) breaking its line, and an optional vertical mark. The capacity
//! views draw two kinds with it: cost ($ per million output tokens) against interactivity
//! (tokens/s per user), one series per GPU, with the SLA's TPOT as the mark; and a what-if
//! sweep (GPUs needed, or cost, against the swept ISL, OSL or request rate).

use super::bars::Marker;
use super::scale::{Scale, ScaleKind, Tick};
use super::Frame;
use planner::order::sorted_indices;

/// One series as laid out: each input point's position (`None` where it is not finite), and
/// the runs of consecutive finite points in increasing x, each run a polyline.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub points: Vec<Option<(f64, f64)>>,
    pub runs: Vec<Vec<(f64, f64)>>,
}

/// Everything the view draws.
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    pub frame: Frame,
    /// One per input series, in order.
    pub series: Vec<Series>,
    pub x_ticks: Vec<Tick>,
    pub y_ticks: Vec<Tick>,
    pub x_log: bool,
    pub y_log: bool,
    /// The vertical mark, if any and finite.
    pub x_mark: Option<Marker>,
}

/// Lays out `series` (each a list of `[x, y]`) on scales fitted to every finite point and the
/// mark; `y_from_zero` starts a linear y axis at zero (counts and costs). A point with a
/// non-finite coordinate is not drawn and breaks its series' line where its x falls (at the
/// end when x itself is not finite).
pub fn lines(series: &[Vec<[f64; 2]>], x_mark: Option<f64>, y_from_zero: bool, frame: Frame) -> LineChart {
    let (x0, x1) = frame.x_span();
    let (y0, y1) = frame.y_span();
    let finite = |p: &[f64; 2]| p[0].is_finite() && p[1].is_finite();
    let mut xs: Vec<f64> = series.iter().flatten().filter(|p| finite(p)).map(|p| p[0]).collect();
    let ys: Vec<f64> = series.iter().flatten().filter(|p| finite(p)).map(|p| p[1]).collect();
    let x_mark = x_mark.filter(|v| v.is_finite());
    xs.extend(x_mark);
    let x_scale = Scale::fit(&xs, x0, x1, false);
    let y_scale = Scale::fit(&ys, y0, y1, y_from_zero);
    let laid: Vec<Series> = series
        .iter()
        .map(|points| {
            let at: Vec<Option<(f64, f64)>> = points.iter().map(|p| finite(p).then(|| (x_scale.pos(p[0]), y_scale.pos(p[1])))).collect();
            // Non-finite x sorts last (`total_cmp` puts NaN and +inf after every finite x).
            let order = sorted_indices(points.len(), &mut |a, b| points[a][0].total_cmp(&points[b][0]));
            let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
            let mut run: Vec<(f64, f64)> = Vec::new();
            for i in order {
                match at[i] {
                    Some(p) => run.push(p),
                    None if !run.is_empty() => runs.push(std::mem::take(&mut run)),
                    None => {}
                }
            }
            if !run.is_empty() {
                runs.push(run);
            }
            Series { points: at, runs }
        })
        .collect();
    LineChart {
        frame,
        series: laid,
        x_ticks: x_scale.ticks(),
        y_ticks: y_scale.ticks(),
        x_log: x_scale.kind == ScaleKind::Log,
        y_log: y_scale.kind == ScaleKind::Log,
        x_mark: x_mark.map(|value| Marker { value, x: x_scale.pos(value) }),
    }
}

#[cfg(test)]
mod tests;
