//! Comparing two locks: which packages were added, removed or upgraded, and which
//! capabilities, grants and syscalls each gained or lost.
//!
//! Only growth matters to the CI gate ([`PermissionDiff::grew`]): a package that requests,
//! receives or reaches anything the base lock does not record. Losing permissions, a new
//! version with the same permissions, or a changed component checksum are reported but are not
//! growth.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use manifest_schema::lockfile::{LockedPackage, LockedSyscall, NanoLock};
use serde::Serialize;

pub use crate::permission::{Permission, held, requested};

/// What changed between a base lock and the current tree's lock.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct PermissionDiff {
    /// One entry per changed package, sorted by name then version.
    pub packages: Vec<PackageDiff>,
}

impl PermissionDiff {
    /// Compares `base` (e.g. the committed `Nano.lock`) with `current`.
    pub fn new(base: &NanoLock, current: &NanoLock) -> Self {
        let packages = pair(&base.packages, &current.packages)
            .into_iter()
            .filter_map(|(b, c)| package_diff(b, c))
            .collect();
        PermissionDiff { packages }
    }

    /// Whether any package requests, receives or reaches more than the base records.
    pub fn grew(&self) -> bool {
        self.packages.iter().any(PackageDiff::grew)
    }

    /// Whether nothing at all changed.
    pub fn is_empty(&self) -> bool {
        self.packages.is_empty()
    }
}

/// How a package changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    /// New in the tree.
    Added,
    /// Gone from the tree.
    Removed,
    /// A greater version replaced the base one.
    Upgraded,
    /// A smaller version replaced the base one.
    Downgraded,
    /// Same version, other permissions or component.
    Changed,
}

/// The changes of one package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct PackageDiff {
    /// The package name.
    pub name: String,
    /// How it changed.
    pub change: Change,
    /// Its version in the base lock.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_version: Option<String>,
    /// Its version in the current tree.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_version: Option<String>,
    /// Whether the component's checksum differs (informational; a package whose checksum alone
    /// changed is not in the diff).
    pub checksum_changed: bool,
    /// Capabilities its manifest requests.
    pub requests: Delta<Permission>,
    /// What each of its nanoprocesses received from its parent, by instance path.
    pub received: Vec<EdgeDiff>,
    /// Syscalls its code reaches.
    pub syscalls: Delta<LockedSyscall>,
}

impl PackageDiff {
    /// Whether this package requests, receives or reaches more than before.
    pub fn grew(&self) -> bool {
        !self.requests.added.is_empty()
            || self.received.iter().any(|e| !e.delta.added.is_empty())
            || !self.syscalls.added.is_empty()
    }

    /// `notifier 1.0.0 → 1.1.0`, `notifier 1.0.0 (new)`, …
    pub fn title(&self) -> String {
        let old = self.old_version.as_deref().unwrap_or_default();
        let new = self.new_version.as_deref().unwrap_or_default();
        match self.change {
            Change::Added => format!("{} {new} (new)", self.name),
            Change::Removed => format!("{} {old} (removed)", self.name),
            Change::Upgraded | Change::Downgraded => format!("{} {old} → {new}", self.name),
            Change::Changed => format!("{} {new}", self.name),
        }
    }
}

/// What was gained and lost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delta<T> {
    /// Gained: present now, not covered by the base.
    pub added: Vec<T>,
    /// Lost: in the base, not covered now.
    pub removed: Vec<T>,
}

impl<T> Default for Delta<T> {
    fn default() -> Self {
        Delta {
            added: Vec::new(),
            removed: Vec::new(),
        }
    }
}

impl<T> Delta<T> {
    /// Whether nothing was gained or lost.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }
}

/// What one nanoprocess gained and lost along the edge from its parent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EdgeDiff {
    /// The instance path, e.g. `app/notifier`.
    pub instance: String,
    /// The changes.
    #[serde(flatten)]
    pub delta: Delta<Permission>,
}

fn delta(base: &[Permission], current: &[Permission]) -> Delta<Permission> {
    Delta {
        added: current
            .iter()
            .filter(|c| !base.iter().any(|b| b.covers(c)))
            .cloned()
            .collect(),
        removed: base
            .iter()
            .filter(|b| !current.iter().any(|c| c.covers(b)))
            .cloned()
            .collect(),
    }
}

/// Matches the packages of two locks: by name, then equal versions, then the remaining
/// versions in order (the one version of a package on each side is an upgrade or downgrade).
pub fn pair<'a>(
    base: &'a [LockedPackage],
    current: &'a [LockedPackage],
) -> Vec<(Option<&'a LockedPackage>, Option<&'a LockedPackage>)> {
    let mut by_name: BTreeMap<&str, (Vec<&LockedPackage>, Vec<&LockedPackage>)> = BTreeMap::new();
    for p in base {
        by_name.entry(&p.name).or_default().0.push(p);
    }
    for p in current {
        by_name.entry(&p.name).or_default().1.push(p);
    }
    let mut out = Vec::new();
    for (_, (mut olds, mut news)) in by_name {
        olds.retain(|o| {
            let same = news.iter().position(|n| n.sort_key() == o.sort_key());
            match same {
                Some(i) => {
                    out.push((Some(*o), Some(news.remove(i))));
                    false
                }
                None => true,
            }
        });
        let mut olds = olds.into_iter();
        let mut news = news.into_iter();
        loop {
            match (olds.next(), news.next()) {
                (None, None) => break,
                pair => out.push(pair),
            }
        }
    }
    out.sort_by(|a, b| key(a).cmp(&key(b)));
    out
}

fn key<'a>(pair: &(Option<&'a LockedPackage>, Option<&'a LockedPackage>)) -> (&'a str, &'a str) {
    let p = pair.1.or(pair.0);
    p.map_or(("", ""), |p| (&p.name, &p.version))
}

/// The changes of a matched pair of packages; `None` when they are identical.
pub fn package_diff(
    base: Option<&LockedPackage>,
    current: Option<&LockedPackage>,
) -> Option<PackageDiff> {
    let any = current.or(base)?;
    let change = match (base, current) {
        (None, _) => Change::Added,
        (_, None) => Change::Removed,
        (Some(b), Some(c)) => match compare_versions(&b.version, &c.version) {
            Ordering::Less => Change::Upgraded,
            Ordering::Greater => Change::Downgraded,
            Ordering::Equal => Change::Changed,
        },
    };
    let requests = delta(
        &base.map(|p| requested(&p.requests)).unwrap_or_default(),
        &current.map(|p| requested(&p.requests)).unwrap_or_default(),
    );
    let mut instances: Vec<&String> = [base, current]
        .into_iter()
        .flatten()
        .flat_map(|p| p.received.keys())
        .collect();
    instances.sort();
    instances.dedup();
    let holds = |p: Option<&LockedPackage>, inst: &str| {
        p.and_then(|p| p.received.get(inst))
            .map(held)
            .unwrap_or_default()
    };
    let received: Vec<EdgeDiff> = instances
        .into_iter()
        .map(|inst| EdgeDiff {
            instance: inst.clone(),
            delta: delta(&holds(base, inst), &holds(current, inst)),
        })
        .filter(|e| !e.delta.is_empty())
        .collect();
    let old_sys = base.map_or(&[][..], |p| p.syscalls.as_slice());
    let new_sys = current.map_or(&[][..], |p| p.syscalls.as_slice());
    let syscalls = Delta {
        added: new_sys
            .iter()
            .filter(|s| !old_sys.iter().any(|o| o.name == s.name))
            .cloned()
            .collect(),
        removed: old_sys
            .iter()
            .filter(|s| !new_sys.iter().any(|n| n.name == s.name))
            .cloned()
            .collect(),
    };
    let checksum_changed = match (base, current) {
        (Some(b), Some(c)) => b.checksum != c.checksum,
        _ => false,
    };
    let diff = PackageDiff {
        name: any.name.clone(),
        change,
        old_version: base.map(|p| p.version.clone()),
        new_version: current.map(|p| p.version.clone()),
        checksum_changed,
        requests,
        received,
        syscalls,
    };
    // A new checksum alone is not reported: it changes with the compiler and build paths.
    let unchanged = change == Change::Changed
        && diff.requests.is_empty()
        && diff.received.is_empty()
        && diff.syscalls.is_empty();
    (!unchanged).then_some(diff)
}

fn compare_versions(a: &str, b: &str) -> Ordering {
    match (semver::Version::parse(a), semver::Version::parse(b)) {
        (Ok(a), Ok(b)) => a.cmp(&b),
        _ => a.cmp(b),
    }
}

#[cfg(test)]
#[path = "diff_tests.rs"]
mod tests;
