//! Import names to syscalls, syscalls to capabilities.

use super::*;

#[test]
fn syscalls_from_imports() {
    assert_eq!(
        Syscall::from_import("wasi:sockets/tcp-create-socket@0.2.0", "create-tcp-socket"),
        Some(syscall(
            "wasi:sockets/tcp-create-socket",
            "create-tcp-socket"
        ))
    );
    assert_eq!(
        Syscall::from_import("cm32p2|wasi:cli/environment@0.2", "get-environment"),
        Some(syscall("wasi:cli/environment", "get-environment"))
    );
    assert_eq!(
        Syscall::from_import("wasi_snapshot_preview1", "fd_write"),
        Some(syscall("wasi_snapshot_preview1", "fd_write"))
    );
    for (module, name) in [
        ("nano:inflate/api", "inflate"),
        ("$root", "[resource-drop]x"),
        ("[export]nano:inflate/api", "[resource-new]x"),
        ("env", "memory"),
        ("__main_module__", "_start"),
    ] {
        assert_eq!(Syscall::from_import(module, name), None, "{module} {name}");
    }
    assert_eq!(
        syscall("wasi:sockets/tcp-create-socket", "create-tcp-socket").to_string(),
        "wasi:sockets/tcp-create-socket#create-tcp-socket"
    );
}

#[test]
fn capabilities_of_syscalls() {
    use Capability::*;
    let cases = [
        ("wasi:filesystem/preopens", "get-directories", Some(Dirs)),
        ("wasi:cli/environment", "get-environment", Some(Env)),
        ("wasi:cli/environment", "get-arguments", Some(Args)),
        ("wasi:cli/environment", "initial-cwd", Some(Dirs)),
        ("wasi:cli/environment", "something-new", Some(Unknown)),
        ("wasi:cli/stdin", "get-stdin", Some(Stdin)),
        ("wasi:cli/terminal-stdin", "get-terminal-stdin", Some(Stdin)),
        ("wasi:cli/stdout", "get-stdout", Some(Stdout)),
        (
            "wasi:cli/terminal-stdout",
            "get-terminal-stdout",
            Some(Stdout),
        ),
        ("wasi:cli/stderr", "get-stderr", Some(Stderr)),
        (
            "wasi:cli/terminal-stderr",
            "get-terminal-stderr",
            Some(Stderr),
        ),
        ("wasi:clocks/wall-clock", "now", Some(WallClock)),
        (
            "wasi:clocks/monotonic-clock",
            "subscribe-duration",
            Some(MonotonicClock),
        ),
        ("wasi:random/random", "get-random-bytes", Some(Random)),
        ("wasi:random/insecure-seed", "insecure-seed", Some(Random)),
        (
            "wasi:sockets/instance-network",
            "instance-network",
            Some(Network),
        ),
        (
            "wasi:sockets/tcp-create-socket",
            "create-tcp-socket",
            Some(Network),
        ),
        (
            "wasi:sockets/udp-create-socket",
            "create-udp-socket",
            Some(Network),
        ),
        (
            "wasi:sockets/ip-name-lookup",
            "resolve-addresses",
            Some(Network),
        ),
        ("wasi:sockets/tcp", "[method]tcp-socket.start-connect", None),
        ("wasi:sockets/udp", "[resource-drop]udp-socket", None),
        ("wasi:sockets/network", "[resource-drop]network", None),
        ("wasi:filesystem/types", "[method]descriptor.open-at", None),
        ("wasi:io/streams", "[method]output-stream.write", None),
        ("wasi:io/poll", "poll", None),
        ("wasi:cli/exit", "exit", None),
        (
            "wasi:cli/terminal-output",
            "[resource-drop]terminal-output",
            None,
        ),
        ("wasi:http/outgoing-handler", "handle", Some(Unknown)),
        ("wasi_snapshot_preview1", "path_open", Some(Dirs)),
        ("wasi_snapshot_preview1", "fd_prestat_get", Some(Dirs)),
        ("wasi_snapshot_preview1", "fd_readdir", Some(Dirs)),
        ("wasi_snapshot_preview1", "environ_get", Some(Env)),
        ("wasi_snapshot_preview1", "args_sizes_get", Some(Args)),
        ("wasi_snapshot_preview1", "clock_time_get", Some(WallClock)),
        ("wasi_snapshot_preview1", "random_get", Some(Random)),
        ("wasi_snapshot_preview1", "sock_accept", Some(Network)),
        ("wasi_snapshot_preview1", "fd_write", Some(Stdout)),
        ("wasi_snapshot_preview1", "fd_read", Some(Stdin)),
        ("wasi_snapshot_preview1", "fd_close", None),
        ("wasi_snapshot_preview1", "proc_exit", None),
        ("wasi_snapshot_preview1", "not_a_function", Some(Unknown)),
    ];
    for (interface, function, expected) in cases {
        assert_eq!(
            capability_of(&syscall(interface, function)),
            expected,
            "{interface}#{function}"
        );
    }
}

#[test]
fn capabilities_display_in_manifest_terms() {
    let shown: Vec<String> = [
        Capability::Dirs,
        Capability::Env,
        Capability::Args,
        Capability::Stdin,
        Capability::Stdout,
        Capability::Stderr,
        Capability::WallClock,
        Capability::MonotonicClock,
        Capability::Random,
        Capability::Network,
        Capability::Unknown,
    ]
    .iter()
    .map(ToString::to_string)
    .collect();
    assert_eq!(
        shown,
        [
            "dirs",
            "env",
            "args",
            "stdio stdin",
            "stdio stdout",
            "stdio stderr",
            "clocks wall",
            "clocks monotonic",
            "random",
            "network",
            "unknown"
        ]
    );
}
