//! The contexts of an audit run ([`crate::RunOptions::audit`]): every instance holds the ceiling
//! and records what it uses in the run's [`AuditLog`].

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;

use manifest_schema::plan::{Holdings, PlanInstance};
use manifest_schema::{Access, Clock, Endpoint, Stream};
use wasmtime_wasi::{FsPerms, WasiCtx, WasiCtxBuilder};

use crate::RunError;
use crate::audit::{AuditLog, OUTSIDE};
use crate::audit_stdio::AuditedStream;
use crate::context::{Resolved, RunOptions};
use crate::dirs;
use crate::net::{resolve_endpoints, socket_allowed};

/// An audit run's log and the empty directory every instance gets as `/`.
pub(crate) struct Audit {
    pub(crate) log: AuditLog,
    outside: tempfile::TempDir,
}

impl Audit {
    /// A new audit of `instances` (`(instance, package)` in plan order).
    pub(crate) fn new(
        instances: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Audit, RunError> {
        let outside = tempfile::Builder::new()
            .prefix("nano-audit-")
            .tempdir()
            .map_err(|source| RunError::Dir {
                slot: OUTSIDE.into(),
                path: std::env::temp_dir(),
                source,
            })?;
        Ok(Audit {
            log: AuditLog::new(instances),
            outside,
        })
    }
}

/// The top package in an audit run: every slot, variable and endpoint offered, each requested
/// slot at its requested access and any other read-write.
pub(crate) fn resolve_audit_root(
    inst: &PlanInstance,
    options: &RunOptions,
) -> Result<Resolved, RunError> {
    let mut dirs = BTreeMap::new();
    for (slot, path) in &options.dirs {
        let access = inst
            .holds
            .dirs
            .get(slot)
            .map_or(Access::ReadWrite, |b| b.access);
        dirs.insert(slot.clone(), (dirs::open_root(slot, path, access)?, access));
    }
    Ok(Resolved {
        dirs,
        env: options.env.clone(),
        network: resolve_endpoints(&options.network)?,
        names: Default::default(),
    })
}

/// A child in an audit run: its own slots at its parent's access, and everything else its parent
/// has.
pub(crate) fn resolve_audit_child(
    inst: &PlanInstance,
    parent: &Resolved,
) -> Result<Resolved, RunError> {
    let mut dirs = BTreeMap::new();
    for (slot, binding) in &inst.holds.dirs {
        let from = binding.from.as_deref().unwrap_or(slot);
        let Some((parent_path, parent_access)) = parent.dirs.get(from) else {
            continue; // the top package was not given that slot: the child's opens fail
        };
        let path = dirs::open_child(slot, parent_path, *parent_access, binding.path.as_deref())?;
        dirs.insert(slot.clone(), (path, *parent_access));
    }
    Ok(Resolved {
        dirs,
        env: parent.env.clone(),
        network: parent.network.clone(),
        names: Default::default(),
    })
}

/// The context of instance `index` in an audit run, and the holdings its bindings check (all of
/// the ceiling).
pub(crate) fn audit_ctx(
    inst: &PlanInstance,
    r: &Resolved,
    options: &RunOptions,
    audit: &Audit,
    index: usize,
) -> Result<(WasiCtx, Holdings), RunError> {
    let mut b = WasiCtxBuilder::new();
    let stream = |stream| AuditedStream {
        log: audit.log.clone(),
        instance: index,
        stream,
    };
    b.stdin(stream(Stream::Stdin));
    b.stdout(stream(Stream::Stdout));
    b.stderr(stream(Stream::Stderr));
    for (k, v) in &r.env {
        b.env(k, v);
    }
    b.args(&options.args);
    for (slot, (path, access)) in &r.dirs {
        preopen(&mut b, path, slot, *access)?;
    }
    preopen(&mut b, audit.outside.path(), OUTSIDE, Access::ReadOnly)?;
    let allowed = r.network.clone();
    let log = audit.log.clone();
    b.allow_ip_name_lookup(false);
    b.allow_udp(false);
    // TCP is on even without an endpoint, and the implicit bind of a connect passes, so that a
    // connect reaches the endpoint check and is recorded, granted or not.
    b.allow_tcp(true);
    b.socket_addr_check(move |addr, use_| {
        let implicit_bind = matches!(use_, wasmtime_wasi::sockets::SocketAddrUse::TcpBind)
            && addr.ip().is_unspecified()
            && addr.port() == 0;
        let ok = implicit_bind || socket_allowed(&allowed, addr, use_);
        if matches!(use_, wasmtime_wasi::sockets::SocketAddrUse::TcpConnect) {
            match ok {
                true => log.connect(index, endpoint(addr)),
                false => log.refused(index, endpoint(addr)),
            }
        }
        Box::pin(async move { ok })
    });
    let holds = Holdings {
        dirs: inst.holds.dirs.clone(),
        env: r.env.keys().cloned().collect(),
        stdio: BTreeSet::from([Stream::Stdin, Stream::Stdout, Stream::Stderr]),
        clocks: BTreeSet::from([Clock::Wall, Clock::Monotonic]),
        random: true,
        network: inst.holds.network.clone(),
        args: true,
        limits: inst.holds.limits,
    };
    Ok((b.build(), holds))
}

fn preopen(
    b: &mut WasiCtxBuilder,
    path: &std::path::Path,
    slot: &str,
    access: Access,
) -> Result<(), RunError> {
    let perms = match access {
        Access::ReadOnly => FsPerms::ReadOnly,
        Access::ReadWrite => FsPerms::ReadWrite,
    };
    b.preopened_dir(path, slot, perms)
        .map(|_| ())
        .map_err(|e| RunError::Dir {
            slot: slot.to_string(),
            path: path.to_path_buf(),
            source: std::io::Error::other(e.to_string()),
        })
}

fn endpoint(addr: SocketAddr) -> Endpoint {
    Endpoint {
        host: addr.ip().to_string(),
        port: addr.port(),
        transport: manifest_schema::Transport::Tcp,
    }
}
