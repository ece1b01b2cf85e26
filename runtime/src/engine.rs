//! The wasmtime engine (Cranelift) and the cache of compiled components.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use manifest_schema::plan::Plan;
use sha2::{Digest, Sha256};
use wasmtime::component::Component;
use wasmtime::{Config, Engine, InstanceAllocationStrategy, Strategy};

use crate::RunError;
use crate::pool::PoolSize;

/// How a component was obtained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheStatus {
    /// Loaded from the cache: no compilation.
    Hit,
    /// Compiled and stored (no entry yet, or caching disabled).
    Compiled,
    /// The cache entry was unusable and was replaced; the reason says why.
    Replaced(String),
}

/// Which instance allocator runs an application.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Allocator {
    /// wasmtime's pooling allocator, sized from each application's plan: slots for its memories,
    /// tables and instances are reserved once and reused by every run, so starting a package costs
    /// about 2 µs instead of about 5 from 10 packages on (docs/performance.md). Where the pool
    /// cannot be used, the on-demand allocator runs the application instead
    /// ([`AllocatorStatus::FellBack`]).
    #[default]
    Pooling,
    /// wasmtime's default: each instance maps its memories and tables when it starts.
    OnDemand,
}

/// Which allocator a loaded application got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllocatorStatus {
    /// The pooling allocator.
    Pooling,
    /// The on-demand allocator, as asked.
    OnDemand,
    /// The pooling allocator was asked for but could not be used (the pool could not be reserved,
    /// or the application does not fit it); the on-demand allocator runs it. The reason, one line.
    FellBack(String),
}

impl AllocatorStatus {
    /// A one-line note for the user when the allocator is not the one asked for.
    pub fn note(&self) -> Option<String> {
        match self {
            AllocatorStatus::FellBack(reason) => Some(format!(
                "the pooling allocator could not be used ({reason}); starting packages with the on-demand allocator"
            )),
            _ => None,
        }
    }
}

/// A compiled application and how it was obtained.
pub struct Loaded {
    /// The compiled component, for the engine of [`Loaded::allocator`].
    pub component: Component,
    /// Whether it came from the cache.
    pub cache: CacheStatus,
    /// The allocator its engine uses.
    pub allocator: AllocatorStatus,
}

/// Configures a [`NanoEngine`].
///
/// Defaults (what [`NanoEngine::new`] uses, apart from its cache directory):
///
/// - no cache directory: every load compiles;
/// - [`Allocator::Pooling`], sized from each application's plan ([`NanoEngine::load_app`]);
/// - Cranelift with wasmtime's default settings, among them the 4 GiB `memory_reservation` (so
///   compiled code elides bounds checks) and no inlining across modules: with it, a child's code
///   inlined into its parent would make traps and time charged to the child be blamed on the
///   parent (docs/design.md, "Inlining");
/// - no epoch checks, except for applications that need them (time limits): see
///   [`NanoEngine::load_for`].
#[derive(Debug, Clone, Default)]
pub struct NanoEngineBuilder {
    cache_dir: Option<PathBuf>,
    allocator: Allocator,
}

impl NanoEngineBuilder {
    /// Caches compiled components in `dir`.
    pub fn cache_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cache_dir = Some(dir.into());
        self
    }

    /// The instance allocator for applications loaded with [`NanoEngine::load_app`].
    pub fn allocator(mut self, allocator: Allocator) -> Self {
        self.allocator = allocator;
        self
    }

    /// The engine.
    pub fn build(self) -> Result<NanoEngine, RunError> {
        Ok(NanoEngine {
            engine: engine(false, None)?,
            timed: OnceLock::new(),
            pooled: Mutex::new(HashMap::new()),
            allocator: self.allocator,
            cache_dir: self.cache_dir,
        })
    }
}

/// A wasmtime engine configured for nanoprocesses, with an on-disk cache of Cranelift output.
///
/// Two configurations: without epoch checks (the default, for runs without a time limit), and
/// with them (`Config::epoch_interruption`: a check at every function entry and loop head, which
/// time limits need and which costs about a third of a boundary call, see docs/performance.md).
/// The second engine is made on first use; each compiled form has its own cache entry. Engines
/// with a pool are made per pool size, on first use ([`NanoEngine::load_app`]); the allocator
/// does not change compiled code, so they share the cache entries of the others.
pub struct NanoEngine {
    engine: Engine,
    timed: OnceLock<Engine>,
    /// Pooling engines by (epoch checks, pool size); the error when one could not be made.
    pooled: Mutex<HashMap<(bool, PoolSize), Result<Engine, String>>>,
    allocator: Allocator,
    cache_dir: Option<PathBuf>,
}

impl NanoEngine {
    /// The default configuration ([`NanoEngineBuilder`]), caching compiled components in
    /// `cache_dir` (`None` disables the cache).
    pub fn new(cache_dir: Option<PathBuf>) -> Result<Self, RunError> {
        let builder = NanoEngine::builder();
        match cache_dir {
            Some(dir) => builder.cache_dir(dir),
            None => builder,
        }
        .build()
    }

    /// A builder; its documentation lists the defaults.
    pub fn builder() -> NanoEngineBuilder {
        NanoEngineBuilder::default()
    }

    /// The wasmtime engine without epoch checks and with the on-demand allocator.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The on-demand engine with epoch checks compiled in (`epochs`) or without.
    fn engine_for(&self, epochs: bool) -> Result<&Engine, RunError> {
        if !epochs {
            return Ok(&self.engine);
        }
        if let Some(timed) = self.timed.get() {
            return Ok(timed);
        }
        let timed = engine(true, None)?;
        Ok(self.timed.get_or_init(|| timed))
    }

    /// The pooling engine for `size`, made on first use; why not, if it cannot be made.
    fn pooled_for(&self, epochs: bool, size: PoolSize) -> Result<Engine, String> {
        let mut pooled = self.pooled.lock().unwrap_or_else(|e| e.into_inner());
        pooled
            .entry((epochs, size))
            .or_insert_with(|| engine(epochs, Some(size)).map_err(|e| e.to_string()))
            .clone()
    }

    /// Compiles the application `wasm` linked with `plan`, or loads its compiled form from the
    /// cache, for an engine with this engine's allocator (a pool sized from `plan`) and with epoch
    /// checks when `epochs`. When the pool cannot be reserved or the application does not fit it,
    /// the on-demand allocator is used and [`Loaded::allocator`] says why.
    pub fn load_app(&self, wasm: &[u8], plan: &Plan, epochs: bool) -> Result<Loaded, RunError> {
        let reason = match self.allocator {
            Allocator::OnDemand => None,
            Allocator::Pooling => match self.pooled_for(epochs, PoolSize::for_plan(plan)) {
                Ok(engine) => match self.load_with(&engine, wasm) {
                    Ok((component, cache)) => {
                        return Ok(Loaded {
                            component,
                            cache,
                            allocator: AllocatorStatus::Pooling,
                        });
                    }
                    // Either the application does not fit the pool or it does not compile at
                    // all: the on-demand engine tells which.
                    Err(e) => Some(e.to_string()),
                },
                Err(reason) => Some(reason),
            },
        };
        let (component, cache) = self.load_for(wasm, epochs)?;
        Ok(Loaded {
            component,
            cache,
            allocator: match reason {
                Some(reason) => AllocatorStatus::FellBack(one_line(&reason)),
                None => AllocatorStatus::OnDemand,
            },
        })
    }

    /// Compiles `wasm` without epoch checks, or loads its compiled form from the cache, for the
    /// on-demand allocator. The cache key is the SHA-256 of the component and of the engine's
    /// compatibility hash, so a changed component, another configuration or a different wasmtime
    /// never reuses an entry.
    pub fn load(&self, wasm: &[u8]) -> Result<(Component, CacheStatus), RunError> {
        self.load_for(wasm, false)
    }

    /// Like [`NanoEngine::load`], with epoch checks compiled in when `epochs`.
    pub fn load_for(
        &self,
        wasm: &[u8],
        epochs: bool,
    ) -> Result<(Component, CacheStatus), RunError> {
        let engine = self.engine_for(epochs)?;
        self.load_with(engine, wasm)
    }

    fn load_with(
        &self,
        engine: &Engine,
        wasm: &[u8],
    ) -> Result<(Component, CacheStatus), RunError> {
        let Some(dir) = &self.cache_dir else {
            return Ok((compile(engine, wasm)?, CacheStatus::Compiled));
        };
        let key = cache_key(engine, wasm);
        let cwasm = dir.join(format!("{key}.cwasm"));
        let digest = dir.join(format!("{key}.sha256"));
        let status = match read_cached(engine, &cwasm, &digest) {
            Ok(Some(component)) => return Ok((component, CacheStatus::Hit)),
            Ok(None) => CacheStatus::Compiled,
            Err(reason) => CacheStatus::Replaced(reason),
        };
        let component = compile(engine, wasm)?;
        write_cached(&component, dir, &cwasm, &digest)?;
        Ok((component, status))
    }
}

/// The first line of `reason`, for a one-line note.
fn one_line(reason: &str) -> String {
    reason.lines().next().unwrap_or_default().trim().to_string()
}

/// Cranelift, the component model, epoch checks when `epochs`, and the pooling allocator sized
/// `pool` (else on-demand). Nothing else departs from wasmtime's defaults: the allocator changes
/// how instances get their memory, not the compiled code.
fn engine(epochs: bool, pool: Option<PoolSize>) -> Result<Engine, RunError> {
    let mut config = Config::new();
    config.strategy(Strategy::Cranelift);
    config.wasm_component_model(true);
    config.epoch_interruption(epochs);
    if let Some(pool) = pool {
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool.config()));
    }
    Engine::new(&config).map_err(|e| RunError::Engine(format!("{e:#}")))
}

fn compile(engine: &Engine, wasm: &[u8]) -> Result<Component, RunError> {
    Component::new(engine, wasm).map_err(|e| RunError::Compile(format!("{e:#}")))
}

fn cache_key(engine: &Engine, wasm: &[u8]) -> String {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut h);
    let mut sha = Sha256::new();
    sha.update(wasm);
    sha.update(h.finish().to_le_bytes());
    hex::encode(sha.finalize())
}

/// `Ok(None)`: no entry. `Err(reason)`: an entry that must not be used.
fn read_cached(engine: &Engine, cwasm: &Path, digest: &Path) -> Result<Option<Component>, String> {
    let Ok(bytes) = std::fs::read(cwasm) else {
        return Ok(None);
    };
    let want =
        std::fs::read_to_string(digest).map_err(|_| "its checksum file is missing".to_string())?;
    if hex::encode(Sha256::digest(&bytes)) != want.trim() {
        return Err(format!("`{}` does not match its checksum", cwasm.display()));
    }
    // SAFETY: `deserialize` trusts its input to be wasmtime's own output for this engine.
    // These bytes are exactly what `write_cached` stored: their SHA-256 equals the digest
    // written beside them, and the key includes this engine's compatibility hash, which
    // wasmtime also re-checks in the header. A truncated or altered file fails the digest
    // check above and is recompiled instead. (target/ is trusted like the source tree: see
    // docs/threat-model.md.)
    let component = unsafe { Component::deserialize(engine, &bytes) };
    component
        .map(Some)
        .map_err(|e| format!("`{}` could not be loaded: {e}", cwasm.display()))
}

fn write_cached(
    component: &Component,
    dir: &Path,
    cwasm: &Path,
    digest: &Path,
) -> Result<(), RunError> {
    let bytes = component
        .serialize()
        .map_err(|e| RunError::Compile(e.to_string()))?;
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| RunError::Cache { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    // Write-then-rename: a reader sees a whole file or none, and the digest goes last so an
    // interrupted write leaves an entry that fails its check.
    crate::write_atomic(cwasm, &bytes).map_err(io(cwasm))?;
    crate::write_atomic(digest, hex::encode(Sha256::digest(&bytes)).as_bytes())
        .map_err(io(digest))?;
    Ok(())
}
