//! The diff as Markdown, for a pull-request comment or a job summary.

use std::fmt::Write as _;

use linker::diff::PermissionDiff;

use super::{Item, items, summary};

/// Renders `diff` against `base`; `all_paths` as in [`super::human::render`].
pub fn render(diff: &PermissionDiff, base: &str, all_paths: bool) -> String {
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
            if let Item::Reach(s) = item
                && (all_paths || s.capability.is_some())
            {
                let path: Vec<String> = s.path.iter().map(|f| format!("`{f}`")).collect();
                let _ = writeln!(out, "  - call path: {}", path.join(" → "));
            }
        }
        for item in &removed {
            let _ = writeln!(out, "- dropped: {}", item.describe());
        }
        if added.is_empty() && removed.is_empty() {
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
