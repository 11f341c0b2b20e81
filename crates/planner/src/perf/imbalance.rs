//! The slowest expert-parallel rank: with the routed experts split over `R` ranks, a MoE layer
//! waits for the rank whose experts the step's tokens touch most, not for the mean rank.
//!
//! Design decision: at a few tokens per step the roofline's MoE time is the touched experts'
//! weight reads, and how many of a rank's `n` experts the tokens touch varies from rank to
//! rank: each expert is touched with probability `f` (`StageCost::experts_touched`), so a
//! rank's count has mean `n·f` and variance about `n·f·(1 − f)` (the experts taken as
//! independent: a token's `k` choices are distinct, which makes them slightly less so). The
//! layer ends with the slowest rank: the expected largest of `R` such counts, approximated as
//! the mean plus `z_R` standard deviations, `z_R` the expected largest of `R` standard normal
//! draws (Blom's formula, `z_R ≈ Φ⁻¹((R − 0.375)/(R + 0.25))`; Blom, "Statistical estimates and
//! transformed beta-variables", 1958), capped at every expert. No fitted constant: it is the
//! arithmetic of uniform routing. At hundreds of tokens every rank touches nearly all of its
//! experts and the correction vanishes; the skew of real routing (some experts more popular)
//! is `moe_efficiency`'s and the kernel tables' business, not this.

/// Expected largest of `ranks` independent standard normal draws (Blom's approximation); 0 for
/// one rank or fewer.
pub fn expected_max_of_normals(ranks: f64) -> f64 {
    if !ranks.is_finite() || ranks <= 1.0 {
        return 0.0;
    }
    inverse_normal((ranks - 0.375) / (ranks + 0.25))
}

/// The expected share of its `local` experts that the slowest of `ranks` ranks reads, each
/// expert touched with probability `mean` (module doc); `z` is `expected_max_of_normals(ranks)`.
pub fn slowest_share(mean: f64, local: f64, z: f64) -> f64 {
    if mean.is_nan() || local.is_nan() || mean <= 0.0 || local <= 0.0 || z <= 0.0 {
        return if mean.is_nan() { 0.0 } else { mean.clamp(0.0, 1.0) };
    }
    let mean = mean.min(1.0);
    (mean + z * (mean * (1.0 - mean) / local).sqrt()).min(1.0)
}

/// The standard normal quantile Φ⁻¹(p) for 0 < p < 1, by Acklam's rational approximation
/// (relative error below 1.2·10⁻⁹, more than these uses need).
fn inverse_normal(p: f64) -> f64 {
    const A: [f64; 6] = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
    const B: [f64; 5] = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
    const C: [f64; 6] = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
    const D: [f64; 4] = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
    let p = p.clamp(1e-300, 1.0 - 1e-16);
    let tail = |q: f64| (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0);
    if p < 0.02425 {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - 0.02425 {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The expected largest of R standard normals, `∫ x·R·φ(x)·Φ(x)^(R−1) dx` (Harter,
    /// "Expected values of normal order statistics", Biometrika 48, 1961, tabulates it; these
    /// are that integral evaluated numerically for R = 2 … 64): Blom's approximation within
    /// 0.03.
    #[test]
    fn blom_matches_the_tabulated_expected_maxima() {
        for (ranks, exact) in [(2.0, 0.5642), (4.0, 1.0294), (8.0, 1.4236), (16.0, 1.7660), (32.0, 2.0697), (64.0, 2.3437)] {
            let z = expected_max_of_normals(ranks);
            println!("R {ranks}: expected {exact}, actual {z:.4}, tolerance 0.03");
            assert!((z - exact).abs() <= 0.03, "R {ranks}: {z} against {exact}");
        }
        assert_eq!(expected_max_of_normals(1.0), 0.0);
    }

    /// A Monte-Carlo check of the slowest rank's share at a few tokens: 4 tokens choosing 10 of
    /// 512 experts over 8 ranks of 64 (Qwen3.5-397B at EP 8), by a fixed-seed simulation of
    /// the routing; the approximation within 15 % of it.
    #[test]
    fn the_slowest_rank_matches_a_simulation_of_uniform_routing() {
        let (experts, k, ranks, tokens) = (512usize, 10usize, 8usize, 4usize);
        let local = experts / ranks;
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = |bound: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % bound as u64) as usize
        };
        let trials = 20_000;
        let mut sum = 0.0;
        for _ in 0..trials {
            let mut touched = vec![false; experts];
            for _ in 0..tokens {
                // k distinct experts per token.
                let mut mine: Vec<usize> = Vec::with_capacity(k);
                while mine.len() < k {
                    let e = next(experts);
                    if !mine.contains(&e) {
                        mine.push(e);
                        touched[e] = true;
                    }
                }
            }
            let most = (0..ranks).map(|r| touched[r * local..(r + 1) * local].iter().filter(|t| **t).count()).max().unwrap();
            sum += most as f64 / local as f64;
        }
        let simulated = sum / trials as f64;
        let mean = 1.0 - (1.0 - k as f64 / experts as f64).powi(tokens as i32);
        let actual = slowest_share(mean, local as f64, expected_max_of_normals(ranks as f64));
        println!("slowest rank's share: simulated {simulated:.4}, actual {actual:.4} (mean rank {mean:.4}), tolerance 15 %");
        assert!((actual / simulated - 1.0).abs() <= 0.15, "{actual} against {simulated}");
    }

    proptest! {
        /// The slowest rank reads at least the mean share and at most every expert.
        #[test]
        fn the_slowest_share_lies_between_the_mean_and_all(mean in 0.0f64..1.0, local in 1.0f64..512.0, ranks in 1.0f64..256.0) {
            let s = slowest_share(mean, local, expected_max_of_normals(ranks));
            prop_assert!(s >= mean - 1e-12 && s <= 1.0, "{s} {mean}");
        }
    }
}
