//! Printing findings for the commands that build (`build`, `check`, `diff`): the document of
//! the chosen format on stdout, GitHub annotations when running on GitHub Actions.

use std::path::PathBuf;

use linker::diff::PermissionDiff;
use linker::findings::{self, CrateIndex, Finding, Sources};
use linker::pipeline::BuildReport;
use linker::policy::PolicyError;

use super::{Format, Places, Report, github, render};
use crate::commands::build::ProjectArgs;
use crate::output::EXIT_POLICY;

/// Prints `report` in `format` on stdout, and its annotations on GitHub Actions (on stderr when
/// stdout holds a machine-readable document; the runner reads workflow commands on both).
pub fn emit(format: Format, report: &Report<'_>) {
    if github::enabled() {
        let annotations = github::annotations(report);
        match format {
            Format::Json | Format::Sarif => eprint!("{annotations}"),
            Format::Human | Format::Markdown => print!("{annotations}"),
        }
    }
    print!("{}", render(format, report));
}

/// The findings of a build stopped on policy or grant violations, already printed in full on
/// stderr: the document of `format` (nothing more for `human`) and annotations. Returns the
/// exit code, 1.
pub fn violations(project: &ProjectArgs, err: &PolicyError, format: Format) -> u8 {
    // The failed build has no report: Cargo's metadata names the crates and their versions.
    let workspace = project
        .options()
        .ok()
        .and_then(|o| linker::workspace::Workspace::load(&o.manifest_path, &o.flags).ok());
    let (index, root) = match &workspace {
        Some(ws) => (CrateIndex::new(&ws.packages), ws.root.clone()),
        None => (CrateIndex::default(), PathBuf::from(".")),
    };
    let list = findings::of_violations(&err.violations, &index);
    let places = Places::new(&root);
    let report = Report {
        diff: None,
        findings: &list,
        places: &places,
        each: false,
    };
    emit(format, &report);
    EXIT_POLICY
}

/// The findings of `diff`, a comparison of the tree `report` built with a lock.
pub fn of_diff(report: &BuildReport, diff: &PermissionDiff) -> Vec<Finding> {
    let lock = linker::lock::lock_path(&report.workspace_root);
    findings::of_diff(diff, &Sources::of_report(report, lock))
}

/// For `build`: the findings of the built tree against the workspace's `Nano.lock` (none when
/// it has no tree for this top package yet, or cannot be read: the lock step reports that), in
/// `format` on stdout unless `human` (the lock step prints what grew on stderr), and as
/// annotations on GitHub Actions.
pub fn against_lock(report: &BuildReport, format: Format) {
    if format == Format::Human && !github::enabled() {
        return;
    }
    let path = linker::lock::lock_path(&report.workspace_root);
    let base = linker::lock::read(&path)
        .ok()
        .flatten()
        .map(|lock| linker::lock::tree_of(&lock, linker::lock::root_of(report)))
        .filter(|tree| !tree.packages.is_empty());
    let current = linker::lock::from_report(report);
    let diff = base.map(|base| PermissionDiff::new(&base, &current));
    let list = diff
        .as_ref()
        .map(|d| of_diff(report, d))
        .unwrap_or_default();
    let places = Places::new(&report.workspace_root);
    let doc = Report {
        diff: diff.as_ref().map(|d| ("Nano.lock", d)),
        findings: &list,
        places: &places,
        each: false,
    };
    if format == Format::Human {
        // The lock step prints the human form; only the annotations are added.
        print!("{}", github::annotations(&doc));
    } else {
        emit(format, &doc);
    }
}
