//! The trees every confined process may read and execute from.

use std::path::{Path, PathBuf};

/// System directories: binaries, libraries, headers, configuration, and the kernel's views of
/// the process (`/proc` is safe to read under Landlock: a confined process cannot read another
/// domain's `/proc/PID/environ` or `mem`, which need ptrace access).
const SYSTEM: &[&str] = &[
    "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt", "/nix",
    "/proc", "/sys", "/dev",
];

/// The read roots of a build: the system directories, the workspace (and the git work tree around
/// it, whose sources path dependencies and `git` may read), the target directory, Cargo's
/// registry, git checkouts, binaries and configuration, rustup's home, and the directories of
/// `PATH` (tools such as `protoc` or `cmake`) except the home directory itself and its parents.
pub fn read_roots(workspace_root: &Path, target_dir: &Path) -> Vec<PathBuf> {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let mut roots: Vec<PathBuf> = SYSTEM.iter().map(PathBuf::from).collect();
    roots.push(workspace_root.to_path_buf());
    if let Some(git) = workspace_root.ancestors().find(|d| d.join(".git").exists()) {
        roots.push(git.to_path_buf());
    }
    roots.push(target_dir.to_path_buf());
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| home.as_ref().map(|h| h.join(".cargo")));
    let rustup_home = std::env::var_os("RUSTUP_HOME")
        .map(PathBuf::from)
        .or_else(|| home.as_ref().map(|h| h.join(".rustup")));
    // Not Cargo's whole home: `credentials.toml` holds registry tokens.
    if let Some(cargo_home) = cargo_home {
        for part in ["registry", "git", "bin", "config.toml", "config"] {
            roots.push(cargo_home.join(part));
        }
    }
    roots.extend(rustup_home);
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let too_wide = dir.is_relative()
                || dir == Path::new("/")
                || home.as_ref().is_some_and(|h| h.starts_with(&dir));
            if !too_wide {
                roots.push(dir);
            }
        }
    }
    roots.sort();
    roots.dedup();
    roots
}

/// Whether `path` lies in one of `roots` (lexically; the rules themselves follow the kernel).
pub fn under(path: &Path, roots: &[PathBuf]) -> bool {
    roots.iter().any(|r| path.starts_with(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workspace_target_and_system_are_readable_but_not_home_itself() {
        let roots = read_roots(Path::new("/ws/project"), Path::new("/ws/project/target"));
        assert!(under(Path::new("/ws/project/src/lib.rs"), &roots));
        assert!(under(Path::new("/usr/include/stdio.h"), &roots));
        assert!(!under(Path::new("/tmp/x"), &roots));
        let cargo_home = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
        if let Some(cargo_home) = cargo_home {
            assert!(!under(&cargo_home.join("credentials.toml"), &roots));
            assert!(under(&cargo_home.join("registry/src/x/lib.rs"), &roots));
        }
        if let Some(home) = std::env::var_os("HOME") {
            assert!(!roots.contains(&PathBuf::from(home)));
        }
    }
}
