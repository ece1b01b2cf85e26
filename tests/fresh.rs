//! A build reuses what the previous one computed from the same bytes: each package's inspection
//! (keyed by its component's checksum) and the composition (keyed by every input of it), and
//! recomputes whatever changed or whose cached copy does not check out. Observed through the
//! `fresh` fields of `--message-format json`, not timed.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use sha2::{Digest, Sha256};
use support::{Output, copy_fixture, repo};

/// This test's own target directory: other tests' builds would replace the cache it observes.
fn target() -> PathBuf {
    repo().join("target/fixtures/fresh")
}

/// `cargo nano build --message-format json` in `dir`: the messages, by reason.
fn build(dir: &Path) -> Vec<Value> {
    let out = Output::from(
        Command::new(env!("CARGO_BIN_EXE_cargo-nano"))
            .args(["nano", "build", "--message-format", "json"])
            .current_dir(dir)
            .env("CARGO_TARGET_DIR", target())
            .env_remove("CARGO_NANO_LOG")
            .env("CARGO_TERM_PROGRESS_WHEN", "never")
            .output()
            .expect("the cargo-nano binary runs"),
    );
    assert_eq!(out.status, 0, "{}", out.render());
    out.stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect()
}

/// The `fresh` flag of each package's `nano-package-built`, by package, and of `nano-app-linked`.
fn freshness(messages: &[Value]) -> (Vec<(String, bool)>, bool) {
    let packages = messages
        .iter()
        .filter(|m| m["reason"] == "nano-package-built")
        .map(|m| {
            let name = m["package"].as_str().unwrap().to_string();
            (name, m["fresh"].as_bool().expect("a `fresh` flag"))
        })
        .collect();
    let linked = messages
        .iter()
        .find(|m| m["reason"] == "nano-app-linked")
        .expect("the app is linked");
    (packages, linked["fresh"].as_bool().expect("a `fresh` flag"))
}

fn built<'a>(messages: &'a [Value], package: &str) -> &'a Value {
    messages
        .iter()
        .find(|m| m["reason"] == "nano-package-built" && m["package"] == package)
        .unwrap_or_else(|| panic!("no `nano-package-built` for `{package}`"))
}

fn flags(fresh: &[(&str, bool)]) -> Vec<(String, bool)> {
    fresh.iter().map(|(n, f)| (n.to_string(), *f)).collect()
}

/// The composed component and the plan, which must name its checksum.
fn outputs() -> (Vec<u8>, Value) {
    let nano = target().join("nano");
    let wasm = std::fs::read(nano.join("app.wasm")).expect("the composed component");
    let plan: Value =
        serde_json::from_slice(&std::fs::read(nano.join("plan.json")).unwrap()).unwrap();
    assert_eq!(plan["component-sha256"], hex::encode(Sha256::digest(&wasm)));
    (wasm, plan)
}

#[test]
fn a_no_op_build_reuses_and_a_change_recomputes() {
    let copy = copy_fixture("isolation");
    let dir = copy.path();
    // Whatever an earlier run left: this build makes the cache describe this copy.
    build(dir);
    let first = build(dir);
    assert_eq!(
        freshness(&first),
        (
            flags(&[("left", true), ("right", true), ("app", true)]),
            true
        ),
        "a no-op build inspected or composed again"
    );
    let (wasm, plan) = outputs();

    // A cache entry that does not parse, and one for other bytes, are recomputed, to the same.
    let inspect = target().join("nano/inspect");
    std::fs::write(inspect.join("left-0.4.0.json"), "{ not json").unwrap();
    let entry = inspect.join("right-0.4.0.json");
    let text = std::fs::read_to_string(&entry).unwrap();
    let sha = hex::encode(Sha256::digest(b"other bytes"));
    let key = built(&first, "right")["component_sha256"].as_str().unwrap();
    std::fs::write(&entry, text.replace(key, &sha)).unwrap();
    let again = build(dir);
    assert_eq!(
        freshness(&again),
        (
            flags(&[("left", false), ("right", false), ("app", true)]),
            true
        )
    );
    for package in ["left", "right"] {
        assert_eq!(built(&again, package), &{
            let mut m = built(&first, package).clone();
            m["fresh"] = false.into();
            m
        });
    }

    // A composed component that is not the one recorded is composed again, to the same bytes.
    let mut tampered = wasm.clone();
    tampered.push(0);
    std::fs::write(target().join("nano/app.wasm"), &tampered).unwrap();
    let relinked = build(dir);
    assert!(!freshness(&relinked).1, "a tampered component was kept");
    assert_eq!(outputs(), (wasm.clone(), plan.clone()));

    // A changed package is inspected again, and the app composed again with its new component.
    support::edit(
        &dir.join("right/src/lib.rs"),
        "std::fs::read_to_string(path).map_err(|err| err.to_string())",
        "std::fs::read_to_string(path).map_err(|err| format!(\"right: {err}\"))",
    );
    let changed = build(dir);
    let (packages, linked) = freshness(&changed);
    // `app` is rebuilt too (it links `right`'s import glue) and its bytes may change with
    // `right`'s crate hash: its flag is whatever its bytes say.
    assert_eq!(packages[..2], flags(&[("left", true), ("right", false)]));
    assert!(!linked, "a changed component was not composed again");
    assert_ne!(
        built(&changed, "right")["component_sha256"],
        built(&first, "right")["component_sha256"]
    );
    let (new_wasm, new_plan) = outputs();
    assert_ne!(new_wasm, wasm);
    assert_ne!(new_plan["instances"], plan["instances"]);
    assert_eq!(new_plan["instances"][2]["id"], "app/right");
    assert_eq!(
        new_plan["instances"][2]["holds"], plan["instances"][2]["holds"],
        "the same grants"
    );
}
