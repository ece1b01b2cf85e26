//! The parent (`--parent APP`): finding its manifest and giving it the new package as a path
//! dependency with an empty grant.

use std::path::{Path, PathBuf};

use toml_edit::{DocumentMut, InlineTable, Item, Table, Value};

use super::ScaffoldError;
use super::workspace::Workspace;

/// The manifest of the parent package: a path when `parent` looks like one, else a package
/// of the enclosing workspace.
pub(super) fn find_parent(
    parent: &str,
    workspace: Option<&Workspace>,
) -> Result<PathBuf, ScaffoldError> {
    let looks_like_path = parent.contains('/')
        || parent.contains(std::path::MAIN_SEPARATOR)
        || parent.ends_with(".toml")
        || parent == "."
        || parent == "..";
    if !looks_like_path && let Some(ws) = workspace {
        let packages = workspace_packages(&ws.manifest)?;
        if let Some((_, manifest)) = packages.iter().find(|(name, _)| name == parent) {
            return manifest
                .canonicalize()
                .map_err(|source| ScaffoldError::Resolve {
                    path: manifest.clone(),
                    source,
                });
        }
        return Err(ScaffoldError::UnknownParent {
            parent: parent.to_string(),
            workspace: ws.manifest.clone(),
            packages: packages.into_iter().map(|(name, _)| name).collect(),
        });
    }
    let given = Path::new(parent);
    let manifest = if parent.ends_with(".toml") {
        given.to_path_buf()
    } else {
        given.join("Cargo.toml")
    };
    match manifest.canonicalize() {
        Ok(manifest) if manifest.is_file() => Ok(manifest),
        _ if looks_like_path => Err(ScaffoldError::NoParentManifest {
            parent: parent.to_string(),
            manifest,
        }),
        _ => Err(ScaffoldError::NoWorkspace {
            parent: parent.to_string(),
        }),
    }
}

/// Name and manifest of every package of a workspace (`cargo metadata --no-deps`).
fn workspace_packages(manifest: &Path) -> Result<Vec<(String, PathBuf)>, ScaffoldError> {
    let metadata = cargo_metadata::MetadataCommand::new()
        .manifest_path(manifest)
        .no_deps()
        .exec()
        .map_err(|source| ScaffoldError::Metadata {
            workspace: manifest.to_path_buf(),
            source,
        })?;
    Ok(metadata
        .workspace_packages()
        .into_iter()
        .map(|p| {
            (
                p.name.to_string(),
                p.manifest_path.clone().into_std_path_buf(),
            )
        })
        .collect())
}

/// Adds `name = { path = rel }` to the parent's `[dependencies]` and an empty
/// `[package.metadata.nano.grants.NAME]`; returns the parent's package name. `manifest` is the
/// parent's, for errors.
pub(super) fn add_child(
    doc: &mut DocumentMut,
    manifest: &Path,
    name: &str,
    rel: &str,
) -> Result<String, ScaffoldError> {
    let app = doc
        .get("package")
        .and_then(|p| p.get("name"))
        .and_then(Item::as_str)
        .map(str::to_string)
        .ok_or_else(|| ScaffoldError::ParentWithoutName {
            manifest: manifest.to_path_buf(),
        })?;
    if app == name {
        return Err(ScaffoldError::ParentIsNew { parent: app });
    }
    let nano = doc
        .get("package")
        .and_then(|p| p.get("metadata"))
        .and_then(|m| m.get("nano"));
    if !nano.is_some_and(Item::is_table_like) {
        return Err(ScaffoldError::ParentNotNano {
            parent: app,
            manifest: manifest.to_path_buf(),
        });
    }
    let already = doc
        .get("dependencies")
        .and_then(Item::as_table_like)
        .and_then(|deps| {
            deps.iter().find_map(|(key, dep)| {
                let package = dep.get("package").and_then(Item::as_str).unwrap_or(key);
                (key == name || package == name).then(|| key.to_string())
            })
        });
    if let Some(key) = already {
        return Err(ScaffoldError::AlreadyDepends {
            parent: app,
            name: name.to_string(),
            key,
            manifest: manifest.to_path_buf(),
        });
    }
    if !doc.get("dependencies").is_none_or(Item::is_table_like) {
        return Err(ScaffoldError::NotATable {
            key: "dependencies",
            manifest: manifest.to_path_buf(),
        });
    }
    let grants_present = nano
        .and_then(|n| n.get("grants"))
        .map(|g| g.as_table_like().map(|t| t.contains_key(name)));
    match grants_present {
        Some(None) => {
            return Err(ScaffoldError::NotATable {
                key: "package.metadata.nano.grants",
                manifest: manifest.to_path_buf(),
            });
        }
        Some(Some(true)) => {
            return Err(ScaffoldError::GrantExists {
                name: name.to_string(),
                manifest: manifest.to_path_buf(),
            });
        }
        _ => {}
    }

    // The dependency.
    // A new `[dependencies]` goes right after `[package]`, before its metadata tables.
    let package_position = doc
        .get("package")
        .and_then(Item::as_table)
        .and_then(Table::position);
    let deps = doc.entry("dependencies").or_insert_with(|| {
        let mut table = Table::new();
        if let Some(position) = package_position {
            table.set_position(position);
        }
        Item::Table(table)
    });
    let mut dependency = InlineTable::new();
    dependency.insert("path", Value::from(rel));
    let deps = deps.as_table_like_mut().expect("checked above");
    deps.insert(name, Item::Value(Value::InlineTable(dependency)));

    // The grant: an empty table, so everything is denied until someone writes a key.
    let nano = doc["package"]["metadata"]["nano"]
        .as_table_like_mut()
        .expect("checked above");
    let grants = nano.entry("grants").or_insert_with(|| {
        let mut table = Table::new();
        table.set_implicit(true);
        Item::Table(table)
    });
    let comment = format!(
        "\n# What `{app}` passes to its nano child `{name}`. Absent keys are denied: `{name}` gets\n\
         # nothing until a key here grants it, and only from what `{app}` holds itself.\n"
    );
    match grants {
        Item::Table(grants) => {
            let mut grant = Table::new();
            grant.decor_mut().set_prefix(comment);
            grants.insert(name, Item::Table(grant));
        }
        Item::Value(Value::InlineTable(grants)) => {
            grants.insert(name, Value::InlineTable(InlineTable::new()));
        }
        _ => unreachable!("checked above"),
    }
    Ok(app)
}
