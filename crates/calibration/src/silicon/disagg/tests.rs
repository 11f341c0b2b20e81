//! The disaggregated rows: one row of the sample read into its deployment and predicted, the
//! skip reasons on small rows, and the aggregated rows and their figures unchanged by reading
//! the disaggregated ones.

use super::super::score::{body, score, score_disaggregated};
use super::super::tests::{repository_file, sample};
use super::super::{read, Skipped, SiliconRow};
use super::NO_WORKERS;
use planner::disagg::measured::{Deployment, Side};
use planner::perf::fitted;

const SAMPLE: &str = "data/calibration/aiconfigurator-silicon-sample.csv";

fn row<'a>(rows: &'a [SiliconRow], id: &str) -> &'a SiliconRow {
    rows.iter().find(|r| r.id == id).unwrap_or_else(|| panic!("{id}: expected among the used disaggregated rows"))
}

#[test]
fn a_disaggregated_row_becomes_its_deployment_and_is_predicted() {
    // Line 81: Kimi-K2.5 fp4 on GB200 under TensorRT-LLM, 1 prefill worker (tp 1 × attention
    // DP 4, experts 4 ways, 1 prompt per step) and 4 decode workers (tp 8, experts 8 ways) of 1
    // request each: concurrency 4, 1024/1024, TTFT 195.51 ms, TPOT 5.3168 ms.
    let set = sample();
    let r = row(&set.disaggregated, "kimik2_5_gb200_trtllm_fp4_disagg_1024x1024_c4_cfg759");
    let m = &r.point.measurement;
    let w = m.disaggregated.expect("the row's workers");
    println!("read: {} (line {}), [{}], C {}", w.label(), r.line, r.point.group.fixed, r.concurrency);
    let sides = |l: planner::layout::Layout| (l.tp, l.pp, l.dp, l.ep);
    assert_eq!((w.prefill.count, sides(w.prefill.layout)), (1, (1, 1, 4, 4)), "prefill workers");
    assert_eq!((w.decode.count, sides(w.decode.layout)), (4, (8, 1, 1, 8)), "decode workers");
    assert_eq!(w.prefill_batch, Some(1), "prefill prompts per step");
    assert_eq!((r.line, r.concurrency, r.point.group.fixed.as_str()), (81, 4, "36 GPUs, trtllm 1.1.0-dev.2"));
    assert_eq!((m.scenario.nodes, m.scenario.gpus_per_node), (Some(9.0), Some(4.0)), "36 GPUs on nodes of 4");
    let (ttft, tpot) = (195.51323120103916, 5.316830920749418);
    assert_eq!((m.ttft_ms, m.tpot_ms), (Some(ttft), Some(tpot)));
    let expected = 4.0 * 1024.0 / ((ttft + 1023.0 * tpot) / 1e3) / 36.0;
    let tolerance = 1e-9 * expected;
    println!("measured tok/s per GPU: expected {expected}, actual {}, tolerance {tolerance}", m.output_tok_s_per_gpu);
    assert!((m.output_tok_s_per_gpu - expected).abs() <= tolerance);

    let params = fitted::for_gpu(r.point.generation(), r.point.engine()).0;
    let deployment = r.point.deployment.as_ref().expect("prepared as a deployment");
    let f = deployment.figures(&r.point.inputs, &params).expect("the deployment serves");
    println!(
        "predicted: TTFT {:.1} ms (prefill {:.1} + transfer {:.2} + queue {:.1}), TPOT {:.2} ms, {:.1} tok/s per GPU; measured {ttft:.1}, {tpot:.2}, {:.1}",
        f.ttft.ms(),
        f.prefill.ms(),
        f.transfer.ms(),
        f.queue.ms(),
        f.tpot.ms(),
        f.output_tok_s / 36.0,
        m.output_tok_s_per_gpu
    );
    let parts = (f.prefill + f.transfer + f.queue).ms();
    assert!((f.ttft.ms() - parts).abs() <= 1e-9 * parts, "TTFT {} against its parts {parts}", f.ttft.ms());
    let scored = score_disaggregated(&set, |p| fitted::for_gpu(p.generation(), p.engine()).0);
    let s = scored.iter().find(|s| std::ptr::eq(s.row, r)).expect("scored");
    let figures = s.figures.as_ref().expect("a prediction");
    assert_eq!(figures.tpot_ms.predicted, f.tpot.ms(), "the score predicts with disagg::measured");
    assert_eq!(figures.output_tok_s_per_gpu.measured, m.output_tok_s_per_gpu);

    // The row's prefill batch is used: the engine's own cap lets the prefill worker batch up to
    // its token budget, so one prompt's prefill takes longer.
    let side = |w: crate::Workers| Side { count: w.count, layout: w.layout };
    let uncapped = Deployment::new(&r.point.inputs, side(w.prefill), side(w.decode)).expect("a deployment");
    let g = uncapped.figures(&r.point.inputs, &params).expect("the deployment serves");
    println!("prefill of one prompt: capped at 1 per step {:.1} ms, at the engine's cap {:.1} ms", f.prefill.ms(), g.prefill.ms());
    assert!(f.prefill < g.prefill, "expected the 1-prompt prefill shorter than the engine's batched one");
}

const HEADER: &str = "id,silicon_data_source,backend,backend_version,model_path,system,precision,gemm_quant_mode,moe_quant_mode,mode,isl,osl,batch_size,tp_size,pp_size,attention_dp_size,moe_tp_size,moe_ep_size,\
prefill_batch_size,prefill_num_workers,prefill_tp_size,prefill_pp_size,prefill_attention_dp_size,prefill_moe_tp_size,prefill_moe_ep_size,\
decode_batch_size,decode_num_workers,decode_tp_size,decode_pp_size,decode_attention_dp_size,decode_moe_tp_size,decode_moe_ep_size,silicon_ttft_ms,silicon_tpot_ms\n";

/// A DeepSeek-R1 fp8 row on B200 with `id`, `source` and the 14 side cells `sides`.
fn disagg_row(id: &str, source: &str, sides: &str) -> String {
    format!("{id},{source},trtllm,0.8.1,deepseek-ai/DeepSeek-R1,b200_sxm,fp8,fp8,fp8,disagg,1024,1024,,,,,,,{sides},500,20\n")
}

#[test]
fn disaggregated_rows_that_state_no_deployment_or_contradict_themselves_are_skipped() {
    let ok = "1,1,1,1,8,1,8,16,2,8,1,1,1,8";
    let cases = [
        (disagg_row("a_cfg1", "silicon_concurrency=32", ",,1,1,8,1,8,,,8,1,1,1,8"), NO_WORKERS, "prefill_num_workers, decode_num_workers"),
        (disagg_row("b_cfg1", "silicon_concurrency=64", ok), "≠ the client's silicon_concurrency", "16 × 2 × 1 = 32 against 64"),
        (disagg_row("c_cfg1", "measured=2026-01-28", ok), "no client concurrency", "16 × 2 × 1 = 32"),
        (disagg_row("d_cfg1", "silicon_concurrency=32", "1,1,1,1,8,1,8,16,2,8,1,1,2,8"), "expert split", "decode: 2 × 8 against 8 × 1"),
        (disagg_row("e_c32_tp4_ep4_1", "silicon_concurrency=32", ok), "contradict the layout the row's id names", "id tp4 ep4"),
    ];
    for (text, reason, detail) in cases {
        let set = read(&format!("{HEADER}{text}")).expect("a sample");
        assert_eq!(set.disaggregated.len(), 0, "expected a skip for `{reason}`");
        let Skipped { reason: said, detail: particulars, disaggregated, .. } = &set.skipped[0];
        assert!(disaggregated, "{said}: counted as a disaggregated row");
        assert!(
            said.contains(reason) && particulars.contains(detail),
            "expected `{reason}` ({detail}), actual `{said}` ({particulars})"
        );
    }
    // The same row with consistent sizes is used: 8 prefill GPUs + 2 × 8 decode GPUs.
    let set = read(&format!("{HEADER}{}", disagg_row("f_cfg1", "silicon_concurrency=32", ok))).expect("a sample");
    assert_eq!(set.skipped, [], "the consistent row");
    assert_eq!(set.disaggregated[0].point.group.fixed, "24 GPUs, trtllm 0.8.1");
    assert_eq!(set.disaggregated[0].concurrency, 32);
}

#[test]
fn reading_the_disaggregated_rows_leaves_the_aggregated_ones_and_their_figures_unchanged() {
    let text = repository_file(SAMPLE);
    let without: String = text.split_inclusive('\n').filter(|l| !l.contains(",disagg,")).collect();
    let (with, alone) = (read(&text).expect("the sample"), read(&without).expect("the sample without disaggregated rows"));
    assert_eq!(alone.disaggregated.len(), 0);
    let ids = |rows: &[SiliconRow]| rows.iter().map(|r| (r.line, r.id.clone(), r.held_out)).collect::<Vec<_>>();
    let lines_after: Vec<(usize, String, bool)> = ids(&alone.rows);
    // Removing the rows moves the later lines: compare by id and split.
    let strip = |v: Vec<(usize, String, bool)>| v.into_iter().map(|(_, id, h)| (id, h)).collect::<Vec<_>>();
    assert_eq!(strip(ids(&with.rows)), strip(lines_after), "the aggregated rows used");
    let shipped = |p: &crate::Point| fitted::for_gpu(p.generation(), p.engine()).0;
    let (mut a, mut b) = (String::new(), String::new());
    body(&mut a, &score(&with, shipped));
    body(&mut b, &score(&alone, shipped));
    assert!(a == b, "the aggregated figures: expected\n{b}\nactual\n{a}");
}

/// `--benchmark-arrivals` reaches the disaggregated rows (`with_arrivals`): line 83, Kimi-K2.5
/// on GB200 under TensorRT-LLM at a client's concurrency of 192, 1024/1024, one prefill worker
/// of 4 attention-DP replicas at 1 prompt per step (pp 1, so a replica completes a prompt every
/// own prefill). Its TTFT is the client's (`planner::perf::closed_loop`): the front end
/// (2.25 ms × 61 layers) + queue + prefill + transfer + 0.15 × the synchronized wave's wait
/// beyond the own prefill, the 192 prompts 48 per replica, one per round: the mean prompt waits
/// 23.5 rounds. The aggregated rows' figures are those of the sample without its disaggregated
/// rows, under the same arrivals.
#[test]
fn benchmark_arrivals_time_the_disaggregated_rows_with_the_client_and_leave_the_aggregated_figures() {
    use super::super::with_arrivals;
    use planner::workload::Arrivals;
    let text = repository_file(SAMPLE);
    let set = with_arrivals(read(&text).expect("the sample"), Arrivals::Benchmark);
    let r = row(&set.disaggregated, "kimik2_5_gb200_trtllm_fp4_disagg_1024x1024_c192_cfg759");
    assert_eq!((r.line, r.concurrency), (83, 192));
    let w = r.point.measurement.disaggregated.expect("the row's workers");
    let sides = |l: planner::layout::Layout| (l.tp, l.pp, l.dp, l.ep);
    assert_eq!((w.prefill.count, sides(w.prefill.layout), w.prefill_batch), (1, (1, 1, 4, 4), Some(1)));
    let params = fitted::for_gpu(r.point.generation(), r.point.engine()).0;
    let f = r.point.deployment.as_ref().expect("a deployment").figures(&r.point.inputs, &params).expect("it serves");
    println!(
        "TTFT {:.1} ms = front end {:.2} + queue {:.1} + prefill {:.2} + clustered {:.1} + transfer {:.2}; measured {:.1}",
        f.ttft.ms(),
        f.front_end.ms(),
        f.queue.ms(),
        f.prefill.ms(),
        f.clustered_wait.ms(),
        f.transfer.ms(),
        r.point.measurement.ttft_ms.unwrap()
    );
    let check = |what: &str, actual: f64, expected: f64| {
        let tolerance = 1e-9 * expected.abs();
        assert!((actual - expected).abs() <= tolerance, "{what}: expected {expected}, actual {actual}, tolerance {tolerance}");
    };
    assert_eq!(r.point.inputs.model.num_layers(), 61);
    check("front end ms", f.front_end.ms(), 2.25 * 61.0);
    check("clustered wait ms", f.clustered_wait.ms(), 0.15 * 23.5 * f.prefill.ms());
    check("TTFT ms", f.ttft.ms(), (f.front_end + f.queue + f.prefill + f.clustered_wait + f.transfer).ms());
    let scored = score_disaggregated(&set, |p| fitted::for_gpu(p.generation(), p.engine()).0);
    let s = scored.iter().find(|s| std::ptr::eq(s.row, r)).expect("scored");
    assert_eq!(s.figures.as_ref().expect("a prediction").ttft_ms.predicted, f.ttft.ms(), "the score times the client's TTFT");

    let without: String = text.split_inclusive('\n').filter(|l| !l.contains(",disagg,")).collect();
    let alone = with_arrivals(read(&without).expect("the sample without disaggregated rows"), Arrivals::Benchmark);
    let shipped = |p: &crate::Point| fitted::for_gpu(p.generation(), p.engine()).0;
    let (mut a, mut b) = (String::new(), String::new());
    body(&mut a, &score(&set, shipped));
    body(&mut b, &score(&alone, shipped));
    assert!(a == b, "the aggregated figures under benchmark arrivals: expected\n{b}\nactual\n{a}");
}
