//! The crates of a package that run at build time, in two locks: which started or stopped
//! running a build script or being a proc macro, which changed version, and which build
//! permissions each gained or lost.
//!
//! A build permission is accepted for a crate *and its versions*: a new version is new code,
//! so all the permissions it carries are growth until accepted again. Against a base that does
//! not record build-time crates (format version 2 or 1, [`crate::lock::records_build`]), only
//! permissions are compared, each of them growth: the base never recorded their review.

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;

use manifest_schema::lockfile::{BuildRun, LockedBuild, LockedPackage};
use serde::Serialize;

use super::{Change, Delta, change};

/// What a crate may do at build time beyond the default confinement.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "permission", content = "path", rename_all = "kebab-case")]
pub enum BuildPermission {
    /// Open sockets and connect anywhere.
    Network,
    /// Read a tree (as written in the workspace's `Cargo.toml`).
    Read(String),
    /// Write a tree.
    Write(String),
}

impl BuildPermission {
    /// The key of `[workspace.metadata.nano.build.CRATE]` that declares it.
    pub fn key(&self) -> &'static str {
        match self {
            BuildPermission::Network => "network",
            BuildPermission::Read(_) => "read",
            BuildPermission::Write(_) => "write",
        }
    }

    /// Whether holding `self` includes `other`: the same permission, a tree inside the tree
    /// held, or a read inside a tree it may write (a writable tree is also readable).
    pub fn covers(&self, other: &BuildPermission) -> bool {
        let inside = |tree: &str, path: &str| Path::new(path).starts_with(tree);
        match (self, other) {
            (BuildPermission::Network, BuildPermission::Network) => true,
            (BuildPermission::Read(t) | BuildPermission::Write(t), BuildPermission::Read(p)) => {
                inside(t, p)
            }
            (BuildPermission::Write(t), BuildPermission::Write(p)) => inside(t, p),
            _ => false,
        }
    }
}

impl fmt::Display for BuildPermission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildPermission::Network => f.write_str("network"),
            BuildPermission::Read(path) => write!(f, "read `{path}`"),
            BuildPermission::Write(path) => write!(f, "write `{path}`"),
        }
    }
}

/// The permissions of a locked build-time crate, sorted.
pub fn permissions(build: &LockedBuild) -> Vec<BuildPermission> {
    let mut out = Vec::new();
    if build.network {
        out.push(BuildPermission::Network);
    }
    out.extend(build.read.iter().cloned().map(BuildPermission::Read));
    out.extend(build.write.iter().cloned().map(BuildPermission::Write));
    out
}

/// How one crate that runs at build time changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct BuildDiff {
    /// The crate (Cargo package name).
    pub name: String,
    /// `Added` (it did not run at build time before), `Removed`, `Upgraded`, `Downgraded`, or
    /// `Changed` (same versions, or versions that cannot be ordered).
    pub change: Change,
    /// Its versions in the base; empty when absent or not recorded.
    pub old_version: Vec<String>,
    /// Its versions now; empty when it no longer runs at build time.
    pub new_version: Vec<String>,
    /// What of it started (a build script, a proc macro) and stopped running at build time.
    pub runs: Delta<BuildRun>,
    /// What of it runs at build time now (before, when it no longer does).
    pub kinds: Vec<BuildRun>,
    /// The build permissions it gained (growth) and lost.
    pub permissions: Delta<BuildPermission>,
    /// The permissions the base records for it, but for other versions: gained again (in
    /// `permissions.added`) because a new version is new code.
    pub other_version: bool,
}

impl BuildDiff {
    /// Whether it may do more at build time than the base records.
    pub fn grew(&self) -> bool {
        !self.permissions.added.is_empty()
    }

    /// `1.0.0 → 1.1.0`, `1.1.0 (new)`, `1.0.0 (removed)`, `1.1.0`; several joined with `, `.
    pub fn versions(&self) -> String {
        let (old, new) = (self.old_version.join(", "), self.new_version.join(", "));
        match self.change {
            Change::Added => format!("{new} (new)"),
            Change::Removed => format!("{old} (removed)"),
            _ if !old.is_empty() && old != new => format!("{old} → {new}"),
            _ => new,
        }
    }

    /// `build script`, `proc macro`, `build script and proc macro`: what runs now (or ran).
    pub fn what(&self) -> String {
        let labels: Vec<&str> = self.kinds.iter().map(|r| r.label()).collect();
        labels.join(" and ")
    }
}

/// The build-time crates of `base` and `current` (two versions of one package) that changed.
/// `recorded`: the base records build-time crates (see the module documentation).
pub(super) fn diff(
    base: Option<&LockedPackage>,
    current: Option<&LockedPackage>,
    recorded: bool,
) -> Vec<BuildDiff> {
    let names: BTreeSet<&String> = [base, current]
        .into_iter()
        .flatten()
        .flat_map(|p| p.build.keys())
        .collect();
    let mut out = Vec::new();
    for name in names {
        let old = base.and_then(|p| p.build.get(name.as_str()));
        let new = current.and_then(|p| p.build.get(name.as_str()));
        let (old_perms, new_perms) = (
            old.map(permissions).unwrap_or_default(),
            new.map(permissions).unwrap_or_default(),
        );
        // A version the base does not record for the crate is new code: its permissions were
        // not reviewed for it.
        let other_version = match (old, new) {
            (Some(o), Some(n)) => n.version.iter().any(|v| !o.version.contains(v)),
            _ => false,
        };
        let held = if other_version { &[][..] } else { &old_perms };
        let permissions = Delta {
            added: new_perms
                .iter()
                .filter(|p| !held.iter().any(|h| h.covers(p)))
                .cloned()
                .collect(),
            removed: old_perms
                .iter()
                .filter(|p| !new_perms.iter().any(|n| n.covers(p)))
                .cloned()
                .collect(),
        };
        let runs_of = |b: Option<&LockedBuild>| b.map(|b| b.runs.clone()).unwrap_or_default();
        let (old_runs, new_runs) = (runs_of(old), runs_of(new));
        let kinds = if new.is_some() { &new_runs } else { &old_runs };
        let runs = Delta {
            added: new_runs.difference(&old_runs).copied().collect(),
            removed: old_runs.difference(&new_runs).copied().collect(),
        };
        let (old_version, new_version) = (
            old.map(|b| b.version.clone()).unwrap_or_default(),
            new.map(|b| b.version.clone()).unwrap_or_default(),
        );
        let change = change(
            old.map(|b| b.version.as_slice()),
            new.map(|b| b.version.as_slice()),
        );
        let moved = !runs.is_empty() || old_version != new_version;
        // A base that does not record build-time crates cannot tell which are new.
        if !permissions.is_empty() || (recorded && moved) {
            out.push(BuildDiff {
                name: name.clone(),
                change: if recorded { change } else { Change::Changed },
                old_version,
                new_version,
                runs: if recorded { runs } else { Delta::default() },
                kinds: kinds.iter().copied().collect(),
                permissions,
                other_version: other_version && !old_perms.is_empty(),
            });
        }
    }
    out
}

#[cfg(test)]
#[path = "diff_build_tests.rs"]
mod tests;
