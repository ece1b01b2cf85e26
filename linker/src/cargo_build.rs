//! Building each nano package to its own `wasm32-wasip2` component with Cargo.
//!
//! A library is built with `cargo rustc --lib --crate-type cdylib --features nano-export`, a
//! command with `cargo rustc --bin`; both enable `nano-import` on each nano child, so a parent's
//! calls to a child become imports of the child's interface.

use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use cargo_metadata::Message;

use crate::graph::{EXPORT_FEATURE, IMPORT_FEATURE, NanoGraph, NanoPackage, PackageKind};

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
    #[error("package `{package}` does not build for `{TARGET}` (`{manifest}`)\n{output}")]
    Compile {
        /// The package.
        package: String,
        /// Its manifest.
        manifest: PathBuf,
        /// The end of Cargo's output.
        output: String,
    },
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

/// The `cargo rustc` arguments that build `package` as its own nanoprocess. `remaps` are path
/// prefixes to rewrite in the compiled code (see [`crate::workspace::Workspace::path_remaps`]).
pub fn cargo_args(
    graph: &NanoGraph,
    package: &NanoPackage,
    manifest_path: &Path,
    remaps: &[(PathBuf, String)],
) -> Vec<String> {
    let info = &package.info;
    let mut args: Vec<String> = vec![
        "rustc".into(),
        "--manifest-path".into(),
        manifest_path.display().to_string(),
        "-p".into(),
        format!("{}@{}", info.name, info.version),
        "--release".into(),
        "--target".into(),
        TARGET.into(),
        "--message-format".into(),
        "json-render-diagnostics".into(),
    ];
    let mut features: Vec<String> = package
        .children
        .iter()
        .map(|&c| format!("{}/{IMPORT_FEATURE}", graph.packages[c].info.name))
        .collect();
    match &package.kind {
        PackageKind::Command(bin) => args.extend(["--bin".into(), bin.clone()]),
        PackageKind::Library => {
            features.push(EXPORT_FEATURE.into());
            args.extend(["--lib".into(), "--crate-type".into(), "cdylib".into()]);
        }
    }
    if !features.is_empty() {
        args.extend(["--features".into(), features.join(",")]);
    }
    if !remaps.is_empty() {
        // `--config` arrays are appended to the user's `build.rustflags`, not replacing them.
        let flags: Vec<String> = remaps
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
    args
}

/// Builds one package; returns the path of its component.
///
/// Cargo names a library's component after the crate only (`deps/notifier.wasm`), so every
/// version and feature set of a package built in one target directory writes the same file, and
/// Cargo still considers an older build fresh after another one overwrote it. So the unit that
/// wrote the file is recorded next to it (`notifier.wasm.nano-unit`); when Cargo reports the
/// component fresh but another unit wrote it last, it is removed and built again.
pub fn build_package(
    graph: &NanoGraph,
    package: &NanoPackage,
    manifest_path: &Path,
    remaps: &[(PathBuf, String)],
) -> Result<PathBuf, CargoBuildError> {
    let args = cargo_args(graph, package, manifest_path, remaps);
    let (path, fresh) = run_cargo(package, &args)?;
    if package.kind != PackageKind::Library {
        return Ok(path);
    }
    let unit = format!("{}\n{}\n", package.info.id, args.join(" "));
    let stamp = path.with_extension("wasm.nano-unit");
    let path = if fresh && std::fs::read_to_string(&stamp).ok().as_deref() != Some(&unit) {
        for stale in outputs(&path) {
            let _ = std::fs::remove_file(stale);
        }
        run_cargo(package, &args)?.0
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

/// Runs `cargo` with `args`; returns the component and whether Cargo found it fresh.
fn run_cargo(package: &NanoPackage, args: &[String]) -> Result<(PathBuf, bool), CargoBuildError> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut child = Command::new(&cargo)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| spawn_error(&cargo, source))?;
    let stderr = child.stderr.take();
    // Drain stderr on its own thread so a chatty build cannot block on a full pipe.
    let stderr_reader = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut s) = stderr {
            let _ = s.read_to_string(&mut text);
        }
        text
    });
    let mut artifact = None;
    if let Some(stdout) = child.stdout.take() {
        for message in Message::parse_stream(BufReader::new(stdout)).flatten() {
            if let Message::CompilerArtifact(a) = message
                && a.package_id.repr == package.info.id
                && let Some(wasm) = a.filenames.iter().find(|f| f.extension() == Some("wasm"))
            {
                artifact = Some((wasm.clone().into_std_path_buf(), a.fresh));
            }
        }
    }
    let status = child.wait().map_err(|source| spawn_error(&cargo, source))?;
    let stderr = stderr_reader.join().unwrap_or_default();
    if !status.success() {
        return Err(CargoBuildError::Compile {
            package: package.info.name.clone(),
            manifest: package.info.manifest_path.clone(),
            output: tail(&stderr, 30),
        });
    }
    artifact.ok_or_else(|| CargoBuildError::NoArtifact {
        package: package.info.name.clone(),
    })
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
