//! The records `calibrate` writes and the tests read: `data/fitted-params.json` (the fit of the
//! performance parameters per GPU generation and engine, with its provenance, loss and errors)
//! and `data/range-errors.json` (held-out errors per regime, the serving samples, coverage).
//!
//! Design decision: the files are the record, parsed strictly (`deny_unknown_fields`, every
//! value in bounds, every regime cell once); the planner never reads them. What it needs of
//! them — each fit's values, each cell's quantiles, the widening — it reads as Rust constants
//! (`planner::perf::shipped`), which `shipped_source` writes from these records and a test
//! keeps equal, so the page carries neither the JSON nor a reader for it.

use planner::engine::Engine;
use planner::gpu::Generation;
use planner::perf::params::ParamValues;
use planner::perf::tables::{Architecture, CellRange, Hardware, Phase, Widening};
use serde::{Deserialize, Serialize};

/// `data/fitted-params.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FittedFile {
    /// What the file is, in a sentence.
    pub description: String,
    /// The measurements fitted (path in the repository).
    pub data: String,
    /// Rows in that file; all of them are used.
    pub rows: usize,
    /// Date of the fit, `YYYY-MM-DD` (UTC).
    pub date: String,
    /// The command that wrote the file.
    pub command: String,
    /// The loss minimised, in words.
    pub loss: String,
    pub fits: Vec<Fit>,
}

/// One (generation, engine) fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fit {
    pub generation: Generation,
    pub engine: Engine,
    /// GPU catalog ids of the rows.
    pub gpus: Vec<String>,
    pub rows: usize,
    /// Parameters the fit moved; the others stayed at the prior (the rows cannot inform them).
    pub free: Vec<String>,
    /// Free parameters that ended on a bound of `BOUNDS`.
    pub at_bound: Vec<String>,
    /// Mean robust loss of the rows under the prior and under the fit.
    pub loss_prior: f64,
    pub loss: f64,
    /// In the units of their names (`perf::params::PARAMS`).
    pub params: ParamValues,
    /// Errors of output tokens/s per GPU on the rows, under the prior and under the fit.
    pub errors_prior: FitErrors,
    pub errors: FitErrors,
}

/// Error figures of a set of rows.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FitErrors {
    pub median_abs_error: f64,
    pub p90_abs_error: f64,
    /// Median signed error (positive: the model is optimistic).
    pub median_error: f64,
    /// Groups with two or more measured layouts, and of those, how many have the predicted
    /// best within 5 % of the measured best.
    pub groups: usize,
    pub best_layout_right: usize,
}

/// Parse a fitted-parameters file strictly; every value must pass `PerfParams::check`.
pub fn parse_fits(text: &str) -> Result<FittedFile, String> {
    let file: FittedFile = serde_json::from_str(text).map_err(|e| e.to_string())?;
    for f in &file.fits {
        f.params.params().check().map_err(|e| format!("{:?} {:?}: {e}", f.generation, f.engine))?;
    }
    Ok(file)
}

/// How a cell's errors were held out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HeldOut {
    /// Refit without one model, predict that model's rows.
    LeaveOneModelOut,
    /// Refit the generation without one GPU, predict that GPU's rows.
    LeaveOneGpuOut,
    /// No fit at all: the priors on every row (leave one generation out).
    Prior,
}

/// `data/range-errors.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RangeFile {
    pub description: String,
    /// The calibration measurements (path in the repository).
    pub data: String,
    /// The serving benchmark samples (folder, same convention).
    pub samples: String,
    /// Date of the computation, `YYYY-MM-DD` (UTC).
    pub date: String,
    pub command: String,
    /// How the table is computed, in words.
    pub method: String,
    /// The coverage the ranges are meant to have on measurements they were not fitted on.
    pub nominal: f64,
    /// The in-sample level of the cells' quantiles, `(1 ∓ level)/2`: the narrowest whose
    /// cross-validated coverage reaches `nominal`.
    pub level: f64,
    /// A cell with fewer held-out rows borrows those of its wider regime (`Cell::pooled`).
    pub min_cell_rows: usize,
    pub cells: Vec<Cell>,
    pub serving: Serving,
    pub coverage: Coverage,
    pub silicon: SiliconRanges,
}

/// The silicon sample's part in the serving widening (`calibration::silicon::widening`): the
/// widening its fit part asks for, and how many measurements of each part fall inside the
/// final ranges (TTFT, TPOT, output tok/s per GPU).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiliconRanges {
    /// The sample (path in the repository).
    pub data: String,
    pub fit_rows: usize,
    pub held_out_rows: usize,
    /// `[slow, fast]` per figure for the fit part alone.
    pub widening: Widening,
    pub coverage_fit: [f64; 3],
    pub coverage_held_out: [f64; 3],
}

/// One regime cell of held-out calibration errors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cell {
    pub hardware: Hardware,
    pub architecture: Architecture,
    pub phase: Phase,
    pub held_out: HeldOut,
    /// Held-out rows in this cell.
    pub rows: usize,
    /// `None` when the cell's own rows set its range; otherwise the wider regime whose rows
    /// were used (`"hardware, architecture"` or `"hardware"`) and how many.
    pub pooled: Option<String>,
    pub pooled_rows: usize,
    /// Quantiles `(1 ∓ level)/2` of `ln(measured / predicted)` output tokens/s per GPU.
    pub log_error: [f64; 2],
    /// Share of the cell's own rows inside `log_error` (in sample: near `level` by
    /// construction).
    pub coverage: f64,
    /// The same with each row's range computed without its own fold (model, GPU or generation):
    /// the honest coverage.
    pub coverage_cross_validated: f64,
}

/// The serving benchmarks and the widening they ask for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Serving {
    pub samples: Vec<ServingSample>,
    /// Per figure, `[slow, fast]` widening in speed space (≥ 0).
    pub widening: Widening,
}

/// One serving benchmark run, predicted at its own load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServingSample {
    /// Under `samples`.
    pub file: String,
    /// What was run, in words (model, GPU, engine, layout, lengths, load).
    pub run: String,
    /// `staggered` or `synchronized`: the arrivals the prediction assumed.
    pub arrivals: String,
    /// Every request had the same lengths, as the planner's scenarios do. Only such samples
    /// set the serving widening; the others (random lengths, predicted at their means) are
    /// shown for what they say.
    pub fixed_lengths: bool,
    /// The regime the sample's range was looked up under.
    pub regime: String,
    pub figures: Vec<SampleFigure>,
}

/// One figure of a serving sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SampleFigure {
    /// `output_tok_s_per_gpu`, `ttft_ms` or `tpot_ms`.
    pub figure: String,
    pub predicted: f64,
    pub measured: f64,
    /// `ln(true rate / predicted rate)`.
    pub speed_error: f64,
    /// The sample's range before the serving widening, speed space.
    pub base: [f64; 2],
}

/// How often measured values fall inside their ranges.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Coverage {
    /// Held-out calibration rows (every row once per held-out scheme).
    pub calibration_rows: usize,
    pub calibration_in_sample: f64,
    pub calibration_cross_validated: f64,
    /// Figures of the fixed-length serving samples, and how many fall inside their ranges
    /// before the serving widening (after it, all do by construction).
    pub serving_figures: usize,
    pub serving_inside_base: usize,
}

/// Parse a range table strictly; every cell must be present once and every number finite.
pub fn parse_ranges(text: &str) -> Result<RangeFile, String> {
    let file: RangeFile = serde_json::from_str(text).map_err(|e| e.to_string())?;
    for h in [Hardware::MeasuredGpu, Hardware::FittedGeneration, Hardware::Uncalibrated] {
        for a in [Architecture::Dense, Architecture::Moe] {
            for p in [Phase::Prefill, Phase::Decode] {
                let n = file.cells.iter().filter(|c| (c.hardware, c.architecture, c.phase) == (h, a, p)).count();
                if n != 1 {
                    return Err(format!("{} cells for {} / {a:?} / {p:?}", n, h.id()));
                }
            }
        }
    }
    let w = &file.serving.widening;
    let widths = [w.output_tok_s_per_gpu, w.ttft_ms, w.tpot_ms].concat();
    let bad = |x: f64| !x.is_finite();
    if file.cells.iter().any(|c| c.log_error.iter().any(|&x| bad(x)) || c.log_error[0] > c.log_error[1])
        || widths.iter().any(|&x| bad(x) || x < 0.0)
    {
        return Err("a range or widening is not finite, inverted or negative".into());
    }
    Ok(file)
}

impl RangeFile {
    /// The cells as a `RangeTable` holds them.
    pub fn cell_ranges(&self) -> Vec<CellRange> {
        let range = |c: &Cell| CellRange { hardware: c.hardware, architecture: c.architecture, phase: c.phase, log_error: c.log_error };
        self.cells.iter().map(range).collect()
    }
}


#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A record in the repository's `data/`.
    fn read(name: &str) -> String {
        let path = format!("{}/../../data/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn the_fit_record_parses_and_every_value_is_inside_its_bounds() {
        let file = parse_fits(&read("fitted-params.json")).expect("data/fitted-params.json must parse");
        assert!(!file.fits.is_empty());
        for f in &file.fits {
            assert!(f.rows > 0 && !f.gpus.is_empty(), "{:?}", f.generation);
            assert!(f.loss.is_finite() && f.loss <= f.loss_prior, "{:?}: fit loss above the prior's", f.generation);
            let p = f.params.params();
            assert_eq!(ParamValues::from_params(&p).params(), p);
        }
    }

    #[test]
    fn strict_parse_rejects_unknown_fields_missing_and_out_of_bounds_values() {
        let original: serde_json::Value = serde_json::from_str(&read("fitted-params.json")).unwrap();
        let mut v = original.clone();
        v["fits"][0]["params"]["hbm_efficiency"] = json!(1.5);
        assert!(parse_fits(&v.to_string()).unwrap_err().contains("perf.hbm_efficiency"));
        let mut v = original.clone();
        v["fits"][0]["extra"] = json!(1);
        assert!(parse_fits(&v.to_string()).is_err());
        let mut v = original;
        v["fits"][0]["params"].as_object_mut().unwrap().remove("moe_efficiency");
        assert!(parse_fits(&v.to_string()).unwrap_err().contains("missing field `moe_efficiency`"));
    }

    #[test]
    fn the_shipped_table_parses_and_reaches_its_nominal_coverage() {
        let file = parse_ranges(&read("range-errors.json")).expect("data/range-errors.json must parse");
        assert_eq!(file.cells.len(), 12);
        let c = &file.coverage;
        println!(
            "held-out coverage: {:.1} % in sample at level {:.0} %, {:.1} % cross-validated, nominal {:.0} %",
            c.calibration_in_sample * 100.0,
            file.level * 100.0,
            c.calibration_cross_validated * 100.0,
            file.nominal * 100.0
        );
        assert!(
            c.calibration_cross_validated >= file.nominal,
            "cross-validated coverage: expected ≥ {:.1} %, actual {:.1} %, difference {:+.1} points, tolerance 0",
            file.nominal * 100.0,
            c.calibration_cross_validated * 100.0,
            (c.calibration_cross_validated - file.nominal) * 100.0
        );
        for cell in &file.cells {
            assert!(cell.log_error[0] <= 0.0 && cell.log_error[1] >= 0.0, "{cell:?}: a range that excludes the prediction");
        }
        // After the serving widening every sample figure is inside its range (by construction).
        let w = &file.serving.widening;
        for s in file.serving.samples.iter().filter(|s| s.fixed_lengths) {
            for f in &s.figures {
                let slot = match f.figure.as_str() {
                    "ttft_ms" => w.ttft_ms,
                    "tpot_ms" => w.tpot_ms,
                    _ => w.output_tok_s_per_gpu,
                };
                assert!(
                    f.speed_error >= f.base[0] - slot[0] - 1e-9 && f.speed_error <= f.base[1] + slot[1] + 1e-9,
                    "{} {}: {} outside [{} − {}, {} + {}]",
                    s.file,
                    f.figure,
                    f.speed_error,
                    f.base[0],
                    slot[0],
                    f.base[1],
                    slot[1]
                );
            }
        }
    }

    #[test]
    fn strict_parse_rejects_a_missing_cell_and_a_negative_widening() {
        let mut v: serde_json::Value = serde_json::from_str(&read("range-errors.json")).unwrap();
        v["cells"].as_array_mut().unwrap().pop();
        assert!(parse_ranges(&v.to_string()).unwrap_err().contains("0 cells"));
        let mut v: serde_json::Value = serde_json::from_str(&read("range-errors.json")).unwrap();
        v["serving"]["widening"]["ttft_ms"] = json!([-0.1, 0.0]);
        assert!(parse_ranges(&v.to_string()).is_err());
        let mut v: serde_json::Value = serde_json::from_str(&read("range-errors.json")).unwrap();
        v["extra"] = json!(1);
        assert!(parse_ranges(&v.to_string()).is_err());
    }
}
