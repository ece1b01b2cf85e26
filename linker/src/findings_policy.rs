//! Findings of policy and grant violations: one per package, crate and capability for code that
//! reaches what its manifest does not request, one per package, grant and capability for
//! requests a parent does not grant and grants beyond what the granter holds.

use std::collections::BTreeMap;

use super::from_diff::{first_word, indirect_note};
use super::{CrateRef, Finding, Kind, Location, locate};
use crate::attribution::{LinkedCrate, linked_crates, rust_name};
use crate::graph::PackageInfo;
use crate::policy::{Subject, Violation};

/// The versions of nano packages and of the crates linked into each, to name them in findings
/// (a build that fails on policy has no report to take them from).
#[derive(Debug, Clone, Default)]
pub struct CrateIndex {
    /// Nano package name → its version and its linked crates by Rust crate name.
    packages: BTreeMap<String, (String, BTreeMap<String, LinkedCrate>)>,
}

impl CrateIndex {
    /// The index of the packages Cargo resolved ([`crate::workspace::Workspace::packages`]).
    pub fn new(packages: &[PackageInfo]) -> Self {
        let mut index = CrateIndex::default();
        for p in packages.iter().filter(|p| p.manifest.is_some()) {
            index
                .packages
                .entry(p.name.clone())
                .or_insert_with(|| (p.version.to_string(), linked_crates(packages, &p.id)));
        }
        index
    }

    /// `notifier 1.0.0`, or the name alone when the package is unknown.
    fn title(&self, package: &str) -> String {
        match self.packages.get(package) {
            Some((version, _)) => format!("{package} {version}"),
            None => package.to_string(),
        }
    }

    /// The crate of `package` whose Rust name is `krate` (`None`: the package's own code).
    fn krate(&self, package: &str, krate: Option<&str>) -> CrateRef {
        let own = rust_name(package);
        let rust = krate.unwrap_or(&own);
        let linked = self.packages.get(package).and_then(|(_, c)| c.get(rust));
        match linked {
            Some(c) => CrateRef {
                name: c.package.clone(),
                versions: c
                    .versions
                    .iter()
                    .map(|v| v.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            },
            None if rust == own => CrateRef {
                name: package.to_string(),
                versions: self
                    .packages
                    .get(package)
                    .map(|(v, _)| v.clone())
                    .unwrap_or_default(),
            },
            None => CrateRef {
                name: rust.to_string(),
                versions: String::new(),
            },
        }
    }
}

/// The findings of policy and grant violations, grouped per package, crate (or grant) and
/// capability, in the order of the violations.
pub fn of_violations(violations: &[Violation], index: &CrateIndex) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    for v in violations {
        match &v.subject {
            Subject::Reach {
                capability,
                path,
                indirect,
                crates,
                env,
            } => {
                let location = locate(&v.manifest_path, "requests", Some(first_word(capability)));
                // Without per-crate reaches (an export reaching the syscall through plumbing
                // only), the package's own code is responsible.
                let mut reaches: Vec<(Option<&str>, &[String], bool)> = crates
                    .iter()
                    .map(|c| {
                        (
                            c.krate.as_deref(),
                            c.reach.path.as_slice(),
                            c.reach.indirect,
                        )
                    })
                    .collect();
                if reaches.is_empty() {
                    reaches.push((None, path, *indirect));
                }
                let mut seen = Vec::new();
                for (key, path, indirect) in reaches {
                    let krate = index.krate(&v.package, key);
                    if seen.contains(&krate.name) {
                        continue;
                    }
                    // The names this crate reads: keyed by its Rust name, or by none for the
                    // package's own code inlined into its exports.
                    let mut names: Vec<String> = Vec::new();
                    for (k, set) in env {
                        if index.krate(&v.package, k.as_deref()).name == krate.name {
                            names.extend(set.iter().cloned());
                        }
                    }
                    names.sort();
                    names.dedup();
                    seen.push(krate.name.clone());
                    out.push(reach_finding(
                        v, index, krate, capability, &names, path, indirect, &location,
                    ));
                }
            }
            Subject::Ungranted {
                parent,
                key,
                capability,
                value,
            } => {
                let message = |values: &str| {
                    format!("requests {values}, which its parent `{parent}` does not grant")
                };
                grant_finding(
                    &mut out,
                    v,
                    index,
                    Kind::UngrantedRequest,
                    key,
                    capability,
                    value,
                    &message,
                );
            }
            Subject::BeyondHoldings {
                key,
                capability,
                value,
            } => {
                let message =
                    |values: &str| format!("grants {values} to `{key}`, but does not hold it");
                grant_finding(
                    &mut out,
                    v,
                    index,
                    Kind::GrantBeyondHoldings,
                    key,
                    capability,
                    value,
                    &message,
                );
            }
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn reach_finding(
    v: &Violation,
    index: &CrateIndex,
    krate: CrateRef,
    capability: &str,
    env: &[String],
    path: &[String],
    indirect: bool,
    location: &Location,
) -> Finding {
    let versions = match krate.versions.as_str() {
        "" => String::new(),
        v => format!(" {v}"),
    };
    let mut message = format!("crate `{}`{versions} reaches `{capability}`", krate.name);
    if !env.is_empty() {
        let names: Vec<String> = env.iter().map(|n| format!("`{n}`")).collect();
        message.push_str(&format!(" (reads {})", names.join(", ")));
    }
    message.push_str(&format!(
        ", which the manifest of `{}` does not request",
        v.package
    ));
    Finding {
        kind: Kind::UnrequestedReach,
        package: v.package.clone(),
        title: index.title(&v.package),
        krate: Some(krate),
        capability: capability.to_string(),
        values: env.to_vec(),
        instance: None,
        message,
        path: path.to_vec(),
        indirect,
        notes: indirect_note(indirect),
        help: v.help.clone(),
        location: location.clone(),
    }
}

/// Adds a grant violation to the finding of the same package, grant and capability, or a new one.
#[allow(clippy::too_many_arguments)]
fn grant_finding(
    out: &mut Vec<Finding>,
    v: &Violation,
    index: &CrateIndex,
    kind: Kind,
    key: &str,
    capability: &str,
    value: &Option<String>,
    message: &dyn Fn(&str) -> String,
) {
    let same = |f: &&mut Finding| {
        f.kind == kind
            && f.package == v.package
            && f.instance.as_deref() == Some(key)
            && f.capability == capability
    };
    let finding = match out.iter_mut().find(same) {
        Some(f) => {
            // Several items: the per-item help lines would repeat; the general one fits all.
            f.help = kind.help().to_string();
            f
        }
        None => {
            out.push(Finding {
                kind,
                package: v.package.clone(),
                title: index.title(&v.package),
                krate: None,
                capability: capability.to_string(),
                values: vec![],
                instance: Some(key.to_string()),
                message: String::new(),
                path: vec![],
                indirect: false,
                notes: v.notes.clone(),
                help: v.help.clone(),
                location: locate(&v.manifest_path, &format!("grants.{key}"), Some(capability)),
            });
            out.last_mut().expect("just pushed")
        }
    };
    finding.values.extend(value.clone());
    let quoted: Vec<String> = finding.values.iter().map(|x| format!("`{x}`")).collect();
    let shown = match quoted.is_empty() {
        true => capability.to_string(),
        false => format!("{capability} {}", quoted.join(", ")),
    };
    finding.message = message(&shown);
}
