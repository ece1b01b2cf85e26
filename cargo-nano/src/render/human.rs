//! The diff for people: one block per changed package, `+` for what it gained (with the crate
//! and call path of each new syscall), `-` for what it lost, and a verdict.
//!
//! Syscalls that need a capability come with their call path. Those that act only on handles
//! (streams, sockets, descriptors obtained through a capability) or need none (`exit`) are summed
//! up per crate in one line, by interface: a new socket brings dozens of them, and they grant
//! nothing by themselves.
//! `all_paths` (`-v`) lists each of them with its call path instead.

use std::collections::BTreeMap;
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
        let (handle_only, added): (Vec<_>, Vec<_>) = added.into_iter().partition(|item| {
            !all_paths && matches!(item, Item::Reach(s) if s.capability.is_none())
        });
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
        for line in handle_only_summary(&handle_only) {
            let _ = writeln!(out, "  {}", style.paint("31", &format!("+ {line}")));
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

/// `reaches 38 function(s) that need no capability in crate `x`: wasi:sockets/tcp ×17, …`, one
/// line per crate.
fn handle_only_summary(items: &[Item<'_>]) -> Vec<String> {
    let mut by_crate: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
    for item in items {
        if let Item::Reach(s) = item {
            let interface = s.name.split('#').next().unwrap_or(&s.name);
            *by_crate
                .entry(&s.krate)
                .or_default()
                .entry(interface)
                .or_default() += 1;
        }
    }
    by_crate
        .into_iter()
        .map(|(krate, interfaces)| {
            let total: usize = interfaces.values().sum();
            let list: Vec<String> = interfaces.iter().map(|(i, n)| format!("{i} ×{n}")).collect();
            format!(
                "reaches {total} function(s) that need no capability in crate `{krate}`: {} (they act on handles a capability gave, or exit; `-v` lists each)",
                list.join(", ")
            )
        })
        .collect()
}
