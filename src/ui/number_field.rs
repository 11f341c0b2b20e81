//! A labelled text box for a whole number, with its message beside it when invalid.
//!
//! A text box, not `type="number"`: the browser empties a number box that holds `12a`, and the
//! page could then only say "empty" instead of naming what is wrong.

use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct NumberFieldProps {
    /// HTML id; the test hooks are `field-{id}` and `error-{id}`.
    pub id: AttrValue,
    pub label: AttrValue,
    pub value: AttrValue,
    /// The message to show, when the value is invalid.
    #[prop_or_default]
    pub error: Option<AttrValue>,
    /// A short hint under the field.
    #[prop_or_default]
    pub hint: Option<AttrValue>,
    pub oninput: Callback<String>,
}

#[component]
pub fn NumberField(props: &NumberFieldProps) -> Html {
    let oninput = {
        let oninput = props.oninput.clone();
        Callback::from(move |event: InputEvent| {
            let input: HtmlInputElement = event.target_unchecked_into();
            oninput.emit(input.value());
        })
    };
    let error_id = format!("error-{}", props.id);
    html! {
        <div class={classes!("field", props.error.is_some().then_some("invalid"))}>
            <label for={props.id.clone()}>{ props.label.clone() }</label>
            <input
                id={props.id.clone()}
                type="text"
                inputmode="numeric"
                autocomplete="off"
                data-testid={format!("field-{}", props.id)}
                value={props.value.clone()}
                aria-invalid={props.error.is_some().to_string()}
                aria-describedby={props.error.as_ref().map(|_| error_id.clone())}
                {oninput}
            />
            if let Some(error) = &props.error {
                <p class="error" id={error_id.clone()} data-testid={error_id.clone()} role="alert">{ error.clone() }</p>
            }
            if let Some(hint) = &props.hint {
                <p class="hint">{ hint.clone() }</p>
            }
        </div>
    }
}
