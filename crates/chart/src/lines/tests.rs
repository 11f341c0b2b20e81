//! The line chart's layout: positions on hand-checkable scales, lines joined in increasing x and
//! broken at missing values, the mark; and, for any data, every coordinate finite and inside
//! the frame (property test).

use super::lines;
use crate::Frame;
use proptest::prelude::*;

const FRAME: Frame = Frame { width: 420.0, height: 240.0, left: 50.0, right: 20.0, top: 10.0, bottom: 30.0 };

fn close(actual: f64, expected: f64, what: &str) {
    let tolerance = 1e-9;
    assert!((actual - expected).abs() <= tolerance, "{what}: expected {expected}, actual {actual}, tolerance {tolerance}");
}

#[test]
fn points_sit_on_linear_scales_and_lines_run_in_increasing_x() {
    // x 10..40, padded 5 % each side (8.5..41.5), fits [5, 45] (nice step 5); y from zero fits
    // [0, 40] (step 10). The plot spans x 50..400 and y 210 (bottom) → 10 (top).
    let chart = lines(&[vec![[40.0, 10.0], [10.0, 40.0], [25.0, 20.0]]], None, true, FRAME);
    let s = &chart.series[0];
    let (x0, x1) = FRAME.x_span();
    let (y0, y1) = FRAME.y_span();
    let p = s.points[1].expect("a finite point");
    let x_at = |v: f64| x0 + (x1 - x0) * (v - 5.0) / 40.0;
    close(p.0, x_at(10.0), "x of 10 on [5, 45]");
    close(p.1, y1, "y of the largest y (the top)");
    let q = s.points[0].expect("a finite point");
    close(q.0, x_at(40.0), "x of 40 on [5, 45]");
    close(q.1, y0 + (y1 - y0) * 10.0 / 40.0, "y of 10 on [0, 40]");
    assert_eq!(s.runs.len(), 1, "one run: {:?}", s.runs);
    let xs: Vec<f64> = s.runs[0].iter().map(|p| p.0).collect();
    assert!(xs.windows(2).all(|w| w[0] < w[1]), "joined in increasing x: {xs:?}");
    assert!(!chart.x_log && !chart.y_log);
}

#[test]
fn a_missing_value_breaks_the_line_and_is_not_drawn() {
    let chart = lines(&[vec![[1.0, 8.0], [2.0, f64::NAN], [3.0, 16.0], [4.0, 24.0]]], None, true, FRAME);
    let s = &chart.series[0];
    assert_eq!(s.points[1], None, "the missing value has no point");
    assert_eq!(s.runs.len(), 2, "two runs around the gap: {:?}", s.runs);
    assert_eq!((s.runs[0].len(), s.runs[1].len()), (1, 2));
}

#[test]
fn the_mark_widens_the_x_axis_and_series_share_the_scales() {
    // Cost against tokens/s per user: the SLA's 20 tok/s lies left of every point.
    let gpus = vec![vec![[40.0, 1.2], [60.0, 2.0]], vec![[50.0, 0.8]]];
    let chart = lines(&gpus, Some(20.0), true, FRAME);
    let mark = chart.x_mark.expect("a mark");
    close(mark.value, 20.0, "the mark's value");
    let (x0, _) = FRAME.x_span();
    assert!(mark.x >= x0 && mark.x < chart.series[0].points[0].unwrap().0, "the mark left of the points");
    assert_eq!(chart.series.len(), 2);
    let (a, b) = (chart.series[0].points[0].unwrap(), chart.series[1].points[0].unwrap());
    assert!(a.0 < b.0 && b.1 > a.1, "50 right of 40 on the shared x; 0.8 below 1.2 on the shared y");
    assert!(lines(&gpus, Some(f64::NAN), true, FRAME).x_mark.is_none(), "a NaN mark draws nothing");
}

#[test]
fn values_spanning_two_decades_go_on_a_log_scale() {
    let chart = lines(&[vec![[1.0, 8.0], [2.0, 1024.0]]], None, true, FRAME);
    assert!(chart.y_log, "GPUs from 8 to 1024 on a log axis");
    assert!(!chart.x_log);
}

fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        8 => -1e9f64..1e9,
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(0.0),
        1 => 1e-12f64..1e-6,
    ]
}

proptest! {
    #[test]
    fn every_coordinate_is_finite_and_inside_the_frame(
        series in proptest::collection::vec(proptest::collection::vec([value(), value()], 0..12), 0..5),
        mark in proptest::option::of(value()),
        from_zero in any::<bool>(),
    ) {
        let chart = lines(&series, mark, from_zero, FRAME);
        let (x0, x1) = FRAME.x_span();
        let (y0, y1) = FRAME.y_span();
        let inside = |p: &(f64, f64)| p.0.is_finite() && p.1.is_finite() && p.0 >= x0 && p.0 <= x1 && p.1 >= y1 && p.1 <= y0;
        prop_assert_eq!(chart.series.len(), series.len());
        for (laid, input) in chart.series.iter().zip(&series) {
            prop_assert_eq!(laid.points.len(), input.len());
            for p in laid.points.iter().flatten().chain(laid.runs.iter().flatten()) {
                prop_assert!(inside(p), "{:?} outside the plot", p);
            }
            let drawn = laid.points.iter().flatten().count();
            prop_assert_eq!(laid.runs.iter().map(Vec::len).sum::<usize>(), drawn, "every drawn point on one run");
        }
        for t in chart.x_ticks.iter().chain(&chart.y_ticks) {
            prop_assert!(t.pos.is_finite());
        }
        if let Some(m) = chart.x_mark {
            prop_assert!(m.x.is_finite() && m.x >= x0 && m.x <= x1);
        }
    }
}
