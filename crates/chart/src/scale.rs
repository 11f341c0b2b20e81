//! Scales: a data domain mapped onto a pixel span, linear or logarithmic, with "nice" ticks
//! (steps of 1, 2 or 5 × a power of ten, Heckbert's "Nice numbers for graph labels", Graphics
//! Gems, 1990) and compact labels (`1.5k`, `20M`).

/// Data spanning at least this ratio (two decades) is drawn on a log scale: on a linear one
/// everything below a hundredth of the largest value is squashed onto the axis.
pub const LOG_RATIO: f64 = 100.0;

/// How many ticks an axis aims for (nice steps give between about 2/3 and 3/2 of it).
pub const TARGET_TICKS: usize = 5;

/// Never more ticks than this on one axis, whatever the domain.
const MAX_TICKS: i64 = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScaleKind {
    Linear,
    Log,
}

/// A domain `[lo, hi]` (lo < hi, both finite; both > 0 on a log scale) mapped onto the pixel
/// span `start` → `end` (either direction).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    pub kind: ScaleKind,
    pub lo: f64,
    pub hi: f64,
    pub start: f64,
    pub end: f64,
}

/// One tick: its value, where it is drawn, and its label.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    pub value: f64,
    pub pos: f64,
    pub label: String,
}

impl Scale {
    /// A scale that holds every finite value: log when all are positive and span at least
    /// `LOG_RATIO`, else linear with nice bounds (from zero when `from_zero`, as bars need;
    /// never below zero when no value is).
    /// Non-finite values are ignored; with none left the domain is `[0, 1]`.
    pub fn fit(values: &[f64], start: f64, end: f64, from_zero: bool) -> Scale {
        let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        let min = finite.iter().copied().fold(f64::INFINITY, f64::min);
        let max = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if finite.is_empty() {
            return Scale::linear(0.0, 1.0, start, end);
        }
        if min > 0.0 && max / min >= LOG_RATIO {
            let lo = 10f64.powf(min.log10().floor().max(-300.0));
            let hi = 10f64.powf(max.log10().ceil().min(300.0));
            return Scale::log(lo, hi, start, end);
        }
        let (mut lo, mut hi) = if from_zero { (min.min(0.0), max.max(0.0)) } else { (min, max) };
        if hi - lo <= f64::EPSILON * hi.abs().max(lo.abs()).max(1.0) {
            // One value, or all equal: widen around it.
            let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
            if !(from_zero && lo == 0.0) {
                lo -= pad;
            }
            hi += pad;
        } else if !from_zero {
            let pad = (hi - lo) * 0.05;
            lo -= pad;
            hi += pad;
        }
        let step = nice_step(hi - lo, TARGET_TICKS);
        let (mut lo, hi) = ((lo / step).floor() * step, (hi / step).ceil() * step);
        if min >= 0.0 {
            // Padding never takes a non-negative quantity (a rate, a time) below zero.
            lo = lo.max(0.0);
        }
        Scale::linear(lo, hi, start, end)
    }

    /// A linear scale; a degenerate or non-finite domain becomes `[0, 1]`.
    pub fn linear(lo: f64, hi: f64, start: f64, end: f64) -> Scale {
        let ok = lo.is_finite() && hi.is_finite() && hi > lo;
        let (lo, hi) = if ok { (lo, hi) } else { (0.0, 1.0) };
        Scale { kind: ScaleKind::Linear, lo, hi, start: finite_or(start, 0.0), end: finite_or(end, 1.0) }
    }

    /// A log scale; a domain that is not positive, finite and increasing becomes `[1, 10]`.
    pub fn log(lo: f64, hi: f64, start: f64, end: f64) -> Scale {
        let ok = lo.is_finite() && hi.is_finite() && lo > 0.0 && hi > lo;
        let (lo, hi) = if ok { (lo, hi) } else { (1.0, 10.0) };
        Scale { kind: ScaleKind::Log, lo, hi, start: finite_or(start, 0.0), end: finite_or(end, 1.0) }
    }

    /// Where `value` is drawn, clamped to the span; a non-finite value (or a non-positive
    /// one on a log scale) goes to the domain's low end.
    pub fn pos(&self, value: f64) -> f64 {
        let t = match self.kind {
            ScaleKind::Linear => (value - self.lo) / (self.hi - self.lo),
            ScaleKind::Log if value > 0.0 => (value.log10() - self.lo.log10()) / (self.hi.log10() - self.lo.log10()),
            ScaleKind::Log => 0.0,
        };
        let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 };
        self.start + t * (self.end - self.start)
    }

    /// Where bars start: zero when the domain holds it, else the domain's low end (always on
    /// a log scale).
    pub fn base(&self) -> f64 {
        match self.kind {
            ScaleKind::Linear if self.lo <= 0.0 && self.hi >= 0.0 => self.pos(0.0),
            _ => self.pos(self.lo),
        }
    }

    /// Ticks over the domain, ends included: multiples of a nice step on a linear scale;
    /// powers of ten on a log scale (with 2× and 5× between them over at most two decades,
    /// every k-th power over many).
    pub fn ticks(&self) -> Vec<Tick> {
        match self.kind {
            ScaleKind::Linear => {
                let step = nice_step(self.hi - self.lo, TARGET_TICKS);
                // The tolerance keeps ends that are multiples of the step up to rounding.
                let first = (self.lo / step - 1e-9).ceil() as i64;
                let last = (self.hi / step + 1e-9).floor() as i64;
                if !(0..=MAX_TICKS).contains(&(last - first)) {
                    // A span too wide for its step to be represented: just the ends.
                    return [self.lo, self.hi].map(|value| Tick { value, pos: self.pos(value), label: label(value, value) }).to_vec();
                }
                (first..=last)
                    .map(|k| {
                        let value = k as f64 * step;
                        Tick { value, pos: self.pos(value), label: label(value, step) }
                    })
                    .collect()
            }
            ScaleKind::Log => {
                let (a, b) = (self.lo.log10().floor() as i32, self.hi.log10().ceil() as i32);
                let decades = (b - a).max(1) as usize;
                let every = decades.div_ceil(TARGET_TICKS * 2).max(1);
                let mantissas: &[f64] = if decades <= 2 { &[1.0, 2.0, 5.0] } else { &[1.0] };
                let mut ticks = Vec::new();
                for e in (a..=b).filter(|e| ((e - a) as usize).is_multiple_of(every)) {
                    for m in mantissas {
                        let value = m * 10f64.powi(e);
                        if value >= self.lo * (1.0 - 1e-9) && value <= self.hi * (1.0 + 1e-9) {
                            ticks.push(Tick { value, pos: self.pos(value), label: label(value, value) });
                        }
                    }
                }
                ticks
            }
        }
    }
}

fn finite_or(x: f64, fallback: f64) -> f64 {
    if x.is_finite() {
        x
    } else {
        fallback
    }
}

/// The step of 1, 2 or 5 × 10^k nearest to cutting `span` into `target` parts (1 for a span that is
/// not positive and finite).
pub fn nice_step(span: f64, target: usize) -> f64 {
    if !(span.is_finite() && span > 0.0) {
        return 1.0;
    }
    let raw = span / target.max(1) as f64;
    let power = 10f64.powf(raw.log10().floor());
    let fraction = raw / power;
    // Rounded to the nearest nice fraction (Heckbert's thresholds), so an axis gets between
    // about 2/3 and 3/2 of the target tick count.
    let nice = if fraction < 1.5 {
        1.0
    } else if fraction < 3.0 {
        2.0
    } else if fraction < 7.0 {
        5.0
    } else {
        10.0
    };
    nice * power
}

/// A tick label with as many decimals as `step` needs and a k/M/G suffix from a thousand up:
/// `label(1500, 500)` = `1.5k`, `label(0.25, 0.05)` = `0.25`, `label(2e6, 1e6)` = `2M`.
pub fn label(value: f64, step: f64) -> String {
    if !value.is_finite() {
        return String::new();
    }
    let (scaled, suffix, step) = match value.abs().max(step.abs()) {
        m if m >= 1e9 => (value / 1e9, "G", step / 1e9),
        m if m >= 1e6 => (value / 1e6, "M", step / 1e6),
        m if m >= 1e3 => (value / 1e3, "k", step / 1e3),
        _ => (value, "", step),
    };
    let decimals = if step > 0.0 && step < 1.0 { (-step.log10()).ceil().clamp(0.0, 6.0) as usize } else { 0 };
    let text = format!("{scaled:.decimals$}");
    let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_string() } else { text };
    let text = if text == "-0" { "0".to_string() } else { text };
    format!("{text}{suffix}")
}
