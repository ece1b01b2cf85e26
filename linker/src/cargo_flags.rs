//! Cargo's own flags, with Cargo's meanings, as cargo-nano passes them to every Cargo command it
//! runs, and where Cargo's messages go while it builds.

use std::path::PathBuf;
use std::sync::Arc;

/// The profile nano packages are built with when none is given: components are inspected for
/// what they reach and run under wasmtime, and an optimised build is what an application ships.
pub const DEFAULT_PROFILE: &str = "release";

/// Cargo's own flags, passed to every Cargo command cargo-nano runs.
#[derive(Debug, Clone, Default)]
pub struct CargoFlags {
    /// `--locked`: `Cargo.lock` must be up to date; Cargo never writes it.
    pub locked: bool,
    /// `--frozen`: `--locked` and `--offline`.
    pub frozen: bool,
    /// `--offline`: no network access.
    pub offline: bool,
    /// Fail where build scripts and proc macros cannot be confined (not a Cargo flag: cargo-nano's
    /// `--require-build-sandbox`).
    pub require_build_sandbox: bool,
    /// `--target-dir`: Cargo's target directory instead of the workspace's (`target/nano/` is
    /// inside it). A relative path is relative to the current directory, as for Cargo.
    pub target_dir: Option<PathBuf>,
    /// `--features`, `--all-features`, `--no-default-features`: for the top package only.
    pub features: Features,
    /// `--profile NAME`; `None` is [`DEFAULT_PROFILE`].
    pub profile: Option<String>,
    /// `-j N`: Cargo's parallel jobs.
    pub jobs: Option<u32>,
    /// How Cargo prints: colour, verbosity, progress bar, and where its messages go.
    pub output: CargoOutput,
}

/// Features of the top package, as given on the command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Features {
    /// `--features`: each entry as given (comma- or space-separated lists are Cargo's to split).
    pub features: Vec<String>,
    /// `--all-features`.
    pub all: bool,
    /// `--no-default-features`.
    pub no_default: bool,
}

/// How Cargo prints while it builds.
#[derive(Clone, Default)]
pub struct CargoOutput {
    /// `--color always` (`Some(true)`) or `--color never` (`Some(false)`); `None` lets Cargo
    /// decide, which it does on its stderr: a pipe to cargo-nano.
    pub color: Option<bool>,
    /// `-v` given this many times.
    pub verbose: u8,
    /// `-q`: no status lines from Cargo (warnings and errors still).
    pub quiet: bool,
    /// Cargo's progress bar through the pipe, for a terminal this many columns wide.
    pub progress_width: Option<u16>,
    /// Receives Cargo's stderr as it arrives (raw bytes, colour included; an empty slice marks
    /// its end); the error of a failed build then does not repeat it. `None`: it is kept, and
    /// its last lines are part of the error.
    pub stderr: Option<StderrSink>,
}

/// A receiver of Cargo's stderr ([`CargoOutput::stderr`]).
pub type StderrSink = Arc<dyn Fn(&[u8]) + Send + Sync>;

impl std::fmt::Debug for CargoOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CargoOutput")
            .field("color", &self.color)
            .field("verbose", &self.verbose)
            .field("quiet", &self.quiet)
            .field("progress_width", &self.progress_width)
            .field("stderr", &self.stderr.as_ref().map(|_| "streamed"))
            .finish()
    }
}

impl CargoFlags {
    /// `--locked`, `--frozen`, `--offline` as Cargo arguments: what every Cargo command gets
    /// (`cargo metadata` too).
    pub fn args(&self) -> Vec<String> {
        [
            (self.locked, "--locked"),
            (self.frozen, "--frozen"),
            (self.offline, "--offline"),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, flag)| flag.to_string())
        .collect()
    }

    /// The profile's name.
    pub fn profile(&self) -> &str {
        self.profile.as_deref().unwrap_or(DEFAULT_PROFILE)
    }

    /// The Cargo profile nano packages are built with: `nano-<profile>`, which inherits every
    /// setting of the chosen profile ([`CargoFlags::profile`]) but has an output directory of
    /// its own (`target/wasm32-wasip2/nano-release/`).
    ///
    /// Why: a parent's build compiles its nano children from their interface views
    /// ([`crate::interface_view`]), so some units of a nano build are not what a plain
    /// `cargo build` of the same crate and features would produce. In a profile of their own
    /// they are never mistaken for each other's, in either direction.
    pub fn nano_profile(&self) -> String {
        format!("nano-{}", self.profile())
    }

    /// `--profile nano-<profile>` and the `--config` that defines it: part of what a build
    /// produces (its output directory).
    pub fn profile_args(&self) -> [String; 4] {
        let nano = self.nano_profile();
        [
            "--profile".into(),
            nano.clone(),
            "--config".into(),
            format!("profile.{nano}.inherits={:?}", self.profile()),
        ]
    }

    /// How Cargo prints and how many jobs it runs: arguments that do not change what is built.
    pub fn output_args(&self) -> Vec<String> {
        let out = &self.output;
        let mut args = Vec::new();
        if let Some(color) = out.color {
            let when = if color { "always" } else { "never" };
            args.extend(["--color".into(), when.into()]);
        }
        if out.quiet {
            args.push("--quiet".into());
        }
        args.extend((0..out.verbose.min(2)).map(|_| "--verbose".to_string()));
        if let Some(jobs) = self.jobs {
            args.extend(["--jobs".into(), jobs.to_string()]);
        }
        if let Some(width) = out.progress_width {
            args.extend([
                "--config".into(),
                "term.progress.when=\"always\"".into(),
                "--config".into(),
                format!("term.progress.width={width}"),
            ]);
        }
        args
    }
}

impl Features {
    /// The flags for Cargo, with `extra` features (cargo-nano's own) added to `--features`.
    pub fn args(&self, extra: &[String]) -> Vec<String> {
        let mut args = Vec::new();
        let list: Vec<&str> = extra
            .iter()
            .chain(&self.features)
            .map(String::as_str)
            .collect();
        if !list.is_empty() {
            args.extend(["--features".into(), list.join(",")]);
        }
        if self.all {
            args.push("--all-features".into());
        }
        if self.no_default {
            args.push("--no-default-features".into());
        }
        args
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_flags_are_passed_as_cargo_spells_them() {
        let flags = CargoFlags {
            locked: true,
            offline: true,
            require_build_sandbox: true,
            ..CargoFlags::default()
        };
        assert_eq!(flags.args(), ["--locked", "--offline"]);
        assert!(CargoFlags::default().args().is_empty());
        assert!(CargoFlags::default().output_args().is_empty());
        assert_eq!(
            CargoFlags::default().profile_args(),
            [
                "--profile",
                "nano-release",
                "--config",
                "profile.nano-release.inherits=\"release\""
            ]
        );
    }

    #[test]
    fn output_flags_do_not_change_what_is_built() {
        let flags = CargoFlags {
            jobs: Some(3),
            profile: Some("dev".into()),
            output: CargoOutput {
                color: Some(true),
                verbose: 3,
                quiet: false,
                progress_width: Some(80),
                stderr: None,
            },
            ..CargoFlags::default()
        };
        assert_eq!(
            flags.output_args(),
            [
                "--color",
                "always",
                "--verbose",
                "--verbose",
                "--jobs",
                "3",
                "--config",
                "term.progress.when=\"always\"",
                "--config",
                "term.progress.width=80"
            ]
        );
        assert_eq!(flags.profile_args()[..2], ["--profile", "nano-dev"]);
    }

    #[test]
    fn features_join_cargo_nanos_own() {
        let features = Features {
            features: vec!["fast".into(), "extra/more".into()],
            all: false,
            no_default: true,
        };
        assert_eq!(
            features.args(&["child/nano-import".into()]),
            [
                "--features",
                "child/nano-import,fast,extra/more",
                "--no-default-features"
            ]
        );
        assert!(Features::default().args(&[]).is_empty());
    }
}
