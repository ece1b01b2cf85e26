//! `cargo nano build`.

use std::path::PathBuf;

use clap::Args;
use linker::cargo_build::CargoFlags;
use linker::pipeline::{self, BuildError, BuildOptions, BuildReport};
use linker::policy::PolicyError;

use crate::output;
use crate::progress::Progress;
use crate::render::Format;

/// Where the workspace is, and Cargo's own flags, with Cargo's meanings.
#[derive(Args, Debug, Clone, Default)]
pub struct CargoArgs {
    /// Path to `Cargo.toml`; by default the first one in the current directory or above it.
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
    /// Require `Cargo.lock` to be up to date (Cargo's `--locked`); for `check`, `Nano.lock` too.
    #[arg(long)]
    pub locked: bool,
    /// `--locked` and `--offline` (passed to Cargo).
    #[arg(long)]
    pub frozen: bool,
    /// Run without accessing the network (passed to Cargo).
    #[arg(long)]
    pub offline: bool,
    /// Fail where build scripts and proc macros cannot be confined, instead of warning and running
    /// them unconfined (also `CARGO_NANO_REQUIRE_BUILD_SANDBOX=1`).
    #[arg(long)]
    pub require_build_sandbox: bool,
}

impl CargoArgs {
    /// The `Cargo.toml` to use: `--manifest-path`, or found upward from the current directory
    /// like Cargo does. Prints the error and returns the exit code when there is none.
    pub fn manifest_path(&self) -> Result<PathBuf, u8> {
        if let Some(path) = &self.manifest_path {
            return Ok(path.clone());
        }
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        linker::workspace::find_manifest(&cwd).ok_or_else(|| {
            eprintln!(
                "error: could not find `Cargo.toml` in `{}` or any parent directory (help: run in a Cargo project, or pass `--manifest-path`)",
                cwd.display()
            );
            output::EXIT_INPUT
        })
    }

    /// Cargo's flags for the library.
    pub fn flags(&self) -> CargoFlags {
        CargoFlags {
            locked: self.locked,
            frozen: self.frozen,
            offline: self.offline,
            require_build_sandbox: self.require_build_sandbox
                || std::env::var_os(build_sandbox::ENV_REQUIRE).is_some_and(|v| v == "1"),
        }
    }
}

/// Where to find the project and which package is on top.
#[derive(Args, Debug, Clone)]
pub struct ProjectArgs {
    /// The workspace and Cargo's flags.
    #[command(flatten)]
    pub cargo: CargoArgs,
    /// The top package (an application); by default the only member with a binary.
    #[arg(short = 'p', long = "package", value_name = "NAME")]
    pub package: Option<String>,
}

impl ProjectArgs {
    /// The options of a build of this project.
    pub fn options(&self) -> Result<BuildOptions, u8> {
        Ok(BuildOptions {
            manifest_path: self.cargo.manifest_path()?,
            package: self.package.clone(),
            flags: self.cargo.flags(),
        })
    }

    /// Runs the build pipeline with progress; on failure prints the error and returns its exit code.
    pub fn build(&self) -> Result<BuildReport, u8> {
        self.try_build().map_err(|stopped| match stopped {
            Stopped::Code(code) => code,
            Stopped::Policy(_) => output::EXIT_POLICY,
        })
    }

    /// Like [`ProjectArgs::build`], but a policy or grant violation (printed in full on stderr
    /// like any error) is handed back, for its findings to be rendered in other formats.
    pub fn try_build(&self) -> Result<BuildReport, Stopped> {
        let options = self.options().map_err(Stopped::Code)?;
        warn_if_unconfined(options.flags.require_build_sandbox);
        let mut progress = Progress::new();
        let result = pipeline::build(&options, &mut |e| progress.event(e));
        progress.finish();
        result.map_err(|e| {
            let code = output::report_build_error(&e);
            match e {
                BuildError::Policy(p) => Stopped::Policy(p),
                _ => Stopped::Code(code),
            }
        })
    }
}

/// Why a build stopped; the error is already printed.
pub enum Stopped {
    /// With this exit code.
    Code(u8),
    /// On policy or grant violations (exit code 1).
    Policy(PolicyError),
}

/// Says once, before building, that build scripts and proc macros will run unconfined here;
/// with `require`, the build itself fails with the reason (`linker::cargo_build`).
fn warn_if_unconfined(require: bool) {
    if let build_sandbox::Availability::Unavailable { reason } = build_sandbox::availability()
        && !require
    {
        eprintln!(
            "warning: build scripts and proc macros run unconfined, with your authority: {reason}\n  = help: `--require-build-sandbox` (or `{}=1`) makes this an error",
            build_sandbox::ENV_REQUIRE
        );
    }
}

/// Build every nano package to its own component, check its capabilities, and link them.
#[derive(Args, Debug)]
pub struct BuildCommand {
    #[command(flatten)]
    project: ProjectArgs,
    /// Output format of the findings (policy violations, permissions grown beyond `Nano.lock`)
    /// on stdout; with any but `human` the capability table goes to stderr.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

impl From<ProjectArgs> for BuildCommand {
    fn from(project: ProjectArgs) -> Self {
        BuildCommand {
            project,
            format: Format::Human,
        }
    }
}

impl BuildCommand {
    /// Runs the command.
    pub fn exec(self) -> u8 {
        let report = match self.project.try_build() {
            Ok(report) => report,
            Err(Stopped::Code(code)) => return code,
            Err(Stopped::Policy(err)) => {
                return crate::render::emit::violations(&self.project, &err, self.format);
            }
        };
        let table = format!(
            "{}linked {} nanoprocess(es) into `{}`\n",
            output::capability_table(&report.plan),
            report.plan.instances.len(),
            report.nano_dir.join(&report.plan.component).display()
        );
        if self.format == Format::Human {
            print!("{table}");
        } else {
            // Stdout holds the document alone.
            eprint!("{table}");
        }
        // What grew is printed by the lock step in human form on stderr; other formats and
        // annotations get the findings of the same comparison first.
        crate::render::emit::against_lock(&report, self.format);
        super::lock::sync_after_build(&report)
    }
}
