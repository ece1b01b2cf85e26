//! Unit tests of limit narrowing, on a chain `app` → `mid` → `leaf`.

use std::path::Path;

use manifest_schema::{MemorySize, TimeLimit};

use crate::graph::{Child, Instance, NanoGraph, NanoPackage, PackageInfo, PackageKind};
use crate::policy::{PolicyError, resolve_holdings};

fn package(name: &str, toml: &str, child: Option<usize>) -> NanoPackage {
    let text = format!("[package]\nname = \"{name}\"\n[package.metadata.nano]\nformat = 1\n{toml}");
    let manifest = manifest_schema::parse_cargo_toml(&text, name, Path::new("Cargo.toml"))
        .unwrap()
        .unwrap();
    let children = child.map(|package| Child {
        name: ["app", "mid", "leaf"][package].into(),
        package,
    });
    NanoPackage {
        info: PackageInfo::for_test(name),
        manifest,
        kind: PackageKind::Library,
        children: children.into_iter().collect(),
    }
}

/// `app` → `mid` → `leaf`, with these manifests (after `format = 1`).
fn chain(app: &str, mid: &str, leaf: &str) -> NanoGraph {
    let instance = |id: &str, package, parent| Instance {
        id: id.into(),
        name: id.rsplit('/').next().unwrap().into(),
        package,
        parent,
        namespace: crate::graph::namespace_for(id),
    };
    NanoGraph {
        packages: vec![
            package("app", app, Some(1)),
            package("mid", mid, Some(2)),
            package("leaf", leaf, None),
        ],
        root: 0,
        instances: vec![
            instance("app", 0, None),
            instance("app/mid", 1, Some(0)),
            instance("app/mid/leaf", 2, Some(1)),
        ],
    }
}

fn mib(n: u64) -> MemorySize {
    MemorySize::mib(n).unwrap()
}

fn messages(err: PolicyError) -> Vec<String> {
    err.violations.into_iter().map(|v| v.message).collect()
}

#[test]
fn without_limits_every_package_holds_the_defaults() {
    let holds = resolve_holdings(&chain("", "", "")).unwrap();
    for h in &holds {
        assert_eq!(h.limits, manifest_schema::HeldLimits::default());
    }
    assert_eq!(holds[2].limits.memory, mib(256));
    assert_eq!(holds[2].limits.time, None);
}

#[test]
fn grants_narrow_and_an_absent_grant_never_exceeds_the_granter() {
    let holds = resolve_holdings(&chain(
        "[package.metadata.nano.requests]\nlimits = { memory = \"1 GiB\", time = \"10s\" }\n\
         [package.metadata.nano.grants.mid]\nlimits = { memory = \"512 MiB\", table-elements = 500 }",
        "[package.metadata.nano.grants.leaf]\nlimits = { memory = \"16 MiB\", time = \"2s\" }",
        "",
    ))
    .unwrap();
    assert_eq!(holds[0].limits.memory, mib(1024));
    assert_eq!(holds[1].limits.memory, mib(512));
    assert_eq!(holds[1].limits.table_elements, 500);
    // No time in `mid`'s grant: it holds its parent's.
    assert_eq!(holds[1].limits.time, TimeLimit::millis(10_000));
    assert_eq!(holds[2].limits.memory, mib(16));
    assert_eq!(holds[2].limits.table_elements, 500, "capped by the granter");
    assert_eq!(holds[2].limits.time, TimeLimit::millis(2000));

    // Without a grant, the default memory limit applies below a granter that holds more...
    let holds = resolve_holdings(&chain(
        "[package.metadata.nano.requests]\nlimits = { memory = \"1 GiB\" }",
        "",
        "",
    ))
    .unwrap();
    assert_eq!(holds[1].limits.memory, mib(256));
    // ... and the granter's own limit below one that holds less.
    let holds = resolve_holdings(&chain(
        "[package.metadata.nano.requests]\nlimits = { memory = \"8 MiB\" }",
        "",
        "",
    ))
    .unwrap();
    assert_eq!(holds[2].limits.memory, mib(8));
}

#[test]
fn a_request_within_the_grant_is_what_the_package_holds() {
    let holds = resolve_holdings(&chain(
        "[package.metadata.nano.grants.mid]\nlimits = { memory = \"64 MiB\" }",
        "[package.metadata.nano.requests]\nlimits = { memory = \"32 MiB\", time = \"1s\" }",
        "",
    ))
    .unwrap();
    assert_eq!(holds[1].limits.memory, mib(32));
    assert_eq!(
        holds[1].limits.time,
        TimeLimit::millis(1000),
        "a package may limit itself"
    );
    assert_eq!(holds[2].limits.time, TimeLimit::millis(1000));
}

#[test]
fn wider_grants_and_larger_requests_are_violations_naming_both_packages() {
    let err = resolve_holdings(&chain(
        "[package.metadata.nano.requests]\nlimits = { memory = \"64 MiB\", time = \"1s\" }\n\
         [package.metadata.nano.grants.mid]\nlimits = { memory = \"128 MiB\", time = \"2s\", table-elements = 200000 }",
        "[package.metadata.nano.requests]\nlimits = { memory = \"512 MiB\" }",
        "[package.metadata.nano.requests]\nlimits = { memory = \"128 MiB\", time = \"5s\" }",
    ))
    .unwrap_err();
    let got = messages(err);
    for want in [
        "package `app` grants `mid` a memory limit of 128 MiB but holds only 64 MiB",
        "package `app` grants `mid` a time limit of 2s but holds only 1s",
        "package `app` grants `mid` a table limit of 200000 elements but holds only 100000 elements",
        "package `mid` requests a memory limit of 512 MiB but its parent `app` grants it 64 MiB",
        "package `leaf` requests a memory limit of 128 MiB but its parent `mid` grants it 64 MiB (by default: its grant sets none)",
        "package `leaf` requests a time limit of 5s but its parent `mid` grants it 1s (by default: its grant sets none)",
    ] {
        assert!(
            got.iter().any(|m| m == want),
            "missing {want:?} in {got:#?}"
        );
    }
}
