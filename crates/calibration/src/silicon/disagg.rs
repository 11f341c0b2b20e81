//! The silicon sample's disaggregated rows (`mode` = `disagg`: x prefill workers of one layout,
//! y decode workers of another, the KV cache moved between them), each read into the deployment
//! a user would describe (`Measurement::disaggregated`), predicted by the planner's own
//! arithmetic for a given deployment (`planner::disagg::measured`), or skipped with its reason.
//!
//! The mapping, beyond the aggregated rows' (model, GPU, engine, precisions: the parent module):
//! - each side's layout from its `{side}_tp_size`, `_pp_size`, `_attention_dp_size`,
//!   `_moe_tp_size`, `_moe_ep_size` by the aggregated rows' rules (the expert split must cover
//!   the side's tp × attention DP GPUs); its count from `{side}_num_workers`. A row that leaves
//!   the counts or batch sizes blank (1,328 of the sample's 1,602, all from two source files)
//!   states no deployment: skipped (`NO_WORKERS`).
//! - where the row's id names a layout (`…_tp2_0_ep2_0_…`), it must be one of the two sides'
//!   (the ids do not say which); the used rows' ids name none (`…_cfg759`, `…_tpnone_…`).
//! - load: concurrency = `decode_batch_size × decode_num_workers × decode_attention_dp_size`
//!   (requests per attention-DP rank, as `batch_size` in an aggregated row), which must equal
//!   the client's `silicon_concurrency`. The planner spreads that concurrency over the decode
//!   replicas (`disagg::pairing`'s closed loop), so each decodes the row's `decode_batch_size`
//!   less the requests in prefill. `prefill_batch_size` caps each prefill replica's engine at
//!   that many prompts per step (`Deployment::with_prefill_batch`; the planner's prefill worker
//!   otherwise batches up to its token budget).
//! - cluster: the nodes the workers take (`disagg::placement::nodes_needed`, on nodes of the
//!   GPU's usual size, or one node when fewer). Measured and predicted tokens/s per GPU are both
//!   over the cluster's GPUs (the planner's convention, idle ones counting zero), so their
//!   relative error is that over the deployment's GPUs,
//!   `C × OSL / (TTFT + (OSL − 1) × TPOT) / (x·GPUs_P + y·GPUs_D)`.
//! - split: `held_out` of the aggregated key's columns and both sides' counts and sizes, so a
//!   deployment's every load falls on one side.

use super::{
    common, derived_output_tok_s_per_gpu, named_layout, scenario, sizes, skip, check_concurrency, used, Cells, Skip,
    SiliconRow, DEPLOYMENT, SIDE_COLUMNS,
};
use crate::measurement::{DisaggWorkers, Measurement, Workers};
use planner::disagg::placement::nodes_needed;
use planner::kernels::Library;
use planner::layout::Layout;

/// Why a disaggregated row without its worker counts and batch sizes is skipped.
pub const NO_WORKERS: &str =
    "disaggregated: worker counts or batch sizes blank (prefill_/decode_num_workers, _batch_size): no deployment stated";

/// One disaggregated data row as a used row (its point prepared as the deployment), or why it
/// is skipped.
pub(super) fn row(c: &Cells, line: usize, library: &Library) -> Result<SiliconRow, Skip> {
    let common = common(c)?;
    let counts = ["prefill_num_workers", "decode_num_workers", "prefill_batch_size", "decode_batch_size"];
    let blank: Vec<&str> = counts.into_iter().filter(|name| c.get(name).is_empty()).collect();
    if !blank.is_empty() {
        return Err(skip(NO_WORKERS, blank.join(", ")));
    }
    let side = |prefix: &str| -> Result<(Workers, u32), Skip> {
        let count = c.whole(&format!("{prefix}_num_workers"), 1, None)?;
        let batch = c.whole(&format!("{prefix}_batch_size"), 1, None)?;
        let (tp, pp, dp, ep) = sizes(c, &format!("{prefix}_"), common.moe)?;
        let gpus = u64::from(tp) * u64::from(pp) * u64::from(dp);
        let gpus = u32::try_from(gpus).map_err(|_| skip("more GPUs than the planner counts", format!("{prefix}: {gpus}")))?;
        let layout =
            Layout::new(tp, pp, dp, ep, gpus).map_err(|e| skip("sizes that form no layout", format!("{prefix}: {e}")))?;
        Ok((Workers { count, layout }, batch))
    };
    let ((prefill, prefill_batch), (decode, decode_batch)) = (side("prefill")?, side("decode")?);
    if let Some((stage, named_ep)) = named_layout(c.get("id")) {
        let names = |l: &Layout| stage == l.tp * l.dp && (!common.moe || named_ep.is_none_or(|m| m == l.ep));
        if !names(&prefill.layout) && !names(&decode.layout) {
            let named = named_ep.map_or("none".to_string(), |m| m.to_string());
            return Err(skip(
                "sizes that contradict the layout the row's id names",
                format!("id tp{stage} ep{named}; prefill {}, decode {}", prefill.layout, decode.layout),
            ));
        }
    }
    let dp = decode.layout.dp;
    let concurrency = u64::from(decode_batch) * u64::from(decode.count) * u64::from(dp);
    let said = format!("{decode_batch} × {} × {dp} = {concurrency}", decode.count);
    check_concurrency(c, "decode_batch_size × decode_num_workers × decode_attention_dp_size", concurrency, &said)?;
    let concurrency = concurrency as u32;
    let total = u64::from(prefill.count) * u64::from(prefill.layout.gpus())
        + u64::from(decode.count) * u64::from(decode.layout.gpus());
    let gpus = u32::try_from(total).map_err(|_| skip("more GPUs than the planner counts", format!("{total}")))?;
    let node = common.node;
    let (nodes, per_node) = if gpus <= node {
        (1, gpus)
    } else {
        let nodes = nodes_needed(prefill.count, prefill.layout.gpus(), decode.count, decode.layout.gpus(), node);
        (u32::try_from(nodes).map_err(|_| skip("more nodes than the planner counts", format!("{nodes}")))?, node)
    };
    let (isl, osl) = (c.whole("isl", 1, None)?, c.whole("osl", 2, None)?);
    let (ttft_ms, tpot_ms) = (c.millis("silicon_ttft_ms")?, c.millis("silicon_tpot_ms")?);
    let cluster = nodes * per_node;
    let measurement = Measurement {
        scenario: scenario(&common, isl, osl, concurrency, nodes, per_node),
        layout: decode.layout,
        output_tok_s_per_gpu: derived_output_tok_s_per_gpu(concurrency, osl, ttft_ms, tpot_ms, cluster),
        ttft_ms: Some(ttft_ms),
        tpot_ms: Some(tpot_ms),
        disaggregated: Some(DisaggWorkers { prefill, decode, prefill_batch: Some(prefill_batch) }),
    };
    // The split's key (`held_out`): the side columns' counts and sizes, not the batch sizes,
    // which change with the load.
    let sides = SIDE_COLUMNS.iter().filter(|name| !name.ends_with("_batch_size"));
    let key: Vec<&str> = DEPLOYMENT.iter().chain(sides).map(|name| c.get(name)).collect();
    used(c, line, library, &common, measurement, gpus, concurrency, &key.join("|"))
}

#[cfg(test)]
mod tests;
