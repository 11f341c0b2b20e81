//! The benchmark plan's commands against the engines' real flags, the script's shape, and
//! predicted against measured on real and constructed results.

use super::compare::{match_to_plan, measurements, Flag, LENGTH_TOLERANCE};
use super::import::{import, MeasuredLoad};
use super::launch::{
    engine_layout, engines_for, flags_verified, launch_command, launch_commands, panel_command, EngineLayout, Launch,
    PANEL_PORT,
};
use super::naming::layout_from_name;
use super::script::{bench_command, benchmark_plan, script, BenchLoad};
use planner::engine::Engine;
use planner::evaluate::evaluate;
use planner::inputs::{resolve, PlannerInputs};
use planner::layout::Layout;
use planner::scenario::ScenarioInput;
use planner::workload::{Load, Sla};
use std::collections::{BTreeMap, BTreeSet};

/// The engines' flags, extracted from vllm 0.33.0 and sglang 0.5.23 by
/// `tools/extract_engine_flags.py` (each line names the defining file and line).
const ENGINE_FLAGS: &str = include_str!("engine_flags.txt");

pub(crate) fn engine_flags() -> BTreeMap<&'static str, BTreeSet<&'static str>> {
    let mut out: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for line in ENGINE_FLAGS.lines().filter(|l| !l.starts_with('#')) {
        let mut parts = line.split('\t');
        if let (Some(tool), Some(flag)) = (parts.next(), parts.next()) {
            out.entry(tool).or_default().insert(flag);
        }
    }
    out
}

pub(crate) fn inputs(scenario: &str) -> PlannerInputs {
    resolve(&ScenarioInput::from_json(scenario).unwrap()).unwrap()
}

/// Every command in shell text (comment lines skipped, `\` continuations joined), with the
/// tool it runs and the `--flags` it passes.
pub(crate) fn commands(text: &str) -> Vec<(&'static str, Vec<String>, String)> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('#') {
            continue;
        }
        current.push_str(t.trim_end_matches('\\'));
        current.push(' ');
        if t.ends_with('\\') {
            continue;
        }
        let full = std::mem::take(&mut current);
        let tool = if full.contains("vllm bench serve") {
            "vllm-bench-serve"
        } else if full.contains("vllm serve") {
            "vllm-serve"
        } else if full.contains("sglang.launch_server") {
            "sglang-launch-server"
        } else if full.contains("sglang_router.launch_router") {
            "sglang-router"
        } else if full.contains("sglang.bench_serving") {
            "sglang-bench-serving"
        } else if full.contains("trtllm-serve ") {
            "trtllm-serve"
        } else {
            continue;
        };
        let flags = full.split_whitespace().filter(|w| w.starts_with("--")).map(str::to_string).collect();
        out.push((tool, flags, full));
    }
    out
}

/// Scenarios that exercise every branch of the generators: engines, dense and MoE, one and
/// two nodes, loads, and precisions.
const SCENARIOS: [&str; 9] = [
    r#"{"model": "meta-llama/Llama-3.1-70B-Instruct", "gpu": "h100-sxm", "workload": {"isl": 1024, "osl": 128, "concurrency": 50}}"#,
    r#"{"model": "meta-llama/Llama-3.1-70B-Instruct", "gpu": "h100-sxm", "nodes": 2, "workload": {"isl": 2048, "osl": 512}}"#,
    r#"{"model": "Qwen/Qwen3-30B-A3B", "gpu": "h100-sxm", "weights": "fp8", "kv_cache": "fp8", "workload": {"isl": 1024, "osl": 256, "request_rate": 20}}"#,
    r#"{"model": "Qwen/Qwen3-30B-A3B", "gpu": "h100-sxm", "engine": "sglang", "kv_cache": "int8", "workload": {"isl": 1024, "osl": 256}}"#,
    r#"{"model": "meta-llama/Llama-3.1-70B-Instruct", "gpu": "h100-sxm", "nodes": 2, "engine": "sglang", "workload": {"isl": 2048, "osl": 512, "concurrency": 64}}"#,
    r#"{"model": "meta-llama/Llama-3.1-8B", "gpu": "a100-sxm-80gb", "engine": "sglang", "weights": "fp16", "kv_cache": "fp16", "workload": {"isl": 512, "osl": 512, "concurrency": 32}}"#,
    r#"{"model": "deepseek-ai/DeepSeek-V3", "gpu": "h200-sxm", "nodes": 2, "weights": "fp8", "workload": {"isl": 2048, "osl": 512}}"#,
    r#"{"model": "Qwen/Qwen3-30B-A3B", "gpu": "h100-sxm", "engine": "trtllm", "kv_cache": "fp8", "workload": {"isl": 1024, "osl": 256, "concurrency": 64}}"#,
    r#"{"model": "meta-llama/Llama-3.1-8B", "gpu": "h100-sxm", "engine": "vllm", "weights": "int4", "kv_cache": "int8", "workload": {"isl": 512, "osl": 128, "concurrency": 16}}"#,
];

#[test]
fn every_vllm_and_sglang_flag_is_in_the_engines_argparse_definitions() {
    let known = engine_flags();
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for scenario in SCENARIOS {
        let inputs = inputs(scenario);
        let text = script(&inputs, 6).unwrap();
        // The panel's commands for every candidate of the plan, on every node, too.
        let mut texts = vec![text];
        for t in benchmark_plan(&inputs, 50).unwrap() {
            let launch = Launch::new(&inputs, "meta-llama/Llama-3.1-8B", t.planned, "8000");
            texts.extend(launch_commands(&launch).into_iter().map(|c| c.command));
        }
        for text in &texts {
            for (tool, flags, full) in commands(text) {
                *seen.entry(tool).or_default() += flags.len();
                if tool == "trtllm-serve" {
                    continue;
                }
                for flag in flags {
                    assert!(
                        known[tool].contains(flag.as_str()),
                        "{tool} has no flag {flag} in its argparse definitions (engine_flags.txt); command: {full}"
                    );
                }
            }
        }
    }
    for tool in ["vllm-serve", "vllm-bench-serve", "sglang-launch-server", "sglang-bench-serving", "trtllm-serve"] {
        assert!(seen.get(tool).copied().unwrap_or(0) > 10, "no {tool} command was generated: {seen:?}");
    }
}

#[test]
fn the_flag_fixture_keeps_its_provenance_and_would_catch_abbreviations() {
    assert!(ENGINE_FLAGS.contains("vllm==0.33.0") && ENGINE_FLAGS.contains("sglang==0.5.23"));
    let known = engine_flags();
    // Full names are there, with their sources …
    assert!(ENGINE_FLAGS.contains("sglang-launch-server\t--tp-size\tsrt/arg_groups/fields/parallel.py:45"));
    assert!(ENGINE_FLAGS.contains("vllm-serve\t--enable-expert-parallel\tengine/arg_utils.py:1304"));
    // … short forms argparse accepts only by prefix, and flags 0.5.23 renamed, are not.
    for flag in ["--tp", "--dp", "--pp", "--cuda-graph-max-bs"] {
        assert!(!known["sglang-launch-server"].contains(flag), "{flag}");
    }
    assert!(!known["vllm-bench-serve"].contains("--output-file"));
}

#[test]
fn tensorrt_llm_commands_say_their_flags_are_unverified() {
    let inputs = inputs(SCENARIOS[7]);
    let text = script(&inputs, 4).unwrap();
    let trt = commands(&text).into_iter().filter(|c| c.0 == "trtllm-serve").count();
    assert!(trt > 0);
    assert!(text.matches("TensorRT-LLM flags are UNVERIFIED").count() >= trt, "{text}");
    // Its benchmark is vLLM's client against the OpenAI endpoint.
    assert!(commands(&text).iter().any(|c| c.0 == "vllm-bench-serve" && c.2.contains("engine=trtllm")));
    for t in benchmark_plan(&inputs, 50).unwrap() {
        let command = launch_command(&Launch::new(&inputs, "$MODEL", t.planned, "$PORT"), 0);
        assert!(command.contains("UNVERIFIED"), "{command}");
    }
}

#[test]
fn benchmarks_run_fixed_lengths_at_the_planned_load() {
    // vLLM: range ratio 0 is exact lengths; EOS ignored; the scenario's concurrency.
    let vllm = inputs(SCENARIOS[0]);
    let targets = benchmark_plan(&vllm, 3).unwrap();
    assert_eq!(targets.len(), 3);
    for t in &targets {
        assert_eq!(t.load, BenchLoad::Concurrency { requests: 50 });
        assert_eq!(t.num_prompts, 500);
        let c = bench_command(&vllm, t);
        for part in ["--random-input-len 1024", "--random-output-len 128", "--random-range-ratio 0", "--ignore-eos",
            "--max-concurrency 50", "--save-result", &format!("--result-filename {}", t.result_file)]
        {
            assert!(c.contains(part), "{part} missing from {c}");
        }
        // The name tells the layout back.
        let EngineLayout::Runs { layout, .. } = t.runs else { panic!("{:?}", t.runs) };
        assert_eq!(layout_from_name(&t.result_file).unwrap().layout, layout);
        assert!(t.result_file.starts_with("vllm-tp") && t.result_file.ends_with(".json"));
    }
    // SGLang: range ratio 1 (0 would draw uniformly from [1, len]); the result file is JSONL.
    let sglang = inputs(SCENARIOS[4]);
    let t = &benchmark_plan(&sglang, 1).unwrap()[0];
    let c = bench_command(&sglang, t);
    assert!(c.contains("--random-range-ratio 1") && c.contains(&format!("--output-file \"$RESULT_DIR/{}\"", t.result_file)), "{c}");
    assert!(t.result_file.ends_with(".jsonl"));
    // A request rate is benchmarked as a rate, two minutes of arrivals.
    let rate = inputs(SCENARIOS[2]);
    let t = &benchmark_plan(&rate, 1).unwrap()[0];
    assert_eq!((t.load, t.num_prompts), (BenchLoad::RequestRate { per_s: 20.0 }, 2400));
    assert!(bench_command(&rate, t).contains("--request-rate 20"));
    // The maximum-throughput point: the candidate's requests in flight.
    let max = inputs(SCENARIOS[1]);
    let t = &benchmark_plan(&max, 1).unwrap()[0];
    let BenchLoad::Concurrency { requests } = t.load else { panic!("{:?}", t.load) };
    let plan = planner::planning::plan_inputs(&max).unwrap();
    assert_eq!(Some(requests), plan.recommended.and_then(|c| c.concurrency));
}

#[test]
fn top_n_is_bounded_and_validated() {
    let i = inputs(SCENARIOS[0]);
    assert_eq!(benchmark_plan(&i, 0).unwrap_err().field, "bench.top_n");
    let all = benchmark_plan(&i, 1000).unwrap();
    let feasible = planner::search::search(&i).unwrap().ranking.len();
    assert!(!all.is_empty() && all.len() <= feasible);
    let ranks: Vec<usize> = all.iter().map(|t| t.rank).collect();
    assert!(ranks.windows(2).all(|w| w[0] < w[1]), "{ranks:?}");
    let impossible = inputs(
        r#"{"model": "meta-llama/Llama-3.1-70B-Instruct", "gpu": "h100-sxm", "workload": {"isl": 1024, "osl": 128}, "sla": {"tpot_ms": 0.01}}"#,
    );
    assert_eq!(benchmark_plan(&impossible, 3).unwrap_err().field, "bench");
}

#[test]
fn multi_node_commands_use_the_documented_flags_and_a_placeholder_address() {
    let vllm = inputs(SCENARIOS[1]);
    let l = Layout::new(8, 2, 1, 1, 16).unwrap();
    let launch = Launch::new(&vllm, "meta-llama/Llama-3.1-70B-Instruct", l, "8000");
    let per_node = launch_commands(&launch);
    assert_eq!(per_node.len(), 2);
    assert!(per_node[0].command.contains("--nnodes 2 --node-rank 0 --master-addr \"$HEAD_NODE_ADDR\""));
    assert!(!per_node[0].command.contains("--headless") && per_node[0].command.contains("--port 8000"));
    assert!(per_node[1].command.contains("--node-rank 1") && per_node[1].command.contains("--headless"));
    assert!(!per_node[1].command.contains("--port"), "a headless node serves no HTTP");
    assert!(launch_command(&launch, 2).starts_with("# node 2 does not exist"));

    let sglang = inputs(SCENARIOS[4]);
    let launch = Launch::new(&sglang, "$MODEL", l, "$PORT");
    let node1 = launch_command(&launch, 1);
    assert!(node1.contains("--nnodes 2 --node-rank 1 --dist-init-addr \"$HEAD_NODE_ADDR:5000\""), "{node1}");
    // No address is invented anywhere in a script.
    for scenario in [SCENARIOS[1], SCENARIOS[4], SCENARIOS[6]] {
        let text = script(&inputs(scenario), 3).unwrap();
        assert!(text.contains("need_head_addr || return 1"));
        // Only the wildcard bind address and the loopback the client talks to.
        let addresses: BTreeSet<&str> = text
            .split(|c: char| !(c.is_ascii_digit() || c == '.'))
            .filter(|w| w.split('.').count() == 4 && w.split('.').all(|p| !p.is_empty()))
            .collect();
        assert!(addresses.iter().all(|a| ["0.0.0.0", "127.0.0.1"].contains(a)), "{addresses:?}");
        assert!(!text.contains("0.0.0.0 --nnodes") && !text.contains("localhost"));
    }
}

#[test]
fn engines_get_the_layout_in_their_own_terms() {
    let moe = Layout::new(2, 1, 4, 2, 8).unwrap();
    // vLLM's expert parallelism is a switch: EP = TP × DP.
    match engine_layout(Engine::Vllm, moe, true, 1) {
        EngineLayout::Runs { layout, differs_because: Some(why) } => {
            assert_eq!(layout.ep, 8);
            assert!(why.contains("fused_moe/config.py"));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(engine_layout(Engine::Vllm, moe, false, 1), EngineLayout::Runs { differs_because: None, .. }));
    assert!(matches!(engine_layout(Engine::Sglang, moe, true, 1), EngineLayout::Runs { differs_because: None, .. }));
    assert!(matches!(engine_layout(Engine::Trtllm, moe, true, 1), EngineLayout::Manual { .. }));
    assert!(matches!(engine_layout(Engine::Trtllm, Layout::new(1, 1, 8, 8, 8).unwrap(), true, 1), EngineLayout::Runs { .. }));
    assert!(matches!(engine_layout(Engine::Trtllm, Layout::new(8, 1, 1, 1, 8).unwrap(), false, 2), EngineLayout::Manual { .. }));

    // SGLang MoE with DP: attention DP inside a TP group of tp × dp, caps per DP group.
    let i = inputs(SCENARIOS[3]);
    let c = launch_command(&Launch::new(&i, "$MODEL", moe, "$PORT"), 0);
    let cap = i.engine.max_batch_requests * 4;
    for part in ["--tp-size 8", "--attn-dp-size 4", "--ep-size 2", &format!("--max-running-requests {cap}"), "--kv-cache-dtype fp8_e4m3"] {
        assert!(c.contains(part), "{part} missing from {c}");
    }
    assert!(c.contains("no int8 KV-cache dtype"), "{c}");
    // A dense model's DP is replicas.
    let dense = inputs(SCENARIOS[5]);
    let c = launch_command(&Launch::new(&dense, "$MODEL", Layout::new(2, 1, 4, 1, 8).unwrap(), "$PORT"), 0);
    assert!(c.contains("--tp-size 2") && c.contains("--dp-size 4") && !c.contains("--attn-dp-size"), "{c}");
    assert!(c.contains("--dtype float16") && c.contains("no float16 KV-cache dtype"), "{c}");

    // Quantised weights: online FP8 is a flag; pre-quantised int4 is the checkpoint's.
    let fp8 = inputs(SCENARIOS[2]);
    let c = launch_command(&Launch::new(&fp8, "$MODEL", Layout::new(8, 1, 1, 8, 8).unwrap(), "$PORT"), 0);
    assert!(c.contains("--quantization fp8") && c.contains("--kv-cache-dtype fp8") && c.contains("--enable-expert-parallel"), "{c}");
    let int4 = inputs(SCENARIOS[8]);
    let c = launch_command(&Launch::new(&int4, "$MODEL", Layout::new(1, 1, 8, 1, 8).unwrap(), "$PORT"), 0);
    assert!(!c.contains("--quantization") && c.contains("AWQ or GPTQ") && c.contains("--kv-cache-dtype fp8"), "{c}");
}

#[test]
fn a_launch_command_for_the_panel() {
    let i = inputs(SCENARIOS[0]);
    let l = Layout::new(8, 1, 1, 1, 8).unwrap();
    let c = launch_command(&Launch::new(&i, "meta-llama/Llama-3.1-70B-Instruct", l, "8000"), 0);
    assert_eq!(
        c,
        "# vLLM: TP 8 × PP 1 × DP 1\n\
         vllm serve meta-llama/Llama-3.1-70B-Instruct \\\n  \
         --host 0.0.0.0 --port 8000 \\\n  \
         --tensor-parallel-size 8 --pipeline-parallel-size 1 --data-parallel-size 1 \\\n  \
         --dtype bfloat16 \\\n  \
         --kv-cache-dtype bfloat16 \\\n  \
         --gpu-memory-utilization 0.92 \\\n  \
         --max-num-seqs 1024 --max-num-batched-tokens 8192 --max-model-len 1216"
    );
    // Odd model ids are quoted for the shell.
    let c = launch_command(&Launch::new(&i, "/models/my model's dir", l, "8000"), 0);
    assert!(c.contains(r"vllm serve '/models/my model'\''s dir'"), "{c}");
}

#[test]
fn the_panel_offers_every_engine_the_scenarios_first() {
    let i = inputs(SCENARIOS[0]);
    let l = Layout::new(8, 1, 1, 1, 8).unwrap();
    assert_eq!(engines_for(&i), [Engine::Vllm, Engine::Sglang, Engine::Trtllm]);
    // The scenario's engine: exactly the command of its own launch.
    let own = launch_command(&Launch::new(&i, "meta-llama/Llama-3.1-70B-Instruct", l, PANEL_PORT), 0);
    assert_eq!(panel_command(&i, Engine::Vllm, l, 0), own);
    // Another engine: its own program and its own default memory fraction (SGLang's profile).
    let sglang = panel_command(&i, Engine::Sglang, l, 0);
    assert!(sglang.contains("python -m sglang.launch_server") && sglang.contains("--tp-size 8"), "{sglang}");
    assert!(sglang.contains("--mem-fraction-static") || sglang.contains("heuristic"), "{sglang}");
    let trt = panel_command(&i, Engine::Trtllm, l, 0);
    assert!(trt.contains("trtllm-serve") && trt.contains("UNVERIFIED"), "{trt}");
    assert!(flags_verified(Engine::Vllm) && flags_verified(Engine::Sglang) && !flags_verified(Engine::Trtllm));

    let sg = inputs(&SCENARIOS[0].replacen('{', r#"{"engine": "sglang", "#, 1));
    assert_eq!(engines_for(&sg), [Engine::Sglang, Engine::Vllm, Engine::Trtllm]);
}

/// The Scicom sample: Llama-3.1-70B-Instruct, vLLM 0.15, 8 × H100 SXM, TP 8, 1024 in (1023 sent)
/// / 128 out, 50 in flight.
const SCICOM_70B: &str = "vllm/Scicom-AI-Enterprise-Organization--llm-benchmaq--llama31_70b_TP8_DP1_in1024_out128_p1000_c50_f1ba91.json";

fn sample(name: &str) -> Vec<super::import::MeasuredRun> {
    let path = super::import::tests::samples_dir().join(name);
    import(&path.to_string_lossy(), &std::fs::read_to_string(&path).unwrap()).unwrap()
}

#[test]
fn a_real_run_is_compared_at_its_own_load() {
    let i = inputs(SCENARIOS[0]);
    let runs = sample(SCICOM_70B);
    let report = match_to_plan(&i, &runs).unwrap();
    let c = &report.comparisons[0];
    assert!(c.matched, "{:?}", c.flags);
    assert!(c.flags.iter().all(|f| !f.blocks()), "{:?}", c.flags);
    assert!(c.flags.contains(&Flag::GpuNotStated));
    let at = c.evaluated_at.unwrap();
    assert_eq!((at.isl, at.osl, at.load), (1023, 128, BenchLoad::Concurrency { requests: 50 }));
    // The prediction is the planner's own figure for TP 8 at 1023/128 and 50 in flight.
    let mut copy = i.clone();
    copy.workload.isl = 1023;
    copy.workload.load = Load::Concurrency(50);
    copy.workload.sla = Sla::default();
    let p = *evaluate(&copy, Layout::new(8, 1, 1, 1, 8).unwrap()).point().unwrap();
    let out = c.output_tok_s.unwrap();
    assert_eq!((out.predicted, out.measured), (p.output_tok_s, runs[0].output_tok_s));
    assert_eq!(out.error, Some((p.output_tok_s - 1675.397674307775) / 1675.397674307775));
    let per_gpu = c.output_tok_s_per_gpu.unwrap();
    assert_eq!(per_gpu.measured, runs[0].output_tok_s / 8.0);
    assert_eq!(c.tpot_ms.unwrap().predicted, p.tpot.ms());
    // The file's mean TTFT (serde_json may parse it one unit in the last place off).
    assert!((c.ttft_ms.unwrap().measured - 1095.2518541240133).abs() < 1e-9);
    println!(
        "Scicom 70B TP8 C50: output tok/s predicted {:.0}, measured {:.0} ({:+.1} %); TTFT {:.0} vs {:.0} ms ({:+.1} %); TPOT {:.2} vs {:.2} ms ({:+.1} %)",
        out.predicted,
        out.measured,
        out.error.unwrap() * 100.0,
        c.ttft_ms.unwrap().predicted,
        c.ttft_ms.unwrap().measured,
        c.ttft_ms.unwrap().error.unwrap() * 100.0,
        c.tpot_ms.unwrap().predicted,
        c.tpot_ms.unwrap().measured,
        c.tpot_ms.unwrap().error.unwrap() * 100.0
    );
    // As a measurement for fitting: its scenario resolves to the inputs of the prediction.
    let m = measurements(&i, &runs);
    assert_eq!(m.len(), 1);
    let (run, m) = &m[0];
    assert_eq!((*run, m.layout), (0, Layout::new(8, 1, 1, 1, 8).unwrap()));
    assert_eq!(m.output_tok_s_per_gpu, runs[0].output_tok_s / 8.0);
    assert_eq!((m.ttft_ms, m.tpot_ms), (Some(c.ttft_ms.unwrap().measured), Some(c.tpot_ms.unwrap().measured)));
    let again = resolve(&m.scenario).unwrap();
    assert_eq!((again.workload, again.engine, again.precision), (copy.workload, copy.engine, copy.precision));
    assert_eq!(evaluate(&again, m.layout).point().unwrap().output_tok_s, p.output_tok_s);
}

#[test]
fn mismatched_runs_are_flagged_not_used() {
    let runs = sample(SCICOM_70B);
    let blocked = |scenario: &str| {
        let report = match_to_plan(&inputs(scenario), &runs).unwrap();
        let c = report.comparisons[0].clone();
        assert!(!c.matched && c.output_tok_s.is_none() && c.evaluated_at.is_none(), "{c:?}");
        assert!(measurements(&inputs(scenario), &runs).is_empty());
        c.flags
    };
    // Other lengths: twice the input.
    let flags = blocked(r#"{"model": "meta-llama/Llama-3.1-70B-Instruct", "gpu": "h100-sxm", "workload": {"isl": 2048, "osl": 128, "concurrency": 50}}"#);
    assert!(flags.contains(&Flag::InputLengthOff { file: 1023.0, plan: 2048, tolerance: LENGTH_TOLERANCE }), "{flags:?}");
    // Another model.
    let flags = blocked(r#"{"model": "meta-llama/Llama-3.1-8B", "gpu": "h100-sxm", "workload": {"isl": 1024, "osl": 128, "concurrency": 50}}"#);
    assert!(flags.iter().any(|f| matches!(f, Flag::ModelDiffers { .. })), "{flags:?}");
    // Another cluster: TP 8 is 8 GPUs, the plan has 16.
    let flags = blocked(SCENARIOS[1]);
    assert!(flags.iter().any(|f| matches!(f, Flag::NotAClusterLayout { gpus: 16, .. })), "{flags:?}");
    assert!(flags.iter().any(|f| matches!(f, Flag::InputLengthOff { .. })));

    // SGLang's default range ratio halves the mean lengths; the file's GPU-less server_info
    // still gives the layout, and the engine is SGLang.
    let sglang = sample("sglang/Scicom-AI-Enterprise-Organization--llm-benchmaq--tp8_dp1_Qwen3-8B_in1024_out128_p100_c100_38769a.jsonl");
    let r = match_to_plan(
        &inputs(r#"{"model": "Qwen/Qwen3-8B", "gpu": "h100-sxm", "engine": "vllm", "workload": {"isl": 1024, "osl": 128, "concurrency": 100}}"#),
        &sglang,
    )
    .unwrap();
    let flags = &r.comparisons[0].flags;
    assert!(flags.iter().any(|f| matches!(f, Flag::InputLengthOff { .. })), "{flags:?}");
    assert!(flags.iter().any(|f| matches!(f, Flag::OutputLengthOff { .. })), "{flags:?}");
    assert!(flags.contains(&Flag::EngineDiffers { file: Engine::Sglang, plan: Engine::Vllm }), "{flags:?}");
    assert!(!flags.iter().any(|f| matches!(f, Flag::ModelDiffers { .. })), "/workspace/qwen-3-8b is Qwen3-8B: {flags:?}");

    // Disaggregated serving, and a GPU that differs (L40S against H100), and no layout.
    let pd = sample("sglang/TonyLi15--sglang-benchmark--pd_1p2d_n100_in2048_out512_c128.jsonl");
    let r = match_to_plan(&inputs(SCENARIOS[0]), &pd).unwrap();
    assert!(r.comparisons[0].flags.iter().any(|f| matches!(f, Flag::Disaggregated { .. })));
    let l40s = sample("vllm/nerdalert--vllm-bench-automation--results.json");
    let r = match_to_plan(&inputs(SCENARIOS[0]), &l40s).unwrap();
    assert_eq!(r.comparisons.len(), 9);
    let flags = &r.comparisons[2].flags;
    assert!(flags.iter().any(|f| matches!(f, Flag::GpuDiffers { .. })), "{flags:?}");
    assert!(flags.contains(&Flag::LayoutUnknown));
    assert!(flags.iter().any(|f| matches!(f, Flag::LoadApproximated { .. })), "all 900 at once: {flags:?}");
    // No load in the file.
    let csv = sample("genai-perf/LucasCSpeciale--Metrum_Poject--profile_export_genai_perf.csv");
    let r = match_to_plan(&inputs(SCENARIOS[0]), &csv).unwrap();
    assert!(r.comparisons[0].flags.contains(&Flag::LoadUnknown));
    for c in &r.comparisons {
        for f in &c.flags {
            assert!(!f.message().is_empty());
        }
    }
}

/// Runs in the planner's CSV for `layouts` of a plan, each measured at `factor` × its
/// prediction at 64 in flight.
fn csv_runs(i: &PlannerInputs, layouts: &[(Layout, f64)]) -> Vec<super::import::MeasuredRun> {
    let mut text = "tp,pp,dp,ep,concurrency,output_tok_s,ttft_ms,tpot_ms\n".to_string();
    for (l, factor) in layouts {
        let mut at = i.clone();
        at.workload.load = Load::Concurrency(64);
        at.workload.sla = Sla::default();
        let p = *evaluate(&at, *l).point().unwrap();
        text.push_str(&format!("{},{},{},{},64,{},{},{}\n", l.tp, l.pp, l.dp, l.ep, p.output_tok_s * factor, p.ttft.ms(), p.tpot.ms() / factor));
    }
    import("measured.csv", &text).unwrap()
}

#[test]
fn the_measured_best_is_checked_against_the_predicted_best() {
    let i = inputs(r#"{"model": "meta-llama/Llama-3.1-8B", "gpu": "h100-sxm", "workload": {"isl": 1024, "osl": 128, "concurrency": 64}}"#);
    let (a, b) = (Layout::new(1, 1, 8, 1, 8).unwrap(), Layout::new(8, 1, 1, 1, 8).unwrap());
    let mut at = i.clone();
    at.workload.sla = Sla::default();
    let (pa, pb) = (evaluate(&at, a).point().unwrap().output_tok_s, evaluate(&at, b).point().unwrap().output_tok_s);
    let (better, worse) = if pa >= pb { (a, b) } else { (b, a) };
    // Measured as predicted: they agree.
    let report = match_to_plan(&i, &csv_runs(&i, &[(a, 1.0), (b, 1.0)])).unwrap();
    assert!(report.comparisons.iter().all(|c| c.matched), "{:?}", report.comparisons);
    assert_eq!((report.best.measured_best, report.best.predicted_best, report.best.agree), (Some(better), Some(better), Some(true)));
    assert!(report.comparisons.iter().all(|c| c.output_tok_s.unwrap().error.unwrap().abs() < 1e-9));
    // The predicted-better layout measured at a third: they disagree.
    let report = match_to_plan(&i, &csv_runs(&i, &[(better, 1.0 / 3.0), (worse, 1.0)])).unwrap();
    assert_eq!((report.best.measured_best, report.best.predicted_best, report.best.agree), (Some(worse), Some(better), Some(false)));
    let recommended = planner::planning::plan_inputs(&i).unwrap().recommended.unwrap().layout;
    assert_eq!(report.best.recommended, Some(recommended));
    assert_eq!(report.best.recommended_measured, recommended == a || recommended == b);
    // One layout alone cannot disagree.
    let report = match_to_plan(&i, &csv_runs(&i, &[(a, 1.0)])).unwrap();
    assert_eq!(report.best.agree, None);
}

#[test]
fn doubts_are_flagged_but_do_not_block() {
    // The scenario fixes TP 8; a TP 4 × DP 2 run is outside the plan but on this cluster.
    let i = inputs(r#"{"model": "meta-llama/Llama-3.1-8B", "gpu": "h100-sxm", "layout": {"tp": 8}, "workload": {"isl": 1024, "osl": 128, "concurrency": 64}}"#);
    let l = Layout::new(4, 1, 2, 1, 8).unwrap();
    let runs = import("m.csv", "tp,pp,dp,ep,concurrency,output_tok_s,ttft_ms,tpot_ms\n4,1,2,1,64,20000,,\n").unwrap();
    let c = &match_to_plan(&i, &runs).unwrap().comparisons[0];
    assert!(c.matched, "{:?}", c.flags);
    assert!(c.flags.contains(&Flag::OutsideFixedLayout { layout: l }));
    for f in [Flag::ModelNotStated, Flag::GpuNotStated] {
        assert!(c.flags.contains(&f), "{f:?} in {:?}", c.flags);
    }
    assert!(c.flags.iter().any(|f| matches!(f, Flag::LengthNotStated { .. })));
    assert!(c.ttft_ms.is_none() && c.tpot_ms.is_none());
    // A run with only a median TPOT is compared on it, flagged.
    let text = r#"{"date": "d", "model_id": "meta-llama/Llama-3.1-8B-Instruct", "tp": 8, "max_concurrency": 64,
        "completed": 640, "total_input_tokens": 655360, "total_output_tokens": 81920, "output_throughput": 9000.0,
        "median_tpot_ms": 12.0}"#;
    let runs = import("r.json", text).unwrap();
    let c = &match_to_plan(&inputs(r#"{"model": "meta-llama/Llama-3.1-8B", "gpu": "h100-sxm", "workload": {"isl": 1024, "osl": 128, "concurrency": 64}}"#), &runs)
        .unwrap()
        .comparisons[0];
    assert!(c.matched, "{:?}", c.flags);
    assert!(c.flags.contains(&Flag::MedianUsed { figure: "TPOT".into() }));
    assert_eq!(c.tpot_ms.unwrap().measured, 12.0);
    assert_eq!(runs[0].load, MeasuredLoad::Concurrency { requests: 64 });
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Any run — layouts of this cluster or not, any load, lengths near the plan's or absent,
    /// odd figures — is compared without a panic; every figure of a matched run is finite, and
    /// a run is matched exactly when it has figures.
    #[test]
    fn matching_never_panics_and_figures_are_finite(
        layout in 0usize..40, odd in proptest::option::of((0u32..=16, 0u32..=4, 0u32..=16, 0u32..=8)),
        load in 0usize..5, amount in 0.0f64..3000.0,
        isl in proptest::option::of(900.0f64..1150.0), osl in proptest::option::of(225.0f64..290.0),
        output in -10.0f64..1e6, ttft in proptest::option::of(-1.0f64..1e5), tpot in proptest::option::of(-1.0f64..1e3),
    ) {
        let i = inputs(r#"{"model": "Qwen/Qwen3-30B-A3B", "gpu": "h100-sxm", "workload": {"isl": 1024, "osl": 256, "concurrency": 64}}"#);
        let layouts = planner::search::enumerate(8, true, &Default::default()).unwrap();
        let chosen = match odd {
            Some((tp, pp, dp, ep)) => super::naming::layout_of(tp, pp, dp, ep),
            None => Some(layouts[layout % layouts.len()]),
        };
        let mut run = import("r.csv", "tp,pp,dp,ep,concurrency,output_tok_s,ttft_ms,tpot_ms\n8,1,1,1,64,1000,,\n").unwrap().remove(0);
        run.layout = chosen.map(|layout| super::import::MeasuredLayout {
            layout, source: super::import::LayoutSource::Csv, assumed: vec![],
        });
        let n = amount as u32;
        run.load = match load {
            0 => MeasuredLoad::Concurrency { requests: n },
            1 => MeasuredLoad::RequestRate { per_s: amount },
            2 => MeasuredLoad::RateCapped { per_s: amount, requests: n },
            3 => MeasuredLoad::AllAtOnce { requests: n },
            _ => MeasuredLoad::Unknown,
        };
        run.mean_isl = isl;
        run.mean_osl = osl;
        run.output_tok_s = output;
        run.ttft_ms.mean = ttft;
        run.tpot_ms.median = tpot;
        let report = match_to_plan(&i, &[run]).unwrap();
        for c in &report.comparisons {
            for f in [c.output_tok_s, c.output_tok_s_per_gpu, c.ttft_ms, c.tpot_ms].into_iter().flatten() {
                proptest::prop_assert!(f.predicted.is_finite() && f.measured.is_finite(), "{:?}", c);
                proptest::prop_assert!(f.error.is_none_or(f64::is_finite), "{:?}", c);
            }
            proptest::prop_assert_eq!(c.matched, c.output_tok_s.is_some());
            proptest::prop_assert_eq!(c.matched, !c.flags.iter().any(Flag::blocks));
        }
    }
}

#[test]
fn the_prediction_takes_the_runs_arrivals() {
    use planner::workload::Arrivals;
    // Fixed lengths in a closed loop: lockstep waves.
    let c = &match_to_plan(&inputs(SCENARIOS[0]), &sample(SCICOM_70B)).unwrap().comparisons[0];
    assert_eq!(c.evaluated_at.unwrap().arrivals, Arrivals::Synchronized);
    assert!(!c.flags.iter().any(|f| matches!(f, Flag::ArrivalsAssumed { .. } | Flag::LengthsVary)), "{:?}", c.flags);
    // Random lengths: the steady state, flagged.
    let sglang = sample("sglang/TonyLi15--sglang-benchmark--agg_n100_in512_out128_c32.jsonl");
    assert_eq!(sglang[0].fixed_lengths, Some(false));
    let scenario = r#"{"model": {"name": "Qwen/Qwen2.5-3B-Instruct", "config": {"model_type": "qwen2", "architectures": ["Qwen2ForCausalLM"],
        "hidden_size": 2048, "num_hidden_layers": 36, "num_attention_heads": 16, "num_key_value_heads": 2,
        "intermediate_size": 11008, "vocab_size": 151936, "tie_word_embeddings": true}},
        "gpu": "gh200", "nodes": 1, "gpus_per_node": 1, "engine": "sglang", "workload": {"isl": 265, "osl": 62, "concurrency": 32}}"#;
    let c = &match_to_plan(&inputs(scenario), &sglang).unwrap().comparisons[0];
    assert!(c.matched, "{:?}", c.flags);
    assert_eq!(c.evaluated_at.unwrap().arrivals, Arrivals::Staggered);
    assert!(c.flags.contains(&Flag::LengthsVary), "{:?}", c.flags);
    // A hand-written CSV does not say: the scenario's arrivals, flagged.
    let i = inputs(r#"{"model": "meta-llama/Llama-3.1-8B", "gpu": "h100-sxm", "workload": {"isl": 1024, "osl": 128, "concurrency": 64}}"#);
    let runs = import("m.csv", "tp,pp,dp,ep,concurrency,output_tok_s,ttft_ms,tpot_ms\n8,1,1,1,64,9000,,\n").unwrap();
    let c = &match_to_plan(&i, &runs).unwrap().comparisons[0];
    assert_eq!(c.evaluated_at.unwrap().arrivals, Arrivals::Synchronized);
    assert!(c.flags.contains(&Flag::ArrivalsAssumed { arrivals: Arrivals::Synchronized }), "{:?}", c.flags);
    // trtllm-bench's dataset statistics say the lengths were fixed.
    let trt = sample("trtllm-bench/masahiro-kubota--trtllm-latency--in1024_out40_bs1.json");
    assert_eq!(trt[0].fixed_lengths, Some(true));
}

#[test]
fn each_candidate_gets_the_run_of_its_layout_nearest_its_planned_load() {
    let i = inputs(r#"{"model": "meta-llama/Llama-3.1-8B", "gpu": "h100-sxm", "workload": {"isl": 1024, "osl": 128, "concurrency": 64}}"#);
    let plan = planner::planning::plan_inputs(&i).unwrap();
    let (a, b) = (Layout::new(1, 1, 8, 1, 8).unwrap(), Layout::new(8, 1, 1, 1, 8).unwrap());
    // Layout a at 8, 64 and 70 in flight; layout b at a request rate only; a 16-GPU run matches nothing.
    let csv = format!(
        "tp,pp,dp,ep,concurrency,output_tok_s,ttft_ms,tpot_ms\n{a},8,1000,50,5\n{a},64,6400,80,6\n{a},70,7000,90,7\n8,1,2,1,64,1,1,1\n",
        a = "1,1,8,1"
    );
    let mut runs = import("runs.csv", &csv).unwrap();
    runs.extend(import("vllm-tp8-pp1-dp1-ep1.json", &vllm_at_rate(4.0)).unwrap());
    let report = match_to_plan(&i, &runs).unwrap();
    let beside = super::compare::beside_plan(&report, &plan, i.workload.load);
    assert_eq!(beside.len(), plan.candidates.len());
    let of = |l: Layout| beside[plan.candidates.iter().position(|c| c.layout == l).unwrap()].clone();
    assert_eq!(of(a).map(|c| c.run), Some(1), "the run at the planned 64 in flight");
    assert_eq!(of(b).map(|c| c.run), Some(4), "the only run of b, at another kind of load");
    let measured: usize = beside.iter().flatten().count();
    assert_eq!(measured, 2, "no other candidate has a run");
    // Planned at the maximum-throughput point, the nearest to its requests in flight is taken.
    let max = inputs(r#"{"model": "meta-llama/Llama-3.1-8B", "gpu": "h100-sxm", "workload": {"isl": 1024, "osl": 128}}"#);
    let plan = planner::planning::plan_inputs(&max).unwrap();
    let report = match_to_plan(&max, &runs).unwrap();
    let beside = super::compare::beside_plan(&report, &plan, max.workload.load);
    let c = plan.candidates.iter().position(|c| c.layout == a).unwrap();
    let in_flight = plan.candidates[c].concurrency.unwrap() as f64;
    let want = [(1usize, 8.0f64), (2, 64.0), (3, 70.0)]
        .into_iter()
        .min_by(|x, y| (x.1 / in_flight).ln().abs().total_cmp(&(y.1 / in_flight).ln().abs()))
        .unwrap()
        .0;
    assert_eq!(beside[c].as_ref().map(|c| c.run), Some(want - 1), "{in_flight} in flight");
}

/// A `vllm bench serve` result of Llama 3.1 8B at `rate` requests/s, no concurrency cap.
fn vllm_at_rate(rate: f64) -> String {
    serde_json::json!({
        "date": "20260101-000000", "endpoint_type": "openai", "backend": "openai", "label": null,
        "model_id": "meta-llama/Llama-3.1-8B", "tokenizer_id": "meta-llama/Llama-3.1-8B", "num_prompts": 400,
        "request_rate": rate, "burstiness": 1.0, "max_concurrency": null, "duration": 100.0, "completed": 400,
        "total_input_tokens": 409600, "total_output_tokens": 51200, "request_throughput": 4.0,
        "output_throughput": 512.0, "total_token_throughput": 4608.0, "mean_ttft_ms": 40.0, "median_ttft_ms": 38.0,
        "mean_tpot_ms": 6.0, "median_tpot_ms": 6.0
    })
    .to_string()
}
