//! Build-time confinement for `cargo nano build`: build scripts and proc macros run under Landlock
//! (and a small seccomp filter) on Linux.
//!
//! A dependency's `build.rs` and proc macros run natively while Cargo builds, with the user's
//! authority. cargo-nano interposes in two places, both set up by [`cargo_env`] on the Cargo
//! commands it runs:
//!
//! - **rustc.** `RUSTC_WRAPPER` is the `cargo-nano` binary itself ([`wrapper::dispatch`]), which
//!   chains any wrapper the user had (sccache…). A rustc invocation that loads a proc macro
//!   (`--extern` of a host dynamic library) runs confined: it may write only the output
//!   directories Cargo gave it and a temporary directory of its own. The compiled binary of a build
//!   script is replaced by a small shell script that runs the real one through `cargo-nano`
//!   ([`wrap`]), and so are build scripts compiled earlier that Cargo may run again.
//! - **build scripts.** Run that way, a build script may read its package, the workspace, Cargo's
//!   home, the toolchain and system directories, write only its `OUT_DIR` and a temporary
//!   directory of its own, and may not open a socket.
//!
//! What a crate needs beyond that is declared by the consumer in the workspace's `Cargo.toml`
//! under `[workspace.metadata.nano.build.<crate>]` ([`config`]). A denial that makes the build fail
//! is explained by [`report`]: the crate, the operation, and the line that allows it.

#![deny(missing_docs)]

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub mod config;
mod confine;
mod inner;
pub mod interface_view;
mod paths;
mod relay;
mod report;
mod rustc_args;
pub mod wrap;
#[cfg(unix)]
pub mod wrapper;

/// Without Unix processes there is no wrapper mode: builds run unconfined.
#[cfg(not(unix))]
pub mod wrapper {
    /// Never a wrapper mode here.
    pub fn dispatch(_: &[std::ffi::OsString]) -> Option<u8> {
        None
    }

    /// No binary answers wrapper calls here.
    pub fn answers_wrapper_calls() -> bool {
        false
    }
}

pub use config::{ConfigError, CratePermissions};

/// The environment variable carrying the [`Policy`] (JSON) from `cargo nano` to its wrappers.
pub const ENV_POLICY: &str = "CARGO_NANO_BUILD_SANDBOX";
/// The environment variable naming the `cargo-nano` binary, read by the wrapped build scripts.
pub const ENV_EXE: &str = "CARGO_NANO_SANDBOX_EXE";
/// Set to `1` (CI): a build where confinement is unavailable fails, as with
/// `--require-build-sandbox`.
pub const ENV_REQUIRE: &str = "CARGO_NANO_REQUIRE_BUILD_SANDBOX";
/// Set to `1`: confinement is off, as if unavailable (to measure its cost, or as a last resort;
/// `--require-build-sandbox` still fails).
pub const ENV_DISABLE: &str = "CARGO_NANO_NO_BUILD_SANDBOX";
/// The first argument with which a wrapped build script calls `cargo-nano`.
pub const BUILD_SCRIPT_ARG: &str = "__nano-build-script";

/// Everything the wrappers need, decided once by `cargo nano` and passed in [`ENV_POLICY`].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Policy {
    /// The `RUSTC_WRAPPER` the user had, chained behind cargo-nano's.
    pub inner_wrapper: Option<PathBuf>,
    /// The workspace's `Cargo.toml`, named in the fix of a denial.
    pub manifest: PathBuf,
    /// Trees every confined process may read and execute from.
    pub read: Vec<PathBuf>,
    /// Extra permissions per crate, keyed by the crate's name with `-` as `_`.
    pub crates: BTreeMap<String, CratePermissions>,
}

impl Policy {
    /// The permissions of a crate (named as a package or as a crate), or none beyond the default.
    pub fn permissions(&self, name: &str) -> CratePermissions {
        self.crates
            .get(&config::normalize(name))
            .cloned()
            .unwrap_or_default()
    }

    /// The policy `cargo nano` passed, if this process runs under it.
    pub fn from_env() -> Option<Policy> {
        let text = std::env::var(ENV_POLICY).ok()?;
        serde_json::from_str(&text).ok()
    }
}

/// Whether build-time confinement works on this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Availability {
    /// Landlock is enabled; its ABI version.
    Available {
        /// The kernel's Landlock ABI version (4 and later also confine TCP).
        abi: u32,
    },
    /// Confinement is unavailable, and why, as a phrase.
    Unavailable {
        /// Why (`Landlock is not enabled in this kernel`).
        reason: String,
    },
}

/// Probes the kernel for Landlock (unless [`ENV_DISABLE`] turned confinement off).
pub fn availability() -> Availability {
    if std::env::var_os(ENV_DISABLE).is_some_and(|v| v == "1") {
        return Availability::Unavailable {
            reason: format!("`{ENV_DISABLE}=1` turned it off"),
        };
    }
    confine::availability()
}

/// What [`cargo_env`] needs to know about the build.
#[derive(Debug, Clone)]
pub struct Setup<'a> {
    /// The workspace root (its `Cargo.toml` holds the per-crate permissions).
    pub workspace_root: &'a Path,
    /// Cargo's target directory.
    pub target_dir: &'a Path,
    /// Fail instead of building unconfined where confinement is unavailable.
    pub require: bool,
}

/// An error setting up confinement.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// Confinement is unavailable and was required.
    #[error(
        "build scripts and proc macros cannot be confined here: {reason}\n  = help: `--require-build-sandbox` (or `{ENV_REQUIRE}=1`) asks for Landlock (Linux 5.13 or later, enabled with `lsm=landlock`); build without it to run them with your own authority"
    )]
    Unavailable {
        /// Why.
        reason: String,
    },
    /// The per-crate permissions are invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The path of the running binary is unknown.
    #[error("cannot find the path of the running `cargo-nano` binary")]
    CurrentExe(#[source] std::io::Error),
    /// An earlier build script could not be wrapped.
    #[error("failed to wrap the build script `{path}` for confinement")]
    Wrap {
        /// The build script.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// The environment for the Cargo commands of a build: `RUSTC_WRAPPER` and the [`Policy`], or
/// nothing where confinement is unavailable and not required. Also wraps the build scripts
/// already compiled in `target_dir`, which Cargo may run again without compiling them.
///
/// The Cargo commands that build nothing but read the same target directory (`cargo metadata`)
/// take [`metadata_env`], so that Cargo's rustc-info cache stays valid between them.
pub fn cargo_env(setup: &Setup<'_>) -> Result<Vec<(String, OsString)>, SetupError> {
    if let Availability::Unavailable { reason } = availability() {
        return if setup.require {
            Err(SetupError::Unavailable { reason })
        } else {
            Ok(Vec::new())
        };
    }
    let manifest = setup.workspace_root.join("Cargo.toml");
    let crates = config::read(&manifest)?;
    let exe = std::env::current_exe().map_err(SetupError::CurrentExe)?;
    let policy = Policy {
        inner_wrapper: inner::existing_wrapper(setup.workspace_root, &exe),
        manifest,
        read: paths::read_roots(setup.workspace_root, setup.target_dir),
        crates,
    };
    wrap::wrap_existing(setup.target_dir)
        .map_err(|(path, source)| SetupError::Wrap { path, source })?;
    Ok(wrapper_env(exe, &policy))
}

/// The environment for a Cargo command that compiles nothing and runs no build script
/// (`cargo metadata`), where the builds that follow use [`cargo_env`]: the same `RUSTC_WRAPPER`,
/// with a [`Policy`] that grants nothing.
///
/// Why: Cargo caches `rustc -vV` and its target probes in `target/.rustc_info.json` under a key
/// that includes the wrapper's path and mtime. A `cargo metadata` without the wrapper and a
/// `cargo rustc` with it each found the other's key there and threw the cache away, so every
/// no-op build ran rustc seven times (four of them through the wrapper): most of the cost of
/// confinement of a no-op build. With the same wrapper both hit the cache and no rustc runs.
///
/// Empty where confinement is unavailable or off (as [`cargo_env`] is then), and in a binary whose
/// `main` does not answer wrapper calls through [`wrapper::dispatch`] (a test binary using the
/// library), where naming it as rustc's wrapper would break `cargo metadata`. Nothing compiled
/// under this policy could read anything: a proc macro would fail closed.
pub fn metadata_env(manifest_path: &Path) -> Vec<(String, OsString)> {
    if !wrapper::answers_wrapper_calls()
        || !matches!(availability(), Availability::Available { .. })
    {
        return Vec::new();
    }
    let Ok(exe) = std::env::current_exe() else {
        return Vec::new();
    };
    let dir = manifest_path.parent().unwrap_or(Path::new("."));
    let policy = Policy {
        inner_wrapper: inner::existing_wrapper(dir, &exe),
        manifest: manifest_path.to_path_buf(),
        read: Vec::new(),
        crates: BTreeMap::new(),
    };
    wrapper_env(exe, &policy)
}

/// `RUSTC_WRAPPER` (this binary), the policy, and the binary's path for wrapped build scripts.
fn wrapper_env(exe: PathBuf, policy: &Policy) -> Vec<(String, OsString)> {
    // A policy is plain data (paths, names, booleans): it always serializes.
    let json = serde_json::to_string(policy).unwrap_or_default();
    vec![
        ("RUSTC_WRAPPER".into(), exe.clone().into_os_string()),
        (ENV_POLICY.into(), json.into()),
        (ENV_EXE.into(), exe.into_os_string()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_binary_that_answers_no_wrapper_call_is_never_named_as_the_wrapper() {
        // A test binary does not call `wrapper::dispatch`: Cargo running it as rustc would fail.
        assert!(metadata_env(Path::new("/ws/Cargo.toml")).is_empty());
    }
}
