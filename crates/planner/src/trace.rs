//! The quantitative decision, step by step: what was enumerated, what was rejected and why
//! (with counts), how the survivors were ranked, why the winner won, and where and why it
//! differs from the rule of thumb.
//!
//! Design decision: every sentence is built from the search's own numbers — counts from the
//! verdicts, ratios from the operating points, parts from the step times — so the trace can
//! never say something the estimate does not.

use super::evaluate::Evaluation;
use super::inputs::PlannerInputs;
use super::layout::Layout;
use super::perf::{Limit, OperatingPoint};
use super::plan::{inputs_of, Inputs, TraceStep};
use super::search::SearchResult;
use super::workload::{Arrivals, Load, Priority};

fn step(id: &str, title: String, detail: String, inputs: Inputs) -> TraceStep {
    TraceStep { id: id.into(), title, detail, inputs }
}

fn inputs(pairs: &[(&str, f64)]) -> Inputs {
    inputs_of(pairs)
}

/// The trace of a search, ending with the comparison against the rule of thumb's layout.
pub fn trace(inputs_: &PlannerInputs, result: &SearchResult, rule_layout: Option<Layout>) -> Vec<TraceStep> {
    let gpus = inputs_.cluster.total_gpus();
    let mut steps = vec![enumerated(inputs_, result, gpus), rejected(result), operating_point(inputs_)];
    match result.ranking.first() {
        Some(&winner) => {
            steps.push(ranked(inputs_, result, gpus));
            steps.push(won(result, winner, gpus));
            steps.push(versus_rule(result, winner, rule_layout, gpus));
        }
        None => steps.push(nothing_feasible(result)),
    }
    steps
}

fn enumerated(inputs_: &PlannerInputs, result: &SearchResult, gpus: u32) -> TraceStep {
    let n = result.evaluations.len();
    let ep = if inputs_.model.is_moe() { ", and for this MoE model every ep dividing tp × dp" } else { "" };
    let c = &inputs_.constraint;
    let fixed: Vec<String> = [("tp", c.tp), ("pp", c.pp), ("dp", c.dp), ("ep", c.ep)]
        .iter()
        .filter_map(|(k, v)| v.map(|v| format!("{k} = {v}")))
        .collect();
    let fixed = if fixed.is_empty() { String::new() } else { format!(" The scenario fixes {}.", fixed.join(", ")) };
    step(
        "enumerate",
        format!("Enumerated {n} layouts"),
        format!("Every tp × pp × dp = {gpus} GPUs{ep}.{fixed}"),
        inputs(&[("layouts", n as f64), ("gpus", gpus as f64)]),
    )
}

fn rejected(result: &SearchResult) -> TraceStep {
    // (reason code, layouts rejected for it first, the first such layout), in code order: a
    // sorted list, not a map (see `Inputs`).
    let mut counts: Vec<(&'static str, usize, String)> = Vec::new();
    for e in &result.evaluations {
        if let Some(first) = e.reasons().first() {
            match counts.binary_search_by(|c| c.0.cmp(first.code())) {
                Ok(i) => counts[i].1 += 1,
                Err(i) => counts.insert(i, (first.code(), 1, format!("{} {first}", e.layout))),
            }
        }
    }
    let total: usize = counts.iter().map(|c| c.1).sum();
    let detail = if counts.is_empty() {
        "No layout was rejected.".to_string()
    } else {
        counts
            .iter()
            .map(|(code, n, example)| format!("{n} × {code} (e.g. {example})"))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let mut numbers = Inputs::new();
    for (code, n, _) in &counts {
        numbers.insert(code.to_string(), *n as f64);
    }
    numbers.insert("rejected".into(), total as f64);
    step("reject", format!("Rejected {total} of {}", result.evaluations.len()), detail, numbers)
}

fn operating_point(inputs_: &PlannerInputs) -> TraceStep {
    let e = &inputs_.engine;
    let flags = e.engine.flags();
    let w = &inputs_.workload;
    let sla = match (w.sla.ttft, w.sla.tpot) {
        (None, None) => "no SLA".to_string(),
        (ttft, tpot) => [ttft.map(|t| format!("TTFT ≤ {:.0} ms", t.ms())), tpot.map(|t| format!("TPOT ≤ {:.1} ms", t.ms()))]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", "),
    };
    let (title, how) = match w.load {
        Load::MaxThroughput => (
            "Operating point: maximum throughput".to_string(),
            format!(
                "Each layout runs the most requests that fit its KV cache and the engine's caps ({} = {}, {} = {}) and meet the SLA ({sla}).",
                flags[1], e.max_batch_requests, flags[2], e.max_batch_tokens
            ),
        ),
        Load::Concurrency(c) => (
            format!("Operating point: {c} requests in flight"),
            format!("Each layout serves {c} concurrent requests of {} + {} tokens; requests beyond what its KV cache and caps admit wait ({sla}).", w.isl, w.osl),
        ),
        Load::RequestRate(r) => (
            format!("Operating point: {r} requests/s"),
            format!("Poisson arrivals at {r} requests/s; concurrency from Little's law, queueing added to TTFT ({sla})."),
        ),
    };
    let batching = match (w.load, w.arrivals) {
        (Load::RequestRate(_), _) | (_, Arrivals::Staggered) => {
            "Continuous batching, staggered arrivals: every step decodes the running requests and prefills new ones as others finish."
        }
        (_, Arrivals::Synchronized) => {
            "Synchronized arrivals, as a closed-loop benchmark with fixed lengths runs: each wave prefills all its prompts \
             together (chunked by the token cap), then decodes with no prefill mixed in; TTFT is the mean over the wave, \
             TPOT (latency − TTFT)/(OSL − 1) as vLLM computes it."
        }
    };
    step(
        "operating-point",
        title,
        format!("{how} {batching}"),
        inputs(&[("isl", w.isl as f64), ("osl", w.osl as f64)]),
    )
}

fn per_gpu(p: &OperatingPoint, gpus: u32) -> f64 {
    p.output_tok_s / gpus as f64
}

fn ranked(inputs_: &PlannerInputs, result: &SearchResult, gpus: u32) -> TraceStep {
    let by = match inputs_.workload.priority {
        Priority::Throughput => "output tokens/s per GPU",
        Priority::Latency => "lowest TPOT, then TTFT",
        Priority::Balanced => "tokens/s per GPU × tokens/s per user, each as a share of the best",
    };
    let top: Vec<String> = result
        .ranking
        .iter()
        .take(3)
        .enumerate()
        .map(|(rank, &i)| {
            let e = &result.evaluations[i];
            let p = e.feasible().expect("ranked layouts are feasible");
            format!(
                "{}. {}: {:.0} tok/s/GPU, TPOT {:.1} ms, TTFT {:.0} ms, {:.0} requests",
                rank + 1,
                e.layout,
                per_gpu(p, gpus),
                p.tpot.ms(),
                p.ttft.ms(),
                p.concurrency
            )
        })
        .collect();
    step(
        "rank",
        format!("Ranked {} feasible layouts by {by}", result.ranking.len()),
        top.join("; "),
        inputs(&[("feasible", result.ranking.len() as f64), ("pareto", result.pareto.len() as f64)]),
    )
}

fn limit_words(limit: Limit) -> &'static str {
    match limit {
        Limit::Offered => "the offered load",
        Limit::KvCache => "a full KV cache",
        Limit::BatchRequests => "the engine's request cap",
        Limit::BatchTokens => "the engine's token cap",
        Limit::SlaTtft => "the TTFT limit",
        Limit::SlaTpot => "the TPOT limit",
    }
}

/// Why `a` beats `b`, from their operating points: tokens/s per GPU = requests running per
/// GPU / TPOT (for long outputs), so the ratio splits into a concurrency part and a speed part.
pub fn explain(a: (&Layout, &OperatingPoint), b: (&Layout, &OperatingPoint), gpus: u32) -> String {
    let (la, pa) = a;
    let (lb, pb) = b;
    let ratio = per_gpu(pa, gpus) / per_gpu(pb, gpus);
    let running = pa.running / pb.running;
    let speed = pb.tpot.value() / pa.tpot.value();
    let s = &pa.decode_step;
    let parts = format!(
        "its step: compute {:.1} ms, memory {:.1} ms, communication {:.1} ms, overhead {:.1} ms",
        s.compute.ms(),
        s.memory.ms(),
        s.communication.ms(),
        s.overhead.ms()
    );
    let t = &pb.decode_step;
    let other = format!(
        "{lb}'s: compute {:.1}, memory {:.1}, communication {:.1}, overhead {:.1} ms",
        t.compute.ms(),
        t.memory.ms(),
        t.communication.ms(),
        t.overhead.ms()
    );
    format!(
        "{la} gives {ratio:.2}× the output tokens/s per GPU of {lb} ({:.0} vs {:.0}) and {:.2}× the tokens/s per user: \
         it runs {running:.2}× as many requests ({:.0} vs {:.0}; stopped by {} vs {}) at {speed:.2}× the speed per token \
         (TPOT {:.1} vs {:.1} ms; {parts}; {other}).",
        per_gpu(pa, gpus),
        per_gpu(pb, gpus),
        pa.tok_s_per_user / pb.tok_s_per_user,
        pa.running,
        pb.running,
        limit_words(pa.limit),
        limit_words(pb.limit),
        pa.tpot.ms(),
        pb.tpot.ms(),
    )
}

fn won(result: &SearchResult, winner: usize, gpus: u32) -> TraceStep {
    let w = &result.evaluations[winner];
    let pw = w.feasible().expect("the winner is feasible");
    let detail = match result.ranking.get(1) {
        Some(&runner) => {
            let r = &result.evaluations[runner];
            let pr = r.feasible().expect("ranked layouts are feasible");
            format!("Runner-up: {}. {}", r.layout, explain((&w.layout, pw), (&r.layout, pr), gpus))
        }
        None => "The only feasible layout.".to_string(),
    };
    step(
        "winner",
        format!("Best: {}", w.layout),
        detail,
        inputs(&[
            ("output_tok_s_per_gpu", per_gpu(pw, gpus)),
            ("tpot_ms", pw.tpot.ms()),
            ("ttft_ms", pw.ttft.ms()),
            ("concurrency", pw.concurrency),
        ]),
    )
}

fn versus_rule(result: &SearchResult, winner: usize, rule: Option<Layout>, gpus: u32) -> TraceStep {
    let w = &result.evaluations[winner];
    let pw = w.feasible().expect("the winner is feasible");
    let title = "Against the rule of thumb".to_string();
    let Some(rule) = rule else {
        return step("vs-rule-of-thumb", title, "The rule of thumb gives no usable layout here; the search does.".into(), Inputs::new());
    };
    let detail = match result.evaluations.iter().find(|e| e.layout == rule) {
        None => format!("The rule's {rule} is not among the enumerated layouts (the scenario fixes other sizes)."),
        Some(e) if e.layout == w.layout => format!("The rule of thumb's {rule} is also the best layout here."),
        Some(e) => match e.feasible() {
            Some(pr) => format!("Rule: {rule}; best: {}. {}", w.layout, explain((&w.layout, pw), (&rule, pr), gpus)),
            None => {
                let reasons: Vec<String> = e.reasons().iter().map(|r| r.to_string()).collect();
                format!("Rule: {rule}, which is rejected here: {}. Best: {}.", reasons.join("; "), w.layout)
            }
        },
    };
    step("vs-rule-of-thumb", title, detail, inputs(&[("rule_tp", rule.tp as f64), ("rule_pp", rule.pp as f64), ("rule_dp", rule.dp as f64)]))
}

fn nothing_feasible(result: &SearchResult) -> TraceStep {
    let reasons: Vec<String> = result
        .evaluations
        .iter()
        .filter_map(|e: &Evaluation| e.reasons().first().map(|r| (e, r)))
        .take(3)
        .map(|(e, r)| format!("{}: {r}", e.layout))
        .collect();
    step(
        "no-feasible-layout",
        "No layout is feasible".into(),
        format!("Every layout is rejected, for example {}. More GPUs, a lower precision or a looser SLA may help.", reasons.join("; ")),
        Inputs::new(),
    )
}
