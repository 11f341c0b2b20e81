//! The plan's candidates as CSV, for the page's "Download candidates (CSV)" and anybody who
//! wants the table in a spreadsheet.
//!
//! Design decision: one row per enumerated candidate in the plan's order, the columns named
//! after the plan's JSON fields (`FORMAT.md`), memory flattened into `memory_<part>_gib`;
//! an absent figure (a rejected layout has no operating point) is an empty cell, never 0.
//! RFC 4180 quoting, CRLF line ends. A plan with disaggregated candidates gets a second block
//! after a blank line, one row per (prefill, decode) pair (`DISAGG_COLUMNS`), the first block
//! unchanged.

use super::plan::{Candidate, Plan};
#[cfg(feature = "disaggregation")]
use super::plan::disagg::DisaggCandidate;
use std::fmt::Write;

/// The header row's columns, in order.
pub const CSV_COLUMNS: [&str; 19] = [
    "tp",
    "pp",
    "dp",
    "ep",
    "feasible",
    "rejected_because",
    "concurrency",
    "ttft_ms",
    "tpot_ms",
    "output_tok_s",
    "output_tok_s_per_gpu",
    "tok_s_per_user",
    "memory_weights_gib",
    "memory_kv_cache_gib",
    "memory_activations_gib",
    "memory_overhead_gib",
    "memory_free_gib",
    "memory_capacity_gib",
    "bound",
];

/// Every candidate of `plan` as CSV text with a header row.
pub fn candidates_csv(plan: &Plan) -> String {
    let mut out = CSV_COLUMNS.join(",");
    out.push_str("\r\n");
    for c in &plan.candidates {
        row(&mut out, c);
    }
    #[cfg(feature = "disaggregation")]
    if let Some(d) = &plan.disaggregated {
        out.push_str("\r\n");
        out.push_str(&DISAGG_COLUMNS.join(","));
        out.push_str("\r\n");
        for c in &d.candidates {
            disagg_row(&mut out, c);
        }
    }
    out
}

/// The disaggregated block's columns, in order (`FORMAT.md`'s names, the workers' prefixed).
#[cfg(feature = "disaggregation")]
pub const DISAGG_COLUMNS: [&str; 21] = [
    "mode",
    "label",
    "prefill_count",
    "prefill_tp",
    "prefill_pp",
    "prefill_dp",
    "prefill_ep",
    "decode_count",
    "decode_tp",
    "decode_pp",
    "decode_dp",
    "decode_ep",
    "gpus_used",
    "feasible",
    "rejected_because",
    "ttft_ms",
    "tpot_ms",
    "output_tok_s_per_gpu",
    "tok_s_per_user",
    "kv_transfer_ms",
    "idle_gpus",
];

#[cfg(feature = "disaggregation")]
fn disagg_row(out: &mut String, c: &DisaggCandidate) {
    let (p, d) = (c.prefill.layout, c.decode.layout);
    let number = |v: Option<f64>| v.map_or_else(String::new, |v| v.to_string());
    let whole = |v: u32| v.to_string();
    let cells = [
        "disaggregated".to_string(),
        quote(&c.label),
        whole(c.prefill.count),
        whole(p.tp),
        whole(p.pp),
        whole(p.dp),
        whole(p.ep),
        whole(c.decode.count),
        whole(d.tp),
        whole(d.pp),
        whole(d.dp),
        whole(d.ep),
        whole(c.gpus_used),
        c.feasible.to_string(),
        c.rejected_because.as_deref().map_or_else(String::new, quote),
        number(c.ttft_ms),
        number(c.tpot_ms),
        number(c.output_tok_s_per_gpu),
        number(c.tok_s_per_user),
        number(Some(c.kv_transfer_ms)),
        whole(c.idle_gpus),
    ];
    // Writing to a String cannot fail.
    let _ = write!(out, "{}\r\n", cells.join(","));
}

fn row(out: &mut String, c: &Candidate) {
    let l = c.layout;
    let m = c.memory_per_gpu_gib;
    let number = |v: Option<f64>| v.map_or_else(String::new, |v| v.to_string());
    let cells = [
        l.tp.to_string(),
        l.pp.to_string(),
        l.dp.to_string(),
        l.ep.to_string(),
        c.feasible.to_string(),
        c.rejected_because.as_deref().map_or_else(String::new, quote),
        c.concurrency.map_or_else(String::new, |v| v.to_string()),
        number(c.ttft_ms),
        number(c.tpot_ms),
        number(c.output_tok_s),
        number(c.output_tok_s_per_gpu),
        number(c.tok_s_per_user),
        number(Some(m.weights)),
        number(Some(m.kv_cache)),
        number(Some(m.activations)),
        number(Some(m.overhead)),
        number(Some(m.free)),
        number(Some(m.capacity)),
        c.bound.as_deref().map_or_else(String::new, quote),
    ];
    // Writing to a String cannot fail.
    let _ = write!(out, "{}\r\n", cells.join(","));
}

/// The capacity plan's GPU comparison's header row (`capacity_csv`).
#[cfg(feature = "capacity")]
pub const CAPACITY_CSV_COLUMNS: [&str; 22] = [
    "gpu", "feasible", "reason", "gpus", "nodes", "tp", "pp", "dp", "ep", "replicas", "replica_capacity_req_s", "bottleneck",
    "output_tok_s_per_gpu", "tok_s_per_user", "ttft_ms", "tpot_ms", "usd_per_gpu_hour", "usd_per_m_output_tokens",
    "usd_per_m_total_tokens", "power_w_per_gpu", "kwh_per_m_output_tokens", "kwh_per_m_total_tokens",
];

/// The GPU comparison of `plan`'s `capacity` as CSV (one row per compared GPU, the whole
/// deployment's layout; empty cells where a figure is absent), or `None` without one.
#[cfg(feature = "capacity")]
pub fn capacity_csv(plan: &Plan) -> Option<String> {
    let capacity = plan.capacity.as_ref()?;
    let mut out = CAPACITY_CSV_COLUMNS.join(",");
    out.push_str("\r\n");
    let number = |v: Option<f64>| v.map_or_else(String::new, |v| v.to_string());
    let count = |v: Option<u32>| v.map_or_else(String::new, |v| v.to_string());
    for r in &capacity.per_gpu {
        let l = r.layout;
        let cells = [
            quote(&r.gpu),
            r.feasible.to_string(),
            r.reason.as_deref().map_or_else(String::new, quote),
            count(r.gpus),
            count(r.nodes),
            count(l.map(|l| l.tp)),
            count(l.map(|l| l.pp)),
            count(l.map(|l| l.dp)),
            count(l.map(|l| l.ep)),
            count(r.replicas),
            number(r.replica_capacity_req_s),
            r.bottleneck.as_deref().map_or_else(String::new, quote),
            number(r.output_tok_s_per_gpu),
            number(r.tok_s_per_user),
            number(r.ttft_ms),
            number(r.tpot_ms),
            number(r.usd_per_gpu_hour),
            number(r.usd_per_m_output_tokens),
            number(r.usd_per_m_total_tokens),
            number(r.power_w_per_gpu),
            number(r.kwh_per_m_output_tokens),
            number(r.kwh_per_m_total_tokens),
        ];
        // Writing to a String cannot fail.
        let _ = write!(out, "{}\r\n", cells.join(","));
    }
    Some(out)
}

/// A cell quoted when it holds a comma, a quote or a line break (RFC 4180).
fn quote(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planning::plan;
    use crate::scenario::ScenarioInput;

    fn llama_70b() -> Plan {
        let scenario = ScenarioInput::from_json(
            r#"{"model": "meta-llama/Llama-3.1-70B-Instruct", "gpu": "h100-sxm", "nodes": 2, "gpus_per_node": 8,
                "workload": {"isl": 2048, "osl": 512, "concurrency": 64}, "sla": {"tpot_ms": 50}}"#,
        )
        .unwrap();
        plan(&scenario).unwrap()
    }

    #[test]
    fn one_row_per_candidate_with_the_header_first() {
        let plan = llama_70b();
        let csv = candidates_csv(&plan);
        let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(lines[0], CSV_COLUMNS.join(","));
        assert_eq!(lines.len(), plan.candidates.len() + 1);
        for (line, c) in lines[1..].iter().zip(&plan.candidates) {
            let cells: Vec<&str> = line.split(',').collect();
            assert_eq!(cells.len(), CSV_COLUMNS.len(), "{line}");
            let layout = [c.layout.tp, c.layout.pp, c.layout.dp, c.layout.ep].map(|v| v.to_string());
            assert_eq!(cells[..4], layout, "{line}");
            assert_eq!(cells[4], c.feasible.to_string());
            assert_eq!(cells[5], c.rejected_because.clone().unwrap_or_default());
            // Numbers read back exactly; absent ones are empty cells.
            let read = |i: usize| (!cells[i].is_empty()).then(|| cells[i].parse::<f64>().unwrap());
            assert_eq!(read(7), c.ttft_ms);
            assert_eq!(read(10), c.output_tok_s_per_gpu);
            assert_eq!(read(17), Some(c.memory_per_gpu_gib.capacity));
        }
        assert!(plan.candidates.iter().any(|c| !c.feasible), "the test wants a rejected row too");
    }

    #[cfg(feature = "capacity")]
    #[test]
    fn the_capacity_comparison_is_one_row_per_gpu() {
        assert_eq!(capacity_csv(&llama_70b()), None, "no capacity, no table");
        let scenario = ScenarioInput::from_json(
            r#"{"model": "meta-llama/Llama-3.1-70B-Instruct", "gpu": "h100-sxm", "workload": {"isl": 2048, "osl": 512},
                "sla": {"tpot_ms": 50}, "capacity": {"target": {"request_rate": 10}, "gpus": ["h100-sxm", "h20"]}}"#,
        )
        .unwrap();
        let plan = plan(&scenario).unwrap();
        let csv = capacity_csv(&plan).unwrap();
        let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(lines[0], CAPACITY_CSV_COLUMNS.join(","));
        assert_eq!(lines.len(), 3, "{csv}");
        let h100: Vec<&str> = lines[1].split(',').collect();
        let row = &plan.capacity.as_ref().unwrap().per_gpu[0];
        assert_eq!(h100.len(), CAPACITY_CSV_COLUMNS.len(), "{}", lines[1]);
        assert_eq!((h100[0], h100[1], h100[3]), ("h100-sxm", "true", row.gpus.unwrap().to_string().as_str()));
        assert_eq!(h100[17].parse::<f64>().ok(), row.usd_per_m_output_tokens);
        assert!(lines[2].starts_with("h20,false,"), "{}", lines[2]);
    }

    #[cfg(feature = "disaggregation")]
    #[test]
    fn disaggregated_candidates_follow_in_a_second_block() {
        let scenario = ScenarioInput::from_json(
            r#"{"model": "llama-3.1-8b", "gpu": "h100-sxm", "workload": {"isl": 4096, "osl": 256}, "serving": "both"}"#,
        )
        .unwrap();
        let plan = plan(&scenario).unwrap();
        let csv = candidates_csv(&plan);
        let (first, second) = csv.split_once("\r\n\r\n").expect("two blocks");
        assert_eq!(first.split("\r\n").count(), plan.candidates.len() + 1, "the first block is unchanged");
        let lines: Vec<&str> = second.split("\r\n").filter(|l| !l.is_empty()).collect();
        let d = plan.disaggregated.as_ref().unwrap();
        assert_eq!(lines[0], DISAGG_COLUMNS.join(","));
        assert_eq!(lines.len(), d.candidates.len() + 1);
        for (line, c) in lines[1..].iter().zip(&d.candidates) {
            let cells: Vec<&str> = line.split(',').collect();
            assert_eq!(cells.len(), DISAGG_COLUMNS.len(), "{line}");
            assert_eq!(cells[1], c.label);
            assert_eq!(cells[12], c.gpus_used.to_string());
            let read = |i: usize| (!cells[i].is_empty()).then(|| cells[i].parse::<f64>().unwrap());
            assert_eq!(read(17), c.output_tok_s_per_gpu);
            assert_eq!(cells[20], c.idle_gpus.to_string());
        }
    }

    #[test]
    fn cells_with_commas_or_quotes_are_quoted() {
        assert_eq!(quote("plain"), "plain");
        assert_eq!(quote("a,b"), "\"a,b\"");
        assert_eq!(quote("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
