//! `cargo nano run --audit`: what each package used in one run.
//!
//! In an audit run every instance holds the audit's ceiling — the standard streams, both clocks,
//! random numbers, the arguments, and every variable and endpoint the person running it passed —
//! and its directory slots with its parent's access ([`crate::context`] widens them). The
//! runtime records, per instance, each capability it actually used:
//! - a standard stream read or written, a clock or random call, the arguments or the environment
//!   read (the environment comes as one list: which names a package then looks up happens inside
//!   its own memory, so names come from the build's analysis, not from here);
//! - every path opened under a slot, relative to the slot, and whether it wrote;
//! - every path opened **outside** its slots: an audit run gives each instance an empty,
//!   read-only directory as `/`, so a path that names no slot reaches the host and is recorded
//!   (and still fails: the directory is empty);
//! - every endpoint connected to.
//!
//! Denials stay denials: nothing here lets a package reach more than the ceiling.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use manifest_schema::audit::InstanceUse;
use manifest_schema::{Access, Clock, Endpoint, Stream};
use wasmtime::StoreContextMut;
use wasmtime::component::{Linker, Resource};
use wasmtime_wasi::filesystem::WasiFilesystemCtxView;
use wasmtime_wasi::p2::bindings::sync::filesystem::types as fs;

use crate::state::NanoState;

/// The guest path of the empty directory that catches paths outside every slot.
pub(crate) const OUTSIDE: &str = "/";

/// The uses of every instance of one run, shared by the contexts and the bindings.
#[derive(Debug, Clone, Default)]
pub struct AuditLog(Arc<Mutex<Log>>);

#[derive(Debug, Default)]
struct Log {
    uses: Vec<InstanceUse>,
    /// Directory descriptors by resource rep: their instance, slot and path under the slot.
    /// A rep is reused after a drop, but only `get-directories` and `open-at` make directory
    /// descriptors, and both overwrite the entry.
    descriptors: HashMap<u32, Place>,
}

#[derive(Debug, Clone)]
struct Place {
    instance: usize,
    /// `None` for the directory standing for everything outside the slots.
    slot: Option<String>,
    path: String,
}

impl AuditLog {
    /// A log for instances named by `(instance, package)`, in plan order.
    pub(crate) fn new(instances: impl IntoIterator<Item = (String, String)>) -> AuditLog {
        let uses = instances
            .into_iter()
            .map(|(instance, package)| InstanceUse {
                instance,
                package,
                ..InstanceUse::default()
            })
            .collect();
        AuditLog(Arc::new(Mutex::new(Log {
            uses,
            descriptors: HashMap::new(),
        })))
    }

    /// What each instance used so far.
    pub fn uses(&self) -> Vec<InstanceUse> {
        self.lock().uses.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Log> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn with(&self, instance: usize, f: impl FnOnce(&mut InstanceUse)) {
        if let Some(u) = self.lock().uses.get_mut(instance) {
            f(u);
        }
    }

    /// Instance `i` read or wrote `stream`.
    pub(crate) fn stream(&self, i: usize, stream: Stream) {
        self.with(i, |u| {
            u.used.stdio.insert(stream);
        });
    }

    /// Instance `i` read `clock`.
    pub(crate) fn clock(&self, i: usize, clock: Clock) {
        self.with(i, |u| {
            u.used.clocks.insert(clock);
        });
    }

    /// Instance `i` asked for random numbers.
    pub(crate) fn random(&self, i: usize) {
        self.with(i, |u| u.used.random = true);
    }

    /// Instance `i` read its arguments.
    pub(crate) fn args(&self, i: usize) {
        self.with(i, |u| u.used.args = true);
    }

    /// Instance `i` read the environment.
    pub(crate) fn env(&self, i: usize) {
        self.with(i, |u| u.read_env = true);
    }

    /// Instance `i` connected to `endpoint`.
    pub(crate) fn connect(&self, i: usize, endpoint: Endpoint) {
        self.with(i, |u| {
            u.used.network.insert(endpoint);
        });
    }

    /// Instance `i` tried to connect to `endpoint`, which the run did not offer.
    pub(crate) fn refused(&self, i: usize, endpoint: Endpoint) {
        self.with(i, |u| {
            u.refused.insert(endpoint);
        });
    }

    /// Instance `i` received its preopened directories: `(rep, guest path)`.
    pub(crate) fn preopens(&self, i: usize, dirs: impl IntoIterator<Item = (u32, String)>) {
        let mut log = self.lock();
        for (rep, name) in dirs {
            let slot = (name != OUTSIDE).then_some(name);
            let place = Place {
                instance: i,
                slot,
                path: String::new(),
            };
            log.descriptors.insert(rep, place);
        }
    }

    /// A descriptor opened `path` under directory descriptor `dir`; `opened` is the new
    /// descriptor's rep when it is one.
    fn opened(&self, dir: u32, path: &str, write: bool, opened: Option<u32>) {
        let mut log = self.lock();
        let Some(place) = log.descriptors.get(&dir).cloned() else {
            return;
        };
        let full = join(&place.path, path);
        if let Some(u) = log.uses.get_mut(place.instance) {
            match &place.slot {
                Some(slot) => {
                    u.paths.insert(join(slot, &full));
                    let access = u.used.dirs.entry(slot.clone()).or_insert(Access::ReadOnly);
                    if write {
                        *access = Access::ReadWrite;
                    }
                }
                None => {
                    u.outside.insert(format!("/{full}"));
                }
            }
        }
        if let Some(rep) = opened {
            log.descriptors.insert(
                rep,
                Place {
                    path: full,
                    ..place
                },
            );
        }
    }
}

fn join(base: &str, path: &str) -> String {
    match (base.is_empty(), path.is_empty()) {
        (true, _) => path.to_string(),
        (false, true) => base.to_string(),
        (false, false) => format!("{base}/{path}"),
    }
}

/// Shadows `[method]descriptor.open-at` of the shared filesystem interface so that an audit run
/// sees every path opened: it delegates to wasmtime-wasi's own implementation, then records.
/// Only for audit runs; a normal run binds wasmtime-wasi's function as is.
pub(crate) fn watch_opens(linker: &mut Linker<NanoState>) -> wasmtime::Result<()> {
    linker.allow_shadowing(true);
    let mut types = linker.instance(FILESYSTEM_TYPES)?;
    types.func_wrap(
        "[method]descriptor.open-at",
        |mut s: StoreContextMut<'_, NanoState>,
         (dir, path_flags, path, oflags, flags): (
            Resource<fs::Descriptor>,
            fs::PathFlags,
            String,
            fs::OpenFlags,
            fs::DescriptorFlags,
        )| {
            let rep = dir.rep();
            let write = flags.contains(fs::DescriptorFlags::WRITE)
                || oflags.intersects(fs::OpenFlags::CREATE | fs::OpenFlags::TRUNCATE);
            let state = s.data_mut();
            let mut view = WasiFilesystemCtxView {
                ctx: state.neutral.filesystem(),
                table: &mut state.table,
            };
            let result = fs::HostDescriptor::open_at(
                &mut view,
                dir,
                path_flags,
                path.clone(),
                oflags,
                flags,
            );
            let opened = result.as_ref().ok().map(Resource::rep);
            if let Some(log) = &state.audit {
                log.opened(rep, &path, write, opened);
            }
            let result = match result {
                Ok(d) => Ok(d),
                Err(e) => Err(fs::Host::convert_error_code(&mut view, e)?),
            };
            Ok((result,))
        },
    )?;
    linker.allow_shadowing(false);
    Ok(())
}

/// The name wasmtime-wasi 48 binds the shared filesystem interface under; components importing
/// any 0.2.x version match it.
const FILESYSTEM_TYPES: &str = "wasi:filesystem/types@0.2.12";
