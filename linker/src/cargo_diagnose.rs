//! Reading a failed Cargo build's output: which crate failed, and how to fix known failures.

use crate::cargo_build::TARGET;

/// The last `lines` lines of `text`.
pub(crate) fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Which crate Cargo's output says failed, and a hint for failures with a known cause: a build
/// script that compiles C code and finds no C compiler for wasm. Cargo's styles (`--color
/// always`) are ignored.
pub(crate) fn diagnose(stderr: &str) -> (String, String) {
    let stderr = &anstream::adapter::strip_str(stderr).to_string();
    let quoted = |line: &str, prefix: &str| {
        line.strip_prefix(prefix)
            .and_then(|rest| rest.split('`').next())
            .map(str::to_string)
    };
    let script = stderr
        .lines()
        .find_map(|l| quoted(l, "error: failed to run custom build command for `"));
    let compile = stderr
        .lines()
        .find_map(|l| quoted(l, "error: could not compile `"));
    let unresolved = stderr.contains("error: failed to get `")
        || stderr.contains("failed to select a version")
        || stderr.contains("no matching package named");
    let cause = match (&script, &compile) {
        (Some(krate), _) => format!(": the build script of `{krate}` failed"),
        (None, Some(krate)) => format!(": crate `{krate}` failed to compile"),
        (None, None) if unresolved => ": Cargo could not resolve its dependencies".to_string(),
        (None, None) => String::new(),
    };
    let no_c_compiler = stderr.contains("failed to find tool")
        || stderr.contains("error occurred in cc-rs")
        || stderr.contains("ToolNotFound");
    let hint = match script {
        None if unresolved => "\n  = help: a nano package from outside the workspace is built with crates that `Cargo.lock` cannot hold (`wit-bindgen`, through `nanoprocess/bindings`); Cargo fetches them on the first build, so that build needs the network, or `--offline` when they are in Cargo's cache".to_string(),
        Some(krate) if no_c_compiler => format!(
            "\n  = help: `{krate}` compiles C code, and no C compiler for `{TARGET}` was found: turn off the crate's C feature (often a default feature of the crate that depends on it), or install clang and WASI C headers (Debian: `apt-get install clang wasi-libc`, which cargo-nano configures itself) or set `CC_wasm32_wasip2` (see docs/adopting.md, \"Crates with C code\")"
        ),
        _ => String::new(),
    };
    (cause, hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_build_script_without_a_c_compiler_is_named_with_a_hint() {
        let stderr = "   Compiling zstd-sys v2.0.15+zstd.1.5.7\n\
            error: failed to run custom build command for `zstd-sys v2.0.15+zstd.1.5.7`\n\
            \n\
            Caused by:\n  process didn't exit successfully\n\
            error occurred in cc-rs: failed to find tool \"clang\": No such file or directory (os error 2)\n";
        let (cause, hint) = diagnose(stderr);
        assert_eq!(
            cause,
            ": the build script of `zstd-sys v2.0.15+zstd.1.5.7` failed"
        );
        assert!(hint.contains("no C compiler for `wasm32-wasip2`"), "{hint}");
    }

    #[test]
    fn a_compile_error_names_the_crate() {
        let (cause, hint) = diagnose(
            "error[E0425]: x\nerror: could not compile `getrandom` (lib) due to 1 previous error\n",
        );
        assert_eq!(cause, ": crate `getrandom` failed to compile");
        assert!(hint.is_empty());
        assert_eq!(diagnose("something else"), (String::new(), String::new()));
        // As Cargo prints it with `--color always`.
        let (cause, _) = diagnose(
            "\u{1b}[1m\u{1b}[91merror\u{1b}[0m\u{1b}[1m: could not compile `getrandom` (lib) due to 1 previous error\u{1b}[0m\n",
        );
        assert_eq!(cause, ": crate `getrandom` failed to compile");
        let (cause, hint) = diagnose(
            "    Updating crates.io index\nerror: failed to get `wit-bindgen` as a dependency of package `nanoprocess v0.1.0`\n",
        );
        assert_eq!(cause, ": Cargo could not resolve its dependencies");
        assert!(hint.contains("--offline"), "{hint}");
    }
}
