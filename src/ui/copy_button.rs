//! A "Copy" button for a block of text: the clipboard API when the page may use it, else the
//! block's text selected so that Ctrl+C (⌘C) copies it, and a word on which happened.
//!
//! Design decision: `navigator.clipboard` exists only in secure contexts (https, localhost);
//! an embed on a plain-http docs site has none, and calling it there would throw. The button
//! checks for it first and otherwise falls back to a selection, which works everywhere.

use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CopyButtonProps {
    /// The text copied.
    pub text: AttrValue,
    /// The id of the element showing the text, selected when the clipboard is unavailable.
    pub target: AttrValue,
    /// The button's words.
    #[prop_or(AttrValue::Static("Copy"))]
    pub label: AttrValue,
    /// The button's test hook.
    #[prop_or(AttrValue::Static("copy-command"))]
    pub testid: AttrValue,
}

/// What the last click did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Copied,
    Selected,
    Failed,
}

/// The clipboard, when this page may write to it.
fn clipboard() -> Option<web_sys::Clipboard> {
    let navigator = web_sys::window()?.navigator();
    let present = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard")).ok()?;
    (!present.is_undefined() && !present.is_null()).then(|| navigator.clipboard())
}

/// Selects the text of element `id`; false when there is no such element or no selection.
fn select_text(id: &str) -> bool {
    let Some(window) = web_sys::window() else { return false };
    let (Some(document), Ok(Some(selection))) = (window.document(), window.get_selection()) else { return false };
    let Some(element) = document.get_element_by_id(id) else { return false };
    selection.select_all_children(&element).is_ok()
}

#[component]
pub fn CopyButton(props: &CopyButtonProps) -> Html {
    let outcome = use_state_eq(|| None::<Outcome>);
    // A new text is not copied yet.
    {
        let outcome = outcome.clone();
        use_effect_with(props.text.clone(), move |_| outcome.set(None));
    }
    let onclick = {
        let outcome = outcome.clone();
        let text = props.text.clone();
        let target = props.target.clone();
        Callback::from(move |_: MouseEvent| {
            let selected = {
                let target = target.clone();
                move || if select_text(&target) { Outcome::Selected } else { Outcome::Failed }
            };
            match clipboard() {
                Some(clipboard) => {
                    let promise = clipboard.write_text(&text);
                    let outcome = outcome.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        // Refused (no permission, page not focused): select instead.
                        let done = JsFuture::from(promise).await.map_or_else(|_| selected(), |_| Outcome::Copied);
                        outcome.set(Some(done));
                    });
                }
                None => outcome.set(Some(selected())),
            }
        })
    };
    let note = match *outcome {
        Some(Outcome::Copied) => "Copied.",
        Some(Outcome::Selected) => "The clipboard is not available here: the text is selected, press Ctrl+C (⌘C) to copy.",
        Some(Outcome::Failed) => "Could not copy: select the text by hand.",
        None => "",
    };
    html! {
        <span class="copy">
            <button type="button" class="copy-button" data-testid={props.testid.clone()} {onclick}>{ props.label.clone() }</button>
            <span class="copy-note" role="status" data-testid="copy-note">{ note }</span>
        </span>
    }
}
