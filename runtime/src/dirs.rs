//! Opening the host directories behind directory slots.
//!
//! The top package's slots are the directories the user names. A child's slot is always a
//! subdirectory of a slot its parent holds, and it is reached through cap-std from the parent's
//! directory, so `..` and symlinks cannot lead outside it. This is the one place cargo-nano uses
//! ambient authority.

use std::path::{Component, Path, PathBuf};

use cap_std::ambient_authority;
use cap_std::fs::Dir;
use manifest_schema::Access;

use crate::RunError;

/// Resolves the user's directory for a top-level slot; a missing read-write directory is created.
pub fn open_root(slot: &str, path: &Path, access: Access) -> Result<PathBuf, RunError> {
    let io = |source| RunError::Dir {
        slot: slot.to_string(),
        path: path.to_path_buf(),
        source,
    };
    if access == Access::ReadWrite && !path.exists() {
        std::fs::create_dir_all(path).map_err(io)?;
    }
    let canonical = path.canonicalize().map_err(io)?;
    open_ambient(&canonical).map_err(io)?;
    Ok(canonical)
}

/// Resolves a child's slot: `sub` (relative, normal components only) inside the parent's
/// directory `parent`, created when the parent may write there.
pub fn open_child(
    slot: &str,
    parent: &Path,
    parent_access: Access,
    sub: Option<&str>,
) -> Result<PathBuf, RunError> {
    let Some(sub) = sub else {
        return Ok(parent.to_path_buf());
    };
    let rel = Path::new(sub);
    let target = parent.join(rel);
    let io = |source| RunError::Dir {
        slot: slot.to_string(),
        path: target.clone(),
        source,
    };
    if !rel.components().all(|c| matches!(c, Component::Normal(_))) {
        return Err(io(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "a granted subdirectory must be a relative path without `..`",
        )));
    }
    let base = open_ambient(parent).map_err(io)?;
    if parent_access == Access::ReadWrite {
        base.create_dir_all(rel).map_err(io)?;
    }
    // cap-std refuses a path that leaves `base`, through `..` or a symlink.
    base.open_dir(rel).map_err(io)?;
    let canonical = target.canonicalize().map_err(io)?;
    if !canonical.starts_with(parent) {
        return Err(io(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            "the granted subdirectory resolves outside its parent's directory",
        )));
    }
    Ok(canonical)
}

/// The only use of ambient authority in cargo-nano: opening a directory the user named, or one
/// already resolved from such a directory.
fn open_ambient(path: &Path) -> std::io::Result<Dir> {
    Dir::open_ambient_dir(path, ambient_authority())
}
