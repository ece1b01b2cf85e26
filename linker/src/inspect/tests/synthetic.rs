//! `tests/data/synthetic.wasm` (from `tests/data/src/wat/synthetic.wat`) and hand-made modules:
//! the call-graph and main-module rules one by one.

use super::*;

#[test]
fn synthetic_component_call_graph_rules() {
    let inspection = inspect("synthetic");
    assert_eq!(inspection.imports, ["nano:inflate/api"]);
    assert_eq!(inspection.exports, ["run"]);
    let reached: Vec<String> = inspection
        .syscalls
        .keys()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        reached,
        [
            "wasi:cli/environment#get-environment",
            "wasi:clocks/wall-clock#now",
            "wasi:filesystem/preopens#get-directories",
            "wasi:random/random#get-random-u64",
            "wasi_snapshot_preview1#fd_write",
        ]
    );
    // Direct, though also reachable through the table: the direct path wins.
    let env = reach(&inspection, "wasi:cli/environment", "get-environment");
    assert!(!env.indirect);
    assert_eq!(
        path(env),
        [
            "nano:demo/api#run",
            "read-env",
            "wasi:cli/environment#get-environment"
        ]
    );
    // An active element segment entry of the called type.
    let wall = reach(&inspection, "wasi:clocks/wall-clock", "now");
    assert!(wall.indirect);
    assert_eq!(
        path(wall),
        [
            "nano:demo/api#run",
            "read-clock",
            "wasi:clocks/wall-clock#now"
        ]
    );
    // A declared element segment entry of the called type.
    assert!(reach(&inspection, "wasi:random/random", "get-random-u64").indirect);
    // The start function is a root, named by its function name.
    let dirs = reach(&inspection, "wasi:filesystem/preopens", "get-directories");
    assert_eq!(
        path(dirs),
        ["start-up", "wasi:filesystem/preopens#get-directories"]
    );
    // An import exported as is.
    let write = reach(&inspection, "wasi_snapshot_preview1", "fd_write");
    assert_eq!(
        path(write),
        ["raw-fd-write", "wasi_snapshot_preview1#fd_write"]
    );
    assert_eq!(
        inspection.capabilities(),
        BTreeSet::from([
            Capability::Dirs,
            Capability::Env,
            Capability::Stdout,
            Capability::WallClock,
            Capability::Random,
        ])
    );
}

#[test]
fn synthetic_main_module_is_not_the_biggest_helper() {
    for bytes in [
        data("synthetic"),
        strip_custom_section(&data("synthetic"), "component-name"),
    ] {
        let info = component::parse(&bytes).unwrap();
        assert_eq!(info.modules.len(), 2);
        assert!(info.modules[0].code_size > info.modules[1].code_size);
        assert_eq!(info.modules[1].lifted, 1);
        assert_eq!(component::main_module(&info.modules), Some(1));
    }
}

fn module(
    name: Option<&str>,
    helper_name: Option<&str>,
    lifted: usize,
    code_size: u64,
) -> component::CoreModule<'static> {
    component::CoreModule {
        bytes: &[],
        component_name: name.map(str::to_owned),
        own_name: helper_name.map(str::to_owned),
        lifted,
        code_size,
    }
}

#[test]
fn main_module_rules() {
    use component::main_module;
    assert_eq!(main_module(&[]), None);
    // Named `main` beats everything.
    let modules = [
        module(None, None, 3, 900),
        module(Some("main"), None, 0, 10),
    ];
    assert_eq!(main_module(&modules), Some(1));
    // Helpers are set aside, even with more lifts (wrappers) or more code.
    let modules = [
        module(Some("wit-component:fixups"), None, 5, 900),
        module(
            None,
            Some("wit-component:adapter:wasi_snapshot_preview1"),
            5,
            900,
        ),
        module(None, None, 1, 10),
    ];
    assert_eq!(main_module(&modules), Some(2));
    // Lifts beat size; size breaks ties; the first of full ties wins.
    let modules = [module(None, None, 0, 900), module(None, None, 1, 10)];
    assert_eq!(main_module(&modules), Some(1));
    let modules = [module(None, None, 0, 10), module(None, None, 0, 900)];
    assert_eq!(main_module(&modules), Some(1));
    let modules = [module(None, None, 0, 10), module(None, None, 0, 10)];
    assert_eq!(main_module(&modules), Some(0));
    // Only helpers: pick among them rather than fail.
    let modules = [module(Some("wit-component-shim-module"), None, 0, 80)];
    assert_eq!(main_module(&modules), Some(0));
}

/// A component holding one core module with one exported function `f` whose body is `call
/// callee`.
fn component_calling(callee: u8) -> Vec<u8> {
    let mut module = b"\0asm\x01\0\0\0".to_vec();
    module.extend([0x01, 0x04, 0x01, 0x60, 0x00, 0x00]); // type 0: [] -> []
    module.extend([0x03, 0x02, 0x01, 0x00]); // function 0: type 0
    module.extend([0x07, 0x05, 0x01, 0x01, b'f', 0x00, 0x00]); // export "f" = function 0
    module.extend([0x0a, 0x06, 0x01, 0x04, 0x00, 0x10, callee, 0x0b]); // code: call callee
    let mut component = b"\0asm\x0d\0\x01\0".to_vec();
    component.extend([0x01, u8::try_from(module.len()).unwrap()]); // core module section
    component.extend(module);
    component
}

#[test]
fn calls_to_missing_functions_are_errors() {
    let inspection = inspect_component(&component_calling(0)).unwrap();
    assert!(inspection.syscalls.is_empty());
    let err = inspect_component(&component_calling(5)).unwrap_err();
    assert!(
        matches!(err, InspectError::MalformedModule { index: 0, .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "malformed core module 0 of the component: a call refers to function 5, which does not exist"
    );
}
