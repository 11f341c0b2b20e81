//! Pipeline stages: which contiguous run of decoder layers each stage holds.
//!
//! Design decision: the split follows the serving engine, because engines disagree on where
//! the extra layers of an uneven split go, and the stage that gets them (the first holds the
//! embedding, the last the LM head) decides the most loaded GPU. The rules, read from each
//! engine's source:
//! - vLLM (`vllm/distributed/utils.py::get_pp_indices`, 0.10.2): `layers // pp` per stage, and
//!   the `layers % pp` extra layers go one each to the stages just before the last (`[-2]`,
//!   `[-3]`, …), keeping them off the last stage (LM head) and, when few, off the first.
//! - SGLang (`sglang/srt/distributed/utils.py::get_pp_indices`, 0.5.23): the extra layers go
//!   one each to the last `layers % pp` stages.
//! - TensorRT-LLM: the extra layers go to the first stages (`Mapping.pp_layers`, a
//!   `tensor_split`; not read from source here, see the engine module).

use crate::engine::PpPartition;
use crate::model::ModelSpec;
use std::ops::Range;

/// The layer ranges (indices into `model.layers`) of `pp` stages, first to last, split the way
/// `rule` says. With more stages than layers some ranges are empty (a layout the divisibility
/// check rejects); `pp = 0` gives no stages.
pub fn stage_layers(model: &ModelSpec, pp: u32, rule: PpPartition) -> Vec<Range<usize>> {
    split(model.layers.len(), pp, rule)
}

fn split(layers: usize, pp: u32, rule: PpPartition) -> Vec<Range<usize>> {
    let pp = pp as usize;
    if pp == 0 {
        return Vec::new();
    }
    let base = layers / pp;
    let extra = layers % pp;
    let mut sizes = vec![base; pp];
    match rule {
        PpPartition::BeforeLast => {
            // partitions[-i] += 1 for i in 2..extra + 2; when extra = pp - 1 this reaches the
            // first stage, never the last.
            for i in 2..extra + 2 {
                sizes[pp - i] += 1;
            }
        }
        PpPartition::Last => {
            for size in sizes.iter_mut().skip(pp - extra) {
                *size += 1;
            }
        }
        PpPartition::First => {
            for size in sizes.iter_mut().take(extra) {
                *size += 1;
            }
        }
    }
    let mut start = 0;
    sizes
        .into_iter()
        .map(|n| {
            let range = start..start + n;
            start += n;
            range
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizes(layers: usize, pp: u32, rule: PpPartition) -> Vec<usize> {
        split(layers, pp, rule).iter().map(|r| r.len()).collect()
    }

    #[test]
    fn even_split_is_the_same_for_every_engine() {
        for rule in [PpPartition::BeforeLast, PpPartition::Last, PpPartition::First] {
            let llama = crate::model::fixtures::llama_3_1_70b();
            assert_eq!(stage_layers(&llama, 4, rule), vec![0..20, 20..40, 40..60, 60..80]);
        }
    }

    #[test]
    fn uneven_splits_follow_each_engine() {
        // DeepSeek-V3's 61 layers over 4 stages.
        assert_eq!(sizes(61, 4, PpPartition::BeforeLast), vec![15, 15, 16, 15]);
        assert_eq!(sizes(61, 4, PpPartition::Last), vec![15, 15, 15, 16]);
        assert_eq!(sizes(61, 4, PpPartition::First), vec![16, 15, 15, 15]);
        // vLLM with pp - 1 extra layers reaches the first stage but never the last.
        assert_eq!(sizes(7, 4, PpPartition::BeforeLast), vec![2, 2, 2, 1]);
    }

    #[test]
    fn stages_cover_every_layer_once() {
        for layers in 0..40usize {
            for pp in 1..10u32 {
                for rule in [PpPartition::BeforeLast, PpPartition::Last, PpPartition::First] {
                    let stages = split(layers, pp, rule);
                    assert_eq!(stages.len(), pp as usize);
                    assert_eq!(stages.first().unwrap().start, 0);
                    assert_eq!(stages.last().unwrap().end, layers);
                    assert!(stages.windows(2).all(|w| w[0].end == w[1].start));
                }
            }
        }
    }
}
