//! Each package's last inspection, in `target/nano/inspect/<package>-<version>.json`, keyed by
//! the SHA-256 of the component it describes: a component Cargo left unchanged (or rebuilt to the
//! same bytes) is not parsed and analysed again.
//!
//! One entry per package and version, replaced when its component changes: the cache does not
//! grow with every edit. Two builds of the same package version with different bytes (another
//! feature set for another top package) take turns in it, each recomputing when the other wrote
//! last.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::inspect::{self, InspectError, Inspection};

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Entry {
    format: u32,
    tool: String,
    /// The package the component was inspected as: attribution names its own code by it.
    package: String,
    /// SHA-256 of the component, lowercase hex.
    component_sha256: String,
    inspection: Inspection,
}

/// Where the entry of the package `name` at `version` lives.
fn path(nano_dir: &Path, name: &str, version: &str) -> PathBuf {
    nano_dir
        .join("inspect")
        .join(format!("{name}-{version}.json"))
}

/// The inspection of the component `bytes` (SHA-256 `sha256`, lowercase hex) of the package
/// `name` at `version`: from the cache when its entry is for these exact bytes, else computed
/// ([`inspect::inspect_package`]) and recorded. The flag says whether it came from the cache.
pub(crate) fn inspect(
    nano_dir: &Path,
    name: &str,
    version: &str,
    bytes: &[u8],
    sha256: &str,
) -> Result<(Inspection, bool), InspectError> {
    let path = path(nano_dir, name, version);
    if let Some(entry) = super::read::<Entry>(&path)
        && entry.package == name
        && entry.component_sha256 == sha256
    {
        return Ok((entry.inspection, true));
    }
    let inspection = inspect::inspect_package(bytes, name)?;
    if let Some((format, tool)) = super::stamp() {
        let entry = Entry {
            format,
            tool,
            package: name.to_string(),
            component_sha256: sha256.to_string(),
            inspection,
        };
        super::write(&path, &entry);
        return Ok((entry.inspection, false));
    }
    Ok((inspection, false))
}
