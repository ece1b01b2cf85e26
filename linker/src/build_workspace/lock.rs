//! The generated workspace's `Cargo.lock`: seeded from the user's, and compared with it under
//! `--locked`.

use std::collections::BTreeSet;
use std::path::Path;

use toml::{Table, Value};

use super::{BuildWorkspaceError, dir_of, write_if_changed};
use crate::graph::NanoPackage;
use crate::workspace::Workspace;

/// Writes the generated workspace's `Cargo.lock`: the user's, plus the packages an earlier build
/// of the generated workspace resolved that the user's lock does not hold. Those are the crates
/// only the nano features pull in for a package outside the workspace (`wit-bindgen` through
/// `nanoprocess/bindings`): Cargo locks optional dependencies of non-members only when a feature
/// enables them, so they are never in the user's lock, and keeping them here keeps their versions
/// (and the build offline) from one build to the next.
pub(super) fn seed_lock(user: &Path, generated: &Path) -> Result<(), BuildWorkspaceError> {
    let Ok(mut text) = std::fs::read_to_string(user) else {
        return Ok(());
    };
    if let Ok(previous) = std::fs::read_to_string(generated) {
        // Only crates the user's lock does not hold in a compatible version: a crate it holds
        // keeps the user's version, never a stale one from an earlier build.
        let held: BTreeSet<_> = lock_entries(&text, user)?
            .iter()
            .map(|p| range_key(&entry_key(p)))
            .collect();
        let extra: Vec<Value> = lock_entries(&previous, generated)?
            .into_iter()
            .filter(|p| {
                let key = entry_key(p);
                !key.0.starts_with("nano-build-") && !held.contains(&range_key(&key))
            })
            .map(Value::Table)
            .collect();
        if !extra.is_empty() {
            let mut tail = Table::new();
            tail.insert("package".into(), Value::Array(extra));
            let tail = toml::to_string(&tail).map_err(|e| BuildWorkspaceError::Parse {
                path: generated.to_path_buf(),
                message: e.to_string(),
            })?;
            if !text.ends_with('\n') {
                text.push('\n');
            }
            text.push('\n');
            text.push_str(&tail);
        }
    }
    write_if_changed(generated, text.as_bytes())
}

/// With `--locked`: checks that where the generated workspace of `package` resolved a crate in a
/// semver range the user's `Cargo.lock` holds, it picked the user's version, so the build used
/// the user's versions. Crates the user's lock cannot hold (see [`seed_lock`]) — new crates or
/// other major versions of held ones — are not compared.
pub fn check_locked(ws: &Workspace, package: &NanoPackage) -> Result<(), BuildWorkspaceError> {
    let user_path = ws.root.join("Cargo.lock");
    let generated_path = dir_of(ws, &package.info).join("Cargo.lock");
    let user = lock_entries(&read(&user_path)?, &user_path)?;
    let generated = lock_entries(&read(&generated_path)?, &generated_path)?;
    let held: BTreeSet<_> = user.iter().map(entry_key).collect();
    let ranges: BTreeSet<_> = held.iter().map(range_key).collect();
    let differ: Vec<String> = generated
        .iter()
        .map(entry_key)
        .filter(|key| ranges.contains(&range_key(key)) && !held.contains(key))
        .map(|(name, version, _)| format!("`{name} {version}`"))
        .collect();
    if differ.is_empty() {
        return Ok(());
    }
    Err(BuildWorkspaceError::Unlocked {
        package: package.info.name.clone(),
        lock: user_path,
        extra: differ.join(", "),
    })
}

fn read(path: &Path) -> Result<String, BuildWorkspaceError> {
    std::fs::read_to_string(path).map_err(|source| BuildWorkspaceError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// The `[[package]]` entries of a `Cargo.lock`.
pub(super) fn lock_entries(text: &str, path: &Path) -> Result<Vec<Table>, BuildWorkspaceError> {
    let table: Table = text
        .parse()
        .map_err(|e: toml::de::Error| BuildWorkspaceError::Parse {
            path: path.to_path_buf(),
            message: e.message().to_string(),
        })?;
    Ok(table
        .get("package")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_table)
        .cloned()
        .collect())
}

/// (name, source, semver-compatible range) of a lock entry: Cargo picks one version per range,
/// so two entries with the same range key are the same dependency at two versions.
fn range_key((name, version, source): &(String, String, String)) -> (String, String, String) {
    let range = match semver::Version::parse(version) {
        Ok(v) if v.major > 0 => v.major.to_string(),
        Ok(v) if v.minor > 0 => format!("0.{}", v.minor),
        Ok(v) => format!("0.0.{}", v.patch),
        Err(_) => version.clone(),
    };
    (name.clone(), source.clone(), range)
}

/// (name, version, source) of a lock entry.
pub(super) fn entry_key(p: &Table) -> (String, String, String) {
    let field = |key: &str| p.get(key).and_then(Value::as_str).unwrap_or("").to_string();
    (field("name"), field("version"), field("source"))
}
