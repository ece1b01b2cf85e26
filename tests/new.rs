//! `cargo nano new` end to end: a child scaffolded into an existing workspace with `--parent`
//! builds with plain `cargo build` and with `cargo nano build`, and runs under `cargo nano run`;
//! bad input fails with exit code 2 before anything is written.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use support::{Output, cargo_nano_in, repo};

const WORKSPACE: &str = "\
[workspace]
resolver = \"3\"
# The application and, soon, its nano children.
members = [\"app\"]
";

const APP: &str = "\
[package]
name = \"app\"
version = \"0.1.0\"
edition = \"2024\"

[package.metadata.nano]
format = 1

[package.metadata.nano.requests]
stdio = [\"stdout\"]
";

/// A workspace with one binary package `app` that has a minimal nano manifest.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    write(&dir.path().join("Cargo.toml"), WORKSPACE);
    write(&dir.path().join("app/Cargo.toml"), APP);
    write(
        &dir.path().join("app/src/main.rs"),
        "fn main() {\n    println!(\"app alone\");\n}\n",
    );
    dir
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every file below `dir` (without `target/`) and its contents.
fn files(dir: &Path) -> BTreeMap<PathBuf, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.insert(path.strip_prefix(dir).unwrap().to_path_buf(), read(&path));
            }
        }
    }
    out
}

fn new(ws: &Path, args: &[&str]) -> Output {
    let mut all = vec!["new", "--lib"];
    all.extend_from_slice(args);
    cargo_nano_in(ws, "new-parent", &all)
}

fn nanoprocess_dir() -> String {
    repo().join("nanoprocess").display().to_string()
}

/// Plain `cargo ARGS` in `dir`, with the test's target directory.
fn cargo(dir: &Path, args: &[&str]) -> Output {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(args)
        .current_dir(dir)
        .env(
            "CARGO_TARGET_DIR",
            repo().join("target").join("fixtures").join("new-parent"),
        )
        .output()
        .expect("cargo runs");
    Output::from(out)
}

#[test]
fn a_new_child_builds_with_cargo_and_runs_as_its_own_nanoprocess() {
    let ws = workspace();
    let nanoprocess = nanoprocess_dir();
    let out = new(
        ws.path(),
        &["x", "--parent", "app", "--nanoprocess-path", &nanoprocess],
    );
    assert_eq!(out.status, 0, "{}", out.render());

    // The workspace lists it, its comment kept.
    assert_eq!(
        read(&ws.path().join("Cargo.toml")),
        WORKSPACE.replace("[\"app\"]", "[\"app\", \"x\"]")
    );
    // The parent depends on it and grants it nothing.
    let app = read(&ws.path().join("app/Cargo.toml"));
    assert!(
        app.contains("[dependencies]\nx = { path = \"../x\" }\n"),
        "{app}"
    );
    assert!(
        app.contains("Absent keys are denied")
            && app.ends_with("[package.metadata.nano.grants.x]\n"),
        "{app}"
    );
    // The child uses this checkout's `nanoprocess` by a relative path, and points to no
    // documentation file a user would not have.
    let child = read(&ws.path().join("x/Cargo.toml"));
    let line = child
        .lines()
        .find(|l| l.starts_with("nanoprocess = "))
        .expect("a nanoprocess dependency");
    let path = line
        .split("path = \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a path");
    assert!(line.contains("version = \"0.1.0\""), "{line}");
    assert!(!path.starts_with('/'), "{line}");
    assert_eq!(
        ws.path().join("x").join(path).canonicalize().unwrap(),
        repo().join("nanoprocess").canonicalize().unwrap()
    );
    let lib = read(&ws.path().join("x/src/lib.rs"));
    assert!(!child.contains("docs/") && !lib.contains("docs/"));

    // The parent calls the child with its ordinary Rust API.
    write(
        &ws.path().join("app/src/main.rs"),
        "fn main() {\n    let greeting = x::greet(\"world\").expect(\"a greeting\");\n    \
         println!(\"{} ({} characters)\", greeting.text, greeting.length);\n}\n",
    );
    let native = cargo(ws.path(), &["build", "--quiet"]);
    assert_eq!(native.status, 0, "{}", native.render());
    let native = cargo(ws.path(), &["run", "--quiet", "-p", "app"]);
    assert_eq!(native.status, 0, "{}", native.render());
    assert_eq!(native.stdout, "hello, world (5 characters)\n");

    let built = cargo_nano_in(ws.path(), "new-parent", &["build"]);
    assert_eq!(built.status, 0, "{}", built.render());
    let run = cargo_nano_in(ws.path(), "new-parent", &["run"]);
    assert_eq!(run.status, 0, "{}", run.render());
    assert!(
        run.stdout.contains("hello, world (5 characters)\n"),
        "{}",
        run.render()
    );
    // Two nanoprocesses, the child holding nothing.
    assert!(
        run.stderr
            .lines()
            .any(|l| l.trim_start().starts_with("x ") && l.ends_with("nothing")),
        "{}",
        run.render()
    );
}

#[test]
fn bad_input_fails_with_exit_code_2_and_writes_nothing() {
    let ws = workspace();
    // `app` already depends on `x`: found after the workspace edit was planned, before any write.
    let app = ws.path().join("app/Cargo.toml");
    write(
        &app,
        &APP.replace(
            "\n[package.metadata.nano]",
            "\n[dependencies]\nx = \"1\"\n\n[package.metadata.nano]",
        ),
    );
    let before = files(ws.path());
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["x", "--parent", "nope"],
            &["no package named `nope`", "Cargo.toml", "(it has `app`)"],
        ),
        (
            &["x", "--parent", "app"],
            &["already depends on `x`", "app/Cargo.toml", "remove"],
        ),
        (
            &["x", "--parent", "./app"],
            &["already depends on `x`", "app/Cargo.toml", "remove"],
        ),
        (
            &["x", "--parent", "./nowhere"],
            &["no `./nowhere/Cargo.toml`", "pass the parent"],
        ),
        (
            &["y", "--parent", "app", "--nanoprocess-path", "app"],
            &[
                "not the manifest of the `nanoprocess` crate",
                "app/Cargo.toml",
            ],
        ),
        (&["Y"], &["not a valid package name"]),
        (&["app"], &["`app` already exists"]),
        (&["x", "--parent", "x"], &["no package named `x`"]),
    ];
    for (args, expected) in cases {
        let out = new(ws.path(), args);
        assert_eq!(out.status, 2, "{args:?}: {}", out.render());
        assert!(out.stderr.starts_with("error: "), "{}", out.render());
        for text in *expected {
            assert!(
                out.stderr.contains(text),
                "{args:?}: `{text}` in\n{}",
                out.render()
            );
        }
        assert_eq!(files(ws.path()), before, "{args:?} wrote something");
    }

    // A parent that is not a nano package.
    write(
        &app,
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2024\"\n",
    );
    let before = files(ws.path());
    let out = new(ws.path(), &["x", "--parent", "app"]);
    assert_eq!(out.status, 2, "{}", out.render());
    assert!(
        out.stderr.contains("`app` is not a nano package")
            && out.stderr.contains("[package.metadata.nano]"),
        "{}",
        out.render()
    );
    assert_eq!(files(ws.path()), before);
}

#[test]
fn a_glob_member_is_left_alone_and_the_default_dependency_is_the_registry() {
    let ws = tempfile::tempdir().unwrap();
    let manifest = "[workspace]\nresolver = \"3\"\nmembers = [\n    \"crates/*\",\n]\n";
    write(&ws.path().join("Cargo.toml"), manifest);
    let out = new(ws.path(), &["crates/y"]);
    assert_eq!(out.status, 0, "{}", out.render());
    assert_eq!(read(&ws.path().join("Cargo.toml")), manifest);
    let child = read(&ws.path().join("crates/y/Cargo.toml"));
    assert!(
        child.contains("\nnanoprocess = \"0.1.0\"\n"),
        "the registry dependency by default:\n{child}"
    );

    // Outside the globs: added to the multi-line list in its style.
    let out = new(ws.path(), &["tools/z"]);
    assert_eq!(out.status, 0, "{}", out.render());
    assert_eq!(
        read(&ws.path().join("Cargo.toml")),
        "[workspace]\nresolver = \"3\"\nmembers = [\n    \"crates/*\",\n    \"tools/z\",\n]\n"
    );
}
