//! The answer: the layout shown (recommended, or the one the user selected), its latencies and
//! throughputs with their expected ranges, the requests in flight, and what limits a decode
//! step; when nothing is feasible, why, in the trace's own words.

use super::format::{figure, range, with_unit};
use planner::plan::{Candidate, Plan};
use yew::prelude::*;

/// The candidate `shown` (an index into `plan.candidates`: selected, else recommended), or why
/// nothing is feasible; `onselect` picks a candidate by index (the "back to the recommended
/// layout" button). A view function of `Results`, not a component: it re-renders only with
/// the results, and a component's glue weighs more WebAssembly than this saves.
/// `max_load`: planned at the maximum-throughput point, whose requests in flight are the plan's
/// answer rather than the user's input.
pub fn recommendation(plan: &Plan, shown: Option<usize>, onselect: &Callback<usize>, max_load: bool) -> Html {
    let recommended = plan.ranking.first().copied();
    let Some(index) = shown else {
        return nothing_feasible(plan);
    };
    let c = &plan.candidates[index];
    let is_recommended = Some(index) == recommended;
    let heading = match (is_recommended, c.feasible) {
        (true, _) => "Recommended layout",
        (false, true) => "Selected layout",
        (false, false) => "Selected layout (rejected)",
    };
    let back = recommended.filter(|_| !is_recommended).map(|r| {
        let onselect = onselect.clone();
        let label = format!("Back to the recommended {}", plan.candidates[r].layout);
        html! {
            <button type="button" class="link" data-testid="back-to-recommended" onclick={move |_| onselect.emit(r)}>
                { label }
            </button>
        }
    });
    html! {
        <section
            class={classes!("recommendation", "card", (!c.feasible).then_some("rejected"))}
            data-testid="recommendation"
            aria-labelledby="recommendation-title"
        >
            <h2 id="recommendation-title">{ heading }</h2>
            <p class="layout-big" data-testid="rec-layout">{ c.layout.to_string() }</p>
            <p class="layout-words">{ sizes(c) }</p>
            if c.feasible {
                { figures(c, max_load) }
                { binds(c) }
            } else {
                <p class="rejected-reason" data-testid="rec-rejected">
                    { format!("Rejected: {}", c.rejected_detail.as_deref().unwrap_or("no reason recorded")) }
                </p>
            }
            { for back }
        </section>
    }
}

/// The sizes in words: "tensor-parallel 8 · pipeline 1 · data-parallel 2".
fn sizes(c: &Candidate) -> String {
    let l = c.layout;
    let mut parts = vec![format!("tensor-parallel {}", l.tp), format!("pipeline {}", l.pp), format!("data-parallel {}", l.dp)];
    if l.ep > 1 {
        parts.push(format!("expert-parallel {}", l.ep));
    }
    format!("{} · {} GPUs", parts.join(" · "), l.gpus())
}

fn figures(c: &Candidate, max_load: bool) -> Html {
    let r = c.range;
    // Tokens/s per user is 1000 / TPOT (FORMAT.md), so its range is the TPOT range inverted.
    let per_user_range = r.map(|r| [1000.0 / r.tpot_ms[1], 1000.0 / r.tpot_ms[0]]);
    let rows: [(&str, &str, String, Option<[f64; 2]>); 6] = [
        ("rec-tok-s-gpu", "Output tokens/s per GPU", with_unit(c.output_tok_s_per_gpu, "tok/s"), r.map(|r| r.output_tok_s_per_gpu)),
        ("rec-tok-s-user", "Tokens/s per user", with_unit(c.tok_s_per_user, "tok/s"), per_user_range),
        ("rec-ttft", "Time to first token", with_unit(c.ttft_ms, "ms"), r.map(|r| r.ttft_ms)),
        ("rec-tpot", "Time per output token", with_unit(c.tpot_ms, "ms"), r.map(|r| r.tpot_ms)),
        ("rec-concurrency", if max_load { "Requests in flight at maximum throughput" } else { "Requests in flight" }, c.concurrency.map_or("—".into(), |n| figure(n as f64)), None),
        ("rec-tok-s", "Output tokens/s, all GPUs", with_unit(c.output_tok_s, "tok/s"), None),
    ];
    html! {
        <dl class="figures">
            { for rows.into_iter().map(|(id, label, value, range_)| html! {
                <div key={id}>
                    <dt>{ label }</dt>
                    <dd>
                        <span data-testid={id}>{ value }</span>
                        if let Some(rg) = range_.filter(|rg| rg.iter().all(|x| x.is_finite())) {
                            <span class="range" data-testid={format!("{id}-range")} title="where the true value is expected to fall">
                                { format!("± {}", range(rg)) }
                            </span>
                        }
                    </dd>
                </div>
            }) }
        </dl>
    }
}

/// What limits a decode step, and the step's parts.
fn binds(c: &Candidate) -> Html {
    let Some(step) = c.decode_step_ms else { return Html::default() };
    let bound = c.bound.as_deref().unwrap_or("");
    let parts = [
        ("compute", step.compute),
        ("memory", step.memory),
        ("communication", step.communication),
        ("overhead", step.overhead),
    ];
    html! {
        <div class="binds" data-testid="rec-bound">
            <p>
                { format!("A decode step takes {} ms and is ", figure(step.total)) }
                <strong>{ format!("{bound}-bound") }</strong>
                { ":" }
            </p>
            <ul class="step-parts">
                { for parts.iter().map(|(name, ms)| html! {
                    <li key={*name} class={classes!((*name == bound).then_some("binding"))}>
                        { format!("{name} {} ms", figure(*ms)) }
                    </li>
                }) }
            </ul>
            <p class="muted small">
                { "Compute and memory are what all its flops and all its HBM traffic would take alone; each kernel runs at the slower of its two, then communication and overhead add." }
            </p>
        </div>
    }
}

/// Nothing is feasible: the trace's verdict and the rejections by reason.
fn nothing_feasible(plan: &Plan) -> Html {
    let step = |id: &str| plan.trace.iter().find(|s| s.id == id);
    let why = step("no-feasible-layout").map_or_else(|| "Every layout is rejected.".to_string(), |s| s.detail.clone());
    let rejected = step("reject");
    html! {
        <section class="recommendation card rejected" data-testid="recommendation" aria-labelledby="recommendation-title">
            <h2 id="recommendation-title">{ "No feasible layout" }</h2>
            <p data-testid="no-feasible">{ why }</p>
            if let Some(r) = rejected {
                <p class="rejected-reason">{ format!("{}: ", r.title) }</p>
                <ul class="reasons">
                    { for r.detail.split("; ").enumerate().map(|(i, part)| html! { <li key={i}>{ part.to_string() }</li> }) }
                </ul>
            }
        </section>
    }
}
