//! The scenario's `capacity` object, read and validated: the target load, the GPUs compared,
//! the ceiling of the search, prices, and an optional sweep.
//!
//! Design decision: `ScenarioInput::capacity` holds raw JSON (so the startup page, which has no
//! capacity planning, links no reader for it); this module reads it as `CapacityInput` and,
//! when that fails, names the field with `locate` against `CAPACITY`, prefixed `capacity.`.

use crate::bounds::{whole, MAX_TOKENS};
use crate::error::InputError;
use crate::gpu::catalog;
use crate::locate::{check, locate, Kind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Default ceiling of the search: 1024 GPUs (128 nodes of 8), the size of the largest
/// deployment the planner's benchmarks plan (`benches/search.rs`); an assumption of where a
/// "how many" question stops, which the scenario can raise.
pub const DEFAULT_MAX_GPUS: u32 = 1024;

/// The highest `max_gpus`: the planner's largest cluster (`inputs::MAX_TOTAL_GPUS`).
pub const MAX_MAX_GPUS: u32 = crate::inputs::MAX_TOTAL_GPUS;

/// Most values a sweep takes: each is a sizing per swept GPU, and the page runs them on every
/// change (an assumption that keeps a sweep within the page's time budget).
pub const MAX_SWEEP_VALUES: usize = 16;

/// Seconds per day, for `tokens_per_day`.
pub const SECONDS_PER_DAY: f64 = 86_400.0;

/// `capacity` as it arrives.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapacityInput {
    pub target: TargetInput,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpus: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_gpus: Option<f64>,
    /// USD per GPU-hour by GPU id (a catalog id, or a custom GPU's name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prices: Option<BTreeMap<String, f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_level: Option<PriceLevel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep: Option<SweepInput>,
}

/// The load to serve: give one of the two.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_rate: Option<f64>,
    /// Output tokens per day (not input + output): converted to requests with the workload's OSL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens_per_day: Option<f64>,
}

/// Which published price a GPU is costed at.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PriceLevel {
    Low,
    #[default]
    Typical,
    High,
}

impl PriceLevel {
    pub fn id(self) -> &'static str {
        match self {
            PriceLevel::Low => "low",
            PriceLevel::Typical => "typical",
            PriceLevel::High => "high",
        }
    }
}

/// What-if: the variable swept and its values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepInput {
    pub variable: SweepVariable,
    pub values: Vec<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SweepVariable {
    Isl,
    Osl,
    RequestRate,
}

impl SweepVariable {
    pub fn id(self) -> &'static str {
        match self {
            SweepVariable::Isl => "isl",
            SweepVariable::Osl => "osl",
            SweepVariable::RequestRate => "request_rate",
        }
    }
}

/// `CapacityInput`'s fields as `locate` walks them (`tests::capacity_fields_are_located` keeps
/// the two in step).
pub const CAPACITY: Kind = Kind::Struct(check::<CapacityInput>, &[
    ("target", Kind::Struct(check::<TargetInput>, &[
        ("request_rate", Kind::Leaf(check::<Option<f64>>)),
        ("tokens_per_day", Kind::Leaf(check::<Option<f64>>)),
    ])),
    ("gpus", Kind::Leaf(check::<Option<Vec<String>>>)),
    ("max_gpus", Kind::Leaf(check::<Option<f64>>)),
    ("prices", Kind::Leaf(check::<Option<BTreeMap<String, f64>>>)),
    ("price_level", Kind::Leaf(check::<Option<PriceLevel>>)),
    ("sweep", Kind::Struct(check::<Option<SweepInput>>, &[
        ("variable", Kind::Leaf(check::<SweepVariable>)),
        ("values", Kind::Leaf(check::<Vec<f64>>)),
    ])),
]);

/// `capacity`, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct CapacitySpec {
    /// Requests per second to serve, whole deployment.
    pub request_rate: f64,
    /// The target as output tokens per day, when given so (a sweep of `osl` converts it again).
    pub tokens_per_day: Option<f64>,
    /// The GPUs compared: catalog ids, in the order given (absent: the catalog's order).
    pub gpus: Vec<String>,
    pub gpus_given: bool,
    pub max_gpus: u32,
    pub prices: BTreeMap<String, f64>,
    pub price_level: PriceLevel,
    pub sweep: Option<(SweepVariable, Vec<f64>)>,
}

/// Read the raw `capacity` value; `osl` converts `tokens_per_day` into requests, `custom` is
/// the scenario's custom GPU's name (a price may be given for it). The error names the field
/// (`capacity.target.request_rate`).
pub fn read(value: &serde_json::Value, osl: u32, custom: Option<&str>) -> Result<CapacitySpec, InputError> {
    let input = CapacityInput::deserialize(value).map_err(|_| {
        let (path, message) = locate(value, &CAPACITY, "").unwrap_or_default();
        InputError::new(if path.is_empty() { "capacity".to_string() } else { format!("capacity.{path}") }, message)
    })?;
    let positive = |v: f64, field: &str, what: &str| {
        if v.is_finite() && v > 0.0 {
            Ok(v)
        } else {
            Err(InputError::new(field, format!("must be a positive number of {what}, got {v}")))
        }
    };
    let request_rate = match (input.target.request_rate, input.target.tokens_per_day) {
        (Some(r), None) => positive(r, "capacity.target.request_rate", "requests per second")?,
        (None, Some(t)) => positive(t, "capacity.target.tokens_per_day", "output tokens per day")? / SECONDS_PER_DAY / osl as f64,
        (Some(_), Some(_)) => {
            return Err(InputError::new("capacity.target.tokens_per_day", "give target.request_rate or target.tokens_per_day, not both"))
        }
        (None, None) => {
            return Err(InputError::new("capacity.target", "give target.request_rate or target.tokens_per_day (output tokens per day)"))
        }
    };
    let gpus_given = input.gpus.is_some();
    let gpus = match input.gpus {
        None => catalog::entries().iter().map(|e| e.id.to_string()).collect(),
        Some(list) => {
            if list.is_empty() {
                return Err(InputError::new("capacity.gpus", "name at least one catalog GPU, or leave the field out to compare them all"));
            }
            let mut ids: Vec<String> = Vec::new();
            for (i, id) in list.iter().enumerate() {
                let wanted = id.trim().to_ascii_lowercase();
                if !catalog::entries().iter().any(|e| e.id == wanted) {
                    return Err(InputError::new(format!("capacity.gpus[{i}]"), format!("unknown catalog GPU '{id}'")));
                }
                if ids.contains(&wanted) {
                    return Err(InputError::new(format!("capacity.gpus[{i}]"), format!("'{id}' is listed twice")));
                }
                ids.push(wanted);
            }
            ids
        }
    };
    let max_gpus = input.max_gpus.map_or(Ok(DEFAULT_MAX_GPUS), |m| whole(m, "capacity.max_gpus", 1, MAX_MAX_GPUS))?;
    let mut prices = BTreeMap::new();
    for (id, usd) in input.prices.unwrap_or_default() {
        let field = format!("capacity.prices.{id}");
        let key = id.trim().to_ascii_lowercase();
        if !catalog::entries().iter().any(|e| e.id == key) && custom.is_none_or(|c| c.to_ascii_lowercase() != key) {
            return Err(InputError::new(field, format!("'{id}' is neither a catalog GPU nor the scenario's custom GPU")));
        }
        prices.insert(key, positive(usd, &field, "USD per GPU-hour")?);
    }
    let sweep = match input.sweep {
        None => None,
        Some(s) => Some((s.variable, sweep_values(s.variable, &s.values)?)),
    };
    Ok(CapacitySpec { request_rate, tokens_per_day: input.target.tokens_per_day, gpus, gpus_given, max_gpus, prices, price_level: input.price_level.unwrap_or_default(), sweep })
}

/// A sweep's values, each checked as the field it stands for.
fn sweep_values(variable: SweepVariable, values: &[f64]) -> Result<Vec<f64>, InputError> {
    if values.is_empty() || values.len() > MAX_SWEEP_VALUES {
        return Err(InputError::new(
            "capacity.sweep.values",
            format!("give 1 to {MAX_SWEEP_VALUES} values, got {}", values.len()),
        ));
    }
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let field = format!("capacity.sweep.values[{i}]");
            match variable {
                SweepVariable::Isl | SweepVariable::Osl => whole(v, &field, 1, MAX_TOKENS).map(f64::from),
                SweepVariable::RequestRate if v.is_finite() && v > 0.0 => Ok(v),
                SweepVariable::RequestRate => {
                    Err(InputError::new(field, format!("must be a positive number of requests per second, got {v}")))
                }
            }
        })
        .collect()
}
