//! The `RUSTC_WRAPPER` the user already had (sccache, …), which cargo-nano's wrapper chains.
//!
//! Setting `RUSTC_WRAPPER` in Cargo's environment hides the user's own, whether it came from the
//! environment or from Cargo's configuration (`build.rustc-wrapper`), so it is looked up here as
//! Cargo would and called by the wrapper.

use std::path::{Path, PathBuf};

/// The wrapper Cargo would use without cargo-nano, unless it is `exe` itself.
pub fn existing_wrapper(workspace_root: &Path, exe: &Path) -> Option<PathBuf> {
    let found = from_env("RUSTC_WRAPPER")
        .or_else(|| from_env("CARGO_BUILD_RUSTC_WRAPPER"))
        .or_else(|| from_config(workspace_root))?;
    let found = found?;
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    };
    (!same(&found, exe)).then_some(found)
}

/// `Some(None)` when the variable is set but empty (Cargo's way to turn a wrapper off).
fn from_env(name: &str) -> Option<Option<PathBuf>> {
    let value = std::env::var_os(name)?;
    Some((!value.is_empty()).then(|| PathBuf::from(value)))
}

/// `build.rustc-wrapper` from the configuration files Cargo reads: `.cargo/config.toml` in the
/// workspace and every directory above it, then Cargo's home. A path with a `/` is relative to
/// the directory holding `.cargo/`; a bare name is looked up in `PATH` by Cargo.
fn from_config(workspace_root: &Path) -> Option<Option<PathBuf>> {
    let mut dirs: Vec<PathBuf> = workspace_root.ancestors().map(Path::to_path_buf).collect();
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    for dir in &mut dirs {
        *dir = dir.join(".cargo");
    }
    dirs.extend(home);
    for dir in dirs {
        for name in ["config.toml", "config"] {
            let Ok(text) = std::fs::read_to_string(dir.join(name)) else {
                continue;
            };
            let Ok(table) = toml::from_str::<toml::Table>(&text) else {
                continue;
            };
            let value = table
                .get("build")
                .and_then(|b| b.get("rustc-wrapper"))
                .and_then(|w| w.as_str());
            if let Some(value) = value {
                if value.is_empty() {
                    return Some(None);
                }
                let path = if value.contains('/') {
                    dir.parent().unwrap_or(&dir).join(value)
                } else {
                    PathBuf::from(value)
                };
                return Some(Some(path));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_configuration_names_the_wrapper() {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join("ws/member");
        std::fs::create_dir_all(ws.join(".cargo")).unwrap();
        std::fs::create_dir_all(dir.path().join("ws/.cargo")).unwrap();
        std::fs::write(
            dir.path().join("ws/.cargo/config.toml"),
            "[build]\nrustc-wrapper = \"tools/wrap\"\n",
        )
        .unwrap();
        assert_eq!(
            from_config(&ws),
            Some(Some(dir.path().join("ws/tools/wrap")))
        );
        std::fs::write(
            ws.join(".cargo/config.toml"),
            "[build]\nrustc-wrapper = \"sccache\"\n",
        )
        .unwrap();
        assert_eq!(from_config(&ws), Some(Some(PathBuf::from("sccache"))));
        std::fs::write(
            ws.join(".cargo/config.toml"),
            "[build]\nrustc-wrapper = \"\"\n",
        )
        .unwrap();
        assert_eq!(from_config(&ws), Some(None));
    }
}
