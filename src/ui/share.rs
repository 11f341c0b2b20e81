//! The scenario as readable query parameters (`?model=…&gpu=…&nodes=…&isl=…`), for share
//! links and local storage, and back.
//!
//! Design decision: the parameters carry the form as typed, under the `FORMAT.md` field
//! names (`Field::param`), so a link reproduces the page exactly, an invalid value and its
//! message included. Only the fields taking part in the scenario are written: the load value
//! of the chosen kind (`concurrency=…` or `request_rate=…`; `load=max` for the maximum
//! throughput point, also what a link without a load plans, as the `plan` command does), a
//! custom GPU's figures only with `gpu=custom`. A pasted `config.json`
//! and the calibration (`perf_params`) travel as compact JSON in one parameter each: long,
//! but a link still reproduces the plan. Pure: the page's `browser` module does the URL
//! encoding.

use super::form::{Field, FormState, FIELDS};
use super::state::{AppState, Capacity, PerfParams};
use planner::scenario::ScenarioInput;
use serde_json::{json, Value};

/// The parameter asking for the compact view for an iframe.
pub const EMBED: &str = "embed";
/// The parameter holding `perf_params` as compact JSON.
pub const PERF_PARAMS: &str = "perf_params";
/// The parameter holding the capacity card as compact JSON (`capacity_form::CapacityForm::to_link`).
pub const CAPACITY: &str = "capacity";

/// The state as (name, value) query parameters, in form order.
pub fn to_params(state: &AppState) -> Vec<(&'static str, String)> {
    let form = &state.form;
    let defaults = FormState::default();
    let mut params = Vec::new();
    for field in FIELDS {
        if !form.active(field) {
            continue;
        }
        let value = form.get(field);
        match field {
            // Any kind but the default: an empty load value's parameter does not carry it.
            Field::LoadKind | Field::StepModel | Field::Serving if value != defaults.get(field) => params.push((field.param(), value.to_string())),
            Field::ModelSource | Field::LoadKind | Field::StepModel | Field::Serving => {}
            Field::Config => params.push((field.param(), compact(value))),
            // Left out, a field reads back as its default: only an empty default may be.
            _ if value.is_empty() && defaults.get(field).is_empty() => {}
            _ => params.push((field.param(), value.to_string())),
        }
    }
    if let Some(perf) = &state.perf_params {
        // Through a JSON value, as the form hands it to the planner (one serializer in the page).
        params.push((PERF_PARAMS, serde_json::to_value(perf).unwrap_or_default().to_string()));
    }
    if let Some(card) = &state.capacity {
        params.push((CAPACITY, card.to_link()));
    }
    params
}

/// The state a link's parameters describe (looked up by `get`), on top of the default form;
/// `None` when they name no scenario field at all (a bare link, or `?embed=1` alone).
pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Option<AppState> {
    let mut state = AppState::default();
    let mut any = false;
    for field in FIELDS {
        if let Some(value) = get(field.param()) {
            state.form.set(field, value);
            any = true;
        }
    }
    let form = &mut state.form;
    let source = if get(Field::Config.param()).is_some() { "config" } else { "catalog" };
    form.set(Field::ModelSource, source.to_string());
    let kind = [Field::Concurrency, Field::RequestRate]
        .into_iter()
        .find(|f| get(f.param()).is_some())
        .map_or_else(|| form.get(Field::LoadKind).to_string(), |f| f.param().to_string());
    form.set(Field::LoadKind, kind);
    if let Some(text) = get(PERF_PARAMS) {
        // A calibration that is not one is dropped: the shipped parameters plan instead.
        state.perf_params = read_perf_params(&text);
        any = true;
    }
    if let Some(text) = get(CAPACITY) {
        // A card that is not a JSON object is dropped: the link plans without sizing.
        state.capacity = Capacity::from_link(&text);
        any = true;
    }
    any.then_some(state)
}

/// A link's calibration, read as the `perf_params` of a scenario by the scenario's own reader
/// (`ScenarioInput::from_value`: the same checks as the `plan` command, and no second JSON
/// reader for this one type in the page).
fn read_perf_params(text: &str) -> Option<PerfParams> {
    let value: Value = serde_json::from_str(text).ok()?;
    let scenario = json!({ "model": "", "gpu": "", "workload": { "isl": 1, "osl": 1 }, "perf_params": value });
    ScenarioInput::from_value(scenario).ok()?.perf_params
}

/// JSON text without its whitespace (a pasted `config.json` in a link); text that is not JSON
/// is kept as typed, so the link reproduces its message.
fn compact(text: &str) -> String {
    match serde_json::from_str::<Value>(text) {
        Ok(value) => value.to_string(),
        Err(_) => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(params: &[(&str, String)]) -> AppState {
        from_params(|name| params.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone())).expect("a scenario")
    }

    /// Fuzzing found links whose page differs from the page of the link it shares again: an
    /// emptied field (`isl=`) was left out and read back as its default (1024), and a load
    /// kind other than a concurrency (`load=zzz`, planned at the maximum throughput; an empty
    /// `request_rate=`) read back as the default concurrency.
    #[test]
    fn a_link_shared_again_reproduces_emptied_fields_and_any_load_kind() {
        let links = [
            vec![("isl", String::new())],
            vec![("gpu", String::new())],
            vec![("load", "zzz".to_string())],
            vec![("request_rate", String::new())],
        ];
        for link in links {
            let state = read(&link);
            let again = read(&to_params(&state));
            for field in FIELDS.into_iter().filter(|&f| state.form.active(f)) {
                assert_eq!(again.form.get(field), state.form.get(field), "{} after sharing {link:?} again", field.param());
            }
        }
    }
}
