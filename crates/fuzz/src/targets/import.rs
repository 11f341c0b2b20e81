//! Target `import`: a benchmark result file through `benchmark::import::import`, its name on
//! the input's first line (the name picks nothing by itself, but a layout can be read from
//! it), its text after.
//!
//! Design decision: a rejection must say what was expected: the file it is about, and per
//! kind the part that tells the user what to fix (the formats read, the JSON error, the keys
//! missing, the value and why); a run read must hold only finite numbers.

use super::{shape, Seen};
use crate::check::{finite, Failure, Kind};
use benchmark::import::{import, ImportError};

pub fn run(text: &str) -> Seen {
    let (name, body) = text.split_once('\n').unwrap_or((text, ""));
    match import(name, body) {
        Ok(runs) => {
            for run in &runs {
                finite("run", run)?;
            }
            let first = runs.first().map(|r| format!("{:?} {} layout {}", r.tool, shape(&format!("{:?}", r.load)), r.layout.is_some()));
            Ok(format!("read {} {}", runs.len().min(3), first.unwrap_or_default()))
        }
        Err(e) => {
            says_what_was_expected(&e, name)?;
            Ok(match e {
                ImportError::MissingKeys { tool, missing, .. } => format!("missing {tool:?} {missing:?}"),
                ImportError::BadValue { message, .. } => format!("bad value {}", shape(&message)),
                other => format!("refused {}", shape(&format!("{other:?}").replace(name, ""))).chars().take(24).collect(),
            })
        }
    }
}

/// The error names the file (`name` without its folders) and the part that tells what was
/// expected.
fn says_what_was_expected(e: &ImportError, name: &str) -> Result<(), Failure> {
    let (file, parts): (&str, Vec<&str>) = match e {
        ImportError::Empty { file } => (file, vec![]),
        ImportError::Json { file, detail } => (file, vec![detail]),
        ImportError::Unrecognised { file, found } => (file, vec![found]),
        ImportError::MissingKeys { file, where_, missing, .. } => {
            (file, [where_.as_str()].into_iter().chain(missing.iter().map(String::as_str)).chain(missing.is_empty().then_some("")).collect())
        }
        ImportError::BadValue { file, where_, message } => (file, vec![where_, message]),
    };
    let expected_file = name.rsplit(['/', '\\']).next().unwrap_or(name);
    if file != expected_file || parts.iter().any(|p| p.trim().is_empty()) {
        return Err(Failure::new(Kind::UnnamedRejection, format!("expected the file and what was expected, got {e:?}")));
    }
    Ok(())
}
