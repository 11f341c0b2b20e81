//! Table-driven tests of the chart layouts: empty data, one value, equal values, huge ranges,
//! NaN and infinite inputs; every coordinate finite and inside the frame.

use super::bars::{bars, BarFrame, BarInput};
use super::pareto::{front_of, scatter, PointInput};
use super::scale::{label, nice_step, Scale, ScaleKind, LOG_RATIO};
use super::Frame;

const FRAME: Frame = Frame { width: 480.0, height: 320.0, left: 50.0, right: 16.0, top: 12.0, bottom: 40.0 };
const BARS: BarFrame = BarFrame { width: 300.0, label_width: 100.0, row_height: 20.0, top: 4.0, axis_height: 28.0, right: 16.0 };

fn inside(v: f64, a: f64, b: f64) -> bool {
    v.is_finite() && v >= a.min(b) - 1e-9 && v <= a.max(b) + 1e-9
}

#[test]
fn nice_steps_are_one_two_or_five_times_a_power_of_ten() {
    let cases = [
        (10.0, 5, 2.0),
        (100.0, 5, 20.0),
        (7.0, 5, 1.0),
        (0.3, 5, 0.05),
        (1234.0, 5, 200.0),
        (1e9, 5, 2e8),
        (0.0, 5, 1.0),
        (f64::NAN, 5, 1.0),
        (-3.0, 5, 1.0),
        (f64::INFINITY, 5, 1.0),
    ];
    for (span, target, want) in cases {
        let got = nice_step(span, target);
        assert!((got - want).abs() <= want * 1e-12, "nice_step({span}, {target}): expected {want}, got {got}");
    }
}

#[test]
fn labels_are_compact_with_the_decimals_the_step_needs() {
    let cases = [
        (0.0, 500.0, "0"),
        (1500.0, 500.0, "1.5k"),
        (2000.0, 500.0, "2k"),
        (0.25, 0.05, "0.25"),
        (0.2, 0.1, "0.2"),
        (2e6, 1e6, "2M"),
        (3e9, 1e9, "3G"),
        (40.0, 10.0, "40"),
        (-0.0, 1.0, "0"),
        (0.001, 0.001, "0.001"),
        (f64::NAN, 1.0, ""),
    ];
    for (value, step, want) in cases {
        assert_eq!(label(value, step), want, "label({value}, {step})");
    }
}

#[test]
fn scales_fit_their_data() {
    // (values, from_zero, kind, lo, hi)
    let cases: &[(&[f64], bool, ScaleKind, f64, f64)] = &[
        (&[], true, ScaleKind::Linear, 0.0, 1.0),
        (&[f64::NAN, f64::INFINITY], true, ScaleKind::Linear, 0.0, 1.0),
        (&[0.0], true, ScaleKind::Linear, 0.0, 1.0),
        (&[5.0], true, ScaleKind::Linear, 0.0, 5.0),
        (&[5.0, 5.0, 5.0], false, ScaleKind::Linear, 4.4, 5.6),
        (&[12.0, 87.0], true, ScaleKind::Linear, 0.0, 100.0),
        (&[12.0, 87.0], false, ScaleKind::Linear, 0.0, 100.0),
        (&[30.0, 40.0], false, ScaleKind::Linear, 28.0, 42.0),
        (&[1.0, 99.0], true, ScaleKind::Linear, 0.0, 100.0),
        (&[1.0, 100.0], true, ScaleKind::Log, 1.0, 100.0),
        (&[3.0, 4500.0], false, ScaleKind::Log, 1.0, 10_000.0),
        (&[1e-6, 1e12], true, ScaleKind::Log, 1e-6, 1e12),
        (&[-5.0, 5.0], true, ScaleKind::Linear, -6.0, 6.0),
        // Padding stops at zero for non-negative data, not for data that goes below it.
        (&[1.0, 40.0], false, ScaleKind::Linear, 0.0, 50.0),
        (&[-1.0, 40.0], false, ScaleKind::Linear, -10.0, 50.0),
        (&[0.0, 0.0], false, ScaleKind::Linear, 0.0, 1.0),
    ];
    for &(values, from_zero, kind, lo, hi) in cases {
        let s = Scale::fit(values, 0.0, 100.0, from_zero);
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
        assert!(
            s.kind == kind && close(s.lo, lo) && close(s.hi, hi),
            "{values:?} (from zero: {from_zero}): expected {kind:?} [{lo}, {hi}], got {:?} [{}, {}]",
            s.kind,
            s.lo,
            s.hi
        );
        for v in values.iter().filter(|v| v.is_finite()) {
            assert!(inside(s.pos(*v), 0.0, 100.0));
            assert!(*v >= s.lo && *v <= s.hi, "{v} outside [{}, {}]", s.lo, s.hi);
        }
    }
}

#[test]
fn log_scales_start_at_a_ratio_of_a_hundred() {
    assert_eq!(Scale::fit(&[1.0, LOG_RATIO * 0.99], 0.0, 1.0, true).kind, ScaleKind::Linear);
    assert_eq!(Scale::fit(&[1.0, LOG_RATIO], 0.0, 1.0, true).kind, ScaleKind::Log);
    // A zero or negative value rules a log scale out.
    assert_eq!(Scale::fit(&[0.0, 1e6], 0.0, 1.0, true).kind, ScaleKind::Linear);
}

#[test]
fn ticks_are_nice_inside_the_domain_and_never_too_many() {
    let cases: &[(&[f64], &[f64])] = &[
        (&[12.0, 87.0], &[0.0, 20.0, 40.0, 60.0, 80.0, 100.0]),
        (&[1.0, 100.0], &[1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0]),
        (&[3.0, 4500.0], &[1.0, 10.0, 100.0, 1000.0, 10_000.0]),
        (&[], &[0.0, 0.2, 0.4, 0.6, 0.8, 1.0]),
    ];
    for &(values, want) in cases {
        let s = Scale::fit(values, 0.0, 100.0, true);
        let got: Vec<f64> = s.ticks().iter().map(|t| t.value).collect();
        assert_eq!(got.len(), want.len(), "{values:?}: ticks {got:?}, expected {want:?}");
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() <= 1e-9 * w.abs().max(1.0), "{values:?}: ticks {got:?}, expected {want:?}");
        }
    }
    for values in [&[1e-300, 1e300][..], &[-1e308, 1e308], &[1e-6, 1e12], &[0.1, 0.1000001]] {
        let ticks = Scale::fit(values, 0.0, 100.0, false).ticks();
        assert!((2..=51).contains(&ticks.len()), "{values:?}: {} ticks", ticks.len());
        assert!(ticks.iter().all(|t| inside(t.pos, 0.0, 100.0) && !t.label.is_empty()), "{values:?}: {ticks:?}");
    }
}

#[test]
fn bars_start_at_the_base_and_end_at_their_value() {
    let data = [
        BarInput { value: Some(50.0), range: Some([40.0, 60.0]), measured: None },
        BarInput { value: None, range: None, measured: None },
        BarInput { value: Some(100.0), range: None, measured: None },
        BarInput { value: Some(f64::NAN), range: None, measured: None },
    ];
    let layout = bars(&data, Some(80.0), BARS);
    assert_eq!(layout.frame.height, 4.0 + 4.0 * 20.0 + 28.0);
    assert_eq!(layout.rows.len(), 4);
    let (x0, x1) = (100.0, 284.0);
    let a = layout.rows[0].bar.expect("a bar for 50");
    let c = layout.rows[2].bar.expect("a bar for 100");
    assert_eq!(a.x, x0, "bars start at zero, the plot's left edge");
    assert!((c.end - x1).abs() < 1e-9, "the largest value (100) ends the axis");
    assert!((a.width - (x1 - x0) / 2.0).abs() < 1e-9, "50 is half of 100: {}", a.width);
    let (lo, hi) = a.whisker.expect("a whisker from the range");
    assert!(lo < a.end && a.end < hi);
    assert!(layout.rows[1].bar.is_none() && layout.rows[3].bar.is_none(), "no figure, no bar");
    let limit = layout.limit.expect("a limit line");
    assert!((limit.x - (x0 + 0.8 * (x1 - x0))).abs() < 1e-9);
    assert_eq!(layout.rows[1].center, 4.0 + 30.0);
}

#[test]
fn bar_layouts_are_finite_for_any_data() {
    let cases: Vec<Vec<BarInput>> = vec![
        vec![],
        vec![BarInput { value: Some(0.0), range: None, measured: None }],
        vec![BarInput { value: Some(7.0), range: None, measured: None }; 3],
        vec![BarInput { value: Some(1e-3), range: Some([1e-4, 1e-2]), measured: None }, BarInput { value: Some(1e9), range: None, measured: None }],
        vec![BarInput { value: Some(f64::INFINITY), range: Some([f64::NAN, 1.0]), measured: None }],
    ];
    for data in cases {
        let layout = bars(&data, None, BARS);
        for row in &layout.rows {
            assert!(row.center.is_finite());
            if let Some(b) = row.bar {
                for v in [b.x, b.y, b.width, b.height, b.end] {
                    assert!(v.is_finite() && b.width >= 0.0, "{data:?}: {b:?}");
                }
                assert!(inside(b.x, 100.0, 284.0) && inside(b.x + b.width, 100.0, 284.0), "{data:?}: {b:?}");
            }
        }
        assert!(layout.ticks.iter().all(|t| t.pos.is_finite()));
    }
}

#[test]
fn a_wide_range_of_bars_goes_log() {
    let data = [BarInput { value: Some(20.0), range: None, measured: None }, BarInput { value: Some(40_000.0), range: None, measured: None }];
    let layout = bars(&data, None, BARS);
    assert!(layout.log);
    let small = layout.rows[0].bar.unwrap();
    assert!(small.width > 10.0, "on a log scale the small bar stays visible: {small:?}");
}

#[test]
fn scatter_maps_points_front_and_limit() {
    let data = [
        PointInput { x: 10.0, y: 100.0, x_range: None, y_range: Some([90.0, 110.0]), measured: None },
        PointInput { x: 50.0, y: 60.0, x_range: Some([45.0, 55.0]), y_range: None, measured: None },
        PointInput { x: 30.0, y: 40.0, x_range: None, y_range: None, measured: None },
        PointInput { x: f64::NAN, y: 1.0, x_range: None, y_range: None, measured: None },
    ];
    let s = scatter(&data, &[1, 0, 9], Some(20.0), FRAME);
    let (x0, x1) = FRAME.x_span();
    let (y0, y1) = FRAME.y_span();
    assert!(s.points[3].is_none(), "a NaN point is dropped");
    let p: Vec<_> = s.points.iter().take(3).map(|p| p.expect("finite point")).collect();
    assert!(p[0].x < p[2].x && p[2].x < p[1].x, "x grows with tokens/s per user");
    assert!(p[0].y < p[1].y && p[1].y < p[2].y, "SVG y grows downwards: more tokens/s per GPU is higher up");
    assert!(p.iter().all(|p| inside(p.x, x0, x1) && inside(p.y, y0, y1)));
    assert_eq!(s.front, vec![(p[0].x, p[0].y), (p[1].x, p[1].y)], "the front in increasing x; index 9 ignored");
    let limit = s.x_limit.expect("a TPOT line");
    assert!(p[0].x < limit.x && limit.x < p[2].x);
    let (a, b) = p[0].y_whisker.expect("a y whisker");
    assert!(a.min(b) < p[0].y && p[0].y < a.max(b));
    assert!(p[1].x_whisker.is_some() && p[1].y_whisker.is_none());
}

/// A second series laid out with the first (the data concatenated): its front is its own
/// points in increasing x, on the scales both share; the first series' front is unchanged.
#[test]
fn a_second_series_front_is_its_own_points_in_increasing_x() {
    let at = |x: f64, y: f64| PointInput { x, y, x_range: None, y_range: None, measured: None };
    let first = [at(10.0, 100.0), at(50.0, 60.0)];
    let second = [at(40.0, 120.0), at(20.0, 150.0), at(f64::NAN, 1.0)];
    let data: Vec<PointInput> = first.iter().chain(&second).copied().collect();
    let s = scatter(&data, &[0, 1], None, FRAME);
    let alone = scatter(&first, &[0, 1], None, FRAME);
    assert_eq!(s.front.len(), alone.front.len());
    let p = |i: usize| s.points[i].expect("a finite point");
    let expected = vec![(p(3).x, p(3).y), (p(2).x, p(2).y)];
    let actual = front_of(&s.points, &[2, 3, 4, 7]);
    assert_eq!(actual, expected, "expected the second series' front {expected:?} (NaN and index 7 ignored), got {actual:?}");
    assert!(p(3).y < p(0).y, "the second series widens the shared y scale: 150 tok/s per GPU is higher up than 100");
}

#[test]
fn scatter_layouts_are_finite_for_any_data() {
    let one = PointInput { x: 5.0, y: 5.0, x_range: None, y_range: None, measured: None };
    let cases: Vec<Vec<PointInput>> = vec![
        vec![],
        vec![one],
        vec![one; 4],
        vec![PointInput { x: 1e-3, y: 1e9, x_range: Some([1e-4, 1e4]), y_range: None, measured: None }, PointInput { x: 1e5, y: 1.0, ..one }],
        vec![PointInput { x: f64::INFINITY, y: f64::NAN, x_range: Some([f64::NAN, 1.0]), y_range: None, measured: None }],
    ];
    let (x0, x1) = FRAME.x_span();
    let (y0, y1) = FRAME.y_span();
    for data in cases {
        let s = scatter(&data, &[0, 1], Some(f64::NAN), FRAME);
        assert_eq!(s.points.len(), data.len());
        for p in s.points.iter().flatten() {
            assert!(inside(p.x, x0, x1) && inside(p.y, y0, y1), "{data:?}: {p:?}");
        }
        assert!(s.front.iter().all(|(x, y)| x.is_finite() && y.is_finite()));
        assert!(s.x_ticks.iter().chain(&s.y_ticks).all(|t| inside(t.pos, 0.0, 480.0)));
        assert!(s.x_limit.is_none(), "a NaN limit draws no line");
    }
}

#[test]
fn measured_values_are_marked_on_their_rows_and_widen_the_axis() {
    let data = [
        BarInput { value: Some(50.0), range: None, measured: Some(200.0) },
        BarInput { value: Some(100.0), range: None, measured: None },
        BarInput { value: None, range: None, measured: Some(100.0) },
        BarInput { value: Some(10.0), range: None, measured: Some(f64::NAN) },
    ];
    let layout = bars(&data, None, BARS);
    let (x0, x1) = (100.0, 284.0);
    let m = layout.rows[0].measured.expect("a mark for 200");
    assert!((m - x1).abs() < 1e-9, "the measured 200 sets the axis end, the bars stay inside: {m}");
    let bar = layout.rows[1].bar.unwrap();
    assert!((bar.end - (x0 + (x1 - x0) / 2.0)).abs() < 1e-9, "100 is half of 200: {bar:?}");
    assert_eq!(layout.rows[1].measured, None);
    assert_eq!(layout.rows[2].measured, Some(bar.end), "a mark without a bar, at its value");
    assert_eq!(layout.rows[3].measured, None, "a NaN measurement draws no mark");
    let first = layout.rows[0].bar.unwrap();
    assert!(first.label > m + 5.0 - 1e-9, "the value's label starts past the mark: {first:?}");
    assert_eq!(bar.label, bar.end + 4.0, "without a mark, just past the bar");
    for cases in [vec![BarInput { value: Some(1.0), range: None, measured: Some(1e12) }], vec![BarInput { value: None, range: None, measured: Some(0.0) }]] {
        for row in bars(&cases, None, BARS).rows {
            assert!(row.measured.is_some_and(|x| inside(x, x0, x1)), "{cases:?}: {row:?}");
        }
    }
}

#[test]
fn measured_points_sit_beside_their_predictions_inside_the_frame() {
    let data = [
        PointInput { x: 10.0, y: 100.0, x_range: None, y_range: None, measured: Some([20.0, 400.0]) },
        PointInput { x: 50.0, y: 60.0, x_range: None, y_range: None, measured: None },
        PointInput { x: 30.0, y: 40.0, x_range: None, y_range: None, measured: Some([f64::INFINITY, 1.0]) },
        PointInput { x: f64::NAN, y: 1.0, x_range: None, y_range: None, measured: Some([1.0, 1.0]) },
    ];
    let s = scatter(&data, &[], None, FRAME);
    let (x0, x1) = FRAME.x_span();
    let (y0, y1) = FRAME.y_span();
    let p = s.points[0].expect("a point");
    let (mx, my) = p.measured.expect("its measured point");
    assert!(inside(mx, x0, x1) && inside(my, y0, y1));
    assert!(mx > p.x && my < p.y, "measured faster per user and higher per GPU: right of and above the prediction");
    assert!(s.points.iter().flatten().all(|q| my < q.y), "the measured 400 tok/s per GPU is above every prediction, inside");
    assert_eq!(s.points[1].unwrap().measured, None);
    assert_eq!(s.points[2].unwrap().measured, None, "an infinite measurement is dropped");
    assert!(s.points[3].is_none(), "no measured point without its prediction");
}

#[test]
fn stacks_fill_the_capacity_or_overflow_it() {
    use super::bars::stacked;
    /// (parts, capacity, segments, capacity_x, overflows)
    type Case<'a> = (&'a [f64], f64, &'a [(f64, f64)], f64, bool);
    let cases: &[Case] = &[
        (&[20.0, 40.0, 20.0], 100.0, &[(0.0, 20.0), (20.0, 40.0), (60.0, 20.0)], 100.0, false),
        (&[100.0, 100.0], 100.0, &[(0.0, 50.0), (50.0, 50.0)], 50.0, true),
        (&[10.0, -5.0, f64::NAN, 10.0], 40.0, &[(0.0, 25.0), (25.0, 0.0), (25.0, 0.0), (25.0, 25.0)], 100.0, false),
        (&[], 0.0, &[], 100.0, false),
        (&[0.0], f64::INFINITY, &[(0.0, 0.0)], 100.0, false),
    ];
    for &(parts, capacity, segments, capacity_x, overflows) in cases {
        let s = stacked(parts, capacity, 100.0);
        assert_eq!(s.segments, segments, "{parts:?} of {capacity}");
        assert_eq!((s.capacity_x, s.overflows), (capacity_x, overflows), "{parts:?} of {capacity}");
    }
}
