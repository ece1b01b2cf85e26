//! What the model tells apart per call site (`linker/tests/data/src/{clocks,stdin,hexdump,
//! plumbing}`): the clock a call asks for, the standard stream behind a descriptor, and std's
//! abort plumbing.

use super::*;

/// The syscalls reached from the export `export` of the component `name` alone, with the
/// capabilities they need.
fn from_export(name: &str, export: &str) -> BTreeMap<Syscall, Reach> {
    let bytes = data(name);
    let info = component::parse(&bytes).unwrap();
    let main = component::main_module(&info.modules).unwrap();
    let mut graph = callgraph::CallGraph::parse(main, info.modules[main].bytes).unwrap();
    graph.roots.retain(|root| root.label == export);
    assert_eq!(graph.roots.len(), 1, "{name} exports {export}");
    graph.crate_reaches(&|_| None).syscalls
}

fn capabilities(syscalls: &BTreeMap<Syscall, Reach>) -> BTreeSet<Capability> {
    syscalls.keys().filter_map(capability_of).collect()
}

/// `SystemTime::now` and `Instant::now` both call wasi-libc's `__clock_gettime`, which reads
/// one clock or the other by its clock id: each call site counts only the clock it passes.
#[test]
fn wall_and_monotonic_clocks_are_told_apart_per_call_site() {
    let wall = from_export("clocks", "nano-test:clocks/api#wall");
    assert_eq!(capabilities(&wall), BTreeSet::from([Capability::WallClock]));
    let now = &wall[&syscall("wasi:clocks/wall-clock", "now")];
    assert!(!now.indirect);
    assert_eq!(
        path(now)[path(now).len() - 3..],
        [
            "<std::time::SystemTime>::now",
            "__clock_gettime(CLOCK_REALTIME)",
            "wasi:clocks/wall-clock#now"
        ]
    );
    let monotonic = from_export("clocks", "nano-test:clocks/api#monotonic");
    assert_eq!(
        capabilities(&monotonic),
        BTreeSet::from([Capability::MonotonicClock])
    );
    let now = &monotonic[&syscall("wasi:clocks/monotonic-clock", "now")];
    assert!(
        path(now).contains(&"__clock_gettime(CLOCK_MONOTONIC)"),
        "{:?}",
        now.path
    );
    // Both, from the whole component, each attributed to the crate.
    assert_eq!(
        direct_capabilities(&inspect("clocks")),
        BTreeSet::from([Capability::WallClock, Capability::MonotonicClock])
    );
}

/// Built with `lto = true` and `opt-level = 3`: std's `Stdin` functions are inlined into the
/// crate's, so only the `read(0, …)` call is left of them (a name-based model missed it).
#[test]
fn stdin_is_reached_through_every_std_path_even_inlined() {
    for export in [
        "lock-read-to-end",
        "read-line",
        "buf-reader",
        "read-to-string",
    ] {
        let syscalls = from_export("stdin", &format!("nano-test:stdin/api#{export}"));
        assert_eq!(
            capabilities(&syscalls),
            BTreeSet::from([Capability::Stdin]),
            "{export}"
        );
        let stdin = &syscalls[&syscall("wasi:cli/stdin", "get-stdin")];
        assert!(!stdin.indirect, "{export}: {:?}", stdin.path);
    }
}

/// The command that was missed: `stdin().lock().read_to_end` then `writeln!` to a locked
/// stdout, built with LTO. Stdout is written through `fmt::Write`'s function pointer, whose
/// adapter calls `StdoutLock`'s functions: an indirect reach, but a reach.
#[test]
fn an_lto_hex_dump_reaches_stdin_and_stdout_and_nothing_else() {
    let inspection = inspect("hexdump");
    let stdin = reach(&inspection, "wasi:cli/stdin", "get-stdin");
    assert!(!stdin.indirect);
    assert_eq!(
        path(stdin),
        [
            "nano_test_hexdump::main",
            "read(STDIN_FILENO)",
            "wasi:cli/stdin#get-stdin"
        ]
    );
    let stdout = reach(&inspection, "wasi:cli/stdout", "get-stdout");
    assert!(stdout.indirect);
    assert_eq!(
        path(stdout)[..3],
        [
            "nano_test_hexdump::main",
            "core::fmt::write",
            "core::fmt::Write::write_char"
        ]
    );
    assert!(
        path(stdout).contains(&"<std::io::stdio::StdoutLock as std::io::Write>::write_all"),
        "{:?}",
        stdout.path
    );
    assert_eq!(
        inspection.capabilities(),
        BTreeSet::from([Capability::Stdin, Capability::Stdout])
    );
}

/// `thread::current`, `format!` and allocation have fatal-error paths that print to stderr
/// before aborting (`rtabort!`, the OOM hook); the package does not use stderr.
#[test]
fn std_abort_messages_do_not_count_as_using_stderr() {
    let inspection = inspect("plumbing");
    assert!(
        inspection.capabilities().is_empty(),
        "{:?}",
        inspection.syscalls
    );
    // Writing to a file goes through the same `write` with a descriptor that is not constant:
    // no stream.
    assert!(!reaches_interface(&inspect("fswrite"), "wasi:cli/std"));
    // `eprintln!` still is stderr.
    assert!(!reach(&inspect("stderr"), "wasi:cli/stderr", "get-stderr").indirect);
}

/// wasi-libc's internals called by Rust code itself (`linker/tests/data/src/libc`): the model's
/// cuts are about wasi-libc's own callers.
#[test]
fn wasi_libc_internals_called_directly_need_their_capability() {
    let dirs = BTreeSet::from([Capability::Dirs]);
    let populate = from_export("libc", "nano-test:libc/api#populate");
    assert_eq!(capabilities(&populate), dirs);
    let get = &populate[&syscall("wasi:filesystem/preopens", "get-directories")];
    assert_eq!(
        path(get),
        [
            "nano-test:libc/api#populate",
            "__wasilibc_populate_preopens(called by Rust code)",
            "wasi:filesystem/preopens#get-directories"
        ]
    );
    let open = from_export("libc", "nano-test:libc/api#open-preopen");
    assert_eq!(capabilities(&open), dirs);
    let warn = from_export("libc", "nano-test:libc/api#warn");
    assert_eq!(capabilities(&warn), BTreeSet::from([Capability::Stderr]));
    assert_eq!(
        path(&warn[&syscall("wasi:cli/stderr", "get-stderr")]),
        [
            "nano-test:libc/api#warn",
            "write(STDERR_FILENO)",
            "wasi:cli/stderr#get-stderr"
        ]
    );
}
