//! The peer comparison on a two-row sample: the rows written for the peer, a tiny predictions
//! file scored (one row's errors checked by hand), the rows both predicted and the report.

use super::*;
use crate::silicon::read;
use crate::silicon::score::score;
use planner::perf::fitted;

/// Llama-3.1-70B FP8 on 8 B200 with TensorRT-LLM, batch 16, 1024/1024 (the spot check:
/// measured TPOT 6.5 ms), and the same deployment at batch 4.
const SAMPLE: &str = "id,silicon_data_source,backend,backend_version,model_path,system,precision,gemm_quant_mode,moe_quant_mode,mode,isl,osl,batch_size,tp_size,pp_size,attention_dp_size,moe_tp_size,moe_ep_size,silicon_ttft_ms,silicon_tpot_ms\n\
l70_c16,src; silicon_concurrency=16,trtllm,1.2.0,meta-llama/Llama-3.1-70B,b200_sxm,fp8,fp8,fp8,agg,1024,1024,16,8,1,1,,,120,6.5\n\
l70_c4,src; silicon_concurrency=4,trtllm,1.2.0,meta-llama/Llama-3.1-70B,b200_sxm,fp8,fp8,fp8,agg,1024,1024,4,8,1,1,,,80,5.0\n";

/// AIConfigurator's estimate of the first row (`cli estimate`, 0.12.0: TTFT 90.21 ms, TPOT
/// 9.661 ms) and an error for the second.
const PREDICTIONS: &str = "line,id,aic_ttft_ms,aic_tpot_ms,aic_error,aic_kv_cache_warning\n\
2,l70_c16,90.214,9.6614,,0\n\
3,l70_c4,,,\"PerfDataNotAvailableError: perf database error: GEMM perf data missing for quant 'fp8' at <aic>/x\",\n";

const TOLERANCE: f64 = 1e-9;

fn check(what: &str, expected: f64, actual: f64) {
    println!("{what}: expected {expected:.9}, actual {actual:.9}, tolerance {TOLERANCE:e}");
    assert!((expected - actual).abs() <= TOLERANCE, "{what}: expected {expected}, actual {actual}, tolerance {TOLERANCE}");
}

#[test]
fn a_peer_row_is_scored_like_ours_and_compared_on_the_rows_both_predict() {
    let set = read(SAMPLE).expect("the sample reads");
    assert_eq!(set.rows.len(), 2, "used rows: {:?}", set.skipped);
    let ours = score(&set, |p| fitted::for_gpu(p.generation(), p.engine()).0);
    let configs = BTreeMap::from([("meta-llama/Llama-3.1-70B".to_string(), "meta-llama--Meta-Llama-3.1-70B.json".to_string())]);

    let rows = rows_csv(SAMPLE, &ours, &configs).expect("rows written");
    let lines: Vec<&str> = rows.lines().collect();
    assert_eq!(lines[0], ROW_COLUMNS.join(","));
    let first: Vec<&str> = lines[1].split(',').collect();
    let field = |name: &str| first[ROW_COLUMNS.iter().position(|c| *c == name).expect("a column")];
    for (name, expected) in [
        ("line", "2"),
        ("config_file", "meta-llama--Meta-Llama-3.1-70B.json"),
        ("system", "b200_sxm"),
        ("backend", "trtllm"),
        ("kv_cache", "fp8"),
        ("tp", "8"),
        ("moe_tp", ""),
        ("batch_size", "16"),
    ] {
        assert_eq!(field(name), expected, "rows CSV column {name}: expected {expected:?}, actual {:?}", field(name));
    }

    let predictions = read_predictions(PREDICTIONS).expect("predictions read");
    let peer = score_peer(&ours, &predictions).expect("ids agree");
    let f = peer[0].figures.as_ref().expect("the first row predicted");
    check("TTFT error", 90.214 / 120.0 - 1.0, f.ttft_ms.error());
    check("TPOT error", 9.6614 / 6.5 - 1.0, f.tpot_ms.error());
    // 16 requests × 1024 tokens per lifetime of TTFT + 1023 TPOTs, over 8 GPUs.
    let tok_s = |ttft: f64, tpot: f64| 16.0 * 1024.0 / ((ttft + 1023.0 * tpot) / 1e3) / 8.0;
    check("tok/s/GPU error", tok_s(90.214, 9.6614) / tok_s(120.0, 6.5) - 1.0, f.output_tok_s_per_gpu.error());
    let e = peer[1].figures.as_ref().expect_err("the second row raised");
    assert_eq!(e.kind, "PerfDataNotAvailableError: perf database error: GEMM perf data missing for quant");

    let (a, b) = paired(&ours, &peer);
    assert_eq!((a.len(), b.len()), (1, 1), "rows both predicted");
    assert_eq!(a[0].row.line, 2);
    let text = report(&ours, &peer, "AIC", 10);
    println!("{text}");
    assert!(text.contains("AIC predicts 1 (lacks 1); both: 1."), "coverage line missing:\n{text}");

    let wrong = PREDICTIONS.replace("2,l70_c16", "2,other");
    let error = score_peer(&ours, &read_predictions(&wrong).expect("reads")).expect_err("an id that is not the sample's");
    assert!(error.message.contains("`other`"), "{error}");
}

#[test]
fn a_predictions_row_with_neither_times_nor_an_error_is_refused_by_line() {
    let text = "line,id,aic_ttft_ms,aic_tpot_ms,aic_error\n2,a,90,,\n";
    let error = read_predictions(text).expect_err("a row without a TPOT");
    assert!(error.message.contains("line 2"), "{error}");
}
