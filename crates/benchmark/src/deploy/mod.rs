//! Deployment artifacts for a plan, aggregated or disaggregated: the engines' prefill/decode
//! commands, SGLang's router, TensorRT-LLM's disaggregated-serving configuration, and
//! Kubernetes manifests (LeaderWorkerSet for a vLLM or SGLang group, NVIDIA Dynamo's
//! `DynamoGraphDeployment` for the whole graph).
//!
//! - `commands`: each worker's engine command per node (the `launch` commands plus the
//!   role's KV-transfer flags), the router, TensorRT-LLM's `disagg_config.yaml`;
//! - `manifests`: the Kubernetes YAML, written with plain string formatting (`yaml`), so the
//!   page links no YAML library.
//!
//! Design decision: a `Deployment` is the planner-independent input (worker groups with a role,
//! a count and a layout), built from today's aggregated plan by `Deployment::from_plan`; a
//! disaggregated plan maps onto it the same way. Every artifact says whether what it passes was
//! checked against a published source (`Artifact::verified`) and, in `note`, against what.

pub(crate) mod commands;
mod manifests;
mod yaml;

#[cfg(test)]
mod schema_check;
#[cfg(test)]
mod tests;

use crate::launch::{model_id, Launch, CONTEXT_SLACK_TOKENS};
use crate::naming::Workers;
use planner::engine::{Engine, EngineProfile};
use planner::error::InputError;
use planner::inputs::PlannerInputs;
use planner::layout::Layout;
use planner::plan::Plan;
use planner::precision::Precisions;
use serde::Serialize;

/// What a group of workers does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Prefill and decode on the same GPUs.
    Aggregated,
    Prefill,
    Decode,
}

impl Role {
    pub fn id(self) -> &'static str {
        match self {
            Role::Aggregated => "worker",
            Role::Prefill => "prefill",
            Role::Decode => "decode",
        }
    }
}

/// `count` identical workers, each running `layout` (on one node or several).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WorkerGroup {
    pub role: Role,
    pub count: u32,
    pub layout: Layout,
}

/// What the artifacts deploy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Deployment {
    /// The Hugging Face id or local path served.
    pub model: String,
    pub engine: Engine,
    pub precision: Precisions,
    /// The engine's batch caps and memory fraction, as the launch commands pass them.
    pub profile: EngineProfile,
    /// MoE: `dp` is attention data parallelism over one expert set (`launch::Launch::moe`).
    pub moe: bool,
    /// The longest request a server accepts (`launch::Launch::max_model_len`).
    pub max_model_len: u32,
    pub gpus_per_node: u32,
    pub groups: Vec<WorkerGroup>,
}

impl Deployment {
    /// Today's aggregated plan: one worker running the recommended layout on the scenario's
    /// cluster, with the scenario's engine options; `None` when nothing is feasible.
    pub fn from_plan(inputs: &PlannerInputs, plan: &Plan) -> Option<Self> {
        let layout = plan.recommended.as_ref()?.layout;
        Some(Self::of_groups(
            inputs,
            vec![WorkerGroup {
                role: Role::Aggregated,
                count: 1,
                layout,
            }],
        ))
    }

    /// `prefill.count` prefill and `decode.count` decode workers of their layouts, on the
    /// scenario's cluster with its engine options (a disaggregated candidate of the plan).
    pub fn from_workers(inputs: &PlannerInputs, prefill: Workers, decode: Workers) -> Self {
        let group = |role, w: Workers| WorkerGroup {
            role,
            count: w.count,
            layout: w.layout,
        };
        Self::of_groups(
            inputs,
            vec![group(Role::Prefill, prefill), group(Role::Decode, decode)],
        )
    }

    fn of_groups(inputs: &PlannerInputs, groups: Vec<WorkerGroup>) -> Self {
        let w = &inputs.workload;
        Deployment {
            model: model_id(inputs),
            engine: inputs.engine.engine,
            precision: inputs.precision,
            profile: inputs.engine,
            moe: inputs.model.is_moe(),
            max_model_len: w
                .isl
                .saturating_add(w.osl)
                .saturating_add(CONTEXT_SLACK_TOKENS),
            gpus_per_node: inputs.cluster.gpus_per_node,
            groups,
        }
    }

    /// Nodes one worker of `layout` spans.
    pub fn nodes(&self, layout: Layout) -> u32 {
        layout.gpus().div_ceil(self.gpus_per_node.max(1))
    }

    /// GPUs one pod (one node's share of a worker) asks for.
    pub fn gpus_per_pod(&self, layout: Layout) -> u32 {
        layout.gpus().min(self.gpus_per_node)
    }

    /// Whether the groups are prefill and decode workers.
    pub fn disaggregated(&self) -> bool {
        self.groups.iter().any(|g| g.role != Role::Aggregated)
    }

    /// The launch of one worker of `group`, serving on `port`.
    fn launch<'a>(&'a self, group: &WorkerGroup, port: &'a str) -> Launch<'a> {
        Launch {
            engine: self.engine,
            model_id: &self.model,
            layout: group.layout,
            precision: self.precision,
            profile: &self.profile,
            moe: self.moe,
            nodes: self.nodes(group.layout),
            max_model_len: self.max_model_len,
            port,
        }
    }

    /// Bad input names its field (`deployment.groups[1].count`).
    pub fn check(&self) -> Result<(), InputError> {
        if self.model.trim().is_empty() {
            return Err(InputError::new("deployment.model", "no model to serve"));
        }
        if self.gpus_per_node == 0 {
            return Err(InputError::new(
                "deployment.gpus_per_node",
                "must be at least 1",
            ));
        }
        if self.groups.is_empty() {
            return Err(InputError::new("deployment.groups", "no worker group"));
        }
        for (i, g) in self.groups.iter().enumerate() {
            if g.count == 0 {
                return Err(InputError::new(
                    format!("deployment.groups[{i}].count"),
                    "must be at least 1",
                ));
            }
            if self.disaggregated() && g.role == Role::Aggregated {
                return Err(InputError::new(
                    format!("deployment.groups[{i}].role"),
                    "an aggregated group cannot be mixed with prefill and decode groups",
                ));
            }
        }
        for role in [Role::Prefill, Role::Decode] {
            if self.disaggregated() && !self.groups.iter().any(|g| g.role == role) {
                return Err(InputError::new(
                    "deployment.groups",
                    format!("a disaggregated deployment needs a {} group", role.id()),
                ));
            }
        }
        Ok(())
    }
}

/// What an artifact is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArtifactKind {
    /// Shell commands to run on the machines.
    Shell,
    /// A Kubernetes manifest (YAML).
    Kubernetes,
    /// A configuration file an engine reads (YAML).
    EngineConfig,
}

/// One file the page shows beside the launch commands and `plan` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Artifact {
    /// The file name (`lws.yaml`, `dynamo.yaml`, `prefill.sh`, …).
    pub name: String,
    pub kind: ArtifactKind,
    pub text: String,
    /// Whether every flag and key was checked against the engine's or resource's published
    /// source (`note` says which); `false` is shown as "unverified".
    pub verified: bool,
    pub note: String,
}

/// The artifacts that deploy `deployment`.
pub fn artifacts(deployment: &Deployment) -> Result<Vec<Artifact>, InputError> {
    deployment.check()?;
    let mut out = Vec::new();
    if deployment.disaggregated() {
        out.extend(commands::worker_scripts(deployment));
        out.extend(commands::router(deployment));
        out.extend(commands::trtllm_disagg_config(deployment));
    }
    out.extend(manifests::leader_worker_sets(deployment));
    out.push(manifests::dynamo_graph(deployment));
    Ok(out)
}
