//! The memory of the most loaded GPU as one stacked bar (weights, a vision-language model's
//! vision encoder, KV cache, activations, overhead, free) against its capacity, with a table of the same figures in GiB as its text
//! alternative; compact (one line of figures) in embed mode.

use super::format::figure;
use super::svg::{line, n};
use chart::bars::stacked;
use planner::layout::Layout;
use planner::plan::MemoryGib;
use yew::prelude::*;

/// The SVG's width in user units (it stretches to the box).
const WIDTH: f64 = 1000.0;

/// The bar of `memory` (`None` when the layout was rejected before its memory was sized) of
/// `layout` (for the caption). A view function of `Results`, not a component: it re-renders
/// only with the results, and a component's glue weighs more WebAssembly than this saves.
pub fn memory_bar(memory: Option<MemoryGib>, layout: Option<Layout>, compact: bool) -> Html {
    let caption = layout.map_or_else(|| "Memory per GPU".to_string(), |l| format!("Memory per GPU, {l}"));
    let Some(m) = memory else {
        return html! {
            <section class={classes!("memory", "card", compact.then_some("compact"))} data-testid="memory-breakdown">
                <h2>{ caption }</h2>
                <p class="muted" data-testid="memory-none">
                    { if layout.is_some() { "Not sized: the layout is rejected before its memory is worked out." } else { "No layout to size." } }
                </p>
            </section>
        };
    };
    // A vision-language model's tower is its own part, beside the language model's weights.
    let vision = (m.vision_encoder > 0.0).then_some(("vision", "Vision encoder", m.vision_encoder));
    let parts: Vec<(&str, &str, f64)> = [("weights", "Weights", m.language_model_weights())]
        .into_iter()
        .chain(vision)
        .chain([
            ("kv", "KV cache", m.kv_cache),
            ("activations", "Activations", m.activations),
            ("overhead", "Runtime overhead", m.overhead),
            ("free", "Free", m.free.max(0.0)),
        ])
        .collect();
    let stack = stacked(&parts.iter().map(|p| p.2).collect::<Vec<_>>(), m.capacity, WIDTH);
    let used = m.weights + m.kv_cache + m.activations + m.overhead;
    let summary = parts.iter().map(|(_, name, gib)| format!("{name} {} GiB", figure(*gib))).collect::<Vec<_>>().join(", ");
    let label = format!("{caption}: {summary}, of {} GiB", figure(m.capacity));
    let share = |gib: f64| if m.capacity > 0.0 { format!("{}%", figure(gib / m.capacity * 100.0)) } else { "—".into() };
    html! {
        <section class={classes!("memory", "card", compact.then_some("compact"))} data-testid="memory-breakdown">
            <h2>{ caption.clone() }</h2>
            <svg class="membar" viewBox={format!("0 0 {WIDTH} 40")} preserveAspectRatio="none" role="img" aria-label={label}>
                { for parts.iter().zip(&stack.segments).filter(|(_, s)| s.1 > 0.0).map(|((key, name, gib), (x, w))| html! {
                    <rect key={*key} class={format!("seg seg-{key}")} x={n(*x)} y="0" width={n(*w)} height="40">
                        <title>{ format!("{name}: {} GiB", figure(*gib)) }</title>
                    </rect>
                }) }
                if stack.overflows {
                    { line("capacity", (stack.capacity_x, 0.0), (stack.capacity_x, 40.0)) }
                }
            </svg>
            if stack.overflows {
                <p class="over" data-testid="memory-over">
                    { format!("Needs {} GiB, {} GiB more than the GPU's {} GiB.", figure(used), figure(used - m.capacity), figure(m.capacity)) }
                </p>
            }
            if compact {
                <ul class="legend inline">
                    { for parts.iter().map(|(key, name, gib)| html! {
                        <li key={*key}><span class={format!("swatch seg-{key}")} aria-hidden="true"></span>{ format!("{name} {}", figure(*gib)) }</li>
                    }) }
                    <li key="capacity">{ format!("of {} GiB", figure(m.capacity)) }</li>
                </ul>
            } else {
                <table class="legend">
                    <caption class="visually-hidden">{ format!("{caption}, GiB") }</caption>
                    <thead>
                        <tr><th scope="col">{ "Part" }</th><th scope="col">{ "GiB" }</th><th scope="col">{ "Share" }</th></tr>
                    </thead>
                    <tbody>
                        { for parts.iter().map(|(key, name, gib)| html! {
                            <tr key={*key} data-testid={format!("memory-{key}")}>
                                <th scope="row"><span class={format!("swatch seg-{key}")} aria-hidden="true"></span>{ *name }</th>
                                <td>{ figure(*gib) }</td>
                                <td>{ share(*gib) }</td>
                            </tr>
                        }) }
                        <tr key="capacity" class="total">
                            <th scope="row">{ "Capacity" }</th>
                            <td data-testid="memory-capacity">{ figure(m.capacity) }</td>
                            <td>{ "100%" }</td>
                        </tr>
                    </tbody>
                </table>
            }
        </section>
    }
}
