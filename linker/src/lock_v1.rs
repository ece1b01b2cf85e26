//! Reading a `Nano.lock` of format version 1, which recorded each syscall with one example path
//! attributed to one crate, and no crate versions. It is converted to the current types with
//! what it knows: each crate named on an example path reaches the capability of that syscall,
//! and the capability-free syscalls give their interfaces. The result keeps `version = 1`, so
//! comparisons know that it cannot tell which other crates reached a capability
//! ([`crate::diff`] compares reach per package against it).

use std::collections::BTreeMap;

use manifest_schema::lockfile::v1;
use manifest_schema::lockfile::{LOCK_VERSION, LockedPackage, LockedPath, NanoLock};

/// Whether `lock` was read from an older format and converted ([`legacy_note`] says what to do).
pub fn is_legacy(lock: &NanoLock) -> bool {
    lock.version < LOCK_VERSION
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
    let mut best: BTreeMap<(String, String), v1::LockedSyscall> = BTreeMap::new();
    let mut capability_free = std::collections::BTreeSet::new();
    for syscall in old.syscalls {
        let Some(capability) = syscall.capability.clone() else {
            let interface = syscall.name.split('#').next().unwrap_or(&syscall.name);
            capability_free.insert(interface.to_string());
            continue;
        };
        let key = (syscall.krate.clone(), capability);
        let better = |b: &v1::LockedSyscall| {
            (syscall.indirect, syscall.path.len(), &syscall.path)
                < (b.indirect, b.path.len(), &b.path)
        };
        if best.get(&key).is_none_or(better) {
            best.insert(key, syscall);
        }
    }
    let mut crates: BTreeMap<String, manifest_schema::lockfile::LockedCrate> = BTreeMap::new();
    let mut paths = Vec::new();
    for ((krate, capability), syscall) in best {
        crates
            .entry(krate.clone())
            .or_default()
            .reaches
            .insert(capability.clone());
        paths.push(LockedPath {
            krate,
            capability,
            path: syscall.path,
            indirect: syscall.indirect,
        });
    }
    LockedPackage {
        name: old.name,
        version: old.version,
        source: old.source,
        checksum: old.checksum,
        capability_free,
        requests: old.requests,
        received: old.received,
        crates,
        paths,
    }
}
