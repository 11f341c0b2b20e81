//! A card's heading taking the focus on the full page's first render, when the startup page's
//! door to that card loaded the full page (`ui::take_over_startup_page` reads which, and
//! `request`s it): the benchmark loop's, the deployment artifacts'.
//!
//! Design decision: a flag per card (a `static`), set before the full page mounts and taken by
//! the card's first render, so the focus moves once and only on the card the door named.

use std::sync::atomic::{AtomicBool, Ordering};
use yew::prelude::*;

/// Whether a card's first render should take the focus.
pub struct FocusRequest(AtomicBool);

impl FocusRequest {
    pub const fn new() -> Self {
        FocusRequest(AtomicBool::new(false))
    }

    /// Asks the card's first render to move the focus to its heading.
    pub fn request(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// The heading's ref: after the first render it takes the focus (which scrolls it into view)
/// when `request` asked for it.
#[hook]
pub fn use_focus_on_mount(request: &'static FocusRequest) -> NodeRef {
    let heading = use_node_ref();
    {
        let heading = heading.clone();
        use_effect_with((), move |_| {
            if let Some(h) = heading.cast::<web_sys::HtmlElement>().filter(|_| request.0.swap(false, Ordering::Relaxed)) {
                // A refusal only leaves the focus where it was.
                let _ = h.focus();
            }
        });
    }
    heading
}
