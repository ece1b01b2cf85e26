//! A generated Cargo workspace for building a nano package that is not a member of the user's
//! workspace (a registry, git or outside-path dependency).
//!
//! Cargo refuses `--features` for packages outside the workspace, so such a package is built from
//! a small workspace under `target/nano/build/` whose only member depends on it — and on its nano
//! children — by the same source, with the features cargo-nano needs added to the ones Cargo
//! resolved for the user's build. The user's `Cargo.lock` is copied in first, so Cargo picks the
//! same versions as a plain `cargo build`; the user's `[patch]`, `[replace]` and `[profile]`
//! tables are carried over, and Cargo runs in the user's directory, so its configuration (source
//! replacement, registries) is the user's too.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use toml::{Table, Value};

use crate::graph::{EXPORT_FEATURE, IMPORT_FEATURE, NanoGraph, NanoPackage, PackageInfo};
use crate::workspace::Workspace;

mod lock;

pub use lock::check_locked;
use lock::seed_lock;

/// The package id prefix of crates.io's git index.
const CRATES_IO_GIT: &str = "registry+https://github.com/rust-lang/crates.io-index";
/// The package id prefix of crates.io's sparse index.
const CRATES_IO_SPARSE: &str = "sparse+https://index.crates.io/";

/// An error preparing a generated workspace.
#[derive(Debug, thiserror::Error)]
pub enum BuildWorkspaceError {
    /// Cargo gave a source cargo-nano does not know how to name in a manifest.
    #[error(
        "nano package `{package}` comes from `{origin}`, a kind of source cargo-nano cannot build from (help: depend on it from a registry, a git repository or a path)"
    )]
    Source {
        /// The package.
        package: String,
        /// Its source, as Cargo names it.
        origin: String,
    },
    /// The user's workspace manifest could not be read.
    #[error("failed to read `{path}`")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The user's workspace manifest is not valid TOML.
    #[error("failed to parse `{path}`: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What the parser said.
        message: String,
    },
    /// With `--locked`, the generated workspace resolved packages the user's lock does not hold.
    #[error(
        "building `{package}` resolved versions that `{lock}` does not lock: {extra} (help: run without `--locked` to let Cargo update `Cargo.lock`, then commit it)"
    )]
    Unlocked {
        /// The package being built.
        package: String,
        /// The user's `Cargo.lock`.
        lock: PathBuf,
        /// The packages resolved to other versions, as `name version`.
        extra: String,
    },
    /// The generated workspace could not be written.
    #[error("failed to write `{path}`")]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// Writes the generated workspace that builds `package` and returns its `Cargo.toml`.
pub fn prepare(
    ws: &Workspace,
    graph: &NanoGraph,
    package: &NanoPackage,
) -> Result<PathBuf, BuildWorkspaceError> {
    let info = &package.info;
    let dir = dir_of(ws, info);
    let mut deps = Table::new();
    deps.insert(
        "nano-package".into(),
        dependency(info, EXPORT_FEATURE)?.into(),
    );
    for (i, child) in package.children.iter().enumerate() {
        let child = &graph.packages[child.package].info;
        deps.insert(
            format!("nano-child-{i}"),
            dependency(child, IMPORT_FEATURE)?.into(),
        );
    }
    let manifest = manifest(ws, info, deps)?;
    write_if_changed(&dir.join("Cargo.toml"), manifest.as_bytes())?;
    write_if_changed(&dir.join("lib.rs"), b"")?;
    seed_lock(&ws.root.join("Cargo.lock"), &dir.join("Cargo.lock"))?;
    Ok(dir.join("Cargo.toml"))
}

/// The directory of the generated workspace of `info`.
pub(super) fn dir_of(ws: &Workspace, info: &PackageInfo) -> PathBuf {
    ws.target_dir.join("nano").join("build").join(format!(
        "{}-{}-{}",
        info.name,
        info.version,
        &hex::encode(Sha256::digest(info.id.as_bytes()))[..12]
    ))
}

/// The generated `Cargo.toml`: one member depending on the package and its nano children, and
/// the user's `[patch]`, `[replace]` and `[profile]` tables.
fn manifest(
    ws: &Workspace,
    info: &PackageInfo,
    deps: Table,
) -> Result<String, BuildWorkspaceError> {
    let mut root = Table::new();
    let mut package = Table::new();
    package.insert("name".into(), format!("nano-build-{}", info.name).into());
    package.insert("version".into(), "0.0.0".into());
    package.insert("edition".into(), "2021".into());
    package.insert("publish".into(), false.into());
    root.insert("package".into(), package.into());
    let mut lib = Table::new();
    lib.insert("path".into(), "lib.rs".into());
    root.insert("lib".into(), lib.into());
    root.insert("dependencies".into(), deps.into());
    root.insert("workspace".into(), Table::new().into());
    for (key, value) in user_tables(ws)? {
        root.insert(key, value);
    }
    let text = toml::to_string(&root).map_err(|e| BuildWorkspaceError::Parse {
        path: ws.manifest_path.clone(),
        message: e.to_string(),
    })?;
    Ok(format!(
        "# Generated by cargo-nano to build `{} {}` as its own component. Do not edit.\n{text}",
        info.name, info.version
    ))
}

/// A dependency on `info` by its own source, with the features Cargo resolved for it plus
/// `feature`.
fn dependency(info: &PackageInfo, feature: &str) -> Result<Table, BuildWorkspaceError> {
    let mut dep = source_spec(info)?;
    dep.insert("package".into(), info.name.clone().into());
    dep.insert("default-features".into(), false.into());
    let features: BTreeSet<&str> = info
        .enabled_features
        .iter()
        .map(String::as_str)
        .chain([feature])
        .collect();
    let features: Vec<Value> = features.into_iter().map(Value::from).collect();
    dep.insert("features".into(), features.into());
    Ok(dep)
}

/// How a manifest names the source Cargo resolved `info` from.
fn source_spec(info: &PackageInfo) -> Result<Table, BuildWorkspaceError> {
    let mut dep = Table::new();
    let Some(source) = info.source.as_deref() else {
        let dir = info.manifest_path.parent().unwrap_or(Path::new("."));
        dep.insert("path".into(), dir.display().to_string().into());
        return Ok(dep);
    };
    let exact = format!("={}", info.version);
    if source == CRATES_IO_GIT || source == CRATES_IO_SPARSE {
        dep.insert("version".into(), exact.into());
    } else if let Some(index) = source.strip_prefix("registry+") {
        dep.insert("version".into(), exact.into());
        dep.insert("registry-index".into(), index.into());
    } else if source.starts_with("sparse+") {
        dep.insert("version".into(), exact.into());
        dep.insert("registry-index".into(), source.into());
    } else if let Some(git) = source.strip_prefix("git+") {
        // `git+URL?branch=main#commit`: the same URL and reference give the same source id, so
        // the copied `Cargo.lock` pins the same commit.
        let url = git.split('#').next().unwrap_or(git);
        let (url, query) = url.split_once('?').unwrap_or((url, ""));
        dep.insert("git".into(), url.into());
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            if let Some((key @ ("branch" | "tag" | "rev"), value)) = pair.split_once('=') {
                dep.insert(key.into(), value.into());
            }
        }
    } else {
        return Err(BuildWorkspaceError::Source {
            package: info.name.clone(),
            origin: source.to_string(),
        });
    }
    Ok(dep)
}

/// The user's `[patch]`, `[replace]` and `[profile]` tables, with relative paths made absolute.
fn user_tables(ws: &Workspace) -> Result<Vec<(String, Value)>, BuildWorkspaceError> {
    let path = &ws.manifest_path;
    let text = std::fs::read_to_string(path).map_err(|source| BuildWorkspaceError::Read {
        path: path.clone(),
        source,
    })?;
    let table: Table = text
        .parse()
        .map_err(|e: toml::de::Error| BuildWorkspaceError::Parse {
            path: path.clone(),
            message: e.message().to_string(),
        })?;
    let mut out = Vec::new();
    for key in ["patch", "replace", "profile"] {
        if let Some(mut value) = table.get(key).cloned() {
            if key != "profile" {
                absolutize_paths(&mut value, &ws.root);
            }
            out.push((key.to_string(), value));
        }
    }
    Ok(out)
}

/// Rewrites every `path = "…"` below `value` relative to `base`.
fn absolutize_paths(value: &mut Value, base: &Path) {
    let Value::Table(table) = value else {
        return;
    };
    for (key, item) in table.iter_mut() {
        match item {
            Value::String(path) if key == "path" => {
                *path = base.join(&*path).display().to_string();
            }
            Value::Table(_) => absolutize_paths(item, base),
            _ => {}
        }
    }
}

pub(super) fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<(), BuildWorkspaceError> {
    if std::fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    let write = || {
        std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))?;
        std::fs::write(path, bytes)
    };
    write().map_err(|source| BuildWorkspaceError::Write {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests;
