//! `cargo nano run`.

use clap::Args;
use manifest_schema::{Endpoint, MemorySize, TimeLimit};
use runtime::{App, CacheStatus, NanoEngine, RunError, RunOptions};

use super::build::ProjectArgs;
use crate::output::{self, EXIT_INPUT};

/// Exit code when the program traps (a Rust panic inside a nanoprocess traps).
pub(crate) const EXIT_TRAP: u8 = 101;
/// Exit code when a package exceeds its memory, table or time limit: apart from traps, so that
/// scripts can tell a runaway dependency from a crash.
const EXIT_LIMIT: u8 = 102;

/// Build if needed, then run the application on the bundled runtime.
#[derive(Args, Debug)]
pub struct RunCommand {
    #[command(flatten)]
    project: ProjectArgs,
    /// Bind the top package's directory slot SLOT to the host directory PATH.
    #[arg(long = "dir", value_name = "SLOT=PATH")]
    dirs: Vec<String>,
    /// Pass the environment variable NAME (its host value), or NAME=VALUE.
    #[arg(long = "env", value_name = "NAME[=VALUE]")]
    env: Vec<String>,
    /// Allow the top package to connect to HOST:PORT (it must request it).
    #[arg(long = "net", value_name = "HOST:PORT")]
    net: Vec<String>,
    /// The top package's memory limit for this run (e.g. `64MiB`), replacing its own; no child
    /// gets more than it.
    #[arg(long, value_name = "SIZE", value_parser = parse_limit::<MemorySize>)]
    max_memory: Option<MemorySize>,
    /// Stop the run after DURATION (e.g. `10s`, `500ms`): the top package's time limit, which
    /// counts its children's time too; no child gets more than it.
    #[arg(long, value_name = "DURATION", value_parser = parse_limit::<TimeLimit>)]
    timeout: Option<TimeLimit>,
    /// Run once with everything offered (every stream, clock, random, the arguments, and the
    /// `--dir`, `--env` and `--net` given, to every package), record what each package uses, and
    /// print the requests and grants its manifests miss. Exit 0 when nothing is missing, 1 when
    /// something is. Builds even when the manifests refuse it; links nothing into `target/nano/`.
    #[arg(long, conflicts_with_all = ["no_build", "plan", "max_memory", "timeout"])]
    audit: bool,
    /// With `--audit`: add what is missing to the manifests of your workspace's packages.
    #[arg(long, requires = "audit")]
    write: bool,
    /// Run what the last `cargo nano build` linked, without building.
    #[arg(long)]
    no_build: bool,
    /// With `--no-build`: the plan to run (default `target/nano/plan.json`).
    #[arg(long, value_name = "PATH", requires = "no_build")]
    plan: Option<std::path::PathBuf>,
    /// Arguments for the program.
    #[arg(last = true)]
    args: Vec<String>,
}

impl RunCommand {
    /// Runs the command.
    pub fn exec(self) -> u8 {
        if self.audit {
            return self.audit();
        }
        if let Err(code) = self.check_before_build() {
            return code;
        }
        let plan_path = match self.plan_path() {
            Ok(p) => p,
            Err(code) => return code,
        };
        let granted = match self.granted(&plan_path) {
            Ok(g) => g,
            Err(code) => return code,
        };
        let cache = plan_path.with_file_name("cache");
        let result = NanoEngine::new(Some(cache)).and_then(|engine| {
            let app = if self.timeout.is_some() {
                App::load_for_timeout(&engine, &plan_path)?
            } else {
                App::load(&engine, &plan_path)?
            };
            if let Some(granted) = &granted {
                runtime::integrity::check_holdings(app.plan(), granted)?;
            }
            if let CacheStatus::Replaced(reason) = &app.cache {
                eprintln!("warning: recompiled the application: {reason}");
            }
            if let Some(note) = app.allocator.note() {
                eprintln!("note: {note}");
            }
            if !crate::term::quiet() {
                eprint!("{}", output::capability_table(app.plan()));
            }
            let program = app.plan().instances[0].package.clone();
            let options = self.options(&program).map_err(RunError::Plan)?;
            let result = app.run(&options);
            if let Some(exit) = app.exit().filter(|e| !e.top) {
                eprintln!("note: {exit}");
            }
            // Denials stay denials; they are reported, whether the run succeeded or not.
            for denial in app.denials() {
                eprintln!("warning: {denial}");
            }
            result
        });
        match result {
            Ok(code) => u8::try_from(code & 0xff).unwrap_or(1),
            Err(e) => {
                output::print_error(&e);
                if let (true, RunError::Trap { full, .. }) = (crate::term::verbose() > 0, &e) {
                    eprintln!("\n{full}");
                }
                match e {
                    RunError::Trap { .. } => EXIT_TRAP,
                    RunError::Limit(_) => EXIT_LIMIT,
                    _ => EXIT_INPUT,
                }
            }
        }
    }

    fn audit(&self) -> u8 {
        let mut options = match self.options("") {
            Ok(o) => o,
            Err(message) => {
                eprintln!("error: {message}");
                return EXIT_INPUT;
            }
        };
        options.audit(true);
        let passed: Vec<String> = self
            .env
            .iter()
            .map(|e| e.split_once('=').map_or(e.as_str(), |(k, _)| k).to_string())
            .collect();
        super::run_audit::exec(&self.project, options, &passed, &self.args, self.write)
    }

    /// Builds (unless `--no-build`) and returns the plan to run.
    fn plan_path(&self) -> Result<std::path::PathBuf, u8> {
        if !self.no_build {
            return self.project.build().map(|report| report.plan_path);
        }
        if let Some(plan) = &self.plan {
            return Ok(plan.clone());
        }
        let options = self.project.options()?;
        linker::pipeline::nano_dir(&options.manifest_path, &options.flags)
            .map(|dir| dir.join("plan.json"))
            .map_err(|e| output::report_build_error(&e))
    }

    /// With `--no-build`, what the manifests grant each instance now: the linked app on disk must
    /// hold exactly that (`runtime::integrity`). The top package is the plan's unless `-p` names
    /// one.
    fn granted(
        &self,
        plan_path: &std::path::Path,
    ) -> Result<Option<Vec<manifest_schema::plan::GrantedInstance>>, u8> {
        if !self.no_build {
            return Ok(None);
        }
        const HELP: &str = "help: `--no-build` checks the linked app against the manifests of the workspace it was built from; run it in a checkout of that workspace (or pass `--manifest-path`)";
        let mut options = self
            .project
            .options()
            .inspect_err(|_| eprintln!("{HELP}"))?;
        if options.package.is_none() {
            options.package = std::fs::read_to_string(plan_path)
                .ok()
                .and_then(|text| serde_json::from_str::<manifest_schema::plan::Plan>(&text).ok())
                .and_then(|plan| plan.instances.first().map(|i| i.package.clone()));
        }
        linker::verify::granted_instances(&options)
            .map(Some)
            .map_err(|e| {
                let code = output::report_build_error(&e);
                eprintln!("{HELP}");
                code
            })
    }

    /// Refuses bad options before anything is built: malformed or repeated ones, and — unless
    /// `--no-build`, where the runtime checks them against the plan — every slot the top
    /// package requests but was not given, all at once.
    fn check_before_build(&self) -> Result<(), u8> {
        let refuse = |message: String| {
            eprintln!("error: {message}");
            EXIT_INPUT
        };
        self.options("").map_err(refuse)?;
        if self.no_build {
            return Ok(());
        }
        let Ok((_, graph)) = linker::pipeline::load(&self.project.options()?) else {
            return Ok(()); // the build reports it
        };
        let root = &graph.packages[graph.root];
        let given: Vec<&str> = self
            .dirs
            .iter()
            .filter_map(|d| d.split_once('=').map(|(slot, _)| slot))
            .collect();
        let slots: Vec<String> = root
            .manifest
            .requests
            .dirs
            .keys()
            .filter(|slot| !given.contains(&slot.as_str()))
            .cloned()
            .collect();
        if slots.is_empty() {
            return Ok(());
        }
        let package = root.info.name.clone();
        Err(refuse(RunError::MissingDir { package, slots }.to_string()))
    }

    fn options(&self, program: &str) -> Result<RunOptions, String> {
        let mut o = RunOptions::default();
        let mut slots = std::collections::BTreeSet::new();
        for d in &self.dirs {
            let (slot, path) = d
                .split_once('=')
                .ok_or_else(|| format!("`--dir {d}` must be SLOT=PATH (e.g. `--dir {d}=./{d}`)"))?;
            if !slots.insert(slot) {
                return Err(format!(
                    "`--dir {slot}=…` is given more than once (help: bind each slot once)"
                ));
            }
            o.dir(slot, path);
        }
        let mut names = std::collections::BTreeSet::new();
        for e in &self.env {
            let name = e.split_once('=').map_or(e.as_str(), |(k, _)| k);
            if !names.insert(name) {
                return Err(format!(
                    "`--env {name}` is given more than once (help: pass each variable once)"
                ));
            }
            match e.split_once('=') {
                Some((k, v)) => o.env(k, v),
                None => match std::env::var(e) {
                    Ok(v) => o.env(e.as_str(), v),
                    Err(_) => {
                        return Err(format!(
                            "`--env {e}`: `{e}` is not set (help: pass `--env {e}=VALUE`)"
                        ));
                    }
                },
            };
        }
        for n in &self.net {
            let endpoint: Endpoint = n.parse().map_err(|e| format!("`--net {n}`: {e}"))?;
            o.network(endpoint);
        }
        if let Some(limit) = self.max_memory {
            o.max_memory(limit);
        }
        if let Some(limit) = self.timeout {
            o.timeout(limit);
        }
        o.args(std::iter::once(program.to_string()).chain(self.args.iter().cloned()));
        Ok(o)
    }
}

/// A limit as clap parses it: the manifest's syntax and checks, with the fix hint.
fn parse_limit<T: std::str::FromStr<Err = manifest_schema::limits::ParseLimitError>>(
    text: &str,
) -> Result<T, String> {
    text.parse()
        .map_err(|e: manifest_schema::limits::ParseLimitError| {
            format!("{} (help: {})", e.message, e.help)
        })
}
