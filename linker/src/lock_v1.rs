//! Reading a `Nano.lock` of format version 1, which recorded each syscall with one example path
//! attributed to one crate, and no crate versions. It is converted to the current types with
//! what it knows: each crate named on an example path reaches the capability of that syscall,
//! and the capability-free syscalls give their interfaces. The result keeps `version = 1`, so
//! comparisons know that it cannot tell which other crates reached a capability
//! ([`crate::diff`] compares reach per package against it).

use std::collections::BTreeMap;

use manifest_schema::lockfile::v1;
use manifest_schema::lockfile::{BUILD_LOCK_VERSION, LOCK_VERSION, LockedPackage, NanoLock};

use super::build::ExamplePaths;
use crate::inspect::Reach;

/// Whether `lock` was read from format version 1 and converted ([`legacy_note`] says what to
/// do).
pub fn is_legacy(lock: &NanoLock) -> bool {
    lock.version < 2
}

/// Whether `lock` records the crates that run at build time and their build permissions
/// (format version 3 on); an older lock is compared as if it recorded none of them.
pub fn records_build(lock: &NanoLock) -> bool {
    lock.version >= BUILD_LOCK_VERSION
}

/// What to tell the user about a lock read from format version 1 (`origin` names it).
pub fn legacy_note(origin: &str) -> String {
    format!(
        "`{origin}` has format version 1, which records one crate per syscall and no crate versions: it is compared by the capabilities each package reaches, not per crate (help: run `cargo nano lock --update` to rewrite it as version {LOCK_VERSION}, and review the diff)"
    )
}

/// `old` in the current types, with `version = 1`.
pub(super) fn convert(old: v1::NanoLock) -> NanoLock {
    let packages = old.packages.into_iter().map(package).collect();
    NanoLock {
        version: 1,
        packages,
    }
}

fn package(old: v1::LockedPackage) -> LockedPackage {
    let mut best = ExamplePaths::default();
    let mut capability_free = std::collections::BTreeSet::new();
    for syscall in old.syscalls {
        let Some(capability) = syscall.capability.clone() else {
            let interface = syscall.name.split('#').next().unwrap_or(&syscall.name);
            capability_free.insert(interface.to_string());
            continue;
        };
        let reach = Reach {
            path: syscall.path,
            indirect: syscall.indirect,
        };
        best.offer(syscall.krate, capability, &reach);
    }
    let mut crates = BTreeMap::new();
    let paths = best.record(&mut crates);
    LockedPackage {
        name: old.name,
        version: old.version,
        source: old.source,
        checksum: old.checksum,
        capability_free,
        requests: old.requests,
        received: old.received,
        crates,
        build: BTreeMap::new(),
        paths,
    }
}
