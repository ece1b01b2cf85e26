//! Findings of the build-time crates of a difference against `Nano.lock`: per crate and
//! permission key (`network`, `read`, `write`), what its build script or proc macro may newly do
//! ([`Kind::NewBuildPermission`]) or no longer do ([`Kind::Dropped`]). Each points at the
//! crate's `[workspace.metadata.nano.build.CRATE]` line in the workspace's `Cargo.toml`, where
//! the consumer declared it.

use std::path::Path;

use super::from_diff::Sources;
use super::{CrateRef, Finding, Kind, Location};
use crate::diff::{BuildDiff, BuildPermission, PackageDiff};

/// Appends the findings of `p`'s build-time crates to `out`: gained permissions when `gained`,
/// else lost ones. `base` is a finding of the package to fill in.
pub(super) fn findings(
    p: &PackageDiff,
    sources: &Sources,
    gained: bool,
    base: &Finding,
    out: &mut Vec<Finding>,
) {
    for build in &p.build {
        let list = if gained {
            &build.permissions.added
        } else {
            &build.permissions.removed
        };
        for key in ["network", "read", "write"] {
            let of_key: Vec<&BuildPermission> = list.iter().filter(|x| x.key() == key).collect();
            if of_key.is_empty() {
                continue;
            }
            let values: Vec<String> = of_key
                .iter()
                .filter_map(|x| match x {
                    BuildPermission::Network => None,
                    BuildPermission::Read(path) | BuildPermission::Write(path) => {
                        Some(path.clone())
                    }
                })
                .collect();
            let kind = if gained {
                Kind::NewBuildPermission
            } else {
                Kind::Dropped
            };
            let location = locate(&sources.workspace_manifest(), &build.name, key);
            out.push(Finding {
                kind,
                message: message(build, key, &values, gained),
                krate: Some(CrateRef {
                    name: build.name.clone(),
                    versions: build.versions(),
                }),
                capability: format!("build {key}"),
                values,
                location,
                help: help(build, kind),
                notes: notes(build, gained),
                ..base.clone()
            });
        }
    }
}

/// ``crate `openssl-src` 300.2.0 (build script) may read `vendor` at build time``.
fn message(build: &BuildDiff, key: &str, values: &[String], gained: bool) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
    let what = match key {
        "network" => "use the network".to_string(),
        _ => format!("{key} {}", quoted.join(", ")),
    };
    let may = if gained { "may" } else { "may no longer" };
    let versions = match build.versions() {
        v if v.is_empty() => String::new(),
        v => format!(" {v}"),
    };
    format!(
        "crate `{}`{versions} ({}) {may} {what} at build time",
        build.name,
        build.what()
    )
}

/// The rule's help, naming the crate's table for a gained permission.
fn help(build: &BuildDiff, kind: Kind) -> String {
    if kind != Kind::NewBuildPermission {
        return kind.help().into();
    }
    format!(
        "Review what the {} of `{}` does with it (at this version); accept it with `cargo nano lock --update`, or remove it from `[workspace.metadata.nano.build.{}]` in the workspace's `Cargo.toml`.",
        build.what(),
        build.name,
        build.name
    )
}

fn notes(build: &BuildDiff, gained: bool) -> Vec<String> {
    let mut out = Vec::new();
    if gained && build.other_version {
        out.push(format!(
            "`Nano.lock` records build permissions of `{}` for {} only: a new version is new code, reviewed again",
            build.name,
            build.old_version.join(", ")
        ));
    }
    if gained {
        out.push(format!(
            "declared in `[workspace.metadata.nano.build.{}]` of the workspace's `Cargo.toml`",
            build.name
        ));
    }
    out
}

/// The line of `key` in `[workspace.metadata.nano.build.CRATE]` of the manifest at `manifest`
/// (the crate written with `-` or `_`, quoted or not), of the table when the key is not on a
/// line of its own, of `[workspace.metadata.nano.build]`, or line 1.
fn locate(manifest: &Path, krate: &str, key: &str) -> Location {
    let text = std::fs::read_to_string(manifest).unwrap_or_default();
    Location {
        file: manifest.to_path_buf(),
        line: line_of(&text, krate, key).unwrap_or(1),
    }
}

/// [`locate`] on a manifest's text.
pub(super) fn line_of(text: &str, krate: &str, key: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().map(str::trim_start).collect();
    let bare = |l: &str| -> String {
        let inner = l.strip_prefix('[').and_then(|r| r.split(']').next());
        inner
            .unwrap_or("")
            .chars()
            .filter(|c| !matches!(c, ' ' | '"' | '\''))
            .collect::<String>()
            .replace('-', "_")
    };
    let table = format!("workspace.metadata.nano.build.{}", krate.replace('-', "_"));
    if let Some(start) = lines.iter().position(|l| bare(l) == table) {
        let end = lines[start + 1..]
            .iter()
            .position(|l| l.starts_with('['))
            .map_or(lines.len(), |i| start + 1 + i);
        let found = lines[start + 1..end].iter().position(|l| {
            l.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        });
        return Some(start + 1 + found.map_or(0, |i| i + 1));
    }
    // `CRATE = { … }` under `[workspace.metadata.nano.build]`.
    let parent = lines
        .iter()
        .position(|l| bare(l) == "workspace.metadata.nano.build")?;
    let names = [
        krate.to_string(),
        krate.replace('-', "_"),
        krate.replace('_', "-"),
    ];
    let entry = lines[parent + 1..]
        .iter()
        .take_while(|l| !l.starts_with('['))
        .position(|l| {
            let name = l.split('=').next().unwrap_or("").trim().trim_matches('"');
            names.iter().any(|n| n == name)
        });
    Some(parent + 1 + entry.map_or(0, |i| i + 1))
}

#[cfg(test)]
mod tests {
    use super::line_of;

    #[test]
    fn the_key_of_the_crates_table_is_found_however_the_crate_is_written() {
        let text = "[workspace]\n\n[workspace.metadata.nano.build.\"openssl_src\"]\n\
                    read = [\"vendor\"]\nnetwork = true\n\n[workspace.metadata.nano.build.cc]\n";
        assert_eq!(line_of(text, "openssl-src", "network"), Some(5));
        assert_eq!(line_of(text, "openssl-src", "write"), Some(3));
        let inline = "[workspace.metadata.nano.build]\nx = {}\ncc = { network = true }\n";
        assert_eq!(line_of(inline, "cc", "network"), Some(3));
        assert_eq!(line_of("[workspace]\n", "cc", "network"), None);
    }
}
