//! `cargo nano build` as one library call: read the workspace, check grants, build and inspect
//! every nano package, check what each reaches, compose, verify, and write `target/nano/`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use manifest_schema::plan::Plan;

use crate::cargo_build::{self, BuildContext, CargoBuildError, CargoFlags};
use crate::compose::ComposeError;
use crate::graph::{self, GraphError, NanoGraph, NanoPackage};
use crate::inspect::{InspectError, Inspection};
use crate::policy::{self, PolicyError};
use crate::verify::VerifyError;
use crate::workspace::{Workspace, WorkspaceError};

/// What to build.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The workspace's (or a package's) `Cargo.toml`.
    pub manifest_path: PathBuf,
    /// The top package; `None` picks the only binary member.
    pub package: Option<String>,
    /// Cargo's flags ([`CargoFlags`]).
    pub flags: CargoFlags,
}

/// Progress of a build, for the CLI to show.
#[derive(Debug, Clone)]
pub enum Event {
    /// The wasm target is being installed.
    InstallingTarget,
    /// The nano tree is known.
    Planned {
        /// Number of nano packages.
        packages: usize,
    },
    /// A package is being compiled.
    Compiling {
        /// The package.
        package: String,
    },
    /// Composition started.
    Linking,
    /// A nano child has no interface view: its parents are compiled from its full source, so
    /// any change to it rebuilds them ([`crate::interface_view`]).
    FullSource {
        /// The package.
        package: String,
        /// Why, as `file:line: what`.
        reason: String,
    },
    /// Another `cargo nano` build holds the target directory; this one waits for it.
    Blocked {
        /// The lock file.
        lock: PathBuf,
    },
}

/// One built package.
#[derive(Debug, Clone)]
pub struct PackageReport {
    /// The package name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// Where it comes from, as Cargo says (`None` for a local path package).
    pub source: Option<String>,
    /// Its `Cargo.toml`.
    pub manifest_path: PathBuf,
    /// What its manifest requests.
    pub requests: manifest_schema::Capabilities,
    /// Its component.
    pub component: PathBuf,
    /// SHA-256 of its component, lowercase hex.
    pub component_sha256: String,
    /// The crates linked into its component by Rust crate name (`serde_json`): Cargo package
    /// and versions, for naming the crates that reach something ([`crate::attribution`]).
    pub crates: BTreeMap<String, crate::attribution::LinkedCrate>,
    /// The crates of its tree that run at build time, with their build permissions.
    pub build: BTreeMap<String, manifest_schema::lockfile::LockedBuild>,
    /// What inspection found.
    pub inspection: Inspection,
    /// Whether the inspection is the one an earlier build computed from the same component bytes
    /// (kept in `target/nano/inspect/`), rather than computed by this build.
    pub fresh: bool,
}

/// The result of a successful build.
#[derive(Debug, Clone)]
pub struct BuildReport {
    /// The workspace root, where `Nano.lock` lives.
    pub workspace_root: PathBuf,
    /// `target/nano/`.
    pub nano_dir: PathBuf,
    /// The plan file.
    pub plan_path: PathBuf,
    /// The plan.
    pub plan: Plan,
    /// Every nano package, children first.
    pub packages: Vec<PackageReport>,
    /// Whether the plan and composed component are the previous build's, reused because every
    /// input of composition was the same (as `target/nano/link.json` records), rather than
    /// composed, verified and written by this build.
    pub fresh: bool,
}

/// An error of `cargo nano build`.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The workspace could not be read.
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
    /// The nano tree is invalid.
    #[error(transparent)]
    Graph(#[from] GraphError),
    /// Cargo failed.
    #[error(transparent)]
    Cargo(#[from] CargoBuildError),
    /// A component could not be inspected.
    #[error("failed to inspect the component of package `{package}`")]
    Inspect {
        /// The package.
        package: String,
        /// The cause.
        #[source]
        source: InspectError,
    },
    /// Something wants more than it was given.
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// A child does not export what its parent was compiled against.
    #[error(transparent)]
    Compat(#[from] crate::compat::CompatError),
    /// Composition failed.
    #[error(transparent)]
    Compose(#[from] ComposeError),
    /// The target directory could not be locked for this build.
    #[error(transparent)]
    Lock(#[from] crate::target_lock::TargetLockError),
    /// The composition could not be proven correct.
    #[error(transparent)]
    Verify(#[from] VerifyError),
    /// An output could not be written.
    #[error("failed to write `{path}`")]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

impl BuildError {
    /// Whether this is a policy violation (exit 1) rather than bad input (exit 2).
    pub fn is_policy_violation(&self) -> bool {
        matches!(self, BuildError::Policy(_))
    }
}

/// `target/nano/` of the workspace at `manifest_path`, where builds write their outputs.
pub fn nano_dir(manifest_path: &Path, flags: &CargoFlags) -> Result<PathBuf, BuildError> {
    Ok(Workspace::load(manifest_path, flags)?
        .target_dir
        .join("nano"))
}

/// Reads the workspace and its nano tree, whether or not the top package has a manifest.
pub fn load_tree(options: &BuildOptions) -> Result<(Workspace, NanoGraph), BuildError> {
    let ws = Workspace::load(&options.manifest_path, &options.flags)?;
    let graph = graph::build_graph(&ws.packages, &ws.members, options.package.as_deref())?;
    Ok((ws, graph))
}

/// Reads the workspace and its nano tree; the top package must carry a manifest (a project
/// without one is pointed to `cargo nano init`).
pub fn load(options: &BuildOptions) -> Result<(Workspace, NanoGraph), BuildError> {
    let (ws, graph) = load_tree(options)?;
    let root = &graph.packages[graph.root].info;
    if root.manifest.is_none() {
        return Err(GraphError::NotNano {
            package: root.name.clone(),
            manifest: root.manifest_path.clone(),
        }
        .into());
    }
    Ok((ws, graph))
}

/// Runs the whole build. `progress` hears about each step.
pub fn build(
    options: &BuildOptions,
    progress: &mut dyn FnMut(Event),
) -> Result<BuildReport, BuildError> {
    // rustup answers while Cargo reads the workspace: both mostly wait for their process to
    // start, so a no-op build waits for one instead of the two in turn.
    let installed = std::thread::spawn(cargo_build::target_installed);
    let (ws, graph) = load(options)?;
    progress(Event::Planned {
        packages: graph.packages.len(),
    });
    // Grants depend only on manifests: check them before spending time compiling.
    let holdings = policy::resolve_holdings(&graph)?;
    let installed = installed
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    install_target_unless(installed?, progress)?;
    // Held until the outputs are written: one build at a time per target directory.
    let _lock = crate::target_lock::lock(&ws.target_dir, progress)?;
    let (reports, components) = build_all(&ws, &graph, &options.flags, progress)?;
    let violations: Vec<_> = graph
        .packages
        .iter()
        .zip(&reports)
        .flat_map(|(pkg, report)| {
            policy::check_syscalls(
                &pkg.info.name,
                &pkg.info.manifest_path,
                &pkg.manifest.requests,
                &report.inspection,
            )
        })
        .collect();
    if !violations.is_empty() {
        return Err(PolicyError { violations }.into());
    }
    let nano_dir = ws.target_dir.join("nano");
    let (plan, fresh) = crate::pipeline_link::link(
        &graph,
        &holdings,
        &reports,
        &components,
        &nano_dir,
        progress,
    )?;
    Ok(BuildReport {
        workspace_root: ws.root.clone(),
        plan_path: nano_dir.join("plan.json"),
        nano_dir,
        plan,
        packages: reports,
        fresh,
    })
}

/// Installs the wasm target when rustup does not list it.
pub fn ensure_target(progress: &mut dyn FnMut(Event)) -> Result<(), BuildError> {
    install_target_unless(cargo_build::target_installed()?, progress)
}

/// Installs the wasm target unless `installed` (what rustup listed) says it is.
fn install_target_unless(
    installed: bool,
    progress: &mut dyn FnMut(Event),
) -> Result<(), BuildError> {
    if !installed {
        progress(Event::InstallingTarget);
        cargo_build::install_target()?;
    }
    Ok(())
}

/// Compiles and inspects every nano package of `graph`, in its order; returns the reports and
/// the components' bytes.
pub(crate) fn build_all(
    ws: &Workspace,
    graph: &NanoGraph,
    flags: &CargoFlags,
    progress: &mut dyn FnMut(Event),
) -> Result<(Vec<PackageReport>, Vec<Vec<u8>>), BuildError> {
    let remaps = ws.path_remaps();
    let views = crate::interface_view::plan(graph, &ws.target_dir)
        .map_err(CargoBuildError::InterfaceView)?;
    for (package, why) in &views.full_source {
        progress(Event::FullSource {
            package: package.clone(),
            reason: why.to_string(),
        });
    }
    let ctx = BuildContext {
        workspace: ws,
        graph,
        remaps: &remaps,
        flags,
        views: &views,
    };
    let mut reports = Vec::new();
    let mut components = Vec::new();
    for pkg in &graph.packages {
        progress(Event::Compiling {
            package: pkg.info.name.clone(),
        });
        let (report, bytes) = build_one(&ctx, pkg)?;
        reports.push(report);
        components.push(bytes);
    }
    Ok((reports, components))
}

/// Compiles one nano package and inspects its component; returns the report and the bytes.
pub fn build_one(
    ctx: &BuildContext<'_>,
    pkg: &NanoPackage,
) -> Result<(PackageReport, Vec<u8>), BuildError> {
    let path = cargo_build::build_package(ctx, pkg)?;
    let bytes = std::fs::read(&path).map_err(|source| CargoBuildError::Read {
        path: path.clone(),
        source,
    })?;
    let sha256 = crate::build_cache::sha256_hex(&bytes);
    let version = pkg.info.version.to_string();
    let nano_dir = ctx.workspace.target_dir.join("nano");
    let (inspection, fresh) = crate::build_cache::inspection::inspect(
        &nano_dir,
        &pkg.info.name,
        &version,
        &bytes,
        &sha256,
    )
    .map_err(|source| BuildError::Inspect {
        package: pkg.info.name.clone(),
        source,
    })?;
    let report = PackageReport {
        name: pkg.info.name.clone(),
        version,
        source: pkg.info.source.clone(),
        manifest_path: pkg.info.manifest_path.clone(),
        requests: pkg.manifest.requests.clone(),
        component: path,
        component_sha256: sha256,
        crates: crate::attribution::linked_crates(&ctx.workspace.packages, &pkg.info.id),
        build: crate::build_time::of_package(ctx.workspace, &pkg.info.id)?,
        inspection,
        fresh,
    };
    Ok((report, bytes))
}

/// Write-then-rename, so readers never see a partial file.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}
