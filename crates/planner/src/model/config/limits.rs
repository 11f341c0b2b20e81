//! Largest sizes the importer accepts, so that parameter arithmetic in `u64` cannot overflow.
//!
//! Each bound is far above any released model (largest today: hidden 25,600 in the 1T example,
//! 160 heads, head_dim 512, 384 experts, 128 layers, vocab 262,144). With every size at its
//! bound, one layer holds at most 4096 experts × 3 × 2^17 × 2^20 ≈ 2^50.6 parameters, so 1024
//! layers stay below 2^61 — inside `u64` with room to spare.

pub const MAX_HIDDEN: u64 = 1 << 17;
pub const MAX_LAYERS: u64 = 1024;
pub const MAX_HEADS: u64 = 2048;
pub const MAX_HEAD_DIM: u64 = 4096;
pub const MAX_INTERMEDIATE: u64 = 1 << 20;
pub const MAX_EXPERTS: u64 = 4096;
pub const MAX_SHARED_EXPERTS: u64 = 64;
pub const MAX_VOCAB: u64 = 1 << 22;
pub const MAX_LORA_RANK: u64 = 1 << 16;
/// Sliding windows, chunks and position tables: 2^40 tokens.
pub const MAX_WINDOW: u64 = 1 << 40;
