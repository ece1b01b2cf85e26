//! The link plan: what `cargo nano build` hands to the runtime next to the composed component.
//!
//! It lists every instance (nanoprocess) of the composition, the scoped imports it announced, and
//! what it holds — each directory expressed relative to a slot of its parent, so the runtime can
//! only ever open what the parent itself holds.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::{Access, Clock, Endpoint, Stream};

/// The version of the plan format this crate reads and writes.
pub const PLAN_FORMAT: u32 = 1;

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
    /// What the instance holds.
    pub holds: Holdings,
    /// The system interfaces it imports, unscoped (e.g. `wasi:filesystem/preopens@0.2.6`); the
    /// composed component imports each as `<namespace>:<path>`.
    pub imports: Vec<String>,
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
