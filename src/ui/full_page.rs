//! The startup page's way to the full page (`browser::load_full_page`), which has what the
//! startup page leaves out: the benchmark loop, the deployment artifacts, disaggregated planning
//! and the `config.json` importer. `use_full_page` keeps where the load stands for whoever asked
//! (a door; the form, through `FullPageFor`, for a pasted config or a serving mode); on success
//! the full page replaces this one, so only a failure is ever shown for long. `FullPageDoor` is the one door view (the loop's, the deployment artifacts'): a button
//! with its words, the element the full page focuses once loaded, and its failure.

use super::browser;
use yew::prelude::*;

/// Where the load of the full page stands.
#[derive(Clone, PartialEq)]
pub enum FullPageLoad {
    Idle,
    Loading,
    Failed(String),
}

/// The load's state, and a callback that starts it (again after a failure); once loaded, the
/// full page moves the focus to the element with id `focus`.
#[hook]
pub fn use_full_page(focus: &'static str) -> (FullPageLoad, Callback<()>) {
    let load = use_state(|| FullPageLoad::Idle);
    let start = {
        let load = load.clone();
        Callback::from(move |()| {
            load.set(FullPageLoad::Loading);
            let load = load.clone();
            wasm_bindgen_futures::spawn_local(async move {
                // On success the full page has replaced this one, and `load` with it.
                if let Err(e) = browser::load_full_page(focus).await {
                    load.set(FullPageLoad::Failed(e));
                }
            });
        })
    };
    ((*load).clone(), start)
}

/// A button that loads the full page (which then takes this page's place on the same
/// scenario, with the focus on `focus`): `label`, "Loading the full page…" while it loads; a
/// failed load says why and the button tries again.
#[component]
pub fn FullPageDoor(props: &FullPageDoorProps) -> Html {
    let (load, start) = use_full_page(props.focus);
    let onclick = Callback::from(move |_: MouseEvent| start.emit(()));
    let loading = load == FullPageLoad::Loading;
    html! {
        <div class="door">
            <button type="button" data-testid={props.testid} disabled={loading} {onclick}>
                { if loading { "Loading the full page…" } else { props.label } }
            </button>
            if let FullPageLoad::Failed(e) = &load {
                <p class="blocked" role="alert" data-testid={props.error_testid}>{ format!("The full page could not be loaded: {e}. Try again.") }</p>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct FullPageDoorProps {
    /// The button's words.
    pub label: &'static str,
    /// The id of the element the full page focuses once loaded.
    pub focus: &'static str,
    /// The button's test hook.
    pub testid: &'static str,
    /// The failure's test hook.
    pub error_testid: &'static str,
}

/// Loads the full page as soon as the form asks for what only it has (`reason` says what: a
/// pasted `config.json`, which only its importer reads; disaggregated serving, which only it
/// plans), and says so (or why it failed, with a retry); the focus comes back to `focus`, the
/// field that asked.
#[component]
pub fn FullPageFor(props: &FullPageForProps) -> Html {
    let (load, start) = use_full_page(props.focus);
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
    /// The id of the field that asked, focused once the full page has loaded.
    pub focus: &'static str,
}
