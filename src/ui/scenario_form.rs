//! The scenario inputs: model, precisions, GPU and cluster, engine, workload, SLA, priority,
//! and the advanced choices (the serving mode, tensor parallel across nodes, the step model,
//! fixed layout sizes).

use super::form::{model_choices, model_verdict, Field, FieldErrors};
use super::gpu_field::{gpu_field, gpu_options};
use super::model_field::model_field;
use super::labelled_field::{labelled_field, Control, SelectOption};
use super::state::AppContext;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ScenarioFormProps {
    /// Messages for the invalid fields (derived from the form by the parent).
    pub errors: FieldErrors,
    /// "64 GPUs; scale-up domain 8 (NVLink inside a node)", when the cluster is valid.
    #[prop_or_default]
    pub cluster_note: Option<AttrValue>,
    /// Whether the kernel tables the step model asks for are loading or failed.
    #[prop_or_default]
    pub tables_note: Option<AttrValue>,
}

const WEIGHTS: &[(&str, &str)] =
    &[("bf16", "BF16"), ("fp16", "FP16"), ("fp8", "FP8"), ("int8", "INT8"), ("int4", "INT4"), ("fp4", "FP4")];
const KV: &[(&str, &str)] = &[("bf16", "BF16"), ("fp16", "FP16"), ("fp8", "FP8"), ("int8", "INT8")];
const ENGINES: &[(&str, &str)] = &[("vllm", "vLLM"), ("sglang", "SGLang"), ("trtllm", "TensorRT-LLM")];
const LOADS: &[(&str, &str)] = &[
    ("concurrency", "Concurrency (closed loop)"),
    ("request_rate", "Request rate (Poisson)"),
    ("max", "Maximum throughput"),
];
/// What the maximum-throughput load means (`FORMAT.md`'s default load).
const MAX_LOAD: &str = "As many requests in flight as fit and meet the SLA, as the plan command assumes when no load is given; the recommendation says how many.";
const ARRIVALS: &[(&str, &str)] = &[
    ("auto", "Default for the load"),
    ("synchronized", "Synchronized (waves)"),
    ("staggered", "Staggered (stream)"),
    ("benchmark", "Benchmark client (AIPerf, warm-up rounds)"),
];
const PRIORITIES: &[(&str, &str)] = &[
    ("throughput", "Throughput (tokens/s per GPU)"),
    ("latency", "Latency (time per token)"),
    ("balanced", "Balanced"),
];
const TP_ACROSS: &[(&str, &str)] = &[("true", "Allowed (priced over the network)"), ("false", "Not allowed")];
const SERVING: &[(&str, &str)] =
    &[("aggregated", "Aggregated"), ("disaggregated", "Disaggregated prefill/decode"), ("both", "Both, compared")];
/// What disaggregated serving is, beside its field.
const SERVING_HINT: &str = "Disaggregated: x prefill and y decode workers, each with its own layout, the KV cache moved between them (vLLM, SGLang, TensorRT-LLM, Dynamo). Planned in the full page.";
const STEP_MODELS: &[(&str, &str)] =
    &[("roofline", "Calibrated roofline"), ("kernel_tables", "Measured kernel tables (preview)")];
/// What the kernel-table step model is, beside its field.
const STEP_MODEL_HINT: &str = "Measured kernel tables time each operation from NVIDIA's kernel measurements for the GPU and engine (H100, H200, B200, GB200, B300, GB300, RTX PRO 6000, L40S, A100), fetched on demand; not yet more accurate than the roofline.";

fn options(pairs: &'static [(&'static str, &'static str)]) -> Vec<SelectOption> {
    pairs.iter().map(|&(value, label)| SelectOption { value: AttrValue::Static(value), label: AttrValue::Static(label) }).collect()
}

#[component]
pub fn ScenarioForm(props: &ScenarioFormProps) -> Html {
    let state = use_context::<AppContext>().expect("ScenarioForm is rendered inside App's context provider");
    let form = &state.form;
    let errors = &props.errors;
    // The model's verdict follows only the fields it reads.
    let verdict = use_memo(
        [Field::ModelSource, Field::Model, Field::Config, Field::KvCache].map(|f| form.get(f).to_string()),
        {
            let form = form.clone();
            move |_| model_verdict(&form)
        },
    );
    let model_list = use_memo((), |()| model_choices());
    let gpu_list = use_memo((), |()| gpu_options());
    let text = |field: Field, mode: &'static str, placeholder: Option<&'static str>, hint: Option<&'static str>| {
        labelled_field(&state, errors, field, Control::Text(mode, placeholder), hint)
    };
    let select = |field: Field, choices: &'static [(&'static str, &'static str)]| {
        labelled_field(&state, errors, field, Control::Select(&options(choices)), None)
    };
    let load = form.get(Field::LoadKind);
    let fixed = [Field::Tp, Field::Pp, Field::Dp, Field::Ep].iter().any(|f| !form.get(*f).is_empty());
    html! {
        <form class="scenario" data-testid="scenario-form" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
            <fieldset>
                <legend>{ "Model" }</legend>
                { model_field(&state, errors, &verdict, &model_list) }
                <div class="pair">
                    { select(Field::Weights, WEIGHTS) }
                    { select(Field::KvCache, KV) }
                </div>
            </fieldset>
            <fieldset>
                <legend>{ "Hardware" }</legend>
                { gpu_field(&state, errors, &gpu_list) }
                <div class="pair">
                    { text(Field::Nodes, "numeric", None, None) }
                    { text(Field::GpusPerNode, "numeric", None, None) }
                </div>
                if let Some(note) = &props.cluster_note {
                    <p class="hint field-note" data-testid="cluster-note">{ note.clone() }</p>
                }
                { select(Field::Engine, ENGINES) }
            </fieldset>
            <fieldset>
                <legend>{ "Workload" }</legend>
                <div class="pair">
                    { text(Field::Isl, "numeric", None, None) }
                    { text(Field::Osl, "numeric", None, None) }
                </div>
                { labelled_field(&state, errors, Field::LoadKind, Control::Select(&options(LOADS)), (load == "max").then_some(MAX_LOAD)) }
                if load == "concurrency" {
                    { text(Field::Concurrency, "numeric", None, Some("Requests in flight across the cluster; the rule of thumb reads it as the batch size.")) }
                }
                if load == "request_rate" {
                    { text(Field::RequestRate, "decimal", None, None) }
                }
                { select(Field::Arrivals, ARRIVALS) }
                <p class="hint field-note">{ "Default: synchronized with a concurrency (as vllm bench serve runs fixed lengths), staggered otherwise. Benchmark client: AIPerf's closed loop after warm-up rounds, as NVIDIA's silicon sample was measured." }</p>
                <div class="pair">
                    { text(Field::TtftMs, "decimal", Some("no limit"), None) }
                    { text(Field::TpotMs, "decimal", Some("no limit"), None) }
                </div>
                { select(Field::Priority, PRIORITIES) }
            </fieldset>
            <details class="advanced" open={fixed || form.get(Field::AllowTpAcrossNodes) == "false" || form.get(Field::StepModel) != "roofline" || form.get(Field::Serving) != "aggregated"}>
                <summary>{ "Advanced" }</summary>
                { labelled_field(&state, errors, Field::Serving, Control::Select(&options(SERVING)), Some(SERVING_HINT)) }
                { select(Field::AllowTpAcrossNodes, TP_ACROSS) }
                { labelled_field(&state, errors, Field::StepModel, Control::Select(&options(STEP_MODELS)), Some(STEP_MODEL_HINT)) }
                if let Some(note) = &props.tables_note {
                    <p class="hint field-note" data-testid="tables-note" role="status">{ note.clone() }</p>
                }
                <p class="hint">{ "Fix some layout sizes; the empty ones are searched." }</p>
                <div class="quad">
                    { text(Field::Tp, "numeric", Some("any"), None) }
                    { text(Field::Pp, "numeric", Some("any"), None) }
                    { text(Field::Dp, "numeric", Some("any"), None) }
                    { text(Field::Ep, "numeric", Some("any"), None) }
                </div>
            </details>
        </form>
    }
}
