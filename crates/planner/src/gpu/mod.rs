//! Accelerators and the cluster they form.
//!
//! A `GpuSpec` holds only figures the planner can stand behind: every catalog number comes
//! from `gpu::table` (its source in `data/gpu-sources.json`), and a figure the source lacks stays `None` until the
//! user supplies it. Asking for a missing figure is a typed error (`MissingGpuFigure`), never a
//! guess. A `Cluster` adds how many GPUs there are and which of them share the fast scale-up
//! fabric (NVLink / xGMI) versus the scale-out network.

pub mod catalog;
pub mod table;

use super::precision::ComputeRate;
use super::units::{Bytes, BytesPerSec, FlopsPerSec};
use serde::{Deserialize, Serialize};

/// GPU architecture generation. Fitted efficiencies and fixed overheads are looked up per
/// generation; a custom GPU is `Other` and gets the widest error ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Generation {
    Ampere,
    Ada,
    Hopper,
    Blackwell,
    Cdna2,
    Cdna3,
    Cdna4,
    Other,
}

impl Generation {
    pub const ALL: [Generation; 8] = [
        Generation::Ampere,
        Generation::Ada,
        Generation::Hopper,
        Generation::Blackwell,
        Generation::Cdna2,
        Generation::Cdna3,
        Generation::Cdna4,
        Generation::Other,
    ];
}

/// One accelerator's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct GpuSpec {
    /// Catalog id (`h100-sxm`) or the custom name.
    pub id: String,
    /// Display name.
    pub name: String,
    pub generation: Generation,
    /// Device memory usable by the engine.
    pub memory: Bytes,
    pub hbm_bandwidth: BytesPerSec,
    /// Dense (not sparse) tensor-core rates.
    pub bf16: FlopsPerSec,
    pub fp8: Option<FlopsPerSec>,
    pub int8: Option<FlopsPerSec>,
    pub fp4: Option<FlopsPerSec>,
    /// Scale-up link (NVLink, xGMI, or PCIe when there is none) per GPU, one direction.
    pub scale_up: BytesPerSec,
    /// Scale-out network (InfiniBand / RoCE NIC) per GPU, one direction.
    pub scale_out: BytesPerSec,
    /// GPUs that share the scale-up fabric: 8 in an HGX node, 72 in an NVL72 rack, 1 for PCIe
    /// cards (which still reach their node's other GPUs over PCIe at `scale_up`).
    pub scale_up_domain: u32,
    /// The usual node size, the default for `gpus_per_node`.
    pub gpus_per_node: u32,
}

impl GpuSpec {
    /// The peak dense rate for a GEMM at `rate`, and the rate actually used: a GPU without
    /// fp8 / int8 / fp4 tensor cores runs those weights dequantised at bf16 (weight-only).
    pub fn peak(&self, rate: ComputeRate) -> (FlopsPerSec, ComputeRate) {
        let native = match rate {
            ComputeRate::Bf16 => Some(self.bf16),
            ComputeRate::Fp8 => self.fp8,
            ComputeRate::Int8 => self.int8,
            ComputeRate::Fp4 => self.fp4,
        };
        match native {
            Some(peak) => (peak, rate),
            None => (self.bf16, ComputeRate::Bf16),
        }
    }
}

/// Which link a collective over a group of GPUs runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkTier {
    /// All members share the scale-up fabric (NVLink / xGMI / PCIe within a node).
    ScaleUp,
    /// Some members are reached only over the scale-out network.
    ScaleOut,
}

/// The GPUs available.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    pub gpu: GpuSpec,
    pub nodes: u32,
    pub gpus_per_node: u32,
}

impl Cluster {
    pub fn total_gpus(&self) -> u32 {
        self.nodes * self.gpus_per_node
    }

    /// GPUs that can talk over the scale-up link: the user's node (NVLink inside an HGX
    /// board, PCIe between cards), or the whole NVLink domain when the GPU's domain spans
    /// several of its nodes (GB200 NVL72: 18 trays of 4); never more than the cluster. A node
    /// smaller than the catalog's (4 H100s of an 8-GPU board) keeps only its own GPUs.
    pub fn scale_up_group(&self) -> u32 {
        let rack_scale = self.gpu.scale_up_domain > self.gpu.gpus_per_node;
        let domain = if rack_scale { self.gpu.scale_up_domain } else { self.gpus_per_node };
        domain.min(self.total_gpus()).max(1)
    }

    /// The link a group of `size` consecutive GPUs (aligned to its size) communicates over.
    pub fn tier(&self, size: u32) -> LinkTier {
        if size <= self.scale_up_group() {
            LinkTier::ScaleUp
        } else {
            LinkTier::ScaleOut
        }
    }

    /// Per-GPU one-direction bandwidth of a tier.
    pub fn bandwidth(&self, tier: LinkTier) -> BytesPerSec {
        match tier {
            LinkTier::ScaleUp => self.gpu.scale_up,
            LinkTier::ScaleOut => self.gpu.scale_out,
        }
    }
}
