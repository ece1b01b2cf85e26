use std::path::PathBuf;

use linker::lock::LockError;
use linker::policy::{Place, Subject, Violation};
use manifest_schema::parse_cargo_toml;

use super::*;

const APP: &str = r#"[package]
name = "app"

[package.metadata.nano]
format = 1

[package.metadata.nano.requests]
dirs = { data = "rw" }
env = ["HOME", "LANG=C"]

[package.metadata.nano.grants.notifier]
env = ["HOME", "PATH"]
"#;

/// A directory holding `name` with `text`, and the path of that file.
fn file(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write");
    (dir, path)
}

/// `text` with the temporary directory written `[DIR]`.
fn portable(text: &str, dir: &tempfile::TempDir) -> String {
    text.replace(&dir.path().display().to_string(), "[DIR]")
}

#[test]
fn every_manifest_problem_at_its_key_or_value() {
    let (dir, path) = file("Cargo.toml", APP);
    let errors = parse_cargo_toml(APP, "app", &path).expect_err("invalid");
    let shown = manifest_errors(&[errors], &mut Files::default(), false);
    assert_eq!(
        portable(&shown, &dir),
        r#"error: invalid nano manifest of package `app`
 --> [DIR]/Cargo.toml:8:17
  |
8 | dirs = { data = "rw" }
  |                 ^^^^ invalid access `rw` (expected `read-only` or `read-write`)
  |
  = help: `rw` is the tables' short form: write `"read-write"`

error: invalid nano manifest of package `app`
 --> [DIR]/Cargo.toml:9:16
  |
9 | env = ["HOME", "LANG=C"]
  |                ^^^^^^^^ invalid environment variable name `LANG=C`: names cannot contain `=`
  |
  = help: list the variable by name only, e.g. `LANG`; its value comes from the environment

"#
    );
}

#[test]
fn a_missing_key_and_a_changed_file() {
    let text = "[package]\nname = \"app\"\n\n[package.metadata.nano]\n";
    let (dir, path) = file("Cargo.toml", text);
    let errors = parse_cargo_toml(text, "app", &path).expect_err("invalid");
    let mut gone = errors.clone();
    gone.manifest_path = dir.path().join("gone/Cargo.toml");
    let shown = manifest_errors(&[errors, gone], &mut Files::default(), false);
    assert_eq!(
        portable(&shown, &dir),
        "error: invalid nano manifest of package `app`
 --> [DIR]/Cargo.toml:4:1
  |
4 | [package.metadata.nano]
  | ^^^^^^^^^^^^^^^^^^^^^^^ missing required key `format`
  |
  = help: add `format = 1`

error: invalid nano manifest of package `app`
--> [DIR]/gone/Cargo.toml
 = note: `package.metadata.nano.format`: missing required key `format`
 = help: add `format = 1`

"
    );
}

fn place(key: &str, item: Option<&str>) -> Place {
    Place {
        key: format!("package.metadata.nano.{key}"),
        item: item.map(str::to_owned),
    }
}

fn violation(subject: Subject, manifest_path: PathBuf, place: Place) -> Violation {
    Violation {
        package: "app".into(),
        manifest_path,
        message: "the message".into(),
        notes: vec!["a note".into()],
        help: "the help".into(),
        subject,
        place,
        requested: None,
    }
}

#[test]
fn grant_errors_at_the_grant() {
    let (dir, path) = file("Cargo.toml", APP);
    let child = dir.path().join("child.toml");
    let child_text =
        "[package.metadata.nano]\nformat = 1\nrequests.network = [\"example.com:443\"]\n";
    std::fs::write(&child, child_text).expect("write");
    let mut files = Files::default();
    let wider = violation(
        Subject::BeyondHoldings {
            key: "notifier".into(),
            capability: "env".into(),
            value: Some("PATH".into()),
        },
        path.clone(),
        place("grants.notifier.env", Some("PATH")),
    );
    let ungranted = |key: &str| {
        let subject = Subject::Ungranted {
            parent: "app".into(),
            key: key.into(),
            capability: "network".into(),
            value: Some("example.com:443".into()),
        };
        let at = place(&format!("grants.{key}.network"), Some("example.com:443"));
        Violation {
            requested: Some((
                child.clone(),
                place("requests.network", Some("example.com:443")),
            )),
            ..violation(subject, path.clone(), at)
        }
    };
    let shown = [
        super::violation(&wider, &mut files, false),
        super::violation(&ungranted("notifier"), &mut files, false),
        super::violation(&ungranted("fetcher"), &mut files, false),
        unknown_grant(
            "app",
            "notifier",
            &path,
            "did you mean `notify`?",
            &mut files,
            false,
        ),
    ];
    assert_eq!(
        portable(&shown.join("\n\n"), &dir),
        r#"error: the message
  --> [DIR]/Cargo.toml:12:16
   |
12 | env = ["HOME", "PATH"]
   |                ^^^^^^ granted here, but `app` does not hold it
   |
   = note: a note
   = help: the help

error: the message
  --> [DIR]/Cargo.toml:11:1
   |
11 | [package.metadata.nano.grants.notifier]
   | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ the grant to `notifier` does not include it
   |
  ::: [DIR]/child.toml:3:21
   |
 3 | requests.network = ["example.com:443"]
   |                     ----------------- requested here
   |
   = note: a note
   = help: the help

error: the message
  --> [DIR]/Cargo.toml:11:24
   |
11 | [package.metadata.nano.grants.notifier]
   |                        ^^^^^^ no grant to `fetcher` here
   |
  ::: [DIR]/child.toml:3:21
   |
 3 | requests.network = ["example.com:443"]
   |                     ----------------- requested here
   |
   = note: a note
   = help: the help

error: package `app` grants capabilities to `notifier`, which is not one of its nano dependencies
  --> [DIR]/Cargo.toml:11:31
   |
11 | [package.metadata.nano.grants.notifier]
   |                               ^^^^^^^^ not a nano dependency of `app`
   |
   = help: did you mean `notify`?"#
    );
}

#[test]
fn lock_errors_at_their_line() {
    let text = "version = 2\n\n[[package]]\nname = \"app\nversion = \"1.0.0\"\n";
    let (dir, path) = file("Nano.lock", text);
    let origin = path.display().to_string();
    let corrupt = LockError::Corrupt {
        origin: origin.clone(),
        detail: "invalid TOML at line 4".into(),
    };
    let shown = lock_error(&corrupt, &mut Files::default(), false).expect("shown");
    assert_eq!(
        portable(&shown, &dir),
        r#"error: invalid lock file `Nano.lock`
 --> [DIR]/Nano.lock:4:12
  |
4 | name = "app
  |            ^ invalid basic string, expected `"`
  |
  = help: regenerate it with `cargo nano lock --update` and review the result with `git diff`"#
    );
    let conflict = LockError::Conflict { origin, line: 3 };
    let shown = lock_error(&conflict, &mut Files::default(), false).expect("shown");
    assert!(
        shown.contains("3 | [[package]]\n  | ^^^^^^^^^^^ conflict marker"),
        "{shown}"
    );
    let (newer_dir, newer) = file("Nano.lock", "# Nano.lock\nversion = 99\n");
    let too_new = LockError::TooNew {
        origin: newer.display().to_string(),
        found: 99,
    };
    let shown = lock_error(&too_new, &mut Files::default(), false).expect("shown");
    assert!(
        portable(&shown, &newer_dir).starts_with(
            "error: lock file `Nano.lock` is from a newer cargo-nano\n --> [DIR]/Nano.lock:2:11\n"
        ) && shown.contains("^^ format version 99; this cargo-nano reads up to"),
        "{shown}"
    );
    // From git: no file to show.
    let from_git = LockError::Corrupt {
        origin: "HEAD:Nano.lock".into(),
        detail: "x".into(),
    };
    assert_eq!(lock_error(&from_git, &mut Files::default(), false), None);
}

#[test]
fn the_error_example_of_the_manifest_docs_is_the_output() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/manifest.md"))
        .expect("docs/manifest.md");
    let start = doc
        .find("```text\nerror: invalid nano manifest")
        .expect("an error example")
        + "```text\n".len();
    let end = start + doc[start..].find("```").expect("the end of the example");
    let text = r#"[package]
name = "app"
version = "0.1.0"
edition = "2024"

[package.metadata.nano]
format = 1

[package.metadata.nano.requests]
dris = { data = "read-write" }
dirs = { data = "rw" }
env = ["HOME", "LANG=C"]
"#;
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("app")).expect("mkdir");
    let path = dir.path().join("app/Cargo.toml");
    std::fs::write(&path, text).expect("write");
    let errors = parse_cargo_toml(text, "app", &path).expect_err("invalid");
    let shown = manifest_errors(&[errors], &mut Files::default(), false);
    let shown = shown.replace(&format!("{}/", dir.path().display()), "");
    assert_eq!(format!("{}\n", shown.trim_end()), doc[start..end]);
}

#[test]
fn build_permissions_at_their_key_or_value() {
    let text = "[workspace]\n\n[workspace.metadata.nano.build.cc]\nnetwork = \"yes\"\nreed = []\n";
    let (dir, path) = file("Cargo.toml", text);
    let shown = "invalid build permission …\n  = help: each crate's table takes `network = true`";
    let mut files = Files::default();
    let value = build_permission(
        &path,
        "cc.network",
        "expected `true` or `false`",
        shown,
        &mut files,
        false,
    );
    assert_eq!(
        portable(&value, &dir),
        r#"error: invalid build permission `workspace.metadata.nano.build.cc.network`
 --> [DIR]/Cargo.toml:4:11
  |
4 | network = "yes"
  |           ^^^^^ expected `true` or `false`
  |
  = help: each crate's table takes `network = true`"#
    );
    let key = build_permission(
        &path,
        "cc.reed",
        "unknown key `reed`",
        shown,
        &mut files,
        false,
    );
    assert!(
        key.contains("5 | reed = []\n  | ^^^^ unknown key `reed`"),
        "{key}"
    );
}

#[test]
fn colours_only_when_asked() {
    let (_dir, path) = file("Cargo.toml", APP);
    let errors = parse_cargo_toml(APP, "app", &path).expect_err("invalid");
    let list = [errors];
    let plain = manifest_errors(&list, &mut Files::default(), false);
    let styled = manifest_errors(&list, &mut Files::default(), true);
    assert!(!plain.contains('\u{1b}'), "{plain}");
    assert!(styled.contains("\u{1b}["), "{styled}");
}
