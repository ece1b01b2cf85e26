//! Onboarding existing projects: `cargo nano init` on a plain `cargo new` project and on a
//! fixture stripped of its manifests, Cargo's conventions (`--manifest-path` found upward,
//! `check --locked` never writing `Cargo.lock`), and several binaries sharing one `Nano.lock`.

mod support;

use std::path::Path;
use std::process::Command;

use support::{Output, cargo_nano_in, copy_fixture, repo};

/// Writes `files` (path, contents) under `dir`.
fn write_files(dir: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

fn nano(dir: &Path, target: &str, args: &[&str]) -> Output {
    cargo_nano_in(dir, target, args)
}

#[test]
fn init_onboards_a_plain_cargo_new_project() {
    let dir = tempfile::tempdir().unwrap();
    let status = Command::new(env!("CARGO"))
        .args(["new", "--quiet", "--vcs", "none", "hello"])
        .current_dir(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    let project = dir.path().join("hello");

    // Before `init`, a build says what to do instead of reporting a policy violation.
    let before = nano(&project, "onboarding-hello", &["build"]);
    assert_eq!(before.status, 2, "{}", before.render());
    assert!(
        before.stderr.contains("is not a nano package yet")
            && before.stderr.contains("cargo nano init"),
        "{}",
        before.render()
    );

    let original = std::fs::read_to_string(project.join("Cargo.toml")).unwrap();
    // From a subdirectory: the manifest is found upward, like Cargo does.
    let init = nano(&project.join("src"), "onboarding-hello", &["init"]);
    assert_eq!(init.status, 0, "{}", init.render());
    let manifest = std::fs::read_to_string(project.join("Cargo.toml")).unwrap();
    assert!(
        manifest.starts_with(&original),
        "the user's text stays:\n{manifest}"
    );
    assert!(
        manifest.ends_with("[package.metadata.nano.requests]\nstdio = [\"stdout\"]\n"),
        "exactly what `println!` reaches:\n{manifest}"
    );
    assert!(
        init.stdout.contains("stdio = [\"stdout\"]"),
        "{}",
        init.render()
    );
    let lock = std::fs::read_to_string(project.join("Nano.lock")).unwrap();
    assert!(lock.contains("name = \"hello\""), "{lock}");

    let run = nano(&project, "onboarding-hello", &["run", "--quiet"]);
    assert_eq!(run.status, 0, "{}", run.render());
    assert!(run.stdout.contains("Hello, world!"), "{}", run.render());

    // A second `init` refuses to touch a nano package.
    let again = nano(&project, "onboarding-hello", &["init"]);
    assert_eq!(again.status, 2, "{}", again.render());
    assert!(
        again.stderr.contains("already is a nano package"),
        "{}",
        again.render()
    );
    assert_eq!(
        std::fs::read_to_string(project.join("Cargo.toml")).unwrap(),
        manifest
    );
}

#[test]
fn init_onboards_a_fixture_stripped_of_its_manifests() {
    let copy = copy_fixture("unzip-app");
    for package in ["app", "extractor", "inflate"] {
        let path = copy.path().join(package).join("Cargo.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        let cut = text.find("[package.metadata.nano").unwrap_or(text.len());
        std::fs::write(&path, &text[..cut]).unwrap();
    }
    std::fs::remove_file(copy.path().join("Nano.lock")).unwrap();
    let init = nano(copy.path(), "onboarding-unzip", &["init"]);
    assert_eq!(init.status, 0, "{}", init.render());
    let manifest = std::fs::read_to_string(copy.path().join("app/Cargo.toml")).unwrap();
    let requests = &manifest[manifest.find("[package.metadata.nano.requests]").unwrap()..];
    // The extractor and inflate are ordinary crates now: their code runs in `app`.
    for line in [
        "stdio = [\"stdout\", \"stderr\"]",
        "random = true",
        "args = true",
    ] {
        assert!(requests.contains(line), "{line}:\n{requests}");
    }
    // Directory slots are the user's decision: reported, and written commented out.
    assert!(requests.contains("# dirs = {"), "{requests}");
    assert!(
        init.stdout.contains("still to decide") && init.stdout.contains("the code opens files"),
        "{}",
        init.render()
    );
    assert!(
        !copy.path().join("Nano.lock").exists(),
        "no lock before the decisions"
    );
}

/// A workspace with two applications sharing the nano library `shared`.
fn two_apps() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let nanoprocess = repo().join("nanoprocess").display().to_string();
    let app = |name: &str, greeting: &str| {
        (
            format!(
                "[package]\nname = \"{name}\"\nversion = \"0.11.0\"\nedition = \"2024\"\n\n[dependencies]\nshared = {{ path = \"../shared\" }}\n\n[package.metadata.nano]\nformat = 1\n[package.metadata.nano.requests]\nstdio = [\"stdout\"]\n{greeting}"
            ),
            "fn main() {\n    println!(\"{}\", shared::twice(21));\n}\n".to_string(),
        )
    };
    let (one, one_main) = app("one", "");
    // `two` also reads the clock (std's `SystemTime::now`: the wall clock; requesting more is
    // allowed).
    let (two, _) = app("two", "clocks = [\"wall\", \"monotonic\"]\n");
    let two_main = "fn main() {\n    let _ = std::time::SystemTime::now();\n    println!(\"{}\", shared::twice(4));\n}\n";
    let shared = format!(
        "[package]\nname = \"shared\"\nversion = \"0.11.0\"\nedition = \"2024\"\n\n[dependencies]\nnanoprocess = {{ path = {nanoprocess:?} }}\n\n[features]\nnano-export = [\"nanoprocess/bindings\"]\nnano-import = [\"nanoprocess/bindings\"]\n\n[package.metadata.nano]\nformat = 1\n"
    );
    write_files(
        dir.path(),
        &[
            (
                "Cargo.toml",
                "[workspace]\nresolver = \"3\"\nmembers = [\"one\", \"two\", \"shared\"]\n",
            ),
            ("one/Cargo.toml", &one),
            ("one/src/main.rs", &one_main),
            ("two/Cargo.toml", &two),
            ("two/src/main.rs", two_main),
            ("shared/Cargo.toml", &shared),
            (
                "shared/src/lib.rs",
                "#[nanoprocess::boundary]\npub mod api {\n    /// Doubles `x`.\n    pub fn twice(x: u32) -> u32 {\n        x * 2\n    }\n}\npub use api::twice;\n",
            ),
        ],
    );
    dir
}

#[test]
fn several_applications_share_one_nano_lock() {
    let ws = two_apps();
    let target = "onboarding-two-apps";
    for app in ["one", "two"] {
        let build = nano(ws.path(), target, &["build", "-p", app]);
        assert_eq!(build.status, 0, "{app}: {}", build.render());
    }
    let one = nano(ws.path(), target, &["run", "--quiet", "-p", "one"]);
    assert_eq!(one.status, 0, "{}", one.render());
    assert_eq!(one.stdout.trim(), "42");
    let two = nano(ws.path(), target, &["run", "--quiet", "-p", "two"]);
    assert_eq!(two.status, 0, "{}", two.render());
    assert_eq!(two.stdout.trim(), "8");
    let lock = std::fs::read_to_string(ws.path().join("Nano.lock")).unwrap();
    for tree in [
        "[package.received.one]",
        "[package.received.\"one/shared\"]",
        "[package.received.two]",
        "[package.received.\"two/shared\"]",
    ] {
        assert!(lock.contains(tree), "{tree}:\n{lock}");
    }
    for app in ["one", "two"] {
        let check = nano(ws.path(), target, &["check", "--locked", "-p", app]);
        assert_eq!(check.status, 0, "{app}: {}", check.render());
    }
    // Without `-p`, the choice is the user's.
    let ambiguous = nano(ws.path(), target, &["build"]);
    assert_eq!(ambiguous.status, 2, "{}", ambiguous.render());
    assert!(
        ambiguous.stderr.contains("`one`, `two`"),
        "{}",
        ambiguous.render()
    );

    // `check --locked` never writes `Cargo.lock`: a stale one is an error, left byte for byte.
    support::edit(
        &ws.path().join("one/Cargo.toml"),
        "[dependencies]\n",
        "[dependencies]\nitoa = \"1\"\n",
    );
    let cargo_lock = std::fs::read(ws.path().join("Cargo.lock")).unwrap();
    let check = nano(ws.path(), target, &["check", "--locked", "-p", "one"]);
    assert_eq!(check.status, 2, "{}", check.render());
    assert!(check.stderr.contains("--locked"), "{}", check.render());
    assert_eq!(
        std::fs::read(ws.path().join("Cargo.lock")).unwrap(),
        cargo_lock
    );
}

#[test]
fn a_grant_to_an_ordinary_crate_or_a_typo_is_an_error() {
    let ws = two_apps();
    let manifest = ws.path().join("one/Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        format!("{text}[package.metadata.nano.grants.shraed]\n"),
    )
    .unwrap();
    let tree = nano(ws.path(), "onboarding-two-apps", &["tree", "-p", "one"]);
    assert_eq!(tree.status, 2, "{}", tree.render());
    assert!(
        tree.stderr.contains("grants capabilities to `shraed`")
            && tree.stderr.contains("did you mean `shared`?")
            && tree.stderr.contains("--> one/Cargo.toml:")
            && tree
                .stderr
                .contains("^^^^^^ not a nano dependency of `one`"),
        "{}",
        tree.render()
    );
}
