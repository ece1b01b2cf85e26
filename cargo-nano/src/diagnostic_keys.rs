//! Which key of which file each grant error and lock error is about, and its label.

use std::path::Path;

use linker::lock::LockError;
use linker::policy::{Place, Subject, Violation};
use manifest_schema::Part;
use manifest_schema::span;

use super::{Diagnostic, Files, Mark, Source};

/// Key path of the nano table.
const NANO: &str = "package.metadata.nano";

/// What `cargo nano lock` says to do with a broken lock (as `linker::lock` says it).
const REGENERATE: &str =
    "regenerate it with `cargo nano lock --update` and review the result with `git diff`";

/// The mark of `place` in `text`, labelled `label`.
fn mark(text: Option<&str>, place: &Place, label: String) -> Mark {
    Mark::at(text, &place.key, place.item.as_deref(), Part::Value, label)
}

/// A policy or grant violation at its place in its manifest: the grant that gives too much, the
/// grant that lacks what the child requests (and the request, in the child's manifest), or the
/// requests that lack what the code reaches.
pub fn violation(v: &Violation, files: &mut Files, color: bool) -> String {
    let text = files.text(&v.manifest_path);
    let label = match &v.subject {
        Subject::BeyondHoldings { .. } => {
            format!("granted here, but `{}` does not hold it", v.package)
        }
        Subject::Ungranted { key, .. } => {
            let grant = span::child_key(&format!("{NANO}.grants"), key);
            let granted = text
                .as_deref()
                .and_then(|t| span::locate(t, &grant))
                .is_some_and(|l| l.missing.is_none());
            if granted {
                format!("the grant to `{key}` does not include it")
            } else {
                format!("no grant to `{key}` here")
            }
        }
        Subject::Reach { .. } => {
            let found = text
                .as_deref()
                .and_then(|t| span::locate(t, &v.place.key))
                .is_some_and(|l| l.missing.is_none());
            let key = span::parse_key_path(&v.place.key).and_then(|path| match path.last() {
                Some(span::Segment::Key(key)) => Some(key.clone()),
                _ => None,
            });
            match (found, key) {
                (false, Some(key)) => format!("no `{key}` in the requests"),
                _ => "the requests do not include it".to_owned(),
            }
        }
    };
    let mut sources = vec![Source {
        file: &v.manifest_path,
        marks: vec![mark(text.as_deref(), &v.place, label)],
        text,
    }];
    if let Some((file, place)) = &v.requested {
        let text = files.text(file);
        // Only where it is written: a request is never missing from its own manifest.
        let found = text
            .as_deref()
            .and_then(|t| span::locate(t, &place.key))
            .is_some_and(|l| l.missing.is_none());
        if found {
            sources.push(Source {
                file,
                marks: vec![mark(text.as_deref(), place, "requested here".into())],
                text,
            });
        }
    }
    Diagnostic {
        title: v.message.clone(),
        sources,
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
    let path = span::child_key(&format!("{NANO}.grants"), name);
    let label = format!("not a nano dependency of `{package}`");
    let mark = Mark::at(text.as_deref(), &path, None, Part::Key, label);
    Diagnostic {
        title: format!(
            "package `{package}` grants capabilities to `{name}`, which is not one of its nano dependencies"
        ),
        sources: vec![Source {
            file: manifest,
            text,
            marks: vec![mark],
        }],
        notes: Vec::new(),
        help: Some(help.to_owned()),
    }
    .render(color)
}

/// An invalid `[workspace.metadata.nano.build]` entry (`key` is the dotted key below `build`;
/// `shown` the error as the library displays it, whose `= help:` line is kept).
pub fn build_permission(
    path: &Path,
    key: &str,
    problem: &str,
    shown: &str,
    files: &mut Files,
    color: bool,
) -> String {
    let text = files.text(path);
    let full = match key {
        "" => "workspace.metadata.nano.build".to_owned(),
        key => format!("workspace.metadata.nano.build.{key}"),
    };
    // An unknown key is wrong by its name; anything else by its value.
    let part = if problem.starts_with("unknown key") {
        Part::Key
    } else {
        Part::Value
    };
    let mark = Mark::at(text.as_deref(), &full, None, part, problem.to_owned());
    Diagnostic {
        title: format!("invalid build permission `{full}`"),
        sources: vec![Source {
            file: path,
            text,
            marks: vec![mark],
        }],
        notes: Vec::new(),
        help: shown
            .split_once("= help: ")
            .map(|(_, help)| help.trim().to_owned()),
    }
    .render(color)
}

/// A lock that cannot be read as TOML or holds a merge conflict, with the place in the file;
/// `None` for any other lock error (and for a lock read from git, which is no file to show).
pub fn lock_error(err: &LockError, files: &mut Files, color: bool) -> Option<String> {
    let origin = match err {
        LockError::Corrupt { origin, .. }
        | LockError::Conflict { origin, .. }
        | LockError::TooNew { origin, .. } => origin,
        _ => return None,
    };
    let file = Path::new(origin);
    let name = file
        .file_name()
        .map_or_else(|| origin.clone(), |n| n.to_string_lossy().into_owned());
    let (title, help) = match err {
        LockError::Conflict { .. } => (
            format!("merge conflict marker in lock file `{name}`"),
            format!("take either side of the conflict, then {REGENERATE}"),
        ),
        LockError::TooNew { .. } => (
            format!("lock file `{name}` is from a newer cargo-nano"),
            "upgrade cargo-nano".to_owned(),
        ),
        _ => (format!("invalid lock file `{name}`"), REGENERATE.to_owned()),
    };
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
        LockError::TooNew { found, .. } => {
            let located = span::locate(&text, "version")?;
            let label = format!(
                "format version {found}; this cargo-nano reads up to {}",
                manifest_schema::lockfile::LOCK_VERSION
            );
            Mark {
                range: Some(located.value),
                label,
            }
        }
        _ => {
            // A syntax error, or a value of the wrong type in a lock of the current format
            // (read again here for its place: the linker reads a parsed table, which has none).
            let error = span::syntax_error(&text).or_else(|| {
                let legacy = text
                    .parse::<toml::Table>()
                    .is_ok_and(|t| t.get("version") == Some(&toml::Value::Integer(1)));
                (!legacy)
                    .then(|| span::read_error::<manifest_schema::lockfile::NanoLock>(&text))
                    .flatten()
            })?;
            Mark {
                range: Some(error.range),
                label: error.message,
            }
        }
    };
    Some(
        Diagnostic {
            title,
            sources: vec![Source {
                file,
                text: Some(text),
                marks: vec![mark],
            }],
            notes: Vec::new(),
            help: Some(help),
        }
        .render(color),
    )
}
