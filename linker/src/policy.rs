//! Policy: what each instance holds (requests narrowed by grants), and whether a package's code
//! reaches only what its manifest requests.

use std::collections::BTreeSet;
use std::fmt;
use std::path::PathBuf;

use manifest_schema::plan::{DirBinding, Holdings};
use manifest_schema::{Access, Capabilities, Grant, NanoManifest};

use crate::graph::NanoGraph;
use crate::inspect::CrateReach;

#[path = "policy_place.rs"]
mod place;
#[path = "policy_reach.rs"]
mod reach;

pub use place::Place;
pub(crate) use place::REQUESTS;
pub use reach::check_syscalls;

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
    /// What it is about, for [`crate::findings`].
    pub subject: Subject,
    /// Where in `manifest_path` it is: the grant that gives too much or lacks what the child
    /// requests, or the requests that lack what the code reaches.
    pub place: Place,
    /// For a request its parent does not grant: the child's `Cargo.toml` and the request.
    pub requested: Option<(PathBuf, Place)>,
}

/// What a violation is about, structured for [`crate::findings`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// The package's code reaches a capability its manifest does not request.
    Reach {
        /// The capability, e.g. `env`, `clocks monotonic`.
        capability: String,
        /// The example path of the message.
        path: Vec<String>,
        /// Whether that path goes through an indirect call.
        indirect: bool,
        /// Each crate that reaches the capability, with an example path.
        crates: Vec<CrateReach>,
        /// For `env`: the variable names each crate reads (keyed like [`CrateReach::krate`]),
        /// as far as the analysis sees them.
        env: std::collections::BTreeMap<Option<String>, BTreeSet<String>>,
    },
    /// The package (the child) requests what its parent does not grant; the violation's manifest
    /// is the parent's.
    Ungranted {
        /// The parent's package name.
        parent: String,
        /// The child's name in the parent's `[dependencies]`: the key of its grant.
        key: String,
        /// The capability: `dirs`, `env`, `stdio`, `clocks`, `network`, `random`, `args`,
        /// `limits`.
        capability: String,
        /// The item requested, e.g. the variable's name; `None` for `random` and `args`.
        value: Option<String>,
    },
    /// The package (the parent) grants what it does not hold.
    BeyondHoldings {
        /// The key of the grant.
        key: String,
        /// The capability, as for [`Subject::Ungranted`].
        capability: String,
        /// The item granted.
        value: Option<String>,
    },
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
                    child_manifest: &pkg.info.manifest_path,
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

/// A capability and the item of it concerned (`None` for `random` and `args`).
type Item = (String, Option<String>);

/// A parent-child edge, for messages.
pub(crate) struct EdgeCtx<'a> {
    pub(crate) parent: &'a str,
    pub(crate) parent_manifest: &'a PathBuf,
    /// The child's package name.
    pub(crate) child: &'a str,
    /// The child's `Cargo.toml`.
    pub(crate) child_manifest: &'a PathBuf,
    /// The child's name in the parent's `[dependencies]`: the key of its grant.
    pub(crate) key: &'a str,
}

impl EdgeCtx<'_> {
    fn wider(&self, what: String, item: Item, violations: &mut Vec<Violation>) {
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
            place: Place::grant(self.key, &item.0, item.1.as_deref()),
            requested: None,
            subject: Subject::BeyondHoldings {
                key: self.key.to_string(),
                capability: item.0,
                value: item.1,
            },
        });
    }

    fn missing(&self, what: String, key: &str, item: Item, violations: &mut Vec<Violation>) {
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
            place: Place::grant(self.key, &item.0, item.1.as_deref()),
            requested: Some(self.requested(&item.0, item.1.as_deref())),
            subject: Subject::Ungranted {
                parent: self.parent.to_string(),
                key: self.key.to_string(),
                capability: item.0,
                value: item.1,
            },
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
            let item = ("dirs".to_string(), Some(slot.clone()));
            ctx.missing(format!("directory slot `{slot}`"), &key, item, violations);
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
        let line = format!("{key} = [\"{item}\"]");
        let subject = (key.to_string(), Some(item.to_string()));
        ctx.missing(format!("{what} `{item}`"), &line, subject, violations);
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
        let item = (key.to_string(), None);
        ctx.missing(
            format!("`{key}`"),
            &format!("{key} = true"),
            item,
            violations,
        );
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
        let item = || ("dirs".to_string(), Some(slot.clone()));
        match parent.dirs.get(&g.from) {
            None => {
                let what = format!("directory slot `{}` (as `{slot}`)", g.from);
                ctx.wider(what, item(), violations);
                Place::narrow_last(violations, "from");
            }
            Some(held)
                if g.access == Some(Access::ReadWrite) && held.access != Access::ReadWrite =>
            {
                let what = format!("read-write access to slot `{}`", g.from);
                ctx.wider(what, item(), violations);
                Place::narrow_last(violations, "access");
            }
            Some(_) => {}
        }
    }
    let sets = [
        (
            not_in(&grant.env, &parent.env),
            "environment variable",
            "env",
        ),
        (not_in(&grant.stdio, &parent.stdio), "stdio", "stdio"),
        (not_in(&grant.clocks, &parent.clocks), "clock", "clocks"),
        (
            not_in(&grant.network, &parent.network),
            "network",
            "network",
        ),
    ];
    for (extra, what, key) in sets {
        for item in extra {
            let what = format!("{what} `{item}`");
            ctx.wider(what, (key.to_string(), Some(item)), violations);
        }
    }
    if grant.random && !parent.random {
        ctx.wider("`random`".into(), ("random".into(), None), violations);
    }
    if grant.args && !parent.args {
        ctx.wider("`args`".into(), ("args".into(), None), violations);
    }
}

fn not_in<T: Ord + fmt::Display>(a: &BTreeSet<T>, b: &BTreeSet<T>) -> Vec<String> {
    a.difference(b).map(|x| x.to_string()).collect()
}

#[cfg(test)]
#[path = "policy_tests.rs"]
mod tests;
