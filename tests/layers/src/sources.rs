//! The source files of one crate: a map from path to text, read from a directory or written
//! by a test.
//!
//! Design decision: the module discovery reads only this map, never the disk, so a synthetic
//! tree held in memory goes through exactly the code that checks the real one.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Every `.rs` file of a tree, keyed by its path relative to a base directory (the workspace
/// root for the real tree), so reports name files as a reader finds them.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    files: BTreeMap<PathBuf, String>,
}

impl Sources {
    /// Every `.rs` file under `base/dir`, keyed `dir/…`.
    pub fn read_dir(base: &Path, dir: &str) -> io::Result<Sources> {
        let mut files = BTreeMap::new();
        read_into(base, Path::new(dir), &mut files)?;
        Ok(Sources { files })
    }

    /// A tree given as (path, text) pairs.
    pub fn from_files<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Sources {
        Sources { files: files.into_iter().map(|(path, text)| (PathBuf::from(path), text.to_string())).collect() }
    }

    /// The text of `path`, if the tree has it.
    pub fn get(&self, path: &Path) -> Option<&str> {
        self.files.get(path).map(String::as_str)
    }

    /// The paths of the tree, in order.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.files.keys().map(PathBuf::as_path)
    }
}

fn read_into(base: &Path, dir: &Path, files: &mut BTreeMap<PathBuf, String>) -> io::Result<()> {
    for entry in fs::read_dir(base.join(dir))? {
        let name = entry?.file_name();
        let relative = dir.join(&name);
        let full = base.join(&relative);
        if full.is_dir() {
            read_into(base, &relative, files)?;
        } else if relative.extension().is_some_and(|ext| ext == "rs") {
            files.insert(relative, fs::read_to_string(&full)?);
        }
    }
    Ok(())
}
