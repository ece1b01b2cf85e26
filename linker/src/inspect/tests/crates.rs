//! Which crates reach a syscall: a hand-made module whose function names are Rust paths.

use super::*;

fn leb(mut n: usize, out: &mut Vec<u8>) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn name(s: &str, out: &mut Vec<u8>) {
    leb(s.len(), out);
    out.extend(s.as_bytes());
}

fn section(id: u8, body: &[u8], out: &mut Vec<u8>) {
    out.push(id);
    leb(body.len(), out);
    out.extend(body);
}

/// A component whose main module imports `wasi:cli/environment#get-environment` (function 0),
/// exports function 1 as `nano:p/api#run`, holds function `table` in a table, and defines
/// `funcs` (name, code) as functions 1, 2, …; every function has type `[] -> []`.
fn component(funcs: &[(&str, &[u8])], table: u32) -> Vec<u8> {
    let mut m = b"\0asm\x01\0\0\0".to_vec();
    section(1, &[0x01, 0x60, 0x00, 0x00], &mut m);
    let mut imports = vec![0x01];
    name("wasi:cli/environment@0.2.6", &mut imports);
    name("get-environment", &mut imports);
    imports.extend([0x00, 0x00]);
    section(2, &imports, &mut m);
    let mut functions = Vec::new();
    leb(funcs.len(), &mut functions);
    functions.extend(std::iter::repeat_n(0x00, funcs.len()));
    section(3, &functions, &mut m);
    section(4, &[0x01, 0x70, 0x00, 0x01], &mut m);
    let mut exports = vec![0x01];
    name("nano:p/api#run", &mut exports);
    exports.extend([0x00, 0x01]);
    section(7, &exports, &mut m);
    let mut elements = vec![0x01, 0x00, 0x41, 0x00, 0x0b, 0x01];
    leb(table as usize, &mut elements);
    section(9, &elements, &mut m);
    let mut code = Vec::new();
    leb(funcs.len(), &mut code);
    for (_, body) in funcs {
        let mut f = vec![0x00];
        f.extend(*body);
        f.push(0x0b);
        leb(f.len(), &mut code);
        code.extend(f);
    }
    section(10, &code, &mut m);
    let mut names = Vec::new();
    name("name", &mut names);
    let mut map = Vec::new();
    leb(funcs.len(), &mut map);
    for (i, (n, _)) in funcs.iter().enumerate() {
        leb(i + 1, &mut map);
        name(n, &mut map);
    }
    names.push(0x01);
    leb(map.len(), &mut names);
    names.extend(map);
    section(0, &names, &mut m);
    let mut component = b"\0asm\x0d\0\x01\0".to_vec();
    section(1, &m, &mut component);
    component
}

#[test]
fn every_crate_calling_a_syscall_through_plumbing_reaches_it() {
    const CALL: u8 = 0x10;
    let funcs: &[(&str, &[u8])] = &[
        // 1: the export, which also calls through the table.
        (
            "p::exports::_export_run_cabi",
            &[CALL, 2, CALL, 3, CALL, 7, 0x41, 0x00, 0x11, 0x00, 0x00],
        ),
        // 2, 3, 5: crates `a` and `b`; `b` is one call further away.
        ("a::f", &[CALL, 4]),
        ("b::g", &[CALL, 5]),
        ("std::env::var_os", &[CALL, 6]),
        ("b::h", &[CALL, 4]),
        ("getenv", &[CALL, 0]),
        // 7: std called by the export itself: the package's own code, inlined.
        ("std::env::var", &[CALL, 4]),
        // 8: reached only through the table.
        ("c::k", &[CALL, 4]),
    ];
    let inspection = inspect_package(&component(funcs, 8), "p").unwrap();
    let found: Vec<(Option<&str>, bool, Vec<&str>)> = inspection
        .crates
        .iter()
        .map(|c| (c.krate.as_deref(), c.reach.indirect, path(&c.reach)))
        .collect();
    let syscall = "wasi:cli/environment#get-environment";
    let run = "nano:p/api#run";
    assert_eq!(
        found,
        [
            (
                None,
                false,
                vec![run, "std::env::var", "std::env::var_os", "getenv", syscall]
            ),
            (
                Some("a"),
                false,
                vec![run, "a::f", "std::env::var_os", "getenv", syscall]
            ),
            (
                Some("b"),
                false,
                vec![run, "b::g", "b::h", "std::env::var_os", "getenv", syscall]
            ),
            (
                Some("c"),
                true,
                vec![run, "c::k", "std::env::var_os", "getenv", syscall]
            ),
        ]
    );
    assert_eq!(
        inspection.crate_names,
        BTreeSet::from(["a", "b", "c"].map(String::from))
    );
}

#[test]
fn a_syscall_reached_only_through_plumbing_indirect_calls_goes_to_the_example_path_crate() {
    const CALL: u8 = 0x10;
    let funcs: &[(&str, &[u8])] = &[
        ("p::exports::_export_run_cabi", &[CALL, 2]),
        ("a::f", &[CALL, 3]),
        // std calls a function pointer; the table holds `getenv`.
        ("core::fmt::write", &[0x41, 0x00, 0x11, 0x00, 0x00]),
        ("getenv", &[CALL, 0]),
    ];
    let inspection = inspect_package(&component(funcs, 4), "p").unwrap();
    assert_eq!(inspection.crates.len(), 1);
    let only = &inspection.crates[0];
    assert_eq!(only.krate.as_deref(), Some("a"));
    assert!(only.reach.indirect);
    assert_eq!(
        path(&only.reach),
        [
            "nano:p/api#run",
            "a::f",
            "core::fmt::write",
            "getenv",
            "wasi:cli/environment#get-environment"
        ]
    );
}

#[test]
fn real_packages_name_the_crate_that_reads_the_environment() {
    let inspection = inspect_package(&data("env"), "nano-test-env").unwrap();
    let env: Vec<Option<&str>> = inspection
        .crates
        .iter()
        .filter(|c| c.syscall.to_string() == "wasi:cli/environment#get-environment")
        .map(|c| c.krate.as_deref())
        .collect();
    assert_eq!(env, [Some("nano_test_env")]);
}
