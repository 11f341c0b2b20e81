//! `plan SCENARIO.json` (or `-` for standard input): one scenario object or an array of them in,
//! one plan or an array of plans out, as `FORMAT.md` specifies. A scenario that is invalid gives
//! `{"error": {"field", "message"}}` in its place. Exit status: 0 when every scenario planned,
//! 1 when any was invalid, 2 when the input was not JSON at all (or could not be read).
//! The step is timed by the calibrated roofline, as on the page, unless the scenario asks for
//! `"step_model": "kernel_tables"` (FORMAT.md): then by operation from the measured kernel
//! tables of the repository's `data/kernels/` (`planner::perf::ops`), which the command reads
//! at start (about 10 ms; a preview until that model is calibrated; README,
//! "Accuracy"). Without the folder (the binary run elsewhere) such a plan says its tables are
//! not loaded and uses the roofline.
//!
//! `plan --bench-script N SCENARIO.json` prints instead a bash script that benchmarks the
//! plan's N best layouts: for each, it starts the scenario's engine with the layout, waits for
//! its `/health` endpoint, runs the engine's serving benchmark at the planned load, and writes
//! one result file per layout (`vllm-tp8-pp1-dp2-ep1.json`) to `$RESULT_DIR`, ready to import.
//! One scenario object only; errors as above (`bench.top_n` for a bad N).
//!
//! `plan --deploy SCENARIO.json` prints instead the deployment artifacts of the recommended
//! plan (Kubernetes manifests, prefill/decode scripts, engine configurations: `cli::deploy`),
//! a JSON array per scenario; errors as above (`recommended` when nothing is feasible).
//!
//! `plan --recalibrate SCENARIO.json RESULT…` refits the performance parameters to the result
//! files' runs that match the scenario and prints the errors of every run before and after,
//! the `perf_params` to keep (with a record of the fit), the scenario with them, and the plan
//! made with them (`calibration::recalibrate`).

use cli::{bench_script, deploy, kernel_library, recalibrate, REPOSITORY};
use planner::batch::{run_with, Outcome};
use std::io::{Read, Write};
use std::path::Path;
use std::process::ExitCode;

/// What the command prints for the scenarios.
enum Mode<'a> {
    Plan,
    /// A benchmark script of the N best layouts.
    BenchScript(&'a String),
    Deploy,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--recalibrate") && args.len() >= 3 {
        let mut texts = Vec::new();
        for path in &args[1..] {
            match std::fs::read_to_string(path) {
                Ok(t) => texts.push((path.clone(), t)),
                Err(e) => {
                    eprintln!("plan: cannot read {path}: {e}");
                    return ExitCode::from(2);
                }
            }
        }
        let (scenario, results) = texts.split_first().expect("at least two paths");
        let Outcome { output, status } = recalibrate(&scenario.1, results);
        let mut out = std::io::stdout().lock();
        if writeln!(out, "{output}").is_err() {
            return ExitCode::from(2);
        }
        return ExitCode::from(status);
    }
    let (path, mode) = match &args[..] {
        [path] if !path.starts_with("--") => (path, Mode::Plan),
        [flag, n, path] if flag == "--bench-script" => (path, Mode::BenchScript(n)),
        [flag, path] if flag == "--deploy" => (path, Mode::Deploy),
        _ => {
            eprintln!("usage: plan SCENARIO.json   (or - to read standard input)");
            eprintln!("       plan --bench-script N SCENARIO.json   (a script benchmarking the N best layouts)");
            eprintln!("       plan --deploy SCENARIO.json   (the recommended plan's deployment artifacts)");
            eprintln!("       plan --recalibrate SCENARIO.json RESULT...   (refit to measured runs, plan again)");
            return ExitCode::from(2);
        }
    };
    let text = if path == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).map(|_| s)
    } else {
        std::fs::read_to_string(path)
    };
    let text = match text {
        Ok(t) => t,
        Err(e) => {
            eprintln!("plan: cannot read {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let library = match kernel_library(&Path::new(REPOSITORY).join("data/kernels")) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("plan: {e}");
            return ExitCode::from(2);
        }
    };
    let Outcome { output, status } = match mode {
        Mode::Plan => run_with(&text, &library),
        Mode::BenchScript(n) => bench_script(&text, n),
        Mode::Deploy => deploy(&text, &library),
    };
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{output}").is_err() {
        return ExitCode::from(2);
    }
    ExitCode::from(status)
}
