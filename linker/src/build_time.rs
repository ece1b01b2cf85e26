//! The crates that run code while a nano package is built: build scripts and proc macros in its
//! dependency tree, with the extra build permissions the workspace gives them
//! (`[workspace.metadata.nano.build.CRATE]`, read by `build_sandbox::config`). `Nano.lock`
//! records them per package ([`manifest_schema::lockfile::LockedBuild`]), so that a new build
//! permission, or a dependency that starts running code at build time, shows in review.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use build_sandbox::config::{self, Declared};
use cargo_metadata::{DependencyKind, Metadata, TargetKind};
use manifest_schema::lockfile::{BuildRun, LockedBuild};

use crate::cargo_build::CargoBuildError;
use crate::workspace::Workspace;

/// What runs at build time in each package of the resolved graph, and the edges a build follows.
#[derive(Debug, Clone, Default)]
pub struct BuildTime {
    /// Package id → what of it runs at build time and the packages its build compiles.
    nodes: BTreeMap<String, Node>,
}

#[derive(Debug, Clone, Default)]
struct Node {
    name: String,
    version: String,
    runs: BTreeSet<BuildRun>,
    /// Normal and build dependencies (not dev): everything compiled when the package is. Every
    /// platform's, as in `Cargo.lock`, so the lock does not depend on the machine writing it.
    deps: Vec<String>,
    nano: bool,
}

impl BuildTime {
    /// Reads Cargo's metadata: each package's targets and its dependencies of every kind but dev.
    pub(crate) fn from_metadata(metadata: &Metadata) -> Self {
        let Some(resolve) = &metadata.resolve else {
            return BuildTime::default();
        };
        let mut nodes = BTreeMap::new();
        for pkg in &metadata.packages {
            let mut runs = BTreeSet::new();
            for target in &pkg.targets {
                if target.kind.contains(&TargetKind::CustomBuild) {
                    runs.insert(BuildRun::BuildScript);
                }
                if target.kind.contains(&TargetKind::ProcMacro) {
                    runs.insert(BuildRun::ProcMacro);
                }
            }
            let deps = resolve
                .nodes
                .iter()
                .find(|n| n.id == pkg.id)
                .map(|node| {
                    node.deps
                        .iter()
                        .filter(|d| {
                            d.dep_kinds
                                .iter()
                                .any(|k| k.kind != DependencyKind::Development)
                        })
                        .map(|d| d.pkg.repr.clone())
                        .collect()
                })
                .unwrap_or_default();
            let node = Node {
                name: pkg.name.to_string(),
                version: pkg.version.to_string(),
                runs,
                deps,
                nano: pkg.metadata.get("nano").is_some(),
            };
            nodes.insert(pkg.id.repr.clone(), node);
        }
        BuildTime { nodes }
    }

    /// The crates that run at build time in the tree of the package `id`, by Cargo package name,
    /// with `declared` permissions (keyed by normalized name). The tree stops at nano packages
    /// other than `id`: their own entry lists theirs.
    pub fn of_package(
        &self,
        id: &str,
        declared: &BTreeMap<String, Declared>,
    ) -> BTreeMap<String, LockedBuild> {
        let mut out: BTreeMap<String, LockedBuild> = BTreeMap::new();
        let mut seen = BTreeSet::new();
        let mut stack = vec![id];
        while let Some(at) = stack.pop() {
            if !seen.insert(at) {
                continue;
            }
            let Some(node) = self.nodes.get(at) else {
                continue;
            };
            if node.nano && at != id {
                continue;
            }
            stack.extend(node.deps.iter().map(String::as_str));
            if node.runs.is_empty() {
                continue;
            }
            let entry = out.entry(node.name.clone()).or_insert_with(|| {
                let perms = declared
                    .get(&config::normalize(&node.name))
                    .cloned()
                    .unwrap_or_default();
                LockedBuild {
                    version: Vec::new(),
                    runs: BTreeSet::new(),
                    network: perms.network,
                    read: perms.read.into_iter().collect(),
                    write: perms.write.into_iter().collect(),
                }
            });
            entry.runs.extend(node.runs.iter().copied());
            if !entry.version.contains(&node.version) {
                entry.version.push(node.version.clone());
            }
        }
        for entry in out.values_mut() {
            entry
                .version
                .sort_by(|a, b| crate::diff::compare_versions(a, b));
        }
        out
    }
}

/// The build-time crates of the package `id` of `ws`, with the permissions its `Cargo.toml`
/// declares.
pub fn of_package(
    ws: &Workspace,
    id: &str,
) -> Result<BTreeMap<String, LockedBuild>, CargoBuildError> {
    let declared = declared(&ws.manifest_path)?;
    Ok(ws.build_time.of_package(id, &declared))
}

/// The build permissions declared in the workspace manifest at `path`, as written.
fn declared(path: &Path) -> Result<BTreeMap<String, Declared>, CargoBuildError> {
    config::read_declared(path)
        .map_err(|e| CargoBuildError::Sandbox(build_sandbox::SetupError::Config(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str, version: &str, runs: &[BuildRun], deps: &[&str], nano: bool) -> Node {
        Node {
            name: name.into(),
            version: version.into(),
            runs: runs.iter().copied().collect(),
            deps: deps.iter().map(|d| d.to_string()).collect(),
            nano,
        }
    }

    #[test]
    fn build_scripts_and_proc_macros_are_found_down_to_nano_children() {
        let nodes = BTreeMap::from([
            (
                "app".into(),
                node(
                    "app",
                    "0.1.0",
                    &[BuildRun::BuildScript],
                    &["derive", "child", "cc"],
                    true,
                ),
            ),
            (
                "derive".into(),
                node(
                    "my-derive",
                    "1.0.0",
                    &[BuildRun::ProcMacro],
                    &["pm2-1", "pm2-2"],
                    false,
                ),
            ),
            (
                "pm2-1".into(),
                node(
                    "proc-macro2",
                    "1.0.10",
                    &[BuildRun::BuildScript],
                    &[],
                    false,
                ),
            ),
            (
                "pm2-2".into(),
                node("proc-macro2", "1.0.9", &[BuildRun::BuildScript], &[], false),
            ),
            ("cc".into(), node("cc", "1.2.0", &[], &[], false)),
            (
                "child".into(),
                node(
                    "child",
                    "0.1.0",
                    &[BuildRun::BuildScript],
                    &["hidden"],
                    true,
                ),
            ),
            (
                "hidden".into(),
                node("hidden", "1.0.0", &[BuildRun::BuildScript], &[], false),
            ),
        ]);
        let build = BuildTime { nodes };
        let declared = BTreeMap::from([(
            "my_derive".to_string(),
            Declared {
                network: true,
                read: vec!["vendor".into()],
                write: vec![],
            },
        )]);
        let found = build.of_package("app", &declared);
        assert_eq!(
            found.keys().collect::<Vec<_>>(),
            ["app", "my-derive", "proc-macro2"]
        );
        assert_eq!(found["proc-macro2"].version, ["1.0.9", "1.0.10"]);
        let derive = &found["my-derive"];
        assert!(derive.network && derive.read.contains("vendor"));
        assert_eq!(derive.runs, BTreeSet::from([BuildRun::ProcMacro]));
        assert!(!found["app"].has_permissions());
        // The child's own tree is under the child.
        assert_eq!(
            build
                .of_package("child", &declared)
                .keys()
                .collect::<Vec<_>>(),
            ["child", "hidden"]
        );
    }
}
