//! End-to-end test of `fixtures/c-code`: a nano package whose build script compiles C code with
//! the `cc` crate, built for `wasm32-wasip2` by the real binary and run in its own nanoprocess.
//!
//! It needs a C compiler for the target: clang and Debian's `wasi-libc` (`.ci/run` installs them;
//! docs/adopting.md, "Crates with C code"), which cargo-nano finds by itself
//! ([`linker::c_toolchain`]), or one the user configured with `CC_wasm32_wasip2` and friends.
//! Without one the test says so and passes, except in CI (`CI` set), where it fails.

mod support;

use support::cargo_nano;

/// What `app` prints: every value is computed, and the line formatted, by C code inside
/// `checksum` (the hashes are FNV-1a, checked against a Rust implementation by the fixture's own
/// native tests).
const EXPECTED: &str = "\
fnv1a(\"\") = cbf29ce484222325
fnv1a(\"hello\") = a430d84680aabd0b
fnv1a(\"nanoprocess\") = 854e9eecf710c21c
greeting: 8 bytes, fnv1a 84e4e9c6a446d7d4
error: nul byte found in provided data at position: 3
";

/// Whether the C code can be compiled for the target here.
fn c_compiler_for_wasm() -> bool {
    !linker::c_toolchain::env_vars().is_empty()
        || linker::c_toolchain::USER_SETTINGS
            .iter()
            .any(|name| std::env::var_os(name).is_some())
}

#[test]
fn c_code_from_a_build_script_runs_in_its_nanoprocess() {
    if !c_compiler_for_wasm() {
        let help = "no C compiler for wasm32-wasip2: `apt-get install clang wasi-libc` \
                    (docs/adopting.md, \"Crates with C code\")";
        assert!(std::env::var_os("CI").is_none(), "{help}");
        eprintln!("skipped: {help}");
        return;
    }
    let out = cargo_nano("c-code", &["run"]);
    assert_eq!(out.status, 0, "{}", out.render());
    assert_eq!(out.stdout, EXPECTED, "{}", out.render());
    // The C code holds nothing: computing, allocating and formatting need no capability.
    for row in [
        "app         app 0.14.0       stdio: stdout",
        "  checksum  checksum 0.14.0  nothing",
    ] {
        assert!(
            out.stderr.lines().any(|line| line == row),
            "missing `{row}`\n{}",
            out.render()
        );
    }
}
