//! `cargo nano build`.

use std::path::PathBuf;

use clap::Args;
use linker::cargo_build::{CargoFlags, Features};
use linker::pipeline::{self, BuildError, BuildOptions, BuildReport};
use linker::policy::PolicyError;

use crate::message::{self, MessageFormat};
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
    /// Directory for all generated artifacts, `nano/` (the linked app) included.
    #[arg(long, value_name = "DIRECTORY")]
    pub target_dir: Option<PathBuf>,
    /// Space or comma separated list of features of the top package to activate (a nano child
    /// is its own build: these do not reach it).
    #[arg(short = 'F', long, value_name = "FEATURES")]
    pub features: Vec<String>,
    /// Activate all features of the top package.
    #[arg(long)]
    pub all_features: bool,
    /// Do not activate the `default` feature of the top package.
    #[arg(long)]
    pub no_default_features: bool,
    /// Build every nano package with the given profile (default: `release`).
    #[arg(long, value_name = "PROFILE-NAME", conflicts_with = "release")]
    pub profile: Option<String>,
    /// Build with the `release` profile, the default.
    #[arg(short = 'r', long)]
    pub release: bool,
    /// Number of parallel jobs of each Cargo build, defaults to the number of CPUs.
    #[arg(short = 'j', long, value_name = "N")]
    pub jobs: Option<u32>,
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
            target_dir: self.target_dir.clone(),
            features: Features {
                features: self.features.clone(),
                all: self.all_features,
                no_default: self.no_default_features,
            },
            profile: self.profile.clone(),
            jobs: self.jobs,
            output: crate::cargo_output::cargo_output(),
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
        self.try_build_with(MessageFormat::Human)
    }

    /// Like [`ProjectArgs::try_build`], with `--message-format json` messages on stdout (all but
    /// the last, `build-finished`, which the command emits when it is done).
    pub fn try_build_with(&self, messages: MessageFormat) -> Result<BuildReport, Stopped> {
        let options = self.options().map_err(Stopped::Code)?;
        warn_if_unconfined(options.flags.require_build_sandbox);
        let mut progress = Progress::with_messages(messages);
        let result = pipeline::build(&options, &mut |e| progress.event(e));
        progress.finish(result.is_ok());
        if let (Ok(report), MessageFormat::Json) = (&result, messages) {
            message::built(report);
        }
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
    /// `json`: one JSON object per line on stdout for each build event (`nano-package-started`,
    /// `nano-package-built`, `nano-app-linked`, `build-finished`; docs/guide.md); the capability
    /// table and findings go to stderr as text.
    #[arg(long, value_enum, default_value = "human", conflicts_with = "format")]
    message_format: MessageFormat,
}

impl From<ProjectArgs> for BuildCommand {
    fn from(project: ProjectArgs) -> Self {
        BuildCommand {
            project,
            format: Format::Human,
            message_format: MessageFormat::Human,
        }
    }
}

impl BuildCommand {
    /// Runs the command.
    pub fn exec(self) -> u8 {
        let code = self.build();
        if self.message_format == MessageFormat::Json {
            message::finished(code == 0);
        }
        code
    }

    fn build(&self) -> u8 {
        let report = match self.project.try_build_with(self.message_format) {
            Ok(report) => report,
            Err(Stopped::Code(code)) => return code,
            // Printed on stderr; stdout holds the messages alone.
            Err(Stopped::Policy(_)) if self.message_format == MessageFormat::Json => {
                return output::EXIT_POLICY;
            }
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
        if self.format == Format::Human && self.message_format == MessageFormat::Human {
            print!("{table}");
        } else if !crate::term::quiet() {
            // Stdout holds the document alone.
            eprint!("{table}");
        }
        // What grew is printed by the lock step in human form on stderr; other formats and
        // annotations get the findings of the same comparison first.
        if self.message_format == MessageFormat::Human {
            crate::render::emit::against_lock(&report, self.format);
        }
        super::lock::sync_after_build(&report)
    }
}
