//! Every finding in every format, end to end: the real `cargo-nano` binary on a policy violation
//! (`fixtures/evil-notify`: `notifier` reads a credential and opens sockets it does not
//! request), a grant violation (`fixtures/evil-notify-ungranted`: `app` does not grant what
//! `notifier` requests) and growth against `Nano.lock` (a copy of `fixtures/upgrade` moved to
//! `notifier` 1.1.0). Each is rendered as human text, JSON, Markdown, SARIF (validated against
//! the SARIF 2.1.0 schema, never empty) and GitHub annotations, and snapshotted.

mod support;

use std::path::Path;
use std::process::Command;
use std::sync::Mutex;

use support::{Output, fixture, normalize, snapshot};

/// Builds in one target directory run one at a time, so a build never reads a component that
/// another one just overwrote.
static BUILDS: Mutex<()> = Mutex::new(());

/// Runs `cargo-nano nano ARGS` in `dir` with the target directory of `target`, on GitHub
/// Actions or not (whatever the environment of the test says).
fn nano(dir: &Path, target: &str, args: &[&str], github: bool) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cargo-nano"));
    cmd.arg("nano")
        .args(args)
        .current_dir(dir)
        .env(
            "CARGO_TARGET_DIR",
            support::repo().join("target/fixtures").join(target),
        )
        .env_remove("CARGO_NANO_LOG")
        // No `[n/m] package (time)` progress lines in the snapshots.
        .env("CARGO_TERM_PROGRESS_WHEN", "never")
        .env_remove("GITHUB_ACTIONS");
    if github {
        cmd.env("GITHUB_ACTIONS", "true");
    }
    let out = cmd.output().expect("the cargo-nano binary runs");
    Output::from(out)
}

/// The SARIF 2.1.0 schema, as shipped in the `serde-sarif` package that writes the logs.
fn sarif_schema() -> serde_json::Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--manifest-path"])
        .arg(support::repo().join("Cargo.toml"))
        .output()
        .unwrap();
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let manifest = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "serde-sarif")
        .and_then(|p| p["manifest_path"].as_str())
        .expect("serde-sarif is a dependency");
    let schema = Path::new(manifest)
        .parent()
        .unwrap()
        .join("src/schema.json");
    // The published 2.1.0 schema has a stray `]` in the pattern of the `language` properties
    // (fixed in the errata); validators that check the schema itself refuse it. Our logs do not
    // set a language.
    let text = std::fs::read_to_string(schema).unwrap().replace(
        r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#,
        r#""^[a-zA-Z]{2}(-[a-zA-Z]{2})?$""#,
    );
    serde_json::from_str(&text).unwrap()
}

/// Asserts `text` is a SARIF 2.1.0 log with `results` results, and returns it.
fn valid_sarif(text: &str, results: usize) -> serde_json::Value {
    let sarif: serde_json::Value =
        serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"));
    let validator = jsonschema::validator_for(&sarif_schema()).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
    // serde-sarif's own model reads it back.
    serde_json::from_str::<serde_sarif::sarif::Sarif>(text).expect("serde-sarif reads the log");
    let found = sarif["runs"][0]["results"].as_array().unwrap().len();
    assert_eq!(found, results, "{text}");
    sarif
}

/// Every format of `args` in `dir`: asserts the exit status, validates the documents and
/// snapshots each as `findings-NAME-FORMAT`. Returns the SARIF log.
fn every_format(
    name: &str,
    dir: &Path,
    target: &str,
    args: &[&str],
    status: i32,
    results: usize,
) -> serde_json::Value {
    let norm = |s: &str| {
        normalize(s, &[(dir, "[WS]")]).replace(
            &format!("\"{}\"", env!("CARGO_PKG_VERSION")),
            "\"[VERSION]\"",
        )
    };
    let run = |format: &str, github: bool| {
        let mut all = args.to_vec();
        all.extend(["--format", format]);
        let out = nano(dir, target, &all, github);
        assert_eq!(out.status, status, "{}", out.render());
        out
    };
    let human = run("human", false);
    snapshot(&format!("findings-{name}-human"), &norm(&human.render()));

    let json = run("json", false);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(doc["format"], 2);
    assert_eq!(doc["findings"].as_array().unwrap().len(), results, "{doc}");
    snapshot(&format!("findings-{name}-json"), &norm(&json.stdout));

    let markdown = run("markdown", false);
    assert!(
        markdown.stdout.starts_with("### cargo-nano"),
        "{}",
        markdown.render()
    );
    snapshot(
        &format!("findings-{name}-markdown"),
        &norm(&markdown.stdout),
    );

    let sarif = run("sarif", false);
    let log = valid_sarif(&sarif.stdout, results);
    snapshot(&format!("findings-{name}-sarif"), &norm(&sarif.stdout));

    // On GitHub Actions, the annotations go to stderr next to the SARIF on stdout.
    let annotated = run("sarif", true);
    assert_eq!(annotated.stdout, sarif.stdout);
    let annotations: Vec<&str> = annotated
        .stderr
        .lines()
        .filter(|l| l.starts_with("::"))
        .collect();
    assert_eq!(annotations.len(), results.min(10), "{}", annotated.stderr);
    snapshot(
        &format!("findings-{name}-github"),
        &norm(&(annotations.join("\n") + "\n")),
    );
    log
}

/// The rule ids of a SARIF log's results.
fn rules(log: &serde_json::Value) -> Vec<String> {
    log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_policy_violation_is_a_finding_in_every_format() {
    let _guard = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let dir = fixture("evil-notify");
    let log = every_format("policy", &dir, "evil-notify", &["check"], 1, 3);
    assert!(
        rules(&log).iter().all(|r| r == "nano/unrequested-reach"),
        "{log}"
    );
    let results = log["runs"][0]["results"].as_array().unwrap();
    let env = results
        .iter()
        .find(|r| r["message"]["text"].as_str().unwrap().contains("`env`"))
        .expect("the read of the environment");
    let message = env["message"]["text"].as_str().unwrap();
    assert!(message.contains("`AWS_SECRET_ACCESS_KEY`"), "{message}");
    let place = &env["locations"][0]["physicalLocation"];
    assert_eq!(
        place["artifactLocation"]["uri"],
        "fixtures/evil-notify/notifier/Cargo.toml"
    );
    // No `env` key: the line of the requests table.
    let manifest = std::fs::read_to_string(dir.join("notifier/Cargo.toml")).unwrap();
    let line = manifest
        .lines()
        .position(|l| l == "[package.metadata.nano.requests]")
        .unwrap()
        + 1;
    assert_eq!(place["region"]["startLine"], line);
    let related = env["relatedLocations"].as_array().unwrap();
    assert!(related.len() > 2, "{env}");
    assert_eq!(
        related.last().unwrap()["logicalLocations"][0]["fullyQualifiedName"],
        "wasi:cli/environment#get-environment"
    );

    // `build` takes the same formats.
    let build = nano(&dir, "evil-notify", &["build", "--format", "sarif"], false);
    assert_eq!(build.status, 1, "{}", build.render());
    valid_sarif(&build.stdout, 3);
}

#[test]
fn a_grant_violation_is_a_finding_in_every_format() {
    let dir = fixture("evil-notify-ungranted");
    let log = every_format("grant", &dir, "evil-notify-ungranted", &["check"], 1, 2);
    assert!(
        rules(&log).iter().all(|r| r == "nano/ungranted-request"),
        "{log}"
    );
    let results = log["runs"][0]["results"].as_array().unwrap();
    // Both point at the parent's grant to `notifier`.
    let manifest = std::fs::read_to_string(dir.join("app/Cargo.toml")).unwrap();
    let line = manifest
        .lines()
        .position(|l| l == "[package.metadata.nano.grants.notifier]")
        .unwrap()
        + 1;
    for r in results {
        let place = &r["locations"][0]["physicalLocation"];
        assert_eq!(
            place["artifactLocation"]["uri"],
            "fixtures/evil-notify-ungranted/app/Cargo.toml"
        );
        assert_eq!(place["region"]["startLine"], line, "{r}");
    }
}

#[test]
fn growth_against_the_lock_is_a_finding_in_every_format() {
    let _guard = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = support::copy_fixture("upgrade");
    let ws = tmp.path();
    // Move `app` to notifier 1.1.0, as `cargo update` would, `Cargo.lock` included.
    support::edit(
        &ws.join("app/Cargo.toml"),
        "path = \"../notifier-1.0.0\"",
        "path = \"../notifier-1.1.0\"",
    );
    let status = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--offline"])
        .current_dir(ws)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "cargo metadata updates the lock");
    let log = every_format("growth", ws, "upgrade", &["check", "--locked"], 1, 9);
    let rules = rules(&log);
    for rule in ["nano/new-request", "nano/new-grant", "nano/new-reach"] {
        assert_eq!(rules.iter().filter(|r| *r == rule).count(), 3, "{rules:?}");
    }
    // A request points at its own key in the package's manifest.
    let results = log["runs"][0]["results"].as_array().unwrap();
    let network = results
        .iter()
        .find(|r| {
            r["ruleId"] == "nano/new-request"
                && r["message"]["text"].as_str().unwrap().contains("network")
        })
        .unwrap();
    let manifest = std::fs::read_to_string(ws.join("notifier-1.1.0/Cargo.toml")).unwrap();
    let line = manifest
        .lines()
        .position(|l| l.starts_with("network = "))
        .unwrap()
        + 1;
    assert_eq!(
        network["locations"][0]["physicalLocation"]["region"]["startLine"],
        line
    );

    // `build` renders the same findings, keeps stdout for the document and the lock unchanged.
    let lock = std::fs::read_to_string(ws.join("Nano.lock")).unwrap();
    let build = nano(ws, "upgrade", &["build", "--format", "sarif"], false);
    assert_eq!(build.status, 1, "{}", build.render());
    assert_eq!(valid_sarif(&build.stdout, 9), log);
    assert!(
        build.stderr.contains("linked 2 nanoprocess(es)"),
        "{}",
        build.render()
    );
    assert!(
        build.stderr.contains("permissions grew since"),
        "{}",
        build.render()
    );
    assert_eq!(std::fs::read_to_string(ws.join("Nano.lock")).unwrap(), lock);

    // Without a lock, `check` compares nothing and still writes a valid (empty) log.
    std::fs::remove_file(ws.join("Nano.lock")).unwrap();
    let unlocked = nano(ws, "upgrade", &["check", "--format", "sarif"], false);
    assert_eq!(unlocked.status, 0, "{}", unlocked.render());
    valid_sarif(&unlocked.stdout, 0);
}
