//! The GPU comparison: every compared GPU kind sized for the load, costed and powered, side by
//! side; a GPU that cannot serve it is listed with the reason, never dropped.

use super::cost::{per_m_total, price_of, usd_per_m_output, Price};
use super::energy::{kwh_per_m_output, power_w};
use super::input::CapacitySpec;
use super::prices::{tdp_source, tdp_w};
use super::sizing::{size, Sizing};
use crate::error::InputError;
use crate::gpu::catalog as gpu_catalog;
use crate::inputs::{resolve_with, PlannerInputs};
use crate::kernels::Library;
use crate::layout::Layout;
use crate::plan::capacity::GpuSizing;
use crate::scenario::{ScenarioInput, WorkloadInput};
use crate::search::pareto;
use serde_json::Value;

/// The scenario planned on `gpu` alone, for sizing: no cluster, layout or load of its own
/// (the sizing sets them), the lengths, SLA, precisions, engine and parameters kept.
pub fn scenario_on(input: &ScenarioInput, gpu: Value, isl: f64, osl: f64) -> ScenarioInput {
    ScenarioInput {
        gpu,
        nodes: None,
        gpus_per_node: None,
        layout: None,
        capacity: None,
        workload: WorkloadInput { isl, osl, concurrency: None, request_rate: None, arrivals: None },
        ..input.clone()
    }
}

/// The GPUs compared: the asked catalog ids, the scenario's custom GPU first when none were asked.
pub fn compared(inputs: &PlannerInputs, spec: &CapacitySpec) -> Vec<Value> {
    let mut gpus = Vec::new();
    if !inputs.input.gpu.is_string() && !spec.gpus_given {
        gpus.push(inputs.input.gpu.clone());
    }
    gpus.extend(spec.gpus.iter().map(|id| Value::String(id.clone())));
    gpus
}

/// The id a row shows: the catalog id, or the custom GPU's name.
pub fn gpu_label(gpu: &Value, resolved: Option<&PlannerInputs>) -> String {
    match (gpu, resolved) {
        (Value::String(id), _) => id.clone(),
        (_, Some(r)) => r.cluster.gpu.id.clone(),
        (other, None) => other.get("name").and_then(Value::as_str).unwrap_or("custom").to_string(),
    }
}

/// The scenario resolved on `gpu` (the lengths of `inputs`' workload).
pub fn resolve_on(inputs: &PlannerInputs, gpu: &Value, library: &Library) -> Result<PlannerInputs, InputError> {
    let w = &inputs.workload;
    resolve_with(&scenario_on(&inputs.input, gpu.clone(), w.isl as f64, w.osl as f64), library)
}

/// One GPU kind sized for `rate` and costed.
pub fn row(inputs: &PlannerInputs, spec: &CapacitySpec, gpu: &Value, library: &Library) -> GpuSizing {
    let resolved = resolve_on(inputs, gpu, library);
    let label = gpu_label(gpu, resolved.as_ref().ok());
    let price = price_of(&label, spec);
    let mut out = empty_row(label.clone(), &price);
    let base = match resolved {
        Ok(base) => base,
        Err(e) => {
            out.reason = Some(format!("cannot plan on {label}: {}", e.message));
            return out;
        }
    };
    out.notes.extend(gpu_catalog::rate_note(&base.cluster.gpu, base.precision.weights.compute_rate()));
    if let Err(why) = &price {
        out.notes.push(why.clone());
    }
    out.tdp_w = gpu.as_str().and_then(tdp_w);
    out.tdp_source = gpu.as_str().and_then(tdp_source).map(str::to_string);
    out.sla_tok_s_per_user = base.workload.sla.tpot.map(|t| 1.0 / t.value());
    match size(&base, spec.request_rate, spec.max_gpus) {
        Ok(sized) => fill(&mut out, &base, &sized, spec.request_rate, price.ok().as_ref()),
        Err(cannot) => out.reason = Some(cannot.0),
    }
    out
}

/// A row with nothing sized yet.
fn empty_row(gpu: String, price: &Result<Price, String>) -> GpuSizing {
    let p = price.as_ref().ok();
    GpuSizing {
        gpu,
        feasible: false,
        reason: None,
        notes: Vec::new(),
        gpus: None,
        nodes: None,
        layout: None,
        replica_layout: None,
        replicas: None,
        replica_capacity_req_s: None,
        bottleneck: None,
        output_tok_s_per_gpu: None,
        tok_s_per_user: None,
        ttft_ms: None,
        tpot_ms: None,
        usd_per_gpu_hour: p.map(|p| p.usd_per_gpu_hour),
        price_source: p.map(|p| p.source.clone()),
        price_date: p.and_then(|p| p.date.clone()),
        usd_per_m_output_tokens: None,
        usd_per_m_total_tokens: None,
        usd_per_m_output_tokens_at_capacity: None,
        usd_per_m_total_tokens_at_capacity: None,
        power_w_per_gpu: None,
        tdp_w: None,
        tdp_source: None,
        kwh_per_m_output_tokens: None,
        kwh_per_m_total_tokens: None,
        cost_vs_interactivity: Vec::new(),
        sla_tok_s_per_user: None,
    }
}

/// The sized figures into `out`; at `rate` requests per second the deployment makes
/// `rate × OSL` output tokens per second (the steady state completes what arrives).
fn fill(out: &mut GpuSizing, base: &PlannerInputs, sized: &Sizing, rate: f64, price: Option<&Price>) {
    let (isl, osl) = (base.workload.isl, base.workload.osl);
    let gpus = sized.gpus as f64;
    let replicas = sized.replicas as f64;
    let served_tok_s = rate * osl as f64;
    let capacity_tok_s = sized.replica_max.output_tok_s * replicas;
    let r = sized.replica;
    out.feasible = true;
    out.gpus = Some(sized.gpus);
    out.nodes = Some(sized.nodes);
    out.layout = Layout::new(r.tp, r.pp, r.dp * sized.replicas, r.ep, sized.replica_size * sized.replicas).ok();
    out.replica_layout = Some(r);
    out.replicas = Some(sized.replicas);
    out.replica_capacity_req_s = Some(sized.replica_capacity_req_s);
    out.bottleneck = Some(sized.bottleneck.id().to_string());
    out.output_tok_s_per_gpu = Some(served_tok_s / gpus);
    out.tok_s_per_user = Some(sized.served.tok_s_per_user);
    out.ttft_ms = Some(sized.served.ttft.ms());
    out.tpot_ms = Some(sized.served.tpot.ms());
    if let Some(p) = price {
        let usd = p.usd_per_gpu_hour;
        out.usd_per_m_output_tokens = usd_per_m_output(usd, gpus, served_tok_s);
        out.usd_per_m_total_tokens = out.usd_per_m_output_tokens.map(|c| per_m_total(c, isl, osl));
        out.usd_per_m_output_tokens_at_capacity = usd_per_m_output(usd, gpus, capacity_tok_s);
        out.usd_per_m_total_tokens_at_capacity = out.usd_per_m_output_tokens_at_capacity.map(|c| per_m_total(c, isl, osl));
        out.cost_vs_interactivity = front(sized, usd);
    }
    if let Some(tdp) = out.tdp_w {
        let watts = power_w(tdp, &sized.served.decode_step);
        out.power_w_per_gpu = Some(watts);
        out.kwh_per_m_output_tokens = kwh_per_m_output(watts, gpus, served_tok_s);
        out.kwh_per_m_total_tokens = out.kwh_per_m_output_tokens.map(|k| per_m_total(k, isl, osl));
    }
}

/// The Pareto front of (tokens/s per user, $ per M output tokens) over the replica size's
/// feasible layouts at their maximum-throughput points, fastest per user first.
fn front(sized: &Sizing, usd_per_gpu_hour: f64) -> Vec<[f64; 2]> {
    let points: Vec<[f64; 2]> = sized
        .alternatives
        .iter()
        .filter_map(|p| usd_per_m_output(usd_per_gpu_hour, sized.replica_size as f64, p.output_tok_s).map(|c| [p.tok_s_per_user, c]))
        .collect();
    let all: Vec<usize> = (0..points.len()).collect();
    pareto(&all, |i| (points[i][0], -points[i][1])).into_iter().map(|i| points[i]).collect()
}
