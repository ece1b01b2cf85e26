//! Which key of which file each grant error and lock error is about, and its label.

use std::path::Path;

use linker::lock::LockError;
use linker::policy::{Subject, Violation};
use manifest_schema::Part;
use manifest_schema::span;

use super::{Diagnostic, Files, Mark};

/// Key path of the nano table.
const NANO: &str = "package.metadata.nano";

/// What `cargo nano lock` says to do with a broken lock (as `linker::lock` says it).
const REGENERATE: &str =
    "regenerate it with `cargo nano lock --update` and review the result with `git diff`";

/// `key` as one segment of a key path: bare, or quoted when it must be (dependency and slot
/// names are always bare; this keeps any other name findable).
fn segment(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if bare {
        key.to_owned()
    } else {
        serde_json::Value::String(key.to_owned()).to_string()
    }
}

/// The key path and array item of a capability in the grant `grant` (`env` with the variable,
/// `dirs.SLOT`, `limits.memory`).
fn grant_key(grant: &str, capability: &str, value: Option<&str>) -> (String, Option<String>) {
    let base = format!("{NANO}.grants.{}.{}", segment(grant), segment(capability));
    match (capability, value) {
        ("dirs", Some(slot)) => (format!("{base}.{}", segment(slot)), None),
        // `memory 16 MiB`: the limit's key, then its value.
        ("limits", Some(limit)) => {
            let key = limit.split(' ').next().unwrap_or(limit);
            (format!("{base}.{}", segment(key)), None)
        }
        (_, value) => (base, value.map(str::to_owned)),
    }
}

/// A policy or grant violation, with the place in its manifest: the grant that gives too much,
/// the grant that lacks what the child requests, or the requests that lack what the code
/// reaches.
pub fn violation(v: &Violation, files: &mut Files, color: bool) -> String {
    let text = files.text(&v.manifest_path);
    let mark = match &v.subject {
        Subject::BeyondHoldings {
            key,
            capability,
            value,
        } => {
            let (path, item) = grant_key(key, capability, value.as_deref());
            let label = format!("granted here, but `{}` does not hold it", v.package);
            Mark::at(text, &path, item.as_deref(), Part::Value, label, |_| {
                format!("in this grant to `{key}`")
            })
        }
        Subject::Ungranted {
            key,
            capability,
            value,
            ..
        } => {
            let (path, item) = grant_key(key, capability, value.as_deref());
            let grant = format!("{NANO}.grants.{}", segment(key));
            let granted = text
                .and_then(|t| span::locate(t, &grant))
                .is_some_and(|l| l.missing.is_none());
            let label = if granted {
                format!("the grant to `{key}` does not include it")
            } else {
                format!("no grant to `{key}` here")
            };
            Mark::at(
                text,
                &path,
                item.as_deref(),
                Part::Value,
                label.clone(),
                |_| label,
            )
        }
        Subject::Reach { capability, .. } => {
            let key = capability.split(' ').next().unwrap_or(capability);
            let path = format!("{NANO}.requests.{}", segment(key));
            let label = "the requests do not include it".to_owned();
            Mark::at(text, &path, None, Part::Value, label, |_| {
                format!("no `{key}` in the requests")
            })
        }
    };
    Diagnostic {
        title: v.message.clone(),
        file: &v.manifest_path,
        text,
        marks: vec![mark],
        notes: v.notes.clone(),
        help: Some(v.help.clone()),
    }
    .render(color)
}

/// A grant to something that is not a nano child of the granter.
pub fn unknown_grant(
    package: &str,
    name: &str,
    manifest: &Path,
    help: &str,
    files: &mut Files,
    color: bool,
) -> String {
    let text = files.text(manifest);
    let path = format!("{NANO}.grants.{}", segment(name));
    let label = format!("not a nano dependency of `{package}`");
    let mark = Mark::at(text, &path, None, Part::Key, label.clone(), |_| label);
    Diagnostic {
        title: format!(
            "package `{package}` grants capabilities to `{name}`, which is not one of its nano dependencies"
        ),
        file: manifest,
        text,
        marks: vec![mark],
        notes: Vec::new(),
        help: Some(help.to_owned()),
    }
    .render(color)
}

/// A lock that cannot be read as TOML or holds a merge conflict, with the place in the file;
/// `None` for any other lock error (and for a lock read from git, which is no file to show).
pub fn lock_error(err: &LockError, files: &mut Files, color: bool) -> Option<String> {
    let (origin, title, help) = match err {
        LockError::Corrupt { origin, .. } => (origin, "invalid lock file", REGENERATE.into()),
        LockError::Conflict { origin, .. } => (
            origin,
            "merge conflict marker in lock file",
            format!("take either side of the conflict, then {REGENERATE}"),
        ),
        _ => return None,
    };
    let file = Path::new(origin);
    let text = files.text(file)?;
    let mark = match err {
        LockError::Conflict { line, .. } => {
            let start: usize = text
                .split_inclusive('\n')
                .take(line.saturating_sub(1))
                .map(str::len)
                .sum();
            let end = text[start..].find('\n').map_or(text.len(), |n| start + n);
            Mark {
                range: Some(start..end),
                label: "conflict marker".to_owned(),
            }
        }
        _ => {
            // A syntax error, or a value of the wrong type in a lock of the current format
            // (read again here for its place: the linker reads a parsed table, which has none).
            let error = span::syntax_error(text).or_else(|| {
                let legacy = text
                    .parse::<toml::Table>()
                    .is_ok_and(|t| t.get("version") == Some(&toml::Value::Integer(1)));
                (!legacy)
                    .then(|| span::read_error::<manifest_schema::lockfile::NanoLock>(text))
                    .flatten()
            })?;
            Mark {
                range: Some(error.range),
                label: error.message,
            }
        }
    };
    let name = file
        .file_name()
        .map_or_else(|| origin.clone(), |n| n.to_string_lossy().into_owned());
    Some(
        Diagnostic {
            title: format!("{title} `{name}`"),
            file,
            text: Some(text),
            marks: vec![mark],
            notes: Vec::new(),
            help: Some(help),
        }
        .render(color),
    )
}
