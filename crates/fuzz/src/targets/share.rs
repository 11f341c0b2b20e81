//! Target `share`: a share link (or its query string) read as the page reads it (the
//! browser's `URLSearchParams`, first value of a name; `ui::share::from_params`), written back
//! (`to_params`) and read again, then checked as the form checks it and planned.
//!
//! Design decision: the link must be a fixed point after one trip: what the page writes for
//! the state a link gave must read back as the same state (every active field, the
//! calibration), or a shared link would not reproduce the page its sender saw.

use super::{checked_plan, seen, Seen};
use crate::check::{Failure, Kind};
use page::ui::capacity_form::check_with_capacity;
use page::ui::form::{model_verdict, FIELDS};
use page::ui::share::{from_params, to_params};
use page::ui::state::AppState;

pub fn run(text: &str) -> Seen {
    let query = text.split_once('?').map_or(text, |(_, q)| q);
    let query = query.split_once('#').map_or(query, |(q, _)| q);
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    let Some(state) = from_params(lookup(&pairs)) else {
        return Ok("no scenario".into());
    };
    let written: Vec<(String, String)> = to_params(&state).into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    let again = from_params(lookup(&written))
        .ok_or_else(|| contract(format!("the link written for a scenario reads as none: {written:?}")))?;
    same_scenario(&state, &again, &written)?;
    // The model's verdict shows beside the model field whatever the rest of the form says.
    if let Err(message) = model_verdict(&state.form) {
        if message.trim().is_empty() {
            return Err(Failure::new(Kind::UnnamedRejection, "the model verdict: expected a message, got none"));
        }
    }
    match check_with_capacity(&state.form, state.perf_params.as_ref(), state.capacity.as_ref()) {
        Ok(query) => {
            let scenario = serde_json::to_value(&query.scenario)
                .map_err(|e| contract(format!("the form's scenario does not write: {e}")))?;
            Ok(seen(&checked_plan(&scenario)?))
        }
        Err(errors) => {
            let fields: Vec<&str> = FIELDS.into_iter().filter_map(|f| errors.get(f).map(|_| f.param())).collect();
            let card = errors.capacity.iter().map(|(_, m)| m.as_str());
            if FIELDS.into_iter().filter_map(|f| errors.get(f)).chain(card).any(|m| m.trim().is_empty()) {
                return Err(Failure::new(Kind::UnnamedRejection, format!("an empty message beside {fields:?}")));
            }
            // A planner error naming no form field lands in the calibration's slot: it names
            // nothing the user can see unless there is a calibration.
            if let Some(message) = &errors.calibration {
                if state.perf_params.is_none() || message.trim().is_empty() {
                    return Err(Failure::new(Kind::UnnamedRejection, format!("no form field for {message:?}")));
                }
            }
            // The first two fields only: every combination of bad fields would be a behaviour
            // of its own, and the pool would fill with links that never plan.
            Ok(format!("invalid {}", fields.iter().take(2).copied().collect::<Vec<_>>().join(",")))
        }
    }
}

/// The browser's `URLSearchParams.get`: the first value of a name.
fn lookup(pairs: &[(String, String)]) -> impl Fn(&str) -> Option<String> + '_ {
    move |name| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
}

/// The two states hold the same scenario: every active field and the calibration.
fn same_scenario(first: &AppState, again: &AppState, written: &[(String, String)]) -> Result<(), Failure> {
    for field in FIELDS.into_iter().filter(|&f| first.form.active(f) || again.form.active(f)) {
        let (a, b) = (first.form.get(field), again.form.get(field));
        if a != b && !page_writes_differently(field, a, b) {
            return Err(contract(format!("{}: {a:?} became {b:?} through the link {written:?}", field.param())));
        }
    }
    if first.perf_params != again.perf_params {
        return Err(contract(format!("perf_params {:?} became {:?}", first.perf_params, again.perf_params)));
    }
    if first.capacity != again.capacity {
        return Err(contract(format!("the capacity card {:?} became {:?}", first.capacity, again.capacity)));
    }
    Ok(())
}

/// The differences the page writes on purpose: a pasted config compacted (its JSON written
/// again, which may move a float by its last digit: serde_json reads floats to within one ulp).
fn page_writes_differently(field: page::ui::form::Field, before: &str, after: &str) -> bool {
    field == page::ui::form::Field::Config
        && serde_json::from_str::<serde_json::Value>(before).ok().map(|v| v.to_string()).as_deref() == Some(after)
}

fn contract(detail: String) -> Failure {
    Failure::new(Kind::Contract, detail)
}
