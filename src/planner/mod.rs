//! The planner: pure Rust, no web dependency. Scenario in, plan out.
//!
//! Three separate inputs — the model (`model`), the cluster (`gpu`), the workload (`workload`) —
//! plus the engine whose memory rules apply. Everything here runs natively (tests, the `plan`
//! command) and in WebAssembly (the page) unchanged.

pub mod error;
pub mod memory;
pub mod gpu;
pub mod layout;
pub mod model;
pub mod perf;
pub mod precision;
pub mod reject;
pub mod rules;
pub mod units;
pub mod workload;
pub mod engine;
pub mod plan;
pub mod scenario;
