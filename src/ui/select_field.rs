//! A labelled drop-down over a fixed list of options.

use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// One choice: the value submitted and the text shown.
#[derive(Debug, Clone, PartialEq)]
pub struct SelectOption {
    pub value: AttrValue,
    pub label: AttrValue,
}

#[derive(Properties, PartialEq)]
pub struct SelectFieldProps {
    /// HTML id; the test hooks are `field-{id}` and `error-{id}`.
    pub id: AttrValue,
    pub label: AttrValue,
    pub value: AttrValue,
    pub options: Vec<SelectOption>,
    #[prop_or_default]
    pub error: Option<AttrValue>,
    #[prop_or_default]
    pub hint: Option<AttrValue>,
    pub onchange: Callback<String>,
}

#[component]
pub fn SelectField(props: &SelectFieldProps) -> Html {
    let onchange = {
        let onchange = props.onchange.clone();
        Callback::from(move |event: Event| {
            let select: HtmlSelectElement = event.target_unchecked_into();
            onchange.emit(select.value());
        })
    };
    let error_id = format!("error-{}", props.id);
    html! {
        <div class={classes!("field", props.error.is_some().then_some("invalid"))}>
            <label for={props.id.clone()}>{ props.label.clone() }</label>
            <select
                id={props.id.clone()}
                data-testid={format!("field-{}", props.id)}
                aria-invalid={props.error.is_some().to_string()}
                aria-describedby={props.error.as_ref().map(|_| error_id.clone())}
                {onchange}
            >
                { for props.options.iter().map(|option| html! {
                    <option
                        key={option.value.to_string()}
                        value={option.value.clone()}
                        selected={option.value == props.value}
                    >
                        { option.label.clone() }
                    </option>
                }) }
            </select>
            if let Some(error) = &props.error {
                <p class="error" id={error_id.clone()} data-testid={error_id.clone()} role="alert">{ error.clone() }</p>
            }
            if let Some(hint) = &props.hint {
                <p class="hint">{ hint.clone() }</p>
            }
        </div>
    }
}
