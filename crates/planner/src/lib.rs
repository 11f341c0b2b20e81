//! The planner: pure Rust, no web dependency. Scenario in, plan out.
//!
//! Three separate inputs — the model (`model`), the cluster (`gpu`), the workload (`workload`) —
//! plus the engine whose memory rules apply. Everything here runs natively (tests, the `plan`
//! command) and in WebAssembly (the page) unchanged.

pub mod batch;
pub mod bounds;
#[cfg(feature = "capacity")]
pub mod capacity;
#[cfg(feature = "disaggregation")]
pub mod disagg;
pub mod engine;
pub mod error;
pub mod evaluate;
pub mod export;
pub mod gpu;
pub mod inputs;
pub mod json_shape;
pub mod kernels;
pub mod layout;
pub mod locate;
pub mod memory;
pub mod model;
pub mod order;
pub mod perf;
pub mod plan;
pub mod planning;
pub mod precision;
pub mod python_json;
pub mod reject;
pub mod rules;
pub mod scenario;
pub mod search;
pub mod trace;
pub mod units;
pub mod workload;
