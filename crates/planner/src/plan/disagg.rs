//! The plan's `disaggregated` object (an addition to `FORMAT.md`, present only when the
//! scenario's `serving` asks for disaggregated prefill/decode; planner feature
//! `disaggregation`, so the page's startup build carries none of it): the candidates, each a
//! prefill and a decode side with their counts, the KV transfer and the figures. Plain numbers
//! with their units in the names, as the rest of the plan; computed by `disagg`, nothing here.

use super::{MemoryGib, Range, RangeBasis, StepParts};
use crate::layout::Layout;
use serde::{Deserialize, Serialize};

/// The disaggregated search (`disagg`): a candidate per (prefill layout, decode layout) pair,
/// at the x:y that balances the two, ranked and with its Pareto set like the aggregated ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Disaggregated {
    pub candidates: Vec<DisaggCandidate>,
    /// Indices into `candidates` of the feasible ones, best first by the scenario's priority.
    pub ranking: Vec<usize>,
    /// Indices of the feasible candidates not beaten on both tokens/s per GPU and per user.
    pub pareto: Vec<usize>,
    /// Worker layouts judged per role, and those rejected on their own (grouped by reason).
    pub workers_judged: u32,
    pub workers_rejected: Vec<WorkersRejected>,
}

/// Worker layouts of one role rejected for one reason: how many, and the first of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkersRejected {
    /// `prefill` or `decode`.
    pub role: String,
    pub rejected_because: String,
    pub count: u32,
    pub example: Layout,
    pub detail: String,
}

/// `x` prefill workers and `y` decode workers with the KV cache moved between them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DisaggCandidate {
    pub prefill: PrefillWorkers,
    pub decode: DecodeWorkers,
    /// GPUs of all the workers.
    pub gpus_used: u32,
    /// The cluster's GPUs the workers leave idle: they count zero in the tokens/s per GPU,
    /// which is over the whole cluster as the aggregated candidates' is. Added after the
    /// disaggregated fields' first version, so absent in older plans.
    #[serde(default)]
    pub idle_gpus: u32,
    /// Bytes of KV cache (and fixed state) one request moves, MiB.
    pub kv_transfer_mib: f64,
    pub kv_transfer_ms: f64,
    /// `scale-up` or `scale-out`.
    pub kv_transfer_link: String,
    /// Queue + prefill + KV transfer (absent when overloaded); under benchmark arrivals also
    /// the client's `front_end_ms` and `clustered_wait_ms`.
    pub ttft_ms: Option<f64>,
    /// The waiting part of `ttft_ms`: the wait for a prefill worker.
    pub queue_ms: Option<f64>,
    /// Under `workload.arrivals: "benchmark"` only (`perf::closed_loop`; absent otherwise, so
    /// other plans are unchanged): the benchmark client's front end and its clustered wait (the
    /// clustering share of a synchronized wave's wait at the prefill workers), parts of
    /// `ttft_ms` beside `queue_ms`, `prefill.ttft_prefill_ms` and `kv_transfer_ms`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub front_end_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clustered_wait_ms: Option<f64>,
    pub tpot_ms: Option<f64>,
    pub output_tok_s: Option<f64>,
    /// `output_tok_s` / the cluster's GPUs (`gpus_used` + `idle_gpus`).
    pub output_tok_s_per_gpu: Option<f64>,
    pub tok_s_per_user: Option<f64>,
    /// Requests per second served.
    pub request_rate: Option<f64>,
    pub feasible: bool,
    pub rejected_because: Option<String>,
    pub rejected_detail: Option<String>,
    /// `2 × P TP4 + 1 × D TP8 EP8`.
    pub label: String,
    pub range: Option<Range>,
    pub range_basis: Option<RangeBasis>,
}

/// The prefill side: `count` workers of `layout`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrefillWorkers {
    pub layout: Layout,
    pub count: u32,
    /// GPUs of all `count` workers.
    pub gpus: u32,
    /// Prompts per step of each replica of a worker.
    pub batch: f64,
    /// Prefill time of one request (its batch through every stage).
    pub ttft_prefill_ms: f64,
    /// Requests per second all `count` workers prefill together.
    pub capacity_req_s: f64,
    pub memory_per_gpu_gib: MemoryGib,
    /// A step of the heaviest stage at `batch`.
    pub step_ms: StepParts,
}

/// The decode side: `count` workers of `layout`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecodeWorkers {
    pub layout: Layout,
    pub count: u32,
    /// GPUs of all `count` workers.
    pub gpus: u32,
    /// Requests decoding on each worker at the operating point.
    pub batch: f64,
    /// The most requests a worker holds (KV cache, engine caps, TPOT limit), and what stops it:
    /// `kv-cache`, `batch-requests`, `batch-tokens` or `sla-tpot`.
    pub max_batch: f64,
    pub max_batch_limit: String,
    pub tpot_ms: f64,
    /// Requests per second all `count` workers complete at `max_batch`.
    pub capacity_req_s: f64,
    pub memory_per_gpu_gib: MemoryGib,
    /// A decode step of the heaviest stage at `batch`.
    pub step_ms: StepParts,
}
