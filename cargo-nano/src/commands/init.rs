//! `cargo nano init`: makes the top package of an existing project a nano package.

use clap::Args;
use linker::onboard::{self, InitError};

use super::build::{BuildCommand, ProjectArgs};
use crate::output::{self, EXIT_INPUT};
use crate::progress::Progress;

/// Make the top package a nano package: write the requests its code reaches into its
/// `Cargo.toml`, then build and write `Nano.lock`.
#[derive(Args, Debug)]
pub struct InitCommand {
    #[command(flatten)]
    project: ProjectArgs,
}

impl InitCommand {
    /// Runs the command.
    pub fn exec(self) -> u8 {
        let options = match self.project.options() {
            Ok(o) => o,
            Err(code) => return code,
        };
        let mut progress = Progress::new();
        let result = onboard::init(&options, &mut |e| progress.event(e));
        progress.finish(result.is_ok());
        let report = match result {
            Ok(report) => report,
            Err(InitError::Build(e)) => return output::report_build_error(&e),
            Err(e) => {
                output::print_error(&e);
                return EXIT_INPUT;
            }
        };
        println!(
            "wrote `[package.metadata.nano]` of `{}` to `{}`:",
            report.package,
            report.manifest_path.display()
        );
        if report.written.is_empty() {
            println!("  (no requests: its code reaches no capability)");
        }
        for line in &report.written {
            println!("  {line}");
        }
        if !report.decisions.is_empty() {
            println!(
                "\nstill to decide (commented out in the manifest), then run `cargo nano build`:"
            );
            for decision in &report.decisions {
                println!("  - {decision}");
            }
            return 0;
        }
        println!();
        let code = BuildCommand::from(self.project).exec();
        if code == 0 {
            println!(
                "\nnext: commit `Cargo.toml` and `Nano.lock`; nano dependencies get capabilities only through `[package.metadata.nano.grants.NAME]` (see docs/adopting.md)"
            );
        }
        code
    }
}
