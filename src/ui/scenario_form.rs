//! The scenario inputs: model, GPU, cluster shape, batch size, priority.

use super::form::{self, Field, FieldErrors};
use super::number_field::NumberField;
use super::select_field::{SelectField, SelectOption};
use super::state::{Action, AppContext};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ScenarioFormProps {
    /// Messages for the invalid fields (derived from the form by the parent).
    pub errors: FieldErrors,
}

#[component]
pub fn ScenarioForm(props: &ScenarioFormProps) -> Html {
    let state = use_context::<AppContext>().expect("ScenarioForm is rendered inside App's context provider");
    let form = &state.form;
    let on_edit = |field: Field| {
        let state = state.clone();
        Callback::from(move |value: String| state.dispatch(Action::Edit(field, value)))
    };
    let error = |field: Field| props.errors.get(field).map(|m| AttrValue::from(m.to_string()));
    let number = |field: Field, hint: Option<&'static str>| {
        html! {
            <NumberField
                id={field.id()}
                label={field.label()}
                value={form.get(field).to_string()}
                error={error(field)}
                hint={hint.map(AttrValue::Static)}
                oninput={on_edit(field)}
            />
        }
    };
    let select = |field: Field, options: Vec<SelectOption>, hint: Option<&'static str>| {
        html! {
            <SelectField
                id={field.id()}
                label={field.label()}
                value={form.get(field).to_string()}
                {options}
                error={error(field)}
                hint={hint.map(AttrValue::Static)}
                onchange={on_edit(field)}
            />
        }
    };
    html! {
        <form class="scenario" data-testid="scenario-form" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
            <fieldset>
                <legend>{ "Model and hardware" }</legend>
                { select(Field::Model, model_options(), None) }
                { select(Field::Gpu, gpu_options(), None) }
                { number(Field::Nodes, None) }
                { number(Field::GpusPerNode, None) }
            </fieldset>
            <fieldset>
                <legend>{ "Workload" }</legend>
                { number(Field::BatchSize, None) }
                { select(Field::Priority, priority_options(), Some("The rule of thumb ignores it.")) }
            </fieldset>
        </form>
    }
}

fn priority_options() -> Vec<SelectOption> {
    [
        ("throughput", "Throughput (tokens/s per GPU)"),
        ("latency", "Latency (time per token)"),
        ("balanced", "Balanced"),
    ]
    .into_iter()
    .map(|(value, label)| SelectOption { value: value.into(), label: label.into() })
    .collect()
}

fn choices(pairs: Vec<(String, String)>) -> Vec<SelectOption> {
    pairs.into_iter().map(|(value, label)| SelectOption { value: value.into(), label: label.into() }).collect()
}

fn model_options() -> Vec<SelectOption> {
    choices(form::model_choices())
}

fn gpu_options() -> Vec<SelectOption> {
    choices(form::gpu_choices())
}
