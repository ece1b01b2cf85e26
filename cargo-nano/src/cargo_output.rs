//! What the user sees of Cargo while it builds each nano package.
//!
//! - On a terminal (without `-q`): all of it as it arrives, its progress bar and colour
//!   included (`--color always` unless `--color never`/`NO_COLOR`, and
//!   `term.progress.when = "always"` at the terminal's width, since its stderr is a pipe to us).
//! - Piped, or with `-q`: only warnings and errors; Cargo's status lines (`Compiling …`,
//!   `Finished …`) are left out, unless `-v` shows everything.
//!
//! Either way a failed build's output has been shown, in Cargo's colour where there is colour,
//! before the error naming the package and the crate that failed.

use std::io::Write as _;
use std::sync::{Arc, Mutex};

use linker::cargo_build::{CargoOutput, StderrSink};

use crate::term;

/// How Cargo prints, from the global flags and the terminal.
pub fn cargo_output() -> CargoOutput {
    let everything = (term::stderr_is_terminal() && !term::quiet()) || term::verbose() > 0;
    let progress_width = (term::stderr_is_terminal() && term::progress_shown())
        .then(|| console::Term::stderr().size().1)
        .filter(|width| *width > 0);
    let stderr: StderrSink = if everything {
        Arc::new(|bytes: &[u8]| {
            let mut err = std::io::stderr().lock();
            let _ = err.write_all(bytes);
            let _ = err.flush();
        })
    } else {
        let filter = Mutex::new(Vec::new());
        Arc::new(move |bytes: &[u8]| {
            if let Ok(mut pending) = filter.lock() {
                print_unless_status(&mut pending, bytes);
            }
        })
    };
    CargoOutput {
        color: Some(term::stderr_color()),
        verbose: term::verbose(),
        quiet: term::quiet(),
        progress_width,
        stderr: Some(stderr),
    }
}

/// Adds `bytes` to `pending` and prints each complete line that is not a status line of Cargo's;
/// an empty `bytes` (the end) prints what is left.
fn print_unless_status(pending: &mut Vec<u8>, bytes: &[u8]) {
    pending.extend_from_slice(bytes);
    let end = if bytes.is_empty() {
        pending.len()
    } else {
        pending
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1)
    };
    let complete: Vec<u8> = pending.drain(..end).collect();
    let text = String::from_utf8_lossy(&complete);
    let kept: String = text
        .split_inclusive('\n')
        .filter(|line| !is_status(&anstream::adapter::strip_str(line).to_string()))
        .collect();
    if !kept.is_empty() {
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(kept.as_bytes());
        let _ = err.flush();
    }
}

/// Whether `line` is one of Cargo's status lines: a capitalised verb right-aligned in 12 columns,
/// then the message (`   Compiling serde v1.0.0`).
fn is_status(line: &str) -> bool {
    let Some((head, rest)) = line.split_at_checked(12) else {
        return false;
    };
    let verb = head.trim_start();
    rest.starts_with(' ')
        && verb.starts_with(|c: char| c.is_ascii_uppercase())
        && verb.chars().all(|c| c.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargos_status_lines_are_told_from_diagnostics() {
        assert!(is_status("   Compiling serde v1.0.228\n"));
        assert!(is_status(
            "    Finished `release` profile [optimized] target(s) in 0.05s"
        ));
        assert!(is_status(" Downloading crates ..."));
        assert!(!is_status("warning: unused variable: `x`"));
        assert!(!is_status(
            "error: could not compile `app` (bin \"app\") due to 1 previous error"
        ));
        assert!(!is_status("  --> src/main.rs:2:9"));
        assert!(!is_status("2 |     let x = 1;"));
        assert!(!is_status("Caused by:"));
    }
}
