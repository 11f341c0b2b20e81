//! A dense grid of measured values over one to three integer axes, with holes, and its
//! interpolation (`tools/distil/FORMAT.md`, "Interpolation").
//!
//! Design decision: interpolate where the measurements are, never invent beyond them. Along
//! each axis the value is linear in `log2(axis)` between the nearest measured points on either
//! side (holes, `-` in the file, are skipped: the nearest numbers take their place); outside
//! the grid it is the nearest end's value (clamped), so a query never extrapolates a trend.
//! Several axes are done last axis first: each needed line is interpolated, then the results
//! along the outer axes. A value at a grid point comes back exactly.

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
    let below = measured().filter(|&(xi, _)| xi <= x).last();
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
