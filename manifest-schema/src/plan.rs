//! The link plan: what `cargo nano build` hands to the runtime next to the composed component.
//!
//! It lists every instance (nanoprocess) of the composition, the scoped imports it announced, and
//! what it holds — each directory expressed relative to a slot of its parent, so the runtime can
//! only ever open what the parent itself holds.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::{Access, Clock, Endpoint, HeldLimits, Stream};

/// The version of the plan format this crate reads and writes. Version 2: instances hold limits,
/// and the composed component carries the instance tags of [`tag`]. Version 3: each instance names
/// the digest of its own copy of its package's component, so the runtime can prove the wiring
/// from the component itself before it runs it.
pub const PLAN_FORMAT: u32 = 3;

/// A linked application, ready to run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Plan {
    /// Always [`PLAN_FORMAT`].
    pub format: u32,
    /// File name of the composed component, beside the plan.
    pub component: String,
    /// SHA-256 of the composed component, hex.
    pub component_sha256: String,
    /// Root interfaces the component imports under their plain name only for their types (no
    /// instance is wired to them, the linker proved it); the runtime binds their functions to traps.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub type_only_imports: Vec<String>,
    /// Instances: the root first; a parent always comes before its children.
    pub instances: Vec<PlanInstance>,
}

/// One nanoprocess.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PlanInstance {
    /// Instance path, e.g. `app/extractor`.
    pub id: String,
    /// Package name.
    pub package: String,
    /// Package version.
    pub version: String,
    /// Namespace of its scoped imports, e.g. `nano-app-extractor`.
    pub namespace: String,
    /// Index of the parent instance.
    pub parent: Option<usize>,
    /// SHA-256 (hex) of the instance's own, tagged copy of its package's component, as the
    /// composed component embeds and instantiates it: how the runtime tells which instantiation
    /// is this instance.
    pub component_sha256: String,
    /// What the instance holds.
    pub holds: Holdings,
    /// The system interfaces it imports, unscoped (e.g. `wasi:filesystem/preopens@0.2.6`); the
    /// composed component imports each as `<namespace>:<path>`.
    pub imports: Vec<String>,
}

/// An instance as the manifests alone define it, without anything built: what a plan read from
/// disk must agree with before it is run (see the runtime's integrity check).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantedInstance {
    /// Instance path, e.g. `app/extractor`.
    pub id: String,
    /// Package name.
    pub package: String,
    /// Namespace of its scoped imports.
    pub namespace: String,
    /// Index of the parent instance.
    pub parent: Option<usize>,
    /// Its requests narrowed by its parent's grant, as the manifests say now.
    pub holds: Holdings,
}

/// What an instance holds: its requests narrowed by its parent's grant.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Holdings {
    /// Directory slots.
    pub dirs: BTreeMap<String, DirBinding>,
    /// Environment variable names.
    pub env: BTreeSet<String>,
    /// Standard streams.
    pub stdio: BTreeSet<Stream>,
    /// Clocks.
    pub clocks: BTreeSet<Clock>,
    /// Random numbers.
    pub random: bool,
    /// Network endpoints it may connect to.
    pub network: BTreeSet<Endpoint>,
    /// Program arguments.
    pub args: bool,
    /// Memory, table and time limits.
    pub limits: HeldLimits,
}

/// Where a directory slot comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DirBinding {
    /// The parent's slot; `None` for the top package, whose slots the user binds (`--dir`).
    pub from: Option<String>,
    /// A relative subdirectory of the parent's slot.
    pub path: Option<String>,
    /// The access the instance gets.
    pub access: Access,
}

/// Which instance a linear memory, a table or a stack frame belongs to, as the linker marks it and
/// the runtime reads it.
///
/// wasmtime's `ResourceLimiter` is told the declared maximum of the memory or table that grows,
/// not whose it is; a backtrace names core modules, which a package names itself. So the linker
/// gives each instance its own copy of its package's component in which every memory and table
/// (definitions and imports) declares a maximum encoding the instance's index in the plan, and
/// every core module is named after the instance's namespace. The maxima sit far above any limit,
/// which the runtime enforces below them.
pub mod tag {
    /// The most instances a plan may have, so that tags stay far above any limit.
    pub const MAX_INSTANCES: usize = 1024;
    /// 64 KiB pages of the largest 32-bit memory (4 GiB).
    const MEMORY_PAGES: u64 = 1 << 16;
    const PAGE_BYTES: u64 = 1 << 16;

    /// The declared maximum, in 64 KiB pages, of every memory of instance `instance`.
    pub fn memory_maximum_pages(instance: usize) -> u64 {
        MEMORY_PAGES - instance as u64
    }

    /// The declared maximum, in elements, of every table of instance `instance`.
    pub fn table_maximum(instance: usize) -> u64 {
        u64::from(u32::MAX) - instance as u64
    }

    /// The instance whose memories declare `maximum_bytes`, if it is a tag of one of `instances`.
    pub fn memory_instance(maximum_bytes: Option<usize>, instances: usize) -> Option<usize> {
        let bytes = u64::try_from(maximum_bytes?).ok()?;
        if !bytes.is_multiple_of(PAGE_BYTES) {
            return None;
        }
        let index = MEMORY_PAGES.checked_sub(bytes / PAGE_BYTES)?;
        usize::try_from(index).ok().filter(|&i| i < instances)
    }

    /// The instance whose tables declare `maximum`, if it is a tag of one of `instances`.
    pub fn table_instance(maximum: Option<usize>, instances: usize) -> Option<usize> {
        let index = u64::from(u32::MAX).checked_sub(u64::try_from(maximum?).ok()?)?;
        usize::try_from(index).ok().filter(|&i| i < instances)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn tags_decode_to_their_instance() {
            for i in [0, 1, 7, MAX_INSTANCES - 1] {
                let bytes = memory_maximum_pages(i) * PAGE_BYTES;
                assert_eq!(
                    memory_instance(Some(bytes as usize), MAX_INSTANCES),
                    Some(i)
                );
                let elements = table_maximum(i) as usize;
                assert_eq!(table_instance(Some(elements), MAX_INSTANCES), Some(i));
            }
            assert_eq!(memory_instance(None, 3), None);
            assert_eq!(memory_instance(Some(16 << 20), 3), None);
            assert_eq!(memory_instance(Some((4 << 30) - 1), 3), None);
            let beyond = memory_maximum_pages(3) * PAGE_BYTES;
            assert_eq!(memory_instance(Some(beyond as usize), 3), None);
            assert_eq!(table_instance(Some(10), 3), None);
            assert_eq!(table_instance(None, 3), None);
        }
    }
}
