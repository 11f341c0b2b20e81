//! The plan's `capacity` object (an addition to `FORMAT.md`, present only when the scenario has
//! `capacity`): per GPU kind, the smallest deployment that serves the target load within the
//! SLA, its cost and energy per million tokens, the points of a cost-against-interactivity
//! chart, and an optional sweep. Plain numbers with their units in the names, as the rest of
//! the plan; computed by `capacity`, nothing here.

use crate::layout::Layout;
use serde::{Deserialize, Serialize};

/// Sizing and cost for a target load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapacityPlan {
    /// Requests per second to serve, whole deployment (from `target.request_rate`, or
    /// `target.tokens_per_day` ÷ 86,400 ÷ OSL).
    pub target_request_rate: f64,
    /// Output tokens per second that load is: `target_request_rate × osl`.
    pub target_output_tok_s: f64,
    /// The ceiling of the search.
    pub max_gpus: u32,
    /// `low`, `typical` or `high`: which published price the catalog's defaults are.
    pub price_level: String,
    /// One row per compared GPU, in the order asked (the catalog's by default); a GPU that
    /// cannot serve the load is listed with its reason.
    pub per_gpu: Vec<GpuSizing>,
    /// The what-if sweep, when the scenario asks for one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep: Option<SweepPlan>,
    /// How a GPU's power is modelled.
    pub energy_model: String,
    /// How the count is searched: replica sizes, the purchase unit, the checks.
    pub sizing_rule: String,
}

/// One GPU kind's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GpuSizing {
    /// Catalog id (or the custom GPU's name).
    pub gpu: String,
    pub feasible: bool,
    /// Why no count up to `max_gpus` serves the load, or what else to know (no price).
    pub reason: Option<String>,
    /// Notes that do not stop sizing (FP8 weights at the BF16 rate on a GPU without FP8).
    pub notes: Vec<String>,
    /// GPUs needed, whole purchase units.
    pub gpus: Option<u32>,
    /// Nodes of the catalog's node size those GPUs fill (rounded up for GPUs sold singly).
    pub nodes: Option<u32>,
    /// The whole deployment: `dp` counts every replica's data-parallel copies (`ep` stays
    /// within a replica: every replica holds all experts).
    pub layout: Option<Layout>,
    /// One serving group: the layout each replica runs.
    pub replica_layout: Option<Layout>,
    pub replicas: Option<u32>,
    /// Requests per second one replica completes at its maximum-throughput point within the SLA.
    pub replica_capacity_req_s: Option<f64>,
    /// What set the count: `memory` (the model fits no fewer GPUs), `throughput` (capacity per
    /// replica), `sla` (the TTFT or TPOT limit capped a replica's load, or queueing forced a
    /// replica more), `purchase-unit` (one node serves more than the load).
    pub bottleneck: Option<String>,
    /// At the target load (Poisson arrivals over the replicas).
    pub output_tok_s_per_gpu: Option<f64>,
    pub tok_s_per_user: Option<f64>,
    pub ttft_ms: Option<f64>,
    pub tpot_ms: Option<f64>,
    /// The price used, USD per GPU-hour; `None`: no price, enter one (`capacity.prices`).
    pub usd_per_gpu_hour: Option<f64>,
    /// `scenario` (`capacity.prices`) or the catalog's source URL.
    pub price_source: Option<String>,
    pub price_date: Option<String>,
    /// At the target load.
    pub usd_per_m_output_tokens: Option<f64>,
    pub usd_per_m_total_tokens: Option<f64>,
    /// At the deployment's capacity (every replica at its maximum-throughput point).
    pub usd_per_m_output_tokens_at_capacity: Option<f64>,
    pub usd_per_m_total_tokens_at_capacity: Option<f64>,
    /// Modelled draw of one GPU at the target load, watts (`energy_model`).
    pub power_w_per_gpu: Option<f64>,
    pub tdp_w: Option<f64>,
    /// Where `tdp_w` comes from (`data/gpus.csv`'s source for the GPU; the file records no
    /// retrieval date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tdp_source: Option<String>,
    pub kwh_per_m_output_tokens: Option<f64>,
    pub kwh_per_m_total_tokens: Option<f64>,
    /// `[tok_s_per_user, usd_per_m_output_tokens]` pairs: the Pareto front of the replica
    /// size's feasible layouts at their maximum-throughput points, fastest per user first.
    pub cost_vs_interactivity: Vec<[f64; 2]>,
    /// The SLA's TPOT as tokens/s per user (`1000 / tpot_ms`), the chart's mark.
    pub sla_tok_s_per_user: Option<f64>,
}

/// GPUs needed and cost at each value of the swept variable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepPlan {
    /// `isl`, `osl` or `request_rate`.
    pub variable: String,
    pub values: Vec<f64>,
    pub per_gpu: Vec<SweepSeries>,
}

/// One GPU's series: entries in `values`' order, `None` where no count serves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepSeries {
    pub gpu: String,
    pub gpus: Vec<Option<u32>>,
    pub usd_per_m_output_tokens: Vec<Option<f64>>,
}
