//! The disaggregated search in the plan's terms: candidates with their parts, ranges and labels,
//! and the trace step that says in numbers why disaggregation wins or not.
//!
//! Ranges (`perf::ranges`, nothing measured for disaggregated serving): each side is looked up
//! as the aggregated figures are — the decode worker's decode-bound point gives TPOT's range,
//! the prefill worker's prefill-bound point TTFT's (on all of TTFT but the transfer: under
//! benchmark arrivals the client's front end and clustered wait too, as the aggregated range
//! takes the client's whole TTFT) —, tokens/s per GPU takes the wider of the
//! two sides' (either may bind). The KV transfer has no measurement at all: its time is taken
//! anywhere within the factor the link efficiency could be off inside its bounds
//! (`ranges::link_factor`, as for communication across nodes), added to TTFT's range, and
//! `range_basis.widened_for` says `kv-transfer-not-measured` — unless the scenario's
//! `perf_params` carry a user's fit that freed `kv_transfer_efficiency` (`fit.free`, from
//! disaggregated runs whose TTFT includes the transfer): then the whole TTFT, transfer included,
//! takes the fit's TTFT residuals as other fitted figures do, and `range_basis.regime` ends in
//! `KV transfer: fitted to the user's disaggregated runs`.

use super::super::evaluate::Evaluation;
use super::super::gpu::LinkTier;
use super::super::inputs::PlannerInputs;
use super::super::layout::Layout;
use super::super::perf::ranges::{self, Calibration, Regime};
use super::super::perf::{Limit, OperatingPoint, StepTime};
use super::super::plan::disagg::{DecodeWorkers, DisaggCandidate, PrefillWorkers};
use super::super::plan::{inputs_of, Range, RangeBasis, TraceStep};
use super::super::units::{Bytes, Seconds};
use super::pairing::{PairReason, Served};
use super::transfer::Transfer;
use super::workers::{DecodeWorker, PrefillWorker, Unpaired};
use std::borrow::Cow;

/// `TP4`, `TP8 EP8`, `TP1 DP8 EP8`, `TP4 PP2`.
pub fn short(l: &Layout) -> String {
    let mut s = format!("TP{}", l.tp);
    for (name, v) in [("PP", l.pp), ("DP", l.dp), ("EP", l.ep)] {
        if v > 1 {
            s.push_str(&format!(" {name}{v}"));
        }
    }
    s
}

/// `2 × P TP4 + 1 × D TP8 EP8`.
pub fn label(x: u32, p: &Layout, y: u32, d: &Layout) -> String {
    format!("{x} × P {} + {y} × D {}", short(p), short(d))
}

/// One pair in the plan's terms; `served` is the chosen x:y's figures (absent when not even one
/// worker of each fits).
#[allow(clippy::too_many_arguments)]
pub fn candidate(
    inputs: &PlannerInputs,
    regime: &Regime,
    p: &PrefillWorker,
    d: &DecodeWorker,
    transfer: &Transfer,
    served: Option<&Served>,
    reason: Option<&PairReason>,
) -> DisaggCandidate {
    let osl = inputs.workload.osl.max(1) as f64;
    let (x, y) = served.map_or((1, 1), |s| (s.x, s.y));
    let (pl, dl) = (p.prepared.layout, d.prepared.layout);
    let overloaded = matches!(reason, Some(PairReason::Saturated { .. }));
    let steady = served.filter(|_| !overloaded);
    let gpus_used = x * pl.gpus() + y * dl.gpus();
    let cluster = inputs.cluster.total_gpus();
    let ranged = steady.and_then(|s| range(inputs, regime, p, d, transfer, s));
    let (range, range_basis) = ranged.map_or((None, None), |(r, b)| (Some(r), Some(b)));
    DisaggCandidate {
        prefill: PrefillWorkers {
            layout: pl,
            count: x,
            gpus: x * pl.gpus(),
            batch: p.batch,
            ttft_prefill_ms: p.time.ms(),
            capacity_req_s: x as f64 * p.capacity,
            memory_per_gpu_gib: p.prepared.memory.gib(),
            step_ms: p.step.parts_ms(),
        },
        decode: DecodeWorkers {
            layout: dl,
            count: y,
            gpus: y * dl.gpus(),
            batch: served.map_or(d.batch * dl.dp as f64, |s| s.decode_batch),
            max_batch: d.batch * dl.dp as f64,
            max_batch_limit: d.limit.to_string(),
            tpot_ms: served.map_or(d.tpot, |s| s.tpot).ms(),
            capacity_req_s: y as f64 * d.capacity,
            memory_per_gpu_gib: d.prepared.memory.gib(),
            step_ms: served.map_or(&d.step, |s| &s.step).parts_ms(),
        },
        gpus_used,
        idle_gpus: cluster.saturating_sub(gpus_used),
        kv_transfer_mib: transfer.bytes.value() / MIB,
        kv_transfer_ms: transfer.time.ms(),
        kv_transfer_link: link_id(transfer.link).to_string(),
        ttft_ms: steady.map(|s| s.ttft.ms()),
        queue_ms: steady.map(|s| s.queue.ms()),
        front_end_ms: steady.and_then(|s| s.client).map(|c| c.front_end.ms()),
        clustered_wait_ms: steady.and_then(|s| s.client).map(|c| c.clustered_wait.ms()),
        tpot_ms: served.map(|s| s.tpot.ms()),
        output_tok_s: served.map(|s| s.rate * osl),
        output_tok_s_per_gpu: served.map(|s| s.rate * osl / cluster as f64),
        tok_s_per_user: served.map(|s| 1.0 / s.tpot.value()),
        request_rate: served.map(|s| s.rate),
        feasible: reason.is_none(),
        rejected_because: reason.map(|r| r.code().to_string()),
        rejected_detail: reason.map(|r| r.to_string()),
        label: label(x, &pl, y, &dl),
        range,
        range_basis,
    }
}

const MIB: f64 = 1024.0 * 1024.0;

fn link_id(link: LinkTier) -> &'static str {
    match link {
        LinkTier::ScaleUp => "scale-up",
        LinkTier::ScaleOut => "scale-out",
    }
}

/// A worker's figures as an operating point, for the range table's look-up: `prefill_share` 1
/// for a prefill worker (the prefill-bound cell), 0 for a decode worker.
fn point(p: &PrefillWorker, step: StepTime, s: &Served, osl: f64, prefill_share: f64) -> OperatingPoint {
    OperatingPoint {
        concurrency: s.decode_batch,
        running: s.decode_batch,
        ttft: p.time,
        tpot: s.tpot,
        output_tok_s: s.rate * osl,
        tok_s_per_user: 1.0 / s.tpot.value(),
        request_rate: s.rate,
        queue_wait: Seconds::ZERO,
        front_end: Seconds::ZERO,
        decode_step: step,
        decode_batch: s.step_batch,
        prefill_step: p.step,
        prefill_batch: p.step_batch,
        prefill_share,
        limit: Limit::Offered,
    }
}

/// The candidate's ranges (module doc).
fn range(
    inputs: &PlannerInputs,
    regime: &Regime,
    p: &PrefillWorker,
    d: &DecodeWorker,
    transfer: &Transfer,
    s: &Served,
) -> Option<(Range, RangeBasis)> {
    let osl = inputs.workload.osl.max(1) as f64;
    let table = ranges::shipped();
    let group = inputs.cluster.scale_up_group();
    let (ps, pb) = ranges::speeds(table, regime, &p.prepared.layout, group, &point(p, p.step, s, osl, 1.0), true)?;
    let (ds, db) = ranges::speeds(table, regime, &d.prepared.layout, group, &point(p, s.step, s, osl, 0.0), true)?;
    let per_gpu = s.rate * osl / inputs.cluster.total_gpus() as f64;
    let lo = ps.output_tok_s_per_gpu[0].min(ds.output_tok_s_per_gpu[0]);
    let hi = ps.output_tok_s_per_gpu[1].max(ds.output_tok_s_per_gpu[1]);
    let before = match s.client {
        Some(c) => (c.front_end + s.queue + p.time + c.clustered_wait).ms(),
        None => (p.time + s.queue).ms(),
    };
    let t = transfer.time.ms();
    // A user's fit that freed the transfer's efficiency from disaggregated runs measured the
    // transfer inside their TTFT: the whole TTFT then rests on the fit's residuals.
    let transfer_fitted = match regime.calibration {
        Calibration::UserFitted(f) => f.kv_transfer && f.ttft_ms.is_some(),
        Calibration::Shipped | Calibration::UserSet => false,
    };
    let ttft = if transfer_fitted {
        [(before + t) * (-ps.ttft_ms[1]).exp(), (before + t) * (-ps.ttft_ms[0]).exp()]
    } else {
        let factor = ranges::link_factor(inputs.params.link_efficiency);
        [before * (-ps.ttft_ms[1]).exp() + t / factor, before * (-ps.ttft_ms[0]).exp() + t * factor]
    };
    let tpot = [s.tpot.ms() * (-ds.tpot_ms[1]).exp(), s.tpot.ms() * (-ds.tpot_ms[0]).exp()];
    let mut widened: Vec<Cow<'static, str>> = db.widened_for;
    for w in pb.widened_for {
        if !widened.contains(&w) {
            widened.push(w);
        }
    }
    let transfer_basis = if transfer_fitted {
        "; KV transfer: fitted to the user's disaggregated runs (TTFT on the fit's residuals)"
    } else {
        widened.push(Cow::Borrowed("kv-transfer-not-measured"));
        ""
    };
    let basis = RangeBasis {
        nominal: db.nominal,
        regime: format!("prefill: {}; decode: {}{transfer_basis}", pb.regime, db.regime),
        user_calibrated: db.user_calibrated,
        widened_for: widened,
    };
    let range = Range { output_tok_s_per_gpu: [per_gpu * lo.exp(), per_gpu * hi.exp()], ttft_ms: ttft, tpot_ms: tpot };
    Some((range, basis))
}

/// The trace step `disaggregation`: the best of each kind in numbers, the x:y and the two
/// sides' capacities, and which is recommended.
pub fn trace_step(
    inputs: &PlannerInputs,
    best: Option<&DisaggCandidate>,
    aggregated: Option<&Evaluation>,
    kv_bytes: Bytes,
    mode: Option<&str>,
    unpaired: &[Unpaired],
) -> TraceStep {
    let w = &inputs.workload;
    let gpus = inputs.cluster.total_gpus() as f64;
    let tpot_limit = w.sla.tpot.map_or_else(|| "no TPOT limit".to_string(), |t| format!("TPOT ≤ {:.0} ms", t.ms()));
    let mut numbers = vec![
        ("isl", w.isl as f64),
        ("osl", w.osl as f64),
        ("kv_transfer_mib_per_request", kv_bytes.value() / MIB),
    ];
    let mut detail = String::new();
    let agg = aggregated.and_then(|e| e.feasible().map(|p| (e, p)));
    match best {
        Some(c) => {
            let (p, d) = (&c.prefill, &c.decode);
            let per_gpu = c.output_tok_s_per_gpu.unwrap_or(0.0);
            let binds = if p.capacity_req_s <= d.capacity_req_s { "prefill" } else { "decode" };
            detail.push_str(&format!(
                "At {tpot_limit}, a decode worker of {} holds {:.0} requests ({}), {:.2} req/s at {:.1} ms per token; a prefill worker of {} prefills {:.0} prompts of {} tokens per step, {:.1} ms per prompt, {:.2} req/s. {} balances them: prefill {:.2} req/s, decode {:.2} req/s ({binds} binds), on {} of the cluster's {} GPUs ({} idle); the KV cache moves {:.1} MiB per request in {:.1} ms over the {} link. {:.1} output tokens/s per GPU of the cluster, {:.1} tokens/s per user.",
                short(&d.layout),
                d.max_batch,
                d.max_batch_limit,
                d.capacity_req_s / d.count.max(1) as f64,
                d.tpot_ms,
                short(&p.layout),
                p.batch,
                w.isl,
                p.ttft_prefill_ms,
                p.capacity_req_s / p.count.max(1) as f64,
                c.label,
                p.capacity_req_s,
                d.capacity_req_s,
                c.gpus_used,
                gpus,
                c.idle_gpus,
                c.kv_transfer_mib,
                c.kv_transfer_ms,
                c.kv_transfer_link,
                per_gpu,
                c.tok_s_per_user.unwrap_or(0.0),
            ));
            numbers.extend([
                ("disagg_tok_s_per_gpu", per_gpu),
                ("disagg_gpus_used", c.gpus_used as f64),
                ("disagg_idle_gpus", c.idle_gpus as f64),
                ("prefill_workers", p.count as f64),
                ("decode_workers", d.count as f64),
                ("prefill_capacity_req_s", p.capacity_req_s),
                ("decode_capacity_req_s", d.capacity_req_s),
                ("decode_batch_per_worker", d.max_batch),
                ("kv_transfer_ms", c.kv_transfer_ms),
            ]);
        }
        None => detail.push_str("No disaggregated candidate meets the scenario (the candidates say why)."),
    }
    if let Some((e, p)) = agg {
        let per_gpu = p.output_tok_s / gpus;
        detail.push_str(&format!(
            " Aggregated, the best layout {} holds {:.0} requests across the cluster at {:.1} ms per token, {:.0} % of its step time prefilling {}-token prompts in the same steps: {:.1} output tokens/s per GPU of the cluster.",
            e.layout,
            p.running,
            p.tpot.ms(),
            100.0 * p.prefill_share,
            w.isl,
            per_gpu
        ));
        numbers.extend([("aggregated_tok_s_per_gpu", per_gpu), ("aggregated_running", p.running)]);
        if let Some(per_gpu_d) = best.and_then(|c| c.output_tok_s_per_gpu) {
            let ratio = per_gpu_d / per_gpu.max(f64::MIN_POSITIVE);
            detail.push_str(&format!(" Disaggregated gives {ratio:.2}× the tokens/s per GPU."));
            numbers.push(("disagg_over_aggregated", ratio));
        }
    } else {
        detail.push_str(" No aggregated layout meets the scenario.");
    }
    if !unpaired.is_empty() {
        let layouts: u32 = unpaired.iter().map(|u| u.layouts).sum();
        let sizes: Vec<String> = unpaired.iter().map(|u| u.size.to_string()).collect();
        detail.push_str(&format!(
            " Not judged: {layouts} worker layouts per role of {} GPUs, beside which the cluster has fewer GPUs than the {} any worker needs to hold the weights once.",
            sizes.join(", "),
            unpaired[0].smallest
        ));
        numbers.push(("worker_layouts_not_judged", layouts as f64));
    }
    if let Some(mode) = mode {
        detail.push_str(&format!(" Ranked by the scenario's priority, {mode} serving comes first."));
    }
    TraceStep {
        id: "disaggregation".into(),
        title: match mode {
            Some(m) => format!("Disaggregated or aggregated: {m}"),
            None => "Disaggregated prefill/decode".to_string(),
        },
        detail,
        inputs: inputs_of(&numbers),
    }
}
