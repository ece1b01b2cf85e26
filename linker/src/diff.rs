//! Comparing two locks: which packages were added, removed or upgraded, which capabilities and
//! grants each gained or lost, and which of its crates changed version or reach.
//!
//! Only growth matters to the CI gate ([`PermissionDiff::grew`]): a package that requests or
//! receives anything the base lock does not record, or one of whose crates reaches a capability
//! the base does not record *for that crate* (even when another crate of the package already
//! reached it). Losing permissions, new versions with the same permissions, capability-free
//! interfaces, or a changed component checksum are reported but are not growth.
//!
//! A base converted from a version-1 lock ([`crate::lock::is_legacy`]) names one crate per
//! syscall, so against it reach is compared per package: a crate's capability is growth only
//! when no crate of the base package reached it, and crate versions, unknown, are not compared.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use manifest_schema::lockfile::{LockedPackage, NanoLock};
use serde::Serialize;

pub use crate::permission::{Permission, held, requested};

#[path = "diff_build.rs"]
mod build;
#[path = "diff_crates.rs"]
mod crates;

pub use build::{BuildDiff, BuildPermission};
pub use crates::CrateDiff;

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
        let base_kind = BaseKind::of(base);
        let packages = pair(&base.packages, &current.packages)
            .into_iter()
            .filter_map(|(b, c)| package_diff(b, c, base_kind))
            .collect();
        PermissionDiff { packages }
    }

    /// Whether any package requests or receives more than the base records, or any of its
    /// crates reaches more.
    pub fn grew(&self) -> bool {
        self.packages.iter().any(PackageDiff::grew)
    }

    /// Whether nothing at all changed.
    pub fn is_empty(&self) -> bool {
        self.packages.is_empty()
    }
}

/// What a base lock can tell, by its format version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BaseKind {
    /// Converted from version 1: one crate per syscall, no crate versions
    /// ([`crate::lock::is_legacy`]).
    pub legacy: bool,
    /// It records the crates that run at build time ([`crate::lock::records_build`]).
    pub records_build: bool,
}

impl BaseKind {
    /// What `base` can tell.
    pub fn of(base: &NanoLock) -> Self {
        BaseKind {
            legacy: crate::lock::is_legacy(base),
            records_build: crate::lock::records_build(base),
        }
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
    /// The crates linked into it whose version or reach changed, sorted by name (the package's
    /// own crate only when its reach changed: its version is the package's).
    pub crates: Vec<CrateDiff>,
    /// Interfaces of capability-free syscalls it reaches (never growth: their handles come from
    /// a capability).
    pub capability_free: Delta<String>,
    /// The crates of its tree that run at build time whose version, role or build permissions
    /// changed, sorted by name.
    pub build: Vec<BuildDiff>,
}

impl PackageDiff {
    /// Whether this package requests or receives more than before, one of its crates reaches
    /// more or reads a new environment variable, or one of its build-time crates may do more.
    pub fn grew(&self) -> bool {
        self.build.iter().any(BuildDiff::grew)
            || !self.requests.added.is_empty()
            || self.received.iter().any(|e| !e.delta.added.is_empty())
            || self
                .crates
                .iter()
                .any(|c| !c.reaches.added.is_empty() || !c.env.added.is_empty())
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

/// The changes of a matched pair of packages; `None` when they are identical. `base_kind`: what
/// the base lock can tell (see the module documentation).
pub fn package_diff(
    base: Option<&LockedPackage>,
    current: Option<&LockedPackage>,
    base_kind: BaseKind,
) -> Option<PackageDiff> {
    let legacy = base_kind.legacy;
    let any = current.or(base)?;
    let change = change(
        base.map(|b| std::slice::from_ref(&b.version)),
        current.map(|c| std::slice::from_ref(&c.version)),
    );
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
    let crates = crates::diff(base, current, legacy);
    // A package new to the lock is compared with nothing recorded: its build-time crates are new.
    let build = build::diff(base, current, base_kind.records_build || base.is_none());
    let free = |p: Option<&LockedPackage>| p.map(|p| p.capability_free.clone()).unwrap_or_default();
    let (old_free, new_free) = (free(base), free(current));
    let capability_free = Delta {
        added: new_free.difference(&old_free).cloned().collect(),
        removed: old_free.difference(&new_free).cloned().collect(),
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
        crates,
        capability_free,
        build,
    };
    // A new checksum alone is not reported: it changes with the compiler and build paths.
    let unchanged = change == Change::Changed
        && diff.requests.is_empty()
        && diff.received.is_empty()
        && diff.crates.is_empty()
        && diff.capability_free.is_empty()
        && diff.build.is_empty();
    (!unchanged).then_some(diff)
}

/// How something with versions `base` (`None`: absent) became `current`. With one version on each
/// side they are compared as semver; several or unknown versions that differ are `Changed`.
fn change(base: Option<&[String]>, current: Option<&[String]>) -> Change {
    match (base, current) {
        (None, _) => Change::Added,
        (_, None) => Change::Removed,
        (Some([b]), Some([c])) => match compare_versions(b, c) {
            Ordering::Less => Change::Upgraded,
            Ordering::Greater => Change::Downgraded,
            Ordering::Equal => Change::Changed,
        },
        (Some(_), Some(_)) => Change::Changed,
    }
}

pub(crate) fn compare_versions(a: &str, b: &str) -> Ordering {
    match (semver::Version::parse(a), semver::Version::parse(b)) {
        (Ok(a), Ok(b)) => a.cmp(&b),
        _ => a.cmp(b),
    }
}

#[cfg(test)]
#[path = "diff_tests.rs"]
mod tests;
