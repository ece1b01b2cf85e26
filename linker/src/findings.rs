//! Findings: every problem or change cargo-nano reports about permissions, in one model that
//! every output format (human, JSON, Markdown, SARIF, GitHub annotations) renders.
//!
//! Three sources convert into findings:
//! - policy violations: a package's code reaches a capability its manifest does not request
//!   ([`Kind::UnrequestedReach`], from [`crate::policy::check_syscalls`]);
//! - grant violations: a package requests what its parent does not grant, or a parent grants
//!   what it does not hold ([`Kind::UngrantedRequest`], [`Kind::GrantBeyondHoldings`], from
//!   [`crate::policy::resolve_holdings`]);
//! - differences against `Nano.lock` ([`Kind::NewRequest`], [`Kind::NewGrant`],
//!   [`Kind::NewReach`], [`Kind::NewBuildPermission`] are growth; [`Kind::Dropped`] is not),
//!   from [`crate::diff`].
//!
//! Findings are grouped per package, crate and capability (a package requesting two new
//! variables is one finding with two values), so that one upgrade is a handful of findings a
//! reviewer reads, not one per syscall. Each points at the `Cargo.toml` line to review.

use std::path::{Path, PathBuf};

use serde::Serialize;

#[path = "findings_build.rs"]
mod from_build;
#[path = "findings_diff.rs"]
mod from_diff;
#[path = "findings_policy.rs"]
mod from_policy;

pub use from_diff::{Sources, of_diff};
pub use from_policy::{CrateIndex, of_violations};

/// What a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A package's code reaches a capability its manifest does not request (policy violation).
    UnrequestedReach,
    /// A package requests something its parent does not grant (grant violation).
    UngrantedRequest,
    /// A parent grants something it does not hold itself (grant violation).
    GrantBeyondHoldings,
    /// A crate reaches a capability, or reads a variable by a name, that `Nano.lock` does not
    /// record for it (growth).
    NewReach,
    /// A package requests something `Nano.lock` does not record (growth).
    NewRequest,
    /// A nanoprocess receives something from its parent that `Nano.lock` does not record
    /// (growth).
    NewGrant,
    /// A crate's build script or proc macro may do more at build time (network, reading or
    /// writing a tree) than `Nano.lock` records for it and its version (growth).
    NewBuildPermission,
    /// A package requests, receives or reaches less than `Nano.lock` records (not growth).
    Dropped,
}

impl Kind {
    /// Every kind, most important first: the order of [`Kind::rule`] indexes in SARIF.
    pub const ALL: [Kind; 8] = [
        Kind::UnrequestedReach,
        Kind::UngrantedRequest,
        Kind::GrantBeyondHoldings,
        Kind::NewReach,
        Kind::NewRequest,
        Kind::NewGrant,
        Kind::NewBuildPermission,
        Kind::Dropped,
    ];

    /// The rule id, e.g. `nano/unrequested-reach`.
    pub fn rule(self) -> &'static str {
        match self {
            Kind::UnrequestedReach => "nano/unrequested-reach",
            Kind::UngrantedRequest => "nano/ungranted-request",
            Kind::GrantBeyondHoldings => "nano/grant-beyond-holdings",
            Kind::NewReach => "nano/new-reach",
            Kind::NewRequest => "nano/new-request",
            Kind::NewGrant => "nano/new-grant",
            Kind::NewBuildPermission => "nano/new-build-permission",
            Kind::Dropped => "nano/dropped-permission",
        }
    }

    /// One sentence on what the rule finds.
    pub fn description(self) -> &'static str {
        match self {
            Kind::UnrequestedReach => {
                "A nano package's code reaches a capability its manifest does not request"
            }
            Kind::UngrantedRequest => {
                "A nano package requests a capability its parent does not grant"
            }
            Kind::GrantBeyondHoldings => "A nano package grants a capability it does not hold",
            Kind::NewReach => {
                "A crate inside a nano package reaches a capability, or reads an environment variable, that Nano.lock does not record for it"
            }
            Kind::NewRequest => {
                "A nano package requests a capability that Nano.lock does not record"
            }
            Kind::NewGrant => {
                "A nanoprocess receives a capability from its parent that Nano.lock does not record"
            }
            Kind::NewBuildPermission => {
                "A crate's build script or proc macro may use the network, read or write more at build time than Nano.lock records for it and its version"
            }
            Kind::Dropped => {
                "A nano package requests, receives or reaches less than Nano.lock records, or a crate may do less at build time"
            }
        }
    }

    /// What to do about a finding of this kind, in general (each finding has its own help).
    pub fn help(self) -> &'static str {
        match self {
            Kind::UnrequestedReach => {
                "Request the capability in `[package.metadata.nano.requests]` if the package needs it; otherwise remove the code that reaches it."
            }
            Kind::UngrantedRequest => {
                "Grant it in the parent's `[package.metadata.nano.grants.CHILD]` if the child should have it; otherwise do not depend on a version that needs it."
            }
            Kind::GrantBeyondHoldings => {
                "A grant can only narrow what the granter holds: remove it from the grant, or request it in the granter's manifest."
            }
            Kind::NewReach => {
                "Review the crate, its new version and the call path; accept it with `cargo nano lock --update`."
            }
            Kind::NewRequest => {
                "Review the package's new request; accept it with `cargo nano lock --update`."
            }
            Kind::NewGrant => "Review the grant; accept it with `cargo nano lock --update`.",
            Kind::NewBuildPermission => {
                "Review what the crate's build script or proc macro does with it (at this version); accept it with `cargo nano lock --update`, or remove it from `[workspace.metadata.nano.build.CRATE]` in the workspace's `Cargo.toml`."
            }
            Kind::Dropped => "Nothing to do: run `cargo nano lock` to record the smaller set.",
        }
    }

    /// Whether findings of this kind fail the build or the gate (all but [`Kind::Dropped`]).
    pub fn is_error(self) -> bool {
        self != Kind::Dropped
    }

    /// Whether this is a policy or grant violation rather than a difference against the lock.
    pub fn is_violation(self) -> bool {
        matches!(
            self,
            Kind::UnrequestedReach | Kind::UngrantedRequest | Kind::GrantBeyondHoldings
        )
    }
}

/// A crate linked into a nano package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CrateRef {
    /// The Cargo package name of the crate (`fmtlib`), or the Rust crate name when Cargo's is
    /// unknown.
    pub name: String,
    /// Its versions as shown to people: `0.2.0`, `0.1.0 → 0.2.0`, `1.0.0 (new)`; empty when
    /// unknown.
    pub versions: String,
}

/// Where a finding points: a line of a `Cargo.toml` (or of `Nano.lock` for a package that is not
/// in the tree any more).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    /// The file, as found (absolute for manifests Cargo reported).
    pub file: PathBuf,
    /// The 1-based line.
    pub line: usize,
}

/// One finding: what is wrong or changed, for one package, crate and capability.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Finding {
    /// What it is.
    pub kind: Kind,
    /// The package it is about (for a grant beyond holdings, the granter).
    pub package: String,
    /// The package with its versions, e.g. `notifier 1.0.0 → 1.1.0`, or its name alone.
    pub title: String,
    /// The crate whose code reaches the capability, for reaches.
    #[serde(rename = "crate", skip_serializing_if = "Option::is_none")]
    pub krate: Option<CrateRef>,
    /// The capability: `dirs`, `env`, `stdio`, `clocks`, `random`, `network`, `args`, `limits`,
    /// and for reaches the precise one (`stdio stderr`, `clocks monotonic`).
    pub capability: String,
    /// The items of the capability concerned (variable names, endpoints, slots…); may be empty.
    pub values: Vec<String>,
    /// For a received permission, the instance path (`app/notifier`); for a grant violation,
    /// the key of the grant in the parent's manifest (`notifier`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// One line, e.g. ``requests env `NOTIFY_TOKEN` `` (without the package title).
    pub message: String,
    /// An example call path from an export to the syscall, for reaches; empty otherwise.
    pub path: Vec<String>,
    /// Whether the call path goes through an indirect call, resolved conservatively.
    pub indirect: bool,
    /// Supporting facts.
    pub notes: Vec<String>,
    /// How to fix it or accept it.
    pub help: String,
    /// The `Cargo.toml` line to review.
    pub location: Location,
}

impl Finding {
    /// Whether it fails the build or the gate.
    pub fn is_error(&self) -> bool {
        self.kind.is_error()
    }

    /// What the finding is about, stable across versions and wording: package, kind, crate,
    /// capability and instance (for fingerprints).
    pub fn key(&self) -> String {
        let krate = self.krate.as_ref().map_or("", |c| c.name.as_str());
        let instance = self.instance.as_deref().unwrap_or("");
        format!(
            "{}:{}:{krate}:{}:{instance}",
            self.package,
            self.kind.rule(),
            self.capability
        )
    }
}

/// Sorts findings most important first: errors by kind, then the rest; stable otherwise, so
/// findings of one package stay in the order they were produced.
pub fn by_importance(findings: &[Finding]) -> Vec<&Finding> {
    let mut sorted: Vec<&Finding> = findings.iter().collect();
    sorted.sort_by_key(|f| f.kind);
    sorted
}

/// The line of a nano manifest's `table` (`requests`, `grants.notifier`), or of its `key`
/// inside it (`env`), in the `Cargo.toml` at `manifest`; the line of `[package.metadata.nano]`
/// when neither is written out; line 1 when the file cannot be read or has no nano table.
pub fn locate(manifest: &Path, table: &str, key: Option<&str>) -> Location {
    let text = std::fs::read_to_string(manifest).unwrap_or_default();
    Location {
        file: manifest.to_path_buf(),
        line: line_in(&text, table, key).unwrap_or(1),
    }
}

/// [`locate`] on a manifest's text. A line search rather than a TOML parse: manifests are
/// written in a handful of shapes (`[package.metadata.nano.requests]` tables, or dotted and
/// inline keys under `[package.metadata.nano]`), and a line is all a finding needs.
pub fn line_in(text: &str, table: &str, key: Option<&str>) -> Option<usize> {
    let lines: Vec<&str> = text.lines().map(str::trim_start).collect();
    let header = |name: &str| {
        lines
            .iter()
            .position(|l| is_header(l, name))
            .map(|i| (i, section_end(&lines, i)))
    };
    // `[package.metadata.nano.requests]`, then the key inside it.
    if let Some((start, end)) = header(&format!("package.metadata.nano.{table}")) {
        let found = key.and_then(|k| find_key(&lines[start + 1..end], &[k]));
        return Some(start + 1 + found.map_or(0, |i| i + 1));
    }
    // `requests.env = …`, `requests = { env = … }` under `[package.metadata.nano]`.
    let (start, end) = header("package.metadata.nano")?;
    let body = &lines[start + 1..end];
    let dotted = key.map(|k| format!("{table}.{k}"));
    // The most precise first; `grants = { child = … }` is found by its first segment.
    let top = table.split('.').next().unwrap_or(table);
    let keys: Vec<&str> = dotted
        .iter()
        .map(String::as_str)
        .chain([table, top])
        .collect();
    let found = find_key(body, &keys).map_or(start, |i| start + 1 + i);
    Some(found + 1)
}

/// Whether `line` is the header `[name]` (spaces and a comment allowed).
fn is_header(line: &str, name: &str) -> bool {
    let Some(rest) = line.strip_prefix('[') else {
        return false;
    };
    let inner = rest.split(']').next().unwrap_or("");
    let unquoted: String = inner.chars().filter(|c| !matches!(c, ' ' | '"')).collect();
    !rest.starts_with('[') && unquoted == name
}

/// The index after the last line of the section starting at `start`.
fn section_end(lines: &[&str], start: usize) -> usize {
    lines[start + 1..]
        .iter()
        .position(|l| l.starts_with('['))
        .map_or(lines.len(), |i| start + 1 + i)
}

/// The first line of `body` that assigns one of `keys` (in order of preference).
fn find_key(body: &[&str], keys: &[&str]) -> Option<usize> {
    keys.iter().find_map(|key| {
        body.iter().position(|l| {
            l.strip_prefix(key)
                .or_else(|| l.strip_prefix(&format!("\"{key}\"")))
                .is_some_and(|rest| {
                    let rest = rest.trim_start();
                    rest.starts_with('=') || rest.starts_with('.')
                })
        })
    })
}

#[cfg(test)]
#[path = "findings_tests.rs"]
mod tests;
