//! The Pareto view (`chart::pareto` lays it out): every feasible candidate as a point, output
//! tokens/s per GPU up, tokens/s per user across, the Pareto front joined, whiskers for ranges,
//! and the TPOT limit as a vertical line (tokens/s per user = 1000 / TPOT) with the side that
//! misses it shaded; a measured run as a diamond joined to its layout's prediction. Each point
//! carries its candidate's figures (`data-*`, `<title>`). Events are handled by the enclosing
//! chart. Disaggregated candidates (full page, `serving`), when given, are a second series on
//! the same scales, with a front of their own (`chart::pareto::front_of`) and a legend entry;
//! they select nothing here (no `data-index`): their table does, and the one it selects is
//! drawn as shown (`shown_second`).

use planner::order::sorted_indices;
use super::format::figure;
use super::shared::Shared;
use super::svg::{axes, diamond, line, n, text};
use chart::pareto::{front_of, scatter, PointInput};
use chart::Frame;
use yew::prelude::*;

/// One candidate's point.
#[derive(Debug, Clone, PartialEq)]
pub struct ParetoPoint {
    pub index: usize,
    pub label: AttrValue,
    pub pareto: bool,
    pub input: PointInput,
    /// A disaggregated candidate (prefill and decode workers): the second series.
    pub disaggregated: bool,
}

#[derive(Properties, PartialEq)]
pub struct ParetoPlotProps {
    pub points: Shared<Vec<ParetoPoint>>,
    /// The TPOT limit as tokens/s per user.
    pub x_limit: Option<f64>,
    pub sla_tpot_ms: Option<f64>,
    pub shown: Option<usize>,
    /// The shown point of the disaggregated series (its `ParetoPoint::index`; full page only).
    #[cfg(feature = "full-page")]
    #[prop_or_default]
    pub shown_second: Option<usize>,
    pub recommended: Option<usize>,
}

/// Small enough in user units that its text stays legible when a phone shrinks it.
const FRAME: Frame = Frame { width: 420.0, height: 290.0, left: 50.0, right: 14.0, top: 12.0, bottom: 42.0 };

/// The shown index of `p`'s series.
#[cfg(feature = "full-page")]
fn shown_of(props: &ParetoPlotProps, p: &ParetoPoint) -> Option<usize> {
    if p.disaggregated {
        props.shown_second
    } else {
        props.shown
    }
}

#[cfg(not(feature = "full-page"))]
fn shown_of(props: &ParetoPlotProps, _: &ParetoPoint) -> Option<usize> {
    props.shown
}

#[component]
pub fn ParetoPlot(props: &ParetoPlotProps) -> Html {
    let inputs: Vec<PointInput> = props.points.iter().map(|p| p.input).collect();
    let front_where = |disaggregated: bool| -> Vec<usize> {
        props.points.iter().enumerate().filter(|(_, p)| p.pareto && p.disaggregated == disaggregated).map(|(i, _)| i).collect()
    };
    let s = scatter(&inputs, &front_where(false), props.x_limit, FRAME);
    let second = front_of(&s.points, &front_where(true));
    let disaggregated = props.points.iter().any(|p| p.disaggregated);
    let (x0, _) = FRAME.x_span();
    let (y0, y1) = FRAME.y_span();
    let polyline = |front: &[(f64, f64)]| front.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect::<Vec<_>>().join(" ");
    let log = |on: bool| if on { " (log scale)" } else { "" };
    // Shown and recommended points last, so they are drawn on top.
    let key = |i: usize| {
        let p = &props.points[i];
        (Some(p.index) == shown_of(props, p), Some(p.index) == props.recommended, p.pareto)
    };
    let order = sorted_indices(props.points.len(), &mut |a, b| key(a).cmp(&key(b)));
    html! {
        <figure class="pareto">
            <figcaption>{ "Throughput against speed per user: the Pareto front joined" }</figcaption>
            <svg viewBox={format!("0 0 {} {}", FRAME.width, FRAME.height)} role="group" aria-label="Output tokens/s per GPU against tokens/s per user, one point per feasible layout">
                if let Some(limit) = s.x_limit {
                    <g class="limit">
                        <rect class="miss" x={n(x0)} y={n(y1)} width={n((limit.x - x0).max(0.0))} height={n(y0 - y1)} />
                        { line("", (limit.x, y1), (limit.x, y0)) }
                        { text("", (limit.x + 4.0, y1 + 12.0), "start", format!("TPOT ≤ {} ms", props.sla_tpot_ms.map_or("—".to_string(), figure))) }
                    </g>
                }
                { axes(FRAME, &s.x_ticks, &s.y_ticks, format!("tokens/s per user{} →", log(s.x_log)), format!("output tokens/s per GPU{} →", log(s.y_log))) }
                if s.front.len() > 1 {
                    <polyline class="front" points={polyline(&s.front)} />
                }
                if second.len() > 1 {
                    <polyline class="front disagg" points={polyline(&second)} />
                }
                { for order.iter().filter_map(|&i| s.points[i].map(|p| (i, p))).map(|(i, p)| {
                    let point = &props.points[i];
                    let shown = Some(point.index) == shown_of(props, point);
                    let recommended = Some(point.index) == props.recommended;
                    let classes = classes!(
                        "point",
                        point.pareto.then_some("pareto"),
                        shown.then_some("shown"),
                        recommended.then_some("recommended"),
                        point.disaggregated.then_some("disagg"),
                    );
                    let measured = point.input.measured.filter(|_| p.measured.is_some());
                    let text = format!(
                        "{}: {} tok/s per GPU, {} tok/s per user{}{}",
                        point.label,
                        figure(point.input.y),
                        figure(point.input.x),
                        if point.pareto { ", on the Pareto front" } else { "" },
                        measured.map_or(String::new(), |[x, y]| format!("; measured {} tok/s per GPU, {} tok/s per user", figure(y), figure(x))),
                    );
                    html! {
                        <g
                            key={point.index}
                            class={classes}
                            data-index={(!point.disaggregated).then(|| point.index.to_string())}
                            data-layout={point.label.clone()}
                            data-tok-s-per-gpu={point.input.y.to_string()}
                            data-tok-s-per-user={point.input.x.to_string()}
                            tabindex={if point.pareto || shown || recommended { "0" } else { "-1" }}
                            role={if point.disaggregated { "img" } else { "button" }}
                            aria-label={text.clone()}
                        >
                            <title>{ text }</title>
                            if let Some((a, b)) = p.y_whisker {
                                { line("whisker", (p.x, a), (p.x, b)) }
                            }
                            if let Some((a, b)) = p.x_whisker {
                                { line("whisker", (a, p.y), (b, p.y)) }
                            }
                            <circle cx={n(p.x)} cy={n(p.y)} r={if recommended || shown { "6" } else if point.pareto { "4.5" } else { "3.5" }} />
                            if let (Some(at), Some([_, y])) = (p.measured, measured) {
                                { line("measured-link", (p.x, p.y), at) }
                                { diamond(at, y) }
                            }
                        </g>
                    }
                }) }
            </svg>
            <p class="legend-note">
                <span><span class="key pareto" aria-hidden="true"></span>{ "on the Pareto front (no other layout beats it on both axes)" }</span>
                <span><span class="key other" aria-hidden="true"></span>{ "feasible, beaten on both" }</span>
                <span><span class="key shown" aria-hidden="true"></span>{ "selected" }</span>
                if disaggregated {
                    <span><span class="key disagg" aria-hidden="true"></span>{ "disaggregated: prefill and decode workers (their front dashed)" }</span>
                }
                if props.points.iter().any(|p| p.input.measured.is_some()) {
                    <span><span class="key measured" aria-hidden="true"></span>{ "measured (joined to its prediction)" }</span>
                }
            </p>
        </figure>
    }
}
