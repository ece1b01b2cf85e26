//! Findings and the diff as stable JSON (format 2, documented in `docs/lockfile.md`).

use linker::diff::{
    BuildDiff, BuildPermission, Change, CrateDiff, Delta, EdgeDiff, PackageDiff, Permission,
};
use linker::findings::Finding;
use manifest_schema::lockfile::BuildRun;
use manifest_schema::lockfile::LockedPath;
use serde::Serialize;
use serde_json::Value;

use super::{Places, Report};

/// The version of the JSON format.
pub const JSON_FORMAT: u32 = 2;

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Document<'a> {
    format: u32,
    /// `null` when nothing was compared (a policy violation stopped the build, or no lock).
    base: Option<&'a str>,
    grew: bool,
    violated: bool,
    packages: Vec<Package<'a>>,
    findings: Vec<Value>,
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
    crates: Vec<Crate<'a>>,
    capability_free: &'a Delta<String>,
    build: Vec<Build<'a>>,
}

/// A crate that runs at build time (build script, proc macro) and changed.
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Build<'a> {
    name: &'a str,
    change: Change,
    old_version: Value,
    new_version: Value,
    grew: bool,
    /// What of it runs at build time.
    kinds: &'a [BuildRun],
    /// What started and stopped running.
    runs: &'a Delta<BuildRun>,
    permissions: &'a Delta<BuildPermission>,
    other_version: bool,
}

fn build(b: &BuildDiff) -> Build<'_> {
    Build {
        name: &b.name,
        change: b.change,
        old_version: versions(&b.old_version),
        new_version: versions(&b.new_version),
        grew: b.grew(),
        kinds: &b.kinds,
        runs: &b.runs,
        permissions: &b.permissions,
        other_version: b.other_version,
    }
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Crate<'a> {
    name: &'a str,
    change: Change,
    /// A string, an array when several versions are linked, `null` when absent or unknown.
    old_version: Value,
    new_version: Value,
    grew: bool,
    reaches: Reaches<'a>,
    env: &'a Delta<String>,
}

#[derive(Serialize)]
struct Reaches<'a> {
    added: Vec<Reach<'a>>,
    removed: Vec<Reach<'a>>,
}

#[derive(Serialize)]
struct Reach<'a> {
    capability: &'a str,
    path: &'a [String],
    indirect: bool,
}

fn reaches(list: &[LockedPath]) -> Vec<Reach<'_>> {
    list.iter()
        .map(|r| Reach {
            capability: &r.capability,
            path: &r.path,
            indirect: r.indirect,
        })
        .collect()
}

fn versions(v: &[String]) -> Value {
    match v {
        [] => Value::Null,
        [one] => Value::from(one.as_str()),
        several => Value::from(several.to_vec()),
    }
}

fn krate(c: &CrateDiff) -> Crate<'_> {
    Crate {
        name: &c.name,
        change: c.change,
        old_version: versions(&c.old_version),
        new_version: versions(&c.new_version),
        grew: !c.reaches.added.is_empty() || !c.env.added.is_empty(),
        reaches: Reaches {
            added: reaches(&c.reaches.added),
            removed: reaches(&c.reaches.removed),
        },
        env: &c.env,
    }
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
        crates: p.crates.iter().map(krate).collect(),
        capability_free: &p.capability_free,
        build: p.build.iter().map(build).collect(),
    }
}

/// A finding with its rule, level, and its file relative to the repository root.
fn finding(f: &Finding, places: &Places) -> Value {
    let mut v = serde_json::to_value(f).unwrap_or_default();
    if let Some(map) = v.as_object_mut() {
        map.insert("rule".into(), f.kind.rule().into());
        let level = if f.is_error() { "error" } else { "note" };
        map.insert("level".into(), level.into());
        map.insert(
            "location".into(),
            serde_json::json!({ "file": places.shown(&f.location.file), "line": f.location.line }),
        );
    }
    v
}

/// Renders `report` as pretty JSON, with a final newline.
pub fn render(report: &Report<'_>) -> String {
    let doc = Document {
        format: JSON_FORMAT,
        base: report.diff.map(|(base, _)| base),
        grew: report.grew(),
        violated: report.violated(),
        packages: report
            .diff
            .map(|(_, d)| d.packages.iter().map(package).collect())
            .unwrap_or_default(),
        findings: report
            .findings
            .iter()
            .map(|f| finding(f, report.places))
            .collect(),
    };
    // Plain data (strings, numbers, booleans, arrays, maps with string keys) always serializes.
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}
