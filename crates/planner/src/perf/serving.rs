//! The serving operating point of one layout under continuous batching: TTFT, TPOT and
//! throughput at a concurrency, at a request rate, or at the maximum-throughput point.
//!
//! Design decision: a steady-state model, not a simulation. With `n` requests running on an
//! attention group (one replica: tp × pp GPUs), every step decodes the running requests and
//! prefills new ones at the rate requests finish, so each step carries
//!
//! ```text
//!   cycle  = s_p + OSL − 1          steps a request lives (s_p = its prefill chunks)
//!   decode = r·(OSL − 1)/cycle      r = n / m requests per micro-batch, m = min(n, PP)
//!   prefill= r·ISL/cycle            tokens (requests finish at r/cycle per step)
//! ```
//!
//! where a request's prompt is chunked by the token budget left after the decodes
//! (`chunk = min(ISL, max_batch_tokens − r)`, `s_p = ⌈ISL / chunk⌉`). With PP, `m` micro-batches
//! are in flight and each stage works on one of them per step, so a token crosses all stages
//! (`TPOT = PP × step`) while the pipeline emits a micro-batch every step (throughput comes
//! from the slowest stage, not divided by PP).
//!
//! Chunks: a prompt's chunk is one step's work, not a few tokens in every step. An attention
//! group takes a chunk in a share `c = prefill / (ISL / s_p)` of its steps; below one, the other
//! steps decode alone, so the mean step is
//!
//! ```text
//!   mean = (1 − q)·step(decode) + q·step(decode, one chunk),   q = 1 − (1 − c)^G
//! ```
//!
//! where `G` is the attention groups that step together: a MoE stage's `dp` groups share its
//! experts, so every MoE layer waits for all of them and a chunk on any group stalls the others
//! (vLLM's, SGLang's and TensorRT-LLM's attention data parallelism run the groups in lockstep,
//! idle groups on dummy batches); a dense stage's replicas step alone (`G = 1`, `q = c`). At
//! `c ≥ 1` every step carries prompt tokens and they are spread over the steps,
//! `step(decode, prefill)`. Why not spread them always: a decode step's time is not linear in
//! its prompt tokens (spread over memory-bound steps they hide under the weight read, and a
//! MoE layer's touched experts grow concavely with its tokens), so spreading undercounts the
//! chunk steps a decoding request sits through; and spreading cannot see the lockstep. On
//! TensorRT-LLM 0.17 (maximum throughput) the best layout improves from 66 to 69 of 72 groups
//! after the refit, and on the silicon sample's benchmark-client rows from 62 to 68 of 74, the
//! vLLM attention-DP rows' TPOT bias from −38 % to −29 % (`calibrate`, README). Then
//!
//! ```text
//!   TPOT = PP · mean            (the decode step of the plan: step(decode) below c = 1)
//!   TTFT = s_p · PP · step(decode, …, one chunk) [+ queueing, below]
//!   lifetime = TTFT + (OSL − 1)·TPOT;   output tok/s = DP · n · OSL / lifetime
//! ```
//!
//! (for large `n`, `n / TPOT` per replica, `DESIGN.md`'s "C / TPOT").
//!
//! Synchronized arrivals (`Arrivals::Synchronized`, a closed loop of C requests with fixed
//! lengths, as `vllm bench serve --max-concurrency C --random-range-ratio 0 --ignore-eos`): the
//! C requests of a wave start together, so the engine first prefills C·ISL prompt tokens in
//! `k = ⌈C·ISL / T_p⌉` steps of its token budget `T_p` (the cap less the decodes riding along:
//! requests whose prompt is done decode one token per step), then decodes C sequences with no
//! prefill mixed in. A request's prompt completes in step `s_i = ⌈i·ISL / T_p⌉`, where its first
//! token comes out, so (`t_p` a full prefill step, `t_r` the last, partial one, `t_d` a decode
//! step of the whole batch)
//!
//! ```text
//!   TTFT  = mean over the wave of the prefill steps up to s_i   (+ PP − 1 steps to cross the pipeline)
//!   TPOT  = (latency − TTFT)/(OSL − 1), as vLLM and SGLang compute it: the prefill steps after
//!           s_i plus the decode steps, over OSL − 1
//!   wave  = (k − 1)·t_p + t_r + (OSL − 1)·t_d;   output tok/s = DP · C · OSL / wave
//! ```
//!
//! Why the waves last: the prefill steps are shared by every request, so a wave's requests
//! finish within the last k decode steps of each other, and their replacements reach the engine
//! together. The Scicom vLLM sample (`data/bench-results`) shows it: its first requests'
//! end-to-end latencies lie within 32 ms of each other (3.899–3.931 s), and the mean TTFT over
//! all 1000 requests (1095 ms) is the first wave's. A wave whose prefill outlasts a request's
//! decode (`(k − 1)/PP > OSL − 1`) cannot stay synchronized: the first requests finish and
//! return before the last prompt is in; such a closed loop is taken as staggered.
//!
//! Benchmark arrivals (`Arrivals::Benchmark`, feature `benchmark-arrivals`, a benchmark
//! client's closed loop as AIPerf runs it for aiconfigurator: 20 rounds of C after 2 warm-up
//! rounds): the staggered steady state's steps; TTFT adds the client's front-end cost and a
//! fitted share of the synchronized wave's prefill queue, TPOT moves by the same share towards
//! the synchronized TPOT (`closed_loop`, where the reasons, sources and the fit are);
//! lifetime = that TTFT + (OSL − 1)·TPOT.
//!
//! Loads:
//! - concurrency C (closed loop, as benchmark clients): `n = C / DP`; beyond what the KV
//!   cache and engine caps admit the extra requests wait, `wait = lifetime·(n/n_cap − 1)`
//!   (Little's law on the closed loop).
//! - maximum throughput: the largest whole `n` that fits the KV cache and the caps and meets
//!   the SLA, by bisection (TPOT, TTFT and tokens per step all grow with `n`).
//! - request rate λ (Poisson): `n = (λ / DP)·lifetime(n)`, Little's law solved as a fixed point
//!   by bisection; TTFT adds half a step (arrivals join at the next step), the wait for a slot
//!   (M/D/c, `c` = requests the replica admits, service = lifetime) and the wait for prefill
//!   budget (M/D/1, service = the prompt's share of the per-step token budget), see
//!   `queueing`. λ at or above the maximum request throughput is `Saturated`: overloaded, the
//!   throughput capped at the capacity (the point at capacity is kept) and no TTFT, since the
//!   queue grows without bound.

use super::super::reject::RejectReason;
use super::super::engine::Engine;
use super::super::units::Seconds;
use super::super::workload::{Arrivals, Load, Sla, Workload};
use super::queueing::{md1_wait, mdc_wait};
use super::step::{Batch, StageCost, StepTime};
use super::wave::Wave;

/// Engine and memory limits of one replica (one attention group of tp × pp GPUs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServingLimits {
    /// Most requests (of ISL + OSL tokens) the KV cache of one replica holds at once, under
    /// the engine's admission rule. From the memory module.
    pub kv_max_requests: f64,
    /// Engine cap on requests per step (per micro-batch): vLLM `max_num_seqs`, TensorRT-LLM
    /// `max_batch_size`, SGLang `max_running_requests`.
    pub max_batch_requests: u32,
    /// Engine cap on tokens per step (per micro-batch), decode and prefill together: vLLM
    /// `max_num_batched_tokens`, TensorRT-LLM `max_num_tokens`, SGLang `chunked_prefill_size`.
    pub max_batch_tokens: u32,
    /// The engine: its benchmark client's front-end cost and clustering (`closed_loop`).
    pub engine: Engine,
}

/// What set the concurrency of an operating point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// The offered load (a given concurrency or request rate) fits: nothing else binds.
    Offered,
    /// The KV cache holds no more requests.
    KvCache,
    /// The engine's requests-per-step cap.
    BatchRequests,
    /// The engine's tokens-per-step cap (decode plus prefill chunks).
    BatchTokens,
    /// One more request would break the TTFT limit.
    SlaTtft,
    /// One more request would break the TPOT limit.
    SlaTpot,
}

/// The serving figures of a layout at one load.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OperatingPoint {
    /// Requests in the system across the cluster, running and waiting.
    pub concurrency: f64,
    /// Requests in the engines' batches across the cluster.
    pub running: f64,
    /// Time to first token: prefill (chunked, interleaved with decode, across all stages) plus
    /// waiting.
    pub ttft: Seconds,
    /// Time per output token after the first: `PP ×` the mean step.
    pub tpot: Seconds,
    /// Output tokens per second, whole cluster.
    pub output_tok_s: f64,
    /// Output tokens per second one request sees: `1 / TPOT`.
    pub tok_s_per_user: f64,
    /// Requests completed per second, whole cluster.
    pub request_rate: f64,
    /// The waiting part of `ttft`.
    pub queue_wait: Seconds,
    /// The part of `ttft` outside the engine's steps: a benchmark client's front end
    /// (`closed_loop`), zero for the other arrivals.
    pub front_end: Seconds,
    /// The mean step of the heaviest stage at this point (one micro-batch), and its batch.
    pub decode_step: StepTime,
    pub decode_batch: Batch,
    /// A step of the heaviest stage carrying one request's prefill chunk, and its batch.
    pub prefill_step: StepTime,
    pub prefill_batch: Batch,
    /// Share of the engine's time that goes to prefill: `1 − (the mean step without its prefill
    /// tokens) / (the mean step)`. At least `PREFILL_BOUND_SHARE` is "prefill-bound", the
    /// regime the error ranges (`perf::ranges`) are looked up under.
    pub prefill_share: f64,
    /// What set the concurrency.
    pub limit: Limit,
}

/// A point whose `prefill_share` reaches this is prefill-bound: more of the engine's time goes to
/// prompts than to generating tokens.
pub const PREFILL_BOUND_SHARE: f64 = 0.5;

impl OperatingPoint {
    /// Whether more of the engine's time goes to prefill than to decode.
    pub fn prefill_bound(&self) -> bool {
        self.prefill_share >= PREFILL_BOUND_SHARE
    }
}

/// Why a layout has no operating point.
#[derive(Debug, Clone, PartialEq)]
pub enum NoOperatingPoint {
    /// Not one request fits a replica (KV cache, or an engine cap below one request).
    NoCapacity { kv_max_requests: f64, max_batch_requests: u32 },
    /// The SLA is missed: at one request per replica for the maximum-throughput point, at the
    /// offered load otherwise. The point is kept so the page can still show its numbers.
    Sla { reason: RejectReason, point: Box<OperatingPoint> },
    /// The offered request rate (requests/s, cluster) reaches the most this layout completes:
    /// overloaded. The queue grows without bound, so there is no steady TTFT; `point` is the
    /// layout at capacity (throughput capped at `max`, its TTFT without the queue).
    Saturated { offered: f64, max: f64, point: Box<OperatingPoint> },
}

/// The steady state with `n` requests running per replica.
#[derive(Debug, Clone, Copy)]
struct Running {
    tpot: Seconds,
    ttft: Seconds,
    /// Parts of `ttft` outside the prefill steps: waiting behind other prompts and the
    /// client's front end (benchmark arrivals only).
    wait: Seconds,
    front_end: Seconds,
    /// Mean time from a request's arrival to its last token.
    lifetime: Seconds,
    /// Time per request slot per request: `lifetime` in a steady state, the wave when the
    /// requests run in lockstep (the first of a wave finish before the wave does).
    cycle: Seconds,
    /// Share of the engine's time spent on prefill, when the model knows it directly (waves).
    prefill_share: Option<f64>,
    step: StepTime,
    step_batch: Batch,
    chunk_step: StepTime,
    chunk_batch: Batch,
    /// Decoding sequences per step and their mean context.
    decode: f64,
    context: f64,
    /// Prefill tokens per step and the budget left for them after the decodes.
    prefill: f64,
    budget: f64,
    tokens_ok: bool,
}

struct Model<'a> {
    stage: &'a StageCost<'a>,
    isl: f64,
    osl: f64,
    arrivals: Arrivals,
    limits: &'a ServingLimits,
    sla: Sla,
}

impl Model<'_> {
    fn running(&self, n: f64) -> Running {
        match self.arrivals {
            Arrivals::Staggered => self.staggered(n),
            Arrivals::Synchronized => self.synchronized(n).unwrap_or_else(|| self.staggered(n)),
            #[cfg(feature = "benchmark-arrivals")]
            Arrivals::Benchmark => self.benchmark(n),
        }
    }

    /// A benchmark client's closed loop (module doc, `closed_loop`): the staggered steady
    /// state's steps, the client's TTFT and TPOT.
    #[cfg(feature = "benchmark-arrivals")]
    fn benchmark(&self, n: f64) -> Running {
        use super::closed_loop::{ClientLoop, Latencies};
        let run = self.staggered(n);
        let layers = self.stage.layers * self.stage.pp;
        let staggered = Latencies { ttft: run.ttft, tpot: run.tpot };
        let wave = self.synchronized(n).map(|w| Latencies { ttft: w.ttft, tpot: w.tpot });
        let client = ClientLoop::shipped(self.limits.engine).latencies(layers, staggered, wave);
        let (ttft, tpot) = (client.ttft(), client.tpot);
        let lifetime = ttft + tpot * (self.osl - 1.0);
        Running { tpot, ttft, wait: client.clustered_wait, front_end: client.front_end, lifetime, cycle: lifetime, ..run }
    }

    /// A wave of `n` requests per replica (module doc, "Synchronized arrivals"); `None` when
    /// the wave's prefill outlasts a request's decode, so the loop cannot stay in lockstep.
    fn synchronized(&self, n: f64) -> Option<Running> {
        let pp = self.stage.pp as f64;
        let (isl, osl) = (self.isl, self.osl);
        let cap = self.limits.max_batch_tokens.max(1) as f64;
        let wave_n = n.max(1.0);
        let m = wave_n.clamp(1.0, pp);
        let r = (wave_n / m).max(1.0);
        // The budget left for prompts after the decodes riding along, settled in two rounds.
        let mut wave = Wave::new(wave_n, isl, cap);
        for _ in 0..2 {
            wave = Wave::new(wave_n, isl, (cap - wave.mean_done / m).max(1.0));
        }
        if (wave.steps - 1.0) / pp > osl - 1.0 {
            return None;
        }
        let budget = (cap - wave.mean_done / m).max(1.0);
        let prefill_context = (isl + 1.0) / 2.0;
        let context = isl + osl / 2.0;
        let full_batch = Batch {
            decode_tokens: wave.mean_done / m,
            decode_context: isl,
            prefill_tokens: budget.min(wave_n * isl),
            prefill_context,
        };
        let full = self.stage.step(&full_batch);
        let last = self.stage.step(&Batch {
            decode_tokens: wave.before_last / m,
            decode_context: isl,
            prefill_tokens: wave.last_tokens,
            prefill_context,
        });
        let decode_batch = Batch::decode(r, context);
        let decode = self.stage.step(&decode_batch);
        let (t_p, t_r, t_d) = (full.total.value(), last.total.value(), decode.total.value());
        let (k, s, fl) = (wave.steps, wave.mean_completion, wave.last_share);
        let ttft = t_p * (s - fl) + fl * t_r + (pp - 1.0) * t_p;
        // Prefill steps a request sits through after its first token, and the tokens it makes
        // in them (one per PP steps).
        let after = t_p * ((k - 1.0) * (1.0 - fl) - s + k * fl) + t_r * (1.0 - fl);
        let made = (k - s) / pp;
        let tpot = if osl > 1.0 {
            (after + (osl - 1.0 - made).max(0.0) * pp * t_d) / (osl - 1.0)
        } else {
            pp * t_d
        };
        let prefill_phase = (k - 1.0) * t_p + t_r + (pp - 1.0) * t_p;
        let wave_time = prefill_phase + (osl - 1.0) * pp * t_d;
        Some(Running {
            tpot: Seconds(tpot),
            ttft: Seconds(ttft),
            wait: Seconds::ZERO,
            front_end: Seconds::ZERO,
            lifetime: Seconds(ttft + (osl - 1.0) * tpot),
            cycle: Seconds(wave_time),
            prefill_share: Some(if wave_time > 0.0 { prefill_phase / wave_time } else { 0.0 }),
            step: decode,
            step_batch: decode_batch,
            chunk_step: full,
            chunk_batch: full_batch,
            decode: r,
            context,
            prefill: 0.0,
            budget,
            tokens_ok: r <= cap * (1.0 + 1e-9),
        })
    }

    /// The steady state of staggered arrivals (module doc).
    fn staggered(&self, n: f64) -> Running {
        let pp = self.stage.pp as f64;
        let (isl, osl) = (self.isl, self.osl);
        let max_tokens = self.limits.max_batch_tokens.max(1) as f64;
        let m = n.clamp(1.0, pp);
        let r = (n / m).max(1.0);
        let budget = (max_tokens - r).max(1.0);
        let chunk = isl.min(budget);
        let chunks = (isl / chunk).ceil();
        let cycle = chunks + osl - 1.0;
        let decode = r * (osl - 1.0) / cycle;
        let prefill = r * isl / cycle;
        let context = isl + osl / 2.0;
        let prefill_context = (isl + 1.0) / 2.0;
        let spread_batch = Batch { decode_tokens: decode, decode_context: context, prefill_tokens: prefill, prefill_context };
        let chunk_batch = Batch { prefill_tokens: isl / chunks, ..spread_batch };
        let chunk_step = self.stage.step(&chunk_batch);
        // Steps carrying a chunk, per attention group: below one, most steps decode alone and
        // a chunk's step is that much longer (module doc, "Chunks"); at one or more, every step
        // carries prompt tokens and they are spread over the steps.
        let chunk_steps = prefill / (isl / chunks);
        let (step, step_batch, mean, prefill_share) = if chunk_steps < 1.0 {
            let alone_batch = Batch::decode(decode, context);
            let alone = self.stage.step(&alone_batch);
            let with_chunk = 1.0 - (1.0 - chunk_steps).powf(self.stage.lockstep_groups());
            let mean = alone.total * (1.0 - with_chunk) + chunk_step.total * with_chunk;
            let share = if mean.value() > 0.0 { 1.0 - alone.total.value() / mean.value() } else { 0.0 };
            (alone, alone_batch, mean, Some(share.clamp(0.0, 1.0)))
        } else {
            let spread = self.stage.step(&spread_batch);
            (spread, spread_batch, spread.total, None)
        };
        let tpot = mean * pp;
        let ttft = chunk_step.total * (chunks * pp);
        let lifetime = ttft + tpot * (osl - 1.0);
        Running {
            tpot,
            ttft,
            wait: Seconds::ZERO,
            front_end: Seconds::ZERO,
            lifetime,
            cycle: lifetime,
            prefill_share,
            step,
            step_batch,
            chunk_step,
            chunk_batch,
            decode,
            context,
            prefill,
            budget: (max_tokens - decode).max(1.0),
            tokens_ok: decode + prefill <= max_tokens * (1.0 + 1e-9),
        }
    }

    /// Requests per replica the KV cache and the requests cap admit.
    fn admitted(&self) -> (f64, Limit) {
        let kv = self.limits.kv_max_requests.floor();
        let cap = self.stage.pp as f64 * self.limits.max_batch_requests as f64;
        if kv <= cap {
            (kv, Limit::KvCache)
        } else {
            (cap, Limit::BatchRequests)
        }
    }

    /// The first limit `n` breaks, if any (`sla`: include the SLA).
    fn broken(&self, run: &Running, sla: bool) -> Option<Limit> {
        if !run.tokens_ok {
            return Some(Limit::BatchTokens);
        }
        if sla {
            if self.sla.tpot.is_some_and(|l| run.tpot > l) {
                return Some(Limit::SlaTpot);
            }
            if self.sla.ttft.is_some_and(|l| run.ttft > l) {
                return Some(Limit::SlaTtft);
            }
        }
        None
    }

    /// The largest whole `n` per replica within the KV cache, the caps and (when `sla`) the
    /// SLA, with the limit that stops it; `Err` with the run at `n = 1` when even 1 breaks.
    fn largest(&self, sla: bool) -> Result<(f64, Running, Limit), NoOperatingPoint> {
        let (upper, upper_limit) = self.admitted();
        let no_capacity = NoOperatingPoint::NoCapacity {
            kv_max_requests: self.limits.kv_max_requests,
            max_batch_requests: self.limits.max_batch_requests,
        };
        if upper.is_nan() || upper < 1.0 {
            return Err(no_capacity);
        }
        let first = self.running(1.0);
        match self.broken(&first, sla) {
            None => {}
            Some(Limit::BatchTokens) => return Err(no_capacity),
            Some(limit) => return Err(self.sla_miss(limit, &first, 1.0, Seconds::ZERO)),
        }
        let top = self.running(upper);
        if self.broken(&top, sla).is_none() {
            return Ok((upper, top, upper_limit));
        }
        let (mut lo, mut hi) = (1.0f64, upper);
        let mut lo_run = first;
        while hi - lo > 1.0 {
            let mid = ((lo + hi) / 2.0).floor();
            let run = self.running(mid);
            if self.broken(&run, sla).is_none() {
                lo = mid;
                lo_run = run;
            } else {
                hi = mid;
            }
        }
        let limit = self.broken(&self.running(hi), sla).unwrap_or(upper_limit);
        Ok((lo, lo_run, limit))
    }

    fn point(&self, n: f64, run: &Running, waiting: f64, wait: Seconds, limit: Limit) -> OperatingPoint {
        let dp = self.stage.dp as f64;
        let requests = dp * n / run.cycle.value();
        let ttft = run.ttft + wait;
        let prefill_share = run.prefill_share.unwrap_or_else(|| {
            let decode_alone = self.stage.step(&Batch::decode(run.decode, run.context)).total.value();
            let mean = run.step.total.value();
            if mean > 0.0 {
                (1.0 - decode_alone / mean).clamp(0.0, 1.0)
            } else {
                0.0
            }
        });
        OperatingPoint {
            concurrency: dp * (n + waiting),
            running: dp * n,
            ttft,
            tpot: run.tpot,
            output_tok_s: requests * self.osl,
            tok_s_per_user: 1.0 / run.tpot.value(),
            request_rate: requests,
            queue_wait: wait + run.wait,
            front_end: run.front_end,
            decode_step: run.step,
            decode_batch: run.step_batch,
            prefill_step: run.chunk_step,
            prefill_batch: run.chunk_batch,
            prefill_share,
            limit,
        }
    }

    fn sla_miss(&self, limit: Limit, run: &Running, n: f64, wait: Seconds) -> NoOperatingPoint {
        let point = self.point(n, run, 0.0, wait, limit);
        let reason = match limit {
            Limit::SlaTtft => RejectReason::SlaTtft { ttft: point.ttft, limit: self.sla.ttft.unwrap_or(point.ttft) },
            _ => RejectReason::SlaTpot { tpot: point.tpot, limit: self.sla.tpot.unwrap_or(point.tpot) },
        };
        NoOperatingPoint::Sla { reason, point: Box::new(point) }
    }

    /// The point at a given load, checked against the SLA.
    fn checked(&self, point: OperatingPoint, n: f64, run: &Running) -> Result<OperatingPoint, NoOperatingPoint> {
        if self.sla.tpot.is_some_and(|l| point.tpot > l) {
            return Err(self.sla_miss(Limit::SlaTpot, run, n, point.queue_wait));
        }
        if self.sla.ttft.is_some_and(|l| point.ttft > l) {
            return Err(self.sla_miss(Limit::SlaTtft, run, n, point.queue_wait));
        }
        Ok(point)
    }

    fn at_concurrency(&self, concurrency: f64) -> Result<OperatingPoint, NoOperatingPoint> {
        let offered = concurrency.max(0.0) / self.stage.dp as f64;
        let (n_cap, run_cap, limit) = self.largest(false)?;
        if offered <= n_cap {
            let run = self.running(offered);
            let point = self.point(offered, &run, 0.0, Seconds::ZERO, Limit::Offered);
            return self.checked(point, offered, &run);
        }
        let wait = run_cap.cycle * (offered / n_cap - 1.0);
        let point = self.point(n_cap, &run_cap, offered - n_cap, wait, limit);
        self.checked(point, n_cap, &run_cap)
    }

    fn at_rate(&self, rate: f64) -> Result<OperatingPoint, NoOperatingPoint> {
        let dp = self.stage.dp as f64;
        let per_replica = rate.max(0.0) / dp;
        let (n_cap, run_cap, limit) = self.largest(false)?;
        let max = n_cap / run_cap.lifetime.value();
        let overloaded = || NoOperatingPoint::Saturated {
            offered: rate,
            max: max * dp,
            point: Box::new(self.point(n_cap, &run_cap, 0.0, Seconds::ZERO, limit)),
        };
        if per_replica.is_nan() || max.is_nan() || per_replica >= max {
            return Err(overloaded());
        }
        // n = λ·lifetime(n): g(0) > 0 (lifetime > 0) and g(n_cap) < 0 (λ < max).
        let (mut lo, mut hi) = (0.0f64, n_cap);
        for _ in 0..48 {
            let mid = 0.5 * (lo + hi);
            if per_replica * self.running(mid).lifetime.value() > mid {
                lo = mid;
            } else {
                hi = mid;
            }
            if hi - lo <= 1e-4 * hi {
                break;
            }
        }
        let n = hi;
        let run = self.running(n);
        let cycle = run.step.total * self.stage.pp as f64;
        let admission = run.step.total * 0.5;
        let slot = mdc_wait(n / n_cap, n_cap, run.lifetime);
        let prefill_service = cycle * (self.isl / run.budget);
        let prefill = md1_wait(run.prefill / run.budget, prefill_service);
        let (Some(slot), Some(prefill)) = (slot, prefill) else { return Err(overloaded()) };
        let wait = admission + slot + prefill;
        let waiting = per_replica * wait.value();
        let point = self.point(n, &run, waiting, wait, Limit::Offered);
        self.checked(point, n, &run)
    }
}

/// The operating point of a layout (`stage`, built for it) under `workload`'s load and SLA,
/// within `limits`.
pub fn operating_point(
    stage: &StageCost,
    workload: &Workload,
    limits: &ServingLimits,
) -> Result<OperatingPoint, NoOperatingPoint> {
    // A Poisson stream never arrives in lockstep (the scenario refuses the combination too).
    let arrivals = match workload.load {
        Load::RequestRate(_) => Arrivals::Staggered,
        Load::MaxThroughput | Load::Concurrency(_) => workload.arrivals,
    };
    let model = Model {
        stage,
        isl: (workload.isl as f64).max(1.0),
        osl: (workload.osl as f64).max(1.0),
        arrivals,
        limits,
        sla: workload.sla,
    };
    match workload.load {
        Load::MaxThroughput => {
            let (n, run, limit) = model.largest(true)?;
            Ok(model.point(n, &run, 0.0, Seconds::ZERO, limit))
        }
        Load::Concurrency(c) => model.at_concurrency(c as f64),
        Load::RequestRate(rate) => model.at_rate(rate),
    }
}
