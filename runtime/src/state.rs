//! The store's data: one resource table shared by the composition (the component model keeps each
//! instance's handles apart), one WASI context per package instance, and a neutral context for
//! the shared, handle-only interfaces.

use manifest_schema::plan::Holdings;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use crate::limits::RunLimits;

/// One nanoprocess's context.
pub struct PackageCtx {
    /// Package name.
    pub package: String,
    /// What it holds (checked by the scoped bindings before delegating to wasmtime-wasi).
    pub holds: Holdings,
    /// Its WASI context, built from `holds` only.
    pub wasi: WasiCtx,
    /// Where its denied attempts are recorded (for those the shared bindings see).
    pub denied: crate::denials::Denied,
    /// The host names it may look up, and what they resolved to.
    pub names: crate::names::NameGrants,
}

/// The data of the store running a composition.
pub struct NanoState {
    /// Handles of every instance.
    pub table: ResourceTable,
    /// Context of the shared interfaces: it holds nothing (no preopens, no env, no network, no
    /// name lookups), so shared functions can act only on handles a package already has.
    pub neutral: WasiCtx,
    /// One context per instance, in plan order.
    pub packages: Vec<PackageCtx>,
    /// Each instance's memory, table and time limits, and what it used (the store's
    /// `ResourceLimiter`).
    pub limits: RunLimits,
    /// The instance that called `wasi:cli/exit`, and the status it gave.
    pub exited: Option<(usize, i32)>,
    /// Whose each `network` handle is (by resource rep): only a package's own scoped
    /// `instance-network` hands one out, and a name lookup takes it (`crate::names`).
    pub networks: std::collections::HashMap<u32, usize>,
    /// In an audit run, what each instance used.
    pub audit: Option<crate::audit::AuditLog>,
}

/// The context of the shared interfaces. wasmtime-wasi's defaults already hold nothing; the
/// network uses are denied explicitly because `ip-name-lookup` is shared, and a name lookup is a
/// channel out of the process.
pub fn neutral_ctx() -> WasiCtx {
    WasiCtx::builder()
        .allow_ip_name_lookup(false)
        .allow_tcp(false)
        .allow_udp(false)
        .build()
}

impl WasiView for NanoState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.neutral,
            table: &mut self.table,
        }
    }
}
