//! The diff for people: one block per changed package, `+` for what it gained (each crate that
//! now reaches a capability with its versions and an example call path), `-` for what it lost,
//! `~` for what changed without being a permission (crate versions, capability-free
//! interfaces), and a verdict.
//!
//! Crates whose version alone changed are summed up in one line; `each` (`-v`) lists them one
//! per line.

use std::fmt::Write as _;
use std::io::IsTerminal;

use linker::diff::PermissionDiff;

use super::{Item, call_path, items, notes, summary};

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

/// Renders `diff` against `base`; `color` adds ANSI colors, `each` lists each crate whose version
/// alone changed on its own line.
pub fn render(diff: &PermissionDiff, base: &str, color: bool, each: bool) -> String {
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
            if let Item::Reach(_, reach, _) = item
                && !reach.path.is_empty()
            {
                let path = format!("call path: {}", call_path(&reach.path));
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
        let notes = notes(p, each);
        for note in &notes {
            let _ = writeln!(out, "  ~ {note}");
        }
        if added.is_empty() && removed.is_empty() && notes.is_empty() {
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
