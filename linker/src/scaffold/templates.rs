//! The texts of the new package: its `Cargo.toml` and its `src/lib.rs`.

use std::path::Path;

use toml_edit::Value;

use super::paths::relative;

/// The version of `nanoprocess` the new package depends on: this release's (the crates of
/// cargo-nano share one version).
const NANOPROCESS_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The `nanoprocess` dependency line of the package in `dir`: a relative path to the crate in
/// `local` when given, the workspace's when `inherit`, else the registry's.
pub(super) fn nanoprocess_dependency(dir: &Path, local: Option<&Path>, inherit: bool) -> String {
    match local {
        Some(crate_dir) => format!(
            "nanoprocess = {{ version = \"{NANOPROCESS_VERSION}\", path = {} }}",
            toml_string(&relative(dir, crate_dir))
        ),
        None if inherit => "nanoprocess = { workspace = true }".to_string(),
        None => format!("nanoprocess = \"{NANOPROCESS_VERSION}\""),
    }
}

/// `text` as a TOML basic string, quoted and escaped.
fn toml_string(text: &str) -> String {
    Value::from(text).to_string().trim().to_string()
}

/// The new package's `Cargo.toml`; `dependency` is its `nanoprocess = ...` line.
pub(super) fn manifest(name: &str, dependency: &str) -> String {
    format!(
        r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2024"

[dependencies]
{dependency}

[features]
# `cargo nano build` turns these on: `nano-export` when this package is built as its own
# nanoprocess, `nano-import` when its parent calls it across the boundary.
nano-export = ["nanoprocess/bindings"]
nano-import = ["nanoprocess/bindings"]

[package.metadata.nano]
format = 1
# What this package needs from its parent. Absent keys are denied: with none, it can compute
# but reach no file, stream, clock, randomness, environment or network.
[package.metadata.nano.requests]
"#
    )
}

/// The new package's `src/lib.rs`, with `{name}` to replace.
const LIB: &str = r#"//! `{name}`: a nano package. Its boundary is the `api` module: natively these are ordinary
//! functions; under `cargo nano` they run in their own nanoprocess and a parent's calls cross
//! into it with the same Rust signatures.

#[nanoprocess::boundary]
pub mod api {
    /// A greeting.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Greeting {
        /// The text.
        pub text: String,
        /// How many characters the name had.
        pub length: u32,
    }

    /// Greets `name`; an empty name is an error.
    pub fn greet(name: &str) -> Result<Greeting, String> {
        if name.is_empty() {
            return Err("empty name".into());
        }
        Ok(Greeting {
            text: format!("hello, {}", name),
            length: name.chars().count() as u32,
        })
    }
}

pub use api::{Greeting, greet};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greets() {
        let greeting = greet("nano").unwrap();
        assert_eq!(greeting.text, "hello, nano");
        assert_eq!(greeting.length, 4);
        assert!(greet("").is_err());
    }
}
"#;

/// The new package's `src/lib.rs`.
pub(super) fn lib(name: &str) -> String {
    LIB.replace("{name}", name)
}
