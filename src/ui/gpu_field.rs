//! The GPU: a catalog entry with its figures shown (memory, BF16 rate and the FP8 / FP4 rates
//! it has, memory bandwidth, scale-up link and domain; a figure the catalog lacks says so), or
//! a custom GPU by the figures a scenario's custom spec takes (`FORMAT.md`, `gpu`), the
//! low-precision rates optional.

use super::form::{gpu_choices, Field, FieldErrors, CUSTOM_GPU};
use super::format;
use super::labelled_field::{labelled_field, Control, SelectOption};
use super::state::AppContext;
use planner::gpu::catalog as gpus;
use yew::prelude::*;

fn figure(value: Option<f64>, unit: &str) -> String {
    value.map_or_else(|| "not in the catalog".to_string(), |v| format!("{} {unit}", format::figure(v)))
}

fn figures(id: &str) -> Html {
    let Some(gpu) = gpus::entries().iter().find(|g| g.id == id) else { return Html::default() };
    let rows = [
        ("Memory", Some(figure(gpu.memory_gib, "GiB"))),
        ("BF16 dense", Some(figure(gpu.bf16_tflops, "TFLOP/s"))),
        ("FP8 dense", gpu.fp8_tflops.map(|v| figure(Some(v), "TFLOP/s"))),
        ("FP4 dense", gpu.fp4_tflops.map(|v| figure(Some(v), "TFLOP/s"))),
        ("Memory bandwidth", Some(figure(gpu.hbm_tb_s, "TB/s"))),
        ("Scale-up link", Some(figure(gpu.scale_up_gb_s, "GB/s per GPU"))),
        ("Scale-up domain", Some(gpu.scale_up_domain.map_or_else(|| "not in the catalog".to_string(), |d| format!("{d} GPUs")))),
    ];
    html! {
        <dl class="gpu-figures" data-testid="gpu-figures">
            { for rows.into_iter().filter_map(|(name, value)| Some((name, value?))).map(|(name, value)| html! {
                <div key={name}><dt>{ name }</dt><dd>{ value }</dd></div>
            }) }
        </dl>
    }
}

/// The GPU choices: the catalog, then "Custom GPU…".
pub fn gpu_options() -> Vec<SelectOption> {
    let mut options: Vec<SelectOption> =
        gpu_choices().into_iter().map(|(id, name)| SelectOption { value: id.into(), label: name.into() }).collect();
    options.push(SelectOption { value: AttrValue::Static(CUSTOM_GPU), label: AttrValue::Static("Custom GPU…") });
    options
}

/// The GPU's inputs. A view function of `ScenarioForm` (which memoises the options), not a
/// component of its own: a component's glue weighs a few KB of WebAssembly.
pub fn gpu_field(state: &AppContext, errors: &FieldErrors, options: &[SelectOption]) -> Html {
    let form = &state.form;
    let gpu = form.get(Field::Gpu);
    let custom = |field: Field, mode: &'static str| labelled_field(state, errors, field, Control::Text(mode, None), None);
    html! {
        <>
            { labelled_field(state, errors, Field::Gpu, Control::Select(options), None) }
            if gpu == CUSTOM_GPU {
                <div class="custom-gpu" data-testid="custom-gpu">
                    { custom(Field::GpuName, "text") }
                    <div class="pair">
                        { custom(Field::GpuMemory, "decimal") }
                        { custom(Field::GpuBf16, "decimal") }
                        { custom(Field::GpuHbm, "decimal") }
                        { custom(Field::GpuScaleUp, "decimal") }
                        { custom(Field::GpuScaleOut, "decimal") }
                    </div>
                    <p class="hint field-note">{ "Optional: weights of a precision whose rate is left empty run dequantised, at the BF16 rate." }</p>
                    <div class="pair">
                        { custom(Field::GpuFp8, "decimal") }
                        { custom(Field::GpuFp4, "decimal") }
                        { custom(Field::GpuInt8, "decimal") }
                    </div>
                </div>
            } else {
                { figures(gpu) }
            }
        </>
    }
}
