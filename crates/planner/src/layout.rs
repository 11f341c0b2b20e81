//! A parallel layout: how one model is split across the cluster's GPUs.
//!
//! `tp` splits every layer's attention and dense weights across GPUs that all-reduce twice per
//! layer; `pp` splits the layers into consecutive stages; `dp` counts copies of the attention
//! and dense weights, so `tp × pp × dp` is the GPU count, as in the classic rule. For MoE models
//! the routed experts of a stage are split `ep` ways across that stage's `tp × dp` GPUs, each
//! expert further split `tp × dp / ep` ways (`FORMAT.md`, "Layout semantics"): `ep > tp` means
//! attention is data-parallel across the ranks that share the experts.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A validated layout. Build with `Layout::new`; the fields are public for reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Layout {
    pub tp: u32,
    pub pp: u32,
    pub dp: u32,
    pub ep: u32,
}

/// Why four numbers are not a layout for a given GPU count.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LayoutError {
    #[error("{field} must be at least 1")]
    Zero { field: &'static str },
    #[error("tp × pp × dp = {tp} × {pp} × {dp} = {product}, but the cluster has {gpus} GPUs")]
    GpuCount { tp: u32, pp: u32, dp: u32, product: u64, gpus: u32 },
    #[error("ep = {ep} must divide tp × dp = {tp_dp}")]
    EpDoesNotDivide { ep: u32, tp_dp: u32 },
}

impl LayoutError {
    /// The scenario field the error is about.
    pub fn field(&self) -> &'static str {
        match self {
            LayoutError::Zero { field } => field,
            LayoutError::GpuCount { .. } => "layout",
            LayoutError::EpDoesNotDivide { .. } => "layout.ep",
        }
    }
}

impl Layout {
    /// A layout for `gpus` GPUs: every size at least 1, `tp × pp × dp = gpus`, `ep | tp × dp`.
    pub fn new(tp: u32, pp: u32, dp: u32, ep: u32, gpus: u32) -> Result<Self, LayoutError> {
        for (field, v) in [("layout.tp", tp), ("layout.pp", pp), ("layout.dp", dp), ("layout.ep", ep)] {
            if v == 0 {
                return Err(LayoutError::Zero { field });
            }
        }
        let product = tp as u64 * pp as u64 * dp as u64;
        if product != gpus as u64 {
            return Err(LayoutError::GpuCount { tp, pp, dp, product, gpus });
        }
        let tp_dp = tp * dp;
        if !tp_dp.is_multiple_of(ep) {
            return Err(LayoutError::EpDoesNotDivide { ep, tp_dp });
        }
        Ok(Self { tp, pp, dp, ep })
    }

    pub fn gpus(&self) -> u32 {
        self.tp * self.pp * self.dp
    }

    /// GPUs in one pipeline stage (the expert-sharing group for MoE).
    pub fn stage_gpus(&self) -> u32 {
        self.tp * self.dp
    }

    /// Ways each routed expert is split inside its expert-parallel rank.
    pub fn expert_tp(&self) -> u32 {
        self.stage_gpus() / self.ep
    }

    /// Attention is data-parallel across the ranks that share experts (DeepSeek-style).
    pub fn attention_dp(&self) -> bool {
        self.ep > self.tp
    }
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TP {} × PP {} × DP {}", self.tp, self.pp, self.dp)?;
        if self.ep > 1 {
            write!(f, ", EP {}", self.ep)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_gpu_count_and_ep() {
        assert!(Layout::new(8, 1, 2, 1, 16).is_ok());
        assert!(matches!(Layout::new(8, 2, 2, 1, 16), Err(LayoutError::GpuCount { product: 32, .. })));
        assert!(matches!(Layout::new(8, 1, 2, 3, 16), Err(LayoutError::EpDoesNotDivide { .. })));
        assert_eq!(Layout::new(0, 1, 1, 1, 0).unwrap_err().field(), "layout.tp");
    }

    #[test]
    fn wide_ep_means_attention_dp() {
        let l = Layout::new(1, 1, 16, 16, 16).unwrap();
        assert!(l.attention_dp());
        assert_eq!(l.expert_tp(), 1);
        assert_eq!(l.to_string(), "TP 1 × PP 1 × DP 16, EP 16");
    }
}
