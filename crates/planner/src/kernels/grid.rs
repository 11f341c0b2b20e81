//! A dense grid of measured values over one to three integer axes, with holes, and its
//! interpolation (`tools/distil/FORMAT.md`, "Interpolation").
//!
//! Design decision: interpolate where the measurements are, never invent beyond them. Along
//! each axis the value is linear in `log2(axis)` between the nearest measured points on either
//! side (holes, `-` in the file, are skipped: the nearest numbers take their place); outside
//! the grid it is the nearest end's value (clamped), so a query never extrapolates a trend.
//! Several axes are done last axis first: each needed line is interpolated, then the results
//! along the outer axes. A value at a grid point comes back exactly.
//!
//! `Dense` is the same function made cheap to evaluate: every hole is bridged once (each grid
//! point holds what `Grid::at` returns there), and since `at` is linear in log2 of each axis
//! between neighbouring grid points, a plain multilinear interpolation of the dense grid in
//! log2 of the axes returns `at` everywhere, with no allocation (the step model evaluates it
//! thousands of times per search). Fixing its first axis (`Dense::fix`, a GEMM's `n` and `k`,
//! an attention table's heads) gives the dense grid of the remaining axes.

/// One axis: its name (`m`, `s`, `bytes`, …) and its increasing values.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    pub name: String,
    pub values: Vec<f64>,
}

/// Values over the axes in row-major order (the first axis varies slowest); `None` for a hole.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub axes: Vec<Axis>,
    pub values: Vec<Option<f64>>,
}

/// How values vary between two measured points along an axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Between {
    /// Linear in the value (utilisation of a kernel).
    Linear,
    /// Linear in the value's logarithm (a collective's utilisation, which spans decades and
    /// is proportional to the message at small sizes): log-log in the axis.
    Logarithmic,
}

impl Grid {
    /// The value at `point` (one coordinate per axis, in the axes' units), or `None` when the
    /// grid holds no number at all or `point` has the wrong number of coordinates.
    pub fn at(&self, point: &[f64], between: Between) -> Option<f64> {
        if point.len() != self.axes.len() || self.axes.is_empty() {
            return None;
        }
        self.along(0, 0, point, between)
    }

    /// Interpolation over axes `axis..`, in the block starting at `offset`.
    fn along(&self, axis: usize, offset: usize, point: &[f64], between: Between) -> Option<f64> {
        let values = &self.axes[axis].values;
        let stride: usize = self.axes[axis + 1..].iter().map(|a| a.values.len()).product();
        let line: Vec<Option<f64>> = if axis + 1 == self.axes.len() {
            self.values.get(offset..offset + values.len())?.to_vec()
        } else {
            (0..values.len()).map(|i| self.along(axis + 1, offset + i * stride, point, between)).collect()
        };
        interpolate(values, &line, point[axis], between)
    }
}

/// The value at `x` of measured `ys` over increasing `xs`, linear in `log2(x)` between the
/// nearest measured points on either side, clamped outside them.
pub fn interpolate(xs: &[f64], ys: &[Option<f64>], x: f64, between: Between) -> Option<f64> {
    let measured = || xs.iter().zip(ys).filter_map(|(&x, y)| y.map(|y| (x, y)));
    let below = measured().rfind(|&(xi, _)| xi <= x);
    let above = measured().find(|&(xi, _)| xi >= x);
    match (below, above) {
        (Some((x0, y0)), Some((x1, y1))) if x1 > x0 => {
            let t = (x.log2() - x0.log2()) / (x1.log2() - x0.log2());
            Some(match between {
                Between::Linear => y0 + t * (y1 - y0),
                Between::Logarithmic => (y0.ln() + t * (y1.ln() - y0.ln())).exp(),
            })
        }
        (Some((_, y)), _) | (None, Some((_, y))) => Some(y),
        (None, None) => None,
    }
}

/// A grid with every hole bridged, its axes in log2 (module doc): `Dense::at` at a point equals
/// `Grid::at` there. Values are stored as interpolated: the value (`Between::Linear`) or its
/// natural logarithm (`Between::Logarithmic`).
#[derive(Debug, Clone, PartialEq)]
pub struct Dense {
    /// log2 of each axis' values, increasing.
    pub axes: Vec<Vec<f64>>,
    /// Row-major, first axis slowest.
    pub values: Vec<f64>,
    pub between: Between,
}

/// Most axes a `Dense` evaluates (the tables have one to three).
const MAX_AXES: usize = 4;

impl Grid {
    /// The grid with every hole bridged as `at` bridges it; `None` when it holds no number or
    /// has more than `MAX_AXES` axes.
    pub fn dense(&self, between: Between) -> Option<Dense> {
        if self.axes.is_empty() || self.axes.len() > MAX_AXES {
            return None;
        }
        let values = fill(&self.axes, &self.values, between)?;
        let values = match between {
            Between::Linear => values,
            Between::Logarithmic => values.into_iter().map(f64::ln).collect(),
        };
        Some(Dense { axes: self.axes.iter().map(|a| a.values.iter().map(|v| v.log2()).collect()).collect(), values, between })
    }
}

/// `values` over `axes` with every point replaced by `Grid::at` there: each last-axis line
/// bridged, then each outer axis over the blocks that hold a number (`None`: no number at all).
fn fill(axes: &[Axis], values: &[Option<f64>], between: Between) -> Option<Vec<f64>> {
    let xs = &axes[0].values;
    if axes.len() == 1 {
        return xs.iter().map(|&x| interpolate(xs, values, x, between)).collect();
    }
    let block: usize = axes[1..].iter().map(|a| a.values.len()).product();
    let blocks: Vec<Option<Vec<f64>>> =
        (0..xs.len()).map(|i| values.get(i * block..(i + 1) * block).and_then(|b| fill(&axes[1..], b, between))).collect();
    if blocks.iter().all(Option::is_none) {
        return None;
    }
    let mut out = vec![0.0; xs.len() * block];
    for p in 0..block {
        let line: Vec<Option<f64>> = blocks.iter().map(|b| b.as_ref().map(|b| b[p])).collect();
        for (i, &x) in xs.iter().enumerate() {
            out[i * block + p] = interpolate(xs, &line, x, between)?;
        }
    }
    Some(out)
}

/// The cell of `x` on increasing `xs`: the index of its lower end and the weight of its upper
/// end, clamped to the ends (a one-point axis is always `(0, 0)`).
fn cell(xs: &[f64], x: f64) -> (usize, f64) {
    let last = xs.len() - 1;
    if last == 0 || x <= xs[0] || x.is_nan() {
        return (0, 0.0);
    }
    if x >= xs[last] {
        return (last - 1, 1.0);
    }
    let i = xs.iter().rposition(|&v| v <= x).unwrap_or(0).min(last - 1);
    (i, (x - xs[i]) / (xs[i + 1] - xs[i]))
}

impl Dense {
    /// The value at `log2_point` (log2 of one coordinate per axis; fewer coordinates than axes
    /// take the first grid value of the rest), in the grid's unit (the logarithm undone).
    pub fn at(&self, log2_point: &[f64]) -> f64 {
        let sum = match (&self.axes[..], log2_point) {
            // One axis (a GEMM's m, a MoE row's tokens, a collective's bytes): the step model's
            // usual look-up, without the general corner loop.
            ([xs], [x]) => {
                let (i, w) = cell(xs, *x);
                let lower = self.values[i];
                if w == 0.0 {
                    lower
                } else {
                    lower + w * (self.values[i + 1] - lower)
                }
            }
            _ => self.multilinear(log2_point),
        };
        match self.between {
            Between::Linear => sum,
            Between::Logarithmic => sum.exp(),
        }
    }

    /// The interpolation of `at` over any number of axes, in the stored unit.
    fn multilinear(&self, log2_point: &[f64]) -> f64 {
        let n = self.axes.len().min(MAX_AXES);
        let mut lower = [0usize; MAX_AXES];
        let mut weight = [0.0f64; MAX_AXES];
        let mut stride = [1usize; MAX_AXES];
        for a in (0..n).rev() {
            (lower[a], weight[a]) = cell(&self.axes[a], log2_point.get(a).copied().unwrap_or(f64::NEG_INFINITY));
            if a + 1 < n {
                stride[a] = stride[a + 1] * self.axes[a + 1].len();
            }
        }
        let mut sum = 0.0;
        for corner in 0..1usize << n {
            let (mut w, mut index) = (1.0, 0);
            for a in 0..n {
                let upper = corner >> a & 1 == 1;
                w *= if upper { weight[a] } else { 1.0 - weight[a] };
                index += (lower[a] + upper as usize) * stride[a];
            }
            if w != 0.0 {
                sum += w * self.values[index];
            }
        }
        sum
    }

    /// The dense grid of the remaining axes with the first one fixed at `x` (in the axis' unit):
    /// the two neighbouring blocks weighted as `at` weights them. A one-axis grid is returned
    /// as it is.
    pub fn fix(&self, x: f64) -> Dense {
        if self.axes.len() < 2 {
            return self.clone();
        }
        let block = self.values.len() / self.axes[0].len();
        let (i, t) = cell(&self.axes[0], x.log2());
        let lower = &self.values[i * block..(i + 1) * block];
        let values = match self.values.get((i + 1) * block..(i + 2) * block) {
            Some(upper) if t > 0.0 => lower.iter().zip(upper).map(|(a, b)| a + t * (b - a)).collect(),
            _ => lower.to_vec(),
        };
        Dense { axes: self.axes[1..].to_vec(), values, between: self.between }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn grid() -> Grid {
        Grid {
            axes: vec![
                Axis { name: "n".into(), values: vec![256.0, 1024.0] },
                Axis { name: "m".into(), values: vec![1.0, 4.0, 16.0] },
            ],
            values: vec![Some(0.1), Some(0.2), Some(0.4), Some(0.3), None, Some(0.5)],
        }
    }

    #[test]
    fn a_measured_point_comes_back_exactly() {
        let g = grid();
        assert_eq!(g.at(&[256.0, 4.0], Between::Linear), Some(0.2));
        assert_eq!(g.at(&[1024.0, 16.0], Between::Linear), Some(0.5));
    }

    #[test]
    fn between_two_points_the_value_lies_between_them_linear_in_log2() {
        let g = grid();
        // m = 2: halfway in log2 between 1 and 4.
        let v = g.at(&[256.0, 2.0], Between::Linear).unwrap();
        assert!((v - 0.15).abs() < 1e-12, "{v}");
        // Both axes: n = 512 is halfway in log2 between 256 and 1024.
        let v = g.at(&[512.0, 1.0], Between::Linear).unwrap();
        assert!((v - 0.2).abs() < 1e-12, "{v}");
        let log = g.at(&[256.0, 2.0], Between::Logarithmic).unwrap();
        assert!((log - (0.1f64 * 0.2).sqrt()).abs() < 1e-12, "{log}");
    }

    #[test]
    fn a_hole_is_bridged_by_its_measured_neighbours_and_the_ends_are_clamped() {
        let g = grid();
        // n = 1024, m = 4 is a hole: between m = 1 (0.3) and m = 16 (0.5), halfway in log2.
        let v = g.at(&[1024.0, 4.0], Between::Linear).unwrap();
        assert!((v - 0.4).abs() < 1e-12, "{v}");
        assert_eq!(g.at(&[256.0, 0.5], Between::Linear), Some(0.1));
        assert_eq!(g.at(&[4096.0, 100.0], Between::Linear), Some(0.5));
        assert_eq!(g.at(&[256.0], Between::Linear), None, "one coordinate per axis");
        let empty = Grid { axes: vec![Axis { name: "m".into(), values: vec![1.0] }], values: vec![None] };
        assert_eq!(empty.at(&[1.0], Between::Linear), None);
    }

    #[test]
    fn the_dense_grid_is_the_grid_bridged_and_fixes_its_first_axis() {
        let g = grid();
        let d = g.dense(Between::Linear).unwrap();
        // The hole at n = 1024, m = 4 holds its bridged value.
        assert_eq!(d.values, vec![0.1, 0.2, 0.4, 0.3, 0.4, 0.5]);
        let n = 512f64;
        let line = d.fix(n);
        for m in [0.5, 1.0, 2.0, 4.0, 10.0, 16.0, 64.0] {
            let expected = g.at(&[n, m], Between::Linear).unwrap();
            let actual = line.at(&[m.log2()]);
            assert!((actual - expected).abs() < 1e-12, "n {n}, m {m}: expected {expected}, actual {actual}, tolerance 1e-12");
        }
        let empty = Grid { axes: vec![Axis { name: "m".into(), values: vec![1.0] }], values: vec![None] };
        assert_eq!(empty.dense(Between::Linear), None);
    }

    proptest! {
        /// `Dense` is `Grid::at` made cheap: equal at any point, holes and clamping included,
        /// on both scales.
        #[test]
        fn dense_equals_the_grid_everywhere(
            values in proptest::collection::vec(prop::option::weighted(0.7, 0.01f64..1.0), 24),
            point in (0.1f64..100.0, 0.1f64..100.0, 0.1f64..100.0),
            log in any::<bool>(),
        ) {
            let axes = vec![
                Axis { name: "a".into(), values: vec![1.0, 4.0] },
                Axis { name: "b".into(), values: vec![2.0, 8.0, 32.0] },
                Axis { name: "c".into(), values: vec![1.0, 2.0, 16.0, 64.0] },
            ];
            let g = Grid { axes, values };
            let between = if log { Between::Logarithmic } else { Between::Linear };
            let p = [point.0, point.1, point.2];
            match (g.at(&p, between), g.dense(between)) {
                (Some(expected), Some(d)) => {
                    let actual = d.at(&p.map(f64::log2));
                    prop_assert!((actual - expected).abs() <= 1e-9 * expected.abs(), "expected {expected}, actual {actual}");
                    let fixed = d.fix(p[0]).fix(p[1]).at(&[p[2].log2()]);
                    prop_assert!((fixed - expected).abs() <= 1e-9 * expected.abs(), "fixed: expected {expected}, actual {fixed}");
                }
                (None, None) => {}
                (a, d) => prop_assert!(false, "at {a:?} but dense {d:?}"),
            }
        }
    }
}
