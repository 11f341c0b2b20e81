//! Every artifact of an aggregated 70B TP8 on one node, an aggregated DeepSeek-V3 TP16 across
//! two nodes, and a disaggregated 2 × P (TP4) + 1 × D (TP8 EP8), for each engine: flags against
//! the engines' parsers, YAML parsed, Dynamo's graph against ai-dynamo's schema, structure
//! asserted on the parsed values (no snapshots).

use super::manifests::shell_words;
use super::schema_check::violations;
use super::{artifacts, Artifact, ArtifactKind, Deployment, Role, WorkerGroup};
use planner::engine::Engine;
use planner::inputs::{resolve, PlannerInputs};
use planner::layout::Layout;
use planner::scenario::ScenarioInput;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The engines' flags (`tools/extract_engine_flags.py`), by tool, with the defining file.
const ENGINE_FLAGS: &str = include_str!("../engine_flags.txt");
/// ai-dynamo 1.6.1's DynamoGraphDeployment model as JSON Schema (`tools/dynamo_dgd_schema.py`).
const DGD_SCHEMA: &str = include_str!("schemas/dynamo-dgd-v1beta1.schema.json");
/// ai-dynamo 1.6.1's own vLLM disaggregated graph (`profiler/templates/dgd/vllm/disagg.yaml`).
const DYNAMO_TEMPLATE: &str = include_str!("schemas/dynamo-vllm-disagg-template.yaml");

fn known() -> BTreeMap<&'static str, BTreeMap<&'static str, &'static str>> {
    let mut out: BTreeMap<&str, BTreeMap<&str, &str>> = BTreeMap::new();
    for line in ENGINE_FLAGS.lines().filter(|l| !l.starts_with('#')) {
        let mut p = line.split('\t');
        if let (Some(tool), Some(flag), Some(file)) = (p.next(), p.next(), p.next()) {
            out.entry(tool).or_default().insert(flag, file);
        }
    }
    out
}

/// Whether `tool` takes `flag`: its own list, and for Dynamo's vLLM and SGLang workers the
/// engine's (vLLM's engine arguments only, `engine/arg_utils.py`: the worker has no HTTP server).
fn takes(known: &BTreeMap<&str, BTreeMap<&str, &str>>, tool: &str, flag: &str) -> bool {
    let own = known.get(tool).is_some_and(|f| f.contains_key(flag));
    own || match tool {
        "dynamo-vllm" => known["vllm-serve"]
            .get(flag)
            .is_some_and(|file| file.starts_with("engine/arg_utils.py")),
        "dynamo-sglang" => known["sglang-launch-server"].contains_key(flag),
        _ => false,
    }
}

/// Each command of shell text: the tool it runs and its words.
fn commands(text: &str) -> Vec<(&'static str, Vec<String>)> {
    let joined = text.replace("\\\n", " ");
    let mut out = Vec::new();
    for line in joined.lines().filter(|l| !l.trim_start().starts_with('#')) {
        let tool = if line.contains("vllm serve") {
            "vllm-serve"
        } else if line.contains("sglang.launch_server") {
            "sglang-launch-server"
        } else if line.contains("sglang_router.launch_router") {
            "sglang-router"
        } else if line.contains("trtllm-serve") {
            "trtllm-serve"
        } else {
            continue;
        };
        out.push((tool, shell_words(line)));
    }
    out
}

fn assert_flags_known(tool: &str, words: &[String], context: &str) -> usize {
    let known = known();
    let flags: Vec<&String> = words.iter().filter(|w| w.starts_with("--")).collect();
    for flag in &flags {
        assert!(
            takes(&known, tool, flag),
            "{tool} has no flag {flag} (engine_flags.txt): {context}"
        );
    }
    flags.len()
}

/// YAML text (one or more documents) as JSON values.
fn parse_yaml(text: &str) -> Vec<Value> {
    yaml_serde::Deserializer::from_str(text)
        .map(|doc| Value::deserialize(doc).unwrap_or_else(|e| panic!("not YAML: {e}\n{text}")))
        .collect()
}

fn inputs(scenario: &str) -> PlannerInputs {
    resolve(&ScenarioInput::from_json(scenario).unwrap()).unwrap()
}

/// The aggregated deployment of a scenario's plan, through `Deployment::from_plan`.
fn aggregated(scenario: &str) -> Deployment {
    let i = inputs(scenario);
    let plan = planner::planning::plan_inputs(&i).unwrap();
    let d = Deployment::from_plan(&i, &plan).expect("a feasible plan");
    assert_eq!(
        d.groups,
        vec![WorkerGroup {
            role: Role::Aggregated,
            count: 1,
            layout: plan.recommended.unwrap().layout
        }]
    );
    d
}

const LLAMA_70B_TP8: &str = r#"{"model": "meta-llama/Llama-3.1-70B-Instruct", "gpu": "h100-sxm", "layout": {"tp": 8}, "workload": {"isl": 1024, "osl": 128, "concurrency": 50}}"#;
const DEEPSEEK_TP16: &str = r#"{"model": "deepseek-ai/DeepSeek-V3", "gpu": "h200-sxm", "nodes": 2, "weights": "fp8", "layout": {"tp": 16, "pp": 1, "ep": 16}, "workload": {"isl": 2048, "osl": 512}}"#;
const DEEPSEEK_8K: &str = r#"{"model": "deepseek-ai/DeepSeek-V3", "gpu": "h200-sxm", "nodes": 2, "weights": "fp8", "workload": {"isl": 8192, "osl": 1024}}"#;

/// 2 × P (TP4) + 1 × D (TP8 EP8) of DeepSeek-V3 on 8-GPU H200 nodes, with `engine`.
fn disaggregated(engine: Engine) -> Deployment {
    let mut d = aggregated(DEEPSEEK_8K);
    d.engine = engine;
    d.profile = planner::engine::profile(engine, &inputs(DEEPSEEK_8K).cluster.gpu, None).unwrap();
    d.groups = vec![
        WorkerGroup {
            role: Role::Prefill,
            count: 2,
            layout: Layout::new(4, 1, 1, 1, 4).unwrap(),
        },
        WorkerGroup {
            role: Role::Decode,
            count: 1,
            layout: Layout::new(8, 1, 1, 8, 8).unwrap(),
        },
    ];
    d
}

fn with_engine(mut d: Deployment, engine: Engine) -> Deployment {
    let i = inputs(LLAMA_70B_TP8);
    d.profile = planner::engine::profile(engine, &i.cluster.gpu, None).unwrap();
    d.engine = engine;
    d
}

fn named<'a>(all: &'a [Artifact], name: &str) -> &'a Artifact {
    all.iter().find(|a| a.name == name).unwrap_or_else(|| {
        panic!(
            "no {name} among {:?}",
            all.iter().map(|a| &a.name).collect::<Vec<_>>()
        )
    })
}

/// Checks every artifact: shell flags, YAML parsed, Dynamo's graph against its schema and its
/// workers' flags; returns the parsed Dynamo graph and LeaderWorkerSets.
fn check_all(d: &Deployment) -> (Value, Vec<Value>) {
    let all = artifacts(d).unwrap();
    let schema: Value = serde_json::from_str(DGD_SCHEMA).unwrap();
    let mut lws = Vec::new();
    let mut dgd = Value::Null;
    for a in &all {
        assert_eq!(
            a.verified,
            !a.text.contains("UNVERIFIED"),
            "{}: verified {} but text {}",
            a.name,
            a.verified,
            a.text
        );
        assert_eq!(
            a.verified,
            !a.note.contains("UNVERIFIED"),
            "{}: {}",
            a.name,
            a.note
        );
        match a.kind {
            ArtifactKind::Shell => {
                let cmds = commands(&a.text);
                assert!(!cmds.is_empty(), "{}: no command\n{}", a.name, a.text);
                for (tool, words) in cmds {
                    if tool != "trtllm-serve" {
                        assert_flags_known(tool, &words, &a.text);
                    }
                }
            }
            ArtifactKind::EngineConfig => {
                assert_eq!(parse_yaml(&a.text).len(), 1, "{}", a.text);
            }
            ArtifactKind::Kubernetes if a.name == "dynamo.yaml" => {
                dgd = parse_yaml(&a.text).remove(0);
                let v = violations(&schema, &dgd);
                assert!(v.is_empty(), "{v:?}\n{}", a.text);
                let tool = format!("dynamo-{}", d.engine.id());
                for c in dgd["spec"]["components"].as_array().unwrap().iter().skip(1) {
                    let words: Vec<String> = serde_json::from_value(
                        c["podTemplate"]["spec"]["containers"][0]["args"].clone(),
                    )
                    .unwrap();
                    assert!(assert_flags_known(&tool, &words, &a.text) > 5, "{words:?}");
                }
            }
            ArtifactKind::Kubernetes => {
                assert_eq!(a.name, "lws.yaml");
                lws = parse_yaml(&a.text);
                for set in &lws {
                    for template in ["leaderTemplate", "workerTemplate"] {
                        let Some(t) = set["spec"]["leaderWorkerTemplate"].get(template) else {
                            continue;
                        };
                        let script = t["spec"]["containers"][0]["args"][0].as_str().unwrap();
                        assert!(
                            script.starts_with("HEAD_NODE_ADDR=\"$LWS_LEADER_ADDRESS\"\n"),
                            "{script}"
                        );
                        for (tool, words) in commands(script) {
                            assert_flags_known(tool, &words, script);
                        }
                    }
                }
            }
        }
    }
    (dgd, lws)
}

fn components(dgd: &Value) -> Vec<(String, String, u64, Option<u64>, String)> {
    dgd["spec"]["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["type"].as_str().unwrap().to_string(),
                c["replicas"].as_u64().unwrap(),
                c["multinode"]["nodeCount"].as_u64(),
                c["podTemplate"]["spec"]["containers"][0]["resources"]["limits"]["nvidia.com/gpu"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
            )
        })
        .collect()
}

fn args_of(dgd: &Value, component: usize) -> Vec<String> {
    serde_json::from_value(
        dgd["spec"]["components"][component]["podTemplate"]["spec"]["containers"][0]["args"]
            .clone(),
    )
    .unwrap()
}

fn value_after(args: &[String], flag: &str) -> Option<String> {
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1).cloned())
}

#[test]
fn aggregated_70b_tp8_on_one_node() {
    let base = aggregated(LLAMA_70B_TP8);
    assert_eq!(base.groups[0].layout, Layout::new(8, 1, 1, 1, 8).unwrap());
    for engine in Engine::ALL {
        let d = with_engine(base.clone(), engine);
        let names: Vec<String> = artifacts(&d).unwrap().into_iter().map(|a| a.name).collect();
        let expected: Vec<&str> = if engine == Engine::Trtllm {
            vec!["dynamo.yaml"]
        } else {
            vec!["lws.yaml", "dynamo.yaml"]
        };
        assert_eq!(names, expected, "{engine:?}");
        let (dgd, lws) = check_all(&d);
        assert_eq!(dgd["apiVersion"], "nvidia.com/v1beta1");
        let c = components(&dgd);
        assert_eq!(
            c[0],
            ("Frontend".into(), "frontend".into(), 1, None, String::new())
        );
        assert_eq!(
            c[1],
            ("worker".into(), "worker".into(), 1, None, "8".into())
        );
        let args = args_of(&dgd, 1);
        let tp = if engine == Engine::Sglang {
            "--tp-size"
        } else {
            "--tensor-parallel-size"
        };
        assert_eq!(value_after(&args, tp).as_deref(), Some("8"), "{args:?}");
        assert!(
            !args
                .iter()
                .any(|a| a == "--host" || a == "--port" || a.contains("kv-transfer")),
            "{args:?}"
        );
        // Only Dynamo's TensorRT-LLM worker names the aggregated mode.
        let mode = value_after(&args, "--disaggregation-mode");
        assert_eq!(
            mode.as_deref(),
            (engine == Engine::Trtllm).then_some("agg"),
            "{args:?}"
        );
        if engine != Engine::Trtllm {
            assert_eq!(lws.len(), 1);
            let spec = &lws[0]["spec"];
            assert_eq!(
                (
                    spec["replicas"].as_u64(),
                    spec["leaderWorkerTemplate"]["size"].as_u64()
                ),
                (Some(1), Some(1))
            );
            assert!(spec["leaderWorkerTemplate"].get("leaderTemplate").is_none());
            let pod = &spec["leaderWorkerTemplate"]["workerTemplate"]["spec"]["containers"][0];
            assert_eq!(pod["resources"]["limits"]["nvidia.com/gpu"], "8");
            assert!(!pod["args"][0].as_str().unwrap().contains("--nnodes"));
        }
    }
}

/// Prints the artifacts of the disaggregated SGLang deployment (`--nocapture` to read them).
#[test]
fn disaggregated_sglang_artifacts_are_named_and_kinded() {
    let all = artifacts(&disaggregated(Engine::Sglang)).unwrap();
    for a in &all {
        println!(
            "== {} ({:?}, verified {}): {}\n{}\n",
            a.name, a.kind, a.verified, a.note, a.text
        );
    }
    let names: Vec<(&str, ArtifactKind)> = all.iter().map(|a| (a.name.as_str(), a.kind)).collect();
    assert_eq!(
        names,
        [
            ("prefill.sh", ArtifactKind::Shell),
            ("decode.sh", ArtifactKind::Shell),
            ("router.sh", ArtifactKind::Shell),
            ("lws.yaml", ArtifactKind::Kubernetes),
            ("dynamo.yaml", ArtifactKind::Kubernetes)
        ]
    );
}

#[test]
fn aggregated_deepseek_tp16_across_two_nodes() {
    let base = aggregated(DEEPSEEK_TP16);
    assert_eq!(
        base.groups[0].layout,
        Layout::new(16, 1, 1, 16, 16).unwrap()
    );
    for engine in [Engine::Vllm, Engine::Sglang] {
        let d = with_engine(base.clone(), engine);
        let (dgd, lws) = check_all(&d);
        assert_eq!(
            components(&dgd)[1],
            ("worker".into(), "worker".into(), 1, Some(2), "8".into())
        );
        // Dynamo's operator starts the nodes: no multi-node flags of the engine's own.
        assert!(!args_of(&dgd, 1)
            .iter()
            .any(|a| a == "--nnodes" || a == "--node-rank"));
        let group = &lws[0]["spec"]["leaderWorkerTemplate"];
        assert_eq!(group["size"], 2);
        let script = |t: &str| {
            group[t]["spec"]["containers"][0]["args"][0]
                .as_str()
                .unwrap()
                .to_string()
        };
        let (leader, worker) = (script("leaderTemplate"), script("workerTemplate"));
        assert!(leader.contains("--nnodes 2 --node-rank 0 "), "{leader}");
        assert!(
            worker.contains("--nnodes 2 --node-rank \"$LWS_WORKER_INDEX\" "),
            "{worker}"
        );
        assert!(!worker.contains("--node-rank 1"), "{worker}");
        let head = if engine == Engine::Vllm {
            "--master-addr \"$HEAD_NODE_ADDR\""
        } else {
            "--dist-init-addr \"$HEAD_NODE_ADDR:5000\""
        };
        assert!(
            leader.contains(head) && worker.contains(head),
            "{leader}\n{worker}"
        );
        assert_eq!(
            group["leaderTemplate"]["spec"]["containers"][0]["ports"][0]["containerPort"],
            8000
        );
        assert!(group["workerTemplate"]["spec"]["containers"][0]
            .get("ports")
            .is_none());
        if engine == Engine::Vllm {
            assert!(worker.contains("--headless") && !leader.contains("--headless"));
        }
    }
}

#[test]
fn disaggregated_2p1d_for_each_engine() {
    for engine in Engine::ALL {
        let d = disaggregated(engine);
        let all = artifacts(&d).unwrap();
        let (dgd, lws) = check_all(&d);
        let c = components(&dgd);
        assert_eq!(c.len(), 3);
        assert_eq!(
            c[1],
            ("prefill".into(), "prefill".into(), 2, None, "4".into())
        );
        assert_eq!(
            c[2],
            ("decode".into(), "decode".into(), 1, None, "8".into())
        );
        let (prefill, decode) = (args_of(&dgd, 1), args_of(&dgd, 2));
        assert_eq!(
            value_after(&prefill, "--disaggregation-mode").as_deref(),
            Some("prefill")
        );
        assert_eq!(
            value_after(&decode, "--disaggregation-mode").as_deref(),
            Some("decode")
        );
        match engine {
            Engine::Vllm => {
                for (args, role) in [(&prefill, "kv_producer"), (&decode, "kv_consumer")] {
                    let config: Value =
                        serde_json::from_str(&value_after(args, "--kv-transfer-config").unwrap())
                            .unwrap();
                    assert_eq!(
                        config,
                        json!({"kv_connector": "NixlConnector", "kv_role": role})
                    );
                }
                assert!(decode.contains(&"--enable-expert-parallel".to_string()));
                let script = &named(&all, "prefill.sh").text;
                let words = &commands(script)[0].1;
                let config: Value =
                    serde_json::from_str(&value_after(words, "--kv-transfer-config").unwrap())
                        .unwrap();
                assert_eq!(config["kv_role"], "kv_producer");
                assert_eq!(
                    commands(script).len(),
                    2,
                    "one command per prefill worker: {script}"
                );
                assert!(!all.iter().any(|a| a.name == "router.sh"));
            }
            Engine::Sglang => {
                assert_eq!(
                    value_after(&prefill, "--disaggregation-bootstrap-port").as_deref(),
                    Some("8998")
                );
                assert_eq!(
                    value_after(&decode, "--disaggregation-transfer-backend").as_deref(),
                    Some("nixl")
                );
                assert_eq!(value_after(&decode, "--ep-size").as_deref(), Some("8"));
                let router = commands(&named(&all, "router.sh").text).remove(0).1;
                assert!(router.contains(&"--pd-disaggregation".to_string()));
                let prefills: Vec<&String> = router
                    .iter()
                    .zip(router.iter().skip(1))
                    .filter(|(f, _)| *f == "--prefill")
                    .map(|(_, u)| u)
                    .collect();
                assert_eq!(
                    prefills,
                    [
                        "http://${PREFILL_0_ADDR}:8000",
                        "http://${PREFILL_1_ADDR}:8000"
                    ]
                );
                assert_eq!(router.iter().filter(|w| *w == "--decode").count(), 1);
                let decode_sh = commands(&named(&all, "decode.sh").text).remove(0).1;
                assert_eq!(
                    value_after(&decode_sh, "--disaggregation-mode").as_deref(),
                    Some("decode")
                );
            }
            Engine::Trtllm => {
                assert_eq!(
                    value_after(&decode, "--expert-parallel-size").as_deref(),
                    Some("8")
                );
                let config = parse_yaml(&named(&all, "disagg_config.yaml").text).remove(0);
                assert_eq!(config["context_servers"]["num_instances"], 2);
                assert_eq!(config["context_servers"]["tensor_parallel_size"], 4);
                assert_eq!(config["generation_servers"]["num_instances"], 1);
                assert_eq!(config["generation_servers"]["moe_expert_parallel_size"], 8);
                assert_eq!(
                    config["context_servers"]["urls"].as_array().unwrap().len(),
                    2
                );
                assert!(
                    !named(&all, "dynamo.yaml").verified
                        && !named(&all, "disagg_config.yaml").verified
                );
            }
        }
        if engine != Engine::Trtllm {
            let roles: Vec<(&str, u64, u64)> = lws
                .iter()
                .map(|s| {
                    (
                        s["metadata"]["name"].as_str().unwrap(),
                        s["spec"]["replicas"].as_u64().unwrap(),
                        s["spec"]["leaderWorkerTemplate"]["size"].as_u64().unwrap(),
                    )
                })
                .collect();
            assert_eq!(
                roles,
                [("deepseek-v3-prefill", 2, 1), ("deepseek-v3-decode", 1, 1)]
            );
        }
    }
}

/// A disaggregated plan's candidate, as the page hands it over (counts and layouts): the same
/// deployment as the hand-built 2 × P + 1 × D on the scenario's engine (vLLM) with its engine
/// options, whose artifacts pass every check; the groups in the order prefill, decode.
#[test]
fn from_workers_builds_the_prefill_and_decode_groups_of_a_candidate() {
    let p = Layout::new(4, 1, 1, 1, 4).unwrap();
    let d = Layout::new(8, 1, 1, 8, 8).unwrap();
    let side = |count, layout| crate::naming::Workers { count, layout };
    let built = Deployment::from_workers(&inputs(DEEPSEEK_8K), side(2, p), side(1, d));
    assert_eq!(built, disaggregated(Engine::Vllm));
    let roles: Vec<(Role, u32)> = built.groups.iter().map(|g| (g.role, g.count)).collect();
    assert_eq!(roles, [(Role::Prefill, 2), (Role::Decode, 1)]);
    check_all(&built);
    let names: Vec<String> = artifacts(&built).unwrap().into_iter().map(|a| a.name).collect();
    for name in ["prefill.sh", "decode.sh", "lws.yaml", "dynamo.yaml"] {
        assert!(names.iter().any(|n| n == name), "no {name} among {names:?}");
    }
    // A candidate with no worker of a role is refused, naming the group's count.
    let none = Deployment::from_workers(&inputs(DEEPSEEK_8K), side(0, p), side(1, d));
    assert_eq!(artifacts(&none).unwrap_err().field, "deployment.groups[0].count");
}

#[test]
fn the_schema_check_accepts_dynamos_own_graph_and_catches_broken_ones() {
    let schema: Value = serde_json::from_str(DGD_SCHEMA).unwrap();
    let template = parse_yaml(DYNAMO_TEMPLATE).remove(0);
    assert_eq!(violations(&schema, &template), Vec::<String>::new());
    let ours = check_all(&disaggregated(Engine::Vllm)).0;
    for (pointer, broken) in [
        ("/spec/components/1/type", Value::Null),
        ("/spec/components/1/replicas", json!("two")),
        (
            "/spec/components/0/podTemplate/spec/containers/0/args",
            json!("-m dynamo.frontend"),
        ),
        ("/metadata", json!({})),
    ] {
        let mut bad = ours.clone();
        match broken {
            Value::Null => {
                let (parent, key) = pointer.rsplit_once('/').unwrap();
                bad.pointer_mut(parent)
                    .unwrap()
                    .as_object_mut()
                    .unwrap()
                    .remove(key);
            }
            v => *bad.pointer_mut(pointer).unwrap() = v,
        }
        assert!(
            !violations(&schema, &bad).is_empty(),
            "{pointer} broken but accepted"
        );
    }
}

#[test]
fn bad_deployments_name_their_field() {
    let good = disaggregated(Engine::Sglang);
    type Spoil = fn(&mut Deployment);
    let cases: [(&str, Spoil); 5] = [
        ("deployment.groups", |d| d.groups.clear()),
        ("deployment.groups[1].count", |d| d.groups[1].count = 0),
        ("deployment.groups", |d| d.groups.truncate(1)),
        ("deployment.groups[0].role", |d| {
            d.groups[0].role = Role::Aggregated
        }),
        ("deployment.gpus_per_node", |d| d.gpus_per_node = 0),
    ];
    for (field, spoil) in cases {
        let mut d = good.clone();
        spoil(&mut d);
        assert_eq!(artifacts(&d).unwrap_err().field, field);
    }
    let mut d = good;
    d.model = " ".into();
    assert_eq!(artifacts(&d).unwrap_err().field, "deployment.model");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

    /// Any layouts, counts and node sizes: every manifest parses, Dynamo's graph fits its
    /// schema, every pod's GPUs times its nodes hold the worker, and every flag is known.
    #[test]
    fn artifacts_parse_and_fit_for_any_groups(
        engine in 0usize..3, gpn in proptest::sample::select(vec![1u32, 4, 8]),
        p in (0u32..4, 0u32..2, 1u32..4), dec in (0u32..4, 0u32..3, 1u32..3), disagg in proptest::bool::ANY,
        model in "[A-Za-z0-9._/-]{1,30}",
    ) {
        let mut d = disaggregated(Engine::ALL[engine]);
        d.gpus_per_node = gpn;
        d.model = model;
        let layout = |(tp, pp, count): (u32, u32, u32)| {
            let (tp, pp) = (1 << tp, 1 << pp);
            (count, Layout::new(tp, pp, 1, tp, tp * pp).unwrap())
        };
        let ((pc, pl), (dc, dl)) = (layout(p), layout(dec));
        d.groups = if disagg {
            vec![WorkerGroup { role: Role::Prefill, count: pc, layout: pl }, WorkerGroup { role: Role::Decode, count: dc, layout: dl }]
        } else {
            vec![WorkerGroup { role: Role::Aggregated, count: pc, layout: pl }]
        };
        let (dgd, lws) = check_all(&d);
        for (i, g) in d.groups.iter().enumerate() {
            let c = &components(&dgd)[i + 1];
            let gpus: u32 = c.4.parse().unwrap();
            proptest::prop_assert!(gpus * c.3.unwrap_or(1) as u32 >= g.layout.gpus());
            proptest::prop_assert_eq!(c.2, g.count as u64);
            if let Some(set) = lws.get(i) {
                proptest::prop_assert_eq!(set["spec"]["leaderWorkerTemplate"]["size"].as_u64(), Some(c.3.unwrap_or(1)));
            }
        }
    }
}
