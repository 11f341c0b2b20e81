//! Which catalog GPU a free-text name in a result file means: `"NVIDIA A100-SXM4-80GB"`,
//! `"4xNVIDIA_L40S"`, `"NVIDIA RTX PRO 6000 Blackwell Server Edition"`, `"h100-sxm"`.
//!
//! Design decision: a name is identified only when its tokens name one catalog GPU; anything
//! else (a GPU the catalog lacks, a workstation variant) is `None`, so the comparison says "not
//! recognised" rather than guessing. Defaults where nvidia-smi omits the form factor: an
//! `H100 80GB HBM3` is the SXM part (the PCIe card reports `H100 PCIe`, the NVL `H100 NVL`), an
//! `A100` is the SXM 80 GB part unless `40GB` or `PCIe` is stated.

/// Rules, first match wins: the tokens a name must hold (all of them, any order) and the
/// catalog id they mean. A more specific rule (a form factor, a memory size) comes before the
/// default of its GPU, and a longer model number before the one it contains (`gb200` before
/// `b200`, `l40s` before `l4`).
const RULES: &[(&[&str], &str)] = &[
    (&["gb300"], "gb300"),
    (&["b300"], "b300"),
    (&["gb200"], "gb200"),
    (&["b200"], "b200"),
    (&["gh200"], "gh200"),
    (&["h200"], "h200-sxm"),
    (&["h800"], "h800-sxm"),
    (&["h20"], "h20"),
    (&["h100", "nvl"], "h100-nvl"),
    (&["h100", "pcie"], "h100-pcie"),
    (&["h100"], "h100-sxm"),
    (&["a100", "40gb"], "a100-sxm-40gb"),
    (&["a100", "pcie"], "a100-pcie-80gb"),
    (&["a100"], "a100-sxm-80gb"),
    (&["l40s"], "l40s"),
    (&["l4"], "l4"),
    (&["a10"], "a10"),
    (&["4090"], "rtx-4090"),
    (&["rtx", "pro", "6000", "server"], "rtx-pro-6000-server"),
    (&["mi355x"], "mi355x"),
    (&["mi325x"], "mi325x"),
    (&["mi300x"], "mi300x"),
    (&["mi250x"], "mi250x"),
];

/// The catalog id a GPU name means, if it is unambiguous.
pub fn identify(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    let mut tokens: Vec<String> = Vec::new();
    for token in lower.split(|c: char| !c.is_ascii_alphanumeric()).filter(|t| !t.is_empty()) {
        match tokens.last_mut() {
            // `40 GB` is the token `40gb`, as `40GB` is.
            Some(number) if token == "gb" && number.bytes().all(|b| b.is_ascii_digit()) => number.push_str(token),
            _ => tokens.push(token.to_string()),
        }
    }
    let has = |t: &&str| tokens.iter().any(|token| token == t);
    RULES.iter().find(|(required, _)| required.iter().all(has)).map(|&(_, id)| id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_the_sample_files_and_our_ids() {
        let cases = [
            ("NVIDIA A100-SXM4-80GB", Some("a100-sxm-80gb")),
            ("4xNVIDIA_L40S", Some("l40s")),
            ("NVIDIA RTX PRO 6000 Blackwell Server Edition", Some("rtx-pro-6000-server")),
            ("NVIDIA RTX PRO 6000 Blackwell Workstation Edition", None),
            ("NVIDIA RTX PRO 4500 Blackwell", None),
            ("NVIDIA H100 80GB HBM3", Some("h100-sxm")),
            ("NVIDIA H100 PCIe", Some("h100-pcie")),
            ("NVIDIA A100-SXM4-40GB", Some("a100-sxm-40gb")),
            ("h100-sxm", Some("h100-sxm")),
            ("NVIDIA GH200 480GB", Some("gh200")),
            ("AMD Instinct MI300X", Some("mi300x")),
            ("NVIDIA A10", Some("a10")),
            ("NVIDIA H100 NVL", Some("h100-nvl")),
            ("NVIDIA A100 80GB PCIe", Some("a100-pcie-80gb")),
            ("NVIDIA A100 40 GB PCIe", Some("a100-sxm-40gb")),
            ("NVIDIA H20", Some("h20")),
            ("NVIDIA H200 141GB HBM3e", Some("h200-sxm")),
            ("NVIDIA GB200", Some("gb200")),
            ("NVIDIA B200", Some("b200")),
            ("NVIDIA L4", Some("l4")),
            ("NVIDIA GeForce RTX 4090", Some("rtx-4090")),
            ("AMD Instinct MI355X", Some("mi355x")),
            ("NVIDIA T4", None),
            ("", None),
        ];
        for (name, want) in cases {
            assert_eq!(identify(name), want, "{name:?}: expected {want:?}");
        }
    }

    /// The planner's script writes the catalog id as the GPU; each must read back as itself.
    #[test]
    fn every_catalog_id_identifies_as_itself() {
        for entry in planner::gpu::catalog::entries() {
            assert_eq!(identify(entry.id), Some(entry.id), "{}: expected its own id", entry.id);
        }
    }

    /// Every rule names a catalog GPU and can match: no rule is shadowed by an earlier one.
    #[test]
    fn every_rule_is_a_catalog_id_and_reachable() {
        let ids: Vec<&str> = planner::gpu::catalog::entries().iter().map(|e| e.id).collect();
        for (required, id) in RULES {
            assert!(ids.contains(id), "{id}: expected a catalog id");
            let name = required.join(" ");
            assert_eq!(identify(&name), Some(*id), "{name:?}: expected the rule's own id {id}, an earlier rule shadows it");
        }
    }
}
