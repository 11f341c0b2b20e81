//! The prefill phase of a synchronized wave of prompts, counted step by step: the aggregated
//! synchronized arrivals (`serving`) and a closed loop's prompts at disaggregated prefill
//! workers (`closed_loop::prefill_wave`) both use it, so it sits below both.

/// The prefill phase of a wave of `n` prompts of `isl` tokens, `budget` prompt tokens per step.
/// Also the wave of a closed loop's prompts at disaggregated prefill workers
/// (`closed_loop::prefill_wave`, counted in prompts: `isl` 1, `budget` prompts per round).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Wave {
    /// Prefill steps.
    pub(super) steps: f64,
    /// Mean step in which a prompt completes (1-based).
    pub(super) mean_completion: f64,
    /// Share of the prompts completing in the last step.
    pub(super) last_share: f64,
    /// Prompts complete before the last step (they decode in it).
    pub(super) before_last: f64,
    /// Mean prompts already complete per prefill step (decoding in it).
    pub(super) mean_done: f64,
    /// Prompt tokens in the last step.
    pub(super) last_tokens: f64,
}

/// Prefill steps counted one by one up to this many; beyond it, the sum of the step indices is
/// taken in closed form (off by at most half a step per step, under 1 % of the sum).
const EXACT_WAVE_STEPS: f64 = 64.0;

impl Wave {
    pub(super) fn new(n: f64, isl: f64, budget: f64) -> Wave {
        let total = n * isl;
        let steps = (total / budget).ceil().max(1.0);
        let per_step = budget / isl;
        // Prompts complete after step j: c(j) = min(n, ⌊j·budget / isl⌋).
        let done = |j: f64| (j * per_step + 1e-9).floor().min(n);
        let sum_done = if steps <= EXACT_WAVE_STEPS {
            (1..steps as u32).map(|j| done(j as f64)).sum::<f64>()
        } else {
            (per_step * steps * (steps - 1.0) / 2.0 - (steps - 1.0) / 2.0).clamp(0.0, n * (steps - 1.0))
        };
        let before_last = done(steps - 1.0);
        Wave {
            steps,
            mean_completion: (steps * n - sum_done) / n,
            last_share: ((n - before_last) / n).clamp(0.0, 1.0),
            before_last,
            mean_done: sum_done / steps,
            last_tokens: (total - (steps - 1.0) * budget).clamp(0.0, budget),
        }
    }
}
