//! Interface views in the rustc wrapper: a nano child compiled for its parent's import-only
//! build (`nano-import` without `nano-export`) is compiled from its interface view, a file
//! cargo-nano wrote with only what that build compiles, and a native compile that no nano build
//! links from a placeholder (`linker::interface_view` decides both).
//!
//! Why here: rustc's dep-info then names the view instead of the child's sources, so Cargo
//! finds the child's import-only unit fresh while the child's interface is unchanged, and a
//! change to the child's implementation rebuilds the child alone, not every parent up the tree.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// The environment variable carrying [`Views`] as JSON, set by `cargo nano build` for the Cargo
/// commands of a build.
pub const ENV_VIEWS: &str = "CARGO_NANO_INTERFACE_VIEWS";

/// What to compile instead of a crate root (a canonical path), by kind of compile.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct Views {
    /// For a compile with `nano-import` and without `nano-export`: the interface view.
    pub import: BTreeMap<PathBuf, PathBuf>,
    /// For a compile with neither feature: the placeholder.
    pub native: BTreeMap<PathBuf, PathBuf>,
}

const IMPORT: &str = "feature=\"nano-import\"";
const EXPORT: &str = "feature=\"nano-export\"";

/// `args` (rustc's, without the program) with the crate root replaced by its view or
/// placeholder, when [`ENV_VIEWS`] names one for this kind of compile of it; `None` otherwise
/// (compile as asked).
pub fn substitute(args: &[OsString]) -> Option<Vec<OsString>> {
    substitute_with(&std::env::var(ENV_VIEWS).ok()?, args)
}

/// [`substitute`] with the views given as [`ENV_VIEWS`]'s JSON.
fn substitute_with(views: &str, args: &[OsString]) -> Option<Vec<OsString>> {
    let views: Views = serde_json::from_str(views).ok()?;
    // An argument file could hold a cfg: leave such a command alone.
    if args.iter().any(|a| a.to_string_lossy().starts_with('@')) {
        return None;
    }
    let cfgs: Vec<&OsString> = args
        .windows(2)
        .filter(|w| w[0] == "--cfg")
        .map(|w| &w[1])
        .collect();
    let import = cfgs.iter().any(|c| *c == IMPORT);
    let export = cfgs.iter().any(|c| *c == EXPORT);
    let map = match (import, export) {
        (true, false) => &views.import,
        (false, false) => &views.native,
        _ => return None,
    };
    let root = args.iter().position(|a| {
        let a = a.to_string_lossy();
        !a.starts_with('-') && a.ends_with(".rs")
    })?;
    let canonical = std::fs::canonicalize(&args[root]).ok()?;
    let view = map.get(&canonical).filter(|v| v.is_file())?;
    let mut out = args.to_vec();
    out[root] = view.clone().into_os_string();
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn only_an_import_only_compile_of_a_mapped_root_is_substituted() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("lib.rs");
        let view = dir.path().join("view.rs");
        std::fs::write(&root, "").unwrap();
        std::fs::write(&view, "").unwrap();
        let views = Views {
            import: BTreeMap::from([(root.canonicalize().unwrap(), view.clone())]),
            native: BTreeMap::new(),
        };
        let map = serde_json::to_string(&views).unwrap();
        let substitute = |args: &[OsString]| substitute_with(&map, args);
        let root_arg = root.to_str().unwrap();
        let import = args(&["--crate-name", "c", root_arg, "--cfg", IMPORT]);
        let got = substitute(&import).unwrap();
        assert_eq!(got[2], view.as_os_str());
        let both = args(&[
            "--crate-name",
            "c",
            root_arg,
            "--cfg",
            IMPORT,
            "--cfg",
            EXPORT,
        ]);
        assert_eq!(substitute(&both), None);
        // No placeholder is named for its native compile.
        let native = args(&["--crate-name", "c", root_arg]);
        assert_eq!(substitute(&native), None);
        let other = args(&["--crate-name", "c", "other.rs", "--cfg", IMPORT]);
        assert_eq!(substitute(&other), None);
        // A view that is gone (the child lost it) compiles the real source.
        std::fs::remove_file(&view).unwrap();
        assert_eq!(substitute(&import), None);
    }
}
