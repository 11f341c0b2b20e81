//! The model: a catalog id typed with suggestions (a datalist of ids and names; any case and
//! the catalog's aliases accepted), or a `config.json` pasted, dropped or picked from a file;
//! and the import's verdict (what the planner read, or the refusal naming the field).

use super::form::{Field, FieldErrors, ModelVerdict};
use super::format;
use super::state::{Action, AppContext};
use wasm_bindgen_futures::JsFuture;
use web_sys::{DragEvent, HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

/// Reads the first file of a list as text and hands it to `done`.
fn read_first(files: Option<web_sys::FileList>, done: Callback<String>) {
    let Some(file) = files.and_then(|f| f.get(0)) else { return };
    wasm_bindgen_futures::spawn_local(async move {
        // An unreadable file leaves the box as it was.
        if let Ok(text) = JsFuture::from(file.text()).await {
            done.emit(text.as_string().unwrap_or_default());
        }
    });
}

fn verdict(result: &Result<ModelVerdict, String>) -> Html {
    match result {
        Ok(v) => {
            let s = &v.summary;
            let active = (s.active_params != s.total_params)
                .then(|| format!(" ({} active)", format::params(s.active_params as f64)));
            html! {
                <div class="verdict-box ok" data-testid="model-verdict" role="status">
                    <p>
                        <strong>{ s.name.clone() }</strong>
                        { format!(": {} parameters{}, {} layers, KV cache {} per token",
                            format::params(s.total_params as f64), active.unwrap_or_default(), s.layers,
                            format::bytes(s.kv_cache_bytes_per_token)) }
                    </p>
                    if !v.notes.is_empty() {
                        <ul class="notes">{ for v.notes.iter().enumerate().map(|(i, n)| html! { <li key={i}>{ n.clone() }</li> }) }</ul>
                    }
                </div>
            }
        }
        Err(message) => html! {
            <p class="verdict-box refused" data-testid="model-verdict" role="status">{ format!("Not imported: {message}") }</p>
        },
    }
}

/// The model's inputs and the import's verdict. A view function of `ScenarioForm` (which holds
/// the memoised verdict and choices), not a component of its own: a component's glue weighs
/// a few KB of WebAssembly.
pub fn model_field(
    state: &AppContext,
    errors: &FieldErrors,
    verdict_of: &Result<ModelVerdict, String>,
    choices: &[(String, String)],
) -> Html {
    let form = &state.form;
    let edit = |field: Field| {
        let state = state.clone();
        Callback::from(move |value: String| state.dispatch(Action::Edit(field, value)))
    };
    let from_config = form.active(Field::Config);
    let on_source = {
        let edit = edit(Field::ModelSource);
        move |value: &'static str| {
            let edit = edit.clone();
            Callback::from(move |_: Event| edit.emit(value.to_string()))
        }
    };
    let field = if from_config { Field::Config } else { Field::Model };
    let error = errors.get(field).map(str::to_string);
    let error_id = format!("error-{}", field.id());
    let described = error.as_ref().map(|_| error_id.clone());
    let input = if from_config {
        let on_paste = {
            let edit = edit(Field::Config);
            Callback::from(move |e: InputEvent| edit.emit(e.target_unchecked_into::<HtmlTextAreaElement>().value()))
        };
        let on_file = {
            let edit = edit(Field::Config);
            Callback::from(move |e: Event| read_first(e.target_unchecked_into::<HtmlInputElement>().files(), edit.clone()))
        };
        let on_drop = {
            let edit = edit(Field::Config);
            Callback::from(move |e: DragEvent| {
                e.prevent_default();
                read_first(e.data_transfer().and_then(|d| d.files()), edit.clone());
            })
        };
        html! {
            <>
                <label for="config">{ "config.json (paste, drop a file here, or choose one)" }</label>
                <textarea
                    id="config"
                    rows="6"
                    spellcheck="false"
                    placeholder="{ \"architectures\": [...], \"hidden_size\": ... }"
                    data-testid="field-config"
                    value={form.get(Field::Config).to_string()}
                    aria-invalid={error.is_some().to_string()}
                    aria-describedby={described}
                    oninput={on_paste}
                    ondragover={Callback::from(|e: DragEvent| e.prevent_default())}
                    ondrop={on_drop}
                />
                <label class="file">
                    { "Choose a file… " }
                    <input type="file" accept=".json,application/json" data-testid="field-config-file" onchange={on_file} />
                </label>
            </>
        }
    } else {
        let on_type = {
            let edit = edit(Field::Model);
            Callback::from(move |e: InputEvent| edit.emit(e.target_unchecked_into::<HtmlInputElement>().value()))
        };
        html! {
            <>
                <label for="model">{ Field::Model.label() }</label>
                <input
                    id="model"
                    type="text"
                    list="model-list"
                    autocomplete="off"
                    spellcheck="false"
                    data-testid="field-model"
                    value={form.get(Field::Model).to_string()}
                    aria-invalid={error.is_some().to_string()}
                    aria-describedby={described}
                    oninput={on_type}
                />
                <datalist id="model-list">
                    { for choices.iter().map(|(id, name)| html! { <option key={id.clone()} value={id.clone()}>{ name.clone() }</option> }) }
                </datalist>
            </>
        }
    };
    html! {
        <div class={classes!("field", "model-field", error.is_some().then_some("invalid"))}>
            <div class="segmented" role="radiogroup" aria-label="Model from">
                <label>
                    <input type="radio" name="model-source" data-testid="model-source-catalog" checked={!from_config} onchange={on_source("catalog")} />
                    { "Catalog" }
                </label>
                <label>
                    <input type="radio" name="model-source" data-testid="model-source-config" checked={from_config} onchange={on_source("config")} />
                    { "config.json" }
                </label>
            </div>
            { input }
            if let Some(error) = &error {
                <p class="error" id={error_id.clone()} data-testid={error_id.clone()} role="alert">{ error.clone() }</p>
            }
            { verdict(verdict_of) }
        </div>
    }
}
