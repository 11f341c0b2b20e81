//! Closing the loop with real measurements: benchmark plans out, measured results in, and
//! predicted against measured at the same load.
//!
//! - `launch`: the command that starts an engine with a layout (vLLM, SGLang, TensorRT-LLM),
//!   per node; the page's "launch commands" panel shows it.
//! - `script`: a bash script that, for the plan's top candidates, starts the engine, waits for
//!   its health endpoint, runs the engine's own serving benchmark at the planned operating
//!   point, stops the server and moves on, writing one result file per layout.
//! - `naming`: result-file names that carry the layout.
//! - `import`: the result files of vLLM, SGLang, genai-perf, AIPerf and trtllm-bench (and a
//!   hand-written CSV) read into `MeasuredRun`s.
//! - `samples`: the real serving benchmarks with a known GPU and layout, predicted at their own
//!   load; with the held-out calibration errors they make the range table.
//! - `deploy` (feature `deploy`): deployment artifacts for a plan, aggregated or disaggregated:
//!   prefill/decode flags, SGLang's router, TensorRT-LLM's disaggregated configuration,
//!   LeaderWorkerSet and Dynamo manifests.
//! - `compare`: each run matched to the plan — mismatches flagged, never silently used — and
//!   the planner re-run at the run's own load for predicted against measured.
//!
//! Design decision: everything here is pure (text in, text or data out); the `plan` command
//! and the page do the I/O.

pub mod compare;
#[cfg(feature = "deploy")]
pub mod deploy;
pub mod gpu_name;
pub mod import;
pub mod launch;
pub mod naming;
pub mod protocol;
pub mod samples;
pub mod script;

#[cfg(all(test, feature = "disaggregation"))]
mod disagg_tests;
#[cfg(test)]
mod recalibrate_tests;
#[cfg(test)]
mod tests;
