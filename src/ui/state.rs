//! The page's one piece of state and the only way to change it.
//!
//! `AppState` holds what the user typed (the form), the calibration they keep (`perf_params`)
//! and the result files they imported, nothing derived; `Action` lists every change; the
//! reducer is pure (the URL and local storage are written by an effect in `app`). A change
//! that changes nothing returns the same `Rc`, so nothing re-renders.
//!
//! Imported result files are user input too: each is kept as what `benchmark::import` read from
//! it (the runs, or the message saying what was expected), not as its text, which can run to
//! megabytes.
//!
//! Design decision: the benchmark loop's results (the script, the comparison, the fit) are
//! computed by the benchmark worker (`ui::bench_worker`), so they arrive later, as actions: each
//! is kept in a `Slot` that remembers the id of the latest request, and an answer to an older
//! request is dropped. They are still derived from the state (a component asks again whenever
//! what they depend on changes); only the wait for them is state.

#[cfg(any(feature = "full-page", not(feature = "web")))]
use super::capacity_form::CapacityEdit;
/// The capacity card as the state keeps it: as typed where the page plans capacity (the full
/// page; natively, where the share links are fuzzed), and in the startup page, which has no
/// capacity planning, as the link's text, handed untouched to the full page it loads.
#[cfg(any(feature = "full-page", not(feature = "web")))]
pub use super::capacity_form::CapacityForm as Capacity;
use super::form::{Field, FormState};
#[cfg(feature = "web")]
use benchmark::protocol::Answer;
use benchmark::protocol::{Fit, Reply, Report, RunView};
use planner::error::InputError;
#[cfg(feature = "full-page")]
use planner::kernels::Library;
pub use planner::scenario::PerfParamsInput as PerfParams;
use std::rc::Rc;
#[cfg(feature = "web")]
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
    /// Whether the user has used the benchmark loop: only then is the worker started.
    pub bench_opened: bool,
    /// The import requests not answered yet.
    pub importing: Vec<u32>,
    pub script: Slot<Result<String, InputError>>,
    pub report: Slot<Result<Report, InputError>>,
    pub fit: Slot<Result<Fit, InputError>>,
    /// Why the benchmark worker could not answer, if it could not (until a retry).
    pub worker_error: Option<String>,
    /// The measured kernel tables fetched so far, and the fetches under way or failed (the full
    /// page's: the startup page refuses the kernel-table step model and loads the full page).
    #[cfg(feature = "full-page")]
    pub tables: Tables,
    /// The capacity card's inputs (the scenario's `capacity`), when the user sizes for a load.
    pub capacity: Option<Capacity>,
}

/// A link's capacity card in the startup page: its JSON text, kept for the full page.
#[cfg(all(feature = "web", not(feature = "full-page")))]
#[derive(Debug, Clone, PartialEq)]
pub struct Capacity(String);

#[cfg(all(feature = "web", not(feature = "full-page")))]
impl Capacity {
    pub fn from_link(text: &str) -> Option<Capacity> {
        Some(Capacity(text.to_string()))
    }

    pub fn to_link(&self) -> String {
        self.0.clone()
    }
}

/// The kernel tables the page has fetched (`data/kernels/<system>.<engine>.txt`, served beside
/// the page as `kernels/…`), parsed once, and what became of each fetch. Compared by
/// `generation` (one more per change), not by the tables' numbers.
#[cfg(feature = "full-page")]
#[derive(Debug, Clone, Default)]
pub struct Tables {
    pub library: Rc<Library>,
    pub generation: u32,
    /// Files (`h100_sxm.trtllm`) being fetched or that failed, with why.
    pub status: Vec<(String, TablesStatus)>,
}

#[cfg(feature = "full-page")]
impl PartialEq for Tables {
    fn eq(&self, other: &Self) -> bool {
        self.generation == other.generation
    }
}

/// A fetch of one tables file that has not (yet) given tables.
#[cfg(feature = "full-page")]
#[derive(Debug, Clone, PartialEq)]
pub enum TablesStatus {
    Loading,
    Failed(String),
}

#[cfg(feature = "full-page")]
impl Tables {
    /// What became of `file` if it is not loaded: loading or failed (`None`: never asked).
    pub fn status(&self, file: &str) -> Option<&TablesStatus> {
        self.status.iter().find(|(f, _)| f == file).map(|(_, s)| s)
    }
}

/// A result the benchmark worker computes: not asked, asked (the request's id), or answered.
#[derive(Debug, Clone, PartialEq)]
pub enum Slot<T> {
    Idle,
    Waiting(u32),
    Ready(Rc<T>),
}

impl<T> Slot<T> {
    /// The answer, once it has arrived.
    pub fn ready(&self) -> Option<&T> {
        match self {
            Slot::Ready(t) => Some(t),
            _ => None,
        }
    }

    /// Keeps `answer` if it answers the request this slot waits for.
    #[cfg(feature = "web")]
    fn answer(&mut self, id: u32, answer: T) -> bool {
        if !matches!(self, Slot::Waiting(w) if *w == id) {
            return false;
        }
        *self = Slot::Ready(Rc::new(answer));
        true
    }
}


impl Default for AppState {
    fn default() -> Self {
        Self {
            form: FormState::default(),
            perf_params: None,
            bench_top_n: DEFAULT_BENCH_TOP_N,
            imports: Rc::default(),
            fit_requested: false,
            bench_opened: false,
            importing: Vec::new(),
            script: Slot::Idle,
            report: Slot::Idle,
            fit: Slot::Idle,
            worker_error: None,
            #[cfg(feature = "full-page")]
            tables: Tables::default(),
            capacity: None,
        }
    }
}

/// One imported result file: its name and what the importer read from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub name: String,
    pub outcome: Result<Vec<RunView>, String>,
}

/// What a request to the benchmark worker was for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    Script,
    Import,
    Compare,
    Recalibrate,
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
    /// The user started using the benchmark loop.
    OpenBench,
    /// A request was posted to the benchmark worker.
    Asked(u32, Asked),
    /// The benchmark worker answered.
    Answered(Reply),
    /// The benchmark worker could not be started or failed.
    WorkerFailed(String),
    /// The benchmark worker was replaced after a failure (`bench_worker::retry`), the requests
    /// not answered sent again.
    Retried,
    /// Forget the imported file at this position.
    RemoveImport(usize),
    /// Forget every imported file.
    ClearImports,
    /// Propose a fit to the imported runs.
    RequestFit,
    /// Close the proposed fit without keeping it.
    DiscardFit,
    /// The fetch of a kernel tables file (`h100_sxm.trtllm`) started.
    #[cfg(feature = "full-page")]
    TablesRequested(String),
    /// The file's text arrived, or why not.
    #[cfg(feature = "full-page")]
    TablesArrived(String, Result<String, String>),
    /// Size for a target load (the capacity card, with its defaults) or stop.
    #[cfg(any(feature = "full-page", not(feature = "web")))]
    SizeForLoad(bool),
    /// A change to the capacity card (opening it first if needed).
    #[cfg(any(feature = "full-page", not(feature = "web")))]
    EditCapacity(CapacityEdit),
}

#[cfg(feature = "web")]
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
                next.fit = Slot::Idle;
            }
            Action::SetBenchTopN(n) => {
                if self.bench_top_n == n || n == 0 {
                    return self;
                }
                next.bench_top_n = n;
            }
            Action::OpenBench => {
                if self.bench_opened {
                    return self;
                }
                next.bench_opened = true;
            }
            Action::Asked(id, asked) => {
                next.bench_opened = true;
                match asked {
                    Asked::Script => next.script = Slot::Waiting(id),
                    Asked::Import => next.importing.push(id),
                    Asked::Compare => next.report = Slot::Waiting(id),
                    Asked::Recalibrate => next.fit = Slot::Waiting(id),
                }
            }
            Action::Answered(Reply { id, answer }) => {
                let kept = match answer {
                    Answer::Script(s) => next.script.answer(id, s),
                    Answer::Import(files) => {
                        let Some(at) = self.importing.iter().position(|&i| i == id) else { return self };
                        next.importing.remove(at);
                        let imports = Rc::make_mut(&mut next.imports);
                        imports.extend(files.into_iter().map(|f| Imported { name: f.name, outcome: f.error.map_or(Ok(f.runs), Err) }));
                        true
                    }
                    Answer::Compare(r) => next.report.answer(id, r),
                    Answer::Recalibrate(f) => next.fit.answer(id, f),
                    Answer::Unreadable(message) => {
                        next.worker_error = Some(message);
                        true
                    }
                };
                if !kept {
                    return self;
                }
            }
            // The requests waiting stay so: a retry sends them again.
            Action::WorkerFailed(message) => next.worker_error = Some(message),
            Action::Retried => {
                if self.worker_error.is_none() {
                    return self;
                }
                next.worker_error = None;
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
            #[cfg(feature = "full-page")]
            Action::TablesRequested(file) => {
                if self.tables.status(&file).is_some() {
                    return self;
                }
                next.tables.status.push((file, TablesStatus::Loading));
                next.tables.generation += 1;
            }
            #[cfg(feature = "full-page")]
            Action::TablesArrived(file, text) => {
                let tables = &mut next.tables;
                tables.status.retain(|(f, _)| *f != file);
                if let Err(why) = text.and_then(|t| Rc::make_mut(&mut tables.library).add(&t).map_err(|e| format!("the file does not read: {e}"))) {
                    tables.status.push((file, TablesStatus::Failed(why)));
                }
                tables.generation += 1;
            }
            #[cfg(feature = "full-page")]
            Action::SizeForLoad(on) => {
                if self.capacity.is_some() == on {
                    return self;
                }
                next.capacity = on.then(Capacity::default);
            }
            #[cfg(feature = "full-page")]
            Action::EditCapacity(edit) => {
                let card = self.capacity.clone().unwrap_or_default().apply(edit);
                if self.capacity.as_ref() == Some(&card) {
                    return self;
                }
                next.capacity = Some(card);
            }
            Action::RequestFit | Action::DiscardFit => {
                let requested = action == Action::RequestFit;
                if self.fit_requested == requested {
                    return self;
                }
                next.fit_requested = requested;
                next.bench_opened = true;
                if !requested {
                    next.fit = Slot::Idle;
                }
            }
        }
        if next.imports.is_empty() {
            next.report = Slot::Idle;
        }
        Rc::new(next)
    }
}

/// The state and its dispatcher, shared with every component through a context.
#[cfg(feature = "web")]
pub type AppContext = UseReducerHandle<AppState>;
