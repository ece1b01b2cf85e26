//! Findings as a SARIF 2.1.0 log for code scanning, built with `serde-sarif`'s typed model.
//!
//! One rule per [`Kind`]; one result per finding (already grouped per package, crate and
//! capability), `error` for violations and growth and `note` for dropped permissions. A result
//! is located on the `Cargo.toml` line to review; its call path, when it has one, is its list of
//! related locations, one per frame, in order from the export to the syscall.

use std::collections::BTreeMap;

use linker::findings::{Finding, Kind};
use serde_sarif::sarif::{
    ArtifactLocation, Location, LogicalLocation, Message, MultiformatMessageString,
    PhysicalLocation, Region, ReportingDescriptor, Result as SarifResult, ResultLevel, Run, Sarif,
    Tool, ToolComponent,
};

use super::{Places, Report, call_path, sentence};

/// Where SARIF consumers find the schema of the log.
const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Renders `report` as a SARIF log, pretty JSON with a final newline.
pub fn render(report: &Report<'_>) -> String {
    let base = report.diff.map(|(base, _)| base);
    let results: Vec<SarifResult> = report
        .findings
        .iter()
        .map(|f| result(f, base, report.places))
        .collect();
    let driver = ToolComponent::builder()
        .name("cargo-nano")
        .version(env!("CARGO_PKG_VERSION"))
        .rules(Kind::ALL.iter().map(|k| rule(*k)).collect::<Vec<_>>())
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .build();
    let log = Sarif::builder()
        .schema(SCHEMA)
        .version(serde_json::Value::from("2.1.0"))
        .runs(vec![run])
        .build();
    // The model holds only strings, numbers and maps with string keys: it always serializes.
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

fn rule(kind: Kind) -> ReportingDescriptor {
    ReportingDescriptor::builder()
        .id(kind.rule())
        .short_description(text(kind.description()))
        .help(text(kind.help()))
        .build()
}

fn text(s: &str) -> MultiformatMessageString {
    MultiformatMessageString::builder().text(s).build()
}

fn result(f: &Finding, base: Option<&str>, places: &Places) -> SarifResult {
    let index = Kind::ALL.iter().position(|k| *k == f.kind).unwrap_or(0);
    let level = if f.is_error() {
        ResultLevel::Error
    } else {
        ResultLevel::Note
    };
    let mut message = sentence(f, base);
    if !f.path.is_empty() {
        message.push_str(&format!("; call path: {}", call_path(&f.path)));
    }
    if f.kind.is_violation() {
        message.push_str(&format!(" (help: {})", f.help));
    }
    let place = physical(places, &f.location.file, f.location.line);
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert("nanoFinding/v1".to_string(), f.key());
    let builder = SarifResult::builder()
        .rule_id(f.kind.rule())
        .rule_index(index as i64)
        .level(level)
        .message(Message::builder().text(message).build())
        .locations(vec![
            Location::builder().physical_location(place.clone()).build(),
        ])
        .partial_fingerprints(fingerprints);
    if f.path.is_empty() {
        return builder.build();
    }
    builder.related_locations(related(f, place)).build()
}

/// One related location per frame of the call path. Frames have no source position (the
/// component is inspected, not the sources), so each names its function as a logical location
/// and is anchored on the manifest line, which code scanning needs to show it.
fn related(f: &Finding, place: PhysicalLocation) -> Vec<Location> {
    let last = f.path.len();
    f.path
        .iter()
        .enumerate()
        .map(|(i, frame)| {
            Location::builder()
                .id((i + 1) as i64)
                .message(
                    Message::builder()
                        .text(format!("call path {}/{last}: {frame}", i + 1))
                        .build(),
                )
                .logical_locations(vec![
                    LogicalLocation::builder()
                        .fully_qualified_name(frame.as_str())
                        .kind("function")
                        .build(),
                ])
                .physical_location(place.clone())
                .build()
        })
        .collect()
}

/// A line of a file, relative to the repository root (`%SRCROOT%`) when inside it.
fn physical(places: &Places, file: &std::path::Path, line: usize) -> PhysicalLocation {
    let artifact = match places.relative(file) {
        Some(uri) => ArtifactLocation::builder()
            .uri(uri)
            .uri_base_id("%SRCROOT%")
            .build(),
        None => ArtifactLocation::builder()
            .uri(format!("file://{}", file.display()))
            .build(),
    };
    PhysicalLocation::builder()
        .artifact_location(artifact)
        .region(Region::builder().start_line(line as i64).build())
        .build()
}
