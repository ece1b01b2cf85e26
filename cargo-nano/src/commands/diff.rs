//! `cargo nano diff`.

use clap::Args;
use linker::diff::PermissionDiff;

use super::build::{ProjectArgs, Stopped};
use super::lock::read_base;
use crate::render::{self, Format, Places, Report, emit};

/// Show how the current tree's permissions differ from `Nano.lock` (or from the lock at a git
/// revision).
#[derive(Args, Debug)]
pub struct DiffCommand {
    #[command(flatten)]
    project: ProjectArgs,
    /// Compare against `Nano.lock` as committed at this git revision (e.g. `origin/main`).
    #[arg(long, value_name = "REV")]
    base: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

impl DiffCommand {
    /// Runs the command.
    pub fn exec(self) -> u8 {
        let (base, label) = match read_base(&self.project, self.base.as_deref()) {
            Ok(b) => b,
            Err(code) => return code,
        };
        let report = match self.project.try_build() {
            Ok(r) => r,
            Err(Stopped::Code(code)) => return code,
            Err(Stopped::Policy(err)) => return emit::violations(&self.project, &err, self.format),
        };
        let current = linker::lock::from_report(&report);
        let base = linker::lock::tree_of(&base, linker::lock::root_of(&report));
        let diff = PermissionDiff::new(&base, &current);
        let findings = emit::of_diff(&report, &diff);
        let places = Places::new(&report.workspace_root);
        let doc = Report {
            diff: Some((&label, &diff)),
            findings: &findings,
            places: &places,
            each: crate::term::verbose() > 0,
        };
        // `diff` informs; the gate and its annotations are `check`'s.
        print!("{}", render::render(self.format, &doc));
        0
    }
}
