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
