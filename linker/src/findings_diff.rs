//! Findings of a difference against `Nano.lock`: per package, its new and dropped requests and
//! received permissions grouped by capability (and instance), and its crates' reaches grouped
//! by crate and capability (a crate's new environment variable names join its `env` reach).

use std::collections::BTreeMap;
use std::path::PathBuf;

use manifest_schema::lockfile::LockedPath;

use super::{CrateRef, Finding, Kind, Location};
use crate::diff::{CrateDiff, PackageDiff, Permission, PermissionDiff};
use crate::pipeline::BuildReport;

/// Where the packages of a build are: their manifests, and the package of each instance.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// Package name → its `Cargo.toml`, for packages Cargo found on a local path (a package from
    /// a registry or git is reviewed in `Nano.lock`).
    pub manifests: BTreeMap<String, PathBuf>,
    /// Instance path (`app/notifier`) → package name.
    pub instances: BTreeMap<String, String>,
    /// `Nano.lock`.
    pub lock: PathBuf,
}

impl Sources {
    /// The sources of a successful build, whose lock is `lock`.
    pub fn of_report(report: &BuildReport, lock: PathBuf) -> Self {
        Sources {
            manifests: report
                .packages
                .iter()
                .filter(|p| p.source.is_none())
                .map(|p| (p.name.clone(), p.manifest_path.clone()))
                .collect(),
            instances: report
                .plan
                .instances
                .iter()
                .map(|i| (i.id.clone(), i.package.clone()))
                .collect(),
            lock,
        }
    }

    /// The workspace's `Cargo.toml`, next to `Nano.lock`: where build permissions are declared.
    pub(super) fn workspace_manifest(&self) -> PathBuf {
        self.lock.with_file_name("Cargo.toml")
    }

    /// The line of `table`/`key` in `package`'s manifest, or of the package in the lock.
    fn locate(&self, package: &str, table: &str, key: Option<&str>) -> Location {
        match self.manifests.get(package) {
            Some(path) => super::locate(path, table, key),
            None => {
                let text = std::fs::read_to_string(&self.lock).unwrap_or_default();
                let needle = format!("name = \"{package}\"");
                let line = text.lines().position(|l| l.trim() == needle);
                Location {
                    file: self.lock.clone(),
                    line: line.map_or(1, |i| i + 1),
                }
            }
        }
    }
}

/// The findings of `diff`: growth ([`Kind::NewRequest`], [`Kind::NewGrant`],
/// [`Kind::NewReach`], [`Kind::NewBuildPermission`]) and losses ([`Kind::Dropped`]), package by
/// package.
pub fn of_diff(diff: &PermissionDiff, sources: &Sources) -> Vec<Finding> {
    let mut out = Vec::new();
    for p in &diff.packages {
        let (mut added, mut removed) = (Vec::new(), Vec::new());
        package_findings(p, sources, true, &mut added);
        package_findings(p, sources, false, &mut removed);
        out.extend(added);
        out.extend(removed);
    }
    out
}

fn package_findings(p: &PackageDiff, sources: &Sources, gained: bool, out: &mut Vec<Finding>) {
    let pick = |d: &crate::diff::Delta<Permission>| -> Vec<Permission> {
        if gained {
            d.added.clone()
        } else {
            d.removed.clone()
        }
    };
    let kind = |k: Kind| if gained { k } else { Kind::Dropped };
    let base = Finding {
        kind: Kind::Dropped,
        package: p.name.clone(),
        title: p.title(),
        krate: None,
        capability: String::new(),
        values: vec![],
        instance: None,
        message: String::new(),
        path: vec![],
        indirect: false,
        notes: vec![],
        help: String::new(),
        location: Location {
            file: PathBuf::new(),
            line: 1,
        },
    };
    for (cap, values) in by_capability(&pick(&p.requests)) {
        let kind = kind(Kind::NewRequest);
        out.push(Finding {
            kind,
            message: format!("requests {}", shown(&cap, &values)),
            location: sources.locate(&p.name, "requests", Some(&cap)),
            help: kind.help().into(),
            capability: cap,
            values: raw(&values),
            ..base.clone()
        });
    }
    for edge in &p.received {
        for (cap, values) in by_capability(&pick(&edge.delta)) {
            let kind = kind(Kind::NewGrant);
            let mut segments = edge.instance.rsplitn(2, '/');
            let key = segments.next().unwrap_or_default();
            let location = match segments.next() {
                Some(parent) => {
                    let owner = sources.instances.get(parent).map_or(parent, String::as_str);
                    // The grant's table: the decision under review is what this parent
                    // passes to this child.
                    sources.locate(owner, &format!("grants.{key}"), None)
                }
                // The top package receives what the user binds: its requests are the place.
                None => sources.locate(&p.name, "requests", Some(&cap)),
            };
            out.push(Finding {
                kind,
                message: format!("receives {} (as `{}`)", shown(&cap, &values), edge.instance),
                location,
                help: kind.help().into(),
                instance: Some(edge.instance.clone()),
                capability: cap,
                values: raw(&values),
                ..base.clone()
            });
        }
    }
    for krate in &p.crates {
        let reaches = if gained {
            &krate.reaches.added
        } else {
            &krate.reaches.removed
        };
        let names = if gained {
            &krate.env.added
        } else {
            &krate.env.removed
        };
        let env_reach = reaches.iter().any(|r| r.capability == "env");
        let kind = kind(Kind::NewReach);
        for reach in reaches {
            let merged: &[String] = if reach.capability == "env" {
                names
            } else {
                &[]
            };
            out.push(Finding {
                kind,
                message: reach_message(krate, reach, gained, merged),
                krate: Some(crate_ref(krate)),
                location: sources.locate(&p.name, "requests", Some(first_word(&reach.capability))),
                help: kind.help().into(),
                capability: reach.capability.clone(),
                values: merged.to_vec(),
                path: reach.path.clone(),
                indirect: reach.indirect,
                notes: indirect_note(reach.indirect),
                ..base.clone()
            });
        }
        if !env_reach && !names.is_empty() {
            let verb = if gained {
                "now reads"
            } else {
                "no longer reads"
            };
            let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
            out.push(Finding {
                kind,
                message: format!(
                    "crate `{}`{} {verb} env {}",
                    krate.name,
                    versions(krate),
                    quoted.join(", ")
                ),
                krate: Some(crate_ref(krate)),
                location: sources.locate(&p.name, "requests", Some("env")),
                help: kind.help().into(),
                capability: "env".into(),
                values: names.clone(),
                ..base.clone()
            });
        }
    }
    super::from_build::findings(p, sources, gained, &base, out);
}

fn reach_message(krate: &CrateDiff, reach: &LockedPath, gained: bool, names: &[String]) -> String {
    let verb = if gained {
        "now reaches"
    } else {
        "no longer reaches"
    };
    let indirect = if reach.indirect {
        " (indirect calls only)"
    } else {
        ""
    };
    let mut text = format!(
        "crate `{}`{} {verb} `{}`{indirect}",
        krate.name,
        versions(krate),
        reach.capability
    );
    if !names.is_empty() {
        let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
        let verb = if gained { "reads" } else { "read" };
        text.push_str(&format!(" and {verb} {}", quoted.join(", ")));
    }
    text
}

pub(super) fn indirect_note(indirect: bool) -> Vec<String> {
    if indirect {
        vec!["the path goes through an indirect call, resolved conservatively".into()]
    } else {
        vec![]
    }
}

fn versions(krate: &CrateDiff) -> String {
    match krate.versions() {
        v if v.is_empty() => String::new(),
        v => format!(" {v}"),
    }
}

fn crate_ref(krate: &CrateDiff) -> CrateRef {
    CrateRef {
        name: krate.name.clone(),
        versions: krate.versions(),
    }
}

/// `clocks` of `clocks monotonic`: the manifest key of a precise capability.
pub(super) fn first_word(capability: &str) -> &str {
    capability.split(' ').next().unwrap_or(capability)
}

/// Permissions grouped by capability in order of first appearance, each as its shown value
/// (`` `NOTIFY_TOKEN` ``; empty for `random` and `args`).
fn by_capability(list: &[Permission]) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for p in list {
        let (cap, value) = split(p);
        match out.iter_mut().find(|(c, _)| *c == cap) {
            Some((_, values)) => values.extend(value),
            None => out.push((cap, value.into_iter().collect())),
        }
    }
    out
}

/// A permission's capability and its value as displayed, e.g. `env` and `` `TOKEN` ``.
fn split(p: &Permission) -> (String, Option<String>) {
    let shown = p.to_string();
    let cap = first_word(&shown).to_string();
    let value = shown[cap.len()..].trim();
    (cap, (!value.is_empty()).then(|| value.to_string()))
}

fn shown(cap: &str, values: &[String]) -> String {
    if values.is_empty() {
        cap.to_string()
    } else {
        format!("{cap} {}", values.join(", "))
    }
}

fn raw(values: &[String]) -> Vec<String> {
    values.iter().map(|v| v.replace('`', "")).collect()
}
