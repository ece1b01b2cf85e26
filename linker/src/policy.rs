//! Policy: what each instance holds (requests narrowed by grants), and whether a package's code
//! reaches only what its manifest requests.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use manifest_schema::plan::{DirBinding, Holdings};
use manifest_schema::{Access, Capabilities, Grant, NanoManifest};

use crate::graph::NanoGraph;
use crate::inspect::{Capability, EnvReads, Inspection};

/// One policy violation: a package wants more than it was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The package at fault (for a grant problem, the granter or the child as the message says).
    pub package: String,
    /// The `Cargo.toml` to edit.
    pub manifest_path: PathBuf,
    /// What is wrong.
    pub message: String,
    /// Supporting lines (e.g. a call path).
    pub notes: Vec<String>,
    /// How to fix it.
    pub help: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.message)?;
        writeln!(f, "  --> {}", self.manifest_path.display())?;
        for note in &self.notes {
            writeln!(f, "  = note: {note}")?;
        }
        write!(f, "  = help: {}", self.help)
    }
}

/// Policy violations, all of them.
#[derive(Debug, thiserror::Error)]
#[error("{} policy violation(s)", .violations.len())]
pub struct PolicyError {
    /// The violations.
    pub violations: Vec<Violation>,
}

/// Computes what every instance of `graph` holds. The root holds exactly its requests (the user
/// binds them at run time); every child holds its requests narrowed by its parent's grant.
///
/// Fails when a parent grants what it does not hold, or when a child requests something its parent
/// does not grant.
pub fn resolve_holdings(graph: &NanoGraph) -> Result<Vec<Holdings>, PolicyError> {
    let mut out: Vec<Holdings> = Vec::with_capacity(graph.instances.len());
    let mut violations = Vec::new();
    for inst in &graph.instances {
        let pkg = &graph.packages[inst.package];
        let holds = match inst.parent {
            None => Holdings {
                limits: crate::limits::requested(&pkg.manifest.limits),
                ..requested_holdings(&pkg.manifest.requests)
            },
            Some(parent) => {
                let parent_pkg = &graph.packages[graph.instances[parent].package];
                let grant = parent_pkg
                    .manifest
                    .grants
                    .get(&inst.name)
                    .cloned()
                    .unwrap_or_default();
                let ctx = EdgeCtx {
                    parent: &parent_pkg.info.name,
                    parent_manifest: &parent_pkg.info.manifest_path,
                    child: &pkg.info.name,
                    key: &inst.name,
                };
                narrow(&ctx, &out[parent], &grant, &pkg.manifest, &mut violations)
            }
        };
        out.push(holds);
    }
    if violations.is_empty() {
        Ok(out)
    } else {
        violations.dedup();
        Err(PolicyError { violations })
    }
}

/// What a package holds when it gets exactly its requests: the top package, whose directories the
/// user binds at run time (no parent slot). Limits are left at their defaults (the requested ones
/// are in [`manifest_schema::NanoManifest::limits`], see [`crate::limits::requested`]).
pub fn requested_holdings(requests: &Capabilities) -> Holdings {
    Holdings {
        dirs: requests
            .dirs
            .iter()
            .map(|(slot, access)| {
                let binding = DirBinding {
                    from: None,
                    path: None,
                    access: *access,
                };
                (slot.clone(), binding)
            })
            .collect(),
        env: requests.env.clone(),
        stdio: requests.stdio.clone(),
        clocks: requests.clocks.clone(),
        random: requests.random,
        network: requests.network.clone(),
        args: requests.args,
        limits: Default::default(),
    }
}

/// A parent-child edge, for messages.
pub(crate) struct EdgeCtx<'a> {
    pub(crate) parent: &'a str,
    pub(crate) parent_manifest: &'a PathBuf,
    /// The child's package name.
    pub(crate) child: &'a str,
    /// The child's name in the parent's `[dependencies]`: the key of its grant.
    pub(crate) key: &'a str,
}

impl EdgeCtx<'_> {
    fn wider(&self, what: String, violations: &mut Vec<Violation>) {
        violations.push(Violation {
            package: self.parent.to_string(),
            manifest_path: self.parent_manifest.clone(),
            message: format!(
                "package `{}` grants {what} to `{}` but does not hold it",
                self.parent, self.key
            ),
            notes: vec!["a grant can only narrow what the granter itself holds".into()],
            help: format!(
                "remove it from `[package.metadata.nano.grants.{}]`, or add it to the requests of `{}`",
                self.key, self.parent
            ),
        });
    }

    fn missing(&self, what: String, key: &str, violations: &mut Vec<Violation>) {
        violations.push(Violation {
            package: self.child.to_string(),
            manifest_path: self.parent_manifest.clone(),
            message: format!(
                "package `{}` requests {what} but its parent `{}` does not grant it",
                self.child, self.parent
            ),
            notes: vec![],
            help: format!(
                "if `{}` should have it, add `{key}` to `[package.metadata.nano.grants.{}]` of `{}`; otherwise do not depend on a version that needs it",
                self.child, self.key, self.parent
            ),
        });
    }
}

/// The child's holdings: for each request, what the grant gives (narrowed), after checking the
/// grant is within what the parent holds.
fn narrow(
    ctx: &EdgeCtx<'_>,
    parent: &Holdings,
    grant: &Grant,
    child: &NanoManifest,
    violations: &mut Vec<Violation>,
) -> Holdings {
    check_within_parent(ctx, parent, grant, violations);
    let req = &child.requests;
    let mut holds = Holdings::default();
    for (slot, want) in &req.dirs {
        let Some(g) = grant.dirs.get(slot) else {
            let key = format!("dirs.{slot} = {{ from = \"SLOT\" }}");
            ctx.missing(format!("directory slot `{slot}`"), &key, violations);
            continue;
        };
        let Some(held) = parent.dirs.get(&g.from) else {
            continue; // reported by check_within_parent
        };
        let access = (*want)
            .min(g.access.unwrap_or(held.access))
            .min(held.access);
        let binding = DirBinding {
            from: Some(g.from.clone()),
            path: g.path.clone(),
            access,
        };
        holds.dirs.insert(slot.clone(), binding);
    }
    holds.env = granted_set(
        ctx,
        "environment variable",
        "env",
        &req.env,
        &grant.env,
        violations,
    );
    holds.stdio = granted_set(ctx, "stdio", "stdio", &req.stdio, &grant.stdio, violations);
    holds.clocks = granted_set(
        ctx,
        "clock",
        "clocks",
        &req.clocks,
        &grant.clocks,
        violations,
    );
    holds.network = granted_set(
        ctx,
        "network",
        "network",
        &req.network,
        &grant.network,
        violations,
    );
    holds.random = granted_flag(ctx, "random", req.random, grant.random, violations);
    holds.args = granted_flag(ctx, "args", req.args, grant.args, violations);
    holds.limits = crate::limits::narrow(
        ctx,
        &parent.limits,
        &grant.limits,
        &child.limits,
        violations,
    );
    holds
}

fn granted_set<T: Ord + Clone + fmt::Display>(
    ctx: &EdgeCtx<'_>,
    what: &str,
    key: &str,
    requested: &BTreeSet<T>,
    granted: &BTreeSet<T>,
    violations: &mut Vec<Violation>,
) -> BTreeSet<T> {
    for item in requested.difference(granted) {
        let key = format!("{key} = [\"{item}\"]");
        ctx.missing(format!("{what} `{item}`"), &key, violations);
    }
    requested.intersection(granted).cloned().collect()
}

fn granted_flag(
    ctx: &EdgeCtx<'_>,
    key: &str,
    requested: bool,
    granted: bool,
    violations: &mut Vec<Violation>,
) -> bool {
    if requested && !granted {
        ctx.missing(format!("`{key}`"), &format!("{key} = true"), violations);
    }
    requested && granted
}

fn check_within_parent(
    ctx: &EdgeCtx<'_>,
    parent: &Holdings,
    grant: &Grant,
    violations: &mut Vec<Violation>,
) {
    for (slot, g) in &grant.dirs {
        match parent.dirs.get(&g.from) {
            None => ctx.wider(
                format!("directory slot `{}` (as `{slot}`)", g.from),
                violations,
            ),
            Some(held)
                if g.access == Some(Access::ReadWrite) && held.access != Access::ReadWrite =>
            {
                ctx.wider(
                    format!("read-write access to slot `{}`", g.from),
                    violations,
                )
            }
            Some(_) => {}
        }
    }
    let sets = [
        (not_in(&grant.env, &parent.env), "environment variable"),
        (not_in(&grant.stdio, &parent.stdio), "stdio"),
        (not_in(&grant.clocks, &parent.clocks), "clock"),
        (not_in(&grant.network, &parent.network), "network"),
    ];
    for (extra, what) in sets {
        for item in extra {
            ctx.wider(format!("{what} `{item}`"), violations);
        }
    }
    if grant.random && !parent.random {
        ctx.wider("`random`".into(), violations);
    }
    if grant.args && !parent.args {
        ctx.wider("`args`".into(), violations);
    }
}

fn not_in<T: Ord + fmt::Display>(a: &BTreeSet<T>, b: &BTreeSet<T>) -> Vec<String> {
    a.difference(b).map(|x| x.to_string()).collect()
}

/// Checks that every system call a package's code reaches belongs to a capability its manifest
/// requests. Returns one violation per capability, naming the first syscall that needs it.
pub fn check_syscalls(
    package: &str,
    manifest_path: &Path,
    requests: &Capabilities,
    inspection: &Inspection,
) -> Vec<Violation> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (syscall, reach) in &inspection.syscalls {
        let Some(cap) = crate::inspect::capability_of(syscall) else {
            continue;
        };
        if is_requested(&cap, requests) || !seen.insert(cap.to_string()) {
            continue;
        }
        let mut notes = vec![format!("call path: {}", reach.path.join(" -> "))];
        if reach.indirect {
            notes.push("the path goes through an indirect call, resolved conservatively".into());
        }
        let mut what = format!("capability `{cap}`");
        if cap == Capability::Env {
            what.push_str(&env_reads(&inspection.env));
            if let Some(path) = inspection.env.unnamed.values().next() {
                notes.push(format!(
                    "a variable whose name the analysis cannot see (not a constant at the call): {}",
                    path.join(" -> ")
                ));
            }
        }
        out.push(Violation {
            package: package.to_string(),
            manifest_path: manifest_path.to_path_buf(),
            message: format!(
                "package `{package}` reaches `{syscall}` ({what}) but its manifest does not request it"
            ),
            notes,
            help: request_help(&cap, &inspection.env),
        });
    }
    out
}

fn is_requested(cap: &Capability, r: &Capabilities) -> bool {
    use manifest_schema::{Clock, Stream};
    match cap {
        Capability::Dirs => !r.dirs.is_empty(),
        Capability::Env => !r.env.is_empty(),
        Capability::Args => r.args,
        Capability::Stdin => r.stdio.contains(&Stream::Stdin),
        Capability::Stdout => r.stdio.contains(&Stream::Stdout),
        Capability::Stderr => r.stdio.contains(&Stream::Stderr),
        Capability::WallClock => r.clocks.contains(&Clock::Wall),
        Capability::MonotonicClock => r.clocks.contains(&Clock::Monotonic),
        Capability::Random => r.random,
        Capability::Network => !r.network.is_empty(),
        Capability::Unknown => false,
    }
}

/// `, reads `NO_COLOR`, `TERM``: the variables the code reads, as far as the analysis sees them.
fn env_reads(env: &EnvReads) -> String {
    let names: Vec<String> = env.all_names().iter().map(|n| format!("`{n}`")).collect();
    match (names.is_empty(), env.all_named()) {
        (false, true) => format!(", reads {}", names.join(", ")),
        (false, false) => format!(
            ", reads {} and variables whose names the analysis cannot see",
            names.join(", ")
        ),
        (true, _) => ", reads variables whose names the analysis cannot see".to_string(),
    }
}

fn request_help(cap: &Capability, env: &EnvReads) -> String {
    let env_line;
    let line = match cap {
        Capability::Dirs => "dirs = { SLOT = \"read-only\" }",
        Capability::Env => {
            let mut names: Vec<String> =
                env.all_names().iter().map(|n| format!("\"{n}\"")).collect();
            if names.is_empty() || !env.all_named() {
                names.push("\"NAME\"".to_string());
            }
            env_line = format!("env = [{}]", names.join(", "));
            env_line.as_str()
        }
        Capability::Args => "args = true",
        Capability::Stdin => "stdio = [\"stdin\"]",
        Capability::Stdout => "stdio = [\"stdout\"]",
        Capability::Stderr => "stdio = [\"stderr\"]",
        Capability::WallClock => "clocks = [\"wall\"]",
        Capability::MonotonicClock => "clocks = [\"monotonic\"]",
        Capability::Random => "random = true",
        Capability::Network => "network = [\"HOST:PORT\"]",
        Capability::Unknown => {
            return "this interface is not supported by cargo-nano; the package cannot run as a nanoprocess".into();
        }
    };
    format!(
        "if the package needs it, add `{line}` to `[package.metadata.nano.requests]`; otherwise remove the code that reaches it"
    )
}

#[cfg(test)]
#[path = "policy_tests.rs"]
mod tests;
