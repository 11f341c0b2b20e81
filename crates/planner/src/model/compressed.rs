//! DeepSeek-V4's attention (`model_type` `deepseek_v4`): multi-query attention over one key-value
//! head whose keys are its values, a sliding window of recent tokens in every layer, and per
//! layer a cache compressed along the sequence.
//!
//! What a layer keeps per request and what a query reads, by its compression ratio `r`
//! (`compress_ratios[i]`; transformers 5.25 `models/deepseek_v4/modeling_deepseek_v4.py`, SGLang
//! 0.5.23 `srt/layers/attention/deepseek_v4_backend.py` `DSV4AttnMetadata`):
//! - every layer: the last `window` tokens (`sliding_window`), one entry each, all read;
//! - `r = 4`, compressed sparse attention: one entry per 4 tokens, pooled by a learned
//!   compressor over overlapping windows of 8, and one indexer key per entry; the indexer scores
//!   every entry and the query reads the `index_topk` best;
//! - `r = 128`, heavily compressed attention: one entry per 128 tokens, all read, no indexer;
//! - `r = 0`: the window only.
//!
//! Tokens not yet pooled wait in a per-request ring of compressor state, whose size does not
//! grow with the context. The hyper-connections around each layer (`hc_mult` residual streams)
//! are described here too, as only DeepSeek-V4 has them.

use super::Indexer;

/// FP8 values of a cached entry that share one 8-bit scale (SGLang 0.5.23
/// `kernels/ops/attention/dsv4/kv_layout.py`, `KVLayout.V4.tile_size`).
pub const FP8_SCALE_TILE: u32 = 64;

/// Bytes of padding after an FP8 entry's scales (SGLang `DeepSeekV4SingleKVPool.scale_pad`; its
/// assertion: 448 FP8 + 64 × 2 rotary + 8 = 584 B per token).
pub const FP8_SCALE_PAD: u32 = 1;

/// Bytes per element of the compressor state (SGLang `SGLANG_DSV4_COMPRESS_STATE_DTYPE`,
/// default `float32`).
pub const STATE_ELEMENT_BYTES: f64 = 4.0;

/// One DeepSeek-V4 attention layer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CompressedAttention {
    pub heads: u32,
    /// Width of the one key-value head (`head_dim`), and of each query head.
    pub head_dim: u32,
    /// Its rotary part (`qk_rope_head_dim`), kept in 16 bits in an FP8 cache.
    pub rope_dim: u32,
    /// The query's low-rank latent (`q_lora_rank`).
    pub q_lora_rank: u32,
    /// Grouped output projection: `o_groups` groups of heads, each projected to `o_lora_rank`
    /// (`o_a_proj`), then all to the hidden size (`o_b_proj`).
    pub o_groups: u32,
    pub o_lora_rank: u32,
    /// Tokens of the sliding window every layer keeps and reads (`sliding_window`).
    pub window: u64,
    /// Tokens pooled into one compressed entry (`compress_ratios[i]`); 0: no compression.
    pub ratio: u32,
    /// The indexer of a compressed sparse attention layer: `topk` is in compressed entries.
    pub indexer: Option<Indexer>,
    /// Residual streams of the layer's hyper-connections (`hc_mult`).
    pub streams: u32,
}

impl CompressedAttention {
    /// Whether the compressor pools overlapping windows of `2 × ratio` tokens (two series per
    /// token, `coff = 2` in SGLang's `Compressor`): the compressed sparse attention layers,
    /// the ones with an indexer.
    fn overlapping(&self) -> bool {
        self.indexer.is_some()
    }

    /// Query heads' width, all heads.
    fn heads_width(&self) -> u64 {
        self.heads as u64 * self.head_dim as u64
    }

    /// Weights split across the TP group (SGLang `MqaAttentionBase`: `wq_b` column-parallel by
    /// heads, `wo_a` by head groups, `wo_b` row-parallel): the query up-projection
    /// (`q_lora_rank × heads·head_dim`), the grouped output projection (`o_groups` blocks of
    /// `heads·head_dim / o_groups × o_lora_rank`) and the output projection
    /// (`o_groups·o_lora_rank × hidden`).
    pub fn split_params(&self, hidden: u64) -> u64 {
        let grouped = self.o_groups as u64 * self.o_lora_rank as u64;
        self.q_lora_rank as u64 * self.heads_width() + self.heads_width() * self.o_lora_rank as u64 + grouped * hidden
    }

    /// Quantised weights every TP rank holds whole (SGLang `ReplicatedLinear`): the query
    /// down-projection and the key-value projection (`wq_a`, `wkv`), and the indexer's query
    /// projection (`C4Indexer.wq_b`).
    pub fn replicated_matrix_params(&self, hidden: u64) -> u64 {
        let indexer = self.indexer.map_or(0, |i| self.q_lora_rank as u64 * i.heads as u64 * i.head_dim as u64);
        hidden * (self.q_lora_rank as u64 + self.head_dim as u64) + indexer
    }

    /// Weights every TP rank holds whole and no checkpoint quantises: the query and key-value
    /// norms, the compressors (SGLang builds `Compressor.wkv_gate` without the quantisation
    /// config), the indexer's head weights (`weights_proj`, bf16) and the hyper-connections
    /// (float32 in the checkpoint).
    pub fn replicated_other_params(&self, hidden: u64) -> u64 {
        let compressor = match self.ratio {
            0 => 0,
            r => compressor_params(hidden, self.head_dim as u64, r as u64, self.overlapping()),
        };
        let indexer = self.indexer.map_or(0, |i| {
            hidden * i.heads as u64 + compressor_params(hidden, i.head_dim as u64, self.ratio as u64, true)
        });
        self.q_lora_rank as u64 + self.head_dim as u64 + compressor + indexer + self.hyper_connection_params(hidden)
    }

    /// Weights of the layer's attention block and hyper-connections (transformers
    /// `DeepseekV4Attention`, `DeepseekV4HCACompressor` / `DeepseekV4CSACompressor`,
    /// `DeepseekV4Indexer`, `DeepseekV4HyperConnection`), the layer norms aside. The attention
    /// sinks (one scalar per head) are not counted, as gpt-oss' are not.
    pub fn params(&self, hidden: u64) -> u64 {
        self.split_params(hidden) + self.replicated_matrix_params(hidden) + self.replicated_other_params(hidden)
    }

    /// The two hyper-connections (before attention, before the feed-forward block), each a
    /// projection of the `streams` residual streams to `(2 + n)·n` mixing weights, their bias
    /// and 3 scales.
    pub fn hyper_connection_params(&self, hidden: u64) -> u64 {
        let n = self.streams as u64;
        let mixes = (2 + n) * n;
        2 * (mixes * n * hidden + mixes + 3)
    }

    /// Flops of one query token against one cached entry on `heads / tp` heads: scores over
    /// the `head_dim`-wide key and values over the same vector, `2·h·d + 2·h·d`.
    pub fn flops_per_pair(&self, tp: f64) -> f64 {
        4.0 * self.heads as f64 / tp * self.head_dim as f64
    }

    /// Bytes of one cached entry (a window token or a compressed entry) at `bytes_per_element`:
    /// with a 16-bit cache `head_dim × 2` (SGLang's bf16 rows, `dsv4_unified_row_bytes`:
    /// 1,024 B); with an 8-bit cache SGLang's FlashMLA layout (`KVLayout.V4`, the layout it
    /// serves DeepSeek-V4 with on NVIDIA GPUs): the unrotated part in FP8 with one 8-bit scale
    /// per `FP8_SCALE_TILE` values, the rotary part in bf16, and `FP8_SCALE_PAD` (448 + 7 +
    /// 128 + 1 = 584 B).
    pub fn entry_bytes(&self, bytes_per_element: f64) -> f64 {
        if bytes_per_element >= 2.0 {
            return self.head_dim as f64 * bytes_per_element;
        }
        let nope = self.head_dim.saturating_sub(self.rope_dim);
        (nope as f64) * bytes_per_element
            + self.rope_dim as f64 * 2.0
            + nope.div_ceil(FP8_SCALE_TILE) as f64
            + FP8_SCALE_PAD as f64
    }

    /// Bytes of an indexer key per compressed entry (FP8 with FP32 scales, whatever the
    /// cache's precision: SGLang `get_dsv4_indexer_bytes_per_token`, the same formula as
    /// `Indexer::cache_bytes_per_token`); 0 without an indexer.
    pub fn index_key_bytes(&self) -> f64 {
        self.indexer.map_or(0.0, |i| i.cache_bytes_per_token())
    }

    /// Bytes a token of context adds to the compressed cache: one entry and its indexer key
    /// per `ratio` tokens; 0 without compression.
    pub fn compressed_bytes_per_token(&self, bytes_per_element: f64) -> f64 {
        match self.ratio {
            0 => 0.0,
            r => (self.entry_bytes(bytes_per_element) + self.index_key_bytes()) / r as f64,
        }
    }

    /// Cache bytes per token with the window not capping (as every windowed layer counts in
    /// `kv_cache_bytes_per_token`): the window's entry and the compressed cache's share.
    pub fn bytes_per_token(&self, bytes_per_element: f64) -> f64 {
        self.entry_bytes(bytes_per_element) + self.compressed_bytes_per_token(bytes_per_element)
    }

    /// Compressed entries of a request at `context` tokens: one per `ratio` complete tokens
    /// (the rest wait in the compressor state).
    pub fn compressed_entries(&self, context: u64) -> u64 {
        match self.ratio {
            0 => 0,
            r => context / r as u64,
        }
    }

    /// Cache bytes one request holds at `context` tokens, compressor state aside: its last
    /// `min(context, window)` tokens, and its compressed entries with their indexer keys.
    /// SGLang keeps the window and the compressed entries in separate pools, so below about two
    /// windows of context a compressed layer holds more than it would uncompressed.
    pub fn bytes_per_request(&self, bytes_per_element: f64, context: u64) -> f64 {
        let entry = self.entry_bytes(bytes_per_element);
        context.min(self.window) as f64 * entry
            + self.compressed_entries(context) as f64 * (entry + self.index_key_bytes())
    }

    /// The compressor state one request keeps, whatever its context (SGLang 0.5.23 without
    /// speculative decoding, `get_compress_state_ring_size` and `pool_configurator.py`): a ring
    /// of `ratio` rows, `2 × ratio` for overlapping windows (8 at ratio 4, 128 at ratio 128),
    /// each holding the pending tokens' values and gates (`2 × coff × head_dim`) and, with an
    /// indexer, its own (`2 × coff × index_head_dim`), at `STATE_ELEMENT_BYTES`. DeepSeek-V4-
    /// Flash, ratio 4: 8 × 2 × 2 × (512 + 128) × 4 = 81,920 B; ratio 128: 128 × 2 × 512 × 4 =
    /// 524,288 B.
    pub fn state_bytes_per_request(&self) -> f64 {
        if self.ratio == 0 {
            return 0.0;
        }
        let coff = if self.overlapping() { 2.0 } else { 1.0 };
        let width = self.head_dim as f64 + self.indexer.map_or(0.0, |i| i.head_dim as f64);
        coff * self.ratio as f64 * 2.0 * coff * width * STATE_ELEMENT_BYTES
    }

    /// What a decode query reads per token of context, in bytes: `(every token, within the
    /// window, within the selection)`. The window's entries over `min(context, window)`; with an
    /// indexer, its keys over the whole context (one per `ratio` tokens) and the picked entries
    /// over `min(context, ratio × topk)` (one per `ratio` tokens); without one, the compressed
    /// entries over the whole context. They sum to `bytes_per_token`.
    pub fn read_bytes_per_token(&self, bytes_per_element: f64) -> (f64, f64, f64) {
        let entry = self.entry_bytes(bytes_per_element);
        let compressed = match self.ratio {
            0 => 0.0,
            r => entry / r as f64,
        };
        match self.indexer {
            Some(_) => (self.index_key_bytes() / self.ratio.max(1) as f64, entry, compressed),
            None => (compressed, entry, 0.0),
        }
    }

    /// Tokens of context over which a query reads the entries its indexer picks: `ratio × topk`
    /// (`None` without an indexer).
    pub fn selection_span(&self) -> Option<u64> {
        self.indexer.map(|i| i.topk.saturating_mul(self.ratio as u64))
    }

    /// Replicated activation vectors (of the hidden size) per token and layer that the
    /// hyper-connections add to `perf::step::REPLICATED_VECTORS_PER_LAYER`'s 10. Around each of
    /// the attention and feed-forward blocks SGLang's fused kernels read the `n` streams and
    /// write the block's input (`n + 1`), then read the streams and the block's output and
    /// write the streams (`2n + 1`), the block's norm fused in: `2·(3n + 2)` a layer, which is
    /// the 10 of a plain residual stream at `n = 1`.
    pub fn hyper_connection_vectors(&self) -> f64 {
        6.0 * (self.streams.max(1) as f64 - 1.0)
    }
}

/// A compressor's weights (transformers `DeepseekV4HCACompressor` / `DeepseekV4CSACompressor`,
/// the indexer's own): the value and gate projections to `width` (two series each when
/// `overlap`), a position bias per pooled slot, and the output norm.
fn compressor_params(hidden: u64, width: u64, ratio: u64, overlap: bool) -> u64 {
    let series = if overlap { 2 } else { 1 };
    2 * hidden * series * width + ratio * series * width + width
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A compressed sparse attention layer of DeepSeek-V4-Flash (`compress_ratios[2]`).
    fn flash_csa() -> CompressedAttention {
        CompressedAttention {
            heads: 64,
            head_dim: 512,
            rope_dim: 64,
            q_lora_rank: 1024,
            o_groups: 8,
            o_lora_rank: 1024,
            window: 128,
            ratio: 4,
            indexer: Some(Indexer { heads: 64, head_dim: 128, topk: 512, kind: crate::model::IndexerKind::DeepSeek }),
            streams: 4,
        }
    }

    fn exact(what: &str, actual: f64, expected: f64) {
        assert!(actual == expected, "{what}: expected {expected}, actual {actual}, tolerance 0");
    }

    /// One FP8 entry: 448 unrotated FP8 values, 7 scales, 64 rotary values in bf16 and a byte
    /// of padding, SGLang's 584 B; bf16: 512 × 2.
    #[test]
    fn an_entry_is_584_bytes_in_fp8_and_1024_in_bf16() {
        let a = flash_csa();
        exact("fp8 entry", a.entry_bytes(1.0), 584.0);
        exact("bf16 entry", a.entry_bytes(2.0), 1024.0);
        // Per token: the window's entry, and per 4 tokens an entry and a 132 B indexer key.
        exact("fp8 per token", a.bytes_per_token(1.0), 584.0 + (584.0 + 132.0) / 4.0);
        let (all, window, selected) = a.read_bytes_per_token(1.0);
        exact("reads sum to the bytes per token", all + window + selected, a.bytes_per_token(1.0));
        assert_eq!(a.selection_span(), Some(2048));
    }
}
