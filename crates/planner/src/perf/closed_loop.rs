//! TTFT and TPOT as a benchmark client measures them (`Arrivals::Benchmark`): a closed loop of
//! C requests driven by AIPerf the way aiconfigurator's benchmark recipe runs it, which is how
//! NVIDIA's silicon sample (`data/calibration/aiconfigurator-silicon-sample.csv`) was measured.
//!
//! What that client does (aiconfigurator 0.12.0, `generator/config/backend_templates/benchmark/
//! bench_run.sh.j2`): `aiperf profile --concurrency C --num-requests 20·C
//! --warmup-request-count 2·C --streaming`, fixed lengths (`ignore_eos`). So the measured means
//! are over 20 rounds of C requests after two warm-up rounds, timed at the client: TTFT from
//! the HTTP request to the first streamed token, TPOT as `(latency − TTFT)/(OSL − 1)`. The two
//! arrival models bound such a loop: staggered (every request alone, its prompt's chunks in
//! steps shared with the others' decodes) and synchronized (the whole wave's prompts together,
//! then pure decode). The client's loop lies between them, and the model takes one share of the
//! synchronized one for both figures, plus a front end:
//!
//! ```text
//!   TTFT = front_end + own_prefill + clustering · (synchronized TTFT − own_prefill)
//!   TPOT = staggered TPOT + clustering · (synchronized TPOT − staggered TPOT)
//!   front_end = per_layer · layers          (request path outside the step model)
//! ```
//!
//! - `front_end`: a per-request cost the step model does not see (HTTP and tokenisation, the
//!   scheduler's admission, the first token's detokenisation and streaming, and the host-side
//!   launch of one prefill through every layer). It shows at concurrency 1–4, where no other
//!   prompt can be in the way: measured TTFTs there are 2.5–3.5 × the step model's prefill.
//!   aiconfigurator models the same cost per layer (`_prefill_dispatch_overhead_ms`, 0.8 ms per
//!   layer for vLLM); here it is fitted per engine.
//! - `clustering`: the share of the loop's requests that arrive together. Two warm-up rounds
//!   spread the requests, but not fully: completions come back in clusters (requests whose
//!   prompts shared a step finish within a step of each other), so a new prompt waits behind
//!   part of its cluster — that share of a synchronized wave's prefill queue (`own_prefill` the
//!   staggered TTFT, the synchronized one every prompt of the wave ahead of half the others).
//! - Consistency: the same clustering puts the cluster's prefill work inside the steps of the
//!   requests already decoding, and the client's TPOT, `(latency − TTFT)/(OSL − 1)`, counts
//!   every step after a request's first token: the synchronized model's TPOT carries the
//!   prefill steps a wave sits through after its first token, the staggered one the prefill
//!   spread evenly over every step. So TPOT takes the same share of the synchronized TPOT as
//!   TTFT does of its queue (one constant, not two): a model whose TTFT saw clustered prompts
//!   while its TPOT saw none would count the same prefill work once as waiting and never as
//!   interference. Where no wave can stay in lockstep (`synchronized` is `None`) both are the
//!   staggered ones.
//!
//! The loop's lifetime is `TTFT + (OSL − 1)·TPOT` (Little's law on the loop, as the sample's
//! throughput is derived); its steps (`decode_step`, `prefill_step`) are the staggered ones.
//!
//! Disaggregated deployments (`disagg::pairing`, the search and `disagg::measured`): the same
//! client drives them through a router, so their TTFT is the client's too, with the same two
//! constants of the deployment's engine (no refit on the disaggregated rows, which are their
//! out-of-sample check in `calibrate --silicon --benchmark-arrivals`):
//!
//! ```text
//!   TTFT = front_end + wait for a prefill worker + own_prefill + clustered_wait + KV transfer
//!   clustered_wait = clustering · (synchronized wave at the prefill workers − own_prefill)
//! ```
//!
//! where the wave (`prefill_wave`) is the concurrency's C prompts arriving together at the
//! x·DP prefill replicas, each prefilling its batch of k prompts per round (the worker's batch;
//! rounds `k / capacity per replica` apart, the first done after the own prefill), counted as
//! the aggregated wave's steps (`wave::Wave`, in prompts); a prompt in round j waits
//! j − 1 rounds beyond its own prefill, a partial last round counted whole. As in the
//! aggregated model, a wave whose prefill rounds outlast a request's decode
//! (`(rounds − 1)·round > (OSL − 1)·TPOT`, TPOT with all C decoding) cannot stay in lockstep: no
//! clustered wait then, and the steady closed loop's wait for a prefill worker (Little's law,
//! `pairing`) is the queue. The wait for a prefill worker and the transfer are the
//! disaggregated model's own. TPOT stays the decode workers': the aggregated shift of TPOT
//! towards the synchronized one is the cluster's prefill steps inside the steps of requests
//! already decoding, and in disaggregated serving no prefill runs in the decode workers'
//! steps. The loop's lifetime (Little's law on C in flight) takes the client's TTFT.
//!
//! Source of both constants per engine: the grid fit of `calibrate --silicon --fit-client`
//! (`calibration::silicon::client_fit`: per-layer cost 0–4 ms in 0.25 ms, clustering 0–1 in
//! 0.05, loss the fit part's median |ln error| of TTFT plus that of TPOT) on the fit part of
//! the silicon sample with the shipped step model; `calibration::silicon::held_out` keeps the
//! other part out, on which the model is judged (README, "TTFT is a benchmark client's figure").
//! A test keeps the constants equal to the fit's optimum. Neither is tuned per model, GPU or row.

use super::super::engine::Engine;
use super::super::units::Seconds;
use super::wave::Wave;

/// A benchmark client's closed loop on one engine: its two constants (module doc).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClientLoop {
    /// Front-end cost per decoder layer of the model.
    pub per_layer: Seconds,
    /// Share of the loop's requests that arrive together, in [0, 1].
    pub clustering: f64,
}

/// What one arrival model predicts for a request of the loop.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Latencies {
    pub ttft: Seconds,
    pub tpot: Seconds,
}

/// A benchmark client's TTFT by part, and its TPOT.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClientLatencies {
    /// The request path outside the engine's steps: the per-layer cost × the model's layers.
    pub front_end: Seconds,
    /// The prompt's own prefill in the staggered steady state.
    pub own_prefill: Seconds,
    /// Waiting behind the other prompts of its cluster: the clustering share of the
    /// synchronized wave's wait beyond the own prefill.
    pub clustered_wait: Seconds,
    /// The staggered TPOT moved by the clustering share towards the synchronized one.
    pub tpot: Seconds,
}

impl ClientLoop {
    /// The shipped constants per engine (fitted, module doc; `calibrate --silicon
    /// --fit-client` prints the fit).
    pub fn shipped(engine: Engine) -> ClientLoop {
        let (per_layer_ms, clustering) = match engine {
            Engine::Vllm => (0.75, 0.25),
            Engine::Trtllm => (2.25, 0.15),
            Engine::Sglang => (3.0, 0.75),
        };
        ClientLoop { per_layer: Seconds::from_ms(per_layer_ms), clustering }
    }

    /// The client's figures for a model of `layers` decoder layers, from the staggered
    /// steady state and a synchronized wave (`None` where the wave cannot stay in lockstep).
    pub fn latencies(&self, layers: u32, staggered: Latencies, synchronized: Option<Latencies>) -> ClientLatencies {
        let wave = synchronized.unwrap_or(staggered);
        let beyond = (wave.ttft.value() - staggered.ttft.value()).max(0.0);
        let tpot = staggered.tpot.value() + self.clustering * (wave.tpot.value() - staggered.tpot.value());
        ClientLatencies {
            front_end: self.per_layer * layers as f64,
            own_prefill: staggered.ttft,
            clustered_wait: Seconds(self.clustering * beyond),
            tpot: Seconds(tpot),
        }
    }
}

impl ClientLatencies {
    pub fn ttft(&self) -> Seconds {
        self.front_end + self.own_prefill + self.clustered_wait
    }
}

/// The mean TTFT before the transfer of a synchronized wave of a closed loop's `concurrency`
/// prompts at disaggregated prefill workers (module doc, "Disaggregated deployments"): spread
/// over `replicas` prefill replicas, each completing `per_round` prompts every `round`, the
/// first after `own` (a prompt's own prefill); `None` when the wave's rounds beyond the first
/// outlast `decode`, a request's decode ((OSL − 1)·TPOT), so the loop cannot stay in lockstep.
pub fn prefill_wave(
    concurrency: f64,
    replicas: f64,
    per_round: f64,
    round: Seconds,
    own: Seconds,
    decode: Seconds,
) -> Option<Seconds> {
    let prompts = (concurrency / replicas.max(1.0)).max(1.0);
    let wave = Wave::new(prompts, 1.0, per_round.max(1.0));
    if round * (wave.steps - 1.0) > decode {
        return None;
    }
    Some(own + round * (wave.mean_completion - 1.0))
}
