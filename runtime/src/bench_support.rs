//! Lower-level entry points for the benchmark suite (`bench/`): the same checks, linker and
//! per-package contexts as [`crate::App`], but with a wasmtime [`Engine`] the caller configures
//! (pooling allocator, inlining, stack sizes) and direct access to the instance, so a benchmark
//! can instantiate many times and call exports other than `wasi:cli/run`.

use std::path::Path;

use manifest_schema::plan::Plan;
use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::{Component, Linker, ResourceTable};

use crate::context::{RunOptions, build_contexts};
pub use crate::state::NanoState;
use crate::{RunError, announce};

/// A linked application's plan and composed component, read and checked against each other.
pub struct AppFiles {
    /// The plan.
    pub plan: Plan,
    /// The composed component's bytes.
    pub wasm: Vec<u8>,
}

/// Reads the plan at `plan_path` and the component it names; refuses a stale component.
pub fn read_app(plan_path: &Path) -> Result<AppFiles, RunError> {
    let read = |path: &Path| {
        std::fs::read(path).map_err(|source| RunError::Read {
            path: path.to_path_buf(),
            source,
        })
    };
    let plan: Plan = serde_json::from_slice(&read(plan_path)?)
        .map_err(|e| RunError::Plan(format!("`{}`: {e}", plan_path.display())))?;
    let wasm_path = plan_path.with_file_name(&plan.component);
    let wasm = read(&wasm_path)?;
    if hex::encode(Sha256::digest(&wasm)) != plan.component_sha256 {
        return Err(RunError::Stale(wasm_path));
    }
    Ok(AppFiles { plan, wasm })
}

/// The linker [`crate::App::load`] uses: shared interfaces, and every scoped import bound to the
/// context of the instance that announced it.
pub fn linker(
    engine: &Engine,
    component: &Component,
    plan: &Plan,
) -> Result<Linker<NanoState>, RunError> {
    announce::linker_for(engine, component, plan)
}

/// The store data [`crate::App::run`] starts with: one WASI context per instance of `plan`.
pub fn state(plan: &Plan, options: &RunOptions) -> Result<NanoState, RunError> {
    Ok(NanoState {
        table: ResourceTable::new(),
        neutral: crate::state::neutral_ctx(),
        packages: build_contexts(plan, options, &Default::default(), None)?,
        limits: crate::limits::RunLimits::new(plan, options),
        exited: None,
        networks: Default::default(),
        audit: None,
    })
}
