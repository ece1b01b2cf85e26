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
use linker::diff::{CrateDiff, PackageDiff, PermissionDiff};
use linker::pipeline::BuildReport;
use manifest_schema::lockfile::LockedPath;

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
/// `each`: the human and Markdown formats list each crate whose version alone changed on its
/// own line rather than summing them up in one (JSON always lists them; SARIF has only
/// permissions).
pub fn render(
    format: Format,
    diff: &PermissionDiff,
    base: &str,
    places: &Places,
    each: bool,
) -> String {
    match format {
        Format::Human => human::render(diff, base, human::color_stdout(), each),
        Format::Json => json::render(diff, base),
        Format::Markdown => markdown::render(diff, base, each),
        Format::Sarif => sarif::render(diff, base, places),
    }
}

/// One finding of a diff, in the order renderers list them: what, and whether it is growth.
pub enum Item<'a> {
    /// A capability the manifest requests.
    Request(&'a linker::diff::Permission),
    /// A permission a nanoprocess receives from its parent.
    Receive(&'a str, &'a linker::diff::Permission),
    /// A crate that gained (`true`) or lost a capability, with its example path.
    Reach(&'a CrateDiff, &'a LockedPath, bool),
    /// A crate that started (`true`) or stopped reading an environment variable by this name.
    Env(&'a CrateDiff, &'a str, bool),
}

impl Item<'_> {
    /// `requests env `X``, `receives … (as `app/x`)`, `crate `x` 1.0.0 → 1.1.0 now reaches
    /// `random``, `crate `x` no longer reaches `random``, `crate `x` now reads env `TOKEN``.
    pub fn describe(&self) -> String {
        let versions = |krate: &CrateDiff| match krate.versions() {
            v if v.is_empty() => String::new(),
            v => format!(" {v}"),
        };
        match self {
            Item::Request(p) => format!("requests {p}"),
            Item::Receive(instance, p) => format!("receives {p} (as `{instance}`)"),
            Item::Env(krate, name, gained) => {
                let verb = if *gained {
                    "now reads"
                } else {
                    "no longer reads"
                };
                let versions = versions(krate);
                format!("crate `{}`{versions} {verb} env `{name}`", krate.name)
            }
            Item::Reach(krate, path, gained) => {
                let versions = versions(krate);
                let verb = if *gained {
                    "now reaches"
                } else {
                    "no longer reaches"
                };
                let indirect = if path.indirect {
                    " (indirect calls only)"
                } else {
                    ""
                };
                format!(
                    "crate `{}`{versions} {verb} `{}`{indirect}",
                    krate.name, path.capability
                )
            }
        }
    }

    /// What the finding is about, stable across versions (for fingerprints).
    pub fn key(&self) -> String {
        match self {
            Item::Reach(krate, path, _) => {
                format!("crate `{}` reaches `{}`", krate.name, path.capability)
            }
            Item::Env(krate, name, _) => format!("crate `{}` reads env `{name}`", krate.name),
            other => other.describe(),
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
    for krate in &p.crates {
        added.extend(
            krate
                .reaches
                .added
                .iter()
                .map(|r| Item::Reach(krate, r, true)),
        );
        removed.extend(
            krate
                .reaches
                .removed
                .iter()
                .map(|r| Item::Reach(krate, r, false)),
        );
        added.extend(krate.env.added.iter().map(|n| Item::Env(krate, n, true)));
        removed.extend(krate.env.removed.iter().map(|n| Item::Env(krate, n, false)));
    }
    (added, removed)
}

/// What changed in a package without being a permission: crates whose version alone changed
/// (one line each with `each`, else summed up in one), and the interfaces of capability-free
/// syscalls it gained or lost.
pub fn notes(p: &PackageDiff, each: bool) -> Vec<String> {
    let versions: Vec<String> = p
        .crates
        .iter()
        .filter(|c| c.reaches.is_empty() && c.env.is_empty())
        .map(|c| format!("`{}` {}", c.name, c.versions()))
        .collect();
    let mut out = Vec::new();
    if each {
        out.extend(versions.iter().map(|v| format!("crate {v}")));
    } else if !versions.is_empty() {
        out.push(format!("crates: {}", versions.join(", ")));
    }
    let interfaces = |list: &[String]| {
        let quoted: Vec<String> = list.iter().map(|i| format!("`{i}`")).collect();
        quoted.join(", ")
    };
    let free = &p.capability_free;
    if !free.added.is_empty() {
        out.push(format!(
            "uses functions of {} that need no capability (they act on handles a capability gave, or exit)",
            interfaces(&free.added)
        ));
    }
    if !free.removed.is_empty() {
        out.push(format!(
            "no longer uses functions of {} that need no capability",
            interfaces(&free.removed)
        ));
    }
    out
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
