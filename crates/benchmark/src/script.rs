//! The benchmark plan: for the plan's top candidates, a bash script that starts the engine with
//! each layout, waits for its `/health` endpoint, runs the engine's own serving benchmark at the
//! planned operating point, stops the server and moves on — one result file per layout, named
//! after the layout that ran (`naming`).
//!
//! Benchmarks, with their flags from the engines' argparse definitions:
//! - vLLM: `vllm bench serve` (0.33.0 `vllm/benchmarks/serve.py`, `datasets/datasets.py`),
//!   random prompts of exactly ISL/OSL tokens (`--random-range-ratio 0`, `--ignore-eos`; vLLM
//!   subtracts the tokenizer's special tokens from the prompt, 1 of 1024 for Llama 3);
//! - SGLang: `python -m sglang.bench_serving` (0.5.23 `sglang/benchmark/serving.py`; the old
//!   module path still works, with a FutureWarning), `--random-range-ratio 1` because SGLang's
//!   0 draws lengths uniformly from [1, len] (`benchmark/datasets/common.py`); EOS is ignored by
//!   default there;
//! - TensorRT-LLM: no serving benchmark of its own is documented in the sources read here, so
//!   vLLM's `vllm bench serve` client is run against trtllm-serve's OpenAI endpoint.
//!
//! The load is the plan's: the scenario's concurrency or request rate, or, for the
//! maximum-throughput point, the candidate's requests in flight as a concurrency cap.
//!
//! Design decision: each layout is a shell function that cleans up after itself, so a layout
//! that fails to start is reported and the script moves on to the next.

use super::launch::{engine_layout, launch_commands, launch_parts, model_id, shell_word, EngineLayout, Launch};
use super::naming::result_stem;
use planner::engine::Engine;
use planner::error::InputError;
use planner::evaluate::Evaluation;
use planner::inputs::PlannerInputs;
use planner::layout::Layout;
use planner::scenario::Serving;
use planner::search::search;
use planner::workload::Load;
use serde::{Deserialize, Serialize};
use std::fmt::Write;

#[cfg(feature = "disaggregation")]
pub mod disagg;

/// The load a benchmark is run at.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum BenchLoad {
    /// Closed loop with this many requests in flight.
    Concurrency { requests: u32 },
    /// Poisson arrivals at this many requests per second.
    RequestRate { per_s: f64 },
}

/// One layout to benchmark.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchTarget {
    /// 1-based position in the plan's ranking.
    pub rank: usize,
    /// The planned layout.
    pub planned: Layout,
    /// What runs, and whether the script can start it.
    pub runs: EngineLayout,
    pub load: BenchLoad,
    pub num_prompts: u32,
    /// The result file the benchmark writes.
    pub result_file: String,
    /// The planner's figures for the planned layout at this load.
    pub predicted_tok_s_per_gpu: f64,
    pub predicted_ttft_ms: f64,
    pub predicted_tpot_ms: f64,
}

/// At least this many requests per benchmark, and ten "generations" of a closed loop: the ramp
/// up and drain at the ends, when fewer than C requests are in flight, then weigh about 5 %.
const MIN_PROMPTS: u32 = 100;
const GENERATIONS: u32 = 10;
/// Seconds of arrivals in a request-rate benchmark.
const RATE_SECONDS: f64 = 120.0;

/// The plan's `top_n` best feasible layouts (distinct in what the engine runs), with their
/// loads. An error when `top_n` is 0 or no layout is feasible.
pub fn benchmark_plan(inputs: &PlannerInputs, top_n: usize) -> Result<Vec<BenchTarget>, InputError> {
    if top_n == 0 {
        return Err(InputError::new("bench.top_n", "benchmark at least one layout"));
    }
    let result = search(inputs)?;
    if result.ranking.is_empty() {
        return Err(InputError::new("bench", "no layout is feasible, so there is nothing to benchmark"));
    }
    let engine = inputs.engine.engine;
    let gpus = inputs.cluster.total_gpus() as f64;
    let mut targets: Vec<BenchTarget> = Vec::new();
    for (i, &index) in result.ranking.iter().enumerate() {
        if targets.len() == top_n {
            break;
        }
        let e: &Evaluation = &result.evaluations[index];
        let Some(point) = e.feasible() else { continue };
        let runs = engine_layout(engine, e.layout, inputs.model.is_moe(), inputs.cluster.nodes);
        let ran = match &runs {
            EngineLayout::Runs { layout, .. } => *layout,
            EngineLayout::Manual { .. } => e.layout,
        };
        if targets.iter().any(|t| matches!(&t.runs, EngineLayout::Runs { layout, .. } if *layout == ran)) {
            continue;
        }
        let load = planned_load(inputs.workload.load, point.concurrency);
        let num_prompts = num_prompts(load);
        let extension = if engine == Engine::Sglang { "jsonl" } else { "json" };
        targets.push(BenchTarget {
            rank: i + 1,
            planned: e.layout,
            runs,
            load,
            num_prompts,
            result_file: format!("{}.{extension}", result_stem(engine, &ran)),
            predicted_tok_s_per_gpu: point.output_tok_s / gpus,
            predicted_ttft_ms: point.ttft.ms(),
            predicted_tpot_ms: point.tpot.ms(),
        });
    }
    Ok(targets)
}

/// Prompts of a benchmark at `load`: ten generations of a closed loop, two minutes of
/// arrivals, at least `MIN_PROMPTS`.
fn num_prompts(load: BenchLoad) -> u32 {
    match load {
        BenchLoad::Concurrency { requests } => requests.saturating_mul(GENERATIONS).max(MIN_PROMPTS),
        BenchLoad::RequestRate { per_s } => ((per_s * RATE_SECONDS).ceil().min(u32::MAX as f64) as u32).max(MIN_PROMPTS),
    }
}

/// The load a layout is benchmarked at: the scenario's concurrency or request rate, or, for
/// the maximum-throughput point, the layout's requests in flight there (`in_flight`) as a
/// concurrency cap.
pub fn planned_load(load: Load, in_flight: f64) -> BenchLoad {
    match load {
        Load::Concurrency(c) => BenchLoad::Concurrency { requests: c },
        Load::RequestRate(r) => BenchLoad::RequestRate { per_s: r },
        Load::MaxThroughput => BenchLoad::Concurrency { requests: (in_flight.round() as u32).max(1) },
    }
}

/// The benchmark command for one target, writing `$RESULT_DIR/<result_file>`.
pub fn bench_command(inputs: &PlannerInputs, target: &BenchTarget) -> String {
    let ran = match &target.runs {
        EngineLayout::Runs { layout, .. } => *layout,
        EngineLayout::Manual { .. } => target.planned,
    };
    let metadata = format!("tp={} pp={} dp={} ep={}", ran.tp, ran.pp, ran.dp, ran.ep);
    client_command(inputs, &target.result_file, target.load, target.num_prompts, &metadata)
}

/// The engine's benchmark client at `load` with `num_prompts` prompts, writing
/// `$RESULT_DIR/<result_file>`; vLLM's client also records `engine=… gpu=…` and `metadata`.
fn client_command(inputs: &PlannerInputs, result_file: &str, load: BenchLoad, num_prompts: u32, metadata: &str) -> String {
    let (isl, osl) = (inputs.workload.isl, inputs.workload.osl);
    let load = match load {
        BenchLoad::Concurrency { requests } => format!("--max-concurrency {requests}"),
        BenchLoad::RequestRate { per_s } => format!("--request-rate {per_s}"),
    };
    let stem = result_file.rsplit_once('.').map_or(result_file, |(s, _)| s);
    let engine = inputs.engine.engine;
    let lines: Vec<String> = match engine {
        Engine::Sglang => vec![
            "python -m sglang.bench_serving --backend sglang --host 127.0.0.1 --port \"$PORT\" --model \"$MODEL\"".into(),
            format!("  --dataset-name random --random-input-len {isl} --random-output-len {osl} --random-range-ratio 1"),
            format!("  --num-prompts {num_prompts} {load}"),
            format!("  --output-file \"$RESULT_DIR/{result_file}\" --tag {stem}"),
        ],
        Engine::Vllm | Engine::Trtllm => vec![
            "vllm bench serve --backend openai --base-url \"http://127.0.0.1:$PORT\" --endpoint /v1/completions --model \"$MODEL\"".into(),
            format!("  --dataset-name random --random-input-len {isl} --random-output-len {osl} --random-range-ratio 0 --ignore-eos"),
            format!("  --num-prompts {num_prompts} {load}"),
            "  --percentile-metrics ttft,tpot,itl,e2el".into(),
            format!("  --save-result --result-dir \"$RESULT_DIR\" --result-filename {result_file}"),
            format!("  --metadata engine={} gpu={} {metadata}", engine.id(), inputs.cluster.gpu.id),
        ],
    };
    lines.join(" \\\n")
}

/// The whole script for the plan's `top_n` best layouts.
/// With `serving` `disaggregated` or `both`, the plan's `top_n` best disaggregated candidates
/// too (`disagg`; only those with `disaggregated`).
pub fn script(inputs: &PlannerInputs, top_n: usize) -> Result<String, InputError> {
    if top_n == 0 {
        return Err(InputError::new("bench.top_n", "benchmark at least one layout"));
    }
    let disaggregated = disaggregated_targets(inputs, top_n)?;
    let targets = match inputs.serving {
        Serving::Disaggregated => Vec::new(),
        Serving::Both if !disaggregated.is_empty() => match benchmark_plan(inputs, top_n) {
            Err(e) if e.field == "bench" => Vec::new(),
            other => other?,
        },
        _ => benchmark_plan(inputs, top_n)?,
    };
    if targets.is_empty() && disaggregated.is_empty() {
        return Err(InputError::new("bench", "no disaggregated candidate is feasible, so there is nothing to benchmark"));
    }
    let engine = inputs.engine.engine;
    let model = model_id(inputs);
    let w = &inputs.workload;
    let mut s = String::new();
    let c = &inputs.cluster;
    let _ = writeln!(s, "#!/usr/bin/env bash");
    let disaggregated_count =
        if disaggregated.is_empty() { String::new() } else { format!(" and {} disaggregated candidate(s)", disaggregated.len()) };
    let _ = writeln!(
        s,
        "# Benchmark plan from the LLM layout planner: the top {} layout(s){disaggregated_count} on {}.",
        targets.len(),
        engine.display_name()
    );
    let _ = writeln!(
        s,
        "# Model {model}; {} node(s) × {} {}; ISL {} / OSL {}; load: {}.",
        c.nodes,
        c.gpus_per_node,
        c.gpu.id,
        w.isl,
        w.osl,
        match w.load {
            Load::Concurrency(n) => format!("{n} requests in flight"),
            Load::RequestRate(r) => format!("{r} requests/s"),
            Load::MaxThroughput => "each layout's maximum-throughput point (its requests in flight)".into(),
        }
    );
    let _ = writeln!(s, "# Flags: vLLM 0.33.0 and SGLang 0.5.23 as their argparse definitions spell them; TensorRT-LLM UNVERIFIED.");
    let _ = writeln!(s, "# One result file per layout in $RESULT_DIR, named after the layout that ran; import them into the planner.");
    let _ = writeln!(s, "# Multi-node layouts: set HEAD_NODE_ADDR to node 0's address as the other nodes reach it, and optionally");
    let _ = writeln!(s, "# NODE_LAUNCHER, a command called as `$NODE_LAUNCHER RANK 'COMMAND'` that runs COMMAND on node RANK");
    let _ = writeln!(s, "# (a wrapper around ssh or srun); without it the script prints the commands for you to start.");
    if !disaggregated.is_empty() {
        let _ = writeln!(s, "# Disaggregated candidates ({}): each worker on its own port ($PORT + 1, + 2, …), the router on $PORT;", disaggregated.len());
        let _ = writeln!(s, "# set NODE_ADDRS to the nodes' addresses, node 0 (this one) first, when they span more than one node.");
    }
    s.push_str(&HELPERS.replace("{MODEL}", &shell_word(&model)));
    for (i, t) in targets.iter().enumerate() {
        layout_function(&mut s, inputs, t, i + 1, targets.len());
    }
    #[cfg(feature = "disaggregation")]
    for (i, t) in disaggregated.iter().enumerate() {
        disagg::function(&mut s, inputs, t, i + 1, disaggregated.len());
    }
    let _ = writeln!(s, "\nfailed=0");
    for i in 1..=targets.len() {
        let _ = writeln!(s, "run_layout_{i} || {{ echo \"layout {i} failed\" >&2; failed=$((failed + 1)); }}");
    }
    for i in 1..=disaggregated.len() {
        let _ = writeln!(s, "run_disagg_{i} || {{ echo \"disaggregated candidate {i} failed\" >&2; failed=$((failed + 1)); }}");
    }
    let runs = targets.len() + disaggregated.len();
    let _ = writeln!(s, "echo \"done: {runs} layout(s), $failed failed; results in $RESULT_DIR\"");
    let _ = writeln!(s, "exit $(( failed > 0 ))");
    Ok(s)
}

/// The plan's best disaggregated candidates to benchmark (none when `serving` is aggregated).
#[cfg(feature = "disaggregation")]
fn disaggregated_targets(inputs: &PlannerInputs, top_n: usize) -> Result<Vec<disagg::DisaggTarget>, InputError> {
    if !inputs.serving.disaggregated() {
        return Ok(Vec::new());
    }
    let plan = planner::planning::plan_inputs(inputs)?;
    Ok(plan.disaggregated.as_ref().map_or_else(Vec::new, |d| disagg::targets(inputs, d, top_n)))
}

/// Without the `disaggregation` feature (the page's startup build): a scenario that asks for
/// disaggregated serving is an error naming `serving`.
#[cfg(not(feature = "disaggregation"))]
fn disaggregated_targets(inputs: &PlannerInputs, _top_n: usize) -> Result<Vec<std::convert::Infallible>, InputError> {
    if inputs.serving.disaggregated() {
        return Err(InputError::new(
            "serving",
            format!("benchmarking \"{}\" serving needs the benchmark loop's disaggregation feature (the full page)", inputs.serving.id()),
        ));
    }
    Ok(Vec::new())
}

/// Variables and shell helpers the layout functions share.
const HELPERS: &str = r#"
set -uo pipefail
MODEL="${MODEL:-{MODEL}}"
PORT="${PORT:-8000}"
RESULT_DIR="${RESULT_DIR:-bench-results}"
HEALTH_TIMEOUT_S="${HEALTH_TIMEOUT_S:-1800}"
mkdir -p "$RESULT_DIR"
SERVER_PID=""
REMOTE_PIDS=()
WORKER_PIDS=()

# Wait until the server answers /health, or fail when it exits or the timeout passes.
wait_healthy() {
  local waited=0
  until curl -sf "http://127.0.0.1:$PORT/health" > /dev/null; do
    if ! kill -0 "$SERVER_PID" 2> /dev/null; then echo "server exited; see its log" >&2; return 1; fi
    if (( waited >= HEALTH_TIMEOUT_S )); then echo "no /health after ${HEALTH_TIMEOUT_S}s" >&2; return 1; fi
    sleep 5; waited=$((waited + 5))
  done
}

# Stop the server (its whole process group) and any remote launchers, then give the GPUs a
# few seconds to be released.
stop_servers() {
  [[ -z "$SERVER_PID" && ${#REMOTE_PIDS[@]} -eq 0 && ${#WORKER_PIDS[@]} -eq 0 ]] && return 0
  if [[ -n "$SERVER_PID" ]]; then
    kill -TERM -- "-$SERVER_PID" 2> /dev/null || kill -TERM "$SERVER_PID" 2> /dev/null
    for _ in $(seq 60); do kill -0 "$SERVER_PID" 2> /dev/null || break; sleep 1; done
    kill -KILL -- "-$SERVER_PID" 2> /dev/null || true
    wait "$SERVER_PID" 2> /dev/null || true
    SERVER_PID=""
  fi
  for pid in ${WORKER_PIDS[@]+"${WORKER_PIDS[@]}"}; do
    kill -TERM -- "-$pid" 2> /dev/null || kill -TERM "$pid" 2> /dev/null || true
  done
  for pid in ${WORKER_PIDS[@]+"${WORKER_PIDS[@]}"}; do
    for _ in $(seq 60); do kill -0 "$pid" 2> /dev/null || break; sleep 1; done
    kill -KILL -- "-$pid" 2> /dev/null || true
  done
  WORKER_PIDS=()
  for pid in ${REMOTE_PIDS[@]+"${REMOTE_PIDS[@]}"}; do kill -TERM "$pid" 2> /dev/null || true; done
  REMOTE_PIDS=()
  sleep 5
}
trap stop_servers EXIT

# Start a command on another node: through $NODE_LAUNCHER, or by asking you to.
start_on_node() {
  local rank="$1" cmd="$2"
  if [[ -n "${NODE_LAUNCHER:-}" ]]; then
    $NODE_LAUNCHER "$rank" "$cmd" &
    REMOTE_PIDS+=("$!")
  else
    echo "Start this on node $rank now (the script waits for the server's /health):"
    echo "  $cmd"
  fi
}

# Disaggregated candidates: node RANK's address, from NODE_ADDRS (node 0 first; default: this
# machine for a one-node cluster).
node_addr() {
  local addrs=(${NODE_ADDRS:-127.0.0.1})
  echo "${addrs[$1]:-}"
}

need_node_addrs() {
  local addrs=(${NODE_ADDRS:-127.0.0.1})
  if (( ${#addrs[@]} < $1 )); then
    echo "set NODE_ADDRS to the addresses of the $1 nodes the workers use, node 0 (this one) first" >&2
    return 1
  fi
}

# Start a worker on node RANK (this machine for node 0, else through start_on_node), its log
# in LOG when it runs here.
start_worker() {
  local rank="$1" log="$2" cmd="$3"
  if [[ "$rank" == 0 ]]; then
    setsid bash -c "$cmd" > "$log" 2>&1 &
    WORKER_PIDS+=("$!")
  else
    start_on_node "$rank" "$cmd"
  fi
}

# Wait until URL/health answers, or fail when a local worker exits or the timeout passes.
wait_healthy_at() {
  local url="$1" waited=0
  until curl -sf "$url/health" > /dev/null; do
    for pid in ${WORKER_PIDS[@]+"${WORKER_PIDS[@]}"}; do
      if ! kill -0 "$pid" 2> /dev/null; then echo "a worker exited; see its log" >&2; return 1; fi
    done
    if (( waited >= HEALTH_TIMEOUT_S )); then echo "no $url/health after ${HEALTH_TIMEOUT_S}s" >&2; return 1; fi
    sleep 5; waited=$((waited + 5))
  done
}

need_head_addr() {
  if [[ -z "${HEAD_NODE_ADDR:-}" ]]; then
    echo "set HEAD_NODE_ADDR to node 0's address as the other nodes reach it" >&2
    return 1
  fi
}
"#;

fn layout_function(s: &mut String, inputs: &PlannerInputs, t: &BenchTarget, i: usize, of: usize) {
    let engine = inputs.engine.engine;
    let _ = writeln!(s, "\n# Layout {i} of {of}: {} (rank {} in the plan)", t.planned, t.rank);
    let _ = writeln!(
        s,
        "# Predicted: {:.1} output tok/s per GPU, TTFT {:.0} ms, TPOT {:.1} ms; {} prompts.",
        t.predicted_tok_s_per_gpu, t.predicted_ttft_ms, t.predicted_tpot_ms, t.num_prompts
    );
    let _ = writeln!(s, "run_layout_{i}() {{");
    let model_var = "$MODEL";
    let port_var = "$PORT";
    let launched = match &t.runs {
        EngineLayout::Runs { layout, .. } => *layout,
        EngineLayout::Manual { .. } => t.planned,
    };
    let launch = Launch::new(inputs, model_var, launched, port_var);
    let commands = launch_commands(&launch);
    let bench = bench_command(inputs, t);
    if let EngineLayout::Manual { reason } = &t.runs {
        let _ = writeln!(s, "  echo \"layout {i} ({}) is not started by this script: {}\"", t.planned, reason.replace('"', "'"));
        let _ = writeln!(s, "  cat <<'MANUAL'");
        for c in &commands {
            let _ = writeln!(s, "{}\n", c.command);
        }
        let _ = writeln!(s, "# then, with the endpoint on port $PORT:\n{bench}\nMANUAL");
        let _ = writeln!(s, "  return 1\n}}");
        return;
    }
    if commands.len() > 1 {
        let _ = writeln!(s, "  need_head_addr || return 1");
    }
    for rank in 1..launch.nodes {
        let remote = launch_parts(&launch, rank);
        let _ = writeln!(s, "  start_on_node {rank} \"$(cat <<CMD\n{}\nCMD\n)\"", remote.command);
    }
    let log = format!("\"$RESULT_DIR/{}.server.log\"", t.result_file.rsplit_once('.').map_or(t.result_file.as_str(), |p| p.0));
    let head = launch_parts(&launch, 0);
    for c in &head.comments {
        let _ = writeln!(s, "  # {c}");
    }
    for line in &head.setup {
        let _ = writeln!(s, "{line}");
    }
    let _ = writeln!(s, "  setsid {} > {log} 2>&1 &", indent(&head.command));
    let _ = writeln!(s, "  SERVER_PID=$!");
    let _ = writeln!(s, "  wait_healthy || {{ stop_servers; return 1; }}");
    if engine == Engine::Sglang {
        let _ = writeln!(s, "  rm -f \"$RESULT_DIR/{}\"  # bench_serving appends", t.result_file);
    }
    let _ = writeln!(s, "  {}", indent(&bench));
    let _ = writeln!(s, "  local status=$?");
    let _ = writeln!(s, "  stop_servers");
    let _ = writeln!(s, "  return $status\n}}");
}

/// Continuation lines indented to sit inside a function body.
fn indent(command: &str) -> String {
    command.replace("\n", "\n  ")
}

