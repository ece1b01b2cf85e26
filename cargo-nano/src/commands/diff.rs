//! `cargo nano diff`.

use clap::Args;
use linker::diff::PermissionDiff;

use super::build::ProjectArgs;
use super::lock::read_base;
use crate::render::{self, Format, Places};

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
    /// List each crate whose version alone changed on its own line (by default they are summed up
    /// in one line per package).
    #[arg(short, long)]
    verbose: bool,
}

impl DiffCommand {
    /// Runs the command.
    pub fn exec(self) -> u8 {
        let (base, label) = match read_base(&self.project, self.base.as_deref()) {
            Ok(b) => b,
            Err(code) => return code,
        };
        let report = match self.project.build() {
            Ok(r) => r,
            Err(code) => return code,
        };
        let current = linker::lock::from_report(&report);
        let base = linker::lock::tree_of(&base, linker::lock::root_of(&report));
        let diff = PermissionDiff::new(&base, &current);
        let lock_path = linker::lock::lock_path(&report.workspace_root);
        let places = Places::new(&report, &lock_path);
        print!(
            "{}",
            render::render(self.format, &diff, &label, &places, self.verbose)
        );
        0
    }
}
