//! The benchmark plan's disaggregated part (benchmark feature `disaggregation`): for the plan's
//! top disaggregated candidates (`serving` `disaggregated` or `both`), a shell function that
//! starts the x prefill and y decode workers with `deploy`'s per-role commands, the router in
//! front of them, waits for every worker's `/health` and the router's, runs the same serving
//! benchmark as for aggregated layouts against the router at the planned load, stops
//! everything and moves on; one result file per candidate, named by
//! `naming::disagg_result_stem`.
//!
//! Engines: SGLang's workers behind `python -m sglang_router.launch_router
//! --pd-disaggregation` (`deploy::commands::router_command`). vLLM has no prefill/decode front
//! end of its own (`deploy` puts Dynamo's frontend in front, a Kubernetes deployment), and
//! TensorRT-LLM's disaggregated configuration is unverified: for those the function prints
//! the workers' commands and the benchmark for a front end the user starts, and skips.
//!
//! Placement (`place`): workers of a node or more take whole nodes; smaller ones share nodes,
//! first fit in decreasing size (the planner's `disagg::placement` rule), each pinned to its
//! GPUs with `CUDA_VISIBLE_DEVICES`. Every worker serves HTTP on a port of its own
//! (`$PORT` + 1 + its index), every SGLang prefill worker has its own bootstrap port, so
//! workers sharing a node do not collide; the router serves on `$PORT`. Node addresses come
//! from `$NODE_ADDRS` (node 0 first, the node the script runs on).

use super::{client_command, num_prompts, planned_load, BenchLoad};
use crate::deploy::commands::{address_var, router_command, worker_command_at, BOOTSTRAP_PORT};
use crate::deploy::{Deployment, Role, WorkerGroup};
use crate::naming::{disagg_result_stem, layout_label, Workers};
use planner::engine::Engine;
use planner::inputs::PlannerInputs;
use planner::plan::disagg::{DisaggCandidate, Disaggregated};
use serde::Serialize;
use std::fmt::Write;

/// One disaggregated candidate to benchmark.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DisaggTarget {
    /// 1-based position in the plan's disaggregated ranking.
    pub rank: usize,
    /// `2 × P TP4 + 1 × D TP8 EP8`.
    pub label: String,
    pub prefill: Workers,
    pub decode: Workers,
    pub load: BenchLoad,
    pub num_prompts: u32,
    pub result_file: String,
    /// The plan's figures for the candidate (tokens/s per GPU of the cluster).
    pub predicted_tok_s_per_gpu: f64,
    pub predicted_ttft_ms: f64,
    pub predicted_tpot_ms: f64,
}

/// The `top_n` best feasible candidates of `plan`, with their loads: at the maximum-throughput
/// point, the requests the decode workers hold there (`count × batch`) as a concurrency cap.
pub fn targets(inputs: &PlannerInputs, plan: &Disaggregated, top_n: usize) -> Vec<DisaggTarget> {
    let engine = inputs.engine.engine;
    let extension = if engine == Engine::Sglang { "jsonl" } else { "json" };
    plan.ranking
        .iter()
        .enumerate()
        .filter_map(|(i, &index)| {
            let c: &DisaggCandidate = plan.candidates.get(index)?;
            let (per_gpu, ttft, tpot) = (c.output_tok_s_per_gpu?, c.ttft_ms?, c.tpot_ms?);
            let prefill = Workers { count: c.prefill.count, layout: c.prefill.layout };
            let decode = Workers { count: c.decode.count, layout: c.decode.layout };
            let load = planned_load(inputs.workload.load, c.decode.count as f64 * c.decode.batch);
            Some(DisaggTarget {
                rank: i + 1,
                label: c.label.clone(),
                prefill,
                decode,
                load,
                num_prompts: num_prompts(load),
                result_file: format!("{}.{extension}", disagg_result_stem(engine, prefill, decode)),
                predicted_tok_s_per_gpu: per_gpu,
                predicted_ttft_ms: ttft,
                predicted_tpot_ms: tpot,
            })
        })
        .take(top_n)
        .collect()
}

/// Where one worker runs: its first node, the nodes it spans, and on a shared node its GPUs.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    pub role: Role,
    /// Index of the worker within its role.
    pub index: u32,
    pub first_node: u32,
    pub nodes: u32,
    /// `Some` for a worker smaller than a node: the GPUs of its node it uses.
    pub gpus: Option<std::ops::Range<u32>>,
}

/// Every worker of `d` placed on nodes of `gpus_per_node` GPUs (module doc), prefill workers
/// first within a size; `None` when a worker has no GPUs.
pub fn place(d: &Deployment) -> Option<Vec<Placed>> {
    let node = d.gpus_per_node.max(1);
    let mut workers: Vec<(Role, u32, u32)> = Vec::new();
    for g in &d.groups {
        let size = g.layout.gpus();
        if size == 0 {
            return None;
        }
        workers.extend((0..g.count).map(|i| (g.role, i, size)));
    }
    // Largest first; a stable sort keeps prefill before decode within a size.
    workers.sort_by_key(|w| std::cmp::Reverse(w.2));
    let mut used: Vec<u32> = Vec::new();
    let mut out = Vec::new();
    for (role, index, size) in workers {
        if size >= node {
            let first_node = used.len() as u32;
            let nodes = size.div_ceil(node);
            used.extend(std::iter::repeat_n(node, nodes as usize));
            out.push(Placed { role, index, first_node, nodes, gpus: None });
            continue;
        }
        let n = match used.iter().position(|&u| u + size <= node) {
            Some(n) => n,
            None => {
                used.push(0);
                used.len() - 1
            }
        };
        let first = used[n];
        used[n] += size;
        out.push(Placed { role, index, first_node: n as u32, nodes: 1, gpus: Some(first..first + size) });
    }
    Some(out)
}

/// The shell variable of worker `index` of `role`'s HTTP port (`PREFILL_0_PORT`).
fn port_var(role: Role, index: u32) -> String {
    format!("{}_{index}_PORT", role.id().to_uppercase())
}

/// Worker `index` of `role`'s position among every worker (prefill workers first), which sets
/// its port offset and its bootstrap port.
fn ordinal(d: &Deployment, role: Role, index: u32) -> u32 {
    let before: u32 = d.groups.iter().take_while(|g| g.role != role).map(|g| g.count).sum();
    before + index
}

/// The shell function `run_disagg_{i}` for one target.
pub fn function(s: &mut String, inputs: &PlannerInputs, t: &DisaggTarget, i: usize, of: usize) {
    let engine = inputs.engine.engine;
    let d = Deployment::from_workers(inputs, t.prefill, t.decode);
    let _ = writeln!(s, "\n# Disaggregated {i} of {of}: {} (rank {} among the plan's disaggregated candidates)", t.label, t.rank);
    let _ = writeln!(
        s,
        "# Predicted: {:.1} output tok/s per GPU of the cluster, TTFT {:.0} ms (KV transfer included), TPOT {:.1} ms; {} prompts.",
        t.predicted_tok_s_per_gpu, t.predicted_ttft_ms, t.predicted_tpot_ms, t.num_prompts
    );
    let _ = writeln!(s, "run_disagg_{i}() {{");
    let bench = bench(inputs, t);
    let Some(placed) = place(&d).filter(|p| nodes_used(p) <= inputs.cluster.nodes) else {
        let _ = writeln!(s, "  echo \"{}: the workers do not fit the cluster's {} node(s)\" >&2", t.label, inputs.cluster.nodes);
        let _ = writeln!(s, "  return 1\n}}");
        return;
    };
    if engine != Engine::Sglang {
        manual(s, &d, &placed, &bench, t);
        return;
    }
    let nodes = nodes_used(&placed);
    let _ = writeln!(s, "  need_node_addrs {nodes} || return 1");
    let _ = writeln!(s, "  WORKER_URLS=()");
    for p in &placed {
        let group = group_of(&d, p.role);
        let k = ordinal(&d, p.role, p.index);
        let (addr, port) = (address_var(p.role, p.index), port_var(p.role, p.index));
        let _ = writeln!(s, "  # {} worker {} ({}): node(s) {}{}", p.role.id(), p.index, group.layout, node_list(p), gpu_note(p));
        let _ = writeln!(s, "  {addr}=\"$(node_addr {})\"; {port}=$((PORT + {}))", p.first_node, k + 1);
        if p.nodes > 1 {
            let _ = writeln!(s, "  HEAD_NODE_ADDR=\"${addr}\"");
        }
        for rank in 0..p.nodes {
            let command = worker_command_at(&d, &group, rank, &format!("${port}"), BOOTSTRAP_PORT + k);
            let pin = p.gpus.as_ref().map_or(String::new(), |g| {
                format!("export CUDA_VISIBLE_DEVICES={}\n", g.clone().map(|x| x.to_string()).collect::<Vec<_>>().join(","))
            });
            let log = format!("\"$RESULT_DIR/{}.{}{}-node{rank}.log\"", stem(t), p.role.id(), p.index);
            let _ = writeln!(s, "  start_worker {} {log} \"$(cat <<CMD\n{pin}{command}\nCMD\n)\"", p.first_node + rank);
        }
        let _ = writeln!(s, "  WORKER_URLS+=(\"http://${{{addr}}}:${{{port}}}\")");
    }
    let _ = writeln!(s, "  for url in \"${{WORKER_URLS[@]}}\"; do wait_healthy_at \"$url\" || {{ stop_servers; return 1; }}; done");
    let router = router_command(&d, "\"$PORT\"", &|role, index| (format!("${{{}}}", port_var(role, index)), BOOTSTRAP_PORT + ordinal(&d, role, index)));
    let _ = writeln!(s, "  setsid {} > \"$RESULT_DIR/{}.router.log\" 2>&1 &", super::indent(&router), stem(t));
    let _ = writeln!(s, "  SERVER_PID=$!");
    let _ = writeln!(s, "  wait_healthy || {{ stop_servers; return 1; }}");
    let _ = writeln!(s, "  rm -f \"$RESULT_DIR/{}\"  # bench_serving appends", t.result_file);
    let _ = writeln!(s, "  {}", super::indent(&bench));
    let _ = writeln!(s, "  local status=$?");
    let _ = writeln!(s, "  stop_servers");
    let _ = writeln!(s, "  return $status\n}}");
}

/// vLLM and TensorRT-LLM: the workers' commands and the benchmark, for a front end the user
/// starts (module doc); the function reports and returns 1.
fn manual(s: &mut String, d: &Deployment, placed: &[Placed], bench: &str, t: &DisaggTarget) {
    let why = match d.engine {
        Engine::Vllm => "vLLM has no prefill/decode router of its own: start these workers and a front end (Dynamo's frontend, dynamo.yaml of the deployment artifacts) on port $PORT, then run the benchmark",
        _ => "TensorRT-LLM's disaggregated serving (disagg_config.yaml) is UNVERIFIED and not started by this script: start it with the front end on port $PORT, then run the benchmark",
    };
    let _ = writeln!(s, "  echo \"{}: skipped: {why} (printed below)\"", t.label);
    let _ = writeln!(s, "  cat <<'MANUAL'");
    for p in placed.iter().filter(|_| d.engine == Engine::Vllm) {
        let group = group_of(d, p.role);
        let _ = writeln!(s, "# {} worker {} ({}): node(s) {}{}", p.role.id(), p.index, group.layout, node_list(p), gpu_note(p));
        for rank in 0..p.nodes {
            let _ = writeln!(s, "{}\n", worker_command_at(d, &group, rank, "$PORT", BOOTSTRAP_PORT));
        }
    }
    let _ = writeln!(s, "# then, with the front end on port $PORT:\n{bench}\nMANUAL");
    let _ = writeln!(s, "  return 1\n}}");
}

/// The same benchmark client as for aggregated layouts (`client_command`), its result file
/// named after the workers; vLLM's `--metadata` names both sides and no `tp=…`, so the
/// importer reads the layouts from the name.
fn bench(inputs: &PlannerInputs, t: &DisaggTarget) -> String {
    let side = |w: Workers| format!("{}x{}", w.count, layout_label(&w.layout));
    let metadata = format!("mode=disagg prefill={} decode={}", side(t.prefill), side(t.decode));
    client_command(inputs, &t.result_file, t.load, t.num_prompts, &metadata)
}

/// The group of `role` (`from_workers` makes one per role; an aggregated one otherwise).
fn group_of(d: &Deployment, role: Role) -> WorkerGroup {
    d.groups.iter().find(|g| g.role == role).copied().unwrap_or(d.groups[0])
}

fn nodes_used(placed: &[Placed]) -> u32 {
    placed.iter().map(|p| p.first_node + p.nodes).max().unwrap_or(0)
}

fn node_list(p: &Placed) -> String {
    (p.first_node..p.first_node + p.nodes).map(|n| n.to_string()).collect::<Vec<_>>().join(", ")
}

fn gpu_note(p: &Placed) -> String {
    p.gpus.as_ref().map_or(String::new(), |g| format!(", GPUs {}–{}", g.start, g.end - 1))
}

fn stem(t: &DisaggTarget) -> &str {
    t.result_file.rsplit_once('.').map_or(t.result_file.as_str(), |p| p.0)
}
