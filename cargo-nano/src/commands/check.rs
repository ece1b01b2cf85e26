//! `cargo nano check`: the CI gate.

use clap::Args;
use linker::diff::PermissionDiff;

use super::build::{ProjectArgs, Stopped};
use super::lock::read_base_at;
use crate::output::{EXIT_INPUT, EXIT_POLICY};
use crate::render::{Format, Places, Report, emit};

/// Build and inspect without writing anything but build outputs; with `--locked`, fail when
/// any package requests, receives or reaches more than `Nano.lock` records. `--locked` also
/// passes Cargo's `--locked`: `Cargo.lock` is never written either.
///
/// Every finding (policy and grant violations, differences against the lock) is printed in
/// `--format` on stdout. Exit status: 0 when nothing grew and nothing violates the policy, 1 on
/// a policy or grant violation or (with `--locked`) growth, 2 on bad input.
#[derive(Args, Debug)]
pub struct CheckCommand {
    #[command(flatten)]
    project: ProjectArgs,
    /// Output format of the findings: policy and grant violations, differences against the lock.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

impl CheckCommand {
    /// Runs the command.
    pub fn exec(self) -> u8 {
        let path = match super::lock::lock_path(&self.project) {
            Ok(p) => p,
            Err(code) => return code,
        };
        // Without `--locked` a missing lock is fine; a broken one is still bad input.
        let base = if self.project.cargo.locked {
            match read_base_at(&path, None) {
                Ok((lock, _)) => Some(lock),
                Err(code) => return code,
            }
        } else {
            match linker::lock::read(&path) {
                Ok(lock) => {
                    if let Some(lock) = &lock {
                        super::lock::warn_if_legacy(lock, "Nano.lock");
                    }
                    lock
                }
                Err(e) => {
                    crate::output::print_error(&e);
                    return EXIT_INPUT;
                }
            }
        };
        let report = match self.project.try_build() {
            Ok(r) => r,
            Err(Stopped::Code(code)) => return code,
            Err(Stopped::Policy(err)) => return emit::violations(&self.project, &err, self.format),
        };
        let places = Places::new(&report.workspace_root);
        let Some(base) = base else {
            eprintln!("note: no `Nano.lock` to compare with (help: `cargo nano lock` writes it)");
            if self.format != Format::Human {
                // An empty document rather than none: `--format sarif > nano.sarif` stays valid.
                let empty = Report {
                    diff: None,
                    findings: &[],
                    places: &places,
                    each: false,
                };
                emit::emit(self.format, &empty);
            }
            return 0;
        };
        let current = linker::lock::from_report(&report);
        let base = linker::lock::tree_of(&base, linker::lock::root_of(&report));
        let diff = PermissionDiff::new(&base, &current);
        let findings = emit::of_diff(&report, &diff);
        let doc = Report {
            diff: Some(("Nano.lock", &diff)),
            findings: &findings,
            places: &places,
            each: crate::term::verbose() > 0,
        };
        emit::emit(self.format, &doc);
        if self.project.cargo.locked && diff.grew() {
            eprintln!(
                "error: permissions grew beyond `{}` (help: review them with `cargo nano diff`, then accept them with `cargo nano lock --update`)",
                path.display()
            );
            return EXIT_POLICY;
        }
        0
    }
}
