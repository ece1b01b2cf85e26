//! Cargo's flags on `cargo nano`, with Cargo's meanings: `--message-format json`, `--target-dir`,
//! `--features`, `--profile`, `-q`, `--color`, `-j`; progress lines when piped.
//!
//! Every build is of `fixtures/isolation` in the target directory the other tests build it in
//! (`target/fixtures/isolation`), so all but the `--profile dev` one find it fresh.

mod support;

use std::path::Path;
use std::process::Command;
use std::sync::Mutex;

use serde_json::Value;
use sha2::{Digest, Sha256};
use support::{Output, fixture, repo};

/// Builds in one target directory run one at a time, so a build never links a component that
/// another one just overwrote.
static BUILDS: Mutex<()> = Mutex::new(());

/// The target directory the other tests build `isolation` in.
fn target() -> std::path::PathBuf {
    repo().join("target/fixtures/isolation")
}

/// Runs `cargo-nano nano ARGS` in `fixtures/isolation` with `envs`, its target directory that
/// of the other tests unless `envs` says otherwise, and no colour or progress settings inherited.
fn nano(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let _one = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-nano"))
        .arg("nano")
        .args(args)
        .current_dir(fixture("isolation"))
        .env("CARGO_TARGET_DIR", target())
        .env_remove("CARGO_NANO_LOG")
        .env_remove("CARGO_TERM_COLOR")
        .env_remove("CARGO_TERM_PROGRESS_WHEN")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .envs(envs.iter().copied())
        .output()
        .expect("the cargo-nano binary runs");
    Output::from(out)
}

/// Each line of stdout as a JSON object.
fn messages(out: &Output) -> Vec<Value> {
    out.stdout
        .lines()
        .map(|line| {
            serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line:?}\n{}", out.render()))
        })
        .collect()
}

fn of<'a>(messages: &'a [Value], reason: &str) -> Vec<&'a Value> {
    messages.iter().filter(|m| m["reason"] == reason).collect()
}

/// stderr without the warning given where Landlock is missing (the build sandbox's).
fn stderr_beyond_sandbox_warning(out: &Output) -> String {
    let mut lines = out.stderr.lines().peekable();
    let mut kept = Vec::new();
    while let Some(line) = lines.next() {
        if line.starts_with("warning: build scripts and proc macros run unconfined") {
            // and its `= help:` line
            lines.next_if(|l| l.trim_start().starts_with("= help"));
            continue;
        }
        kept.push(line);
    }
    kept.join("\n")
}

#[test]
fn message_format_json_is_one_object_per_event() {
    let out = nano(&["build", "--message-format", "json", "-j", "2"], &[]);
    assert_eq!(out.status, 0, "{}", out.render());
    let all = messages(&out);
    assert_eq!(all.first().unwrap()["reason"], "nano-package-started");
    assert_eq!(
        all.last().unwrap(),
        &serde_json::json!({"reason": "build-finished", "success": true})
    );

    let started = of(&all, "nano-package-started");
    let names: Vec<&Value> = started.iter().map(|m| &m["package"]).collect();
    assert_eq!(names, ["left", "right", "app"]);
    for (i, m) in started.iter().enumerate() {
        assert_eq!(
            (&m["index"], &m["total"]),
            (&Value::from(i + 1), &Value::from(3))
        );
    }

    let built = of(&all, "nano-package-built");
    assert_eq!(built.len(), 3, "{}", out.render());
    for m in &built {
        let component = Path::new(m["component"].as_str().unwrap());
        assert!(component.starts_with(target()), "{m}");
        let bytes = std::fs::read(component).expect("the component is where the message says");
        assert_eq!(m["component_sha256"], hex::encode(Sha256::digest(&bytes)));
        assert!(m["manifest_path"].as_str().unwrap().ends_with("Cargo.toml"));
        assert!(
            m["reaches"].as_array().unwrap().contains(&"dirs".into()),
            "{m}"
        );
    }
    assert_eq!(built[2]["package"], "app");
    assert_eq!(built[2]["version"], "0.4.0");

    let linked = of(&all, "nano-app-linked");
    assert_eq!(linked.len(), 1);
    assert_eq!(
        Path::new(linked[0]["component"].as_str().unwrap()),
        target().join("nano/app.wasm")
    );
    let instances = linked[0]["instances"].as_array().unwrap();
    let ids: Vec<&Value> = instances.iter().map(|i| &i["id"]).collect();
    assert_eq!(ids, ["app", "app/left", "app/right"]);
    assert_eq!(instances[1]["parent"], "app");
    assert_eq!(instances[2]["holds"]["dirs"]["box"]["access"], "read-only");
    // Text for people stays on stderr.
    assert!(
        out.stderr.contains("linked 3 nanoprocess(es)"),
        "{}",
        out.render()
    );

    // `tree` builds nothing without `--reaches`: the tree, then the end.
    let tree = nano(&["tree", "--message-format", "json"], &[]);
    assert_eq!(tree.status, 0, "{}", tree.render());
    let all = messages(&tree);
    assert_eq!(all.len(), 2, "{}", tree.render());
    assert_eq!(all[0]["reason"], "nano-tree");
    assert!(
        all[0]["tree"].to_string().contains("app/left"),
        "{}",
        tree.render()
    );
    assert_eq!(all[1]["success"], true);

    // `--format` chooses another document for stdout: not both.
    let both = nano(
        &["build", "--message-format", "json", "--format", "json"],
        &[],
    );
    assert_eq!(both.status, 2, "{}", both.render());
}

#[test]
fn target_dir_is_where_the_artifacts_land() {
    let elsewhere = tempfile::tempdir().unwrap();
    let unused = elsewhere.path().join("from-the-environment");
    // Relative to the current directory, like Cargo's; it wins over `CARGO_TARGET_DIR`.
    let out = nano(
        &["build", "--target-dir", "../../target/fixtures/isolation"],
        &[("CARGO_TARGET_DIR", unused.to_str().unwrap())],
    );
    assert_eq!(out.status, 0, "{}", out.render());
    let app = target().join("nano/app.wasm");
    assert!(
        out.stdout.contains(&format!("into `{}`", app.display())),
        "{}",
        out.render()
    );
    assert!(!unused.exists(), "nothing is written to `CARGO_TARGET_DIR`");
}

#[test]
fn features_are_the_top_packages_and_a_failed_build_keeps_cargos_colour() {
    // Cargo refuses a feature the top package does not have: the flag reaches its build.
    let out = nano(&["build", "--features", "no-such-feature"], &[]);
    assert_eq!(out.status, 2, "{}", out.render());
    assert!(
        out.stderr.contains("package `app` does not build"),
        "{}",
        out.render()
    );
    assert!(out.stderr.contains("no-such-feature"), "{}", out.render());
    assert!(
        !out.stderr.contains('\x1b'),
        "no colour when piped: {}",
        out.render()
    );

    // With colour, Cargo's own error keeps it.
    let coloured = nano(
        &[
            "build",
            "--features",
            "no-such-feature",
            "--color",
            "always",
        ],
        &[],
    );
    assert_eq!(coloured.status, 2, "{}", coloured.render());
    let cargos = coloured
        .stderr
        .lines()
        .find(|l| l.contains("no-such-feature") && !l.contains("package `app` does not build"))
        .unwrap_or_else(|| panic!("Cargo's error: {}", coloured.render()));
    assert!(cargos.contains("\x1b["), "{}", coloured.render());

    // Accepted by Cargo for the top package (which has no features: nothing is rebuilt).
    let out = nano(&["build", "--all-features", "--no-default-features"], &[]);
    assert_eq!(out.status, 0, "{}", out.render());
}

#[test]
fn profile_dev_builds_every_package_with_that_profile() {
    let out = nano(
        &["build", "--profile", "dev", "--message-format", "json"],
        &[],
    );
    assert_eq!(out.status, 0, "{}", out.render());
    let all = messages(&out);
    let built = of(&all, "nano-package-built");
    assert_eq!(built.len(), 3);
    for m in built {
        let component = m["component"].as_str().unwrap();
        // Nano builds have a profile of their own that inherits the chosen one.
        assert!(component.contains("/wasm32-wasip2/nano-dev/"), "{m}");
    }
    let clash = nano(&["build", "--profile", "dev", "--release"], &[]);
    assert_eq!(clash.status, 2, "{}", clash.render());
}

#[test]
fn progress_lines_when_piped_and_nothing_with_quiet() {
    let out = nano(&["build"], &[]);
    assert_eq!(out.status, 0, "{}", out.render());
    for line in [
        "    Building [1/3] left (",
        "    Building [3/3] app (",
        "    Finished 3 nano package(s) in ",
    ] {
        assert!(out.stderr.contains(line), "`{line}` in {}", out.render());
    }
    assert!(
        !out.stderr.contains("Compiling"),
        "Cargo's status lines are left out: {}",
        out.render()
    );
    assert!(!out.stderr.contains('\x1b'), "{}", out.render());

    let quiet = nano(&["build", "-q"], &[]);
    assert_eq!(quiet.status, 0, "{}", quiet.render());
    assert_eq!(
        stderr_beyond_sandbox_warning(&quiet),
        "",
        "{}",
        quiet.render()
    );
    assert!(
        quiet.stdout.contains("linked 3 nanoprocess(es)"),
        "{}",
        quiet.render()
    );

    // `-q` before the command too, on a command that does not build.
    let tree = nano(&["-q", "tree"], &[]);
    assert_eq!(tree.status, 0, "{}", tree.render());
    assert_eq!(
        stderr_beyond_sandbox_warning(&tree),
        "",
        "{}",
        tree.render()
    );
}

#[test]
fn color_follows_the_flag_then_cargo_term_color() {
    let always = nano(
        &["build", "--color", "always"],
        &[("CARGO_TERM_COLOR", "never")],
    );
    assert_eq!(always.status, 0, "{}", always.render());
    assert!(always.stderr.contains("\x1b["), "{}", always.render());
    let env = nano(&["build"], &[("CARGO_TERM_COLOR", "always")]);
    assert!(env.stderr.contains("\x1b["), "{}", env.render());
    let bad = nano(&["tree"], &[("CARGO_TERM_COLOR", "sometimes")]);
    assert_eq!(bad.status, 2, "{}", bad.render());
    assert!(
        bad.stderr.contains("`CARGO_TERM_COLOR`"),
        "{}",
        bad.render()
    );
}
