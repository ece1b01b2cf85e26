//! Reading a Cargo workspace through `cargo metadata`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use cargo_metadata::{DependencyKind, Metadata, MetadataCommand, TargetKind};
use manifest_schema::ManifestErrors;

use crate::cargo_build::CargoFlags;
use crate::graph::{GraphError, PackageInfo};

/// A Cargo workspace as cargo-nano sees it.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// The workspace root directory.
    pub root: PathBuf,
    /// The workspace's `Cargo.toml`.
    pub manifest_path: PathBuf,
    /// Cargo's target directory.
    pub target_dir: PathBuf,
    /// Package ids of the workspace members.
    pub members: Vec<String>,
    /// Every package of the resolved graph.
    pub packages: Vec<PackageInfo>,
    /// What runs at build time in each package, for `Nano.lock`.
    pub build_time: crate::build_time::BuildTime,
}

/// An error reading the workspace.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    /// `cargo metadata` failed.
    #[error("failed to read the Cargo workspace at `{path}`")]
    Metadata {
        /// The manifest path given.
        path: PathBuf,
        /// What cargo said.
        #[source]
        source: cargo_metadata::Error,
    },
    /// Cargo gave no resolved graph.
    #[error("`cargo metadata` returned no dependency resolution for `{0}`")]
    NoResolve(PathBuf),
    /// Manifests are invalid.
    #[error(transparent)]
    Graph(#[from] GraphError),
}

impl Workspace {
    /// Path prefixes to rewrite in compiled components (panic locations and debug info name source
    /// files), so a component — and its checksum in `Nano.lock` — does not depend on where the
    /// project, its path dependencies, the target directory or Cargo's home are on disk. rustc
    /// applies the last matching prefix, so the more specific ones come later.
    pub fn path_remaps(&self) -> Vec<(PathBuf, String)> {
        let mut out = Vec::new();
        let home = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
        if let Some(home) = home {
            out.push((home, "/cargo-home".to_string()));
        }
        out.push((self.root.clone(), "/workspace".to_string()));
        for pkg in self.packages.iter().filter(|p| p.source.is_none()) {
            let Some(dir) = pkg.manifest_path.parent() else {
                continue;
            };
            if !dir.starts_with(&self.root) {
                out.push((
                    dir.to_path_buf(),
                    format!("/path-deps/{}-{}", pkg.name, pkg.version),
                ));
            }
        }
        out.push((self.target_dir.clone(), "/target".to_string()));
        out
    }

    /// Runs `cargo metadata` on the workspace containing `manifest_path` and parses every
    /// package's `[package.metadata.nano]`; all invalid manifests are reported together.
    ///
    /// Of `flags`, Cargo gets `--locked`, `--frozen` and `--offline`, and `--target-dir`
    /// replaces the target directory (the metadata reads every package whatever the features).
    pub fn load(manifest_path: &Path, flags: &CargoFlags) -> Result<Self, WorkspaceError> {
        let mut command = MetadataCommand::new();
        // The builds that follow name cargo-nano as rustc's wrapper; so does this, or each would
        // throw away Cargo's rustc-info cache the other wrote (`build_sandbox::metadata_env`).
        for (key, value) in build_sandbox::metadata_env(manifest_path) {
            command.env(key, value);
        }
        let metadata = command
            .manifest_path(manifest_path)
            .other_options(flags.args())
            .exec()
            .map_err(|source| WorkspaceError::Metadata {
                path: manifest_path.to_path_buf(),
                source,
            })?;
        let mut ws = Self::from_metadata(&metadata, manifest_path)?;
        if let Some(dir) = &flags.target_dir {
            // Relative to the current directory, like Cargo's `--target-dir`.
            let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.clone());
            ws.target_dir = without_dots(&dir);
        }
        Ok(ws)
    }

    fn from_metadata(metadata: &Metadata, manifest_path: &Path) -> Result<Self, WorkspaceError> {
        let resolve = metadata
            .resolve
            .as_ref()
            .ok_or_else(|| WorkspaceError::NoResolve(manifest_path.to_path_buf()))?;
        let names: BTreeMap<&str, &str> = metadata
            .packages
            .iter()
            .map(|p| (p.id.repr.as_str(), p.name.as_str()))
            .collect();
        let mut packages = Vec::new();
        let mut invalid: Vec<ManifestErrors> = Vec::new();
        for pkg in &metadata.packages {
            let manifest = match pkg.metadata.get("nano") {
                None => None,
                Some(nano) => match manifest_schema::parse_manifest(
                    nano,
                    &pkg.name,
                    pkg.manifest_path.as_std_path(),
                ) {
                    Ok(m) => Some(m),
                    Err(e) => {
                        invalid.push(e);
                        None
                    }
                },
            };
            let node = resolve.nodes.iter().find(|n| n.id == pkg.id);
            let normal: Vec<&cargo_metadata::NodeDep> = node
                .map(|node| {
                    node.deps
                        .iter()
                        .filter(|d| d.dep_kinds.iter().any(|k| k.kind == DependencyKind::Normal))
                        .collect()
                })
                .unwrap_or_default();
            let deps = normal.iter().map(|d| d.pkg.repr.clone()).collect();
            let dep_names = normal
                .iter()
                .map(|d| (d.pkg.repr.clone(), dependency_key(pkg, &names, d)))
                .collect();
            packages.push(PackageInfo {
                id: pkg.id.repr.clone(),
                name: pkg.name.to_string(),
                version: pkg.version.clone(),
                source: pkg.source.as_ref().map(|s| s.repr.clone()),
                manifest_path: pkg.manifest_path.clone().into_std_path_buf(),
                manifest,
                bin: pkg
                    .targets
                    .iter()
                    .find(|t| t.kind.contains(&TargetKind::Bin))
                    .map(|t| t.name.clone()),
                lib: pkg
                    .targets
                    .iter()
                    .find(|t| t.is_lib())
                    .map(|t| t.src_path.clone().into_std_path_buf()),
                features: pkg.features.keys().cloned().collect::<BTreeSet<_>>(),
                deps,
                dep_names,
                enabled_features: node
                    .map(|n| n.features.iter().map(|f| f.to_string()).collect())
                    .unwrap_or_default(),
            });
        }
        if !invalid.is_empty() {
            return Err(GraphError::Manifests(invalid).into());
        }
        Ok(Workspace {
            root: metadata.workspace_root.clone().into_std_path_buf(),
            manifest_path: metadata
                .workspace_root
                .join("Cargo.toml")
                .into_std_path_buf(),
            target_dir: metadata.target_directory.clone().into_std_path_buf(),
            members: metadata
                .workspace_members
                .iter()
                .map(|id| id.repr.clone())
                .collect(),
            packages,
            build_time: crate::build_time::BuildTime::from_metadata(metadata),
        })
    }
}

/// `path` with its `.` and `..` components resolved by name, so that paths printed and remapped
/// in compiled code read as the directory itself (`../../target` from `fixtures/app`: `target`).
fn without_dots(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The name under which `pkg` depends on `dep` in its `[dependencies]`: the rename when there is
/// one (`util1 = { package = "util", … }`), else the package name. Cargo's resolve names the
/// dependency by its Rust crate name (`util1`, dashes as underscores), so a rename is matched in
/// that form.
fn dependency_key(
    pkg: &cargo_metadata::Package,
    names: &BTreeMap<&str, &str>,
    dep: &cargo_metadata::NodeDep,
) -> String {
    let dep_name = names
        .get(dep.pkg.repr.as_str())
        .map_or_else(|| dep.name.clone(), |n| n.to_string());
    pkg.dependencies
        .iter()
        .filter(|d| d.name == dep_name)
        .filter_map(|d| d.rename.as_ref())
        .find(|rename| rename.replace('-', "_") == dep.name)
        .cloned()
        .unwrap_or(dep_name)
}

/// The `Cargo.toml` Cargo would use in `dir`: the first one found there or in a parent
/// directory.
pub fn find_manifest(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .map(|d| d.join("Cargo.toml"))
        .find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_relative_target_dir_reads_as_the_directory_itself() {
        assert_eq!(
            without_dots(Path::new("/work/fixtures/app/./../../target/x")),
            Path::new("/work/target/x")
        );
    }
}
