//! What a build keeps in `target/nano/` to skip the work the previous build already did: each
//! package's inspection, keyed by its component's SHA-256 ([`inspection`]), and the inputs of the
//! last composition with the plan it produced ([`link`]).
//!
//! Nothing here is trusted beyond what it is keyed by. An entry that does not parse, was written
//! in another layout ([`FORMAT`]) or by another build of cargo-nano ([`tool`]), or whose
//! checksums do not match what this build computed, is ignored and the work done again; the
//! entry is then rewritten. A failed write is ignored too: the next build recomputes. Grants never
//! come from here: they are resolved from the manifests on every build, and a reused plan must
//! hold exactly what they resolve to.

pub(crate) mod inspection;
pub(crate) mod link;

use std::path::Path;
use std::sync::OnceLock;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Version of the layout of the entries; a change of it makes every entry stale.
const FORMAT: u32 = 1;

/// Which build of cargo-nano this is: its version and the size and modification time of the
/// running executable. An inspector that changed without a new version number (a development
/// build, a patched install) is another executable, so it never trusts its predecessor's
/// entries. `None` when the executable cannot be identified: then no entry is trusted.
fn tool() -> Option<&'static str> {
    static TOOL: OnceLock<Option<String>> = OnceLock::new();
    TOOL.get_or_init(|| {
        let exe = std::env::current_exe().ok()?;
        let meta = std::fs::metadata(&exe).ok()?;
        let modified = meta
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?;
        Some(format!(
            "{} {} {} {}",
            env!("CARGO_PKG_VERSION"),
            exe.display(),
            meta.len(),
            modified.as_nanos()
        ))
    })
    .as_deref()
}

/// Reads the entry at `path` when it parses as `T` and was written in this [`FORMAT`] by this
/// [`tool`]; whether it answers the question asked is the caller's check.
fn read<T: DeserializeOwned>(path: &Path) -> Option<T> {
    #[derive(serde::Deserialize)]
    struct Stamp {
        format: u32,
        tool: String,
    }
    let tool = tool()?;
    let bytes = std::fs::read(path).ok()?;
    // The stamp first: an entry of another layout is not parsed as this one.
    let stamp: Stamp = serde_json::from_slice(&bytes).ok()?;
    if stamp.format != FORMAT || stamp.tool != tool {
        return None;
    }
    serde_json::from_slice(&bytes).ok()
}

/// Writes `entry` (whose `format` and `tool` fields come from [`stamp`]) at `path`; a failure
/// only costs the next build the work again.
fn write<T: Serialize>(path: &Path, entry: &T) {
    let Ok(json) = serde_json::to_vec(entry) else {
        return;
    };
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let _ = crate::pipeline::write_atomic(path, &json);
}

/// The `format` and `tool` of a new entry; `None` when the executable cannot be identified (no
/// entry is written then, none would be trusted).
fn stamp() -> Option<(u32, String)> {
    tool().map(|tool| (FORMAT, tool.to_string()))
}

/// SHA-256 of `bytes`, lowercase hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests;
