//! `cargo nano run --audit`: build a program whatever its manifests say, so that one run can show
//! what each package uses, then turn what it used into the manifest entries it needs.
//!
//! [`build_for_audit`] builds and links like [`crate::pipeline::build`] but does not stop at a
//! policy violation and writes nothing to `target/nano/`: its plan and composed component stay in
//! memory, for the runtime's audit mode only, so an app built for an audit can never be run in
//! earnest by `cargo nano run --no-build`. [`needs`] compares what each package used (the
//! runtime's [`InstanceUse`]) and what its code reaches (the build's inspection) with its requests
//! and its parent's grant. [`write`] adds what is missing to the manifests of the workspace.

use std::path::PathBuf;

use manifest_schema::audit::InstanceUse;
use manifest_schema::plan::{DirBinding, Holdings, Plan};
use manifest_schema::{Access, Capabilities};

use crate::graph::NanoGraph;
use crate::pipeline::{self, BuildError, BuildOptions, Event, PackageReport};
use crate::{compose, verify};

mod needs;
mod write;

#[cfg(test)]
mod tests;

pub use needs::{PackageNeeds, granted_caps, needs};
pub use write::{AuditWriteError, write};

/// A program built for an audit run.
#[derive(Debug)]
pub struct AuditBuild {
    /// The plan: each instance holds its requests (the top package) or the directory slots its
    /// parent's grant names (a child); the runtime's audit mode widens the rest.
    pub plan: Plan,
    /// The composed component.
    pub wasm: Vec<u8>,
    /// The nano tree.
    pub graph: NanoGraph,
    /// Every nano package, in the order of `graph.packages`.
    pub packages: Vec<PackageReport>,
    /// The workspace root: manifests under it (and not from a registry or git) are the user's.
    pub workspace_root: PathBuf,
}

/// Builds, inspects, composes and verifies like [`pipeline::build`], without the policy checks
/// and without writing `target/nano/`.
pub fn build_for_audit(
    options: &BuildOptions,
    progress: &mut dyn FnMut(Event),
) -> Result<AuditBuild, BuildError> {
    let (ws, graph) = pipeline::load(options)?;
    progress(Event::Planned {
        packages: graph.packages.len(),
    });
    pipeline::ensure_target(progress)?;
    let _lock = crate::target_lock::lock(&ws.target_dir, progress)?;
    let (packages, components) = pipeline::build_all(&ws, &graph, &options.flags, progress)?;
    progress(Event::Linking);
    crate::compat::ensure(&graph, &components)?;
    let composition = compose::compose(&graph, &components)?;
    let verified = verify::verify(
        &composition.bytes,
        &crate::pipeline_link::expected(&graph, &composition, &packages),
    )?;
    let plan =
        crate::pipeline_link::plan_of(&graph, &audit_holdings(&graph), &composition, &verified);
    Ok(AuditBuild {
        plan,
        wasm: composition.bytes,
        graph,
        packages,
        workspace_root: ws.root.clone(),
    })
}

/// What each instance holds in an audit run before the runtime widens it: the top package its
/// requested slots (the user binds them), a child the slots its parent's grant names, whatever
/// the child requests.
fn audit_holdings(graph: &NanoGraph) -> Vec<Holdings> {
    graph
        .instances
        .iter()
        .map(|inst| {
            let pkg = &graph.packages[inst.package];
            let Some(parent) = inst.parent else {
                return Holdings {
                    limits: crate::limits::requested(&pkg.manifest.limits),
                    ..crate::policy::requested_holdings(&pkg.manifest.requests)
                };
            };
            let parent_pkg = &graph.packages[graph.instances[parent].package];
            let dirs = parent_pkg
                .manifest
                .grants
                .get(&inst.name)
                .map(|g| &g.dirs)
                .into_iter()
                .flatten()
                .map(|(slot, g)| {
                    let binding = DirBinding {
                        from: Some(g.from.clone()),
                        path: g.path.clone(),
                        access: g.access.unwrap_or(Access::ReadWrite),
                    };
                    (slot.clone(), binding)
                })
                .collect();
            Holdings {
                dirs,
                ..Holdings::default()
            }
        })
        .collect()
}

/// The union of what the instances of one package used.
fn used_by(package: &str, uses: &[InstanceUse]) -> (Capabilities, bool) {
    let mut out = Capabilities::default();
    let mut read_env = false;
    for u in uses.iter().filter(|u| u.package == package) {
        for (slot, access) in &u.used.dirs {
            let a = out.dirs.entry(slot.clone()).or_insert(*access);
            *a = (*a).max(*access);
        }
        out.stdio.extend(u.used.stdio.iter().copied());
        out.clocks.extend(u.used.clocks.iter().copied());
        out.random |= u.used.random;
        out.network.extend(u.used.network.iter().cloned());
        out.args |= u.used.args;
        read_env |= u.read_env;
    }
    (out, read_env)
}
