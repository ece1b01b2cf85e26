use std::collections::BTreeMap;

use manifest_schema::lockfile::{
    LockedCrate, LockedDir, LockedHoldings, LockedPackage, LockedPath, NanoLock,
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
        capability_free: Default::default(),
        crates: BTreeMap::new(),
        build: BTreeMap::new(),
        paths: Vec::new(),
    }
}

/// Links `krate` at `version` into `p`, reaching `capabilities`.
fn link(p: &mut LockedPackage, krate: &str, version: &str, capabilities: &[&str]) {
    let entry = LockedCrate {
        version: vec![version.into()],
        reaches: capabilities.iter().map(|c| c.to_string()).collect(),
        ..LockedCrate::default()
    };
    p.crates.insert(krate.into(), entry);
    p.paths.retain(|x| x.krate != krate);
    for c in capabilities {
        p.paths.push(LockedPath {
            krate: krate.into(),
            capability: c.to_string(),
            path: vec![
                "export".into(),
                format!("{krate}::f"),
                format!("syscall for {c}"),
            ],
            indirect: false,
        });
    }
}

fn lock(packages: Vec<LockedPackage>) -> NanoLock {
    NanoLock {
        version: manifest_schema::lockfile::LOCK_VERSION,
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
    link(&mut old, "notifier", "1.0.0", &["stdio stderr"]);
    let mut new = pkg("notifier", "1.1.0");
    new.requests.stdio.insert(Stream::Stderr);
    new.requests.env.insert("TOKEN".into());
    link(&mut new, "notifier", "1.1.0", &["env", "stdio stderr"]);
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
    // The package's own crate: its reach, not its version (the package's).
    assert_eq!(p.crates.len(), 1);
    assert_eq!(p.crates[0].reaches.added.len(), 1);
    assert_eq!(p.crates[0].reaches.added[0].capability, "env");
    assert_eq!(p.crates[0].title(), "notifier 1.0.0 → 1.1.0");
}

#[test]
fn a_crate_reaching_what_another_crate_already_reaches_grew() {
    let mut old = pkg("notifier", "1.0.0");
    link(&mut old, "notifier", "1.0.0", &["env"]);
    link(&mut old, "fmtlib", "0.1.0", &[]);
    link(&mut old, "itoa", "1.0.0", &[]);
    let mut new = old.clone();
    link(&mut new, "fmtlib", "0.2.0", &["env"]);
    link(&mut new, "itoa", "1.0.1", &[]);
    let diff = PermissionDiff::new(&lock(vec![old.clone()]), &lock(vec![new.clone()]));
    assert!(diff.grew());
    let p = &diff.packages[0];
    assert_eq!(p.change, Change::Changed);
    let names: Vec<&str> = p.crates.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["fmtlib", "itoa"]);
    let fmtlib = &p.crates[0];
    assert_eq!(
        (fmtlib.change, fmtlib.title()),
        (Change::Upgraded, "fmtlib 0.1.0 → 0.2.0".to_string())
    );
    assert_eq!(fmtlib.reaches.added[0].path[1], "fmtlib::f");
    // A version alone is shown, and is not growth.
    assert!(p.crates[1].reaches.is_empty());
    let only_version = PermissionDiff::new(
        &lock(vec![old.clone()]),
        &lock(vec![{
            let mut v = old.clone();
            link(&mut v, "itoa", "1.0.1", &[]);
            v
        }]),
    );
    assert!(!only_version.grew());
    assert_eq!(
        only_version.packages[0].crates[0].title(),
        "itoa 1.0.0 → 1.0.1"
    );

    // Against a version-1 base, which names one crate per syscall, only what the package did
    // not reach at all is growth.
    let mut legacy = lock(vec![old]);
    legacy.version = 1;
    let diff = PermissionDiff::new(&legacy, &lock(vec![new.clone()]));
    assert!(!diff.grew(), "{diff:?}");
    link(&mut new, "fmtlib", "0.2.0", &["env", "random"]);
    let diff = PermissionDiff::new(&legacy, &lock(vec![new]));
    assert!(diff.grew());
    let fmtlib = &diff.packages[0].crates[0];
    let added: Vec<&str> = fmtlib
        .reaches
        .added
        .iter()
        .map(|r| r.capability.as_str())
        .collect();
    assert_eq!(added, ["random"]);
}

#[test]
fn capability_free_interfaces_are_reported_but_are_not_growth() {
    let old = pkg("app", "0.1.0");
    let mut new = old.clone();
    new.capability_free.insert("wasi:io/streams".into());
    let diff = PermissionDiff::new(&lock(vec![old]), &lock(vec![new]));
    assert!(!diff.grew());
    assert_eq!(diff.packages[0].capability_free.added, ["wasi:io/streams"]);
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
    link(&mut old, "extractor", "1.0.0", &["random"]);
    let mut new = old.clone();
    link(&mut new, "extractor", "1.0.0", &[]);
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
    assert_eq!(p.crates[0].reaches.removed.len(), 1);
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

#[test]
fn a_crate_reading_a_new_variable_by_name_grew() {
    let mut old = pkg("notifier", "1.0.0");
    link(&mut old, "notifier", "1.0.0", &["env"]);
    let names = |p: &mut LockedPackage, names: &[&str]| {
        let entry = p.crates.get_mut("notifier").unwrap();
        entry.env = names.iter().map(|n| n.to_string()).collect();
    };
    names(&mut old, &["NO_COLOR"]);
    let mut new = old.clone();
    names(&mut new, &["NOTIFY_TOKEN", "NO_COLOR"]);
    let diff = PermissionDiff::new(&lock(vec![old.clone()]), &lock(vec![new.clone()]));
    assert!(diff.grew());
    let notifier = &diff.packages[0].crates[0];
    assert!(notifier.reaches.is_empty());
    assert_eq!(notifier.env.added, ["NOTIFY_TOKEN"]);
    // Reading fewer is reported and is not growth.
    let back = PermissionDiff::new(&lock(vec![new.clone()]), &lock(vec![old.clone()]));
    assert!(!back.grew());
    assert_eq!(back.packages[0].crates[0].env.removed, ["NOTIFY_TOKEN"]);
    // A base that reached `env` without recording names (written before names were) knows
    // none: nothing to compare, no growth.
    let mut unnamed = old.clone();
    names(&mut unnamed, &[]);
    let diff = PermissionDiff::new(&lock(vec![unnamed]), &lock(vec![new]));
    assert!(!diff.grew(), "{diff:#?}");
    assert!(diff.is_empty(), "{diff:#?}");
}
