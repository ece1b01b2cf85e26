//! One cargo-nano build at a time per target directory.
//!
//! Two builds sharing a target directory (an editor and a terminal, parallel jobs, a global
//! `CARGO_TARGET_DIR`) would race on what cargo-nano keeps there beside Cargo: a library's
//! component is uplifted under its crate's name only, so another build may replace it between
//! one build's `cargo rustc` and its read of the file; the unit stamps next to the components
//! ([`crate::cargo_build::build_package`]); and `target/nano/`. Cargo's own lock covers one
//! `cargo` invocation; this one covers a whole `cargo nano` build, as Cargo's covers a build.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use crate::pipeline::Event;

/// An error taking the lock.
#[derive(Debug, thiserror::Error)]
#[error("failed to lock `{path}` for this build")]
pub struct TargetLockError {
    /// The lock file.
    pub path: PathBuf,
    /// The cause.
    #[source]
    pub source: std::io::Error,
}

/// The held lock; released when dropped (or when the process ends, however it ends).
#[derive(Debug)]
pub struct TargetLock {
    _file: File,
}

/// Takes `<target_dir>/nano/.build-lock`, telling `progress` when another build holds it and
/// this one waits.
pub fn lock(
    target_dir: &Path,
    progress: &mut dyn FnMut(Event),
) -> Result<TargetLock, TargetLockError> {
    let dir = target_dir.join("nano");
    let path = dir.join(".build-lock");
    let err = |source| TargetLockError {
        path: path.clone(),
        source,
    };
    std::fs::create_dir_all(&dir).map_err(err)?;
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(err)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            progress(Event::Blocked { lock: path.clone() });
            file.lock().map_err(err)?;
        }
        Err(TryLockError::Error(e)) => return Err(err(e)),
    }
    Ok(TargetLock { _file: file })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_build_waits_for_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let mut events = Vec::new();
        let first = lock(dir.path(), &mut |e| events.push(e)).unwrap();
        assert!(events.is_empty());
        let path = dir.path().to_path_buf();
        let second = std::thread::spawn(move || {
            let mut waited = false;
            let _held = lock(&path, &mut |e| waited |= matches!(e, Event::Blocked { .. })).unwrap();
            waited
        });
        std::thread::sleep(std::time::Duration::from_millis(200));
        assert!(!second.is_finished(), "the second build did not wait");
        drop(first);
        assert!(second.join().unwrap(), "the wait was not reported");
    }
}
