//! The inputs of the last composition, in `target/nano/link.json`, with the SHA-256 of the plan
//! it wrote: when a build composes the same components into the same tree with the same
//! holdings, the plan and composed component already in `target/nano/` are its outputs, and
//! composing, verifying and writing them again would produce the same bytes.
//!
//! They are reused only when intact: the plan has the recorded checksum and the composed
//! component the checksum the plan names. The record is written after the plan, which is written
//! after the component ([`crate::pipeline`]), so an interrupted build leaves a record that does
//! not match.

use std::path::Path;

use manifest_schema::plan::{Holdings, PLAN_FORMAT, Plan};
use serde::{Deserialize, Serialize};

use crate::graph::NanoGraph;
use crate::pipeline::PackageReport;

/// Everything composition, verification and the plan are computed from, besides cargo-nano
/// itself (the entry's `tool`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct Inputs {
    /// Per nano package, in the graph's order: name, version and component checksum.
    packages: Vec<(String, String, String)>,
    /// Per instance, in the graph's order: id, namespace, package index and parent index.
    instances: Vec<(String, String, usize, Option<usize>)>,
    /// Index of the top package.
    root: usize,
    /// What each instance holds.
    holdings: Vec<Holdings>,
}

impl Inputs {
    /// The inputs of composing `graph`'s packages, built as `reports` say, with `holdings`.
    pub(crate) fn new(graph: &NanoGraph, reports: &[PackageReport], holdings: &[Holdings]) -> Self {
        Inputs {
            packages: reports
                .iter()
                .map(|r| {
                    (
                        r.name.clone(),
                        r.version.clone(),
                        r.component_sha256.clone(),
                    )
                })
                .collect(),
            instances: graph
                .instances
                .iter()
                .map(|i| (i.id.clone(), i.namespace.clone(), i.package, i.parent))
                .collect(),
            root: graph.root,
            holdings: holdings.to_vec(),
        }
    }

    /// One package `app` 1.0.0 whose component has the checksum `component`, one instance
    /// holding `holds`.
    #[cfg(test)]
    pub(crate) fn for_test(component: &str, holds: &Holdings) -> Self {
        Inputs {
            packages: vec![("app".into(), "1.0.0".into(), component.into())],
            instances: vec![("app".into(), "nano-app".into(), 0, None)],
            root: 0,
            holdings: vec![holds.clone()],
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Record {
    format: u32,
    tool: String,
    inputs: Inputs,
    /// SHA-256 of `plan.json` as written, lowercase hex.
    plan_sha256: String,
}

const RECORD: &str = "link.json";

/// The plan in `nano_dir` when the last composition had exactly `inputs` and its outputs are
/// intact.
pub(crate) fn reuse(nano_dir: &Path, inputs: &Inputs) -> Option<Plan> {
    let record: Record = super::read(&nano_dir.join(RECORD))?;
    if record.inputs != *inputs {
        return None;
    }
    let json = std::fs::read(nano_dir.join("plan.json")).ok()?;
    if super::sha256_hex(&json) != record.plan_sha256 {
        return None;
    }
    let plan: Plan = serde_json::from_slice(&json).ok()?;
    // The holdings are in the inputs; checked again here because they are what the runtime
    // grants, so a reused plan never holds anything the manifests do not give now.
    let holds = plan.instances.iter().map(|i| &i.holds);
    if plan.format != PLAN_FORMAT || !holds.eq(inputs.holdings.iter()) {
        return None;
    }
    // A file name, as [`crate::pipeline`] writes it: never a path out of `nano_dir`.
    if plan.component.contains(['/', '\\']) {
        return None;
    }
    let component = std::fs::read(nano_dir.join(&plan.component)).ok()?;
    (super::sha256_hex(&component) == plan.component_sha256).then_some(plan)
}

/// Records that the plan `plan_json`, just written to `nano_dir`, is the output of `inputs`.
pub(crate) fn record(nano_dir: &Path, inputs: Inputs, plan_json: &[u8]) {
    let Some((format, tool)) = super::stamp() else {
        return;
    };
    let record = Record {
        format,
        tool,
        inputs,
        plan_sha256: super::sha256_hex(plan_json),
    };
    super::write(&nano_dir.join(RECORD), &record);
}
