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
    let mut best: BTreeMap<(String, String), &Reach> = BTreeMap::new();
    for found in &pkg.inspection.crates {
        let Some(capability) = capability_of(&found.syscall) else {
            continue;
        };
        let krate = found.krate.as_deref().unwrap_or(&own);
        // A crate of std's sysroot reaching a syscall is named by its Rust name.
        let name = entry(krate).unwrap_or_else(|| krate.to_string());
        let key = (name, capability.to_string());
        let better = |old: &&Reach| {
            (
                found.reach.indirect,
                found.reach.path.len(),
                &found.reach.path,
            ) < (old.indirect, old.path.len(), &old.path)
        };
        if best.get(&key).is_none_or(better) {
            best.insert(key, &found.reach);
        }
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
    let mut paths = Vec::new();
    for ((krate, capability), reach) in best {
        crates
            .entry(krate.clone())
            .or_default()
            .reaches
            .insert(capability.clone());
        paths.push(LockedPath {
            krate,
            capability,
            path: reach.path.clone(),
            indirect: reach.indirect,
        });
    }
    (crates, paths)
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
