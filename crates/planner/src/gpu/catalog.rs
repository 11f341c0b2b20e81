//! The GPU catalog (`gpu::table`) and custom GPU specs.
//!
//! Design decision: the catalog is data, transcribed by hand from `data/gpus.csv` with
//! caveats per entry and a source per entry in `data/gpu-sources.json` (apart, so the page does
//! not carry text it never shows; a test checks every id has one), written as Rust constants
//! (`gpu::table::GPUS`) so the page carries no reader for it, and range-checked by a test. A
//! figure the source lacks is `None`; asking for a GPU whose needed figures are missing is an
//! `InputError` that names them and asks for a custom spec — the planner never fills a figure
//! in. Units are in the field names (see `gpu::table`).

use super::table::{GpuEntry, GPUS};
use super::{Generation, GpuSpec};
use crate::error::InputError;
use crate::precision::ComputeRate;
use crate::units::{Bytes, BytesPerSec, FlopsPerSec};
use crate::locate::{check, locate, Kind};
use serde::Deserialize;

/// Every catalog entry, in catalog order, with its figures (missing ones `None`), for the page.
pub fn entries() -> &'static [GpuEntry] {
    GPUS
}

/// The catalog GPU `id` (case-insensitive), or an error on field `gpu` when the id is unknown or
/// a figure the planner needs is missing.
pub fn lookup(id: &str) -> Result<GpuSpec, InputError> {
    let wanted = id.trim().to_ascii_lowercase();
    let entry = entries().iter().find(|e| e.id == wanted).ok_or_else(|| {
        let known: Vec<&str> = entries().iter().map(|e| e.id).collect();
        InputError::new("gpu", format!("unknown GPU '{id}'; catalog ids: {}", known.join(", ")))
    })?;
    let missing: Vec<&str> = [
        ("memory_gib", entry.memory_gib.is_none()),
        ("hbm_tb_s", entry.hbm_tb_s.is_none()),
        ("bf16_tflops", entry.bf16_tflops.is_none()),
        ("scale_up_gb_s", entry.scale_up_gb_s.is_none()),
        ("scale_out_gb_s", entry.scale_out_gb_s.is_none()),
        ("scale_up_domain", entry.scale_up_domain.is_none()),
        ("gpus_per_node", entry.gpus_per_node.is_none()),
    ]
    .into_iter()
    .filter_map(|(name, absent)| absent.then_some(name))
    .collect();
    match (
        entry.memory_gib,
        entry.hbm_tb_s,
        entry.bf16_tflops,
        entry.scale_up_gb_s,
        entry.scale_out_gb_s,
        entry.scale_up_domain,
        entry.gpus_per_node,
    ) {
        (Some(mem), Some(hbm), Some(bf16), Some(up), Some(out), Some(domain), Some(node)) => {
            Ok(GpuSpec {
                id: entry.id.to_string(),
                name: entry.name.to_string(),
                generation: entry.generation,
                memory: Bytes::from_gib(mem),
                hbm_bandwidth: BytesPerSec::from_tb_s(hbm),
                bf16: FlopsPerSec::from_tflops(bf16),
                fp8: entry.fp8_tflops.map(FlopsPerSec::from_tflops),
                int8: entry.int8_tops.map(FlopsPerSec::from_tflops),
                fp4: entry.fp4_tflops.map(FlopsPerSec::from_tflops),
                scale_up: BytesPerSec::from_gb_s(up),
                scale_out: BytesPerSec::from_gb_s(out),
                scale_up_domain: domain,
                gpus_per_node: node,
            })
        }
        _ => Err(InputError::new(
            "gpu",
            format!(
                "the catalog has no {} for {}: no reliable source gives it (data/gpu-sources.json); \
                 give a custom GPU spec object with these figures instead of the id",
                missing.join(", "),
                entry.id,
            ),
        )),
    }
}

/// Whether `generation` has tensor cores for `rate` (NVIDIA Ampere, Ada, Hopper and Blackwell
/// architecture whitepapers: FP8 from Ada / Hopper, FP4 from Blackwell; AMD CDNA 3 and CDNA 4
/// whitepapers: FP8 from CDNA 3, FP4 from CDNA 4; INT8 and BF16 on all of these). `None`: not
/// known (a custom GPU).
fn has_rate(generation: Generation, rate: ComputeRate) -> Option<bool> {
    use Generation::*;
    let fp8 = matches!(generation, Ada | Hopper | Blackwell | Cdna3 | Cdna4);
    let fp4 = matches!(generation, Blackwell | Cdna4);
    match (generation, rate) {
        (Other, _) => None,
        (_, ComputeRate::Bf16 | ComputeRate::Int8) => Some(true),
        (_, ComputeRate::Fp8) => Some(fp8),
        (_, ComputeRate::Fp4) => Some(fp4),
    }
}

/// An error when `gpu` has tensor cores for `rate` but the catalog lacks the figure (e.g. the
/// MI300X's INT8 rate): using that precision would otherwise silently fall back to the bf16
/// rate. A GPU without such tensor cores, or a custom GPU that leaves the rate out, passes:
/// its GEMMs run at bf16 (`GpuSpec::peak`).
pub fn check_rate(gpu: &GpuSpec, rate: ComputeRate) -> Result<(), InputError> {
    let figure = match rate {
        ComputeRate::Bf16 => return Ok(()),
        ComputeRate::Fp8 => (gpu.fp8, rate_figure(rate)),
        ComputeRate::Int8 => (gpu.int8, rate_figure(rate)),
        ComputeRate::Fp4 => (gpu.fp4, rate_figure(rate)),
    };
    match (figure.0, has_rate(gpu.generation, rate)) {
        (None, Some(true)) => Err(InputError::new(
            "gpu",
            format!(
                "{} has {} tensor cores but the catalog has no {} figure for it; give a custom \
                 GPU spec object with {}",
                gpu.id,
                figure.1.trim_end_matches("_tflops").trim_end_matches("_tops"),
                figure.1,
                figure.1
            ),
        )),
        _ => Ok(()),
    }
}

/// The figure of a GPU spec (catalog entry or custom) holding a tensor-core rate.
pub fn rate_figure(rate: ComputeRate) -> &'static str {
    match rate {
        ComputeRate::Bf16 => "bf16_tflops",
        ComputeRate::Fp8 => "fp8_tflops",
        ComputeRate::Int8 => "int8_tops",
        ComputeRate::Fp4 => "fp4_tflops",
    }
}

/// The plan's note when weights at `rate` run dequantised at the BF16 rate (`GpuSpec::peak`):
/// the GPU has no such tensor cores, or (a custom GPU) no figure says it has.
pub fn rate_note(gpu: &GpuSpec, rate: ComputeRate) -> Option<String> {
    if gpu.peak(rate).1 == rate {
        return None;
    }
    let name = rate_figure(rate).split('_').next().unwrap_or_default().to_ascii_uppercase();
    Some(match has_rate(gpu.generation, rate) {
        Some(false) => format!(
            "{} has no {name} tensor cores: the {name} weights are planned dequantised to BF16, at the BF16 rate (weight-only quantisation).",
            gpu.name
        ),
        _ => format!(
            "{} has no {figure} figure: the {name} weights are planned dequantised to BF16, at the BF16 rate; give its {name} dense rate ({figure}) if it has {name} tensor cores.",
            gpu.name,
            figure = rate_figure(rate)
        ),
    })
}

/// A custom GPU as `FORMAT.md` spells it. Every figure is optional here so that a missing one
/// gets a message naming it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CustomGpu {
    name: Option<String>,
    generation: Option<Generation>,
    memory_gib: Option<f64>,
    hbm_tb_s: Option<f64>,
    bf16_tflops: Option<f64>,
    fp8_tflops: Option<f64>,
    fp4_tflops: Option<f64>,
    int8_tops: Option<f64>,
    scale_up_gb_s: Option<f64>,
    scale_out_gb_s: Option<f64>,
    scale_up_domain: Option<f64>,
    gpus_per_node: Option<f64>,
}

/// `CustomGpu`'s fields as `locate` walks them (`tests::custom_gpu_fields_are_located` keeps
/// the two in step).
const CUSTOM_GPU: Kind = Kind::Struct(check::<CustomGpu>, &[
    ("name", Kind::Leaf(check::<Option<String>>)),
    ("generation", Kind::Leaf(check::<Option<Generation>>)),
    ("memory_gib", Kind::Leaf(check::<Option<f64>>)),
    ("hbm_tb_s", Kind::Leaf(check::<Option<f64>>)),
    ("bf16_tflops", Kind::Leaf(check::<Option<f64>>)),
    ("fp8_tflops", Kind::Leaf(check::<Option<f64>>)),
    ("fp4_tflops", Kind::Leaf(check::<Option<f64>>)),
    ("int8_tops", Kind::Leaf(check::<Option<f64>>)),
    ("scale_up_gb_s", Kind::Leaf(check::<Option<f64>>)),
    ("scale_out_gb_s", Kind::Leaf(check::<Option<f64>>)),
    ("scale_up_domain", Kind::Leaf(check::<Option<f64>>)),
    ("gpus_per_node", Kind::Leaf(check::<Option<f64>>)),
]);

/// Bounds a figure must stay within to be believed: about 100× today's largest catalog figure
/// (GB300: 278 GiB, 8 TB/s, 15,000 FP4 TFLOPS; NVLink 5: 900 GB/s), and about 1/1000 of the
/// smallest (L4: 24 GiB, 0.3 TB/s, 121 BF16 TFLOPS; 25 GB/s scale-out), rounded down to a
/// power of ten: a figure near the float limits (5e-324 TB/s) makes times infinite.
const MEMORY_GIB: (f64, f64) = (0.01, 32_768.0);
const HBM_TB_S: (f64, f64) = (1e-4, 1_000.0);
const TFLOPS: (f64, f64) = (0.1, 2_000_000.0);
const LINK_GB_S: (f64, f64) = (0.01, 100_000.0);

fn figure(v: Option<f64>, name: &str, (min, max): (f64, f64), required: bool) -> Result<Option<f64>, InputError> {
    let field = format!("gpu.{name}");
    match v {
        None if required => {
            Err(InputError::new(field, "required for a custom GPU (see FORMAT.md, `gpu`)"))
        }
        None => Ok(None),
        Some(x) if x.is_finite() && x >= min && x <= max => Ok(Some(x)),
        Some(x) => Err(InputError::new(field, format!("must be at least {min} and at most {max}, got {x}"))),
    }
}

fn count(v: Option<f64>, name: &str, default: u32, max: u32) -> Result<u32, InputError> {
    match v {
        None => Ok(default),
        Some(x) => crate::bounds::whole(x, &format!("gpu.{name}"), 1, max),
    }
}

/// The scenario's `gpu`: a catalog id string, or a custom spec object
/// `{"name", "memory_gib", "hbm_tb_s", "bf16_tflops", "fp8_tflops"?, "fp4_tflops"?,
/// "int8_tops"?, "scale_up_gb_s", "scale_out_gb_s", "scale_up_domain"?, "gpus_per_node"?,
/// "generation"?}` (link speeds per GPU, one direction, 10^9 bytes/s). A custom GPU without
/// `gpus_per_node` gets 8 (the common 8-GPU server; the scenario's `gpus_per_node` overrides
/// it), without `scale_up_domain` its node size, without `generation` `other`.
pub fn resolve(gpu: &serde_json::Value) -> Result<GpuSpec, InputError> {
    let custom = match gpu {
        serde_json::Value::String(id) => return lookup(id),
        serde_json::Value::Object(_) => {
            CustomGpu::deserialize(gpu.clone()).map_err(|_| {
                let (path, message) = locate(gpu, &CUSTOM_GPU, "").unwrap_or_default();
                let field = if path.is_empty() { "gpu".to_string() } else { format!("gpu.{path}") };
                InputError::new(field, message)
            })?
        }
        other => {
            return Err(InputError::new(
                "gpu",
                format!("must be a catalog id or a custom spec object, got {other}"),
            ))
        }
    };
    let name = match custom.name.as_deref().map(str::trim) {
        Some(n) if !n.is_empty() && n.len() <= 200 => n.to_string(),
        _ => return Err(InputError::new("gpu.name", "a custom GPU needs a name (1–200 characters)")),
    };
    let memory = figure(custom.memory_gib, "memory_gib", MEMORY_GIB, true)?.unwrap_or_default();
    let hbm = figure(custom.hbm_tb_s, "hbm_tb_s", HBM_TB_S, true)?.unwrap_or_default();
    let bf16 = figure(custom.bf16_tflops, "bf16_tflops", TFLOPS, true)?.unwrap_or_default();
    let fp8 = figure(custom.fp8_tflops, "fp8_tflops", TFLOPS, false)?;
    let fp4 = figure(custom.fp4_tflops, "fp4_tflops", TFLOPS, false)?;
    let int8 = figure(custom.int8_tops, "int8_tops", TFLOPS, false)?;
    let up = figure(custom.scale_up_gb_s, "scale_up_gb_s", LINK_GB_S, true)?.unwrap_or_default();
    let out = figure(custom.scale_out_gb_s, "scale_out_gb_s", LINK_GB_S, true)?.unwrap_or_default();
    let gpus_per_node = count(custom.gpus_per_node, "gpus_per_node", 8, 1024)?;
    let scale_up_domain = count(custom.scale_up_domain, "scale_up_domain", gpus_per_node, 1_000_000)?;
    Ok(GpuSpec {
        id: name.clone(),
        name,
        generation: custom.generation.unwrap_or(Generation::Other),
        memory: Bytes::from_gib(memory),
        hbm_bandwidth: BytesPerSec::from_tb_s(hbm),
        bf16: FlopsPerSec::from_tflops(bf16),
        fp8: fp8.map(FlopsPerSec::from_tflops),
        int8: int8.map(FlopsPerSec::from_tflops),
        fp4: fp4.map(FlopsPerSec::from_tflops),
        scale_up: BytesPerSec::from_gb_s(up),
        scale_out: BytesPerSec::from_gb_s(out),
        scale_up_domain,
        gpus_per_node,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn full_custom_gpu() -> serde_json::Value {
        json!({"name": "Lab GPU", "generation": "hopper", "memory_gib": 80, "hbm_tb_s": 3.35, "bf16_tflops": 989,
               "fp8_tflops": 1979, "fp4_tflops": 3958, "int8_tops": 1979, "scale_up_gb_s": 450, "scale_out_gb_s": 50,
               "scale_up_domain": 8, "gpus_per_node": 8})
    }

    #[test]
    fn custom_gpu_fields_are_located() {
        use crate::locate::testing::{broken_variants, reference, table_matches};
        let full = full_custom_gpu();
        assert!(resolve(&full).is_ok());
        table_matches(&full, &CUSTOM_GPU, "gpu");
        for v in broken_variants(&full) {
            let want = reference::<CustomGpu>(&v)
                .map(|(p, m)| (if p.is_empty() { "gpu".to_string() } else { format!("gpu.{p}") }, m));
            let Some(want) = want else { continue };
            let got = resolve(&v).expect_err(&v.to_string());
            assert_eq!((got.field, got.message), want, "{v}");
        }
    }

    /// Fuzzing found `hbm_tb_s: 5e-324` (above 0, so accepted) giving infinite step times
    /// and NaN parts in the plan.
    #[test]
    fn figures_near_the_float_limits_are_refused_and_the_smallest_believed_plan_finite() {
        for (name, tiny) in [("memory_gib", 5e-324), ("hbm_tb_s", 5e-324), ("bf16_tflops", 1e-300), ("scale_out_gb_s", 1e-9)] {
            let mut gpu = full_custom_gpu();
            gpu[name] = json!(tiny);
            let e = resolve(&gpu).expect_err(name);
            assert_eq!(e.field, format!("gpu.{name}"), "expected {name} named, got {e:?}");
        }
        let smallest = json!({"name": "slowest", "memory_gib": MEMORY_GIB.0, "hbm_tb_s": HBM_TB_S.0,
            "bf16_tflops": TFLOPS.0, "scale_up_gb_s": LINK_GB_S.0, "scale_out_gb_s": LINK_GB_S.0, "gpus_per_node": 2});
        for model in ["Qwen/Qwen3-0.6B", "Qwen/Qwen3-30B-A3B"] {
            let scenario = json!({"model": model, "gpu": smallest, "nodes": 2, "workload": {"isl": 1024, "osl": 256}});
            let plan = crate::planning::plan(&crate::scenario::ScenarioInput::from_value(scenario).unwrap()).unwrap();
            for c in &plan.candidates {
                let step = c.decode_step_ms.unwrap_or_default();
                let figures = [c.ttft_ms, c.tpot_ms, c.output_tok_s, Some(step.memory), Some(step.total), Some(c.memory_per_gpu_gib.free)];
                assert!(figures.iter().flatten().all(|x| x.is_finite()), "{model} {:?}: expected finite figures, got {figures:?}", c.layout);
            }
        }
    }

    /// The catalog ids `FORMAT.md` lists.
    const FORMAT_IDS: [&str; 23] = [
        "a100-sxm-40gb", "a100-sxm-80gb", "a100-pcie-80gb", "h100-sxm", "h100-pcie", "h100-nvl",
        "h200-sxm", "h20", "h800-sxm", "gh200", "b200", "gb200", "b300", "gb300", "l40s", "l4",
        "a10", "rtx-4090", "rtx-pro-6000-server", "mi250x", "mi300x", "mi325x", "mi355x",
    ];

    /// `data/gpu-sources.json`: where each entry's figures come from.
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct SourcesFile {
        about: String,
        sources: std::collections::BTreeMap<String, String>,
        caveats: std::collections::BTreeMap<String, String>,
    }

    #[test]
    fn every_catalog_entry_has_a_source_and_every_source_an_entry() {
        let file: SourcesFile = serde_json::from_str(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/gpu-sources.json")))
            .expect("data/gpu-sources.json parses strictly");
        assert!(!file.about.is_empty());
        let ids: std::collections::BTreeSet<&str> = entries().iter().map(|e| e.id).collect();
        assert_eq!(file.sources.keys().map(String::as_str).collect::<std::collections::BTreeSet<_>>(), ids);
        assert_eq!(file.caveats.keys().map(String::as_str).collect::<std::collections::BTreeSet<_>>(), ids);
        for (id, text) in file.sources.iter().chain(&file.caveats) {
            assert!(!text.trim().is_empty(), "{id}: an empty source or caveat");
        }
    }

    #[test]
    fn catalog_parses_and_every_figure_is_in_range() {
        let all = entries();
        for id in FORMAT_IDS {
            assert_eq!(all.iter().filter(|e| e.id == id).count(), 1, "{id} once in gpu::table");
        }
        assert_eq!(all.len(), FORMAT_IDS.len(), "no entry beyond FORMAT.md's ids");
        for e in all {
            let id = &e.id;
            assert!(!e.name.is_empty(), "{id}");
            let ranges = [
                ("memory_gib", e.memory_gib, 16.0, 300.0),
                ("hbm_tb_s", e.hbm_tb_s, 0.2, 10.0),
                ("bf16_tflops", e.bf16_tflops, 50.0, 3000.0),
                ("fp8_tflops", e.fp8_tflops, 100.0, 6000.0),
                ("fp4_tflops", e.fp4_tflops, 1000.0, 20000.0),
                ("int8_tops", e.int8_tops, 100.0, 6000.0),
                ("scale_up_gb_s", e.scale_up_gb_s, 30.0, 1000.0),
                ("scale_out_gb_s", e.scale_out_gb_s, 10.0, 200.0),
            ];
            for (name, v, lo, hi) in ranges {
                if let Some(v) = v {
                    assert!(v.is_finite() && (lo..=hi).contains(&v), "{id}.{name} = {v} outside [{lo}, {hi}]");
                }
            }
            // A rate the generation lacks must be absent, and FP8 is never slower than BF16.
            for (rate, v) in [(ComputeRate::Fp8, e.fp8_tflops), (ComputeRate::Fp4, e.fp4_tflops)] {
                if has_rate(e.generation, rate) == Some(false) {
                    assert!(v.is_none(), "{id} has no {rate:?} tensor cores");
                }
            }
            if let (Some(b), Some(f)) = (e.bf16_tflops, e.fp8_tflops) {
                assert!(f >= b, "{id}: fp8 {f} below bf16 {b}");
            }
            if let (Some(d), Some(n)) = (e.scale_up_domain, e.gpus_per_node) {
                assert!((1..=72).contains(&d) && (1..=8).contains(&n), "{id}: domain {d}, node {n}");
            }
        }
    }

    #[test]
    fn lookup_gives_h100_figures_in_base_units() {
        let h100 = lookup("H100-SXM").unwrap();
        assert_eq!(h100.memory, Bytes::from_gib(80.0));
        assert_eq!(h100.hbm_bandwidth.value(), 3.35e12);
        assert_eq!(h100.bf16.value(), 989e12);
        assert_eq!(h100.fp8, Some(FlopsPerSec(1978e12)));
        assert_eq!(h100.fp4, None);
        // 400 Gbit/s NIC per GPU = 50 GB/s.
        assert_eq!(h100.scale_out.value(), 50e9);
        assert_eq!((h100.scale_up_domain, h100.gpus_per_node), (8, 8));
        assert_eq!(h100.generation, Generation::Hopper);
        let gb200 = lookup("gb200").unwrap();
        assert_eq!((gb200.scale_up_domain, gb200.gpus_per_node), (72, 4));
    }

    #[test]
    fn missing_figures_are_errors_that_name_them() {
        let err = lookup("h20").unwrap_err();
        assert_eq!(err.field, "gpu");
        assert!(err.message.contains("bf16_tflops") && err.message.contains("custom"), "{err}");
        assert!(!err.message.contains("memory_gib"), "{err}");
        let err = lookup("rtx-4090").unwrap_err();
        assert!(err.message.contains("memory_gib, hbm_tb_s, bf16_tflops"), "{err}");
        let err = lookup("tpu-v5e").unwrap_err();
        assert!(err.message.starts_with("unknown GPU 'tpu-v5e'"), "{err}");
        // Every entry either resolves or names what is missing.
        for e in entries() {
            if let Err(err) = lookup(e.id) {
                assert!(err.message.contains("the catalog has no"), "{}: {err}", e.id);
            }
        }
    }

    #[test]
    fn weights_without_their_tensor_cores_are_noted() {
        let a100 = lookup("a100-sxm-80gb").unwrap();
        assert_eq!(rate_note(&lookup("h100-sxm").unwrap(), ComputeRate::Fp8), None);
        assert_eq!(rate_note(&a100, ComputeRate::Bf16), None);
        let note = rate_note(&a100, ComputeRate::Fp8).expect("the A100 has no FP8 tensor cores");
        assert!(note.contains("has no FP8 tensor cores") && note.contains("weight-only"), "{note}");
        // A custom GPU of no stated generation, without the figure: asked for it.
        let custom = resolve(&serde_json::json!({"name": "lab", "memory_gib": 80, "hbm_tb_s": 3,
            "bf16_tflops": 900, "scale_up_gb_s": 400, "scale_out_gb_s": 50})).unwrap();
        let note = rate_note(&custom, ComputeRate::Fp4).expect("no fp4 figure");
        assert!(note.contains("lab has no fp4_tflops figure") && note.contains("give its FP4 dense rate (fp4_tflops)"), "{note}");
        let with_rate = resolve(&serde_json::json!({"name": "lab", "memory_gib": 80, "hbm_tb_s": 3,
            "bf16_tflops": 900, "fp4_tflops": 3600, "scale_up_gb_s": 400, "scale_out_gb_s": 50})).unwrap();
        assert_eq!(rate_note(&with_rate, ComputeRate::Fp4), None);
    }

    #[test]
    fn a_known_tensor_core_without_a_figure_is_an_error() {
        let mi300x = lookup("mi300x").unwrap();
        let err = check_rate(&mi300x, ComputeRate::Int8).unwrap_err();
        assert!(err.message.contains("int8_tops"), "{err}");
        assert!(check_rate(&mi300x, ComputeRate::Fp8).is_ok());
        // The A100 has no FP8 tensor cores: FP8 weights run dequantised at the bf16 rate.
        assert!(check_rate(&lookup("a100-sxm-80gb").unwrap(), ComputeRate::Fp8).is_ok());
        assert!(check_rate(&lookup("b200").unwrap(), ComputeRate::Fp4).is_ok());
    }

    #[test]
    fn custom_specs_are_validated_field_by_field() {
        let good = json!({"name": "my-gpu", "memory_gib": 64, "hbm_tb_s": 2.5, "bf16_tflops": 400,
                          "fp8_tflops": 800, "scale_up_gb_s": 200, "scale_out_gb_s": 25});
        let g = resolve(&good).unwrap();
        assert_eq!((g.id.as_str(), g.generation, g.gpus_per_node, g.scale_up_domain), ("my-gpu", Generation::Other, 8, 8));
        assert_eq!(g.fp8, Some(FlopsPerSec(800e12)));
        assert_eq!(resolve(&json!("h100-sxm")).unwrap().id, "h100-sxm");
        let with = |key: &str, v: serde_json::Value| {
            let mut o = good.clone();
            o[key] = v;
            o
        };
        let without = |key: &str| {
            let mut o = good.clone();
            o.as_object_mut().unwrap().remove(key);
            o
        };
        let cases = [
            (without("hbm_tb_s"), "gpu.hbm_tb_s"),
            (without("name"), "gpu.name"),
            (with("memory_gib", json!(-80)), "gpu.memory_gib"),
            (with("memory_gib", json!(0)), "gpu.memory_gib"),
            (with("bf16_tflops", json!(1e12)), "gpu.bf16_tflops"),
            (with("scale_out_gb_s", json!("fast")), "gpu.scale_out_gb_s"),
            (with("gpus_per_node", json!(2.5)), "gpu.gpus_per_node"),
            (with("generation", json!("volta")), "gpu.generation"),
            (with("tdp_w", json!(700)), "gpu.tdp_w"),
            (json!(42), "gpu"),
        ];
        for (value, field) in cases {
            let err = resolve(&value).unwrap_err();
            assert_eq!(err.field, field, "{value}: {err}");
        }
    }
}
