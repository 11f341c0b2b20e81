//! The page's one piece of state and the only way to change it.
//!
//! `AppState` holds what the user typed (the form), the calibration they keep (`perf_params`)
//! and the result files they imported, nothing derived; `Action` lists every change; the
//! reducer is pure (the URL and local storage are written by an effect in `app`). A change
//! that changes nothing returns the same `Rc`, so nothing re-renders.
//!
//! Imported result files are user input too: each is kept as what `bench::import` read from
//! it (the runs, or the error saying what was expected), not as its text, which can run to
//! megabytes; reading is pure, so the reducer does it.

use super::form::{Field, FormState};
use crate::planner::bench::import::{import, ImportError, MeasuredRun};
pub use crate::planner::scenario::PerfParamsInput as PerfParams;
use std::rc::Rc;
use yew::{Reducible, UseReducerHandle};

/// How many of the plan's best layouts the benchmark script covers until the user picks.
pub const DEFAULT_BENCH_TOP_N: usize = 3;

/// Everything the user has entered.
#[derive(Debug, Clone, PartialEq)]
pub struct AppState {
    pub form: FormState,
    /// The user's own fit of the performance parameters, kept: planned with as the scenario's
    /// `perf_params`.
    pub perf_params: Option<PerfParams>,
    /// How many of the best layouts the benchmark script covers.
    pub bench_top_n: usize,
    /// The result files imported, in order.
    pub imports: Rc<Vec<Imported>>,
    /// Whether the user asked to refit the parameters to the imported runs (the fit itself is
    /// derived, and shown until it is kept or dropped).
    pub fit_requested: bool,
}

impl Default for AppState {
    fn default() -> Self {
        Self {
            form: FormState::default(),
            perf_params: None,
            bench_top_n: DEFAULT_BENCH_TOP_N,
            imports: Rc::default(),
            fit_requested: false,
        }
    }
}

/// One imported result file: its name and what the importer read from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub name: String,
    pub outcome: Result<Vec<MeasuredRun>, ImportError>,
}

/// Every change the page can make to `AppState`.
// One action per user event, so its size does not matter; `SetPerfParams` keeps the plain
// `Option` the share link and local storage code dispatches.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// The user typed or picked `value` in `field`.
    Edit(Field, String),
    /// Keep a fit (plan with it) or drop the kept one; also closes a proposed fit.
    SetPerfParams(Option<PerfParams>),
    /// The number of layouts the benchmark script covers.
    SetBenchTopN(usize),
    /// A result file: its name (which may carry the layout) and its text.
    Import { name: String, text: String },
    /// Forget the imported file at this position.
    RemoveImport(usize),
    /// Forget every imported file.
    ClearImports,
    /// Propose a fit to the imported runs.
    RequestFit,
    /// Close the proposed fit without keeping it.
    DiscardFit,
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Edit(field, value) => {
                if self.form.get(field) == value {
                    return self;
                }
                next.form.set(field, value);
            }
            Action::SetPerfParams(params) => {
                if self.perf_params == params && !self.fit_requested {
                    return self;
                }
                next.perf_params = params;
                next.fit_requested = false;
            }
            Action::SetBenchTopN(n) => {
                if self.bench_top_n == n || n == 0 {
                    return self;
                }
                next.bench_top_n = n;
            }
            Action::Import { name, text } => {
                let outcome = import(&name, &text);
                Rc::make_mut(&mut next.imports).push(Imported { name, outcome });
            }
            Action::RemoveImport(index) => {
                if index >= self.imports.len() {
                    return self;
                }
                Rc::make_mut(&mut next.imports).remove(index);
            }
            Action::ClearImports => {
                if self.imports.is_empty() {
                    return self;
                }
                next.imports = Rc::default();
            }
            Action::RequestFit | Action::DiscardFit => {
                let requested = action == Action::RequestFit;
                if self.fit_requested == requested {
                    return self;
                }
                next.fit_requested = requested;
            }
        }
        Rc::new(next)
    }
}

/// The state and its dispatcher, shared with every component through a context.
pub type AppContext = UseReducerHandle<AppState>;
