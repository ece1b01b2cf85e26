//! `cargo nano new --lib NAME`: scaffolds a nano package with a `#[nanoprocess::boundary]`.

use std::path::{Path, PathBuf};

use clap::Args;

/// Create a new nano package: manifest, boundary module and a native test.
#[derive(Args, Debug)]
pub struct NewCommand {
    /// Create a library nano package (the only kind `new` makes).
    #[arg(long, required = true)]
    lib: bool,
    /// The directory to create; its last component is the package name.
    path: PathBuf,
}

impl NewCommand {
    /// Runs the command; returns the exit code.
    pub fn exec(self) -> u8 {
        let _ = self.lib;
        match scaffold(&self.path) {
            Ok(name) => {
                println!("created nano library `{name}` in `{}`", self.path.display());
                0
            }
            Err(message) => {
                eprintln!("error: {message}");
                2
            }
        }
    }
}

fn scaffold(dir: &Path) -> Result<String, String> {
    let name = dir
        .file_name()
        .and_then(|n| n.to_str())
        .filter(|n| {
            n.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                && n.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        })
        .ok_or_else(|| {
            format!(
                "`{}` is not a valid package name: use lowercase letters, digits, `-` and `_`",
                dir.display()
            )
        })?
        .to_string();
    if dir.exists() {
        return Err(format!("`{}` already exists", dir.display()));
    }
    let write = |path: PathBuf, text: String| {
        std::fs::create_dir_all(path.parent().unwrap_or(dir))
            .and_then(|()| std::fs::write(&path, text))
            .map_err(|e| format!("failed to write `{}`: {e}", path.display()))
    };
    write(dir.join("Cargo.toml"), manifest(&name))?;
    write(dir.join("src").join("lib.rs"), LIB.replace("{name}", &name))?;
    Ok(name)
}

/// The `nanoprocess` dependency: this cargo-nano's own copy when it was built from source.
fn nano_dependency() -> String {
    let local = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("nanoprocess");
    match local.canonicalize() {
        Ok(path) => format!(
            "nanoprocess = {{ version = \"{}\", path = {:?} }}",
            env!("CARGO_PKG_VERSION"),
            path.display().to_string()
        ),
        Err(_) => format!("nanoprocess = \"{}\"", env!("CARGO_PKG_VERSION")),
    }
}

fn manifest(name: &str) -> String {
    format!(
        r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2024"

[dependencies]
{nano}

[features]
# `cargo nano build` turns these on: `nano-export` when this package is built as its own
# nanoprocess, `nano-import` when its parent calls it across the boundary.
nano-export = ["nanoprocess/bindings"]
nano-import = ["nanoprocess/bindings"]

[package.metadata.nano]
format = 1
# What this package needs from its parent; absent keys are denied (see docs/manifest.md).
[package.metadata.nano.requests]
"#,
        nano = nano_dependency()
    )
}

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
