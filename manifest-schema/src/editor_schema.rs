//! The editor schema of a whole `Cargo.toml`: the nano tables checked, everything else open.
//!
//! Editors (taplo, "Even Better TOML") take one schema per file, and a `Cargo.toml` holds far
//! more than cargo-nano's tables; so this schema nests the manifest schema at
//! `package.metadata.nano`, describes `workspace.metadata.nano.build.<crate>`, and allows any
//! other key, leaving those to Cargo.

use serde_json::{Map, Value, json};

/// The `Cargo.toml` schema around `manifest`, the schema of the nano table (its `$defs` are
/// moved to the top so its references still resolve).
pub(crate) fn cargo_toml(mut manifest: Value) -> Value {
    let defs = manifest
        .as_object_mut()
        .and_then(|m| {
            m.remove("$schema");
            m.remove("$defs")
        })
        .unwrap_or_else(|| Value::Object(Map::new()));
    let mut defs = match defs {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    defs.insert("NanoManifest".into(), manifest);
    defs.insert("BuildPermissions".into(), build_permissions());
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://example.invalid/cargo-nano/cargo-toml.schema.json",
        "title": "Cargo.toml with cargo-nano tables",
        "description": "A Cargo manifest. cargo-nano checks `package.metadata.nano` (a package's permission manifest, docs/manifest.md) and `workspace.metadata.nano.build` (build permissions, docs/threat-model.md); every other key belongs to Cargo and is not checked here.",
        "type": "object",
        "properties": {
            "package": open_table("metadata", open_table("nano", json!({ "$ref": "#/$defs/NanoManifest" }))),
            "workspace": open_table("metadata", open_table("nano", json!({
                "type": "object",
                "properties": {
                    "build": {
                        "description": "What each crate's build script or proc macro may do beyond the default confinement, by crate name.",
                        "type": "object",
                        "additionalProperties": { "$ref": "#/$defs/BuildPermissions" }
                    }
                },
                "additionalProperties": false
            }))),
        },
        "$defs": Value::Object(defs),
    })
}

/// A table that may hold anything, whose `key` is described by `schema`.
fn open_table(key: &str, schema: Value) -> Value {
    json!({ "type": "object", "properties": { key: schema } })
}

/// `[workspace.metadata.nano.build.<crate>]`, as `build-sandbox`'s configuration reads it.
fn build_permissions() -> Value {
    let paths = |what: &str| {
        json!({
            "description": format!("Trees it may also {what}: absolute, `~/`-relative, or relative to the workspace root."),
            "type": "array",
            "items": { "type": "string", "minLength": 1 }
        })
    };
    json!({
        "description": "What a crate's build script or proc macro may do beyond reading its sources, the registry and the toolchain, and writing its `OUT_DIR`.",
        "type": "object",
        "properties": {
            "network": { "description": "May open sockets.", "type": "boolean" },
            "read": paths("read"),
            "write": paths("write"),
        },
        "additionalProperties": false
    })
}
