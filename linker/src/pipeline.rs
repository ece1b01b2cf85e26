//! `cargo nano build` as one library call: read the workspace, check grants, build and inspect
//! every nano package, check what each reaches, compose, verify, and write `target/nano/`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use manifest_schema::plan::{PLAN_FORMAT, Plan, PlanInstance};
use sha2::{Digest, Sha256};

use crate::cargo_build::{self, BuildContext, CargoBuildError, CargoFlags};
use crate::compose::{self, ComposeError};
use crate::graph::{self, GraphError, NanoGraph, NanoPackage};
use crate::inspect::{self, InspectError, Inspection};
use crate::policy::{self, PolicyError};
use crate::verify::{self, ExpectedInstance, VerifyError};
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
    let (ws, graph) = load(options)?;
    progress(Event::Planned {
        packages: graph.packages.len(),
    });
    // Grants depend only on manifests: check them before spending time compiling.
    let holdings = policy::resolve_holdings(&graph)?;
    ensure_target(progress)?;
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
    progress(Event::Linking);
    crate::compat::ensure(&graph, &components)?;
    let composition = compose::compose(&graph, &components)?;
    let verified = verify::verify(
        &composition.bytes,
        &expected(&graph, &composition, &reports),
    )?;
    let nano_dir = ws.target_dir.join("nano");
    let plan = write_outputs(&graph, &holdings, &composition, &verified, &nano_dir)?;
    Ok(BuildReport {
        workspace_root: ws.root.clone(),
        plan_path: nano_dir.join("plan.json"),
        nano_dir,
        plan,
        packages: reports,
    })
}

/// Installs the wasm target when rustup does not list it.
pub fn ensure_target(progress: &mut dyn FnMut(Event)) -> Result<(), BuildError> {
    if !cargo_build::target_installed()? {
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
    let inspection =
        inspect::inspect_package(&bytes, &pkg.info.name).map_err(|source| BuildError::Inspect {
            package: pkg.info.name.clone(),
            source,
        })?;
    let report = PackageReport {
        name: pkg.info.name.clone(),
        version: pkg.info.version.to_string(),
        source: pkg.info.source.clone(),
        manifest_path: pkg.info.manifest_path.clone(),
        requests: pkg.manifest.requests.clone(),
        component: path,
        component_sha256: hex::encode(Sha256::digest(&bytes)),
        crates: crate::attribution::linked_crates(&ctx.workspace.packages, &pkg.info.id),
        build: crate::build_time::of_package(ctx.workspace, &pkg.info.id)?,
        inspection,
    };
    Ok((report, bytes))
}

pub(crate) fn expected(
    graph: &NanoGraph,
    composition: &compose::Composition,
    reports: &[PackageReport],
) -> Vec<ExpectedInstance> {
    graph
        .instances
        .iter()
        .zip(&composition.instance_sha256)
        .map(|(inst, sha256)| ExpectedInstance {
            id: inst.id.clone(),
            namespace: inst.namespace.clone(),
            // Each instance runs its own tagged copy of its package's component.
            component_sha256: *sha256,
            parent: inst.parent,
            imports: reports[inst.package].inspection.imports.clone(),
        })
        .collect()
}

fn write_outputs(
    graph: &NanoGraph,
    holdings: &[manifest_schema::plan::Holdings],
    composition: &compose::Composition,
    verified: &verify::Verified,
    nano_dir: &Path,
) -> Result<Plan, BuildError> {
    let plan = plan_of(graph, holdings, composition, verified);
    let write = |path: PathBuf, bytes: &[u8]| {
        write_atomic(&path, bytes).map_err(|source| BuildError::Write { path, source })
    };
    std::fs::create_dir_all(nano_dir).map_err(|source| BuildError::Write {
        path: nano_dir.to_path_buf(),
        source,
    })?;
    write(nano_dir.join(&plan.component), &composition.bytes)?;
    let json = serde_json::to_string_pretty(&plan).map_err(|e| BuildError::Write {
        path: nano_dir.join("plan.json"),
        source: std::io::Error::other(e),
    })?;
    // The plan goes last: it names the component's checksum, so a run never trusts a component
    // written by an interrupted build.
    write(nano_dir.join("plan.json"), json.as_bytes())?;
    Ok(plan)
}

/// The plan of a composition whose instances hold `holdings`.
pub(crate) fn plan_of(
    graph: &NanoGraph,
    holdings: &[manifest_schema::plan::Holdings],
    composition: &compose::Composition,
    verified: &verify::Verified,
) -> Plan {
    let root = &graph.packages[graph.root].info.name;
    Plan {
        format: PLAN_FORMAT,
        component: format!("{root}.wasm"),
        component_sha256: hex::encode(Sha256::digest(&composition.bytes)),
        type_only_imports: verified.type_only.clone(),
        instances: graph
            .instances
            .iter()
            .zip(holdings)
            .zip(&composition.system_imports)
            .zip(&composition.instance_sha256)
            .map(|(((inst, holds), imports), sha256)| PlanInstance {
                id: inst.id.clone(),
                package: graph.packages[inst.package].info.name.clone(),
                version: graph.packages[inst.package].info.version.to_string(),
                namespace: inst.namespace.clone(),
                parent: inst.parent,
                component_sha256: hex::encode(sha256),
                holds: holds.clone(),
                imports: imports.clone(),
            })
            .collect(),
    }
}

/// Write-then-rename, so readers never see a partial file.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}
