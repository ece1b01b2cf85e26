//! Rendering findings ([`linker::findings`]): policy and grant violations, and differences
//! against `Nano.lock`. For people on a terminal ([`human`]), for programs ([`json`],
//! documented in `docs/lockfile.md`), for pull-request comments ([`markdown`]), for code
//! scanning ([`sarif`]) and as GitHub Actions annotations ([`github`]).

pub mod emit;
pub mod github;
pub mod human;
pub mod json;
pub mod markdown;
pub mod sarif;

use std::path::{Path, PathBuf};

use clap::ValueEnum;
use linker::diff::{PackageDiff, PermissionDiff};
use linker::findings::Finding;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people; colored on a terminal.
    Human,
    /// Stable JSON, see `docs/lockfile.md`.
    Json,
    /// Markdown, for a pull-request comment or a job summary.
    Markdown,
    /// SARIF 2.1.0, for code-scanning upload.
    Sarif,
}

/// What a command found: the comparison with a lock when one was made, and every finding.
pub struct Report<'a> {
    /// The comparison: what was compared against (`Nano.lock`, `REV:Nano.lock`) and the diff.
    /// `None` when the build stopped on a policy violation, or there is no lock.
    pub diff: Option<(&'a str, &'a PermissionDiff)>,
    /// Every finding: violations, or the differences of `diff`.
    pub findings: &'a [Finding],
    /// Where paths are relative to.
    pub places: &'a Places,
    /// The human and Markdown formats list each crate whose version alone changed on its own
    /// line rather than summing them up in one.
    pub each: bool,
}

impl Report<'_> {
    /// Whether any finding is a policy or grant violation.
    pub fn violated(&self) -> bool {
        self.findings.iter().any(|f| f.kind.is_violation())
    }

    /// Whether permissions grew against the lock.
    pub fn grew(&self) -> bool {
        self.diff.is_some_and(|(_, d)| d.grew())
    }

    /// The findings of one package of the diff (matched by name and title: two versions of one
    /// package can both be listed).
    pub fn of_package<'f>(&'f self, p: &PackageDiff) -> impl Iterator<Item = &'f Finding> {
        let title = p.title();
        self.findings
            .iter()
            .filter(move |f| f.package == p.name && f.title == title)
    }

    /// A one-line verdict.
    pub fn summary(&self) -> String {
        let violations = self.findings.iter().filter(|f| f.kind.is_violation());
        let packages: std::collections::BTreeSet<&str> =
            violations.map(|f| f.package.as_str()).collect();
        if !packages.is_empty() {
            let count = self
                .findings
                .iter()
                .filter(|f| f.kind.is_violation())
                .count();
            return format!(
                "{count} policy violation(s) in {} package(s); nothing was linked",
                packages.len()
            );
        }
        match self.diff {
            Some((base, diff)) => summary(diff, base),
            None => "no findings".to_string(),
        }
    }
}

/// Renders `report` in `format`.
pub fn render(format: Format, report: &Report<'_>) -> String {
    match format {
        Format::Human => match report.diff {
            Some((base, diff)) => human::render_report(diff, report, base),
            // Violations are printed on stderr in full by the build (`output`).
            None => String::new(),
        },
        Format::Json => json::render(report),
        Format::Markdown => markdown::render(report),
        Format::Sarif => sarif::render(report),
    }
}

/// What changed in a package without being a permission: crates whose version alone changed
/// (one line each with `each`, else summed up in one), crates that started or stopped running
/// at build time or changed version there (the same), and the interfaces of capability-free
/// syscalls it gained or lost.
pub fn notes(p: &PackageDiff, each: bool) -> Vec<String> {
    let versions: Vec<String> = p
        .crates
        .iter()
        .filter(|c| c.reaches.is_empty() && c.env.is_empty())
        .map(|c| format!("`{}` {}", c.name, c.versions()))
        .collect();
    let mut out = Vec::new();
    if each {
        out.extend(versions.iter().map(|v| format!("crate {v}")));
    } else if !versions.is_empty() {
        out.push(format!("crates: {}", versions.join(", ")));
    }
    let build: Vec<String> = p
        .build
        .iter()
        .filter(|b| b.permissions.is_empty())
        .map(|b| {
            let started: Vec<&str> = b.runs.added.iter().map(|r| r.label()).collect();
            let what = match b.change {
                linker::diff::Change::Added | linker::diff::Change::Removed => b.what(),
                _ if !started.is_empty() => format!("new {}", started.join(" and ")),
                _ => b.what(),
            };
            format!("`{}` {} ({what})", b.name, b.versions())
        })
        .collect();
    if each {
        out.extend(build.iter().map(|b| format!("runs at build time: {b}")));
    } else if !build.is_empty() {
        out.push(format!("run at build time: {}", build.join(", ")));
    }
    let interfaces = |list: &[String]| {
        let quoted: Vec<String> = list.iter().map(|i| format!("`{i}`")).collect();
        quoted.join(", ")
    };
    let free = &p.capability_free;
    if !free.added.is_empty() {
        out.push(format!(
            "uses functions of {} that need no capability (they act on handles a capability gave, or exit)",
            interfaces(&free.added)
        ));
    }
    if !free.removed.is_empty() {
        out.push(format!(
            "no longer uses functions of {} that need no capability",
            interfaces(&free.removed)
        ));
    }
    out
}

/// A call path as one line.
pub fn call_path(path: &[String]) -> String {
    path.join(" → ")
}

/// A one-line verdict on a diff.
pub fn summary(diff: &PermissionDiff, base: &str) -> String {
    let grown = diff.packages.iter().filter(|p| p.grew()).count();
    if diff.is_empty() {
        format!("no permission changes since `{base}`")
    } else if grown > 0 {
        format!(
            "permissions grew: {grown} package(s) request, receive or reach more than `{base}` records"
        )
    } else {
        format!(
            "{} package(s) changed since `{base}`; no permission grew",
            diff.packages.len()
        )
    }
}

/// A finding as one self-contained line: `notifier 1.0.0 → 1.1.0: requests env `X`, which
/// `Nano.lock` does not record`.
pub fn sentence(f: &Finding, base: Option<&str>) -> String {
    use linker::findings::Kind;
    let base = base.unwrap_or("Nano.lock");
    let text = match f.kind {
        k if k.is_violation() => f.message.clone(),
        Kind::Dropped if f.krate.is_some() => format!("{} (recorded in `{base}`)", f.message),
        Kind::Dropped => format!("no longer {} (recorded in `{base}`)", f.message),
        _ => format!("{}, which `{base}` does not record", f.message),
    };
    format!("{}: {text}", f.title)
}

/// Where findings point in the repository: paths relative to the root that code scanning and
/// annotations resolve them against (the git repository around the workspace, or the workspace
/// root outside git).
#[derive(Debug, Clone)]
pub struct Places {
    root: PathBuf,
}

impl Places {
    /// The places of the workspace at `workspace_root`.
    pub fn new(workspace_root: &Path) -> Self {
        Places {
            root: git_root(workspace_root).unwrap_or_else(|| canonical(workspace_root)),
        }
    }

    /// `file` relative to the root with `/` separators, or `None` when it is outside.
    pub fn relative(&self, file: &Path) -> Option<String> {
        canonical(file)
            .strip_prefix(&self.root)
            .ok()
            .map(|r| r.to_string_lossy().replace('\\', "/"))
    }

    /// `file` relative to the root, or as it is when outside.
    pub fn shown(&self, file: &Path) -> String {
        self.relative(file)
            .unwrap_or_else(|| file.display().to_string())
    }
}

fn git_root(dir: &Path) -> Option<PathBuf> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["rev-parse", "--show-toplevel"])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let top = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    // Compare canonical forms: the workspace root comes from cargo, the top level from git.
    let (top, dir) = (canonical(&top), canonical(dir));
    dir.starts_with(&top).then_some(top)
}

/// `p` with symbolic links resolved, or `p` itself when it does not exist.
fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

#[cfg(test)]
mod tests {
    use linker::diff::{BuildDiff, Change, Delta, PackageDiff};
    use manifest_schema::lockfile::BuildRun;

    use super::notes;

    fn build(name: &str, change: Change, old: &[&str], new: &[&str]) -> BuildDiff {
        BuildDiff {
            name: name.into(),
            change,
            old_version: old.iter().map(|v| v.to_string()).collect(),
            new_version: new.iter().map(|v| v.to_string()).collect(),
            runs: Delta::default(),
            kinds: vec![BuildRun::BuildScript],
            permissions: Delta::default(),
            other_version: false,
        }
    }

    #[test]
    fn build_time_crates_without_permissions_are_notes() {
        let mut started = build("x", Change::Changed, &["1.0.0"], &["1.0.0"]);
        started.runs.added = vec![BuildRun::ProcMacro];
        started.kinds.push(BuildRun::ProcMacro);
        let p = PackageDiff {
            name: "app".into(),
            change: Change::Changed,
            old_version: Some("0.1.0".into()),
            new_version: Some("0.1.0".into()),
            checksum_changed: false,
            requests: Delta::default(),
            received: vec![],
            crates: vec![],
            capability_free: Delta::default(),
            build: vec![
                build("zstd-sys", Change::Added, &[], &["2.0.15"]),
                build("proc-macro2", Change::Upgraded, &["1.0.106"], &["1.0.107"]),
                started,
            ],
        };
        assert_eq!(
            notes(&p, false),
            [
                "run at build time: `zstd-sys` 2.0.15 (new) (build script), `proc-macro2` 1.0.106 → 1.0.107 (build script), `x` 1.0.0 (new proc macro)"
            ]
        );
        assert_eq!(notes(&p, true).len(), 3);
    }
}
