//! Numeric precisions of weights and of the KV cache.
//!
//! Bits per element are `f64` and include the scale overhead of block-scaled formats, so a
//! 4-bit format never rounds to zero bytes (llm-analysis' `BYTES_INT4 = 4 // 8` is 0).
//! The weight precision also decides which tensor-core rate a GEMM runs at: fp8 and fp4 weights
//! use the GPU's fp8 / fp4 rate when it has one; weight-only formats (int4, and fp8/fp4 on GPUs
//! without that rate) dequantise to bf16 and run at the bf16 rate.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Precision of the model weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WeightPrecision {
    Bf16,
    Fp16,
    Fp8,
    Int8,
    Int4,
    Fp4,
}

/// Precision of the KV cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KvPrecision {
    Bf16,
    Fp16,
    Fp8,
    Int8,
}

/// The two precisions a scenario chooses: weights and KV cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Precisions {
    pub weights: WeightPrecision,
    pub kv: KvPrecision,
}

/// The tensor-core rate a matrix multiply runs at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ComputeRate {
    Bf16,
    Fp8,
    Int8,
    Fp4,
}

impl WeightPrecision {
    pub const ALL: [WeightPrecision; 6] = [
        Self::Bf16,
        Self::Fp16,
        Self::Fp8,
        Self::Int8,
        Self::Int4,
        Self::Fp4,
    ];

    /// Stored bits per weight, scales included.
    ///
    /// - bf16, fp16: 16.
    /// - fp8 (e4m3), int8: 8; per-tensor, per-channel or 128×128-block scales (DeepSeek-V3's
    ///   `weight_block_size`) add under 0.01 bit and are ignored.
    /// - int4: 4 + one fp16 scale per group of 128 (AWQ / GPTQ default `group_size` 128) = 4.125.
    /// - fp4: NVFP4, 4 + one fp8 (e4m3) scale per block of 16 (NVIDIA Blackwell NVFP4 format) =
    ///   4.5. MXFP4 (gpt-oss) uses one 8-bit scale per 32, 4.25 bits; NVFP4 is the larger and the
    ///   format serving engines quantise to, so the planner uses it.
    pub fn bits(self) -> f64 {
        match self {
            Self::Bf16 | Self::Fp16 => 16.0,
            Self::Fp8 | Self::Int8 => 8.0,
            Self::Int4 => 4.0 + 16.0 / 128.0,
            Self::Fp4 => 4.0 + 8.0 / 16.0,
        }
    }

    /// Bytes per weight.
    pub fn bytes(self) -> f64 {
        self.bits() / 8.0
    }

    /// The tensor-core rate this precision asks for; the GPU may not have it (see
    /// `gpu::GpuSpec::peak`), in which case the GEMM falls back to bf16.
    pub fn compute_rate(self) -> ComputeRate {
        match self {
            Self::Bf16 | Self::Fp16 | Self::Int4 => ComputeRate::Bf16,
            Self::Fp8 => ComputeRate::Fp8,
            Self::Int8 => ComputeRate::Int8,
            Self::Fp4 => ComputeRate::Fp4,
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Self::Bf16 => "bf16",
            Self::Fp16 => "fp16",
            Self::Fp8 => "fp8",
            Self::Int8 => "int8",
            Self::Int4 => "int4",
            Self::Fp4 => "fp4",
        }
    }
}

impl KvPrecision {
    pub const ALL: [KvPrecision; 4] = [Self::Bf16, Self::Fp16, Self::Fp8, Self::Int8];

    /// Bytes per cached element; fp8 and int8 caches keep one scale per tensor (vLLM
    /// `kv_cache_dtype=fp8`, TensorRT-LLM FP8 KV), which is negligible.
    pub fn bytes(self) -> f64 {
        match self {
            Self::Bf16 | Self::Fp16 => 2.0,
            Self::Fp8 | Self::Int8 => 1.0,
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Self::Bf16 => "bf16",
            Self::Fp16 => "fp16",
            Self::Fp8 => "fp8",
            Self::Int8 => "int8",
        }
    }
}

impl fmt::Display for WeightPrecision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl fmt::Display for KvPrecision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_bit_formats_are_not_zero_bytes() {
        assert_eq!(WeightPrecision::Int4.bytes(), 4.125 / 8.0);
        assert_eq!(WeightPrecision::Fp4.bytes(), 4.5 / 8.0);
    }

    #[test]
    fn serde_ids_match_format_md() {
        for p in WeightPrecision::ALL {
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(json, format!("\"{}\"", p.id()));
        }
        for p in KvPrecision::ALL {
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(json, format!("\"{}\"", p.id()));
        }
    }
}
