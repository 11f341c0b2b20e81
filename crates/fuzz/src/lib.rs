//! Fuzzing of every untrusted input: scenario JSON (`planner::batch::run`, the `plan` command
//! and the page's `window.wasmBindings.plan`), an imported `config.json`, a share link's query
//! string, a benchmark result file, and a custom GPU's figures.
//!
//! Design decision: one checking function per input (`targets`), taking bytes and returning
//! what it saw or the property it found broken (`check`), shared by the stable, seeded
//! mutation driver (`driver`, `mutate`, the `fuzz` binary) and the libFuzzer harness
//! (`crates/fuzz/libfuzzer`, nightly only), so both fuzz the same properties.

pub mod check;
pub mod corpus;
pub mod driver;
pub mod mutate;
pub mod targets;
