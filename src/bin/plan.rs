//! `plan SCENARIO.json` (or `-` for standard input): one scenario object or an array of them in,
//! one plan or an array of plans out, as `FORMAT.md` specifies. A scenario that is invalid gives
//! `{"error": {"field", "message"}}` in its place. Exit status: 0 when every scenario planned,
//! 1 when any was invalid, 2 when the input was not JSON at all (or could not be read).

use planner_app::planner::cli::{run, Outcome};
use std::io::{Read, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path] = args.as_slice() else {
        eprintln!("usage: plan SCENARIO.json   (or - to read standard input)");
        return ExitCode::from(2);
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
    let Outcome { output, status } = run(&text);
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{output}").is_err() {
        return ExitCode::from(2);
    }
    ExitCode::from(status)
}
