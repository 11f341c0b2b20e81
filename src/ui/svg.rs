//! The few SVG shapes the charts draw, as functions: each chart calls these instead of
//! expanding its own `<line>` and `<text>` markup at every use, which keeps the page's
//! WebAssembly small. Coordinates are written with one decimal.

use yew::prelude::*;

/// A coordinate in SVG user units, one decimal (finer is invisible).
pub fn n(v: f64) -> AttrValue {
    AttrValue::from(format!("{v:.1}"))
}

/// A line from `a` to `b`.
pub fn line(class: &'static str, a: (f64, f64), b: (f64, f64)) -> Html {
    html! { <line {class} x1={n(a.0)} y1={n(a.1)} x2={n(b.0)} y2={n(b.1)} /> }
}

/// Text anchored at `at` (`anchor`: `start`, `middle` or `end`).
pub fn text(class: &'static str, at: (f64, f64), anchor: &'static str, content: String) -> Html {
    html! { <text {class} x={n(at.0)} y={n(at.1)} text-anchor={anchor}>{ content }</text> }
}

/// A measured value's mark: a hollow diamond centred at `at`, carrying the value
/// (`data-measured`) for tests and tools.
pub fn diamond(at: (f64, f64), value: f64) -> Html {
    let d = format!("M{:.1} {:.1}l5 5-5 5-5-5z", at.0, at.1 - chart::bars::MARK_RADIUS);
    html! { <path class="measured-mark" {d} data-measured={value.to_string()} /> }
}
