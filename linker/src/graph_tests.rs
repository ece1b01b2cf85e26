//! Unit tests of the nano tree: root selection, children, instances, namespaces, errors.

use std::collections::BTreeSet;

use manifest_schema::{FORMAT_VERSION, NanoManifest};

use super::*;

fn manifest() -> NanoManifest {
    NanoManifest {
        format: FORMAT_VERSION,
        requests: Default::default(),
        limits: Default::default(),
        grants: Default::default(),
    }
}

/// A package `name` depending on `deps`; nano when `nano`, a binary when `bin`.
fn pkg(name: &str, deps: &[&str], nano: bool, bin: bool) -> PackageInfo {
    PackageInfo {
        id: format!("id-{name}"),
        manifest: nano.then(manifest),
        bin: bin.then(|| name.to_string()),
        lib: (!bin).then(|| PathBuf::from(format!("{name}/src/lib.rs"))),
        features: [EXPORT_FEATURE, IMPORT_FEATURE]
            .iter()
            .map(|f| f.to_string())
            .collect::<BTreeSet<_>>(),
        deps: deps.iter().map(|d| format!("id-{d}")).collect(),
        ..PackageInfo::for_test(name)
    }
}

fn members(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| format!("id-{n}")).collect()
}

fn ids(graph: &NanoGraph) -> Vec<&str> {
    graph.instances.iter().map(|i| i.id.as_str()).collect()
}

#[test]
fn the_tree_comes_from_cargo_and_skips_ordinary_crates() {
    let packages = [
        pkg("app", &["extractor", "log"], true, true),
        pkg("extractor", &["inflate", "zip"], true, false),
        pkg("inflate", &["miniz"], true, false),
        pkg("zip", &["miniz"], false, false),
        pkg("miniz", &[], false, false),
        pkg("log", &[], false, false),
    ];
    let graph = build_graph(&packages, &members(&["app"]), None).unwrap();
    assert_eq!(
        ids(&graph),
        ["app", "app/extractor", "app/extractor/inflate"]
    );
    assert_eq!(
        graph.packages[graph.root].kind,
        PackageKind::Command("app".into())
    );
    // Build order: children before parents.
    let order: Vec<&str> = graph
        .packages
        .iter()
        .map(|p| p.info.name.as_str())
        .collect();
    assert_eq!(order, ["inflate", "extractor", "app"]);
    assert_eq!(graph.instances[2].namespace, "nano-app-extractor-inflate");
}

#[test]
fn a_project_without_manifests_is_one_nanoprocess() {
    let packages = [
        pkg("app", &["serde"], false, true),
        pkg("serde", &[], false, false),
    ];
    let graph = build_graph(&packages, &members(&["app"]), None).unwrap();
    assert_eq!(ids(&graph), ["app"]);
    assert!(graph.packages[0].manifest.requests.is_empty());
}

#[test]
fn a_package_used_twice_runs_as_two_instances() {
    let packages = [
        pkg("app", &["a", "b"], true, true),
        pkg("a", &["shared"], true, false),
        pkg("b", &["shared"], true, false),
        pkg("shared", &[], true, false),
    ];
    let graph = build_graph(&packages, &members(&["app"]), None).unwrap();
    assert_eq!(
        ids(&graph),
        ["app", "app/a", "app/a/shared", "app/b", "app/b/shared"]
    );
    assert_eq!(graph.packages.len(), 4, "one component per package");
    let namespaces: BTreeSet<&str> = graph
        .instances
        .iter()
        .map(|i| i.namespace.as_str())
        .collect();
    assert_eq!(namespaces.len(), 5, "one namespace per instance");
}

#[test]
fn namespaces_never_collide() {
    let packages = [
        pkg("app", &["a-b", "a"], true, true),
        pkg("a", &["b"], true, false),
        pkg("a-b", &[], true, false),
        pkg("b", &[], true, false),
    ];
    let graph = build_graph(&packages, &members(&["app"]), None).unwrap();
    let namespaces: Vec<&str> = graph
        .instances
        .iter()
        .map(|i| i.namespace.as_str())
        .collect();
    let unique: BTreeSet<&&str> = namespaces.iter().collect();
    assert_eq!(unique.len(), namespaces.len(), "{namespaces:?}");
    assert_eq!(namespace_for("app/2d_lib"), "nano-app-n2d-lib");
}

#[test]
fn a_nano_package_behind_an_ordinary_crate_is_refused() {
    let packages = [
        pkg("app", &["wrapper"], true, true),
        pkg("wrapper", &["hidden"], false, false),
        pkg("hidden", &[], true, false),
    ];
    let err = build_graph(&packages, &members(&["app"]), None).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("`hidden`") && text.contains("`wrapper`") && text.contains("`app`"),
        "{text}"
    );
}

#[test]
fn a_cycle_is_refused_with_its_path() {
    let packages = [
        pkg("app", &["a"], true, true),
        pkg("a", &["b"], true, false),
        pkg("b", &["a"], true, false),
    ];
    let err = build_graph(&packages, &members(&["app"]), None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "nano packages form a dependency cycle: `a` -> `b` -> `a`"
    );
}

#[test]
fn root_selection_needs_one_binary_or_a_name() {
    let packages = [pkg("one", &[], true, true), pkg("two", &[], true, true)];
    let all = members(&["one", "two"]);
    let err = build_graph(&packages, &all, None).unwrap_err().to_string();
    assert!(
        err.contains("`one`, `two`") && err.contains("-p NAME"),
        "{err}"
    );
    let graph = build_graph(&packages, &all, Some("two")).unwrap();
    assert_eq!(ids(&graph), ["two"]);
    let err = build_graph(&packages, &all, Some("three"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("`three` is not a member"), "{err}");
    let lib = [pkg("lib", &[], true, false)];
    assert!(build_graph(&lib, &members(&["lib"]), Some("lib")).is_err());
}

#[test]
fn a_child_without_the_nano_features_is_refused() {
    let mut child = pkg("child", &[], true, false);
    child.features.remove(IMPORT_FEATURE);
    let packages = [pkg("app", &["child"], true, true), child];
    let err = build_graph(&packages, &members(&["app"]), None)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`nano-import`") && err.contains("child/Cargo.toml"),
        "{err}"
    );
}

/// `pkg` with a different version (its id carries it).
fn versioned(name: &str, version: u64, deps: &[&str]) -> PackageInfo {
    let mut p = pkg(name, deps, true, false);
    p.id = format!("id-{name}-{version}");
    p.version = semver::Version::new(version, 0, 0);
    p
}

fn grant_to(p: &mut PackageInfo, key: &str) {
    let manifest = p.manifest.get_or_insert_with(manifest);
    manifest.grants.insert(key.into(), Default::default());
}

#[test]
fn a_renamed_child_is_named_and_granted_by_its_dependency_name() {
    let mut app = pkg("app", &[], true, true);
    app.deps = vec!["id-util-1".into()];
    app.dep_names = [("id-util-1".to_string(), "util1".to_string())].into();
    grant_to(&mut app, "util1");
    let packages = [app, versioned("util", 1, &[])];
    let graph = build_graph(&packages, &members(&["app"]), None).unwrap();
    assert_eq!(ids(&graph), ["app", "app/util1"]);
    assert_eq!(graph.instances[1].name, "util1");
    assert_eq!(graph.instances[1].namespace, "nano-app-util1");

    // The package name where the dependency is renamed: the error names the right key.
    let mut packages = packages;
    packages[0].manifest.as_mut().unwrap().grants.clear();
    grant_to(&mut packages[0], "util");
    let err = build_graph(&packages, &members(&["app"]), None)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("grants capabilities to `util`")
            && err.contains("under the name `util1`")
            && err.contains("app/Cargo.toml"),
        "{err}"
    );
}

#[test]
fn a_grant_to_a_typo_or_an_ordinary_crate_is_refused() {
    let mut app = pkg("app", &["extractor", "regex"], true, true);
    grant_to(&mut app, "extracter");
    let mut packages = vec![
        app,
        pkg("extractor", &[], true, false),
        pkg("regex", &[], false, false),
    ];
    let err = build_graph(&packages, &members(&["app"]), None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("did you mean `extractor`?"), "{err}");
    packages[0].manifest = Some(manifest());
    packages[0].dep_names = [("id-regex".to_string(), "regex".to_string())].into();
    grant_to(&mut packages[0], "regex");
    let err = build_graph(&packages, &members(&["app"]), None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("`regex` is an ordinary crate"), "{err}");
    packages[0].manifest = Some(manifest());
    grant_to(&mut packages[0], "zzzzzz");
    let err = build_graph(&packages, &members(&["app"]), None)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("its nano dependencies are `extractor`"),
        "{err}"
    );
}

#[test]
fn two_versions_of_a_package_are_two_packages_in_different_parents() {
    let mut app = pkg("app", &["left", "right"], true, true);
    app.deps = vec!["id-left".into(), "id-right".into()];
    let mut left = pkg("left", &[], true, false);
    left.deps = vec!["id-util-1".into()];
    let mut right = pkg("right", &[], true, false);
    right.deps = vec!["id-util-2".into()];
    let packages = [
        app,
        left,
        right,
        versioned("util", 1, &[]),
        versioned("util", 2, &[]),
    ];
    let graph = build_graph(&packages, &members(&["app"]), None).unwrap();
    assert_eq!(
        ids(&graph),
        [
            "app",
            "app/left",
            "app/left/util",
            "app/right",
            "app/right/util"
        ]
    );
    let versions: Vec<u64> = [2, 4]
        .iter()
        .map(|&i| {
            graph.packages[graph.instances[i].package]
                .info
                .version
                .major
        })
        .collect();
    assert_eq!(versions, [1, 2]);

    // Both under one parent: their interfaces would collide in it.
    let mut both = packages.clone();
    both[0].deps = vec!["id-util-1".into(), "id-util-2".into()];
    both[0].dep_names = [
        ("id-util-1".to_string(), "util1".to_string()),
        ("id-util-2".to_string(), "util2".to_string()),
    ]
    .into();
    let err = build_graph(&both, &members(&["app"]), None)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("two versions of the nano package `util` (`util1` 1.0.0 and `util2` 2.0.0)"),
        "{err}"
    );
}
