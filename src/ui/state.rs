//! The page's one piece of state and the only way to change it.
//!
//! `AppState` holds what the user typed (the form) and the calibration they keep
//! (`perf_params`), nothing derived; `Action` lists every change; the reducer is pure (the
//! URL and local storage are written by an effect in `app`). A change that changes nothing
//! returns the same `Rc`, so nothing re-renders.

use super::form::{Field, FormState};
pub use crate::planner::scenario::PerfParamsInput as PerfParams;
use std::rc::Rc;
use yew::{Reducible, UseReducerHandle};

/// Everything the user has entered.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AppState {
    pub form: FormState,
    /// The scenario's `perf_params` (`FORMAT.md`): a user's own calibration (the measurement
    /// loop sets it), planned with instead of the shipped parameters; shared and stored with
    /// the form.
    pub perf_params: Option<PerfParams>,
}

/// Every change the page can make to `AppState`.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// The user typed or picked `value` in `field`.
    Edit(Field, String),
    /// Keep (Some) or drop (None) a calibration.
    SetPerfParams(Option<PerfParams>),
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        match action {
            Action::Edit(field, value) => {
                if self.form.get(field) == value {
                    return self;
                }
                let mut next = (*self).clone();
                next.form.set(field, value);
                Rc::new(next)
            }
            Action::SetPerfParams(params) => {
                if self.perf_params == params {
                    return self;
                }
                Rc::new(AppState { form: self.form.clone(), perf_params: params })
            }
        }
    }
}

/// The state and its dispatcher, shared with every component through a context.
pub type AppContext = UseReducerHandle<AppState>;
