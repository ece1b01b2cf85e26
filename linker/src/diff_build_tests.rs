use std::collections::BTreeMap;

use manifest_schema::lockfile::{BuildRun, LOCK_VERSION, LockedBuild, LockedPackage, NanoLock};

use crate::diff::{BuildPermission, Change, PermissionDiff};
use crate::findings::{self, Kind};

fn pkg(builds: &[(&str, LockedBuild)]) -> LockedPackage {
    LockedPackage {
        name: "app".into(),
        version: "0.1.0".into(),
        source: None,
        checksum: "0".repeat(64),
        capability_free: Default::default(),
        requests: Default::default(),
        received: Default::default(),
        crates: BTreeMap::new(),
        build: builds
            .iter()
            .map(|(n, b)| (n.to_string(), b.clone()))
            .collect(),
        paths: Vec::new(),
    }
}

fn script(version: &str) -> LockedBuild {
    LockedBuild {
        version: vec![version.into()],
        runs: [BuildRun::BuildScript].into(),
        ..LockedBuild::default()
    }
}

fn with(mut b: LockedBuild, network: bool, read: &[&str], write: &[&str]) -> LockedBuild {
    b.network = network;
    b.read = read.iter().map(|s| s.to_string()).collect();
    b.write = write.iter().map(|s| s.to_string()).collect();
    b
}

fn lock(version: u32, builds: &[(&str, LockedBuild)]) -> NanoLock {
    NanoLock {
        version,
        packages: vec![pkg(builds)],
    }
}

fn diff(base: &[(&str, LockedBuild)], current: &[(&str, LockedBuild)]) -> PermissionDiff {
    PermissionDiff::new(&lock(LOCK_VERSION, base), &lock(LOCK_VERSION, current))
}

#[test]
fn a_new_permission_of_a_crate_is_growth_and_a_lost_one_is_not() {
    let base = [("ossl", with(script("1.0.0"), false, &[], &["/opt/cache"]))];
    let more = [(
        "ossl",
        with(script("1.0.0"), true, &["/opt/cache/x", "vendor"], &[]),
    )];
    let d = diff(&base, &more);
    assert!(d.grew());
    let b = &d.packages[0].build[0];
    // A read inside a tree it could write is covered.
    assert_eq!(
        b.permissions.added,
        [
            BuildPermission::Network,
            BuildPermission::Read("vendor".into())
        ]
    );
    assert_eq!(
        b.permissions.removed,
        [BuildPermission::Write("/opt/cache".into())]
    );
    let less = [("ossl", with(script("1.0.0"), false, &["vendor"], &[]))];
    let back = diff(&more, &less);
    assert!(!back.grew());
    assert_eq!(
        back.packages[0].build[0].permissions.removed,
        [
            BuildPermission::Network,
            BuildPermission::Read("/opt/cache/x".into())
        ]
    );
}

#[test]
fn a_new_version_carrying_permissions_is_growth_without_it_only_shown() {
    let d = diff(
        &[("ossl", with(script("1.0.0"), true, &[], &[]))],
        &[("ossl", with(script("1.1.0"), true, &[], &[]))],
    );
    assert!(d.grew());
    let b = &d.packages[0].build[0];
    assert_eq!(b.change, Change::Upgraded);
    assert!(b.other_version);
    assert_eq!(b.permissions.added, [BuildPermission::Network]);
    assert!(b.permissions.removed.is_empty());
    let plain = diff(&[("pm2", script("1.0.0"))], &[("pm2", script("1.0.1"))]);
    assert!(!plain.grew());
    assert_eq!(plain.packages[0].build[0].versions(), "1.0.0 → 1.0.1");
}

#[test]
fn a_crate_newly_running_at_build_time_is_shown_and_grows_only_with_permissions() {
    let d = diff(&[], &[("zstd-sys", script("2.0.0"))]);
    assert!(!d.grew());
    let b = &d.packages[0].build[0];
    assert_eq!((b.change, b.what()), (Change::Added, "build script".into()));
    let mut both = script("2.0.0");
    both.runs.insert(BuildRun::ProcMacro);
    let d = diff(&[("x", script("2.0.0"))], &[("x", both)]);
    assert_eq!(d.packages[0].build[0].runs.added, [BuildRun::ProcMacro]);
    assert!(!d.grew());
    let d = diff(&[], &[("curl-sys", with(script("0.4.0"), true, &[], &[]))]);
    assert!(d.grew());
    let same = [("x", with(script("1.0.0"), true, &[], &[]))];
    assert!(diff(&same, &same).is_empty());
}

#[test]
fn a_version_2_base_records_no_build_time_crates_so_only_permissions_show() {
    let current = lock(
        LOCK_VERSION,
        &[
            ("pm2", script("1.0.0")),
            ("ossl", with(script("1.0.0"), false, &["vendor"], &[])),
        ],
    );
    let d = PermissionDiff::new(&lock(2, &[]), &current);
    assert!(d.grew());
    let names: Vec<&str> = d.packages[0]
        .build
        .iter()
        .map(|b| b.name.as_str())
        .collect();
    assert_eq!(names, ["ossl"]);
    assert_eq!(d.packages[0].build[0].change, Change::Changed);
}

#[test]
fn growth_is_a_finding_per_crate_and_key_pointing_at_the_workspace_manifest() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Cargo.toml"),
        "[workspace]\n\n[workspace.metadata.nano.build.ossl]\nnetwork = true\nread = [\"a\", \"b\"]\n",
    )
    .unwrap();
    let sources = findings::Sources {
        lock: dir.path().join("Nano.lock"),
        ..Default::default()
    };
    let d = diff(
        &[("ossl", with(script("1.0.0"), false, &[], &["w"]))],
        &[("ossl", with(script("1.1.0"), true, &["a", "b"], &[]))],
    );
    let found = findings::of_diff(&d, &sources);
    let seen: Vec<(Kind, &str, usize)> = found
        .iter()
        .map(|f| (f.kind, f.message.as_str(), f.location.line))
        .collect();
    assert_eq!(
        seen,
        [
            (
                Kind::NewBuildPermission,
                "crate `ossl` 1.0.0 → 1.1.0 (build script) may use the network at build time",
                4
            ),
            (
                Kind::NewBuildPermission,
                "crate `ossl` 1.0.0 → 1.1.0 (build script) may read `a`, `b` at build time",
                5
            ),
            (
                Kind::Dropped,
                "crate `ossl` 1.0.0 → 1.1.0 (build script) may no longer write `w` at build time",
                3
            ),
        ]
    );
    assert_eq!(found[1].values, ["a", "b"]);
    assert_eq!(found[1].capability, "build read");
    assert!(
        found[0].notes[0].contains("for 1.0.0 only"),
        "{:?}",
        found[0].notes
    );
    assert!(
        found
            .iter()
            .all(|f| f.location.file.ends_with("Cargo.toml"))
    );
    assert!(
        found[0]
            .help
            .contains("the build script of `ossl` does with it")
            && found[0]
                .help
                .contains("`[workspace.metadata.nano.build.ossl]`"),
        "{}",
        found[0].help
    );
}

#[test]
fn lock_update_of_one_package_keeps_another_packages_build_growth_out() {
    let mut other = pkg(&[("ossl", script("1.0.0"))]);
    other.name = "other".into();
    let old = NanoLock {
        version: LOCK_VERSION,
        packages: vec![pkg(&[]), other.clone()],
    };
    let mut grown = other.clone();
    grown
        .build
        .insert("ossl".into(), with(script("1.0.0"), true, &[], &[]));
    let current = NanoLock {
        version: LOCK_VERSION,
        packages: vec![pkg(&[("pm2", script("1.0.0"))]), grown.clone()],
    };
    let updated = crate::lock::update_packages(&old, &current, &["app".into()]);
    assert_eq!(updated.packages[0].build.len(), 1, "app's change accepted");
    assert_eq!(updated.packages[1], other, "other's growth left out");
    let all = crate::lock::update_packages(&old, &current, &["other".into()]);
    assert_eq!(all.packages[1], grown);
}
