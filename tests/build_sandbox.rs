//! Build-time confinement (`fixtures/build-sandbox`): build scripts that write outside `OUT_DIR`,
//! list the home directory or open a socket, and a proc macro that writes a file, are refused
//! with a message naming the crate, the operation and the manifest line that allows it; the
//! line, once added, allows it; a build script doing legitimate work (code generation into
//! `OUT_DIR`, C compiled with `cc`) builds and runs, and the user's own `RUSTC_WRAPPER` is chained;
//! without confinement a build warns once, or fails with `--require-build-sandbox`. A declared
//! permission is recorded in `Nano.lock`, and a new one fails `cargo nano check --locked`.
//!
//! Each test builds a copy of the fixture in a scratch directory with its own target directory,
//! so nothing is fresh from an earlier run and the fixture stays clean. Where Landlock is
//! unavailable the tests say so and pass, except in CI (`CI` set), where they fail.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::{Output, fixture};

/// Whether confinement works here; when not, says why (and fails in CI).
fn confinement_available() -> bool {
    match build_sandbox::availability() {
        build_sandbox::Availability::Available { .. } => true,
        build_sandbox::Availability::Unavailable { reason } => {
            assert!(
                std::env::var_os("CI").is_none(),
                "no build sandbox: {reason}"
            );
            eprintln!("skipped: no build sandbox: {reason}");
            false
        }
    }
}

/// A scratch copy of the fixture: `ws/` (the workspace), `target/`, and `outside/`, a directory
/// outside both that the build may not write.
struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Scratch {
        let dir = tempfile::tempdir().expect("a scratch directory");
        copy_dir(&fixture("build-sandbox"), &dir.path().join("ws"));
        std::fs::create_dir(dir.path().join("outside")).unwrap();
        Scratch { dir }
    }

    fn ws(&self) -> PathBuf {
        self.dir.path().join("ws")
    }

    fn outside(&self) -> PathBuf {
        self.dir.path().join("outside")
    }

    /// Appends `text` to the workspace's `Cargo.toml`.
    fn allow(&self, text: &str) {
        let manifest = self.ws().join("Cargo.toml");
        let mut toml = std::fs::read_to_string(&manifest).unwrap();
        toml.push_str(text);
        std::fs::write(&manifest, toml).unwrap();
    }

    /// Runs `cargo-nano nano ARGS` in the workspace with `envs`.
    fn cargo_nano(&self, args: &[&str], envs: &[(&str, &str)]) -> Output {
        let out = Command::new(env!("CARGO_BIN_EXE_cargo-nano"))
            .arg("nano")
            .args(args)
            .current_dir(self.ws())
            .env("CARGO_TARGET_DIR", self.dir.path().join("target"))
            .env_remove("RUSTC_WRAPPER")
            .envs(envs.iter().copied())
            .output()
            .expect("the cargo-nano binary runs");
        Output::from(out)
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "target" || name == "Nano.lock" {
            continue;
        }
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to.join(&name));
        } else {
            std::fs::copy(entry.path(), to.join(&name)).unwrap();
        }
    }
}

fn assert_contains(out: &Output, text: &str) {
    assert!(
        out.stderr.contains(text),
        "missing `{text}`\n{}",
        out.render()
    );
}

#[test]
fn a_build_script_writing_outside_out_dir_is_refused_until_allowed() {
    if !confinement_available() {
        return;
    }
    let s = Scratch::new();
    let canary = s.outside().join("canary.txt");
    let env = [("NANO_FIXTURE_OUTSIDE", canary.to_str().unwrap())];
    let out = s.cargo_nano(&["build", "-p", "writes-outside"], &env);
    assert_eq!(out.status, 2, "{}", out.render());
    assert!(!canary.exists(), "the build script wrote outside `OUT_DIR`");
    assert_contains(
        &out,
        &format!(
            "error: cargo-nano's build sandbox denied the build script of `writes-outside 0.16.0` a write to `{}`",
            canary.display()
        ),
    );
    assert_contains(&out, "Permission denied (os error 13)");
    let line = format!("write = [{:?}]", s.outside().display().to_string());
    assert_contains(&out, "[workspace.metadata.nano.build.writes-outside]");
    assert_contains(&out, &line);
    // The line the message gives, added by the consumer, allows exactly that.
    s.allow(&format!(
        "\n[workspace.metadata.nano.build.writes-outside]\n{line}\n"
    ));
    let out = s.cargo_nano(&["build", "-p", "writes-outside"], &env);
    assert_eq!(out.status, 0, "{}", out.render());
    assert!(canary.exists());
}

#[test]
fn a_build_script_listing_the_home_directory_is_refused() {
    if !confinement_available() {
        return;
    }
    let Some(home) = std::env::var_os("HOME") else {
        return;
    };
    let home = PathBuf::from(home);
    let s = Scratch::new();
    let out = s.cargo_nano(&["build", "-p", "reads-home"], &[]);
    assert_eq!(out.status, 2, "{}", out.render());
    assert_contains(
        &out,
        &format!(
            "denied the build script of `reads-home 0.16.0` a read of `{}`",
            home.display()
        ),
    );
    assert_contains(&out, "[workspace.metadata.nano.build.reads-home]");
    assert_contains(&out, &format!("read = [{:?}]", home.display().to_string()));
}

#[test]
fn a_build_script_opening_a_socket_is_refused_until_allowed() {
    if !confinement_available() {
        return;
    }
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let s = Scratch::new();
    let env = [("NANO_FIXTURE_ADDR", addr.as_str())];
    let out = s.cargo_nano(&["build", "-p", "opens-socket"], &env);
    assert_eq!(out.status, 2, "{}", out.render());
    assert_contains(
        &out,
        "denied the build script of `opens-socket 0.16.0` a network socket",
    );
    assert_contains(&out, "[workspace.metadata.nano.build.opens-socket]");
    assert_contains(&out, "            network = true\n");
    assert!(listener.accept().is_err(), "the build script connected");
    s.allow("\n[workspace.metadata.nano.build.opens-socket]\nnetwork = true\n");
    let out = s.cargo_nano(&["build", "-p", "opens-socket"], &env);
    assert_eq!(out.status, 0, "{}", out.render());
    assert!(
        listener.accept().is_ok(),
        "the allowed build script did not connect"
    );
    // The build recorded the permission for the crate and its version in `Nano.lock`.
    let lock = std::fs::read_to_string(s.ws().join("Nano.lock")).unwrap();
    assert!(
        lock.contains(
            "opens-socket = { version = \"0.16.0\", runs = [\"build-script\"], network = true }"
        ),
        "{lock}"
    );
    // A new build permission is growth: the gate fails, naming the crate, until accepted.
    s.allow("read = [\"opens-socket\"]\n");
    let gate = s.cargo_nano(&["check", "--locked", "-p", "opens-socket"], &env);
    assert_eq!(gate.status, 1, "{}", gate.render());
    assert!(
        format!("{}{}", gate.stdout, gate.stderr).contains(
            "+ crate `opens-socket` 0.16.0 (build script) may read `opens-socket` at build time"
        ),
        "{}",
        gate.render()
    );
    let update = s.cargo_nano(&["lock", "--update", "--app", "opens-socket"], &env);
    assert_eq!(update.status, 0, "{}", update.render());
    let gate = s.cargo_nano(&["check", "--locked", "-p", "opens-socket"], &env);
    assert_eq!(gate.status, 0, "{}", gate.render());
}

#[test]
fn a_proc_macro_writing_a_file_is_refused() {
    if !confinement_available() {
        return;
    }
    let s = Scratch::new();
    let canary = s.outside().join("macro.txt");
    let env = [("NANO_FIXTURE_OUTSIDE", canary.to_str().unwrap())];
    let out = s.cargo_nano(&["build", "-p", "macro-user"], &env);
    assert_eq!(out.status, 2, "{}", out.render());
    assert!(!canary.exists(), "the proc macro wrote outside the build");
    assert_contains(
        &out,
        &format!(
            "denied the proc macro `file_macro` (compiling `macro-user 0.16.0`) a write to `{}`",
            canary.display()
        ),
    );
    assert_contains(&out, "[workspace.metadata.nano.build.file_macro]");
}

#[test]
fn legitimate_build_work_runs_confined_and_the_users_wrapper_is_chained() {
    if !confinement_available() {
        return;
    }
    if linker::c_toolchain::env_vars().is_empty()
        && !linker::c_toolchain::USER_SETTINGS
            .iter()
            .any(|name| std::env::var_os(name).is_some())
    {
        let help = "no C compiler for wasm32-wasip2: `apt-get install clang wasi-libc`";
        assert!(std::env::var_os("CI").is_none(), "{help}");
        eprintln!("skipped: {help}");
        return;
    }
    let s = Scratch::new();
    // The user's own `RUSTC_WRAPPER` (as sccache would be) still sees the compilations.
    let log = s.outside().join("wrapper.log");
    let wrapper = s.outside().join("wrapper.sh");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\necho \"$@\" >> '{}'\nexec \"$@\"\n",
            log.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(
        &wrapper,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let out = s.cargo_nano(
        &["run", "--require-build-sandbox", "-p", "legit"],
        &[("RUSTC_WRAPPER", wrapper.to_str().unwrap())],
    );
    assert_eq!(out.status, 0, "{}", out.render());
    assert_eq!(out.stdout, "generated: 43\n", "{}", out.render());
    let logged = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(logged.contains("--crate-name cc"), "{logged}");
    // The build script now in the target directory is the wrapper that confines it.
    let scripts: Vec<PathBuf> = std::fs::read_dir(s.dir.path().join("target/nano-release/build"))
        .unwrap()
        .flatten()
        .map(|e| e.path().join("build-script-build"))
        .filter(|p| p.exists())
        .collect();
    assert!(!scripts.is_empty());
    for script in scripts {
        let text = std::fs::read(&script).unwrap();
        assert!(text.starts_with(b"#!/bin/sh\n"), "{}", script.display());
    }
}

#[test]
fn without_confinement_a_build_warns_once_or_fails_when_it_is_required() {
    let s = Scratch::new();
    let canary = s.outside().join("canary.txt");
    let off = [
        ("NANO_FIXTURE_OUTSIDE", canary.to_str().unwrap()),
        (build_sandbox::ENV_DISABLE, "1"),
    ];
    let out = s.cargo_nano(
        &["build", "--require-build-sandbox", "-p", "writes-outside"],
        &off,
    );
    assert_eq!(out.status, 2, "{}", out.render());
    assert_contains(
        &out,
        "error: build scripts and proc macros cannot be confined here: `CARGO_NANO_NO_BUILD_SANDBOX=1` turned it off",
    );
    assert!(
        !canary.exists(),
        "a required sandbox ran the build script unconfined"
    );
    let out = s.cargo_nano(&["build", "-p", "writes-outside"], &off);
    assert_eq!(out.status, 0, "{}", out.render());
    let warning = "warning: build scripts and proc macros run unconfined, with your authority";
    assert_eq!(out.stderr.matches(warning).count(), 1, "{}", out.render());
    assert!(
        canary.exists(),
        "unconfined, the build script runs as it is"
    );
}
