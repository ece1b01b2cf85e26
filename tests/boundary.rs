//! `#[nanoprocess::boundary]` end to end: the boundary really is crossed in the nano build, a
//! signature that cannot cross is a compile error at the offending type, an incompatible child
//! upgrade is refused before composition, and `cargo nano new --lib` scaffolds a package that
//! tests natively.

mod support;

use std::process::Command;

use support::{cargo_nano, fixture, normalize, repo, snapshot};

#[test]
fn the_childs_static_is_not_visible_to_the_parent() {
    let out = cargo_nano("memory", &["run"]);
    assert_eq!(out.status, 0, "{}", out.render());
    // The child counted both calls in its own memory; the parent's `counter::HITS` never moved
    // (natively, `cargo run` in the fixture prints 2 for both).
    assert!(
        out.stdout.contains("child counted 2 calls"),
        "{}",
        out.render()
    );
    assert!(
        out.stdout.contains("parent sees HITS = 0"),
        "{}",
        out.render()
    );
    // Records, variants, options, lists, floats, bools and signed integers crossed intact.
    assert!(
        out.stdout.contains(
            "Ok(Stats { label: \"DEMO\", hits: 2, weight: 18.0, last: Some(Named(\"nano\")), \
             bytes: [100, 101, 109, 111], flag: true })"
        ),
        "{}",
        out.render()
    );
    assert!(
        out.stdout.contains("Err(\"empty label\")"),
        "{}",
        out.render()
    );
    assert!(out.stdout.contains("total 42"), "{}", out.render());
}

#[test]
fn unsupported_signatures_are_compile_errors_at_the_type() {
    let dir = repo().join("tests").join("compile-fail");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["check", "--quiet", "--message-format", "short"])
        .current_dir(&dir)
        .env(
            "CARGO_TARGET_DIR",
            repo().join("target").join("fixtures").join("compile-fail"),
        )
        .output()
        .unwrap();
    assert!(!out.status.success(), "the bad boundary compiled");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("src/") && l.contains("error"))
        .collect();
    snapshot(
        "boundary-unsupported-signatures",
        &normalize(&(errors.join("\n") + "\n"), &[]),
    );
}

#[test]
fn an_incompatible_child_upgrade_is_refused_before_composition() {
    let out = cargo_nano("wit-upgrade", &["build"]);
    assert_eq!(out.status, 2, "{}", out.render());
    assert!(out.stderr.contains("`app`") && out.stderr.contains("`greeter` 0.2.0"));
    snapshot("wit-upgrade-build", &normalize(&out.render(), &[]));
    assert!(!fixture("wit-upgrade").join("target").exists());
}

#[test]
fn new_lib_scaffolds_a_package_that_tests_natively() {
    let dir = tempfile::tempdir().unwrap();
    // `nanoprocess` is not on crates.io yet: use this checkout's.
    let nanoprocess = repo().join("nanoprocess").display().to_string();
    let args = [
        "new",
        "--lib",
        "hello-nano",
        "--nanoprocess-path",
        &nanoprocess,
    ];
    let out = support::cargo_nano_in(dir.path(), "new-lib", &args);
    assert_eq!(out.status, 0, "{}", out.render());
    let package = dir.path().join("hello-nano");
    let manifest = std::fs::read_to_string(package.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("[package.metadata.nano]") && manifest.contains("nano-export"));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let test = Command::new(cargo)
        .args(["test", "--quiet"])
        .current_dir(&package)
        .env(
            "CARGO_TARGET_DIR",
            repo().join("target").join("fixtures").join("new-lib"),
        )
        .output()
        .unwrap();
    assert!(
        test.status.success(),
        "{}",
        String::from_utf8_lossy(&test.stderr)
    );
    // A second `new` on the same path refuses to overwrite.
    let again = support::cargo_nano_in(dir.path(), "new-lib", &args);
    assert_eq!(again.status, 2, "{}", again.render());
}
