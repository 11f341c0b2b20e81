//! A scenario resolved into the planner's three inputs — model, cluster, workload — plus the
//! engine profile, precisions, fixed layout sizes and performance parameters.
//!
//! Design decision: this is the one place where defaults are filled in, so the plan can echo
//! "the scenario with every default filled in" from exactly what the planner used. The
//! measured kernel tables are the caller's (`resolve_with`): the planner does no I/O, and the
//! scenario does not name them (they follow from its GPU and engine).

use super::bounds::whole;
use super::engine::{profile, Engine, EngineProfile};
use super::error::InputError;
use super::gpu::{catalog as gpu_catalog, Cluster};
use super::kernels::{self, KernelTables, Library};
use super::model::{self, ModelSpec};
use super::perf::fitted;
use super::perf::params::PerfParams;
use super::perf::ranges::{Calibration, Regime, UserFit};
use super::precision::{KvPrecision, Precisions, WeightPrecision};
use super::scenario::{LayoutConstraint, PerfParamsInput, ScenarioInput, Serving, StepModel};
use super::workload::{Load, Workload};
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// Largest cluster planned: 65,536 GPUs (64 × the 1T example), far beyond any serving
/// deployment, and small enough that every product of layout sizes fits a `u32`.
pub const MAX_TOTAL_GPUS: u32 = 65_536;

/// Everything the planner needs, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannerInputs {
    pub model: ModelSpec,
    pub cluster: Cluster,
    pub precision: Precisions,
    pub engine: EngineProfile,
    pub workload: Workload,
    pub constraint: LayoutConstraint,
    /// The performance parameters: the shipped ones for this GPU and engine
    /// (`perf::fitted::for_gpu`) with the scenario's `perf_params` on top.
    pub params: PerfParams,
    /// Where `params` come from, for the ranges.
    pub calibration: Calibration,
    /// Whether a TP group may span the scale-out network.
    pub allow_tp_across_nodes: bool,
    /// The measured kernel tables of this GPU under this engine, when the caller supplied them
    /// (`resolve_with`): the step model times each operation they cover from them
    /// (`perf::ops`); `None`, the roofline throughout.
    pub kernels: Option<Arc<KernelTables>>,
    /// How the scenario asks for steps to be timed: with `KernelTables` the trace lists the
    /// step by operation, saying where no table applies (`no_tables`), and the plan says which
    /// tables it used or why none (`step_model_note`).
    pub step_model: StepModel,
    /// Which ways of serving to plan (aggregated, disaggregated `disagg`, or both).
    pub serving: Serving,
    /// Things the user should know that do not stop planning (import notes, assumptions).
    pub warnings: Vec<String>,
    /// The scenario with every default filled in (`Plan::scenario`).
    pub scenario: Value,
    /// The scenario as given, for planning it again with a change (another load and layout in
    /// `benchmark::compare`, fitted parameters in `calibration::recalibrate`) without a trip
    /// through JSON: resolving it fills in the same defaults again.
    pub input: ScenarioInput,
}

/// Validate and resolve a scenario, without kernel tables; the error names the first bad field.
pub fn resolve(input: &ScenarioInput) -> Result<PlannerInputs, InputError> {
    resolve_with(input, &Library::empty())
}

/// `resolve`, with the tables of the scenario's GPU and engine taken from `library` when it
/// holds them (a catalog GPU of the nine measured systems). Never inlined (it has several
/// callers and is large).
#[inline(never)]
pub fn resolve_with(input: &ScenarioInput, library: &Library) -> Result<PlannerInputs, InputError> {
    let imported = model::resolve(&input.model)?;
    let gpu = gpu_catalog::resolve(&input.gpu)?;
    let weights = input.weights.unwrap_or(WeightPrecision::Bf16);
    let kv = input.kv_cache.unwrap_or(KvPrecision::Bf16);
    gpu_catalog::check_rate(&gpu, weights.compute_rate())?;
    let nodes = input.nodes.map_or(Ok(1), |n| whole(n, "nodes", 1, MAX_TOTAL_GPUS))?;
    let gpus_per_node =
        input.gpus_per_node.map_or(Ok(gpu.gpus_per_node), |n| whole(n, "gpus_per_node", 1, MAX_TOTAL_GPUS))?;
    if nodes as u64 * gpus_per_node as u64 > MAX_TOTAL_GPUS as u64 {
        return Err(InputError::new(
            "nodes",
            format!("{nodes} nodes × {gpus_per_node} GPUs is more than the {MAX_TOTAL_GPUS} GPUs planned"),
        ));
    }
    let engine_id = input.engine.unwrap_or_default();
    let engine = profile(engine_id, &gpu, input.engine_options.as_ref())?;
    let workload = input.workload()?;
    if let Some(window) = imported.context_window {
        within_context_window(&workload, window)?;
    }
    let constraint = input.layout_constraint()?;
    let serving = input.serving()?;
    let step_model = input.step_model()?;
    let shipped = fitted::for_gpu(gpu.generation, engine_id).0;
    let (params, calibration) = match &input.perf_params {
        None => (shipped, Calibration::Shipped),
        Some(p) => user_params(&shipped, p)?,
    };

    let mut warnings = imported.notes.clone();
    if let Some(shipped) = imported.checkpoint_precision {
        if shipped != weights {
            warnings.push(format!(
                "The checkpoint ships {shipped} weights; this plan assumes {weights} (set \"weights\" to match what you serve)."
            ));
        }
    }
    warnings.extend(gpu_catalog::rate_note(&gpu, weights.compute_rate()));
    if input.perf_params.is_none() {
        warnings.extend(fitted::note(gpu.generation, engine_id));
    }
    if engine_id == Engine::Trtllm {
        warnings.extend(recalled_trtllm_caps(&engine, &profile(engine_id, &gpu, None)?));
    }
    let scenario = echo(input, &gpu.id, nodes, gpus_per_node, weights, kv, &engine, &workload);
    let cluster = Cluster { gpu, nodes, gpus_per_node };
    Ok(PlannerInputs {
        model: imported.spec,
        cluster,
        precision: Precisions { weights, kv },
        engine,
        workload,
        constraint,
        params,
        calibration,
        allow_tp_across_nodes: input.allow_tp_across_nodes.unwrap_or(true),
        kernels: None,
        step_model,
        serving,
        warnings,
        scenario,
        input: input.clone(),
    }
    .with_tables(library))
}

impl PlannerInputs {
    /// The range table's regime these inputs' candidates fall in (`perf::ranges::Regime`): the
    /// GPU, engine, dense or MoE, load, parameters and calibration.
    pub fn regime(&self) -> Regime {
        Regime::new(
            &self.cluster.gpu,
            self.engine.engine,
            self.model.is_moe(),
            self.workload.load == Load::MaxThroughput,
            &self.params,
            self.calibration,
        )
    }

    /// These inputs with the tables of their GPU and engine from `library`, when the scenario
    /// asks for the kernel-table step model and `library` holds them (never without the
    /// `kernel-tables` feature, whose `resolve` refuses that step model).
    pub fn with_tables(mut self, library: &Library) -> PlannerInputs {
        if cfg!(feature = "kernel-tables") && self.step_model == StepModel::KernelTables {
            if let Some(t) = self.system().and_then(|s| library.get(s, self.engine.engine.id())) {
                self.kernels = Some(t);
            }
        }
        self
    }

    /// The tables file (`h100_sxm.trtllm`) the scenario asks for and these inputs lack: what
    /// a caller that loads tables on demand (the page) fetches.
    pub fn tables_wanted(&self) -> Option<String> {
        let wanted = self.step_model == StepModel::KernelTables && self.kernels.is_none();
        self.system().filter(|_| wanted).map(|s| format!("{s}.{}", self.engine.engine.id()))
    }

    /// The tables' system of a catalog GPU the source measured (a custom spec has none, even
    /// under a catalog name).
    fn system(&self) -> Option<&'static str> {
        if self.input.gpu.is_string() { kernels::system_of(&self.cluster.gpu.id) } else { None }
    }

    /// What the plan says of its step model when the scenario asks for the kernel tables:
    /// which tables timed it, or why the roofline did.
    pub fn step_model_note(&self) -> Option<String> {
        if self.step_model != StepModel::KernelTables {
            return None;
        }
        let engine = self.engine.engine.display_name();
        Some(match (&self.kernels, self.system()) {
            (Some(t), _) => format!(
                "Step times from the measured kernel tables {}.{} ({engine} {}, NVIDIA AIConfigurator measurements): each operation at its \
                 measured utilisation, the roofline with the fitted efficiencies where no table covers it (trace: \"step operations\"). \
                 A preview: on the calibration sets this model is not yet more accurate than the roofline (README, \"Accuracy\").",
                t.system, t.engine, t.engine_version
            ),
            (None, Some(s)) => format!(
                "The measured kernel tables {s}.{} are not loaded: the steps are timed by the roofline with the fitted efficiencies.",
                self.engine.engine.id()
            ),
            (None, None) => format!(
                "No measured kernel tables for {} under {engine}: the step model is the roofline with the fitted efficiencies.",
                self.cluster.gpu.name
            ),
        })
    }

    /// Why the step model has no tables here, as an operation's source says it: no table for
    /// the GPU (`no table for MI300X`), or none loaded for its system and engine.
    pub fn no_tables(&self) -> String {
        match self.system() {
            Some(s) => format!("the kernel tables {s}.{} are not loaded", self.engine.engine.id()),
            None => format!("no table for {}", self.cluster.gpu.name),
        }
    }
}

/// A request's prompt and output must fit the model's context window together; the error names
/// the length that crosses it (`workload.isl` when the prompt alone does).
fn within_context_window(workload: &Workload, window: u64) -> Result<(), InputError> {
    let (isl, osl) = (workload.isl as u64, workload.osl as u64);
    if isl + osl <= window {
        return Ok(());
    }
    let field = if isl >= window { "workload.isl" } else { "workload.osl" };
    Err(InputError::new(
        field,
        format!(
            "isl {isl} + osl {osl} = {} tokens exceed the model's context window of {window} tokens \
             (max_position_embeddings in its config)",
            isl + osl
        ),
    ))
}

/// The caveat on the batch caps of TensorRT-LLM's `profile` that are still its recalled,
/// unverified defaults (`recalled`, its profile without options); none once engine_options
/// set both. Judged on the values, not on which options are present, so the plan's echoed
/// scenario (every cap written out) plans with the same caveat.
fn recalled_trtllm_caps(profile: &EngineProfile, recalled: &EngineProfile) -> Option<String> {
    let caps: Vec<(String, &str)> = [
        (profile.max_batch_requests, recalled.max_batch_requests, "max_batch_size", "max_batch_requests"),
        (profile.max_batch_tokens, recalled.max_batch_tokens, "max_num_tokens", "max_batch_tokens"),
    ]
    .into_iter()
    .filter(|(value, default, _, _)| value == default)
    .map(|(_, default, flag, option)| (format!("{flag} ({default})"), option))
    .collect();
    let recalled_from = "as recalled, not read from its source";
    match caps.as_slice() {
        [] => None,
        [(cap, option)] => Some(format!(
            "TensorRT-LLM's default {cap} is {recalled_from}; set engine_options.{option} to your value."
        )),
        _ => Some(format!(
            "TensorRT-LLM's default {} are {recalled_from}; set engine_options to your values.",
            caps.iter().map(|(cap, _)| cap.as_str()).collect::<Vec<_>>().join(" and ")
        )),
    }
}

/// The scenario's `perf_params` on top of the shipped parameters, and what they rest on.
fn user_params(shipped: &PerfParams, input: &PerfParamsInput) -> Result<(PerfParams, Calibration), InputError> {
    let i = input;
    let params = shipped.with_overrides(&i.values, "perf_params")?;
    let Some(fit) = &i.fit else { return Ok((params, Calibration::UserSet)) };
    let measurements = whole(fit.measurements, "perf_params.fit.measurements", 1, 1_000_000)?;
    let errors = |e: Option<[f64; 2]>, name: &str| -> Result<Option<[f64; 2]>, InputError> {
        match e {
            Some([lo, hi]) if !(lo.is_finite() && hi.is_finite() && lo > -1.0 && lo <= hi) => Err(InputError::new(
                format!("perf_params.fit.{name}"),
                format!("must be [smallest, largest] relative error, each above −1, got [{lo}, {hi}]"),
            )),
            other => Ok(other),
        }
    };
    let fit = UserFit {
        measurements,
        kv_transfer: fit.kv_transfer_fitted,
        output_tok_s_per_gpu: errors(fit.output_tok_s_per_gpu, "output_tok_s_per_gpu")?,
        ttft_ms: errors(fit.ttft_ms, "ttft_ms")?,
        tpot_ms: errors(fit.tpot_ms, "tpot_ms")?,
    };
    Ok((params, Calibration::UserFitted(fit)))
}

/// The scenario as planned, every default filled in, in `FORMAT.md`'s field names.
#[allow(clippy::too_many_arguments)]
fn echo(
    input: &ScenarioInput,
    gpu_id: &str,
    nodes: u32,
    gpus_per_node: u32,
    weights: WeightPrecision,
    kv: KvPrecision,
    engine: &EngineProfile,
    workload: &Workload,
) -> Value {
    let mut load = Map::new();
    load.insert("isl".into(), json!(workload.isl));
    load.insert("osl".into(), json!(workload.osl));
    load.insert("arrivals".into(), json!(workload.arrivals));
    match workload.load {
        Load::MaxThroughput => {}
        Load::Concurrency(c) => {
            load.insert("concurrency".into(), json!(c));
        }
        Load::RequestRate(r) => {
            load.insert("request_rate".into(), json!(r));
        }
    }
    let mut sla = Map::new();
    if let Some(t) = workload.sla.ttft {
        sla.insert("ttft_ms".into(), json!(t.ms()));
    }
    if let Some(t) = workload.sla.tpot {
        sla.insert("tpot_ms".into(), json!(t.ms()));
    }
    let gpu = match &input.gpu {
        Value::String(_) => json!(gpu_id),
        custom => custom.clone(),
    };
    let mut layout = Map::new();
    if let Some(l) = input.layout {
        for (key, v) in [("tp", l.tp), ("pp", l.pp), ("dp", l.dp), ("ep", l.ep)] {
            if let Some(v) = v {
                layout.insert(key.into(), json!(v));
            }
        }
    }
    let mut echoed = json!({
        "model": input.model,
        "weights": weights,
        "kv_cache": kv,
        "gpu": gpu,
        "nodes": nodes,
        "gpus_per_node": gpus_per_node,
        "engine": engine.engine,
        "workload": load,
        "sla": sla,
        "priority": workload.priority,
        "layout": layout,
        "allow_tp_across_nodes": input.allow_tp_across_nodes.unwrap_or(true),
        "engine_options": {
            "memory_fraction": engine.memory_fraction,
            "max_batch_requests": engine.max_batch_requests,
            "max_batch_tokens": engine.max_batch_tokens,
        },
    });
    if let (Some(p), Some(object)) = (&input.perf_params, echoed.as_object_mut()) {
        object.insert("perf_params".into(), json!(p));
    }
    if let Some(object) = echoed.as_object_mut() {
        object.insert("step_model".into(), json!(input.step_model.unwrap_or_default()));
        if let Some(capacity) = &input.capacity {
            object.insert("capacity".into(), capacity.clone());
        }
        // Echoed only when given, so the plans of scenarios without it stay as they were.
        if let Some(serving) = input.serving {
            object.insert("serving".into(), json!(serving));
        }
    }
    echoed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(text: &str) -> Result<PlannerInputs, InputError> {
        resolve(&ScenarioInput::from_json(text)?)
    }

    #[test]
    fn format_md_example_resolves_with_defaults_filled_in() {
        let r = scenario(
            r#"{"model": "meta-llama/Llama-3.1-70B-Instruct", "gpu": "h100-sxm", "nodes": 2,
                "workload": {"isl": 2048, "osl": 512, "concurrency": 64}}"#,
        )
        .unwrap();
        assert_eq!(r.cluster.total_gpus(), 16);
        assert_eq!(r.model.num_layers(), 80);
        assert_eq!(r.scenario["gpus_per_node"], 8);
        assert_eq!(r.scenario["engine"], "vllm");
        assert_eq!(r.scenario["weights"], "bf16");
        assert_eq!(r.scenario["workload"]["concurrency"], 64);
        assert_eq!(r.scenario["priority"], "throughput");
    }

    #[test]
    fn perf_params_apply_on_top_of_the_shipped_ones_and_are_echoed() {
        let plain = scenario(r#"{"model": "llama-3.1-8b", "gpu": "h100-sxm", "workload": {"isl": 128, "osl": 128}}"#).unwrap();
        assert_eq!(plain.calibration, Calibration::Shipped);
        assert!(plain.scenario.get("perf_params").is_none());
        let r = scenario(
            r#"{"model": "llama-3.1-8b", "gpu": "h100-sxm", "workload": {"isl": 128, "osl": 128},
                "perf_params": {"hbm_efficiency": 0.7, "step_overhead_ms": 1.2,
                                "fit": {"measurements": 2, "tpot_ms": [-0.03, 0.02]}}}"#,
        )
        .unwrap();
        assert_eq!(r.params.hbm_efficiency, 0.7);
        assert_eq!(r.params.step_overhead, crate::units::Seconds::from_ms(1.2));
        assert_eq!(r.params.gemm_efficiency, plain.params.gemm_efficiency);
        let Calibration::UserFitted(fit) = r.calibration else { panic!("{:?}", r.calibration) };
        assert_eq!((fit.measurements, fit.tpot_ms, fit.ttft_ms), (2, Some([-0.03, 0.02]), None));
        assert_eq!(r.scenario["perf_params"]["hbm_efficiency"], 0.7);
        assert_eq!(r.scenario["perf_params"]["fit"]["measurements"], 2.0);
        // The echo is itself a scenario that resolves to the same inputs.
        let again = resolve(&ScenarioInput::from_value(r.scenario.clone()).unwrap()).unwrap();
        assert_eq!((again.params, again.calibration), (r.params, r.calibration));
        let set = scenario(
            r#"{"model": "llama-3.1-8b", "gpu": "h100-sxm", "workload": {"isl": 128, "osl": 128}, "perf_params": {"gemm_efficiency": 0.5}}"#,
        )
        .unwrap();
        assert_eq!(set.calibration, Calibration::UserSet);
    }

    /// Bug: the TensorRT-LLM caveat about its recalled default caps was emitted even when the
    /// scenario's `engine_options` set both caps, and named both when it set one.
    #[test]
    fn the_trtllm_caps_caveat_names_only_the_caps_left_at_their_recalled_defaults() {
        let trtllm = |options: &str| {
            let text = format!(
                r#"{{"model": "llama-3.1-8b", "gpu": "h100-sxm", "engine": "trtllm", "workload": {{"isl": 128, "osl": 128}}{options}}}"#
            );
            let warnings = scenario(&text).unwrap_or_else(|e| panic!("{text}: {e}")).warnings;
            warnings.into_iter().filter(|w| w.starts_with("TensorRT-LLM's default")).collect::<Vec<_>>()
        };
        let both = "TensorRT-LLM's default max_batch_size (2048) and max_num_tokens (8192) are as recalled, not read from its source; set engine_options to your values.";
        let size = "TensorRT-LLM's default max_batch_size (2048) is as recalled, not read from its source; set engine_options.max_batch_requests to your value.";
        let tokens = "TensorRT-LLM's default max_num_tokens (8192) is as recalled, not read from its source; set engine_options.max_batch_tokens to your value.";
        let cases: [(&str, &[&str]); 6] = [
            ("", &[both]),
            (r#", "engine_options": {"memory_fraction": 0.9}"#, &[both]),
            (r#", "engine_options": {"max_batch_tokens": 4096}"#, &[size]),
            (r#", "engine_options": {"max_batch_requests": 256}"#, &[tokens]),
            (r#", "engine_options": {"max_batch_requests": 256, "max_batch_tokens": 4096}"#, &[]),
            // 1024 tokens a step cap the requests at 1024 too: no recalled cap is left.
            (r#", "engine_options": {"max_batch_tokens": 1024}"#, &[]),
        ];
        for (options, expected) in cases {
            let found = trtllm(options);
            assert_eq!(found, expected, "engine_options {options:?}: expected the caveats {expected:?}, got {found:?}");
        }
    }

    /// Bug: a workload longer than the model's context window (ISL 1,000,000 on Llama 3.1 70B,
    /// whose config.json says max_position_embeddings 131072) was planned without a word.
    #[cfg(feature = "config-import")]
    #[test]
    fn a_workload_past_the_context_window_is_refused_naming_the_length_that_crosses_it() {
        let llama = |isl: u64, osl: u64| {
            scenario(&format!(
                r#"{{"model": "meta-llama/Llama-3.1-70B", "gpu": "h100-sxm", "workload": {{"isl": {isl}, "osl": {osl}}}}}"#
            ))
        };
        for (isl, osl, field) in [(1_000_000, 128, "workload.isl"), (131_072, 1, "workload.isl"), (131_000, 1_000, "workload.osl")] {
            let Err(err) = llama(isl, osl) else { panic!("isl {isl} + osl {osl}: expected an error on {field}, got a plan") };
            assert_eq!(err.field, field, "isl {isl} + osl {osl}: expected the error on {field}, got {err}");
            assert!(err.message.contains("131072"), "isl {isl} + osl {osl}: expected the window in {:?}", err.message);
        }
        let fits = llama(130_000, 1_072);
        assert!(fits.is_ok(), "isl 130000 + osl 1072 = 131072 fills the window exactly: expected a plan, got {fits:?}");
        // A config that states no window: nothing to check against.
        let silent = scenario(
            r#"{"model": {"name": "no-window", "config": {"model_type": "llama", "hidden_size": 1024, "num_hidden_layers": 4,
                "vocab_size": 32000, "num_attention_heads": 8, "intermediate_size": 4096}},
                "gpu": "h100-sxm", "workload": {"isl": 1000000, "osl": 128}}"#,
        );
        assert!(silent.is_ok(), "a config without max_position_embeddings: expected a plan, got {silent:?}");
    }

    #[test]
    fn bad_inputs_name_their_field() {
        let base = |extra: &str| {
            format!(r#"{{"model": "llama-3.1-8b", "gpu": "h100-sxm", "workload": {{"isl": 128, "osl": 128}}{extra}}}"#)
        };
        let cases = [
            (base(r#", "nodes": 0"#), "nodes"),
            (base(r#", "gpus_per_node": -8"#), "gpus_per_node"),
            (base(r#", "nodes": 100000"#), "nodes"),
            (base(r#", "engine": "tgi""#), "engine"),
            (r#"{"model": "no-such-model", "gpu": "h100-sxm", "workload": {"isl": 1, "osl": 1}}"#.into(), "model"),
            (r#"{"model": "llama-3.1-8b", "gpu": "h20", "workload": {"isl": 1, "osl": 1}}"#.into(), "gpu"),
            (r#"{"model": "llama-3.1-8b", "gpu": "h100-sxm", "workload": {"isl": 0, "osl": 1}}"#.into(), "workload.isl"),
            (base(r#", "perf_params": {"hbm_efficiency": 1.2}"#), "perf_params.hbm_efficiency"),
            (base(r#", "perf_params": {"step_overhead_ms": -1}"#), "perf_params.step_overhead_ms"),
            (base(r#", "perf_params": {"gemm": 0.5}"#), "perf_params.gemm"),
            (base(r#", "perf_params": {"fit": {"measurements": 0}}"#), "perf_params.fit.measurements"),
            (base(r#", "perf_params": {"fit": {"measurements": 2, "ttft_ms": [0.1, -0.2]}}"#), "perf_params.fit.ttft_ms"),
        ];
        for (text, field) in cases {
            let err = scenario(&text).expect_err(&text);
            assert_eq!(err.field, field, "{text}: {err}");
        }
    }
}
