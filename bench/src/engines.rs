//! wasmtime engines configured like cargo-nano's `NanoEngine`, plus the variants measured here,
//! and loading a linked application through the compiled-code cache path.

use std::path::Path;
use std::time::Instant;

use runtime::PoolSize;
use runtime::RunOptions;
use runtime::bench_support::{self, NanoState};
use wasmtime::component::{Component, Instance, InstancePre};
use wasmtime::{Config, Engine, Inlining, InstanceAllocationStrategy, ProfilingStrategy};
use wasmtime::{Store, Strategy};

/// An engine variant.
#[derive(Clone, Copy, Debug)]
pub struct Variant {
    /// The pooling instance allocator with this pool (`NanoEngine`'s default, sized from the app's
    /// plan by `PoolSize::for_plan`) instead of mmap per instance.
    pub pool: Option<PoolSize>,
    /// wasmtime's cross-module inliner (`Inlining::InterModule`).
    pub inlining: bool,
    /// Epoch checks compiled in (`Config::epoch_interruption`), as `NanoEngine` does for apps
    /// with a time limit.
    pub epochs: bool,
    /// Write a perf map (`/tmp/perf-PID.map`) naming the compiled functions, for `perf report`
    /// (`--profile`); changes no code.
    pub perf_map: bool,
}

impl Variant {
    /// `NanoEngine`'s compiled code, with the on-demand allocator (the allocator does not change
    /// compiled code; the start benchmark adds `NanoEngine`'s pool sized from each app's plan).
    pub const DEFAULT: Variant = Variant {
        pool: None,
        inlining: false,
        epochs: false,
        perf_map: false,
    };
}

/// An epoch deadline never reached (stores of an engine with epoch checks need one; `App::run`
/// sets the same when no package has a time limit).
pub const NO_DEADLINE: u64 = u64::MAX / 2;

/// A `Config` equal to `NanoEngine::new`'s, changed only as `variant` says.
pub fn engine(variant: Variant) -> Engine {
    let mut config = Config::new();
    config.strategy(Strategy::Cranelift);
    config.wasm_component_model(true);
    config.epoch_interruption(variant.epochs);
    if variant.inlining {
        // Inter-module only: Rust's own code is already inlined by LLVM within a module; what
        // remains is the call through the component boundary (caller → adapter → callee).
        config.compiler_inlining(Inlining::InterModule);
    }
    if variant.perf_map {
        config.profiler(ProfilingStrategy::PerfMap);
    }
    if let Some(pool) = variant.pool {
        // As `NanoEngine` does: the default 4 GiB `memory_reservation` is kept.
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool.config()));
    }
    Engine::new(&config).expect("wasmtime rejected the benchmark configuration")
}

/// A linked application ready to start: its plan and pre-instantiated linker.
pub struct Prepared {
    /// The plan.
    pub plan: manifest_schema::plan::Plan,
    /// The component, checked and pre-instantiated.
    pub pre: InstancePre<NanoState>,
    /// Size of the compiled (`.cwasm`) form.
    pub cwasm_bytes: usize,
    /// Time to compile with Cranelift.
    pub compile_ns: f64,
    /// Time to load the `.cwasm`.
    pub deserialize_ns: f64,
}

/// Compiles the app at `plan_path` for `engine`, serializes it as the cache would, loads it back
/// from those bytes, and pre-instantiates it with cargo-nano's own linker.
pub fn prepare(engine: &Engine, plan_path: &Path) -> Prepared {
    let files = bench_support::read_app(plan_path).expect("cannot read the linked app");
    let t = Instant::now();
    let compiled = Component::new(engine, &files.wasm).expect("Cranelift failed");
    let compile_ns = t.elapsed().as_nanos() as f64;
    let cwasm = compiled.serialize().expect("cannot serialize");
    let t = Instant::now();
    // SAFETY: these bytes were produced by `serialize` on this engine just above.
    let component =
        unsafe { Component::deserialize(engine, &cwasm) }.expect("cannot load the .cwasm");
    let deserialize_ns = t.elapsed().as_nanos() as f64;
    let linker =
        bench_support::linker(engine, &component, &files.plan).expect("cannot link the app");
    let pre = linker
        .instantiate_pre(&component)
        .expect("cannot pre-instantiate");
    Prepared {
        plan: files.plan,
        pre,
        cwasm_bytes: cwasm.len(),
        compile_ns,
        deserialize_ns,
    }
}

impl Prepared {
    /// A new store with one WASI context per package, as `App::run` builds it.
    pub fn store(&self) -> Store<NanoState> {
        let state = bench_support::state(&self.plan, &RunOptions::default())
            .expect("cannot build the WASI contexts");
        let mut store = Store::new(self.pre.engine(), state);
        store.set_epoch_deadline(NO_DEADLINE);
        store
    }

    /// A started instance of the app in `store`.
    pub fn instantiate(&self, store: &mut Store<NanoState>) -> Instance {
        self.pre.instantiate(store).expect("instantiation failed")
    }
}
