//! One input of the form: its label, its control (a text box or a drop-down over a fixed list),
//! its message when invalid, and an optional hint.
//!
//! A text box, not `type="number"`: the browser empties a number box that holds `12a`, and the
//! page could then only say "empty" instead of naming what is wrong. A view function, not a
//! component: some thirty fields share one copy of this code (a component's glue would weigh a
//! few KB of WebAssembly), and re-rendering a field is cheap. Both kinds of control are built
//! here, so the label, the message and the attributes that tie them together are written once.

use super::form::{Field, FieldErrors};
use super::state::{Action, AppContext};
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// One choice of a drop-down: the value submitted and the text shown.
#[derive(Debug, Clone, PartialEq)]
pub struct SelectOption {
    pub value: AttrValue,
    pub label: AttrValue,
}

/// A field's control.
pub enum Control<'a> {
    /// A text box: its `inputmode` (`numeric`, `decimal`, `text`) and an optional field's
    /// meaning when left empty (`placeholder`).
    Text(&'static str, Option<&'static str>),
    /// A drop-down over these choices.
    Select(&'a [SelectOption]),
}

/// The field `field` (test hooks `field-{id}` on its control, `error-{id}` on its message),
/// with `hint`, a short note, under it.
#[inline(never)]
pub fn labelled_field(state: &AppContext, errors: &FieldErrors, field: Field, control: Control, hint: Option<&'static str>) -> Html {
    // A drop-down fires `input` too when the choice changes; `value` is read the same way on both.
    let oninput = {
        let state = state.clone();
        Callback::from(move |event: InputEvent| {
            let control: HtmlInputElement = event.target_unchecked_into();
            state.dispatch(Action::Edit(field, control.value()));
        })
    };
    let id = field.id();
    let value = state.form.get(field);
    let error = errors.get(field);
    let error_id = format!("error-{id}");
    let testid = format!("field-{id}");
    let invalid = error.is_some().to_string();
    let described = error.map(|_| error_id.clone());
    html! {
        <div class={classes!("field", error.is_some().then_some("invalid"))}>
            <label for={id}>{ field.label() }</label>
            { match control {
                Control::Text(mode, placeholder) => html! {
                    <input
                        {id}
                        type="text"
                        inputmode={mode}
                        {placeholder}
                        autocomplete="off"
                        data-testid={testid}
                        value={value.to_string()}
                        aria-invalid={invalid}
                        aria-describedby={described}
                        {oninput}
                    />
                },
                Control::Select(options) => html! {
                    <select {id} data-testid={testid} aria-invalid={invalid} aria-describedby={described} {oninput}>
                        { for options.iter().map(|option| html! {
                            <option key={option.value.to_string()} value={option.value.clone()} selected={option.value == value}>
                                { option.label.clone() }
                            </option>
                        }) }
                    </select>
                },
            } }
            if let Some(error) = error {
                <p class="error" id={error_id.clone()} data-testid={error_id} role="alert">{ error.to_string() }</p>
            }
            if let Some(hint) = hint {
                <p class="hint">{ hint }</p>
            }
        </div>
    }
}
