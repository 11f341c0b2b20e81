//! The capacity card's inputs: the target load (requests per second or output tokens per day),
//! the GPUs compared (every catalog GPU or a chosen set), the price level, the ceiling of the
//! search and an optional what-if sweep. Each is a text box or a drop-down over the card's
//! typed state (`capacity_form::CapacityForm`), with its message beside it; prices are edited
//! in the comparison table's price cells (`capacity_table`). A view function of the card.

use super::capacity_form::{CapacityEdit, CapacityField, CapacityForm};
use super::form::FieldErrors;
use super::state::{Action, AppContext};
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// A callback dispatching the edit `make` builds from the control's value.
pub fn on_edit(state: &AppContext, make: impl Fn(String) -> CapacityEdit + 'static) -> Callback<InputEvent> {
    let state = state.clone();
    Callback::from(move |event: InputEvent| {
        let control: HtmlInputElement = event.target_unchecked_into();
        state.dispatch(Action::EditCapacity(make(control.value())));
    })
}

/// A labelled text box for `field` with its message (`error-{id}`).
fn text_box(
    errors: &FieldErrors,
    field: CapacityField,
    label: &'static str,
    value: &str,
    placeholder: &'static str,
    oninput: Callback<InputEvent>,
) -> Html {
    let id = field.id();
    let error = errors.capacity_message(&id);
    let error_id = format!("error-{id}");
    html! {
        <div class={classes!("field", error.is_some().then_some("invalid"))}>
            <label for={id.clone()}>{ label }</label>
            <input
                id={id.clone()}
                type="text"
                inputmode="decimal"
                {placeholder}
                autocomplete="off"
                data-testid={format!("field-{id}")}
                value={value.to_string()}
                aria-invalid={error.is_some().to_string()}
                aria-describedby={error.map(|_| error_id.clone())}
                {oninput}
            />
            if let Some(error) = error {
                <p class="error" id={error_id.clone()} data-testid={error_id} role="alert">{ error.to_string() }</p>
            }
        </div>
    }
}

/// A labelled drop-down over `(value, label)` choices.
fn choice(
    id: &'static str,
    label: &'static str,
    value: &str,
    choices: &[(&'static str, &'static str)],
    oninput: Callback<InputEvent>,
) -> Html {
    html! {
        <div class="field">
            <label for={id}>{ label }</label>
            <select {id} data-testid={format!("field-{id}")} {oninput}>
                { for choices.iter().map(|&(v, l)| html! { <option key={v} value={v} selected={v == value}>{ l }</option> }) }
            </select>
        </div>
    }
}

/// The card's inputs; `gpus` are the catalog's (id, name) choices.
pub fn capacity_inputs(state: &AppContext, errors: &FieldErrors, card: &CapacityForm, gpus: &[(String, String)]) -> Html {
    let all = card.gpus.is_none();
    let ids: Vec<String> = gpus.iter().map(|(id, _)| id.clone()).collect();
    let on_all = {
        let state = state.clone();
        move |on: bool| {
            let state = state.clone();
            let ids = ids.clone();
            Callback::from(move |_: Event| state.dispatch(Action::EditCapacity(CapacityEdit::AllGpus(on, ids.clone()))))
        }
    };
    let gpus_error = errors.capacity_message(&CapacityField::Gpus.id()).map(str::to_string);
    html! {
        <div class="capacity-inputs" data-testid="capacity-inputs">
            <div class="field-row">
                { choice("capacity-target-kind", "Target load", &card.target_kind,
                    &[("request_rate", "requests per second"), ("tokens_per_day", "output tokens per day")],
                    on_edit(state, CapacityEdit::TargetKind)) }
                { text_box(errors, CapacityField::Target, if card.target_kind == "tokens_per_day" { "Output tokens per day" } else { "Requests per second" },
                    &card.target, "", on_edit(state, CapacityEdit::Target)) }
            </div>
            <fieldset class="field">
                <legend>{ "GPUs to compare" }</legend>
                <label><input type="radio" name="capacity-gpus" data-testid="capacity-all-gpus" checked={all} onchange={on_all(true)} />{ " every catalog GPU" }</label>
                <label><input type="radio" name="capacity-gpus" data-testid="capacity-chosen-gpus" checked={!all} onchange={on_all(false)} />{ " a chosen set" }</label>
                if let Some(chosen) = &card.gpus {
                    <div class="gpu-choices" id={CapacityField::Gpus.id()}>
                        { for gpus.iter().map(|(id, name)| {
                            let on = chosen.contains(id);
                            let onchange = {
                                let state = state.clone();
                                let id = id.clone();
                                Callback::from(move |_: Event| state.dispatch(Action::EditCapacity(CapacityEdit::Gpu(id.clone(), !on))))
                            };
                            html! { <label key={id.clone()}><input type="checkbox" checked={on} {onchange} data-gpu={id.clone()} />{ format!(" {name}") }</label> }
                        }) }
                    </div>
                }
                if let Some(error) = gpus_error {
                    <p class="error" data-testid="error-capacity-gpus" role="alert">{ error }</p>
                }
            </fieldset>
            <div class="field-row">
                { choice("capacity-price-level", "Default prices", &card.price_level,
                    &[("low", "low published price"), ("typical", "typical published price"), ("high", "high published price")],
                    on_edit(state, CapacityEdit::PriceLevel)) }
                { text_box(errors, CapacityField::MaxGpus, "At most GPUs", &card.max_gpus, "1024", on_edit(state, CapacityEdit::MaxGpus)) }
            </div>
            <div class="field-row">
                { choice("capacity-sweep-variable", "What-if sweep", &card.sweep_variable,
                    &[("", "none"), ("isl", "input length (ISL)"), ("osl", "output length (OSL)"), ("request_rate", "request rate")],
                    on_edit(state, CapacityEdit::SweepVariable)) }
                if !card.sweep_variable.is_empty() {
                    { text_box(errors, CapacityField::SweepValues, "Values (comma-separated)", &card.sweep_values, "e.g. 10, 20, 40", on_edit(state, CapacityEdit::SweepValues)) }
                }
            </div>
        </div>
    }
}
