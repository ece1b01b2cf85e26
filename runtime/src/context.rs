//! Building one WASI context per instance from the plan and the person running the app.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use manifest_schema::plan::{Plan, PlanInstance};
use manifest_schema::{Access, Endpoint, MemorySize, Stream, TimeLimit, Transport};
use wasmtime_wasi::{FsPerms, WasiCtx, WasiCtxBuilder};

use crate::RunError;
use crate::audit_context::{Audit, audit_ctx, resolve_audit_child, resolve_audit_root};
use crate::denials::{Denials, Denied, DeniedStream};
use crate::dirs;
use crate::names::NameGrants;
use crate::net::{
    Reachable, holds_any, host_names, reached, record_socket_denial, resolve_endpoints,
    socket_allowed,
};
use crate::state::PackageCtx;

/// What the person running the app gives the top package.
///
/// Deny by default. [`RunOptions::default`] gives:
/// - no directories (each requested slot must be bound with [`RunOptions::dir`]);
/// - no environment variables (each must be passed with [`RunOptions::env`]);
/// - no network (each endpoint must be allowed with [`RunOptions::network`]);
/// - no arguments;
/// - the host's stdin, stdout and stderr, but only the streams the top package requests;
/// - clocks and random, but only as far as the top package requests them;
/// - the top package's memory, table and time limits as linked: its requests, or 256 MiB,
///   100 000 table elements and no time limit.
///
/// Children never get more than their parent's grant, whatever is set here — except in an audit
/// run ([`RunOptions::audit`]).
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub(crate) dirs: BTreeMap<String, PathBuf>,
    pub(crate) env: BTreeMap<String, String>,
    pub(crate) network: BTreeSet<Endpoint>,
    pub(crate) args: Vec<String>,
    pub(crate) max_memory: Option<MemorySize>,
    pub(crate) timeout: Option<TimeLimit>,
    pub(crate) audit: bool,
}

impl RunOptions {
    /// Binds the top package's directory slot `slot` to the host directory `path`.
    pub fn dir(&mut self, slot: impl Into<String>, path: impl Into<PathBuf>) -> &mut Self {
        self.dirs.insert(slot.into(), path.into());
        self
    }

    /// Passes the environment variable `name` with `value`.
    pub fn env(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.env.insert(name.into(), value.into());
        self
    }

    /// Allows the top package to connect to `endpoint` (it must also request it).
    pub fn network(&mut self, endpoint: Endpoint) -> &mut Self {
        self.network.insert(endpoint);
        self
    }

    /// Sets the program arguments (the first is the program name).
    pub fn args(&mut self, args: impl IntoIterator<Item = String>) -> &mut Self {
        self.args = args.into_iter().collect();
        self
    }

    /// Sets the top package's memory limit, replacing the linked one (lower or higher); every
    /// descendant's is lowered to it if above.
    pub fn max_memory(&mut self, limit: MemorySize) -> &mut Self {
        self.max_memory = Some(limit);
        self
    }

    /// Makes this an audit run: every instance holds the ceiling — the standard streams, both
    /// clocks, random numbers, the arguments, every variable, endpoint and directory slot passed
    /// here (whether the top package requests them or not) — with its own slots at its parent's
    /// access, and an empty read-only `/` that catches paths outside its slots. What each instance
    /// uses is recorded ([`crate::App::audit`]). For finding the manifest a program needs, never
    /// for running it in earnest.
    pub fn audit(&mut self, on: bool) -> &mut Self {
        self.audit = on;
        self
    }

    /// Sets the top package's time limit (the whole run), replacing the linked one; every
    /// descendant's is lowered to it if above.
    pub fn timeout(&mut self, limit: TimeLimit) -> &mut Self {
        self.timeout = Some(limit);
        self
    }
}

/// What one instance resolved to on this host.
pub(crate) struct Resolved {
    pub(crate) dirs: BTreeMap<String, (PathBuf, Access)>,
    pub(crate) env: BTreeMap<String, String>,
    pub(crate) network: Reachable,
    /// The host-name endpoints among those it may connect to (`crate::names`).
    pub(crate) names: BTreeSet<Endpoint>,
}

/// Builds the context of every instance of `plan`, parents first; each records the attempts it
/// denies in `denials`.
pub fn build_contexts(
    plan: &Plan,
    options: &RunOptions,
    denials: &Denials,
    audit: Option<&Audit>,
) -> Result<Vec<PackageCtx>, RunError> {
    let root = plan.instances.first().ok_or(RunError::EmptyPlan)?;
    check_root_options(root, options)?;
    let mut resolved: Vec<Resolved> = Vec::with_capacity(plan.instances.len());
    let mut out = Vec::with_capacity(plan.instances.len());
    for inst in &plan.instances {
        let parent = inst
            .parent
            .map(|p| resolved.get(p).ok_or(RunError::EmptyPlan));
        let r = match (parent.transpose()?, audit) {
            (None, None) => resolve_root(inst, options)?,
            (None, Some(_)) => resolve_audit_root(inst, options)?,
            (Some(parent), None) => resolve_child(inst, parent)?,
            (Some(parent), Some(_)) => resolve_audit_child(inst, parent)?,
        };
        let denied = Denied {
            log: denials.clone(),
            package: inst.package.as_str().into(),
            instance: inst.id.as_str().into(),
            parent: inst
                .parent
                .and_then(|p| plan.instances.get(p))
                .map(|p| p.package.as_str().into()),
        };
        let own_denied = denied.clone();
        let index = out.len();
        let names = match audit {
            None => NameGrants::new(&r.names),
            Some(_) => NameGrants::default(),
        };
        let (wasi, holds) = match audit {
            None => (
                wasi_ctx(inst, &r, options, denied, names.clone())?,
                inst.holds.clone(),
            ),
            Some(audit) => audit_ctx(inst, &r, options, audit, index)?,
        };
        out.push(PackageCtx {
            denied: own_denied,
            names,
            package: inst.package.clone(),
            holds,
            wasi,
        });
        resolved.push(r);
    }
    Ok(out)
}

/// Every option must answer a request of the top package: an option that grants what nobody
/// asked for is a mistake worth stopping on.
fn check_root_options(root: &PlanInstance, options: &RunOptions) -> Result<(), RunError> {
    if options.audit {
        return check_audit_options(root, options);
    }
    let unrequested = |what: String, help: String| RunError::Unrequested {
        package: root.package.clone(),
        what,
        help,
    };
    for slot in options.dirs.keys() {
        if !root.holds.dirs.contains_key(slot) {
            let help = requested_list(root.holds.dirs.keys());
            return Err(unrequested(format!("directory slot `{slot}`"), help));
        }
    }
    for name in options.env.keys() {
        if !root.holds.env.contains(name) {
            let help = requested_list(root.holds.env.iter());
            return Err(unrequested(format!("environment variable `{name}`"), help));
        }
    }
    for endpoint in &options.network {
        if !root.holds.network.contains(endpoint) {
            let help = requested_list(root.holds.network.iter());
            return Err(unrequested(format!("network endpoint `{endpoint}`"), help));
        }
    }
    missing_dirs(root, options)
}

/// Every slot the top package requests must be bound; all missing ones are named at once.
fn missing_dirs(root: &PlanInstance, options: &RunOptions) -> Result<(), RunError> {
    let slots: Vec<String> = root
        .holds
        .dirs
        .keys()
        .filter(|s| !options.dirs.contains_key(*s))
        .cloned()
        .collect();
    if slots.is_empty() {
        return Ok(());
    }
    Err(RunError::MissingDir {
        package: root.package.clone(),
        slots,
    })
}

/// An audit run takes any variable, endpoint and slot offered (they make the ceiling), but still
/// needs every slot the top package requests.
fn check_audit_options(root: &PlanInstance, options: &RunOptions) -> Result<(), RunError> {
    missing_dirs(root, options)
}

fn requested_list<T: std::fmt::Display>(items: impl Iterator<Item = T>) -> String {
    let list: Vec<String> = items.map(|i| format!("`{i}`")).collect();
    if list.is_empty() {
        "it requests none".into()
    } else {
        format!("it requests {}", list.join(", "))
    }
}

fn resolve_root(inst: &PlanInstance, options: &RunOptions) -> Result<Resolved, RunError> {
    let mut dirs = BTreeMap::new();
    for (slot, binding) in &inst.holds.dirs {
        let path = options.dirs.get(slot).ok_or_else(|| RunError::MissingDir {
            package: inst.package.clone(),
            slots: vec![slot.clone()],
        })?;
        dirs.insert(
            slot.clone(),
            (dirs::open_root(slot, path, binding.access)?, binding.access),
        );
    }
    let env = options.env.clone();
    let network = resolve_endpoints(&options.network)?;
    let names = host_names(options.network.iter());
    Ok(Resolved {
        dirs,
        env,
        network,
        names,
    })
}

fn resolve_child(inst: &PlanInstance, parent: &Resolved) -> Result<Resolved, RunError> {
    let mut dirs = BTreeMap::new();
    for (slot, binding) in &inst.holds.dirs {
        let from = binding.from.as_deref().unwrap_or(slot);
        let (parent_path, parent_access) = parent.dirs.get(from).ok_or_else(|| {
            RunError::Plan(format!(
                "`{}` gets slot `{from}` its parent does not hold",
                inst.id
            ))
        })?;
        let path = dirs::open_child(slot, parent_path, *parent_access, binding.path.as_deref())?;
        dirs.insert(slot.clone(), (path, binding.access.min(*parent_access)));
    }
    let env = parent
        .env
        .iter()
        .filter(|(k, _)| inst.holds.env.contains(*k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let wanted = resolve_endpoints(&inst.holds.network)?;
    let network = wanted.intersection(&parent.network).copied().collect();
    let names = host_names(
        inst.holds
            .network
            .iter()
            .filter(|e| parent.names.contains(*e)),
    );
    Ok(Resolved {
        dirs,
        env,
        network,
        names,
    })
}

fn wasi_ctx(
    inst: &PlanInstance,
    r: &Resolved,
    options: &RunOptions,
    denied: Denied,
    names: NameGrants,
) -> Result<WasiCtx, RunError> {
    let mut b = WasiCtxBuilder::new();
    let holds = &inst.holds;
    // A stream the package does not hold reads end of file or discards writes, and records the
    // attempt.
    let unheld = |stream| DeniedStream {
        denied: denied.clone(),
        stream,
    };
    if holds.stdio.contains(&Stream::Stdin) {
        b.inherit_stdin();
    } else {
        b.stdin(unheld(Stream::Stdin));
    }
    if holds.stdio.contains(&Stream::Stdout) {
        b.inherit_stdout();
    } else {
        b.stdout(unheld(Stream::Stdout));
    }
    if holds.stdio.contains(&Stream::Stderr) {
        b.inherit_stderr();
    } else {
        b.stderr(unheld(Stream::Stderr));
    }
    for (k, v) in &r.env {
        b.env(k, v);
    }
    if holds.args {
        b.args(&options.args);
    }
    for (slot, (path, access)) in &r.dirs {
        let perms = match access {
            Access::ReadOnly => FsPerms::ReadOnly,
            Access::ReadWrite => FsPerms::ReadWrite,
        };
        b.preopened_dir(path, slot, perms)
            .map_err(|e| RunError::Dir {
                slot: slot.clone(),
                path: path.clone(),
                source: std::io::Error::other(e.to_string()),
            })?;
    }
    let allowed = r.network.clone();
    let top = inst.parent.is_none();
    // Lookups of the names it holds only: `crate::names` checks each name first.
    b.allow_ip_name_lookup(names.any());
    let holds = |transport| holds_any(&allowed, transport) || names.holds(transport);
    b.allow_udp(holds(Transport::Udp));
    b.allow_tcp(holds(Transport::Tcp));
    b.socket_addr_check(move |addr, use_| {
        let resolved = reached(use_).is_some_and(|t| names.resolved(t, &addr));
        let ok = resolved || socket_allowed(&allowed, addr, use_);
        if !ok {
            record_socket_denial(&denied, addr, use_, top);
        }
        Box::pin(async move { ok })
    });
    Ok(b.build())
}
