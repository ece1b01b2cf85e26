//! Permissions as units of authority (one slot, one variable, one endpoint…), so that two sets
//! of requests or holdings can be compared item by item ([`crate::diff`]).

use std::fmt;

use manifest_schema::lockfile::LockedHoldings;
use manifest_schema::{Access, Capabilities, Clock, Stream};
use serde::Serialize;

/// One unit of authority: one slot, one variable, one stream, one endpoint…
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "capability", rename_all = "kebab-case")]
pub enum Permission {
    /// A directory slot.
    Dirs {
        /// The slot name.
        slot: String,
        /// The parent's slot it comes from, for a received slot of a child.
        #[serde(skip_serializing_if = "Option::is_none")]
        from: Option<String>,
        /// The subdirectory of the parent's slot.
        #[serde(skip_serializing_if = "Option::is_none")]
        path: Option<String>,
        /// The access.
        access: Access,
    },
    /// An environment variable.
    Env {
        /// Its name.
        name: String,
    },
    /// A standard stream.
    Stdio {
        /// The stream.
        stream: Stream,
    },
    /// A clock.
    Clocks {
        /// The clock.
        clock: Clock,
    },
    /// Random numbers.
    Random,
    /// A network endpoint.
    Network {
        /// `host:port`.
        endpoint: String,
    },
    /// Program arguments.
    Args,
}

impl Permission {
    /// Whether holding `self` gives at least what `other` gives: equal, or the same directory
    /// with at least the same access.
    pub fn covers(&self, other: &Permission) -> bool {
        match (self, other) {
            (
                Permission::Dirs {
                    slot,
                    from,
                    path,
                    access,
                },
                Permission::Dirs {
                    slot: s2,
                    from: f2,
                    path: p2,
                    access: a2,
                },
            ) => slot == s2 && from == f2 && path == p2 && access >= a2,
            _ => self == other,
        }
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Permission::Dirs {
                slot,
                from,
                path,
                access,
            } => {
                write!(f, "dirs `{slot}` ({access}")?;
                match (from, path) {
                    (Some(from), Some(path)) => write!(f, ", from `{from}/{path}`)"),
                    (Some(from), None) => write!(f, ", from `{from}`)"),
                    _ => write!(f, ")"),
                }
            }
            Permission::Env { name } => write!(f, "env `{name}`"),
            Permission::Stdio { stream } => write!(f, "stdio `{stream}`"),
            Permission::Clocks { clock } => write!(f, "clocks `{clock}`"),
            Permission::Random => write!(f, "random"),
            Permission::Network { endpoint } => write!(f, "network `{endpoint}`"),
            Permission::Args => write!(f, "args"),
        }
    }
}

/// The permissions of a manifest's requests.
pub fn requested(c: &Capabilities) -> Vec<Permission> {
    let mut out: Vec<Permission> = c
        .dirs
        .iter()
        .map(|(slot, access)| Permission::Dirs {
            slot: slot.clone(),
            from: None,
            path: None,
            access: *access,
        })
        .collect();
    out.extend(common(
        &c.env, &c.stdio, &c.clocks, c.random, &c.network, c.args,
    ));
    out
}

/// The permissions a nanoprocess holds.
pub fn held(h: &LockedHoldings) -> Vec<Permission> {
    let mut out: Vec<Permission> = h
        .dirs
        .iter()
        .map(|(slot, d)| Permission::Dirs {
            slot: slot.clone(),
            from: d.from.clone(),
            path: d.path.clone(),
            access: d.access,
        })
        .collect();
    out.extend(common(
        &h.env, &h.stdio, &h.clocks, h.random, &h.network, h.args,
    ));
    out
}

fn common<'a>(
    env: impl IntoIterator<Item = &'a String>,
    stdio: impl IntoIterator<Item = &'a Stream>,
    clocks: impl IntoIterator<Item = &'a Clock>,
    random: bool,
    network: impl IntoIterator<Item = &'a manifest_schema::Endpoint>,
    args: bool,
) -> Vec<Permission> {
    let mut out: Vec<Permission> = env
        .into_iter()
        .map(|name| Permission::Env { name: name.clone() })
        .collect();
    out.extend(stdio.into_iter().map(|s| Permission::Stdio { stream: *s }));
    out.extend(clocks.into_iter().map(|c| Permission::Clocks { clock: *c }));
    out.extend(random.then_some(Permission::Random));
    out.extend(network.into_iter().map(|e| Permission::Network {
        endpoint: e.to_string(),
    }));
    out.extend(args.then_some(Permission::Args));
    out
}
