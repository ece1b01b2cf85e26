//! The typed form of a `[package.metadata.nano]` table.
//!
//! These types derive serde and schemars so that the JSON Schema published in
//! `schema/nano-manifest.schema.json` is generated from them. Deserializing them
//! directly with serde only checks the *structure* of the input (and endpoints);
//! use [`crate::parse_manifest`] to check names and paths too and to get every
//! problem reported at once.

use std::collections::{BTreeMap, BTreeSet};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::Endpoint;
use crate::limits::Limits;
use crate::manifest_repr::ManifestRepr;

/// Regular expression (JSON Schema dialect) of slot names and child names.
pub(crate) const NAME_PATTERN: &str = "^[a-z][a-z0-9_-]*$";

/// Regular expression (JSON Schema dialect) of environment variable names.
pub(crate) const ENV_PATTERN: &str = "^[^=\\u0000]+$";

/// The `[package.metadata.nano]` table of a nano package (format version 1).
///
/// Everything a nano package does not request is denied. What its parent grants
/// it can only narrow what it requests.
// Serialized as the TOML table is written: `limits` inside `requests` (see `manifest_repr`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(from = "ManifestRepr", into = "ManifestRepr")]
#[schemars(with = "ManifestRepr")]
pub struct NanoManifest {
    /// Version of the manifest format. This cargo-nano supports format `1` only.
    pub format: u32,
    /// What this package asks its parent for. Everything absent is denied.
    pub requests: Capabilities,
    /// The resource limits this package requests (`limits` in
    /// `[package.metadata.nano.requests]`). Kept apart from [`Capabilities`], which `Nano.lock`
    /// records too, so that the lock format does not change with it.
    pub limits: Limits,
    /// What this package passes to each of its nano children, keyed by the
    /// child's Cargo dependency name. A child absent here is granted nothing.
    pub grants: BTreeMap<String, Grant>,
}

/// The capabilities a nano package requests from its parent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Capabilities {
    /// Directory slots: slot name -> the access this package needs to it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(extend("propertyNames" = { "pattern": NAME_PATTERN }))]
    pub dirs: BTreeMap<String, Access>,
    /// Environment variables this package may read, by name.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    #[schemars(inner(pattern(ENV_PATTERN)))]
    pub env: BTreeSet<String>,
    /// Standard streams this package may use.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub stdio: BTreeSet<Stream>,
    /// Clocks this package may read.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub clocks: BTreeSet<Clock>,
    /// Whether this package may read random numbers.
    #[serde(default, skip_serializing_if = "is_false")]
    pub random: bool,
    /// Network endpoints (`host:port`) this package may connect to.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub network: BTreeSet<Endpoint>,
    /// Whether this package may read the program arguments.
    #[serde(default, skip_serializing_if = "is_false")]
    pub args: bool,
}

impl Capabilities {
    /// Whether nothing at all is requested.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// What a nano package passes to one of its nano children.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Grant {
    /// Directory slots of the child: child slot name -> which of the granter's
    /// slots (or which subdirectory of it) fills it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(extend("propertyNames" = { "pattern": NAME_PATTERN }))]
    pub dirs: BTreeMap<String, DirGrant>,
    /// Environment variables passed to the child, by name.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    #[schemars(inner(pattern(ENV_PATTERN)))]
    pub env: BTreeSet<String>,
    /// Standard streams passed to the child.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub stdio: BTreeSet<Stream>,
    /// Clocks passed to the child.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub clocks: BTreeSet<Clock>,
    /// Whether the child may read random numbers.
    #[serde(default, skip_serializing_if = "is_false")]
    pub random: bool,
    /// Network endpoints (`host:port`) the child may connect to.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub network: BTreeSet<Endpoint>,
    /// Whether the child may read the program arguments.
    #[serde(default, skip_serializing_if = "is_false")]
    pub args: bool,
    /// Resource limits of the child; each one absent gives the default, never more than the
    /// granter holds.
    #[serde(default, skip_serializing_if = "Limits::is_empty")]
    pub limits: Limits,
}

impl Grant {
    /// Whether nothing at all is granted.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// One directory slot granted to a child.
///
/// Written either as a table `{ from = "data", path = "sub", access = "read-only" }`
/// or as the shorthand string `"data"`, which means `{ from = "data" }`.
/// Always serialized as a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", from = "DirGrantRepr")]
pub struct DirGrant {
    /// The granter's own slot the directory comes from.
    pub from: String,
    /// Subdirectory of that slot, relative, `/`-separated, made of plain names
    /// only. `None` shares the slot itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The access given to the child. `None` gives whatever the granter holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<Access>,
}

impl DirGrant {
    /// The shorthand form: the granter's slot `from` itself, with the granter's access.
    pub fn slot(from: impl Into<String>) -> Self {
        Self {
            from: from.into(),
            path: None,
            access: None,
        }
    }
}

/// The two ways a [`DirGrant`] may be written.
#[derive(Deserialize, JsonSchema)]
#[serde(untagged)]
#[schemars(rename = "DirGrant")]
enum DirGrantRepr {
    /// Shorthand: the name of the granter's slot to share as is.
    #[schemars(extend("pattern" = NAME_PATTERN))]
    Slot(String),
    /// Full form: a table.
    Table(DirGrantTable),
}

/// A directory grant written as a table.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(inline)]
struct DirGrantTable {
    /// The granter's own slot the directory comes from.
    #[schemars(pattern(NAME_PATTERN))]
    from: String,
    /// Subdirectory of that slot: relative, `/`-separated, plain names only
    /// (no `.`, `..`, empty components or `\`). Absent shares the slot itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String", length(min = 1))]
    path: Option<String>,
    /// The access given to the child. Absent gives whatever the granter holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Access")]
    access: Option<Access>,
}

impl From<DirGrantRepr> for DirGrant {
    fn from(repr: DirGrantRepr) -> Self {
        match repr {
            DirGrantRepr::Slot(from) => Self::slot(from),
            DirGrantRepr::Table(DirGrantTable { from, path, access }) => {
                Self { from, path, access }
            }
        }
    }
}

/// Access to a directory. `ReadOnly < ReadWrite`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Access {
    /// `"read-only"`: list and read.
    ReadOnly,
    /// `"read-write"`: list, read, create, write and delete.
    ReadWrite,
}

/// A standard stream.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Stream {
    /// `"stdin"`: standard input.
    Stdin,
    /// `"stdout"`: standard output.
    Stdout,
    /// `"stderr"`: standard error.
    Stderr,
}

/// A clock.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Clock {
    /// `"wall"`: the wall clock (date and time of day).
    Wall,
    /// `"monotonic"`: the monotonic clock (elapsed time).
    Monotonic,
}

/// `as_str` and `Display` giving the kebab-case name used in manifests.
macro_rules! keyword_names {
    ($ty:ident { $($variant:ident => $name:literal),* $(,)? }) => {
        impl $ty {
            /// The name used in manifests, e.g. `"read-only"`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)*
                }
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

keyword_names!(Access { ReadOnly => "read-only", ReadWrite => "read-write" });
keyword_names!(Stream { Stdin => "stdin", Stdout => "stdout", Stderr => "stderr" });
keyword_names!(Clock { Wall => "wall", Monotonic => "monotonic" });

/// Serde helper: skip `false` booleans when serializing.
pub(crate) fn is_false(value: &bool) -> bool {
    !*value
}
