//! The form: what the user typed (`FormState`, strings) and what the planner is asked
//! (`Query`: the `FORMAT.md` scenario and its resolved planner inputs).
//!
//! Design decision: two types, joined by `check`. The form keeps the text exactly as typed
//! (so `12a` stays on screen with its message), and the conversion reports every field's
//! problem at once (`FieldErrors`), so each message can stand next to its field. The scenario
//! is built with the field names of `FORMAT.md` and resolved by the planner's own `resolve`,
//! exactly as the `plan` command would get it; the planner's errors name a scenario field,
//! which `Field::for_scenario_field` maps back to the form field that holds it. Only a fully
//! valid form reaches the search.

use planner::error::InputError;
use planner::gpu::catalog as gpus;
use planner::inputs::{resolve, PlannerInputs};
use planner::model::{catalog as models, parse_config_text, resolve as resolve_model, summary};
use planner::plan::ModelSummary;
use planner::precision::KvPrecision;
use planner::scenario::{PerfParamsInput, ScenarioInput};
use planner::search::enumerate;
use serde_json::{json, Map, Value};
use std::rc::Rc;

/// One input of the form. The discriminant indexes `FormState`'s values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    /// `catalog` or `config`: where the model comes from.
    ModelSource,
    Model,
    Config,
    Weights,
    KvCache,
    /// A catalog id, or `custom`.
    Gpu,
    GpuName,
    GpuMemory,
    GpuHbm,
    GpuBf16,
    /// Optional: the rates of the low-precision tensor cores.
    GpuFp8,
    GpuFp4,
    GpuInt8,
    GpuScaleUp,
    GpuScaleOut,
    Nodes,
    GpusPerNode,
    Engine,
    Isl,
    Osl,
    /// `concurrency`, `request_rate` or `max`.
    LoadKind,
    Concurrency,
    RequestRate,
    /// `auto`, `staggered` or `synchronized`.
    Arrivals,
    TtftMs,
    TpotMs,
    Priority,
    /// `true` or `false`.
    AllowTpAcrossNodes,
    Tp,
    Pp,
    Dp,
    Ep,
    /// `roofline` or `kernel_tables` (`planner::scenario::StepModel`).
    StepModel,
    /// `aggregated`, `disaggregated` or `both` (`planner::scenario::Serving`).
    Serving,
}

/// Every field, in form order.
pub const FIELDS: [Field; 34] = [
    Field::ModelSource,
    Field::Model,
    Field::Config,
    Field::Weights,
    Field::KvCache,
    Field::Gpu,
    Field::GpuName,
    Field::GpuMemory,
    Field::GpuHbm,
    Field::GpuBf16,
    Field::GpuFp8,
    Field::GpuFp4,
    Field::GpuInt8,
    Field::GpuScaleUp,
    Field::GpuScaleOut,
    Field::Nodes,
    Field::GpusPerNode,
    Field::Engine,
    Field::Isl,
    Field::Osl,
    Field::LoadKind,
    Field::Concurrency,
    Field::RequestRate,
    Field::Arrivals,
    Field::TtftMs,
    Field::TpotMs,
    Field::Priority,
    Field::AllowTpAcrossNodes,
    Field::Tp,
    Field::Pp,
    Field::Dp,
    Field::Ep,
    Field::StepModel,
    Field::Serving,
];

impl Field {
    /// Stable id: the HTML `id`, and the suffix of the test hooks (`field-nodes`, `error-nodes`).
    pub fn id(self) -> &'static str {
        self.names().0
    }

    /// The query parameter of a share link: the `FORMAT.md` field name where there is one.
    pub fn param(self) -> &'static str {
        self.names().1
    }

    pub fn label(self) -> &'static str {
        self.names().2
    }

    fn names(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Field::ModelSource => ("model-source", "model_source", "Model from"),
            Field::Model => ("model", "model", "Model (catalog id or alias)"),
            Field::Config => ("config", "config", "config.json"),
            Field::Weights => ("weights", "weights", "Weight precision"),
            Field::KvCache => ("kv-cache", "kv_cache", "KV-cache precision"),
            Field::Gpu => ("gpu", "gpu", "GPU"),
            Field::GpuName => ("gpu-name", "gpu_name", "GPU name"),
            Field::GpuMemory => ("gpu-memory", "memory_gib", "Memory (GiB)"),
            Field::GpuHbm => ("gpu-hbm", "hbm_tb_s", "Memory bandwidth (TB/s)"),
            Field::GpuBf16 => ("gpu-bf16", "bf16_tflops", "BF16 dense (TFLOP/s)"),
            Field::GpuFp8 => ("gpu-fp8", "fp8_tflops", "FP8 dense (TFLOP/s), if any"),
            Field::GpuFp4 => ("gpu-fp4", "fp4_tflops", "FP4 dense (TFLOP/s), if any"),
            Field::GpuInt8 => ("gpu-int8", "int8_tops", "INT8 dense (TOPS), if any"),
            Field::GpuScaleUp => ("gpu-scale-up", "scale_up_gb_s", "Scale-up link per GPU (GB/s)"),
            Field::GpuScaleOut => ("gpu-scale-out", "scale_out_gb_s", "Scale-out link per GPU (GB/s)"),
            Field::Nodes => ("nodes", "nodes", "Nodes"),
            Field::GpusPerNode => ("gpus-per-node", "gpus_per_node", "GPUs per node"),
            Field::Engine => ("engine", "engine", "Engine"),
            Field::Isl => ("isl", "isl", "Input tokens per request (ISL)"),
            Field::Osl => ("osl", "osl", "Output tokens per request (OSL)"),
            Field::LoadKind => ("load", "load", "Load"),
            Field::Concurrency => ("concurrency", "concurrency", "Concurrency (requests in flight)"),
            Field::RequestRate => ("request-rate", "request_rate", "Request rate (requests/s)"),
            Field::Arrivals => ("arrivals", "arrivals", "Arrivals"),
            Field::TtftMs => ("ttft", "ttft_ms", "TTFT limit (ms)"),
            Field::TpotMs => ("tpot", "tpot_ms", "TPOT limit (ms)"),
            Field::Priority => ("priority", "priority", "Priority"),
            Field::AllowTpAcrossNodes => ("tp-across-nodes", "allow_tp_across_nodes", "Tensor parallel across nodes"),
            Field::Tp => ("tp", "tp", "TP"),
            Field::Pp => ("pp", "pp", "PP"),
            Field::Dp => ("dp", "dp", "DP"),
            Field::Ep => ("ep", "ep", "EP"),
            Field::StepModel => ("step-model", "step_model", "Step model"),
            Field::Serving => ("serving", "serving", "Serving"),
        }
    }

    /// The form field holding the scenario field an `InputError` names (`workload.isl`,
    /// `gpu.memory_gib`, `model.config.num_hidden_layers`), if any.
    pub fn for_scenario_field(name: &str, form: &FormState) -> Option<Field> {
        let head = name.split('.').next().unwrap_or(name);
        let tail = name.strip_prefix(head).and_then(|t| t.strip_prefix('.')).unwrap_or("");
        Some(match (head, tail) {
            ("model", _) if form.get(Field::ModelSource) == "config" => Field::Config,
            ("model", _) => Field::Model,
            ("gpu", "name") => Field::GpuName,
            ("gpu", "memory_gib") => Field::GpuMemory,
            ("gpu", "hbm_tb_s") => Field::GpuHbm,
            ("gpu", "bf16_tflops") => Field::GpuBf16,
            ("gpu", "fp8_tflops") => Field::GpuFp8,
            ("gpu", "fp4_tflops") => Field::GpuFp4,
            ("gpu", "int8_tops") => Field::GpuInt8,
            ("gpu", "scale_up_gb_s") => Field::GpuScaleUp,
            ("gpu", "scale_out_gb_s") => Field::GpuScaleOut,
            ("gpu", _) => Field::Gpu,
            ("weights", _) => Field::Weights,
            ("kv_cache", _) => Field::KvCache,
            ("nodes", _) => Field::Nodes,
            ("gpus_per_node", _) => Field::GpusPerNode,
            ("engine" | "engine_options", _) => Field::Engine,
            ("workload", "isl") => Field::Isl,
            ("workload", "osl") => Field::Osl,
            ("workload", "concurrency") => Field::Concurrency,
            ("workload", "request_rate") => Field::RequestRate,
            ("workload", "arrivals") => Field::Arrivals,
            ("sla", "ttft_ms") => Field::TtftMs,
            ("sla", "tpot_ms") => Field::TpotMs,
            ("priority", _) => Field::Priority,
            ("allow_tp_across_nodes", _) => Field::AllowTpAcrossNodes,
            ("step_model", _) => Field::StepModel,
            ("serving", _) => Field::Serving,
            ("layout", "pp") => Field::Pp,
            ("layout", "dp") => Field::Dp,
            ("layout", "ep") => Field::Ep,
            ("layout", _) => Field::Tp,
            _ => return None,
        })
    }
}

/// Upper limits that keep every product of counts far inside `u32`.
pub const MAX_NODES: u32 = 65_536;
pub const MAX_GPUS_PER_NODE: u32 = 1024;

/// The form as typed: one string per `Field`.
#[derive(Debug, Clone, PartialEq)]
pub struct FormState {
    values: [String; FIELDS.len()],
}

impl FormState {
    pub fn get(&self, field: Field) -> &str {
        &self.values[field as usize]
    }

    pub fn set(&mut self, field: Field, value: String) {
        self.values[field as usize] = value;
    }

    /// Whether `field` takes part in the scenario as the form stands (a custom GPU's figures
    /// only for a custom GPU, the pasted config only when the model comes from one, the load
    /// value of the chosen kind). Inactive fields are neither checked nor shared.
    pub fn active(&self, field: Field) -> bool {
        let custom_gpu = self.get(Field::Gpu) == CUSTOM_GPU;
        match field {
            Field::Model => self.get(Field::ModelSource) != "config",
            Field::Config => self.get(Field::ModelSource) == "config",
            Field::GpuName
            | Field::GpuMemory
            | Field::GpuHbm
            | Field::GpuBf16
            | Field::GpuFp8
            | Field::GpuFp4
            | Field::GpuInt8
            | Field::GpuScaleUp
            | Field::GpuScaleOut => custom_gpu,
            Field::Concurrency => self.get(Field::LoadKind) == "concurrency",
            Field::RequestRate => self.get(Field::LoadKind) == "request_rate",
            _ => true,
        }
    }
}

/// The `gpu` value that selects a custom spec.
pub const CUSTOM_GPU: &str = "custom";

/// The page opens on the first classic example of `DESIGN.md`: LLaMA-7B on 4 × 80 GB, at the
/// load the `plan` command assumes when none is given (`FORMAT.md`: no `workload.concurrency`
/// means the maximum-throughput point), so a link without a load plans as the command does.
/// The concurrency box starts at 8 (the example's batch) for when that load is picked.
impl Default for FormState {
    fn default() -> Self {
        let mut form = FormState { values: std::array::from_fn(|_| String::new()) };
        for field in FIELDS {
            let value = match field {
                Field::ModelSource => "catalog",
                Field::Model => DEFAULT_MODEL,
                Field::Weights | Field::KvCache => "bf16",
                Field::Gpu => DEFAULT_GPU,
                Field::Nodes => "1",
                Field::GpusPerNode => "4",
                Field::Engine => "vllm",
                Field::Isl => "1024",
                Field::Osl => "256",
                Field::LoadKind => "max",
                Field::Concurrency => "8",
                Field::Arrivals => "auto",
                Field::Priority => "throughput",
                Field::AllowTpAcrossNodes => "true",
                Field::StepModel => "roofline",
                Field::Serving => "aggregated",
                _ => "",
            };
            form.set(field, value.to_string());
        }
        form
    }
}

/// Catalog ids the page opens on (the first classic example: LLaMA-7B on 4 × 80 GB).
pub const DEFAULT_MODEL: &str = "huggyllama/llama-7b";
pub const DEFAULT_GPU: &str = "a100-sxm-80gb";

/// What the planner is asked: the scenario (`FORMAT.md`) and its resolved inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub scenario: ScenarioInput,
    pub inputs: Rc<PlannerInputs>,
}

/// A message per invalid field, and one for the calibration (`perf_params`), which is no
/// field of the form.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldErrors {
    /// In the order found (a list: a handful of entries, and no map code in the page).
    fields: Vec<(Field, String)>,
    pub calibration: Option<String>,
    /// The capacity card's messages, by its field's id (`capacity_form::CapacityField::id`).
    pub capacity: Vec<(String, String)>,
}

impl FieldErrors {
    pub fn get(&self, field: Field) -> Option<&str> {
        self.fields.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.calibration.is_none() && self.capacity.is_empty()
    }

    pub fn len(&self) -> usize {
        self.fields.len() + usize::from(self.calibration.is_some()) + self.capacity.len()
    }

    /// Only the capacity card's messages.
    pub fn of_capacity(capacity: Vec<(String, String)>) -> Self {
        FieldErrors { capacity, ..FieldErrors::default() }
    }

    /// The capacity card's message for the field with this id.
    pub fn capacity_message(&self, id: &str) -> Option<&str> {
        self.capacity.iter().find(|(f, _)| f == id).map(|(_, m)| m.as_str())
    }

    /// The planner's error, placed at the form field holding the scenario field it names.
    pub fn planner(error: InputError, form: &FormState) -> Self {
        let mut errors = FieldErrors::default();
        let message = format!("{}: {}", error.field, error.message);
        match Field::for_scenario_field(&error.field, form) {
            Some(field) => {
                errors.fields.push((field, message));
            }
            None => errors.calibration = Some(message),
        }
        errors
    }

    fn check<T>(&mut self, field: Field, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.fields.push((field, message));
                None
            }
        }
    }
}

/// The form (and the calibration kept beside it) as a planner query, or every field's problem.
pub fn check(form: &FormState, perf_params: Option<&PerfParamsInput>) -> Result<Query, FieldErrors> {
    let scenario = scenario(form, perf_params)?;
    let inputs = resolve(&scenario).map_err(|e| FieldErrors::planner(e, form))?;
    // The fixed layout sizes are checked against the cluster before the search runs.
    enumerate(inputs.cluster.total_gpus(), inputs.model.is_moe(), &inputs.constraint)
        .map_err(|e| FieldErrors::planner(e, form))?;
    Ok(Query { scenario, inputs: Rc::new(inputs) })
}

/// The `FORMAT.md` scenario the form describes, with the field names the `plan` command reads
/// and read by the command's own `ScenarioInput::from_value`; or the message of every field
/// the form itself can tell is wrong.
pub fn scenario(form: &FormState, perf_params: Option<&PerfParamsInput>) -> Result<ScenarioInput, FieldErrors> {
    let mut e = FieldErrors::default();
    let get = |field: Field| form.get(field);
    let model = match form.active(Field::Config) {
        true => e.check(Field::Config, config_model(get(Field::Config))),
        false => e.check(Field::Model, catalog_model(get(Field::Model))),
    };
    let mut number = |f: Field, parse: fn(&str) -> Result<f64, String>| -> Value {
        e.check(f, parse(get(f))).map_or(Value::Null, Value::from)
    };
    let gpu = if form.active(Field::GpuName) {
        let figures = [Field::GpuMemory, Field::GpuHbm, Field::GpuBf16, Field::GpuScaleUp, Field::GpuScaleOut]
            .map(|f| (f.param(), number(f, parse_positive)));
        let mut spec: Map<String, Value> = figures.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        // The low-precision rates only when given (a GPU without them runs such weights at BF16).
        for f in [Field::GpuFp8, Field::GpuFp4, Field::GpuInt8] {
            if !get(f).trim().is_empty() {
                let rate = number(f, parse_positive);
                spec.insert(f.param().to_string(), rate);
            }
        }
        spec.insert("name".into(), Value::from(get(Field::GpuName).trim()));
        Value::Object(spec)
    } else {
        Value::from(get(Field::Gpu))
    };
    let mut object = Map::new();
    object.insert("model".into(), model.unwrap_or_default());
    object.insert("gpu".into(), gpu);
    let mut workload = Map::new();
    let mut sla = Map::new();
    let mut layout = Map::new();
    for field in FIELDS.into_iter().filter(|f| form.active(*f)) {
        let text = get(field).trim();
        let value = match field {
            Field::Nodes | Field::GpusPerNode | Field::Isl | Field::Osl | Field::Concurrency => number(field, whole),
            Field::RequestRate => number(field, parse_positive),
            Field::TtftMs | Field::TpotMs if !text.is_empty() => number(field, parse_positive),
            Field::Tp | Field::Pp | Field::Dp | Field::Ep if !text.is_empty() => number(field, whole),
            Field::Weights | Field::KvCache | Field::Engine | Field::Priority => Value::from(text),
            Field::Arrivals if text != "auto" => Value::from(text),
            Field::AllowTpAcrossNodes => Value::Bool(text != "false"),
            Field::StepModel if text != "roofline" => Value::from(text),
            Field::Serving if text != "aggregated" => Value::from(text),
            _ => continue,
        };
        let into = match field {
            Field::Isl | Field::Osl | Field::Concurrency | Field::RequestRate | Field::Arrivals => &mut workload,
            Field::TtftMs | Field::TpotMs => &mut sla,
            Field::Tp | Field::Pp | Field::Dp | Field::Ep => &mut layout,
            _ => &mut object,
        };
        into.insert(field.param().into(), value);
    }
    // Only the full page plans disaggregated serving; the startup page loads it (`app`).
    if form.get(Field::Serving) != "aggregated" && !cfg!(feature = "full-page") {
        e.check::<()>(Field::Serving, Err(DISAGGREGATION_LOADING.to_string()));
    }
    // Only the full page times steps from the kernel tables; the startup page loads it (`app`).
    if form.get(Field::StepModel) != "roofline" && !cfg!(feature = "full-page") {
        e.check::<()>(Field::StepModel, Err(KERNEL_TABLES_LOADING.to_string()));
    }
    object.insert("workload".into(), Value::Object(workload));
    for (name, part) in [("sla", sla), ("layout", layout)] {
        if !part.is_empty() {
            object.insert(name.into(), Value::Object(part));
        }
    }
    if let Some(perf) = perf_params {
        object.insert("perf_params".into(), serde_json::to_value(perf).unwrap_or_default());
    }
    if !e.is_empty() {
        return Err(e);
    }
    ScenarioInput::from_value(Value::Object(object)).map_err(|error| FieldErrors::planner(error, form))
}

fn whole(text: &str) -> Result<f64, String> {
    parse_count(text, 1, u32::MAX).map(f64::from)
}

/// The catalog id a typed model name (id or alias, any case) stands for, as the scenario's
/// `model`; or the catalog's message (with its "did you mean").
fn catalog_model(text: &str) -> Result<Value, String> {
    match models::canonical_id(text) {
        Some(id) => Ok(Value::String(id.to_string())),
        None if text.trim().is_empty() => Err("Enter a catalog model, or paste a config.json.".to_string()),
        None => Err(models::lookup(text).err().map_or_else(String::new, |e| e.message)),
    }
}

/// What the config field says in the startup page, which has no importer, while the full page
/// (which has it) loads (`app`).
pub const IMPORTER_LOADING: &str = "Reading a config.json takes the full page, which is loading.";

/// What the serving field says in the startup page, which has no disaggregated planning, while
/// the full page (which has it) loads (`app`).
pub const DISAGGREGATION_LOADING: &str = "Disaggregated planning takes the full page, which is loading.";

/// What the step model field says in the startup page, which has no kernel tables' step model,
/// while the full page (which has it) loads (`app`).
pub const KERNEL_TABLES_LOADING: &str = "Timing steps from measured kernel tables takes the full page, which is loading.";

/// A pasted `config.json` as the scenario's `{"name", "config"}`; or why it is not one.
fn config_model(text: &str) -> Result<Value, String> {
    if text.trim().is_empty() {
        return Err("Paste, drop or choose a config.json.".to_string());
    }
    if !cfg!(feature = "full-page") {
        return Err(IMPORTER_LOADING.to_string());
    }
    let config = parse_config_text(text).map_err(|e| format!("{}: {}", e.field, e.message))?;
    Ok(json!({ "name": config_name(&config), "config": config }))
}

/// The name a pasted config goes by: its `_name_or_path`, else its first architecture.
pub fn config_name(config: &Value) -> String {
    ["_name_or_path", "architectures"]
        .iter()
        .find_map(|key| match config.get(key) {
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            Some(Value::Array(a)) => a.first().and_then(Value::as_str).map(str::to_string),
            _ => None,
        })
        .unwrap_or_else(|| "pasted config.json".to_string())
}

/// The import's verdict for the model the form names: what the planner read (name, parameter
/// counts, layers, KV bytes per token at the chosen KV precision), or the refusal naming the
/// field. Independent of the rest of the form, so it shows while other fields are invalid.
pub fn model_verdict(form: &FormState) -> Result<ModelVerdict, String> {
    let kv = match form.get(Field::KvCache) {
        "fp8" => KvPrecision::Fp8,
        "int8" => KvPrecision::Int8,
        "fp16" => KvPrecision::Fp16,
        _ => KvPrecision::Bf16,
    };
    let imported = if form.active(Field::Config) {
        resolve_model(&config_model(form.get(Field::Config))?)
    } else {
        let id = catalog_model(form.get(Field::Model))?;
        models::lookup(id.as_str().unwrap_or_default())
    }
    .map_err(|e| format!("{}: {}", e.field, e.message))?;
    Ok(ModelVerdict { summary: summary(&imported.spec, kv), notes: imported.notes })
}

/// What the planner read from the model the form names.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelVerdict {
    pub summary: ModelSummary,
    /// What the import left out or assumed.
    pub notes: Vec<String>,
}

fn parse_number(text: &str) -> Result<f64, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("Enter a number.".to_string());
    }
    // Read as a JSON number (`1.5`, `-2`, `1e3`; a leading `+` or `.` allowed): the JSON
    // reader is in the page anyway, and Rust's own float parser would add its tables. Read as
    // a JSON value, as every other JSON text the page reads: a typed read straight from the
    // text would link a second reader of JSON text into the page.
    let unsigned = text.strip_prefix('+').unwrap_or(text);
    let json = if unsigned.starts_with('.') { format!("0{unsigned}") } else { unsigned.to_string() };
    match serde_json::from_str::<serde_json::Value>(&json).ok().and_then(|v| v.as_f64()) {
        Some(v) if v.is_finite() => Ok(v),
        _ => Err(format!("“{text}” is not a number.")),
    }
}

/// A number above zero, or the message to show beside the field.
pub fn parse_positive(text: &str) -> Result<f64, String> {
    let value = parse_number(text)?;
    if value <= 0.0 {
        return Err("Must be above 0.".to_string());
    }
    Ok(value)
}

/// A whole number in `min..=max`, or the message to show beside the field.
pub fn parse_count(text: &str, min: u32, max: u32) -> Result<u32, String> {
    let value = parse_number(text)?;
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

/// The model catalog as (id, label) choices, in catalog order.
pub fn model_choices() -> Vec<(String, String)> {
    models::entries().iter().map(|entry| (entry.id.to_string(), entry.display_name.to_string())).collect()
}

/// The GPU catalog as (id, label) choices, in catalog order.
pub fn gpu_choices() -> Vec<(String, String)> {
    gpus::entries().iter().map(|gpu| (gpu.id.to_string(), gpu.name.to_string())).collect()
}
