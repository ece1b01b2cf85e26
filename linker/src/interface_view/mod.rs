//! Interface views: each parent is built against an interface-only view of its nano children.
//!
//! A parent's build compiles each nano child with `nano-import`, where the child's boundary
//! functions become calls to its component and its implementation is left out. Cargo still
//! tracks the child's source files for that compile, so a change to the child's implementation
//! recompiled every package above it. The view of a child is a file under
//! `target/nano/interfaces/` holding only what that compile keeps ([`extract`]); cargo-nano's
//! rustc wrapper compiles the child's import-only unit from it
//! (`build_sandbox::interface_view`), so rustc's dep-info names the view, and the view is
//! rewritten only when its text changes. A change behind the boundary then rebuilds that
//! package alone.
//!
//! Cargo also compiles a parent's grandchildren, natively, because its children depend on them;
//! a view never names a nano child, so nothing of those compiles is linked. Where every nano
//! package between the top and a grandchild has a view, that compile is of a placeholder (an
//! empty crate), so the grandchild's changes do not reach its grandparents either.
//!
//! A child whose crate holds anything else a parent could see or link is built from its full
//! source ([`FullSource`]), as before, and so are the native compiles below it: the view never
//! changes what a parent compiles. Nano builds have a Cargo profile of their own
//! ([`crate::cargo_flags::CargoFlags::nano_profile`]), so these units never meet a plain
//! `cargo build`'s.

mod extract;
mod predicates;
#[cfg(test)]
mod tests;

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub use build_sandbox::interface_view::{ENV_VIEWS, Views};
pub use extract::{FullSource, view};

use crate::graph::{NanoGraph, PackageInfo};

/// An error writing an interface view or a placeholder.
#[derive(Debug, thiserror::Error)]
#[error("failed to write `{path}`, for the builds of package `{package}`'s parents")]
pub struct InterfaceViewError {
    /// The nano package.
    pub package: String,
    /// The file.
    pub path: PathBuf,
    /// The cause.
    #[source]
    pub source: std::io::Error,
}

/// The files the compiles of one build read instead of crate roots.
#[derive(Debug, Default)]
pub struct ViewPlan {
    /// What the rustc wrapper reads ([`ENV_VIEWS`]).
    pub views: Views,
    /// The packages built from their full source, and why.
    pub full_source: Vec<(String, FullSource)>,
}

impl ViewPlan {
    /// The environment for the Cargo commands of the build: [`ENV_VIEWS`], when any package has
    /// a view or a placeholder.
    pub fn env(&self) -> Option<(String, OsString)> {
        if self.views.import.is_empty() && self.views.native.is_empty() {
            return None;
        }
        // Paths and strings: always serializes.
        let json = serde_json::to_string(&self.views).unwrap_or_default();
        Some((ENV_VIEWS.to_string(), json.into()))
    }
}

/// Writes the view of every nano package but the top one, and the placeholders of the native
/// compiles no nano build links; removes those that no longer apply (so that a unit compiled
/// from one is compiled again). A file is rewritten only when its text changed, so that Cargo
/// finds the units compiled from it fresh.
pub fn plan(graph: &NanoGraph, target_dir: &Path) -> Result<ViewPlan, InterfaceViewError> {
    let mut out = ViewPlan::default();
    let mut viewed = vec![false; graph.packages.len()];
    for (index, pkg) in graph.packages.iter().enumerate() {
        let info = &pkg.info;
        let (Some(root), false) = (&info.lib, index == graph.root) else {
            continue;
        };
        let files = Files::new(target_dir, info);
        let children: Vec<String> = pkg
            .children
            .iter()
            .map(|c| c.name.replace('-', "_"))
            .collect();
        let result = std::fs::canonicalize(root)
            .map_err(|e| FullSource {
                file: root.clone(),
                line: 0,
                reason: format!("cannot be read ({e})"),
            })
            .and_then(|canonical| Ok((view(&canonical, &children)?, canonical)));
        match result {
            Ok((text, canonical)) => {
                files.write(&files.view, &header(info, "interface view", &text))?;
                out.views.import.insert(canonical, files.view.clone());
                viewed[index] = true;
            }
            Err(why) => {
                files.remove(&files.view)?;
                out.full_source.push((info.name.clone(), why));
            }
        }
    }
    for (index, pkg) in graph.packages.iter().enumerate() {
        let info = &pkg.info;
        let (Some(root), false) = (&info.lib, index == graph.root) else {
            continue;
        };
        let files = Files::new(target_dir, info);
        let canonical = std::fs::canonicalize(root).ok();
        match canonical.filter(|_| unlinked(graph, &viewed, index)) {
            Some(canonical) => {
                let text = "#![allow(warnings)]\n";
                files.write(&files.placeholder, &header(info, "placeholder", text))?;
                out.views
                    .native
                    .insert(canonical, files.placeholder.clone());
            }
            None => files.remove(&files.placeholder)?,
        }
    }
    Ok(out)
}

/// Whether no nano build links the native compile of package `index`: it is below a child of
/// the top package, and every nano package above it but the top one has a view.
fn unlinked(graph: &NanoGraph, viewed: &[bool], index: usize) -> bool {
    parents(graph, index).any(|p| p != graph.root) && viewed_above(graph, viewed, index)
}

/// Whether every nano package above `index` but the top one has a view.
fn viewed_above(graph: &NanoGraph, viewed: &[bool], index: usize) -> bool {
    // The graph has no cycle (`graph::build_graph` refuses one), so this ends.
    parents(graph, index).all(|p| p == graph.root || (viewed[p] && viewed_above(graph, viewed, p)))
}

fn parents(graph: &NanoGraph, index: usize) -> impl Iterator<Item = usize> + '_ {
    (0..graph.packages.len()).filter(move |&p| {
        graph.packages[p]
            .children
            .iter()
            .any(|c| c.package == index)
    })
}

/// The view and placeholder files of one package:
/// `target/nano/interfaces/<name>-<version>-<hash of the package id>/`.
struct Files<'a> {
    info: &'a PackageInfo,
    view: PathBuf,
    placeholder: PathBuf,
}

impl<'a> Files<'a> {
    fn new(target_dir: &Path, info: &'a PackageInfo) -> Self {
        let hash = hex::encode(&Sha256::digest(info.id.as_bytes())[..6]);
        let dir = target_dir
            .join("nano")
            .join("interfaces")
            .join(format!("{}-{}-{hash}", info.name, info.version));
        Files {
            info,
            view: dir.join("view.rs"),
            placeholder: dir.join("placeholder.rs"),
        }
    }

    fn error(&self, path: &Path, source: std::io::Error) -> InterfaceViewError {
        InterfaceViewError {
            package: self.info.name.clone(),
            path: path.to_path_buf(),
            source,
        }
    }

    fn write(&self, path: &Path, text: &str) -> Result<(), InterfaceViewError> {
        if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
            return Ok(());
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| self.error(path, e))?;
        }
        crate::pipeline::write_atomic(path, text.as_bytes()).map_err(|e| self.error(path, e))
    }

    fn remove(&self, path: &Path) -> Result<(), InterfaceViewError> {
        match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(self.error(path, e)),
            _ => Ok(()),
        }
    }
}

fn header(info: &PackageInfo, what: &str, text: &str) -> String {
    format!(
        "// The {what} of `{}` {}, written by `cargo nano build` for the compiles of it that\n\
         // its parents' builds make. Do not edit: it is rewritten from the crate's source.\n\n{text}",
        info.name, info.version
    )
}
