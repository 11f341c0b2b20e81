//! The performance model: how long a step of a layout takes, and what that means for TTFT,
//! TPOT and throughput under continuous batching (`DESIGN.md`, "The performance model").
//!
//! Design decision: two phases with a hard boundary. Per layout, `StageCost::new` folds the
//! heaviest stage's load (bytes from the memory module, flops from the model), the GPU, the
//! links and the fitted `PerfParams` into a handful of coefficients; everything after that —
//! each step, each operating-point bisection — is plain arithmetic on those coefficients, so a
//! search over hundreds of layouts and a concurrency sweep stays within milliseconds.
//!
//! - `params`: the table of the efficiencies and overheads (each declared once: unit, bounds,
//!   priors per GPU generation and engine with sources, scope, which fit sets it).
//! - `tables`: the shapes of the shipped tables (a fit per generation and engine, the range
//!   table's cells and widening).
//! - `shipped`: the numbers of the shipped fit and range table the planner reads at run time,
//!   generated from `data/` by `calibrate` (`calibration::shipped_source`, whose test keeps
//!   them equal).
//! - `fitted`: which parameters a GPU generation and engine get: the fit, or the fallback.
//! - `ranges`: where the true values are expected to fall, from held-out errors per regime.
//! - `comm`: TP all-reduce, EP all-to-all and PP send as latency + seconds per byte.
//! - `load`: the per-layout inputs (`StageLoad`) and the compute derived from the model.
//! - `ops`: the step by operation, each timed from the measured kernel tables where they cover
//!   it (`kernels`), built once per layout.
//! - `imbalance`: the slowest expert-parallel rank's share of its experts at a few tokens.
//! - `step`: one engine step of the heaviest stage (`StepTime`), and a lone prefill.
//! - `serving`: the operating point at a concurrency, a request rate or maximum throughput.
//! - `queueing`: mean waits of Poisson arrivals (M/D/1, M/D/c).
//!
//! **Invariant:** no function here panics; every time is finite and non-negative when the
//! `PerfParams` pass `check` and the GPU's figures are positive (property-tested).

#[cfg(feature = "benchmark-arrivals")]
pub mod closed_loop;
pub mod comm;
pub mod fitted;
pub mod imbalance;
pub mod load;
pub mod ops;
pub mod params;
pub mod ranges;
pub mod queueing;
pub mod serving;
pub mod shipped;
pub mod step;
pub mod tables;
mod wave;

#[cfg(test)]
mod tests;

pub use load::{StageCompute, StageLoad};
pub use params::PerfParams;
pub use serving::{operating_point, Limit, NoOperatingPoint, OperatingPoint, ServingLimits};
pub use step::{Batch, Bound, Kind, Op, OpTime, StageCost, StepTime};
