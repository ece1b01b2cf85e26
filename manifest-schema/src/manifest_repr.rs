//! The serde and JSON Schema form of [`NanoManifest`]: the TOML layout, where the requested
//! limits sit inside `requests` (`requests.limits`) although the typed manifest keeps them beside
//! [`Capabilities`] (which `Nano.lock` embeds, and whose format must not change with limits).

use std::collections::{BTreeMap, BTreeSet};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::limits::Limits;
use crate::types::{ENV_PATTERN, NAME_PATTERN, is_false};
use crate::{Access, Capabilities, Clock, Endpoint, Grant, NanoManifest, Stream};

/// The `[package.metadata.nano]` table, as written.
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(
    title = "cargo-nano manifest (`[package.metadata.nano]`)",
    rename = "NanoManifest",
    description = "The `[package.metadata.nano]` table of a nano package (format version 1).\n\nEverything a nano package does not request is denied. What its parent grants\nit can only narrow what it requests."
)]
pub(crate) struct ManifestRepr {
    /// Version of the manifest format. This cargo-nano supports format `1` only.
    #[schemars(extend("const" = 1))]
    format: u32,
    /// What this package asks its parent for. Everything absent is denied.
    #[serde(default, skip_serializing_if = "Requests::is_empty")]
    requests: Requests,
    /// What this package passes to each of its nano children, keyed by the
    /// child's Cargo dependency name. A child absent here is granted nothing.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(extend("propertyNames" = { "pattern": NAME_PATTERN }))]
    grants: BTreeMap<String, Grant>,
}

// The fields of `Capabilities`, and `limits`.
/// What a nano package asks its parent for: capabilities (everything absent is denied) and
/// resource limits.
#[derive(Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Requests {
    /// Directory slots: slot name -> the access this package needs to it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(extend("propertyNames" = { "pattern": NAME_PATTERN }))]
    dirs: BTreeMap<String, Access>,
    /// Environment variables this package may read, by name.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    #[schemars(inner(pattern(ENV_PATTERN)))]
    env: BTreeSet<String>,
    /// Standard streams this package may use.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    stdio: BTreeSet<Stream>,
    /// Clocks this package may read.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    clocks: BTreeSet<Clock>,
    /// Whether this package may read random numbers.
    #[serde(default, skip_serializing_if = "is_false")]
    random: bool,
    /// Network endpoints (`host:port`) this package may connect to.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    network: BTreeSet<Endpoint>,
    /// Whether this package may read the program arguments.
    #[serde(default, skip_serializing_if = "is_false")]
    args: bool,
    /// The resource limits this package needs; each one absent takes what its parent grants.
    #[serde(default, skip_serializing_if = "Limits::is_empty")]
    limits: Limits,
}

impl Requests {
    fn is_empty(&self) -> bool {
        self.limits.is_empty() && self.capabilities().is_empty()
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            dirs: self.dirs.clone(),
            env: self.env.clone(),
            stdio: self.stdio.clone(),
            clocks: self.clocks.clone(),
            random: self.random,
            network: self.network.clone(),
            args: self.args,
        }
    }
}

impl From<ManifestRepr> for NanoManifest {
    fn from(repr: ManifestRepr) -> Self {
        Self {
            format: repr.format,
            requests: repr.requests.capabilities(),
            limits: repr.requests.limits,
            grants: repr.grants,
        }
    }
}

impl From<NanoManifest> for ManifestRepr {
    fn from(manifest: NanoManifest) -> Self {
        let Capabilities {
            dirs,
            env,
            stdio,
            clocks,
            random,
            network,
            args,
        } = manifest.requests;
        Self {
            format: manifest.format,
            requests: Requests {
                dirs,
                env,
                stdio,
                clocks,
                random,
                network,
                args,
                limits: manifest.limits,
            },
            grants: manifest.grants,
        }
    }
}
