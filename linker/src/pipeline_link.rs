//! The link step of `cargo nano build`: compose the components, verify the composition and write
//! the plan and composed component to `target/nano/`, or reuse the previous build's when every
//! input of this step is the same ([`crate::build_cache::link`]).

use std::path::{Path, PathBuf};

use manifest_schema::plan::{Holdings, PLAN_FORMAT, Plan, PlanInstance};

use crate::build_cache::{self, link::Inputs};
use crate::compose::{self, Composition};
use crate::graph::NanoGraph;
use crate::pipeline::{BuildError, Event, PackageReport};
use crate::verify::{self, ExpectedInstance};

/// The plan of the composition of `graph` (whose packages were built as `reports` say and
/// whose components are `components`) with `holdings`, written to `nano_dir`, and whether the
/// previous build's was reused.
pub(crate) fn link(
    graph: &NanoGraph,
    holdings: &[Holdings],
    reports: &[PackageReport],
    components: &[Vec<u8>],
    nano_dir: &Path,
    progress: &mut dyn FnMut(Event),
) -> Result<(Plan, bool), BuildError> {
    let inputs = Inputs::new(graph, reports, holdings);
    if let Some(plan) = build_cache::link::reuse(nano_dir, &inputs) {
        return Ok((plan, true));
    }
    progress(Event::Linking);
    crate::compat::ensure(graph, components)?;
    let composition = compose::compose(graph, components)?;
    let verified = verify::verify(&composition.bytes, &expected(graph, &composition, reports))?;
    let plan = plan_of(graph, holdings, &composition, &verified);
    let json = write_outputs(&plan, &composition, nano_dir)?;
    build_cache::link::record(nano_dir, inputs, &json);
    Ok((plan, false))
}

/// What verification expects of each instance of `composition`.
pub(crate) fn expected(
    graph: &NanoGraph,
    composition: &Composition,
    reports: &[PackageReport],
) -> Vec<ExpectedInstance> {
    graph
        .instances
        .iter()
        .zip(&composition.instance_sha256)
        .map(|(inst, sha256)| ExpectedInstance {
            id: inst.id.clone(),
            namespace: inst.namespace.clone(),
            // Each instance runs its own tagged copy of its package's component.
            component_sha256: *sha256,
            parent: inst.parent,
            imports: reports[inst.package].inspection.imports.clone(),
        })
        .collect()
}

/// Writes the composed component, then the plan; returns the plan as written.
fn write_outputs(
    plan: &Plan,
    composition: &Composition,
    nano_dir: &Path,
) -> Result<Vec<u8>, BuildError> {
    let write = |path: PathBuf, bytes: &[u8]| {
        crate::pipeline::write_atomic(&path, bytes)
            .map_err(|source| BuildError::Write { path, source })
    };
    std::fs::create_dir_all(nano_dir).map_err(|source| BuildError::Write {
        path: nano_dir.to_path_buf(),
        source,
    })?;
    write(nano_dir.join(&plan.component), &composition.bytes)?;
    let json = serde_json::to_vec_pretty(plan).map_err(|e| BuildError::Write {
        path: nano_dir.join("plan.json"),
        source: std::io::Error::other(e),
    })?;
    // The plan goes last: it names the component's checksum, so a run never trusts a component
    // written by an interrupted build.
    write(nano_dir.join("plan.json"), &json)?;
    Ok(json)
}

/// The plan of a composition whose instances hold `holdings`.
pub(crate) fn plan_of(
    graph: &NanoGraph,
    holdings: &[Holdings],
    composition: &Composition,
    verified: &verify::Verified,
) -> Plan {
    let root = &graph.packages[graph.root].info.name;
    Plan {
        format: PLAN_FORMAT,
        component: format!("{root}.wasm"),
        component_sha256: build_cache::sha256_hex(&composition.bytes),
        type_only_imports: verified.type_only.clone(),
        instances: graph
            .instances
            .iter()
            .zip(holdings)
            .zip(&composition.system_imports)
            .zip(&composition.instance_sha256)
            .map(|(((inst, holds), imports), sha256)| PlanInstance {
                id: inst.id.clone(),
                package: graph.packages[inst.package].info.name.clone(),
                version: graph.packages[inst.package].info.version.to_string(),
                namespace: inst.namespace.clone(),
                parent: inst.parent,
                component_sha256: hex::encode(sha256),
                holds: holds.clone(),
                imports: imports.clone(),
            })
            .collect(),
    }
}
