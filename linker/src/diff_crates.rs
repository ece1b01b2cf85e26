//! The crates of a package in two locks: which changed version, which capabilities each gained
//! or lost, and which environment variables it started or stopped reading by name.

use std::collections::BTreeSet;

use manifest_schema::lockfile::{LockedCrate, LockedPackage, LockedPath};
use serde::Serialize;

use super::{Change, Delta, change};

/// How one crate linked into a package changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct CrateDiff {
    /// The crate (Cargo package name).
    pub name: String,
    /// How it changed: `Added` (not linked before), `Removed`, `Upgraded`, `Downgraded`, or
    /// `Changed` (same versions, or versions that cannot be ordered: several, or unknown).
    pub change: Change,
    /// Its versions in the base; empty when it was not linked or the base does not know them.
    pub old_version: Vec<String>,
    /// Its versions now; empty when it is no longer linked or its version is unknown.
    pub new_version: Vec<String>,
    /// The capabilities it gained (growth) and lost, each with its example path (the current
    /// lock's for a gain, the base's for a loss).
    pub reaches: Delta<LockedPath>,
    /// The environment variables it reads by name that it did not (growth), and no longer reads.
    /// Empty when the base does not record the names the crate read (a version-1 lock, or one
    /// written before names were recorded).
    pub env: Delta<String>,
}

impl CrateDiff {
    /// `regex 1.10.6 → 1.13.2`, `regex 1.13.2 (new)`, `regex 1.10.6 (removed)`, `regex 1.13.2`.
    pub fn title(&self) -> String {
        match self.versions() {
            v if v.is_empty() => self.name.clone(),
            v => format!("{} {v}", self.name),
        }
    }

    /// The version part of [`CrateDiff::title`]: `1.10.6 → 1.13.2`, `1.13.2 (new)`,
    /// `1.10.6 (removed)`, `1.13.2`; several versions are joined with `, `; empty when unknown.
    pub fn versions(&self) -> String {
        let (old, new) = (self.old_version.join(", "), self.new_version.join(", "));
        let marked = |v: &str, mark: &str| {
            if v.is_empty() {
                format!("({mark})")
            } else {
                format!("{v} ({mark})")
            }
        };
        match self.change {
            Change::Added => marked(&new, "new"),
            Change::Removed => marked(&old, "removed"),
            _ if !old.is_empty() && old != new => format!("{old} → {new}"),
            _ => new,
        }
    }
}

/// The crates of `base` and `current` (two versions of one package) that changed; `legacy`:
/// `base` was converted from a version-1 lock.
pub(super) fn diff(
    base: Option<&LockedPackage>,
    current: Option<&LockedPackage>,
    legacy: bool,
) -> Vec<CrateDiff> {
    let own = current.or(base).map_or("", |p| p.name.as_str());
    let names: BTreeSet<&String> = [base, current]
        .into_iter()
        .flatten()
        .flat_map(|p| p.crates.keys())
        .collect();
    let reach_of = |p: Option<&LockedPackage>, name: &str| -> BTreeSet<String> {
        p.and_then(|p| p.crates.get(name))
            .map(|c| c.reaches.clone())
            .unwrap_or_default()
    };
    // Against a version-1 base, what the package reached at all.
    let package_reach = |p: Option<&LockedPackage>| -> BTreeSet<String> {
        p.into_iter()
            .flat_map(|p| p.crates.values())
            .flat_map(|c| c.reaches.iter().cloned())
            .collect()
    };
    let (base_all, current_all) = (package_reach(base), package_reach(current));
    let mut out = Vec::new();
    for name in names {
        let old = base.and_then(|p| p.crates.get(name.as_str()));
        let new = current.and_then(|p| p.crates.get(name.as_str()));
        let (old_reach, new_reach) = (reach_of(base, name), reach_of(current, name));
        let (added, removed): (Vec<&String>, Vec<&String>) = if legacy {
            (
                new_reach.difference(&base_all).collect(),
                old_reach.difference(&current_all).collect(),
            )
        } else {
            (
                new_reach.difference(&old_reach).collect(),
                old_reach.difference(&new_reach).collect(),
            )
        };
        let reaches = Delta {
            added: added.into_iter().map(|c| path(current, name, c)).collect(),
            removed: removed.into_iter().map(|c| path(base, name, c)).collect(),
        };
        let (old_version, new_version) = (
            old.map(|c| c.version.clone()).unwrap_or_default(),
            new.map(|c| c.version.clone()).unwrap_or_default(),
        );
        let change = if legacy {
            Change::Changed
        } else {
            change(
                old.map(|c| c.version.as_slice()),
                new.map(|c| c.version.as_slice()),
            )
        };
        let env = env_names(old, new, legacy);
        // The package's own version is the package's; a version-1 base knows no versions.
        let version_only = change != Change::Changed || old_version != new_version;
        let shown =
            !reaches.is_empty() || !env.is_empty() || (version_only && name != own && !legacy);
        if shown {
            out.push(CrateDiff {
                name: name.clone(),
                change,
                old_version: if legacy { Vec::new() } else { old_version },
                new_version,
                reaches,
                env,
            });
        }
    }
    out
}

/// The variable names a crate started and stopped reading, when the base knows them: it records
/// names or unseen names for the crate, or the crate did not read the environment then.
fn env_names(old: Option<&LockedCrate>, new: Option<&LockedCrate>, legacy: bool) -> Delta<String> {
    let known = |c: &LockedCrate| !c.env.is_empty() || c.env_unnamed || !c.reaches.contains("env");
    if legacy || old.is_some_and(|c| !known(c)) {
        return Delta::default();
    }
    let names = |c: Option<&LockedCrate>| c.map(|c| c.env.clone()).unwrap_or_default();
    let (old, new) = (names(old), names(new));
    Delta {
        added: new.difference(&old).cloned().collect(),
        removed: old.difference(&new).cloned().collect(),
    }
}

/// The example path of `krate` reaching `capability` in `package`.
fn path(package: Option<&LockedPackage>, krate: &str, capability: &str) -> LockedPath {
    package
        .and_then(|p| {
            p.paths
                .iter()
                .find(|x| x.krate == krate && x.capability == capability)
        })
        .cloned()
        .unwrap_or_else(|| LockedPath {
            krate: krate.to_string(),
            capability: capability.to_string(),
            path: Vec::new(),
            indirect: false,
        })
}
