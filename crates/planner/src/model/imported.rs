//! What reading a model gives: the spec and what the source said beside it. Made by the
//! importer (`config`), baked into the presets (`catalog`), returned by `resolve`.

use super::ModelSpec;
use crate::precision::WeightPrecision;

/// A model read from a `config.json`.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedModel {
    pub spec: ModelSpec,
    /// The precision the checkpoint ships in, when its `quantization_config` or `torch_dtype`
    /// says so.
    pub checkpoint_precision: Option<WeightPrecision>,
    /// The longest context (prompt and output, in tokens) the config states:
    /// `max_position_embeddings` (`n_positions` for GPT-2), of the language model's config in
    /// a wrapper; `None` when it states none.
    pub context_window: Option<u64>,
    /// What the import left out or assumed ("vision_config ignored", "multi-token-prediction
    /// layer not counted"), for the page to show beside the model.
    pub notes: Vec<String>,
}
