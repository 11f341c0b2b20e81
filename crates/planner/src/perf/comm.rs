//! Time of the collectives a layout needs: the tensor-parallel all-reduce, the expert-parallel
//! all-to-all, and the pipeline's point-to-point hop.
//!
//! Design decision: every collective is returned as a `CommCost` — a fixed latency plus a time
//! per byte — rather than as a time for one message. The step model calls a collective
//! hundreds of times per layout with messages proportional to the batch, so it folds the cost
//! into two numbers per layout once and evaluates `latency + bytes × seconds_per_byte` per
//! step: no branching on tiers in the hot path.
//!
//! Placement: a group of `n` GPUs is `n` consecutive ranks, aligned (as `Cluster::tier`
//! assumes), so it spans `n_up = gcd(n, scale_up_group)` GPUs per scale-up domain and
//! `n / n_up` domains. Bandwidths are the per-GPU one-direction figures of `GpuSpec`, scaled by
//! `PerfParams::link_efficiency`; with rail-optimised networks each GPU has its own NIC.

use super::super::gpu::Cluster;
use super::super::units::{Bytes, Seconds};
use super::params::PerfParams;

/// Bytes per activation element moved by collectives: bf16. Engines keep activations between
/// layers in the model dtype and all-reduce them there, also with FP8 weights (TensorRT-LLM's
/// `AllReduce` plugin runs in the network dtype; vLLM `tensor_model_parallel_all_reduce`).
pub const ACTIVATION_BYTES: f64 = 2.0;

/// Cost of one collective as a function of its message size: `latency + bytes × seconds_per_byte`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CommCost {
    /// The part that does not depend on the message (hop latencies).
    pub latency: Seconds,
    /// Seconds per byte of message (the message as defined by each constructor).
    pub seconds_per_byte: f64,
}

impl CommCost {
    /// Nothing to communicate (a group of one).
    pub const NONE: CommCost = CommCost { latency: Seconds::ZERO, seconds_per_byte: 0.0 };

    /// Time for a message of `bytes`.
    pub fn time(&self, bytes: Bytes) -> Seconds {
        self.latency + Seconds(bytes.value() * self.seconds_per_byte)
    }
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// GPUs of a group of `n` consecutive ranks that share one scale-up domain.
fn per_domain(cluster: &Cluster, n: u32) -> u32 {
    gcd(n.max(1), cluster.scale_up_group()).max(1)
}

/// Seconds per byte over the scale-up link and over the scale-out link, efficiency applied.
fn seconds_per_byte(cluster: &Cluster, params: &PerfParams) -> (f64, f64) {
    let eff = params.link_efficiency;
    (1.0 / (cluster.gpu.scale_up.value() * eff), 1.0 / (cluster.gpu.scale_out.value() * eff))
}

/// All-reduce of a message of `M` bytes (the full tensor every member holds) over `n` GPUs.
///
/// Inside one scale-up domain: ring, `2(n − 1)/n × M / link bandwidth + 2(n − 1) × hop
/// latency` (Patarasuk & Yuan 2009, "Bandwidth optimal all-reduce algorithms"; NCCL's ring),
/// plus the collective's fixed cost (`PerfParams::collective_latency`; NCCL's cost model is
/// the same shape, `baseLat + nsteps × hwLat`, `src/graph/tuning.cc`).
/// Across domains: hierarchical (2-D), as NCCL's tree/NVLS-tree and Megatron's 2-D schemes:
/// reduce-scatter inside the domain (`(n_up − 1)/n_up × M`), ring all-reduce of the `M / n_up`
/// shard across the `n_out` domains over the network, all-gather inside the domain.
pub fn all_reduce(cluster: &Cluster, params: &PerfParams, n: u32) -> CommCost {
    if n <= 1 {
        return CommCost::NONE;
    }
    let (up, out) = seconds_per_byte(cluster, params);
    let n_up = per_domain(cluster, n) as f64;
    let n_out = n as f64 / n_up;
    let latency = params.collective_latency + params.scale_up_hop_latency * (2.0 * (n_up - 1.0))
        + params.scale_out_hop_latency * (2.0 * (n_out - 1.0));
    let seconds_per_byte =
        2.0 * (n_up - 1.0) / n_up * up + 2.0 * (n_out - 1.0) / n_out / n_up * out;
    CommCost { latency, seconds_per_byte }
}

/// NCCL's low-latency protocol (LL) for small messages, from its own cost model
/// (`src/graph/tuning.cc`, Ring/LL): a fixed 6.6 µs (`baseLat`) plus a hop latency (`hwLat`)
/// of 0.6 µs over NVLink, 1.0 µs over PCIe, 2.7 µs over the network, and a quarter of the bulk
/// protocol's bus bandwidth for a ring all-reduce (the same file's refinement for Ring/LL:
/// `busBw * 1.0/4.0`; LL sends 4 bytes of data per 8-byte line and polls its flags).
/// Not fitted: the calibration rows' messages (megabytes) all take the bulk protocol, which
/// `PerfParams` describes; this keeps a batch of one from paying the bulk protocol's set-up.
pub const LL_BASE_LATENCY: Seconds = Seconds(6.6e-6);
/// LL hop latencies: NVLink, PCIe, network (`tuning.cc` `hwLat`, Ring, LL).
pub const LL_HOP_NVLINK: Seconds = Seconds(0.6e-6);
pub const LL_HOP_PCIE: Seconds = Seconds(1.0e-6);
pub const LL_HOP_NETWORK: Seconds = Seconds(2.7e-6);
/// LL bus bandwidth is the bulk protocol's divided by this (`tuning.cc`, Ring/LL all-reduce).
pub const LL_BANDWIDTH_DIVISOR: f64 = 4.0;

/// The all-reduce of `all_reduce` under NCCL's low-latency protocol (see `LL_BASE_LATENCY`).
/// A GPU whose scale-up domain is 1 is a PCIe card (`GpuSpec::scale_up_domain`).
pub fn all_reduce_low_latency(cluster: &Cluster, params: &PerfParams, n: u32) -> CommCost {
    if n <= 1 {
        return CommCost::NONE;
    }
    let bulk = all_reduce(cluster, params, n);
    let n_up = per_domain(cluster, n) as f64;
    let n_out = n as f64 / n_up;
    let up_hop = if cluster.gpu.scale_up_domain <= 1 { LL_HOP_PCIE } else { LL_HOP_NVLINK };
    let latency = LL_BASE_LATENCY + up_hop * (2.0 * (n_up - 1.0)) + LL_HOP_NETWORK * (2.0 * (n_out - 1.0));
    CommCost { latency, seconds_per_byte: LL_BANDWIDTH_DIVISOR * bulk.seconds_per_byte }
}

/// One all-to-all exchange (an EP dispatch, or a combine) among `n` GPUs, where the message is
/// the bytes ONE GPU sends to all the others together, spread evenly over them.
///
/// The share bound for the GPU's own scale-up domain, `(n_up − 1)/(n − 1)`, goes over the
/// scale-up link and the rest over the network, concurrently, so the slower of the two sets
/// the time; the collective's fixed cost plus one hop latency per tier used (a single
/// exchange, as DeepEP's kernels).
pub fn all_to_all(cluster: &Cluster, params: &PerfParams, n: u32) -> CommCost {
    if n <= 1 {
        return CommCost::NONE;
    }
    let (up, out) = seconds_per_byte(cluster, params);
    let n_up = per_domain(cluster, n);
    let others = (n - 1) as f64;
    let local = (n_up - 1) as f64 / others;
    let remote = (n - n_up) as f64 / others;
    let mut latency = params.collective_latency;
    if n_up > 1 {
        latency += params.scale_up_hop_latency;
    }
    if n > n_up {
        latency += params.scale_out_hop_latency;
    }
    CommCost { latency, seconds_per_byte: (local * up).max(remote * out) }
}

/// A point-to-point send of a message between two GPUs of a group of `span` consecutive GPUs
/// (a pipeline's stages): over the scale-up link when the group fits one scale-up domain,
/// otherwise (at least one boundary crosses) over the network; the fixed cost of a send plus
/// one hop.
pub fn point_to_point(cluster: &Cluster, params: &PerfParams, span: u32) -> CommCost {
    let (up, out) = seconds_per_byte(cluster, params);
    if span <= cluster.scale_up_group() {
        CommCost { latency: params.collective_latency + params.scale_up_hop_latency, seconds_per_byte: up }
    } else {
        CommCost { latency: params.collective_latency + params.scale_out_hop_latency, seconds_per_byte: out }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::super::engine::Engine;
    use super::super::super::gpu::{Generation, GpuSpec};
    use super::super::super::units::{BytesPerSec, FlopsPerSec};
    use super::*;

    /// H100 SXM figures from `data/gpus.csv` (AIConfigurator h100_sxm.yaml): 80 GiB,
    /// 3.35 TB/s, 989 / 1978 dense TFLOPS, NVLink 450 GB/s and a 400 Gb/s NIC (50 GB/s) per
    /// GPU one direction, 8 per node.
    pub(crate) fn h100() -> GpuSpec {
        GpuSpec {
            id: "h100-sxm".into(),
            name: "H100 SXM".into(),
            generation: Generation::Hopper,
            memory: Bytes::from_gib(80.0),
            hbm_bandwidth: BytesPerSec::from_tb_s(3.35),
            bf16: FlopsPerSec::from_tflops(989.0),
            fp8: Some(FlopsPerSec::from_tflops(1978.0)),
            int8: Some(FlopsPerSec::from_tflops(1978.0)),
            fp4: None,
            scale_up: BytesPerSec::from_gb_s(450.0),
            scale_out: BytesPerSec::from_gb_s(50.0),
            scale_up_domain: 8,
            gpus_per_node: 8,
        }
    }

    pub(crate) fn cluster(nodes: u32, gpu: GpuSpec) -> Cluster {
        let gpus_per_node = gpu.gpus_per_node;
        Cluster { gpu, nodes, gpus_per_node }
    }

    fn params() -> PerfParams {
        PerfParams::prior(Generation::Hopper, Engine::Trtllm)
    }

    #[test]
    fn ring_all_reduce_inside_a_node_matches_the_formula() {
        // 8 GPUs, 16 MiB: 2·7/8 · 16 MiB / (450 GB/s · 0.8) + 8 µs + 14 hops · 1 µs.
        let c = cluster(1, h100());
        let m = Bytes(16.0 * 1024.0 * 1024.0);
        let t = all_reduce(&c, &params(), 8).time(m);
        let expected = 2.0 * 7.0 / 8.0 * m.value() / (450e9 * 0.8) + 8e-6 + 14.0 * 1e-6;
        assert!((t.value() - expected).abs() < 1e-12, "expected {expected}, actual {}", t.value());
        assert_eq!(all_reduce(&c, &params(), 1).time(m), Seconds::ZERO);
    }

    #[test]
    fn low_latency_protocol_wins_small_messages_only() {
        let c = cluster(1, h100());
        let p = params();
        let (bulk, ll) = (all_reduce(&c, &p, 8), all_reduce_low_latency(&c, &p, 8));
        // 6.6 + 14 × 0.6 = 15 µs against 8 + 14 × 1 = 22 µs of the prior's bulk protocol.
        assert!((ll.latency.value() - 15.0e-6).abs() < 1e-12, "{:?}", ll.latency);
        let small = Bytes(16.0 * 1024.0);
        let large = Bytes(64.0 * 1024.0 * 1024.0);
        assert!(ll.time(small) < bulk.time(small));
        assert!(ll.time(large) > bulk.time(large));
        assert_eq!(all_reduce_low_latency(&c, &p, 1), CommCost::NONE);
    }

    #[test]
    fn all_reduce_inside_a_node_beats_one_across_nodes() {
        // The same 8-GPU all-reduce, once on one 8-GPU NVLink node, once on two nodes of 4
        // whose NVLink domain is 4 (so half the group is behind the network).
        let inside = cluster(1, h100());
        let mut half = h100();
        half.scale_up_domain = 4;
        half.gpus_per_node = 4;
        let across = cluster(2, half);
        for mib in [0.0, 0.01, 1.0, 64.0] {
            let m = Bytes(mib * 1024.0 * 1024.0);
            let a = all_reduce(&inside, &params(), 8).time(m);
            let b = all_reduce(&across, &params(), 8).time(m);
            println!("{mib} MiB: inside {:.1} µs, across {:.1} µs", a.value() * 1e6, b.value() * 1e6);
            assert!(a < b, "{mib} MiB: inside {a:?} !< across {b:?}");
        }
    }

    #[test]
    fn all_to_all_and_p2p_pick_the_tier() {
        let c = cluster(4, h100());
        let p = params();
        // Inside a node: all of it on NVLink.
        let a = all_to_all(&c, &p, 8);
        assert!((a.seconds_per_byte - 1.0 / (450e9 * 0.8)).abs() < 1e-20);
        // 32 GPUs: 24/31 of the bytes go over the 50 GB/s NIC, which dominates.
        let b = all_to_all(&c, &p, 32);
        assert!((b.seconds_per_byte - 24.0 / 31.0 / (50e9 * 0.8)).abs() < 1e-20);
        assert!(b.latency > a.latency);
        assert!(point_to_point(&c, &p, 16).seconds_per_byte > point_to_point(&c, &p, 8).seconds_per_byte);
    }
}
