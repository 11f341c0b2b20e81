//! A labelled text box for a number (or a short name) of the form, with its message beside it
//! when invalid.
//!
//! A text box, not `type="number"`: the browser empties a number box that holds `12a`, and the
//! page could then only say "empty" instead of naming what is wrong. A view function, not a
//! component: twenty fields share one copy of this code (a component's glue would weigh a
//! few KB of WebAssembly), and re-rendering a text box is cheap.

use super::form::{Field, FieldErrors};
use super::state::{Action, AppContext};
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// The text box of `field` (test hooks `field-{id}`, `error-{id}`): `mode` is the
/// `inputmode` (`numeric`, `decimal`, `text`), `placeholder` an optional field's meaning when
/// left empty, `hint` a short note under it.
#[inline(never)]
pub fn number_field(
    state: &AppContext,
    errors: &FieldErrors,
    field: Field,
    mode: &'static str,
    placeholder: Option<&'static str>,
    hint: Option<&'static str>,
) -> Html {
    let oninput = {
        let state = state.clone();
        Callback::from(move |event: InputEvent| {
            let input: HtmlInputElement = event.target_unchecked_into();
            state.dispatch(Action::Edit(field, input.value()));
        })
    };
    let id = field.id();
    let error = errors.get(field);
    let error_id = format!("error-{id}");
    html! {
        <div class={classes!("field", error.is_some().then_some("invalid"))}>
            <label for={id}>{ field.label() }</label>
            <input
                {id}
                type="text"
                inputmode={mode}
                placeholder={placeholder}
                autocomplete="off"
                data-testid={format!("field-{id}")}
                value={state.form.get(field).to_string()}
                aria-invalid={error.is_some().to_string()}
                aria-describedby={error.map(|_| error_id.clone())}
                {oninput}
            />
            if let Some(error) = error {
                <p class="error" id={error_id.clone()} data-testid={error_id.clone()} role="alert">{ error.to_string() }</p>
            }
            if let Some(hint) = hint {
                <p class="hint">{ hint }</p>
            }
        </div>
    }
}
