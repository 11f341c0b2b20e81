//! `fuzz <target|all> [--inputs N] [--seed S] [--corpus DIR]… [--crashes DIR] [--hang-ms MS]`
//! runs the seeded mutation driver on a target (`scenario`, `config`, `share`, `import`,
//! `gpu`) or on each in turn, and prints per target the inputs run, inputs per second,
//! failures by kind and the slowest input; `fuzz <target> --replay FILE` runs one saved input.
//! Exit status 1 when any failure was found. Build with `--profile fuzz` (release with
//! overflow checks and debug assertions), so an arithmetic overflow is found as a panic.

use fuzz::check::Kind;
use fuzz::driver::{replay, run, Options, Report};
use fuzz::targets::{Target, TARGETS};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

const USAGE: &str = "usage: fuzz <scenario|config|share|import|gpu|all> [--inputs N] [--seed S] [--corpus DIR]... [--crashes DIR] [--hang-ms MS] [--quiet]\n       fuzz <target> --replay FILE";

fn main() -> ExitCode {
    match parse(std::env::args().skip(1).collect()) {
        Ok(Command::Replay(target, path)) => match replay(target, &path) {
            Ok((seen, took)) => {
                println!("{} {} in {:.1} ms: {}", target.name(), path.display(), took.as_secs_f64() * 1e3, match &seen {
                    Ok(behaviour) => format!("ok ({behaviour})"),
                    Err(failure) => failure.to_string(),
                });
                ExitCode::from(u8::from(seen.is_err()))
            }
            Err(e) => fail(&format!("cannot read {}: {e}", path.display())),
        },
        Ok(Command::Run(targets, options)) => {
            let mut reports = Vec::new();
            for target in targets {
                match run(target, &options) {
                    Ok(report) => {
                        println!("{}", line(&report));
                        reports.push(report);
                    }
                    Err(e) => return fail(&e.to_string()),
                }
            }
            summary(&reports);
            ExitCode::from(u8::from(reports.iter().any(|r| !r.found.is_empty())))
        }
        Err(message) => fail(&message),
    }
}

enum Command {
    Run(Vec<Target>, Options),
    Replay(Target, PathBuf),
}

fn parse(args: Vec<String>) -> Result<Command, String> {
    let mut args = args.into_iter();
    let which = args.next().ok_or("no target")?;
    let targets = match which.as_str() {
        "all" => TARGETS.to_vec(),
        name => vec![Target::from_name(name).ok_or(format!("unknown target {name}"))?],
    };
    let mut options = Options {
        inputs: 10_000,
        seed: 1,
        corpus: Vec::new(),
        crashes: PathBuf::from("target/fuzz-crashes"),
        hang: Duration::from_secs(1),
        progress: true,
    };
    while let Some(flag) = args.next() {
        if flag == "--quiet" {
            options.progress = false;
            continue;
        }
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        let number = || value.parse::<u64>().map_err(|_| format!("{flag}: expected a whole number, got {value}"));
        match flag.as_str() {
            "--inputs" => options.inputs = number()?,
            "--seed" => options.seed = number()?,
            "--hang-ms" => options.hang = Duration::from_millis(number()?),
            "--corpus" => options.corpus.push(PathBuf::from(&value)),
            "--crashes" => options.crashes = PathBuf::from(&value),
            "--replay" if targets.len() == 1 => return Ok(Command::Replay(targets[0], PathBuf::from(&value))),
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    Ok(Command::Run(targets, options))
}

/// One target's figures on one line.
fn line(r: &Report) -> String {
    format!(
        "{:<9} {:>9} inputs {:>8.1} s {:>8.0}/s  panics {} hangs {} non-finite {} unnamed {} contract {}  slowest {:.1} ms, {} behaviours",
        r.target.name(),
        r.inputs,
        r.elapsed.as_secs_f64(),
        r.per_second(),
        r.count(Kind::Panic),
        r.count(Kind::Hang),
        r.count(Kind::NonFinite),
        r.count(Kind::UnnamedRejection),
        r.count(Kind::Contract),
        r.slowest.as_secs_f64() * 1e3,
        r.behaviours
    )
}

/// Every failure found, and the slowest input of each target (its first 200 bytes).
fn summary(reports: &[Report]) {
    for r in reports {
        let shown: String = String::from_utf8_lossy(&r.slowest_input).chars().take(200).collect();
        println!("{} slowest input ({:.1} ms): {shown:?}", r.target.name(), r.slowest.as_secs_f64() * 1e3);
        for f in &r.found {
            let saved = f.saved.as_ref().map_or("not saved".to_string(), |p| p.display().to_string());
            println!("{} {} (×{}): {} [{saved}]", r.target.name(), f.failure.kind.name(), f.count, f.failure.detail);
        }
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("fuzz: {message}\n{USAGE}");
    ExitCode::from(2)
}
