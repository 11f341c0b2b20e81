//! The targets: one per untrusted input, each a function of the input's bytes that runs the
//! code the page and the commands run on it and checks its properties (`check`).
//!
//! Design decision: a target returns a short description of the behaviour it saw (`planned`,
//! `rejected workload.isl`), which the driver uses as its guidance: an input showing a
//! behaviour not seen before joins the pool that later inputs are mutated from.

mod config;
mod gpu;
mod import;
mod scenario;
mod share;

use crate::check::{finite, named, Failure};
use planner::error::InputError;
use planner::plan::Plan;
use planner::planning::plan;
use planner::scenario::ScenarioInput;
use serde_json::Value;

/// What a target saw, when no property broke.
pub type Seen = Result<String, Failure>;

/// An untrusted input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// Scenario JSON text, one object or an array (`planner::batch::run`).
    Scenario,
    /// A `config.json` text (`model::config`), imported and planned on one GPU.
    Config,
    /// A share link or its query string (`ui::share`), read, written back and planned.
    Share,
    /// A benchmark result file: its name on the first line, its text after
    /// (`benchmark::import::import`).
    Import,
    /// A scenario's `gpu` as JSON (`gpu::catalog::resolve`), read and planned with.
    Gpu,
}

/// Every target, in the order `all` runs them.
pub const TARGETS: [Target; 5] = [Target::Scenario, Target::Config, Target::Share, Target::Import, Target::Gpu];

/// How the mutator reads a target's inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grammar {
    Json,
    Url,
    ResultFile,
}

impl Target {
    pub fn name(self) -> &'static str {
        match self {
            Target::Scenario => "scenario",
            Target::Config => "config",
            Target::Share => "share",
            Target::Import => "import",
            Target::Gpu => "gpu",
        }
    }

    pub fn from_name(name: &str) -> Option<Target> {
        TARGETS.into_iter().find(|t| t.name() == name)
    }

    pub fn grammar(self) -> Grammar {
        match self {
            Target::Scenario | Target::Config | Target::Gpu => Grammar::Json,
            Target::Share => Grammar::Url,
            Target::Import => Grammar::ResultFile,
        }
    }

    /// Runs the input and panics on a broken property: the libFuzzer harness's body
    /// (libFuzzer saves a panicking input as a crash).
    pub fn assert_holds(self, input: &[u8]) {
        if let Err(failure) = self.run(input) {
            panic!("{}: {failure}", self.name());
        }
    }

    /// Runs the input and checks every property; panics are the caller's to catch.
    pub fn run(self, input: &[u8]) -> Seen {
        let text = String::from_utf8_lossy(input);
        match self {
            Target::Scenario => scenario::run(&text),
            Target::Config => config::run(&text),
            Target::Share => share::run(&text),
            Target::Import => import::run(&text),
            Target::Gpu => gpu::run(&text),
        }
    }
}

/// A message's shape without its numbers, and cut where a quoted or bracketed value starts
/// (`must be between 1 and 65536, got 0` → `must be between # and #, got #`; `invalid type:
/// string "x", expected f64` → `invalid type: string `): behaviours differ in kind, not value.
pub fn shape(message: &str) -> String {
    let mut out = String::new();
    for c in message.chars().take(60).take_while(|c| !matches!(c, '"' | '`' | '\'' | '[' | '{' | '“')) {
        match c {
            '0'..='9' | '.' | '-' | 'e' if out.ends_with('#') => {}
            '0'..='9' => out.push('#'),
            _ => out.push(c),
        }
    }
    out
}

/// Plans `scenario` through the typed path, checking the plan's floats, or that the
/// rejection names a field of the scenario.
pub fn checked_plan(scenario: &Value) -> Result<Result<Plan, InputError>, Failure> {
    let planned = ScenarioInput::from_value(scenario.clone()).and_then(|s| plan(&s));
    match &planned {
        Ok(p) => finite("plan", p)?,
        Err(e) => rejected(e, scenario).map(drop)?,
    }
    Ok(planned)
}

/// A rejection of `input`, checked to name a field of it.
pub fn rejected(e: &InputError, input: &Value) -> Seen {
    named(&e.field, &e.message, input)?;
    Ok(rejection(e))
}

/// A rejection as a behaviour: the field with the input's own words in it (an unknown key, a
/// key of a pasted config that is no name) as `?`, and the message's shape.
fn rejection(e: &InputError) -> String {
    let name = |part: &str| part.len() <= 40 && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    // An unknown key (named between backticks, dots and all) is the input's own word.
    let unknown = e.message.strip_prefix("unknown field `").and_then(|m| m.split_once('`')).map(|(key, _)| key);
    let known = unknown.and_then(|key| e.field.strip_suffix(key)).unwrap_or(&e.field);
    let parts: Vec<&str> = known.split('.').map(|p| if name(p.split('[').next().unwrap_or(p)) { p } else { "?" }).collect();
    format!("rejected {}{}: {}", shape(&parts.join(".")), if unknown.is_some() { "?" } else { "" }, shape(&e.message))
}

/// A checked plan's behaviour, for the guidance: feasible or not and what binds, or the field
/// rejected.
pub fn seen(planned: &Result<Plan, InputError>) -> String {
    match planned {
        Ok(Plan { recommended: Some(c), candidates, .. }) => {
            format!("planned {} bound {}", candidates.len().min(9), c.bound.as_deref().unwrap_or("-"))
        }
        Ok(p) => format!("planned none feasible of {}", p.candidates.len().min(9)),
        Err(e) => rejection(e),
    }
}
