//! The startup page's way to the full page (`browser::load_full_page`), which has what the
//! startup page leaves out: the benchmark loop, capacity planning, the deployment artifacts,
//! disaggregated planning and the `config.json` importer. `use_full_page` keeps where the load stands for whoever asked
//! (a door; the form, through `FullPageFor`, for a pasted config or a serving mode); on success
//! the full page replaces this one, so only a failure is ever shown for long.

use super::browser;
use yew::prelude::*;

/// Where the load of the full page stands.
#[derive(Clone, PartialEq)]
pub enum FullPageLoad {
    Idle,
    Loading,
    Failed(String),
}

/// The load's state, and a callback that starts it (again after a failure).
#[hook]
pub fn use_full_page() -> (FullPageLoad, Callback<()>) {
    let load = use_state(|| FullPageLoad::Idle);
    let start = {
        let load = load.clone();
        Callback::from(move |()| {
            load.set(FullPageLoad::Loading);
            let load = load.clone();
            wasm_bindgen_futures::spawn_local(async move {
                // On success the full page has replaced this one, and `load` with it.
                if let Err(e) = browser::load_full_page().await {
                    load.set(FullPageLoad::Failed(e));
                }
            });
        })
    };
    ((*load).clone(), start)
}

/// Loads the full page as soon as the form asks for what only it has (`reason` says what: a
/// pasted `config.json`, which only its importer reads; disaggregated serving, which only it
/// plans), and says so (or why it failed, with a retry).
#[component]
pub fn FullPageFor(props: &FullPageForProps) -> Html {
    let (load, start) = use_full_page();
    {
        let start = start.clone();
        use_effect_with(props.reason.is_some(), move |wanted| {
            if *wanted {
                start.emit(());
            }
        });
    }
    match (load, props.reason) {
        (_, None) => Html::default(),
        (FullPageLoad::Failed(e), _) => html! {
            <p class="blocked" role="alert" data-testid="full-page-error">
                { format!("The full page could not be loaded: {e}. ") }
                <button type="button" onclick={move |_| start.emit(())}>{ "Retry" }</button>
            </p>
        },
        (_, Some(reason)) => html! {
            <p class="calibration" role="status" data-testid="full-page-loading">{ reason }</p>
        },
    }
}

#[derive(Properties, PartialEq)]
pub struct FullPageForProps {
    /// Why the form needs the full page, or `None` when it does not.
    pub reason: Option<&'static str>,
}
