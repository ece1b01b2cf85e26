//! The diff as stable JSON (format 1, documented in `docs/lockfile.md`).

use linker::diff::{Change, Delta, EdgeDiff, PackageDiff, Permission, PermissionDiff};
use manifest_schema::lockfile::LockedSyscall;
use serde::Serialize;

/// The version of the JSON format.
pub const JSON_FORMAT: u32 = 1;

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Document<'a> {
    format: u32,
    base: &'a str,
    grew: bool,
    packages: Vec<Package<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Package<'a> {
    name: &'a str,
    change: Change,
    old_version: Option<&'a str>,
    new_version: Option<&'a str>,
    grew: bool,
    checksum_changed: bool,
    requests: &'a Delta<Permission>,
    received: &'a [EdgeDiff],
    syscalls: Syscalls<'a>,
}

#[derive(Serialize)]
struct Syscalls<'a> {
    added: Vec<Syscall<'a>>,
    removed: Vec<Syscall<'a>>,
}

#[derive(Serialize)]
struct Syscall<'a> {
    name: &'a str,
    capability: Option<&'a str>,
    #[serde(rename = "crate")]
    krate: &'a str,
    path: &'a [String],
    indirect: bool,
}

fn syscalls(list: &[LockedSyscall]) -> Vec<Syscall<'_>> {
    list.iter()
        .map(|s| Syscall {
            name: &s.name,
            capability: s.capability.as_deref(),
            krate: &s.krate,
            path: &s.path,
            indirect: s.indirect,
        })
        .collect()
}

fn package(p: &PackageDiff) -> Package<'_> {
    Package {
        name: &p.name,
        change: p.change,
        old_version: p.old_version.as_deref(),
        new_version: p.new_version.as_deref(),
        grew: p.grew(),
        checksum_changed: p.checksum_changed,
        requests: &p.requests,
        received: &p.received,
        syscalls: Syscalls {
            added: syscalls(&p.syscalls.added),
            removed: syscalls(&p.syscalls.removed),
        },
    }
}

/// Renders `diff` against `base` as pretty JSON, with a final newline.
pub fn render(diff: &PermissionDiff, base: &str) -> String {
    let doc = Document {
        format: JSON_FORMAT,
        base,
        grew: diff.grew(),
        packages: diff.packages.iter().map(package).collect(),
    };
    // Plain data (strings, numbers, booleans, arrays, maps with string keys) always serializes.
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}
