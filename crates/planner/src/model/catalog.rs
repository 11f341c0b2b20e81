//! Model presets, keyed by Hugging Face repo id, from `data/models.json`.
//!
//! Design decision: a preset is a trimmed `config.json` (only the keys the importer reads) and
//! goes through `config::from_config_json` like a pasted file, so catalog and import cannot
//! disagree; where `data/model-configs/` has the full file, a test checks that the trimmed
//! copy imports to the same spec. Lookup is case-insensitive and forgiving about the well-known
//! variants of one architecture: the organisation prefix, a `Meta-` prefix and the `-Instruct`,
//! `-Chat`, `-hf`, `-Base`, `-it` suffixes.

use super::config::{from_config_json, ImportedModel};
use crate::order::sorted_indices;
use crate::error::InputError;
use serde::Deserialize;
use serde_json::Value;
use std::sync::OnceLock;

const DATA: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/models.json"));

/// One preset. Its source, the full config it was trimmed from and its published parameter
/// counts are in `data/model-sources.json`, which only the tests read (the page never shows
/// them).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogEntry {
    /// Hugging Face repo id (`meta-llama/Llama-3.1-70B`), or a short id for a model known only
    /// from a paper (`gpt-3-175b`).
    pub id: String,
    pub display_name: String,
    /// Other names accepted by `lookup` (`llama-3.1-70b`).
    #[serde(default)]
    pub aliases: Vec<String>,
    config: Value,
}

impl CatalogEntry {
    /// The trimmed `config.json`.
    pub fn config(&self) -> &Value {
        &self.config
    }

    /// Import this preset.
    pub fn import(&self) -> Result<ImportedModel, InputError> {
        from_config_json(&self.id, &self.config)
    }
}

struct Catalog {
    entries: Vec<CatalogEntry>,
    /// Normalised id or alias and its index into `entries`, first one for a name wins. A list,
    /// not a hash map: a few hundred names are searched in microseconds, and the page carries
    /// no hash table code for it.
    index: Vec<(String, usize)>,
}

impl Catalog {
    fn find(&self, id: &str) -> Option<usize> {
        let wanted = normalise(id);
        self.index.iter().find(|(name, _)| *name == wanted).map(|&(_, i)| i)
    }
}

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        // The file is part of the build; `tests::catalog_file_is_valid` parses and checks it.
        // Read as a JSON value first, as every other JSON text the page reads: a typed read
        // straight from the text would link a second reader of JSON text into the page.
        let entries: Vec<CatalogEntry> = serde_json::from_str::<Value>(DATA)
            .and_then(serde_json::from_value)
            .expect("data/models.json is valid (checked by the catalog tests)");
        let mut index: Vec<(String, usize)> = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            for name in std::iter::once(&e.id).chain(&e.aliases) {
                let name = normalise(name);
                if !index.iter().any(|(known, _)| *known == name) {
                    index.push((name, i));
                }
            }
        }
        Catalog { entries, index }
    })
}

/// Every preset, in file order (for the page's searchable list).
pub fn entries() -> &'static [CatalogEntry] {
    &catalog().entries
}

/// The preset called `id` (repo id or alias, any case, well-known suffixes accepted).
pub fn lookup(id: &str) -> Result<ImportedModel, InputError> {
    let c = catalog();
    match c.find(id) {
        Some(i) => c.entries[i].import(),
        None => {
            let close = close_matches(c, id);
            let hint = if close.is_empty() {
                "paste the model's config.json instead ({\"name\": …, \"config\": {…}})".to_string()
            } else {
                format!("did you mean {}?", close.join(", "))
            };
            Err(InputError::new("model", format!("no catalog model {id:?}; {hint}")))
        }
    }
}

/// The catalog id that `id` names (repo id or alias, any case, well-known suffixes accepted),
/// if any.
pub fn canonical_id(id: &str) -> Option<&'static str> {
    let c = catalog();
    c.find(id).map(|i| c.entries[i].id.as_str())
}

/// The suffixes of a model's variants that name the same architecture.
const VARIANT_SUFFIXES: [&str; 5] = ["-instruct", "-chat", "-hf", "-base", "-it"];

/// Lower case, organisation and `meta-` prefix dropped, variant suffixes stripped.
pub fn normalise(id: &str) -> String {
    let lower = id.trim().to_ascii_lowercase();
    let mut name = lower.rsplit('/').next().unwrap_or_default();
    name = name.strip_prefix("meta-").unwrap_or(name);
    while let Some(stripped) = VARIANT_SUFFIXES.iter().find_map(|s| name.strip_suffix(s)) {
        name = stripped;
    }
    name.to_string()
}

/// Shortest name part that counts as naming a model when one name contains the other
/// (`qwen3` in `qwen3-8b`; `1t` or `bar` is too short to say anything).
const MIN_CONTAINED: usize = 4;

/// Up to five preset ids, closest first, whose names (or a variant of them: `-instruct`, …)
/// are within one edit per five characters of `id`, or contain it or are contained in it.
fn close_matches(c: &Catalog, id: &str) -> Vec<String> {
    let wanted = normalise(id);
    let allowed = (wanted.len() / 5).max(1);
    let scored: Vec<(usize, usize)> = c
        .index
        .iter()
        .filter_map(|&(ref name, i)| {
            // The distance is at least the difference in length: a name that far off is not
            // counted at all (the count is quadratic; a pasted megabyte took seconds; found by
            // fuzzing).
            let d = std::iter::once("")
                .chain(VARIANT_SUFFIXES)
                .map(|suffix| {
                    let variant = format!("{name}{suffix}");
                    if variant.len().abs_diff(wanted.len()) > allowed { usize::MAX } else { edit_distance(&variant, &wanted) }
                })
                .min()
                .unwrap_or(usize::MAX);
            let (shorter, longer) =
                if name.len() < wanted.len() { (name.as_str(), wanted.as_str()) } else { (wanted.as_str(), name.as_str()) };
            let contains = shorter.len() >= MIN_CONTAINED && longer.contains(shorter);
            (d <= allowed || contains).then_some((if contains { 0 } else { d }, i))
        })
        .collect();
    let order = sorted_indices(scored.len(), &mut |a, b| scored[a].cmp(&scored[b]));
    let mut ids: Vec<String> = Vec::new();
    for (_, i) in order.into_iter().map(|k| scored[k]) {
        let id = &c.entries[i].id;
        if !ids.contains(id) {
            ids.push(id.clone());
        }
    }
    ids.truncate(5);
    ids
}

/// Levenshtein distance over bytes (ids are ASCII).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1).min(row[j] + 1).min(diagonal + usize::from(ca != cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests;
