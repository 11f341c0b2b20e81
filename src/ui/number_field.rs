//! A labelled text box for a number (or a short name), with its message beside it when invalid.
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
    /// `numeric` for counts, `decimal` for figures, `text` for names.
    #[prop_or(AttrValue::Static("numeric"))]
    pub inputmode: AttrValue,
    /// Shown while empty (an optional field's meaning when left out).
    #[prop_or_default]
    pub placeholder: Option<AttrValue>,
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
                inputmode={props.inputmode.clone()}
                placeholder={props.placeholder.clone()}
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
