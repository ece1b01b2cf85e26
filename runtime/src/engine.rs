//! The wasmtime engine (Cranelift) and the cache of compiled components.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use sha2::{Digest, Sha256};
use wasmtime::component::Component;
use wasmtime::{Config, Engine, Strategy};

use crate::RunError;

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

/// A wasmtime engine configured for nanoprocesses, with an on-disk cache of Cranelift output.
///
/// Two configurations: without epoch checks (the default, for runs without a time limit), and
/// with them (`Config::epoch_interruption`: a check at every function entry and loop head, which
/// time limits need and which costs about a third of a boundary call, see docs/performance.md).
/// The second engine is made on first use; each compiled form has its own cache entry.
pub struct NanoEngine {
    engine: Engine,
    timed: OnceLock<Engine>,
    cache_dir: Option<PathBuf>,
}

impl NanoEngine {
    /// An engine compiling with Cranelift, caching compiled components in `cache_dir`
    /// (`None` disables the cache).
    pub fn new(cache_dir: Option<PathBuf>) -> Result<Self, RunError> {
        Ok(NanoEngine {
            engine: engine(false)?,
            timed: OnceLock::new(),
            cache_dir,
        })
    }

    /// The wasmtime engine without epoch checks.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The engine with epoch checks compiled in (`epochs`) or without.
    fn engine_for(&self, epochs: bool) -> Result<&Engine, RunError> {
        if !epochs {
            return Ok(&self.engine);
        }
        if let Some(timed) = self.timed.get() {
            return Ok(timed);
        }
        let timed = engine(true)?;
        Ok(self.timed.get_or_init(|| timed))
    }

    /// Compiles `wasm` without epoch checks, or loads its compiled form from the cache. The cache
    /// key is the SHA-256 of the component and of the engine's compatibility hash, so a changed
    /// component, another configuration or a different wasmtime never reuses an entry.
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

/// Cranelift, the component model, and epoch checks when `epochs`.
fn engine(epochs: bool) -> Result<Engine, RunError> {
    let mut config = Config::new();
    config.strategy(Strategy::Cranelift);
    config.wasm_component_model(true);
    config.epoch_interruption(epochs);
    Engine::new(&config).map_err(|e| RunError::Engine(e.to_string()))
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
