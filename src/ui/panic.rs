//! A panic shows a readable message in the page (`#fatal`) instead of leaving a dead page.
//!
//! Nothing on user input should panic (bad input is an `InputError`, infeasibility a verdict);
//! this hook is for bugs. The release build aborts after the hook, so the message is the last
//! thing the page does: it says what happened and asks for a reload.

use std::panic::PanicHookInfo;

/// The id of the element in `index.html` that shows the message.
pub const FATAL_ELEMENT_ID: &str = "fatal";

/// Installs the hook. Call once, before rendering. Through Yew: a hook set with
/// `std::panic::set_hook` would be replaced by Yew's own when the app is rendered.
pub fn install() {
    yew::set_custom_panic_hook(Box::new(|info: &PanicHookInfo<'_>| report(&info.to_string())));
}

/// Logs `detail` to the console and shows it in `#fatal`. Never panics itself (it runs inside
/// the panic hook): every DOM lookup that fails is skipped.
pub fn report(detail: &str) {
    gloo::console::error!(detail.to_string());
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(element) = document.get_element_by_id(FATAL_ELEMENT_ID) else {
        return;
    };
    element.set_text_content(Some(&format!(
        "The planner hit an internal error and stopped. Reload the page to start again; if it \
         happens again, please report the inputs and this message: {detail}"
    )));
    // Ignored: nothing sensible is left to do if the attribute cannot be removed.
    let _ = element.remove_attribute("hidden");
}
