//! Errors for bad input. Each names the scenario field it is about, so the page can show the
//! message beside that field and the `plan` command can report `{"error": {"field", "message"}}`.
//! Infeasible layouts are not errors: they are verdicts with reasons (`search`).

use serde::{Deserialize, Serialize};

/// Bad input: which field, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{field}: {message}")]
pub struct InputError {
    /// Dotted path of the field in the scenario (`workload.isl`, `gpu.hbm_tb_s`, `model.config.hidden_size`).
    pub field: String,
    pub message: String,
}

impl InputError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}
