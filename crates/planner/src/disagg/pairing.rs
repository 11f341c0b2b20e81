//! One prefill layout and one decode layout: how many of each (x:y), and what they serve.
//!
//! Every figure per GPU is over the cluster's GPUs, as for aggregated layouts (and as NVIDIA
//! AIConfigurator counts it): the question is how to split the model across THESE GPUs, so GPUs
//! a pair leaves idle count zero. The rule for x:y, per load (every count placed on the
//! cluster's nodes, `placement`):
//! - maximum throughput: the x:y within the budget that serves the most,
//!   `min(x·c_P, y·c_D)`, and among equals (within `TIE`) the fewest GPUs. For each y the best
//!   x is the fewest prefill workers that keep up with `y·c_D` (or all that fit beside y);
//!   every y is tried up to the first at which prefill binds with all the prefill workers that
//!   fit (more decode workers only leave fewer), so no count that could win is missed. A closed loop at the maximum, as the aggregated
//!   maximum-throughput point: no queue, TTFT = prefill + transfer.
//! - a request rate λ: every pair that serves λ gives the same tokens/s per GPU (λ·OSL over the
//!   cluster), so the fewest GPUs whose x·c_P and y·c_D exceed λ and whose TTFT, with the M/D/c
//!   wait over the x prefill workers (`perf::queueing`), meets the limit (the rest stays free);
//!   at or above what the whole budget can serve: overloaded, served at capacity.
//! - a concurrency C (requests in flight, held by the decode workers): y at least what holds C
//!   at the decode workers' largest batch; per y, the decode side completes
//!   `C / (TTFT₀ + OSL·TPOT(n))` requests/s, `n` the requests decoding (Little's law on the
//!   closed loop and on its decode phase: `completes_after`), and x as for
//!   maximum throughput: the closed loop serves more the faster each request runs, so, as at
//!   maximum throughput, the x:y that serves the most (the aggregated layouts, too, spread C
//!   over the whole cluster); when prefill binds, the requests wait for it (`TTFT = C/served −
//!   OSL·TPOT`).
//!
//! Benchmark arrivals (`workload.arrivals: "benchmark"`, feature `benchmark-arrivals`; a
//! concurrency or the maximum-throughput point, never a request rate, as aggregated): TTFT is
//! the benchmark client's (`perf::closed_loop`, "Disaggregated deployments"): its front end +
//! the wait for a prefill worker + prefill + the clustered share of the synchronized wave at
//! the x prefill workers + transfer, its parts kept (`Served::client`). At a concurrency the
//! closed loop's lifetime takes that TTFT; the x:y is chosen with the x-independent front end
//! in the decode side's rate (`completes`), the clustered wait, which depends on x, only in
//! the chosen x:y's figures. At the maximum-throughput point the wave is of the requests the
//! decode workers hold, and what the pair serves (the two sides' capacities) does not change.
//! TPOT stays the decode workers' (`closed_loop`).
//!
//! The decode workers' batch at the chosen x:y is the fixed point `n = (rate per replica) ·
//! OSL · TPOT(n)` (bisection), so TPOT is the one at the load, never above the workers' largest
//! batch's.

use super::super::inputs::PlannerInputs;
use super::super::perf::queueing::mdc_wait;
use super::super::perf::{Batch, StageCost, StepTime};
use super::super::units::Seconds;
use super::super::workload::Load;
#[cfg(feature = "benchmark-arrivals")]
use super::super::workload::Arrivals;
use super::placement::nodes_needed;
use super::transfer::Transfer;
use super::workers::{decode_step, DecodeWorker, PrefillWorker};
use std::fmt;

/// Relative difference under which two tokens/s-per-GPU figures count as equal: far above the
/// rounding of the few operations that make them, far below anything a user would notice.
pub const TIE: f64 = 1e-9;

/// What the chosen x:y serves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Served {
    pub x: u32,
    pub y: u32,
    pub gpus: u32,
    /// Requests per second served.
    pub rate: f64,
    pub queue: Seconds,
    pub ttft: Seconds,
    /// The benchmark client's parts of `ttft` under benchmark arrivals (module doc), else
    /// `None`: `ttft` = front end + queue + prefill + clustered wait + transfer.
    pub client: Option<ClientParts>,
    /// Requests decoding per decode worker, TPOT at that batch, its step and batch.
    pub decode_batch: f64,
    pub tpot: Seconds,
    pub step: StepTime,
    pub step_batch: Batch,
}

/// A benchmark client's parts of a disaggregated TTFT (`perf::closed_loop`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClientParts {
    /// The request path outside the engines' steps: the engine's per-layer cost × the model's
    /// layers.
    pub front_end: Seconds,
    /// The clustering share of the synchronized wave's wait at the prefill workers beyond the
    /// own prefill.
    pub clustered_wait: Seconds,
}

/// Why a pair of worker layouts cannot serve the scenario.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PairReason {
    /// Not even one worker of each fits the cluster's nodes.
    OverBudget { gpus: u32, nodes_needed: u64, nodes: u32 },
    /// Prefill meets the TTFT limit, prefill and the KV transfer together do not.
    TransferBreaksTtft { prefill: Seconds, transfer: Seconds, limit: Seconds },
    /// TTFT with the wait for a prefill worker is over the limit.
    SlaTtft { ttft: Seconds, limit: Seconds },
    /// The offered rate reaches the most the budget serves.
    Saturated { offered: f64, max: f64 },
    /// The decode workers the budget holds cannot hold the requests in flight.
    ConcurrencyAboveCapacity { concurrency: u32, max: f64 },
}

impl PairReason {
    pub fn code(&self) -> &'static str {
        match self {
            Self::OverBudget { .. } => "over-budget",
            Self::TransferBreaksTtft { .. } => "kv-transfer-breaks-ttft",
            Self::SlaTtft { .. } => "sla-ttft",
            Self::Saturated { .. } => "saturated",
            Self::ConcurrencyAboveCapacity { .. } => "concurrency-above-capacity",
        }
    }
}

impl fmt::Display for PairReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::OverBudget { gpus, nodes_needed, nodes } => write!(
                f,
                "one prefill and one decode worker take {gpus} GPUs on {nodes_needed} nodes, the cluster has {nodes}"
            ),
            Self::TransferBreaksTtft { prefill, transfer, limit } => write!(
                f,
                "prefill {:.0} ms + KV transfer {:.0} ms exceeds the TTFT limit of {:.0} ms",
                prefill.ms(),
                transfer.ms(),
                limit.ms()
            ),
            Self::SlaTtft { ttft, limit } => {
                write!(f, "TTFT {:.0} ms (with the wait for a prefill worker) exceeds the SLA of {:.0} ms", ttft.ms(), limit.ms())
            }
            Self::Saturated { offered, max } => write!(
                f,
                "overloaded: {offered:.2} req/s offered, {max:.2} req/s served (the most the GPU budget gives); the queue grows without bound"
            ),
            Self::ConcurrencyAboveCapacity { concurrency, max } => write!(
                f,
                "{concurrency} requests in flight, the decode workers that fit hold at most {max:.0}"
            ),
        }
    }
}

/// Why a pair cannot serve, and what it would serve when there is such a point.
pub type Missed = (PairReason, Option<Box<Served>>);

/// The pair's x:y and what it serves, or why it cannot serve (with what it would serve, when
/// there is such a point: an SLA miss or an overload).
pub fn choose(
    inputs: &PlannerInputs,
    p: &PrefillWorker,
    d: &DecodeWorker,
    transfer: &Transfer,
) -> Result<Served, Missed> {
    let pair = Pair::new(inputs, p, d, transfer);
    if !pair.fits(1, 1) {
        let nodes_needed = nodes_needed(1, pair.gp, 1, pair.gd, inputs.cluster.gpus_per_node);
        let reason = PairReason::OverBudget { gpus: pair.gp + pair.gd, nodes_needed, nodes: inputs.cluster.nodes };
        return Err((reason, None));
    }
    let ttft0 = p.time + transfer.time;
    if let Some(limit) = inputs.workload.sla.ttft {
        if ttft0 > limit {
            return Err((PairReason::TransferBreaksTtft { prefill: p.time, transfer: transfer.time, limit }, None));
        }
    }
    let served = match inputs.workload.load {
        Load::MaxThroughput => pair.max_throughput(),
        Load::RequestRate(rate) => pair.at_rate(rate)?,
        Load::Concurrency(c) => pair.at_concurrency(c)?,
    };
    match inputs.workload.sla.ttft {
        Some(limit) if served.ttft > limit => Err((PairReason::SlaTtft { ttft: served.ttft, limit }, Some(Box::new(served)))),
        _ => Ok(served),
    }
}

/// What a given `x:y` of the pair serves at the scenario's load, without choosing the counts (a
/// measured run's, `disagg::measured`): at maximum throughput `min(x·c_P, y·c_D)` with no wait;
/// at a request rate λ up to that capacity, with the M/D/c wait over the x prefill workers (none
/// once they saturate: a run at or past capacity measures a growing queue no steady state
/// describes); at a concurrency the closed loop of `at_concurrency` at this y and x.
pub fn at_counts(inputs: &PlannerInputs, p: &PrefillWorker, d: &DecodeWorker, transfer: &Transfer, x: u32, y: u32) -> Served {
    Pair::new(inputs, p, d, transfer).at(x.max(1), y.max(1))
}

struct Pair<'a> {
    inputs: &'a PlannerInputs,
    /// Read by the benchmark client's wave only (`client`).
    #[cfg_attr(not(feature = "benchmark-arrivals"), allow(dead_code))]
    p: &'a PrefillWorker,
    d: &'a DecodeWorker,
    gp: u32,
    gd: u32,
    cp: f64,
    cd: f64,
    /// Prefill + transfer.
    ttft0: Seconds,
    osl: f64,
    /// The decode worker's stage costed once (its step at any batch).
    decode_cost: StageCost<'a>,
}

impl<'a> Pair<'a> {
    fn new(inputs: &'a PlannerInputs, p: &'a PrefillWorker, d: &'a DecodeWorker, transfer: &Transfer) -> Pair<'a> {
        Pair {
            inputs,
            p,
            d,
            gp: p.prepared.layout.gpus(),
            gd: d.prepared.layout.gpus(),
            cp: p.capacity,
            cd: d.capacity,
            ttft0: p.time + transfer.time,
            osl: inputs.workload.osl.max(1) as f64,
            decode_cost: d.prepared.cost(inputs, &inputs.params),
        }
    }

    fn fits(&self, x: u32, y: u32) -> bool {
        let c = &self.inputs.cluster;
        x as u64 * self.gp as u64 + y as u64 * self.gd as u64 <= c.total_gpus() as u64
            && nodes_needed(x, self.gp, y, self.gd, c.gpus_per_node) <= c.nodes as u64
    }

    fn gpus(&self, x: u32, y: u32) -> u32 {
        x * self.gp + y * self.gd
    }

    /// The most prefill workers that fit beside `y` decode workers (0: none).
    fn x_max(&self, y: u32) -> u32 {
        let total = self.inputs.cluster.total_gpus();
        let mut x = total.saturating_sub(y * self.gd) / self.gp;
        while x > 0 && !self.fits(x, y) {
            x -= 1;
        }
        x
    }

    /// The fewest prefill workers in `[1, x_max]` that keep up with `decode` requests/s (all
    /// `x_max` when none does), and what the pair then serves, `min(x·c_P, decode)`.
    fn best_x(&self, decode: f64, x_max: u32) -> (u32, f64) {
        let needed = (decode * (1.0 - TIE) / self.cp).ceil().max(1.0);
        let x = if needed >= x_max as f64 { x_max } else { needed as u32 };
        (x, (x as f64 * self.cp).min(decode))
    }

    /// Every y from `y_min` tried with its best x: the most served, the fewest GPUs among equals
    /// (within `TIE`); `decode` grows with y (a worker's batch only falls), and y stops growing
    /// once prefill binds with every prefill worker that fits.
    fn most_served(&self, y_min: u32, decode: impl Fn(u32) -> f64) -> Option<(u32, u32, f64)> {
        let mut best: Option<(u32, u32, f64)> = None;
        let mut y = y_min.max(1);
        loop {
            let x_max = self.x_max(y);
            if x_max == 0 {
                break;
            }
            let rate = decode(y);
            let (x, value) = self.best_x(rate, x_max);
            let better = match best {
                None => true,
                Some((bx, by, bv)) => {
                    value > bv * (1.0 + TIE) || (value >= bv * (1.0 - TIE) && self.gpus(x, y) < self.gpus(bx, by))
                }
            };
            if better {
                best = Some((x, y, value));
            }
            if x_max as f64 * self.cp <= rate {
                // Prefill binds with every prefill worker that fits: more decode workers leave
                // no more room for prefill, so none serves more, nor as much on fewer GPUs.
                break;
            }
            y += 1;
        }
        best
    }

    fn max_throughput(&self) -> Served {
        let (x, y, _) = self.most_served(1, |y| y as f64 * self.cd).unwrap_or((1, 1, 0.0));
        self.at_max(x, y)
    }

    /// What `x:y` serves at the maximum-throughput point: both sides' capacities, no queue; the
    /// client's TTFT (module doc) with the requests the decode workers hold in flight.
    fn at_max(&self, x: u32, y: u32) -> Served {
        let rate = (x as f64 * self.cp).min(y as f64 * self.cd);
        let mut s = self.served(x, y, rate, Seconds::ZERO);
        if let Some(client) = self.client(y as f64 * s.decode_batch, x, s.tpot) {
            s.ttft = client.front_end + s.ttft + client.clustered_wait;
            s.client = Some(client);
        }
        s
    }

    /// The benchmark client's parts (module doc) with `c` requests in flight over `x` prefill
    /// workers, each decoding at `tpot`; `None` under other arrivals and at a request rate.
    #[cfg(feature = "benchmark-arrivals")]
    fn client(&self, c: f64, x: u32, tpot: Seconds) -> Option<ClientParts> {
        use super::super::perf::closed_loop::{prefill_wave, ClientLoop, Latencies};
        let w = &self.inputs.workload;
        if w.arrivals != Arrivals::Benchmark || matches!(w.load, Load::RequestRate(_)) {
            return None;
        }
        let dp = self.p.prepared.layout.dp as f64;
        // A replica completes its batch of prompts every `round` (its capacity, per replica).
        let round = Seconds(self.p.batch * dp / self.cp.max(f64::MIN_POSITIVE));
        let own = self.p.time;
        let wave = prefill_wave(c, x as f64 * dp, self.p.batch, round, own, tpot * (self.osl - 1.0));
        let at = |ttft: Seconds| Latencies { ttft, tpot };
        let layers = self.inputs.model.num_layers();
        let client = ClientLoop::shipped(self.inputs.engine.engine).latencies(layers, at(own), wave.map(at));
        Some(ClientParts { front_end: client.front_end, clustered_wait: client.clustered_wait })
    }

    #[cfg(not(feature = "benchmark-arrivals"))]
    fn client(&self, _c: f64, _x: u32, _tpot: Seconds) -> Option<ClientParts> {
        None
    }

    fn at_rate(&self, offered: f64) -> Result<Served, Missed> {
        let service = Seconds(1.0 / self.cp.max(f64::MIN_POSITIVE));
        let queue = |x: u32| mdc_wait(offered / (x as f64 * self.cp), x as f64, service);
        let limit = self.inputs.workload.sla.ttft;
        let meets = |x: u32| queue(x).is_some_and(|q| limit.is_none_or(|l| q + self.ttft0 <= l));
        let (x_min, y_min) = ((offered / self.cp).floor() as u32 + 1, (offered / self.cd).floor() as u32 + 1);
        // The fewest GPUs that serve λ within the limit; the first count serving λ past it; the
        // most any count serves.
        let mut best: Option<(u32, u32)> = None;
        let mut miss: Option<(u32, u32)> = None;
        let mut most = (0.0f64, 1, 1);
        for y in 1.. {
            let x_max = self.x_max(y);
            if x_max == 0 || best.is_some_and(|(bx, by)| self.gpus(1, y) >= self.gpus(bx, by)) {
                break;
            }
            let capacity = (x_max as f64 * self.cp).min(y as f64 * self.cd);
            if capacity > most.0 {
                most = (capacity, x_max, y);
            }
            if y < y_min || x_min > x_max {
                continue;
            }
            match (x_min..=x_max).find(|&x| meets(x)) {
                Some(x) if best.is_none_or(|(bx, by)| self.gpus(x, y) < self.gpus(bx, by)) => best = Some((x, y)),
                Some(_) => {}
                None => miss = miss.or(Some((x_max, y))),
            }
        }
        let at = |x: u32, y: u32| self.served(x, y, offered, queue(x).unwrap_or(Seconds::ZERO));
        match (best, miss) {
            (Some((x, y)), _) => Ok(at(x, y)),
            (None, Some((x, y))) => {
                let s = at(x, y);
                Err((PairReason::SlaTtft { ttft: s.ttft, limit: limit.unwrap_or(s.ttft) }, Some(Box::new(s))))
            }
            (None, None) => {
                let (max, x, y) = most;
                Err((PairReason::Saturated { offered, max }, Some(Box::new(self.served(x, y, max, Seconds::ZERO)))))
            }
        }
    }

    fn at_concurrency(&self, concurrency: u32) -> Result<Served, Missed> {
        let c = concurrency as f64;
        let per_worker = self.d.prepared.layout.dp as f64 * self.d.batch;
        let y_min = (c / per_worker).ceil().max(1.0) as u32;
        let Some((x, y, _)) = self.most_served(y_min, |y| self.completes(c, y)) else {
            let y_max = (1..).take_while(|&y| self.x_max(y) > 0).last().unwrap_or(0);
            let max = y_max as f64 * per_worker;
            return Err((PairReason::ConcurrencyAboveCapacity { concurrency, max }, None));
        };
        Ok(self.closed_loop(c, x, y))
    }

    /// TPOT of the decode side of `y` workers with `c` requests in flight.
    fn tpot_at(&self, c: f64, y: u32) -> Seconds {
        let cost = &self.decode_cost;
        let dp = self.d.prepared.layout.dp as f64;
        decode_step(cost, self.inputs, c / (y as f64 * dp)).0
    }

    /// Requests/s the decode side of `y` workers completes with `c` requests in flight, each
    /// spending `ttft` before its first token: the closed loop's fixed point. With `n` requests
    /// decoding per replica (R = y·dp replicas), Little's law on the decode phase gives the rate
    /// `R·n / (OSL·TPOT(n))`, and on the loop `c = rate·(ttft + OSL·TPOT(n))`, so
    /// `n = f(n) = (c/R) / (1 + ttft / (OSL·TPOT(n)))`. `f` rises with `n` (TPOT does) and stays
    /// below `c/R`, so iterating it from `c/R` (all decoding) falls monotonically to the fixed
    /// point, in a few steps as TPOT changes slowly with the batch. The decoding requests are
    /// fewer than `c` (the others are before their first token), so TPOT is the one at that
    /// batch, as `served` finds it again from the rate.
    fn completes_after(&self, c: f64, y: u32, ttft: Seconds) -> f64 {
        let replicas = y as f64 * self.d.prepared.layout.dp as f64;
        let decode = |n: f64| decode_step(&self.decode_cost, self.inputs, n).0.value() * self.osl;
        let mut n = c / replicas;
        for _ in 0..100 {
            let next = (c / replicas) / (1.0 + ttft.value() / decode(n));
            let done = (n - next).abs() <= 1e-9 * n;
            n = next;
            if done {
                break;
            }
        }
        replicas * n / decode(n)
    }

    /// `completes_after` the TTFT without the wait for a prefill worker: the client's front end
    /// under benchmark arrivals (not its clustered wait, which depends on x: module doc).
    fn completes(&self, c: f64, y: u32) -> f64 {
        let front_end = self.client(c, 1, self.tpot_at(c, y)).map_or(Seconds::ZERO, |p| p.front_end);
        self.completes_after(c, y, front_end + self.ttft0)
    }

    /// What `x:y` serves with `c` requests in flight (the closed loop of `at_concurrency`).
    fn closed_loop(&self, c: f64, x: u32, y: u32) -> Served {
        let client = self.client(c, x, self.tpot_at(c, y));
        let ttft = client.map_or(self.ttft0, |p| p.front_end + self.ttft0 + p.clustered_wait);
        let (prefill, decode) = (x as f64 * self.cp, self.completes_after(c, y, ttft));
        let rate = prefill.min(decode);
        let mut s = self.served(x, y, rate, Seconds::ZERO);
        // Prefill binds: the loop's requests wait for it (Little's law on C in flight);
        // otherwise the decode side's fixed point has every request decoding or prefilling.
        let wait = Seconds(c / rate.max(f64::MIN_POSITIVE)) - s.tpot * self.osl - ttft;
        s.queue = if prefill < decode { wait.max(Seconds::ZERO) } else { Seconds::ZERO };
        s.ttft = ttft + s.queue;
        s.client = client;
        s
    }

    /// What a given `x:y` serves at the scenario's load (`at_counts`).
    fn at(&self, x: u32, y: u32) -> Served {
        let capacity = (x as f64 * self.cp).min(y as f64 * self.cd);
        match self.inputs.workload.load {
            Load::MaxThroughput => self.at_max(x, y),
            Load::RequestRate(offered) => {
                let rate = offered.min(capacity);
                let service = Seconds(1.0 / self.cp.max(f64::MIN_POSITIVE));
                let queue = mdc_wait(rate / (x as f64 * self.cp), x as f64, service);
                self.served(x, y, rate, queue.unwrap_or(Seconds::ZERO))
            }
            Load::Concurrency(c) => self.closed_loop(c as f64, x, y),
        }
    }

    /// The figures of `x:y` serving `rate` requests/s with a wait of `queue` for prefill.
    fn served(&self, x: u32, y: u32, rate: f64, queue: Seconds) -> Served {
        let cost = &self.decode_cost;
        let dp = self.d.prepared.layout.dp as f64;
        let per_replica = rate / (y as f64 * dp);
        // n = per_replica · OSL · TPOT(n): g(n) = that − n is positive near 0 and not positive
        // at the largest batch (the rate is within the workers' capacity there).
        let g = |n: f64| per_replica * self.osl * decode_step(cost, self.inputs, n).0.value() - n;
        let (mut lo, mut hi) = (0.0f64, self.d.batch);
        if g(hi) > 0.0 {
            lo = hi;
        }
        for _ in 0..30 {
            if hi - lo <= 1e-3 * hi {
                break;
            }
            let mid = 0.5 * (lo + hi);
            if g(mid) > 0.0 {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let n = hi;
        let (tpot, step, step_batch) = decode_step(cost, self.inputs, n);
        Served {
            x,
            y,
            gpus: self.gpus(x, y),
            rate,
            queue,
            ttft: self.ttft0 + queue,
            client: None,
            decode_batch: n * dp,
            tpot,
            step,
            step_batch,
        }
    }
}
