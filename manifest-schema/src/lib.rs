//! Types, validation and JSON Schema of cargo-nano permission manifests.
//!
//! A *nano package* is a Cargo package whose `Cargo.toml` has a
//! `[package.metadata.nano]` table. That table says which capabilities the
//! package requests from its parent (`requests`) and which capabilities it
//! passes to each of its own nano children (`grants`). Everything not
//! requested is denied; grants can only narrow what the granter holds.
//!
//! ```
//! use std::path::Path;
//! use manifest_schema::{Access, parse_cargo_toml};
//!
//! let toml = r#"
//!     [package]
//!     name = "app"
//!
//!     [package.metadata.nano]
//!     format = 1
//!
//!     [package.metadata.nano.requests]
//!     dirs = { out = "read-write" }
//!
//!     [package.metadata.nano.grants.extractor]
//!     dirs = { input = "out" }
//! "#;
//! let manifest = parse_cargo_toml(toml, "app", Path::new("app/Cargo.toml"))
//!     .unwrap()
//!     .unwrap();
//! assert_eq!(manifest.requests.dirs["out"], Access::ReadWrite);
//! assert_eq!(manifest.grants["extractor"].dirs["input"].from, "out");
//! ```
//!
//! Validation reports every problem at once, each with its key path and a
//! hint, see [`ManifestErrors`]; [`span`] finds a key path in the text of the
//! file, for a diagnostic to show the line. The user reference of the format is
//! `docs/manifest.md`; its JSON Schema is [`manifest_json_schema`] (committed
//! as `manifest-schema/schema/nano-manifest.schema.json`).
//!
//! The types of `Nano.lock`, the reviewed record of what every nano package
//! requests, receives and reaches, are in [`lockfile`]; its JSON Schema is
//! [`lock_json_schema`] (committed as `manifest-schema/schema/nano-lock.schema.json`).

#![deny(missing_docs)]

pub mod audit;
mod checks;
mod editor_schema;
mod endpoint;
mod error;
pub mod limits;
pub mod lockfile;
mod manifest_repr;
pub mod plan;
pub mod span;
mod toml_input;
mod types;
mod validate;
pub mod wasi;

use std::path::Path;

pub use endpoint::{Endpoint, ParseEndpointError, Transport};
pub use error::{ManifestErrors, Part, Problem};
pub use limits::{HeldLimits, Limits, MemorySize, TimeLimit};
pub use types::{Access, Capabilities, Clock, DirGrant, Grant, NanoManifest, Stream};

/// The only manifest format version this crate reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// Parses and validates `package.metadata.nano` (the value of the `nano` key of
/// a package's metadata, as `cargo metadata` reports it).
///
/// `package` and `manifest_path` only go into the errors. On failure, every
/// problem found is reported, not just the first.
pub fn parse_manifest(
    nano: &serde_json::Value,
    package: &str,
    manifest_path: &Path,
) -> Result<NanoManifest, ManifestErrors> {
    validate::walk(nano).map_err(|problems| ManifestErrors {
        package: package.to_owned(),
        manifest_path: manifest_path.to_owned(),
        problems,
    })
}

/// Same as [`parse_manifest`], from the text of a whole `Cargo.toml`: reads
/// its `package.metadata.nano` table. `Ok(None)` when that table is absent
/// (the package is not a nano package).
pub fn parse_cargo_toml(
    text: &str,
    package: &str,
    manifest_path: &Path,
) -> Result<Option<NanoManifest>, ManifestErrors> {
    let errors = |problems| ManifestErrors {
        package: package.to_owned(),
        manifest_path: manifest_path.to_owned(),
        problems,
    };
    match toml_input::nano_table(text).map_err(|problem| errors(vec![problem]))? {
        None => Ok(None),
        Some(nano) => validate::walk(&nano).map(Some).map_err(errors),
    }
}

/// JSON Schema (draft 2020-12) of the `[package.metadata.nano]` table,
/// generated from [`NanoManifest`] with schemars.
///
/// Tables reject unknown keys (`additionalProperties: false`). The schema
/// checks structure and name patterns; [`parse_manifest`] checks a little
/// more (paths, DNS names, duplicates) and explains each problem.
pub fn manifest_json_schema() -> serde_json::Value {
    schemars::schema_for!(NanoManifest).to_value()
}

/// JSON Schema (draft 2020-12) of a whole `Cargo.toml`, for editors: the nano table at
/// `package.metadata.nano` is [`manifest_json_schema`], the build permissions at
/// `workspace.metadata.nano.build.<crate>` are checked too, and every other key is left to
/// Cargo (committed as `manifest-schema/schema/cargo-toml.schema.json`; docs/manifest.md says
/// how to hook it up with taplo's `#:schema` comment or `.taplo.toml`).
pub fn cargo_toml_json_schema() -> serde_json::Value {
    editor_schema::cargo_toml(manifest_json_schema())
}

/// JSON Schema (draft 2020-12) of `Nano.lock` (read as TOML), generated from
/// [`lockfile::NanoLock`] with schemars.
pub fn lock_json_schema() -> serde_json::Value {
    schemars::schema_for!(lockfile::NanoLock).to_value()
}

#[cfg(test)]
mod tests;
