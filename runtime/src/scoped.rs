//! Bindings of the root (authority-granting) WASI interfaces, one set per instance.
//!
//! wasmtime-wasi's generated `add_to_linker` functions bind fixed names through a `fn` getter, so
//! they cannot bind `nano-<instance>:cli/environment` to one instance's context. Each function
//! here captures its instance index and delegates to wasmtime-wasi's own `Host` implementation
//! with that instance's context. The contexts are built from the instance's holdings only; clocks
//! and random exist in every context, so those two are also checked here.

use manifest_schema::Clock;
use wasmtime::StoreContextMut;
use wasmtime::component::LinkerInstance;
use wasmtime_wasi::cli::WasiCliCtxView;
use wasmtime_wasi::clocks::WasiClocksCtxView;
use wasmtime_wasi::filesystem::WasiFilesystemCtxView;
use wasmtime_wasi::p2::bindings::{cli, clocks, filesystem, random, sockets};
use wasmtime_wasi::sockets::WasiSocketsCtxView;

use crate::state::NanoState;

type Inst<'a> = LinkerInstance<'a, NanoState>;
type Store<'a> = StoreContextMut<'a, NanoState>;

/// Defines `function` of the root interface `path` (versionless, e.g. `wasi:cli/stdout`) for
/// instance `index`. Returns `Ok(false)` when cargo-nano does not know the function.
pub fn define(
    inst: &mut Inst<'_>,
    path: &str,
    function: &str,
    index: usize,
) -> wasmtime::Result<bool> {
    let i = index;
    match (path, function) {
        ("wasi:cli/environment", "get-environment") => {
            inst.func_wrap(function, move |mut s: Store<'_>, (): ()| {
                audited(&mut s, |a| a.env(i));
                with_cli(&mut s, i, |v| cli::environment::Host::get_environment(v)).map(|r| (r,))
            })?
        }
        ("wasi:cli/environment", "get-arguments") => {
            inst.func_wrap(function, move |mut s: Store<'_>, (): ()| {
                audited(&mut s, |a| a.args(i));
                with_cli(&mut s, i, |v| cli::environment::Host::get_arguments(v)).map(|r| (r,))
            })?
        }
        ("wasi:cli/environment", "initial-cwd") => {
            inst.func_wrap(function, move |mut s: Store<'_>, (): ()| {
                with_cli(&mut s, i, |v| cli::environment::Host::initial_cwd(v)).map(|r| (r,))
            })?
        }
        // Who ended the program is recorded before wasmtime-wasi unwinds it (`crate::exit`).
        ("wasi:cli/exit", "exit") => inst.func_wrap(
            function,
            move |mut s: Store<'_>, (status,): (Result<(), ()>,)| {
                s.data_mut().exited = Some((i, i32::from(status.is_err())));
                with_cli(&mut s, i, |v| cli::exit::Host::exit(v, status))
            },
        )?,
        ("wasi:cli/exit", "exit-with-code") => {
            inst.func_wrap(function, move |mut s: Store<'_>, (code,): (u8,)| {
                s.data_mut().exited = Some((i, i32::from(code)));
                with_cli(&mut s, i, |v| cli::exit::Host::exit_with_code(v, code))
            })?
        }
        ("wasi:cli/stdin", "get-stdin") => {
            inst.func_wrap(function, move |mut s: Store<'_>, (): ()| {
                with_cli(&mut s, i, |v| cli::stdin::Host::get_stdin(v)).map(|r| (r,))
            })?
        }
        ("wasi:cli/stdout", "get-stdout") => {
            inst.func_wrap(function, move |mut s: Store<'_>, (): ()| {
                with_cli(&mut s, i, |v| cli::stdout::Host::get_stdout(v)).map(|r| (r,))
            })?
        }
        ("wasi:cli/stderr", "get-stderr") => {
            inst.func_wrap(function, move |mut s: Store<'_>, (): ()| {
                with_cli(&mut s, i, |v| cli::stderr::Host::get_stderr(v)).map(|r| (r,))
            })?
        }
        ("wasi:cli/terminal-stdin", "get-terminal-stdin") => {
            inst.func_wrap(function, move |mut s: Store<'_>, (): ()| {
                with_cli(&mut s, i, |v| {
                    cli::terminal_stdin::Host::get_terminal_stdin(v)
                })
                .map(|r| (r,))
            })?
        }
        ("wasi:cli/terminal-stdout", "get-terminal-stdout") => {
            inst.func_wrap(function, move |mut s: Store<'_>, (): ()| {
                with_cli(&mut s, i, |v| {
                    cli::terminal_stdout::Host::get_terminal_stdout(v)
                })
                .map(|r| (r,))
            })?
        }
        ("wasi:cli/terminal-stderr", "get-terminal-stderr") => {
            inst.func_wrap(function, move |mut s: Store<'_>, (): ()| {
                with_cli(&mut s, i, |v| {
                    cli::terminal_stderr::Host::get_terminal_stderr(v)
                })
                .map(|r| (r,))
            })?
        }
        ("wasi:filesystem/preopens", "get-directories") => {
            inst.func_wrap(function, move |mut s: Store<'_>, (): ()| {
                let dirs = with_fs(&mut s, i, |v| {
                    filesystem::preopens::Host::get_directories(v)
                })?;
                audited(&mut s, |a| {
                    a.preopens(i, dirs.iter().map(|(d, name)| (d.rep(), name.clone())));
                });
                Ok((dirs,))
            })?
        }
        ("wasi:clocks/wall-clock", _) | ("wasi:clocks/monotonic-clock", _) => {
            return define_clock(inst, path, function, i);
        }
        ("wasi:random/random", _)
        | ("wasi:random/insecure", _)
        | ("wasi:random/insecure-seed", _) => {
            return define_random(inst, function, i);
        }
        ("wasi:sockets/instance-network", "instance-network") => {
            inst.func_wrap(function, move |mut s: Store<'_>, (): ()| {
                let network = with_sockets(&mut s, i, |v| {
                    sockets::instance_network::Host::instance_network(v)
                })?;
                s.data_mut().networks.insert(network.rep(), i);
                Ok((network,))
            })?
        }
        ("wasi:sockets/tcp-create-socket", "create-tcp-socket") => inst.func_wrap(
            function,
            move |mut s: Store<'_>, (family,): (sockets::network::IpAddressFamily,)| {
                let r = with_sockets(&mut s, i, |v| {
                    sockets::tcp_create_socket::Host::create_tcp_socket(v, family)
                });
                Ok((socket_result(r)?,))
            },
        )?,
        // Whether UDP may be used at all is the package's own context's decision (`allow_udp`,
        // on only for a package holding a `udp://` endpoint), so the socket is made there.
        ("wasi:sockets/udp-create-socket", "create-udp-socket") => inst.func_wrap(
            function,
            move |mut s: Store<'_>, (family,): (sockets::network::IpAddressFamily,)| {
                let r = with_sockets(&mut s, i, |v| {
                    // The synchronous binding, like the `wasi:sockets/udp` methods `crate::shared`
                    // binds (wasmtime-wasi's own is async and runs it on its Tokio runtime).
                    wasmtime_wasi::p2::bindings::sync::sockets::udp_create_socket::Host::create_udp_socket(
                        v, family,
                    )
                });
                Ok((socket_result(r)?,))
            },
        )?,
        _ => return Ok(false),
    }
    Ok(true)
}

fn define_clock(
    inst: &mut Inst<'_>,
    path: &str,
    function: &str,
    i: usize,
) -> wasmtime::Result<bool> {
    let wall = path == "wasi:clocks/wall-clock";
    match (wall, function) {
        (true, "now") => inst.func_wrap(function, move |mut s: Store<'_>, (): ()| {
            with_clocks(&mut s, i, Clock::Wall, "wasi:clocks/wall-clock#now", |v| {
                clocks::wall_clock::Host::now(v)
            })
            .map(|r| (r,))
        })?,
        (true, "resolution") => inst.func_wrap(function, move |mut s: Store<'_>, (): ()| {
            with_clocks(
                &mut s,
                i,
                Clock::Wall,
                "wasi:clocks/wall-clock#resolution",
                |v| clocks::wall_clock::Host::resolution(v),
            )
            .map(|r| (r,))
        })?,
        (false, "now") => inst.func_wrap(function, move |mut s: Store<'_>, (): ()| {
            with_clocks(
                &mut s,
                i,
                Clock::Monotonic,
                "wasi:clocks/monotonic-clock#now",
                |v| clocks::monotonic_clock::Host::now(v),
            )
            .map(|r| (r,))
        })?,
        (false, "resolution") => inst.func_wrap(function, move |mut s: Store<'_>, (): ()| {
            with_clocks(
                &mut s,
                i,
                Clock::Monotonic,
                "wasi:clocks/monotonic-clock#resolution",
                |v| clocks::monotonic_clock::Host::resolution(v),
            )
            .map(|r| (r,))
        })?,
        (false, "subscribe-instant") => {
            inst.func_wrap(function, move |mut s: Store<'_>, (when,): (u64,)| {
                with_clocks(
                    &mut s,
                    i,
                    Clock::Monotonic,
                    "wasi:clocks/monotonic-clock#subscribe-instant",
                    |v| clocks::monotonic_clock::Host::subscribe_instant(v, when),
                )
                .map(|r| (r,))
            })?
        }
        (false, "subscribe-duration") => {
            inst.func_wrap(function, move |mut s: Store<'_>, (d,): (u64,)| {
                with_clocks(
                    &mut s,
                    i,
                    Clock::Monotonic,
                    "wasi:clocks/monotonic-clock#subscribe-duration",
                    |v| clocks::monotonic_clock::Host::subscribe_duration(v, d),
                )
                .map(|r| (r,))
            })?
        }
        _ => return Ok(false),
    }
    Ok(true)
}

fn define_random(inst: &mut Inst<'_>, function: &str, i: usize) -> wasmtime::Result<bool> {
    match function {
        "get-random-bytes" => {
            inst.func_wrap(function, move |mut s: Store<'_>, (len,): (u64,)| {
                with_random(&mut s, i, |r| {
                    random::random::Host::get_random_bytes(r, len)
                })
                .map(|r| (r,))
            })?
        }
        "get-random-u64" => inst.func_wrap(function, move |mut s: Store<'_>, (): ()| {
            with_random(&mut s, i, random::random::Host::get_random_u64).map(|r| (r,))
        })?,
        "get-insecure-random-bytes" => {
            inst.func_wrap(function, move |mut s: Store<'_>, (len,): (u64,)| {
                with_random(&mut s, i, |r| {
                    random::insecure::Host::get_insecure_random_bytes(r, len)
                })
                .map(|r| (r,))
            })?
        }
        "get-insecure-random-u64" => {
            inst.func_wrap(function, move |mut s: Store<'_>, (): ()| {
                with_random(&mut s, i, |r| {
                    random::insecure::Host::get_insecure_random_u64(r)
                })
                .map(|r| (r,))
            })?
        }
        "insecure-seed" => inst.func_wrap(function, move |mut s: Store<'_>, (): ()| {
            with_random(&mut s, i, random::insecure_seed::Host::insecure_seed).map(|r| (r,))
        })?,
        _ => return Ok(false),
    }
    Ok(true)
}

fn with_cli<R>(s: &mut Store<'_>, i: usize, f: impl FnOnce(&mut WasiCliCtxView<'_>) -> R) -> R {
    let state = s.data_mut();
    let mut view = WasiCliCtxView {
        ctx: state.packages[i].wasi.cli(),
        table: &mut state.table,
    };
    f(&mut view)
}

fn with_fs<R>(
    s: &mut Store<'_>,
    i: usize,
    f: impl FnOnce(&mut WasiFilesystemCtxView<'_>) -> R,
) -> R {
    let state = s.data_mut();
    let mut view = WasiFilesystemCtxView {
        ctx: state.packages[i].wasi.filesystem(),
        table: &mut state.table,
    };
    f(&mut view)
}

fn with_sockets<R>(
    s: &mut Store<'_>,
    i: usize,
    f: impl FnOnce(&mut WasiSocketsCtxView<'_>) -> R,
) -> R {
    let state = s.data_mut();
    let mut view = WasiSocketsCtxView {
        ctx: state.packages[i].wasi.sockets(),
        table: &mut state.table,
    };
    f(&mut view)
}

fn with_clocks<R>(
    s: &mut Store<'_>,
    i: usize,
    clock: Clock,
    what: &str,
    f: impl FnOnce(&mut WasiClocksCtxView<'_>) -> wasmtime::Result<R>,
) -> wasmtime::Result<R> {
    let state = s.data_mut();
    let pkg = &mut state.packages[i];
    if !pkg.holds.clocks.contains(&clock) {
        let name = match clock {
            Clock::Wall => "wall",
            Clock::Monotonic => "monotonic",
        };
        return Err(denied(
            &pkg.package,
            what,
            &format!("clocks = [\"{name}\"]"),
        ));
    }
    if let Some(audit) = &state.audit {
        audit.clock(i, clock);
    }
    let mut view = WasiClocksCtxView {
        ctx: pkg.wasi.clocks(),
        table: &mut state.table,
    };
    f(&mut view)
}

fn with_random<R>(
    s: &mut Store<'_>,
    i: usize,
    f: impl FnOnce(&mut wasmtime_wasi::random::WasiRandomCtx) -> wasmtime::Result<R>,
) -> wasmtime::Result<R> {
    audited(s, |a| a.random(i));
    let pkg = &mut s.data_mut().packages[i];
    if !pkg.holds.random {
        return Err(denied(&pkg.package, "wasi:random", "random = true"));
    }
    f(pkg.wasi.random())
}

/// Records a use in an audit run ([`crate::audit`]); nothing otherwise.
fn audited(s: &mut Store<'_>, f: impl FnOnce(&crate::audit::AuditLog)) {
    if let Some(audit) = &s.data().audit {
        f(audit);
    }
}

/// A call a package made without holding the capability: a trap that says so. The build's
/// reachability check makes this rare (only code paths it could not see, e.g. indirect calls).
fn denied(package: &str, what: &str, grant: &str) -> wasmtime::Error {
    wasmtime::Error::msg(format!(
        "package `{package}` called `{what}` but does not hold `{grant}`"
    ))
}

fn socket_result<T>(
    r: Result<T, wasmtime_wasi::p2::SocketError>,
) -> wasmtime::Result<Result<T, sockets::network::ErrorCode>> {
    match r {
        Ok(v) => Ok(Ok(v)),
        Err(e) => Ok(Err(e.downcast()?)),
    }
}
