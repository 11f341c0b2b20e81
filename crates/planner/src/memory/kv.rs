//! KV-cache bytes on one GPU: per token of each layer, and for one request at a context length.
//!
//! Design decision: everything is per GPU, per layer, for the tensor-parallel degree `tp` of the
//! attention (which is the layout's `tp`: with `ep > tp` attention is data-parallel across
//! replicas of `tp` GPUs, `FORMAT.md` "Layout semantics"). The performance model reads the same
//! functions for the KV bytes a decode step streams.
//! - GQA / MHA: each GPU caches `max(1, kv_heads / tp)` heads (vLLM
//!   `ModelConfig.get_num_kv_heads`: `max(1, total_num_kv_heads // tp)`; SGLang
//!   `get_num_kv_heads` likewise): when `tp > kv_heads` each KV head is replicated
//!   `tp / kv_heads` times and every GPU still caches one. Keys and values of their own sizes
//!   (`GqaDims`) cache `qk + v` per head (SGLang 0.5.23 `mem_cache/memory_pool.py`
//!   `MHATokenToKVPool`: a `head_dim` key buffer and a `v_head_dim` value buffer per layer).
//! - MLA: the compressed latent (`kv_lora_rank + qk_rope_head_dim` per token) is shared by all
//!   heads, so every tensor-parallel rank caches all of it (vLLM `MLAAttention`, SGLang
//!   `MLATokenToKVPool`); it is never divided by `tp`. Data-parallel attention does not shrink it
//!   either: it gives each replica its own requests, which the request count accounts for.
//! - A windowed layer keeps at most `window` tokens of a request (sliding-window or chunked
//!   attention), so a request at context `c` holds `min(c, window)` tokens there. Engines
//!   allocate in blocks (vLLM 16 tokens, TensorRT-LLM 32 by default), which adds less than one
//!   block per request and layer group; that rounding is not modelled.
//! - DeepSeek-V4's compressed attention (`model::CompressedAttention`) keeps its window's
//!   entries, its compressed entries with their indexer keys, and a compressor state per
//!   request; like MLA's latent its one key-value head is whole on every tensor-parallel rank
//!   (SGLang 0.5.23 `mem_cache/deepseek_v4_memory_pool.py`: `DeepSeekV4SingleKVPool` and
//!   `DeepSeekV4IndexerPool` have no head axis), and data-parallel attention gives each replica
//!   its own requests. SGLang's pages are padded to 576-byte rows (`KVLayout.page_bytes`): not
//!   modelled, as blocks are not.

use crate::model::{Attention, Layer};
use crate::precision::KvPrecision;
use crate::units::Bytes;

/// KV heads one GPU caches for a GQA layer with `kv_heads` heads at tensor parallelism `tp`:
/// `kv_heads / tp`, or 1 (replicated) when `tp ≥ kv_heads`. Rounds up when `tp` does not divide
/// (a layout the divisibility check rejects), so the count is never zero.
pub fn kv_heads_per_gpu(kv_heads: u32, tp: u32) -> u32 {
    if tp >= kv_heads {
        1
    } else {
        kv_heads.div_ceil(tp.max(1))
    }
}

/// KV-cache elements one GPU holds per token of this attention layer.
pub fn elements_per_token_per_gpu(attention: &Attention, tp: u32) -> u64 {
    match *attention {
        Attention::Gqa { kv_heads, head_dim, .. } => {
            2 * kv_heads_per_gpu(kv_heads, tp) as u64 * head_dim as u64
        }
        Attention::GqaDims(g) => kv_heads_per_gpu(g.kv_heads, tp) as u64 * g.kv_width(),
        Attention::Mla(_) => attention.kv_elements_per_token(),
        Attention::Linear(_) | Attention::Mamba2(_) | Attention::Compressed(_) | Attention::None => 0,
    }
}

/// KV bytes one GPU holds per token of one layer: its keys and values (or latent), and a
/// sparse-attention indexer's keys at their own precision (`Indexer::cache_bytes_per_token`;
/// one key per token, and a value with MiniMax-M3's index values, held whole on every GPU of
/// the TP group as the MLA latent is); for a compressed layer its window's entry and its
/// compressed share, whole on every GPU (`CompressedAttention::bytes_per_token`).
pub fn layer_bytes_per_token(layer: &Layer, tp: u32, kv: KvPrecision) -> Bytes {
    if let Some(c) = layer.attention.compressed() {
        return Bytes(c.bytes_per_token(kv.bytes()));
    }
    let indexer = layer.attention.indexer().map_or(0.0, |i| i.cache_bytes_per_token());
    Bytes(elements_per_token_per_gpu(&layer.attention, tp) as f64 * kv.bytes() + indexer)
}

/// The bytes of `layer_bytes_per_token` a decode step reads per token of context, split by
/// how much context it reads them over (they sum to it).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Reads {
    /// Over every token of the context.
    pub all: Bytes,
    /// Over at most the layer's window.
    pub window: Bytes,
    /// Over at most the context an indexer's picks cover (DeepSeek sparse attention's top-k,
    /// `CompressedAttention::selection_span`).
    pub selected: Bytes,
}

/// `Reads` of one layer: a windowed layer reads its whole cache over its window; a
/// sparse-attention layer reads its indexer's keys over the whole context and its latent over
/// the `topk` tokens picked; a compressed layer its window's entries over its window, and its
/// compressed entries over the whole context or, with an indexer, its keys over the whole
/// context and the entries picked over their span (`CompressedAttention::read_bytes_per_token`);
/// any other layer reads everything over the whole context.
pub fn read_bytes_per_token(layer: &Layer, tp: u32, kv: KvPrecision) -> Reads {
    let all = layer_bytes_per_token(layer, tp, kv);
    if let Some(c) = layer.attention.compressed() {
        let (all, window, selected) = c.read_bytes_per_token(kv.bytes());
        return Reads { all: Bytes(all), window: Bytes(window), selected: Bytes(selected) };
    }
    match (layer.window, layer.attention.indexer()) {
        (Some(_), _) => Reads { window: all, ..Reads::default() },
        (None, Some(i)) => {
            let keys = Bytes(i.cache_bytes_per_token());
            Reads { all: keys, selected: all - keys, ..Reads::default() }
        }
        (None, None) => Reads { all, ..Reads::default() },
    }
}

/// How many tokens of context a query of this layer attends to at most: its window, or a
/// sparse-attention indexer's `topk`; `None` for the whole context (a compressed layer reads
/// some entries of the whole context: `read_bytes_per_token`).
pub fn attention_span(layer: &Layer) -> Option<u64> {
    layer.window.or(layer.attention.indexer().map(|i| i.topk))
}

/// KV bytes one GPU holds per token across `layers` at full context, windows ignored: the
/// figure engines log per token, and the plan's `kv_cache_bytes_per_token` with `tp = 1` over
/// all layers.
pub fn bytes_per_token(layers: &[Layer], tp: u32, kv: KvPrecision) -> Bytes {
    layers.iter().map(|l| layer_bytes_per_token(l, tp, kv)).sum()
}

/// Tokens a request at `context` tokens keeps in this layer's cache.
pub fn tokens_held(layer: &Layer, context: u64) -> u64 {
    match layer.window {
        Some(window) => context.min(window),
        None => context,
    }
}

/// KV bytes one GPU holds for one request at `context` tokens over `layers` (a stage's layers):
/// full-attention layers hold every token, windowed layers at most their window, compressed
/// layers their window and their compressed entries (`CompressedAttention::bytes_per_request`).
pub fn bytes_per_request(layers: &[Layer], tp: u32, kv: KvPrecision, context: u64) -> Bytes {
    layers
        .iter()
        .map(|l| {
            let cache = match l.attention.compressed() {
                Some(c) => Bytes(c.bytes_per_request(kv.bytes(), context)),
                None => layer_bytes_per_token(l, tp, kv) * tokens_held(l, context) as f64,
            };
            cache + state_bytes_per_request(l, tp)
        })
        .sum()
}

/// The fixed state one request keeps in a layer on one GPU, whatever its context: a
/// linear-attention or Mamba2 layer's, a compressed layer's compressor state
/// (`Attention::state_bytes_per_request`); 0 for other layers.
pub fn state_bytes_per_request(layer: &Layer, tp: u32) -> Bytes {
    Bytes(layer.attention.state_bytes_per_request(tp))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::*;

    fn exact(actual: Bytes, expected: f64, what: &str) {
        assert!(
            actual.value() == expected,
            "{what}: expected {expected}, actual {}, difference {}, tolerance 0",
            actual.value(),
            actual.value() - expected
        );
    }

    #[test]
    fn llama_70b_kv_per_token_per_gpu() {
        let m = llama_3_1_70b();
        let bf16 = KvPrecision::Bf16;
        // 2 (K and V) × 80 layers × 8 KV heads × 128 head_dim × 2 bytes.
        exact(bytes_per_token(&m.layers, 1, bf16), 327_680.0, "tp 1");
        // TP 8: one KV head per GPU, 2 × 80 × 1 × 128 × 2.
        exact(bytes_per_token(&m.layers, 8, bf16), 40_960.0, "tp 8");
        // TP 16: 8 KV heads cannot split 16 ways; each is replicated on 2 GPUs, so every GPU
        // still caches one head: 2 × 80 × 1 × 128 × 2, not half of it.
        exact(bytes_per_token(&m.layers, 16, bf16), 40_960.0, "tp 16");
        // FP8 cache halves it.
        exact(bytes_per_token(&m.layers, 8, KvPrecision::Fp8), 20_480.0, "tp 8 fp8");
    }

    #[test]
    fn deepseek_v3_mla_latent_is_replicated_across_tp() {
        let m = deepseek_v3();
        // (kv_lora_rank 512 + qk_rope_head_dim 64) × 61 layers × 2 bytes, at any TP.
        for tp in [1, 8, 16, 128] {
            exact(bytes_per_token(&m.layers, tp, KvPrecision::Bf16), 70_272.0, "DeepSeek-V3");
        }
    }

    #[test]
    fn gpt_oss_120b_sliding_layers_hold_128_tokens() {
        let m = gpt_oss_120b();
        let bf16 = KvPrecision::Bf16;
        // Per layer and token: 2 × 8 KV heads × 64 head_dim × 2 bytes = 2048.
        exact(bytes_per_token(&m.layers, 1, bf16), 36.0 * 2048.0, "per token, no window");
        // One request of 8192 tokens: 18 full-attention layers hold 8192 tokens, 18 sliding
        // layers hold 128: 2048 × 18 × (8192 + 128) = 306,708,480 bytes, against 603,979,776
        // if every layer held the whole context.
        exact(bytes_per_request(&m.layers, 1, bf16, 8192), 306_708_480.0, "8192-token request");
        // Shorter than the window: every layer holds the whole context.
        exact(bytes_per_request(&m.layers, 1, bf16, 100), 36.0 * 2048.0 * 100.0, "100 tokens");
        // TP 8: one of the 8 KV heads per GPU.
        exact(bytes_per_request(&m.layers, 8, bf16, 8192), 306_708_480.0 / 8.0, "tp 8");
    }

    /// Nemotron 3 Nano's 23 Mamba2 layers (64 heads of 64, 8 groups of state 128, kernel 4,
    /// float32 SSM state) and 6 attention layers (2 KV heads of 128), by hand (SGLang 0.5.23
    /// `Mamba2StateShape`):
    /// - TP 1: convolution (4,096 + 2 × 8 × 128 = 6,144 channels) × 3 × 2 B = 36,864; SSM state
    ///   64 × 64 × 128 × 4 B = 2,097,152; 2,134,016 per layer, 49,082,368 for 23;
    /// - TP 2: (2,048 + 2 × 4 × 128) × 3 × 2 = 18,432 and 32 × 64 × 128 × 4 = 1,048,576;
    ///   1,067,008 per layer, 24,541,184 for 23.
    ///
    /// The attention layers add 2 × 2 × 128 × 2 B = 1,024 B per token each at TP 1 (6,144 for
    /// the 6), half at TP 2 (one of the 2 KV heads per GPU: 3,072); the state does not grow
    /// with the context.
    #[test]
    fn nemotron_3_nano_state_per_request_at_tp_1_and_2() {
        let m = crate::model::catalog::lookup("nemotron-3-nano").unwrap().spec;
        let bf16 = KvPrecision::Bf16;
        for (tp, state, kv_per_token) in [(1, 49_082_368.0, 6_144.0), (2, 24_541_184.0, 3_072.0)] {
            let states: Bytes = m.layers.iter().map(|l| state_bytes_per_request(l, tp)).sum();
            exact(states, state, &format!("state at TP {tp}"));
            exact(bytes_per_token(&m.layers, tp, bf16), kv_per_token, &format!("KV per token at TP {tp}"));
            for context in [1, 1_000, 262_144] {
                let expected = state + kv_per_token * context as f64;
                exact(bytes_per_request(&m.layers, tp, bf16, context), expected, &format!("TP {tp}, {context} tokens"));
            }
        }
    }

    #[test]
    fn mixtral_8x7b_kv_per_token() {
        let m = mixtral_8x7b();
        // 2 × 32 layers × 8 KV heads × 128 × 2 bytes; experts do not touch the cache.
        exact(bytes_per_token(&m.layers, 1, KvPrecision::Bf16), 131_072.0, "tp 1");
        exact(bytes_per_token(&m.layers, 8, KvPrecision::Bf16), 16_384.0, "tp 8");
        // One 2048 + 512 request at TP 2: 65,536 bytes per token × 2560 tokens.
        exact(
            bytes_per_request(&m.layers, 2, KvPrecision::Bf16, 2560),
            65_536.0 * 2560.0,
            "request at tp 2",
        );
    }
}
