//! Serving engines: the memory rule each applies and the batch caps it enforces.
//!
//! Engines differ in what share of memory they give the KV cache and in how many requests and
//! tokens they put in one step. These are named parameters of an `EngineProfile`, with the
//! engine's own flag name and default beside each, and a user can override them in the
//! scenario (`engine_options`).
//!
//! Design decision: defaults are those of one release per engine, read from its source, because
//! they move between releases (vLLM's `gpu_memory_utilization` went from 0.9 to 0.92 between
//! 0.19 and 0.26) and several depend on the GPU, so a profile is built for a GPU:
//! - vLLM 0.33.0 (`vllm/config/cache.py`, `vllm/engine/arg_utils.py` `get_batch_defaults`,
//!   `vllm serve` context);
//! - SGLang 0.5.23 (`sglang/srt/arg_groups/memory_hook.py` `_handle_gpu_memory_settings`,
//!   `sglang/srt/mem_cache/kv_cache_configurator.py`);
//! - TensorRT-LLM: its source cannot be fetched here (every PyPI release is a stub that
//!   downloads from NVIDIA's index); the fraction 0.9 is NVIDIA Dynamo's default for it
//!   (`ai-dynamo` 1.6.1 `dynamo/trtllm/backend_args.py`), the caps 2048 / 8192 are unverified.
//!
//! All of these were read from the wheels in the research notes (`engine-facts.md`), with file
//! and line; the comments below name the file.

use super::bounds::{whole, MAX_TOKENS};
use super::error::InputError;
use super::gpu::GpuSpec;
use super::layout::Layout;
use super::model::{Attention, ModelSpec};
use super::units::{Bytes, GIB};
use serde::{Deserialize, Serialize};

/// The scenario's `engine_options`: overrides of the engine's defaults; each absent field keeps
/// the engine's default. Validated by `profile`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EngineOptionsInput {
    /// vLLM `gpu_memory_utilization`, SGLang `mem_fraction_static`, TensorRT-LLM
    /// `kv_cache_free_gpu_mem_fraction`: in (0, 1].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_fraction: Option<f64>,
    /// vLLM `max_num_seqs`, SGLang `max_running_requests`, TensorRT-LLM `max_batch_size`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_batch_requests: Option<f64>,
    /// vLLM `max_num_batched_tokens`, SGLang `chunked_prefill_size`, TensorRT-LLM
    /// `max_num_tokens`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_batch_tokens: Option<f64>,
}

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

    /// The engine's own names for the three parameters of `engine_options`, in the order
    /// memory fraction, requests per step, tokens per step.
    pub fn flags(self) -> [&'static str; 3] {
        match self {
            Engine::Vllm => ["gpu_memory_utilization", "max_num_seqs", "max_num_batched_tokens"],
            Engine::Sglang => ["mem_fraction_static", "max_running_requests", "chunked_prefill_size"],
            Engine::Trtllm => ["kv_cache_free_gpu_mem_fraction", "max_batch_size", "max_num_tokens"],
        }
    }
}

/// How an engine turns its memory fraction into a KV-cache budget (see `memory::budget`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MemoryRule {
    /// vLLM: `fraction × device memory` must hold the weights, the profiled activation peak,
    /// the memory allocated outside PyTorch after start-up (NCCL, all-reduce buffers) and the
    /// CUDA-graph estimate; the KV cache gets the rest. The CUDA context sits outside it
    /// (`vllm/v1/worker/gpu_worker.py` `determine_available_memory`, 0.33.0).
    FractionOfTotal,
    /// SGLang: weights plus KV cache take `fraction` of the memory free at start-up (after the
    /// CUDA context and NCCL); activations and CUDA graphs live in the remaining
    /// `1 − fraction` (`kv_cache_configurator.py` `_profile_available_bytes`, 0.5.23).
    FractionOfFreeAtStart,
    /// TensorRT-LLM: the KV cache takes `fraction` of the memory still free after the weights,
    /// activations and runtime buffers (`kv_cache_free_gpu_mem_fraction`).
    FractionOfFreeAfterLoad,
}

/// Where the extra layers of an uneven pipeline split go (see `memory::stages`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PpPartition {
    /// vLLM: one each to the stages just before the last.
    BeforeLast,
    /// SGLang: one each to the last stages.
    Last,
    /// TensorRT-LLM: one each to the first stages.
    First,
}

/// The engine parameters the memory and performance models use.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EngineProfile {
    pub engine: Engine,
    pub memory_rule: MemoryRule,
    /// The memory fraction; `None` means the engine derives it per layout (SGLang's default,
    /// see `EngineProfile::memory_fraction`).
    pub memory_fraction: Option<f64>,
    /// Most requests in one step (vLLM `max_num_seqs`, SGLang `max_running_requests`,
    /// TensorRT-LLM `max_batch_size`).
    pub max_batch_requests: u32,
    /// Most tokens in one step, prefill chunks included (vLLM `max_num_batched_tokens`, SGLang
    /// `chunked_prefill_size`, TensorRT-LLM `max_num_tokens`): the size of the activation peak.
    pub max_batch_tokens: u32,
    /// Largest decode batch captured as a CUDA graph (vLLM `max_cudagraph_capture_size`,
    /// SGLang `cuda_graph_max_bs`) at TP < 4 and at TP ≥ 4 (SGLang captures more with more
    /// GPUs); 0 when the engine's graphs are not modelled. See `cuda_graph_batch`.
    pub cuda_graph_max_batch: [u32; 2],
    pub pp_partition: PpPartition,
    /// The request cap covers all pipeline micro-batches of a replica together, rather than
    /// each: vLLM's V1 scheduler keeps `len(running) ≤ max_num_seqs` whatever the PP size
    /// (`vllm/v1/core/sched/scheduler.py` `max_num_running_reqs`, 0.33.0, with a batch queue of
    /// `max_concurrent_batches` = PP micro-batches, `vllm/v1/engine/core.py`); SGLang splits it,
    /// `pp_max_micro_batch_size = max_running_requests // pp_size`
    /// (`sglang/srt/managers/scheduler.py`, 0.5.23). TensorRT-LLM sizes its sequence slots as
    /// `max_batch_size` per micro-batch (as recalled, unverified).
    pub request_cap_spans_pipeline: bool,
}

/// 2^20 bytes, the unit of SGLang's memory heuristics.
const MIB: f64 = 1_048_576.0;

impl EngineProfile {
    /// The memory fraction for `model` in a layout on a GPU of `capacity`: the user's or the
    /// engine's fixed default, or SGLang 0.5.23's derived default (`memory_hook.py`
    /// `_handle_gpu_memory_settings`, `reserve_for_graph_mb`): `(capacity − reserved) /
    /// capacity`, rounded to 3 decimals, with `reserved` in MiB = 512 + 1.5 ×
    /// max(chunked_prefill_size, 2048) + tp × pp / 8 × 1024 + 2 × decode graph max batch +
    /// the prefill graphs (on by default on CUDA: 8 per captured size, or 1536 for MLA models),
    /// at least 10240 on GPUs over 60 GiB. Its extra reserves for data-parallel attention and
    /// DeepEP buffers are not modelled.
    pub fn memory_fraction(&self, capacity: Bytes, layout: &Layout, model: &ModelSpec) -> f64 {
        if let Some(f) = self.memory_fraction {
            return f;
        }
        let mem_mib = capacity.value() / MIB;
        // DeepSeek-V4's compressed attention is not MLA to SGLang (`AttentionArch.MHA`).
        let mla = model.layers.iter().any(|l| matches!(l.attention, Attention::Mla(_)));
        let prefill_graphs =
            if mla { 1536.0 } else { 8.0 * sglang_prefill_graph_sizes(self.max_batch_tokens) as f64 };
        let mut reserved = 512.0
            + 1.5 * self.max_batch_tokens.max(2048) as f64
            + (layout.tp as f64 * layout.pp as f64) / 8.0 * 1024.0
            + 2.0 * self.cuda_graph_batch(layout) as f64
            + prefill_graphs;
        if mem_mib > 60.0 * 1024.0 {
            reserved = reserved.max(10.0 * 1024.0);
        }
        let f = ((mem_mib - reserved) / mem_mib * 1000.0).round() / 1000.0;
        f.clamp(0.0, 1.0)
    }

    /// The largest decode batch captured as a CUDA graph for this layout, never more than the
    /// request cap (SGLang lowers a default `cuda_graph_max_bs` to `max_running_requests`).
    pub fn cuda_graph_batch(&self, layout: &Layout) -> u32 {
        let [small_tp, large_tp] = self.cuda_graph_max_batch;
        let graphs = if layout.tp >= 4 { large_tp } else { small_tp };
        graphs.min(self.max_batch_requests)
    }
}

/// How many prefill CUDA graphs SGLang 0.5.23 captures up to `max_tokens` tokens
/// (`cuda_graph_hook.py` `generate_prefill_cuda_graph_batch_sizes`: steps of 4 to 32, 16 to 256,
/// 32 to 512, 64 to 1024, 256 to 4096, then 512).
fn sglang_prefill_graph_sizes(max_tokens: u32) -> usize {
    let steps: [(u32, u32, u32); 6] =
        [(4, 32, 4), (48, 256, 16), (288, 512, 32), (576, 1024, 64), (1280, 4096, 256), (4608, u32::MAX, 512)];
    steps
        .iter()
        .map(|&(start, end, step)| {
            let end = end.min(max_tokens);
            if end < start { 0 } else { ((end - start) / step + 1) as usize }
        })
        .sum()
}

/// The engine's defaults on `gpu`.
fn defaults(engine: Engine, gpu: &GpuSpec) -> EngineProfile {
    let mem_gib = gpu.memory.value() / GIB;
    match engine {
        // vllm/engine/arg_utils.py 0.33.0, `vllm serve`: ≥ 160 GiB: 1024 sequences and 16384
        // tokens; ≥ 70 GiB and not an A100: 1024 and 8192; otherwise 256 and 2048. Graphs are
        // captured up to min(2 × max_num_seqs, 512) (`vllm/config/vllm.py`; 1024 on compute
        // capability 10.x Blackwell, not modelled), never beyond the request cap here.
        Engine::Vllm => {
            let is_a100 = gpu.id.contains("a100") || gpu.name.to_ascii_lowercase().contains("a100");
            let (requests, tokens) = if mem_gib >= 160.0 {
                (1024, 16384)
            } else if mem_gib >= 70.0 && !is_a100 {
                (1024, 8192)
            } else {
                (256, 2048)
            };
            EngineProfile {
                engine,
                memory_rule: MemoryRule::FractionOfTotal,
                // vllm/config/cache.py 0.33.0: gpu_memory_utilization = 0.92 (0.9 up to 0.19).
                memory_fraction: Some(0.92),
                max_batch_requests: requests,
                max_batch_tokens: tokens,
                cuda_graph_max_batch: [(2 * requests).min(512); 2],
                pp_partition: PpPartition::BeforeLast,
                request_cap_spans_pipeline: true,
            }
        }
        // sglang 0.5.23 memory_hook.py: chunked_prefill_size 2048 under 20 GiB, 4096 under
        // 60 GiB, 8192 under 160 GiB, 16384 above; cuda_graph_max_bs 8 / 48 / 32 / 256 (TP < 4)
        // or 160 / 160 / 512 (TP ≥ 4) / 512. max_running_requests defaults to
        // clamp(pool tokens / context_len × 512, 2048, 4096) (kv_cache_configurator.py); the
        // model's context length is not known here, so the floor 2048 is used (SGLang also caps
        // it at half the pool's tokens, which binds only for tiny pools).
        Engine::Sglang => {
            let (tokens, graph) = if mem_gib < 20.0 {
                (2048, [8, 8])
            } else if mem_gib < 35.0 {
                (4096, [48, 160])
            } else if mem_gib < 60.0 {
                (4096, [32, 160])
            } else if mem_gib < 160.0 {
                (8192, [256, 512])
            } else {
                (16384, [512, 512])
            };
            EngineProfile {
                engine,
                memory_rule: MemoryRule::FractionOfFreeAtStart,
                memory_fraction: None,
                max_batch_requests: 2048,
                max_batch_tokens: tokens,
                cuda_graph_max_batch: graph,
                pp_partition: PpPartition::Last,
                request_cap_spans_pipeline: true,
            }
        }
        // kv_cache_free_gpu_mem_fraction 0.9 (NVIDIA Dynamo's default for TensorRT-LLM; 0.95 in
        // the calibration runs); max_batch_size 2048 and max_num_tokens 8192 are the
        // BuildConfig defaults as recalled, unverified (engine-facts.md §3.2).
        Engine::Trtllm => EngineProfile {
            engine,
            memory_rule: MemoryRule::FractionOfFreeAfterLoad,
            memory_fraction: Some(0.9),
            max_batch_requests: 2048,
            max_batch_tokens: 8192,
            cuda_graph_max_batch: [0, 0],
            pp_partition: PpPartition::First,
            request_cap_spans_pipeline: false,
        },
    }
}

/// The profile of `engine` on `gpu`, with the user's `engine_options` applied and validated
/// (errors name `engine_options.memory_fraction`, …).
pub fn profile(
    engine: Engine,
    gpu: &GpuSpec,
    options: Option<&EngineOptionsInput>,
) -> Result<EngineProfile, InputError> {
    let mut p = defaults(engine, gpu);
    let Some(o) = options else { return Ok(p) };
    if let Some(f) = o.memory_fraction {
        if !(f.is_finite() && f > 0.0 && f <= 1.0) {
            return Err(InputError::new(
                "engine_options.memory_fraction",
                format!("must be a fraction above 0 and at most 1, got {f}"),
            ));
        }
        p.memory_fraction = Some(f);
    }
    if let Some(t) = o.max_batch_tokens {
        p.max_batch_tokens = whole(t, "engine_options.max_batch_tokens", 1, MAX_TOKENS)?;
    }
    match o.max_batch_requests {
        Some(r) => {
            let r = whole(r, "engine_options.max_batch_requests", 1, 1_000_000)?;
            if r > p.max_batch_tokens {
                return Err(InputError::new(
                    "engine_options.max_batch_requests",
                    format!(
                        "{r} requests per step exceed max_batch_tokens = {}: every running \
                         request needs a token per step",
                        p.max_batch_tokens
                    ),
                ));
            }
            p.max_batch_requests = r;
        }
        // vLLM lowers its default max_num_seqs to max_num_batched_tokens; so do the others.
        None => p.max_batch_requests = p.max_batch_requests.min(p.max_batch_tokens),
    }
    Ok(p)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::gpu::Generation;
    use crate::units::{BytesPerSec, FlopsPerSec};

    pub(crate) fn gpu(id: &str, memory_gib: f64) -> GpuSpec {
        GpuSpec {
            id: id.into(),
            name: id.into(),
            generation: Generation::Other,
            memory: Bytes::from_gib(memory_gib),
            hbm_bandwidth: BytesPerSec::from_tb_s(3.35),
            bf16: FlopsPerSec::from_tflops(989.0),
            fp8: None,
            int8: None,
            fp4: None,
            scale_up: BytesPerSec::from_gb_s(450.0),
            scale_out: BytesPerSec::from_gb_s(50.0),
            scale_up_domain: 8,
            gpus_per_node: 8,
        }
    }

    #[test]
    fn vllm_caps_follow_gpu_memory_and_a100() {
        let h100 = profile(Engine::Vllm, &gpu("h100-sxm", 80.0), None).unwrap();
        assert_eq!((h100.max_batch_requests, h100.max_batch_tokens), (1024, 8192));
        assert_eq!(h100.memory_fraction, Some(0.92));
        let a100 = profile(Engine::Vllm, &gpu("a100-sxm-80gb", 80.0), None).unwrap();
        assert_eq!((a100.max_batch_requests, a100.max_batch_tokens), (256, 2048));
        let b200 = profile(Engine::Vllm, &gpu("b200", 180.0), None).unwrap();
        assert_eq!((b200.max_batch_requests, b200.max_batch_tokens), (1024, 16384));
    }

    #[test]
    fn sglang_derives_its_fraction_per_layout() {
        let h100 = gpu("h100-sxm", 80.0);
        let p = profile(Engine::Sglang, &h100, None).unwrap();
        assert_eq!(p.max_batch_tokens, 8192);
        // 58 prefill graphs up to 8192 tokens: 8 + 14 + 8 + 8 + 12 + 8.
        assert_eq!(sglang_prefill_graph_sizes(8192), 58);
        assert_eq!(sglang_prefill_graph_sizes(4), 1);
        // TP 1 on H100's 81559 MiB (nvidia-smi, engine-facts.md §2.1): reserved = 512 + 12288 +
        // 128 + 512 + 58 × 8 = 13904 MiB → 0.830, the research notes' worked value.
        let llama = crate::model::fixtures::llama_3_1_8b();
        let smi = Bytes(81559.0 * MIB);
        let tp1 = Layout::new(1, 1, 1, 1, 1).unwrap();
        assert_eq!(p.memory_fraction(smi, &tp1, &llama), 0.830);
        // TP 8: tp × pp / 8 × 1024 = 1024 and 512 decode graphs × 2 → 15312 MiB → 0.812.
        let tp8 = Layout::new(8, 1, 1, 1, 8).unwrap();
        assert_eq!(p.cuda_graph_batch(&tp8), 512);
        assert_eq!(p.memory_fraction(smi, &tp8, &llama), 0.812);
        // MLA models reserve 1536 MiB for prefill graphs instead.
        let ds = crate::model::fixtures::deepseek_v3();
        assert_eq!(p.memory_fraction(smi, &tp8, &ds), 0.799);
        // A user's fraction wins.
        let o = EngineOptionsInput { memory_fraction: Some(0.9), ..Default::default() };
        let p = profile(Engine::Sglang, &h100, Some(&o)).unwrap();
        assert_eq!(p.memory_fraction(h100.memory, &tp8, &llama), 0.9);
    }

    #[test]
    fn options_override_and_are_validated() {
        let h100 = gpu("h100-sxm", 80.0);
        let o = EngineOptionsInput {
            memory_fraction: Some(0.95),
            max_batch_requests: Some(64.0),
            max_batch_tokens: Some(4096.0),
        };
        let p = profile(Engine::Trtllm, &h100, Some(&o)).unwrap();
        assert_eq!((p.memory_fraction, p.max_batch_requests, p.max_batch_tokens), (Some(0.95), 64, 4096));
        // Fewer tokens than the default request cap lowers the cap, as vLLM does.
        let o = EngineOptionsInput { max_batch_tokens: Some(512.0), ..Default::default() };
        assert_eq!(profile(Engine::Vllm, &h100, Some(&o)).unwrap().max_batch_requests, 512);
        let bad = [
            (EngineOptionsInput { memory_fraction: Some(0.0), ..Default::default() }, "engine_options.memory_fraction"),
            (EngineOptionsInput { memory_fraction: Some(1.5), ..Default::default() }, "engine_options.memory_fraction"),
            (EngineOptionsInput { memory_fraction: Some(f64::NAN), ..Default::default() }, "engine_options.memory_fraction"),
            (EngineOptionsInput { max_batch_requests: Some(0.0), ..Default::default() }, "engine_options.max_batch_requests"),
            (EngineOptionsInput { max_batch_requests: Some(2.5), ..Default::default() }, "engine_options.max_batch_requests"),
            (EngineOptionsInput { max_batch_tokens: Some(-1.0), ..Default::default() }, "engine_options.max_batch_tokens"),
            (
                EngineOptionsInput { max_batch_requests: Some(300.0), max_batch_tokens: Some(256.0), ..Default::default() },
                "engine_options.max_batch_requests",
            ),
        ];
        for (o, field) in bad {
            let err = profile(Engine::Vllm, &h100, Some(&o)).unwrap_err();
            assert_eq!(err.field, field, "{o:?}: {err}");
        }
    }
}
