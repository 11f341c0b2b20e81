//! Numbers as the page shows them. The only place where planner numbers become text.

/// A whole number without decimals and with thin-space thousands separators
/// (`175000000000` → `175 000 000 000`); anything else with at most two decimals, trailing
/// zeros dropped (`13.50` → `13.5`). Infinity (an unbounded input, such as "no batch
/// limit") shows as `∞`; NaN, which the planner never produces, as `—`.
pub fn number(value: f64) -> String {
    if value.is_nan() {
        return "—".to_string();
    }
    if value.is_infinite() {
        return if value > 0.0 { "∞" } else { "−∞" }.to_string();
    }
    if value.fract() == 0.0 && value.abs() < 1e15 {
        return group_thousands(&format!("{}", value as i64));
    }
    let text = format!("{value:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    match text.split_once('.') {
        Some((whole, frac)) => format!("{}.{frac}", group_thousands(whole)),
        None => group_thousands(text),
    }
}

fn group_thousands(digits: &str) -> String {
    let (sign, digits) = match digits.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", digits),
    };
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('\u{2009}');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

/// A measured-looking figure with about three significant digits: `1 234`, `42.7`, `3.14`,
/// `0.052`. NaN shows as `—` (the planner never produces it).
pub fn figure(value: f64) -> String {
    if !value.is_finite() {
        return number(value);
    }
    let magnitude = value.abs();
    let decimals = if magnitude >= 100.0 || magnitude == 0.0 {
        0
    } else if magnitude >= 10.0 {
        1
    } else if magnitude >= 1.0 {
        2
    } else {
        // Three significant digits below 1, at most 4 decimals.
        (2.0 - magnitude.log10().floor()).clamp(2.0, 4.0) as usize
    };
    let text = format!("{value:.decimals$}");
    let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.') } else { &text };
    match text.split_once('.') {
        Some((whole, frac)) => format!("{}.{frac}", group_thousands(whole)),
        None => group_thousands(text),
    }
}

/// An optional figure with its unit (`23.4 ms`), or `—` when the candidate has none.
pub fn with_unit(value: Option<f64>, unit: &str) -> String {
    match value {
        Some(v) => format!("{} {unit}", figure(v)),
        None => "—".to_string(),
    }
}

/// A range `[lo, hi]` as `lo–hi`.
pub fn range(range: [f64; 2]) -> String {
    format!("{}–{}", figure(range[0]), figure(range[1]))
}

/// A layout in a few characters, for chart rows and table cells: `TP8 PP1 DP2`, `… EP16`.
pub fn layout_short(layout: &planner::layout::Layout) -> String {
    let mut text = format!("TP{} PP{} DP{}", layout.tp, layout.pp, layout.dp);
    if layout.ep > 1 {
        text.push_str(&format!(" EP{}", layout.ep));
    }
    text
}

/// A parameter count with its decimal prefix: `6.74 B`, `1.03 T`, `350 M`.
pub fn params(count: f64) -> String {
    scaled(count, 1000.0, &["", " k", " M", " B", " T"])
}

/// A byte count with its binary prefix: `512 KiB`, `1.25 MiB`.
pub fn bytes(count: f64) -> String {
    scaled(count, 1024.0, &[" B", " KiB", " MiB", " GiB", " TiB"])
}

fn scaled(mut value: f64, step: f64, units: &[&str]) -> String {
    let mut unit = 0;
    while value.abs() >= step && unit + 1 < units.len() {
        value /= step;
        unit += 1;
    }
    format!("{}{}", figure(value), units[unit])
}
