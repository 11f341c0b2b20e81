//! The step model by operation against the shipped tables (`data/kernels/`, read here with
//! `std::fs`): look-ups at and between measured points, the fall-back to the roofline, a
//! published-physics check, and the invariants of every operation's time.

use super::super::super::evaluate::{prepare, Evaluator};
use super::super::super::inputs::{resolve_with, PlannerInputs};
use super::super::super::kernels::grid::Between;
use super::super::super::kernels::tests::library;
use super::super::super::kernels::{parse, KernelTables, Library};
use super::super::super::layout::Layout;
use super::super::super::precision::{KvPrecision, Precisions, WeightPrecision};
use super::super::super::scenario::{ScenarioInput, StepModel};
use super::super::super::search::{enumerate, search};
use super::super::load::{Gemm, Projection};
use super::super::step::{Batch, Kind, Op};
use super::*;
use proptest::prelude::*;
use std::sync::OnceLock;

/// The shipped library, read once for every test of this file.
fn shipped() -> &'static Library {
    static LIBRARY: OnceLock<Library> = OnceLock::new();
    LIBRARY.get_or_init(library)
}

fn tables(name: &str) -> KernelTables {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/kernels").join(name);
    parse(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))).unwrap()
}

/// A scenario asking for the kernel-table step model, resolved with the shipped tables.
fn scenario(text: &str) -> PlannerInputs {
    resolve_with(&with_tables(ScenarioInput::from_json(text).unwrap()), shipped()).unwrap()
}

fn with_tables(input: ScenarioInput) -> ScenarioInput {
    ScenarioInput { step_model: Some(StepModel::KernelTables), ..input }
}

fn bf16() -> Precisions {
    Precisions { weights: WeightPrecision::Bf16, kv: KvPrecision::Bf16 }
}

/// The utilisation a time implies: `max(F/peak, B/hbm)/t`, F and B by hand from FORMAT.md.
fn gemm_utilisation(t: &KernelTables, n: f64, k: f64, m: f64, time: f64) -> f64 {
    let (f, b) = (2.0 * m * n * k, m * k * 2.0 + n * k * 2.0 + 2.0 * m * n);
    (f / t.peak("bf16").unwrap()).max(b / t.hbm) / time
}

fn gemm_op(t: &KernelTables, n: f64, k: f64) -> GemmOp {
    let plan = KernelPlan::new(t, bf16(), &super::super::super::model::fixtures::llama_3_1_70b());
    let gemm = Gemm { projection: Projection::Down, n, k, count: 1 };
    GemmOp::new(gemm, plan.gemm.as_ref().unwrap(), plan.hbm)
}

fn check(what: &str, actual: f64, expected: f64, tolerance: f64) {
    let diff = (actual - expected).abs() / expected.abs();
    println!("{what}: expected {expected:.5}, actual {actual:.5}, difference {:.3} %, tolerance {:.3} %", diff * 100.0, tolerance * 100.0);
    assert!(diff <= tolerance, "{what}: expected {expected}, actual {actual}, tolerance {tolerance}");
}

/// The file writes 3 significant digits (`%.3g`): half a unit of the third digit.
fn rounding(x: f64) -> f64 {
    0.5 * 10f64.powf(x.abs().log10().floor() - 2.0) / x.abs()
}

#[test]
fn a_lookup_at_a_measured_point_returns_the_measured_value() {
    let t = tables("h100_sxm.trtllm.txt");
    // h100_sxm.trtllm.txt, `gemm dtype=bf16`, row n = 4096, k = 4096 (the 8th): m = 64 is 0.659.
    let op = gemm_op(&t, 4096.0, 4096.0);
    let (c, m) = op.time(64.0);
    let u = gemm_utilisation(&t, 4096.0, 4096.0, 64.0, c.max(m));
    check("gemm bf16 n 4096 k 4096 m 64: u", u, 0.659, rounding(0.659));
    // `attn_gen q=bf16 kv=bf16 d=128 gqa=8`, h = 8, b = 64, s = 4096: 0.57 (row h 8, b 64).
    let plan = KernelPlan::new(&t, bf16(), &super::super::super::model::fixtures::llama_3_1_70b());
    let gqa = Attention::Gqa { heads: 64, kv_heads: 8, head_dim: 128, bias: false, values_from_keys: false, indexer: None };
    let op = attention_op(&plan, gqa, None, 1, false, 8, KvPrecision::Bf16, "bf16").unwrap();
    let (b, s) = op.batch_and_length(64.0, 4096.0);
    let (c, m) = op.time(b, s);
    let (f, bytes) = (4.0 * b * 8.0 * 128.0 * s, 2.0 * b * s * 1.0 * 128.0 * 2.0 + 4.0 * b * 8.0 * 128.0);
    let u = (f / 989e12).max(bytes / 3.35e12) / c.max(m);
    check("attn_gen h 8 b 64 s 4096: u", u, 0.57, rounding(0.57));
    // All-reduce on 8 GPUs, 1 MiB: `nccl op=all_reduce` 0.161 of the 450 GB/s link beats
    // `custom_ar` 0.157 (2·7/8 of the bytes cross the link).
    let ar = all_reduce_op(&plan, &Layout::new(8, 1, 1, 1, 8).unwrap(), &h100_node(), &llama_70b_compute()).unwrap();
    let tokens = 1048576.0 / ar.bytes_per_token;
    let (time, table) = ar.time(tokens);
    assert_eq!(t.tables[table].name(), "nccl op=all_reduce", "the faster of the two at 1 MiB");
    let u = 2.0 * 7.0 / 8.0 * 1048576.0 / (time / ar.count * 450e9);
    check("nccl all_reduce 8 GPUs 1 MiB: u", u, 0.161, rounding(0.161));
}

/// Decode attention of one layer of a GQA model of `heads` query and `kv_heads` KV heads (head
/// dim 128) on one GPU, from `h200_sxm.trtllm.txt` with an fp8 KV cache.
fn h200_fp8_decode(heads: u32, kv_heads: u32) -> AttentionOp {
    let t = tables("h200_sxm.trtllm.txt");
    let fp8 = Precisions { weights: WeightPrecision::Fp8, kv: KvPrecision::Fp8 };
    let plan = KernelPlan::new(&t, fp8, &super::super::super::model::fixtures::llama_3_1_8b());
    let gqa = Attention::Gqa { heads, kv_heads, head_dim: 128, bias: false, values_from_keys: false, indexer: None };
    attention_op(&plan, gqa, None, 1, false, 1, KvPrecision::Fp8, "fp8").unwrap()
}

/// Issue 11: Llama-3.1-8B's decode attention (32 query heads, 8 KV heads, fp8 cache) at long
/// context against the package's own rows for that very shape, which the table (gqa=8: 4 KV
/// heads at h 32) does not carry: `aiconfigurator-core` 0.12.0,
/// `systems/data/h200_sxm/attention/trtllm/1.3.0rc20/generation_attention_perf.parquet`,
/// `num_heads` 32, `num_key_value_heads` 8, `head_dim` 128, `kv_cache_dtype` fp8, `isl` 1 +
/// `step` s − 1, the fastest row. The look-up at the batch that reads as many KV bytes in the
/// table's heads lands on a measured point at b 32, s 8192 (the table's b 64: 3.2 % slower than
/// the row); the other two look up past a table row's last measured length, clamped there:
/// b 64 → 128 lies between the rows b 64 and b 256, the latter measured only up to s 1024 (13 %
/// slower), b 16 → 32 between b 16 and b 64, the latter up to s 8192 (9 % slower). Keeping
/// the table's u at the same batch on the former grid (before issue 11) was 30 % slower at b 32,
/// s 8192 (u 0.641 against 0.835).
#[test]
fn long_context_gqa_decode_attention_is_near_the_measured_rows_of_its_shape() {
    let op = h200_fp8_decode(32, 8);
    assert_eq!(op.batch_scale, 2.0, "8 KV heads against the table's ceil(32/8) = 4");
    let rows = [(32.0, 8192.0, 0.134011, 0.05), (64.0, 4096.0, 0.135125, 0.14), (16.0, 32768.0, 0.253275, 0.12)];
    for (b, s, measured_ms, tolerance) in rows {
        let (c, m) = op.time(b, s);
        let what = format!("Llama-3.1-8B decode attention, H200 fp8 KV, b {b}, s {s}: ms");
        check(&what, c.max(m) * 1e3, measured_ms, tolerance);
    }
}

fn h100_node() -> Cluster {
    super::super::comm::tests::cluster(1, super::super::comm::tests::h100())
}

fn llama_70b_compute() -> StageCompute {
    let m = super::super::super::model::fixtures::llama_3_1_70b();
    StageCompute::new(&m, &m.layers, true, &Layout::new(8, 1, 1, 1, 8).unwrap())
}

#[test]
fn between_two_measured_points_the_lookup_lies_between_them() {
    let t = tables("h100_sxm.trtllm.txt");
    let op = gemm_op(&t, 4096.0, 4096.0);
    let u = |m: f64| {
        let (c, mem) = op.time(m);
        gemm_utilisation(&t, 4096.0, 4096.0, m, c.max(mem))
    };
    let (lo, mid, hi) = (u(64.0), u(96.0), u(128.0));
    println!("gemm n 4096 k 4096: u(64) {lo:.4}, u(96) {mid:.4}, u(128) {hi:.4}");
    assert!(mid >= lo.min(hi) && mid <= lo.max(hi), "u(96) {mid} not between {lo} and {hi}");
    // Off the grid on every axis (n 6144, k 8192, m 100): between the eight measured corners.
    let corners: Vec<f64> = [4096.0, 16384.0]
        .iter()
        .flat_map(|&n| [4096.0, 16384.0].map(move |k| (n, k)))
        .flat_map(|(n, k)| [64.0, 128.0].map(move |m| (n, k, m)))
        .map(|(n, k, m)| t.tables[0].grid.at(&[n, k, m], Between::Linear).unwrap())
        .collect();
    let op = gemm_op(&t, 6144.0, 8192.0);
    let (c, m) = op.time(100.0);
    let u = gemm_utilisation(&t, 6144.0, 8192.0, 100.0, c.max(m));
    let (min, max) = corners.iter().fold((f64::INFINITY, 0.0f64), |(a, b), &x| (a.min(x), b.max(x)));
    println!("gemm n 6144 k 8192 m 100: u {u:.4} within the corners [{min:.4}, {max:.4}]");
    assert!(u >= min - 1e-12 && u <= max + 1e-12);
}

/// A GPU the tables do not cover is timed by the roofline, and the trace's step operations say so.
#[test]
fn a_gpu_without_tables_falls_back_to_the_roofline_and_says_so() {
    let text = r#"{"model": "llama-3.1-8b", "gpu": "mi300x", "workload": {"isl": 1024, "osl": 256}}"#;
    let i = scenario(text);
    assert!(i.kernels.is_none() && i.step_model == StepModel::KernelTables);
    let plan = crate::planning::plan_inputs(&i).unwrap();
    let ops = plan.trace.iter().find(|s| s.id == "step-operations").expect("a step-operations trace step");
    println!("{}", ops.detail);
    assert!(ops.detail.contains("roofline with the fitted GEMM and HBM efficiencies: no table for AMD Instinct MI300X 192GB"), "{}", ops.detail);
    assert_eq!(ops.inputs["decode_from_tables_ms"], 0.0);
    // The same numbers as without a library: the roofline unchanged.
    let plain = crate::planning::plan(&ScenarioInput::from_json(text).unwrap()).unwrap();
    assert_eq!(plain.candidates, plan.candidates);
    // A catalog GPU with tables, under the engine the tables were measured with: table-timed.
    let h100 = scenario(r#"{"model": "llama-3.1-8b", "gpu": "h100-sxm", "engine": "trtllm", "workload": {"isl": 1024, "osl": 256}}"#);
    let plan = crate::planning::plan_inputs(&h100).unwrap();
    let ops = plan.trace.iter().find(|s| s.id == "step-operations").unwrap();
    println!("{}", ops.detail);
    assert!(ops.detail.contains("gemm dtype=bf16 (h100_sxm, trtllm 1.3.0rc20): n 6144 between 4096 and 16384"), "{}", ops.detail);
    assert!(ops.inputs["decode_from_tables_ms"] > 0.5 * ops.inputs["decode_step_ms"]);
}

/// Llama 3.1 8B BF16 decoding one sequence on one H100 with the TensorRT-LLM tables: the weight
/// read dominates. Expected: weights ÷ bandwidth (7.505e9 parameters read per step, the input
/// embedding excepted, × 2 bytes = 15.01 GB over 3.35 TB/s = 4.48 ms). The tables' GEMM
/// utilisation at m = 1 for its shapes (n 4096–65536 clamped, k 4096–16384) is 0.60–0.82
/// (h100_sxm.trtllm.txt), so its linear layers take 1/0.82–1/0.60 = 1.2–1.7× that; the whole
/// step adds decode attention at its batch-1 latency floor (u ≈ 0.04 at b 1, s 1024) and the
/// fitted overheads: tolerance for the step, 1.0–2.2×.
#[test]
fn llama_8b_bf16_batch_1_on_h100_with_tables_stays_near_weights_over_bandwidth() {
    let i = scenario(r#"{"model": "llama-3.1-8b", "gpu": "h100-sxm", "engine": "trtllm", "workload": {"isl": 1024, "osl": 128}}"#);
    let p = prepare(&i, Layout::new(1, 1, 1, 1, 1).unwrap()).unwrap();
    let cost = p.cost(&i, &i.params);
    let batch = Batch::decode(1.0, 1024.0);
    let expected = 15.01e9 / 3.35e12;
    let linear: f64 = cost.operations(&batch).iter().filter(|o| matches!(o.op, Op::Gemm { .. })).map(|o| o.time.value()).sum();
    let step = cost.step(&batch).total.value();
    for (what, actual, [lo, hi]) in [("linear layers", linear, [1.0 / 0.82, 1.0 / 0.60]), ("decode step", step, [1.0, 2.2])] {
        println!("{what}: weights ÷ bandwidth {:.3} ms, actual {:.3} ms = {:.2}×, tolerance {lo:.2}–{hi:.2}×", expected * 1e3, actual * 1e3, actual / expected);
        assert!(actual / expected >= lo - 1e-9 && actual / expected <= hi + 1e-9, "{what}: {:.2}× outside {lo:.2}–{hi:.2}×", actual / expected);
    }
}

/// The routing skew parameter: at its prior the MoE operation is the table's; at 0 and 1.2 the
/// `moe_routing` ratios of the file.
#[test]
fn the_routing_skew_reproduces_the_tables_at_its_anchors() {
    let i = scenario(r#"{"model": "mixtral-8x7b", "weights": "fp8", "gpu": "h100-sxm", "engine": "trtllm", "workload": {"isl": 1024, "osl": 256}}"#);
    let p = prepare(&i, Layout::new(1, 1, 8, 8, 8).unwrap()).unwrap();
    let Ok(experts) = &p.ops.as_ref().unwrap().experts else { panic!("Mixtral's experts are table-timed on H100") };
    let tokens = 64.0 / experts.to_row;
    let base = experts.time(tokens, ROUTING_MEASURED);
    assert_eq!(base.2, 1.0);
    // h100_sxm.trtllm.txt moe_routing at ep 8, tokens 64: balanced 1.11, power_law_1.2 0.989.
    for (skew, ratio) in [(0.0, 1.11), (1.2, 0.989)] {
        let t = experts.time(tokens, skew);
        check(&format!("skew {skew}: MoE time ratio"), (t.0.max(t.1)) / base.0.max(base.1), ratio, 1e-9);
    }
    assert_eq!(crate::perf::params::PerfParams::prior(crate::gpu::Generation::Hopper, crate::engine::Engine::Trtllm).moe_routing_skew, ROUTING_MEASURED);
    // All 8 experts on one GPU (tp 1, ep 1): balanced routing takes the same time at every ep,
    // the row's × its own balanced ratio (`moe_rank_load` at 8/8 = 1 expert per rank, tokens
    // 64: 0.893, not the `moe_routing` median 1.11 of shapes with 16 to 64 experts per rank);
    // the measured routing, that × 1/the balanced ratio at ep 1 (tokens 64: 1.26).
    let one = prepare(&i, Layout::new(1, 1, 1, 1, 1).unwrap()).unwrap();
    let Ok(single) = &one.ops.as_ref().unwrap().experts else { panic!("table-timed") };
    let at = (tokens * single.to_row).log2();
    check("ep 1, skew 0: routing factor", single.routing_factor(0.0, at), 0.893, 1e-9);
    check("ep 1, skew 1.01: routing factor", single.routing_factor(ROUTING_MEASURED, at), 0.893 / 1.26, 1e-9);
}

/// The `moe` rows were measured at expert parallelism 8; on a TP-only layout every GPU holds all
/// experts. At the same tokens per expert, Mixtral on one H100 (8 experts per GPU) streams 8×
/// the weights of the row's split (1 expert per GPU): its GEMM part grows 8×, the row's fixed
/// part (the row's time beyond what a dense GEMM as large as its local experts takes) does not,
/// so the time lies strictly between the row's and 8× it; with the routing factor taken out,
/// it is `8 × gemm + fixed` against the row's `gemm + fixed`, the GEMM part from the GEMM table
/// (k 4096; n 43,008 for the row, 344,064 here, both past the table's last n: the same u).
#[test]
fn a_tp_only_moe_layout_scales_the_gemm_part_of_the_row_not_its_fixed_part() {
    let i = scenario(r#"{"model": "mixtral-8x7b", "weights": "fp8", "gpu": "h100-sxm", "engine": "trtllm", "workload": {"isl": 1024, "osl": 256}}"#);
    let row_split = prepare(&i, Layout::new(1, 1, 8, 8, 8).unwrap()).unwrap();
    let single = prepare(&i, Layout::new(1, 1, 1, 1, 1).unwrap()).unwrap();
    let (Ok(eight), Ok(one)) = (&row_split.ops.as_ref().unwrap().experts, &single.ops.as_ref().unwrap().experts) else {
        panic!("Mixtral's experts are table-timed on H100")
    };
    for tokens in [8.0, 64.0, 512.0] {
        let time = |op: &ExpertOp| {
            let (c, m, routing) = op.time(tokens, ROUTING_MEASURED);
            c.max(m) / routing
        };
        let (t8, t1) = (time(eight), time(one));
        println!("{tokens} tokens: ep 8 {:.1} µs, ep 1 {:.1} µs ({:.2}×)", t8 * 1e6, t1 * 1e6, t1 / t8);
        assert!(t1 > t8 && t1 < 8.0 * t8, "{tokens} tokens: ep 1 takes {:.2}× the row's split, expected between 1 and 8", t1 / t8);
    }
}

/// The search with tables reuses per layout what it reuses without (`evaluate::Evaluator`) and
/// picks the tables once: every evaluation equals a fresh one.
#[test]
fn with_tables_the_search_equals_fresh_evaluations() {
    for text in [
        r#"{"model": "mixtral-8x7b", "gpu": "h100-sxm", "nodes": 2, "engine": "sglang", "workload": {"isl": 1024, "osl": 256, "concurrency": 96}}"#,
        r#"{"model": "deepseek-ai/DeepSeek-V3", "gpu": "h200-sxm", "nodes": 4, "weights": "fp8", "engine": "trtllm", "workload": {"isl": 2048, "osl": 512}}"#,
        r#"{"model": "openai/gpt-oss-120b", "gpu": "b200", "nodes": 2, "weights": "fp4", "engine": "vllm", "workload": {"isl": 1024, "osl": 1024, "request_rate": 5}}"#,
        r#"{"model": "deepseek-v4-flash", "gpu": "h200-sxm", "weights": "fp8", "kv_cache": "fp8", "engine": "sglang", "workload": {"isl": 8192, "osl": 1024}}"#,
    ] {
        let i = scenario(text);
        assert!(i.kernels.is_some(), "{text}");
        let r = search(&i).unwrap();
        let layouts = enumerate(i.cluster.total_gpus(), i.model.is_moe(), &i.constraint).unwrap();
        for (e, l) in r.evaluations.iter().zip(layouts) {
            assert_eq!(*e, crate::evaluate::evaluate(&i, l), "{text}: {l}");
        }
        assert!(!r.ranking.is_empty(), "{text}: something feasible");
    }
}

fn models() -> Vec<&'static str> {
    vec![
        "llama-3.1-8b",
        "llama-3.1-70b",
        "mixtral-8x7b",
        "deepseek-ai/DeepSeek-V3",
        "openai/gpt-oss-120b",
        "google/gemma-4-31B-it",
        "Qwen/Qwen3-30B-A3B",
        "nemotron-3-nano",
        "nemotron-3-super",
        "deepseek-v4-flash",
        "XiaomiMiMo/MiMo-V2-Flash",
        "stepfun-ai/Step-3.7-Flash",
        "kimi-k3",
        "minimax-m3",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Decode attention with grouped queries reads the table at the batch with as many KV
    /// bytes: 8 KV heads at batch b take the u of 4 KV heads at 2b, so their memory times
    /// differ only by the query and output traffic (4·h·d per sequence, FORMAT.md `attn_gen`);
    /// one query head per KV head and prefill keep the batch.
    #[test]
    fn grouped_decode_attention_reads_the_table_at_the_same_kv_bytes(b in 1.0f64..2000.0, s in 16.0f64..100_000.0) {
        let (eight, four) = (h200_fp8_decode(32, 8), h200_fp8_decode(32, 4));
        prop_assert_eq!((eight.batch_scale, four.batch_scale, h200_fp8_decode(32, 32).batch_scale), (2.0, 1.0, 1.0));
        let (d, h) = (128.0, 32.0);
        let expected = (2.0 * 8.0 * d * b * s + 4.0 * h * d * b) / (2.0 * 4.0 * d * 2.0 * b * s + 4.0 * h * d * 2.0 * b);
        let actual = eight.time(b, s).1 / four.time(2.0 * b, s).1;
        prop_assert!((actual / expected - 1.0).abs() < 1e-9, "b {b} s {s}: expected {expected}, actual {actual}, tolerance 1e-9");
    }

    /// Every operation's time is finite and non-negative for any model, GPU, engine,
    /// precision, layout and batch, and the operations sum to the step.
    #[test]
    fn every_operation_time_is_finite_and_non_negative(
        model in prop::sample::select(models()),
        gpu in prop::sample::select(vec!["h100-sxm", "h200-sxm", "b200", "gb200", "l40s", "a100-sxm-80gb", "rtx-pro-6000-server"]),
        engine in prop::sample::select(vec!["trtllm", "vllm", "sglang"]),
        weights in prop::sample::select(vec!["bf16", "fp8", "fp4", "int4"]),
        kv in prop::sample::select(vec!["bf16", "fp8", "int8"]),
        nodes in 1u32..3,
        pick in 0usize..1000,
        decode in 0.0f64..3000.0,
        context in 0.0f64..200_000.0,
        prefill in 0.0f64..20_000.0,
        prefill_context in 0.0f64..100_000.0,
    ) {
        let text = format!(r#"{{"model": "{model}", "gpu": "{gpu}", "nodes": {nodes}, "engine": "{engine}", "weights": "{weights}", "kv_cache": "{kv}", "workload": {{"isl": 1024, "osl": 256}}}}"#);
        let Ok(input) = ScenarioInput::from_json(&text) else { return Ok(()) };
        let Ok(i) = resolve_with(&with_tables(input), shipped()) else { return Ok(()) };
        let layouts = enumerate(i.cluster.total_gpus(), i.model.is_moe(), &i.constraint).unwrap();
        let mut evaluator = Evaluator::new(&i);
        let prepared: Vec<_> = layouts.iter().filter_map(|&l| evaluator.prepare(l).ok()).collect();
        let Some(p) = prepared.get(pick % prepared.len().max(1)) else { return Ok(()) };
        let cost = p.cost(&i, &i.params);
        let batch = Batch { decode_tokens: decode, decode_context: context, prefill_tokens: prefill, prefill_context };
        let ops = cost.operations(&batch);
        for o in &ops {
            for t in [o.time, o.compute, o.memory] {
                prop_assert!(t.value().is_finite() && t.value() >= 0.0, "{text} {}: {o:?}", p.layout);
            }
        }
        let step = cost.step(&batch).total.value();
        let sum: f64 = ops.iter().map(|o| o.time.value()).sum();
        prop_assert!((sum - step).abs() <= 1e-9 * step.max(1e-12), "{text} {}: operations {sum} vs step {step}", p.layout);
    }
}

/// DeepSeek-V3.2 with the tables: the MLA tables time its attention over the top 2,048 tokens
/// its indexer picks (the span, as a window's), and the indexer's scoring of the whole context,
/// which no table covers, is the roofline's, listed as its own operation. At a 32k context the
/// indexer reads 61 × 132 B of keys per context token and decode sequence, so its time grows
/// with the context while the attention's stays at its 2,048.
#[test]
fn sparse_attention_is_table_timed_over_its_top_k_and_its_indexer_by_the_roofline() {
    let i = scenario(r#"{"model": "deepseek-v3.2", "weights": "fp8", "kv_cache": "fp8", "gpu": "h200-sxm", "engine": "sglang", "workload": {"isl": 32768, "osl": 1024}}"#);
    let p = prepare(&i, Layout::new(1, 1, 8, 8, 8).unwrap()).unwrap();
    the_indexer_grows_with_the_context_and_the_top_k_attention_does_not(&p.cost(&i, &i.params));
}

/// A sparse-attention step's indexer roofline and table-timed top-2,048 attention, decoding 8
/// sequences: from an 8k to a 32k context the indexer's time grows 4×, the attention's stays.
fn the_indexer_grows_with_the_context_and_the_top_k_attention_does_not(cost: &crate::perf::StageCost) {
    let time = |ctx: f64, kind: &str| {
        cost.operations(&Batch::decode(8.0, ctx))
            .iter()
            .filter(|o| match (o.op, kind) {
                (Op::Roofline { kind: Kind::Indexer, .. }, "indexer") => true,
                (Op::Attention { op, .. }, "attention") => op.sparse && op.window == Some(2048.0),
                _ => false,
            })
            .map(|o| o.time.value())
            .sum::<f64>()
    };
    let (indexer_8k, indexer_32k) = (time(8192.0, "indexer"), time(32768.0, "indexer"));
    let (attention_8k, attention_32k) = (time(8192.0, "attention"), time(32768.0, "attention"));
    println!("indexer {:.3} → {:.3} ms, attention {:.3} → {:.3} ms", indexer_8k * 1e3, indexer_32k * 1e3, attention_8k * 1e3, attention_32k * 1e3);
    assert!(indexer_8k > 0.0 && attention_8k > 0.0);
    check("indexer time, 32k against 8k", indexer_32k / indexer_8k, 4.0, 1e-9);
    check("attention time, 32k against 8k", attention_32k / attention_8k, 1.0, 1e-9);
}

/// Nemotron 3 Nano with the tables plans, and on one GPU pair (TP 2) its step is by operation:
/// the Mamba2 projections and the MoE as tables time them, attention over the 6 attention
/// layers only, and the 23 Mamba2 layers' recurrent step and scan by the roofline, listed as
/// their own operation. Per token and layer on one of the 2 GPUs (32 heads of 64, state 128,
/// 4 groups, chunks of 128): the decode step 5 × 32 × 64 × 128 = 1,310,720 flops, the scan
/// 2 × 128 × 128 × 4 + 2 × 128 × 64 × 32 + 4 × 32 × 64 × 128 = 1,703,936, so a prompt token
/// takes 1.3 × a decode token there.
#[test]
fn nemotron_3_nano_plans_with_tables_and_times_its_recurrent_layers_by_the_roofline() {
    let text = r#"{"model": "nemotron-3-nano", "gpu": "h100-sxm", "engine": "sglang", "workload": {"isl": 4096, "osl": 512}}"#;
    let i = scenario(text);
    assert!(i.kernels.is_some(), "H100 SGLang tables");
    let plan = crate::planning::plan_inputs(&i).unwrap();
    assert!(!plan.ranking.is_empty(), "something feasible");
    let ops = plan.trace.iter().find(|s| s.id == "step-operations").unwrap();
    println!("{}", ops.detail);
    assert!(ops.detail.contains("recurrent step and scan"), "{}", ops.detail);
    // The Mamba2 state each sequence reads and writes per step is named with the element-wise
    // traffic it is counted in.
    assert!(ops.detail.contains("replicated element-wise traffic and recurrent state"), "{}", ops.detail);
    let p = prepare(&i, Layout::new(2, 1, 1, 1, 2).unwrap()).unwrap();
    let stage = p.ops.as_ref().unwrap();
    let gemms = stage.gemms.as_ref().expect("bf16 GEMM tables");
    assert!(gemms.iter().any(|g| g.gemm.projection == Projection::MambaIn && g.gemm.count == 23), "{gemms:?}");
    let decode = stage.decode.as_ref().expect("attention tables");
    assert_eq!(decode.iter().map(|a| a.layers).sum::<u32>(), 6, "{decode:?}");
    assert!(stage.experts.is_ok(), "the MoE is table-timed");
    let cost = p.cost(&i, &i.params);
    let recurrent = |batch: &Batch| -> f64 {
        cost.operations(batch).iter().filter(|o| matches!(o.op, Op::Roofline { kind: Kind::Recurrent, .. })).map(|o| o.time.value()).sum()
    };
    let prefill = Batch { prefill_tokens: 1000.0, prefill_context: 500.0, ..Batch::default() };
    let (d, pr) = (recurrent(&Batch::decode(1000.0, 4096.0)), recurrent(&prefill));
    assert!(d > 0.0);
    check("scan against recurrent step, per token", pr / d, 1_703_936.0 / 1_310_720.0, 1e-12);
}

/// A `GqaDims` layer of one head size and no gate is a `Gqa` layer to every part of the
/// planner: parameters, cache, weights and activations per GPU, the roofline's compute, the
/// GEMM shapes and the table-timed attention, at every TP (Llama 3.1 70B's layers rewritten).
#[test]
fn a_gqa_dims_layer_of_one_head_size_without_a_gate_is_a_gqa_layer() {
    use super::super::super::memory::{runtime, weights};
    use super::super::super::model::GqaDims;
    let gqa = super::super::super::model::fixtures::llama_3_1_70b();
    let mut dims = gqa.clone();
    for l in &mut dims.layers {
        l.attention = Attention::GqaDims(GqaDims { heads: 64, kv_heads: 8, qk_head_dim: 128, v_head_dim: 128, head_gate: false });
    }
    assert_eq!(dims.params(), gqa.params());
    let t = tables("h100_sxm.trtllm.txt");
    let plan = KernelPlan::new(&t, bf16(), &gqa);
    for tp in [1, 2, 8, 16] {
        let layout = Layout::new(tp, 1, 1, 1, tp).unwrap();
        let bf16 = KvPrecision::Bf16;
        assert_eq!(kv::bytes_per_token(&dims.layers, tp, bf16), kv::bytes_per_token(&gqa.layers, tp, bf16), "TP {tp}");
        let weight = |m: &ModelSpec| weights::layers_bytes(m, &m.layers, &layout, WeightPrecision::Fp8);
        assert_eq!(weight(&dims), weight(&gqa), "TP {tp}");
        let activations = |m: &ModelSpec| runtime::activation_bytes(m, &m.layers, &layout, true, 4096, 64);
        assert_eq!(activations(&dims), activations(&gqa), "TP {tp}");
        assert_eq!(StageCompute::per_tp(&dims, &dims.layers, true, tp), StageCompute::per_tp(&gqa, &gqa.layers, true, tp), "TP {tp}");
        assert_eq!(stage_gemms(&dims, &dims.layers, true, tp), stage_gemms(&gqa, &gqa.layers, true, tp), "TP {tp}");
        for prefill in [false, true] {
            let op = |m: &ModelSpec| attention_op(&plan, m.layers[0].attention, None, 80, prefill, tp, bf16, "bf16");
            assert_eq!(op(&dims), op(&gqa), "TP {tp}, prefill {prefill}");
        }
    }
}

/// Keys of 192 and values of 128 (MiMo-V2-Flash's full layers) are timed as GQA at their mean
/// size, 160: FORMAT.md's `attn_gen` and `attn_ctx` F and B are linear in the head size (QKᵀ
/// over the keys' size, PV over the values'), so at 160 they are exact; the table is the one
/// nearest 160 in log2, d = 128.
#[test]
fn key_and_value_heads_of_their_own_sizes_are_timed_at_their_mean() {
    use super::super::super::model::GqaDims;
    let t = tables("h200_sxm.sglang.txt");
    let model = super::super::super::model::fixtures::llama_3_1_70b();
    let plan = KernelPlan::new(&t, bf16(), &model);
    let mimo = Attention::GqaDims(GqaDims { heads: 64, kv_heads: 4, qk_head_dim: 192, v_head_dim: 128, head_gate: false });
    let at_160 = Attention::Gqa { heads: 64, kv_heads: 4, head_dim: 160, bias: false, values_from_keys: false, indexer: None };
    for prefill in [false, true] {
        let op = |a: Attention| attention_op(&plan, a, None, 9, prefill, 8, KvPrecision::Bf16, "bf16").unwrap();
        let mut timed = op(mimo);
        let shape = timed.shape;
        assert_eq!((shape.head_dim, shape.table_head_dim, shape.key_value_dims), (160.0, 128.0, Some((192, 128))));
        // The same operation as at 160 but for the sizes its description names.
        timed.shape.key_value_dims = None;
        assert_eq!(timed, op(at_160), "prefill {prefill}");
    }
}

/// The three real configs whose layers have their own widths, in the roofline's terms at TP 8
/// and by the GEMMs of the table-timed step. By hand, per (query, key) pair, `4 × 64/8 heads ×
/// d`: MiMo-V2-Flash at its mean 160, 5,120 a layer, 9 full layers 46,080 and 39 sliding
/// 199,680 (window 129); Step-3.7-Flash at 128, 4,096 a layer, 12 full 49,152 and 33 sliding
/// 135,168 (window 512); Nemotron-Super's 49 attention blocks 200,704, its 31 others none.
/// GEMMs of one layer at TP 8: MiMo's full-layer QKV `8 × 192 + 1 × (192 + 128)` = 1,856 wide
/// (4 KV heads: one replicated on each GPU), its output from `8 × 128` = 1,024; Step's QKV
/// `8 × 128 + 1 × 256` = 1,280 and a gate 8 wide. Their shapes hold exactly the parameters the
/// roofline counts, at TP 1 and 8. (Read with the importer: only with `config-import`.)
#[cfg(feature = "config-import")]
#[test]
fn layers_with_their_own_widths_in_both_step_models() {
    use crate::model::config::folder_tests::{configs_dir, import_file};
    let model = |file: &str| import_file(file, &configs_dir().join(file)).unwrap().spec;
    let (mimo, step, nemotron) = (
        model("XiaomiMiMo--MiMo-V2-Flash.json"),
        model("stepfun-ai--Step-3.7-Flash.json"),
        model("nvidia--Llama-3_3-Nemotron-Super-49B-v1.json"),
    );
    for (m, full, windowed, window) in
        [(&mimo, 46_080.0, 199_680.0, Some(129)), (&step, 49_152.0, 135_168.0, Some(512)), (&nemotron, 200_704.0, 0.0, None)]
    {
        let c = StageCompute::per_tp(m, &m.layers, true, 8);
        println!("{}: decode flops per pair {} full, {} windowed, window {:?}", m.name, c.attention_decode_flops_full, c.attention_decode_flops_windowed, c.window);
        assert_eq!((c.attention_decode_flops_full, c.attention_decode_flops_windowed, c.window), (full, windowed, window), "{}", m.name);
        assert_eq!(c.attention_prefill_flops_full + c.attention_prefill_flops_windowed, full + windowed, "{}", m.name);
        for tp in [1, 8] {
            let c = StageCompute::per_tp(m, &m.layers, true, tp);
            let gemms = stage_gemms(m, &m.layers, true, tp);
            let sum = |head: bool| -> f64 {
                gemms.iter().filter(|g| (g.projection == Projection::LmHead) == head).map(|g| g.n * g.k * g.count as f64).sum()
            };
            for (what, actual, expected) in [("layers", sum(false), c.matmul_params), ("LM head", sum(true), c.lm_head_params)] {
                println!("{} TP {tp} {what}: expected {expected:.6e}, actual {actual:.6e}, tolerance 1e-12", m.name);
                assert!((actual - expected).abs() <= 1e-12 * expected, "{} TP {tp} {what}: expected {expected}, actual {actual}", m.name);
            }
        }
    }
    let one = |m: &ModelSpec, layer: usize| stage_gemms(m, &m.layers[layer..=layer], false, 8);
    let shape = |g: &Gemm| (g.projection, g.n, g.k);
    assert_eq!(one(&mimo, 0)[..2].iter().map(shape).collect::<Vec<_>>(), [(Projection::Qkv, 1856.0, 4096.0), (Projection::Output, 4096.0, 1024.0)]);
    assert_eq!(
        one(&step, 0)[..3].iter().map(shape).collect::<Vec<_>>(),
        [(Projection::Qkv, 1280.0, 4096.0), (Projection::HeadGate, 8.0, 4096.0), (Projection::Output, 4096.0, 1024.0)]
    );
    assert!(one(&nemotron, 6).iter().all(|g| matches!(g.projection, Projection::GateUp | Projection::Down)), "block 6 has no attention");
}

/// The two presets and the pasted Nemotron-Super config plan with the kernel tables and with
/// the roofline: something feasible in each, every evaluation of the search equal to a fresh
/// one (the evaluator's reuse changes nothing), and with the tables the gate's GEMM and
/// MiMo-V2-Flash's full and sliding attention timed from the tables, the trace saying at which
/// head size. (Nemotron-Super is pasted: only with `config-import`.)
#[cfg(feature = "config-import")]
#[test]
fn models_with_their_own_widths_plan_in_both_step_models() {
    let nemotron = std::fs::read_to_string(
        crate::model::config::folder_tests::configs_dir().join("nvidia--Llama-3_3-Nemotron-Super-49B-v1.json"),
    )
    .unwrap();
    let texts = [
        r#"{"model": "XiaomiMiMo/MiMo-V2-Flash", "gpu": "h200-sxm", "weights": "fp8", "engine": "sglang", "workload": {"isl": 4096, "osl": 1024}}"#.to_string(),
        r#"{"model": "stepfun-ai/Step-3.7-Flash", "gpu": "h100-sxm", "weights": "fp8", "engine": "sglang", "workload": {"isl": 4096, "osl": 1024}}"#.to_string(),
        format!(r#"{{"model": {{"name": "nvidia/Llama-3_3-Nemotron-Super-49B-v1", "config": {nemotron}}}, "gpu": "h100-sxm", "engine": "vllm", "workload": {{"isl": 2048, "osl": 512}}}}"#),
    ];
    for text in &texts {
        let input = ScenarioInput::from_json(text).unwrap();
        for i in [resolve_with(&input, shipped()).unwrap(), scenario(text)] {
            let r = search(&i).unwrap();
            let layouts = enumerate(i.cluster.total_gpus(), i.model.is_moe(), &i.constraint).unwrap();
            for (e, l) in r.evaluations.iter().zip(layouts) {
                assert_eq!(*e, crate::evaluate::evaluate(&i, l), "{text}: {l}");
            }
            println!("{} ({:?}): {} feasible of {}", i.model.name, i.step_model, r.ranking.len(), r.evaluations.len());
            assert!(!r.ranking.is_empty(), "{text} ({:?}): something feasible", i.step_model);
        }
    }
    let i = scenario(&texts[1]);
    let p = prepare(&i, Layout::new(8, 1, 1, 1, 8).unwrap()).unwrap();
    let ops = p.ops.as_ref().unwrap();
    assert!(ops.gemms.as_ref().unwrap().iter().any(|g| g.gemm.projection == Projection::HeadGate), "Step's gate is a table-timed GEMM");
    let i = scenario(&texts[0]);
    let p = prepare(&i, Layout::new(8, 1, 1, 1, 8).unwrap()).unwrap();
    let decode = p.ops.as_ref().unwrap().decode.as_ref().unwrap();
    let groups: Vec<(u32, Option<f64>)> = decode.iter().map(|op| (op.layers, op.window)).collect();
    assert_eq!(groups, [(9, None), (39, Some(129.0))], "MiMo-V2-Flash's full and sliding layers, table-timed");
    let plan = crate::planning::plan_inputs(&i).unwrap();
    let ops = plan.trace.iter().find(|s| s.id == "step-operations").unwrap();
    assert!(ops.detail.contains("head dim 160 (the mean of keys of 192 and values of 128): the nearest table, d=128"), "{}", ops.detail);
}

/// DeepSeek-V4-Flash with the tables plans: its GEMMs (the query and output projections, the
/// compressors, the indexer's, the hyper-connections') are table-timed; no table measures its
/// attention over a window and compressed entries, so the roofline times decode and prefill
/// attention and says why; the operations sum to the step.
#[test]
fn deepseek_v4_is_table_timed_but_for_its_attention() {
    let i = scenario(r#"{"model": "deepseek-v4-flash", "weights": "fp8", "kv_cache": "fp8", "gpu": "h200-sxm", "engine": "sglang", "workload": {"isl": 8192, "osl": 1024}}"#);
    let r = search(&i).unwrap();
    let best = r.ranking.first().map(|&k| r.evaluations[k].layout).expect("a feasible layout on 8 H200");
    let p = prepare(&i, best).unwrap();
    let cost = p.cost(&i, &i.params);
    let batch = Batch { decode_tokens: 16.0, decode_context: 8192.0, prefill_tokens: 2048.0, prefill_context: 1024.5 };
    let ops = cost.operations(&batch);
    for projection in [Projection::CompressedDown, Projection::GroupedOutput, Projection::Compressor, Projection::IndexerQuery, Projection::HyperConnection] {
        assert!(ops.iter().any(|o| matches!(o.op, Op::Gemm { op, .. } if op.gemm.projection == projection)), "{projection:?} table-timed in {best}");
    }
    for kind in [Kind::DecodeAttention, Kind::PrefillAttention] {
        assert!(
            ops.iter().any(|o| matches!(o.op, Op::Roofline { kind: k, why } if k == kind && why == COMPRESSED_ATTENTION)),
            "{kind:?} by the roofline, with its reason"
        );
    }
    let step = cost.step(&batch).total.value();
    let sum: f64 = ops.iter().map(|o| o.time.value()).sum();
    check("operations against the step", sum, step, 1e-9);
}

/// MiniMax-M3 with the tables, TP 8 on one H200 node: the GQA tables time its 3 full layers over
/// the whole context and its 57 sparse layers over the 2,048 tokens of the blocks their indexer
/// picks; the indexer's scoring of the whole context, which no table covers, is the roofline's,
/// its own operation. From an 8k to a 32k context the indexer's time grows 4×, the sparse
/// layers' attention stays.
#[test]
fn minimax_m3_sparse_attention_is_table_timed_over_its_blocks_and_its_indexer_by_the_roofline() {
    let i = scenario(r#"{"model": "minimax-m3", "weights": "fp8", "kv_cache": "fp8", "gpu": "h200-sxm", "engine": "sglang", "workload": {"isl": 32768, "osl": 1024}}"#);
    let p = prepare(&i, Layout::new(8, 1, 1, 1, 8).unwrap()).unwrap();
    let decode = p.ops.as_ref().unwrap().decode.as_ref().expect("GQA tables");
    let layers = |sparse: bool| decode.iter().filter(|a| a.sparse == sparse).map(|a| a.layers).sum::<u32>();
    assert_eq!((layers(false), layers(true)), (3, 57), "{decode:?}");
    the_indexer_grows_with_the_context_and_the_top_k_attention_does_not(&p.cost(&i, &i.params));
}

/// Kimi K3 with the tables on two B200 nodes, FP4: it plans; on TP 8 its KDA layers' projections
/// are table-timed GEMMs (the fused `[q, k, v, g]`, the replicated gate down-projection, the gate
/// up-projection), the MLA tables time its 24 MLA layers only, and the 69 KDA layers' recurrent
/// step is the roofline's, its own operation with the reason.
#[test]
fn kimi_k3_plans_with_tables_and_times_its_kda_recurrence_by_the_roofline() {
    let text = r#"{"model": "kimi-k3", "weights": "fp4", "kv_cache": "fp8", "gpu": "b200", "nodes": 2, "engine": "sglang", "workload": {"isl": 4096, "osl": 1024}}"#;
    let i = scenario(text);
    assert!(i.kernels.is_some(), "B200 SGLang tables");
    let plan = crate::planning::plan_inputs(&i).unwrap();
    assert!(!plan.ranking.is_empty(), "something feasible");
    let p = prepare(&i, Layout::new(8, 1, 2, 16, 16).unwrap()).unwrap();
    let stage = p.ops.as_ref().unwrap();
    let gemms = stage.gemms.as_ref().expect("FP4 GEMM tables");
    for projection in [Projection::KdaGateDown, Projection::KdaGateUp, Projection::OutputGate] {
        assert!(gemms.iter().any(|g| g.gemm.projection == projection), "{projection:?} in {gemms:?}");
    }
    let decode = stage.decode.as_ref().expect("MLA tables");
    assert_eq!(decode.iter().map(|a| a.layers).sum::<u32>(), 24, "{decode:?}");
    let cost = p.cost(&i, &i.params);
    let recurrent: Vec<_> = cost.operations(&Batch::decode(64.0, 4096.0)).into_iter().filter(|o| matches!(o.op, Op::Roofline { kind: Kind::Recurrent, .. })).collect();
    assert_eq!(recurrent.len(), 1);
    assert!(recurrent[0].time.value() > 0.0);
}

/// L40S's collective tables measure a machine whose 4 and 8 GPUs reach each other through the
/// host (bus bandwidth 0.16 and 0.05 of the PCIe link at 256 MiB, against 0.63 at 2 GPUs): the
/// distillation's topology check removes those lines (`data/kernels/SANITY.md`), so a TP-4
/// all-reduce takes the 2-GPU line's bus bandwidth, the faster of NCCL's 0.627 and the
/// engine's 0.628 at 256 MiB (l40s.trtllm.txt), as ring all-reduce on peers does.
#[test]
fn l40s_all_reduce_at_4_gpus_takes_the_2_gpu_bus_bandwidth() {
    let i = scenario(r#"{"model": "llama-3.1-8b", "weights": "fp8", "gpu": "l40s", "engine": "trtllm", "workload": {"isl": 1024, "osl": 256}}"#);
    let p = prepare(&i, Layout::new(4, 1, 1, 1, 4).unwrap()).unwrap();
    let Ok(ar) = &p.ops.as_ref().unwrap().all_reduce else { panic!("L40S's TP all-reduce is table-timed") };
    let tokens = 268_435_456.0 / ar.bytes_per_token;
    let (time, _) = ar.time(tokens);
    let u = ar.count * ar.factor * 268_435_456.0 / (time * ar.link);
    check("L40S TP 4 all-reduce at 256 MiB: bus bandwidth / link", u, 0.628, rounding(0.628));
}

/// The trace says what was looked up: L40S's 4- and 8-GPU collective lines are holes (the
/// topology check dropped them), so a TP-4 or TP-8 all-reduce is placed above the last measured
/// line, 2 GPUs, never "gpus 4 measured"; on H100, whose lines are all measured, 4 is.
#[test]
fn the_all_reduce_source_names_the_line_looked_up_not_a_dropped_one() {
    for (gpu, tp, says) in [
        ("l40s", 4, "gpus 4 above the last measured 2: clamped"),
        ("l40s", 8, "gpus 8 above the last measured 2: clamped"),
        ("h100-sxm", 4, "gpus 4 measured"),
    ] {
        let i = scenario(&format!(r#"{{"model": "llama-3.1-8b", "weights": "fp8", "gpu": "{gpu}", "engine": "trtllm", "workload": {{"isl": 1024, "osl": 256}}}}"#));
        let p = prepare(&i, Layout::new(tp, 1, 1, 1, tp).unwrap()).unwrap();
        let Ok(ar) = &p.ops.as_ref().unwrap().all_reduce else { panic!("{gpu}: the TP all-reduce is table-timed") };
        let tables = i.kernels.as_ref().unwrap();
        let (_, table) = ar.time(1024.0);
        let text = describe_lookup(tables, table, &[tp as f64, ar.table_bytes(1024.0 * ar.bytes_per_token)]);
        println!("{gpu} TP {tp}: {text}");
        assert!(text.contains(says), "{gpu} TP {tp}: {text:?} should say {says:?}");
        assert!(gpu != "l40s" || !text.contains(&format!("gpus {tp} measured")), "{text}");
    }
}

/// gpt-oss's MXFP4 experts on H200 (`moe dtype=w4a16_mxfp4`, its own shape measured at EP 8):
/// no fp4 GEMM table on Hopper, yet the kernel multiplies in bf16, so the bf16 GEMM table times
/// its GEMM part (`expert_gemm_dtype`) and a TP-only layout grows only that part. The package's
/// own undistilled rows of this shape at moe_tp 1, moe_ep 1 (`moe_perf.parquet`, h200_sxm,
/// trtllm 1.3.0rc20, power_law_1.01) take 1.46×, 3.12× and 2.77× the EP-8 time at 4, 64 and
/// 1024 tokens per rank; the model's ratio, the routing factor included, must stay within a
/// factor 1.6 of those (without a GEMM table the row's whole time scales with the 8× work
/// held, times the routing factor: about 7×).
#[test]
fn gpt_oss_on_h200_grows_only_the_gemm_part_on_one_gpu() {
    let i = scenario(r#"{"model": "openai/gpt-oss-120b", "weights": "fp4", "gpu": "h200-sxm", "engine": "trtllm", "workload": {"isl": 1024, "osl": 256}}"#);
    let tables = i.kernels.as_ref().unwrap();
    let eight = prepare(&i, Layout::new(1, 1, 8, 8, 8).unwrap()).unwrap();
    let one = prepare(&i, Layout::new(1, 1, 1, 1, 1).unwrap()).unwrap();
    let (Ok(e8), Ok(e1)) = (&eight.ops.as_ref().unwrap().experts, &one.ops.as_ref().unwrap().experts) else {
        panic!("gpt-oss's experts are table-timed on H200")
    };
    let gemm = e1.gemm_table.map(|g| tables.tables[g].name());
    assert_eq!(gemm.as_deref(), Some("gemm dtype=bf16"));
    for (tokens, measured) in [(4.0, 1.46), (64.0, 3.12), (1024.0, 2.77)] {
        let time = |op: &ExpertOp, t: f64| {
            let (c, m, _) = op.time(t, ROUTING_MEASURED);
            c.max(m)
        };
        // The same tokens per expert: the EP-8 layout's rank sees the row's tokens.
        let ratio = time(e1, tokens) / time(e8, tokens);
        println!("{tokens} tokens: TP-only / EP-8 expected {measured} (measured), actual {ratio:.2}, tolerance ×/÷ 1.6");
        assert!(ratio > measured / 1.6 && ratio < measured * 1.6, "{tokens} tokens: {ratio:.2} against the measured {measured}");
    }
}

/// The median of `values` (the mean of the middle two for an even count).
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    assert!(n > 0, "no values");
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// One file's MoE layer floor beyond a dense MLP's, µs (`moe_layer_latency`'s prior source):
/// the median over its `moe` tables of the time at one token less the touched weights and the
/// activations at the HBM peak, less twice the median over its `gemm` tables (n, k ≤ 4096) of
/// the time at m = 1 less the bytes at the HBM peak (F and B as FORMAT.md defines them).
fn moe_floor_beyond_mlp_us(t: &KernelTables) -> f64 {
    let time = |table: &Table, u: f64, flops: f64, bytes: f64| {
        let peak = t.peak(table.rate.as_deref().expect("a kernel table's rate")).expect("the rate's peak");
        (flops / peak).max(bytes / t.hbm) / u - bytes / t.hbm
    };
    let mut moe = Vec::new();
    for table in t.tables.iter().filter(|x| x.kind == "moe") {
        let axis = &table.grid.axes[0];
        let Some(Some(u)) = (axis.values[0] == 1.0).then(|| table.grid.values[0]) else { continue };
        let n = |key| table.number(key).expect("a moe table's shape");
        let (h, inter, k, tp, ep) = (n("hidden"), n("inter"), n("topk"), n("tp"), n("ep"));
        let (a, w) = dtype_bytes(table.attr("dtype").expect("a dtype"));
        let (assign, width) = (k / ep, inter / tp);
        // One token touches k experts, each local with probability 1/ep: k/ep = `assign`.
        let bytes = assign * 3.0 * h * width * w + assign * h * (a + 2.0);
        moe.push(time(table, u, 2.0 * assign * h * width * 3.0, bytes));
    }
    let mut gemm = Vec::new();
    for table in t.tables.iter().filter(|x| x.kind == "gemm") {
        let (a, w) = dtype_bytes(table.attr("dtype").expect("a dtype"));
        let [n_axis, k_axis, m_axis] = [0, 1, 2].map(|i| &table.grid.axes[i].values);
        assert_eq!(m_axis[0], 1.0, "{}: m starts at 1", table.name());
        for (i, &n) in n_axis.iter().enumerate().filter(|(_, &n)| n <= 4096.0) {
            for (j, &k) in k_axis.iter().enumerate().filter(|(_, &k)| k <= 4096.0) {
                if let Some(u) = table.grid.values[(i * k_axis.len() + j) * m_axis.len()] {
                    gemm.push(time(table, u, 2.0 * n * k, n * k * w + k * a + n * 2.0));
                }
            }
        }
    }
    (median(moe) - 2.0 * median(gemm)) * 1e6
}

/// `moe_layer_latency`'s priors are the kernel tables' MoE floors beyond a dense MLP's: per
/// engine, the median over its files on H100 and H200 (Hopper), on B200, B300, GB200 and GB300
/// (Blackwell), and over all six for the other generations (rounded to 0.1 µs).
#[test]
fn moe_layer_latency_prior_matches_the_kernel_tables() {
    use crate::engine::Engine;
    use crate::gpu::Generation;
    use crate::perf::params::PerfParams;
    let hopper = ["h100_sxm", "h200_sxm"];
    let blackwell = ["b200_sxm", "b300_sxm", "gb200", "gb300"];
    let mut off = Vec::new();
    for engine in [Engine::Vllm, Engine::Sglang, Engine::Trtllm] {
        let floor = |system: &&str| moe_floor_beyond_mlp_us(&tables(&format!("{system}.{}.txt", engine.id())));
        let all: Vec<&str> = hopper.iter().chain(&blackwell).copied().collect();
        for (generation, systems) in [(Generation::Hopper, &hopper[..]), (Generation::Blackwell, &blackwell[..]), (Generation::Ampere, &all[..])] {
            let expected = median(systems.iter().map(floor).collect());
            let actual = PerfParams::prior(generation, engine).moe_layer_latency.value() * 1e6;
            println!("{engine:?} {generation:?}: expected {expected:.2} µs (the tables), actual {actual:.2} µs (the prior), tolerance 0.05 µs");
            if (actual - expected).abs() > 0.05 + 1e-9 {
                off.push(format!("{engine:?} {generation:?}: prior {actual} µs, tables {expected:.3} µs"));
            }
        }
    }
    assert!(off.is_empty(), "{off:#?}");
}
