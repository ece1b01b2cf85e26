//! What cargo-nano knows of Rust's std and wasi-libc, so the syscall set says what the package's
//! code does rather than what the C library's plumbing could do.
//!
//! Plain reachability over-approximates in these places, each the same in every package:
//! - std's default panic hook reads `RUST_BACKTRACE` and writes the message to stderr, and
//!   std's fatal errors (`rtabort!`: `thread::current` after thread-local destruction, a failed
//!   panic, out of memory) print to stderr before aborting, so any package that can panic or
//!   allocate would "reach" the environment and stderr;
//! - wasi-libc's `close` (and so every file or socket) populates the preopen table, so any
//!   package that closes a descriptor would "reach" the directories;
//! - wasi-libc's `read`/`write` dispatch through a function-pointer table that also holds the
//!   stdio streams, so any package doing I/O would "reach" stdin, stdout and stderr;
//! - wasi-libc's `__clock_gettime` reads the clock its argument names, so any package asking
//!   for the time would "reach" both clocks.
//!
//! So the search stops at those functions ([`CUTS`], [`CUT_PARTS`]), and instead a package
//! reaches:
//! - the directories when it resolves a path against the preopens ([`MARKERS`]), or its Rust
//!   code calls wasi-libc's preopen table or `openat` itself (`dispatch::CALLED_FROM_RUST`);
//! - a standard stream when it calls `read`/`write`/`isatty` with that stream's descriptor,
//!   0, 1 or 2, as std's handles do even once inlined (`dispatch::DISPATCHERS`), or uses std's
//!   handle for that stream ([`STREAMS`]);
//! - a clock when it calls `__clock_gettime` with that clock's id; a clock id that is not a
//!   constant at the call site reaches both.
//!
//! This is sound for security because the runtime, not this analysis, enforces grants: a package
//! that reaches a cut function without the grant sees no variables, no directories and closed
//! streams, and traps on a clock it does not hold. A model error can only make the analysis
//! report less than the code tries, which the runtime then denies. It can miss stdio used from C
//! code through a descriptor that is not a constant; the runtime still closes those streams
//! unless they are granted.

use super::Syscall;

/// Functions the search does not enter, and why that is safe.
pub const CUTS: &[(&str, &str)] = &[
    (
        "std::panicking::default_hook",
        "the panic message goes to stderr, which the runtime closes unless granted",
    ),
    (
        "std::panicking::panic_with_hook",
        "a panic traps the nanoprocess; its message goes to stderr, closed unless granted",
    ),
    (
        "std::panicking::rust_panic_with_hook",
        "older name of `panic_with_hook`",
    ),
    (
        "std::panic::get_backtrace_style",
        "reads RUST_BACKTRACE, absent unless granted",
    ),
    (
        "std::alloc::default_alloc_error_hook",
        "out-of-memory aborts the nanoprocess; the message goes to stderr, closed unless granted",
    ),
    (
        "std::io::stdio::cleanup",
        "flushes stdout at exit, which writes only what the program printed",
    ),
    (
        "__wasilibc_populate_preopens",
        "filling libc's table is not using a directory; path lookups are marked instead",
    ),
    (
        "stdin_get_stdin",
        "libc's descriptor table; std's stdin handle is marked instead",
    ),
    (
        "stdout_get_stdout",
        "libc's descriptor table; std's stdout handle is marked instead",
    ),
    (
        "stderr_get_stderr",
        "libc's descriptor table; std's stderr handle is marked instead",
    ),
    (
        "terminal_stdin_get_terminal_stdin",
        "libc's isatty; std's stdin handle is marked instead",
    ),
    (
        "terminal_stdout_get_terminal_stdout",
        "libc's isatty; std's stdout handle is marked instead",
    ),
    (
        "terminal_stderr_get_terminal_stderr",
        "libc's isatty; std's stderr handle is marked instead",
    ),
];

/// Parts of names that make a function a cut, and why. Unlike [`CUTS`], these match generic
/// instances and closures wherever the name mentions them, because optimisation inlines the
/// named function into its caller and leaves only those.
pub const CUT_PARTS: &[(&[&str], &str)] = &[
    (
        &["std::rt::cleanup"],
        "flushes stdout at exit, which writes only what the program printed",
    ),
    // `rtprintpanic!`/`rtabort!` format to `std::sys::stdio::panic_output()`, the raw stderr
    // type, with `Write::write_fmt` (and its `Adapter` for `core::fmt::write`): the fatal-error
    // paths of `thread::current`, of thread-local destructors, of a failed panic, and the OOM
    // message. std's `io::Stderr` is another type (`StderrRaw` wraps the raw one), so
    // `eprintln!` and `io::stderr()` are not matched.
    (
        &["std::sys::stdio::", "Stderr", "write_fmt"],
        "std's message before an abort goes to stderr, which the runtime closes unless granted",
    ),
    (
        &["default_write_fmt::Adapter<std::sys::stdio::", "Stderr>"],
        "std's message before an abort goes to stderr, which the runtime closes unless granted",
    ),
];

/// Functions that stand for a syscall their callees reach only through a cut.
pub const MARKERS: &[(&str, &str, &str)] = &[
    (
        "__wasilibc_find_relpath",
        "wasi:filesystem/preopens",
        "get-directories",
    ),
    (
        "__wasilibc_find_relpath_alloc",
        "wasi:filesystem/preopens",
        "get-directories",
    ),
    (
        "__wasilibc_find_abspath",
        "wasi:filesystem/preopens",
        "get-directories",
    ),
];

/// std's handles for the standard streams: any function of these types (`Stdout`,
/// `StdoutLock`, `StdoutRaw`, …), and the functions behind `print!`/`eprint!`.
const STREAMS: &[(&str, &str, &str)] = &[
    ("Stdin", "wasi:cli/stdin", "get-stdin"),
    ("stdin", "wasi:cli/stdin", "get-stdin"),
    ("Stdout", "wasi:cli/stdout", "get-stdout"),
    ("stdout", "wasi:cli/stdout", "get-stdout"),
    ("_print", "wasi:cli/stdout", "get-stdout"),
    ("Stderr", "wasi:cli/stderr", "get-stderr"),
    ("stderr", "wasi:cli/stderr", "get-stderr"),
    ("_eprint", "wasi:cli/stderr", "get-stderr"),
];

/// Modules of std that hold the stream handles.
const STREAM_MODULES: &[&str] = &[
    "std::io::stdio::",
    "std::sys::stdio::unix::",
    "std::sys::stdio::wasi::",
    "std::sys::stdio::wasip2::",
];

/// Whether `name` is a binary's `main` (`app::main`): std's runtime reaches it only through a
/// function pointer, so it is searched from as a root of its own.
pub fn is_entry_point(name: &str) -> bool {
    name.strip_suffix("::main").is_some_and(|krate| {
        !krate.is_empty() && krate.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// Whether the demangled, hashless `name` is a cut.
pub fn is_cut(name: &str) -> bool {
    CUTS.iter().any(|(cut, _)| same_fn(name, cut))
        || (CUT_PARTS.iter()).any(|(parts, _)| parts.iter().all(|part| name.contains(part)))
}

/// How a marker counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Counts {
    /// Reached by any path.
    Always,
    /// When reached through direct calls, or through indirect calls to the functions of std's
    /// handle for *that* stream only ([`stream_handle`]): a `dyn Read` made from `io::stdin()`,
    /// the `fmt::Write` adapter of `writeln!(io::stdout().lock(), …)`. Any `dyn Write` call may
    /// land on any stream's functions, or on the raw stderr functions that std's panic and abort
    /// paths put in tables; following those would be the analysis guessing, not the package's
    /// code.
    Stream,
}

/// The stream interface (`wasi:cli/stdout`) of std's handle that the function `name` belongs
/// to (`Stdout`, `StdoutLock`, `StdinRaw`…, or a generic instance over one), if any. Such a
/// function is in a table only when code turned the handle into a trait object.
pub fn stream_handle(name: &str) -> Option<&'static str> {
    [
        ("std::io::stdio::Stdin", "wasi:cli/stdin"),
        ("std::io::stdio::Stdout", "wasi:cli/stdout"),
        ("std::io::stdio::Stderr", "wasi:cli/stderr"),
    ]
    .into_iter()
    .find(|(ty, _)| name.contains(ty))
    .map(|(_, interface)| interface)
}

/// The syscall `name` stands for, if it is a marker.
pub fn marker(name: &str) -> Option<(Syscall, Counts)> {
    if let Some((_, i, f)) = MARKERS.iter().find(|(m, _, _)| same_fn(name, m)) {
        return Some((syscall(i, f), Counts::Always));
    }
    if let Some(syscall) = super::dispatch::dispatched(name) {
        let counts = if syscall.interface.starts_with("wasi:cli/std") {
            Counts::Stream
        } else {
            Counts::Always
        };
        return Some((syscall, counts));
    }
    // `<std::io::stdio::StdoutRaw as std::io::Write>::write` → `std::io::stdio::StdoutRaw`.
    let path = name.trim_start_matches('<');
    for module in STREAM_MODULES {
        let Some(item) = path.strip_prefix(module) else {
            continue;
        };
        let item = item.split([' ', ':', '>']).next().unwrap_or(item);
        for (ty, i, f) in STREAMS {
            let is_type = ty.starts_with(|c: char| c.is_ascii_uppercase());
            if item == *ty || (is_type && item.starts_with(ty)) {
                return Some((syscall(i, f), Counts::Stream));
            }
        }
    }
    None
}

pub(super) fn syscall(interface: &str, function: &str) -> Syscall {
    Syscall {
        interface: interface.to_string(),
        function: function.to_string(),
    }
}

/// `name` is `target` or a generic instance of it (`target::<T>`).
fn same_fn(name: &str, target: &str) -> bool {
    name == target
        || name
            .strip_prefix(target)
            .is_some_and(|rest| rest.starts_with("::<"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_match_names_and_generic_instances() {
        assert!(is_cut("std::panicking::default_hook"));
        assert!(is_cut("std::panic::get_backtrace_style::<u8>"));
        assert!(!is_cut("std::panicking::default_hook_extra"));
        assert!(!is_cut("extractor::extract"));
    }

    #[test]
    fn entry_points_are_crate_mains() {
        assert!(is_entry_point("app::main"));
        assert!(is_entry_point("my_app::main"));
        assert!(!is_entry_point("app::cli::main"));
        assert!(!is_entry_point("main"));
        assert!(!is_entry_point("<app::X>::main"));
    }

    #[test]
    fn markers_name_their_syscall() {
        let (s, c) = marker("<std::sys::stdio::unix::Stderr as std::io::Write>::write").unwrap();
        assert_eq!(
            (s.to_string().as_str(), c),
            ("wasi:cli/stderr#get-stderr", Counts::Stream)
        );
        let (s, c) = marker("__wasilibc_find_relpath").unwrap();
        assert_eq!(
            (s.to_string().as_str(), c),
            ("wasi:filesystem/preopens#get-directories", Counts::Always)
        );
        let (s, _) = marker("std::io::stdio::_print").unwrap();
        assert_eq!(s.to_string(), "wasi:cli/stdout#get-stdout");
        let (s, _) = marker("<std::io::stdio::StdinLock as std::io::Read>::read").unwrap();
        assert_eq!(s.to_string(), "wasi:cli/stdin#get-stdin");
        assert!(marker("std::io::stdio::print_to_buffer_if_capture_used").is_none());
        assert!(marker("std::io::stdio::set_output_capture").is_none());
    }
}
