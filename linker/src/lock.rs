//! `Nano.lock`: building it from a build, reading it (from the workspace or from a git
//! revision; a version-1 lock is converted) and writing it, with errors that say how to recover.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use manifest_schema::lockfile::{
    LOCK_FILE, LOCK_HEADER, LOCK_VERSION, LockedHoldings, LockedPackage, NanoLock, v1,
};

use crate::diff;
use crate::pipeline::BuildReport;

#[path = "lock_build.rs"]
mod build;
#[path = "lock_v1.rs"]
mod convert_v1;

pub use build::from_report;
pub use convert_v1::{is_legacy, legacy_note, records_build};

/// The second line of every `Nano.lock`.
const LOCK_HELP: &str =
    "# `cargo nano lock` regenerates it; `cargo nano lock --update` accepts new permissions.";

const REGENERATE: &str =
    "regenerate it with `cargo nano lock --update` and review the result with `git diff`";

/// Why a lock could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// There is no lock.
    #[error(
        "`{0}` does not exist (help: run `cargo nano lock` to create it from the current tree, review it and commit it)"
    )]
    Missing(String),
    /// The lock could not be read.
    #[error("failed to read `{path}`")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The lock holds unresolved merge conflict markers.
    #[error(
        "`{origin}` contains a merge conflict marker at line {line} (help: take either side of the conflict, then {REGENERATE})"
    )]
    Conflict {
        /// Where the lock comes from.
        origin: String,
        /// The 1-based line of the first marker.
        line: usize,
    },
    /// The lock is not a valid lock.
    #[error("`{origin}` is not a valid Nano.lock: {detail} (help: {REGENERATE})")]
    Corrupt {
        /// Where the lock comes from.
        origin: String,
        /// What is wrong.
        detail: String,
    },
    /// The lock was written by a newer cargo-nano.
    #[error(
        "`{origin}` has format version {found}, but this cargo-nano reads versions up to {LOCK_VERSION} only (help: upgrade cargo-nano)"
    )]
    TooNew {
        /// Where the lock comes from.
        origin: String,
        /// Its version.
        found: i64,
    },
    /// The lock could not be written.
    #[error("failed to write `{path}`")]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Git could not be run or the workspace is not in a git repository.
    #[error("cannot read `{LOCK_FILE}` from git in `{dir}`: {detail}")]
    Git {
        /// The workspace root.
        dir: PathBuf,
        /// What git said.
        detail: String,
    },
    /// The revision does not exist.
    #[error(
        "revision `{0}` does not exist in this git repository (help: pass a commit, branch or tag, e.g. `--base origin/main`)"
    )]
    NoRevision(String),
    /// The revision has no lock.
    #[error(
        "`{LOCK_FILE}` does not exist at revision `{0}` (help: the lock was added later; compare against a newer revision, or against the working tree's lock without `--base`)"
    )]
    NotAtRevision(String),
}

/// Where the lock of the workspace rooted at `workspace_root` lives.
pub fn lock_path(workspace_root: &Path) -> PathBuf {
    workspace_root.join(LOCK_FILE)
}

fn sort(packages: &mut [LockedPackage]) {
    packages.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}

/// `old` with the entries of the packages named in `names` replaced by those of `current`, and
/// every other package's change accepted when it did not grow (`cargo nano lock --update -p`).
pub fn update_packages(old: &NanoLock, current: &NanoLock, names: &[String]) -> NanoLock {
    let mut packages = Vec::new();
    for (before, after) in diff::pair(&old.packages, &current.packages) {
        let selected = [before, after]
            .iter()
            .flatten()
            .any(|p| names.contains(&p.name));
        let base_kind = diff::BaseKind::of(old);
        let grew = diff::package_diff(before, after, base_kind).is_some_and(|d| d.grew());
        let keep = if selected || !grew { after } else { before };
        packages.extend(keep.cloned());
    }
    sort(&mut packages);
    NanoLock {
        version: LOCK_VERSION,
        packages,
    }
}

/// The part of `lock` that belongs to the tree of the top package `root`: the packages with a
/// nanoprocess under it, each with only those nanoprocesses. One `Nano.lock` holds the trees of
/// every top package of the workspace; a build of one compares and updates only its own.
pub fn tree_of(lock: &NanoLock, root: &str) -> NanoLock {
    let packages = lock
        .packages
        .iter()
        .filter_map(|p| with_received(p, |id| in_tree(id, root)))
        .collect();
    // A converted version-1 lock stays one: comparisons depend on it.
    NanoLock {
        version: lock.version,
        packages,
    }
}

/// `lock` with the tree of the top package `root` replaced by `tree` (a lock of that tree alone,
/// e.g. [`from_report`]); the other top packages' trees stay as they are.
pub fn replace_tree(lock: &NanoLock, tree: &NanoLock, root: &str) -> NanoLock {
    let mut packages: Vec<LockedPackage> = lock
        .packages
        .iter()
        .filter_map(|p| with_received(p, |id| !in_tree(id, root)))
        .collect();
    for new in &tree.packages {
        match packages.iter_mut().find(|p| p.sort_key() == new.sort_key()) {
            Some(shared) => {
                let mut received = std::mem::take(&mut shared.received);
                received.extend(new.received.clone());
                *shared = LockedPackage {
                    received,
                    ..new.clone()
                };
            }
            None => packages.push(new.clone()),
        }
    }
    sort(&mut packages);
    NanoLock {
        version: LOCK_VERSION,
        packages,
    }
}

/// `package` with only the nanoprocesses `keep` selects; `None` when none is left.
fn with_received(package: &LockedPackage, keep: impl Fn(&str) -> bool) -> Option<LockedPackage> {
    let received: BTreeMap<String, LockedHoldings> = package
        .received
        .iter()
        .filter(|(id, _)| keep(id))
        .map(|(id, h)| (id.clone(), h.clone()))
        .collect();
    (!received.is_empty()).then(|| LockedPackage {
        received,
        ..package.clone()
    })
}

/// Whether the instance path `instance` lies in the tree of the top package `root`.
fn in_tree(instance: &str, root: &str) -> bool {
    instance
        .strip_prefix(root)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The top package of a build: the name that starts every instance path of its tree.
pub fn root_of(report: &BuildReport) -> &str {
    report
        .plan
        .instances
        .first()
        .map_or("", |root| root.id.as_str())
}

/// The text of a lock: the header, then the lock as TOML, in the current format version.
///
/// The layout keeps the lock short and its diffs to the point: arrays on one line, and one line
/// per crate (`fmtlib = { version = "0.2.0", reaches = ["env"] }`), so that a crate's new version
/// or capability is a one-line change.
pub fn render(lock: &NanoLock) -> String {
    let lock = NanoLock {
        version: LOCK_VERSION,
        packages: lock.packages.clone(),
    };
    // Serializing plain data with strings, integers, booleans, arrays and tables cannot fail;
    // the fallbacks keep this total.
    let body = toml::to_string(&lock).unwrap_or_else(|e| format!("# {e}\n"));
    let body = match body.parse::<toml_edit::DocumentMut>() {
        Ok(mut doc) => {
            inline_crates(&mut doc);
            doc.to_string()
        }
        Err(_) => body,
    };
    format!("{LOCK_HEADER}\n{LOCK_HELP}\n\n{body}")
}

/// Writes each `[package.crates.NAME]` table as a `NAME = { … }` line of `[package.crates]`,
/// and each `[package.build.NAME]` table likewise.
fn inline_crates(doc: &mut toml_edit::DocumentMut) {
    let Some(packages) = doc
        .get_mut("package")
        .and_then(|p| p.as_array_of_tables_mut())
    else {
        return;
    };
    for package in packages.iter_mut() {
        for key in ["crates", "build"] {
            if let Some(crates) = package.get_mut(key).and_then(|c| c.as_table_mut()) {
                inline_table(crates);
            }
        }
    }
}

/// Writes each sub-table of `crates` as one inline table.
fn inline_table(crates: &mut toml_edit::Table) {
    let entries: Vec<(String, toml_edit::Item)> = crates
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    crates.clear();
    crates.set_implicit(false);
    for (key, item) in entries {
        let item = match item.into_table() {
            Ok(table) => {
                let mut inline = table.into_inline_table();
                inline.fmt();
                toml_edit::Item::Value(inline.into())
            }
            Err(other) => other,
        };
        crates.insert(&key, item);
    }
}

/// Parses the text of a lock; `origin` names it in errors.
pub fn parse(text: &str, origin: &str) -> Result<NanoLock, LockError> {
    const MARKERS: [&str; 4] = ["<<<<<<<", "|||||||", "=======", ">>>>>>>"];
    if let Some(line) = text
        .lines()
        .position(|l| MARKERS.iter().any(|m| l.starts_with(m)))
    {
        return Err(LockError::Conflict {
            origin: origin.to_string(),
            line: line + 1,
        });
    }
    let corrupt = |detail: String| LockError::Corrupt {
        origin: origin.to_string(),
        detail,
    };
    let table: toml::Table = toml::from_str(text).map_err(|e| corrupt(toml_error(text, &e)))?;
    match table.get("version") {
        None => return Err(corrupt("missing key `version`".into())),
        Some(toml::Value::Integer(v)) if *v > i64::from(LOCK_VERSION) => {
            return Err(LockError::TooNew {
                origin: origin.to_string(),
                found: *v,
            });
        }
        Some(toml::Value::Integer(v)) if (1..=i64::from(LOCK_VERSION)).contains(v) => {}
        Some(other) => return Err(corrupt(format!("unsupported `version = {other}`"))),
    }
    let message = |e: toml::de::Error| corrupt(e.message().trim_end_matches('.').to_string());
    // Version 2 is version 3 without `build` tables: read as is, it keeps `version = 2` so
    // that comparisons know it does not record them ([`records_build`]).
    let lock: NanoLock = if table.get("version") == Some(&toml::Value::Integer(1)) {
        convert_v1::convert(table.try_into::<v1::NanoLock>().map_err(message)?)
    } else {
        table.try_into().map_err(message)?
    };
    let invalid =
        |what: String, version: &str| corrupt(format!("{what} has an invalid version `{version}`"));
    for pkg in &lock.packages {
        if semver::Version::parse(&pkg.version).is_err() {
            return Err(invalid(format!("package `{}`", pkg.name), &pkg.version));
        }
        let versions = (pkg.crates.iter().map(|(n, c)| (n, &c.version)))
            .chain(pkg.build.iter().map(|(n, b)| (n, &b.version)));
        for (name, version) in versions {
            if let Some(bad) = version.iter().find(|v| semver::Version::parse(v).is_err()) {
                let what = format!("crate `{name}` of package `{}`", pkg.name);
                return Err(invalid(what, bad));
            }
        }
    }
    Ok(lock)
}

fn toml_error(text: &str, err: &toml::de::Error) -> String {
    let message = err.message().trim_end_matches('.');
    match err.span() {
        Some(span) => {
            let before = text.get(..span.start).unwrap_or(text);
            let line = before.matches('\n').count() + 1;
            format!("invalid TOML at line {line}: {message}")
        }
        None => format!("invalid TOML: {message}"),
    }
}

/// Reads the lock at `path`; `Ok(None)` when there is none.
pub fn read(path: &Path) -> Result<Option<NanoLock>, LockError> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&text, &path.display().to_string()).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(LockError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Reads the lock at `path`, which must exist.
pub fn read_required(path: &Path) -> Result<NanoLock, LockError> {
    read(path)?.ok_or_else(|| LockError::Missing(path.display().to_string()))
}

/// Writes `lock` to `path` (atomically) unless the file already holds exactly that text.
/// Returns whether the file was written.
pub fn write(path: &Path, lock: &NanoLock) -> Result<bool, LockError> {
    let text = render(lock);
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(false);
    }
    crate::pipeline::write_atomic(path, text.as_bytes()).map_err(|source| LockError::Write {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(true)
}

/// Reads the lock of the workspace rooted at `workspace_root` as it was at the git revision
/// `rev`.
pub fn read_at_revision(workspace_root: &Path, rev: &str) -> Result<NanoLock, LockError> {
    let git = |args: &[&str]| {
        Command::new("git")
            .arg("-C")
            .arg(workspace_root)
            .args(args)
            .output()
            .map_err(|e| LockError::Git {
                dir: workspace_root.to_path_buf(),
                detail: format!("failed to run `git`: {e}"),
            })
    };
    let top = git(&["rev-parse", "--show-toplevel"])?;
    if !top.status.success() {
        return Err(LockError::Git {
            dir: workspace_root.to_path_buf(),
            detail: "not a git repository (help: `--base` needs the workspace to be in a git repository)".into(),
        });
    }
    let verify = git(&[
        "rev-parse",
        "--verify",
        "--quiet",
        &format!("{rev}^{{commit}}"),
    ])?;
    if !verify.status.success() {
        return Err(LockError::NoRevision(rev.to_string()));
    }
    let show = git(&["show", &format!("{rev}:./{LOCK_FILE}")])?;
    if !show.status.success() {
        return Err(LockError::NotAtRevision(rev.to_string()));
    }
    let text = String::from_utf8_lossy(&show.stdout);
    parse(&text, &format!("{rev}:{LOCK_FILE}"))
}

#[cfg(test)]
#[path = "lock_tests.rs"]
mod tests;
