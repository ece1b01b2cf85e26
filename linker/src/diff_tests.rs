use std::collections::BTreeMap;

use manifest_schema::lockfile::{
    LockedDir, LockedHoldings, LockedPackage, LockedSyscall, NanoLock,
};
use manifest_schema::{Access, Capabilities, Stream};

use super::*;

fn pkg(name: &str, version: &str) -> LockedPackage {
    LockedPackage {
        name: name.into(),
        version: version.into(),
        source: None,
        checksum: "0".repeat(64),
        requests: Capabilities::default(),
        received: BTreeMap::new(),
        syscalls: Vec::new(),
    }
}

fn syscall(name: &str, krate: &str) -> LockedSyscall {
    LockedSyscall {
        name: name.into(),
        capability: None,
        krate: krate.into(),
        path: vec!["export".into(), name.into()],
        indirect: false,
    }
}

fn lock(packages: Vec<LockedPackage>) -> NanoLock {
    NanoLock {
        version: 1,
        packages,
    }
}

#[test]
fn identical_locks_do_not_differ_and_checksums_alone_are_ignored() {
    let a = lock(vec![pkg("app", "0.1.0")]);
    let mut b = a.clone();
    b.packages[0].checksum = "1".repeat(64);
    assert!(PermissionDiff::new(&a, &a).is_empty());
    assert!(PermissionDiff::new(&a, &b).is_empty());
}

#[test]
fn an_upgrade_that_reaches_more_grew() {
    let mut old = pkg("notifier", "1.0.0");
    old.requests.stdio.insert(Stream::Stderr);
    old.syscalls
        .push(syscall("wasi:cli/stderr#get-stderr", "notifier"));
    let mut new = pkg("notifier", "1.1.0");
    new.requests.stdio.insert(Stream::Stderr);
    new.requests.env.insert("TOKEN".into());
    new.syscalls
        .push(syscall("wasi:cli/environment#get-environment", "notifier"));
    new.syscalls
        .push(syscall("wasi:cli/stderr#get-stderr", "notifier"));
    let diff = PermissionDiff::new(&lock(vec![old]), &lock(vec![new]));
    assert!(diff.grew());
    let p = &diff.packages[0];
    assert_eq!(p.change, Change::Upgraded);
    assert_eq!(p.title(), "notifier 1.0.0 → 1.1.0");
    assert_eq!(
        p.requests.added,
        vec![Permission::Env {
            name: "TOKEN".into()
        }]
    );
    assert!(p.requests.removed.is_empty());
    assert_eq!(p.syscalls.added.len(), 1);
    assert_eq!(
        p.syscalls.added[0].name,
        "wasi:cli/environment#get-environment"
    );
}

#[test]
fn shrinking_is_reported_but_is_not_growth() {
    let mut old = pkg("extractor", "1.0.0");
    let mut held = LockedHoldings::default();
    held.dirs.insert(
        "out".into(),
        LockedDir {
            from: Some("data".into()),
            path: None,
            access: Access::ReadWrite,
        },
    );
    old.received.insert("app/extractor".into(), held.clone());
    old.syscalls
        .push(syscall("wasi:random/random#get-random-bytes", "extractor"));
    let mut new = old.clone();
    new.syscalls.clear();
    if let Some(d) = held.dirs.get_mut("out") {
        d.access = Access::ReadOnly;
    }
    new.received.insert("app/extractor".into(), held);
    let diff = PermissionDiff::new(&lock(vec![old.clone()]), &lock(vec![new.clone()]));
    assert!(!diff.grew());
    let p = &diff.packages[0];
    assert_eq!(p.change, Change::Changed);
    assert_eq!(p.received[0].delta.added, vec![]);
    assert_eq!(p.received[0].delta.removed.len(), 1);
    assert_eq!(p.syscalls.removed.len(), 1);
    // The other way round, read-only to read-write is growth.
    let back = PermissionDiff::new(&lock(vec![new]), &lock(vec![old]));
    assert!(back.grew());
    assert_eq!(
        back.packages[0].received[0].delta.added[0].to_string(),
        "dirs `out` (read-write, from `data`)"
    );
}

#[test]
fn added_packages_grow_only_when_they_hold_something() {
    let base = lock(vec![pkg("app", "0.1.0")]);
    let pure = lock(vec![pkg("app", "0.1.0"), pkg("inflate", "0.1.0")]);
    let diff = PermissionDiff::new(&base, &pure);
    assert_eq!(diff.packages[0].change, Change::Added);
    assert!(!diff.grew());
    let mut greedy = pkg("net", "0.1.0");
    greedy.requests.random = true;
    assert!(PermissionDiff::new(&base, &lock(vec![pkg("app", "0.1.0"), greedy])).grew());
    let removed = PermissionDiff::new(&pure, &base);
    assert_eq!(removed.packages[0].change, Change::Removed);
    assert_eq!(removed.packages[0].title(), "inflate 0.1.0 (removed)");
}

#[test]
fn versions_are_compared_as_semver() {
    let diff = PermissionDiff::new(
        &lock(vec![pkg("a", "1.10.0")]),
        &lock(vec![pkg("a", "1.9.0")]),
    );
    assert_eq!(diff.packages[0].change, Change::Downgraded);
}

#[test]
fn two_versions_of_one_package_pair_by_equal_version_first() {
    let base = lock(vec![pkg("a", "1.0.0"), pkg("a", "2.0.0")]);
    let current = lock(vec![pkg("a", "2.0.0"), pkg("a", "2.1.0")]);
    let pairs = pair(&base.packages, &current.packages);
    let versions: Vec<(Option<&str>, Option<&str>)> = pairs
        .iter()
        .map(|(b, c)| (b.map(|p| p.version.as_str()), c.map(|p| p.version.as_str())))
        .collect();
    assert_eq!(
        versions,
        vec![
            (Some("2.0.0"), Some("2.0.0")),
            (Some("1.0.0"), Some("2.1.0"))
        ]
    );
}
