//! The command that starts a serving engine with a layout, per node.
//!
//! Flags are the engines' own, spelled in full as their argument parsers declare them:
//! - vLLM 0.33.0 `vllm serve` (`vllm/engine/arg_utils.py`, `vllm/entrypoints/common/cli_args.py`);
//! - SGLang 0.5.23 `python -m sglang.launch_server` (`sglang/srt/arg_groups/fields/*.py`; short
//!   forms such as `--tp` work only through argparse prefix matching and `--pp` is ambiguous in
//!   0.5.23, so full names are used);
//! - TensorRT-LLM `trtllm-serve`: UNVERIFIED. Its source could not be fetched (every PyPI
//!   release is a stub that downloads from NVIDIA's index); the flag names are as recalled for
//!   0.17+ and every command says so.
//!
//! The tests check every flag emitted for vLLM and SGLang against a list extracted from those
//! sources (`engine_flags.txt`, `tools/extract_engine_flags.py`).
//!
//! Design decision: the planner's layout semantics (`FORMAT.md`: `dp` copies attention and
//! dense weights, MoE experts split `ep` ways across a stage's `tp × dp` GPUs) are mapped onto
//! each engine's own, and where an engine cannot express a layout `engine_layout` says what it
//! runs instead (vLLM's expert parallelism is a switch: EP = TP × DP,
//! `vllm/model_executor/layers/fused_moe/config.py`), so a result file is named after the
//! layout that actually ran. Multi-node commands refer to node 0 as `$HEAD_NODE_ADDR`, a shell
//! variable the user sets; no address is ever invented.

use planner::engine::{profile, Engine, EngineProfile};
use planner::inputs::PlannerInputs;
use planner::layout::Layout;
use planner::precision::{KvPrecision, Precisions, WeightPrecision};
use serde::Serialize;
use serde_json::Value;

/// Everything a launch command depends on.
#[derive(Debug, Clone, PartialEq)]
pub struct Launch<'a> {
    pub engine: Engine,
    /// The Hugging Face id or local path to serve, or a shell variable reference (`$MODEL`).
    pub model_id: &'a str,
    pub layout: Layout,
    pub precision: Precisions,
    pub profile: &'a EngineProfile,
    /// MoE models: `dp` is attention data parallelism over one shared expert set; dense
    /// models: `dp` independent replicas.
    pub moe: bool,
    /// Nodes the layout spans.
    pub nodes: u32,
    /// The longest request the server must accept (ISL + OSL plus slack).
    pub max_model_len: u32,
    /// The HTTP port, or a shell variable reference (`$PORT`).
    pub port: &'a str,
}

/// Tokens of slack above ISL + OSL in `max_model_len`: a random benchmark prompt re-tokenised
/// from text can come out a few tokens longer than asked.
pub const CONTEXT_SLACK_TOKENS: u32 = 64;

impl<'a> Launch<'a> {
    /// The launch for `layout` of a scenario, serving `model_id` on `port`.
    pub fn new(inputs: &'a PlannerInputs, model_id: &'a str, layout: Layout, port: &'a str) -> Self {
        let w = &inputs.workload;
        Launch {
            engine: inputs.engine.engine,
            model_id,
            layout,
            precision: inputs.precision,
            profile: &inputs.engine,
            moe: inputs.model.is_moe(),
            nodes: inputs.cluster.nodes,
            max_model_len: w.isl.saturating_add(w.osl).saturating_add(CONTEXT_SLACK_TOKENS),
            port,
        }
    }
}

/// The model id to put on the command line: the scenario's `model` when it is a catalog id or
/// repo id as typed, else the pasted model's name.
pub fn model_id(inputs: &PlannerInputs) -> String {
    match &inputs.scenario["model"] {
        Value::String(id) => id.clone(),
        _ => inputs.model.name.clone(),
    }
}

/// What an engine runs for a planned layout.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum EngineLayout {
    /// The engine runs `layout` (the planned one, or the nearest it can express, with why).
    Runs { layout: Layout, differs_because: Option<String> },
    /// Not one server the script can start and benchmark; the command is shown for a manual run.
    Manual { reason: String },
}

/// The layout `engine` actually runs when asked for `layout`.
pub fn engine_layout(engine: Engine, layout: Layout, moe: bool, nodes: u32) -> EngineLayout {
    let runs = |layout| EngineLayout::Runs { layout, differs_because: None };
    match engine {
        Engine::Vllm if moe && layout.ep > 1 && layout.ep != layout.stage_gpus() => {
            let ep = layout.stage_gpus();
            match Layout::new(layout.tp, layout.pp, layout.dp, ep, layout.gpus()) {
                Ok(l) => EngineLayout::Runs {
                    layout: l,
                    differs_because: Some(format!(
                        "vLLM's expert parallelism is a switch spanning all TP × DP = {ep} GPUs \
                         (vllm/model_executor/layers/fused_moe/config.py, 0.33.0), so EP {} runs as EP {ep}",
                        layout.ep
                    )),
                },
                Err(e) => EngineLayout::Manual { reason: e.to_string() },
            }
        }
        Engine::Trtllm if nodes > 1 => EngineLayout::Manual {
            reason: "TensorRT-LLM starts multi-node servers through MPI (mpirun or srun with trtllm-llmapi-launch, \
                     as recalled, UNVERIFIED); the script does not automate it"
                .into(),
        },
        Engine::Trtllm if layout.dp > 1 && !moe => EngineLayout::Manual {
            reason: format!(
                "trtllm-serve has no data-parallel flag (UNVERIFIED): start {} copies on separate GPUs behind a load \
                 balancer and benchmark through it",
                layout.dp
            ),
        },
        Engine::Trtllm if layout.dp > 1 && layout.tp > 1 => EngineLayout::Manual {
            reason: format!(
                "TensorRT-LLM's attention data parallelism is as wide as its TP size (enable_attention_dp), so \
                 attention TP {} × DP {} cannot be expressed",
                layout.tp, layout.dp
            ),
        },
        _ => runs(layout),
    }
}

/// The port the page's launch commands serve on: the default of `vllm serve` and
/// `trtllm-serve` (SGLang's is 30000, so its command passes it explicitly like the others).
pub const PANEL_PORT: &str = "8000";

/// The engines the page offers commands for, the scenario's engine first.
pub fn engines_for(inputs: &PlannerInputs) -> Vec<Engine> {
    let first = inputs.engine.engine;
    std::iter::once(first).chain(Engine::ALL.into_iter().filter(|&e| e != first)).collect()
}

/// Whether `engine`'s flags were checked against its source (TensorRT-LLM's could not be).
pub fn flags_verified(engine: Engine) -> bool {
    engine != Engine::Trtllm
}

/// The command that starts `layout` with `engine` on node `node_rank`, serving the scenario's
/// model on `PANEL_PORT`: with the scenario's engine options when `engine` is the scenario's
/// engine, else with `engine`'s own defaults on the same GPU.
pub fn panel_command(inputs: &PlannerInputs, engine: Engine, layout: Layout, node_rank: u32) -> String {
    let id = model_id(inputs);
    let base = Launch::new(inputs, &id, layout, PANEL_PORT);
    if engine == inputs.engine.engine {
        return launch_command(&base, node_rank);
    }
    match profile(engine, &inputs.cluster.gpu, None) {
        Ok(profile) => launch_command(&Launch { engine, profile: &profile, ..base }, node_rank),
        Err(e) => format!("# {}: no defaults for this GPU: {e}", engine.display_name()),
    }
}

/// A command for one node: its rank and the shell text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeCommand {
    pub node_rank: u32,
    pub command: String,
}

/// The commands to run on each node, node 0 (which serves HTTP) first.
pub fn launch_commands(launch: &Launch) -> Vec<NodeCommand> {
    (0..launch.nodes.max(1)).map(|r| NodeCommand { node_rank: r, command: launch_command(launch, r) }).collect()
}

/// The shell text that starts `launch` on node `node_rank`: comment lines (`#`) saying what
/// runs and what could not be expressed, then the command (and for TensorRT-LLM the options
/// file it reads).
pub fn launch_command(launch: &Launch, node_rank: u32) -> String {
    launch_parts(launch, node_rank).render()
}

/// A launch command in parts: comments, shell lines to run first, and the command itself.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LaunchParts {
    pub comments: Vec<String>,
    pub setup: Vec<String>,
    /// The command, one flag group per line, joined by ` \` line continuations.
    pub command: String,
}

impl LaunchParts {
    pub fn render(&self) -> String {
        let mut out: Vec<String> = self.comments.iter().map(|c| format!("# {c}")).collect();
        out.extend(self.setup.iter().cloned());
        out.push(self.command.clone());
        out.join("\n")
    }
}

/// `launch_command` before rendering.
pub fn launch_parts(launch: &Launch, node_rank: u32) -> LaunchParts {
    let nodes = launch.nodes.max(1);
    let mut cmd = Command::default();
    if node_rank >= nodes {
        cmd.comment(format!("node {node_rank} does not exist: this layout runs on {nodes} node(s), ranks 0 to {}", nodes - 1));
        return cmd.parts();
    }
    let l = launch.layout;
    let where_ = if nodes > 1 {
        format!(" — node {node_rank} of {nodes}{}", if node_rank == 0 { ", serves HTTP" } else { "" })
    } else {
        String::new()
    };
    cmd.comment(format!("{}: {l}{where_}", launch.engine.display_name()));
    match engine_layout(launch.engine, l, launch.moe, nodes) {
        EngineLayout::Runs { differs_because: Some(why), layout } => cmd.comment(format!("runs {layout}: {why}")),
        EngineLayout::Manual { reason } => cmd.comment(format!("run by hand: {reason}")),
        EngineLayout::Runs { differs_because: None, .. } => {}
    }
    match launch.engine {
        Engine::Vllm => vllm(launch, node_rank, &mut cmd),
        Engine::Sglang => sglang(launch, node_rank, &mut cmd),
        Engine::Trtllm => trtllm(launch, &mut cmd),
    }
    cmd.parts()
}

fn vllm(launch: &Launch, node_rank: u32, cmd: &mut Command) {
    let l = match engine_layout(Engine::Vllm, launch.layout, launch.moe, launch.nodes) {
        EngineLayout::Runs { layout, .. } => layout,
        EngineLayout::Manual { .. } => launch.layout,
    };
    cmd.program(&["vllm", "serve", &shell_word(launch.model_id)]);
    let headless = node_rank > 0;
    if !headless {
        cmd.flags(&[("--host", "0.0.0.0".into()), ("--port", shell_word(launch.port))]);
    }
    cmd.flags(&[
        ("--tensor-parallel-size", l.tp.to_string()),
        ("--pipeline-parallel-size", l.pp.to_string()),
        ("--data-parallel-size", l.dp.to_string()),
    ]);
    if launch.moe && l.ep > 1 {
        cmd.switch("--enable-expert-parallel");
    }
    weights(launch, cmd, &["--dtype", "--quantization"], "vLLM");
    match launch.precision.kv {
        KvPrecision::Bf16 => cmd.flag("--kv-cache-dtype", "bfloat16"),
        KvPrecision::Fp16 => cmd.flag("--kv-cache-dtype", "float16"),
        KvPrecision::Fp8 => cmd.flag("--kv-cache-dtype", "fp8"),
        KvPrecision::Int8 => {
            cmd.comment("vLLM 0.33 has no int8 KV-cache dtype (vllm/config/cache.py CacheDType); fp8 has the same size");
            cmd.flag("--kv-cache-dtype", "fp8");
        }
    }
    let p = launch.profile;
    if let Some(f) = p.memory_fraction {
        cmd.flag("--gpu-memory-utilization", &number(f));
    }
    cmd.flags(&[
        ("--max-num-seqs", p.max_batch_requests.to_string()),
        ("--max-num-batched-tokens", p.max_batch_tokens.to_string()),
        ("--max-model-len", launch.max_model_len.to_string()),
    ]);
    if launch.nodes > 1 {
        // vllm/engine/arg_utils.py 0.33.0: --nnodes/--node-rank/--master-addr (mp backend);
        // the other nodes run headless (vllm/entrypoints/cli/serve.py `run_headless`).
        cmd.flags(&[
            ("--nnodes", launch.nodes.to_string()),
            ("--node-rank", node_rank.to_string()),
            ("--master-addr", "\"$HEAD_NODE_ADDR\"".into()),
        ]);
        if headless {
            cmd.switch("--headless");
        }
    }
}

fn sglang(launch: &Launch, node_rank: u32, cmd: &mut Command) {
    let l = launch.layout;
    cmd.program(&["python", "-m", "sglang.launch_server"]);
    cmd.flag("--model-path", &shell_word(launch.model_id));
    cmd.flags(&[("--host", "0.0.0.0".into()), ("--port", shell_word(launch.port))]);
    // sglang 0.5.23: world = tp_size × pp_size per replica (srt/runtime_context.py); --dp-size
    // counts replicas, --attn-dp-size splits the TP group into attention-DP groups, and MoE
    // layers are split ep_size ways within the TP group (moe_tp = tp_size / ep_size).
    let attention_dp = launch.moe && l.dp > 1;
    let tp_size = if attention_dp { l.tp * l.dp } else { l.tp };
    cmd.flags(&[("--tp-size", tp_size.to_string()), ("--pp-size", l.pp.to_string())]);
    if attention_dp {
        cmd.flag("--attn-dp-size", &l.dp.to_string());
        cmd.comment(format!("SGLang ≤ 0.5.9 spells attention DP --dp-size {} --enable-dp-attention", l.dp));
    } else if l.dp > 1 {
        cmd.flag("--dp-size", &l.dp.to_string());
    }
    if launch.moe && l.ep > 1 {
        cmd.flag("--ep-size", &l.ep.to_string());
    }
    weights(launch, cmd, &["--dtype", "--quantization"], "SGLang");
    match launch.precision.kv {
        KvPrecision::Bf16 => cmd.flag("--kv-cache-dtype", "bfloat16"),
        KvPrecision::Fp16 => cmd.comment("SGLang 0.5.23 has no float16 KV-cache dtype; auto follows a float16 model"),
        KvPrecision::Fp8 => cmd.flag("--kv-cache-dtype", "fp8_e4m3"),
        KvPrecision::Int8 => {
            cmd.comment("SGLang 0.5.23 has no int8 KV-cache dtype (srt/arg_groups/fields/model.py); fp8 has the same size");
            cmd.flag("--kv-cache-dtype", "fp8_e4m3");
        }
    }
    let p = launch.profile;
    match p.memory_fraction {
        Some(f) => cmd.flag("--mem-fraction-static", &number(f)),
        None => cmd.comment("--mem-fraction-static left to SGLang's own heuristic, as planned"),
    }
    // A set max_running_requests is divided among the attention-DP groups
    // (srt/mem_cache/kv_cache_configurator.py, 0.5.23); the planner's cap is per group.
    let groups = if attention_dp { l.dp } else { 1 };
    cmd.flags(&[
        ("--max-running-requests", (p.max_batch_requests.saturating_mul(groups)).to_string()),
        ("--chunked-prefill-size", p.max_batch_tokens.to_string()),
        ("--context-length", launch.max_model_len.to_string()),
    ]);
    if launch.nodes > 1 {
        if l.dp > 1 && !attention_dp {
            cmd.comment("data-parallel replicas across nodes are not checked against SGLang's source; if this fails, run one server per node behind sglang-router");
        }
        cmd.comment("--dist-init-addr: node 0's address and a free port there (5000 here)");
        cmd.flags(&[
            ("--nnodes", launch.nodes.to_string()),
            ("--node-rank", node_rank.to_string()),
            ("--dist-init-addr", "\"$HEAD_NODE_ADDR:5000\"".into()),
        ]);
    }
}

fn trtllm(launch: &Launch, cmd: &mut Command) {
    let l = launch.layout;
    cmd.comment(
        "TensorRT-LLM flags are UNVERIFIED: its source could not be fetched (every PyPI release is a stub); \
         names as recalled for trtllm-serve 0.17+; check `trtllm-serve --help`",
    );
    let attention_dp = launch.moe && l.dp > 1;
    let mut options: Vec<&str> = Vec::new();
    if attention_dp {
        options.push("enable_attention_dp: true");
    }
    if matches!(launch.precision.kv, KvPrecision::Fp8 | KvPrecision::Int8) {
        options.extend(["kv_cache_config:", "  dtype: fp8"]);
    }
    let options_file = format!("trtllm-options-tp{}-pp{}-dp{}-ep{}.yaml", l.tp, l.pp, l.dp, l.ep);
    if !options.is_empty() {
        cmd.pre(format!("cat > {options_file} <<'YAML'\n{}\nYAML", options.join("\n")));
    }
    cmd.program(&["trtllm-serve", &shell_word(launch.model_id)]);
    cmd.flags(&[("--host", "0.0.0.0".into()), ("--port", shell_word(launch.port)), ("--backend", "pytorch".into())]);
    let tp_size = if attention_dp { l.tp * l.dp } else { l.tp };
    cmd.flags(&[("--tp_size", tp_size.to_string()), ("--pp_size", l.pp.to_string())]);
    if launch.moe && l.ep > 1 {
        cmd.flag("--ep_size", &l.ep.to_string());
    }
    weights(launch, cmd, &[], "TensorRT-LLM");
    let p = launch.profile;
    cmd.flags(&[
        ("--max_batch_size", p.max_batch_requests.to_string()),
        ("--max_num_tokens", p.max_batch_tokens.to_string()),
        ("--max_seq_len", launch.max_model_len.to_string()),
    ]);
    if let Some(f) = p.memory_fraction {
        cmd.flag("--kv_cache_free_gpu_memory_fraction", &number(f));
    }
    if !options.is_empty() {
        cmd.flag("--extra_llm_api_options", &options_file);
    }
}

/// The weight-precision flags: `[dtype flag, quantization flag]` (empty for TensorRT-LLM, which
/// takes the checkpoint's precision).
fn weights(launch: &Launch, cmd: &mut Command, flags: &[&str], engine: &str) {
    let (dtype, quantization) = (flags.first(), flags.get(1));
    match (launch.precision.weights, dtype, quantization) {
        (WeightPrecision::Bf16, Some(d), _) => cmd.flag(d, "bfloat16"),
        (WeightPrecision::Fp16, Some(d), _) => cmd.flag(d, "float16"),
        (WeightPrecision::Fp8, _, Some(q)) => {
            cmd.comment(format!(
                "online FP8 quantisation of a 16-bit checkpoint; drop {q} for an FP8 checkpoint, whose \
                 quantization_config {engine} reads"
            ));
            cmd.flag(q, "fp8");
        }
        (WeightPrecision::Bf16 | WeightPrecision::Fp16, None, _) => {}
        (w, _, _) => cmd.comment(format!(
            "serve a checkpoint already quantised to {w} ({}); {engine} reads its quantization_config",
            match w {
                WeightPrecision::Int4 => "AWQ or GPTQ",
                WeightPrecision::Int8 => "W8A8",
                WeightPrecision::Fp4 => "NVFP4",
                _ => "FP8",
            }
        )),
    }
}

/// A number without trailing zeros (`0.92`, `0.9`).
fn number(x: f64) -> String {
    let s = format!("{x:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A shell word: kept as is when it holds only safe characters, double-quoted when it is a
/// variable reference (`$MODEL`, `${PORT}`), single-quoted otherwise.
pub fn shell_word(s: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "_./:=@+,%-".contains(c);
    let is_var = {
        let inner = s.strip_prefix("${").and_then(|r| r.strip_suffix('}')).or_else(|| s.strip_prefix('$'));
        inner.is_some_and(|v| {
            !v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !v.starts_with(|c: char| c.is_ascii_digit())
        })
    };
    if !s.is_empty() && s.chars().all(safe) {
        s.to_string()
    } else if is_var {
        format!("\"{s}\"")
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// A command being built: comment lines, shell lines that must run first, the program, and
/// its flags one group per line.
#[derive(Debug, Default)]
struct Command {
    comments: Vec<String>,
    pre: Vec<String>,
    program: String,
    groups: Vec<String>,
}

impl Command {
    fn comment(&mut self, text: impl Into<String>) {
        self.comments.push(text.into());
    }
    fn pre(&mut self, text: String) {
        self.pre.push(text);
    }
    fn program(&mut self, words: &[&str]) {
        self.program = words.join(" ");
    }
    fn flag(&mut self, name: &str, value: &str) {
        self.groups.push(format!("{name} {value}"));
    }
    fn flags(&mut self, pairs: &[(&str, String)]) {
        self.groups.push(pairs.iter().map(|(n, v)| format!("{n} {v}")).collect::<Vec<_>>().join(" "));
    }
    fn switch(&mut self, name: &str) {
        self.groups.push(name.to_string());
    }
    fn parts(self) -> LaunchParts {
        let mut lines = if self.program.is_empty() { vec![] } else { vec![self.program] };
        lines.extend(self.groups.iter().map(|g| format!("  {g}")));
        LaunchParts { comments: self.comments, setup: self.pre, command: lines.join(" \\\n") }
    }
}
