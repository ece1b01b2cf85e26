use std::path::Path;

use super::view;

/// Writes `files` (path, text) under a new directory and returns the view of `src/lib.rs`.
fn view_of(files: &[(&str, &str)]) -> Result<String, String> {
    view_with_children(files, &[])
}

/// [`view_of`] a crate whose nano children are `children`.
fn view_with_children(files: &[(&str, &str)], children: &[&str]) -> Result<String, String> {
    let children: Vec<String> = children.iter().map(|c| c.to_string()).collect();
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    view(&dir.path().join("src/lib.rs"), &children).map_err(|why| {
        let file = why.file.strip_prefix(dir.path()).unwrap_or(Path::new("?"));
        format!("{}:{}: {}", file.display(), why.line, why.reason)
    })
}

const BOUNDARY: &str = r#"
//! Docs.
#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

#[nanoprocess::boundary]
pub mod api {
    use std::collections::HashMap;

    /// A record.
    pub struct Entry { pub name: String }

    /// Decompresses.
    pub fn inflate(data: &[u8]) -> Result<Vec<u8>, String> {
        helper(data)
    }

    fn helper(data: &[u8]) -> Result<Vec<u8>, String> { miniz::go(data) }
    const LIMIT: usize = 3;
}

pub use api::inflate;
pub use self::api::{Entry, inflate as unpack};

fn private() {}
struct Private;
impl std::fmt::Debug for Private {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { crate::private(); Ok(()) }
}

#[nanoprocess::local]
pub fn native_only() {}

#[cfg(test)]
mod tests {
    pub fn anything() {}
}
"#;

#[test]
fn keeps_what_an_import_only_build_compiles() {
    let text = view_of(&[("src/lib.rs", BOUNDARY)]).unwrap();
    for kept in [
        "#[nanoprocess::boundary]",
        "pub struct Entry",
        "pub fn inflate(data: &[u8]) -> Result<Vec<u8>, String>",
        "use std::collections::HashMap;",
        "pub use api::inflate;",
        "pub use self::api::{Entry, inflate as unpack};",
        "#![allow(warnings)]",
    ] {
        assert!(text.contains(kept), "`{kept}` missing from:\n{text}");
    }
    for dropped in [
        "helper",
        "LIMIT",
        "private",
        "Private",
        "native_only",
        "tests",
        "include_str",
        "missing_docs",
    ] {
        assert!(!text.contains(dropped), "`{dropped}` kept in:\n{text}");
    }
}

#[test]
fn an_implementation_change_leaves_the_view_as_it_was() {
    let changed = BOUNDARY.replace("helper(data)", "helper(&data[1..])");
    let changed = changed.replace("fn private() {}", "fn private() { let _ = 1; }");
    assert_eq!(
        view_of(&[("src/lib.rs", BOUNDARY)]),
        view_of(&[("src/lib.rs", &changed)])
    );
    let signature = BOUNDARY.replace("data: &[u8]) -> Result", "data: Vec<u8>) -> Result");
    assert_ne!(
        view_of(&[("src/lib.rs", BOUNDARY)]),
        view_of(&[("src/lib.rs", &signature)])
    );
}

#[test]
fn follows_module_files_to_nested_boundaries() {
    let text = view_of(&[
        (
            "src/lib.rs",
            "mod net;\npub use net::api::get;\nmod util;\n",
        ),
        (
            "src/net/mod.rs",
            "#[nanoprocess::boundary]\npub mod api { pub fn get(url: String) -> u32 { 0 } }\n",
        ),
        ("src/util.rs", "pub fn helper() {}\n"),
    ])
    .unwrap();
    assert!(text.contains("mod net {"), "{text}");
    assert!(text.contains("pub fn get(url: String) -> u32"), "{text}");
    assert!(!text.contains("util"), "{text}");
}

#[test]
fn what_a_parent_could_see_or_link_keeps_the_full_source() {
    let cases = [
        (
            "pub fn helper() {}",
            "src/lib.rs:1: a `pub fn` outside a boundary module",
        ),
        (
            "pub use std::fs;",
            "src/lib.rs:1: a `pub use` of something outside the boundary modules",
        ),
        (
            "#[no_mangle] fn hook() {}",
            "src/lib.rs:1: an item the linker keeps even when unused",
        ),
        (
            "cfg_if::cfg_if! { }",
            "src/lib.rs:1: a macro invocation, which may define items",
        ),
        (
            "impl std::fmt::Display for api::E { }",
            "src/lib.rs:1: an `impl` outside a boundary module",
        ),
        (
            "#[nanoprocess::boundary] pub mod b { use super::x; }",
            "src/lib.rs:1: a boundary module that names items outside it or includes a file",
        ),
        (
            "#[path = \"x.rs\"] mod m;",
            "src/lib.rs:1: a module with a `#[path]` attribute",
        ),
        (
            "mod gone;",
            "src/lib.rs:1: module `gone`, whose file is not found",
        ),
        (
            "pub mod util { pub fn helper() {} }",
            "src/lib.rs:1: a `pub fn` outside a boundary module",
        ),
    ];
    for (source, expected) in cases {
        assert_eq!(
            view_of(&[("src/lib.rs", source)]),
            Err(expected.into()),
            "{source}"
        );
    }
    // Public items of a private module are not visible outside the crate.
    assert!(view_of(&[("src/lib.rs", "mod util { pub fn helper() {} }")]).is_ok());
}

#[test]
fn a_view_that_names_a_nano_child_keeps_the_full_source() {
    let source = "#[nanoprocess::boundary]\npub mod api {\n    use inflate::api::Entry;\n    pub fn get() -> u32 { 0 }\n}\n";
    assert_eq!(
        view_with_children(&[("src/lib.rs", source)], &["inflate"]),
        Err("src/lib.rs:0: its boundary names its nano child `inflate`".into())
    );
    // A function that only shares the child's name does not name the child.
    let same_name = "#[nanoprocess::boundary]\npub mod api { pub fn inflate() -> u32 { 0 } }\n";
    assert!(view_with_children(&[("src/lib.rs", same_name)], &["inflate"]).is_ok());
}
