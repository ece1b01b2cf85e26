//! The wasmtime engine (Cranelift) and the cache of compiled components.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

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
pub struct NanoEngine {
    engine: Engine,
    cache_dir: Option<PathBuf>,
}

impl NanoEngine {
    /// An engine compiling with Cranelift, caching compiled components in `cache_dir`
    /// (`None` disables the cache).
    pub fn new(cache_dir: Option<PathBuf>) -> Result<Self, RunError> {
        let mut config = Config::new();
        config.strategy(Strategy::Cranelift);
        config.wasm_component_model(true);
        let engine = Engine::new(&config).map_err(|e| RunError::Engine(e.to_string()))?;
        Ok(NanoEngine { engine, cache_dir })
    }

    /// The wasmtime engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Compiles `wasm`, or loads its compiled form from the cache. The cache key is the
    /// SHA-256 of the component and of this engine's compatibility hash, so a changed component
    /// or a different wasmtime never reuses an entry.
    pub fn load(&self, wasm: &[u8]) -> Result<(Component, CacheStatus), RunError> {
        let Some(dir) = &self.cache_dir else {
            return Ok((self.compile(wasm)?, CacheStatus::Compiled));
        };
        let key = self.cache_key(wasm);
        let cwasm = dir.join(format!("{key}.cwasm"));
        let digest = dir.join(format!("{key}.sha256"));
        let status = match self.read_cached(&cwasm, &digest) {
            Ok(Some(component)) => return Ok((component, CacheStatus::Hit)),
            Ok(None) => CacheStatus::Compiled,
            Err(reason) => CacheStatus::Replaced(reason),
        };
        let component = self.compile(wasm)?;
        self.write_cached(&component, dir, &cwasm, &digest)?;
        Ok((component, status))
    }

    fn compile(&self, wasm: &[u8]) -> Result<Component, RunError> {
        Component::new(&self.engine, wasm).map_err(|e| RunError::Compile(format!("{e:#}")))
    }

    fn cache_key(&self, wasm: &[u8]) -> String {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.engine.precompile_compatibility_hash().hash(&mut h);
        let mut sha = Sha256::new();
        sha.update(wasm);
        sha.update(h.finish().to_le_bytes());
        hex::encode(sha.finalize())
    }

    /// `Ok(None)`: no entry. `Err(reason)`: an entry that must not be used.
    fn read_cached(&self, cwasm: &Path, digest: &Path) -> Result<Option<Component>, String> {
        let Ok(bytes) = std::fs::read(cwasm) else {
            return Ok(None);
        };
        let want = std::fs::read_to_string(digest)
            .map_err(|_| "its checksum file is missing".to_string())?;
        if hex::encode(Sha256::digest(&bytes)) != want.trim() {
            return Err(format!("`{}` does not match its checksum", cwasm.display()));
        }
        // SAFETY: `deserialize` trusts its input to be wasmtime's own output for this engine.
        // These bytes are exactly what `write_cached` stored: their SHA-256 equals the digest
        // written beside them, and the key includes this engine's compatibility hash, which
        // wasmtime also re-checks in the header. A truncated or altered file fails the digest
        // check above and is recompiled instead. (target/ is trusted like the source tree: see
        // docs/threat-model.md.)
        let component = unsafe { Component::deserialize(&self.engine, &bytes) };
        component
            .map(Some)
            .map_err(|e| format!("`{}` could not be loaded: {e}", cwasm.display()))
    }

    fn write_cached(
        &self,
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
}
