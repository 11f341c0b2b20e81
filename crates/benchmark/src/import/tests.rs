//! Every sample of `data/bench-results/` imported with its expected outcome; malformed
//! files refused with a message saying what was expected; and no text makes `import` panic.

use super::*;
use proptest::prelude::*;
use std::path::{Path, PathBuf};

/// `data/bench-results/`: real result files (their sources in that folder's README).
pub(crate) fn samples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/bench-results")
}

/// Every result file (not the README), as `tool-folder/name`.
fn sample_files() -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for folder in std::fs::read_dir(samples_dir()).expect("bench-results is readable") {
        let folder = folder.expect("entry").path();
        if !folder.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&folder).expect("folder is readable") {
            let path = file.expect("entry").path();
            let key = format!("{}/{}", folder.file_name().unwrap().to_string_lossy(), path.file_name().unwrap().to_string_lossy());
            out.push((key, path));
        }
    }
    out.sort();
    out
}

/// tp, pp, dp, ep and where they were read.
type LayoutCheck = (u32, u32, u32, u32, LayoutSource);

/// What one run of a sample must hold. `None` fields are not checked; `Some(None)` checks
/// absence.
#[derive(Default)]
struct Expect {
    run: usize,
    output_tok_s: f64,
    ttft_mean: Option<Option<f64>>,
    tpot_mean: Option<Option<f64>>,
    tpot_median: Option<f64>,
    load: Option<MeasuredLoad>,
    layout: Option<Option<LayoutCheck>>,
    model: Option<&'static str>,
    gpu: Option<&'static str>,
    engine: Option<Option<Engine>>,
    mean_lengths: Option<(Option<f64>, Option<f64>)>,
    requested: Option<(Option<u32>, Option<u32>)>,
    note_contains: Option<&'static str>,
    disaggregated: bool,
}

/// The file's own numbers, compared within 1e-12 relative: serde_json's default float parser
/// may land one unit in the last place away from Python's shortest repr.
fn same(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() <= 1e-12 * expected.abs().max(1.0)
}

fn check(file: &str, run: &MeasuredRun, e: &Expect) {
    let ctx = format!("{file} run {}", e.run + 1);
    assert!(same(run.output_tok_s, e.output_tok_s), "{ctx}: output_tok_s expected {}, got {}", e.output_tok_s, run.output_tok_s);
    let opt = |name: &str, actual: Option<f64>, expected: Option<f64>| match (actual, expected) {
        (Some(a), Some(x)) => assert!(same(a, x), "{ctx}: {name} expected {x}, got {a}, difference {}", a - x),
        (a, x) => assert_eq!(a, x, "{ctx}: {name}"),
    };
    if let Some(t) = e.ttft_mean {
        opt("mean TTFT", run.ttft_ms.mean, t);
    }
    if let Some(t) = e.tpot_mean {
        opt("mean TPOT", run.tpot_ms.mean, t);
    }
    if let Some(t) = e.tpot_median {
        opt("median TPOT", run.tpot_ms.median, Some(t));
    }
    if let Some(l) = e.load {
        assert_eq!(run.load, l, "{ctx}: load");
    }
    if let Some(layout) = e.layout {
        let got = run.layout.as_ref().map(|m| (m.layout.tp, m.layout.pp, m.layout.dp, m.layout.ep, m.source));
        assert_eq!(got, layout, "{ctx}: layout");
    }
    if let Some(m) = e.model {
        assert_eq!(run.model.as_deref(), Some(m), "{ctx}: model");
    }
    if let Some(g) = e.gpu {
        assert_eq!(run.gpu.as_deref(), Some(g), "{ctx}: gpu");
    }
    if let Some(engine) = e.engine {
        assert_eq!(run.engine, engine, "{ctx}: engine");
    }
    if let Some((isl, osl)) = e.mean_lengths {
        opt("mean ISL", run.mean_isl, isl);
        opt("mean OSL", run.mean_osl, osl);
    }
    if let Some(r) = e.requested {
        assert_eq!((run.requested_isl, run.requested_osl), r, "{ctx}: requested lengths");
    }
    if let Some(n) = e.note_contains {
        assert!(run.notes.iter().any(|x| x.contains(n)), "{ctx}: no note containing {n:?} in {:?}", run.notes);
    }
    assert_eq!(run.disaggregated.is_some(), e.disaggregated, "{ctx}: disaggregated");
}

/// Per sample: the tool, the number of runs, and checks on some of them.
fn expectations(file: &str) -> (Tool, usize, Vec<Expect>) {
    use LayoutSource as S;
    let c = |requests| Some(MeasuredLoad::Concurrency { requests });
    match file {
        "aiperf/akamaslabs--vllm-benchmark--profile_export_aiperf.csv" => (Tool::Aiperf, 1, vec![Expect {
            output_tok_s: 1792.23,
            ttft_mean: Some(Some(28.74)),
            tpot_mean: Some(Some(8.78)),
            tpot_median: Some(8.73),
            load: Some(MeasuredLoad::Unknown),
            layout: Some(None),
            mean_lengths: Some((None, Some(262.99))),
            ..Default::default()
        }]),
        "aiperf/akamaslabs--vllm-benchmark--profile_export_aiperf.json" => (Tool::Aiperf, 1, vec![Expect {
            output_tok_s: 1792.2310692134672,
            ttft_mean: Some(Some(28.736161119863013)),
            // inter_token_latency, not inter_chunk_latency (8.84740421014943).
            tpot_mean: Some(Some(8.77927431816552)),
            load: c(16),
            model: Some("qwen3-4b"),
            mean_lengths: Some((None, Some(262.9911937377691))),
            ..Default::default()
        }]),
        "aiperf/wellflat--k8s-dev--profile_export_aiperf.json" => (Tool::Aiperf, 1, vec![Expect {
            output_tok_s: 54.55756456668085,
            ttft_mean: Some(Some(82.84651240000001)),
            tpot_mean: Some(Some(18.03231861805396)),
            load: c(1),
            model: Some("openai/gpt-oss-20b"),
            gpu: Some("NVIDIA A100-SXM4-80GB"),
            mean_lengths: Some((Some(196.37), Some(283.48))),
            requested: Some((Some(200), Some(300))),
            ..Default::default()
        }]),
        "genai-perf/LucasCSpeciale--Metrum_Poject--profile_export_genai_perf.csv" => (Tool::GenaiPerf, 1, vec![Expect {
            output_tok_s: 55.52,
            ttft_mean: Some(None),
            tpot_mean: Some(None),
            load: Some(MeasuredLoad::Unknown),
            mean_lengths: Some((Some(50.0), Some(305.05))),
            note_contains: Some("not streamed"),
            ..Default::default()
        }]),
        "genai-perf/wellflat--k8s-dev--profile_export_genai_perf.json" => (Tool::GenaiPerf, 1, vec![Expect {
            output_tok_s: 12.095750218698175,
            ttft_mean: Some(Some(1524.6265132)),
            tpot_mean: Some(Some(7.7534012)),
            load: c(1),
            model: Some("openai/gpt-oss-20b"),
            mean_lengths: Some((Some(152.65714285714284), Some(73.51428571428572))),
            requested: Some((Some(150), Some(300))),
            ..Default::default()
        }]),
        "sglang/Scicom-AI-Enterprise-Organization--llm-benchmaq--tp8_dp1_Qwen3-8B_in1024_out128_p100_c100_38769a.jsonl" => {
            (Tool::SglangBenchServing, 1, vec![Expect {
                output_tok_s: 3929.720447468979,
                ttft_mean: Some(Some(578.4130509826355)),
                // mean_tpot_ms, not mean_itl_ms (11.228357796859834).
                tpot_mean: Some(Some(23.76095063700313)),
                load: c(100),
                layout: Some(Some((8, 1, 1, 1, S::SglangServerInfo))),
                model: Some("/workspace/qwen-3-8b"),
                engine: Some(Some(Engine::Sglang)),
                mean_lengths: Some((Some(505.61), Some(61.08))),
                requested: Some((Some(1024), Some(128))),
                note_contains: Some("random_range_ratio 0"),
                ..Default::default()
            }])
        }
        "sglang/TonyLi15--sglang-benchmark--agg_n100_in512_out128_c32.jsonl" => (Tool::SglangBenchServing, 1, vec![Expect {
            output_tok_s: 3151.4394910675514,
            ttft_mean: Some(Some(42.448918260633945)),
            tpot_mean: Some(Some(8.54356980120356)),
            load: c(32),
            layout: Some(Some((1, 1, 1, 1, S::SglangServerInfo))),
            model: Some("Qwen/Qwen2.5-3B-Instruct"),
            mean_lengths: Some((Some(264.97), Some(61.8))),
            ..Default::default()
        }]),
        "sglang/TonyLi15--sglang-benchmark--pd_1p2d_n100_in2048_out512_c128.jsonl" => {
            (Tool::SglangBenchServing, 1, vec![Expect {
                output_tok_s: 665.4595335245467,
                ttft_mean: Some(Some(34647.23834743723)),
                tpot_mean: Some(Some(9.376471181613141)),
                load: c(128),
                layout: Some(None),
                model: Some("Qwen/Qwen2.5-3B-Instruct"),
                disaggregated: true,
                ..Default::default()
            }])
        }
        "sglang/sgl-project--sglang--b1b-moe[auto]-inductor[None].jsonl" => (Tool::SglangBenchOneBatch, 5, vec![
            Expect {
                run: 0,
                // batch 1 × 8192 tokens / total_latency 27.813683197950013 s.
                output_tok_s: 8192.0 / 27.813683197950013,
                ttft_mean: Some(Some(0.05598675401415676 * 1e3)),
                tpot_median: Some(0.003365284006576985 * 1e3),
                tpot_mean: Some(Some((27.813683197950013 - 0.05598675401415676) / 8191.0 * 1e3)),
                load: c(1),
                requested: Some((Some(1024), Some(8192))),
                engine: Some(Some(Engine::Sglang)),
                ..Default::default()
            },
            Expect {
                run: 4,
                output_tok_s: 64.0 * 8192.0 / 111.2690912791877,
                tpot_median: Some(0.0135461280005984 * 1e3),
                load: c(64),
                ..Default::default()
            },
        ]),
        "sglang/sgl-project--sglang--bot_moe[auto]-inductor[None]-b32.jsonl" => (Tool::SglangBenchOfflineThroughput, 1, vec![Expect {
            output_tok_s: 3319.0960448275705,
            ttft_mean: Some(None),
            load: Some(MeasuredLoad::AllAtOnce { requests: 32 }),
            mean_lengths: Some((Some(10092.0 / 32.0), Some(8192.0))),
            ..Default::default()
        }]),
        "trtllm-bench/masahiro-kubota--trtllm-latency--in1024_out40_bs1.json" => (Tool::TrtllmBench, 1, vec![Expect {
            output_tok_s: 500.0332794023899,
            ttft_mean: Some(Some(9.5749594)),
            tpot_mean: Some(Some(1.805170469230769)),
            tpot_median: Some(1.8192568717948716),
            load: c(1),
            layout: Some(Some((1, 1, 1, 1, S::TrtllmWorldInfo))),
            model: Some("Qwen/Qwen2.5-0.5B-Instruct"),
            gpu: Some("NVIDIA RTX PRO 6000 Blackwell Server Edition"),
            engine: Some(Some(Engine::Trtllm)),
            mean_lengths: Some((Some(1024.0), Some(40.0))),
            ..Default::default()
        }]),
        "vllm/LambdaLabsML--vllm-benchmark--Meta-Llama-3-8B-Instruct_tp1_len2000.json" => (Tool::VllmBenchmarkServing, 1, vec![Expect {
            output_tok_s: 227.03837146571024,
            ttft_mean: Some(Some(139.22520615160465)),
            // mean_tpot_ms; its mean_itl_ms (114.52366808798108) is per streamed chunk.
            tpot_mean: Some(Some(17.953939450032614)),
            load: Some(MeasuredLoad::AllAtOnce { requests: 10 }),
            layout: Some(Some((1, 1, 1, 1, S::FileName))),
            model: Some("meta-llama/Meta-Llama-3-8B-Instruct"),
            mean_lengths: Some((Some(136.9), Some(194.5))),
            note_contains: Some("ITL is per streamed chunk"),
            ..Default::default()
        }]),
        "vllm/Scicom-AI-Enterprise-Organization--llm-benchmaq--llama31_70b_TP8_DP1_in1024_out128_p1000_c50_f1ba91.json" => {
            (Tool::VllmBenchServe, 1, vec![Expect {
                output_tok_s: 1675.397674307775,
                ttft_mean: Some(Some(1095.2518541240133)),
                tpot_mean: Some(Some(21.42213387726293)),
                load: c(50),
                layout: Some(Some((8, 1, 1, 1, S::FileName))),
                model: Some("/root/models/Llama-3.1-70B-Instruct"),
                engine: Some(None),
                mean_lengths: Some((Some(1023.0), Some(128.0))),
                ..Default::default()
            }])
        }
        "vllm/Scicom-AI-Enterprise-Organization--llm-benchmaq--tm-l40sx2_qwen35b_a3b_in1024_out128_p500_c50_baef10.json" => {
            (Tool::VllmBenchServe, 1, vec![Expect {
                output_tok_s: 755.836562828294,
                ttft_mean: Some(Some(634.782988579711)),
                tpot_mean: Some(Some(61.401803282573525)),
                load: c(50),
                layout: Some(None),
                model: Some("Qwen/Qwen3.6-35B-A3B"),
                ..Default::default()
            }])
        }
        "vllm/nerdalert--vllm-bench-automation--results.json" => (Tool::VllmBenchmarkServing, 9, vec![
            Expect {
                run: 0,
                output_tok_s: 2258.212337970085,
                ttft_mean: Some(Some(54.59561144333596)),
                tpot_mean: Some(Some(13.710971568239172)),
                load: Some(MeasuredLoad::RequestRate { per_s: 10.0 }),
                model: Some("meta-llama/Llama-3.2-3B-Instruct"),
                gpu: Some("4xNVIDIA_L40S"),
                requested: Some((Some(1000), Some(500))),
                mean_lengths: Some((Some(999.0), Some(80945.0 / 300.0))),
                ..Default::default()
            },
            Expect {
                run: 8,
                output_tok_s: 11011.349280220396,
                load: Some(MeasuredLoad::AllAtOnce { requests: 900 }),
                ..Default::default()
            },
        ]),
        "vllm/nerdalert--vllm-benchmark-graphs--results.json" => (Tool::VllmBenchmarkServing, 12, vec![
            Expect {
                run: 0,
                output_tok_s: 120.81006055190667,
                tpot_mean: Some(Some(8.564716330980287)),
                load: Some(MeasuredLoad::RequestRate { per_s: 1.0 }),
                engine: Some(Some(Engine::Vllm)),
                mean_lengths: Some((Some(1000.0), Some(100.0))),
                ..Default::default()
            },
            Expect {
                run: 11,
                output_tok_s: 2694.614157374034,
                load: Some(MeasuredLoad::AllAtOnce { requests: 2000 }),
                // The SGLang-server rows: `framework` = "sgl", `backend` still "vllm".
                engine: Some(Some(Engine::Sglang)),
                ..Default::default()
            },
        ]),
        other => panic!("no expectation for sample {other}: add one"),
    }
}

#[test]
fn every_sample_imports_with_its_expected_figures() {
    let files = sample_files();
    assert!(files.len() >= 16, "expected the 16 samples, found {}", files.len());
    for (key, path) in files {
        if key.ends_with(".md") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("sample is UTF-8");
        let runs = import(&path.to_string_lossy(), &text).unwrap_or_else(|e| panic!("{key}: {e}"));
        let (tool, count, expects) = expectations(&key);
        assert_eq!(runs.len(), count, "{key}: runs");
        for (i, run) in runs.iter().enumerate() {
            assert_eq!(run.tool, tool, "{key} run {}", i + 1);
            assert!(run.output_tok_s.is_finite() && run.output_tok_s > 0.0, "{key} run {}", i + 1);
            if count > 1 {
                assert!(run.source.ends_with(&format!("#{}", i + 1)), "{key}: source {}", run.source);
            }
        }
        for e in &expects {
            check(&key, &runs[e.run], e);
        }
    }
}

#[test]
fn malformed_files_say_what_was_expected() {
    let cases: [(&str, &str, &str); 9] = [
        ("empty.json", "  \n", "empty"),
        ("cut.json", "{\"model_id\": \"m\", \"output_throughput\": 1", "not valid JSON at line 1"),
        ("two.json", "{\"model_id\": \"m\", \"output_throughput\": 1}\n{\"oops\": ", "not valid JSON at line 2"),
        ("notes.txt", "hello, this is not a benchmark", "genai-perf or AIPerf"),
        ("vllm.json", r#"{"model_id": "m", "date": "20250101-000000"}"#, "lacks output_throughput"),
        ("other.json", r#"{"foo": 1, "bar": 2}"#, "keys foo, bar"),
        ("array.json", "[1, 2]", "object 1 of 2 (JSON number)"),
        ("trt.json", r#"{"engine": {}, "world_info": {"tp_size": 2}, "performance": {}}"#, "performance.system_output_throughput_tok_s"),
        ("batch.jsonl", r#"{"batch_size": 8, "input_len": 10, "median_decode_latency": 0.01}"#, "output_len, prefill_latency, total_latency"),
    ];
    for (name, text, expected) in cases {
        let err = import(name, text).expect_err(name);
        let message = err.to_string();
        assert!(message.contains(expected), "{name}: {message:?} should contain {expected:?}");
        assert!(message.starts_with(name), "{name}: {message:?} should name the file");
    }
    // An unrecognised file lists every format.
    let message = import("x.json", "{}").unwrap_err().to_string();
    for format in ["vllm bench serve", "bench_serving", "genai-perf", "AIPerf", "trtllm-bench", "tp,pp,dp,ep,concurrency,output_tok_s,ttft_ms,tpot_ms"] {
        assert!(message.contains(format), "{message} lacks {format}");
    }
    // A negative throughput is a bad value, not a run.
    let err = import("neg.json", r#"{"model_id": "m", "output_throughput": -5}"#).unwrap_err();
    assert!(matches!(err, ImportError::BadValue { .. }), "{err}");
}

#[test]
fn the_planner_csv_reads_rows_and_names_bad_cells() {
    let text = "tp,pp,dp,ep,concurrency,output_tok_s,ttft_ms,tpot_ms\r\n8,1,2,1,64,12000.5,350,21.5\n4,1,4,1,64,11000,,\n";
    let runs = import("mine.csv", text).unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0].tool, Tool::PlannerCsv);
    assert_eq!(runs[0].layout.as_ref().map(|l| (l.layout.tp, l.layout.dp, l.source)), Some((8, 2, LayoutSource::Csv)));
    assert_eq!(runs[0].load, MeasuredLoad::Concurrency { requests: 64 });
    assert_eq!((runs[0].output_tok_s, runs[0].ttft_ms.mean, runs[0].tpot_ms.mean), (12000.5, Some(350.0), Some(21.5)));
    assert_eq!((runs[1].ttft_ms.mean, runs[1].tpot_ms.mean), (None, None));
    // Columns in another order are fine.
    let runs = import("mine.csv", "output_tok_s,tp,pp,dp,ep,concurrency,ttft_ms,tpot_ms\n100,1,1,1,1,4,,\n").unwrap();
    assert_eq!(runs[0].output_tok_s, 100.0);
    let bad = [
        ("tp,pp,dp,ep,concurrency,output_tok_s\n1,1,1,1,1,1\n", "line 1", "missing ttft_ms, tpot_ms"),
        ("tp,pp,dp,ep,concurrency,output_tok_s,ttft_ms,tpot_ms,gpu\n", "line 1", "unknown gpu"),
        ("tp,pp,dp,ep,concurrency,output_tok_s,ttft_ms,tpot_ms\n", "line 1", "no rows"),
        ("tp,pp,dp,ep,concurrency,output_tok_s,ttft_ms,tpot_ms\n8,1,1,1,64,1000,1\n", "line 2", "7 cells"),
        ("tp,pp,dp,ep,concurrency,output_tok_s,ttft_ms,tpot_ms\n0,1,1,1,64,1000,,\n", "line 2", "tp must be a whole number"),
        ("tp,pp,dp,ep,concurrency,output_tok_s,ttft_ms,tpot_ms\n8,1,1,3,64,1000,,\n", "line 2", "ep must divide"),
        ("tp,pp,dp,ep,concurrency,output_tok_s,ttft_ms,tpot_ms\n8,1,1,1,64,fast,,\n", "line 2", "output_tok_s must be a positive"),
        ("tp,pp,dp,ep,concurrency,output_tok_s,ttft_ms,tpot_ms\n8,1,1,1,64,100,-3,\n", "line 2", "ttft_ms must be a positive"),
    ];
    for (text, line, expected) in bad {
        let message = import("mine.csv", text).unwrap_err().to_string();
        assert!(message.contains(line) && message.contains(expected), "{message:?} should contain {line:?} and {expected:?}");
    }
}

#[test]
fn our_script_names_and_metadata_give_the_layout() {
    // vLLM: the script's --metadata (strings, as vLLM stores them) beat the name.
    let text = r#"{"date": "20260101-000000", "endpoint_type": "openai", "model_id": "m", "engine": "vllm",
        "gpu": "h100-sxm", "tp": "8", "pp": "1", "dp": "2", "ep": "1", "request_rate": "inf",
        "max_concurrency": 64, "completed": 640, "output_throughput": 9000.0}"#;
    let run = &import("results/vllm-tp4-pp1-dp4-ep1.json", text).unwrap()[0];
    let l = run.layout.as_ref().unwrap();
    assert_eq!((l.layout.tp, l.layout.dp, l.source), (8, 2, LayoutSource::BenchMetadata));
    assert_eq!((run.engine, run.gpu.as_deref()), (Some(Engine::Vllm), Some("h100-sxm")));
    // Without metadata the name gives it.
    let text = r#"{"date": "d", "model_id": "m", "output_throughput": 1.0}"#;
    let run = &import("vllm-tp4-pp2-dp1-ep1.json", text).unwrap()[0];
    let l = run.layout.as_ref().unwrap();
    assert_eq!((l.layout.tp, l.layout.pp, l.source, l.assumed.len()), (4, 2, LayoutSource::FileName, 0));
    // SGLang without server_info: the --tag.
    let text = r#"{"backend": "sglang", "dataset_name": "random", "tag": "sglang-tp2-pp1-dp4-ep8",
        "request_rate": Infinity, "max_concurrency": 8, "output_throughput": 10.0, "completed": 10}"#;
    let run = &import("whatever.jsonl", text).unwrap()[0];
    let l = run.layout.as_ref().unwrap();
    assert_eq!((l.layout.tp, l.layout.dp, l.layout.ep, l.source), (2, 4, 8, LayoutSource::SglangTag));
    assert_eq!(run.load, MeasuredLoad::Concurrency { requests: 8 });
}

/// Fuzzing found `median_decode_latency: 1.7e308` read as a TPOT of infinity milliseconds, and
/// a tiny `total_latency` gives an infinite throughput.
#[test]
fn bench_one_batch_latencies_near_the_float_limits_give_no_infinity() {
    let huge = r#"{"batch_size": 1, "input_len": 1, "output_len": 2, "prefill_latency": 1e306, "total_latency": 1.5e306, "median_decode_latency": 1.7e308}"#;
    let runs = import("one_batch.jsonl", huge).expect("a bench_one_batch result");
    let run = &runs[0];
    for (name, figure) in [("ttft mean", run.ttft_ms.mean), ("tpot mean", run.tpot_ms.mean), ("tpot median", run.tpot_ms.median)] {
        assert_eq!(figure, None, "{name}: expected no figure for a latency that overflows in ms, got {figure:?}");
    }
    assert!(run.output_tok_s.is_finite(), "expected a finite throughput, got {}", run.output_tok_s);
    let tiny = r#"{"batch_size": 8, "input_len": 1, "output_len": 2, "prefill_latency": 0, "total_latency": 5e-324}"#;
    let error = import("one_batch.jsonl", tiny).expect_err("no finite throughput");
    assert!(matches!(error, ImportError::BadValue { .. }), "expected a bad total_latency, got {error:?}");
}

#[test]
fn sglang_server_info_maps_attention_dp_and_replicas() {
    let run = |info: &str| {
        let text = format!(r#"{{"dataset_name": "random", "output_throughput": 1.0, "server_info": {info}}}"#);
        import("s.jsonl", &text).unwrap().remove(0).layout.map(|l| (l.layout.tp, l.layout.pp, l.layout.dp, l.layout.ep))
    };
    // 0.5.23: attn_dp_size splits the TP group; dp_size counts replicas.
    assert_eq!(run(r#"{"tp_size": 8, "pp_size": 1, "dp_size": 1, "attn_dp_size": 8, "ep_size": 8}"#), Some((1, 1, 8, 8)));
    // 0.5.9: --dp-size with --enable-dp-attention.
    assert_eq!(run(r#"{"tp_size": 8, "dp_size": 4, "enable_dp_attention": true, "ep_size": 8}"#), Some((2, 1, 4, 8)));
    // Replicas.
    assert_eq!(run(r#"{"tp_size": 2, "dp_size": 4, "enable_dp_attention": false}"#), Some((2, 1, 4, 1)));
    // Not a layout: 8 is not a multiple of 3 groups.
    assert_eq!(run(r#"{"tp_size": 8, "attn_dp_size": 3}"#), None);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// `import` never panics, whatever the text.
    #[test]
    fn import_never_panics_on_arbitrary_text(text in ".{0,400}", name in "[a-z0-9_.-]{0,20}") {
        let _ = import(&name, &text);
    }

    /// Nor on JSON-shaped text: sample fragments cut anywhere, with a character replaced.
    #[test]
    fn import_never_panics_on_damaged_samples(which in 0usize..6, cut in 0.0f64..1.0, at in 0.0f64..1.0, c in any::<char>()) {
        const SAMPLES: [&str; 6] = [
            r#"{"date": "d", "endpoint_type": "openai", "model_id": "m", "request_rate": "inf", "max_concurrency": 50, "completed": 1000, "total_input_tokens": 1023000, "output_throughput": 1675.4, "mean_ttft_ms": 1095.2, "mean_tpot_ms": 21.4}"#,
            r#"{"backend": "sglang", "dataset_name": "random", "request_rate": Infinity, "max_concurrency": 100, "random_input_len": 1024, "random_range_ratio": 0.0, "server_info": {"tp_size": 8, "dp_size": 1, "attn_dp_size": 2, "prefill": [], "decode": [{}]}, "completed": 100, "output_throughput": 3929.7, "mean_tpot_ms": NaN}"#,
            r#"{"engine": {"model": "q"}, "world_info": {"tp_size": 1, "pp_size": 1, "ep_size": 1, "world_size": 1}, "request_info": {"avg_num_concurrent_requests": 1e300}, "performance": {"system_output_throughput_tok_s": 500.0}, "streaming_metrics": {"avg_ttft_ms": 9.5}}"#,
            r#"{"output_token_throughput": {"unit": "tokens/sec", "avg": 12.1}, "input_config": {"perf_analyzer": {"stimulus": {"concurrency": 1}}, "phases": [{"kind": "profiling", "rate": -1}]}, "benchmark_duration": {"avg": 1}, "telemetry_data": {"endpoints": {"e": {"gpus": {"g": {"gpu_name": "NVIDIA A100-SXM4-80GB"}}}}}}"#,
            "Metric,avg,min,max,p99,p95,p90,p75,p50,p25\r\nTime To First Token (ms),\"5,494.07\",410.94\r\n\r\nMetric,Value\r\nOutput Token Throughput (per sec),55.52\r\n",
            "tp,pp,dp,ep,concurrency,output_tok_s,ttft_ms,tpot_ms\n8,1,2,1,64,12000.5,350,21.5\n",
        ];
        let s = SAMPLES[which];
        let chars: Vec<char> = s.chars().collect();
        let cut = ((chars.len() as f64) * cut) as usize;
        let mut damaged: Vec<char> = chars[..cut.max(1)].to_vec();
        let at = ((damaged.len() as f64) * at) as usize;
        if at < damaged.len() {
            damaged[at] = c;
        }
        let text: String = damaged.into_iter().collect();
        let _ = import("damaged.json", &text);
        // The undamaged sample imports.
        prop_assert!(import("sample.json", s).is_ok(), "{}", s);
    }
}
