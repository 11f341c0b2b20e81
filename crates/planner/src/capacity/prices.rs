//! The default prices and power figures the capacity plan carries: USD per GPU-hour from
//! `data/gpu-prices.csv` and each GPU's TDP from `data/gpus.csv` (`tdp_w`), transcribed by hand
//! as Rust constants so the page links no CSV reader; the tests keep them equal to the files.
//!
//! Design decision: TDP lives here, not in `gpu::table::GpuEntry`, because only capacity
//! planning (feature `capacity`, left out of the startup page) reads it: a field in the
//! catalog's entries would add to the startup page's weight. A GPU without a price row, or
//! without the asked level (GB200 has only a typical price), has no price: the user enters
//! one (`capacity.prices`); a GPU without a TDP has no energy figure. Never a guess.

/// One row of `data/gpu-prices.csv`: published on-demand prices, USD per GPU-hour.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PriceEntry {
    pub id: &'static str,
    pub low: Option<f64>,
    pub typical: Option<f64>,
    pub high: Option<f64>,
    /// What the prices are (on-demand; what "typical" means).
    pub what: &'static str,
    /// When the source published them (`2026-05`, `2026-05-20`).
    pub date: &'static str,
    /// The page the figures were read from.
    pub source: &'static str,
}

/// `data/gpu-prices.csv`, row for row.
pub const PRICES: &[PriceEntry] = &[
    PriceEntry {
        id: "a100-sxm-80gb",
        low: Some(0.80),
        typical: Some(1.30),
        high: Some(3.00),
        what: "on-demand; typical = midpoint of the specialty-cloud band",
        date: "2026-05",
        source: "https://www.mercatus-ai.com/blog/cloud-gpu-pricing",
    },
    PriceEntry {
        id: "h100-sxm",
        low: Some(1.99),
        typical: Some(2.95),
        high: Some(5.00),
        what: "on-demand; typical = cross-provider median of 37 providers",
        date: "2026-05-20",
        source: "https://aimultiple.com/gpu-index",
    },
    PriceEntry {
        id: "h200-sxm",
        low: Some(2.25),
        typical: Some(4.00),
        high: Some(7.00),
        what: "on-demand; typical = midpoint of the specialty-cloud band",
        date: "2026-05",
        source: "https://www.mercatus-ai.com/blog/cloud-gpu-pricing",
    },
    PriceEntry {
        id: "b200",
        low: Some(3.75),
        typical: Some(5.25),
        high: Some(6.03),
        what: "on-demand on specialised clouds; typical = midpoint of $4.50–$6.00",
        date: "2026-03-11",
        source: "https://lyceum.technology/magazine/nvidia-b200-gpu-cloud-pricing-2026/",
    },
    PriceEntry {
        id: "gb200",
        low: None,
        typical: Some(4.54),
        high: None,
        what: "on-demand; per GPU = the per-Superchip price / 2 (one Superchip = 1 Grace CPU + 2 B200 dies)",
        date: "2026-03-17",
        source: "https://www.spheron.network/blog/nvidia-h200-vs-b200-vs-gb200",
    },
];

/// Thermal design power per GPU, watts: `data/gpus.csv`'s `tdp_w`, the leading number where the
/// cell adds words (`1100 (configurable up to 1,100 W)`: 1100; `gh200`'s `1000 (module incl.
/// CPU)`: the whole module's, CPU included, so its energy is the module's), and the first
/// source of the row's `source` cell (before any `;`), which the plan shows beside the figure;
/// `gpus.csv` records no retrieval date (a source pinned to a commit names its version). Catalog
/// ids whose row has no figure are absent.
pub const TDP_W: &[(&str, f64, &str)] = &[
    ("a100-sxm-40gb", 400.0, "https://glennklockwood.com/garden/processors/A100 (cites NVIDIA A100 datasheet nvidia-a100-datasheet-us-nvidia-1758950-r4-web.pdf)"),
    ("a100-sxm-80gb", 400.0, "github:ai-dynamo/aiconfigurator aic-core/src/aiconfigurator_core/systems/a100_sxm.yaml@095f58a51c4ca8e61b66ec108d86f223f8d559ce (NVIDIA AIConfigurator system spec)"),
    ("a100-pcie-80gb", 300.0, "github:ai-dynamo/aiconfigurator aic-core/src/aiconfigurator_core/systems/a100_pcie.yaml@095f58a51c4ca8e61b66ec108d86f223f8d559ce (NVIDIA AIConfigurator system spec)"),
    ("h100-sxm", 700.0, "github:ai-dynamo/aiconfigurator aic-core/src/aiconfigurator_core/systems/h100_sxm.yaml@095f58a51c4ca8e61b66ec108d86f223f8d559ce (NVIDIA AIConfigurator system spec)"),
    ("h100-pcie", 350.0, "github:ai-dynamo/aiconfigurator aic-core/src/aiconfigurator_core/systems/h100_pcie.yaml@095f58a51c4ca8e61b66ec108d86f223f8d559ce (NVIDIA AIConfigurator system spec)"),
    ("h100-nvl", 350.0, "https://grokipedia.com/page/210100120 (secondary)"),
    ("h200-sxm", 700.0, "github:ai-dynamo/aiconfigurator aic-core/src/aiconfigurator_core/systems/h200_sxm.yaml@095f58a51c4ca8e61b66ec108d86f223f8d559ce (NVIDIA AIConfigurator system spec)"),
    ("gh200", 1000.0, "https://spheron.network/blog/nvidia-gh200-guide"),
    ("b200", 1000.0, "github:ai-dynamo/aiconfigurator aic-core/src/aiconfigurator_core/systems/b200_sxm.yaml@095f58a51c4ca8e61b66ec108d86f223f8d559ce (NVIDIA AIConfigurator system spec)"),
    ("gb200", 1200.0, "github:ai-dynamo/aiconfigurator aic-core/src/aiconfigurator_core/systems/gb200.yaml@095f58a51c4ca8e61b66ec108d86f223f8d559ce (NVIDIA AIConfigurator system spec)"),
    ("b300", 1100.0, "github:ai-dynamo/aiconfigurator aic-core/src/aiconfigurator_core/systems/b300_sxm.yaml@095f58a51c4ca8e61b66ec108d86f223f8d559ce (NVIDIA AIConfigurator system spec)"),
    ("gb300", 1400.0, "github:ai-dynamo/aiconfigurator aic-core/src/aiconfigurator_core/systems/gb300.yaml@095f58a51c4ca8e61b66ec108d86f223f8d559ce (NVIDIA AIConfigurator system spec)"),
    ("l40s", 350.0, "github:ai-dynamo/aiconfigurator aic-core/src/aiconfigurator_core/systems/l40s.yaml@095f58a51c4ca8e61b66ec108d86f223f8d559ce (NVIDIA AIConfigurator system spec)"),
    ("l4", 72.0, "github:ai-dynamo/aiconfigurator aic-core/src/aiconfigurator_core/systems/l4.yaml@095f58a51c4ca8e61b66ec108d86f223f8d559ce (NVIDIA AIConfigurator system spec)"),
    ("rtx-pro-6000-server", 600.0, "github:ai-dynamo/aiconfigurator aic-core/src/aiconfigurator_core/systems/rtx_pro_6000_server.yaml@095f58a51c4ca8e61b66ec108d86f223f8d559ce (NVIDIA AIConfigurator system spec)"),
    ("mi300x", 750.0, "raw.githubusercontent.com/alpharomercoma/MI300X-vs-H200/6077fdc7bfc215171c33435b7cd76ca4c5f2b236/METHODOLOGY.md"),
    ("mi355x", 1400.0, "https://www.amd.com/en/developer/resources/technical-articles/2025/inferencemax-benchmarking-progress-in-real-time.html"),
];

/// The price row of catalog GPU `id`.
pub fn price_entry(id: &str) -> Option<&'static PriceEntry> {
    PRICES.iter().find(|p| p.id == id)
}

/// The TDP of catalog GPU `id`, watts.
pub fn tdp_w(id: &str) -> Option<f64> {
    TDP_W.iter().find(|(g, _, _)| *g == id).map(|(_, w, _)| *w)
}

/// Where the TDP of catalog GPU `id` comes from (`data/gpus.csv`'s first source for the row).
pub fn tdp_source(id: &str) -> Option<&'static str> {
    TDP_W.iter().find(|(g, _, _)| *g == id).map(|(_, _, source)| *source)
}
