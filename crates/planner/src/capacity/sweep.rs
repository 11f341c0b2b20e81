//! What-if sweeps: GPUs needed and USD per million output tokens (at the load) at each value of
//! ISL, OSL or the request rate.
//!
//! Design decision: a sweep covers the GPUs of `capacity.gpus` when the scenario names them,
//! else the scenario's own GPU only: a sweep sizes every GPU once per value, and the whole
//! catalog × 16 values would leave the page's time budget.

use super::compare::{compared, row};
use super::input::{CapacitySpec, SweepVariable, SECONDS_PER_DAY};
use crate::error::InputError;
use crate::inputs::PlannerInputs;
use crate::kernels::Library;
use crate::plan::capacity::{SweepPlan, SweepSeries};
use serde_json::Value;

/// The sweep of `spec`, when it has one.
pub fn sweep(inputs: &PlannerInputs, spec: &CapacitySpec, library: &Library) -> Result<Option<SweepPlan>, InputError> {
    let Some((variable, values)) = &spec.sweep else { return Ok(None) };
    let gpus: Vec<Value> = if spec.gpus_given { compared(inputs, spec) } else { vec![inputs.input.gpu.clone()] };
    let mut per_gpu: Vec<SweepSeries> = Vec::new();
    for (i, &value) in values.iter().enumerate() {
        let (at, at_spec) = swept(inputs, spec, *variable, value)
            .map_err(|e| InputError::new(format!("capacity.sweep.values[{i}]"), format!("{value}: {}", e.message)))?;
        for (k, gpu) in gpus.iter().enumerate() {
            let r = row(&at, &at_spec, gpu, library);
            if per_gpu.len() <= k {
                per_gpu.push(SweepSeries { gpu: r.gpu.clone(), gpus: Vec::new(), usd_per_m_output_tokens: Vec::new() });
            }
            per_gpu[k].gpus.push(r.gpus);
            per_gpu[k].usd_per_m_output_tokens.push(r.usd_per_m_output_tokens);
        }
    }
    Ok(Some(SweepPlan { variable: variable.id().to_string(), values: values.clone(), per_gpu }))
}

/// The inputs and target at one swept value: lengths through a fresh resolve (the context
/// window is checked again), a tokens-per-day target converted with the swept OSL.
fn swept(inputs: &PlannerInputs, spec: &CapacitySpec, variable: SweepVariable, value: f64) -> Result<(PlannerInputs, CapacitySpec), InputError> {
    let mut at_spec = spec.clone();
    at_spec.sweep = None;
    let mut at = inputs.clone();
    match variable {
        SweepVariable::RequestRate => at_spec.request_rate = value,
        SweepVariable::Isl | SweepVariable::Osl => {
            let mut input = inputs.input.clone();
            if variable == SweepVariable::Isl { input.workload.isl = value } else { input.workload.osl = value }
            input.capacity = None;
            at = crate::inputs::resolve(&input)?;
            if let Some(t) = spec.tokens_per_day {
                at_spec.request_rate = t / SECONDS_PER_DAY / at.workload.osl as f64;
            }
        }
    }
    Ok((at, at_spec))
}
