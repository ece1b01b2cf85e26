//! The diff for people: one block per changed package, `+` for what it gained (each crate that
//! now reaches a capability with its versions and an example call path), `-` for what it lost,
//! `~` for what changed without being a permission (crate versions, capability-free
//! interfaces), and a verdict.
//!
//! Crates whose version alone changed are summed up in one line; `each` (`-v`) lists them one
//! per line. Policy violations are printed by the build itself (`crate::output`).

use std::fmt::Write as _;

use anstream::ColorChoice;
use anstyle::{AnsiColor, Style};
use linker::diff::PermissionDiff;
use linker::findings::{self, Kind};

use super::{Places, Report, call_path, notes};

/// Whether stdout gets colors: a terminal, and neither `NO_COLOR` nor `CLICOLOR=0` set
/// (anstream's rules).
pub fn color_stdout() -> bool {
    anstream::AutoStream::choice(&std::io::stdout()) != ColorChoice::Never
}

/// Whether stderr gets colors, by the same rules as [`color_stdout`].
pub fn color_stderr() -> bool {
    anstream::AutoStream::choice(&std::io::stderr()) != ColorChoice::Never
}

/// Paints `text` with `style` when `on`.
fn paint(on: bool, style: Style, text: &str) -> String {
    if on {
        format!("{style}{text}{style:#}")
    } else {
        text.to_string()
    }
}

/// Renders `diff` against `base`; `color` adds colors, `each` lists each crate whose version
/// alone changed on its own line.
pub fn render(diff: &PermissionDiff, base: &str, color: bool, each: bool) -> String {
    // Only messages are shown here: no manifest is read for locations.
    let list = findings::of_diff(diff, &findings::Sources::default());
    let places = Places {
        root: Default::default(),
    };
    let report = Report {
        diff: Some((base, diff)),
        findings: &list,
        places: &places,
        each,
    };
    render_colored(diff, &report, base, color)
}

/// Renders the diff of `report` for stdout.
pub fn render_report(diff: &PermissionDiff, report: &Report<'_>, base: &str) -> String {
    render_colored(diff, report, base, color_stdout())
}

fn render_colored(diff: &PermissionDiff, report: &Report<'_>, base: &str, color: bool) -> String {
    let bold = Style::new().bold();
    let red = AnsiColor::Red.on_default();
    let green = AnsiColor::Green.on_default();
    let dim = Style::new().dimmed();
    let mut out = String::new();
    for p in &diff.packages {
        let _ = writeln!(out, "{}", paint(color, bold, &p.title()));
        let mine: Vec<_> = report.of_package(p).collect();
        for f in mine.iter().filter(|f| f.kind != Kind::Dropped) {
            let line = format!("+ {}", f.message);
            let _ = writeln!(out, "  {}", paint(color, red, &line));
            if !f.path.is_empty() {
                let path = format!("call path: {}", call_path(&f.path));
                let _ = writeln!(out, "      {}", paint(color, dim, &path));
            }
        }
        for f in mine.iter().filter(|f| f.kind == Kind::Dropped) {
            let line = format!("- {}", f.message);
            let _ = writeln!(out, "  {}", paint(color, green, &line));
        }
        let notes = notes(p, report.each);
        for note in &notes {
            let _ = writeln!(out, "  ~ {note}");
        }
        if mine.is_empty() && notes.is_empty() {
            let _ = writeln!(out, "  same permissions");
        }
        let _ = writeln!(out);
    }
    let verdict = super::summary(diff, base);
    let verdict = if diff.grew() {
        paint(color, bold.fg_color(Some(AnsiColor::Red.into())), &verdict)
    } else {
        verdict
    };
    let _ = writeln!(out, "{verdict}");
    out
}
