//! The diff as SARIF 2.1.0 for code scanning, and as GitHub Actions workflow commands.
//!
//! Each gained permission is an `error` result of one of three rules (a new request, a new
//! grant received, a crate newly reaching a capability); each lost one is a `note`. Results
//! point at the `Cargo.toml` to review: the package's own for requests and reaches, the parent's
//! for grants. Crate versions and capability-free interfaces are not permissions: they are not
//! results.

use std::fmt::Write as _;

use linker::diff::PermissionDiff;
use serde_json::{Value, json};

use super::{Item, Places, call_path, items};
use linker::diff::PackageDiff;

/// The rules: id, short description, help.
const RULES: [(&str, &str, &str); 4] = [
    (
        "nano/new-request",
        "A nano package requests a capability that Nano.lock does not record",
        "Review the package's new request; accept it with `cargo nano lock --update`.",
    ),
    (
        "nano/new-grant",
        "A nanoprocess receives a capability from its parent that Nano.lock does not record",
        "Review the grant; accept it with `cargo nano lock --update`.",
    ),
    (
        "nano/new-reach",
        "A crate inside a nano package reaches a capability, or reads an environment variable, that Nano.lock does not record for it",
        "Review the crate, its new version and the call path; accept it with `cargo nano lock --update`.",
    ),
    (
        "nano/dropped-permission",
        "A nano package requests, receives or reaches less than Nano.lock records",
        "Nothing to do: run `cargo nano lock` to record the smaller set.",
    ),
];

fn rule_index(item: &Item<'_>, added: bool) -> usize {
    match (added, item) {
        (false, _) => 3,
        (true, Item::Request(_)) => 0,
        (true, Item::Receive(..)) => 1,
        (true, Item::Reach(..) | Item::Env(..)) => 2,
    }
}

fn message(title: &str, item: &Item<'_>, added: bool, base: &str) -> String {
    let mut text = match (added, item) {
        (true, _) => format!(
            "{title}: {}, which `{base}` does not record",
            item.describe()
        ),
        // "crate `x` no longer reaches …" says it already.
        (false, Item::Reach(..) | Item::Env(..)) => {
            format!("{title}: {} (recorded in `{base}`)", item.describe())
        }
        (false, _) => format!(
            "{title}: no longer {} (recorded in `{base}`)",
            item.describe()
        ),
    };
    if let (true, Item::Reach(_, reach, _)) = (added, item)
        && !reach.path.is_empty()
    {
        let _ = write!(text, "; call path: {}", call_path(&reach.path));
    }
    text
}

/// Renders `diff` against `base` as a SARIF log.
pub fn render(diff: &PermissionDiff, base: &str, places: &Places) -> String {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|(id, short, help)| {
            json!({
                "id": id,
                "shortDescription": { "text": short },
                "help": { "text": help },
            })
        })
        .collect();
    let mut results = Vec::new();
    for p in &diff.packages {
        let title = p.title();
        for (item, is_added) in &findings(p) {
            let is_added = *is_added;
            let index = rule_index(item, is_added);
            let (uri, line) = places.of(&p.name, item);
            results.push(json!({
                "ruleId": RULES[index].0,
                "ruleIndex": index,
                "level": if is_added { "error" } else { "note" },
                "message": { "text": message(&title, item, is_added, base) },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri, "uriBaseId": "%SRCROOT%" },
                        "region": { "startLine": line },
                    }
                }],
                "partialFingerprints": {
                    "nanoPermission/v1": format!("{}:{}", p.name, item.key()),
                },
            }));
        }
    }
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "cargo-nano",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

/// GitHub Actions workflow commands: an `::error` per gained permission, a `::notice` per lost
/// one, each on the file and line to review.
pub fn github_annotations(diff: &PermissionDiff, base: &str, places: &Places) -> String {
    let mut out = String::new();
    for p in &diff.packages {
        let title = p.title();
        for (item, is_added) in &findings(p) {
            let is_added = *is_added;
            let (file, line) = places.of(&p.name, item);
            let (level, heading) = if is_added {
                ("error", "permission grew")
            } else {
                ("notice", "permission dropped")
            };
            let _ = writeln!(
                out,
                "::{level} file={},line={line},title={}::{}",
                escape_property(&file),
                escape_property(&format!("{heading}: {}", p.name)),
                escape_data(&message(&title, item, is_added, base)),
            );
        }
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

/// Every finding of a package with whether it is growth: the added ones, then the removed ones.
fn findings(p: &PackageDiff) -> Vec<(Item<'_>, bool)> {
    let (added, removed) = items(p);
    let added = added.into_iter().map(|i| (i, true));
    added
        .chain(removed.into_iter().map(|i| (i, false)))
        .collect()
}
