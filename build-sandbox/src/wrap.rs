//! Replacing compiled build scripts with a script that runs them confined.
//!
//! Cargo runs a build script by executing the binary it compiled (`build-script-build`, a hard
//! link of `build_script_build-HASH`). The binary is renamed to `NAME.nano-orig` and `NAME`
//! becomes a shell script: under `cargo nano` (which sets [`crate::ENV_EXE`]) it runs the
//! original through `cargo-nano __nano-build-script ORIG`, which confines it; under a plain
//! `cargo build` sharing the target directory it runs the original unchanged, as before.

use std::io::Read;
use std::path::{Path, PathBuf};

/// The suffix of the original binary.
pub const ORIG_SUFFIX: &str = ".nano-orig";

/// Whether `path` is a compiled program (ELF) rather than an already written wrapper.
fn is_binary(path: &Path) -> bool {
    let mut magic = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok_and(|()| magic == *b"\x7fELF")
}

/// Quotes `s` for `sh` (single quotes; a `'` inside is closed, escaped and reopened).
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The wrapper script for the original binary `orig`.
fn script(orig: &Path) -> String {
    let orig = sh_quote(&orig.display().to_string());
    format!(
        "#!/bin/sh\n\
         # Written by cargo-nano: under `cargo nano` this build script runs confined\n\
         # (docs/design.md, \"Build-time confinement\"); otherwise it runs as compiled.\n\
         if [ -n \"${exe}\" ]; then\n  exec \"${exe}\" {arg} {orig} \"$@\"\nfi\nexec {orig} \"$@\"\n",
        exe = crate::ENV_EXE,
        arg = crate::BUILD_SCRIPT_ARG,
    )
}

/// Replaces the compiled build script `path` with the wrapper; nothing when it is one already.
pub fn wrap(path: &Path) -> std::io::Result<()> {
    if !is_binary(path) {
        return Ok(());
    }
    let mut orig = path.as_os_str().to_owned();
    orig.push(ORIG_SUFFIX);
    let orig = PathBuf::from(orig);
    std::fs::rename(path, &orig)?;
    let tmp = path.with_extension("nano-tmp");
    std::fs::write(&tmp, script(&orig))?;
    set_executable(&tmp)?;
    std::fs::rename(&tmp, path)
}

#[cfg(unix)]
fn set_executable(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
}

#[cfg(not(unix))]
fn set_executable(_: &Path) -> std::io::Result<()> {
    Ok(())
}

/// Wraps every build script compiled earlier in `target_dir` (`<profile>/build/*/build-script-*`
/// and `build_script_*`), which Cargo may run again without compiling it, and so without the
/// rustc wrapper seeing it. Returns the first failure with its path.
pub fn wrap_existing(target_dir: &Path) -> Result<(), (PathBuf, std::io::Error)> {
    // Every profile's host build scripts: `release`, `debug`, `nano-release`, custom ones.
    let profiles = std::fs::read_dir(target_dir)
        .into_iter()
        .flatten()
        .flatten();
    for profile in profiles {
        let Ok(units) = std::fs::read_dir(profile.path().join("build")) else {
            continue;
        };
        for unit in units.flatten() {
            let Ok(files) = std::fs::read_dir(unit.path()) else {
                continue;
            };
            for file in files.flatten() {
                let name = file.file_name();
                let name = name.to_string_lossy();
                let candidate = (name.starts_with("build-script-")
                    || name.starts_with("build_script_"))
                    && !name.contains('.');
                if candidate {
                    let path = file.path();
                    wrap(&path).map_err(|e| (path, e))?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_binary_is_wrapped_once_and_its_original_kept() {
        let dir = tempfile::tempdir().unwrap();
        let unit = dir.path().join("release/build/x-1");
        std::fs::create_dir_all(&unit).unwrap();
        let bin = unit.join("build-script-build");
        std::fs::write(&bin, b"\x7fELF rest").unwrap();
        std::fs::write(unit.join("build_script_build-1.d"), "deps").unwrap();
        wrap_existing(dir.path()).unwrap();
        let text = std::fs::read_to_string(&bin).unwrap();
        assert!(text.starts_with("#!/bin/sh\n"), "{text}");
        assert!(text.contains("build-script-build.nano-orig'"), "{text}");
        assert_eq!(
            std::fs::read(unit.join("build-script-build.nano-orig")).unwrap(),
            b"\x7fELF rest"
        );
        wrap_existing(dir.path()).unwrap();
        assert_eq!(std::fs::read_to_string(&bin).unwrap(), text);
        assert_eq!(sh_quote("a'b"), r"'a'\''b'");
    }
}
