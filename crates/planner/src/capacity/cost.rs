//! Dollars per million tokens, and which price a GPU is costed at.
//!
//! `usd per M tokens = price (USD per GPU-hour) × GPUs ÷ (tokens per second × 3600) × 10⁶`:
//! the GPUs are paid for by the hour whatever they serve, so the same deployment costs less
//! per token at its capacity than at a lighter load. Total tokens are input plus output:
//! `output × (ISL + OSL) / OSL`.

use super::input::{CapacitySpec, PriceLevel};
use super::prices::price_entry;

/// Seconds per hour.
const SECONDS_PER_HOUR: f64 = 3600.0;

/// A price and where it comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct Price {
    pub usd_per_gpu_hour: f64,
    /// `scenario` for the user's own figure, else the catalog's source URL.
    pub source: String,
    pub date: Option<String>,
}

/// The price of `gpu` (a catalog id or a custom GPU's name): the scenario's, else the catalog's
/// at the asked level; `Err` says why there is none (enter one).
pub fn price_of(gpu: &str, spec: &CapacitySpec) -> Result<Price, String> {
    let id = gpu.to_ascii_lowercase();
    if let Some(&usd) = spec.prices.get(&id) {
        return Ok(Price { usd_per_gpu_hour: usd, source: "scenario".into(), date: None });
    }
    let Some(entry) = price_entry(&id) else {
        return Err(format!("no published price for {gpu} in data/gpu-prices.csv: enter one (capacity.prices)"));
    };
    let level = match spec.price_level {
        PriceLevel::Low => entry.low,
        PriceLevel::Typical => entry.typical,
        PriceLevel::High => entry.high,
    };
    match level {
        Some(usd) => Ok(Price { usd_per_gpu_hour: usd, source: entry.source.to_string(), date: Some(entry.date.to_string()) }),
        None => Err(format!(
            "no {} price for {gpu} in data/gpu-prices.csv: enter one (capacity.prices) or pick another price_level",
            spec.price_level.id()
        )),
    }
}

/// USD per million output tokens of `gpus` GPUs at `usd_per_gpu_hour` producing `output_tok_s`
/// output tokens per second; `None` when nothing is produced.
pub fn usd_per_m_output(usd_per_gpu_hour: f64, gpus: f64, output_tok_s: f64) -> Option<f64> {
    (output_tok_s > 0.0 && output_tok_s.is_finite()).then(|| usd_per_gpu_hour * gpus / (output_tok_s * SECONDS_PER_HOUR) * 1e6)
}

/// Per million total (input + output) tokens, from the figure per million output tokens.
pub fn per_m_total(per_m_output: f64, isl: u32, osl: u32) -> f64 {
    per_m_output * osl as f64 / (isl as f64 + osl as f64)
}
