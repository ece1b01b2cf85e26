//! The components built from `tests/data/src/<name>/` with cargo.

use super::*;

#[test]
fn pure_package_reaches_nothing() {
    let inspection = inspect("pure");
    assert_eq!(inspection.exports, ["nano-test:pure/api"]);
    assert!(inspection.imports.is_empty(), "{:?}", inspection.imports);
    assert!(inspection.syscalls.is_empty(), "{:?}", inspection.syscalls);
    assert!(inspection.capabilities().is_empty());
}

#[test]
fn env_package_reaches_get_environment_and_no_sockets() {
    let inspection = inspect("env");
    assert_eq!(inspection.exports, ["nano-test:env/api"]);
    // The component-level list is std's, far bigger than what the package does.
    assert!(
        inspection
            .imports
            .contains(&"wasi:cli/environment@0.2.6".to_owned())
    );
    assert!(
        inspection
            .imports
            .contains(&"wasi:cli/stdin@0.2.6".to_owned())
    );
    let env = reach(&inspection, "wasi:cli/environment", "get-environment");
    assert!(!env.indirect);
    assert_eq!(
        env.path.first().map(String::as_str),
        Some("nano-test:env/api#lookup")
    );
    assert!(
        env.path
            .contains(&"nano_test_env::read_variable".to_owned()),
        "{:?}",
        env.path
    );
    assert_eq!(
        env.path.last().map(String::as_str),
        Some("wasi:cli/environment#get-environment")
    );
    assert!(!reaches_interface(&inspection, "wasi:sockets"));
    assert!(!reaches_interface(&inspection, "wasi:filesystem"));
    assert_eq!(
        direct_capabilities(&inspection),
        BTreeSet::from([Capability::Env])
    );
}

#[test]
fn fs_write_package_reaches_preopens_and_open_at() {
    let inspection = inspect("fswrite");
    let dirs = reach(&inspection, "wasi:filesystem/preopens", "get-directories");
    assert!(!dirs.indirect);
    assert!(
        dirs.path
            .contains(&"nano_test_fswrite::write_output".to_owned())
    );
    let open = reach(
        &inspection,
        "wasi:filesystem/types",
        "[method]descriptor.open-at",
    );
    assert!(!open.indirect);
    assert!(!reaches_interface(&inspection, "wasi:sockets"));
    // Imported by std (file times), never called by this package.
    assert!(
        inspection
            .imports
            .contains(&"wasi:clocks/wall-clock@0.2.6".to_owned())
    );
    assert!(!reaches_interface(&inspection, "wasi:clocks"));
    let direct = direct_capabilities(&inspection);
    assert!(direct.contains(&Capability::Dirs));
    assert!(!direct.contains(&Capability::Network));
}

#[test]
fn tcp_package_reaches_create_tcp_socket_from_its_caller() {
    let inspection = inspect("tcp");
    let tcp = reach(
        &inspection,
        "wasi:sockets/tcp-create-socket",
        "create-tcp-socket",
    );
    assert!(!tcp.indirect);
    assert_eq!(
        tcp.path.first().map(String::as_str),
        Some("nano-test:tcp/api#ping")
    );
    assert!(
        tcp.path
            .contains(&"nano_test_tcp::open_connection".to_owned()),
        "{:?}",
        tcp.path
    );
    assert!(
        !reach(
            &inspection,
            "wasi:sockets/ip-name-lookup",
            "resolve-addresses"
        )
        .indirect
    );
    assert!(direct_capabilities(&inspection).contains(&Capability::Network));
    // Imported by std, never called.
    assert!(
        inspection
            .imports
            .contains(&"wasi:clocks/monotonic-clock@0.2.6".to_owned())
    );
    assert!(!reaches_interface(&inspection, "wasi:clocks"));
}

#[test]
fn stderr_package_reaches_stderr_and_no_other_stream() {
    let inspection = inspect("stderr");
    let stderr = reach(&inspection, "wasi:cli/stderr", "get-stderr");
    assert!(!stderr.indirect, "std's stderr handle marks the stream");
    assert!(
        stderr
            .path
            .contains(&"nano_test_stderr::print_warning".to_owned())
    );
    // libc's descriptor table serves fds 0-2 from one function: a cut, not a reach.
    assert!(!reaches_interface(&inspection, "wasi:cli/stdout"));
    assert!(!reaches_interface(&inspection, "wasi:cli/stdin"));
    assert!(!reaches_interface(&inspection, "wasi:sockets"));
    assert!(!reaches_interface(&inspection, "wasi:filesystem"));
}

/// std's default panic hook reads `RUST_BACKTRACE`: a cut, so a package that may panic does not
/// count as reading the environment (without an `env` grant it sees none anyway).
#[test]
fn the_panic_hook_does_not_count_as_reading_the_environment() {
    let inspection = inspect("stderr");
    assert!(!reaches_interface(&inspection, "wasi:cli/environment"));
    let env = inspect("env");
    assert!(!reach(&env, "wasi:cli/environment", "get-environment").indirect);
}

/// wasi-libc's `close` populates the preopen table: a cut, so closing a socket is not using a
/// directory, while resolving a path is.
#[test]
fn closing_a_socket_does_not_count_as_using_a_directory() {
    assert!(!reaches_interface(
        &inspect("tcp"),
        "wasi:filesystem/preopens"
    ));
    let fs = inspect("fswrite");
    let dirs = reach(&fs, "wasi:filesystem/preopens", "get-directories");
    assert!(
        dirs.path.iter().any(|f| f.starts_with("__wasilibc_find")),
        "{:?}",
        dirs.path
    );
}

#[test]
fn command_reaches_stdout_from_run() {
    let inspection = inspect("cmd");
    assert_eq!(inspection.exports, ["wasi:cli/run@0.2.0"]);
    assert!(reaches_interface(&inspection, "wasi:cli/stdout"));
    assert!(!reaches_interface(&inspection, "wasi:sockets"));
    assert!(!reaches_interface(&inspection, "wasi:filesystem/preopens"));
}

#[test]
fn main_module_is_the_one_named_main() {
    let bytes = data("env");
    let info = component::parse(&bytes).unwrap();
    assert_eq!(info.modules.len(), 3, "main, shim and fixups");
    assert_eq!(info.modules[0].component_name.as_deref(), Some("main"));
    assert_eq!(info.modules[0].lifted, 1);
    assert_eq!(component::main_module(&info.modules), Some(0));
}

#[test]
fn main_module_without_names_is_the_one_lifted_from() {
    for name in ["env", "tcp", "cmd"] {
        let bytes = strip_custom_section(&data(name), "component-name");
        let info = component::parse(&bytes).unwrap();
        assert!(info.modules.iter().all(|m| m.component_name.is_none()));
        assert_eq!(component::main_module(&info.modules), Some(0), "{name}");
        assert_eq!(inspect_component(&bytes).unwrap(), inspect(name), "{name}");
    }
}
