//! The form: what the user typed (`FormState`, strings) and what the planner is asked
//! (`Query`, checked numbers and catalog entries).
//!
//! Design decision: two types, joined by `TryFrom`. The form keeps the text exactly as typed
//! (so `12a` stays on screen with its message), and the conversion reports every field's
//! problem at once (`FieldErrors`), so each message can stand next to its field. Only a fully
//! valid form reaches the planner.

use crate::planner::gpu::catalog as gpus;
use crate::planner::model::{catalog as models, ModelSpec};
use crate::planner::rules::RuleInput;
use crate::planner::units::Bytes;
use crate::planner::workload::Priority;
use std::collections::BTreeMap;

/// One input of the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    Model,
    Gpu,
    Nodes,
    GpusPerNode,
    BatchSize,
    Priority,
}

impl Field {
    /// Stable id: the HTML `id`, and the suffix of the test hooks (`field-nodes`, `error-nodes`).
    pub fn id(self) -> &'static str {
        match self {
            Field::Model => "model",
            Field::Gpu => "gpu",
            Field::Nodes => "nodes",
            Field::GpusPerNode => "gpus-per-node",
            Field::BatchSize => "batch-size",
            Field::Priority => "priority",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Field::Model => "Model",
            Field::Gpu => "GPU",
            Field::Nodes => "Nodes",
            Field::GpusPerNode => "GPUs per node",
            Field::BatchSize => "Batch size (requests in flight)",
            Field::Priority => "Priority",
        }
    }
}

/// Upper limits that keep every product of counts far inside `u32` (1024 × 100 000 GPUs).
pub const MAX_NODES: u32 = 100_000;
pub const MAX_GPUS_PER_NODE: u32 = 1024;
pub const MAX_BATCH_SIZE: u32 = 1_000_000;

/// The form as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct FormState {
    /// A model catalog id.
    pub model: String,
    /// A GPU catalog id.
    pub gpu: String,
    pub nodes: String,
    pub gpus_per_node: String,
    pub batch_size: String,
    /// `throughput`, `latency` or `balanced`.
    pub priority: String,
}

impl FormState {
    pub fn get(&self, field: Field) -> &str {
        match field {
            Field::Model => &self.model,
            Field::Gpu => &self.gpu,
            Field::Nodes => &self.nodes,
            Field::GpusPerNode => &self.gpus_per_node,
            Field::BatchSize => &self.batch_size,
            Field::Priority => &self.priority,
        }
    }

    pub fn set(&mut self, field: Field, value: String) {
        let slot = match field {
            Field::Model => &mut self.model,
            Field::Gpu => &mut self.gpu,
            Field::Nodes => &mut self.nodes,
            Field::GpusPerNode => &mut self.gpus_per_node,
            Field::BatchSize => &mut self.batch_size,
            Field::Priority => &mut self.priority,
        };
        *slot = value;
    }
}

/// The page opens on the first classic example of `DESIGN.md`: LLaMA-7B on 4 × 80 GB.
impl Default for FormState {
    fn default() -> Self {
        Self {
            model: DEFAULT_MODEL.to_string(),
            gpu: DEFAULT_GPU.to_string(),
            nodes: "1".to_string(),
            gpus_per_node: "4".to_string(),
            batch_size: "8".to_string(),
            priority: "throughput".to_string(),
        }
    }
}

/// Catalog ids the page opens on (the first classic example: LLaMA-7B on 4 × 80 GB).
pub const DEFAULT_MODEL: &str = "huggyllama/llama-7b";
pub const DEFAULT_GPU: &str = "a100-sxm-80gb";

/// What the planner is asked: a fully checked form.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// Display names of the chosen catalog entries.
    pub model_name: String,
    pub gpu_name: String,
    pub rule_input: RuleInput,
    pub priority: Priority,
}

/// A message per invalid field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldErrors(BTreeMap<Field, String>);

impl FieldErrors {
    pub fn get(&self, field: Field) -> Option<&str> {
        self.0.get(&field).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    fn check<T>(&mut self, field: Field, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.0.insert(field, message);
                None
            }
        }
    }
}

impl TryFrom<&FormState> for Query {
    type Error = FieldErrors;

    fn try_from(form: &FormState) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let model = errors.check(Field::Model, lookup_model(&form.model));
        let gpu = errors.check(Field::Gpu, lookup_gpu(&form.gpu));
        let nodes = errors.check(Field::Nodes, parse_count(&form.nodes, 1, MAX_NODES));
        let gpus_per_node =
            errors.check(Field::GpusPerNode, parse_count(&form.gpus_per_node, 1, MAX_GPUS_PER_NODE));
        let batch_size = errors.check(Field::BatchSize, parse_count(&form.batch_size, 1, MAX_BATCH_SIZE));
        let priority = errors.check(Field::Priority, parse_priority(&form.priority));
        match (model, gpu, nodes, gpus_per_node, batch_size, priority) {
            (Some((model_name, model)), Some((gpu_name, gpu_memory)), Some(nodes), Some(gpus_per_node), Some(batch_size), Some(priority)) => {
                Ok(Query {
                    rule_input: RuleInput {
                        total_params: model.total_params(),
                        layers: model.num_layers(),
                        gpu_memory,
                        nodes,
                        gpus_per_node,
                        batch_size: Some(batch_size),
                    },
                    model_name,
                    gpu_name,
                    priority,
                })
            }
            _ => Err(errors),
        }
    }
}

/// A whole number in `min..=max`, or the message to show beside the field.
pub fn parse_count(text: &str, min: u32, max: u32) -> Result<u32, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("Enter a number.".to_string());
    }
    let value: f64 = match text.parse() {
        Ok(v) if f64::is_finite(v) => v,
        _ => return Err(format!("“{text}” is not a number.")),
    };
    if value < 0.0 {
        return Err("Must not be negative.".to_string());
    }
    if value.fract() != 0.0 {
        return Err("Must be a whole number.".to_string());
    }
    if value < min as f64 {
        return Err(format!("Must be at least {min}."));
    }
    if value > max as f64 {
        return Err(format!("Must be at most {max}."));
    }
    Ok(value as u32)
}

fn parse_priority(text: &str) -> Result<Priority, String> {
    match text {
        "throughput" => Ok(Priority::Throughput),
        "latency" => Ok(Priority::Latency),
        "balanced" => Ok(Priority::Balanced),
        other => Err(format!("Unknown priority “{other}”.")),
    }
}

/// The model catalog as (id, label) choices, in catalog order.
pub fn model_choices() -> Vec<(String, String)> {
    models::entries().iter().map(|entry| (entry.id.clone(), entry.display_name.clone())).collect()
}

/// The GPU catalog as (id, label) choices, in catalog order.
pub fn gpu_choices() -> Vec<(String, String)> {
    gpus::entries().iter().map(|gpu| (gpu.id.clone(), gpu.name.clone())).collect()
}

/// The catalog model `id` and its display name.
fn lookup_model(id: &str) -> Result<(String, ModelSpec), String> {
    let spec = models::lookup(id).map_err(|e| e.message)?.spec;
    let name = models::entries().iter().find(|entry| entry.id == id).map(|entry| entry.display_name.clone());
    Ok((name.unwrap_or_else(|| spec.name.clone()), spec))
}

/// The catalog GPU `id`: its display name and memory. Memory is the only figure the rule of
/// thumb uses, so a GPU whose other figures the catalog lacks still gets the rule of thumb.
fn lookup_gpu(id: &str) -> Result<(String, Bytes), String> {
    let entry = gpus::entries()
        .iter()
        .find(|entry| entry.id == id)
        .ok_or_else(|| format!("Unknown GPU “{id}”: pick one from the list."))?;
    let memory_gib = entry
        .memory_gib
        .ok_or_else(|| format!("The catalog has no memory figure for the {}: {}", entry.name, entry.caveats))?;
    Ok((entry.name.clone(), Bytes::from_gib(memory_gib)))
}
