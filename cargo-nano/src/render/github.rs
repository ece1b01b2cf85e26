//! Findings as GitHub Actions workflow commands (`::error`, `::notice`), each on the
//! `Cargo.toml` line to review.
//!
//! GitHub shows at most 10 annotations of each level per step and drops the rest silently, so
//! at most [`MAX`] are written: the most important findings (violations, then new reaches,
//! requests and grants, then dropped permissions), and when there are more, one summary
//! annotation in the last place that says how many were left out and where they are.

use std::fmt::Write as _;

use linker::findings::by_importance;

use super::{Report, sentence};

/// Annotations written at most, the summary included.
pub const MAX: usize = 10;

/// Whether the process runs on GitHub Actions.
pub fn enabled() -> bool {
    std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true")
}

/// The workflow commands of `report`.
pub fn annotations(report: &Report<'_>) -> String {
    let base = report.diff.map(|(base, _)| base);
    let sorted = by_importance(report.findings);
    let shown = if sorted.len() > MAX { MAX - 1 } else { MAX };
    let mut out = String::new();
    for f in sorted.iter().take(shown) {
        let (level, heading) = match f.kind {
            k if k.is_violation() => ("error", "policy violation"),
            k if k.is_error() => ("error", "permission grew"),
            _ => ("notice", "permission dropped"),
        };
        let mut message = sentence(f, base);
        if !f.path.is_empty() {
            let _ = write!(message, "\ncall path: {}", super::call_path(&f.path));
        }
        let _ = write!(message, "\nhelp: {}", f.help);
        let _ = writeln!(
            out,
            "::{level} file={},line={},title={}::{}",
            escape_property(&report.places.shown(&f.location.file)),
            f.location.line,
            escape_property(&format!("{heading}: {}", f.package)),
            escape_data(&message),
        );
    }
    let left = sorted.len().saturating_sub(shown);
    if left > 0 {
        let errors = sorted.iter().filter(|f| f.is_error()).count();
        let level = if errors > 0 { "error" } else { "notice" };
        let _ = writeln!(
            out,
            "::{level} title={}::{}",
            escape_property("cargo-nano: more findings"),
            escape_data(&format!(
                "{} findings in all ({errors} errors); {left} more are not annotated here: see this step's log, or upload `--format sarif` to code scanning",
                sorted.len()
            )),
        );
    }
    out
}

/// Escapes a workflow command's message.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use linker::findings::{Finding, Kind, Location};

    use super::*;
    use crate::render::Places;

    fn finding(kind: Kind, capability: &str) -> Finding {
        Finding {
            kind,
            package: "notifier".into(),
            title: "notifier 1.1.0".into(),
            krate: None,
            capability: capability.into(),
            values: vec![],
            instance: None,
            message: format!("requests {capability}"),
            path: vec![],
            indirect: false,
            notes: vec![],
            help: "review it".into(),
            location: Location {
                file: "notifier/Cargo.toml".into(),
                line: 7,
            },
        }
    }

    fn annotate(findings: &[Finding]) -> Vec<String> {
        let places = Places {
            root: std::path::PathBuf::new(),
        };
        let report = Report {
            diff: None,
            findings,
            places: &places,
            each: false,
        };
        annotations(&report).lines().map(str::to_string).collect()
    }

    #[test]
    fn ten_findings_are_ten_annotations() {
        let all: Vec<Finding> = (0..10)
            .map(|i| finding(Kind::NewRequest, &format!("c{i}")))
            .collect();
        let lines = annotate(&all);
        assert_eq!(lines.len(), 10);
        assert!(
            lines
                .iter()
                .all(|l| l.starts_with("::error file=notifier/Cargo.toml,line=7,"))
        );
    }

    #[test]
    fn past_ten_the_most_important_come_first_then_one_summary() {
        let mut all: Vec<Finding> = (0..12)
            .map(|i| finding(Kind::Dropped, &format!("d{i}")))
            .collect();
        all.extend((0..3).map(|i| finding(Kind::NewGrant, &format!("g{i}"))));
        all.push(finding(Kind::UnrequestedReach, "env"));
        let lines = annotate(&all);
        assert_eq!(lines.len(), MAX);
        assert!(
            lines[0].starts_with("::error") && lines[0].contains("policy violation"),
            "{lines:?}"
        );
        assert!(
            lines[1..4].iter().all(|l| l.contains("permission grew")),
            "{lines:?}"
        );
        assert!(
            lines[4..9].iter().all(|l| l.starts_with("::notice")),
            "{lines:?}"
        );
        let summary = &lines[9];
        assert!(summary.starts_with("::error title=cargo-nano"), "{summary}");
        assert!(
            summary.contains("16 findings in all (4 errors); 7 more"),
            "{summary}"
        );
    }
}
