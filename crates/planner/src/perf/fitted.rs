//! Which performance parameters the planner uses for a GPU generation and an engine: the
//! shipped fit (`perf::shipped::FITS`, from `data/fitted-params.json`) where measurements of
//! that generation and engine exist, and a stated fallback where they do not.
//!
//! Fallback rule (`for_gpu`):
//! 1. a fit for this generation and engine: its values;
//! 2. a fit for this generation under another engine only (today every fit is TensorRT-LLM's):
//!    that fit's `Scope::Hardware` parameters (GEMM, attention, HBM and link efficiencies,
//!    hop and collective latencies: the same silicon runs similar kernels) with THIS engine's
//!    priors for every `Scope::Engine` parameter (step, layer and sequence overheads, MoE
//!    efficiency: where engines differ most). This is an extrapolation, and the plan says so
//!    (`note`); its ranges are wider (`perf::ranges`);
//! 3. no fit for the generation (Blackwell, CDNA, custom GPUs): the prior.

use super::super::engine::Engine;
use super::super::gpu::Generation;
use super::params::{PerfParams, Scope, PARAMS};
use super::shipped::FITS;
use super::tables::ShippedFit;

/// Where a GPU generation and engine's parameters come from (module doc, "Fallback rule").
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Provenance {
    /// Fitted on measurements of this generation and engine.
    Fitted,
    /// The hardware parameters of this generation's fit under another engine, this engine's
    /// priors for the rest.
    HardwareFittedUnder(Engine),
    /// No measurements of this generation: the prior.
    Prior,
}

/// The fit for `generation` and `engine` among the shipped fits.
pub fn lookup(generation: Generation, engine: Engine) -> Option<&'static ShippedFit> {
    FITS.iter().find(|f| f.generation == generation && f.engine == engine)
}

/// The parameters to plan with for a generation and engine, and where they come from.
pub fn for_gpu(generation: Generation, engine: Engine) -> (PerfParams, Provenance) {
    if let Some(f) = lookup(generation, engine) {
        return (f.values.params(), Provenance::Fitted);
    }
    let prior = PerfParams::prior(generation, engine);
    let Some(other) = FITS.iter().find(|f| f.generation == generation) else { return (prior, Provenance::Prior) };
    let (hardware, own) = (other.values.params().to_array(), prior.to_array());
    let mixed = std::array::from_fn(|i| if PARAMS[i].scope == Scope::Hardware { hardware[i] } else { own[i] });
    (PerfParams::from_array(mixed), Provenance::HardwareFittedUnder(other.engine))
}

/// What the plan says about a fallback (rule 2), naming what was taken from where; nothing for
/// a fit of this engine or the plain prior (the ranges say "uncalibrated" for that).
pub fn note(generation: Generation, engine: Engine) -> Option<String> {
    let Provenance::HardwareFittedUnder(other) = for_gpu(generation, engine).1 else { return None };
    let list = |scope: Scope| PARAMS.iter().filter(|s| s.scope == scope).map(|s| s.label).collect::<Vec<_>>().join(", ");
    Some(format!(
        "{} has no fit on {generation:?} GPUs: its {} are {}'s fit on this generation, its {} are {}'s priors (docs/perf-params.md).",
        engine.display_name(),
        list(Scope::Hardware),
        other.display_name(),
        list(Scope::Engine),
        engine.display_name(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::perf::params::Param;

    #[test]
    fn a_fit_of_this_engine_is_used_as_it_is() {
        let f = &FITS[0];
        assert_eq!(for_gpu(f.generation, f.engine), (f.values.params(), Provenance::Fitted));
        assert_eq!(note(f.generation, f.engine), None);
    }

    /// Issue 10: the fallback carried TensorRT-LLM's fitted `sequence_overhead` and
    /// `moe_efficiency` (engine-specific) over to vLLM and SGLang; every engine-scoped
    /// parameter must be that engine's prior, every hardware one the generation's fit, and
    /// the plan must say so.
    #[test]
    fn another_engine_takes_the_hardware_figures_and_its_own_priors() {
        let f = FITS.iter().find(|f| f.generation == Generation::Hopper).expect("a Hopper fit");
        for engine in Engine::ALL.into_iter().filter(|e| lookup(f.generation, *e).is_none()) {
            let (p, why) = for_gpu(f.generation, engine);
            assert_eq!(why, Provenance::HardwareFittedUnder(f.engine));
            let (x, fit, prior) = (p.to_array(), f.values.params().to_array(), PerfParams::prior(f.generation, engine).to_array());
            for s in &PARAMS {
                let (expected, from) = match s.scope {
                    Scope::Hardware => (fit[s.param as usize], "the fit"),
                    Scope::Engine => (prior[s.param as usize], "the prior"),
                };
                assert_eq!(x[s.param as usize], expected, "{engine:?} {}: expected {from}'s {expected}, got {}", s.json, x[s.param as usize]);
            }
            assert_ne!(p.sequence_overhead, f.values.params().sequence_overhead, "{engine:?}: the fitted sequence overhead leaked");
            let said = note(f.generation, engine).expect("the plan names the fallback");
            assert!(said.contains("sequence overhead") && said.contains(engine.display_name()), "{said}");
        }
        assert_eq!(Param::SequenceOverhead.spec().scope, Scope::Engine);
    }

    #[test]
    fn a_generation_without_measurements_gets_the_prior() {
        assert_eq!(for_gpu(Generation::Cdna3, Engine::Vllm), (PerfParams::prior(Generation::Cdna3, Engine::Vllm), Provenance::Prior));
        assert_eq!(note(Generation::Cdna3, Engine::Vllm), None);
    }
}
