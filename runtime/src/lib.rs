//! The cargo-nano runtime: wasmtime (Cranelift) running a composed application, one store, one
//! WASI context per package instance, each built only from what that instance holds.
//!
//! ```no_run
//! use runtime::{App, NanoEngine, RunOptions};
//!
//! # fn main() -> Result<(), runtime::RunError> {
//! let engine = NanoEngine::new(Some("target/nano/cache".into()))?;
//! let app = App::load(&engine, "target/nano/plan.json".as_ref())?;
//! let mut options = RunOptions::default();
//! options.dir("data", "./out").args(["app".to_string()]);
//! let code = app.run(&options)?;
//! # let _ = code;
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]

use std::path::{Path, PathBuf};

mod announce;
pub mod audit;
mod audit_context;
mod audit_stdio;
pub mod bench_support;
mod context;
mod denials;
mod dirs;
mod engine;
mod exit;
pub mod integrity;
pub mod limits;
mod names;
mod net;
mod pool;
mod run;
mod scoped;
mod shared;
mod state;
mod symlinks;
mod trap;

pub use context::RunOptions;
pub use denials::Denial;
pub use engine::{Allocator, AllocatorStatus, CacheStatus, Loaded, NanoEngine, NanoEngineBuilder};
pub use exit::Exit;
pub use limits::{LimitExceeded, LimitKind};
pub use manifest_schema::audit::InstanceUse;
pub use pool::PoolSize;
pub use run::{App, plan_path};

/// An error loading or running an application.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A file could not be read.
    #[error("failed to read `{path}`")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The plan is unusable.
    #[error("{0}")]
    Plan(String),
    /// The plan has no instances.
    #[error("the plan lists no package")]
    EmptyPlan,
    /// The linked app does not prove itself: its wiring or its holdings are not what the plan and
    /// the manifests say.
    #[error(transparent)]
    Integrity(#[from] integrity::IntegrityError),
    /// The component changed since it was linked.
    #[error("`{0}` does not match the plan it was linked with (help: run `cargo nano build`)")]
    Stale(PathBuf),
    /// An import not announced by its owner.
    #[error("refusing to start: the composed component imports `{import}`, which {} (help: rebuild with `cargo nano build`; if it persists, the component was tampered with)", .package.as_ref().map(|p| format!("package `{p}` did not announce")).unwrap_or_else(|| "no package announced".into()))]
    Unannounced {
        /// The import.
        import: String,
        /// The package whose namespace it carries, if any.
        package: Option<String>,
    },
    /// A function of a root interface cargo-nano does not bind.
    #[error(
        "refusing to start: `{import}` has a function `{function}` that cargo-nano does not support"
    )]
    UnsupportedFunction {
        /// The import.
        import: String,
        /// The function.
        function: String,
    },
    /// Slots the top package requests are not bound: all of them, so one fix covers them.
    #[error(
        "package `{package}` requests directory slot{} {} (help: pass {})",
        if .slots.len() == 1 { "" } else { "s" },
        .slots.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", "),
        .slots.iter().map(|s| format!("`--dir {s}=PATH`")).collect::<Vec<_>>().join(" ")
    )]
    MissingDir {
        /// The package.
        package: String,
        /// The slots, sorted.
        slots: Vec<String>,
    },
    /// An option grants what the top package does not request.
    #[error("the top package `{package}` does not request {what} ({help})")]
    Unrequested {
        /// The package.
        package: String,
        /// What was offered.
        what: String,
        /// What it does request.
        help: String,
    },
    /// A directory could not be opened.
    #[error("failed to open directory `{path}` for slot `{slot}`")]
    Dir {
        /// The slot.
        slot: String,
        /// The directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A granted endpoint could not be resolved.
    #[error("failed to resolve network endpoint `{endpoint}`")]
    Resolve {
        /// The endpoint.
        endpoint: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The compiled-code cache could not be written.
    #[error("failed to write the compilation cache `{path}`")]
    Cache {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// wasmtime could not be configured.
    #[error("failed to set up wasmtime: {0}")]
    Engine(String),
    /// Cranelift failed.
    #[error("failed to compile the composed component: {0}")]
    Compile(String),
    /// Instantiation failed.
    #[error("failed to link the composed component: {0}")]
    Link(String),
    /// A package went over its memory, table or time limit.
    #[error("{0}")]
    Limit(Box<LimitExceeded>),
    /// The program trapped.
    #[error("package `{package}` trapped: {message}{}", trap::details(.panic, .backtrace))]
    Trap {
        /// The package the trap happened in.
        package: String,
        /// Why, as wasmtime says it (e.g. `wasm trap: wasm \`unreachable\` instruction executed`).
        message: String,
        /// What the package wrote to a stderr it does not hold before trapping (a Rust panic's
        /// message), control characters escaped.
        panic: Option<String>,
        /// The innermost frames, demangled, with the package each runs in.
        backtrace: Vec<String>,
        /// wasmtime's whole message and backtrace.
        full: String,
    },
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename, so a
/// reader never sees a partial file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}
