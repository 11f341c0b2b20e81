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

/// An x–y chart's axes in `frame`: a grid line and a label at each tick, the two axis lines and
/// their titles (which say "log scale" themselves where it applies).
pub fn axes(frame: chart::Frame, x_ticks: &[chart::scale::Tick], y_ticks: &[chart::scale::Tick], x_title: String, y_title: String) -> Html {
    let (x0, x1) = frame.x_span();
    let (y0, y1) = frame.y_span();
    html! {
        <>
            { for x_ticks.iter().map(|t| html! {
                <g key={format!("x{}", t.label)} class="tick">
                    { line("", (t.pos, y1), (t.pos, y0)) }
                    { text("", (t.pos, y0 + 16.0), "middle", t.label.clone()) }
                </g>
            }) }
            { for y_ticks.iter().map(|t| html! {
                <g key={format!("y{}", t.label)} class="tick">
                    { line("", (x0, t.pos), (x1, t.pos)) }
                    { text("", (x0 - 6.0, t.pos + 4.0), "end", t.label.clone()) }
                </g>
            }) }
            { line("axis", (x0, y0), (x1, y0)) }
            { line("axis", (x0, y1), (x0, y0)) }
            { text("axis-title", ((x0 + x1) / 2.0, frame.height - 6.0), "middle", x_title) }
            <text class="axis-title" transform={format!("translate(12 {}) rotate(-90)", (y0 + y1) / 2.0)} text-anchor="middle">{ y_title }</text>
        </>
    }
}
