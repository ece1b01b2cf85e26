//! `cargo nano run --audit --write`: adds the missing requests and grants to the manifests of the
//! workspace, keeping the rest of each file as it was (`toml_edit`).

use std::path::PathBuf;

use manifest_schema::Capabilities;
use toml_edit::{Array, DocumentMut, InlineTable, Item, Table, Value};

use super::PackageNeeds;
use super::needs::union;

/// An error writing a manifest.
#[derive(Debug, thiserror::Error)]
pub enum AuditWriteError {
    /// The manifest could not be read or written.
    #[error("failed to {action} manifest `{path}`")]
    Io {
        /// `read` or `write`.
        action: &'static str,
        /// The manifest.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The manifest is not TOML any more, or its nano table is not a table.
    #[error("manifest `{path}` has no `[package.metadata.nano]` table to add to ({reason})")]
    Shape {
        /// The manifest.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

/// Adds what each local package of `needs` misses to its manifest; returns the manifests
/// written. Packages from a registry or git are left alone (their authors must request it).
pub fn write(needs: &[PackageNeeds]) -> Result<Vec<PathBuf>, AuditWriteError> {
    let mut written = Vec::new();
    for n in needs.iter().filter(|n| n.local && !n.satisfied()) {
        let path = &n.manifest_path;
        let text = std::fs::read_to_string(path).map_err(|source| AuditWriteError::Io {
            action: "read",
            path: path.clone(),
            source,
        })?;
        let mut doc: DocumentMut =
            text.parse()
                .map_err(|e: toml_edit::TomlError| AuditWriteError::Shape {
                    path: path.clone(),
                    reason: e.message().to_string(),
                })?;
        let shape = |reason: &str| AuditWriteError::Shape {
            path: path.clone(),
            reason: reason.to_string(),
        };
        let nano = doc
            .get_mut("package")
            .and_then(|p| p.get_mut("metadata"))
            .and_then(|m| m.get_mut("nano"))
            .and_then(Item::as_table_like_mut)
            .ok_or_else(|| shape("it is missing"))?;
        let requests =
            sub_table(nano, "requests").ok_or_else(|| shape("`requests` is not a table"))?;
        add(requests, &n.missing_requests);
        for (child, missing) in n.missing_grants.iter().filter(|(_, m)| !m.is_empty()) {
            let grants =
                sub_table(nano, "grants").ok_or_else(|| shape("`grants` is not a table"))?;
            let grant = sub_table(grants, child)
                .ok_or_else(|| shape(&format!("`grants.{child}` is not a table")))?;
            add(grant, missing);
        }
        crate::pipeline::write_atomic(path, doc.to_string().as_bytes()).map_err(|source| {
            AuditWriteError::Io {
                action: "write",
                path: path.clone(),
                source,
            }
        })?;
        written.push(path.clone());
    }
    Ok(written)
}

/// The table `key` of `parent`, created (as a `[section]`) when absent.
fn sub_table<'a>(
    parent: &'a mut dyn toml_edit::TableLike,
    key: &str,
) -> Option<&'a mut dyn toml_edit::TableLike> {
    if parent.get(key).is_none() {
        let mut t = Table::new();
        t.set_implicit(key == "grants");
        parent.insert(key, Item::Table(t));
    }
    parent.get_mut(key)?.as_table_like_mut()
}

/// Adds `more` to the request or grant table `t`: each key with something new gets the union of
/// what it had and what is new.
fn add(t: &mut dyn toml_edit::TableLike, more: &Capabilities) {
    let mut have = read(t);
    union(&mut have, more);
    if !more.dirs.is_empty() {
        let mut dirs = t
            .get("dirs")
            .and_then(Item::as_inline_table)
            .cloned()
            .unwrap_or_else(InlineTable::new);
        for (slot, access) in &more.dirs {
            dirs.insert(slot, Value::from(access.as_str()));
        }
        t.insert("dirs", Item::Value(Value::InlineTable(dirs)));
    }
    let strings = |items: Vec<String>| Item::Value(Value::Array(Array::from_iter(items)));
    if !more.env.is_empty() {
        t.insert("env", strings(have.env.iter().cloned().collect()));
    }
    if !more.stdio.is_empty() {
        t.insert(
            "stdio",
            strings(have.stdio.iter().map(|s| s.to_string()).collect()),
        );
    }
    if !more.clocks.is_empty() {
        t.insert(
            "clocks",
            strings(have.clocks.iter().map(|c| c.to_string()).collect()),
        );
    }
    if more.random {
        t.insert("random", Item::Value(Value::from(true)));
    }
    if !more.network.is_empty() {
        t.insert(
            "network",
            strings(have.network.iter().map(|e| e.to_string()).collect()),
        );
    }
    if more.args {
        t.insert("args", Item::Value(Value::from(true)));
    }
}

/// The lists a table already holds, as far as they parse; the schema validated them at build.
fn read(t: &dyn toml_edit::TableLike) -> Capabilities {
    let list = |key: &str| -> Vec<String> {
        t.get(key)
            .and_then(Item::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    Capabilities {
        env: list("env").into_iter().collect(),
        stdio: list("stdio").iter().filter_map(|s| parse(s)).collect(),
        clocks: list("clocks").iter().filter_map(|s| parse(s)).collect(),
        network: list("network")
            .iter()
            .filter_map(|s| s.parse().ok())
            .collect(),
        ..Capabilities::default()
    }
}

fn parse<T: serde::de::DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
}
