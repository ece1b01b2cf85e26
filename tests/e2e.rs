//! End-to-end tests: the real `cargo-nano` binary, real components built by rustc, a real
//! composition and real wasmtime runs, on the fixtures in `fixtures/`.

mod support;

use std::path::Path;

use support::{cargo_nano, fixture, normalize, snapshot};

#[test]
fn unzip_app_extracts_into_exactly_its_granted_directory() {
    let data = tempfile::tempdir().unwrap();
    let args = support::unzip_args(data.path());
    let args: Vec<&str> = std::iter::once("run")
        .chain(args.iter().map(String::as_str))
        .collect();
    let out = cargo_nano("unzip-app", &args);
    assert_eq!(out.status, 0, "{}", out.render());
    snapshot(
        "unzip-app-run",
        &normalize(&out.render(), &[(data.path(), "[DATA]")]),
    );
    let extracted = data.path().join("extracted");
    assert_eq!(
        std::fs::read_to_string(extracted.join("hello.txt")).unwrap(),
        "Hello, nano!\n"
    );
    let csv = std::fs::read_to_string(extracted.join("numbers.csv")).unwrap();
    assert!(csv.starts_with("0,0\n1,1\n2,4\n") && csv.ends_with("99,9801\n"));
    assert!(extracted.join("docs/readme.md").is_file());
    // The extractor's grant is `data/extracted`: nothing else in `data` was touched.
    let top: Vec<_> = std::fs::read_dir(data.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(top, vec![std::ffi::OsString::from("extracted")]);
}

#[test]
fn evil_notify_is_refused_at_build_for_undeclared_syscalls() {
    let out = cargo_nano("evil-notify", &["build"]);
    assert_eq!(out.status, 1, "{}", out.render());
    for needle in [
        "notifier",
        "wasi:sockets",
        "network",
        "wasi:cli/environment",
        "env",
    ] {
        assert!(
            out.stderr.contains(needle),
            "missing `{needle}`:\n{}",
            out.render()
        );
    }
    snapshot("evil-notify-build", &normalize(&out.render(), &[]));
}

#[test]
fn evil_notify_declared_but_ungranted_is_refused_at_link() {
    let out = cargo_nano("evil-notify-ungranted", &["build"]);
    assert_eq!(out.status, 1, "{}", out.render());
    assert!(out.stderr.contains("does not grant"), "{}", out.render());
    assert!(
        !out.stderr.contains("reaches"),
        "a link error, not a build error:\n{}",
        out.render()
    );
    snapshot(
        "evil-notify-ungranted-build",
        &normalize(&out.render(), &[]),
    );
}

#[test]
fn runtime_refuses_a_composed_component_with_an_unannounced_import() {
    // Work on a copy of target/nano so other tests keep the real one.
    let copy = support::linked_copy("unzip-app");
    let wasm = std::fs::read(copy.path().join("app.wasm")).unwrap();
    let tampered = support::add_instance_import(&wasm, "wasi:cli/environment@0.2.6");
    support::rewrite_plan_checksum(&copy.path().join("plan.json"), &tampered);
    std::fs::write(copy.path().join("app.wasm"), &tampered).unwrap();
    let plan = copy.path().join("plan.json");
    let out = cargo_nano(
        "unzip-app",
        &[
            "run",
            "--no-build",
            "--plan",
            &plan.display().to_string(),
            "--dir",
            "input=.",
            "--dir",
            "data=.",
        ],
    );
    assert_eq!(out.status, 2, "{}", out.render());
    assert!(out.stderr.contains("refusing to start"), "{}", out.render());
    assert!(
        out.stderr.contains("`wasi:cli/environment@0.2.6`"),
        "{}",
        out.render()
    );
}

/// A scratch home for the isolation fixture: `secret.txt` (the app's), `left/hello.txt`,
/// `right/r.txt`, and a symlink in `left` pointing at the secret.
fn isolation_home() -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    let p = home.path();
    std::fs::write(p.join("secret.txt"), "app secret").unwrap();
    std::fs::create_dir_all(p.join("left")).unwrap();
    std::fs::create_dir_all(p.join("right")).unwrap();
    std::fs::write(p.join("left/hello.txt"), "left hello").unwrap();
    std::fs::write(p.join("right/r.txt"), "right file").unwrap();
    std::os::unix::fs::symlink("../secret.txt", p.join("left/link")).unwrap();
    home
}

fn isolation(home: &Path, args: &[&str]) -> (i32, String) {
    let mut all = vec!["run", "--quiet", "--dir"];
    let dir = format!("home={}", home.display());
    all.push(&dir);
    all.push("--");
    all.extend_from_slice(args);
    let out = cargo_nano("isolation", &all);
    (out.status, out.stdout.trim().to_string())
}

#[test]
fn isolation_each_package_sees_only_its_own_grant() {
    let home = isolation_home();
    let h = home.path();
    let secret = h.join("secret.txt").display().to_string();
    let cases: &[(&[&str], bool, &str)] = &[
        (
            &["app", "read", "home/secret.txt"],
            true,
            "the app reads its own slot",
        ),
        (
            &["left", "read", "box/hello.txt"],
            true,
            "a child reads its grant",
        ),
        (
            &["right", "read", "box/r.txt"],
            true,
            "a sibling reads its own grant",
        ),
        (
            &["left", "read", "home/secret.txt"],
            false,
            "a child cannot read its parent's slot",
        ),
        (
            &["left", "read", &secret],
            false,
            "a child cannot read a host path",
        ),
        (
            &["left", "read", "box/../secret.txt"],
            false,
            "`..` does not escape a grant",
        ),
        (
            &["left", "read", "box/link"],
            false,
            "a symlink does not escape a grant",
        ),
        (
            &["left", "read", "box/../right/r.txt"],
            false,
            "a child cannot read its sibling's grant",
        ),
        (
            &["right", "read", "box/../left/hello.txt"],
            false,
            "nor the other way round",
        ),
        (
            &["right", "write", "box/new.txt", "x"],
            false,
            "a read-only grant cannot write",
        ),
        (
            &["app", "read", "box/hello.txt"],
            false,
            "the parent cannot use its child's slot",
        ),
    ];
    let mut failures = Vec::new();
    for (args, allowed, why) in cases {
        let (status, stdout) = isolation(h, args);
        // WASI 0.2 carries only success or failure out of `main`: the app's exit code 3 arrives
        // as 1.
        let ok = if *allowed {
            status == 0
        } else {
            status == 1 && stdout.starts_with("denied:")
        };
        if !ok {
            failures.push(format!("{why}: {args:?} -> {status} {stdout}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(!h.join("right/new.txt").exists());
    assert_eq!(
        std::fs::read_to_string(h.join("secret.txt")).unwrap(),
        "app secret"
    );
}

#[test]
fn isolation_writes_land_in_the_granted_subdirectory() {
    let home = isolation_home();
    let (status, stdout) = isolation(home.path(), &["left", "write", "box/made.txt", "by left"]);
    assert_eq!((status, stdout.as_str()), (0, "ok"));
    assert_eq!(
        std::fs::read_to_string(home.path().join("left/made.txt")).unwrap(),
        "by left"
    );
}

#[test]
fn run_without_a_required_dir_is_bad_input() {
    // Every missing slot at once, before anything is built.
    let out = cargo_nano("unzip-app", &["run", "--quiet", "--", "input/sample.zip"]);
    assert_eq!(out.status, 2, "{}", out.render());
    assert!(
        out.stderr.contains(
            "package `app` requests directory slots `data`, `input` \
             (help: pass `--dir data=PATH` `--dir input=PATH`)"
        ),
        "{}",
        out.render()
    );
    assert!(!out.stderr.contains("linked"), "{}", out.render());
    // A `--dir` without `=`, or a slot bound twice, is refused before the build too.
    for (args, message) in [
        (&["--dir", "input"][..], "`--dir input` must be SLOT=PATH"),
        (
            &["--dir", "input=a", "--dir", "input=b"][..],
            "`--dir input=…` is given more than once",
        ),
    ] {
        let out = cargo_nano("unzip-app", &[&["run", "--quiet"][..], args].concat());
        assert_eq!(out.status, 2, "{}", out.render());
        assert!(out.stderr.contains(message), "{}", out.render());
    }
}

#[test]
fn run_with_an_unrequested_env_is_bad_input() {
    let out = cargo_nano(
        "unzip-app",
        &[
            "run", "--quiet", "--env", "HOME=/", "--dir", "input=.", "--dir", "data=.",
        ],
    );
    assert_eq!(out.status, 2, "{}", out.render());
    assert!(
        out.stderr
            .contains("does not request environment variable `HOME`"),
        "{}",
        out.render()
    );
}

#[test]
fn a_typo_in_a_manifest_is_bad_input_naming_package_file_and_key() {
    let ws = support::copy_fixture("unzip-app");
    support::edit(
        &ws.path().join("extractor/Cargo.toml"),
        "dirs = {",
        "dris = {",
    );
    let out = support::cargo_nano_in(ws.path(), "unzip-app-typo", &["build"]);
    assert_eq!(out.status, 2, "{}", out.render());
    // The file as Cargo shows it (relative to the current directory), the line, the key
    // underlined and what is wrong with it.
    for needle in [
        "invalid nano manifest of package `extractor`",
        "--> extractor/Cargo.toml:",
        "| dris = {",
        "^^^^ unknown key `dris` in `package.metadata.nano.requests`",
        "= help: did you mean `dirs`?",
    ] {
        assert!(
            out.stderr.contains(needle),
            "missing `{needle}`:\n{}",
            out.render()
        );
    }
}

#[test]
fn a_grant_wider_than_the_granter_is_a_policy_violation() {
    let ws = support::copy_fixture("unzip-app");
    let app = ws.path().join("app/Cargo.toml");
    support::edit(
        &app,
        "dirs = { out = { from = \"data\", path = \"extracted\" } }",
        "dirs = { out = { from = \"data\", path = \"extracted\" } }\nenv = [\"HOME\"]",
    );
    let out = support::cargo_nano_in(ws.path(), "unzip-app-wide", &["build"]);
    assert_eq!(out.status, 1, "{}", out.render());
    // Shown at the entry granted.
    for needle in [
        "grants environment variable `HOME` to `extractor` but does not hold it",
        "--> app/Cargo.toml:",
        "| env = [\"HOME\"]\n   |        ^^^^^^ granted here, but `app` does not hold it",
    ] {
        assert!(out.stderr.contains(needle), "{}", out.render());
    }
}

#[test]
fn a_dependency_cycle_is_bad_input() {
    let ws = support::copy_fixture("unzip-app");
    support::edit(
        &ws.path().join("inflate/Cargo.toml"),
        "[dependencies]\n",
        "[dependencies]\nextractor = { path = \"../extractor\" }\n",
    );
    let out = support::cargo_nano_in(ws.path(), "unzip-app-cycle", &["build"]);
    assert_eq!(out.status, 2, "{}", out.render());
    assert!(out.stderr.contains("cycl"), "{}", out.render());
}

#[test]
fn a_package_that_does_not_build_is_bad_input_naming_it() {
    let ws = support::copy_fixture("unzip-app");
    let lib = ws.path().join("inflate/src/lib.rs");
    let text = std::fs::read_to_string(&lib).unwrap();
    std::fs::write(
        &lib,
        format!("{text}\ncompile_error!(\"broken on purpose\");\n"),
    )
    .unwrap();
    let out = support::cargo_nano_in(ws.path(), "unzip-app-broken", &["build"]);
    assert_eq!(out.status, 2, "{}", out.render());
    assert!(
        out.stderr
            .contains("package `inflate` does not build for `wasm32-wasip2`"),
        "{}",
        out.render()
    );
    assert!(out.stderr.contains("broken on purpose"), "{}", out.render());
}

#[test]
fn a_corrupt_cache_entry_is_recompiled_not_trusted() {
    let copy = support::linked_copy("unzip-app");
    let plan = copy.path().join("plan.json").display().to_string();
    let data = tempfile::tempdir().unwrap();
    let input = fixture("unzip-app").join("input");
    let run = |expect_warning: bool| {
        let dirs = [
            format!("input={}", input.display()),
            format!("data={}", data.path().display()),
        ];
        let out = cargo_nano(
            "unzip-app",
            &[
                "run",
                "--quiet",
                "--no-build",
                "--plan",
                &plan,
                "--dir",
                &dirs[0],
                "--dir",
                &dirs[1],
                "--",
                "input/sample.zip",
            ],
        );
        assert_eq!(out.status, 0, "{}", out.render());
        assert_eq!(
            out.stderr.contains("warning: recompiled"),
            expect_warning,
            "{}",
            out.render()
        );
    };
    run(false);
    let cache = copy.path().join("cache");
    let entry = std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "cwasm"))
        .unwrap();
    let mut bytes = std::fs::read(&entry).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&entry, bytes).unwrap();
    run(true);
    run(false);
}

#[test]
fn a_trap_names_the_package_it_happened_in() {
    let ok = cargo_nano("trap", &["run", "--quiet", "--", "7", "2"]);
    assert_eq!(
        (ok.status, ok.stdout.as_str()),
        (0, "7 / 2 = 3\n"),
        "{}",
        ok.render()
    );
    let out = cargo_nano("trap", &["run", "--quiet", "--", "7", "0"]);
    assert_eq!(out.status, 101, "{}", out.render());
    assert!(
        out.stderr.contains("package `divider` trapped"),
        "{}",
        out.render()
    );
    // `divider` holds no stderr: its panic message was withheld while it ran, and is shown,
    // marked as such, only now that it trapped, with a short demangled backtrace.
    assert!(
        out.stderr.contains(
            "= note: it wrote, to a stderr it does not hold (withheld until now):\n      "
        ) && out.stderr.contains("panicked at")
            && out.stderr.contains("divider: division of 7 by zero"),
        "{}",
        out.render()
    );
    assert!(
        out.stderr.contains("(in `divider`)") && out.stderr.lines().count() < 30,
        "a short backtrace naming the package: {}",
        out.render()
    );
    // But the attempt to write it is reported, naming the package and the grant.
    assert!(
        out.stderr.contains(
            "warning: package `divider` (instance `app/divider`) was denied: write to stderr \
             (help: grant `stdio = [\"stderr\"]` in `[package.metadata.nano.grants.divider]` of `app`"
        ),
        "{}",
        out.render()
    );
    assert!(!ok.stderr.contains("was denied"), "{}", ok.render());
}

/// Where the pooling allocator's address space cannot be reserved (a `ulimit -v` of 20 GB, below
/// the ≈ 32 GiB of memory slots the pool of `trap`'s two packages reserves, above what the
/// on-demand allocator maps), the app runs with the on-demand allocator and says so in one line.
#[test]
#[cfg(target_os = "linux")]
fn without_address_space_for_the_pool_the_app_runs_with_the_on_demand_allocator() {
    let built = cargo_nano("trap", &["run", "--quiet", "--", "7", "2"]);
    assert_eq!(built.status, 0, "{}", built.render());
    assert!(!built.stderr.contains("pooling"), "{}", built.render());
    let out = std::process::Command::new("sh")
        .args([
            "-c",
            "ulimit -v 20000000 && exec \"$0\" nano run --quiet --no-build -- 7 2",
        ])
        .arg(env!("CARGO_BIN_EXE_cargo-nano"))
        .current_dir(fixture("trap"))
        .env(
            "CARGO_TARGET_DIR",
            support::repo().join("target/fixtures/trap"),
        )
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "7 / 2 = 3\n");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("note: the pooling allocator could not be used (")
            && stderr.contains("); starting packages with the on-demand allocator"),
        "{stderr}"
    );
}

#[test]
fn an_import_no_child_exports_is_bad_input_naming_the_package() {
    let ws = support::copy_fixture("trap");
    support::edit(
        &ws.path().join("app/Cargo.toml"),
        "[dependencies]\n",
        "[dependencies]\nwit-bindgen = \"0.63\"\n",
    );
    let main = ws.path().join("app/src/main.rs");
    support::edit(
        &main,
        "fn main() {\n",
        "mod ghost {\n    wit_bindgen::generate!({\n        inline: \"package nano:ghost; interface api { hello: func(); } world w { import api; }\",\n        world: \"w\",\n    });\n}\n\nfn main() {\n    if std::env::args().count() > 9 {\n        ghost::nano::ghost::api::hello();\n    }\n",
    );
    let out = support::cargo_nano_in(ws.path(), "trap-ghost", &["build"]);
    assert_eq!(out.status, 2, "{}", out.render());
    assert!(
        out.stderr.contains("package `app` imports `nano:ghost/api` but none of its nano dependencies exports it (children: `divider`)"),
        "{}",
        out.render()
    );
}

#[test]
fn components_and_nano_lock_do_not_depend_on_where_the_project_is() {
    // A copy of the workspace elsewhere, with its own target directory (its `nanoprocess`
    // dependency outside the workspace stays where it is, see docs/lockfile.md): the lock must come
    // out the same, checksums included, so reviewers never see churn from a different checkout
    // path.
    let ws = support::copy_fixture("unzip-app");
    let out = support::cargo_nano_in(ws.path(), "unzip-app-elsewhere", &["build"]);
    assert_eq!(out.status, 0, "{}", out.render());
    let committed = std::fs::read_to_string(fixture("unzip-app").join("Nano.lock")).unwrap();
    let rebuilt = std::fs::read_to_string(ws.path().join("Nano.lock")).unwrap();
    assert_eq!(committed, rebuilt);
}

#[test]
fn unzip_app_tests_natively_and_runs_as_nanoprocesses_without_edits() {
    // The same sources, untouched: plain `cargo test` (ordinary Rust calls, no isolation) ...
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let native = std::process::Command::new(cargo)
        .args(["test", "--quiet", "--locked"])
        .current_dir(fixture("unzip-app"))
        .env(
            "CARGO_TARGET_DIR",
            support::repo().join("target/fixtures/unzip-app-native"),
        )
        .output()
        .unwrap();
    assert!(
        native.status.success(),
        "{}",
        String::from_utf8_lossy(&native.stderr)
    );
    // ... and `cargo nano run` (each package its own nanoprocess).
    let data = tempfile::tempdir().unwrap();
    let args = support::unzip_args(data.path());
    let args: Vec<&str> = ["run", "--quiet"]
        .into_iter()
        .chain(args.iter().map(String::as_str))
        .collect();
    let out = cargo_nano("unzip-app", &args);
    assert_eq!(out.status, 0, "{}", out.render());
    assert!(data.path().join("extracted/hello.txt").is_file());
}
