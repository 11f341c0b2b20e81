//! The quantitative decision, step by step: what was enumerated, what was rejected and why
//! (with counts), how the survivors were ranked, why the winner won, and where and why it
//! differs from the rule of thumb.
//!
//! Design decision: every sentence is built from the search's own numbers — counts from the
//! verdicts, ratios from the operating points, parts from the step times — so the trace can
//! never say something the estimate does not. With kernel tables, the winner's decode and
//! prefill steps are listed by operation, each with its time and where it comes from (the
//! table and the measured points around the look-up, or why the roofline times it), from the
//! same `StageCost::operations` whose times sum to the step.

use super::evaluate::{prepare, Evaluation};
use super::inputs::PlannerInputs;
use super::kernels::KernelTables;
use super::layout::Layout;
use super::perf::ops::{describe_lookup, Uncovered};
use super::perf::{Batch, Kind, Limit, Op, OperatingPoint};
use super::reject::RejectReason;
use super::scenario::StepModel;
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
            // Never without the `kernel-tables` feature (`resolve` refuses the step model): the
            // constant leaves the step operations' trace out of the startup page.
            if cfg!(feature = "kernel-tables") && inputs_.step_model == StepModel::KernelTables {
                steps.extend(operations(inputs_, &result.evaluations[winner]));
            }
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
            "Continuous batching, staggered arrivals: every step decodes the running requests, and a share of the steps \
             also prefills a new prompt's chunk as others finish (a MoE model's attention-DP groups step together, so each \
             waits for any group's chunk); TPOT is the mean step."
        }
        (_, Arrivals::Synchronized) => {
            "Synchronized arrivals, as a closed-loop benchmark with fixed lengths runs: each wave prefills all its prompts \
             together (chunked by the token cap), then decodes with no prefill mixed in; TTFT is the mean over the wave, \
             TPOT (latency − TTFT)/(OSL − 1) as vLLM computes it."
        }
        #[cfg(feature = "benchmark-arrivals")]
        (_, Arrivals::Benchmark) => {
            "A benchmark client's closed loop (AIPerf, 20 rounds after 2 warm-up rounds, streaming): steps as with staggered \
             arrivals; TTFT adds the client's front end (per layer) and a share of a synchronized wave's prefill queue, \
             TPOT the same share of the wave's prefill interference; both constants fitted per engine on aiconfigurator's \
             silicon sample."
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
    // Overloaded layouts: the one that serves the most.
    let served = result
        .evaluations
        .iter()
        .filter_map(|e| match e.reasons().first() {
            Some(RejectReason::Saturated { offered, max }) => Some((e.layout, *offered, *max)),
            _ => None,
        })
        .max_by(|a, b| a.2.total_cmp(&b.2));
    let (most, numbers) = match served {
        Some((layout, offered, max)) => (
            format!(" The offered {offered:.2} req/s overloads every layout that runs: the most any serves is {max:.2} req/s ({layout})."),
            inputs(&[("offered_req_s", offered), ("most_served_req_s", max)]),
        ),
        None => (String::new(), Inputs::new()),
    };
    step(
        "no-feasible-layout",
        "No layout is feasible".into(),
        format!(
            "Every layout is rejected, for example {}.{most} More GPUs, a lower precision or a looser SLA may help.",
            reasons.join("; ")
        ),
        numbers,
    )
}

/// The winner's decode and prefill steps by operation, each with its time and source.
fn operations(inputs_: &PlannerInputs, winner: &Evaluation) -> Option<TraceStep> {
    let point = winner.feasible()?;
    let prepared = prepare(inputs_, winner.layout).ok()?;
    let cost = prepared.cost(inputs_, &inputs_.params);
    let tables = inputs_.kernels.as_deref();
    let no_tables = inputs_.no_tables();
    let mut phases = Vec::new();
    let mut numbers = Inputs::new();
    for (phase, batch) in [("decode", &point.decode_batch), ("prefill", &point.prefill_batch)] {
        let ops = cost.operations(batch);
        let total: f64 = ops.iter().fold(0.0, |sum, o| sum + o.time.ms());
        let from_tables: f64 = ops.iter().filter(|o| from_table(&o.op)).fold(0.0, |sum, o| sum + o.time.ms());
        let listed: Vec<String> = ops
            .iter()
            .filter(|o| !absent(&o.op) && o.time.value() > 0.0)
            .map(|o| {
                let bound = match (o.compute.value(), o.memory.value()) {
                    (0.0, 0.0) => "",
                    (c, m) if c >= m => ", compute-bound",
                    _ => ", memory-bound",
                };
                let source = op_source(&o.op, tables, &no_tables, inputs_.params.moe_routing_skew);
                format!("{} {}{bound} [{source}]", op_name(&o.op), op_time(o.time.ms()))
            })
            .collect();
        phases.push(format!(
            "{phase} step ({}): {total:.3} ms, {from_tables:.3} ms of it from the tables — {}",
            describe_batch(batch),
            listed.join("; ")
        ));
        numbers.insert(format!("{phase}_step_ms"), total);
        numbers.insert(format!("{phase}_from_tables_ms"), from_tables);
    }
    Some(step(
        "step-operations",
        format!("Step operations of {}", winner.layout),
        format!("{}.", phases.join(". ")),
        numbers,
    ))
}

/// An operation's time: milliseconds to the microsecond, or microseconds below one (a decode
/// step's recurrent update of a few sequences takes well under a microsecond).
fn op_time(ms: f64) -> String {
    if ms >= 0.001 {
        format!("{ms:.3} ms")
    } else {
        format!("{:.3} µs", ms * 1000.0)
    }
}

fn describe_batch(b: &Batch) -> String {
    format!(
        "{:.1} sequences decoding at {:.0} cached tokens, {:.0} prompt tokens at {:.0} keys each",
        b.decode_tokens, b.decode_context, b.prefill_tokens, b.prefill_context
    )
}

/// Whether an operation's time comes from a kernel table.
fn from_table(op: &Op) -> bool {
    match op {
        Op::Gemm { .. } | Op::Attention { .. } | Op::Experts { .. } => true,
        Op::AllReduce { op, .. } | Op::AllToAll { op, .. } => op.is_ok(),
        Op::Roofline { .. } | Op::PipelineSend | Op::Replicated { .. } | Op::Overhead { .. } => false,
    }
}

/// An operation the stage does not run (no experts, no TP, no dispatch).
fn absent(op: &Op) -> bool {
    matches!(
        op,
        Op::Roofline { why: Uncovered::Absent, .. }
            | Op::AllReduce { op: Err(Uncovered::Absent), .. }
            | Op::AllToAll { op: Err(Uncovered::Absent), .. }
    )
}

fn op_name(op: &Op) -> String {
    match op {
        Op::Gemm { op, m } => {
            let g = &op.gemm;
            format!("{} ×{} (n {:.0}, k {:.0}, m {m:.1})", g.projection.name(), g.count, g.n, g.k)
        }
        Op::Attention { op, b, s } => {
            let phase = if op.prefill { "prefill" } else { "decode" };
            let kind = if op.shape.mla { "MLA" } else { "GQA" };
            format!("{phase} attention ({kind}, {:.0} heads/GPU) ×{} (b {b:.2}, s {s:.0})", op.shape.heads, op.layers)
        }
        Op::Experts { op, tokens, .. } => format!(
            "routed experts ×{} ({tokens:.1} tokens, {:.0} local experts {:.0} wide)",
            op.layers, op.local_experts, op.width
        ),
        Op::Roofline { kind, .. } => match kind {
            Kind::Linear => "linear layers".into(),
            Kind::Experts => "routed experts".into(),
            Kind::DecodeAttention => "decode attention".into(),
            Kind::PrefillAttention => "prefill attention".into(),
            Kind::Indexer => "sparse-attention indexer".into(),
            Kind::Recurrent => "recurrent step and scan (linear attention, Mamba2)".into(),
        },
        Op::AllReduce { bytes, op } => {
            let count = op.as_ref().map_or(String::new(), |(c, _)| format!(" ×{:.0}", c.count));
            format!("TP all-reduce{count} ({:.1} KiB)", bytes / 1024.0)
        }
        Op::AllToAll { bytes, op } => {
            let count = op.as_ref().map_or(String::new(), |(c, _)| format!(" ×{:.0}", c.count));
            format!("EP dispatch and combine{count} ({:.1} KiB per GPU)", bytes / 1024.0)
        }
        Op::PipelineSend => "PP send".into(),
        Op::Replicated { state: false } => "replicated element-wise traffic".into(),
        Op::Replicated { state: true } => "replicated element-wise traffic and recurrent state".into(),
        Op::Overhead { moe_layers: false } => "step, layer and sequence overheads".into(),
        Op::Overhead { moe_layers: true } => "step, layer, MoE-layer and sequence overheads".into(),
    }
}

/// Where an operation's time comes from: the table and the measured points around the look-up,
/// or why the roofline (or the link model) times it.
fn op_source(op: &Op, tables: Option<&KernelTables>, no_tables: &str, skew: f64) -> String {
    let lookup = |table: usize, point: &[f64]| tables.map_or(String::new(), |t| describe_lookup(t, table, point));
    let roofline = |why: &Uncovered, with: &str| format!("roofline with the fitted {with}: {}", why.describe(tables, no_tables));
    match op {
        Op::Gemm { op, m } => lookup(op.table, &[op.gemm.n, op.gemm.k, *m]),
        Op::Attention { op, b, s } => {
            let sh = &op.shape;
            let mut text = lookup(op.table, &[sh.heads, *b * op.batch_scale, *s]);
            if !sh.mla && sh.kv_heads != sh.table_kv_heads {
                let (kv, table_kv, scale) = (sh.kv_heads, sh.table_kv_heads, op.batch_scale);
                text += &format!("; B at the model's {kv:.0} KV heads per GPU (the table's gqa=8: {table_kv:.0}), u at {scale}× b");
            }
            // Keys and values of their own sizes are timed at their mean (`GqaDims::mean_head_dim`).
            let mean = sh.key_value_dims.map_or(String::new(), |(k, v)| format!(" (the mean of keys of {k} and values of {v})"));
            if !sh.mla && sh.head_dim != sh.table_head_dim {
                text += &format!("; head dim {:.0}{mean}: the nearest table, d={:.0}, F and B at {:.0}", sh.head_dim, sh.table_head_dim, sh.head_dim);
            } else if !mean.is_empty() {
                text += &format!("; head dim {:.0}{mean}: the table's", sh.head_dim);
            }
            match op.window {
                Some(w) if op.sparse => text += &format!("; sparse attention: timed at min(context, {w:.0}), the tokens the indexer picks"),
                Some(w) => text += &format!("; sliding window: timed at min(context, {w:.0})"),
                None => {}
            }
            text
        }
        Op::Experts { op, tokens, routing } => {
            let gemm = match (op.gemm_table, tables) {
                (Some(g), Some(t)) => format!(
                    "; its GEMM part rescaled to {:.0} local experts {:.0} wide by {} ({}, {} {}) at {:.2} tokens per expert, one GEMM as large as them (the tables time no thin per-expert GEMM inside a grouped kernel), its fixed part kept",
                    op.local_experts,
                    op.width,
                    t.tables[g].name(),
                    t.system,
                    t.engine,
                    t.engine_version,
                    tokens * op.share
                ),
                _ => "; no gemm table for its dtype: the row's utilisation at this GPU's work".into(),
            };
            format!(
                "{} (the nearest measured shape, at the same {:.2} tokens per expert){gemm}; routing skew {skew}: ×{routing:.3} (moe_routing)",
                lookup(op.table, &[tokens * op.to_row]),
                tokens * op.share
            )
        }
        Op::Roofline { kind, why } => roofline(
            why,
            match kind {
                Kind::Linear | Kind::Recurrent => "GEMM and HBM efficiencies",
                Kind::Experts => "GEMM, HBM and MoE efficiencies, reading the touched experts of the slowest expert-parallel rank",
                Kind::DecodeAttention | Kind::PrefillAttention | Kind::Indexer => "attention and HBM efficiencies",
            },
        ),
        Op::AllReduce { op: Ok((c, table)), bytes } | Op::AllToAll { op: Ok((c, table)), bytes } => {
            lookup(*table, &[c.gpus as f64, c.table_bytes(*bytes).max(1.0)])
        }
        Op::AllReduce { op: Err(why), .. } | Op::AllToAll { op: Err(why), .. } => roofline(why, "link efficiency and latencies"),
        Op::PipelineSend => "link model with the fitted link efficiency and latencies".into(),
        Op::Replicated { state: false } => "roofline: the activation vectors every TP rank reads and writes, at the fitted HBM efficiency".into(),
        Op::Replicated { state: true } => "roofline: the activation vectors every TP rank reads and writes, and each sequence's linear-attention or Mamba2 state, read and written once per step, at the fitted HBM efficiency".into(),
        Op::Overhead { moe_layers: false } => "the fitted step, layer and sequence overheads".into(),
        Op::Overhead { moe_layers: true } => "the fitted step, layer and sequence overheads, and the MoE layers' fixed cost (the routed experts are timed by the roofline)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::op_time;

    /// An operation under a microsecond (a decode step's recurrent update of a few sequences)
    /// shows its time in microseconds, not as "0.000 ms".
    #[test]
    fn an_operation_under_a_microsecond_shows_in_microseconds() {
        assert_eq!(op_time(0.043), "0.043 ms");
        assert_eq!(op_time(0.001), "0.001 ms");
        assert_eq!(op_time(0.000_063_2), "0.063 µs");
    }
}
