//! What cargo-nano knows of Rust's std and wasi-libc, so the syscall set says what the package's
//! code does rather than what the C library's plumbing could do.
//!
//! Plain reachability over-approximates in three places, each the same in every package:
//! - std's default panic hook reads `RUST_BACKTRACE` and writes the message to stderr, so any
//!   package that can panic would "reach" the environment and stderr;
//! - wasi-libc's `close` (and so every file or socket) populates the preopen table, so any
//!   package that closes a descriptor would "reach" the directories;
//! - wasi-libc's `read`/`write` dispatch through a function-pointer table that also holds the
//!   stdio streams, so any package doing I/O would "reach" stdin, stdout and stderr.
//!
//! So the search stops at those functions ([`CUTS`]), and instead a package reaches:
//! - the directories when it resolves a path against the preopens ([`MARKERS`]);
//! - a standard stream when it uses std's handle for that stream.
//!
//! This is sound for security because the runtime, not this analysis, enforces grants: a package
//! that reaches a cut function without the grant sees no variables, no directories and closed
//! streams. It can miss stdio used from C code through libc; the runtime still closes those
//! streams unless they are granted.

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
}

/// How a marker counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counts {
    /// Reached by any path.
    Always,
    /// Only when reached through direct calls. Code that uses a stream calls std's constructor
    /// (`stdout()`, `stderr()`, …) directly; a stream method reached only through a function
    /// pointer of the same type is the analysis guessing, not the package's code.
    DirectOnly,
}

/// The syscall `name` stands for, if it is a marker.
pub fn marker(name: &str) -> Option<(Syscall, Counts)> {
    if let Some((_, i, f)) = MARKERS.iter().find(|(m, _, _)| same_fn(name, m)) {
        return Some((syscall(i, f), Counts::Always));
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
                return Some((syscall(i, f), Counts::DirectOnly));
            }
        }
    }
    None
}

fn syscall(interface: &str, function: &str) -> Syscall {
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
            ("wasi:cli/stderr#get-stderr", Counts::DirectOnly)
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
