//! `cargo nano lock`, and the lock step of `cargo nano build`.

use std::path::{Path, PathBuf};

use clap::Args;
use linker::diff::PermissionDiff;
use linker::lock::{self, LockError};
use linker::pipeline::BuildReport;
use manifest_schema::lockfile::NanoLock;

use super::build::{CargoArgs, ProjectArgs};
use crate::output::{self, EXIT_INPUT, EXIT_POLICY};
use crate::render::human;

/// Write `Nano.lock`, or accept reviewed permission changes into it with `--update`.
#[derive(Args, Debug)]
pub struct LockCommand {
    /// The workspace and Cargo's flags.
    #[command(flatten)]
    cargo: CargoArgs,
    /// The top package (an application); by default the only member with a binary.
    #[arg(long, value_name = "NAME")]
    app: Option<String>,
    /// Accept permissions that grew since the lock was written.
    #[arg(long)]
    update: bool,
    /// With `--update`: accept only this package's changes (repeatable), like `cargo update -p`.
    #[arg(
        short = 'p',
        long = "package",
        value_name = "PACKAGE",
        requires = "update"
    )]
    packages: Vec<String>,
}

impl LockCommand {
    /// Runs the command.
    pub fn exec(self) -> u8 {
        let project = ProjectArgs {
            cargo: self.cargo.clone(),
            package: self.app.clone(),
        };
        let lock_path = match lock_path(&project) {
            Ok(p) => p,
            Err(code) => return code,
        };
        let old = match lock::read(&lock_path) {
            Ok(old) => old,
            // A full update replaces an unreadable lock; anything else needs the old one.
            Err(e) if self.update && self.packages.is_empty() => {
                eprintln!("warning: {e}");
                eprintln!("warning: replacing it with the lock of the current tree");
                None
            }
            Err(e) => {
                output::print_error(&e);
                return EXIT_INPUT;
            }
        };
        let report = match project.build() {
            Ok(r) => r,
            Err(code) => return code,
        };
        let current = lock::from_report(&report);
        if self.update && old.as_ref().is_some_and(lock::is_legacy) {
            eprintln!(
                "note: rewriting `{}` in format version {} (review the diff: each crate is now recorded with its version and what it reaches)",
                lock_path.display(),
                manifest_schema::lockfile::LOCK_VERSION
            );
        }
        if !self.update {
            return sync(&lock_path, old.as_ref(), &current, lock::root_of(&report));
        }
        let root = lock::root_of(&report);
        let whole = old;
        let old = whole.as_ref().map(|l| lock::tree_of(l, root));
        let new = match &old {
            Some(old) if !self.packages.is_empty() => {
                let unknown: Vec<&String> = self
                    .packages
                    .iter()
                    .filter(|n| {
                        ![old, &current]
                            .iter()
                            .any(|l| l.packages.iter().any(|p| &p.name == *n))
                    })
                    .collect();
                if let Some(name) = unknown.first() {
                    eprintln!(
                        "error: package `{name}` is neither in the nano tree nor in `{}` (help: `cargo nano tree` lists the nano packages)",
                        lock_path.display()
                    );
                    return EXIT_INPUT;
                }
                lock::update_packages(old, &current, &self.packages)
            }
            _ => current.clone(),
        };
        if let Some(old) = &old {
            let accepted = PermissionDiff::new(old, &new);
            if !accepted.is_empty() {
                eprintln!("accepting into `{}`:\n", lock_path.display());
                eprint!(
                    "{}",
                    human::render(&accepted, "Nano.lock", human::color_stderr(), false)
                );
            }
        }
        let merged = match &whole {
            Some(whole) => lock::replace_tree(whole, &new, root),
            None => new.clone(),
        };
        if let Err(code) = write(&lock_path, &merged) {
            return code;
        }
        let remaining = PermissionDiff::new(&new, &current);
        if remaining.grew() {
            let names: Vec<String> = remaining
                .packages
                .iter()
                .filter(|p| p.grew())
                .map(|p| format!("`{}`", p.name))
                .collect();
            eprintln!(
                "note: not accepted (not named with `-p`): {}",
                names.join(", ")
            );
        }
        0
    }
}

/// The path of the workspace's `Nano.lock`.
pub fn lock_path(project: &ProjectArgs) -> Result<PathBuf, u8> {
    let options = project.options()?;
    linker::workspace::Workspace::load(&options.manifest_path, &options.flags)
        .map(|ws| lock::lock_path(&ws.root))
        .map_err(|e| output::report_build_error(&e.into()))
}

fn write(path: &Path, lock: &NanoLock) -> Result<(), u8> {
    match lock::write(path, lock) {
        Ok(true) => {
            if !crate::term::quiet() {
                eprintln!("wrote `{}`", path.display());
            }
            Ok(())
        }
        Ok(false) => Ok(()),
        Err(e) => {
            output::print_error(&e);
            Err(EXIT_INPUT)
        }
    }
}

/// Records `current` (the lock of the tree of the top package `root`) in the lock at `path`
/// unless it grew compared with `old`: creates the lock when missing, rewrites that tree when
/// nothing grew (smaller sets are accepted), and otherwise leaves it alone, prints what grew and
/// returns exit code 1. The trees of other top packages are kept; a top package whose tree is not
/// in the lock yet is added to it.
pub fn sync(path: &Path, old: Option<&NanoLock>, current: &NanoLock, root: &str) -> u8 {
    // A top package whose tree is not in the lock yet is recorded like a new lock.
    let tree = old.map(|old| lock::tree_of(old, root));
    let legacy = old.is_some_and(lock::is_legacy);
    if let Some(tree) = tree.filter(|t| !t.packages.is_empty()) {
        let diff = PermissionDiff::new(&tree, current);
        if diff.grew() {
            if legacy {
                eprintln!(
                    "warning: {}",
                    lock::legacy_note(&path.display().to_string())
                );
            }
            eprint!(
                "{}",
                human::render(&diff, "Nano.lock", human::color_stderr(), false)
            );
            eprintln!(
                "error: permissions grew since `{}` was written; it was left unchanged",
                path.display()
            );
            eprintln!(
                "help: review the changes above, then run `cargo nano lock --update` to accept them"
            );
            return EXIT_POLICY;
        }
    }
    let merged = match old {
        Some(old) => lock::replace_tree(old, current, root),
        None => current.clone(),
    };
    if legacy {
        eprintln!(
            "note: rewriting `{}` in format version {} (review the diff: each crate is now recorded with its version and what it reaches)",
            path.display(),
            manifest_schema::lockfile::LOCK_VERSION
        );
    }
    match write(path, &merged) {
        Ok(()) => 0,
        Err(code) => code,
    }
}

/// The lock step of `cargo nano build` and `cargo nano run`, after a successful build.
pub fn sync_after_build(report: &BuildReport) -> u8 {
    let path = lock::lock_path(&report.workspace_root);
    match lock::read(&path) {
        Ok(old) => sync(
            &path,
            old.as_ref(),
            &lock::from_report(report),
            lock::root_of(report),
        ),
        Err(e) => {
            output::print_error(&e);
            EXIT_INPUT
        }
    }
}

/// Reads the lock `check` and `diff` compare against: the workspace's, or the one at a git
/// revision. It holds the trees of every top package; compare with [`lock::tree_of`].
pub fn read_base(project: &ProjectArgs, rev: Option<&str>) -> Result<(NanoLock, String), u8> {
    read_base_at(&lock_path(project)?, rev)
}

/// Like [`read_base`], with the workspace's lock at `path` already known (finding it runs `cargo
/// metadata`).
pub fn read_base_at(path: &Path, rev: Option<&str>) -> Result<(NanoLock, String), u8> {
    let result = match rev {
        None => lock::read_required(path).map(|l| (l, "Nano.lock".to_string())),
        Some(rev) => {
            let root = path.parent().unwrap_or(Path::new("."));
            lock::read_at_revision(root, rev).map(|l| (l, format!("{rev}:Nano.lock")))
        }
    };
    let (lock, label) = result.map_err(|e: LockError| {
        output::print_error(&e);
        EXIT_INPUT
    })?;
    warn_if_legacy(&lock, &label);
    Ok((lock, label))
}

/// Warns that `lock` (named `label`) was read from format version 1 and is compared by what
/// that version records.
pub fn warn_if_legacy(lock: &NanoLock, label: &str) {
    if lock::is_legacy(lock) {
        eprintln!("warning: {}", lock::legacy_note(label));
    }
}
