//! A line chart of the capacity views (`chart::lines` lays it out): one series per GPU, each
//! joined in increasing x, with an optional vertical mark and a legend. Drawn twice over: cost
//! ($ per million output tokens) against interactivity (tokens/s per user) with the SLA's TPOT
//! as the mark, and the what-if sweep (GPUs needed, $ per million output tokens) against the
//! swept variable. A view function: it holds no state.

use super::format::figure;
use super::svg::{axes, line, n, text};
use chart::lines::lines;
use chart::Frame;
use yew::prelude::*;

const FRAME: Frame = Frame { width: 420.0, height: 260.0, left: 52.0, right: 14.0, top: 12.0, bottom: 42.0 };

/// The series' colours, by index (SVG presentation attributes, which the page's
/// Content-Security-Policy allows, unlike inline styles): mid-tone hues legible on the light
/// and the dark theme (an assumption checked by eye and by axe on both).
const COLOURS: [&str; 8] = ["#3b82f6", "#e4572e", "#17a589", "#a855f7", "#d4a017", "#ec4899", "#64748b", "#84cc16"];

/// What one chart shows.
pub struct LineChartView<'a> {
    pub testid: &'static str,
    pub caption: String,
    pub x_title: &'a str,
    pub y_title: &'a str,
    /// (name, `[x, y]` points; `NaN` where a value is missing).
    pub series: Vec<(String, Vec<[f64; 2]>)>,
    /// The vertical mark's value and label.
    pub mark: Option<(f64, String)>,
}

pub fn line_chart(view: LineChartView) -> Html {
    let points: Vec<Vec<[f64; 2]>> = view.series.iter().map(|(_, p)| p.clone()).collect();
    let s = lines(&points, view.mark.as_ref().map(|m| m.0), true, FRAME);
    let (y0, y1) = FRAME.y_span();
    let log = |on: bool| if on { " (log scale)" } else { "" };
    let label = format!("{} against {}, one line per GPU", view.y_title, view.x_title);
    html! {
        <figure class="pareto" data-testid={view.testid}>
            <figcaption>{ view.caption.clone() }</figcaption>
            <svg viewBox={format!("0 0 {} {}", FRAME.width, FRAME.height)} role="img" aria-label={label}>
                { axes(FRAME, &s.x_ticks, &s.y_ticks, format!("{}{} →", view.x_title, log(s.x_log)), format!("{}{} →", view.y_title, log(s.y_log))) }
                if let (Some(mark), Some((_, label))) = (s.x_mark, &view.mark) {
                    <g class="limit" data-testid={format!("{}-mark", view.testid)} data-value={mark.value.to_string()}>
                        { line("", (mark.x, y1), (mark.x, y0)) }
                        { text("", (mark.x + 4.0, y1 + 12.0), "start", label.clone()) }
                    </g>
                }
                { for s.series.iter().zip(&view.series).enumerate().map(|(i, (laid, (name, data)))| {
                    let colour = COLOURS[i % COLOURS.len()];
                    html! {
                        <g key={name.clone()} class="series" data-series={name.clone()} stroke={colour} fill={colour}>
                            { for laid.runs.iter().filter(|r| r.len() > 1).map(|run| html! {
                                <polyline fill="none" stroke-width="2" points={run.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect::<Vec<_>>().join(" ")} />
                            }) }
                            { for laid.points.iter().zip(data).filter_map(|(p, d)| p.map(|p| (p, d))).map(|((x, y), d)| html! {
                                <circle cx={n(x)} cy={n(y)} r="3.5">
                                    <title>{ format!("{name}: {} at {}", figure(d[1]), figure(d[0])) }</title>
                                </circle>
                            }) }
                        </g>
                    }
                }) }
            </svg>
            <p class="legend-note">
                { for view.series.iter().enumerate().map(|(i, (name, _))| html! {
                    <span key={name.clone()}>
                        <svg class="swatch" viewBox="0 0 10 10" width="10" height="10" aria-hidden="true"><rect width="10" height="10" fill={COLOURS[i % COLOURS.len()]} /></svg>
                        { format!(" {name}") }
                    </span>
                }) }
            </p>
        </figure>
    }
}
