//! A trap as a person reads it: why, what the package printed before (a Rust panic's message),
//! and a few demangled frames naming the package each runs in; wasmtime's whole backtrace stays
//! available (`cargo nano run -v`).

use manifest_schema::plan::Plan;
use wasmtime::WasmBacktrace;

/// How many of the innermost frames the short backtrace shows.
const FRAMES: usize = 6;

/// The innermost frames of `bt`, demangled without hashes: `divider::api::divide (in `divider`)`.
/// Frames of std's panic machinery are left out: they are the same in every panic.
pub fn frames(bt: &WasmBacktrace, plan: &Plan) -> Vec<String> {
    bt.frames()
        .iter()
        .filter_map(|frame| {
            let name = frame.func_name()?;
            let name = format!("{:#}", rustc_demangle::demangle(name));
            let noise = [
                "std::panicking",
                "core::panicking",
                "std::sys::",
                "__rustc::",
                "rust_panic",
                "std::process::abort",
                "std::rt::",
            ];
            if noise.iter().any(|n| name.starts_with(n)) || name == "abort" {
                return None;
            }
            let module = frame.module().name().unwrap_or_default();
            let package = plan
                .instances
                .iter()
                .find(|i| i.namespace == module)
                .map_or(String::new(), |i| format!(" (in `{}`)", i.package));
            Some(format!("{name}{package}"))
        })
        .take(FRAMES)
        .collect()
}

/// The lines after the first of a trap's message: the withheld panic message, then the frames.
pub fn details(panic: &Option<String>, backtrace: &[String]) -> String {
    let mut out = String::new();
    if let Some(panic) = panic {
        out.push_str("\n  = note: it wrote, to a stderr it does not hold (withheld until now):");
        // std's hint about `RUST_BACKTRACE` does not apply inside a nanoprocess: the frames follow.
        for line in panic.lines().filter(|l| !l.contains("RUST_BACKTRACE")) {
            out.push_str(&format!("\n      {line}"));
        }
    }
    if !backtrace.is_empty() {
        out.push_str("\n  = backtrace (innermost first; `-v` shows wasmtime's whole one):");
        for (i, frame) in backtrace.iter().enumerate() {
            out.push_str(&format!("\n      {i}: {frame}"));
        }
    }
    out
}
