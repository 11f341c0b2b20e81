//! The bounded fit of `PerfParams` to measurements: deterministic Nelder–Mead in a space where
//! every bound is built in.
//!
//! Design decision: bounds by transformation, not by clipping. Each free parameter `x` in
//! `[lo, hi]` is searched as an unbounded angle `u` with `x = lo + (hi − lo)(1 + sin u)/2`
//! (the transformation MINUIT uses for limited parameters, F. James, "MINUIT Function
//! Minimization and Error Analysis", CERN D506, §1.3), so the simplex moves freely, every
//! point it tries is physically plausible, and a fit that wants to leave the range ends up
//! exactly on the bound, where `FitResult::at_bound` reports it. Nelder–Mead needs no
//! gradients (the loss has kinks where the binding limit or roofline side changes) and no
//! randomness: the same rows always give the same parameters.
//!
//! The loss is robust: the mean over rows of the pseudo-Huber function of the log error
//! `r = ln(predicted / measured)` of output tokens/s per GPU, plus the same for the row's TTFT
//! and TPOT when it measured them (a user's serving runs do; the shipped calibration rows do
//! not), `δ²(√(1 + (r/δ)²) − 1)` with `δ = 0.1` — quadratic like a
//! mean squared log error for errors up to ~10 %, linear beyond, so a few rows the model cannot
//! describe do not drag every parameter towards them. A small pull towards the starting
//! values (`FitOptions::anchor`) keeps parameters the rows cannot tell apart where they were.

use super::measurement::Point;
use planner::perf::params::{Param, ParamSpec, PerfParams, PARAMS, PARAM_COUNT, UNSET_FOLLOWS};

/// Width of the quadratic zone of the pseudo-Huber loss, in log error (≈ 10 %).
pub const HUBER_DELTA: f64 = 0.1;

/// A prediction of zero (the layout cannot run) is scored as this share of the measurement:
/// a finite, large log error (ln 0.01 ≈ −4.6).
const PREDICTION_FLOOR: f64 = 0.01;

/// What to fit and how hard to try.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FitOptions {
    /// Which parameters (in table order, `PARAMS`) the fit may move; the others stay at the start.
    pub free: [bool; PARAM_COUNT],
    /// Weight of the pull towards the starting values: `anchor × Σ ((x − x₀)/(hi − lo))²`
    /// over the free parameters, added to the mean loss.
    pub anchor: f64,
    /// Most loss evaluations (each predicts every row once).
    pub max_evaluations: usize,
    /// Whether a row's measured TTFT counts in the loss (`point_loss`). Off where what the
    /// measured TTFT includes is not known well enough to fit to (the silicon sample,
    /// `calibration::silicon`).
    pub ttft: bool,
}

impl FitOptions {
    /// Every parameter free, a light anchor (1e-4: a parameter moved across its whole range
    /// costs as much as a 1.4 % error on every row), up to 4000 evaluations.
    pub fn all() -> FitOptions {
        FitOptions { free: [true; PARAM_COUNT], anchor: 1e-4, max_evaluations: 4000, ttft: true }
    }
}

/// The outcome of a fit.
#[derive(Debug, Clone, PartialEq)]
pub struct FitResult {
    pub params: PerfParams,
    /// Mean robust loss of the rows at the start and at the end (anchor excluded).
    pub start_loss: f64,
    pub loss: f64,
    /// Loss evaluations used.
    pub evaluations: usize,
    /// Free parameters that ended within 0.5 % of the range from a bound.
    pub at_bound: Vec<Param>,
}

/// Pseudo-Huber loss of one figure: a rate (tokens/s) or a time predicted against measured.
pub fn row_loss(predicted: f64, measured: f64) -> f64 {
    let r = (predicted.max(PREDICTION_FLOOR * measured) / measured).ln();
    huber(r)
}

fn huber(r: f64) -> f64 {
    HUBER_DELTA * HUBER_DELTA * ((1.0 + (r / HUBER_DELTA).powi(2)).sqrt() - 1.0)
}

/// Loss of one row: its throughput, and its TTFT (when `ttft`) and TPOT when measured. A layout
/// the parameters judge unable to run scores as a prediction of `PREDICTION_FLOOR` × the
/// measured rate, and as a time as many times too long.
pub fn point_loss(p: &Point, params: &PerfParams, ttft: bool) -> f64 {
    let point = p.predicted(params);
    let gpus = p.inputs.cluster.total_gpus().max(1) as f64;
    let mut total = row_loss(point.as_ref().map_or(0.0, |o| o.output_tok_s / gpus), p.measured());
    let measured_ttft = p.measurement.ttft_ms.filter(|_| ttft);
    let times = [(measured_ttft, point.as_ref().map(|o| o.ttft.ms())), (p.measurement.tpot_ms, point.as_ref().map(|o| o.tpot.ms()))];
    for (measured, predicted) in times {
        if let Some(m) = measured.filter(|m| m.is_finite() && *m > 0.0) {
            total += match predicted {
                Some(t) => huber((t.max(PREDICTION_FLOOR * m) / m).ln().min(-PREDICTION_FLOOR.ln())),
                None => huber(-PREDICTION_FLOOR.ln()),
            };
        }
    }
    total
}

/// Mean robust loss of `points` under `params` (`ttft`: as `point_loss`); 0 for no points.
pub fn loss(points: &[&Point], params: &PerfParams, ttft: bool) -> f64 {
    if points.is_empty() {
        return 0.0;
    }
    let total: f64 = points.iter().map(|p| point_loss(p, params, ttft)).sum();
    total / points.len() as f64
}

fn to_angle(x: f64, b: &ParamSpec) -> f64 {
    let s = (2.0 * (x - b.lo()) / (b.hi() - b.lo()) - 1.0).clamp(-1.0, 1.0);
    s.asin()
}

fn from_angle(u: f64, b: &ParamSpec) -> f64 {
    (b.lo() + (b.hi() - b.lo()) * (1.0 + u.sin()) / 2.0).clamp(b.lo(), b.hi())
}

/// Fit `start`'s free parameters to `points`. `start` is clamped into its bounds first; a
/// parameter of `UNSET_FOLLOWS` left fixed at its leader's value follows the leader.
pub fn fit(points: &[&Point], start: &PerfParams, options: &FitOptions) -> FitResult {
    let mut x0 = start.to_array();
    for (x, b) in x0.iter_mut().zip(PARAMS.iter()) {
        *x = if x.is_finite() { x.clamp(b.lo(), b.hi()) } else { (b.lo() + b.hi()) / 2.0 };
    }
    let free: Vec<usize> = (0..PARAM_COUNT).filter(|&i| options.free[i]).collect();
    // A parameter of `UNSET_FOLLOWS` that is not free and starts at its leader's value was not
    // set apart from it: it moves with its leader, as a plan without it would.
    let following: Vec<(usize, usize)> = UNSET_FOLLOWS
        .iter()
        .map(|&(f, l)| (f as usize, l as usize))
        .filter(|&(f, l)| !options.free[f] && x0[f] == x0[l])
        .collect();
    let params_at = |u: &[f64]| {
        let mut x = x0;
        for (k, &i) in free.iter().enumerate() {
            x[i] = from_angle(u[k], &PARAMS[i]);
        }
        for &(f, l) in &following {
            x[f] = x[l].clamp(PARAMS[f].lo(), PARAMS[f].hi());
        }
        PerfParams::from_array(x)
    };
    let anchored = |u: &[f64]| {
        let p = params_at(u);
        let x = p.to_array();
        let pull: f64 = free.iter().map(|&i| ((x[i] - x0[i]) / (PARAMS[i].hi() - PARAMS[i].lo())).powi(2)).sum();
        loss(points, &p, options.ttft) + options.anchor * pull
    };
    let u0: Vec<f64> = free.iter().map(|&i| to_angle(x0[i], &PARAMS[i])).collect();
    let start_loss = loss(points, &params_at(&u0), options.ttft);
    let (u, evaluations) = nelder_mead(&anchored, u0, options.max_evaluations);
    let params = params_at(&u);
    let x = params.to_array();
    let at_bound = free
        .iter()
        .filter(|&&i| {
            let b = &PARAMS[i];
            let margin = 0.005 * (b.hi() - b.lo());
            x[i] <= b.lo() + margin || x[i] >= b.hi() - margin
        })
        .map(|&i| PARAMS[i].param)
        .collect();
    FitResult { params, start_loss, loss: loss(points, &params, options.ttft), evaluations, at_bound }
}

/// Minimise `f` from `start` with the standard Nelder–Mead coefficients (reflection 1,
/// expansion 2, contraction ½, shrink ½; Lagarias et al., SIAM J. Optim. 9(1), 1998),
/// restarting from the best vertex with a fresh simplex while a restart still improves (a
/// simplex can collapse before reaching a minimum, McKinnon 1998). Returns the best point and
/// the evaluations used.
pub fn nelder_mead<F: Fn(&[f64]) -> f64>(f: &F, start: Vec<f64>, max_evaluations: usize) -> (Vec<f64>, usize) {
    let n = start.len();
    if n == 0 {
        return (start, 0);
    }
    let mut evaluations = 0;
    let eval = |x: &[f64], count: &mut usize| {
        *count += 1;
        let v = f(x);
        if v.is_finite() { v } else { f64::MAX }
    };
    let mut best = start;
    let mut best_value = eval(&best, &mut evaluations);
    // A fresh simplex: one step of 0.3 rad (about a tenth of a parameter's range near the
    // middle of it) along each axis, towards the middle of the range.
    for _restart in 0..4 {
        let mut simplex: Vec<(Vec<f64>, f64)> = vec![(best.clone(), best_value)];
        for i in 0..n {
            let mut x = best.clone();
            x[i] += if x[i] > 0.0 { -0.3 } else { 0.3 };
            let v = eval(&x, &mut evaluations);
            simplex.push((x, v));
        }
        while evaluations < max_evaluations {
            simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
            let spread = simplex[n].1 - simplex[0].1;
            let size = simplex[1..].iter().map(|(x, _)| dist(x, &simplex[0].0)).fold(0.0, f64::max);
            if spread <= 1e-12 * simplex[0].1.abs().max(1e-12) && size < 1e-4 || size < 1e-7 {
                break;
            }
            let centroid: Vec<f64> =
                (0..n).map(|i| simplex[..n].iter().map(|(x, _)| x[i]).sum::<f64>() / n as f64).collect();
            let toward = |t: f64| -> Vec<f64> {
                centroid.iter().zip(&simplex[n].0).map(|(c, w)| c + t * (c - w)).collect()
            };
            let reflected = toward(1.0);
            let fr = eval(&reflected, &mut evaluations);
            if fr < simplex[0].1 {
                let expanded = toward(2.0);
                let fe = eval(&expanded, &mut evaluations);
                simplex[n] = if fe < fr { (expanded, fe) } else { (reflected, fr) };
            } else if fr < simplex[n - 1].1 {
                simplex[n] = (reflected, fr);
            } else {
                let (contracted, fc) = if fr < simplex[n].1 {
                    let c = toward(0.5);
                    let v = eval(&c, &mut evaluations);
                    (c, v)
                } else {
                    let c = toward(-0.5);
                    let v = eval(&c, &mut evaluations);
                    (c, v)
                };
                if fc < simplex[n].1.min(fr) {
                    simplex[n] = (contracted, fc);
                } else {
                    let b = simplex[0].0.clone();
                    for vertex in simplex.iter_mut().skip(1) {
                        let x: Vec<f64> = b.iter().zip(&vertex.0).map(|(b, x)| b + 0.5 * (x - b)).collect();
                        let v = eval(&x, &mut evaluations);
                        *vertex = (x, v);
                    }
                }
            }
        }
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let improved = simplex[0].1 < best_value - 1e-12 * best_value.abs().max(1e-12);
        if simplex[0].1 <= best_value {
            best = simplex[0].0.clone();
            best_value = simplex[0].1;
        }
        if !improved || evaluations >= max_evaluations {
            break;
        }
    }
    (best, evaluations)
}

fn dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum::<f64>().sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nelder_mead_finds_the_rosenbrock_minimum() {
        let rosenbrock = |x: &[f64]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
        let (x, evaluations) = nelder_mead(&rosenbrock, vec![-1.2, 1.0], 2000);
        println!("Rosenbrock minimum at {x:?} after {evaluations} evaluations");
        assert!((x[0] - 1.0).abs() < 1e-3 && (x[1] - 1.0).abs() < 1e-3, "expected (1, 1), actual {x:?}");
    }

    #[test]
    fn angles_map_onto_the_bounds() {
        for b in PARAMS.iter() {
            for x in [b.lo(), (b.lo() + b.hi()) / 2.0, b.hi()] {
                let back = from_angle(to_angle(x, b), b);
                assert!((back - x).abs() <= 1e-12 * (b.hi() - b.lo()), "{}: {x} -> {back}", b.json);
            }
            for u in [-10.0, -1.0, 0.0, 2.0, 100.0] {
                let x = from_angle(u, b);
                assert!(x >= b.lo() && x <= b.hi(), "{}: angle {u} gave {x}", b.json);
            }
        }
    }

    #[test]
    fn row_loss_is_quadratic_then_linear_and_finite_for_zero() {
        let small = row_loss(1.01, 1.0);
        let r = 1.01f64.ln();
        // δ²(√(1 + (r/δ)²) − 1) = r²/2 − r⁴/(8δ²) + …: within 1 % of r²/2 at r ≈ 1 %.
        assert!((small - r * r / 2.0).abs() < 0.01 * r * r / 2.0, "{small} against {}", r * r / 2.0);
        let big = row_loss(std::f64::consts::E, 1.0);
        assert!((big - (HUBER_DELTA * HUBER_DELTA * ((1.0f64 + 100.0).sqrt() - 1.0))).abs() < 1e-12);
        assert!(row_loss(0.0, 100.0).is_finite());
    }
}
