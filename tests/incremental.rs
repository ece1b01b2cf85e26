//! Incremental builds: each parent is built against its nano children's interface views, so a
//! change behind a boundary rebuilds that package alone, a change to a boundary rebuilds the
//! parents, and a child that cannot have a view is compiled from its full source as before.
//! What was rebuilt is read off the per-package components Cargo rewrote.

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::SystemTime;

use support::{cargo_nano_in, edit, repo};

const TARGET: &str = "incremental";

/// Modification time of each per-package component.
fn components() -> BTreeMap<String, SystemTime> {
    let dir = repo().join("target/fixtures").join(TARGET);
    let dir = dir.join("wasm32-wasip2/nano-release");
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read `{}`: {e}", dir.display()))
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "wasm"))
        .map(|e| {
            let name = e.path().file_stem().unwrap().to_string_lossy().into_owned();
            (name, e.metadata().unwrap().modified().unwrap())
        })
        .collect()
}

/// Builds `ws` and returns the packages whose component was rewritten.
fn build(ws: &Path) -> Vec<String> {
    let before = components_or_empty();
    let out = cargo_nano_in(ws, TARGET, &["build"]);
    assert_eq!(out.status, 0, "{}", out.render());
    let after = components();
    after
        .into_iter()
        .filter(|(name, time)| before.get(name) != Some(time))
        .map(|(name, _)| name)
        .collect()
}

fn components_or_empty() -> BTreeMap<String, SystemTime> {
    let dir = repo().join("target/fixtures").join(TARGET);
    if dir.join("wasm32-wasip2/nano-release").is_dir() {
        components()
    } else {
        BTreeMap::new()
    }
}

fn composed_contains(needle: &str) -> bool {
    let app = repo()
        .join("target/fixtures")
        .join(TARGET)
        .join("nano/app.wasm");
    let bytes = std::fs::read(&app).expect("the composed app");
    bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn a_change_behind_a_boundary_rebuilds_only_its_package() {
    let ws = support::copy_fixture("unzip-app");
    build(ws.path());
    let inflate = ws.path().join("inflate/src/lib.rs");
    let extractor = ws.path().join("extractor/src/lib.rs");

    // The leaf's implementation: the leaf alone, and the composition carries the change.
    edit(&inflate, "invalid DEFLATE data", "corrupt DEFLATE data");
    assert_eq!(build(ws.path()), ["inflate"]);
    assert!(composed_contains("corrupt DEFLATE data"));
    assert!(!composed_contains("invalid DEFLATE data"));

    // The middle package's implementation: the middle package alone.
    edit(&extractor, "not a ZIP archive", "not a ZIP file");
    assert_eq!(build(ws.path()), ["extractor"]);

    // The leaf's boundary (a new function): the leaf and its parent, which imports it.
    edit(
        &inflate,
        "pub mod api {",
        "pub mod api {\n    /// New.\n    pub fn version() -> u32 {\n        1\n    }\n",
    );
    assert_eq!(build(ws.path()), ["extractor", "inflate"]);

    // Something a parent could use outside the boundary: the parent is built from the leaf's
    // full source again, which is what it compiles; the grandparent still links nothing of it.
    edit(
        &inflate,
        "pub use api::inflate;",
        "pub use api::inflate;\npub const LEVEL: u8 = 1;",
    );
    assert_eq!(build(ws.path()), ["extractor", "inflate"]);

    // The app still runs, end to end.
    let data = tempfile::tempdir().unwrap();
    let args = support::unzip_args(data.path());
    let args: Vec<&str> = std::iter::once("run")
        .chain(args.iter().map(String::as_str))
        .collect();
    let out = cargo_nano_in(ws.path(), TARGET, &args);
    assert_eq!(out.status, 0, "{}", out.render());
    assert!(data.path().join("extracted/hello.txt").is_file());
}
