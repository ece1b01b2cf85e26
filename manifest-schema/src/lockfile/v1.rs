//! The types of `Nano.lock` format version 1, which recorded each package's syscall set with one
//! example path per syscall, attributed to one crate. cargo-nano reads such a lock and converts
//! it to the current format (`nano-linker`'s `lock` module); it never writes one.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::LockedHoldings;
use crate::Capabilities;

/// A whole version-1 `Nano.lock`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct NanoLock {
    /// `1`.
    pub version: u32,
    /// The nano packages.
    #[serde(default, rename = "package")]
    pub packages: Vec<LockedPackage>,
}

/// One nano package of a version-1 lock.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LockedPackage {
    /// The package name.
    pub name: String,
    /// The package version.
    pub version: String,
    /// Where it comes from.
    #[serde(default)]
    pub source: Option<String>,
    /// SHA-256 of its component.
    pub checksum: String,
    /// What its manifest requests.
    #[serde(default)]
    pub requests: Capabilities,
    /// What each of its nanoprocesses received, by instance path.
    #[serde(default)]
    pub received: BTreeMap<String, LockedHoldings>,
    /// Its syscall set.
    #[serde(default, rename = "syscall")]
    pub syscalls: Vec<LockedSyscall>,
}

/// One WASI function a package's code can reach.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LockedSyscall {
    /// The function as `interface#function`.
    pub name: String,
    /// The capability it needs; absent for functions that act only on handles, and `exit`.
    #[serde(default)]
    pub capability: Option<String>,
    /// The crate named on the example path: the last crate before std, the C library and
    /// generated bindings.
    #[serde(rename = "crate")]
    pub krate: String,
    /// One example call path.
    pub path: Vec<String>,
    /// Reached only through indirect calls.
    #[serde(default)]
    pub indirect: bool,
}
