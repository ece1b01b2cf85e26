//! The nano tree: which packages of a Cargo dependency graph are nano packages, who their nano
//! children are, and the tree of instances (nanoprocesses) that a run creates.
//!
//! The graph always comes from Cargo (`cargo metadata`), so Cargo resolves, locks and upgrades nano
//! packages like any other dependency. Ordinary crates are linked into the nearest nano package
//! that uses them and do not appear here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use manifest_schema::{ManifestErrors, NanoManifest};

use crate::grant_keys::check_grant_keys;

/// The Cargo feature a nano library enables to export its interface from its own nanoprocess.
pub const EXPORT_FEATURE: &str = "nano-export";
/// The Cargo feature a parent enables on a nano child so the child's public API calls across the
/// nanoprocess boundary instead of running in the parent.
pub const IMPORT_FEATURE: &str = "nano-import";

/// A package of the Cargo graph, reduced to what cargo-nano needs.
#[derive(Debug, Clone)]
pub struct PackageInfo {
    /// Cargo's opaque package id.
    pub id: String,
    /// The package name.
    pub name: String,
    /// The package version.
    pub version: semver::Version,
    /// Where the package comes from (`None` for a path package).
    pub source: Option<String>,
    /// The package's `Cargo.toml`.
    pub manifest_path: PathBuf,
    /// The parsed `[package.metadata.nano]` table, when the package has one.
    pub manifest: Option<NanoManifest>,
    /// The package's first binary target, if any.
    pub bin: Option<String>,
    /// The crate root of its library target (`src/lib.rs`), when it has one.
    pub lib: Option<PathBuf>,
    /// The features the package declares.
    pub features: BTreeSet<String>,
    /// Package ids of its normal (not dev, not build) dependencies.
    pub deps: Vec<String>,
    /// For each of `deps`, the name it has in this package's `[dependencies]`: the rename when
    /// there is one (`util1 = { package = "util", … }`), else the package name.
    pub dep_names: BTreeMap<String, String>,
    /// The features Cargo resolved for the package (all members built together).
    pub enabled_features: Vec<String>,
}

impl PackageInfo {
    /// A library package `name` 1.0.0 (id `name`, manifest `name/Cargo.toml`) with no manifest,
    /// features or dependencies, for unit tests to adjust with struct update syntax.
    #[cfg(test)]
    pub(crate) fn for_test(name: &str) -> Self {
        PackageInfo {
            id: name.into(),
            name: name.into(),
            version: semver::Version::new(1, 0, 0),
            source: None,
            manifest_path: PathBuf::from(format!("{name}/Cargo.toml")),
            manifest: None,
            bin: None,
            lib: Some(PathBuf::from(format!("{name}/src/lib.rs"))),
            features: Default::default(),
            deps: vec![],
            dep_names: Default::default(),
            enabled_features: vec![],
        }
    }

    /// The name under which this package depends on the package `id`.
    pub fn dep_name<'a>(&'a self, id: &str, package_name: &'a str) -> &'a str {
        self.dep_names.get(id).map_or(package_name, String::as_str)
    }
}

/// How a nano package is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackageKind {
    /// The top package: a command component built from this binary target.
    Command(String),
    /// A library exporting its interface.
    Library,
}

/// A nano package: one component.
#[derive(Debug, Clone)]
pub struct NanoPackage {
    /// What Cargo knows of the package.
    pub info: PackageInfo,
    /// The manifest (an empty one for a root without `[package.metadata.nano]`).
    pub manifest: NanoManifest,
    /// How it is built.
    pub kind: PackageKind,
    /// Its nano children, sorted by name.
    pub children: Vec<Child>,
}

/// A nano child of a package: the edge from a parent to one of its nano dependencies.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Child {
    /// The dependency's name in the parent's `[dependencies]` (the rename when there is one):
    /// the key of its grant and its name in instance paths.
    pub name: String,
    /// Index into [`NanoGraph::packages`].
    pub package: usize,
}

/// One nanoprocess of a run: a package instantiated for one parent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    /// The path of names from the root, e.g. `app/extractor/inflate`: the top package's name,
    /// then each child's name in its parent's `[dependencies]`.
    pub id: String,
    /// The last segment of `id`: the key of this instance's grant in its parent's manifest.
    pub name: String,
    /// Index into [`NanoGraph::packages`].
    pub package: usize,
    /// Index into [`NanoGraph::instances`] of the parent instance.
    pub parent: Option<usize>,
    /// The namespace of this instance's scoped system imports, e.g. `nano-app-extractor`.
    pub namespace: String,
}

/// The nano packages of a workspace and the instance tree rooted at the top package.
#[derive(Debug, Clone)]
pub struct NanoGraph {
    /// Nano packages in build order: every child comes before its parents.
    pub packages: Vec<NanoPackage>,
    /// Index of the top package.
    pub root: usize,
    /// Instances, the root first, then depth first in child order.
    pub instances: Vec<Instance>,
}

/// An error building the nano tree.
#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    /// One or more manifests are invalid.
    #[error("{} nano manifest(s) are invalid", .0.len())]
    Manifests(Vec<ManifestErrors>),
    /// No package could be chosen as the top package.
    #[error("{0}")]
    NoRoot(String),
    /// The top package is not a binary.
    #[error(
        "top package `{package}` has no binary target (help: `cargo nano build` runs an application; pass `-p` with a package that has `[[bin]]` or `src/main.rs`)"
    )]
    RootNotBinary {
        /// The package.
        package: String,
    },
    /// A nano package has no library target.
    #[error(
        "nano package `{package}` (`{manifest}`) is a dependency of `{parent}` but has no library target"
    )]
    ChildNotLibrary {
        /// The child.
        package: String,
        /// Its manifest.
        manifest: PathBuf,
        /// The parent.
        parent: String,
    },
    /// A nano library lacks a feature cargo-nano needs.
    #[error(
        "nano package `{package}` does not declare the feature `{feature}` in `{manifest}` (help: add `{feature} = [\"dep:wit-bindgen\"]` under `[features]`; see docs/guide.md)"
    )]
    MissingFeature {
        /// The package.
        package: String,
        /// The feature.
        feature: &'static str,
        /// Its manifest.
        manifest: PathBuf,
    },
    /// A nano package is reached only through an ordinary crate.
    #[error(
        "nano package `{child}` is used by `{parent}` only through the ordinary crate `{via}` (help: add `{child}` to `[dependencies]` of `{parent}` so its grant and wiring are explicit)"
    )]
    IndirectChild {
        /// The nano child.
        child: String,
        /// The nano parent.
        parent: String,
        /// The ordinary crate in between.
        via: String,
    },
    /// The top package has no `[package.metadata.nano]`.
    #[error(
        "package `{package}` is not a nano package yet: `{manifest}` has no `[package.metadata.nano]` table (help: run `cargo nano init` to write one with what its code reaches)"
    )]
    NotNano {
        /// The package.
        package: String,
        /// Its manifest.
        manifest: PathBuf,
    },
    /// A grant names something that is not a nano child of the granter.
    #[error(
        "package `{package}` grants capabilities to `{name}`, which is not one of its nano dependencies (`{manifest}`)\n  = help: {help}"
    )]
    UnknownGrant {
        /// The granting package.
        package: String,
        /// The grant's key.
        name: String,
        /// The granter's manifest.
        manifest: PathBuf,
        /// How to fix it.
        help: String,
    },
    /// Two versions of one nano package are children of the same parent.
    #[error(
        "package `{parent}` depends on two versions of the nano package `{package}` ({versions}); both would export the same interfaces to it (`{manifest}`)\n  = help: depend on one version of `{package}` in `{parent}`, or move one of them into another nano package"
    )]
    SameChildTwice {
        /// The parent.
        parent: String,
        /// The child package.
        package: String,
        /// The two dependencies with their versions, as `` `util1` 1.0.0 and `util2` 2.0.0 ``.
        versions: String,
        /// The parent's manifest.
        manifest: PathBuf,
    },
    /// The nano graph has a cycle.
    #[error("nano packages form a dependency cycle: {0}")]
    Cycle(String),
}

/// Builds the nano tree from the packages of a Cargo graph.
///
/// `root` names the top package; `None` picks the only workspace member that has a binary target.
pub fn build_graph(
    packages: &[PackageInfo],
    members: &[String],
    root: Option<&str>,
) -> Result<NanoGraph, GraphError> {
    let by_id: BTreeMap<&str, &PackageInfo> = packages.iter().map(|p| (p.id.as_str(), p)).collect();
    let root = select_root(packages, members, root)?;
    let mut builder = Builder {
        by_id,
        packages: Vec::new(),
        index: BTreeMap::new(),
        visiting: Vec::new(),
    };
    let root_index = builder.visit(root)?;
    let root_pkg = &mut builder.packages[root_index];
    match &root_pkg.info.bin {
        Some(bin) => root_pkg.kind = PackageKind::Command(bin.clone()),
        None => {
            return Err(GraphError::RootNotBinary {
                package: root_pkg.info.name.clone(),
            });
        }
    }
    let packages = builder.packages;
    let instances = expand_instances(&packages, root_index);
    Ok(NanoGraph {
        packages,
        root: root_index,
        instances,
    })
}

fn select_root<'a>(
    packages: &'a [PackageInfo],
    members: &[String],
    root: Option<&str>,
) -> Result<&'a PackageInfo, GraphError> {
    let member_pkgs = packages.iter().filter(|p| members.contains(&p.id));
    if let Some(name) = root {
        return packages
            .iter()
            .find(|p| p.name == name && members.contains(&p.id))
            .ok_or_else(|| {
                GraphError::NoRoot(format!(
                    "package `{name}` is not a member of this workspace (help: pass `-p` with one of the workspace's packages)"
                ))
            });
    }
    let bins: Vec<&PackageInfo> = member_pkgs.filter(|p| p.bin.is_some()).collect();
    match bins.as_slice() {
        [one] => Ok(one),
        [] => Err(GraphError::NoRoot(
            "no workspace member has a binary target (help: `cargo nano build` runs an application: add a package with `src/main.rs`)".into(),
        )),
        many => Err(GraphError::NoRoot(format!(
            "several workspace members have a binary target: {} (help: choose one with `-p NAME`)",
            many.iter()
                .map(|p| format!("`{}`", p.name))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

struct Builder<'a> {
    by_id: BTreeMap<&'a str, &'a PackageInfo>,
    packages: Vec<NanoPackage>,
    index: BTreeMap<String, usize>,
    visiting: Vec<String>,
}

impl<'a> Builder<'a> {
    /// Visits a nano package (depth first), returning its index; children are pushed first.
    fn visit(&mut self, pkg: &'a PackageInfo) -> Result<usize, GraphError> {
        if let Some(&i) = self.index.get(&pkg.id) {
            return Ok(i);
        }
        if let Some(pos) = self.visiting.iter().position(|id| *id == pkg.id) {
            let mut names: Vec<String> = self.visiting[pos..]
                .iter()
                .filter_map(|id| self.by_id.get(id.as_str()).map(|p| format!("`{}`", p.name)))
                .collect();
            names.push(format!("`{}`", pkg.name));
            return Err(GraphError::Cycle(names.join(" -> ")));
        }
        self.visiting.push(pkg.id.clone());
        let mut children = Vec::new();
        for child in self.nano_children(pkg)? {
            check_library(child, pkg)?;
            children.push(Child {
                name: pkg.dep_name(&child.id, &child.name).to_string(),
                package: self.visit(child)?,
            });
        }
        self.visiting.pop();
        children.sort();
        children.dedup();
        self.check_distinct(pkg, &children)?;
        let manifest = pkg.manifest.clone().unwrap_or_else(empty_manifest);
        check_grant_keys(pkg, &manifest, &children, &self.by_id)?;
        self.packages.push(NanoPackage {
            info: pkg.clone(),
            manifest,
            kind: PackageKind::Library,
            children,
        });
        let i = self.packages.len() - 1;
        self.index.insert(pkg.id.clone(), i);
        Ok(i)
    }

    /// Two versions of one nano package under one parent would export the same interface names
    /// into it, so the parent could not tell them apart.
    fn check_distinct(&self, pkg: &PackageInfo, children: &[Child]) -> Result<(), GraphError> {
        for (i, a) in children.iter().enumerate() {
            let info = |c: &Child| &self.packages[c.package].info;
            if let Some(b) = children[i + 1..]
                .iter()
                .find(|b| info(b).name == info(a).name)
            {
                return Err(GraphError::SameChildTwice {
                    parent: pkg.name.clone(),
                    package: info(a).name.clone(),
                    versions: format!(
                        "`{}` {} and `{}` {}",
                        a.name,
                        info(a).version,
                        b.name,
                        info(b).version
                    ),
                    manifest: pkg.manifest_path.clone(),
                });
            }
        }
        Ok(())
    }

    /// The nano packages `pkg` depends on directly; a nano package found only behind an ordinary
    /// crate is an error, because its grant and wiring would be implicit.
    fn nano_children(&self, pkg: &PackageInfo) -> Result<Vec<&'a PackageInfo>, GraphError> {
        let mut direct = Vec::new();
        for dep in pkg.deps.iter().filter_map(|id| self.by_id.get(id.as_str())) {
            if dep.manifest.is_some() {
                direct.push(*dep);
            } else if let Some(hidden) = self.first_hidden_nano(dep, &mut BTreeSet::new()) {
                return Err(GraphError::IndirectChild {
                    child: hidden.name.clone(),
                    parent: pkg.name.clone(),
                    via: dep.name.clone(),
                });
            }
        }
        Ok(direct)
    }

    fn first_hidden_nano(
        &self,
        ordinary: &'a PackageInfo,
        seen: &mut BTreeSet<&'a str>,
    ) -> Option<&'a PackageInfo> {
        if !seen.insert(ordinary.id.as_str()) {
            return None;
        }
        for dep in ordinary
            .deps
            .iter()
            .filter_map(|id| self.by_id.get(id.as_str()))
        {
            if dep.manifest.is_some() {
                return Some(dep);
            }
            if let Some(found) = self.first_hidden_nano(dep, seen) {
                return Some(found);
            }
        }
        None
    }
}

fn check_library(child: &PackageInfo, parent: &PackageInfo) -> Result<(), GraphError> {
    if child.lib.is_none() {
        return Err(GraphError::ChildNotLibrary {
            package: child.name.clone(),
            manifest: child.manifest_path.clone(),
            parent: parent.name.clone(),
        });
    }
    for feature in [EXPORT_FEATURE, IMPORT_FEATURE] {
        if !child.features.contains(feature) {
            return Err(GraphError::MissingFeature {
                package: child.name.clone(),
                feature,
                manifest: child.manifest_path.clone(),
            });
        }
    }
    Ok(())
}

/// The manifest of a package without `[package.metadata.nano]`: it requests and grants nothing.
pub(crate) fn empty_manifest() -> NanoManifest {
    NanoManifest {
        format: manifest_schema::FORMAT_VERSION,
        requests: Default::default(),
        limits: Default::default(),
        grants: Default::default(),
    }
}

/// Expands the package DAG into the tree of instances: a package used by two parents runs as two
/// nanoprocesses, each with the grant of its own parent.
fn expand_instances(packages: &[NanoPackage], root: usize) -> Vec<Instance> {
    let mut out: Vec<Instance> = Vec::new();
    let root_name = packages[root].info.name.clone();
    let mut stack = vec![(root, root_name, None::<usize>)];
    while let Some((pkg, name, parent)) = stack.pop() {
        let id = match parent {
            Some(p) => format!("{}/{name}", out[p].id),
            None => name.clone(),
        };
        let mut namespace = namespace_for(&id);
        // Two instance paths can fold to one label (`a-b` and `a/b`); scoped imports must never be
        // shared, so a later one gets a distinct suffix.
        while out.iter().any(|i: &Instance| i.namespace == namespace) {
            namespace.push_str("-dup");
        }
        out.push(Instance {
            id,
            name,
            package: pkg,
            parent,
            namespace,
        });
        let me = out.len() - 1;
        for child in packages[pkg].children.iter().rev() {
            stack.push((child.package, child.name.clone(), Some(me)));
        }
    }
    out
}

/// The component-model namespace of an instance's scoped imports: `nano-` and the instance path
/// as a kebab-case label (every word must start with a letter).
pub fn namespace_for(instance_id: &str) -> String {
    let mut words = vec!["nano".to_string()];
    for word in instance_id
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let word = word.to_ascii_lowercase();
        if word.starts_with(|c: char| c.is_ascii_digit()) {
            words.push(format!("n{word}"));
        } else {
            words.push(word);
        }
    }
    words.join("-")
}

#[cfg(test)]
#[path = "graph_tests.rs"]
mod tests;
