//! Model presets, keyed by Hugging Face repo id, from `data/models.json`.
//!
//! Design decision: a preset is a trimmed `config.json` (only the keys the importer reads) and
//! goes through `config::from_config_json` like a pasted file, so catalog and import cannot
//! disagree; where `data/model-configs/` has the full file, a test checks that the trimmed
//! copy imports to the same spec. The import runs once, when `calibrate --tables` writes
//! `catalog/baked.rs` (`source::render`): every preset's names and imported model as Rust
//! constants, its layers run-length encoded. A test fails when the file is not what the
//! importer makes of `data/models.json` today. So the page's startup build carries neither the
//! presets' JSON nor the importer (about 17 KB of its gzipped weight), and the importer stays
//! the one reader of `config.json`. Lookup is case-insensitive and forgiving about the
//! well-known variants of one architecture: the organisation prefix, a `Meta-` prefix and the
//! `-Instruct`, `-Chat`, `-hf`, `-Base`, `-it` suffixes.

mod baked;
#[cfg(feature = "config-import")]
pub mod source;

use super::imported::ImportedModel;
use super::{Layer, ModelSpec};
use crate::error::InputError;
use crate::order::sorted_indices;
use crate::precision::WeightPrecision;
use std::sync::OnceLock;

/// One preset: its names, and the model the importer read from its trimmed `config.json`.
/// Its source, the full config it was trimmed from and its published parameter counts are in
/// `data/model-sources.json`, which only the tests read (the page never shows them).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Preset {
    /// Hugging Face repo id (`meta-llama/Llama-3.1-70B`), or a short id for a model known only
    /// from a paper (`gpt-3-175b`).
    pub id: &'static str,
    pub display_name: &'static str,
    /// Other names accepted by `lookup` (`llama-3.1-70b`).
    pub aliases: &'static [&'static str],
    hidden_size: u64,
    vocab_size: u64,
    tied_embeddings: bool,
    /// The decoder layers in order, as (how many in a row, the layer).
    layers: &'static [(u32, Layer)],
    vision_params: u64,
    checkpoint_precision: Option<WeightPrecision>,
    context_window: Option<u64>,
    notes: &'static [&'static str],
}

impl Preset {
    /// The preset's model, named by its id.
    pub fn import(&self) -> ImportedModel {
        ImportedModel {
            spec: ModelSpec {
                name: self.id.to_string(),
                hidden_size: self.hidden_size,
                vocab_size: self.vocab_size,
                tied_embeddings: self.tied_embeddings,
                layers: self.layers.iter().flat_map(|&(n, layer)| std::iter::repeat_n(layer, n as usize)).collect(),
                vision_params: self.vision_params,
            },
            checkpoint_precision: self.checkpoint_precision,
            context_window: self.context_window,
            notes: self.notes.iter().map(|n| n.to_string()).collect(),
        }
    }
}

struct Catalog {
    /// Normalised id or alias and its index into `baked::PRESETS`, first one for a name wins.
    /// A list, not a hash map: a few hundred names are searched in microseconds, and the page
    /// carries no hash table code for it.
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
        let mut index: Vec<(String, usize)> = Vec::new();
        for (i, e) in entries().iter().enumerate() {
            for name in std::iter::once(&e.id).chain(e.aliases) {
                let name = normalise(name);
                if !index.iter().any(|(known, _)| *known == name) {
                    index.push((name, i));
                }
            }
        }
        Catalog { index }
    })
}

/// Every preset, in file order (for the page's searchable list).
pub fn entries() -> &'static [Preset] {
    baked::PRESETS
}

/// The preset called `id` (repo id or alias, any case, well-known suffixes accepted).
pub fn lookup(id: &str) -> Result<ImportedModel, InputError> {
    let c = catalog();
    match c.find(id) {
        Some(i) => Ok(entries()[i].import()),
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
    c.find(id).map(|i| entries()[i].id)
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
        let id = entries()[i].id;
        if !ids.iter().any(|known| known == id) {
            ids.push(id.to_string());
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

#[cfg(all(test, feature = "config-import"))]
mod tests;
