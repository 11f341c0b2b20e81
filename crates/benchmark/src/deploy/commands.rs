//! Each worker's engine command with its role's KV-transfer flags, SGLang's prefill/decode
//! router, and TensorRT-LLM's disaggregated-serving configuration.
//!
//! Sources: vLLM 0.33.0 `--kv-transfer-config` with the NIXL connector, `kv_role` `kv_producer`
//! on prefill and `kv_consumer` on decode (`vllm/config/kv_transfer.py`;
//! `kv_connector/v1/nixl/connector.py` deprecates `kv_both` for NIXL); SGLang 0.5.23
//! `--disaggregation-mode`, `--disaggregation-transfer-backend` (nixl, one of
//! `DISAGG_TRANSFER_BACKEND_CHOICES`), `--disaggregation-bootstrap-port` (default 8998,
//! `srt/arg_groups/fields/disagg.py`); sglang-router 0.3.2 `launch_router --pd-disaggregation
//! --prefill URL BOOTSTRAP_PORT --decode URL` (`sglang_router/launch_router.py`).

use super::{Artifact, ArtifactKind, Deployment, Role, WorkerGroup};
use crate::launch::{launch_parts, PANEL_PORT};
use planner::engine::Engine;

/// SGLang's prefill bootstrap port: its default (`disagg.py`), passed explicitly so the
/// router's `--prefill URL PORT` names the same one.
pub(crate) const BOOTSTRAP_PORT: u32 = 8998;

/// The flags a worker of `role` adds to its engine's launch command, as (flag, shell value);
/// an SGLang prefill worker's bootstrap port is `bootstrap`.
pub(super) fn role_flags(engine: Engine, role: Role, bootstrap: u32) -> Vec<(&'static str, String)> {
    match (engine, role) {
        (_, Role::Aggregated) | (Engine::Trtllm, _) => vec![],
        (Engine::Vllm, _) => {
            let kv_role = if role == Role::Prefill {
                "kv_producer"
            } else {
                "kv_consumer"
            };
            vec![(
                "--kv-transfer-config",
                format!(r#"{{"kv_connector":"NixlConnector","kv_role":"{kv_role}"}}"#),
            )]
        }
        (Engine::Sglang, _) => {
            let mut flags = vec![
                ("--disaggregation-mode", role.id().to_string()),
                ("--disaggregation-transfer-backend", "nixl".into()),
            ];
            if role == Role::Prefill {
                flags.push(("--disaggregation-bootstrap-port", bootstrap.to_string()));
            }
            flags
        }
    }
}

/// One worker's command on node `rank` of its nodes, with its role's flags (values
/// single-quoted for the shell); the head node's address is `$HEAD_NODE_ADDR`.
pub(super) fn worker_command(d: &Deployment, group: &WorkerGroup, rank: u32) -> String {
    worker_command_at(d, group, rank, PANEL_PORT, BOOTSTRAP_PORT)
}

/// `worker_command` serving HTTP on `port` (a number or a shell variable) with an SGLang
/// prefill worker's bootstrap port `bootstrap`: the benchmark script runs several workers on
/// one node (`script::disagg`).
pub(crate) fn worker_command_at(d: &Deployment, group: &WorkerGroup, rank: u32, port: &str, bootstrap: u32) -> String {
    let mut parts = launch_parts(&d.launch(group, port), rank);
    for (flag, value) in role_flags(d.engine, group.role, bootstrap) {
        let word = if value.contains('"') {
            format!("'{value}'")
        } else {
            value
        };
        parts.command.push_str(&format!(" \\\n  {flag} {word}"));
    }
    parts.render()
}

/// The shell variable holding the address of worker `i` of `role` (set by the user).
pub(crate) fn address_var(role: Role, i: u32) -> String {
    format!("{}_{i}_ADDR", role.id().to_uppercase())
}

/// `prefill.sh` and `decode.sh` for vLLM and SGLang (TensorRT-LLM's are in its config).
pub(super) fn worker_scripts(d: &Deployment) -> Vec<Artifact> {
    if d.engine == Engine::Trtllm {
        return vec![];
    }
    let mut out: Vec<Artifact> = Vec::new();
    for group in &d.groups {
        let nodes = d.nodes(group.layout);
        let mut text = vec![format!(
            "# {} × {} worker ({}), {nodes} node(s) each: run every worker on machines of its own.",
            group.count,
            group.role.id(),
            group.layout
        )];
        for i in 0..group.count {
            text.push(format!(
                "\n# --- {} worker {i}: HEAD_NODE_ADDR=\"${}\" (its node 0)",
                group.role.id(),
                address_var(group.role, i)
            ));
            for rank in 0..nodes {
                text.push(format!("# node {rank}\n{}", worker_command(d, group, rank)));
            }
        }
        if d.engine == Engine::Vllm {
            text.push(
                "\n# vllm serve has no prefill/decode router of its own: put Dynamo's frontend (dynamo.yaml) in front.".into(),
            );
        }
        let name = format!("{}.sh", group.role.id());
        match out.iter_mut().find(|a| a.name == name) {
            Some(a) => a.text = format!("{}\n\n{}", a.text, text.join("\n")),
            None => out.push(Artifact {
                name,
                kind: ArtifactKind::Shell,
                text: text.join("\n"),
                verified: true,
                note: engine_note(d.engine).into(),
            }),
        }
    }
    out
}

fn engine_note(engine: Engine) -> &'static str {
    match engine {
        Engine::Vllm => "flags checked against vllm 0.33.0's argument parser (engine_flags.txt)",
        Engine::Sglang => {
            "flags checked against sglang 0.5.23's argument parser (engine_flags.txt)"
        }
        Engine::Trtllm => {
            "UNVERIFIED: TensorRT-LLM's source is not on PyPI (its releases there are stubs)"
        }
    }
}

/// SGLang's router in front of the prefill and decode workers (`router.sh`).
pub(super) fn router(d: &Deployment) -> Option<Artifact> {
    if d.engine != Engine::Sglang {
        return None;
    }
    let command = router_command(d, PANEL_PORT, &|_, _| (PANEL_PORT.to_string(), BOOTSTRAP_PORT));
    Some(Artifact {
        name: "router.sh".into(),
        kind: ArtifactKind::Shell,
        text: format!("# SGLang's prefill/decode router on a host of its own; set each worker's address variable.\n{command}"),
        verified: true,
        note: "flags checked against sglang-router 0.3.2's argument parser (engine_flags.txt)".into(),
    })
}

/// SGLang's router command serving on `port`, in front of every worker of `d`: worker `i` of a
/// role at `$<ROLE>_<i>_ADDR` (`address_var`), on the port and bootstrap port `endpoint` gives.
pub(crate) fn router_command(d: &Deployment, port: &str, endpoint: &dyn Fn(Role, u32) -> (String, u32)) -> String {
    let mut lines = vec!["python -m sglang_router.launch_router --pd-disaggregation".to_string()];
    lines.push(format!("  --host 0.0.0.0 --port {port}"));
    for g in &d.groups {
        for i in 0..g.count {
            let (worker_port, bootstrap) = endpoint(g.role, i);
            let url = format!("\"http://${{{}}}:{worker_port}\"", address_var(g.role, i));
            lines.push(match g.role {
                Role::Prefill => format!("  --prefill {url} {bootstrap}"),
                _ => format!("  --decode {url}"),
            });
        }
    }
    lines.join(" \\\n")
}

/// TensorRT-LLM's `disagg_config.yaml` (`trtllm-serve disaggregated -c disagg_config.yaml`):
/// UNVERIFIED, key names as recalled for TensorRT-LLM 1.x (its source could not be fetched).
pub(super) fn trtllm_disagg_config(d: &Deployment) -> Option<Artifact> {
    if d.engine != Engine::Trtllm {
        return None;
    }
    let mut lines = vec![
        "# UNVERIFIED: key names as recalled for TensorRT-LLM 1.x; its source could not be fetched".to_string(),
        "# (every PyPI release is a stub). Start each listed server with trtllm-serve and these settings.".into(),
        format!("hostname: 0.0.0.0\nport: {PANEL_PORT}\nbackend: pytorch"),
    ];
    for (key, role) in [
        ("context_servers", Role::Prefill),
        ("generation_servers", Role::Decode),
    ] {
        let (count, layout) = d
            .groups
            .iter()
            .filter(|g| g.role == role)
            .fold((0, None), |(n, l), g| (n + g.count, l.or(Some(g.layout))));
        let Some(l) = layout else { continue };
        let attention_dp = d.moe && l.dp > 1;
        let tp = if attention_dp { l.tp * l.dp } else { l.tp };
        lines.push(format!("{key}:\n  num_instances: {count}\n  tensor_parallel_size: {tp}\n  pipeline_parallel_size: {}", l.pp));
        if d.moe && l.ep > 1 {
            lines.push(format!("  moe_expert_parallel_size: {}", l.ep));
        }
        lines.push(format!(
            "  enable_attention_dp: {attention_dp}\n  max_batch_size: {}\n  max_num_tokens: {}\n  max_seq_len: {}",
            d.profile.max_batch_requests, d.profile.max_batch_tokens, d.max_model_len
        ));
        if let Some(f) = d.profile.memory_fraction {
            lines.push(format!(
                "  kv_cache_config:\n    free_gpu_memory_fraction: {f}"
            ));
        }
        lines.push("  cache_transceiver_config:\n    backend: DEFAULT\n  urls:".into());
        for i in 0..count {
            lines.push(format!(
                "    - \"${{{}}}:{PANEL_PORT}\"",
                address_var(role, i)
            ));
        }
    }
    Some(Artifact {
        name: "disagg_config.yaml".into(),
        kind: ArtifactKind::EngineConfig,
        text: lines.join("\n"),
        verified: false,
        note: "UNVERIFIED: TensorRT-LLM's disaggregated-serving keys could not be checked (no source on PyPI); \
               the urls are shell variables: substitute the workers' addresses (envsubst)"
            .into(),
    })
}
