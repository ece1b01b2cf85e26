//! A C compiler for `wasm32-wasip2`, when one is installed but not configured.
//!
//! Crates with C code (`zstd-sys`, `ring`, ...) compile it in their build script with the `cc`
//! crate, which for `wasm32-wasip2` runs `clang --target=wasm32-wasip2 -c`. Debian's and Ubuntu's
//! `clang` with their `wasi-libc` package compile that code, but the package puts the C headers
//! in `/usr/include/wasm32-wasi`, which clang searches only for the target `wasm32-wasi`: for
//! `wasm32-wasip2` it falls back to the host's glibc headers and fails
//! (`'bits/libc-header-start.h' file not found`). Adding `--target=wasm32-wasi` (the last
//! `--target` wins) makes it find them.
//!
//! So when `clang` is on `PATH`, those headers are installed and the user has configured neither a
//! C compiler nor C flags for the target, every Cargo command cargo-nano runs gets
//! `CFLAGS_wasm32_wasip2=--target=wasm32-wasi`. Only the headers come from Debian: the objects
//! are archived by the build script and linked by rustc with Rust's own wasi-libc, so no C library
//! is linked twice. Whatever the user sets themselves (`CC_wasm32_wasip2`, `CFLAGS_wasm32_wasip2`,
//! `TARGET_CC`, `TARGET_CFLAGS`, `WASI_SYSROOT`, in `cc`'s spellings) turns this off entirely.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// Where Debian's `wasi-libc` package installs the C headers.
pub const DEBIAN_WASI_HEADERS: &str = "/usr/include/wasm32-wasi";

/// The variable cargo-nano sets, and its value.
pub const CFLAGS_VAR: &str = "CFLAGS_wasm32_wasip2";
/// The flag that makes clang search Debian's WASI headers.
pub const CFLAGS_VALUE: &str = "--target=wasm32-wasi";

/// Variables of the `cc` crate with which the user configures C for `wasm32-wasip2` themselves.
pub const USER_SETTINGS: &[&str] = &[
    "CC_wasm32_wasip2",
    "CC_wasm32-wasip2",
    "TARGET_CC",
    "CFLAGS_wasm32_wasip2",
    "CFLAGS_wasm32-wasip2",
    "TARGET_CFLAGS",
    "WASI_SYSROOT",
];

/// The environment variables to add to the Cargo commands that build nano packages, as found on
/// this machine: empty unless a toolchain is installed and the user configured none.
pub fn env_vars() -> Vec<(String, String)> {
    detect(&|name| std::env::var_os(name), &|path| path.is_file())
}

/// [`env_vars`] with the environment and the file system given: `var` reads a variable,
/// `is_file` says whether a file exists.
pub fn detect(
    var: &dyn Fn(&str) -> Option<OsString>,
    is_file: &dyn Fn(&Path) -> bool,
) -> Vec<(String, String)> {
    if USER_SETTINGS.iter().any(|name| var(name).is_some()) {
        return Vec::new();
    }
    let headers = Path::new(DEBIAN_WASI_HEADERS).join("stdio.h");
    if !is_file(&headers) || find_in_path(var("PATH"), "clang", is_file).is_none() {
        return Vec::new();
    }
    vec![(CFLAGS_VAR.to_string(), CFLAGS_VALUE.to_string())]
}

/// The first `PATH` entry that holds a file `name`.
fn find_in_path(
    path: Option<OsString>,
    name: &str,
    is_file: &dyn Fn(&Path) -> bool,
) -> Option<PathBuf> {
    std::env::split_paths(&path?)
        .map(|dir| dir.join(name))
        .find(|candidate| is_file(candidate))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A machine with the variables `vars` and the files `files`.
    fn on(vars: &[(&str, &str)], files: &[&str]) -> Vec<(String, String)> {
        let var = |name: &str| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| OsString::from(v))
        };
        let is_file = |path: &Path| files.iter().any(|f| Path::new(f) == path);
        detect(&var, &is_file)
    }

    const DEBIAN: &[&str] = &["/usr/bin/clang", "/usr/include/wasm32-wasi/stdio.h"];

    #[test]
    fn debian_clang_and_wasi_libc_get_the_wasi_target_flag() {
        assert_eq!(
            on(&[("PATH", "/usr/local/bin:/usr/bin")], DEBIAN),
            [(
                "CFLAGS_wasm32_wasip2".to_string(),
                "--target=wasm32-wasi".to_string()
            )]
        );
    }

    #[test]
    fn nothing_without_clang_on_path_or_without_the_headers() {
        assert!(on(&[("PATH", "/usr/local/bin:/opt/bin")], DEBIAN).is_empty());
        assert!(on(&[], DEBIAN).is_empty());
        let path = [("PATH", "/usr/bin")];
        assert!(on(&path, &DEBIAN[..1]).is_empty());
        assert!(on(&path, &DEBIAN[1..]).is_empty());
    }

    #[test]
    fn anything_the_user_configured_wins() {
        for name in USER_SETTINGS {
            assert!(
                on(&[("PATH", "/usr/bin"), (name, "x")], DEBIAN).is_empty(),
                "{name}"
            );
        }
    }

    #[test]
    fn the_machine_running_the_tests_is_probed_without_failing() {
        let found = env_vars();
        assert!(found.is_empty() || found[0].0 == CFLAGS_VAR, "{found:?}");
    }
}
