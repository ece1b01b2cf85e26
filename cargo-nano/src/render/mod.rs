//! Rendering a [`PermissionDiff`]: for people on a terminal ([`human`]), for programs
//! ([`json`], documented in `docs/lockfile.md`), for pull-request comments ([`markdown`]) and
//! for code scanning ([`sarif`], and GitHub Actions annotations).

pub mod human;
pub mod json;
pub mod markdown;
pub mod sarif;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use linker::diff::{PackageDiff, PermissionDiff};
use linker::pipeline::BuildReport;
use manifest_schema::lockfile::LockedSyscall;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people; colored on a terminal.
    Human,
    /// Stable JSON, see `docs/lockfile.md`.
    Json,
    /// Markdown, for a pull-request comment.
    Markdown,
    /// SARIF 2.1.0, for code-scanning upload.
    Sarif,
}

/// Renders `diff` (of the current tree against `base`, e.g. `Nano.lock`) in `format`.
/// `all_paths`: the human and Markdown formats show the call path of every new syscall, not only
/// of those that need a capability (JSON and SARIF always have them all).
pub fn render(
    format: Format,
    diff: &PermissionDiff,
    base: &str,
    places: &Places,
    all_paths: bool,
) -> String {
    match format {
        Format::Human => human::render(diff, base, human::color_stdout(), all_paths),
        Format::Json => json::render(diff, base),
        Format::Markdown => markdown::render(diff, base, all_paths),
        Format::Sarif => sarif::render(diff, base, places),
    }
}

/// One finding of a diff, in the order renderers list them: what, and whether it is growth.
pub enum Item<'a> {
    /// A capability the manifest requests.
    Request(&'a linker::diff::Permission),
    /// A permission a nanoprocess receives from its parent.
    Receive(&'a str, &'a linker::diff::Permission),
    /// A syscall the code reaches.
    Reach(&'a LockedSyscall),
}

impl Item<'_> {
    /// `requests env `X``, `receives … (as `app/x`)`, `reaches `wasi:…` (network) in crate `x``.
    pub fn describe(&self) -> String {
        match self {
            Item::Request(p) => format!("requests {p}"),
            Item::Receive(instance, p) => format!("receives {p} (as `{instance}`)"),
            Item::Reach(s) => {
                let cap = s
                    .capability
                    .as_deref()
                    .map(|c| format!(" (capability `{c}`)"))
                    .unwrap_or_default();
                let indirect = if s.indirect {
                    " (indirect calls only)"
                } else {
                    ""
                };
                format!("reaches `{}`{cap} in crate `{}`{indirect}", s.name, s.krate)
            }
        }
    }
}

/// Every finding of a package: the added ones (growth) then the removed ones.
pub fn items(p: &PackageDiff) -> (Vec<Item<'_>>, Vec<Item<'_>>) {
    let mut added: Vec<Item<'_>> = p.requests.added.iter().map(Item::Request).collect();
    let mut removed: Vec<Item<'_>> = p.requests.removed.iter().map(Item::Request).collect();
    for edge in &p.received {
        added.extend(
            edge.delta
                .added
                .iter()
                .map(|x| Item::Receive(&edge.instance, x)),
        );
        removed.extend(
            edge.delta
                .removed
                .iter()
                .map(|x| Item::Receive(&edge.instance, x)),
        );
    }
    // Syscalls that need a capability first: they are what a reviewer looks for.
    added.extend(
        by_capability(&p.syscalls.added)
            .into_iter()
            .map(Item::Reach),
    );
    removed.extend(
        by_capability(&p.syscalls.removed)
            .into_iter()
            .map(Item::Reach),
    );
    (added, removed)
}

/// Syscalls that need a capability first (a stable sort: by name within each group).
fn by_capability(list: &[LockedSyscall]) -> Vec<&LockedSyscall> {
    let mut list: Vec<&LockedSyscall> = list.iter().collect();
    list.sort_by_key(|s| s.capability.is_none());
    list
}

/// A call path as one line.
pub fn call_path(path: &[String]) -> String {
    path.join(" → ")
}

/// A one-line verdict.
pub fn summary(diff: &PermissionDiff, base: &str) -> String {
    let grown = diff.packages.iter().filter(|p| p.grew()).count();
    if diff.is_empty() {
        format!("no permission changes since `{base}`")
    } else if grown > 0 {
        format!(
            "permissions grew: {grown} package(s) request, receive or reach more than `{base}` records"
        )
    } else {
        format!(
            "{} package(s) changed since `{base}`; no permission grew",
            diff.packages.len()
        )
    }
}

/// Where findings point in the repository: each package's `Cargo.toml`, relative to the root
/// that code scanning and annotations resolve paths against.
#[derive(Debug, Clone, Default)]
pub struct Places {
    /// Package name → (path of its `Cargo.toml`, 1-based line of its nano table).
    manifests: BTreeMap<String, (String, usize)>,
    /// `Cargo.toml` texts, for finding `grants` tables.
    texts: BTreeMap<String, String>,
    /// Path of the lock, for findings about packages that are gone.
    lock: String,
}

impl Places {
    /// The places of a build's packages, relative to the git repository around the workspace
    /// (or the workspace root outside git).
    pub fn new(report: &BuildReport, lock_path: &Path) -> Self {
        let root =
            git_root(&report.workspace_root).unwrap_or_else(|| canonical(&report.workspace_root));
        let relative = |p: &Path| {
            canonical(p)
                .strip_prefix(&root)
                .ok()
                .map(|r| r.to_string_lossy().replace('\\', "/"))
        };
        let mut places = Places {
            lock: relative(lock_path).unwrap_or_else(|| "Nano.lock".into()),
            ..Places::default()
        };
        for pkg in &report.packages {
            let text = std::fs::read_to_string(&pkg.manifest_path).unwrap_or_default();
            // Registry packages live outside the repository: point at the lock instead.
            let Some(path) = relative(&pkg.manifest_path) else {
                continue;
            };
            let line = line_of(&text, "[package.metadata.nano").unwrap_or(1);
            places.manifests.insert(pkg.name.clone(), (path, line));
            places.texts.insert(pkg.name.clone(), text);
        }
        places
    }

    /// Where an item of `package` points: (path, line).
    pub fn of(&self, package: &str, item: &Item<'_>) -> (String, usize) {
        let (owner, table) = match item {
            Item::Receive(instance, _) => {
                let mut parts = instance.rsplit('/');
                let child = parts.next().unwrap_or(package);
                match parts.next() {
                    Some(parent) => (parent, format!("[package.metadata.nano.grants.{child}")),
                    None => (package, "[package.metadata.nano.requests".to_string()),
                }
            }
            _ => (package, "[package.metadata.nano.requests".to_string()),
        };
        match self.manifests.get(owner) {
            Some((path, line)) => {
                let text = self.texts.get(owner).map(String::as_str).unwrap_or("");
                (path.clone(), line_of(text, &table).unwrap_or(*line))
            }
            None => (self.lock.clone(), 1),
        }
    }
}

fn line_of(text: &str, needle: &str) -> Option<usize> {
    text.lines()
        .position(|l| l.trim_start().starts_with(needle))
        .map(|i| i + 1)
}

fn git_root(dir: &Path) -> Option<PathBuf> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["rev-parse", "--show-toplevel"])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let top = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    // Compare canonical forms: the workspace root comes from cargo, the top level from git.
    let (top, dir) = (canonical(&top), canonical(dir));
    dir.starts_with(&top).then_some(top)
}

/// `p` with symbolic links resolved, or `p` itself when it does not exist.
fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}
