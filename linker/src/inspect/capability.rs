//! Which manifest capability a syscall needs.
//!
//! "Root" functions give authority on their own (`get-directories`, `get-environment`,
//! `create-tcp-socket`...) and need a capability. "Handle-only" functions act on a resource
//! (a descriptor, a stream, a socket) that some root function handed out first, so they need
//! none of their own: `wasi:io/*`, methods of `wasi:filesystem/types`, `wasi:sockets/tcp`...

use std::fmt;

use serde::{Deserialize, Serialize};

use super::Syscall;

/// A capability of the manifest that a syscall needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Capability {
    /// Preopened directories (`dirs`).
    Dirs,
    /// Environment variables (`env`).
    Env,
    /// Program arguments (`args`).
    Args,
    /// Standard input (`stdio = ["stdin"]`).
    Stdin,
    /// Standard output (`stdio = ["stdout"]`).
    Stdout,
    /// Standard error (`stdio = ["stderr"]`).
    Stderr,
    /// The date and time of day (`clocks = ["wall"]`).
    WallClock,
    /// Elapsed time (`clocks = ["monotonic"]`).
    MonotonicClock,
    /// Random numbers (`random`).
    Random,
    /// Sockets and name lookup (`network`).
    Network,
    /// A WASI interface or function cargo-nano does not know (e.g. `wasi:http/*`). No grant
    /// covers it: policy must always reject a package that reaches one.
    Unknown,
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Capability::Dirs => "dirs",
            Capability::Env => "env",
            Capability::Args => "args",
            Capability::Stdin => "stdio stdin",
            Capability::Stdout => "stdio stdout",
            Capability::Stderr => "stdio stderr",
            Capability::WallClock => "clocks wall",
            Capability::MonotonicClock => "clocks monotonic",
            Capability::Random => "random",
            Capability::Network => "network",
            Capability::Unknown => "unknown",
        })
    }
}

/// The capability `syscall` needs, or `None` if it needs none (handle-only functions, exit).
///
/// WASI 0.2 interfaces are mapped per interface, except `wasi:cli/environment`, whose functions
/// need different capabilities (`initial-cwd` reveals the host's directory layout: `dirs`).
/// Unknown `wasi:*` interfaces and unknown functions of known root interfaces map to
/// [`Capability::Unknown`].
///
/// `wasi_snapshot_preview1` (and its older name `wasi_unstable`) functions cannot always be
/// told apart statically, so the mapping is coarse: `fd_write` is taken as stdout and `fd_read`
/// as stdin whatever the descriptor (0-2 or a file); `clock_time_get`/`clock_res_get` take the
/// clock as an argument and map to [`Capability::WallClock`], the more revealing clock, so a
/// package granted only the monotonic clock is refused rather than let through.
pub fn capability_of(syscall: &Syscall) -> Option<Capability> {
    let function = strip_async_prefix(&syscall.function);
    match syscall.interface.as_str() {
        "wasi_snapshot_preview1" | "wasi_unstable" => preview1(function),
        interface if interface.starts_with("wasi:") => preview2(interface, function),
        // Not WASI: `Syscall`s are only made for WASI imports, but stay total.
        _ => Some(Capability::Unknown),
    }
}

/// Async lowering (WASI 0.3 style) prefixes the function name; the authority is the same.
fn strip_async_prefix(function: &str) -> &str {
    function
        .strip_prefix("[async-lower]")
        .or_else(|| function.strip_prefix("[async]"))
        .unwrap_or(function)
}

fn preview2(interface: &str, function: &str) -> Option<Capability> {
    use Capability::*;
    match interface {
        "wasi:filesystem/preopens" => Some(Dirs),
        "wasi:cli/environment" => match function {
            "get-environment" => Some(Env),
            "get-arguments" => Some(Args),
            "initial-cwd" => Some(Dirs),
            _ => Some(Unknown),
        },
        "wasi:cli/stdin" | "wasi:cli/terminal-stdin" => Some(Stdin),
        "wasi:cli/stdout" | "wasi:cli/terminal-stdout" => Some(Stdout),
        "wasi:cli/stderr" | "wasi:cli/terminal-stderr" => Some(Stderr),
        "wasi:clocks/wall-clock" => Some(WallClock),
        "wasi:clocks/monotonic-clock" => Some(MonotonicClock),
        "wasi:random/random" | "wasi:random/insecure" | "wasi:random/insecure-seed" => Some(Random),
        "wasi:sockets/instance-network"
        | "wasi:sockets/tcp-create-socket"
        | "wasi:sockets/udp-create-socket"
        | "wasi:sockets/ip-name-lookup" => Some(Network),
        "wasi:cli/exit"
        | "wasi:io/error"
        | "wasi:io/poll"
        | "wasi:io/streams"
        | "wasi:filesystem/types"
        | "wasi:sockets/network"
        | "wasi:sockets/tcp"
        | "wasi:sockets/udp"
        | "wasi:cli/terminal-input"
        | "wasi:cli/terminal-output" => None,
        _ => Some(Unknown),
    }
}

fn preview1(function: &str) -> Option<Capability> {
    use Capability::*;
    match function {
        f if f.starts_with("path_") => Some(Dirs),
        "fd_readdir" | "fd_prestat_get" | "fd_prestat_dir_name" => Some(Dirs),
        "environ_get" | "environ_sizes_get" => Some(Env),
        "args_get" | "args_sizes_get" => Some(Args),
        "clock_time_get" | "clock_res_get" => Some(WallClock),
        "random_get" => Some(Random),
        f if f.starts_with("sock_") => Some(Network),
        "fd_write" => Some(Stdout),
        "fd_read" => Some(Stdin),
        // Act on descriptors some other function handed out, or on the process itself.
        "fd_advise"
        | "fd_allocate"
        | "fd_close"
        | "fd_datasync"
        | "fd_fdstat_get"
        | "fd_fdstat_set_flags"
        | "fd_fdstat_set_rights"
        | "fd_filestat_get"
        | "fd_filestat_set_size"
        | "fd_filestat_set_times"
        | "fd_pread"
        | "fd_pwrite"
        | "fd_renumber"
        | "fd_seek"
        | "fd_sync"
        | "fd_tell"
        | "poll_oneoff"
        | "proc_exit"
        | "proc_raise"
        | "sched_yield" => None,
        _ => Some(Unknown),
    }
}
