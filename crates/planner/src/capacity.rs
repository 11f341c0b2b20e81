//! Capacity and cost (issue 14): per GPU kind, the smallest deployment that serves a target
//! load within the SLA, and what it costs in dollars and kilowatt-hours per million tokens.
//!
//! The planner's feature `capacity` (on by default, in the full page, not in the startup page,
//! where a scenario with `capacity` is an `InputError` on that field). The scenario's
//! `capacity` (`input`) names the load, the GPUs compared, the ceiling and prices; `sizing`
//! finds each GPU's count with the existing search and operating-point model (never a fork of
//! it: it changes the typed inputs' cluster and load and resolves the scenario on each GPU),
//! `cost` and `energy` price it with `prices` (the shipped data, kept equal to `data/` by the
//! tests), `compare` lays the rows side by side, `sweep` repeats it over a variable.
//! **Invariant:** a GPU that cannot serve the load is listed with its reason, never dropped;
//! a price or TDP the data lacks stays empty, never guessed.

pub mod compare;
pub mod cost;
pub mod energy;
pub mod input;
pub mod prices;
pub mod sizing;
pub mod sweep;

use crate::error::InputError;
use crate::inputs::PlannerInputs;
use crate::kernels::Library;
use crate::plan::capacity::{CapacityPlan, GpuSizing};
use crate::plan::{inputs_of, Candidate, TraceStep};
use crate::units::Seconds;
use input::CapacitySpec;

/// The scenario's `capacity`, read; `None` when it has none.
pub fn spec(inputs: &PlannerInputs) -> Result<Option<CapacitySpec>, InputError> {
    let Some(value) = &inputs.input.capacity else { return Ok(None) };
    let custom = (!inputs.input.gpu.is_string()).then_some(inputs.cluster.gpu.id.as_str());
    input::read(value, inputs.workload.osl, custom).map(Some)
}

/// The capacity plan of `spec` for the scenario of `inputs`.
pub fn plan(inputs: &PlannerInputs, spec: &CapacitySpec, library: &Library) -> Result<CapacityPlan, InputError> {
    let per_gpu: Vec<GpuSizing> =
        compare::compared(inputs, spec).iter().map(|gpu| compare::row(inputs, spec, gpu, library)).collect();
    Ok(CapacityPlan {
        target_request_rate: spec.request_rate,
        target_output_tok_s: spec.request_rate * inputs.workload.osl as f64,
        max_gpus: spec.max_gpus,
        price_level: spec.price_level.id().to_string(),
        per_gpu,
        sweep: sweep::sweep(inputs, spec, library)?,
        energy_model: energy::energy_model(),
        sizing_rule: SIZING_RULE.to_string(),
    })
}

/// How the count is found, in words (`sizing`'s module doc, short).
pub const SIZING_RULE: &str = "Per GPU kind: each replica size (the node's divisors, then 1, 2, 3, 4, 6, 8, 12, 16, … \
nodes) searched at its maximum-throughput point within the SLA; replicas = ⌈load ÷ a replica's requests/s⌉, in whole \
nodes for GPUs on multi-GPU boards or racks (single GPUs for PCIe cards and GH200), spare GPUs of a node serving as \
replicas; then checked at the load (Poisson arrivals, TTFT with queueing): a replica more if it misses the SLA, and one \
fewer must miss it. The fewest GPUs over the sizes wins. The scenario's nodes, gpus_per_node and layout are not used.";

/// The cost and energy of each candidate of the normal plan at its own operating point, on the
/// scenario's GPU and cluster.
pub fn annotate(inputs: &PlannerInputs, spec: &CapacitySpec, candidates: &mut [Candidate]) {
    let gpus = inputs.cluster.total_gpus() as f64;
    let price = cost::price_of(&inputs.cluster.gpu.id, spec).ok();
    let tdp = inputs.input.gpu.as_str().and_then(|_| prices::tdp_w(&inputs.cluster.gpu.id));
    let (isl, osl) = (inputs.workload.isl, inputs.workload.osl);
    for c in candidates.iter_mut() {
        let Some(tok_s) = c.output_tok_s else { continue };
        if let Some(p) = &price {
            c.usd_per_m_output_tokens = cost::usd_per_m_output(p.usd_per_gpu_hour, gpus, tok_s);
            c.usd_per_m_total_tokens = c.usd_per_m_output_tokens.map(|v| cost::per_m_total(v, isl, osl));
        }
        if let (Some(tdp), Some(step)) = (tdp, c.decode_step_ms) {
            let step = crate::perf::StepTime {
                compute: Seconds::from_ms(step.compute),
                memory: Seconds::from_ms(step.memory),
                communication: Seconds::from_ms(step.communication),
                overhead: Seconds::from_ms(step.overhead),
                total: Seconds::from_ms(step.total),
                bound: crate::perf::Bound::Memory,
            };
            let watts = energy::power_w(tdp, &step);
            c.power_w_per_gpu = Some(watts);
            c.kwh_per_m_output_tokens = energy::kwh_per_m_output(watts, gpus, tok_s);
            c.kwh_per_m_total_tokens = c.kwh_per_m_output_tokens.map(|v| cost::per_m_total(v, isl, osl));
        }
    }
}

/// The trace step (`capacity`): how the count was found for the scenario's GPU (when compared),
/// else for the first GPU that serves the load.
pub fn trace_step(inputs: &PlannerInputs, plan: &CapacityPlan) -> TraceStep {
    let own = plan.per_gpu.iter().find(|r| r.gpu == inputs.cluster.gpu.id);
    let row = own.filter(|r| r.feasible).or_else(|| plan.per_gpu.iter().find(|r| r.feasible)).or(own);
    let rate = plan.target_request_rate;
    let title = format!("Capacity: {rate:.3} req/s within the SLA");
    let Some(r) = row else {
        return TraceStep { id: "capacity".into(), title, detail: "No GPU was compared.".into(), inputs: inputs_of(&[("target_request_rate", rate)]) };
    };
    let feasible: Vec<&GpuSizing> = plan.per_gpu.iter().filter(|r| r.feasible).collect();
    let cheapest = feasible
        .iter()
        .filter_map(|r| r.usd_per_m_output_tokens.map(|c| (r, c)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map_or_else(String::new, |(r, c)| format!(" Cheapest per output token at the load: {} at ${c:.3} per million.", r.gpu));
    let (detail, numbers) = match (r.feasible, r.replica_layout, r.replica_capacity_req_s, r.replicas, r.gpus) {
        (true, Some(l), Some(cap), Some(n), Some(g)) => (
            format!(
                "On {}: one replica ({}, {} GPUs) completes {cap:.3} req/s at its maximum-throughput point within the SLA, so \
                 ⌈{rate:.3} ÷ {cap:.3}⌉ = {} replicas; checked at the load with Poisson arrivals (TTFT {:.0} ms with queueing, \
                 TPOT {:.1} ms), deployed as {n} replicas on {g} GPUs ({} nodes). Bottleneck: {}.{}{}",
                r.gpu,
                l,
                l.gpus(),
                (rate / cap).ceil(),
                r.ttft_ms.unwrap_or(f64::NAN),
                r.tpot_ms.unwrap_or(f64::NAN),
                r.nodes.unwrap_or(0),
                r.bottleneck.as_deref().unwrap_or("-"),
                format_args!(" {} of {} GPU kinds serve the load.", feasible.len(), plan.per_gpu.len()),
                cheapest,
            ),
            inputs_of(&[
                ("target_request_rate", rate),
                ("replica_capacity_req_s", cap),
                ("replica_gpus", l.gpus() as f64),
                ("replicas", n as f64),
                ("gpus", g as f64),
            ]),
        ),
        _ => (
            format!("On {}: {}", r.gpu, r.reason.as_deref().unwrap_or("not sized")),
            inputs_of(&[("target_request_rate", rate), ("max_gpus", plan.max_gpus as f64)]),
        ),
    };
    TraceStep { id: "capacity".into(), title, detail, inputs: numbers }
}

#[cfg(test)]
mod tests;
