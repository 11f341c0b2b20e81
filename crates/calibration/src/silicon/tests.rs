//! The silicon sample read and scored whole, the mapping's rules on small rows, and the two
//! model tables checked against the full configs in `data/model-configs/`.

use super::score::{line, part, report, score, scores, Figures, Scored, PARTS};
use super::*;
use crate::metrics::{median, relative_error, Compared};
use planner::model::from_config_json;
use planner::perf::fitted;
use std::path::PathBuf;

pub(super) fn repository_file(relative: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub(super) fn sample() -> SiliconSet {
    read(&repository_file("data/calibration/aiconfigurator-silicon-sample.csv")).expect("the sample reads")
}

/// Rows of the sample and, of them, disaggregated ones, counted from the text alone.
fn counted_in_text(text: &str) -> (usize, usize) {
    let rows: Vec<crate::csv::Row> = crate::csv::blocks(text).into_iter().flatten().collect();
    let mode = rows[0].cells.iter().position(|c| c == "mode").expect("a mode column");
    (rows.len() - 1, rows[1..].iter().filter(|r| r.cells[mode] == "disagg").count())
}

/// Used rows the mapping gives today, less a margin for catalog changes: 2,000 of the 3,619
/// aggregated rows.
const MIN_USED: usize = 2000;

#[test]
fn every_row_of_the_sample_is_used_or_skipped_with_a_reason() {
    let text = repository_file("data/calibration/aiconfigurator-silicon-sample.csv");
    let set = read(&text).expect("the sample reads");
    let (rows, disaggregated) = counted_in_text(&text);
    let held = set.rows.iter().filter(|r| r.held_out).count();
    println!(
        "silicon sample: {rows} rows, {} used ({held} held out), {} skipped ({disaggregated} disaggregated)",
        set.rows.len(),
        set.skipped.len()
    );
    assert_eq!(set.rows.len() + set.disaggregated.len() + set.skipped.len(), rows, "used + skipped against the file's data rows");
    assert_eq!(
        set.skipped.iter().filter(|s| s.disaggregated).count() + set.disaggregated.len(),
        disaggregated,
        "disaggregated rows used and skipped against those in the file"
    );
    assert!(
        set.rows.iter().all(|r| r.point.measurement.disaggregated.is_none())
            && set.disaggregated.iter().all(|r| r.point.measurement.disaggregated.is_some()),
        "aggregated and disaggregated rows in their own lists"
    );
    assert!(set.rows.len() >= MIN_USED, "used rows: expected ≥ {MIN_USED}, actual {}", set.rows.len());
    let unexplained: Vec<&Skipped> = set.skipped.iter().filter(|s| s.reason.trim().is_empty()).collect();
    assert!(unexplained.is_empty(), "skipped without a reason: {unexplained:?}");
    for engine in ["trtllm", "vllm", "sglang"] {
        for (i, name) in PARTS.iter().enumerate().skip(1) {
            let n = set.rows.iter().filter(|r| r.point.group.engine == engine && r.held_out == (i == 2)).count();
            assert!(n > 0, "{engine}: expected rows in the {name}, actual none");
        }
    }
}

#[test]
fn the_shipped_parameters_are_scored_on_every_used_row() {
    let set = sample();
    let scored = score(&set, |p| fitted::for_gpu(p.generation(), p.engine()).0);
    let text = report(&set, &scored, "shipped");
    let headline: Vec<&str> = text.lines().skip_while(|l| !l.contains("rows unpred")).take(4).collect();
    println!("{}", headline.join("\n"));
    println!("{}", text.lines().find(|l| l.starts_with("Best layout")).unwrap_or(""));
    // Every used row has finite, positive predictions, or a recorded reason.
    for s in &scored {
        match &s.figures {
            Ok(f) => {
                for c in [&f.ttft_ms, &f.tpot_ms, &f.output_tok_s_per_gpu] {
                    assert!(
                        c.predicted.is_finite() && c.predicted > 0.0 && c.measured.is_finite() && c.measured > 0.0,
                        "{}: predicted {} against measured {}: expected both finite and positive",
                        s.row.id,
                        c.predicted,
                        c.measured
                    );
                }
            }
            Err(e) => assert!(!e.kind.is_empty() && !e.detail.is_empty(), "{}: no prediction and no reason", s.row.id),
        }
    }
    // The report's lines carry the metrics' numbers, recomputed here from the rows.
    for (i, name) in PARTS.iter().enumerate() {
        let rows: Vec<&Scored> = part(&scored, i);
        let s = scores(&rows);
        let figures: Vec<_> = rows.iter().filter_map(|r| r.figures.as_ref().ok()).collect();
        let errors = |pick: fn(&Figures) -> &Compared| -> Vec<f64> {
            figures.iter().map(|f| pick(f)).map(|c| relative_error(c.predicted, c.measured)).collect()
        };
        let abs = |e: &[f64]| e.iter().map(|x| x.abs()).collect::<Vec<_>>();
        let tolerance = 1e-12;
        for (figure, summary, e) in [
            ("TTFT", s.ttft, errors(|f| &f.ttft_ms)),
            ("TPOT", s.tpot, errors(|f| &f.tpot_ms)),
            ("output tok/s per GPU", s.output_tok_s_per_gpu, errors(|f| &f.output_tok_s_per_gpu)),
        ] {
            let (expected_abs, expected_bias) = (median(&abs(&e)), median(&e));
            assert!(
                (summary.median_abs_error - expected_abs).abs() <= tolerance
                    && (summary.median_error - expected_bias).abs() <= tolerance,
                "{name}, {figure}: median |error| expected {expected_abs}, actual {}; bias expected {expected_bias}, actual {} (tolerance {tolerance})",
                summary.median_abs_error,
                summary.median_error
            );
        }
        assert_eq!(s.rows - s.unpredicted, figures.len(), "{name}: predicted rows");
        let printed = line(name, &s);
        assert!(text.contains(&printed), "{name}: expected the report to print\n{printed}\nactual report:\n{text}");
    }
}

#[test]
fn checkpoint_variants_import_to_their_presets_spec() {
    for (checkpoint, preset, file) in CHECKPOINT_VARIANTS {
        let config: serde_json::Value =
            serde_json::from_str(&repository_file(&format!("data/model-configs/{file}"))).expect("a JSON config");
        let mut variant = from_config_json(checkpoint, &config).expect("the variant's config imports").spec;
        let expected = catalog::lookup(preset).expect("the preset is in the catalog").spec;
        variant.name = expected.name.clone();
        assert!(variant == expected, "{checkpoint}: expected the spec of {preset}, actual a different one");
    }
}

#[test]
fn the_split_hashes_with_fnv_1a_and_is_stable() {
    // Published FNV-1a 64-bit test vectors (Fowler, Noll, Vo; draft-eastlake-fnv).
    assert_eq!(fnv1a_64(""), 0xcbf2_9ce4_8422_2325);
    assert_eq!(fnv1a_64("a"), 0xaf63_dc4c_8601_ec8c);
    assert_eq!(fnv1a_64("foobar"), 0x8594_4171_f739_67e8);
    assert_eq!(held_out("a"), 0xaf63_dc4c_8601_ec8c % HELD_OUT_ONE_IN == 0);
}

const HEADER: &str = "id,silicon_data_source,backend,backend_version,model_path,system,precision,gemm_quant_mode,moe_quant_mode,mode,isl,osl,batch_size,tp_size,pp_size,attention_dp_size,moe_tp_size,moe_ep_size,silicon_ttft_ms,silicon_tpot_ms\n";

/// A sample with one row per `(model, precision modes, sizes, source, mode)`.
fn one_row(model: &str, modes: &str, sizes: &str, source: &str, mode: &str) -> SiliconSet {
    read(&format!("{HEADER}r1,{source},trtllm,1.0.0rc3,{model},b200_sxm,{modes},{mode},1024,1024,{sizes},500,20\n"))
        .expect("a sample")
}

#[test]
fn an_attention_dp_row_becomes_its_scenario() {
    // DeepSeek-R1, fp4, 16 requests on each of 8 attention-DP ranks, experts 8 ways.
    let set = one_row("deepseek-ai/DeepSeek-R1", "fp4,nvfp4,nvfp4", "16,1,1,8,1,8", "silicon_concurrency=128", "agg");
    assert_eq!(set.skipped, []);
    let r = &set.rows[0];
    let m = &r.point.measurement;
    assert_eq!((m.layout.tp, m.layout.pp, m.layout.dp, m.layout.ep), (1, 1, 8, 8));
    assert_eq!(r.concurrency, 128);
    assert_eq!(m.scenario.workload.concurrency, Some(128.0));
    assert_eq!(m.scenario.workload.arrivals, Some(Arrivals::Synchronized));
    assert_eq!((m.scenario.nodes, m.scenario.gpus_per_node), (Some(1.0), Some(8.0)));
    assert_eq!((m.scenario.weights, m.scenario.kv_cache), (Some(WeightPrecision::Fp4), Some(KvPrecision::Fp8)));
    assert_eq!((m.ttft_ms, m.tpot_ms), (Some(500.0), Some(20.0)));
    // 128 × 1024 tokens per 0.5 + 1023 × 0.02 s, over 8 GPUs.
    let expected = 128.0 * 1024.0 / (0.5 + 1023.0 * 0.02) / 8.0;
    let tolerance = 1e-9 * expected;
    assert!(
        (m.output_tok_s_per_gpu - expected).abs() <= tolerance,
        "derived tok/s per GPU: expected {expected}, actual {}, tolerance {tolerance}",
        m.output_tok_s_per_gpu
    );
    assert_eq!(r.point.group.fixed, "8 GPUs, trtllm 1.0.0rc3");
}

#[test]
fn a_dense_row_without_precision_takes_the_checkpoint_precision() {
    let set = one_row("meta-llama/Llama-3.1-8B-Instruct", ",,", "16,2,1,,0,0", "silicon_concurrency=16", "agg");
    assert_eq!(set.skipped, []);
    let m = &set.rows[0].point.measurement;
    assert_eq!((m.layout.tp, m.layout.dp, m.layout.ep), (2, 1, 1), "moe sizes of a dense model ignored");
    assert_eq!((m.scenario.weights, m.scenario.kv_cache), (Some(WeightPrecision::Bf16), Some(KvPrecision::Bf16)));
    assert_eq!(m.scenario.gpus_per_node, Some(2.0));
}

#[test]
fn rows_the_planner_cannot_take_as_written_are_skipped_with_their_reason() {
    let fp8 = "fp8,fp8,fp8";
    let cases = [
        (one_row("deepseek-ai/DeepSeek-R1", fp8, "16,8,1,,1,8", "", "disagg"), "disaggregated"),
        (one_row("nvidia/Qwen3-32B-NVFP4", "fp4,nvfp4,nvfp4", "16,2,1,1,1,1", "", "agg"), "no config.json"),
        (one_row("Qwen/Qwen3-235B-A22B-FP8", fp8, "16,1,1,,2,1", "", "agg"), "2 × 1 against 1 × 1"),
        (one_row("deepseek-ai/DeepSeek-R1", fp8, "16,8,1,1,8,1", "silicon_concurrency=128", "agg"), "silicon_concurrency in the source"),
        (one_row("deepseek-ai/DeepSeek-R1", "fp8,nvfp4,fp8", "16,8,1,1,8,1", "", "agg"), "one weight precision"),
        (one_row("Qwen/Qwen3-32B", fp8, "16,2,1,0,0,0", "", "agg"), "attention_dp_size"),
        (one_row("Qwen/Qwen3-32B", fp8, "16,2,1,1,1,1", "measured=2026-01-23", "agg"), "no client concurrency"),
    ];
    for (set, expected) in cases {
        assert_eq!(set.rows.len(), 0, "expected a skip for: {expected}");
        let Skipped { reason, detail, .. } = &set.skipped[0];
        let said = format!("{reason} ({detail})");
        assert!(said.contains(expected), "reason: expected to contain `{expected}`, actual `{said}`");
    }
}

#[test]
fn a_row_whose_sizes_contradict_its_id_is_skipped() {
    let text = format!(
        "{HEADER}x_c16_tp8_ep8_920,silicon_concurrency=16,trtllm,,deepseek-ai/DeepSeek-R1,b200_sxm,fp8,fp8,fp8,agg,1024,1024,16,64,1,1,8,8,500,20\n\
         y_c16_tp8_0_ep8_0_974,silicon_concurrency=128,trtllm,,deepseek-ai/DeepSeek-R1,b200_sxm,fp8,fp8,fp8,agg,1024,1024,16,1,1,8,1,8,400,20\n"
    );
    let set = read(&text).expect("a sample");
    assert_eq!(set.rows.len(), 1, "the row whose sizes match its id (tp 1 × attention DP 8 = tp8) is used");
    let Skipped { id, reason, detail, .. } = &set.skipped[0];
    assert_eq!((id.as_str(), reason.as_str()), ("x_c16_tp8_ep8_920", "sizes that contradict the layout the row's id names"));
    assert_eq!(detail, "id tp8 ep8; tp_size × attention_dp_size = 64 × 1, ep 8");
}

#[test]
fn one_run_recorded_twice_is_used_once_or_not_at_all() {
    let row = |id: &str, model: &str, tp: u32| {
        format!("{id},silicon_concurrency=16,trtllm,,{model},b200_sxm,fp8,fp8,fp8,agg,1024,1024,16,{tp},1,1,{tp},1,512.25,20.125\n")
    };
    // DeepSeek-V3 and -R1 share one spec: the same scenario; the copy is skipped.
    let same = read(&format!("{HEADER}{}{}", row("a", "deepseek-ai/DeepSeek-V3", 8), row("b", "deepseek-ai/DeepSeek-R1", 8)))
        .expect("a sample");
    assert_eq!(same.rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["a"]);
    assert_eq!((same.skipped[0].reason.as_str(), same.skipped[0].detail.as_str()), (REPEATED_RUN, "line 2"));
    // The same TTFT and TPOT with another layout: which one ran is unknown; both are skipped.
    let conflict = read(&format!("{HEADER}{}{}", row("a", "deepseek-ai/DeepSeek-R1", 8), row("b", "deepseek-ai/DeepSeek-R1", 4)))
        .expect("a sample");
    assert_eq!(conflict.rows.len(), 0);
    for s in &conflict.skipped {
        assert_eq!((s.reason.as_str(), s.detail.as_str()), (CONFLICTING_RUN, "lines 2, 3"));
    }
}

/// The benchmark client's shipped constants (`planner::perf::closed_loop`) are the grid optimum
/// of `client_fit` on the fit part, and the fit's closed form over the rows' parts gives the
/// planner's own benchmark operating point (so the fit searches the model that ships).
#[test]
fn the_shipped_client_constants_are_the_fits_optimum() {
    use planner::perf::closed_loop::ClientLoop;
    let set = sample();
    let (rows, left_out) = client_fit::parts(&set, |p| fitted::for_gpu(p.generation(), p.engine()).0);
    println!("client fit: {} rows with their parts, {left_out} left out", rows.len());
    assert!(rows.len() >= MIN_USED && left_out * 20 < rows.len(), "{} rows, {left_out} left out", rows.len());
    for r in &rows {
        let (p, _) = r.predicted(&ClientLoop::shipped(r.engine));
        for (name, closed, planner) in [("TTFT", p.ttft, r.benchmark.ttft), ("TPOT", p.tpot, r.benchmark.tpot)] {
            let off = (closed.value() / planner.value() - 1.0).abs();
            assert!(off <= 1e-9, "{name}: expected {planner:?} (planner), actual {closed:?} (closed form), tolerance 1e-9 relative");
        }
    }
    let fits = client_fit::fit(&rows);
    assert_eq!(fits.len(), 3, "{fits:?}");
    for f in fits {
        let shipped = ClientLoop::shipped(f.engine);
        println!(
            "{}: expected (fitted) {:.2} ms/layer, clustering {:.2}; actual (shipped) {:.2}, {:.2}; tolerance 1e-9",
            f.engine.id(),
            f.best.per_layer.ms(),
            f.best.clustering,
            shipped.per_layer.ms(),
            shipped.clustering
        );
        assert!((f.best.per_layer - shipped.per_layer).value().abs() <= 1e-12 && (f.best.clustering - shipped.clustering).abs() <= 1e-9);
    }
}
