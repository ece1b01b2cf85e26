//! Findings as Markdown, for a pull-request comment or a job summary: summed up like the human
//! format (one line per finding, crate versions in one line per package), violations first.

use std::fmt::Write as _;

use linker::findings::{Finding, Kind};

use super::{Report, notes};

/// Renders `report`.
pub fn render(report: &Report<'_>) -> String {
    let mut out = String::new();
    match report.diff {
        Some((base, _)) => {
            let _ = writeln!(out, "### cargo-nano: permission changes since `{base}`\n");
        }
        None => {
            let _ = writeln!(out, "### cargo-nano: permissions\n");
        }
    }
    let verdict = capitalize(&report.summary());
    if report.violated() {
        let _ = writeln!(out, "**{verdict}**");
        let _ = writeln!(
            out,
            "\nEach package below reaches, requests or grants more than it may; fix the manifests or the code."
        );
        violations(&mut out, report.findings);
        return out;
    }
    if report.grew() {
        let _ = writeln!(out, "**{verdict}**");
        let _ = writeln!(
            out,
            "\nReview them, then accept them with `cargo nano lock --update`."
        );
    } else {
        let _ = writeln!(out, "{verdict}");
    }
    let Some((_, diff)) = report.diff else {
        return out;
    };
    for p in &diff.packages {
        let _ = writeln!(out, "\n#### `{}`\n", p.title());
        let mine: Vec<&Finding> = report.of_package(p).collect();
        for f in mine.iter().filter(|f| f.kind != Kind::Dropped) {
            let _ = writeln!(out, "- **new:** {}", f.message);
            path(&mut out, f);
        }
        for f in mine.iter().filter(|f| f.kind == Kind::Dropped) {
            let _ = writeln!(out, "- dropped: {}", f.message);
        }
        let notes = notes(p, report.each);
        for note in &notes {
            let _ = writeln!(out, "- changed: {note}");
        }
        if mine.is_empty() && notes.is_empty() {
            let _ = writeln!(out, "- same permissions");
        }
    }
    out
}

/// Violations per package, in the order found.
fn violations(out: &mut String, findings: &[Finding]) {
    let mut titles: Vec<&str> = Vec::new();
    for f in findings {
        if !titles.contains(&f.title.as_str()) {
            titles.push(&f.title);
        }
    }
    for title in titles {
        let _ = writeln!(out, "\n#### `{title}`\n");
        for f in findings.iter().filter(|f| f.title == title) {
            let label = match f.kind {
                Kind::UnrequestedReach => "not requested",
                Kind::UngrantedRequest => "not granted",
                _ => "grant beyond holdings",
            };
            let _ = writeln!(out, "- **{label}:** {}", f.message);
            path(out, f);
            let _ = writeln!(out, "  - help: {}", f.help);
        }
    }
}

fn path(out: &mut String, f: &Finding) {
    if !f.path.is_empty() {
        let frames: Vec<String> = f.path.iter().map(|x| format!("`{x}`")).collect();
        let _ = writeln!(out, "  - call path: {}", frames.join(" → "));
    }
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
