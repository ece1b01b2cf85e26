//! The lock of a build: for each nano package, every crate with code in its component, with its
//! version and the capabilities it reaches, one example path per crate and capability, and the
//! interfaces of the capability-free syscalls it reaches.

use std::collections::{BTreeMap, BTreeSet};

use manifest_schema::lockfile::{
    LOCK_VERSION, LockedCrate, LockedDir, LockedHoldings, LockedPackage, LockedPath, NanoLock,
};
use manifest_schema::plan::Holdings;

use crate::attribution::{self, LinkedCrate};
use crate::inspect::{Reach, capability_of};
use crate::pipeline::{BuildReport, PackageReport};

/// The lock describing a build: every package with its requests, what each of its instances
/// received, and what each of its crates reaches. Sorted.
pub fn from_report(report: &BuildReport) -> NanoLock {
    let mut packages: Vec<LockedPackage> = report
        .packages
        .iter()
        .map(|pkg| {
            let received = report
                .plan
                .instances
                .iter()
                .filter(|i| i.package == pkg.name && i.version == pkg.version)
                .map(|i| (i.id.clone(), holdings(&i.holds)))
                .collect();
            let (crates, paths) = crates(pkg);
            LockedPackage {
                name: pkg.name.clone(),
                version: pkg.version.clone(),
                source: pkg.source.clone(),
                checksum: pkg.component_sha256.clone(),
                capability_free: pkg
                    .inspection
                    .syscalls
                    .keys()
                    .filter(|s| capability_of(s).is_none())
                    .map(|s| s.interface.clone())
                    .collect(),
                requests: pkg.requests.clone(),
                received,
                crates,
                build: pkg.build.clone(),
                paths,
            }
        })
        .collect();
    super::sort(&mut packages);
    NanoLock {
        version: LOCK_VERSION,
        packages,
    }
}

/// The crates table of a package and the example paths, sorted by crate then capability.
fn crates(pkg: &PackageReport) -> (BTreeMap<String, LockedCrate>, Vec<LockedPath>) {
    let own = attribution::rust_name(&pkg.name);
    // Rust crate name → (package name, versions); `None` when Cargo does not list the crate.
    let name_of = |krate: &str| -> Option<(String, Vec<String>)> {
        match pkg.crates.get(krate) {
            Some(LinkedCrate {
                package, versions, ..
            }) => Some((
                package.clone(),
                versions.iter().map(ToString::to_string).collect(),
            )),
            None if krate == own => Some((pkg.name.clone(), vec![pkg.version.clone()])),
            // std's own dependencies, unless the tree has a crate of that name.
            None if attribution::SYSROOT.contains(&krate) => None,
            None => Some((krate.to_string(), Vec::new())),
        }
    };
    let mut crates: BTreeMap<String, LockedCrate> = BTreeMap::new();
    let mut entry = |krate: &str| -> Option<String> {
        let (name, version) = name_of(krate)?;
        crates.entry(name.clone()).or_insert(LockedCrate {
            version,
            ..LockedCrate::default()
        });
        Some(name)
    };
    // The package itself is always listed, even when all its code was inlined away.
    entry(&own);
    // A nano child's code here is the glue calling its interface; the child has its own entry.
    let child = |krate: &str| pkg.crates.get(krate).is_some_and(|c| c.nano) && krate != own;
    for krate in &pkg.inspection.crate_names {
        if !child(krate) {
            entry(krate);
        }
    }
    let mut best = ExamplePaths::default();
    for found in &pkg.inspection.crates {
        let Some(capability) = capability_of(&found.syscall) else {
            continue;
        };
        let krate = found.krate.as_deref().unwrap_or(&own);
        // A crate of std's sysroot reaching a syscall is named by its Rust name.
        let name = entry(krate).unwrap_or_else(|| krate.to_string());
        best.offer(name, capability.to_string(), &found.reach);
    }
    // The variables read by name, and by crates that read some whose names are not seen.
    let env = &pkg.inspection.env;
    let mut reads: Vec<(String, Option<&BTreeSet<String>>)> = Vec::new();
    for (krate, names) in
        (env.names.iter().map(|(k, n)| (k, Some(n)))).chain(env.unnamed.keys().map(|k| (k, None)))
    {
        let krate = krate.as_deref().unwrap_or(&own);
        reads.push((entry(krate).unwrap_or_else(|| krate.to_string()), names));
    }
    for (name, names) in reads {
        let locked = crates.entry(name).or_default();
        match names {
            Some(names) => locked.env.extend(names.iter().cloned()),
            None => locked.env_unnamed = true,
        }
    }
    let paths = best.record(&mut crates);
    (crates, paths)
}

/// One example path per (crate, capability): of those offered, a direct one before one through
/// indirect calls, then the shortest, then the first in order, so the lock is stable.
#[derive(Debug, Default)]
pub(crate) struct ExamplePaths(BTreeMap<(String, String), Reach>);

impl ExamplePaths {
    /// Offers `reach` as the example of `krate` reaching `capability`.
    pub(crate) fn offer(&mut self, krate: String, capability: String, reach: &Reach) {
        let key = (krate, capability);
        let better = |old: &Reach| {
            (reach.indirect, reach.path.len(), &reach.path)
                < (old.indirect, old.path.len(), &old.path)
        };
        if self.0.get(&key).is_none_or(better) {
            self.0.insert(key, reach.clone());
        }
    }

    /// Records each crate's capabilities in `crates` and returns the example paths, sorted by
    /// crate then capability.
    pub(crate) fn record(self, crates: &mut BTreeMap<String, LockedCrate>) -> Vec<LockedPath> {
        self.0
            .into_iter()
            .map(|((krate, capability), reach)| {
                crates
                    .entry(krate.clone())
                    .or_default()
                    .reaches
                    .insert(capability.clone());
                LockedPath {
                    krate,
                    capability,
                    path: reach.path,
                    indirect: reach.indirect,
                }
            })
            .collect()
    }
}

fn holdings(h: &Holdings) -> LockedHoldings {
    LockedHoldings {
        dirs: h
            .dirs
            .iter()
            .map(|(slot, b)| {
                let dir = LockedDir {
                    from: b.from.clone(),
                    path: b.path.clone(),
                    access: b.access,
                };
                (slot.clone(), dir)
            })
            .collect(),
        env: h.env.clone(),
        stdio: h.stdio.clone(),
        clocks: h.clocks.clone(),
        random: h.random,
        network: h.network.clone(),
        args: h.args,
    }
}
