//! The diff for people: one block per changed package, `+` for what it gained (with the crate
//! and call path of each new syscall), `-` for what it lost, and a verdict.
//!
//! Syscalls that need a capability come with their call path. Those that act only on handles
//! (streams, sockets, descriptors obtained through a capability) come one per line with their
//! crate, their call paths only with `all_paths`: a new socket brings dozens of them.

use std::fmt::Write as _;
use std::io::IsTerminal;

use linker::diff::PermissionDiff;

use super::{Item, call_path, items, summary};

/// Whether stdout gets colors: a terminal, and `NO_COLOR` unset.
pub fn color_stdout() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Whether stderr gets colors: a terminal, and `NO_COLOR` unset.
pub fn color_stderr() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

struct Style {
    on: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

/// Renders `diff` against `base`; `color` adds ANSI colors, `all_paths` shows the call path of
/// every new syscall, not only of those that need a capability.
pub fn render(diff: &PermissionDiff, base: &str, color: bool, all_paths: bool) -> String {
    let style = Style { on: color };
    let mut out = String::new();
    for p in &diff.packages {
        let _ = writeln!(out, "{}", style.paint("1", &p.title()));
        let (added, removed) = items(p);
        for item in &added {
            let _ = writeln!(
                out,
                "  {}",
                style.paint("31", &format!("+ {}", item.describe()))
            );
            if let Item::Reach(s) = item
                && (all_paths || s.capability.is_some())
            {
                let path = format!("call path: {}", call_path(&s.path));
                let _ = writeln!(out, "      {}", style.paint("2", &path));
            }
        }
        for item in &removed {
            let _ = writeln!(
                out,
                "  {}",
                style.paint("32", &format!("- {}", item.describe()))
            );
        }
        if added.is_empty() && removed.is_empty() {
            let _ = writeln!(out, "  same permissions");
        }
        let _ = writeln!(out);
    }
    let verdict = summary(diff, base);
    let verdict = if diff.grew() {
        style.paint("1;31", &verdict)
    } else {
        verdict
    };
    let _ = writeln!(out, "{verdict}");
    out
}
