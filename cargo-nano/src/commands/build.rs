//! `cargo nano build`.

use std::path::PathBuf;

use clap::Args;
use linker::pipeline::{self, BuildOptions, BuildReport};

use crate::output;
use crate::progress::Progress;

/// Where to find the project and which package is on top.
#[derive(Args, Debug, Clone)]
pub struct ProjectArgs {
    /// Path to the workspace's `Cargo.toml`.
    #[arg(long, value_name = "PATH", default_value = "Cargo.toml")]
    pub manifest_path: PathBuf,
    /// The top package (an application); by default the only member with a binary.
    #[arg(short = 'p', long = "package", value_name = "NAME")]
    pub package: Option<String>,
}

impl ProjectArgs {
    /// Runs the build pipeline with progress; on failure prints the error and returns its exit code.
    pub fn build(&self) -> Result<BuildReport, u8> {
        let options = BuildOptions {
            manifest_path: self.manifest_path.clone(),
            package: self.package.clone(),
        };
        let mut progress = Progress::new();
        let result = pipeline::build(&options, &mut |e| progress.event(e));
        progress.finish();
        result.map_err(|e| output::report_build_error(&e))
    }
}

/// Build every nano package to its own component, check its capabilities, and link them.
#[derive(Args, Debug)]
pub struct BuildCommand {
    #[command(flatten)]
    project: ProjectArgs,
}

impl BuildCommand {
    /// Runs the command.
    pub fn exec(self) -> u8 {
        match self.project.build() {
            Ok(report) => {
                print!("{}", output::capability_table(&report.plan));
                println!(
                    "linked {} nanoprocess(es) into `{}`",
                    report.plan.instances.len(),
                    report.nano_dir.join(&report.plan.component).display()
                );
                super::lock::sync_after_build(&report)
            }
            Err(code) => code,
        }
    }
}
