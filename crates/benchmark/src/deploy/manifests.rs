//! Kubernetes manifests: a LeaderWorkerSet per vLLM or SGLang worker group (a worker's nodes
//! are one group: the leader runs node 0, the workers join it), and NVIDIA Dynamo's
//! `DynamoGraphDeployment` for the whole graph (a frontend and each worker group).
//!
//! Sources: LeaderWorkerSet `leaderworkerset.x-k8s.io/v1` (no package registry ships its CRD:
//! UNVERIFIED, fields as its documentation gives them; it sets `LWS_LEADER_ADDRESS` and
//! `LWS_WORKER_INDEX` in every pod); `DynamoGraphDeployment` `nvidia.com/v1beta1` as ai-dynamo
//! 1.6.1 writes it (`dynamo/profiler/utils/config.py`, `profiler/templates/dgd/*/disagg.yaml`:
//! components with `type` frontend, worker, prefill or decode; `multinode.nodeCount` =
//! ⌈GPUs per worker / GPUs per node⌉, `nvidia.com/gpu` per pod), whose worker programs are
//! `python3 -m dynamo.<engine>` taking the engine's flags.

use super::commands::{role_flags, worker_command};
use super::yaml::{block, list, name, quoted};
use super::{Artifact, ArtifactKind, Deployment, Role, WorkerGroup};
use crate::launch::{launch_parts, PANEL_PORT};
use planner::engine::Engine;

/// Container images, for the versions the flags were checked against. ASSUMPTION: the tags
/// follow the projects' published naming (`vllm/vllm-openai:v<version>`,
/// `lmsysorg/sglang:v<version>`); they were not fetched here. Dynamo's are the ones ai-dynamo
/// 1.6.1's own templates name.
fn engine_image(engine: Engine) -> &'static str {
    match engine {
        Engine::Vllm => "vllm/vllm-openai:v0.33.0",
        Engine::Sglang => "lmsysorg/sglang:v0.5.23",
        Engine::Trtllm => "nvcr.io/nvidia/ai-dynamo/tensorrtllm-runtime:1.6.1",
    }
}

fn dynamo_image(engine: Engine) -> &'static str {
    match engine {
        Engine::Vllm => "nvcr.io/nvidia/ai-dynamo/vllm-runtime:1.6.1",
        Engine::Sglang => "nvcr.io/nvidia/ai-dynamo/sglang-runtime:1.6.1",
        Engine::Trtllm => "nvcr.io/nvidia/ai-dynamo/tensorrtllm-runtime:1.6.1",
    }
}

/// `lws.yaml`: one LeaderWorkerSet per group (vLLM and SGLang; TensorRT-LLM starts multi-node
/// workers through MPI, which a LeaderWorkerSet does not express here).
pub(super) fn leader_worker_sets(d: &Deployment) -> Option<Artifact> {
    if d.engine == Engine::Trtllm {
        return None;
    }
    let mut docs = vec![
        "# UNVERIFIED: no package registry ships the LeaderWorkerSet CRD; fields as documented for\n\
         # leaderworkerset.x-k8s.io/v1. The engine flags are checked against the engines' parsers."
            .to_string(),
    ];
    for group in &d.groups {
        docs.push(leader_worker_set(d, group));
    }
    Some(Artifact {
        name: "lws.yaml".into(),
        kind: ArtifactKind::Kubernetes,
        text: docs.join("\n---\n"),
        verified: false,
        note: "UNVERIFIED: the LeaderWorkerSet schema could not be had from a package registry; parsed in tests, \
               the commands' flags checked against the engines' parsers"
            .into(),
    })
}

fn leader_worker_set(d: &Deployment, group: &WorkerGroup) -> String {
    let nodes = d.nodes(group.layout);
    let gpus = d.gpus_per_pod(group.layout);
    // Node 0's address and each pod's rank come from LWS's environment.
    let script = |rank: u32| {
        let command = worker_command(d, group, rank.min(1));
        let command = if rank == 0 {
            command
        } else {
            command.replace("--node-rank 1 ", "--node-rank \"$LWS_WORKER_INDEX\" ")
        };
        format!("HEAD_NODE_ADDR=\"$LWS_LEADER_ADDRESS\"\n{command}")
    };
    let pod = |rank: u32, indent: usize| {
        let pad = " ".repeat(indent);
        let port = if rank == 0 {
            format!("\n{pad}    ports:\n{pad}      - containerPort: {PANEL_PORT}")
        } else {
            String::new()
        };
        format!(
            "{pad}spec:\n{pad}  containers:\n{pad}  - name: engine\n{pad}    image: {}\n{pad}    command: [\"/bin/sh\", \"-c\"]\n\
             {pad}    args:\n{pad}    - {}{port}\n{pad}    resources:\n{pad}      limits:\n{pad}        nvidia.com/gpu: \"{gpus}\"",
            quoted(engine_image(d.engine)),
            block(&script(rank), indent + 6),
        )
    };
    let templates = if nodes > 1 {
        format!(
            "    leaderTemplate:\n{}\n    workerTemplate:\n{}",
            pod(0, 6),
            pod(1, 6)
        )
    } else {
        format!("    workerTemplate:\n{}", pod(0, 6))
    };
    format!(
        "apiVersion: leaderworkerset.x-k8s.io/v1\nkind: LeaderWorkerSet\nmetadata:\n  name: {}\nspec:\n  replicas: {}\n  \
         leaderWorkerTemplate:\n    size: {nodes}\n    restartPolicy: RecreateGroupOnPodRestart\n{templates}",
        name(&d.model, group.role.id()),
        group.count
    )
}

/// Splits shell text into words: comment lines skipped, `\` continuations joined, single and
/// double quotes removed (the commands hold no other shell syntax).
pub(super) fn shell_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut quote: Option<char> = None;
    for line in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
        let line = line.trim_end().strip_suffix('\\').unwrap_or(line);
        for c in line.chars() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), c) => word.get_or_insert_with(String::new).push(c),
                (None, '\'' | '"') => {
                    quote = Some(c);
                    word.get_or_insert_with(String::new);
                }
                (None, c) if c.is_whitespace() => words.extend(word.take()),
                (None, c) => word.get_or_insert_with(String::new).push(c),
            }
        }
        if quote.is_none() {
            words.extend(word.take());
        }
    }
    words.extend(word);
    words
}

/// A worker's program and arguments under Dynamo (`python3 -m dynamo.<engine> …`): the launch
/// command's flags for one node without the HTTP ones (Dynamo's frontend serves HTTP), and the
/// role's flags. Dynamo's operator starts the nodes of a multi-node worker (`multinode`).
pub(super) fn dynamo_worker_args(d: &Deployment, group: &WorkerGroup) -> Vec<String> {
    let mut args = vec!["--model".to_string(), d.model.clone()];
    let l = group.layout;
    if d.engine == Engine::Trtllm {
        let attention_dp = d.moe && l.dp > 1;
        let mut flags = vec![
            ("--served-model-name", d.model.clone()),
            (
                "--tensor-parallel-size",
                (if attention_dp { l.tp * l.dp } else { l.tp }).to_string(),
            ),
            ("--pipeline-parallel-size", l.pp.to_string()),
        ];
        if d.moe && l.ep > 1 {
            flags.push(("--expert-parallel-size", l.ep.to_string()));
        }
        if attention_dp {
            flags.push(("--enable-attention-dp", String::new()));
        }
        flags.extend([
            ("--max-batch-size", d.profile.max_batch_requests.to_string()),
            ("--max-num-tokens", d.profile.max_batch_tokens.to_string()),
            ("--max-seq-len", d.max_model_len.to_string()),
        ]);
        if let Some(f) = d.profile.memory_fraction {
            flags.push(("--free-gpu-memory-fraction", f.to_string()));
        }
        let mode = if group.role == Role::Aggregated {
            "agg"
        } else {
            group.role.id()
        };
        flags.push(("--disaggregation-mode", mode.into()));
        for (flag, value) in flags {
            args.push(flag.into());
            args.extend((!value.is_empty()).then_some(value));
        }
        return args;
    }
    let one_node = Deployment {
        gpus_per_node: l.gpus(),
        ..d.clone()
    };
    let words = shell_words(&launch_parts(&one_node.launch(group, PANEL_PORT), 0).command);
    let mut words = words
        .into_iter()
        .skip_while(|w| !w.starts_with("--"))
        .peekable();
    while let Some(w) = words.next() {
        if ["--host", "--port", "--model-path"].contains(&w.as_str()) {
            words.next();
            continue;
        }
        args.push(w);
    }
    if d.engine == Engine::Vllm && group.role != Role::Aggregated {
        args.extend([
            "--disaggregation-mode".to_string(),
            group.role.id().to_string(),
        ]);
    }
    for (flag, value) in role_flags(d.engine, group.role, super::commands::BOOTSTRAP_PORT) {
        args.extend([flag.to_string(), value]);
    }
    if d.engine == Engine::Sglang {
        args[0] = "--model-path".into();
    }
    args
}

/// `dynamo.yaml`: the graph's frontend and each worker group as a `DynamoGraphDeployment`.
pub(super) fn dynamo_graph(d: &Deployment) -> Artifact {
    let image = quoted(dynamo_image(d.engine));
    let mut components = vec![format!(
        "  - name: Frontend\n    type: frontend\n    replicas: 1\n    podTemplate:\n      spec:\n        containers:\n        \
         - name: main\n          image: {image}\n          command: [\"python3\"]\n          args: [\"-m\", \"dynamo.frontend\"]"
    )];
    for group in &d.groups {
        let nodes = d.nodes(group.layout);
        let multinode = if nodes > 1 {
            format!("\n    multinode:\n      nodeCount: {nodes}")
        } else {
            String::new()
        };
        let program = vec![
            "python3".to_string(),
            "-m".into(),
            format!("dynamo.{}", d.engine.id()),
        ];
        components.push(format!(
            "  - name: {role}\n    type: {role}\n    replicas: {}{multinode}\n    podTemplate:\n      spec:\n        containers:\n        \
             - name: main\n          image: {image}\n          command: {}\n          args: {}\n          resources:\n            \
             limits:\n              nvidia.com/gpu: \"{}\"",
            group.count,
            list(&program),
            list(&dynamo_worker_args(d, group)),
            d.gpus_per_pod(group.layout),
            role = group.role.id(),
        ));
    }
    let trtllm_disagg = d.engine == Engine::Trtllm && d.disaggregated();
    let header = if trtllm_disagg {
        "# UNVERIFIED: TensorRT-LLM's KV transfer between prefill and decode (cache_transceiver_config,\n\
         # passed with --extra-engine-args) is left to its defaults; its source could not be checked.\n"
    } else {
        ""
    };
    let text = format!(
        "{header}apiVersion: nvidia.com/v1beta1\nkind: DynamoGraphDeployment\nmetadata:\n  name: {}\nspec:\n  components:\n{}",
        name(&d.model, if d.disaggregated() { "disagg" } else { "agg" }),
        components.join("\n")
    );
    Artifact {
        name: "dynamo.yaml".into(),
        kind: ArtifactKind::Kubernetes,
        text,
        verified: !trtllm_disagg,
        note: format!(
            "structure checked against ai-dynamo 1.6.1's DynamoGraphDeployment model (profiler/utils/config.py, an open \
             schema, not the CRD); worker flags against dynamo.{}'s and the engine's parsers (engine_flags.txt){}",
            d.engine.id(),
            if trtllm_disagg { "; UNVERIFIED: TensorRT-LLM's KV-transfer settings" } else { "" }
        ),
    }
}
