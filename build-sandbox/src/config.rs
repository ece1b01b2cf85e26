//! Per-crate build permissions: `[workspace.metadata.nano.build.<crate>]` in the workspace's
//! `Cargo.toml`, declared by the consumer (never by the crate itself).
//!
//! ```toml
//! [workspace.metadata.nano.build.openssl-src]
//! network = true                  # may open sockets
//! read = ["~/.config/openssl"]    # may also read these trees
//! write = ["/opt/cache/openssl"]  # may also write these trees
//! ```
//!
//! Paths are absolute, `~/`-relative, or relative to the workspace root. The key is the package
//! name of a crate with a build script, or of a proc-macro crate (`-` and `_` are the same).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// What a crate's build script or proc macro may do beyond the default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CratePermissions {
    /// May open sockets (and connect anywhere).
    pub network: bool,
    /// Trees it may also read (absolute).
    pub read: Vec<PathBuf>,
    /// Trees it may also write (absolute).
    pub write: Vec<PathBuf>,
}

/// The keys of a crate's table.
const KEYS: &str = "`network = true`, `read = [\"PATH\"]`, `write = [\"PATH\"]`";

/// An invalid `[workspace.metadata.nano.build]` table.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The manifest could not be read.
    #[error("failed to read `{path}`")]
    Read {
        /// The manifest.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The manifest is not TOML (Cargo would have said so first).
    #[error("`{path}` is not valid TOML: {message}")]
    Toml {
        /// The manifest.
        path: PathBuf,
        /// What the parser said.
        message: String,
    },
    /// A value has the wrong type or an unknown key.
    #[error(
        "invalid build permission `workspace.metadata.nano.build.{key}` in `{path}`: {problem}\n  = help: each crate's table takes {KEYS}"
    )]
    Invalid {
        /// The manifest.
        path: PathBuf,
        /// The dotted key below `build`.
        key: String,
        /// What is wrong.
        problem: String,
    },
}

/// A crate name as a key: `-` and `_` are the same crate to rustc.
pub fn normalize(name: &str) -> String {
    name.replace('-', "_")
}

/// A crate's build permissions as written in the manifest, paths not resolved: what
/// `Nano.lock` records, which is committed and must not depend on where the workspace or `HOME`
/// is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Declared {
    /// `network = true`.
    pub network: bool,
    /// `read`, as written.
    pub read: Vec<String>,
    /// `write`, as written.
    pub write: Vec<String>,
}

/// Reads the per-crate permissions of the workspace manifest `path`, keyed by [`normalize`]d name.
pub fn read(path: &Path) -> Result<BTreeMap<String, CratePermissions>, ConfigError> {
    let text = read_text(path)?;
    let root = path.parent().unwrap_or(Path::new("."));
    parse(&text, path, root)
}

/// Reads the per-crate permissions of the workspace manifest `path` as written, keyed by
/// [`normalize`]d name.
pub fn read_declared(path: &Path) -> Result<BTreeMap<String, Declared>, ConfigError> {
    parse_declared(&read_text(path)?, path)
}

fn read_text(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// Parses a manifest's text; relative paths are taken from `root`.
pub fn parse(
    text: &str,
    path: &Path,
    root: &Path,
) -> Result<BTreeMap<String, CratePermissions>, ConfigError> {
    let mut out = BTreeMap::new();
    for (krate, declared) in parse_declared(text, path)? {
        let resolved = |list: &[String], key: &str| -> Result<Vec<PathBuf>, ConfigError> {
            list.iter()
                .map(|s| {
                    resolve(s, root).ok_or_else(|| ConfigError::Invalid {
                        path: path.to_path_buf(),
                        key: format!("{krate}.{key}"),
                        problem: "`~/` needs `HOME` to be set".into(),
                    })
                })
                .collect()
        };
        let perms = CratePermissions {
            network: declared.network,
            read: resolved(&declared.read, "read")?,
            write: resolved(&declared.write, "write")?,
        };
        out.insert(krate, perms);
    }
    Ok(out)
}

/// Parses a manifest's text, keeping paths as written.
pub fn parse_declared(text: &str, path: &Path) -> Result<BTreeMap<String, Declared>, ConfigError> {
    let value: toml::Table = toml::from_str(text).map_err(|e| ConfigError::Toml {
        path: path.to_path_buf(),
        message: e.message().to_string(),
    })?;
    let value = toml::Value::Table(value);
    let build = ["workspace", "metadata", "nano", "build"]
        .iter()
        .try_fold(&value, |v, key| v.get(key));
    let mut out = BTreeMap::new();
    let Some(build) = build else {
        return Ok(out);
    };
    let invalid = |key: &str, problem: &str| ConfigError::Invalid {
        path: path.to_path_buf(),
        key: key.to_string(),
        problem: problem.to_string(),
    };
    let table = build
        .as_table()
        .ok_or_else(|| invalid("", "expected a table of crates"))?;
    for (krate, entry) in table {
        let entry = entry
            .as_table()
            .ok_or_else(|| invalid(krate, "expected a table"))?;
        let mut perms = Declared::default();
        for (key, value) in entry {
            let dotted = format!("{krate}.{key}");
            match key.as_str() {
                "network" => {
                    perms.network = value
                        .as_bool()
                        .ok_or_else(|| invalid(&dotted, "expected `true` or `false`"))?;
                }
                "read" | "write" => {
                    let list = value
                        .as_array()
                        .ok_or_else(|| invalid(&dotted, "expected a list of paths"))?;
                    let paths = list
                        .iter()
                        .map(|item| item.as_str().map(str::to_string))
                        .collect::<Option<Vec<String>>>()
                        .ok_or_else(|| invalid(&dotted, "expected a list of paths"))?;
                    if key == "read" {
                        perms.read = paths;
                    } else {
                        perms.write = paths;
                    }
                }
                other => return Err(invalid(&dotted, &format!("unknown key `{other}`"))),
            }
        }
        out.insert(normalize(krate), perms);
    }
    Ok(out)
}

/// An absolute path for `s`: `~/x` under `HOME`, a relative one under `root`.
fn resolve(s: &str, root: &Path) -> Option<PathBuf> {
    if let Some(rest) = s.strip_prefix("~/") {
        return Some(PathBuf::from(std::env::var_os("HOME")?).join(rest));
    }
    Some(root.join(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<BTreeMap<String, CratePermissions>, ConfigError> {
        parse(text, Path::new("/ws/Cargo.toml"), Path::new("/ws"))
    }

    #[test]
    fn permissions_are_read_per_crate_with_paths_made_absolute() {
        let crates = parse_str(
            "[workspace]\n[workspace.metadata.nano.build.openssl-src]\nnetwork = true\n\
             read = [\"/etc/ssl\", \"vendor\"]\nwrite = [\"/tmp/cache\"]\n",
        )
        .unwrap();
        let perms = &crates["openssl_src"];
        assert!(perms.network);
        assert_eq!(perms.read, [PathBuf::from("/etc/ssl"), "/ws/vendor".into()]);
        assert_eq!(perms.write, [PathBuf::from("/tmp/cache")]);
        assert!(parse_str("[workspace]\n").unwrap().is_empty());
    }

    #[test]
    fn declared_permissions_keep_paths_as_written() {
        let text = "[workspace.metadata.nano.build.openssl-src]\nnetwork = true\n\
                    read = [\"~/.config/ssl\", \"vendor\"]\n";
        let crates = parse_declared(text, Path::new("/ws/Cargo.toml")).unwrap();
        let declared = &crates["openssl_src"];
        assert!(declared.network);
        assert_eq!(declared.read, ["~/.config/ssl", "vendor"]);
        assert!(declared.write.is_empty());
    }

    #[test]
    fn unknown_keys_and_wrong_types_are_refused_with_the_key() {
        let e = parse_str("[workspace.metadata.nano.build.cc]\nenv = [\"X\"]\n").unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("`workspace.metadata.nano.build.cc.env`"),
            "{text}"
        );
        assert!(
            text.contains("unknown key `env`") && text.contains("help:"),
            "{text}"
        );
        let e = parse_str("[workspace.metadata.nano.build.cc]\nnetwork = \"yes\"\n").unwrap_err();
        assert!(e.to_string().contains("expected `true` or `false`"), "{e}");
    }
}
