//! Component inspection: what a package's compiled component imports and exports, and the
//! *precise* set of WASI functions ("syscalls") its code can actually reach.
//!
//! The component-level import list is not that set: every Rust `wasm32-wasip2` component
//! imports about sixteen `wasi:*` interfaces because std and wasi-libc reference them, whatever
//! the package does. So the main core module (see [`component`] for how it is picked) is
//! parsed, its call graph built, and the imported WASI functions reachable from its exports and
//! start function collected (see [`callgraph`] for the conservative treatment of indirect
//! calls). Each reached function comes with one example call path, for error messages.
//!
//! Imports are recognised as WASI by their core module name: `wasi:<pkg>/<iface>@<version>`
//! (what Rust std and wasi-libc use for WASI 0.2), the same with wit-component's standard
//! `cm32p2|` prefix, and `wasi_snapshot_preview1`/`wasi_unstable` (a main module built for
//! preview 1 and wrapped with the adapter). Other imports (other packages' interfaces, `$root`,
//! resource intrinsics, the helper modules' trampolines) are not syscalls.
//!
//! Limits: only the main module is analysed (a package built by cargo has one), and functions
//! that a host could reach through an exported table are not roots (the component model gives
//! no way to call through a table).

mod callgraph;
mod capability;
mod component;
mod dispatch;
mod env;
mod model;
mod operands;
mod pairs;
mod reach;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

pub use capability::{Capability, capability_of};

/// What [`inspect_component`] found in a component.
///
/// Serialized for the build's cache (`crate::build_cache`), with its maps keyed by structs as
/// lists of pairs (JSON keys are strings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inspection {
    /// Component-level import names, e.g. `wasi:cli/environment@0.2.6`, `nano:inflate/api`.
    pub imports: Vec<String>,
    /// Component-level export names, e.g. `nano:extractor/api`, `wasi:cli/run@0.2.6`.
    pub exports: Vec<String>,
    /// The precise syscall set: the imported WASI functions reachable from the exports.
    #[serde(with = "pairs")]
    pub syscalls: BTreeMap<Syscall, Reach>,
    /// For every syscall that needs a capability, each crate that reaches it, with one example
    /// path each; sorted by crate then syscall. See [`inspect_package`].
    pub crates: Vec<CrateReach>,
    /// The Rust crates with code in the main module (std's and the bindings' excepted), e.g.
    /// `serde_json`.
    pub crate_names: BTreeSet<String>,
    /// The environment variables the code reads, by name where the analysis sees it.
    pub env: EnvReads,
}

impl Inspection {
    /// The capabilities the reachable syscalls need ([`Capability::Unknown`] included).
    pub fn capabilities(&self) -> BTreeSet<Capability> {
        self.syscalls.keys().filter_map(capability_of).collect()
    }
}

/// One imported WASI function.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Syscall {
    /// The interface without version, e.g. `wasi:sockets/tcp-create-socket`, or
    /// `wasi_snapshot_preview1`.
    pub interface: String,
    /// The function, e.g. `create-tcp-socket`, `[method]descriptor.open-at`, `fd_write`.
    pub function: String,
}

impl Syscall {
    /// The syscall a core import `module`/`name` is, if it is a WASI function.
    pub fn from_import(module: &str, name: &str) -> Option<Syscall> {
        let module = module.strip_prefix("cm32p2|").unwrap_or(module);
        let interface = match module {
            "wasi_snapshot_preview1" | "wasi_unstable" => module,
            _ if module.starts_with("wasi:") => {
                module.split_once('@').map_or(module, |(path, _)| path)
            }
            _ => return None,
        };
        Some(Syscall {
            interface: interface.to_owned(),
            function: name.to_owned(),
        })
    }
}

impl fmt::Display for Syscall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.interface, self.function)
    }
}

/// How a syscall is reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reach {
    /// One example call path: the core export (or start function) it starts from, the functions
    /// called on the way (demangled, without hash), and last the syscall itself as
    /// `interface#function`. When a path of direct calls exists, this is a shortest one.
    pub path: Vec<String>,
    /// Only reached through a `call_indirect`/`call_ref`, resolved conservatively: the package
    /// may never make this call in practice.
    pub indirect: bool,
}

/// One crate reaching one syscall: one of its functions calls the syscall through std, the C
/// library and generated bindings only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrateReach {
    /// The Rust crate (`fmtlib`, `serde_json`); `None` for the package's own code reached
    /// from an export through plumbing only (its function was inlined into the export glue).
    pub krate: Option<String>,
    /// The syscall.
    pub syscall: Syscall,
    /// One example path through a function of the crate; `indirect` when every path from a
    /// root through the crate's code to the syscall takes an indirect call.
    pub reach: Reach,
}

/// The environment variables a package's code reads (see `env.rs`): by name when the call
/// passes a constant (`std::env::var("TERM")`), or not (a computed name, `std::env::vars()`).
/// Crates are keyed like [`CrateReach::krate`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvReads {
    /// The names each crate reads.
    #[serde(with = "pairs")]
    pub names: BTreeMap<Option<String>, BTreeSet<String>>,
    /// The crates that read variables whose names the analysis cannot see, with one example
    /// path each (ending with the function that reads, then the syscall).
    #[serde(with = "pairs")]
    pub unnamed: BTreeMap<Option<String>, Vec<String>>,
}

impl EnvReads {
    /// Every name read, by any crate.
    pub fn all_names(&self) -> BTreeSet<&str> {
        self.names.values().flatten().map(String::as_str).collect()
    }

    /// Whether every variable read is read by a name the analysis sees.
    pub fn all_named(&self) -> bool {
        self.unnamed.is_empty()
    }
}

/// Why a component could not be inspected.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    /// The bytes are not a well-formed component.
    #[error("failed to parse component")]
    Parse(#[source] wasmparser::BinaryReaderError),
    /// The bytes end before the component does.
    #[error("component is truncated")]
    Truncated,
    /// The bytes are a core module (or something else), not a component.
    #[error("input is not a component")]
    NotAComponent,
    /// The component defines no core module at its top level.
    #[error("component has no core module")]
    NoCoreModule,
    /// The main core module is not well-formed.
    #[error("failed to parse core module {index} of the component")]
    ParseModule {
        /// Index of the module among the core modules defined at the component's top level.
        index: usize,
        /// What went wrong.
        #[source]
        source: wasmparser::BinaryReaderError,
    },
    /// The main core module parses but is inconsistent (e.g. calls a function that does not
    /// exist).
    #[error("malformed core module {index} of the component: {reason}")]
    MalformedModule {
        /// Index of the module among the core modules defined at the component's top level.
        index: usize,
        /// What is wrong.
        reason: String,
    },
}

/// Inspects a component: its imports, its exports, its precise syscall set and the crates that
/// reach each syscall, as [`inspect_package`] without a package (no export glue is recognised
/// as such).
pub fn inspect_component(bytes: &[u8]) -> Result<Inspection, InspectError> {
    inspect_package(bytes, "")
}

/// Inspects the component of the package `package` (a Cargo package name): its imports, its
/// exports, its precise syscall set, and which crates reach each syscall that needs a capability
/// (see [`crate::attribution`] for what counts as a crate's code).
pub fn inspect_package(bytes: &[u8], package: &str) -> Result<Inspection, InspectError> {
    let info = component::parse(bytes)?;
    let main = component::main_module(&info.modules).ok_or(InspectError::NoCoreModule)?;
    let graph = callgraph::CallGraph::parse(main, info.modules[main].bytes)?;
    let own = crate::attribution::rust_name(package);
    let owner = |frame: &str| crate::attribution::owner(frame, &own).map(str::to_string);
    let analysis = graph.crate_reaches(&owner);
    Ok(Inspection {
        imports: info.imports,
        exports: info.exports,
        syscalls: analysis.syscalls,
        crates: analysis.crates,
        crate_names: analysis.present,
        env: analysis.env,
    })
}
