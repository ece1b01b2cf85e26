//! What a call graph's roots reach: the syscall set with one example path each, and which
//! crates reach each syscall that needs a capability ([`CallGraph::crate_reaches`]).
//!
//! A crate *reaches* a syscall when one of its functions, reachable from a root, calls a
//! function that is (or stands for) the syscall through *plumbing* only. Plumbing is what the
//! caller's classifier says belongs to no crate: std, the C library, generated bindings. So the
//! crates responsible for a syscall are found by walking the call graph backwards from the
//! syscall through plumbing, stopping at the first function that belongs to a crate, over *all*
//! paths: which path is the shortest, or which crate a call was inlined into on one path, does
//! not matter. Walking back through plumbing up to a root (an export, the start function) names
//! the package's own code (`None`): its function was inlined into its export glue. A reach is
//! `indirect` when the crate's function is reached from the roots only through indirect calls.
//!
//! The walk back follows direct calls only. Indirect calls are resolved by type (see
//! [`super::callgraph`]), which is a guess: walking back through std's `dyn Write` call in
//! `core::fmt::write` would make every crate that formats a string "reach" the network (a
//! socket function has the same type), and through a crate's own function pointers (`memchr`'s
//! dispatch) would make it "reach" the directories. A syscall that no crate reaches by direct
//! calls — it is reached only through an indirect call — is attributed like its example path, to
//! the last crate on it, and marked `indirect`.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use super::callgraph::{CallGraph, Indirect, Step};
use super::{CrateReach, EnvReads, Reach, Syscall, capability_of, model};

/// What [`CallGraph::crate_reaches`] finds.
pub(crate) struct Analysis {
    /// The syscall set, one example path per syscall.
    pub(crate) syscalls: BTreeMap<Syscall, Reach>,
    /// The crates that reach each syscall needing a capability.
    pub(crate) crates: Vec<CrateReach>,
    /// Every crate with code in the module.
    pub(crate) present: BTreeSet<String>,
    /// The environment variables read, by name where the analysis sees it.
    pub(crate) env: EnvReads,
}

/// Names a function's crate: `None` for plumbing.
pub(crate) type Owner<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The display names, cuts and searches shared by the analyses of one graph.
pub(super) struct Searches {
    /// Display name of every function.
    pub(super) names: Vec<String>,
    pub(super) cuts: HashSet<u32>,
    pub(super) direct: HashMap<u32, Step>,
    pub(super) all: HashMap<u32, Step>,
    /// For each stream interface, direct calls and indirect calls to that stream's handle only
    /// (see [`model::Counts::Stream`]).
    streams: Vec<(&'static str, HashMap<u32, Step>)>,
    /// Every function that is or stands for a syscall, and how it counts.
    pub(super) targets: Vec<(u32, Syscall, model::Counts)>,
}

impl Searches {
    /// The search through which `syscall`, a target counting as `counts`, is reached indirectly.
    fn indirect(&self, counts: model::Counts, syscall: &Syscall) -> &HashMap<u32, Step> {
        match counts {
            model::Counts::Always => &self.all,
            model::Counts::Stream => (self.streams.iter())
                .find(|(stream, _)| *stream == syscall.interface)
                .map_or(&self.direct, |(_, seen)| seen),
        }
    }
}

impl CallGraph {
    /// The address-taken functions through which an indirect call counts as using `stream`: its
    /// handle's functions, and functions of no stream's handle that call one of its handle's
    /// directly (`<Adapter<T> as fmt::Write>::write_str`, whose name does not say `T`, calling
    /// `<StdoutLock as Write>::write_all`).
    fn stream_handles(&self, stream: &str, names: &[String], cuts: &HashSet<u32>) -> HashSet<u32> {
        let of = |f: u32| model::stream_handle(&names[f as usize]);
        let calls_handle = |f: u32| {
            let d = (f as usize).checked_sub(self.imports.len());
            d.and_then(|d| self.direct.get(d))
                .is_some_and(|callees| callees.iter().any(|&c| of(c) == Some(stream)))
        };
        (self.address_taken.values().flatten().copied())
            .filter(|f| !cuts.contains(f))
            .filter(|&f| match of(f) {
                Some(handle) => handle == stream,
                None => calls_handle(f),
            })
            .collect()
    }

    fn searches(&self) -> Searches {
        let names: Vec<String> = (0..self.func_types.len() as u32)
            .map(|f| self.name(f))
            .collect();
        // The name section may name functions that do not exist: it is only for display.
        let named: Vec<u32> = {
            let mut named: Vec<u32> = (self.names.keys().copied())
                .filter(|&f| (f as usize) < names.len())
                .collect();
            // Sorted, so the example paths (and so Nano.lock) do not depend on hash-map order.
            named.sort_unstable();
            named
        };
        let cuts: HashSet<u32> = named
            .iter()
            .copied()
            .filter(|&f| model::is_cut(&names[f as usize]))
            .collect();
        let direct = self.search(Indirect::None, &cuts);
        let all = self.search(Indirect::All, &cuts);
        let streams = ["wasi:cli/stdin", "wasi:cli/stdout", "wasi:cli/stderr"]
            .into_iter()
            .map(|stream| {
                let handles = self.stream_handles(stream, &names, &cuts);
                (stream, self.search(Indirect::Only(&handles), &cuts))
            })
            .collect();
        let mut targets: Vec<(u32, Syscall, model::Counts)> = self
            .imports
            .iter()
            .enumerate()
            .filter_map(|(f, (module, field))| {
                Some((
                    f as u32,
                    Syscall::from_import(module, field)?,
                    model::Counts::Always,
                ))
            })
            .collect();
        // A cut stands for nothing: it is not entered because what it reaches is not the code's.
        targets.extend(
            named
                .into_iter()
                .filter(|f| !cuts.contains(f))
                .filter_map(|f| {
                    let (syscall, counts) = model::marker(&names[f as usize])?;
                    Some((f, syscall, counts))
                }),
        );
        Searches {
            names,
            cuts,
            direct,
            all,
            streams,
            targets,
        }
    }

    /// `path` (ending with the function that is or stands for `syscall`, `func`) ended with the
    /// syscall: an import's own symbol name (e.g. `wasi::..::wit_import`) says less than the
    /// syscall it is; a marker stays in the path.
    fn end_with(&self, mut path: Vec<String>, func: u32, syscall: &Syscall) -> Vec<String> {
        if path.len() > 1 && (func as usize) < self.imports.len() {
            path.pop();
        }
        path.push(syscall.to_string());
        path
    }

    /// The WASI functions this module imports and its roots reach, each with one example path.
    /// A syscall is `indirect` only if no path of direct calls reaches it.
    fn syscalls_in(&self, s: &Searches) -> BTreeMap<Syscall, Reach> {
        let mut syscalls = BTreeMap::new();
        for (func, syscall, counts) in &s.targets {
            let indirect_search = s.indirect(*counts, syscall);
            let (seen, indirect) = if s.direct.contains_key(func) {
                (&s.direct, false)
            } else if indirect_search.contains_key(func) {
                (indirect_search, true)
            } else {
                continue;
            };
            let path = self.end_with(self.path(seen, *func), *func, syscall);
            // Several functions may stand for the same syscall: keep the best example.
            let reach = Reach { path, indirect };
            if syscalls.get(syscall).is_none_or(|old| better(&reach, old)) {
                syscalls.insert(syscall.clone(), reach);
            }
        }
        syscalls
    }

    /// The syscall set (one example path per syscall), the crates that reach each syscall
    /// needing a capability, with one example path each (see the module documentation), and
    /// every crate with code in the module. `owner` names a function's crate from its display
    /// name, `None` for plumbing.
    pub(crate) fn crate_reaches(&self, owner: Owner<'_>) -> Analysis {
        let s = self.searches();
        let syscalls = self.syscalls_in(&s);
        let owners: Vec<Option<String>> = (0..s.names.len())
            .map(|f| {
                let named = self.names.contains_key(&(f as u32));
                if named && f >= self.imports.len() {
                    owner(&s.names[f])
                } else {
                    None
                }
            })
            .collect();
        let present: BTreeSet<String> = owners.iter().flatten().cloned().collect();
        let preds = Preds::new(self);
        let roots: HashMap<u32, usize> = self
            .roots
            .iter()
            .enumerate()
            .rev()
            .map(|(i, r)| (r.func, i))
            .collect();
        let mut best: BTreeMap<(Option<String>, Syscall), Reach> = BTreeMap::new();
        for with_indirect in [false, true] {
            let mut by_syscall: BTreeMap<(&Syscall, model::Counts), Vec<u32>> = BTreeMap::new();
            for (func, syscall, counts) in &s.targets {
                let seen = match with_indirect {
                    false => &s.direct,
                    true => s.indirect(*counts, syscall),
                };
                if capability_of(syscall).is_some() && seen.contains_key(func) {
                    by_syscall
                        .entry((syscall, *counts))
                        .or_default()
                        .push(*func);
                }
            }
            for ((syscall, counts), starts) in by_syscall {
                let seen = match with_indirect {
                    false => &s.direct,
                    true => s.indirect(counts, syscall),
                };
                let walk = Walk {
                    graph: self,
                    s: &s,
                    cuts: &s.cuts,
                    owners: &owners,
                    preds: &preds,
                    roots: &roots,
                    seen,
                };
                for (krate, path) in walk.back_from(&starts, syscall) {
                    let reach = Reach {
                        path,
                        indirect: with_indirect,
                    };
                    let key = (krate, syscall.clone());
                    if best.get(&key).is_none_or(|old| better(&reach, old)) {
                        best.insert(key, reach);
                    }
                }
            }
        }
        // Reached only through an indirect call: the example path's crate.
        for (syscall, reach) in &syscalls {
            let attributed = best.keys().any(|(_, s)| s == syscall);
            if attributed || capability_of(syscall).is_none() {
                continue;
            }
            let frames = &reach.path[..reach.path.len().saturating_sub(1)];
            let krate = frames.iter().rev().find_map(|f| owner(f));
            best.insert((krate, syscall.clone()), reach.clone());
        }
        let crates = best
            .into_iter()
            .map(|((krate, syscall), reach)| CrateReach {
                krate,
                syscall,
                reach,
            })
            .collect();
        let walk = Walk {
            graph: self,
            s: &s,
            cuts: &s.cuts,
            owners: &owners,
            preds: &preds,
            roots: &roots,
            seen: &s.all,
        };
        Analysis {
            syscalls,
            crates,
            present,
            env: self.env_reads(&walk),
        }
    }
}

/// The better of two example paths: a direct reach first, then the shortest path, then the first
/// in order.
fn better(new: &Reach, old: &Reach) -> bool {
    (new.indirect, new.path.len(), &new.path) < (old.indirect, old.path.len(), &old.path)
}

/// The direct callers of every function, sorted.
pub(super) struct Preds {
    direct: Vec<Vec<u32>>,
}

impl Preds {
    fn new(graph: &CallGraph) -> Self {
        let mut direct = vec![Vec::new(); graph.func_types.len()];
        let base = graph.imports.len();
        for (d, callees) in graph.direct.iter().enumerate() {
            for &callee in callees {
                direct[callee as usize].push((base + d) as u32);
            }
        }
        // Callees are sorted and deduplicated per caller, and callers come in order.
        Preds { direct }
    }
}

/// One backward walk from a syscall.
pub(super) struct Walk<'a> {
    pub(super) graph: &'a CallGraph,
    pub(super) s: &'a Searches,
    /// Functions the walk does not go back through: the search's cuts.
    pub(super) cuts: &'a HashSet<u32>,
    pub(super) owners: &'a [Option<String>],
    pub(super) preds: &'a Preds,
    pub(super) roots: &'a HashMap<u32, usize>,
    /// The forward search whose reached functions count, and whose tree gives the path from a
    /// root.
    pub(super) seen: &'a HashMap<u32, Step>,
}

impl Walk<'_> {
    /// Every crate (`None`: the package's own export) reaching one of `starts`, the functions
    /// standing for `syscall`, through plumbing, each with the example paths found.
    pub(super) fn back_from(
        &self,
        starts: &[u32],
        syscall: &Syscall,
    ) -> Vec<(Option<String>, Vec<String>)> {
        // `next[f]`: the callee through which `f` reaches the syscall (`f` itself for a start).
        let mut next: HashMap<u32, u32> = HashMap::new();
        let mut queue = VecDeque::new();
        for &start in starts {
            if next.insert(start, start).is_none() {
                queue.push_back(start);
            }
        }
        let mut found = Vec::new();
        while let Some(func) = queue.pop_front() {
            if let Some(&root) = self.roots.get(&func) {
                let mut path = vec![self.graph.roots[root].label.clone()];
                path.extend(self.chain(&next, func).into_iter().skip(1));
                found.push((None, self.end(path, &next, func, syscall)));
            }
            for &caller in &self.preds.direct[func as usize] {
                if self.cuts.contains(&caller)
                    || !self.seen.contains_key(&caller)
                    || next.contains_key(&caller)
                {
                    continue;
                }
                next.insert(caller, func);
                match &self.owners[caller as usize] {
                    Some(krate) => {
                        let mut path = self.graph.path(self.seen, caller);
                        path.extend(self.chain(&next, caller).into_iter().skip(1));
                        let path = self.end(path, &next, caller, syscall);
                        found.push((Some(krate.clone()), path));
                    }
                    None => queue.push_back(caller),
                }
            }
        }
        found
    }

    /// The display names from `func` down to the start it reaches.
    fn chain(&self, next: &HashMap<u32, u32>, func: u32) -> Vec<String> {
        let mut out = vec![self.s.names[func as usize].clone()];
        let mut current = func;
        // `next` pointers form a forest toward the starts; the bound only guards against bugs.
        for _ in 0..next.len() {
            match next.get(&current) {
                Some(&callee) if callee != current => {
                    out.push(self.s.names[callee as usize].clone());
                    current = callee;
                }
                _ => break,
            }
        }
        out
    }

    /// `path` (through `func`) ended with the syscall, as the syscall set's paths end.
    fn end(
        &self,
        path: Vec<String>,
        next: &HashMap<u32, u32>,
        func: u32,
        syscall: &Syscall,
    ) -> Vec<String> {
        let mut start = func;
        for _ in 0..next.len() {
            match next.get(&start) {
                Some(&callee) if callee != start => start = callee,
                _ => break,
            }
        }
        self.graph.end_with(path, start, syscall)
    }
}
