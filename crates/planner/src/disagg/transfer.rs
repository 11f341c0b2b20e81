//! The KV cache one request moves from its prefill worker to its decode worker.
//!
//! Bytes: the whole model's KV cache of the prompt at the scenario's KV precision (and the
//! fixed state of linear-attention, Mamba2 and compressed layers), the memory module's
//! `kv::bytes_per_request` over every layer on one GPU (`tp = 1`) at ISL tokens.
//! Link: the scale-up fabric when a prefill and a decode worker fit one NVLink domain together
//! (`Cluster::scale_up_group`), so a placement can pair them there; the scale-out network
//! otherwise. Each GPU of the smaller of the two replicas (`tp × pp`) sends or receives its
//! share at once, at the link's bandwidth per GPU × `kv_transfer_efficiency` (which is
//! `link_efficiency` unless a scenario or a fit to measured disaggregated runs sets it,
//! `perf::params::UNSET_FOLLOWS`), plus one hop's latency.
//!
//! Assumption, not measured here: one transfer per request, after its prefill and not
//! overlapped with it (engines that stream layer by layer hide part of it), with no protocol
//! overhead beyond the hop (a fitted `kv_transfer_efficiency` absorbs what these miss). The
//! candidate's range widens TTFT for it (`report`).

use super::super::gpu::LinkTier;
use super::super::inputs::PlannerInputs;
use super::super::layout::Layout;
use super::super::memory::kv;
use super::super::units::{Bytes, Seconds};

/// One request's KV transfer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Transfer {
    pub bytes: Bytes,
    pub link: LinkTier,
    /// GPUs sending in parallel.
    pub lanes: u32,
    pub time: Seconds,
}

/// The KV bytes of one request's prompt, whole model, one copy.
pub fn bytes_per_request(inputs: &PlannerInputs) -> Bytes {
    kv::bytes_per_request(&inputs.model.layers, 1, inputs.precision.kv, inputs.workload.isl as u64)
}

/// The transfer from a `prefill` worker to a `decode` worker of `bytes` per request.
pub fn transfer(inputs: &PlannerInputs, bytes: Bytes, prefill: &Layout, decode: &Layout) -> Transfer {
    let cluster = &inputs.cluster;
    let link = if prefill.gpus() + decode.gpus() <= cluster.scale_up_group() {
        LinkTier::ScaleUp
    } else {
        LinkTier::ScaleOut
    };
    let lanes = (prefill.tp * prefill.pp).min(decode.tp * decode.pp).max(1);
    let params = &inputs.params;
    let hop = match link {
        LinkTier::ScaleUp => params.scale_up_hop_latency,
        LinkTier::ScaleOut => params.scale_out_hop_latency,
    };
    let bandwidth = cluster.bandwidth(link) * (lanes as f64 * params.kv_transfer_efficiency);
    Transfer { bytes, link, lanes, time: bytes / bandwidth + hop }
}
