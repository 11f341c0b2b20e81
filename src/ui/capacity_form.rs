//! The capacity card's inputs (issue 14) as typed (`CapacityForm`, strings), their edits
//! (`CapacityEdit`), and the scenario's `capacity` field they make (`FORMAT.md`, "Capacity"),
//! or a message per field.
//!
//! Design decision: like the form, the text stays exactly as typed, and one writer serves both
//! the scenario and the share link (`json`): in the scenario every valid figure is a JSON
//! number; in a link a figure is a number when that is how it was typed (`30`), else the typed
//! string (`2e9`, `12a`), so a link reproduces the card exactly (an invalid value and its
//! message included), and a valid, plainly typed card's link is the scenario's `capacity`
//! itself. The planner's own reader (`planner::capacity::spec`, full page only) then checks what
//! the form cannot (known GPU ids, sweep lengths), its errors placed at
//! the field they name. Pure, compiled without the web feature (the share links are fuzzed).

use super::form::{check, parse_count, parse_positive, FieldErrors, FormState, Query};
use planner::inputs::resolve;
use planner::scenario::PerfParamsInput as PerfParams;
use serde_json::{Map, Value};
use std::rc::Rc;

/// The card's inputs as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct CapacityForm {
    /// `request_rate` or `tokens_per_day` (`capacity.target`'s two kinds).
    pub target_kind: String,
    pub target: String,
    /// The catalog ids compared; `None`: every catalog GPU.
    pub gpus: Option<Vec<String>>,
    /// Empty: the planner's default ceiling.
    pub max_gpus: String,
    /// `low`, `typical` or `high`.
    pub price_level: String,
    /// USD per GPU-hour as typed, by GPU id (only the GPUs given one).
    pub prices: Vec<(String, String)>,
    /// Empty: no sweep; else `isl`, `osl` or `request_rate`.
    pub sweep_variable: String,
    /// The swept values, separated by commas or spaces.
    pub sweep_values: String,
}

/// What the card opens on: a load of 10 requests per second (an assumption: a round figure to
/// edit), every catalog GPU at its typical price, no sweep.
impl Default for CapacityForm {
    fn default() -> Self {
        Self {
            target_kind: "request_rate".into(),
            target: "10".into(),
            gpus: None,
            max_gpus: String::new(),
            price_level: "typical".into(),
            prices: Vec::new(),
            sweep_variable: String::new(),
            sweep_values: String::new(),
        }
    }
}

/// One change to the card.
#[derive(Debug, Clone, PartialEq)]
pub enum CapacityEdit {
    TargetKind(String),
    Target(String),
    /// Compare every catalog GPU (`true`) or a chosen set, starting from these ids.
    AllGpus(bool, Vec<String>),
    /// Add (`true`) or remove a GPU from the chosen set.
    Gpu(String, bool),
    MaxGpus(String),
    PriceLevel(String),
    /// A GPU's price as typed (empty: its default).
    Price(String, String),
    SweepVariable(String),
    SweepValues(String),
}

impl CapacityForm {
    /// The form after `edit`.
    pub fn apply(&self, edit: CapacityEdit) -> CapacityForm {
        let mut next = self.clone();
        match edit {
            CapacityEdit::TargetKind(kind) => next.target_kind = kind,
            CapacityEdit::Target(text) => next.target = text,
            CapacityEdit::AllGpus(true, _) => next.gpus = None,
            CapacityEdit::AllGpus(false, ids) => next.gpus = Some(self.gpus.clone().unwrap_or(ids)),
            CapacityEdit::Gpu(id, on) => {
                let list = next.gpus.get_or_insert_with(Vec::new);
                list.retain(|g| *g != id);
                if on {
                    list.push(id);
                }
            }
            CapacityEdit::MaxGpus(text) => next.max_gpus = text,
            CapacityEdit::PriceLevel(level) => next.price_level = level,
            CapacityEdit::Price(id, text) => {
                next.prices.retain(|(g, _)| *g != id);
                if !text.trim().is_empty() {
                    next.prices.push((id, text));
                }
            }
            CapacityEdit::SweepVariable(v) => next.sweep_variable = v,
            CapacityEdit::SweepValues(text) => next.sweep_values = text,
        }
        next
    }

    /// The price typed for `gpu`, if any.
    pub fn price(&self, gpu: &str) -> Option<&str> {
        self.prices.iter().find(|(g, _)| g == gpu).map(|(_, p)| p.as_str())
    }

    /// The card as JSON text for a share link (`json`, compact).
    pub fn to_link(&self) -> String {
        self.json(true).0.to_string()
    }

    /// The card a link's JSON describes (`to_link`'s inverse); `None` when it is not a JSON
    /// object (the link then opens without the card).
    pub fn from_link(text: &str) -> Option<CapacityForm> {
        let value: Value = serde_json::from_str(text).ok()?;
        let object = value.as_object()?;
        let mut form = CapacityForm::default();
        let target = object.get("target").and_then(Value::as_object);
        if let Some((kind, v)) = target.and_then(|t| t.iter().next()) {
            form.target_kind = kind.clone();
            form.target = typed(v);
        }
        form.gpus = object.get("gpus").and_then(Value::as_array).map(|a| a.iter().map(typed).collect());
        form.max_gpus = object.get("max_gpus").map(typed).unwrap_or_default();
        form.price_level = object.get("price_level").map_or(form.price_level, typed);
        let prices = object.get("prices").and_then(Value::as_object);
        form.prices = prices.into_iter().flatten().map(|(id, p)| (id.clone(), typed(p))).collect();
        if let Some(sweep) = object.get("sweep").and_then(Value::as_object) {
            form.sweep_variable = sweep.get("variable").map(typed).unwrap_or_default();
            // Values without a variable are no sweep (the card hides their box).
            form.sweep_values = match sweep.get("values").filter(|_| !form.sweep_variable.is_empty()) {
                Some(Value::Array(values)) => values.iter().map(typed).collect::<Vec<_>>().join(", "),
                Some(v) => typed(v),
                None => String::new(),
            };
        }
        Some(form)
    }

    /// The scenario's `capacity` as the card describes it, and every field the card itself can
    /// tell is wrong (`CapacityField` id, message). A figure that is not a valid number is kept
    /// as its typed string.
    pub fn capacity_value(&self) -> (Value, Vec<(String, String)>) {
        self.json(false)
    }

    /// `capacity_value`, or for a `link` with each figure a number only when it reads back as
    /// typed (`typed`), else its typed string.
    fn json(&self, link: bool) -> (Value, Vec<(String, String)>) {
        let mut errors = Vec::new();
        let mut figure = |id: String, text: &str, parse: fn(&str) -> Result<f64, String>| match parse(text) {
            Ok(v) if !link || typed(&number(v)) == text => number(v),
            Ok(_) => Value::from(text),
            Err(message) => {
                errors.push((id, message));
                Value::from(text)
            }
        };
        let mut object = Map::new();
        let mut target = Map::new();
        target.insert(self.target_kind.clone(), figure(CapacityField::Target.id(), &self.target, parse_positive));
        object.insert("target".into(), Value::Object(target));
        if let Some(gpus) = &self.gpus {
            object.insert("gpus".into(), gpus.iter().map(|g| Value::from(g.as_str())).collect());
        }
        if !self.max_gpus.trim().is_empty() {
            object.insert(
                "max_gpus".into(),
                figure(CapacityField::MaxGpus.id(), &self.max_gpus, |t| parse_count(t, 1, u32::MAX).map(f64::from)),
            );
        }
        if !self.prices.is_empty() {
            let prices = self.prices.iter().map(|(g, p)| (g.clone(), figure(CapacityField::Price(g.clone()).id(), p, parse_positive)));
            object.insert("prices".into(), Value::Object(prices.collect()));
        }
        object.insert("price_level".into(), Value::from(self.price_level.as_str()));
        if !self.sweep_variable.is_empty() {
            let texts: Vec<&str> = self.sweep_values.split([',', ' ', ';']).filter(|t| !t.trim().is_empty()).collect();
            let mut bad = None;
            let values: Vec<Value> = texts
                .iter()
                .map(|t| parse_positive(t).map(number).map_err(|m| bad = bad.take().or(Some(format!("“{}”: {m}", t.trim())))))
                .filter_map(Result::ok)
                .collect();
            let as_typed = values.iter().map(typed).collect::<Vec<_>>().join(", ") == self.sweep_values;
            let values = match bad {
                None if !texts.is_empty() && (!link || as_typed) => Value::Array(values),
                None if !texts.is_empty() => Value::from(self.sweep_values.as_str()),
                other => {
                    errors.push((
                        CapacityField::SweepValues.id(),
                        other.unwrap_or_else(|| "Enter the values to sweep, separated by commas.".into()),
                    ));
                    Value::from(self.sweep_values.as_str())
                }
            };
            let mut sweep = Map::new();
            sweep.insert("variable".into(), Value::from(self.sweep_variable.as_str()));
            sweep.insert("values".into(), values);
            object.insert("sweep".into(), Value::Object(sweep));
        }
        (Value::Object(object), errors)
    }
}

/// A JSON value as the text a user would type (whole numbers without a fraction or an
/// exponent, as `number` writes them, so a link read once is a fixed point).
fn typed(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => match n.as_f64().map(number) {
            Some(whole @ Value::Number(_)) if whole.is_i64() => whole.to_string(),
            _ => n.to_string(),
        },
        other => other.to_string(),
    }
}

/// A figure as a JSON number, whole figures without a fraction (so a link reads `30`, not `30.0`).
fn number(v: f64) -> Value {
    // 2^53: every whole f64 below it is an exact i64.
    if v.fract() == 0.0 && v.abs() < 9_007_199_254_740_992.0 {
        Value::from(v as i64)
    } else {
        Value::from(v)
    }
}

/// A field of the card, for its messages and test hooks.
#[derive(Debug, Clone, PartialEq)]
pub enum CapacityField {
    Target,
    Gpus,
    MaxGpus,
    PriceLevel,
    /// A GPU's price.
    Price(String),
    SweepValues,
}

impl CapacityField {
    /// Stable id: the HTML `id` of the input (`capacity-target`, `capacity-price-h100-sxm`).
    pub fn id(&self) -> String {
        match self {
            CapacityField::Target => "capacity-target".into(),
            CapacityField::Gpus => "capacity-gpus".into(),
            CapacityField::MaxGpus => "capacity-max-gpus".into(),
            CapacityField::PriceLevel => "capacity-price-level".into(),
            CapacityField::Price(gpu) => format!("capacity-price-{gpu}"),
            CapacityField::SweepValues => "capacity-sweep-values".into(),
        }
    }

    /// The field holding the scenario field a planner error names (`capacity.prices.b200`,
    /// `capacity.sweep.values[2]`); the target for `capacity` itself.
    pub fn for_scenario_field(name: &str) -> CapacityField {
        let tail = name.strip_prefix("capacity.").unwrap_or("");
        let head = tail.split(['.', '[']).next().unwrap_or("");
        match head {
            "gpus" => CapacityField::Gpus,
            "max_gpus" => CapacityField::MaxGpus,
            "price_level" => CapacityField::PriceLevel,
            "prices" => CapacityField::Price(tail.strip_prefix("prices.").unwrap_or("").to_string()),
            "sweep" => CapacityField::SweepValues,
            _ => CapacityField::Target,
        }
    }
}

/// The form checked as `form::check` does, with the card's `capacity` (when there is a card)
/// in its scenario: every field's message at once, the card's under `FieldErrors::capacity`.
pub fn check_with_capacity(form: &FormState, perf: Option<&PerfParams>, card: Option<&CapacityForm>) -> Result<Query, FieldErrors> {
    let checked = check(form, perf);
    let Some(card) = card else { return checked };
    #[cfg_attr(not(feature = "full-page"), allow(unused_mut))]
    let (value, mut errors) = card.capacity_value();
    let query = match checked {
        Ok(query) if errors.is_empty() => query,
        Ok(_) => return Err(FieldErrors::of_capacity(errors)),
        Err(mut e) => {
            e.capacity = errors;
            return Err(e);
        }
    };
    let mut scenario = query.scenario;
    scenario.capacity = Some(value);
    let inputs = resolve(&scenario).map_err(|e| FieldErrors::planner(e, form))?;
    // The startup page has no reader for `capacity`: its planner says so on that field.
    #[cfg(feature = "full-page")]
    if let Err(e) = planner::capacity::spec(&inputs) {
        errors.push((CapacityField::for_scenario_field(&e.field).id(), format!("{}: {}", e.field, e.message)));
        return Err(FieldErrors::of_capacity(errors));
    }
    Ok(Query { scenario, inputs: Rc::new(inputs) })
}

#[cfg(test)]
mod tests;
