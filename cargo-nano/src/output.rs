//! Rendering: errors with their `Caused by:` chain (manifests, grants and locks with their
//! place, [`crate::diagnostic`]), and the per-package capability table.

use std::fmt::Write as _;

use build_sandbox::{ConfigError, SetupError};
use linker::cargo_build::CargoBuildError;
use linker::graph::GraphError;
use linker::pipeline::BuildError;
use manifest_schema::plan::{Holdings, Plan, PlanInstance};

use crate::diagnostic;

/// Exit code for a policy violation.
pub const EXIT_POLICY: u8 = 1;
/// Exit code for bad input or usage.
pub const EXIT_INPUT: u8 = 2;

/// Prints `error: …` and every cause on stderr; a lock that is not valid TOML or holds a
/// conflict marker is shown at its line ([`diagnostic`]).
pub fn print_error(err: &(dyn std::error::Error + 'static)) {
    if let Some(lock) = err.downcast_ref::<linker::lock::LockError>() {
        let color = diagnostic::color_stderr();
        if let Some(shown) = diagnostic::lock_error(lock, &mut diagnostic::Files::default(), color)
        {
            eprintln!("{shown}");
            return;
        }
    }
    eprintln!("error: {err}");
    let mut source = err.source();
    if source.is_some() {
        eprintln!("\nCaused by:");
    }
    let mut n = 0;
    while let Some(cause) = source {
        eprintln!("  {n}: {cause}");
        n += 1;
        source = cause.source();
    }
}

/// Prints a build error in full and returns its exit code.
pub fn report_build_error(err: &BuildError) -> u8 {
    let (color, mut files) = (diagnostic::color_stderr(), diagnostic::Files::default());
    let graph = match err {
        BuildError::Graph(g)
        | BuildError::Workspace(linker::workspace::WorkspaceError::Graph(g)) => Some(g),
        _ => None,
    };
    match (err, graph) {
        (BuildError::Policy(p), _) => {
            for v in &p.violations {
                eprintln!("{}\n", diagnostic::violation(v, &mut files, color));
            }
            eprintln!(
                "error: {} policy violation(s); nothing was linked",
                p.violations.len()
            );
        }
        (_, Some(GraphError::Manifests(list))) => {
            eprint!("{}", diagnostic::manifest_errors(list, &mut files, color));
        }
        (
            _,
            Some(GraphError::UnknownGrant {
                package,
                name,
                manifest,
                help,
            }),
        ) => {
            let shown = diagnostic::unknown_grant(package, name, manifest, help, &mut files, color);
            eprintln!("{shown}");
        }
        (
            BuildError::Cargo(CargoBuildError::Sandbox(SetupError::Config(
                config @ ConfigError::Invalid { path, key, problem },
            ))),
            _,
        ) => {
            let shown = config.to_string();
            let shown = diagnostic::build_permission(path, key, problem, &shown, &mut files, color);
            eprintln!("{shown}");
        }
        (other, _) => print_error(other),
    }
    if err.is_policy_violation() {
        EXIT_POLICY
    } else {
        EXIT_INPUT
    }
}

/// The capability table: one row per instance and what it holds.
pub fn capability_table(plan: &Plan) -> String {
    let rows: Vec<(String, String, String)> = plan
        .instances
        .iter()
        .map(|inst| {
            (
                indent(inst, &plan.instances),
                format!("{} {}", inst.package, inst.version),
                holdings(&inst.holds),
            )
        })
        .collect();
    let w0 = rows
        .iter()
        .map(|r| r.0.len())
        .max()
        .unwrap_or(0)
        .max("instance".len());
    let w1 = rows
        .iter()
        .map(|r| r.1.len())
        .max()
        .unwrap_or(0)
        .max("package".len());
    let mut out = String::new();
    let _ = writeln!(out, "{:w0$}  {:w1$}  holds", "instance", "package");
    for (a, b, c) in rows {
        let _ = writeln!(out, "{a:w0$}  {b:w1$}  {c}");
    }
    out
}

fn indent(inst: &PlanInstance, all: &[PlanInstance]) -> String {
    let mut depth = 0;
    let mut p = inst.parent;
    while let Some(i) = p {
        depth += 1;
        p = all.get(i).and_then(|x| x.parent);
    }
    // The instance's own name: the last segment of its path (a renamed dependency's new name).
    let name = inst.id.rsplit('/').next().unwrap_or(&inst.id);
    format!("{}{name}", "  ".repeat(depth))
}

/// One line summarising what an instance holds.
pub fn holdings(h: &Holdings) -> String {
    let mut parts = Vec::new();
    if !h.dirs.is_empty() {
        let dirs: Vec<String> = h
            .dirs
            .iter()
            .map(|(slot, b)| {
                let access = match b.access {
                    manifest_schema::Access::ReadOnly => "ro",
                    manifest_schema::Access::ReadWrite => "rw",
                };
                match (&b.from, &b.path) {
                    (None, _) => format!("{slot}({access})"),
                    (Some(from), None) => format!("{slot}({access})={from}"),
                    (Some(from), Some(path)) => format!("{slot}({access})={from}/{path}"),
                }
            })
            .collect();
        parts.push(format!("dirs: {}", dirs.join(" ")));
    }
    let list = |name: &str, items: Vec<String>| {
        (!items.is_empty()).then(|| format!("{name}: {}", items.join(" ")))
    };
    parts.extend(list("env", h.env.iter().cloned().collect()));
    parts.extend(list(
        "stdio",
        h.stdio
            .iter()
            .map(|s| format!("{s:?}").to_lowercase())
            .collect(),
    ));
    parts.extend(list(
        "clocks",
        h.clocks
            .iter()
            .map(|c| format!("{c:?}").to_lowercase())
            .collect(),
    ));
    parts.extend(list(
        "network",
        h.network.iter().map(|e| e.to_string()).collect(),
    ));
    if h.random {
        parts.push("random".into());
    }
    if h.args {
        parts.push("args".into());
    }
    parts.extend(limits(&h.limits));
    if parts.is_empty() {
        "nothing".into()
    } else {
        parts.join("; ")
    }
}

/// The limits that differ from the defaults, e.g. `limits: memory 16 MiB, time 500ms`.
fn limits(l: &manifest_schema::HeldLimits) -> Option<String> {
    let default = manifest_schema::HeldLimits::default();
    let mut set = Vec::new();
    if l.memory != default.memory {
        set.push(format!("memory {}", l.memory));
    }
    if l.table_elements != default.table_elements {
        set.push(format!("table-elements {}", l.table_elements));
    }
    if let Some(time) = l.time {
        set.push(format!("time {time}"));
    }
    (!set.is_empty()).then(|| format!("limits: {}", set.join(", ")))
}
