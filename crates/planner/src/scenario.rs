//! The scenario: the planner's one input shape (`FORMAT.md`, "Scenario (input)").
//!
//! Design decision: what arrives (`ScenarioInput`, numbers as JSON numbers, model and GPU as
//! raw JSON) and what the planner works on (model spec, cluster, workload) are different types.
//! `ScenarioInput` accepts anything JSON-shaped; validation turns it into planner inputs or
//! one `InputError` naming the field, so a negative ISL or a typo'd key gets a message, never a
//! panic. Unknown keys are rejected (a misspelt `concurency` must not silently mean "absent").

use super::bounds::{whole, MAX_GPUS, MAX_TOKENS};
use super::engine::{Engine, EngineOptionsInput};
use super::error::InputError;
use super::precision::{KvPrecision, WeightPrecision};
use super::units::Seconds;
use super::workload::{Arrivals, Load, Priority, Sla, Workload};
use super::locate::{check, locate, Kind};
use super::perf::params::{FieldIndex, Param, ParamOverrides, JSON_NAMES, PARAM_COUNT};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A scenario as it arrives (JSON, share link, form). Every field but `model`, `gpu` and the
/// workload lengths is optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioInput {
    /// A catalog id, or `{"name": …, "config": {…config.json…}}`.
    pub model: serde_json::Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<WeightPrecision>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kv_cache: Option<KvPrecision>,
    /// A catalog id, or a custom spec object.
    pub gpu: serde_json::Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nodes: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpus_per_node: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<Engine>,
    pub workload: WorkloadInput,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla: Option<SlaInput>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layout: Option<LayoutInput>,
    /// Overrides of the engine's memory fraction and batch caps (`engine::profile`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine_options: Option<EngineOptionsInput>,
    /// `false` rejects layouts whose tensor-parallel group spans the scale-out network
    /// (`tp-across-nodes`); absent or `true` lets the performance model price them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_tp_across_nodes: Option<bool>,
    /// Performance-model parameters to plan with instead of the shipped ones for this GPU and
    /// engine (a user's own fit, `calibration::recalibrate`); every field optional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub perf_params: Option<PerfParamsInput>,
    /// How a step is timed (`StepModel`); absent: the calibrated roofline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_model: Option<StepModel>,
    /// Capacity and cost for a target load (`capacity::input`, read there: raw JSON here so the
    /// startup page, without the feature `capacity`, carries no reader for it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<serde_json::Value>,
    /// Which ways of serving to plan (`Serving`); absent: aggregated only, as before the field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serving: Option<Serving>,
}

/// Which ways of serving the plan searches: every GPU running prefill and decode together
/// (aggregated), separate prefill and decode workers with the KV cache moved between them
/// (disaggregated, `disagg`), or both compared.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Serving {
    #[default]
    Aggregated,
    Disaggregated,
    Both,
}

impl Serving {
    pub fn id(self) -> &'static str {
        match self {
            Serving::Aggregated => "aggregated",
            Serving::Disaggregated => "disaggregated",
            Serving::Both => "both",
        }
    }

    /// Whether disaggregated candidates are searched.
    pub fn disaggregated(self) -> bool {
        self != Serving::Aggregated
    }
}

/// How the performance model times one engine step.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepModel {
    /// Four rooflines (linear layers, experts, decode and prefill attention) at the fitted
    /// efficiencies (`perf::step`): the calibrated default.
    #[default]
    Roofline,
    /// Each operation timed from the measured kernel tables of the scenario's GPU and engine
    /// where the caller supplied them (`perf::ops`), the roofline for the rest; a preview
    /// until that model is calibrated (README, "Accuracy").
    KernelTables,
}

impl StepModel {
    pub fn id(self) -> &'static str {
        match self {
            StepModel::Roofline => "roofline",
            StepModel::KernelTables => "kernel_tables",
        }
    }
}

/// `perf_params`: overrides of `PerfParams` by their JSON names (units in the names, as in
/// `data/fitted-params.json`; the table is `perf::params::PARAMS`), each checked against its
/// bounds; absent fields keep the shipped value. `fit` records the fit that produced them,
/// which the plan's ranges use. In JSON, an object with any of the parameters and `fit`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PerfParamsInput {
    /// In table order, named units.
    pub values: ParamOverrides,
    pub fit: Option<FitRecordInput>,
}

/// The fields `perf_params` may have: every parameter's JSON name, then `fit`.
const PERF_PARAMS_FIELDS: [&str; PARAM_COUNT + 1] = {
    let mut names = ["fit"; PARAM_COUNT + 1];
    let mut i = 0;
    while i < PARAM_COUNT {
        names[i] = JSON_NAMES[i];
        i += 1;
    }
    names
};

impl PerfParamsInput {
    /// Only the given parameter set: `{"hbm_efficiency": 0.7}`.
    pub fn one(param: Param, value: f64) -> PerfParamsInput {
        let mut input = PerfParamsInput::default();
        input.values[param as usize] = Some(value);
        input
    }
}

impl Serialize for PerfParamsInput {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for (name, value) in JSON_NAMES.iter().zip(&self.values) {
            if let Some(v) = value {
                map.serialize_entry(name, v)?;
            }
        }
        if let Some(fit) = &self.fit {
            map.serialize_entry("fit", fit)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for PerfParamsInput {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<PerfParamsInput, D::Error> {
        struct Fields;
        impl<'de> Visitor<'de> for Fields {
            type Value = PerfParamsInput;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("struct PerfParamsInput")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PerfParamsInput, A::Error> {
                let mut input = PerfParamsInput::default();
                let mut seen = [false; PARAM_COUNT + 1];
                while let Some(i) = map.next_key_seed(FieldIndex(&PERF_PARAMS_FIELDS))? {
                    if std::mem::replace(&mut seen[i], true) {
                        return Err(de::Error::duplicate_field(PERF_PARAMS_FIELDS[i]));
                    }
                    if i == PARAM_COUNT {
                        input.fit = map.next_value()?;
                    } else {
                        input.values[i] = map.next_value()?;
                    }
                }
                Ok(input)
            }
        }
        deserializer.deserialize_map(Fields)
    }
}

/// How well the user's fit reproduces the user's measurements: per figure, the smallest and
/// largest `predicted / measured − 1` after the fit (absent: not measured).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FitRecordInput {
    pub measurements: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_tok_s_per_gpu: Option<[f64; 2]>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttft_ms: Option<[f64; 2]>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tpot_ms: Option<[f64; 2]>,
    /// The fit freed `kv_transfer_efficiency`: the user's disaggregated runs measured the KV
    /// transfer inside their TTFT (`calibration::recalibrate` writes it; absent: false), so the
    /// disaggregated TTFT range rests on the fit's residuals (`disagg::report`). Read in every
    /// build, so a share link with such a fit opens anywhere; without the feature
    /// `disaggregation` (the startup page) there are no disaggregated candidates for it to change.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub kv_transfer_fitted: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkloadInput {
    pub isl: f64,
    pub osl: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_rate: Option<f64>,
    /// `staggered` or `synchronized` (`workload::Arrivals`); absent: synchronized with a
    /// `concurrency` (the closed-loop benchmark a concurrency describes), staggered otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arrivals: Option<Arrivals>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttft_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tpot_ms: Option<f64>,
}

/// Any subset of the layout; the fields left out are searched.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayoutInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tp: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pp: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dp: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ep: Option<f64>,
}

/// The layout sizes a scenario fixes; `None` is searched.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LayoutConstraint {
    pub tp: Option<u32>,
    pub pp: Option<u32>,
    pub dp: Option<u32>,
    pub ep: Option<u32>,
}

impl ScenarioInput {
    /// Parse JSON text; the error names the offending field (`workload.isl`).
    pub fn from_json(text: &str) -> Result<Self, InputError> {
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| InputError::new("scenario", format!("not valid JSON: {e}")))?;
        Self::from_value(value)
    }

    /// Interpret parsed JSON; the error names the offending field. Never inlined: the `plan`
    /// command's logic and the page both call it, and an inlined copy of the deserializer
    /// weighs ~10 KB of WebAssembly.
    #[inline(never)]
    pub fn from_value(value: serde_json::Value) -> Result<Self, InputError> {
        // Read first; only a failure is located (`locate`), against the fields below.
        Self::deserialize(value.clone()).map_err(|_| {
            let (path, message) = locate(&value, &SCENARIO, "").unwrap_or_default();
            InputError::new(if path.is_empty() { "scenario".to_string() } else { path }, message)
        })
    }

    /// The workload, validated.
    pub fn workload(&self) -> Result<Workload, InputError> {
        let w = &self.workload;
        let isl = whole(w.isl, "workload.isl", 1, MAX_TOKENS)?;
        let osl = whole(w.osl, "workload.osl", 1, MAX_TOKENS)?;
        let load = match (w.concurrency, w.request_rate) {
            (Some(_), Some(_)) => {
                return Err(InputError::new(
                    "workload.request_rate",
                    "give workload.concurrency or workload.request_rate, not both",
                ))
            }
            (Some(c), None) => Load::Concurrency(whole(c, "workload.concurrency", 1, 1_000_000)?),
            (None, Some(r)) => {
                if !(r.is_finite() && r > 0.0) {
                    return Err(InputError::new(
                        "workload.request_rate",
                        format!("must be a positive number of requests per second, got {r}"),
                    ));
                }
                Load::RequestRate(r)
            }
            (None, None) => Load::MaxThroughput,
        };
        let arrivals = match (w.arrivals, load) {
            (Some(Arrivals::Synchronized), Load::RequestRate(_)) => {
                return Err(InputError::new(
                    "workload.arrivals",
                    "synchronized arrivals need a closed loop (workload.concurrency); a request rate arrives staggered",
                ))
            }
            #[cfg(feature = "benchmark-arrivals")]
            (Some(Arrivals::Benchmark), Load::RequestRate(_)) => {
                return Err(InputError::new(
                    "workload.arrivals",
                    "benchmark arrivals need a closed loop (workload.concurrency); a request rate arrives staggered",
                ))
            }
            (Some(a), _) => a,
            (None, Load::Concurrency(_)) => Arrivals::Synchronized,
            (None, Load::MaxThroughput | Load::RequestRate(_)) => Arrivals::Staggered,
        };
        let sla = self.sla.clone().unwrap_or_default();
        let sla = Sla {
            ttft: positive_ms(sla.ttft_ms, "sla.ttft_ms")?,
            tpot: positive_ms(sla.tpot_ms, "sla.tpot_ms")?,
        };
        Ok(Workload { isl, osl, load, arrivals, sla, priority: self.priority.unwrap_or_default() })
    }

    /// The serving mode; without the planner's `disaggregation` feature (the page's startup
    /// build) anything but aggregated is an error naming `serving`.
    pub fn serving(&self) -> Result<Serving, InputError> {
        let serving = self.serving.unwrap_or_default();
        if serving.disaggregated() && !cfg!(feature = "disaggregation") {
            return Err(InputError::new(
                "serving",
                format!("\"{}\" needs disaggregated planning, which only the full page has (open the benchmark loop to load it)", serving.id()),
            ));
        }
        Ok(serving)
    }

    /// The step model; without the planner's `kernel-tables` feature (the page's startup build)
    /// the kernel tables are an error naming `step_model`.
    pub fn step_model(&self) -> Result<StepModel, InputError> {
        let step_model = self.step_model.unwrap_or_default();
        if step_model == StepModel::KernelTables && !cfg!(feature = "kernel-tables") {
            return Err(InputError::new(
                "step_model",
                "\"kernel_tables\" needs the measured kernel tables' step model, which only the full page has (it loads it)",
            ));
        }
        Ok(step_model)
    }

    /// The fixed layout sizes, each validated as a whole number ≥ 1 (their product and
    /// divisibility are checked against the cluster by the search).
    pub fn layout_constraint(&self) -> Result<LayoutConstraint, InputError> {
        let l = self.layout.unwrap_or_default();
        let get = |v: Option<f64>, field: &str| v.map(|v| whole(v, field, 1, MAX_GPUS)).transpose();
        Ok(LayoutConstraint {
            tp: get(l.tp, "layout.tp")?,
            pp: get(l.pp, "layout.pp")?,
            dp: get(l.dp, "layout.dp")?,
            ep: get(l.ep, "layout.ep")?,
        })
    }
}

/// The scenario's fields as `locate` walks them (the same names and types as the structs above;
/// `tests::every_field_is_located` keeps the two in step).
const SCENARIO: Kind = Kind::Struct(check::<ScenarioInput>, &[
    ("model", Kind::Any),
    ("weights", Kind::Leaf(check::<Option<WeightPrecision>>)),
    ("kv_cache", Kind::Leaf(check::<Option<KvPrecision>>)),
    ("gpu", Kind::Any),
    ("nodes", Kind::Leaf(check::<Option<f64>>)),
    ("gpus_per_node", Kind::Leaf(check::<Option<f64>>)),
    ("engine", Kind::Leaf(check::<Option<Engine>>)),
    ("workload", Kind::Struct(check::<WorkloadInput>, &[
        ("isl", Kind::Leaf(check::<f64>)),
        ("osl", Kind::Leaf(check::<f64>)),
        ("concurrency", Kind::Leaf(check::<Option<f64>>)),
        ("request_rate", Kind::Leaf(check::<Option<f64>>)),
        ("arrivals", Kind::Leaf(check::<Option<Arrivals>>)),
    ])),
    ("sla", Kind::Struct(check::<Option<SlaInput>>, &[
        ("ttft_ms", Kind::Leaf(check::<Option<f64>>)),
        ("tpot_ms", Kind::Leaf(check::<Option<f64>>)),
    ])),
    ("priority", Kind::Leaf(check::<Option<Priority>>)),
    ("layout", Kind::Struct(check::<Option<LayoutInput>>, &[
        ("tp", Kind::Leaf(check::<Option<f64>>)),
        ("pp", Kind::Leaf(check::<Option<f64>>)),
        ("dp", Kind::Leaf(check::<Option<f64>>)),
        ("ep", Kind::Leaf(check::<Option<f64>>)),
    ])),
    ("engine_options", Kind::Struct(check::<Option<EngineOptionsInput>>, &[
        ("memory_fraction", Kind::Leaf(check::<Option<f64>>)),
        ("max_batch_requests", Kind::Leaf(check::<Option<f64>>)),
        ("max_batch_tokens", Kind::Leaf(check::<Option<f64>>)),
    ])),
    ("allow_tp_across_nodes", Kind::Leaf(check::<Option<bool>>)),
    ("perf_params", Kind::Struct(check::<Option<PerfParamsInput>>, &PERF_PARAMS_KINDS)),
    // Read by `capacity::input` against its own table, `capacity::input::CAPACITY`.
    ("capacity", Kind::Any),
    ("step_model", Kind::Leaf(check::<Option<StepModel>>)),
    ("serving", Kind::Leaf(check::<Option<Serving>>)),
]);

/// The fit record's fields for `locate`.
const FIT_FIELDS: &[(&str, Kind)] = &[
    ("measurements", Kind::Leaf(check::<f64>)),
    ("output_tok_s_per_gpu", Kind::Pair(check::<Option<[f64; 2]>>)),
    ("ttft_ms", Kind::Pair(check::<Option<[f64; 2]>>)),
    ("tpot_ms", Kind::Pair(check::<Option<[f64; 2]>>)),
    ("kv_transfer_fitted", Kind::Leaf(check::<bool>)),
];

/// `perf_params`'s fields for `locate`: each parameter a number, `fit` its record.
const PERF_PARAMS_KINDS: [(&str, Kind); PARAM_COUNT + 1] = {
    let mut kinds = [("fit", Kind::Struct(check::<Option<FitRecordInput>>, FIT_FIELDS)); PARAM_COUNT + 1];
    let mut i = 0;
    while i < PARAM_COUNT {
        kinds[i] = (JSON_NAMES[i], Kind::Leaf(check::<Option<f64>>));
        i += 1;
    }
    kinds
};

fn positive_ms(v: Option<f64>, field: &str) -> Result<Option<Seconds>, InputError> {
    match v {
        None => Ok(None),
        Some(ms) if ms.is_finite() && ms > 0.0 => Ok(Some(Seconds::from_ms(ms))),
        Some(ms) => Err(InputError::new(field, format!("must be a positive number of milliseconds, got {ms}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ScenarioInput, InputError> {
        ScenarioInput::from_json(text)
    }

    const EXAMPLE: &str = r#"{
      "model": "meta-llama/Llama-3.1-70B-Instruct", "weights": "bf16", "kv_cache": "bf16",
      "gpu": "h100-sxm", "nodes": 2, "gpus_per_node": 8, "engine": "vllm",
      "workload": { "isl": 2048, "osl": 512, "concurrency": 64 },
      "sla": { "ttft_ms": 2000, "tpot_ms": 50 }, "priority": "throughput",
      "layout": { "tp": 8, "pp": 1, "dp": 2, "ep": 1 }
    }"#;

    /// Every field of a scenario, nested ones included.
    fn full_scenario() -> serde_json::Value {
        let mut full = serde_json::json!({
            "model": "x", "weights": "fp8", "kv_cache": "fp8", "gpu": "h100-sxm", "nodes": 2, "gpus_per_node": 8,
            "engine": "sglang",
            "workload": {"isl": 2048, "osl": 512, "concurrency": 64, "request_rate": 2.5, "arrivals": "staggered"},
            "sla": {"ttft_ms": 2000, "tpot_ms": 50}, "priority": "latency",
            "layout": {"tp": 8, "pp": 1, "dp": 2, "ep": 1},
            "engine_options": {"memory_fraction": 0.9, "max_batch_requests": 256, "max_batch_tokens": 8192},
            "allow_tp_across_nodes": false, "step_model": "roofline", "serving": "both",
            "capacity": {"target": {"request_rate": 30}},
            "perf_params": {
                "gemm_efficiency": 0.7, "attention_efficiency": 0.5, "hbm_efficiency": 0.8, "link_efficiency": 0.7,
                "scale_up_hop_latency_us": 2, "scale_out_hop_latency_us": 5, "step_overhead_ms": 1,
                "layer_overhead_us": 10, "sequence_overhead_us": 1, "moe_efficiency": 0.6, "collective_latency_us": 3, "moe_routing_skew": 1.01, "kv_transfer_efficiency": 0.5, "moe_layer_latency_us": 20,
                "fit": {"measurements": 4, "output_tok_s_per_gpu": [-0.1, 0.1], "ttft_ms": [-0.2, 0.2], "tpot_ms": [-0.1, 0.05]}
            }
        });
        full["perf_params"]["fit"]["kv_transfer_fitted"] = serde_json::json!(true);
        full
    }

    /// A fit that freed the KV transfer's efficiency reads in every build: a share link carrying
    /// it opens on the startup page too (which plans no disaggregated candidates for it to change).
    #[test]
    fn a_fitted_kv_transfer_reads_in_every_build() {
        let text = r#"{"model":"x","gpu":"y","workload":{"isl":1,"osl":1},"perf_params":{"fit":{"measurements":2,"kv_transfer_fitted":true}}}"#;
        let s = ScenarioInput::from_json(text).unwrap_or_else(|e| panic!("refused: {e}"));
        assert!(s.perf_params.and_then(|p| p.fit).is_some_and(|f| f.kv_transfer_fitted));
    }

    #[test]
    fn every_field_is_located() {
        use crate::locate::testing::table_matches;
        let full = full_scenario();
        // The value reads (no key unknown to the structs), and written back it keeps every key
        // (each field was present).
        let read = ScenarioInput::from_value(full.clone()).unwrap();
        table_matches(&full, &SCENARIO, "scenario");
        table_matches(&serde_json::to_value(&read).unwrap(), &SCENARIO, "scenario");
    }

    /// Regression guard for the switch from `serde_path_to_error` (which wrapped every visitor,
    /// ~20 KB of the page's WebAssembly) to `locate`: the same field and message for every
    /// one-thing-wrong variant of a full scenario.
    #[test]
    fn located_errors_agree_with_a_tracking_reader() {
        use crate::locate::testing::{broken_variants, reference};
        let variants = broken_variants(&full_scenario());
        assert!(variants.len() > 150, "{}", variants.len());
        let mut failing = 0;
        for v in &variants {
            let got = ScenarioInput::from_value(v.clone()).err().map(|e| (e.field, e.message));
            let want = reference::<ScenarioInput>(v)
                .map(|(p, m)| (if p.is_empty() { "scenario".to_string() } else { p }, m));
            assert_eq!(got, want, "{v}");
            failing += usize::from(got.is_some());
        }
        assert!(failing > 100, "only {failing} variants failed to read");
    }

    /// Fuzzing found a scenario object without `model` rejected with the field `scenario`
    /// (the object lacking it), which names no field the page or a reader can point at.
    #[test]
    fn a_missing_required_field_is_named_itself() {
        for (value, field) in [
            (serde_json::json!({}), "model"),
            (serde_json::json!({"model": "m", "workload": {"isl": 1, "osl": 1}}), "gpu"),
            (serde_json::json!({"model": "m", "gpu": "g"}), "workload"),
            (serde_json::json!({"model": "m", "gpu": "g", "workload": {"osl": 1}}), "workload.isl"),
            (serde_json::json!({"model": "m", "gpu": "g", "workload": {"isl": 1, "osl": 1}, "perf_params": {"fit": {}}}), "perf_params.fit.measurements"),
        ] {
            let e = ScenarioInput::from_value(value.clone()).expect_err("a required field is missing");
            assert_eq!(e.field, field, "expected the missing field named in {value}, got {e:?}");
        }
    }

    #[test]
    fn format_md_example_parses() {
        let s = parse(EXAMPLE).unwrap();
        let w = s.workload().unwrap();
        assert_eq!((w.isl, w.osl, w.load, w.arrivals), (2048, 512, Load::Concurrency(64), Arrivals::Synchronized));
        assert_eq!(s.layout_constraint().unwrap().tp, Some(8));
    }

    #[test]
    fn benchmark_arrivals_need_the_feature() {
        // With the feature the value plans; without it (the startup page) the scenario is
        // refused on the field, as any unknown value.
        let text = r#"{"model":"x","gpu":"y","workload":{"isl":1,"osl":1,"concurrency":4,"arrivals":"benchmark"}}"#;
        match parse(text).and_then(|s| s.workload()) {
            #[cfg(feature = "benchmark-arrivals")]
            Ok(w) => assert_eq!(w.arrivals, Arrivals::Benchmark),
            #[cfg(not(feature = "benchmark-arrivals"))]
            Ok(w) => panic!("the startup build planned {w:?}"),
            #[cfg(feature = "benchmark-arrivals")]
            Err(e) => panic!("the build with the feature refused it: {e}"),
            #[cfg(not(feature = "benchmark-arrivals"))]
            Err(e) => assert_eq!(e.field, "workload.arrivals", "{e}"),
        }
    }

    #[test]
    fn kernel_tables_need_the_feature() {
        // With the feature the step model resolves; without it (the startup page) the scenario
        // is refused on the field, as a disaggregated `serving` is.
        let text = r#"{"model":"x","gpu":"y","workload":{"isl":1,"osl":1},"step_model":"kernel_tables"}"#;
        match parse(text).and_then(|s| s.step_model()) {
            #[cfg(feature = "kernel-tables")]
            Ok(m) => assert_eq!(m, StepModel::KernelTables),
            #[cfg(not(feature = "kernel-tables"))]
            Ok(m) => panic!("the startup build resolved {m:?}"),
            #[cfg(feature = "kernel-tables")]
            Err(e) => panic!("the build with the feature refused it: {e}"),
            #[cfg(not(feature = "kernel-tables"))]
            Err(e) => assert_eq!(e.field, "step_model", "{e}"),
        }
        let roofline = r#"{"model":"x","gpu":"y","workload":{"isl":1,"osl":1},"step_model":"roofline"}"#;
        assert_eq!(parse(roofline).and_then(|s| s.step_model()), Ok(StepModel::Roofline), "the roofline, with or without the feature");
    }

    #[test]
    fn errors_name_the_field() {
        let cases = [
            (r#"{"model":"x","gpu":"y","workload":{"isl":-5,"osl":1}}"#, "workload.isl"),
            (r#"{"model":"x","gpu":"y","workload":{"isl":0,"osl":1}}"#, "workload.isl"),
            (r#"{"model":"x","gpu":"y","workload":{"isl":1.5,"osl":1}}"#, "workload.isl"),
            (r#"{"model":"x","gpu":"y","workload":{"isl":"2048","osl":1}}"#, "workload.isl"),
            (r#"{"model":"x","gpu":"y","workload":{"isl":1,"osl":1,"concurency":4}}"#, "workload.concurency"),
            (r#"{"model":"x","gpu":"y","workload":{"isl":1,"osl":1},"weights":"fp7"}"#, "weights"),
            (r#"{"model":"x","gpu":"y","workload":{"isl":1,"osl":1},"sla":{"tpot_ms":-1}}"#, "sla.tpot_ms"),
            (r#"{"model":"x","gpu":"y","workload":{"isl":1,"osl":1,"concurrency":2,"request_rate":1}}"#, "workload.request_rate"),
            (r#"{"model":"x","gpu":"y","workload":{"isl":1,"osl":1},"layout":{"tp":0}}"#, "layout.tp"),
            (r#"{"model":"x","gpu":"y","workload":{"isl":1,"osl":1,"request_rate":2,"arrivals":"synchronized"}}"#, "workload.arrivals"),
            (r#"{"model":"x","gpu":"y","workload":{"isl":1,"osl":1,"arrivals":"bursty"}}"#, "workload.arrivals"),
            (r#"{"model":"x","gpu":"y","workload":{"isl":1,"osl":1,"request_rate":2,"arrivals":"benchmark"}}"#, "workload.arrivals"),
            (r#"{"model":"x","gpu":"y","workload":{"isl":1,"osl":1},"engine_options":{"max_num_seqs":8}}"#, "engine_options.max_num_seqs"),
            (r#"[1,2"#, "scenario"),
        ];
        for (text, field) in cases {
            let err = parse(text)
                .and_then(|s| s.workload().and(s.layout_constraint()))
                .expect_err(text);
            assert_eq!(err.field, field, "{text}: {err}");
        }
    }
}
