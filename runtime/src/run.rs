//! Loading a linked application and running it.

use std::path::{Path, PathBuf};

use manifest_schema::plan::{PLAN_FORMAT, Plan};
use sha2::{Digest, Sha256};
use wasmtime::component::{Component, InstancePre, ResourceTable};
use wasmtime::{Store, StoreContextMut, UpdateDeadline, WasmBacktrace};
use wasmtime_wasi::I32Exit;

use crate::audit::AuditLog;
use crate::audit_context::Audit;
use crate::context::{RunOptions, build_contexts};
use crate::denials::{Denial, Denials};
use crate::engine::{AllocatorStatus, CacheStatus, NanoEngine};
use crate::limits::{LimitExceeded, RunLimits, Ticker, Untagged};
use crate::state::NanoState;
use crate::{RunError, announce};
use manifest_schema::audit::InstanceUse;

/// A linked application: the composed component, checked and pre-instantiated.
pub struct App {
    plan: Plan,
    pre: InstancePre<NanoState>,
    run_export: String,
    /// Whether epoch checks are compiled in (time limits need them).
    epochs: bool,
    /// Whether the compiled component came from the cache.
    pub cache: CacheStatus,
    /// The instance allocator the app runs with ([`AllocatorStatus::note`]: why not the pool).
    pub allocator: AllocatorStatus,
    /// What the packages of the last run were denied.
    denials: Denials,
    /// Which package called `exit` in the last run.
    exit: std::sync::Mutex<Option<crate::exit::Exit>>,
    /// Whether this app was loaded for audit runs (and only those).
    for_audit: bool,
    /// What each instance used in the last audit run.
    audit: std::sync::Mutex<Option<AuditLog>>,
}

impl App {
    /// Loads the plan at `plan_path` and its component; refuses a component that does not match
    /// the plan or imports anything its owner did not announce.
    ///
    /// The component is compiled with epoch checks only when a package of the plan has a time
    /// limit: to give the run one with [`RunOptions::timeout`], load with
    /// [`App::load_for_timeout`].
    pub fn load(engine: &NanoEngine, plan_path: &Path) -> Result<App, RunError> {
        Self::load_with(engine, plan_path, false)
    }

    /// Like [`App::load`], always compiling epoch checks in, so that [`RunOptions::timeout`] can
    /// stop the run.
    pub fn load_for_timeout(engine: &NanoEngine, plan_path: &Path) -> Result<App, RunError> {
        Self::load_with(engine, plan_path, true)
    }

    fn load_with(engine: &NanoEngine, plan_path: &Path, timeout: bool) -> Result<App, RunError> {
        let plan = read_plan(plan_path)?;
        let wasm_path = plan_path.with_file_name(&plan.component);
        let wasm = std::fs::read(&wasm_path).map_err(|source| RunError::Read {
            path: wasm_path.clone(),
            source,
        })?;
        if hex::encode(Sha256::digest(&wasm)) != plan.component_sha256 {
            return Err(RunError::Stale(wasm_path));
        }
        // The bytes on disk prove their own wiring before anything is compiled from them.
        crate::integrity::check_wiring(&wasm, &plan)?;
        Self::from_parts(engine, plan, &wasm, timeout, false)
    }

    /// Loads a plan and its composed component, kept in memory, for audit runs only
    /// ([`RunOptions::audit`]): every path an instance opens is watched. An app loaded this way
    /// refuses a run that is not an audit, and the other way round.
    pub fn for_audit(engine: &NanoEngine, plan: Plan, wasm: &[u8]) -> Result<App, RunError> {
        if hex::encode(Sha256::digest(wasm)) != plan.component_sha256 {
            return Err(RunError::Stale(plan.component.clone().into()));
        }
        Self::from_parts(engine, plan, wasm, false, true)
    }

    fn from_parts(
        engine: &NanoEngine,
        plan: Plan,
        wasm: &[u8],
        timeout: bool,
        for_audit: bool,
    ) -> Result<App, RunError> {
        let epochs = timeout || plan.instances.iter().any(|i| i.holds.limits.time.is_some());
        let loaded = engine.load_app(wasm, &plan, epochs)?;
        let component = loaded.component;
        let mut linker = announce::linker_for(component.engine(), &component, &plan)?;
        if for_audit {
            crate::audit::watch_opens(&mut linker)
                .map_err(|e| RunError::Engine(format!("{e:#}")))?;
        }
        let pre = linker
            .instantiate_pre(&component)
            .map_err(|e| RunError::Link(format!("{e:#}")))?;
        let run_export = run_export(&component)?;
        Ok(App {
            plan,
            pre,
            run_export,
            epochs,
            cache: loaded.cache,
            allocator: loaded.allocator,
            denials: Denials::default(),
            exit: Default::default(),
            for_audit,
            audit: Default::default(),
        })
    }

    /// What each instance used in the last audit run, in plan order; empty before one.
    pub fn audit(&self) -> Vec<InstanceUse> {
        self.audit
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map(AuditLog::uses)
            .unwrap_or_default()
    }

    /// What packages of the last [`App::run`] attempted without holding it, and were denied:
    /// reading stdin or writing stdout or stderr, and socket uses (a connect to an endpoint it does
    /// not hold). Kept whether the run succeeded or failed; each distinct attempt once.
    pub fn denials(&self) -> Vec<Denial> {
        self.denials.list()
    }

    /// Which package called `wasi:cli/exit` in the last [`App::run`], and with what status; `None`
    /// when the program returned from `main` (or trapped) instead.
    pub fn exit(&self) -> Option<crate::exit::Exit> {
        self.exit.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The plan the app was linked with.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Runs the application; returns its exit code.
    ///
    /// Each instance runs under its limits ([`crate::limits`]): going over one stops the program
    /// with [`RunError::Limit`].
    pub fn run(&self, options: &RunOptions) -> Result<i32, RunError> {
        self.denials.clear();
        if options.audit != self.for_audit {
            return Err(RunError::Engine(
                "an audit run needs an app loaded with `App::for_audit`, and such an app runs only audits".into(),
            ));
        }
        let audit = match options.audit {
            true => Some(Audit::new(
                self.plan
                    .instances
                    .iter()
                    .map(|i| (i.id.clone(), i.package.clone())),
            )?),
            false => None,
        };
        let packages = build_contexts(&self.plan, options, &self.denials, audit.as_ref())?;
        let limits = RunLimits::new(&self.plan, options);
        let timed = limits.timed();
        if timed && !self.epochs {
            return Err(RunError::Engine(
                "a time limit was given to an app loaded without epoch checks (load it with `App::load_for_timeout`)".into(),
            ));
        }
        let state = NanoState {
            table: ResourceTable::new(),
            neutral: crate::state::neutral_ctx(),
            packages,
            limits,
            exited: None,
            networks: Default::default(),
            audit: audit.as_ref().map(|a| a.log.clone()),
        };
        let mut store = Store::new(self.pre.engine(), state);
        store.limiter(|state| &mut state.limits);
        // With epoch checks compiled in but no time limit (a `--timeout`-ready app run without
        // one), the deadline is never reached and no ticker runs.
        let _ticker = if timed {
            store.epoch_deadline_callback(|mut store| {
                let running = running_instance(&store);
                store
                    .data_mut()
                    .limits
                    .tick(running)
                    .map_err(|e| wasmtime::Error::new(*e))?;
                Ok(UpdateDeadline::Continue(1))
            });
            store.set_epoch_deadline(1);
            Some(Ticker::start(self.pre.engine().clone()))
        } else {
            if self.epochs {
                store.set_epoch_deadline(NEVER);
            }
            None
        };
        store.data_mut().limits.start_clock();
        let result = self.call_run(&mut store);
        *self.exit.lock().unwrap_or_else(|e| e.into_inner()) =
            crate::exit::named(&self.plan, store.data().exited);
        *self.audit.lock().unwrap_or_else(|e| e.into_inner()) =
            audit.as_ref().map(|a| a.log.clone());
        match result {
            Ok(Ok(())) => Ok(0),
            Ok(Err(())) => Ok(1),
            Err(e) => match e.downcast_ref::<I32Exit>() {
                Some(exit) => Ok(exit.0),
                None => Err(self.trap(e)),
            },
        }
    }

    fn call_run(&self, store: &mut Store<NanoState>) -> wasmtime::Result<Result<(), ()>> {
        let instance = self.pre.instantiate(&mut *store)?;
        let iface = instance
            .get_export_index(&mut *store, None, &self.run_export)
            .ok_or_else(|| wasmtime::Error::msg("missing `wasi:cli/run` export"))?;
        let func = instance
            .get_export_index(&mut *store, Some(&iface), "run")
            .ok_or_else(|| wasmtime::Error::msg("missing `run` function"))?;
        let run = instance.get_typed_func::<(), (Result<(), ()>,)>(&mut *store, &func)?;
        let (result,) = run.call(&mut *store, ())?;
        Ok(result)
    }

    /// Names the package a trap happened in: the innermost frame whose core module the linker
    /// named after an instance (or, for a component linked otherwise, whose module rustc named
    /// after a package's crate: `<crate>.wasm`, a binary's `<crate>-<hash>.wasm`). A limit that
    /// was exceeded names its package itself.
    fn trap(&self, e: wasmtime::Error) -> RunError {
        if let Some(limit) = e.downcast_ref::<LimitExceeded>() {
            return RunError::Limit(Box::new(limit.clone()));
        }
        if let Some(untagged) = e.downcast_ref::<Untagged>() {
            return RunError::Plan(untagged.to_string());
        }
        let package = e.downcast_ref::<WasmBacktrace>().and_then(|bt| {
            bt.frames().iter().find_map(|frame| {
                let name = frame.module().name()?;
                let by_namespace = self.plan.instances.iter().find(|i| i.namespace == name);
                let module = crate_of_module(name);
                by_namespace
                    .or_else(|| {
                        self.plan
                            .instances
                            .iter()
                            .find(|i| i.package.replace('-', "_") == module)
                    })
                    .map(|i| i.package.clone())
            })
        });
        let package = package.unwrap_or_else(|| "unknown".into());
        RunError::Trap {
            panic: self.denials.withheld_stderr(&package),
            message: e.root_cause().to_string(),
            backtrace: e
                .downcast_ref::<WasmBacktrace>()
                .map(|bt| crate::trap::frames(bt, &self.plan))
                .unwrap_or_default(),
            full: format!("{e:?}"),
            package,
        }
    }
}

/// An epoch deadline never reached: half the range, so that adding the current epoch cannot
/// overflow.
const NEVER: u64 = u64::MAX / 2;

/// The instance whose code runs: the innermost frame whose core module the linker named after an
/// instance.
fn running_instance(store: &StoreContextMut<'_, NanoState>) -> Option<usize> {
    let backtrace = WasmBacktrace::capture(store);
    let limits = &store.data().limits;
    backtrace
        .frames()
        .iter()
        .find_map(|frame| limits.instance_of_module(frame.module().name()?))
}

/// `divider.wasm` → `divider`; `app-7ed1e0df7b10b3cb.wasm` → `app`; `my-crate.wasm` → `my_crate`.
fn crate_of_module(name: &str) -> String {
    let stem = name.strip_suffix(".wasm").unwrap_or(name);
    let stem = match stem.rsplit_once('-') {
        Some((head, hash)) if hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()) => {
            head
        }
        _ => stem,
    };
    stem.replace('-', "_")
}

fn read_plan(path: &Path) -> Result<Plan, RunError> {
    let text = std::fs::read_to_string(path).map_err(|source| RunError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let plan: Plan = serde_json::from_str(&text).map_err(|e| {
        RunError::Plan(format!(
            "`{}` is not a valid plan ({e}); run `cargo nano build` again",
            path.display()
        ))
    })?;
    if plan.format != PLAN_FORMAT {
        return Err(RunError::Plan(format!(
            "`{}` has plan format {} but this cargo-nano reads {PLAN_FORMAT}; run `cargo nano build` again",
            path.display(),
            plan.format
        )));
    }
    Ok(plan)
}

fn run_export(component: &Component) -> Result<String, RunError> {
    component
        .component_type()
        .exports(component.engine())
        .map(|(name, _)| name)
        .find(|name| name.starts_with("wasi:cli/run@"))
        .map(str::to_string)
        .ok_or_else(|| {
            RunError::Link("the composed component does not export `wasi:cli/run`".into())
        })
}

/// The plan file name inside `target/nano/`.
pub fn plan_path(nano_dir: &Path) -> PathBuf {
    nano_dir.join("plan.json")
}

#[cfg(test)]
mod tests {
    use super::crate_of_module;

    #[test]
    fn module_names_map_to_crates() {
        assert_eq!(crate_of_module("divider.wasm"), "divider");
        assert_eq!(crate_of_module("app-7ed1e0df7b10b3cb.wasm"), "app");
        assert_eq!(crate_of_module("my-crate.wasm"), "my_crate");
        assert_eq!(
            crate_of_module("my-crate-7ed1e0df7b10b3cb.wasm"),
            "my_crate"
        );
    }
}
