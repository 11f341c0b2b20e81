//! Mean waiting times of Poisson arrivals at a server, for TTFT under a request rate.
//!
//! Design decision: closed-form approximations, not simulation, so a wait costs a few flops.
//! A serving engine's work per request is nearly deterministic (fixed ISL / OSL), so the
//! deterministic-service forms apply: M/D/1 exactly (Pollaczek–Khinchine), M/D/c through the
//! M/M/c approximation halved (the Allen–Cunneen correction `(1 + c_s²)/2` with service
//! variability `c_s = 0`).

use super::super::units::Seconds;

/// Mean wait in queue of an M/D/1 queue with utilisation `rho` and service time `service`:
/// `ρ·S / (2(1 − ρ))` (Pollaczek–Khinchine mean-value formula; Kleinrock, *Queueing Systems*
/// vol. 1, 1975, §5.7). `None` when `rho ≥ 1`: the queue grows without bound.
pub fn md1_wait(rho: f64, service: Seconds) -> Option<Seconds> {
    if rho.is_nan() || rho >= 1.0 {
        return None;
    }
    let rho = rho.max(0.0);
    Some(service * (rho / (2.0 * (1.0 - rho))))
}

/// Mean wait in queue of an M/D/c queue: `c` servers, utilisation `rho` (per server), service
/// time `service`. The M/M/c wait from Sakasegawa's approximation of the queue length,
/// `L_q ≈ ρ^√(2(c+1)) / (1 − ρ)` (Sakasegawa 1977, Ann. Inst. Stat. Math. 29), i.e.
/// `W_q ≈ S·ρ^(√(2(c+1)) − 1) / (c(1 − ρ))`, halved for deterministic service (Allen–Cunneen).
/// Exact for c = 1 (where it is `md1_wait`). `None` when `rho ≥ 1`.
pub fn mdc_wait(rho: f64, servers: f64, service: Seconds) -> Option<Seconds> {
    if rho.is_nan() || rho >= 1.0 {
        return None;
    }
    let rho = rho.max(0.0);
    let c = servers.max(1.0);
    let exponent = (2.0 * (c + 1.0)).sqrt() - 1.0;
    Some(service * (0.5 * rho.powf(exponent) / (c * (1.0 - rho))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md1_is_half_of_mm1() {
        // M/M/1 wait ρS/(1 − ρ) = 0.8/0.2 · 1 s = 4 s; deterministic service halves it.
        let w = md1_wait(0.8, Seconds(1.0)).unwrap();
        assert!((w.value() - 2.0).abs() < 1e-12, "{w:?}");
        assert_eq!(md1_wait(1.0, Seconds(1.0)), None);
        assert_eq!(md1_wait(f64::NAN, Seconds(1.0)), None);
    }

    #[test]
    fn mdc_matches_md1_for_one_server_and_falls_with_more_servers() {
        // c = 1: exponent √4 − 1 = 1, so the formula is exactly M/D/1.
        let one = mdc_wait(0.8, 1.0, Seconds(1.0)).unwrap();
        assert!((one.value() - 2.0).abs() < 1e-12, "{one:?}");
        let mut last = one;
        for c in [2.0, 8.0, 64.0, 1024.0] {
            let w = mdc_wait(0.8, c, Seconds(1.0)).unwrap();
            assert!(w < last, "c = {c}: {w:?} !< {last:?}");
            last = w;
        }
    }
}
