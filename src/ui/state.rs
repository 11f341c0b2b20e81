//! The page's one piece of state and the only way to change it.
//!
//! `AppState` holds what the user typed and nothing derived; `Action` lists every change; the
//! reducer is pure (persistence, when it comes, belongs in an effect). A change that changes
//! nothing returns the same `Rc`, so nothing re-renders.

use super::form::{Field, FormState};
use std::rc::Rc;
use yew::{Reducible, UseReducerHandle};

/// Everything the user has entered.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AppState {
    pub form: FormState,
}

/// Every change the page can make to `AppState`.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// The user typed or picked `value` in `field`.
    Edit(Field, String),
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
        }
    }
}

/// The state and its dispatcher, shared with every component through a context.
pub type AppContext = UseReducerHandle<AppState>;
