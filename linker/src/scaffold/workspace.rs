//! The enclosing Cargo workspace: finding it, whether its `members` already cover the new
//! package (globs matched with the `glob` crate, as Cargo does), and adding it to `members`.

use std::path::{Path, PathBuf};

use glob::{MatchOptions, Pattern};
use toml_edit::{Array, DocumentMut, Item, TableLike, Value};

use super::{ScaffoldError, read_manifest};

/// The `[workspace]` manifest that encloses a directory.
pub(super) struct Workspace {
    /// Its `Cargo.toml`.
    pub(super) manifest: PathBuf,
    /// Its directory.
    pub(super) root: PathBuf,
}

/// The first manifest with a `[workspace]` table in `start` or above it.
pub(super) fn find_workspace(start: &Path) -> Result<Option<Workspace>, ScaffoldError> {
    for dir in start.ancestors() {
        let manifest = dir.join("Cargo.toml");
        if !manifest.is_file() {
            continue;
        }
        let (_, doc) = read_manifest(&manifest)?;
        if doc.get("workspace").is_some_and(Item::is_table_like) {
            return Ok(Some(Workspace {
                manifest,
                root: dir.to_path_buf(),
            }));
        }
    }
    Ok(None)
}

/// Whether the workspace already has the new package.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Membership {
    /// A `members` entry (or glob) already matches it.
    Covered,
    /// The workspace's `exclude` leaves it out (the entry): it stays a workspace of its own.
    Excluded(String),
    /// It must be added to `members`.
    Add,
}

fn workspace_table(doc: &DocumentMut) -> Option<&dyn TableLike> {
    doc.get("workspace").and_then(Item::as_table_like)
}

fn string_list(table: &dyn TableLike, key: &str) -> Vec<String> {
    table
        .get(key)
        .and_then(Item::as_array)
        .map(|a| a.iter().filter_map(|v| v.as_str()).map(clean).collect())
        .unwrap_or_default()
}

/// A workspace path entry without `./` and trailing `/`.
fn clean(entry: &str) -> String {
    let mut e = entry.trim_end_matches('/');
    while let Some(rest) = e.strip_prefix("./") {
        e = rest;
    }
    e.to_string()
}

/// How Cargo's `glob` walk matches `members`: `*`, `?` and `[...]` stay within one path
/// segment, `**` spans segments, case counts.
const MEMBER_MATCH: MatchOptions = MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    require_literal_leading_dot: false,
};

/// Whether the `members` entry `pattern` matches the workspace-relative path `rel`.
pub(super) fn member_matches(
    pattern: &str,
    rel: &str,
    manifest: &Path,
) -> Result<bool, ScaffoldError> {
    let pattern = clean(pattern);
    let compiled = Pattern::new(&pattern).map_err(|source| ScaffoldError::MemberPattern {
        manifest: manifest.to_path_buf(),
        pattern,
        source,
    })?;
    Ok(compiled.matches_with(rel, MEMBER_MATCH))
}

/// Cargo's rule: a path listed (or under a path listed) in `members` is in, even when
/// `exclude` lists it; otherwise a path under an `exclude` entry is out. `manifest` is the
/// workspace's, for errors.
pub(super) fn membership(
    doc: &DocumentMut,
    rel: &str,
    manifest: &Path,
) -> Result<Membership, ScaffoldError> {
    let Some(ws) = workspace_table(doc) else {
        return Ok(Membership::Add);
    };
    let members = string_list(ws, "members");
    for member in &members {
        if member_matches(member, rel, manifest)? {
            return Ok(Membership::Covered);
        }
    }
    let under = |entry: &str| rel == entry || rel.starts_with(&format!("{entry}/"));
    if members.iter().any(|m| under(m)) {
        return Ok(Membership::Add);
    }
    Ok(
        match string_list(ws, "exclude").into_iter().find(|e| under(e)) {
            Some(entry) => Membership::Excluded(entry),
            None => Membership::Add,
        },
    )
}

/// Appends `rel` to `workspace.members`, in the array's own style.
pub(super) fn add_member(
    doc: &mut DocumentMut,
    rel: &str,
    manifest: &Path,
) -> Result<(), ScaffoldError> {
    let ws = doc
        .get_mut("workspace")
        .and_then(Item::as_table_like_mut)
        .expect("checked by find_workspace");
    let members = ws
        .entry("members")
        .or_insert_with(|| Item::Value(Value::Array(Array::new())));
    let Some(members) = members.as_array_mut() else {
        return Err(ScaffoldError::MembersNotArray {
            manifest: manifest.to_path_buf(),
        });
    };
    // In a multi-line array the new entry goes on its own line, indented like the last one (its
    // prefix may also hold the previous line's comment, which stays where it is).
    let indent = members
        .iter()
        .last()
        .and_then(|last| last.decor().prefix()?.as_str()?.rsplit_once('\n'))
        .map(|(_, indent)| indent.to_string());
    match indent {
        Some(indent) => {
            let mut value = Value::from(rel);
            value.decor_mut().set_prefix(format!("\n{indent}"));
            members.push_formatted(value);
        }
        None => members.push(rel),
    }
    Ok(())
}

/// The workspace declares `nanoprocess` in `[workspace.dependencies]`.
pub(super) fn declares_nanoprocess(doc: &DocumentMut) -> bool {
    workspace_table(doc)
        .and_then(|w| w.get("dependencies"))
        .and_then(Item::as_table_like)
        .is_some_and(|deps| deps.contains_key("nanoprocess"))
}
