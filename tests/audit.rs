//! `cargo nano run --audit`: one run with everything offered, then the manifest entries it needs.
//! On the malicious notifier it names the variable read and the endpoint dialled; on `unzip-app`
//! with entries removed, `--write` puts them back and the ordinary build and run pass again.

mod support;

use support::{cargo_nano, cargo_nano_in, copy_fixture, edit};

#[test]
fn audit_names_what_the_malicious_notifier_reads_and_dials() {
    let out = cargo_nano(
        "evil-notify",
        &[
            "run",
            "--audit",
            "--env",
            "AWS_SECRET_ACCESS_KEY=not-a-secret",
        ],
    );
    assert_eq!(out.status, 1, "something is missing: {}", out.render());
    let notifier = out
        .stderr
        .split("package `notifier`")
        .nth(1)
        .expect("a section for the notifier");
    for expected in [
        "[package.metadata.nano.requests]",
        "env = [\"AWS_SECRET_ACCESS_KEY\"]",
        "it tried to connect to `203.0.113.5:443`, which this run did not offer (denied)",
    ] {
        assert!(
            notifier.contains(expected),
            "`{expected}` in {}",
            out.render()
        );
    }
    let app = out.stderr.split("package `app`").nth(1).unwrap();
    assert!(
        app.contains(
            "[package.metadata.nano.grants.notifier]\n  env = [\"AWS_SECRET_ACCESS_KEY\"]"
        ) && app.contains("[package.metadata.nano.requests]\n  env = [\"AWS_SECRET_ACCESS_KEY\"]"),
        "the app must hold and grant what its child needs: {}",
        out.render()
    );
    // The audit built nothing that `run --no-build` could pick up, and the ordinary build still
    // refuses the notifier.
    let build = cargo_nano("evil-notify", &["build"]);
    assert_eq!(build.status, 1, "{}", build.render());
}

#[test]
fn audit_write_restores_the_entries_a_run_needs_and_the_build_passes_again() {
    let copy = copy_fixture("unzip-app");
    let dir = copy.path();
    edit(
        &dir.join("app/Cargo.toml"),
        "stdio = [\"stdout\", \"stderr\"]\n",
        "",
    );
    edit(&dir.join("app/Cargo.toml"), "args = true\n", "");
    // In the app's requests, then in its grant to the extractor.
    edit(&dir.join("app/Cargo.toml"), "random = true\n", "");
    edit(&dir.join("app/Cargo.toml"), "random = true\n", "");
    edit(&dir.join("extractor/Cargo.toml"), "random = true\n", "");
    let _ = std::fs::remove_file(dir.join("Nano.lock"));
    let nano = |args: &[&str]| cargo_nano_in(dir, "audit-unzip-app", args);
    let refused = nano(&["build"]);
    assert_eq!(refused.status, 1, "{}", refused.render());

    let run = [
        "--dir",
        "input=input",
        "--dir",
        "data=out",
        "--",
        "input/sample.zip",
    ];
    let audit = nano(&[&["run", "--audit"][..], &run].concat());
    assert_eq!(audit.status, 1, "{}", audit.render());
    assert!(
        audit.stdout.contains("extracted hello.txt"),
        "the program ran: {}",
        audit.render()
    );
    for expected in [
        "package `app`",
        "  stdio = [\"stdout\", \"stderr\"]\n  random = true\n  args = true\n",
        "[package.metadata.nano.grants.extractor]\n  random = true\n",
        "package `inflate`",
    ] {
        assert!(
            audit.stderr.contains(expected),
            "`{expected}` in {}",
            audit.render()
        );
    }
    let written = nano(&[&["run", "--audit", "--write"][..], &run].concat());
    assert_eq!(written.status, 0, "{}", written.render());
    assert!(written.stderr.contains("wrote `"), "{}", written.render());

    std::fs::remove_dir_all(dir.join("out")).unwrap();
    let ran = nano(&[&["run", "--quiet"][..], &run].concat());
    assert_eq!(ran.status, 0, "{}", ran.render());
    assert!(
        ran.stdout.contains("extracted numbers.csv"),
        "{}",
        ran.render()
    );
    let again = nano(&[&["run", "--audit"][..], &run].concat());
    assert_eq!(
        again.status,
        0,
        "nothing is missing any more: {}",
        again.render()
    );
}
