//! `cargo nano new --lib NAME [--parent APP] [--nanoprocess-path DIR]`: scaffolds a nano package
//! with a `#[nanoprocess::boundary]`, adds it to the enclosing Cargo workspace's `members` and,
//! with a parent, to the parent's dependencies with an empty grant.
//!
//! [`new_package`] checks everything and computes every new text before the first byte is
//! written; a failed write puts back what was already written. Manifests are edited with
//! `toml_edit`, keeping their comments and layout.

mod error;
mod name;
mod parent;
mod paths;
mod templates;
mod workspace;

#[cfg(test)]
mod tests;

use std::fmt;
use std::path::{Path, PathBuf};

use toml_edit::{DocumentMut, Item};

pub use error::ScaffoldError;
use paths::{absolute, first_missing, relative, shown};
use workspace::Membership;

/// What to create.
#[derive(Debug, Clone, Default)]
pub struct NewOptions {
    /// The directory to create, relative to the current directory; its last component is the
    /// package name.
    pub path: PathBuf,
    /// The parent: a package of the enclosing workspace, or the path to its directory or
    /// `Cargo.toml`.
    pub parent: Option<String>,
    /// A local checkout of the `nanoprocess` crate (its directory or `Cargo.toml`) to depend on
    /// by a relative path instead of on the registry.
    pub nanoprocess_path: Option<PathBuf>,
}

/// What [`new_package`] created and changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scaffold {
    /// The package name.
    pub name: String,
    /// The package directory, absolute.
    pub dir: PathBuf,
    /// The changes to existing manifests (and the one left out), in order.
    pub changes: Vec<Change>,
}

/// A change to an existing manifest; its `Display` is one line for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The package was added to the workspace's `members`.
    Member {
        /// The workspace manifest.
        workspace: PathBuf,
        /// The entry added.
        entry: String,
    },
    /// The workspace's `exclude` leaves the package out; the workspace was not touched.
    Excluded {
        /// The workspace manifest.
        workspace: PathBuf,
        /// The `exclude` entry.
        entry: String,
    },
    /// The parent depends on the package and grants it nothing.
    Child {
        /// The parent's package name.
        parent: String,
        /// The parent's manifest.
        manifest: PathBuf,
        /// The new package's name.
        name: String,
    },
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::Member { workspace, entry } => write!(
                f,
                "added `{entry}` to the members of the workspace `{}`",
                shown(workspace)
            ),
            Change::Excluded { workspace, entry } => write!(
                f,
                "not added to the workspace `{}`: its `exclude` lists `{entry}`",
                shown(workspace)
            ),
            Change::Child {
                parent,
                manifest,
                name,
            } => write!(
                f,
                "added `{name}` to the dependencies of `{parent}` in `{}`, with an empty grant: \
                 `{name}` gets nothing until `[package.metadata.nano.grants.{name}]` there \
                 grants it",
                shown(manifest)
            ),
        }
    }
}

/// Creates the package `options` describes, joins it to the enclosing workspace and, with a
/// parent, wires it to the parent. Nothing is written unless everything checks.
pub fn new_package(options: &NewOptions) -> Result<Scaffold, ScaffoldError> {
    let plan = plan(options)?;
    apply(&plan)?;
    Ok(Scaffold {
        name: plan.name,
        dir: plan.dir,
        changes: plan.changes,
    })
}

/// What `new` will write.
struct Plan {
    /// The package name.
    name: String,
    /// The package directory (absolute), created with its parents.
    dir: PathBuf,
    /// New files, absolute paths.
    files: Vec<(PathBuf, String)>,
    /// Edited manifests, at most one per file.
    edits: Vec<Edit>,
    /// What the edits do, for the report.
    changes: Vec<Change>,
}

/// One manifest to rewrite.
struct Edit {
    path: PathBuf,
    before: String,
    doc: DocumentMut,
}

/// Checks everything and computes every text; writes nothing.
fn plan(options: &NewOptions) -> Result<Plan, ScaffoldError> {
    let path = options.path.as_path();
    let name = name::package_name(path)?;
    let dir = absolute(path).map_err(|source| ScaffoldError::Resolve {
        path: path.to_path_buf(),
        source,
    })?;
    if path.exists() || dir.exists() {
        return Err(ScaffoldError::Exists {
            path: path.to_path_buf(),
        });
    }
    let mut edits: Vec<Edit> = Vec::new();
    let mut changes = Vec::new();

    // The enclosing workspace: the first `[workspace]` manifest above the new directory.
    let workspace = workspace::find_workspace(dir.parent().unwrap_or(&dir))?;
    let mut inherit = false;
    if let Some(ws) = &workspace {
        let rel = relative(&ws.root, &dir);
        let edit = edit_for(&mut edits, &ws.manifest)?;
        let member = match workspace::membership(&edit.doc, &rel, &ws.manifest)? {
            Membership::Covered => true,
            Membership::Excluded(entry) => {
                changes.push(Change::Excluded {
                    workspace: ws.manifest.clone(),
                    entry,
                });
                false
            }
            Membership::Add => {
                workspace::add_member(&mut edit.doc, &rel, &ws.manifest)?;
                changes.push(Change::Member {
                    workspace: ws.manifest.clone(),
                    entry: rel,
                });
                true
            }
        };
        inherit = member && workspace::declares_nanoprocess(&edit.doc);
    }

    // The `nanoprocess` dependency line.
    let local = match &options.nanoprocess_path {
        Some(given) => Some(nanoprocess_dir(given)?),
        None => None,
    };
    let dependency = templates::nanoprocess_dependency(&dir, local.as_deref(), inherit);

    // The parent: a path dependency and an empty grant.
    if let Some(parent) = &options.parent {
        let manifest = parent::find_parent(parent, workspace.as_ref())?;
        let rel = relative(manifest.parent().unwrap_or(&manifest), &dir);
        let edit = edit_for(&mut edits, &manifest)?;
        let app = parent::add_child(&mut edit.doc, &manifest, &name, &rel)?;
        changes.push(Change::Child {
            parent: app,
            manifest,
            name: name.clone(),
        });
    }

    Ok(Plan {
        files: vec![
            (
                dir.join("Cargo.toml"),
                templates::manifest(&name, &dependency),
            ),
            (dir.join("src").join("lib.rs"), templates::lib(&name)),
        ],
        name,
        dir,
        edits,
        changes,
    })
}

/// Writes the plan; on a failed write, puts back what was written before it.
fn apply(plan: &Plan) -> Result<(), ScaffoldError> {
    let created = first_missing(&plan.dir);
    let undo = |edited: &[&Edit]| {
        for edit in edited {
            let _ = std::fs::write(&edit.path, &edit.before);
        }
        if let Some(top) = &created {
            let _ = std::fs::remove_dir_all(top);
        }
    };
    for (path, text) in &plan.files {
        let written = std::fs::create_dir_all(path.parent().unwrap_or(&plan.dir))
            .and_then(|()| std::fs::write(path, text));
        if let Err(source) = written {
            undo(&[]);
            return Err(ScaffoldError::Write {
                path: path.clone(),
                source,
            });
        }
    }
    let mut done: Vec<&Edit> = Vec::new();
    for edit in &plan.edits {
        let text = edit.doc.to_string();
        if text == edit.before {
            continue;
        }
        if let Err(source) = std::fs::write(&edit.path, text) {
            undo(&done);
            return Err(ScaffoldError::Write {
                path: edit.path.clone(),
                source,
            });
        }
        done.push(edit);
    }
    Ok(())
}

/// A manifest's text and its editable document.
fn read_manifest(path: &Path) -> Result<(String, DocumentMut), ScaffoldError> {
    let text = std::fs::read_to_string(path).map_err(|source| ScaffoldError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let doc = text
        .parse::<DocumentMut>()
        .map_err(|source| ScaffoldError::Toml {
            path: path.to_path_buf(),
            source,
        })?;
    Ok((text, doc))
}

/// The pending edit of `path`, read on first use.
fn edit_for<'a>(edits: &'a mut Vec<Edit>, path: &Path) -> Result<&'a mut Edit, ScaffoldError> {
    if let Some(i) = edits.iter().position(|e| e.path == path) {
        return Ok(&mut edits[i]);
    }
    let (before, doc) = read_manifest(path)?;
    edits.push(Edit {
        path: path.to_path_buf(),
        before,
        doc,
    });
    Ok(edits.last_mut().expect("just pushed"))
}

/// The directory of the `nanoprocess` crate given as `given` (its directory, or its
/// `Cargo.toml`), checked by the package name in its manifest.
fn nanoprocess_dir(given: &Path) -> Result<PathBuf, ScaffoldError> {
    let candidate = if given.file_name().is_some_and(|n| n == "Cargo.toml") {
        given.to_path_buf()
    } else {
        given.join("Cargo.toml")
    };
    let manifest = candidate
        .canonicalize()
        .map_err(|_| ScaffoldError::NoNanoprocess {
            given: given.to_path_buf(),
            manifest: candidate.clone(),
        })?;
    let (_, doc) = read_manifest(&manifest)?;
    let name = doc
        .get("package")
        .and_then(|p| p.get("name"))
        .and_then(Item::as_str);
    if name != Some("nanoprocess") {
        return Err(ScaffoldError::NotNanoprocess {
            given: given.to_path_buf(),
            manifest,
        });
    }
    Ok(manifest
        .parent()
        .map_or_else(|| manifest.clone(), Path::to_path_buf))
}
