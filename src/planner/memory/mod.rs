//! Memory of the most loaded GPU for a layout: weights, KV cache, activations, runtime
//! overhead, and the engine's rule that turns what is left into KV-cache capacity and a number
//! of requests.
//!
//! Design decision: the parts are separate functions over plain inputs — divisibility
//! (`divisibility::check`), stage ranges (`stages::stage_layers`), weight bytes per GPU
//! (`weights::per_stage`), KV bytes per token and per request per GPU (`kv`), activations and
//! overhead (`runtime`), the engine's budget (`budget`) — so the performance model reads the
//! same weight and KV bytes for its memory traffic. `per_gpu` only composes them.

pub mod divisibility;
pub mod kv;
pub mod stages;
pub mod weights;
