//! A given disaggregated deployment — its prefill and decode worker layouts and counts, as a
//! measured run had them — timed under any performance parameters: what calibration predicts a
//! disaggregated run with (`calibration::Point`), by the search's own arithmetic.
//!
//! Design decision: as `evaluate::Prepared` for an aggregated layout, the parts that do not
//! depend on the parameters (each worker's memory plan and stage load, the KV bytes per
//! request) are gathered once (`Deployment::new`), and each parameter vector a fit tries only
//! re-times them (`Deployment::figures`): the workers (`workers::prefill`, `workers::decode`),
//! the transfer (`transfer`) and what the run's x:y serves at its load (`pairing::at_counts`),
//! never choosing other counts, since the run had these. A run that states its prefill
//! workers' batch (prompts per step, e.g. the silicon sample's `prefill_batch_size`) caps the
//! prefill engine's requests per step at it (`Deployment::with_prefill_batch`); the decode
//! workers' batch follows from the load (a concurrency spread over the decode replicas). The
//! plan's ranges of the deployment (`Deployment::range`) are those of the search's candidate at
//! these counts (`report::candidate`).

use super::super::error::InputError;
use super::super::evaluate::{Evaluator, Prepared};
use super::super::inputs::PlannerInputs;
use super::super::layout::Layout;
use super::super::perf::PerfParams;
use super::super::plan::disagg::DisaggCandidate;
use super::super::plan::Range;
use super::super::reject::RejectReason;
use super::super::units::{Bytes, Seconds};
use super::pairing::{at_counts, Served};
use super::placement::nodes_needed;
use super::report::candidate;
use super::transfer::{bytes_per_request, transfer, Transfer};
use super::workers::{decode, first_reason, prefill, prefill_inputs, DecodeWorker, PrefillWorker};

/// One side of a deployment: how many workers of which layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Side {
    pub count: u32,
    pub layout: Layout,
}

/// A deployment prepared for re-timing. When the planner judges either side's layout unable to
/// run (it does not divide the model or fit memory) it keeps the reason: the prediction is then
/// "cannot run", as for an aggregated layout (`calibration::Point::prepared`).
#[derive(Debug, Clone)]
pub struct Deployment {
    pub prefill: Side,
    pub decode: Side,
    prefill_inputs: PlannerInputs,
    prepared: Result<(Prepared, Prepared), RejectReason>,
    bytes: Bytes,
}

/// What the deployment serves under one parameter vector, with the parts of its TTFT.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figures {
    /// Output tokens per second of the whole deployment.
    pub output_tok_s: f64,
    /// One request's prefill on its prefill worker, its KV transfer, and its wait for a prefill
    /// worker: together the TTFT, with, under benchmark arrivals (`pairing`'s module doc), the
    /// benchmark client's front end and clustered wait (zero under other arrivals).
    pub prefill: Seconds,
    pub transfer: Seconds,
    pub queue: Seconds,
    pub front_end: Seconds,
    pub clustered_wait: Seconds,
    pub ttft: Seconds,
    pub tpot: Seconds,
}

impl Deployment {
    /// Prepare `prefill` and `decode` workers on `inputs`' cluster; an error names the side whose
    /// layout is malformed or whose workers do not fit the cluster's GPUs and nodes.
    pub fn new(inputs: &PlannerInputs, prefill: Side, decode: Side) -> Result<Deployment, InputError> {
        Deployment::with_prefill_batch(inputs, prefill, decode, None)
    }

    /// `new`, each prefill replica's engine capped at `prompts` requests per step when the run
    /// states it (`None`: the engine's own cap, as `new`); an error names the field when the
    /// cap is 0.
    pub fn with_prefill_batch(
        inputs: &PlannerInputs,
        prefill: Side,
        decode: Side,
        prompts: Option<u32>,
    ) -> Result<Deployment, InputError> {
        if prompts == Some(0) {
            return Err(InputError::new("disaggregated.prefill.batch", "must be at least 1"));
        }
        for (name, side) in [("prefill", prefill), ("decode", decode)] {
            let l = side.layout;
            Layout::new(l.tp, l.pp, l.dp, l.ep, l.gpus())
                .map_err(|e| InputError::new(format!("disaggregated.{name}.{}", e.field()), e.to_string()))?;
            if side.count == 0 {
                return Err(InputError::new(format!("disaggregated.{name}.count"), "must be at least 1"));
            }
        }
        let c = &inputs.cluster;
        let (gp, gd) = (prefill.layout.gpus(), decode.layout.gpus());
        let gpus = prefill.count as u64 * gp as u64 + decode.count as u64 * gd as u64;
        let nodes = nodes_needed(prefill.count, gp, decode.count, gd, c.gpus_per_node);
        if gpus > c.total_gpus() as u64 || nodes > c.nodes as u64 {
            return Err(InputError::new(
                "disaggregated",
                format!(
                    "{} × {gp} prefill and {} × {gd} decode GPUs need {gpus} GPUs on {nodes} nodes; the cluster has {} on {}",
                    prefill.count,
                    decode.count,
                    c.total_gpus(),
                    c.nodes
                ),
            ));
        }
        let mut prefill_inputs = prefill_inputs(inputs);
        if let Some(k) = prompts {
            prefill_inputs.engine.max_batch_requests = k;
        }
        let mut prefill_evaluator = Evaluator::new(&prefill_inputs);
        let prepared = match (prefill_evaluator.prepare(prefill.layout), Evaluator::new(inputs).prepare(decode.layout)) {
            (Ok(p), Ok(d)) => Ok((p, d)),
            (Err(e), _) | (_, Err(e)) => Err(first_reason(&e)),
        };
        Ok(Deployment { prefill, decode, prefill_inputs, prepared, bytes: bytes_per_request(inputs) })
    }

    /// The deployment's figures at `inputs`' load under `params`, or why it cannot serve.
    pub fn figures(&self, inputs: &PlannerInputs, params: &PerfParams) -> Result<Figures, RejectReason> {
        let Timed { at, p, t, s, .. } = self.timed(inputs, params)?;
        Ok(Figures {
            output_tok_s: s.rate * at.workload.osl.max(1) as f64,
            prefill: p.time,
            transfer: t.time,
            queue: s.queue,
            front_end: s.client.map_or(Seconds::ZERO, |c| c.front_end),
            clustered_wait: s.client.map_or(Seconds::ZERO, |c| c.clustered_wait),
            ttft: s.ttft,
            tpot: s.tpot,
        })
    }

    /// The ranges the plan would show beside the deployment's figures under `params` (the
    /// search's candidate at these counts, `report::candidate`); `None` when it cannot serve or
    /// the range table has no cell for it.
    pub fn range(&self, inputs: &PlannerInputs, params: &PerfParams) -> Option<Range> {
        self.candidate(inputs, params).ok()?.range
    }

    /// The deployment as the search's candidate at these counts (`report::candidate`), under
    /// `params`, or why it cannot serve.
    pub fn candidate(&self, inputs: &PlannerInputs, params: &PerfParams) -> Result<DisaggCandidate, RejectReason> {
        let Timed { at, p, d, t, s } = self.timed(inputs, params)?;
        Ok(candidate(&at, &at.regime(), &p, &d, &t, Some(&s), None))
    }

    /// Both sides' workers, the transfer and what the run's x:y serves under `params`.
    fn timed(&self, inputs: &PlannerInputs, params: &PerfParams) -> Result<Timed, RejectReason> {
        let (p, d) = self.prepared.as_ref().map_err(|r| *r)?;
        let at = PlannerInputs { params: *params, ..inputs.clone() };
        let prefill_at = PlannerInputs { params: *params, ..self.prefill_inputs.clone() };
        let p = prefill(&prefill_at, p.clone())?;
        let d = decode(&at, d.clone())?;
        let t = transfer(&at, self.bytes, &p.prepared.layout, &d.prepared.layout);
        let s = at_counts(&at, &p, &d, &t, self.prefill.count, self.decode.count);
        Ok(Timed { at, p, d, t, s })
    }
}

/// One re-timing's pieces (`Deployment::timed`).
struct Timed {
    at: PlannerInputs,
    p: PrefillWorker,
    d: DecodeWorker,
    t: Transfer,
    s: Served,
}
