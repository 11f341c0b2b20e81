//! `calibrate CSV [--fit] [--prior] [--rows] [--ranges [--samples DIR]] [--kernels]` (or
//! `calibrate --tables`, or `calibrate --silicon [CSV] [--prior] [--rows] [--kernels] [--fit | --fit-client] [--rows-csv FILE] [--peer FILE]`): how far the planner's output tokens/s per GPU is
//! from the measured maximum-throughput rows of a TensorRT-LLM calibration CSV
//! (`data/calibration/trtllm-0.17-max-throughput.csv`, a copy of the published rows).
//!
//! Prints the median absolute error, how often the layout the planner rates best is within
//! 5 % of the measured best of its group (same model, GPU, precision, ISL/OSL), the pairwise
//! ranking agreement, and the breakdown per GPU, model, model family, precision, ISL/OSL and
//! TP. By default it uses the shipped parameters (`perf::fitted::for_gpu`); `--prior` uses the
//! priors; `--fit` refits per (GPU generation, engine) from the priors, prints the parameters
//! beside their priors and bounds, and writes `data/fitted-params.json`. `--rows` lists every
//! row. `--ranges` computes the range table instead (`data/range-errors.json`): held-out errors
//! per regime from refits without each model, GPU or generation, their coverage, and the
//! serving benchmarks of `--samples DIR` (default: `bench-results` beside the CSV's folder).
//! Both then rewrite `crates/planner/src/perf/shipped.rs`, the numbers of the two files the planner
//! reads at run time (`calibration::shipped_source`), `crates/planner/src/model/catalog/baked.rs`,
//! the presets of `data/models.json` as imported (`planner::model::catalog::source`), and
//! `docs/perf-params.md` from the parameter table; `--tables` does only that, from the files as
//! they are. `--silicon` scores the planner's TTFT, TPOT and output tokens/s per GPU on the
//! second set instead, aiconfigurator's silicon sample (default
//! `data/calibration/aiconfigurator-silicon-sample.csv`; `calibration::silicon`): rows used and
//! skipped by reason, the errors on the whole set, its fit part and its held-out part, per
//! engine, GPU, model family, model, precision and ISL/OSL, and the best-layout rate, then the
//! same for the disaggregated rows in a section of their own; it writes
//! nothing. `--kernels` (with either set) reports the errors with the step timed by operation
//! from the measured kernel tables of `data/kernels/` (`planner::perf::ops`) and the shipped
//! parameters for what they do not cover (a report only: the shipped fit and ranges are made
//! without tables). With `--kernels`, `--fit` refits only the engine-scoped parameters with the
//! tables and scores the other set with them as an independent check (`CSV --kernels --fit`
//! scores the silicon sample, `--silicon --fit` the TensorRT-LLM 0.17 set; `--silicon --fit`
//! without `--kernels` refits the roofline's), writing nothing. `--silicon --fit-client` fits
//! the benchmark client's two constants per engine on the silicon sample's fit part
//! (`calibration::silicon::client_fit`) and prints them beside the shipped ones, writing
//! nothing; `--silicon --benchmark-arrivals` scores the sample with that client's loop instead
//! of synchronized arrivals, the disaggregated rows too (their TTFT the client's through the
//! prefill workers, `planner::disagg::pairing`; constants not refitted on them).
//! `--silicon --rows-csv FILE` also writes the used rows as the
//! scenarios a peer model is given, `--silicon --peer PREDICTIONS` scores a peer's TTFT and TPOT
//! per row beside ours (`calibration::silicon::peer`; AIConfigurator's are
//! `data/comparisons/silicon-aiconfigurator/predictions.csv`, made by
//! `tools/peer/silicon_aiconfigurator.py`). Exit status 0, or 2 when a file cannot be read or parsed.

use calibration::{
    self, breakdown, compare, dataset, metrics, summarise, Compared, GenerationFit, GroupKey, Point, Summary, ANCHOR,
    MAX_EVALUATIONS,
};

use calibration::records::{parse_fits, parse_ranges, Fit, FitErrors, FittedFile, RangeFile};
use calibration::shipped_source;
use planner::model::catalog::source as model_source;
use calibration::silicon;
use planner::perf::closed_loop::ClientLoop;
use planner::workload::Arrivals;
use cli::{kernel_library, REPOSITORY};
use planner::engine::Engine;
use planner::kernels::Library;
use planner::gpu::Generation;
use planner::perf::fitted;
use planner::perf::params::{self, ParamSpec, ParamValues, PerfParams, PARAMS};
use std::collections::{BTreeMap, HashMap};
use std::process::ExitCode;
use std::time::Instant;

/// The second calibration set, `--silicon`'s default file.
const SILICON_SAMPLE: &str = "data/calibration/aiconfigurator-silicon-sample.csv";

/// The flags followed by a value (a directory or a file).
const VALUE_FLAGS: [&str; 3] = ["--samples", "--rows-csv", "--peer"];

/// `--silicon`'s peer comparison (`calibration::silicon::peer`): where to write the used rows
/// as a peer's scenarios, and a peer's predictions file to score beside ours.
struct PeerFiles {
    rows_csv: Option<String>,
    peer: Option<String>,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value_of = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
    let samples_dir = value_of("--samples");
    let outputs = PeerFiles { rows_csv: value_of("--rows-csv"), peer: value_of("--peer") };
    let rest: Vec<&String> = args
        .iter()
        .enumerate()
        .filter(|(i, _)| !args.get(i.wrapping_sub(1)).is_some_and(|flag| VALUE_FLAGS.contains(&flag.as_str())))
        .map(|(_, a)| a)
        .collect();
    let flags: Vec<&str> = rest.iter().filter(|a| a.starts_with("--")).map(|s| s.as_str()).collect();
    let paths: Vec<&&String> = rest.iter().filter(|a| !a.starts_with("--")).collect();
    if args == ["--tables"] {
        return write_tables();
    }
    let silicon = flags.contains(&"--silicon");
    let kernels = flags.contains(&"--kernels");
    let known: &[&str] = if silicon {
        &["--silicon", "--prior", "--rows", "--kernels", "--fit", "--fit-client", "--benchmark-arrivals", "--rows-csv", "--peer"]
    } else {
        &["--fit", "--prior", "--rows", "--ranges", "--samples", "--kernels"]
    };
    let sample = format!("{REPOSITORY}/{SILICON_SAMPLE}");
    // The peer comparison needs its file and scores the shipped (or prior) parameters, not a refit.
    let peer_wanted = flags.contains(&"--rows-csv") || flags.contains(&"--peer");
    let peer_ok = !peer_wanted
        || ((!flags.contains(&"--rows-csv") || outputs.rows_csv.is_some())
            && (!flags.contains(&"--peer") || outputs.peer.is_some())
            && !flags.contains(&"--fit")
            && !flags.contains(&"--fit-client"));
    let valid = flags.iter().all(|f| known.contains(f)) && !(kernels && flags.contains(&"--ranges")) && peer_ok;
    let path: &str = match (paths.as_slice(), valid) {
        ([path], true) => path,
        ([], true) if silicon => &sample,
        _ => {
            eprintln!(
                "usage: calibrate CSV [--fit] [--prior] [--rows] [--ranges [--samples DIR]] | calibrate CSV --kernels [--fit] [--prior] [--rows]\n\
                 \x20      | calibrate --silicon [CSV] [--prior] [--rows] [--kernels] [--fit | --fit-client] [--benchmark-arrivals]\n\
                 \x20        [--rows-csv FILE] [--peer PREDICTIONS] | calibrate --tables\n\
                 \x20      (--kernels uses the measured kernel tables of data/kernels; with them --fit is a report: the shipped fit and ranges are made without them)"
            );
            return ExitCode::from(2);
        }
    };
    let library = if kernels {
        match kernel_library(&std::path::Path::new(REPOSITORY).join("data/kernels")) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("calibrate: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        Library::empty()
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("calibrate: cannot read {path}: {e}");
            return ExitCode::from(2);
        }
    };
    if silicon {
        let fit = flags.contains(&"--fit");
        if flags.contains(&"--fit-client") {
            return client_fit_report(path, &text, &library, flags.contains(&"--prior"));
        }
        let arrivals = if flags.contains(&"--benchmark-arrivals") { Arrivals::Benchmark } else { Arrivals::Synchronized };
        return silicon_report(path, &text, &library, flags.contains(&"--prior"), flags.contains(&"--rows"), fit, arrivals, &outputs);
    }
    let started = Instant::now();
    let points = match dataset::trtllm_measurements(&text).and_then(|m| calibration::prepare_with(&m, &library)) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("calibrate: {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let prepared = started.elapsed();
    let file_name = std::path::Path::new(path).file_name().map_or(path.to_string(), |f| f.to_string_lossy().into_owned());
    println!("Calibration set: {file_name}, {} rows (prepared in {:.0} ms)", points.len(), prepared.as_secs_f64() * 1e3);
    if kernels {
        let timed = points.iter().filter(|p| p.inputs.kernels.is_some()).count();
        println!("Step model: by operation from the kernel tables of data/kernels ({timed} rows on a GPU with tables; the rest by the roofline)");
    }

    if flags.contains(&"--fit") && kernels {
        return kernels_refit(&points, &library);
    }
    if flags.contains(&"--fit") {
        return fit_and_write(path, &file_name, &points, flags.contains(&"--rows"));
    }
    if flags.contains(&"--ranges") {
        let dir = samples_dir.unwrap_or_else(|| {
            let csv = std::path::Path::new(path);
            let folder = csv.parent().and_then(|p| p.parent()).unwrap_or(std::path::Path::new("."));
            folder.join("bench-results").to_string_lossy().into_owned()
        });
        return ranges_and_write(path, &file_name, &dir, &points);
    }
    let (label, params_for) = parameters(flags.contains(&"--prior"));
    let started = Instant::now();
    let rows = compare(&points, params_for);
    let checked = started.elapsed();
    println!("Parameters: {label}; all rows predicted in {:.1} ms", checked.as_secs_f64() * 1e3);
    report(&points, &rows, flags.contains(&"--rows"), &params_for);
    ExitCode::SUCCESS
}

/// The parameters a check predicts with, and their label: the priors (`--prior`), or the
/// shipped ones.
fn parameters(prior: bool) -> (&'static str, fn(&Point) -> PerfParams) {
    if prior {
        ("priors (PerfParams::prior)", |p| PerfParams::prior(p.generation(), p.engine()))
    } else {
        ("shipped parameters (perf::fitted::for_gpu: the fit of data/fitted-params.json, read from perf/shipped.rs)", |p| {
            fitted::for_gpu(p.generation(), p.engine()).0
        })
    }
}

/// `--silicon`: the planner's TTFT, TPOT and output tok/s per GPU against the silicon sample
/// (`calibration::silicon`), with the shipped parameters or (`prior`) the priors, the rows
/// planned with `arrivals` (synchronized, or `--benchmark-arrivals`: the benchmark client's
/// closed loop); `rows` lists every row of the file; `peer` writes the used rows for a peer
/// model and scores its predictions beside ours.
#[allow(clippy::too_many_arguments)] // one per flag of `--silicon`'s report
fn silicon_report(path: &str, text: &str, library: &Library, prior: bool, rows: bool, fit: bool, arrivals: Arrivals, peer: &PeerFiles) -> ExitCode {
    let started = Instant::now();
    let set = match silicon::read_with(text, library) {
        Ok(set) => silicon::with_arrivals(set, arrivals),
        Err(e) => {
            eprintln!("calibrate: {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let read = started.elapsed();
    let (label, params_for) = parameters(prior);
    if fit {
        return silicon_refit(&set, library, label, params_for, rows);
    }
    let scored = silicon::score::score(&set, params_for);
    println!("{path}: read and prepared in {:.0} ms, predicted in {:.0} ms\n", read.as_secs_f64() * 1e3, (started.elapsed() - read).as_secs_f64() * 1e3);
    print!("{}", silicon::score::report(&set, &scored, label));
    let disaggregated = silicon::score::score_disaggregated(&set, params_for);
    print!("\n{}", silicon::disagg_report::report(&set, &disaggregated));
    if rows {
        print!("\n{}", silicon::score::listing(&set, &scored));
        print!("\nDisaggregated rows. {}", silicon::score::used_listing(&disaggregated));
    }
    match peer_comparison(text, &scored, peer) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("calibrate: {e}");
            ExitCode::from(2)
        }
    }
}

/// `--rows-csv FILE`: the used rows as a peer's scenarios, with the full config each model is
/// planned from (`data/model-sources.json`'s `full_config`); `--peer FILE`: the peer's
/// predictions scored beside ours (`calibration::silicon::peer`).
fn peer_comparison(sample: &str, scored: &[silicon::score::Scored], files: &PeerFiles) -> Result<(), String> {
    use silicon::peer;
    if let Some(out) = &files.rows_csv {
        let sources_path = format!("{REPOSITORY}/data/model-sources.json");
        let sources: serde_json::Value = std::fs::read_to_string(&sources_path)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
            .map_err(|e| format!("{sources_path}: {e}"))?;
        let configs: BTreeMap<String, String> = sources["models"]
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(id, s)| Some((id.clone(), s["full_config"].as_str()?.to_string())))
            .collect();
        let csv = peer::rows_csv(sample, scored, &configs).map_err(|e| e.to_string())?;
        std::fs::write(out, csv).map_err(|e| format!("cannot write {out}: {e}"))?;
        println!("\nWrote the {} used rows as a peer's scenarios to {out}.", scored.len());
    }
    if let Some(path) = &files.peer {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
        let predictions = peer::read_predictions(&text).map_err(|e| format!("{path}: {e}"))?;
        let theirs = peer::score_peer(scored, &predictions).map_err(|e| format!("{path}: {e}"))?;
        print!("\n{}", peer::report(scored, &theirs, "AIC", 10));
    }
    Ok(())
}

/// `--silicon --fit-client`: the benchmark client's constants per engine fitted on the silicon
/// sample's fit part (`calibration::silicon::client_fit`), beside the shipped ones, with the
/// fit and held-out medians each gives (the closed form over the rows' parts). Writes nothing:
/// the shipped constants are `planner::perf::closed_loop::ClientLoop::shipped`. The arrivals
/// of the rows do not matter: each is planned with all three.
fn client_fit_report(path: &str, text: &str, library: &Library, prior: bool) -> ExitCode {
    use silicon::client_fit::{fit, medians, parts};
    let set = match silicon::read_with(text, library) {
        Ok(set) => set,
        Err(e) => {
            eprintln!("calibrate: {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let (label, params_for) = parameters(prior);
    let (rows, left_out) = parts(&set, params_for);
    println!("Benchmark client's constants, fitted per engine on the silicon sample's fit part ({label}).");
    println!(
        "{} rows with their parts, {left_out} left out (a point not set by the offered concurrency). Loss: median |ln error| TTFT + TPOT.",
        rows.len()
    );
    println!("Median |ln(predicted / measured)| (TTFT, TPOT, tok/s per GPU):");
    for f in fit(&rows) {
        let shipped = ClientLoop::shipped(f.engine);
        let of = |held_out: bool| rows.iter().filter(|r| r.engine == f.engine && r.held_out == held_out).collect::<Vec<_>>();
        let line = |c: &ClientLoop| {
            let [fit, held] = [false, true].map(|h| medians(&of(h), c).map(|x| format!("{:.3}", x)).join(" "));
            format!("{:.2} ms/layer, clustering {:.2}: fit part {fit}, held out {held}", c.per_layer.ms(), c.clustering)
        };
        println!("  {} ({} fit, {} held-out rows), loss {:.4}", f.engine.id(), f.fit_rows, f.held_out_rows, f.loss);
        println!("    fitted   {}", line(&f.best));
        println!("    shipped  {}", line(&shipped));
    }
    ExitCode::SUCCESS
}

/// `--silicon --fit`: refits what an engine's own software sets (the engine-scoped parameters:
/// step, layer and sequence overheads, MoE efficiency and routing skew, where the rows inform
/// them) per (GPU generation, engine) on the FIT part of the silicon sample only, from
/// `start`, with TPOT and tokens/s in the loss and not TTFT (what the sample's TTFT includes
/// is not known well enough to fit to: `calibration::silicon`); then scores every row, so the
/// held-out line is the figure on data the fit never saw. Writes nothing.
fn silicon_refit(set: &silicon::SiliconSet, library: &Library, label: &str, start: fn(&Point) -> PerfParams, rows: bool) -> ExitCode {
    let before = silicon::score::score(set, start);
    println!("Before the refit ({label}):");
    print!("{}", headline_lines(&silicon::score::report(set, &before, label)));
    let fit_part: Vec<&Point> = set.rows.iter().filter(|r| !r.held_out).map(|r| &r.point).collect();
    let options = calibration::FitOptions { anchor: ANCHOR, max_evaluations: MAX_EVALUATIONS, ttft: false, ..calibration::FitOptions::all() };
    let started = Instant::now();
    let fits = calibration::fit_groups_with(
        &fit_part,
        |g, e| start_of(set, g, e, start),
        |spec| spec.scope == params::Scope::Engine,
        &options,
    );
    println!("\nRefitted the engine-scoped parameters of {} (generation, engine) sets on {} fit-part rows in {:.1} s:", fits.len(), fit_part.len(), started.elapsed().as_secs_f64());
    for f in &fits {
        print_fit(f);
    }
    let by_key: HashMap<(Generation, Engine), PerfParams> = fits.iter().map(|f| ((f.generation, f.engine), f.result.params)).collect();
    let refitted = |p: &Point| by_key.get(&(p.generation(), p.engine())).copied().unwrap_or_else(|| start(p));
    let after = silicon::score::score(set, refitted);
    println!("\nAfter the refit:");
    print!("{}", silicon::score::report(set, &after, "refitted engine-scoped parameters (fit part only)"));
    if rows {
        print!("\n{}", silicon::score::listing(set, &after));
    }
    independent_check(library, &refitted)
}

/// `CSV --kernels --fit`: refits the engine-scoped parameters per (GPU generation, engine) on
/// the calibration set with the step timed from the kernel tables, starting from the shipped
/// parameters, and reports the set's errors; then scores the silicon sample (which this fit
/// never sees) with them, with the same tables. Writes nothing: the shipped fit is the
/// roofline's until the table model is calibrated.
fn kernels_refit(points: &[Point], library: &Library) -> ExitCode {
    let shipped = |p: &Point| fitted::for_gpu(p.generation(), p.engine()).0;
    let refs: Vec<&Point> = points.iter().collect();
    let options = calibration::FitOptions { anchor: ANCHOR, max_evaluations: MAX_EVALUATIONS, ..calibration::FitOptions::all() };
    let started = Instant::now();
    let fits = calibration::fit_groups_with(&refs, |g, e| fitted::for_gpu(g, e).0, |spec| spec.scope == params::Scope::Engine, &options);
    println!("\nRefitted the engine-scoped parameters of {} (generation, engine) sets with the kernel tables in {:.1} s:", fits.len(), started.elapsed().as_secs_f64());
    for f in &fits {
        print_fit(f);
    }
    let by_key: HashMap<(Generation, Engine), PerfParams> = fits.iter().map(|f| ((f.generation, f.engine), f.result.params)).collect();
    let refitted = |p: &Point| by_key.get(&(p.generation(), p.engine())).copied().unwrap_or_else(|| shipped(p));
    println!("\nWith the refitted parameters:");
    report(points, &compare(points, refitted), false, &refitted);
    let path = format!("{REPOSITORY}/{SILICON_SAMPLE}");
    let set = match std::fs::read_to_string(&path).map_err(|e| e.to_string()).and_then(|t| silicon::read_with(&t, library).map_err(|e| e.to_string())) {
        Ok(set) => set,
        Err(e) => {
            eprintln!("calibrate: {path}: {e}");
            return ExitCode::from(2);
        }
    };
    println!("\nIndependent check: the silicon sample with the refitted parameters (the rest shipped):");
    print!("{}", silicon::score::report(&set, &silicon::score::score(&set, refitted), "refitted on the TensorRT-LLM 0.17 set with the kernel tables"));
    ExitCode::SUCCESS
}

/// The first calibration set (TensorRT-LLM 0.17, which the silicon refit never sees) scored
/// with `params_for`, with the same kernel tables: a check on independent data.
fn independent_check(library: &Library, params_for: &dyn Fn(&Point) -> PerfParams) -> ExitCode {
    let path = format!("{REPOSITORY}/data/calibration/trtllm-0.17-max-throughput.csv");
    let points = match std::fs::read_to_string(&path)
        .map_err(|e| e.to_string())
        .and_then(|t| dataset::trtllm_measurements(&t).and_then(|m| calibration::prepare_with(&m, library)).map_err(|e| e.to_string()))
    {
        Ok(p) => p,
        Err(e) => {
            eprintln!("calibrate: {path}: {e}");
            return ExitCode::from(2);
        }
    };
    println!("\nIndependent check: the TensorRT-LLM 0.17 maximum-throughput set ({} rows) with the refitted parameters:", points.len());
    let rows = compare(&points, params_for);
    report(&points, &rows, false, params_for);
    ExitCode::SUCCESS
}

/// The parameters a (generation, engine) fit starts from: `start` of its first row.
fn start_of(set: &silicon::SiliconSet, g: Generation, e: Engine, start: fn(&Point) -> PerfParams) -> PerfParams {
    set.rows.iter().map(|r| &r.point).find(|p| p.generation() == g && p.engine() == e).map_or_else(|| PerfParams::prior(g, e), start)
}

/// The first lines of a silicon report: the used-row counts and the all / fit / held-out lines.
fn headline_lines(report: &str) -> String {
    let lines: Vec<&str> = report.lines().collect();
    let from = lines.iter().position(|l| l.contains("rows unpred")).unwrap_or(0);
    lines[from..(from + 4).min(lines.len())].iter().map(|l| format!("{l}\n")).collect()
}

fn pct(x: f64) -> String {
    format!("{:+.1} %", x * 100.0)
}

fn headline(s: &Summary) {
    println!(
        "Median absolute error of output tok/s per GPU: {:.1} % (bias {}, 90th percentile {:.1} %)",
        s.median_abs_error * 100.0,
        pct(s.median_error),
        s.p90_abs_error * 100.0
    );
    println!(
        "Best layout within 5 % of the measured best: {} of {} groups with a choice of layouts ({:.1} %)",
        s.best_layout_right,
        s.groups,
        s.best_layout_rate() * 100.0
    );
    println!(
        "Layout pairs (measured > 5 % apart) ordered as measured: {} of {} ({:.1} %)",
        s.pairs_concordant,
        s.pairs,
        s.concordance() * 100.0
    );
}

fn table<K: std::fmt::Display>(title: &str, parts: &[(K, Summary)]) {
    println!("\n{title}:");
    println!("  {:<28} {:>5} {:>9} {:>9} {:>9} {:>12}", "", "rows", "|err| med", "bias", "|err| p90", "best layout");
    for (k, s) in parts {
        let best = if s.groups > 0 { format!("{}/{}", s.best_layout_right, s.groups) } else { "-".into() };
        println!(
            "  {:<28} {:>5} {:>8.1}% {:>9} {:>8.1}% {:>12}",
            k.to_string(),
            s.rows,
            s.median_abs_error * 100.0,
            pct(s.median_error),
            s.p90_abs_error * 100.0,
            best
        );
    }
}

fn family(model: &str) -> &'static str {
    if model.contains("Mixtral") {
        "Mixtral (MoE)"
    } else if model.contains("Mistral") {
        "Mistral (dense)"
    } else {
        "Llama 3.1 (dense)"
    }
}

fn report(points: &[Point], rows: &[Compared], list: bool, params_for: &dyn Fn(&Point) -> PerfParams) {
    let all: Vec<&Compared> = rows.iter().collect();
    println!();
    headline(&summarise(&all));
    table("Per GPU", &breakdown(rows, |r| r.group.gpu.clone()));
    table("Per model", &breakdown(rows, |r| r.group.model.clone()));
    table("Per model family", &breakdown(rows, |r| family(&r.group.model)));
    table("Per precision (weights/KV)", &breakdown(rows, |r| r.group.precision.clone()));
    table("Per ISL/OSL", &breakdown(rows, |r| (r.group.isl, r.group.osl)).into_iter().map(|((i, o), s)| (format!("{i}/{o}"), s)).collect::<Vec<_>>());
    table("Per TP", &breakdown(rows, |r| r.tp).into_iter().map(|(t, s)| (format!("TP {t}"), s)).collect::<Vec<_>>());
    misses(rows);
    if list {
        println!("\nRows: model, GPU, precision, ISL/OSL, TP: measured, predicted, error | predicted running requests, what limits them, TPOT, decode step = compute / memory / communication / overhead ms");
        for (p, r) in points.iter().zip(rows) {
            let g = &r.group;
            let params = params_for(p);
            let detail = match p.point(&params) {
                Some(o) => {
                    let s = &o.decode_step;
                    format!(
                        "{:>6.0} {:<13} {:>7.2} = {:.2} / {:.2} / {:.2} / {:.2}",
                        o.running,
                        format!("{:?}", o.limit),
                        o.tpot.ms(),
                        s.compute.ms(),
                        s.memory.ms(),
                        s.communication.ms(),
                        s.overhead.ms()
                    )
                }
                None => "cannot run".into(),
            };
            println!(
                "  {:<28} {:<14} {:<9} {:>5}/{:<5} TP {}: {:>9.1} {:>9.1} {:>8} | {detail}",
                g.model, g.gpu, g.precision, g.isl, g.osl, r.tp, r.measured, r.predicted, pct(r.error()),
            );
        }
    }
}

/// The groups whose predicted-best layout measures more than 5 % below the measured best.
fn misses(rows: &[Compared]) {
    let mut groups: BTreeMap<&GroupKey, Vec<&Compared>> = BTreeMap::new();
    for r in rows {
        groups.entry(&r.group).or_default().push(r);
    }
    println!("\nGroups where the predicted best layout is not within 5 % of the measured best:");
    let mut any = false;
    for (g, members) in groups.iter().filter(|(_, m)| m.len() >= 2) {
        let (picked, best) = metrics::best_of(members);
        if picked.measured < (1.0 - metrics::BEST_LAYOUT_TOLERANCE) * best.measured {
            any = true;
            println!(
                "  {} {} {} {}/{}: predicted best TP {} measures {:.0}, {:.1} % below TP {} ({:.0})",
                g.model,
                g.gpu,
                g.precision,
                g.isl,
                g.osl,
                picked.tp,
                picked.measured,
                (1.0 - picked.measured / best.measured) * 100.0,
                best.tp,
                best.measured
            );
        }
    }
    if !any {
        println!("  none");
    }
}

fn errors_of(rows: &[Compared]) -> FitErrors {
    let s = summarise(&rows.iter().collect::<Vec<_>>());
    FitErrors {
        median_abs_error: round(s.median_abs_error, 4),
        p90_abs_error: round(s.p90_abs_error, 4),
        median_error: round(s.median_error, 4),
        groups: s.groups,
        best_layout_right: s.best_layout_right,
    }
}

fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

/// Display of a parameter in its natural unit.
/// A value in the base unit, shown in the parameter's own unit.
fn shown(spec: &ParamSpec, v: f64) -> String {
    format!("{:.3}{}", v / spec.unit.scale(), spec.unit.symbol())
}

fn fit_and_write(path: &str, file_name: &str, points: &[Point], list: bool) -> ExitCode {
    let prior = |p: &Point| PerfParams::prior(p.generation(), p.engine());
    let before = compare(points, prior);
    println!("\nWith the priors:");
    headline(&summarise(&before.iter().collect::<Vec<_>>()));

    let started = Instant::now();
    let fits = calibration::fit_by_generation(points, PerfParams::prior, ANCHOR, MAX_EVALUATIONS);
    let fit_time = started.elapsed();
    println!("\nFitted {} (generation, engine) sets in {:.2} s:", fits.len(), fit_time.as_secs_f64());
    for f in &fits {
        print_fit(f);
    }
    let by_key: HashMap<(Generation, Engine), PerfParams> =
        fits.iter().map(|f| ((f.generation, f.engine), f.result.params)).collect();
    let fitted = |p: &Point| by_key.get(&(p.generation(), p.engine())).copied().unwrap_or_else(|| prior(p));
    let after = compare(points, fitted);
    println!("\nWith the fit:");
    report(points, &after, list, &fitted);

    let data = in_repository(path, "data/calibration", file_name);
    let file = FittedFile {
        description: "Performance-model parameters (PerfParams) fitted per GPU generation and engine to measured maximum-throughput runs; read by perf::fitted::for_gpu.".into(),
        data: data.clone(),
        rows: points.len(),
        date: today(),
        command: format!("cargo run --release -p planner-cli --bin calibrate -- {data} --fit"),
        loss: format!(
            "mean over rows of the pseudo-Huber function (delta {}) of ln(predicted / measured output tok/s per GPU), plus {ANCHOR} x the sum over free parameters of ((value - prior) / (bound range))^2; bounded Nelder-Mead (calibration::fit)",
            calibration::fit::HUBER_DELTA
        ),
        fits: fits
            .iter()
            .map(|f| {
                let own: Vec<usize> = (0..points.len())
                    .filter(|&i| points[i].generation() == f.generation && points[i].engine() == f.engine)
                    .collect();
                let pick = |rows: &[Compared]| own.iter().map(|&i| rows[i].clone()).collect::<Vec<_>>();
                Fit {
                    generation: f.generation,
                    engine: f.engine,
                    gpus: f.gpus.clone(),
                    rows: f.rows,
                    free: PARAMS.iter().zip(f.free).filter(|(_, free)| *free).map(|(b, _)| b.field.to_string()).collect(),
                    at_bound: f.result.at_bound.iter().map(|p| p.spec().field.to_string()).collect(),
                    loss_prior: round(f.result.start_loss, 8),
                    loss: round(f.result.loss, 8),
                    params: rounded(ParamValues::from_params(&f.result.params)),
                    errors_prior: errors_of(&pick(&before)),
                    errors: errors_of(&pick(&after)),
                }
            })
            .collect(),
    };
    let status = write_data("fitted-params.json", &file);
    if status != ExitCode::SUCCESS {
        return status;
    }
    write_tables()
}

/// The range table: held-out errors per regime, the serving samples, coverage; written to
/// `data/range-errors.json`.
fn ranges_and_write(path: &str, file_name: &str, dir: &str, points: &[Point]) -> ExitCode {
    let mut samples = Vec::new();
    for s in benchmark::samples::samples() {
        let file = std::path::Path::new(dir).join(s.file);
        match std::fs::read_to_string(&file) {
            Ok(text) => samples.push((s, text)),
            Err(e) => {
                eprintln!("calibrate: cannot read {}: {e}", file.display());
                return ExitCode::from(2);
            }
        }
    }
    let data = in_repository(path, "data/calibration", file_name);
    let samples_path = if dir.contains("data/bench-results") { "data/bench-results".to_string() } else { dir.to_string() };
    let silicon_path = format!("{REPOSITORY}/{SILICON_SAMPLE}");
    let silicon = match std::fs::read_to_string(&silicon_path).map_err(|e| e.to_string()).and_then(|t| silicon::read(&t).map_err(|e| e.to_string())) {
        Ok(set) => set,
        Err(e) => {
            eprintln!("calibrate: {silicon_path}: {e}");
            return ExitCode::from(2);
        }
    };
    let provenance = benchmark::samples::Provenance {
        data: data.clone(),
        samples: samples_path,
        silicon: SILICON_SAMPLE.to_string(),
        date: today(),
        command: format!("cargo run --release -p planner-cli --bin calibrate -- {data} --ranges"),
    };
    let started = Instant::now();
    let file = match benchmark::samples::range_file(points, &samples, &silicon, provenance) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("calibrate: {e}");
            return ExitCode::from(2);
        }
    };
    println!("\nHeld-out refits and serving samples in {:.1} s", started.elapsed().as_secs_f64());
    print_ranges(&file);
    let status = write_data("range-errors.json", &file);
    if status != ExitCode::SUCCESS {
        return status;
    }
    write_tables()
}

/// Rewrites `perf/shipped.rs` from `data/fitted-params.json` and `data/range-errors.json` as
/// they are on disk: success, or status 2 and why not.
fn write_tables() -> ExitCode {
    let root = REPOSITORY;
    let read = |name: &str| std::fs::read_to_string(format!("{root}/data/{name}")).map_err(|e| format!("data/{name}: {e}"));
    let source = read("fitted-params.json").and_then(|f| parse_fits(&f)).and_then(|fits| {
        let table = parse_ranges(&read("range-errors.json")?)?;
        Ok(shipped_source::render(&fits, &table))
    });
    let status = finish(source.and_then(|text| write(&format!("{root}/{}", shipped_source::PATH), &text)));
    if status != ExitCode::SUCCESS {
        return status;
    }
    let presets = read("models.json").and_then(|json| model_source::render(&json));
    let status = finish(presets.and_then(|text| write(&format!("{root}/{}", model_source::PATH), &text)));
    if status != ExitCode::SUCCESS {
        return status;
    }
    finish(write(&format!("{root}/docs/perf-params.md"), &params::markdown()))
}

/// Writes `file` as pretty JSON to the repository's `data/NAME`: success, or status 2 and why not.
fn write_data<T: serde::Serialize>(name: &str, file: &T) -> ExitCode {
    let text = serde_json::to_string_pretty(file).expect("plain data serialises");
    finish(write(&format!("{REPOSITORY}/data/{name}"), &(text + "\n")))
}

/// Writes `text` to `out`: where it went, or why not.
fn write(out: &str, text: &str) -> Result<String, String> {
    std::fs::write(out, text).map(|()| out.to_string()).map_err(|e| format!("cannot write {out}: {e}"))
}

/// Says what was written (status 0) or what went wrong (status 2).
fn finish(written: Result<String, String>) -> ExitCode {
    match written {
        Ok(out) => {
            println!("\nWrote {out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("calibrate: {e}");
            ExitCode::from(2)
        }
    }
}

/// `data/…/NAME` when `path` is under the repository's data folder `folder`, else `path` itself:
/// what the records say the data was.
fn in_repository(path: &str, folder: &str, file_name: &str) -> String {
    if path.contains(folder) {
        format!("{folder}/{file_name}")
    } else {
        path.to_string()
    }
}

fn print_ranges(file: &RangeFile) {
    println!(
        "\nRange cells ({:.1}th–{:.1}th percentile of ln(measured / predicted) output tok/s per GPU, held out; nominal coverage {:.0} %):",
        (1.0 - file.level) * 50.0,
        (1.0 + file.level) * 50.0,
        file.nominal * 100.0
    );
    println!(
        "  {:<18} {:<6} {:<8} {:<22} {:>5} {:>16} {:>16} {:>9} {:>9}",
        "hardware", "arch", "phase", "held out", "rows", "range (log)", "range (×)", "coverage", "cross-val"
    );
    for c in &file.cells {
        let pooled = c.pooled.as_ref().map_or(String::new(), |p| format!("  pooled: {p}, {} rows", c.pooled_rows));
        println!(
            "  {:<18} {:<6} {:<8} {:<22} {:>5} {:>7.3} … {:>6.3} {:>7.3} … {:>6.3} {:>8.1}% {:>8.1}%{pooled}",
            c.hardware.id(),
            format!("{:?}", c.architecture).to_lowercase(),
            format!("{:?}", c.phase).to_lowercase(),
            format!("{:?}", c.held_out),
            c.rows,
            c.log_error[0],
            c.log_error[1],
            c.log_error[0].exp(),
            c.log_error[1].exp(),
            c.coverage * 100.0,
            c.coverage_cross_validated * 100.0
        );
    }
    let cov = &file.coverage;
    println!(
        "Coverage on {} held-out calibration rows: {:.1} % in sample (level {:.0} %), {:.1} % cross-validated (nominal {:.0} %)",
        cov.calibration_rows,
        cov.calibration_in_sample * 100.0,
        file.level * 100.0,
        cov.calibration_cross_validated * 100.0,
        file.nominal * 100.0
    );
    println!("\nServing samples (speed error = ln(true rate / predicted rate); base = range before the serving widening):");
    for s in &file.serving.samples {
        println!("  {} [{}; {}]", s.run, s.arrivals, s.regime);
        for f in &s.figures {
            println!(
                "    {:<22} predicted {:>10.2} measured {:>10.2}  error {:>+7.1} %  speed error {:>+7.3}  base [{:+.3}, {:+.3}]",
                f.figure,
                f.predicted,
                f.measured,
                (f.predicted / f.measured - 1.0) * 100.0,
                f.speed_error,
                f.base[0],
                f.base[1]
            );
        }
    }
    let w = &file.serving.widening;
    println!(
        "Serving widening [slow, fast]: output tok/s per GPU {:?}, TTFT {:?}, TPOT {:?}; {} of {} sample figures inside their base range",
        w.output_tok_s_per_gpu, w.ttft_ms, w.tpot_ms, cov.serving_inside_base, cov.serving_figures
    );
    let s = &file.silicon;
    let pct = |c: [f64; 3]| format!("TTFT {:.1} %, TPOT {:.1} %, tok/s per GPU {:.1} %", c[0] * 100.0, c[1] * 100.0, c[2] * 100.0);
    println!(
        "Silicon sample ({}): widening its fit part asks for [slow, fast]: tok/s per GPU {:?}, TTFT {:?}, TPOT {:?}\n  inside the final ranges: fit part ({} rows) {}; held-out part ({} rows) {}",
        s.data,
        s.widening.output_tok_s_per_gpu,
        s.widening.ttft_ms,
        s.widening.tpot_ms,
        s.fit_rows,
        pct(s.coverage_fit),
        s.held_out_rows,
        pct(s.coverage_held_out)
    );
}

/// Values rounded to 5 decimals in their named units (`0.6001`, `2.78077` µs), staying in bounds.
fn rounded(v: ParamValues) -> ParamValues {
    ParamValues(v.0.map(|x| round(x, 5)))
}

fn print_fit(f: &GenerationFit) {
    println!(
        "\n  {:?} × {} ({} rows: {}): loss {:.5} → {:.5}, {} evaluations",
        f.generation,
        f.engine.display_name(),
        f.rows,
        f.gpus.join(", "),
        f.result.start_loss,
        f.result.loss,
        f.result.evaluations
    );
    println!("    {:<24} {:>11} {:>11} {:>24}  note", "parameter", "prior", "fitted", "bounds");
    let (start, end) = (f.start.to_array(), f.result.params.to_array());
    for (i, b) in PARAMS.iter().enumerate() {
        let note = if !f.free[i] && end[i] != start[i] {
            "not informed by the rows; raised to the scale-up hop"
        } else if !f.free[i] {
            "fixed (rows cannot inform it)"
        } else if f.result.at_bound.contains(&b.param) {
            "AT BOUND"
        } else {
            ""
        };
        println!(
            "    {:<24} {:>11} {:>11} {:>24}  {note}",
            b.json,
            shown(b, start[i]),
            shown(b, end[i]),
            format!("[{}, {}]", shown(b, b.lo()), shown(b, b.hi()))
        );
    }
}

/// Today's date (UTC) as `YYYY-MM-DD`, from the system clock (days-from-civil inverse, H.
/// Hinnant, "chrono-Compatible Low-Level Date Algorithms").
fn today() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!("{y:04}-{m:02}-{d:02}")
}
