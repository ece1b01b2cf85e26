//! `cargo nano run --audit [--write]`: one run with the audit's ceiling, then the manifest
//! entries the run and the code need.

use linker::audit::{self, AuditBuild, PackageNeeds};
use manifest_schema::Capabilities;
use runtime::{App, NanoEngine, RunError, RunOptions};

use super::build::ProjectArgs;
use crate::output::{self, EXIT_INPUT, EXIT_POLICY};
use crate::progress::Progress;

/// Builds for an audit, runs once, prints what each package needs; with `write`, adds it to the
/// workspace's manifests. Exit 0 when the manifests cover it all (or now do), 1 when something
/// is still missing, 2 on bad input, 101 when the program trapped (the audit is printed anyway).
pub fn exec(
    project: &ProjectArgs,
    mut options: RunOptions,
    passed_env: &[String],
    args: &[String],
    write: bool,
) -> u8 {
    let build_options = match project.options() {
        Ok(o) => o,
        Err(code) => return code,
    };
    let mut progress = Progress::new();
    let built = audit::build_for_audit(&build_options, &mut |e| progress.event(e));
    progress.finish(built.is_ok());
    let build = match built {
        Ok(b) => b,
        Err(e) => return output::report_build_error(&e),
    };
    let cache = linker::pipeline::nano_dir(&build_options.manifest_path, &build_options.flags)
        .ok()
        .map(|d| d.join("cache"));
    let program = build.plan.instances[0].package.clone();
    options.args(std::iter::once(program).chain(args.iter().cloned()));
    let ran = NanoEngine::new(cache).and_then(|engine| {
        let app = App::for_audit(&engine, build.plan.clone(), &build.wasm)?;
        let result = app.run(&options);
        Ok((result, app.audit()))
    });
    let (result, uses) = match ran {
        Ok(r) => r,
        Err(e) => {
            output::print_error(&e);
            return EXIT_INPUT;
        }
    };
    let trapped = match &result {
        Err(e @ RunError::Trap { .. }) | Err(e @ RunError::Limit(_)) => {
            output::print_error(e);
            true
        }
        Err(e) => {
            output::print_error(e);
            return EXIT_INPUT;
        }
        Ok(_) => false,
    };
    let needs = audit::needs(&build, &uses, passed_env);
    eprint!("{}", report(&build, &needs));
    let mut missing = needs.iter().any(|n| !n.satisfied());
    if write && missing {
        match audit::write(&needs) {
            Ok(paths) => {
                for p in &paths {
                    eprintln!("wrote `{}`", p.display());
                }
                missing = needs.iter().any(|n| !n.local && !n.satisfied());
            }
            Err(e) => {
                output::print_error(&e);
                return EXIT_INPUT;
            }
        }
    }
    match (trapped, missing) {
        (true, _) => super::run::EXIT_TRAP,
        (false, true) => EXIT_POLICY,
        (false, false) => 0,
    }
}

/// The audit, per package: each manifest key that misses something, with the value it needs
/// (what it has plus what is missing), and what only the user can decide.
fn report(build: &AuditBuild, needs: &[PackageNeeds]) -> String {
    let mut out = String::from("\naudit: the manifest entries this run and the code need\n");
    for n in needs {
        let manifest = build
            .graph
            .packages
            .iter()
            .find(|p| p.info.name == n.package)
            .map(|p| &p.manifest);
        let path = n.manifest_path.display();
        if n.satisfied() && n.decisions.is_empty() {
            out.push_str(&format!(
                "\npackage `{}` ({path}): nothing missing\n",
                n.package
            ));
            continue;
        }
        out.push_str(&format!("\npackage `{}` ({path}):\n", n.package));
        if !n.missing_requests.is_empty() {
            out.push_str("  [package.metadata.nano.requests]\n");
            let have = manifest.map(|m| m.requests.clone()).unwrap_or_default();
            lines(&mut out, &have, &n.missing_requests);
        }
        for (child, missing) in n.missing_grants.iter().filter(|(_, m)| !m.is_empty()) {
            out.push_str(&format!("  [package.metadata.nano.grants.{child}]\n"));
            let have = manifest
                .and_then(|m| m.grants.get(child))
                .map(audit::granted_caps)
                .unwrap_or_default();
            lines(&mut out, &have, missing);
        }
        if !n.local && !n.satisfied() {
            out.push_str("  note: this package is not in your workspace: its author must request this; until then, cargo-nano refuses to build it\n");
        }
        for d in &n.decisions {
            out.push_str(&format!("  to decide: {d}\n"));
        }
    }
    out
}

/// One `key = value` line per key of `missing`: the value is `have` plus `missing`.
fn lines(out: &mut String, have: &Capabilities, missing: &Capabilities) {
    let mut all = have.clone();
    for (slot, access) in &missing.dirs {
        all.dirs.insert(slot.clone(), *access);
    }
    all.env.extend(missing.env.iter().cloned());
    all.stdio.extend(missing.stdio.iter().copied());
    all.clocks.extend(missing.clocks.iter().copied());
    all.network.extend(missing.network.iter().cloned());
    fn list<T: std::fmt::Display>(items: impl IntoIterator<Item = T>) -> String {
        let quoted: Vec<String> = items.into_iter().map(|i| format!("\"{i}\"")).collect();
        format!("[{}]", quoted.join(", "))
    }
    if !missing.dirs.is_empty() {
        let slots: Vec<String> = all
            .dirs
            .iter()
            .map(|(s, a)| format!("{s} = \"{a}\""))
            .collect();
        out.push_str(&format!("  dirs = {{ {} }}\n", slots.join(", ")));
    }
    if !missing.env.is_empty() {
        out.push_str(&format!("  env = {}\n", list(&all.env)));
    }
    if !missing.stdio.is_empty() {
        out.push_str(&format!("  stdio = {}\n", list(&all.stdio)));
    }
    if !missing.clocks.is_empty() {
        out.push_str(&format!("  clocks = {}\n", list(&all.clocks)));
    }
    if missing.random {
        out.push_str("  random = true\n");
    }
    if !missing.network.is_empty() {
        out.push_str(&format!("  network = {}\n", list(&all.network)));
    }
    if missing.args {
        out.push_str("  args = true\n");
    }
}
