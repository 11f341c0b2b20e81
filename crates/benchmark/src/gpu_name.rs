//! Which catalog GPU a free-text name in a result file means: `"NVIDIA A100-SXM4-80GB"`,
//! `"4xNVIDIA_L40S"`, `"NVIDIA RTX PRO 6000 Blackwell Server Edition"`, `"h100-sxm"`.
//!
//! Design decision: a name is identified only when its tokens name one catalog GPU; anything
//! else (a GPU the catalog lacks, a workstation variant) is `None`, so the comparison says "not
//! recognised" rather than guessing. Defaults where nvidia-smi omits the form factor: an
//! `H100 80GB HBM3` is the SXM part (the PCIe card reports `H100 PCIe`, the NVL `H100 NVL`), an
//! `A100` is the SXM 80 GB part unless `40GB` or `PCIe` is stated.

/// The catalog id a GPU name means, if it is unambiguous.
pub fn identify(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    let tokens: Vec<&str> = lower.split(|c: char| !c.is_ascii_alphanumeric()).filter(|t| !t.is_empty()).collect();
    let has = |t: &str| tokens.contains(&t);
    let gb = |n: &str| tokens.iter().any(|x| *x == format!("{n}gb")) || lower.contains(&format!("{n} gb"));
    let id = if has("gb300") {
        "gb300"
    } else if has("b300") {
        "b300"
    } else if has("gb200") {
        "gb200"
    } else if has("b200") {
        "b200"
    } else if has("gh200") {
        "gh200"
    } else if has("h200") {
        "h200-sxm"
    } else if has("h800") {
        "h800-sxm"
    } else if has("h20") {
        "h20"
    } else if has("h100") {
        if has("nvl") {
            "h100-nvl"
        } else if has("pcie") {
            "h100-pcie"
        } else {
            "h100-sxm"
        }
    } else if has("a100") {
        if gb("40") {
            "a100-sxm-40gb"
        } else if has("pcie") {
            "a100-pcie-80gb"
        } else {
            "a100-sxm-80gb"
        }
    } else if has("l40s") {
        "l40s"
    } else if has("l4") {
        "l4"
    } else if has("a10") {
        "a10"
    } else if has("4090") {
        "rtx-4090"
    } else if has("rtx") && has("pro") && has("6000") && has("server") {
        "rtx-pro-6000-server"
    } else {
        ["mi355x", "mi325x", "mi300x", "mi250x"].into_iter().find(|m| has(m))?
    };
    Some(id)
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
            ("", None),
        ];
        for (name, want) in cases {
            assert_eq!(identify(name), want, "{name}");
        }
    }

    /// The planner's script writes the catalog id as the GPU; each must read back as itself.
    #[test]
    fn every_catalog_id_identifies_as_itself() {
        for entry in planner::gpu::catalog::entries() {
            assert_eq!(identify(entry.id), Some(entry.id), "{}", entry.id);
        }
    }
}
