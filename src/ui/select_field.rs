//! A labelled drop-down over a fixed list of options, for a field of the form. A view function,
//! not a component, for the reason given in `number_field`.

use super::form::{Field, FieldErrors};
use super::state::{Action, AppContext};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// One choice: the value submitted and the text shown.
#[derive(Debug, Clone, PartialEq)]
pub struct SelectOption {
    pub value: AttrValue,
    pub label: AttrValue,
}

/// The drop-down of `field` (test hooks `field-{id}`, `error-{id}`).
#[inline(never)]
pub fn select_field(state: &AppContext, errors: &FieldErrors, field: Field, options: &[SelectOption]) -> Html {
    let onchange = {
        let state = state.clone();
        Callback::from(move |event: Event| {
            let select: HtmlSelectElement = event.target_unchecked_into();
            state.dispatch(Action::Edit(field, select.value()));
        })
    };
    let id = field.id();
    let value = state.form.get(field);
    let error = errors.get(field);
    let error_id = format!("error-{id}");
    html! {
        <div class={classes!("field", error.is_some().then_some("invalid"))}>
            <label for={id}>{ field.label() }</label>
            <select
                {id}
                data-testid={format!("field-{id}")}
                aria-invalid={error.is_some().to_string()}
                aria-describedby={error.map(|_| error_id.clone())}
                {onchange}
            >
                { for options.iter().map(|option| html! {
                    <option
                        key={option.value.to_string()}
                        value={option.value.clone()}
                        selected={option.value == value}
                    >
                        { option.label.clone() }
                    </option>
                }) }
            </select>
            if let Some(error) = error {
                <p class="error" id={error_id.clone()} data-testid={error_id.clone()} role="alert">{ error.to_string() }</p>
            }
        </div>
    }
}
