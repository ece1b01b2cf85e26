//! From what an audit run observed to the requests and grants each package needs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use manifest_schema::audit::InstanceUse;
use manifest_schema::{Capabilities, Clock, Grant, Stream};

use super::{AuditBuild, used_by};
use crate::inspect::{Capability, Inspection};

/// What one package needs, beside what its manifest says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackageNeeds {
    /// The package.
    pub package: String,
    /// Its `Cargo.toml`.
    pub manifest_path: PathBuf,
    /// Whether the manifest is the user's to edit (a path package inside the workspace).
    pub local: bool,
    /// What it needs to request: what its code reaches, what it used in the run, and what its
    /// children need granted (directory slots only as far as it used them).
    pub requests: Capabilities,
    /// The part of `requests` its manifest does not request yet.
    pub missing_requests: Capabilities,
    /// Per child (by dependency name): what it needs granted, directory slots aside (a grant
    /// names where a slot comes from, which only the parent's author can decide).
    pub grants: BTreeMap<String, Capabilities>,
    /// The part of `grants` the manifest does not grant yet.
    pub missing_grants: BTreeMap<String, Capabilities>,
    /// What only the user can decide, each with what the run or the analysis saw.
    pub decisions: Vec<String>,
}

impl PackageNeeds {
    /// Whether its manifest already requests and grants everything it needs.
    pub fn satisfied(&self) -> bool {
        self.missing_requests.is_empty() && self.missing_grants.values().all(|g| g.is_empty())
    }
}

/// What every package of `build` needs, top package first, given what its instances used in an
/// audit run (`uses`) and the environment variables the run passed (`passed_env`).
pub fn needs(build: &AuditBuild, uses: &[InstanceUse], passed_env: &[String]) -> Vec<PackageNeeds> {
    let graph = &build.graph;
    let mut out: Vec<PackageNeeds> = graph
        .packages
        .iter()
        .zip(&build.packages)
        .map(|(pkg, report)| {
            let (used, read_env) = used_by(&pkg.info.name, uses);
            let mut needs = own_needs(&report.inspection, used, read_env, passed_env);
            needs.package = pkg.info.name.clone();
            needs.manifest_path = pkg.info.manifest_path.clone();
            needs.local = pkg.info.source.is_none()
                && pkg.info.manifest_path.starts_with(&build.workspace_root);
            needs.decisions.extend(outside_paths(&pkg.info.name, uses));
            needs.decisions.extend(refused(&pkg.info.name, uses));
            needs
        })
        .collect();
    // Children come after their parents in the instance list: walking it backwards, a child's
    // needs are complete before its parent takes them over.
    for inst in graph.instances.iter().rev() {
        let Some(parent) = inst.parent else { continue };
        let child = grantable(&out[inst.package].requests);
        let parent = graph.instances[parent].package;
        union(&mut out[parent].requests, &child);
        union(
            out[parent].grants.entry(inst.name.clone()).or_default(),
            &child,
        );
    }
    for (pkg, needs) in graph.packages.iter().zip(&mut out) {
        needs.missing_requests = minus(&needs.requests, &pkg.manifest.requests);
        needs.missing_grants = needs
            .grants
            .iter()
            .map(|(child, need)| {
                let granted = pkg.manifest.grants.get(child).cloned().unwrap_or_default();
                (child.clone(), minus(need, &granted_caps(&granted)))
            })
            .collect();
    }
    let root = graph.instances[0].package;
    let mut order: Vec<usize> = (0..out.len()).collect();
    order.sort_by_key(|&i| (i != root, out[i].package.clone()));
    order.into_iter().map(|i| out[i].clone()).collect()
}

/// What a package needs itself: what its code reaches (which the build checks) and what it used
/// in the run, with the values only the run knows (slots and their access, endpoints).
fn own_needs(
    inspection: &Inspection,
    used: Capabilities,
    read_env: bool,
    passed_env: &[String],
) -> PackageNeeds {
    let mut requests = used;
    let mut decisions = Vec::new();
    let reached = inspection.capabilities();
    for cap in &reached {
        match cap {
            Capability::Stdin => _ = requests.stdio.insert(Stream::Stdin),
            Capability::Stdout => _ = requests.stdio.insert(Stream::Stdout),
            Capability::Stderr => _ = requests.stdio.insert(Stream::Stderr),
            Capability::WallClock => _ = requests.clocks.insert(Clock::Wall),
            Capability::MonotonicClock => _ = requests.clocks.insert(Clock::Monotonic),
            Capability::Random => requests.random = true,
            Capability::Args => requests.args = true,
            Capability::Dirs if requests.dirs.is_empty() => decisions.push(
                "its code opens files but it used no directory slot in this run: request the slots it needs in `dirs`".into(),
            ),
            Capability::Network if requests.network.is_empty() => decisions.push(
                "its code uses the network but it connected nowhere in this run: list the endpoints it needs in `network`".into(),
            ),
            Capability::Unknown => decisions.push(
                "its code reaches a WASI interface cargo-nano cannot grant (see `cargo nano build`)".into(),
            ),
            _ => {}
        }
    }
    if read_env || reached.contains(&Capability::Env) {
        let env = &inspection.env;
        requests.env = env.all_names().into_iter().map(str::to_string).collect();
        if !env.all_named() {
            let passed = match passed_env.is_empty() {
                true => "none was passed to this run".to_string(),
                false => format!("this run passed {}", quoted(passed_env)),
            };
            decisions.push(format!(
                "it reads environment variables whose names the analysis cannot see ({passed}): list the ones it needs in `env`"
            ));
        }
    }
    PackageNeeds {
        requests,
        decisions,
        ..PackageNeeds::default()
    }
}

fn outside_paths(package: &str, uses: &[InstanceUse]) -> Vec<String> {
    let paths: BTreeSet<&String> = uses
        .iter()
        .filter(|u| u.package == package)
        .flat_map(|u| &u.outside)
        .collect();
    if paths.is_empty() {
        return Vec::new();
    }
    let list: Vec<String> = paths.into_iter().cloned().collect();
    vec![format!(
        "it tried to open {} outside its directory slots (denied): if it needs them, give it a slot (`dirs`) and have it open paths under the slot",
        quoted(&list)
    )]
}

fn refused(package: &str, uses: &[InstanceUse]) -> Vec<String> {
    let endpoints: BTreeSet<String> = uses
        .iter()
        .filter(|u| u.package == package)
        .flat_map(|u| u.refused.iter().map(|e| e.to_string()))
        .collect();
    if endpoints.is_empty() {
        return Vec::new();
    }
    let list: Vec<String> = endpoints.into_iter().collect();
    vec![format!(
        "it tried to connect to {}, which this run did not offer (denied): if it needs them, pass `--net` to the audit and list them in `network`",
        quoted(&list)
    )]
}

fn quoted(items: &[String]) -> String {
    let q: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    q.join(", ")
}

/// What a parent must grant for `needs`: everything but directory slots.
fn grantable(needs: &Capabilities) -> Capabilities {
    Capabilities {
        dirs: Default::default(),
        ..needs.clone()
    }
}

/// What a grant gives, directory slots aside, as capabilities.
pub fn granted_caps(g: &Grant) -> Capabilities {
    Capabilities {
        dirs: Default::default(),
        env: g.env.clone(),
        stdio: g.stdio.clone(),
        clocks: g.clocks.clone(),
        random: g.random,
        network: g.network.clone(),
        args: g.args,
    }
}

/// Adds `more` to `into`; a slot keeps the wider access.
pub(crate) fn union(into: &mut Capabilities, more: &Capabilities) {
    for (slot, access) in &more.dirs {
        let a = into.dirs.entry(slot.clone()).or_insert(*access);
        *a = (*a).max(*access);
    }
    into.env.extend(more.env.iter().cloned());
    into.stdio.extend(more.stdio.iter().copied());
    into.clocks.extend(more.clocks.iter().copied());
    into.random |= more.random;
    into.network.extend(more.network.iter().cloned());
    into.args |= more.args;
}

/// What `need` has that `have` lacks; a slot counts when absent or held with less access.
pub(crate) fn minus(need: &Capabilities, have: &Capabilities) -> Capabilities {
    Capabilities {
        dirs: need
            .dirs
            .iter()
            .filter(|(slot, access)| have.dirs.get(*slot).is_none_or(|h| h < *access))
            .map(|(s, a)| (s.clone(), *a))
            .collect(),
        env: need.env.difference(&have.env).cloned().collect(),
        stdio: need.stdio.difference(&have.stdio).copied().collect(),
        clocks: need.clocks.difference(&have.clocks).copied().collect(),
        random: need.random && !have.random,
        network: need.network.difference(&have.network).cloned().collect(),
        args: need.args && !have.args,
    }
}
