//! The bounds of a scenario's whole numbers and `whole`, the one check that a JSON number is a
//! whole count within bounds, for every module that reads one (the scenario, the engine's
//! options, the cluster, a custom GPU).
//!
//! Design decision: the check lives below every reader, so the modules that validate input
//! share it without depending on each other.

use super::error::InputError;

/// Longest request length accepted: 10M tokens, beyond any served context today.
pub const MAX_TOKENS: u32 = 10_000_000;
/// Largest GPU count accepted for any one size: 1M, far beyond any cluster.
pub const MAX_GPUS: u32 = 1_000_000;

/// A JSON number that must be a whole number in `[min, max]`.
pub fn whole(v: f64, field: &str, min: u32, max: u32) -> Result<u32, InputError> {
    if !v.is_finite() || v.fract() != 0.0 {
        return Err(InputError::new(field, format!("must be a whole number, got {v}")));
    }
    if v < min as f64 || v > max as f64 {
        return Err(InputError::new(field, format!("must be between {min} and {max}, got {v}")));
    }
    Ok(v as u32)
}
