//! Why a layout is rejected. Rejections are data, not errors: every enumerated layout ends as
//! feasible or with its reasons, so the trace can count them and the page can say why a layout
//! the user expected is missing.

use super::units::{Bytes, Seconds};
use std::fmt;

/// One reason a layout cannot serve the scenario.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RejectReason {
    /// Tensor parallelism must split the query heads evenly.
    HeadsNotDivisible { tp: u32, heads: u32 },
    /// A Mamba2 mixer's heads must split evenly over TP, and its groups too unless there is
    /// one (replicated).
    MambaNotDivisible { tp: u32, heads: u32, groups: u32 },
    /// KV heads must split evenly across TP, or TP must be a multiple of them (replication).
    KvHeadsNotDivisible { tp: u32, kv_heads: u32 },
    /// DeepSeek-V4's grouped output projection splits its head groups over TP.
    OutputGroupsNotDivisible { tp: u32, groups: u32 },
    /// A block-sparse attention indexer's heads must split evenly across TP, or TP must be a
    /// multiple of them (MiniMax-M3).
    IndexHeadsNotDivisible { tp: u32, heads: u32 },
    /// More pipeline stages than layers.
    LayersNotDivisible { pp: u32, layers: u32 },
    /// Expert parallelism must give every rank the same number of routed experts.
    ExpertsNotDivisible { ep: u32, experts: u32 },
    /// Each expert's intermediate dimension must split evenly `ways` ways.
    ExpertWidthNotDivisible { ways: u32, intermediate: u64 },
    /// A dense MLP's (or the shared experts') intermediate width must split evenly over TP.
    FfnWidthNotDivisible { tp: u32, intermediate: u64 },
    /// Expert parallelism asked for on a model without routed experts.
    NoExperts { ep: u32 },
    /// The most loaded GPU's weight share exceeds what the engine may use.
    WeightsDoNotFit { need: Bytes, have: Bytes },
    /// Not even one request of ISL + OSL tokens fits in the KV cache left.
    KvCacheTooSmall { need: Bytes, have: Bytes },
    /// A tensor-parallel group would span the scale-out network.
    TpAcrossNodes { tp: u32, scale_up_group: u32 },
    SlaTtft { ttft: Seconds, limit: Seconds },
    SlaTpot { tpot: Seconds, limit: Seconds },
    /// The offered request rate (requests/s, cluster) reaches the most this layout completes:
    /// overloaded, served at `max` with a queue that grows without bound (no steady TTFT).
    Saturated { offered: f64, max: f64 },
}

impl RejectReason {
    /// Short machine-readable code, the plan's `rejected_because`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::HeadsNotDivisible { .. } => "heads-not-divisible",
            Self::KvHeadsNotDivisible { .. } => "kv-heads-not-divisible",
            Self::IndexHeadsNotDivisible { .. } => "index-heads-not-divisible",
            Self::MambaNotDivisible { .. } => "mamba-not-divisible",
            Self::OutputGroupsNotDivisible { .. } => "output-groups-not-divisible",
            Self::LayersNotDivisible { .. } => "layers-not-divisible",
            Self::ExpertsNotDivisible { .. } => "experts-not-divisible",
            Self::ExpertWidthNotDivisible { .. } => "expert-width-not-divisible",
            Self::FfnWidthNotDivisible { .. } => "ffn-width-not-divisible",
            Self::NoExperts { .. } => "no-experts",
            Self::WeightsDoNotFit { .. } => "weights-do-not-fit",
            Self::KvCacheTooSmall { .. } => "kv-cache-too-small",
            Self::TpAcrossNodes { .. } => "tp-across-nodes",
            Self::SlaTtft { .. } => "sla-ttft",
            Self::SlaTpot { .. } => "sla-tpot",
            Self::Saturated { .. } => "saturated",
        }
    }
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::HeadsNotDivisible { tp, heads } => {
                write!(f, "{heads} attention heads do not split evenly over TP {tp}")
            }
            Self::MambaNotDivisible { tp, heads, groups } => write!(
                f,
                "Mamba2 layers' {heads} heads and {groups} groups do not split over TP {tp} (heads must split evenly, groups too unless there is one)"
            ),
            Self::KvHeadsNotDivisible { tp, kv_heads } => write!(
                f,
                "{kv_heads} KV heads neither split evenly over TP {tp} nor replicate evenly"
            ),
            Self::OutputGroupsNotDivisible { tp, groups } => {
                write!(f, "{groups} output-projection head groups (o_groups) do not split evenly over TP {tp}")
            }
            Self::IndexHeadsNotDivisible { tp, heads } => write!(
                f,
                "{heads} sparse-attention indexer heads neither split evenly over TP {tp} nor replicate evenly"
            ),
            Self::LayersNotDivisible { pp, layers } => {
                write!(f, "{layers} layers cannot fill {pp} pipeline stages")
            }
            Self::ExpertsNotDivisible { ep, experts } => {
                write!(f, "{experts} experts do not split evenly over EP {ep}")
            }
            Self::ExpertWidthNotDivisible { ways, intermediate } => write!(
                f,
                "expert intermediate size {intermediate} does not split evenly {ways} ways"
            ),
            Self::FfnWidthNotDivisible { tp, intermediate } => write!(
                f,
                "MLP intermediate size {intermediate} does not split evenly over TP {tp}"
            ),
            Self::NoExperts { ep } => write!(f, "EP {ep} asked for, but the model has no routed experts"),
            Self::WeightsDoNotFit { need, have } => write!(
                f,
                "weights need {:.1} GiB per GPU, the engine may use {:.1} GiB",
                need.gib(),
                have.gib()
            ),
            Self::KvCacheTooSmall { need, have } => write!(
                f,
                "one request needs {:.2} GiB of KV cache per GPU, {:.2} GiB is left",
                need.gib(),
                have.gib()
            ),
            Self::TpAcrossNodes { tp, scale_up_group } => write!(
                f,
                "TP {tp} spans more than the {scale_up_group} GPUs sharing the scale-up link"
            ),
            Self::SlaTtft { ttft, limit } => {
                write!(f, "TTFT {:.0} ms exceeds the SLA of {:.0} ms", ttft.ms(), limit.ms())
            }
            Self::SlaTpot { tpot, limit } => {
                write!(f, "TPOT {:.1} ms exceeds the SLA of {:.1} ms", tpot.ms(), limit.ms())
            }
            Self::Saturated { offered, max } => write!(
                f,
                "overloaded: {offered:.2} req/s offered, {max:.2} req/s served (its capacity); the queue grows without bound, so TTFT has no steady value"
            ),
        }
    }
}
