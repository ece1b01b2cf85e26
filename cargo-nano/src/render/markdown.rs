//! The diff as Markdown, for a pull-request comment or a job summary.

use std::fmt::Write as _;

use linker::diff::PermissionDiff;

use super::{Item, items, notes, summary};

/// Renders `diff` against `base`; `each` as in [`super::human::render`].
pub fn render(diff: &PermissionDiff, base: &str, each: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### cargo-nano: permission changes since `{base}`\n");
    let verdict = summary(diff, base);
    if diff.grew() {
        let _ = writeln!(out, "**{}**", capitalize(&verdict));
        let _ = writeln!(
            out,
            "\nReview them, then accept them with `cargo nano lock --update`."
        );
    } else {
        let _ = writeln!(out, "{}", capitalize(&verdict));
    }
    for p in &diff.packages {
        let _ = writeln!(out, "\n#### `{}`\n", p.title());
        let (added, removed) = items(p);
        for item in &added {
            let _ = writeln!(out, "- **new:** {}", item.describe());
            if let Item::Reach(_, reach, _) = item
                && !reach.path.is_empty()
            {
                let path: Vec<String> = reach.path.iter().map(|f| format!("`{f}`")).collect();
                let _ = writeln!(out, "  - call path: {}", path.join(" → "));
            }
        }
        for item in &removed {
            let _ = writeln!(out, "- dropped: {}", item.describe());
        }
        let notes = notes(p, each);
        for note in &notes {
            let _ = writeln!(out, "- changed: {note}");
        }
        if added.is_empty() && removed.is_empty() && notes.is_empty() {
            let _ = writeln!(out, "- same permissions");
        }
    }
    out
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
