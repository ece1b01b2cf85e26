//! `Nano.lock` end to end: the real `cargo-nano` binary on copies of `fixtures/upgrade`, where a
//! test switches a path dependency to the next release as `cargo update` would and checks that
//! `cargo nano diff` names the change (down to an ordinary crate that starts reaching what its
//! package already reached), that `cargo nano check --locked` fails until
//! `cargo nano lock --update` accepts it, that a version-1 lock is still read, and that bad
//! locks are bad input.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use support::{Output, cargo_nano_in, normalize, snapshot};

/// The scenarios that build share `target/fixtures/upgrade`; one at a time, so a build never
/// reads a component that another one just overwrote.
static BUILDS: Mutex<()> = Mutex::new(());

const TARGET: &str = "upgrade";

/// A copy of the `upgrade` fixture (with its committed `Nano.lock`), without build outputs.
fn scratch() -> (tempfile::TempDir, PathBuf) {
    let tmp = support::copy_fixture("upgrade");
    let ws = tmp.path().to_path_buf();
    (tmp, ws)
}

/// Points the path dependency in `manifest` at `to` instead of `from`, as `cargo update` would
/// move the dependency to another version.
fn switch(ws: &Path, manifest: &str, from: &str, to: &str) {
    let path = ws.join(manifest);
    let text = std::fs::read_to_string(&path).unwrap();
    let old = format!("path = \"../{from}\"");
    assert!(text.contains(&old), "{manifest} has no `{old}`");
    std::fs::write(&path, text.replace(&old, &format!("path = \"../{to}\""))).unwrap();
    // And `Cargo.lock` follows, as after `cargo update`: `check --locked` never writes it.
    let status = std::process::Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--offline"])
        .current_dir(ws)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "cargo metadata updates the lock");
}

fn nano(ws: &Path, args: &[&str]) -> Output {
    cargo_nano_in(ws, TARGET, args)
}

fn lock_text(ws: &Path) -> String {
    std::fs::read_to_string(ws.join("Nano.lock")).unwrap()
}

fn assert_contains(out: &Output, needles: &[&str]) {
    let all = format!("{}{}", out.stdout, out.stderr);
    for needle in needles {
        assert!(
            all.contains(needle),
            "missing `{needle}`:\n{}",
            out.render()
        );
    }
}

fn git(ws: &Path, args: &[&str]) {
    let out = Command::new("git")
        .arg("-C")
        .arg(ws)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

/// The SARIF 2.1.0 schema, as shipped in the `serde-sarif` package (a dev-dependency).
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
        .expect("serde-sarif is a dev-dependency");
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

fn assert_valid_sarif(text: &str) {
    let sarif: serde_json::Value = serde_json::from_str(text).unwrap();
    let validator = jsonschema::validator_for(&sarif_schema()).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
}

#[test]
fn upgrade_that_asks_for_more_is_caught_until_accepted() {
    let _guard = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let (_tmp, ws) = scratch();
    let norm = |s: &str| normalize(s, &[(&ws, "[WS]")]);
    git(&ws, &["init", "-q"]);
    git(&ws, &["add", "."]);
    git(&ws, &["commit", "-q", "-m", "base"]);
    // The committed lock is the tree's.
    let out = nano(&ws, &["check", "--locked"]);
    assert_eq!(out.status, 0, "{}", out.render());
    assert_contains(&out, &["no permission changes since `Nano.lock`"]);
    let committed = lock_text(&ws);

    switch(&ws, "app/Cargo.toml", "notifier-1.0.0", "notifier-1.1.0");

    let human = nano(&ws, &["diff"]);
    assert_eq!(human.status, 0, "{}", human.render());
    assert_contains(
        &human,
        &[
            "notifier 1.0.0 → 1.1.0",
            "+ requests network `203.0.113.7:443`",
            "+ requests env `NOTIFY_TOKEN`",
            "+ receives network `203.0.113.7:443` (as `app/notifier`)",
            "+ crate `notifier` 1.0.0 → 1.1.0 now reaches `network`",
            "call path: nano:notifier/api#notify → ",
            "→ wasi:sockets/tcp-create-socket#create-tcp-socket",
            "permissions grew",
        ],
    );
    snapshot("lock-upgrade-diff-human", &norm(&human.stdout));

    let json = nano(&ws, &["diff", "--format", "json"]);
    assert_eq!(json.status, 0, "{}", json.render());
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(doc["grew"], true);
    let pkg = &doc["packages"][0];
    assert_eq!(
        (
            &pkg["name"],
            &pkg["change"],
            &pkg["old-version"],
            &pkg["new-version"]
        ),
        (
            &"notifier".into(),
            &"upgraded".into(),
            &"1.0.0".into(),
            &"1.1.0".into()
        )
    );
    let notifier = pkg["crates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "notifier")
        .expect("the package's own crate");
    assert_eq!(notifier["grew"], true);
    let socket = notifier["reaches"]["added"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["capability"] == "network")
        .expect("the network, newly reached");
    assert_eq!(
        socket["path"].as_array().unwrap().last().unwrap(),
        "wasi:sockets/tcp-create-socket#create-tcp-socket"
    );
    assert!(socket["path"].as_array().unwrap().len() > 2, "{socket}");
    snapshot("lock-upgrade-diff-json", &norm(&json.stdout));

    // The same comparison against the lock committed at a git revision.
    let at_head = nano(&ws, &["diff", "--base", "HEAD", "--format", "json"]);
    assert_eq!(at_head.status, 0, "{}", at_head.render());
    assert_eq!(
        at_head.stdout,
        json.stdout
            .replace("\"base\": \"Nano.lock\"", "\"base\": \"HEAD:Nano.lock\"")
    );

    let markdown = nano(&ws, &["diff", "--format", "markdown"]);
    assert_eq!(markdown.status, 0, "{}", markdown.render());
    assert!(markdown.stdout.contains("#### `notifier 1.0.0 → 1.1.0`"));
    snapshot("lock-upgrade-diff-markdown", &norm(&markdown.stdout));

    let sarif = nano(&ws, &["check", "--locked", "--format", "sarif"]);
    assert_eq!(sarif.status, 1, "{}", sarif.render());
    assert_valid_sarif(&sarif.stdout);
    snapshot("lock-upgrade-check-sarif", &norm(&sarif.stdout));

    let gate = nano(&ws, &["check", "--locked"]);
    assert_eq!(gate.status, 1, "{}", gate.render());
    assert_contains(
        &gate,
        &["permissions grew beyond", "cargo nano lock --update"],
    );

    // On GitHub Actions, one `::error` per gained permission, on the line to review.
    let annotated = Command::new(env!("CARGO_BIN_EXE_cargo-nano"))
        .args(["nano", "check", "--locked"])
        .current_dir(&ws)
        .env(
            "CARGO_TARGET_DIR",
            support::repo().join("target/fixtures").join(TARGET),
        )
        .env("GITHUB_ACTIONS", "true")
        .output()
        .unwrap();
    assert_eq!(annotated.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&annotated.stdout);
    let grants_line = std::fs::read_to_string(ws.join("app/Cargo.toml"))
        .unwrap()
        .lines()
        .position(|l| l.starts_with("[package.metadata.nano.grants.notifier]"))
        .unwrap()
        + 1;
    for needle in [
        format!(
            "::error file=app/Cargo.toml,line={grants_line},title=permission grew%3A notifier::notifier 1.0.0 → 1.1.0: receives network `203.0.113.7:443` (as `app/notifier`)"
        ),
        "::error file=notifier-1.1.0/Cargo.toml,line=".to_string(),
        "crate `notifier` 1.0.0 → 1.1.0 now reaches `network`".to_string(),
    ] {
        assert!(stdout.contains(&needle), "missing `{needle}`:\n{stdout}");
    }

    // `build` refuses to record growth, and leaves the lock alone.
    let build = nano(&ws, &["build"]);
    assert_eq!(build.status, 1, "{}", build.render());
    assert_contains(
        &build,
        &["notifier 1.0.0 → 1.1.0", "run `cargo nano lock --update`"],
    );
    assert_eq!(lock_text(&ws), committed);

    let update = nano(&ws, &["lock", "--update"]);
    assert_eq!(update.status, 0, "{}", update.render());
    assert!(lock_text(&ws).contains("version = \"1.1.0\""));
    let gate = nano(&ws, &["check", "--locked"]);
    assert_eq!(gate.status, 0, "{}", gate.render());

    // A lock that records more than the tree does: the difference is reported and passes.
    let wider = lock_text(&ws).replacen(
        "[package.requests]\nenv = [\"NOTIFY_TOKEN\", \"NO_COLOR\"]\nstdio = [\"stderr\"]",
        "[package.requests]\nenv = [\"NOTIFY_TOKEN\", \"NO_COLOR\"]\nstdio = [\"stderr\"]\nrandom = true",
        1,
    );
    assert_ne!(
        wider,
        lock_text(&ws),
        "notifier's requests are where expected"
    );
    std::fs::write(ws.join("Nano.lock"), &wider).unwrap();
    let shrink = nano(&ws, &["check", "--locked"]);
    assert_eq!(shrink.status, 0, "{}", shrink.render());
    assert_contains(
        &shrink,
        &[
            "notifier 1.1.0\n",
            "- requests random",
            "no permission grew",
        ],
    );
    assert_eq!(lock_text(&ws), wider, "`check` never writes the lock");

    // Back to 1.0.0, built before in this target directory (its component file was since
    // overwritten by 1.1.0's): shrinking passes, and `build` records it.
    switch(&ws, "app/Cargo.toml", "notifier-1.1.0", "notifier-1.0.0");
    let back = nano(&ws, &["check", "--locked"]);
    assert_eq!(back.status, 0, "{}", back.render());
    assert_contains(
        &back,
        &[
            "notifier 1.1.0 → 1.0.0",
            "- requests network `203.0.113.7:443`",
            "no permission grew",
        ],
    );
    let build = nano(&ws, &["build"]);
    assert_eq!(build.status, 0, "{}", build.render());
    let recorded = lock_text(&ws);
    assert!(recorded.contains("version = \"1.0.0\"") && !recorded.contains("version = \"1.1.0\""));
}

/// The test of per-crate capabilities: `notifier` already reads the environment (`NO_COLOR`);
/// its ordinary dependency `fmtlib`, two levels below `app`, is upgraded from 0.1.0, which reads
/// nothing, to 0.2.0, which reads `NO_COLOR` too. The package reaches nothing new, but a crate
/// does: `check --locked` fails naming the crate and both versions.
#[test]
fn a_crate_newly_reaching_what_its_package_already_reaches_is_caught() {
    let _guard = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let (_tmp, ws) = scratch();
    let norm = |s: &str| normalize(s, &[(&ws, "[WS]")]);
    assert!(
        lock_text(&ws).contains(
            "fmtlib = { version = \"0.1.0\" }\nnotifier = { version = \"1.0.0\", reaches = [\"env\", \"stdio stderr\"], env = [\"NO_COLOR\"] }"
        ),
        "the committed lock: `notifier` reads the environment, `fmtlib` 0.1.0 nothing"
    );
    switch(
        &ws,
        "notifier-1.0.0/Cargo.toml",
        "fmtlib-0.1.0",
        "fmtlib-0.2.0",
    );

    let json = nano(&ws, &["diff", "--format", "json"]);
    assert_eq!(json.status, 0, "{}", json.render());
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(doc["grew"], true);
    let pkg = &doc["packages"][0];
    assert_eq!(
        (&pkg["name"], &pkg["change"]),
        (&"notifier".into(), &"changed".into())
    );
    assert_eq!(pkg["requests"]["added"], serde_json::json!([]));
    assert_eq!(pkg["received"], serde_json::json!([]));
    let fmtlib = &pkg["crates"][0];
    assert_eq!(
        (
            &fmtlib["name"],
            &fmtlib["change"],
            &fmtlib["old-version"],
            &fmtlib["new-version"]
        ),
        (
            &"fmtlib".into(),
            &"upgraded".into(),
            &"0.1.0".into(),
            &"0.2.0".into()
        )
    );
    let env = &fmtlib["reaches"]["added"][0];
    assert_eq!(
        (&env["capability"], &env["indirect"]),
        (&"env".into(), &false.into())
    );
    assert!(
        env["path"]
            .as_array()
            .unwrap()
            .contains(&"fmtlib::banner".into()),
        "{env}"
    );
    // `notifier` itself reached it before and after: not a change.
    assert_eq!(pkg["crates"].as_array().unwrap().len(), 1, "{pkg}");

    let human = nano(&ws, &["diff"]);
    assert_contains(
        &human,
        &[
            "notifier 1.0.0\n",
            "+ crate `fmtlib` 0.1.0 → 0.2.0 now reaches `env`",
            "→ fmtlib::banner →",
        ],
    );
    snapshot("lock-transitive-diff-human", &norm(&human.stdout));

    let gate = nano(&ws, &["check", "--locked"]);
    assert_eq!(gate.status, 1, "{}", gate.render());
    assert_contains(
        &gate,
        &[
            "crate `fmtlib` 0.1.0 → 0.2.0 now reaches `env`",
            "permissions grew beyond",
        ],
    );
    let update = nano(&ws, &["lock", "--update", "-p", "notifier"]);
    assert_eq!(update.status, 0, "{}", update.render());
    assert!(
        lock_text(&ws).contains(
            "fmtlib = { version = \"0.2.0\", reaches = [\"env\"], env = [\"NO_COLOR\"] }"
        )
    );
    let gate = nano(&ws, &["check", "--locked"]);
    assert_eq!(gate.status, 0, "{}", gate.render());

    // Back to 0.1.0: a version change and a lost capability, neither of which is growth.
    switch(
        &ws,
        "notifier-1.0.0/Cargo.toml",
        "fmtlib-0.2.0",
        "fmtlib-0.1.0",
    );
    let back = nano(&ws, &["check", "--locked"]);
    assert_eq!(back.status, 0, "{}", back.render());
    assert_contains(
        &back,
        &[
            "- crate `fmtlib` 0.2.0 → 0.1.0 no longer reaches `env`",
            "no permission grew",
        ],
    );
}

/// The lock of `fixtures/upgrade` in format version 1, as cargo-nano wrote it before format 2,
/// abridged to the syscalls that need a capability and one that does not.
const V1_LOCK: &str = include_str!("data/upgrade-v1.Nano.lock");

#[test]
fn a_version_1_lock_is_compared_by_what_it_records_until_rewritten() {
    let _guard = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let (_tmp, ws) = scratch();
    std::fs::write(ws.join("Nano.lock"), V1_LOCK).unwrap();
    // Version 1 names one crate per syscall: `fmtlib` starting to read the environment, which
    // `notifier` already did, cannot be told from it. Only what the package did not reach is.
    switch(
        &ws,
        "notifier-1.0.0/Cargo.toml",
        "fmtlib-0.1.0",
        "fmtlib-0.2.0",
    );
    let check = nano(&ws, &["check", "--locked"]);
    assert_eq!(check.status, 0, "{}", check.render());
    assert_contains(
        &check,
        &[
            "warning: `Nano.lock` has format version 1",
            "run `cargo nano lock --update` to rewrite it as version 3, and review the diff",
            "no permission grew",
        ],
    );
    assert_eq!(lock_text(&ws), V1_LOCK, "`check` never writes the lock");
    let update = nano(&ws, &["lock", "--update"]);
    assert_eq!(update.status, 0, "{}", update.render());
    assert_contains(&update, &["rewriting", "in format version 3"]);
    let text = lock_text(&ws);
    assert!(text.contains("version = 3\n"), "{text}");
    assert!(
        text.contains(
            "fmtlib = { version = \"0.2.0\", reaches = [\"env\"], env = [\"NO_COLOR\"] }"
        ),
        "{text}"
    );
    let gate = nano(&ws, &["check", "--locked"]);
    assert_eq!(gate.status, 0, "{}", gate.render());
    assert!(
        !gate.stderr.contains("format version 1"),
        "{}",
        gate.render()
    );
}

#[test]
fn tree_shows_requests_grants_and_holdings() {
    let out = support::cargo_nano("upgrade", &["tree"]);
    assert_eq!(out.status, 0, "{}", out.render());
    snapshot("lock-upgrade-tree", &out.stdout);
}

#[test]
fn tree_reaches_shows_what_each_crate_reaches() {
    let _guard = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let (_tmp, ws) = scratch();
    let out = nano(&ws, &["tree", "--reaches"]);
    assert_eq!(out.status, 0, "{}", out.render());
    snapshot("lock-upgrade-tree-reaches", &out.stdout);
    let json = nano(&ws, &["tree", "--reaches", "--format", "json"]);
    assert_eq!(json.status, 0, "{}", json.render());
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let notifier = &doc["instances"][1];
    assert_eq!(
        (&notifier["id"], &notifier["parent"]),
        (&"app/notifier".into(), &"app".into())
    );
    assert_eq!(
        notifier["crates"]["notifier"],
        serde_json::json!({
            "version": "1.0.0",
            "reaches": ["env", "stdio stderr"],
            "env": ["NO_COLOR"]
        })
    );
    assert_eq!(notifier["holds"]["env"], serde_json::json!(["NO_COLOR"]));
    // Without `--reaches`, nothing is built and there are no crates.
    let plain = nano(&ws, &["tree", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&plain.stdout).unwrap();
    assert!(doc["instances"][1].get("crates").is_none(), "{doc}");
}

/// `check --locked` on a copy whose lock was replaced by `text` (or removed): bad input, exit 2,
/// with `needles` in the message, and the lock left as it was.
fn bad_lock(text: Option<&str>, needles: &[&str]) {
    let (_tmp, ws) = scratch();
    let path = ws.join("Nano.lock");
    match text {
        Some(t) => std::fs::write(&path, t).unwrap(),
        None => std::fs::remove_file(&path).unwrap(),
    }
    let out = nano(&ws, &["check", "--locked"]);
    assert_eq!(out.status, 2, "{}", out.render());
    assert_contains(&out, needles);
    assert_eq!(std::fs::read_to_string(&path).ok().as_deref(), text);
}

#[test]
fn missing_lock_is_bad_input_and_not_written() {
    bad_lock(
        None,
        &["Nano.lock` does not exist", "run `cargo nano lock`"],
    );
}

#[test]
fn corrupt_lock_is_bad_input() {
    bad_lock(
        Some("version = 2\n[[package]\nname = \"app\"\n"),
        &[
            "invalid lock file `Nano.lock`",
            "--> Nano.lock:2:",
            "| [[package]",
            "cargo nano lock --update",
        ],
    );
}

#[test]
fn lock_from_a_newer_cargo_nano_is_bad_input() {
    let text = lock_text(&support::fixture("upgrade"));
    let version = text
        .lines()
        .find(|l| l.starts_with("version = "))
        .expect("a version line");
    let text = text.replacen(version, "version = 99", 1);
    bad_lock(Some(&text), &["format version 99", "upgrade cargo-nano"]);
}

#[test]
fn merge_conflict_markers_are_bad_input() {
    let text = lock_text(&support::fixture("upgrade")).replacen(
        "version = \"1.0.0\"\n",
        "<<<<<<< HEAD\nversion = \"1.0.0\"\n=======\nversion = \"1.1.0\"\n>>>>>>> upgrade\n",
        1,
    );
    bad_lock(
        Some(&text),
        &[
            "merge conflict marker in lock file `Nano.lock`",
            "| <<<<<<< HEAD",
            "cargo nano lock --update",
        ],
    );
}

#[test]
fn base_revision_without_a_lock_is_bad_input() {
    let (_tmp, ws) = scratch();
    git(&ws, &["init", "-q"]);
    git(&ws, &["add", "."]);
    git(&ws, &["rm", "-q", "--cached", "Nano.lock"]);
    git(&ws, &["commit", "-q", "-m", "no lock yet"]);
    let out = nano(&ws, &["diff", "--base", "HEAD"]);
    assert_eq!(out.status, 2, "{}", out.render());
    assert_contains(&out, &["`Nano.lock` does not exist at revision `HEAD`"]);
    let out = nano(&ws, &["diff", "--base", "no-such-rev"]);
    assert_eq!(out.status, 2, "{}", out.render());
    assert_contains(&out, &["revision `no-such-rev` does not exist"]);
}
