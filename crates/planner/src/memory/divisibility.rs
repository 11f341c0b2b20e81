//! Whether a layout can split a model at all: heads, KV heads, layers, experts and FFN widths
//! must divide the way the engines shard them.
//!
//! Design decision: these are the engines' own hard checks (a layout that fails one does not
//! start), so a failure is a `RejectReason` with the numbers, one per kind of failure, found
//! before any memory is computed. The rules:
//! - query heads divide by `tp` (vLLM `QKVParallelLinear`, SGLang and TensorRT-LLM likewise);
//! - KV heads divide by `tp`, or `tp` is a multiple of them and each is replicated
//!   `tp / kv_heads` times (vLLM `QKVParallelLinear`: `num_kv_head_replicas`);
//! - MiniMax-M3's block indexer's heads divide by `tp`, or `tp` is a multiple of them (SGLang
//!   0.5.23 `models/minimax_m3.py`, `MiniMaxM3Attention`: `total_idx_heads % attn_tp_size == 0`
//!   or `attn_tp_size % total_idx_heads == 0`);
//! - a Mamba2 mixer's heads divide by `tp`, and its groups too unless there is one, which every
//!   GPU then keeps whole (SGLang 0.5.23 `layers/attention/mamba/mamba.py`, `MambaMixer2`:
//!   `num_heads % tp_size == 0`, `n_groups % tp_size == 0 or n_groups == 1`);
//! - DeepSeek-V4's output head groups divide by `tp` (SGLang 0.5.23 `MqaAttentionBase`:
//!   `n_local_groups = o_groups // attn_tp_size`, none left past `o_groups`);
//! - query and KV heads per layer, for the heads of that layer: models whose layer kinds have
//!   their own head counts (MiMo-V2-Flash's 4 and 8 KV heads, Step-3.7's sliding layers) are
//!   checked for each kind (SGLang 0.5.23 `models/mimo_v2.py`, `models/step3p5.py` assert it
//!   per layer);
//! - at least one layer per pipeline stage;
//! - dense and shared-expert intermediate widths divide by `tp` (column-parallel gate/up);
//! - routed experts divide by `ep`, and each expert's intermediate width by the ways it is split
//!   inside its rank, `tp × dp / ep` (`FORMAT.md`, "Layout semantics");
//! - `ep > 1` needs routed experts.

use crate::layout::Layout;
use crate::model::{Attention, FeedForward, IndexerKind, ModelSpec};
use crate::reject::RejectReason;

/// Every way `layout` fails to split `model`, at most one reason per kind; empty when it splits.
pub fn check(model: &ModelSpec, layout: &Layout) -> Vec<RejectReason> {
    check_distinct(model, layout, &super::distinct_layers(&model.layers))
}

/// `check`, visiting only the layers at `distinct` (`memory::distinct_layers` of the model's):
/// a layer like the one before it fails the same way, and a reason is kept once per kind, so
/// the reasons and their order are the same.
pub fn check_distinct(model: &ModelSpec, layout: &Layout, distinct: &[usize]) -> Vec<RejectReason> {
    let mut reasons: Vec<RejectReason> = Vec::new();
    let mut push = |reason: RejectReason| {
        if !reasons.iter().any(|r| r.code() == reason.code()) {
            reasons.push(reason);
        }
    };
    let tp = layout.tp;
    let layers = model.num_layers();
    if layout.pp > layers {
        push(RejectReason::LayersNotDivisible { pp: layout.pp, layers });
    }
    if layout.ep > 1 && !model.is_moe() {
        push(RejectReason::NoExperts { ep: layout.ep });
    }
    for layer in distinct.iter().filter_map(|&i| model.layers.get(i)) {
        if let Attention::Mamba2(m) = layer.attention {
            if !m.heads.is_multiple_of(tp) || !(m.groups.is_multiple_of(tp) || m.groups == 1) {
                push(RejectReason::MambaNotDivisible { tp, heads: m.heads, groups: m.groups });
            }
        } else if !layer.attention.heads().is_multiple_of(tp) {
            push(RejectReason::HeadsNotDivisible { tp, heads: layer.attention.heads() });
        }
        // A linear-attention layer splits its key heads too (vLLM's and SGLang's Gated DeltaNet
        // shard queries and keys by `linear_num_key_heads / tp`).
        if let Some(l) = layer.attention.linear().filter(|l| !l.key_heads.is_multiple_of(tp)) {
            push(RejectReason::HeadsNotDivisible { tp, heads: l.key_heads });
        }
        if let Some(kv_heads) = layer.attention.gqa_kv_heads() {
            if kv_heads == 0 || !(kv_heads.is_multiple_of(tp) || tp.is_multiple_of(kv_heads)) {
                push(RejectReason::KvHeadsNotDivisible { tp, kv_heads });
            }
        }
        // MiniMax-M3's block indexer splits its query heads as KV heads split.
        if let Some(i) = layer.attention.indexer().filter(|i| matches!(i.kind, IndexerKind::MiniMax { .. })) {
            if i.heads == 0 || !(i.heads.is_multiple_of(tp) || tp.is_multiple_of(i.heads)) {
                push(RejectReason::IndexHeadsNotDivisible { tp, heads: i.heads });
            }
        }
        if let Some(c) = layer.attention.compressed().filter(|c| !c.o_groups.is_multiple_of(tp)) {
            push(RejectReason::OutputGroupsNotDivisible { tp, groups: c.o_groups });
        }
        let (dense_width, moe) = match layer.ffn {
            FeedForward::Dense(d) => (d.intermediate, None),
            FeedForward::Moe(m) => (m.shared_intermediate, Some(m)),
            FeedForward::None => (0, None),
        };
        if !dense_width.is_multiple_of(tp as u64) {
            push(RejectReason::FfnWidthNotDivisible { tp, intermediate: dense_width });
        }
        if let Some(m) = moe {
            if !m.experts.is_multiple_of(layout.ep) {
                push(RejectReason::ExpertsNotDivisible { ep: layout.ep, experts: m.experts });
            }
            let ways = layout.expert_tp();
            if !m.expert_intermediate.is_multiple_of(ways as u64) {
                push(RejectReason::ExpertWidthNotDivisible {
                    ways,
                    intermediate: m.expert_intermediate,
                });
            }
        }
    }
    reasons
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::*;

    fn codes(model: &ModelSpec, tp: u32, pp: u32, dp: u32, ep: u32) -> Vec<&'static str> {
        let layout = Layout::new(tp, pp, dp, ep, tp * pp * dp).unwrap();
        check(model, &layout).iter().map(|r| r.code()).collect()
    }

    #[test]
    fn llama_70b_splits_up_to_tp_64_and_replicates_kv_heads_past_8() {
        let m = llama_3_1_70b();
        for tp in [1, 2, 4, 8, 16, 32, 64] {
            assert!(codes(&m, tp, 1, 1, 1).is_empty(), "tp {tp}");
        }
        assert_eq!(
            codes(&m, 3, 1, 1, 1),
            ["heads-not-divisible", "kv-heads-not-divisible", "ffn-width-not-divisible"]
        );
        assert_eq!(codes(&m, 1, 81, 1, 1), ["layers-not-divisible"]);
        assert_eq!(codes(&m, 1, 1, 2, 2), ["no-experts"]);
    }

    /// MiniMax-M3 splits over TP 1 to 64 (64 heads, 4 KV heads and 4 index heads split or
    /// replicate); with 12 index heads (3 per KV head) TP 8 neither splits nor replicates them.
    #[test]
    fn a_block_indexer_splits_its_heads_as_kv_heads_split() {
        let mut m = crate::model::catalog::lookup("minimax-m3").unwrap().spec;
        for tp in [1, 2, 4, 8, 16, 32, 64] {
            assert!(codes(&m, tp, 1, 1, 1).is_empty(), "tp {tp}");
        }
        for layer in &mut m.layers {
            if let Attention::Gqa { indexer: Some(i), .. } = &mut layer.attention {
                i.heads = 12;
            }
        }
        assert_eq!(codes(&m, 8, 1, 1, 1), ["index-heads-not-divisible"]);
        assert!(codes(&m, 4, 1, 1, 1).is_empty());
    }

    #[test]
    fn expert_parallel_checks_experts_and_their_width() {
        let mixtral = mixtral_8x7b();
        assert!(codes(&mixtral, 8, 1, 1, 8).is_empty());
        assert!(codes(&mixtral, 8, 1, 2, 8).is_empty(), "each expert split 2 ways");
        assert_eq!(codes(&mixtral, 8, 1, 2, 16), ["experts-not-divisible"]);
        // DeepSeek-V3: 256 experts of width 2048 over 64 ranks, attention DP.
        assert!(codes(&deepseek_v3(), 1, 1, 64, 64).is_empty());
        // gpt-oss-120b: expert width 2880 = 2^6 × 45 does not split 128 ways.
        assert_eq!(codes(&gpt_oss_120b(), 8, 1, 16, 1), ["expert-width-not-divisible"]);
    }
}
