use std::path::{Path, PathBuf};

use toml_edit::DocumentMut;

use super::name::package_name;
use super::parent::add_child;
use super::paths::relative;
use super::workspace::{Membership, add_member, member_matches, membership};
use super::*;

fn glob_match(pattern: &str, path: &str) -> bool {
    member_matches(pattern, path, Path::new("Cargo.toml")).unwrap()
}

#[test]
fn globs_match_like_cargo_members() {
    assert!(glob_match("crates/*", "crates/x"));
    assert!(glob_match("./crates/*/", "crates/x"));
    assert!(!glob_match("crates/*", "crates/x/y"));
    assert!(glob_match("crates/**", "crates/x/y"));
    assert!(glob_match("**/x", "a/b/x"));
    assert!(glob_match("lib-?", "lib-a"));
    assert!(glob_match("lib-[a-c]", "lib-b"));
    assert!(!glob_match("lib-[!a-c]", "lib-b"));
    assert!(!glob_match("app", "x"));
    assert!(glob_match("x", "x"));
    assert!(!glob_match("X", "x"));
}

#[test]
fn a_member_that_is_no_glob_names_the_manifest() {
    let err = member_matches("crates/**x", "crates/x", Path::new("/w/Cargo.toml")).unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("`crates/**x`") && message.contains("/w/Cargo.toml"),
        "{message}"
    );
    assert!(matches!(err, ScaffoldError::MemberPattern { .. }));
}

#[test]
fn relative_paths_use_slashes_and_dot_dot() {
    let p = |s: &str| PathBuf::from(s);
    assert_eq!(relative(&p("/w/app"), &p("/w/x")), "../x");
    assert_eq!(relative(&p("/w"), &p("/w/crates/x")), "crates/x");
    assert_eq!(
        relative(&p("/tmp/a/x"), &p("/src/nanoprocess")),
        "../../../src/nanoprocess"
    );
    assert_eq!(relative(&p("/w"), &p("/w")), ".");
}

fn doc(text: &str) -> DocumentMut {
    text.parse().unwrap()
}

#[test]
fn membership_follows_members_and_exclude() {
    let manifest = Path::new("Cargo.toml");
    let ws = doc("[workspace]\nmembers = [\"crates/*\", \"tools/a\"]\nexclude = [\"fixtures\"]\n");
    assert_eq!(
        membership(&ws, "crates/x", manifest).unwrap(),
        Membership::Covered
    );
    assert_eq!(membership(&ws, "x", manifest).unwrap(), Membership::Add);
    assert_eq!(
        membership(&ws, "fixtures/x", manifest).unwrap(),
        Membership::Excluded("fixtures".to_string())
    );
    let ws = doc("[workspace]\nmembers = [\"fixtures/keep\"]\nexclude = [\"fixtures\"]\n");
    assert_eq!(
        membership(&ws, "fixtures/keep/x", manifest).unwrap(),
        Membership::Add
    );
}

#[test]
fn members_keep_their_layout_and_comments() {
    let mut ws = doc(
        "[workspace]\n# The crates.\nmembers = [\n    \"app\", # the binary\n    \"lib\",\n]\n",
    );
    add_member(&mut ws, "x", Path::new("Cargo.toml")).unwrap();
    assert_eq!(
        ws.to_string(),
        "[workspace]\n# The crates.\nmembers = [\n    \"app\", # the binary\n    \"lib\",\n    \"x\",\n]\n"
    );
    let mut ws = doc("[workspace]\nmembers = [\"app\"]\n");
    add_member(&mut ws, "x", Path::new("Cargo.toml")).unwrap();
    assert_eq!(ws.to_string(), "[workspace]\nmembers = [\"app\", \"x\"]\n");
    let mut ws = doc("[workspace]\nresolver = \"3\"\n");
    add_member(&mut ws, "x", Path::new("Cargo.toml")).unwrap();
    assert_eq!(
        ws.to_string(),
        "[workspace]\nresolver = \"3\"\nmembers = [\"x\"]\n"
    );
    let mut ws = doc("[workspace]\nmembers = \"app\"\n");
    let err = add_member(&mut ws, "x", Path::new("Cargo.toml")).unwrap_err();
    assert!(
        matches!(err, ScaffoldError::MembersNotArray { .. }),
        "{err}"
    );
}

#[test]
fn a_child_gets_a_path_dependency_and_an_empty_grant() {
    let mut app = doc(
        "[package]\nname = \"app\"\n\n[dependencies]\nanyhow = \"1\" # errors\n\n\
         [package.metadata.nano]\nformat = 1\n\n[package.metadata.nano.requests]\nstdio = [\"stdout\"]\n",
    );
    assert_eq!(
        add_child(&mut app, Path::new("app/Cargo.toml"), "x", "../x").unwrap(),
        "app"
    );
    assert_eq!(
        app.to_string(),
        "[package]\nname = \"app\"\n\n[dependencies]\nanyhow = \"1\" # errors\nx = { path = \"../x\" }\n\n\
         [package.metadata.nano]\nformat = 1\n\n[package.metadata.nano.requests]\nstdio = [\"stdout\"]\n\n\
         # What `app` passes to its nano child `x`. Absent keys are denied: `x` gets\n\
         # nothing until a key here grants it, and only from what `app` holds itself.\n\
         [package.metadata.nano.grants.x]\n"
    );
    // Once more: already a dependency.
    let err = add_child(&mut app, Path::new("app/Cargo.toml"), "x", "../x")
        .unwrap_err()
        .to_string();
    assert!(err.contains("already depends on `x`"), "{err}");
    assert!(
        err.contains("app/Cargo.toml") && err.contains("remove"),
        "{err}"
    );
}

#[test]
fn a_new_dependencies_table_follows_the_package_table() {
    let mut app = doc(
        "[package]\nname = \"app\"\n\n[package.metadata.nano]\nformat = 1\n\n\
         [package.metadata.nano.requests]\n",
    );
    add_child(&mut app, Path::new("app/Cargo.toml"), "x", "x").unwrap();
    assert_eq!(
        app.to_string(),
        "[package]\nname = \"app\"\n\n[dependencies]\nx = { path = \"x\" }\n\n\
         [package.metadata.nano]\nformat = 1\n\n[package.metadata.nano.requests]\n\n\
         # What `app` passes to its nano child `x`. Absent keys are denied: `x` gets\n\
         # nothing until a key here grants it, and only from what `app` holds itself.\n\
         [package.metadata.nano.grants.x]\n"
    );
}

#[test]
fn a_parent_must_be_a_nano_package() {
    let mut plain = doc("[package]\nname = \"plain\"\n");
    let err = add_child(&mut plain, Path::new("Cargo.toml"), "x", "x")
        .unwrap_err()
        .to_string();
    assert!(err.contains("not a nano package"), "{err}");
}

#[test]
fn an_existing_grant_or_a_grants_value_is_refused() {
    let nano = "[package]\nname = \"app\"\n\n[package.metadata.nano]\nformat = 1\n";
    let mut app = doc(&format!("{nano}\n[package.metadata.nano.grants.x]\n"));
    let err = add_child(&mut app, Path::new("app/Cargo.toml"), "x", "../x").unwrap_err();
    assert!(matches!(err, ScaffoldError::GrantExists { .. }), "{err}");
    let mut app = doc(&format!("{nano}grants = 1\n"));
    let err = add_child(&mut app, Path::new("app/Cargo.toml"), "x", "../x").unwrap_err();
    assert_eq!(
        err.to_string(),
        "`package.metadata.nano.grants` in `app/Cargo.toml` is not a table; fix it first"
    );
}

#[test]
fn names_are_checked() {
    assert!(package_name(Path::new("a/hello-nano")).is_ok());
    assert!(package_name(Path::new("Hello")).is_err());
    assert!(package_name(Path::new("fn")).is_err());
    assert!(package_name(Path::new("nanoprocess")).is_err());
}

#[test]
fn changes_read_as_one_line_each() {
    let change = Change::Child {
        parent: "app".into(),
        manifest: PathBuf::from("/w/app/Cargo.toml"),
        name: "x".into(),
    };
    assert_eq!(
        change.to_string(),
        "added `x` to the dependencies of `app` in `/w/app/Cargo.toml`, with an empty grant: `x` \
         gets nothing until `[package.metadata.nano.grants.x]` there grants it"
    );
}
