//! What the cluster must serve: request lengths, load, latency limits and what to optimise.

use super::units::Seconds;
use serde::{Deserialize, Serialize};

/// The offered load.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Load {
    /// As many requests in flight as fit and meet the SLA: the maximum-throughput point.
    MaxThroughput,
    /// A fixed number of requests in flight across the cluster.
    Concurrency(u32),
    /// Poisson arrivals at this many requests per second across the cluster.
    RequestRate(f64),
}

/// Latency limits a recommended layout must meet; `None` is no limit.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Sla {
    pub ttft: Option<Seconds>,
    pub tpot: Option<Seconds>,
}

/// What "best" means when ranking layouts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    /// Most output tokens/s per GPU under the SLA.
    #[default]
    Throughput,
    /// Lowest TPOT, then TTFT.
    Latency,
    /// Both at once (see `search` for the score).
    Balanced,
}

/// Request shape and load.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Workload {
    /// Input (prompt) tokens per request.
    pub isl: u32,
    /// Output (generated) tokens per request.
    pub osl: u32,
    pub load: Load,
    pub sla: Sla,
    pub priority: Priority,
}

impl Workload {
    /// Tokens a request holds in the KV cache when it finishes.
    pub fn max_context(&self) -> u64 {
        self.isl as u64 + self.osl as u64
    }
}
