//! Serving engines: the memory rule each applies and the batch caps it enforces.
//!
//! Engines differ in what share of memory they give the KV cache and in how many requests and
//! tokens they put in one step. These are named parameters of an `EngineProfile`, with the
//! engine's own flag name and default beside each, and a user can override them in the
//! scenario (`engine_options`).

use serde::{Deserialize, Serialize};

/// A serving engine whose memory rules and launch flags apply.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    #[default]
    Vllm,
    Sglang,
    Trtllm,
}

impl Engine {
    pub const ALL: [Engine; 3] = [Engine::Vllm, Engine::Sglang, Engine::Trtllm];

    pub fn id(self) -> &'static str {
        match self {
            Engine::Vllm => "vllm",
            Engine::Sglang => "sglang",
            Engine::Trtllm => "trtllm",
        }
    }

    pub fn display_name(self) -> &'static str {
        match self {
            Engine::Vllm => "vLLM",
            Engine::Sglang => "SGLang",
            Engine::Trtllm => "TensorRT-LLM",
        }
    }
}
