//! Measured kernel tables: per GPU system and serving engine, how close each kernel (GEMM,
//! attention, MoE, collectives) comes to the GPU's roofline at each measured shape
//! (`data/kernels/<system>.<engine>.txt`, distilled from NVIDIA's AIConfigurator measurements
//! by `tools/distil/`; the format is `tools/distil/FORMAT.md`).
//!
//! Design decision: the planner reads the tables' TEXT, handed to it by its caller (the
//! command reads the file, the page fetches it on demand), so the page does not carry every
//! GPU's tables and the planner does no I/O. One reader for every kind of table: a table is
//! named attributes, one to three axes and a grid of values (`grid`). A caller hands in the
//! files it has as a `Library` (parsed once, shared by every scenario it plans); the planner
//! picks the one of the scenario's GPU and engine (`system_of`).

pub mod grid;

#[cfg(feature = "kernel-tables")]
use grid::Axis;
use grid::Grid;
use std::sync::Arc;

/// The tables' system id of a GPU catalog id: the nine systems the source measured. Every other
/// GPU (AMD, H800, GH200, the PCIe and NVL parts, custom specs) has no tables.
pub fn system_of(gpu_id: &str) -> Option<&'static str> {
    Some(match gpu_id {
        "h100-sxm" => "h100_sxm",
        "h200-sxm" => "h200_sxm",
        "b200" => "b200_sxm",
        "gb200" => "gb200",
        "b300" => "b300_sxm",
        "gb300" => "gb300",
        "rtx-pro-6000-server" => "rtx_pro_6000_server",
        "l40s" => "l40s",
        "a100-sxm-80gb" => "a100_sxm",
        _ => return None,
    })
}

/// The table files a caller supplies, parsed, by `<system>.<engine>`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Library {
    sets: Vec<Arc<KernelTables>>,
}

impl Library {
    /// No tables: every step is timed by the roofline.
    pub fn empty() -> Library {
        Library::default()
    }

    /// Adds one file's text (the reader is the `kernel-tables` feature's: the startup page has
    /// no tables to add) (`<system>.<engine>.txt`); an error names the line.
    #[cfg(feature = "kernel-tables")]
    pub fn add(&mut self, text: &str) -> Result<(), String> {
        let tables = parse(text)?;
        self.sets.retain(|t| !(t.system == tables.system && t.engine == tables.engine));
        self.sets.push(Arc::new(tables));
        Ok(())
    }

    /// The tables of `system` under `engine` (`trtllm`, `vllm`, `sglang`).
    pub fn get(&self, system: &str, engine: &str) -> Option<Arc<KernelTables>> {
        self.sets.iter().find(|t| t.system == system && t.engine == engine).cloned()
    }

    pub fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }
}

/// One GPU system's tables under one engine.
#[derive(Debug, Clone, PartialEq)]
pub struct KernelTables {
    /// The source's system id (`h100_sxm`, `gb200`, …).
    pub system: String,
    /// `trtllm`, `vllm` or `sglang`, and the engine version measured.
    pub engine: String,
    pub engine_version: String,
    /// Dense tensor-core peaks (FLOP/s) by rate (`bf16`, `fp8`, `fp4`): the figures the
    /// utilisations were computed against, so times are taken back with these.
    pub peaks: Vec<(String, f64)>,
    /// HBM bandwidth, bytes/s.
    pub hbm: f64,
    /// One-direction scale-up bandwidth per GPU, bytes/s.
    pub link: f64,
    pub gpus_per_node: u32,
    pub tables: Vec<Table>,
}

/// One table of a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// `gemm`, `attn_ctx`, `attn_gen`, `mla_ctx`, `mla_gen`, `moe`, `moe_routing`, `nccl`,
    /// `custom_ar`.
    pub kind: String,
    /// Its identifying attributes in file order (`dtype=fp8`, `kv=bf16`, `op=all_reduce`).
    pub attrs: Vec<(String, String)>,
    /// The peak the roofline uses (`None` for collectives and routing ratios).
    pub rate: Option<String>,
    /// Where in the source the measurements come from (`gemm/trtllm/1.3.0rc20`).
    pub src: String,
    pub grid: Grid,
}

impl Table {
    /// The attribute `key`, if the table has it.
    pub fn attr(&self, key: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// The attribute `key` as a number, if the table has it and it is one (read as `positive`
    /// reads the grid's numbers).
    pub fn number(&self, key: &str) -> Option<f64> {
        self.attr(key).and_then(|v| serde_json::from_str::<f64>(v).ok())
    }

    /// The table as the trace names it: kind and attributes (`gemm dtype=fp8`).
    pub fn name(&self) -> String {
        let attrs: Vec<String> = self.attrs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!("{} {}", self.kind, attrs.join(" ")).trim_end().to_string()
    }
}

impl KernelTables {
    /// The peak of `rate`, FLOP/s.
    pub fn peak(&self, rate: &str) -> Option<f64> {
        self.peaks.iter().find(|(r, _)| r == rate).map(|&(_, p)| p)
    }

    /// The tables of `kind` whose attributes include every pair of `attrs`.
    pub fn find<'a>(&'a self, kind: &'a str, attrs: &'a [(&'a str, &'a str)]) -> impl Iterator<Item = &'a Table> + 'a {
        self.tables.iter().filter(move |t| t.kind == kind && attrs.iter().all(|(k, v)| t.attr(k) == Some(*v)))
    }
}

#[cfg(feature = "kernel-tables")]
/// Reads a tables file; the error names the line and what was expected there.
pub fn parse(text: &str) -> Result<KernelTables, String> {
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l)).filter(|(_, l)| !l.starts_with('#')).peekable();
    let mut header = |key: &str| -> Result<(usize, Vec<&str>), String> {
        let (n, line) = lines.next().ok_or_else(|| format!("the file ends before its `{key}` line"))?;
        let words: Vec<&str> = line.split(' ').collect();
        if words[0] != key {
            return Err(format!("line {n}: expected `{key} …`, found {line:?}"));
        }
        Ok((n, words[1..].to_vec()))
    };
    let (n, version) = header("kernels")?;
    if version != ["1"] {
        return Err(format!("line {n}: format version {version:?}, this reader reads version 1"));
    }
    let system = one(header("system")?)?.to_string();
    let (n, backend) = header("backend")?;
    let [engine, engine_version] = backend[..] else { return Err(format!("line {n}: expected `backend <engine> <version>`")) };
    let (engine, engine_version) = (engine.to_string(), engine_version.to_string());
    let mut tables = KernelTables { system, engine, engine_version, peaks: Vec::new(), hbm: 0.0, link: 0.0, gpus_per_node: 0, tables: Vec::new() };
    while let Some(&(n, line)) = lines.peek() {
        let words: Vec<&str> = line.split(' ').collect();
        match words[..] {
            ["peak", rate, value] => tables.peaks.push((rate.to_string(), positive(n, value)?)),
            ["hbm", value] => tables.hbm = positive(n, value)?,
            ["link", value] => tables.link = positive(n, value)?,
            ["gpus_per_node", value] => tables.gpus_per_node = positive(n, value)? as u32,
            _ => break,
        }
        lines.next();
    }
    if tables.peaks.is_empty() || tables.hbm <= 0.0 || tables.link <= 0.0 || tables.gpus_per_node == 0 {
        return Err("the header lacks a `peak`, `hbm`, `link` or `gpus_per_node` line".into());
    }
    while let Some((n, line)) = lines.next() {
        let mut words = line.split(' ');
        if words.next() != Some("table") {
            return Err(format!("line {n}: expected `table <kind> …`, found {line:?}"));
        }
        let kind = words.next().ok_or_else(|| format!("line {n}: a table without a kind"))?.to_string();
        let (mut attrs, mut rate, mut src) = (Vec::new(), None, String::new());
        for word in words {
            let (k, v) = word.split_once('=').ok_or_else(|| format!("line {n}: expected key=value, found {word:?}"))?;
            match k {
                "rate" => rate = Some(v.to_string()),
                "src" => src = v.to_string(),
                _ => attrs.push((k.to_string(), v.to_string())),
            }
        }
        let mut axes = Vec::new();
        while let Some(&(n, line)) = lines.peek() {
            let Some(rest) = line.strip_prefix("axis ") else { break };
            let mut words = rest.split(' ');
            let name = words.next().unwrap_or_default().to_string();
            let values = words.map(|w| positive(n, w)).collect::<Result<Vec<f64>, String>>()?;
            if values.is_empty() || values.windows(2).any(|w| w[0] >= w[1]) {
                return Err(format!("line {n}: axis {name:?} must hold increasing values"));
            }
            axes.push(Axis { name, values });
            lines.next();
        }
        let Some(last) = axes.last() else { return Err(format!("line {n}: table {kind} has no axis")) };
        let width = last.values.len();
        let rows: usize = axes[..axes.len() - 1].iter().map(|a| a.values.len()).product();
        let mut values = Vec::with_capacity(rows * width);
        for _ in 0..rows {
            let (n, line) = lines.next().ok_or_else(|| format!("table {kind} ends before its {rows} rows"))?;
            let row: Vec<Option<f64>> =
                line.split(' ').map(|w| if w == "-" { Ok(None) } else { positive(n, w).map(Some) }).collect::<Result<_, _>>()?;
            if row.len() != width {
                return Err(format!("line {n}: expected {width} values, found {}", row.len()));
            }
            values.extend(row);
        }
        tables.tables.push(Table { kind, attrs, rate, src, grid: Grid { axes, values } });
    }
    Ok(tables)
}

/// The one word after a header key.
#[cfg(feature = "kernel-tables")]
fn one((n, words): (usize, Vec<&str>)) -> Result<&str, String> {
    match words[..] {
        [word] => Ok(word),
        _ => Err(format!("line {n}: expected one word after the key")),
    }
}

/// A finite positive number. Read by `serde_json`'s number reader (the files' numbers are JSON
/// numbers), which the page carries anyway, rather than `str::parse::<f64>`, whose exact
/// algorithm would add its 10 KB table of powers of five to the page.
#[cfg(feature = "kernel-tables")]
fn positive(n: usize, word: &str) -> Result<f64, String> {
    match serde_json::from_str::<f64>(word) {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(x),
        _ => Err(format!("line {n}: expected a positive number, found {word:?}")),
    }
}

#[cfg(all(test, feature = "kernel-tables"))]
pub(crate) mod tests {
    use super::grid::Between;
    use super::*;

    /// Every table file of `data/kernels/`, read.
    pub(crate) fn shipped() -> Vec<(String, String)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/kernels");
        let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "txt") && !p.ends_with("LICENSE-Apache-2.0.txt"))
            .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
            .collect();
        files.sort();
        files
    }

    #[test]
    fn every_shipped_file_reads_with_its_header_and_tables() {
        let files = shipped();
        assert_eq!(files.len(), 27, "nine systems × three engines");
        for (name, text) in &files {
            let t = parse(text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(format!("{}.{}.txt", t.system, t.engine), *name);
            assert!(t.peak("bf16").is_some() && t.find("gemm", &[("dtype", "bf16")]).count() == 1, "{name}");
            for table in &t.tables {
                assert!(table.grid.values.iter().any(Option::is_some), "{name} {}: no number", table.name());
                if let Some(rate) = &table.rate {
                    assert!(t.peak(rate).is_some(), "{name} {}: no peak {rate}", table.name());
                }
            }
        }
    }

    #[test]
    fn a_measured_point_is_read_back_as_written() {
        // data/kernels/h100_sxm.trtllm.txt, `gemm dtype=bf16`, first row (n = 256, k = 1024):
        // 0.0392 at m = 1, 0.351 at m = 2048.
        let text = &shipped().into_iter().find(|(n, _)| n == "h100_sxm.trtllm.txt").unwrap().1;
        let t = parse(text).unwrap();
        assert_eq!((t.peak("bf16"), t.hbm, t.gpus_per_node), (Some(989e12), 3.35e12, 8));
        let gemm = t.find("gemm", &[("dtype", "bf16")]).next().unwrap();
        assert_eq!(gemm.grid.at(&[256.0, 1024.0, 1.0], Between::Linear), Some(0.0392));
        assert_eq!(gemm.grid.at(&[256.0, 1024.0, 2048.0], Between::Linear), Some(0.351));
    }

    /// The shipped files as a library, as the `plan` command reads them.
    pub(crate) fn library() -> Library {
        let mut library = Library::empty();
        for (name, text) in shipped() {
            library.add(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        library
    }

    #[test]
    fn the_library_finds_each_system_and_engine_and_the_catalog_maps_onto_them() {
        let library = library();
        for gpu in ["h100-sxm", "h200-sxm", "b200", "gb200", "b300", "gb300", "rtx-pro-6000-server", "l40s", "a100-sxm-80gb"] {
            let system = system_of(gpu).unwrap_or_else(|| panic!("{gpu}: no system"));
            for engine in ["trtllm", "vllm", "sglang"] {
                let t = library.get(system, engine).unwrap_or_else(|| panic!("{gpu}: no {system}.{engine}"));
                assert_eq!((t.system.as_str(), t.engine.as_str()), (system, engine));
            }
        }
        for gpu in ["mi300x", "h800-sxm", "gh200", "h100-pcie", "Lab GPU"] {
            assert_eq!(system_of(gpu), None, "{gpu}");
        }
        assert!(Library::empty().get("h100_sxm", "trtllm").is_none());
    }

    #[test]
    fn a_damaged_file_is_refused_with_its_line() {
        let good = "kernels 1\nsystem x\nbackend vllm 1\npeak bf16 1e15\nhbm 3e12\nlink 4e11\ngpus_per_node 8\n\
                    table gemm dtype=bf16 rate=bf16 src=s\naxis m 1 4\n0.1 0.2\n";
        assert!(parse(good).is_ok());
        for (bad, says) in [
            (good.replace("kernels 1", "kernels 2"), "version"),
            (good.replace("0.1 0.2", "0.1"), "expected 2 values"),
            (good.replace("0.1 0.2", "0.1 -3"), "positive number"),
            (good.replace("axis m 1 4", "axis m 4 1"), "increasing"),
            (good.replace("hbm 3e12\n", ""), "header lacks"),
            (good.replace("0.1 0.2\n", ""), "ends before"),
        ] {
            let e = parse(&bad).unwrap_err();
            assert!(e.contains(says), "{e:?} should say {says:?}");
        }
    }
}
