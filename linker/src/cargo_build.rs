//! Building each nano package to its own `wasm32-wasip2` component with Cargo.
//!
//! A library is built with `cargo rustc --lib --crate-type cdylib --features nano-export`, a
//! command with `cargo rustc --bin`; both enable `nano-import` on each nano child, so a parent's
//! calls to a child become imports of the child's interface.

use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use cargo_metadata::Message;

use crate::build_workspace::BuildWorkspaceError;
pub use crate::cargo_flags::{CargoFlags, CargoOutput, DEFAULT_PROFILE, Features, StderrSink};
use crate::graph::{EXPORT_FEATURE, IMPORT_FEATURE, NanoGraph, NanoPackage, PackageKind};
use crate::workspace::Workspace;

/// The target every nano package is built for.
pub const TARGET: &str = "wasm32-wasip2";

/// An error building components.
#[derive(Debug, thiserror::Error)]
pub enum CargoBuildError {
    /// A tool could not be started.
    #[error("failed to run `{command}`")]
    Spawn {
        /// The command.
        command: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The wasm target is missing and could not be installed.
    #[error(
        "the `{TARGET}` target is not installed and `rustup target add {TARGET}` failed:\n{output}"
    )]
    Target {
        /// What rustup said.
        output: String,
    },
    /// Cargo failed to build a package.
    #[error(
        "package `{package}` does not build for `{TARGET}` (`{manifest}`){cause}{output}{hint}"
    )]
    Compile {
        /// The package.
        package: String,
        /// Its manifest.
        manifest: PathBuf,
        /// Which crate failed, as a phrase (`: the build script of `zstd-sys v2.0.15` failed`),
        /// or empty when Cargo's output does not say.
        cause: String,
        /// The end of Cargo's output on a line of its own, or empty when Cargo's output was shown
        /// as it arrived ([`CargoOutput::stderr`]).
        output: String,
        /// How to fix it, as a `help:` line, or empty.
        hint: String,
    },
    /// The generated workspace of a package from outside the user's workspace failed.
    #[error(transparent)]
    BuildWorkspace(#[from] BuildWorkspaceError),
    /// The interface view of a nano child could not be written.
    #[error(transparent)]
    InterfaceView(#[from] crate::interface_view::InterfaceViewError),
    /// Build scripts and proc macros could not be confined.
    #[error(transparent)]
    Sandbox(#[from] build_sandbox::SetupError),
    /// Cargo built no component.
    #[error("cargo reported no `.wasm` artifact for package `{package}`")]
    NoArtifact {
        /// The package.
        package: String,
    },
    /// A component could not be read.
    #[error("failed to read component `{path}`")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// Whether rustup lists the wasm target as installed.
pub fn target_installed() -> Result<bool, CargoBuildError> {
    let installed = run_output(Command::new("rustup").args(["target", "list", "--installed"]))?;
    Ok(installed.lines().any(|l| l.trim() == TARGET))
}

/// Installs the wasm target with rustup.
pub fn install_target() -> Result<(), CargoBuildError> {
    let out = Command::new("rustup")
        .args(["target", "add", TARGET])
        .output()
        .map_err(|source| spawn_error("rustup target add", source))?;
    if !out.status.success() {
        return Err(CargoBuildError::Target {
            output: String::from_utf8_lossy(&out.stderr).into_owned(),
        });
    }
    Ok(())
}

fn run_output(cmd: &mut Command) -> Result<String, CargoBuildError> {
    let out = cmd
        .output()
        .map_err(|source| spawn_error(&format!("{cmd:?}"), source))?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn spawn_error(command: &str, source: std::io::Error) -> CargoBuildError {
    CargoBuildError::Spawn {
        command: command.to_string(),
        source,
    }
}

/// Where and how the nano packages of one build are compiled.
#[derive(Debug, Clone, Copy)]
pub struct BuildContext<'a> {
    /// The user's workspace.
    pub workspace: &'a Workspace,
    /// The nano tree.
    pub graph: &'a NanoGraph,
    /// Path prefixes to rewrite in the compiled code
    /// ([`crate::workspace::Workspace::path_remaps`]).
    pub remaps: &'a [(PathBuf, String)],
    /// Cargo's flags.
    pub flags: &'a CargoFlags,
    /// What the compiles read instead of crate roots ([`crate::interface_view::plan`]).
    pub views: &'a crate::interface_view::ViewPlan,
}

/// The `cargo rustc` arguments that build `package` as its own nanoprocess: what decides the
/// component (how Cargo prints is added by [`CargoFlags::output_args`] when it runs).
///
/// The profile applies to every package; `--features`, `--all-features` and
/// `--no-default-features` to the top package only: each nano child is its own build, with the
/// features its own build enables.
///
/// A member of the user's workspace is built there, with `--features`. A package from outside
/// (registry, git, outside path) is built from its generated workspace
/// ([`crate::build_workspace`]), whose manifest enables the features; Cargo still runs in the
/// user's directory, against the user's target directory.
pub fn cargo_args(
    ctx: &BuildContext<'_>,
    package: &NanoPackage,
) -> Result<Vec<String>, CargoBuildError> {
    let info = &package.info;
    let ws = ctx.workspace;
    let member = ws.members.contains(&info.id);
    let manifest_path = if member {
        ws.manifest_path.clone()
    } else {
        crate::build_workspace::prepare(ws, ctx.graph, package)?
    };
    let mut args: Vec<String> = vec![
        "rustc".into(),
        "--manifest-path".into(),
        manifest_path.display().to_string(),
        "-p".into(),
        format!("{}@{}", info.name, info.version),
        "--target".into(),
        TARGET.into(),
        "--message-format".into(),
        "json-render-diagnostics".into(),
        "--target-dir".into(),
        ws.target_dir.display().to_string(),
    ];
    args.extend(ctx.flags.profile_args());
    if member {
        args.extend(ctx.flags.args());
    } else if ctx.flags.offline || ctx.flags.frozen {
        // The generated workspace's own lock always gains its root package, so `--locked` cannot
        // apply to it; `build_package` checks against the user's `Cargo.lock` instead.
        args.push("--offline".into());
    }
    let mut features: Vec<String> = package
        .children
        .iter()
        .map(|c| format!("{}/{IMPORT_FEATURE}", c.name))
        .collect();
    match &package.kind {
        PackageKind::Command(bin) => args.extend(["--bin".into(), bin.clone()]),
        PackageKind::Library => {
            features.push(EXPORT_FEATURE.into());
            args.extend(["--lib".into(), "--crate-type".into(), "cdylib".into()]);
        }
    }
    let top = ctx.graph.packages[ctx.graph.root].info.id == info.id;
    if member && top {
        args.extend(ctx.flags.features.args(&features));
    } else if member && !features.is_empty() {
        args.extend(["--features".into(), features.join(",")]);
    }
    if !ctx.remaps.is_empty() {
        // `--config` arrays are appended to the user's `build.rustflags`, not replacing them.
        let flags: Vec<String> = ctx
            .remaps
            .iter()
            .map(|(from, to)| {
                format!(
                    "{:?}",
                    format!("--remap-path-prefix={}={to}", from.display())
                )
            })
            .collect();
        args.extend([
            "--config".into(),
            format!("build.rustflags=[{}]", flags.join(", ")),
        ]);
    }
    Ok(args)
}

/// Builds one package; returns the path of its component.
///
/// Cargo names a library's component after the crate only (`deps/notifier.wasm`), so every
/// version and feature set of a package built in one target directory writes the same file, and
/// Cargo still considers an older build fresh after another one overwrote it. So the unit that
/// wrote the file is recorded next to it (`notifier.wasm.nano-unit`); when Cargo reports the
/// component fresh but another unit wrote it last, it is removed and built again.
pub fn build_package(
    ctx: &BuildContext<'_>,
    package: &NanoPackage,
) -> Result<PathBuf, CargoBuildError> {
    let args = cargo_args(ctx, package)?;
    // Build scripts and proc macros run confined (`build_sandbox`): cargo-nano is rustc's wrapper.
    let sandbox = build_sandbox::cargo_env(&build_sandbox::Setup {
        workspace_root: &ctx.workspace.root,
        target_dir: &ctx.workspace.target_dir,
        require: ctx.flags.require_build_sandbox,
    })?;
    // Nano children are compiled for this package from their interface views, where they have
    // one; the rustc wrapper reads them (`build_sandbox::interface_view`).
    let env: Vec<_> = sandbox.into_iter().chain(ctx.views.env()).collect();
    let (path, fresh) = run_cargo(package, &args, ctx.flags, &env)?;
    let member = ctx.workspace.members.contains(&package.info.id);
    if !member && (ctx.flags.locked || ctx.flags.frozen) {
        crate::build_workspace::check_locked(ctx.workspace, package)?;
    }
    if package.kind != PackageKind::Library {
        return Ok(path);
    }
    let unit = format!("{}\n{}\n", package.info.id, args.join(" "));
    let stamp = path.with_extension("wasm.nano-unit");
    let path = if fresh && std::fs::read_to_string(&stamp).ok().as_deref() != Some(&unit) {
        for stale in outputs(&path) {
            let _ = std::fs::remove_file(stale);
        }
        run_cargo(package, &args, ctx.flags, &env)?.0
    } else {
        path
    };
    // Without a stamp the next fresh build is rebuilt: safe, so a write failure is ignored.
    let _ = std::fs::write(&stamp, unit);
    Ok(path)
}

/// The uplifted component and the copy in `deps/` that Cargo's freshness check looks at.
fn outputs(uplifted: &Path) -> Vec<PathBuf> {
    let mut out = vec![uplifted.to_path_buf()];
    if let (Some(dir), Some(name)) = (uplifted.parent(), uplifted.file_name()) {
        out.push(dir.join("deps").join(name));
    }
    out
}

/// Runs `cargo` with `args` and how `flags` say it prints; returns the component and whether
/// Cargo found it fresh.
fn run_cargo(
    package: &NanoPackage,
    args: &[String],
    flags: &CargoFlags,
    env: &[(String, std::ffi::OsString)],
) -> Result<(PathBuf, bool), CargoBuildError> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut child = Command::new(&cargo)
        .args(args)
        .args(flags.output_args())
        // A C compiler for crates with C code, when one is installed but not configured.
        .envs(crate::c_toolchain::env_vars())
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| spawn_error(&cargo, source))?;
    let stderr = child.stderr.take();
    let sink = flags.output.stderr.clone();
    // Read stderr on its own thread so a chatty build cannot block on a full pipe; hand it on
    // as it arrives when someone shows it.
    let stderr_reader = std::thread::spawn(move || {
        let mut text = Vec::new();
        let mut buf = [0u8; 8192];
        if let Some(mut s) = stderr {
            while let Ok(n @ 1..) = s.read(&mut buf) {
                if let Some(sink) = &sink {
                    sink(&buf[..n]);
                }
                text.extend_from_slice(&buf[..n]);
            }
        }
        if let Some(sink) = &sink {
            sink(&[]);
        }
        String::from_utf8_lossy(&text).into_owned()
    });
    let mut artifact = None;
    if let Some(stdout) = child.stdout.take() {
        for message in Message::parse_stream(BufReader::new(stdout)).flatten() {
            if let Message::CompilerArtifact(a) = message
                && (a.package_id.repr == package.info.id
                    || a.manifest_path.as_std_path() == package.info.manifest_path)
                && let Some(wasm) = a.filenames.iter().find(|f| f.extension() == Some("wasm"))
            {
                artifact = Some((wasm.clone().into_std_path_buf(), a.fresh));
            }
        }
    }
    let status = child.wait().map_err(|source| spawn_error(&cargo, source))?;
    let stderr = stderr_reader.join().unwrap_or_default();
    if !status.success() {
        let (cause, hint) = crate::cargo_diagnose::diagnose(&stderr);
        return Err(CargoBuildError::Compile {
            package: package.info.name.clone(),
            manifest: package.info.manifest_path.clone(),
            cause,
            // Shown already, with Cargo's colour, when it was streamed.
            output: match flags.output.stderr {
                Some(_) => String::new(),
                None => format!("\n{}", crate::cargo_diagnose::tail(&stderr, 30)),
            },
            hint,
        });
    }
    artifact.ok_or_else(|| CargoBuildError::NoArtifact {
        package: package.info.name.clone(),
    })
}
