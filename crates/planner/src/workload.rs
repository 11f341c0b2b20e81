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

/// How a closed loop's requests arrive (`perf::serving`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Arrivals {
    /// Requests start at independent times, so every engine step mixes the prefill of new
    /// requests with the decode of running ones in proportion: production traffic, a Poisson
    /// stream, and the steady state of an offline maximum-throughput run.
    #[default]
    Staggered,
    /// The C requests of a closed loop start together and, with fixed lengths, stay in
    /// lockstep: each wave prefills C prompts (chunked by the token cap) and then decodes C
    /// sequences with no prefill mixed in. What `vllm bench serve --max-concurrency C`,
    /// `sglang.bench_serving`, genai-perf and AIPerf measure with fixed lengths.
    Synchronized,
    /// A benchmark client's closed loop as AIPerf runs it for aiconfigurator (20 rounds of C
    /// requests after 2 warm-up rounds, streaming): the steps of staggered arrivals, with the
    /// client's front-end cost and a share of a synchronized wave's prefill queue in the TTFT
    /// and the same share of its TPOT in the TPOT (`perf::closed_loop`); disaggregated
    /// deployments take the client's TTFT with the wave at their prefill workers, TPOT left
    /// the decode workers' (`disagg::pairing`). Only with the
    /// planner's `benchmark-arrivals` feature: without it the variant, its text and its branches
    /// are left out, and `"benchmark"` is an unknown value of `workload.arrivals` (every page
    /// build has it, the startup page through `calibration`'s dependency).
    #[cfg(feature = "benchmark-arrivals")]
    Benchmark,
}

impl Arrivals {
    pub fn id(self) -> &'static str {
        match self {
            Arrivals::Staggered => "staggered",
            Arrivals::Synchronized => "synchronized",
            #[cfg(feature = "benchmark-arrivals")]
            Arrivals::Benchmark => "benchmark",
        }
    }
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
    /// How the requests of the load arrive.
    pub arrivals: Arrivals,
    pub sla: Sla,
    pub priority: Priority,
}

impl Workload {
    /// Tokens a request holds in the KV cache when it finishes.
    pub fn max_context(&self) -> u64 {
        self.isl as u64 + self.osl as u64
    }
}
