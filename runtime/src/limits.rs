//! Per-package limits at run time: memory and tables through wasmtime's `ResourceLimiter`, time
//! through epoch interruption.
//!
//! **Memory and tables.** The store has one limiter, which wasmtime tells the current, desired and
//! declared maximum size of whatever memory or table grows (or is created), but not whose it is.
//! The linker gives every memory and table of instance `i` a declared maximum that encodes `i`
//! (`manifest_schema::plan::tag`), so the limiter reads the instance from it and adds the growth
//! to that instance's total, all its memories (or tables) together. Growing past the instance's
//! limit traps at the `memory.grow` (or `table.grow`) that asked, with a [`LimitExceeded`] error;
//! a memory or table without a tag is refused, so nothing grows unaccounted for.
//!
//! **Time.** A ticker thread advances the engine's epoch every [`TICK`]; at each tick the running
//! wasm calls back into [`Clock::tick`], which charges the time since the previous tick to the
//! instance running (from the innermost stack frame whose module the linker named after an
//! instance) and to all its ancestors: a package's time includes the calls it makes into its
//! children, so a parent's limit bounds its whole subtree, and the top package's bounds the run.

use std::collections::HashMap;
use std::fmt;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use manifest_schema::HeldLimits;
use manifest_schema::plan::{Plan, tag};
use wasmtime::{Engine, ResourceLimiter};

use crate::context::RunOptions;

/// How often the epoch advances: the resolution of time limits.
pub const TICK: Duration = Duration::from_millis(10);

/// Which limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitKind {
    /// Linear memory.
    Memory,
    /// Table elements.
    Tables,
    /// Running time.
    Time,
}

/// A package went over one of its limits; the program stops.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitExceeded {
    /// The package.
    pub package: String,
    /// Its instance path, e.g. `app/bomb`.
    pub instance: String,
    /// Which limit.
    pub kind: LimitKind,
    /// The limit, as written in manifests (`16 MiB`, `100000 elements`, `500ms`).
    pub limit: String,
    /// For a time limit: the package that was running when it ran out, if another one (a
    /// descendant, whose time counts against its ancestors).
    pub running: Option<String>,
    /// How to give it more.
    pub help: String,
}

impl fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            LimitKind::Memory => "memory",
            LimitKind::Tables => "table",
            LimitKind::Time => "time",
        };
        write!(
            f,
            "package `{}` exceeded its {what} limit of {}",
            self.package, self.limit
        )?;
        if let Some(running) = &self.running {
            write!(f, " (while its descendant `{running}` was running)")?;
        }
        write!(f, " (help: {})", self.help)
    }
}

impl std::error::Error for LimitExceeded {}

/// The limits of every instance of a run: the plan's, with the top package's replaced by the
/// command line (`--max-memory`, `--timeout`), and every child's lowered to its parent's (a
/// child never holds more than its parent, whatever the command line gives the top).
pub fn effective(plan: &Plan, options: &RunOptions) -> Vec<HeldLimits> {
    let mut out: Vec<HeldLimits> = Vec::with_capacity(plan.instances.len());
    for inst in &plan.instances {
        let mut limits = inst.holds.limits;
        match inst.parent.and_then(|p| out.get(p)) {
            None => {
                limits.memory = options.max_memory.unwrap_or(limits.memory);
                limits.time = options.timeout.or(limits.time);
            }
            Some(parent) => {
                limits.memory = limits.memory.min(parent.memory);
                limits.table_elements = limits.table_elements.min(parent.table_elements);
                limits.time = match (limits.time, parent.time) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
        }
        out.push(limits);
    }
    out
}

/// Who each instance is, for messages.
#[derive(Debug, Clone)]
struct Who {
    package: String,
    instance: String,
    parent: Option<usize>,
}

/// The limits of a run and what each instance used so far.
pub struct RunLimits {
    who: Vec<Who>,
    limits: Vec<HeldLimits>,
    /// The limits as linked, before the command line.
    linked: Vec<HeldLimits>,
    memory: Vec<u64>,
    tables: Vec<u64>,
    /// The last growth allowed, undone if wasmtime then fails to grow.
    pending: Option<(LimitKind, usize, u64)>,
    clock: Clock,
}

impl RunLimits {
    /// The limits of `plan` run with `options`.
    pub fn new(plan: &Plan, options: &RunOptions) -> Self {
        let limits = effective(plan, options);
        let who: Vec<Who> = plan
            .instances
            .iter()
            .map(|i| Who {
                package: i.package.clone(),
                instance: i.id.clone(),
                parent: i.parent,
            })
            .collect();
        let modules = plan
            .instances
            .iter()
            .enumerate()
            .map(|(index, i)| (i.namespace.clone(), index))
            .collect();
        let n = who.len();
        RunLimits {
            clock: Clock {
                budget: limits
                    .iter()
                    .map(|l| l.time.map(|t| t.duration()))
                    .collect(),
                used: vec![Duration::ZERO; n],
                last: Instant::now(),
                modules,
            },
            who,
            limits,
            linked: plan.instances.iter().map(|i| i.holds.limits).collect(),
            memory: vec![0; n],
            tables: vec![0; n],
            pending: None,
        }
    }

    /// Whether any instance has a time limit (else no ticker is needed).
    pub fn timed(&self) -> bool {
        self.limits.iter().any(|l| l.time.is_some())
    }

    /// Starts counting time now.
    pub fn start_clock(&mut self) {
        self.clock.last = Instant::now();
    }

    /// The instance a core module (named by the linker after its namespace) belongs to.
    pub fn instance_of_module(&self, name: &str) -> Option<usize> {
        self.clock.modules.get(name).copied()
    }

    /// Charges the time since the last tick to `running` (the top package when unknown) and its
    /// ancestors; the innermost of them over its limit, if any.
    pub fn tick(&mut self, running: Option<usize>) -> Result<(), Box<LimitExceeded>> {
        self.tick_at(running, Instant::now())
    }

    /// [`RunLimits::tick`] at `now`.
    fn tick_at(&mut self, running: Option<usize>, now: Instant) -> Result<(), Box<LimitExceeded>> {
        let elapsed = now.saturating_duration_since(self.clock.last);
        self.clock.last = now;
        let running = running.unwrap_or(0);
        let mut over = None;
        let mut at = Some(running);
        while let Some(i) = at {
            self.clock.used[i] += elapsed;
            if over.is_none() && self.clock.budget[i].is_some_and(|b| self.clock.used[i] > b) {
                over = Some(i);
            }
            at = self.who[i].parent;
        }
        match over {
            Some(i) => Err(Box::new(self.exceeded(LimitKind::Time, i, Some(running)))),
            None => Ok(()),
        }
    }

    /// The instance at `index` went over `kind`.
    fn exceeded(&self, kind: LimitKind, index: usize, running: Option<usize>) -> LimitExceeded {
        let who = &self.who[index];
        let limits = &self.limits[index];
        let (limit, key, flag) = match kind {
            LimitKind::Memory => (limits.memory.to_string(), "memory", Some("--max-memory")),
            LimitKind::Tables => (
                format!("{} elements", limits.table_elements),
                "table-elements",
                None,
            ),
            LimitKind::Time => (
                limits.time.map(|t| t.to_string()).unwrap_or_default(),
                "time",
                Some("--timeout"),
            ),
        };
        // Lower than linked: the command line lowered an ancestor's limit, and this one with it.
        let linked = &self.linked[index];
        let lowered = match kind {
            LimitKind::Memory => limits.memory < linked.memory,
            LimitKind::Tables => limits.table_elements < linked.table_elements,
            LimitKind::Time => limits
                .time
                .is_some_and(|t| linked.time.is_none_or(|l| t < l)),
        };
        let help = match (who.parent, flag) {
            (Some(_), Some(flag)) if lowered => format!(
                "for this run it holds what its ancestors hold, which `{flag}` on the command line lowered; a child never holds more than its parent"
            ),
            (Some(parent), _) => format!(
                "if it needs more, raise `limits.{key}` in `[package.metadata.nano.grants.{}]` of `{}`; a child never holds more than its parent",
                who.instance.rsplit('/').next().unwrap_or(&who.package),
                self.who[parent].package
            ),
            (None, Some(flag)) => format!(
                "`{flag}` sets the top package's limit for one run, `limits.{key}` in its `[package.metadata.nano.requests]` for good"
            ),
            (None, None) => format!(
                "if it needs more, raise `limits.{key}` in `[package.metadata.nano.requests]` of `{}`",
                who.package
            ),
        };
        LimitExceeded {
            package: who.package.clone(),
            instance: who.instance.clone(),
            kind,
            limit,
            running: running
                .filter(|&r| r != index)
                .map(|r| self.who[r].package.clone()),
            help,
        }
    }

    /// Accounts for growing a memory or table of the instance `maximum` names.
    fn grow(
        &mut self,
        kind: LimitKind,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let instance = match kind {
            LimitKind::Memory => tag::memory_instance(maximum, self.who.len()),
            _ => tag::table_instance(maximum, self.who.len()),
        };
        let Some(index) = instance else {
            return Err(wasmtime::Error::new(Untagged));
        };
        let delta = desired.saturating_sub(current) as u64;
        let (used, limit) = match kind {
            LimitKind::Memory => (&mut self.memory[index], self.limits[index].memory.bytes()),
            _ => (
                &mut self.tables[index],
                u64::from(self.limits[index].table_elements),
            ),
        };
        let total = used.saturating_add(delta);
        if total > limit || maximum.is_some_and(|m| desired > m) {
            return Err(wasmtime::Error::new(self.exceeded(kind, index, None)));
        }
        *used = total;
        self.pending = Some((kind, index, delta));
        Ok(true)
    }

    /// Undoes the last growth: wasmtime could not perform it.
    fn undo(&mut self) {
        if let Some((kind, index, delta)) = self.pending.take() {
            let used = match kind {
                LimitKind::Memory => &mut self.memory[index],
                _ => &mut self.tables[index],
            };
            *used -= delta;
        }
    }
}

impl ResourceLimiter for RunLimits {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.grow(LimitKind::Memory, current, desired, maximum)
    }

    fn memory_grow_failed(&mut self, _error: wasmtime::Error) -> wasmtime::Result<()> {
        self.undo();
        Ok(())
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.grow(LimitKind::Tables, current, desired, maximum)
    }

    fn table_grow_failed(&mut self, _error: wasmtime::Error) -> wasmtime::Result<()> {
        self.undo();
        Ok(())
    }
}

/// A memory or table whose declared maximum is no instance's tag: the component was not linked
/// by this cargo-nano (tags are written by the linker since plan format 2).
#[derive(Debug, Clone, Copy)]
pub struct Untagged;

impl fmt::Display for Untagged {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a linear memory or table belongs to no package of the plan, so its limit is unknown (help: run `cargo nano build` again)")
    }
}

impl std::error::Error for Untagged {}

/// Time used by each instance, charged at every tick.
struct Clock {
    budget: Vec<Option<Duration>>,
    used: Vec<Duration>,
    last: Instant,
    /// Core module name (the instance's namespace) → instance.
    modules: HashMap<String, usize>,
}

/// Advances `engine`'s epoch every [`TICK`] until dropped.
pub struct Ticker {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Ticker {
    /// Starts the ticker thread.
    pub fn start(engine: Engine) -> Ticker {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(TICK) {
                engine.increment_epoch();
            }
        });
        Ticker {
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        // Closing the channel wakes the thread at once.
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
#[path = "limits_tests.rs"]
mod tests;
