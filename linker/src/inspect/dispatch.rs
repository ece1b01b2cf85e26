//! Call sites of C library functions that reach one syscall or another by the value of an
//! argument, resolved when the argument is a constant ([`DISPATCHERS`]).
//!
//! Each resolved call site gets an edge to a node of its own that the model adds to the graph,
//! named like the call (`__clock_gettime(CLOCK_MONOTONIC)`, `write(STDERR_FILENO)`) and standing
//! for the syscall that value reaches ([`model::marker`]). For a dispatcher that *replaces* the
//! call (`__clock_gettime`: its only syscalls are the clocks), the edge to the function itself is
//! dropped when every call of the caller to it is resolved; otherwise (`write` also reaches the
//! streams' handle functions, and a file's) it stays. A call with an unknown argument keeps its
//! edge and so reaches whatever the function can: every clock, no stream (the stream functions
//! of wasi-libc are cuts, see [`model::CUTS`]).
//!
//! A call by Rust code to a wasi-libc function of [`CALLED_FROM_RUST`] gets such a node
//! too (`__wasilibc_populate_preopens(called by Rust code)`).

use std::collections::BTreeMap;

use super::callgraph::CallGraph;
use super::{Syscall, model};

/// Adds the model's nodes and edges for resolved call sites to `graph`.
pub(super) fn resolve(graph: &mut CallGraph) {
    let base = graph.imports.len();
    let dispatchers: BTreeMap<u32, &Dispatcher> = (graph.names.keys().copied())
        .filter_map(|f| Some((f, dispatcher(&graph.name(f))?)))
        .collect();
    let from_rust: BTreeMap<u32, String> = (graph.names.keys().copied())
        .filter_map(|f| {
            let name = graph.name(f);
            let (label, _) = called_from_rust(&name)?;
            Some((f, format!("{name}({label})")))
        })
        .collect();
    if dispatchers.is_empty() && from_rust.is_empty() {
        return;
    }
    let addresses: BTreeMap<&str, i32> = (graph.global_names.iter())
        .filter_map(|(g, name)| Some((name.as_str(), *graph.constants.globals.get(g)?)))
        .collect();
    let exports: Vec<u32> = graph.roots.iter().map(|root| root.func).collect();
    // The node for each label, created on first use.
    let mut nodes: BTreeMap<String, u32> = BTreeMap::new();
    let mut added: Vec<(usize, u32)> = Vec::new();
    let mut dropped: Vec<(usize, u32)> = Vec::new();
    for (d, sites) in graph.sites.iter().enumerate() {
        let mut unresolved: Vec<u32> = Vec::new();
        let mut resolved: Vec<u32> = Vec::new();
        // An export is the package's code: its glue inlines the Rust function it calls.
        let caller = (base + d) as u32;
        let caller_is_rust = is_rust(&graph.name(caller)) || exports.contains(&caller);
        for site in sites {
            if let Some(label) = from_rust.get(&site.callee).filter(|_| caller_is_rust) {
                let next = (graph.func_types.len() + nodes.len()) as u32;
                added.push((d, *nodes.entry(label.clone()).or_insert(next)));
            }
            let Some(dispatcher) = dispatchers.get(&site.callee) else {
                continue;
            };
            let value = site.args.get(dispatcher.arg).copied().flatten();
            let case = value.and_then(|value| {
                dispatcher.cases.iter().find(|case| match case.value {
                    Value::Int(v) => v == value,
                    Value::Address(global) => addresses.get(global) == Some(&value),
                })
            });
            let Some(case) = case else {
                unresolved.push(site.callee);
                continue;
            };
            let label = dispatch_label(&graph.name(site.callee), case);
            let next = (graph.func_types.len() + nodes.len()) as u32;
            let node = *nodes.entry(label).or_insert(next);
            added.push((d, node));
            if dispatcher.replaces {
                resolved.push(site.callee);
            }
        }
        resolved.retain(|callee| !unresolved.contains(callee));
        dropped.extend(resolved.into_iter().map(|callee| (d, callee)));
    }
    for (label, node) in nodes {
        graph.names.insert(node, label);
        // Never in a table: the type id only keeps the function index space consistent.
        graph.func_types.push(usize::MAX);
        graph.direct.push(Vec::new());
        graph.indirect.push(Vec::new());
        graph.sites.push(Vec::new());
    }
    debug_assert_eq!(graph.direct.len() + base, graph.func_types.len());
    for (d, node) in added {
        graph.direct[d].push(node);
    }
    for (d, callee) in dropped {
        graph.direct[d].retain(|&c| c != callee);
    }
    for callees in &mut graph.direct {
        callees.sort_unstable();
        callees.dedup();
    }
}

/// A C library function that reaches one syscall or another by the value of one argument (see
/// [`super::dispatch`]).
pub struct Dispatcher {
    /// Its names.
    pub functions: &'static [&'static str],
    /// Which argument decides.
    pub arg: usize,
    /// Whether the syscalls of the cases are all it reaches, so a resolved call does not enter it.
    pub replaces: bool,
    /// The values it is known to dispatch on.
    pub cases: &'static [Case],
}

/// One value of a dispatcher's argument and the syscall it reaches.
pub struct Case {
    /// The value.
    pub value: Value,
    /// How the call is named in paths: `write(STDERR_FILENO)`.
    pub label: &'static str,
    /// The syscall reached, `(interface, function)`.
    pub syscall: (&'static str, &'static str),
}

/// A constant argument.
pub enum Value {
    /// This integer.
    Int(i32),
    /// The address held by this immutable global (wasi-libc's clock ids are the addresses of
    /// `_CLOCK_MONOTONIC` and `_CLOCK_REALTIME`, which the linker puts in these globals).
    Address(&'static str),
}

/// The dispatchers of wasi-libc.
pub const DISPATCHERS: &[Dispatcher] = &[
    // std's `Instant::now` passes `CLOCK_MONOTONIC`, `SystemTime::now` `CLOCK_REALTIME`.
    Dispatcher {
        functions: &["__clock_gettime", "clock_gettime"],
        arg: 0,
        replaces: true,
        cases: &[
            Case {
                value: Value::Address("GOT.data.internal._CLOCK_MONOTONIC"),
                label: "CLOCK_MONOTONIC",
                syscall: ("wasi:clocks/monotonic-clock", "now"),
            },
            Case {
                value: Value::Address("GOT.data.internal._CLOCK_REALTIME"),
                label: "CLOCK_REALTIME",
                syscall: ("wasi:clocks/wall-clock", "now"),
            },
        ],
    },
    // std's `Stdin`, `Stdout` and `Stderr` call these with 0, 1 and 2, even once inlined into
    // the caller; fds 0-2 are the standard streams in wasi-libc. Other descriptors are files and
    // sockets, whose syscalls need no capability of their own.
    Dispatcher {
        functions: &["read", "readv", "write", "writev", "isatty", "__isatty"],
        arg: 0,
        replaces: false,
        cases: &[
            Case {
                value: Value::Int(0),
                label: "STDIN_FILENO",
                syscall: ("wasi:cli/stdin", "get-stdin"),
            },
            Case {
                value: Value::Int(1),
                label: "STDOUT_FILENO",
                syscall: ("wasi:cli/stdout", "get-stdout"),
            },
            Case {
                value: Value::Int(2),
                label: "STDERR_FILENO",
                syscall: ("wasi:cli/stderr", "get-stderr"),
            },
        ],
    },
];

/// wasi-libc functions that stand for a syscall when Rust code calls them itself (an `extern "C"`
/// declaration, the `libc` crate), `(functions, label, syscall)`: the model cuts or follows
/// them for wasi-libc's own callers, which is about wasi-libc's plumbing, not the caller's use.
pub const CALLED_FROM_RUST: &[(&[&str], &str, (&str, &str))] = &[
    // Filling the preopen table is a cut (`close` does it); Rust code doing it itself then uses
    // the descriptors.
    (
        &["__wasilibc_populate_preopens"],
        "called by Rust code",
        ("wasi:filesystem/preopens", "get-directories"),
    ),
    // Opening relative to a descriptor skips the path lookup that marks directory use: with a
    // preopen's number (3…) it uses a directory unseen.
    (
        &[
            "openat",
            "__wasilibc_openat_nomode",
            "__wasilibc_nocwd_openat_nomode",
        ],
        "called by Rust code",
        ("wasi:filesystem/preopens", "get-directories"),
    ),
];

/// The label and syscall of a call by Rust code to `function`, if it stands for one.
pub fn called_from_rust(function: &str) -> Option<(&'static str, (&'static str, &'static str))> {
    (CALLED_FROM_RUST.iter())
        .find(|(functions, _, _)| functions.contains(&function))
        .map(|(_, label, syscall)| (*label, *syscall))
}

/// Whether the function `name` is Rust code: demangled Rust names are paths, C names are not.
pub fn is_rust(name: &str) -> bool {
    name.contains("::")
}

/// The dispatcher `name` is, if any.
pub fn dispatcher(name: &str) -> Option<&'static Dispatcher> {
    DISPATCHERS.iter().find(|d| d.functions.contains(&name))
}

/// The name of the node standing for a call of `function` resolved to `case`.
pub fn dispatch_label(function: &str, case: &Case) -> String {
    format!("{function}({})", case.label)
}

/// The syscall a resolved call's node stands for.
pub(super) fn dispatched(name: &str) -> Option<Syscall> {
    let (function, rest) = name.split_once('(')?;
    let label = rest.strip_suffix(')')?;
    if let Some((from_rust, (i, f))) = called_from_rust(function) {
        return (label == from_rust).then(|| model::syscall(i, f));
    }
    let dispatcher = dispatcher(function)?;
    let case = dispatcher.cases.iter().find(|c| c.label == label)?;
    Some(model::syscall(case.syscall.0, case.syscall.1))
}
