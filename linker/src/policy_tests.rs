//! Unit tests of grant narrowing and of the syscall check.

use std::collections::BTreeMap;
use std::path::Path;

use manifest_schema::{Access, NanoManifest};

use super::*;
use crate::graph::{Child, Instance, NanoPackage, PackageInfo, PackageKind};
use crate::inspect::{Inspection, Reach, Syscall};

fn manifest(name: &str, toml: &str) -> NanoManifest {
    let text = format!("[package]\nname = \"{name}\"\n[package.metadata.nano]\nformat = 1\n{toml}");
    manifest_schema::parse_cargo_toml(&text, name, Path::new("Cargo.toml"))
        .unwrap()
        .unwrap()
}

fn package(name: &str, toml: &str, children: Vec<Child>) -> NanoPackage {
    NanoPackage {
        info: PackageInfo::for_test(name),
        manifest: manifest(name, toml),
        kind: PackageKind::Library,
        children,
    }
}

/// `app` (package 1) with one child `child` (package 0).
fn graph(app: &str, child: &str) -> NanoGraph {
    let instance = |id: &str, package, parent| Instance {
        id: id.into(),
        name: id.rsplit('/').next().unwrap().into(),
        package,
        parent,
        namespace: crate::graph::namespace_for(id),
    };
    NanoGraph {
        packages: vec![
            package("child", child, vec![]),
            package(
                "app",
                app,
                vec![Child {
                    name: "child".into(),
                    package: 0,
                }],
            ),
        ],
        root: 1,
        instances: vec![instance("app", 1, None), instance("app/child", 0, Some(0))],
    }
}

fn messages(err: PolicyError) -> Vec<String> {
    err.violations.into_iter().map(|v| v.message).collect()
}

#[test]
fn a_child_holds_its_requests_narrowed_by_the_grant() {
    let g = graph(
        "[package.metadata.nano.requests]\ndirs = { data = \"read-write\" }\nenv = [\"LANG\", \"HOME\"]\n\
         [package.metadata.nano.grants.child]\ndirs = { out = { from = \"data\", path = \"x\", access = \"read-only\" } }\nenv = [\"LANG\"]",
        "[package.metadata.nano.requests]\ndirs = { out = \"read-write\" }\nenv = [\"LANG\"]",
    );
    let holds = resolve_holdings(&g).unwrap();
    let out = &holds[1].dirs["out"];
    assert_eq!(
        (out.from.as_deref(), out.path.as_deref(), out.access),
        (Some("data"), Some("x"), Access::ReadOnly)
    );
    assert_eq!(holds[1].env.iter().collect::<Vec<_>>(), ["LANG"]);
    assert_eq!(
        holds[0].dirs["data"].from, None,
        "the root's slots are bound by the user"
    );
}

#[test]
fn a_grant_can_only_narrow_what_the_granter_holds() {
    let g = graph(
        "[package.metadata.nano.requests]\ndirs = { data = \"read-only\" }\n\
         [package.metadata.nano.grants.child]\ndirs = { out = { from = \"data\", access = \"read-write\" }, more = \"nope\" }\nenv = [\"HOME\"]\nrandom = true",
        "[package.metadata.nano.requests]\ndirs = { out = \"read-write\", more = \"read-only\" }\nenv = [\"HOME\"]\nrandom = true",
    );
    let got = messages(resolve_holdings(&g).unwrap_err());
    for want in [
        "package `app` grants read-write access to slot `data` to `child` but does not hold it",
        "package `app` grants directory slot `nope` (as `more`) to `child` but does not hold it",
        "package `app` grants environment variable `HOME` to `child` but does not hold it",
        "package `app` grants `random` to `child` but does not hold it",
    ] {
        assert!(
            got.iter().any(|m| m == want),
            "missing {want:?} in {got:#?}"
        );
    }
}

#[test]
fn a_request_that_is_not_granted_is_a_link_error() {
    let g = graph(
        "[package.metadata.nano.requests]\nnetwork = [\"203.0.113.5:443\"]",
        "[package.metadata.nano.requests]\nnetwork = [\"203.0.113.5:443\"]\ndirs = { out = \"read-only\" }",
    );
    let got = messages(resolve_holdings(&g).unwrap_err());
    assert_eq!(
        got,
        [
            "package `child` requests directory slot `out` but its parent `app` does not grant it",
            "package `child` requests network `203.0.113.5:443` but its parent `app` does not grant it",
        ]
    );
}

fn inspection(syscalls: &[(&str, &str)]) -> Inspection {
    let syscalls: BTreeMap<Syscall, Reach> = syscalls
        .iter()
        .map(|(i, f)| {
            let s = Syscall {
                interface: (*i).into(),
                function: (*f).into(),
            };
            let reach = Reach {
                path: vec!["nano:x/api#go".into(), "x::go".into(), s.to_string()],
                indirect: false,
            };
            (s, reach)
        })
        .collect();
    Inspection {
        imports: vec![],
        exports: vec![],
        syscalls,
        crates: vec![],
        crate_names: Default::default(),
        env: Default::default(),
    }
}

#[test]
fn reaching_an_unrequested_capability_names_syscall_path_and_fix() {
    let requests = manifest(
        "x",
        "[package.metadata.nano.requests]\nstdio = [\"stderr\"]",
    )
    .requests;
    let found = inspection(&[
        ("wasi:cli/stderr", "get-stderr"),
        ("wasi:sockets/tcp-create-socket", "create-tcp-socket"),
        ("wasi:sockets/instance-network", "instance-network"),
        ("wasi:io/streams", "[method]output-stream.write"),
    ]);
    let v = check_syscalls("x", Path::new("x/Cargo.toml"), &requests, &found);
    assert_eq!(v.len(), 1, "one violation per capability: {v:#?}");
    assert_eq!(
        v[0].message,
        "package `x` reaches `wasi:sockets/instance-network#instance-network` (capability `network`) but its manifest does not request it"
    );
    assert!(v[0].notes[0].contains("x::go"));
    assert!(v[0].help.contains("network = [\"HOST:PORT\"]"));
    let ok = manifest(
        "x",
        "[package.metadata.nano.requests]\nstdio = [\"stderr\"]\nnetwork = [\"a.example:1\"]",
    )
    .requests;
    assert!(check_syscalls("x", Path::new("x/Cargo.toml"), &ok, &found).is_empty());
}

#[test]
fn reading_the_environment_names_the_variables_in_the_refusal_and_the_fix() {
    let requests = manifest("x", "[package.metadata.nano.requests]").requests;
    let mut found = inspection(&[("wasi:cli/environment", "get-environment")]);
    let names = ["TERM", "NO_COLOR"].map(String::from);
    found.env.names.insert(Some("x".into()), names.into());
    let v = check_syscalls("x", Path::new("x/Cargo.toml"), &requests, &found);
    assert_eq!(
        v[0].message,
        "package `x` reaches `wasi:cli/environment#get-environment` (capability `env`, reads `NO_COLOR`, `TERM`) but its manifest does not request it"
    );
    assert!(
        v[0].help
            .contains("add `env = [\"NO_COLOR\", \"TERM\"]` to"),
        "{}",
        v[0].help
    );
    // A computed name: said, with its path, and left to fill in.
    let path = ["nano:x/api#go", "x::go", "std::env::_var"].map(String::from);
    found.env.unnamed.insert(Some("x".into()), path.into());
    let v = check_syscalls("x", Path::new("x/Cargo.toml"), &requests, &found);
    assert!(
        v[0].message.contains(
            "(capability `env`, reads `NO_COLOR`, `TERM` and variables whose names the analysis cannot see)"
        ),
        "{}",
        v[0].message
    );
    assert!(
        v[0].notes[1].ends_with("x::go -> std::env::_var"),
        "{:?}",
        v[0].notes
    );
    assert!(
        v[0].help
            .contains("`env = [\"NO_COLOR\", \"TERM\", \"NAME\"]`")
    );
}

#[test]
fn grant_violations_are_findings_grouped_per_package_grant_and_capability() {
    use crate::findings::{CrateIndex, Kind, of_violations};
    let g = graph(
        "[package.metadata.nano.requests]\nenv = [\"HOME\"]\n\
         [package.metadata.nano.grants.child]\nenv = [\"HOME\", \"TOKEN\"]",
        "[package.metadata.nano.requests]\nenv = [\"A\", \"B\"]\nrandom = true\nlimits = { memory = \"1 GiB\" }",
    );
    let err = resolve_holdings(&g).unwrap_err();
    let found = of_violations(&err.violations, &CrateIndex::default());
    let summary: Vec<(Kind, &str, &str, Vec<&str>)> = found
        .iter()
        .map(|f| {
            let values = f.values.iter().map(String::as_str).collect();
            (f.kind, f.package.as_str(), f.capability.as_str(), values)
        })
        .collect();
    assert_eq!(
        summary,
        [
            (Kind::GrantBeyondHoldings, "app", "env", vec!["TOKEN"]),
            (Kind::UngrantedRequest, "child", "env", vec!["A", "B"]),
            (Kind::UngrantedRequest, "child", "random", vec![]),
            (
                Kind::UngrantedRequest,
                "child",
                "limits",
                vec!["memory 1 GiB"]
            ),
        ]
    );
    let env = &found[1];
    assert_eq!(
        env.message,
        "requests env `A`, `B`, which its parent `app` does not grant"
    );
    assert_eq!(env.instance.as_deref(), Some("child"));
    assert_eq!(env.location.file, Path::new("app/Cargo.toml"));
}
