//! `--message-format json`: one JSON object per line on stdout for each event of a build, in
//! the style of Cargo's own messages (docs/guide.md, "Machine-readable build messages").
//!
//! | `reason` | when | fields |
//! |---|---|---|
//! | `nano-package-started` | a nano package starts compiling | `package`, `index` (1-based), `total` |
//! | `nano-package-built` | after a successful build, per package in build order | `package`, `version`, `source`, `manifest_path`, `component`, `component_sha256`, `reaches`, `fresh` |
//! | `nano-app-linked` | the composed application is written (or is the previous build's) | `component`, `plan`, `instances` (`id`, `package`, `version`, `parent`, `holds`), `fresh` |
//! | `nano-tree` | `tree`: the tree | `tree`: the document of `tree --format json` |
//! | `build-finished` | last, always | `success` |

use std::io::Write as _;

use clap::ValueEnum;
use linker::pipeline::BuildReport;
use serde::Serialize;
use serde_json::{Value, json};

/// `--message-format`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum MessageFormat {
    /// Text for people, on stderr.
    #[default]
    Human,
    /// One JSON object per line on stdout for each event; text for people stays on stderr.
    Json,
}

/// One message: `reason` first, like Cargo's, then the fields.
#[derive(Serialize)]
struct Message<'a> {
    reason: &'a str,
    #[serde(flatten)]
    fields: Value,
}

/// Prints one message on its own line of stdout, at once (a reader may be waiting for it).
/// `fields` is a JSON object.
pub fn emit(reason: &str, fields: Value) {
    let Ok(line) = serde_json::to_string(&Message { reason, fields }) else {
        return;
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// `nano-package-built` for every package, then `nano-app-linked`.
pub fn built(report: &BuildReport) {
    for pkg in &report.packages {
        emit(
            "nano-package-built",
            json!({
                "package": pkg.name,
                "version": pkg.version,
                "source": pkg.source,
                "manifest_path": pkg.manifest_path,
                "component": pkg.component,
                "component_sha256": pkg.component_sha256,
                "reaches": pkg.inspection.capabilities(),
                // Like Cargo's `fresh`: the inspection of the same component bytes was reused.
                "fresh": pkg.fresh,
            }),
        );
    }
    let instances: Vec<Value> = report
        .plan
        .instances
        .iter()
        .map(|inst| {
            let parent = inst
                .parent
                .and_then(|p| report.plan.instances.get(p))
                .map(|p| &p.id);
            json!({
                "id": inst.id,
                "package": inst.package,
                "version": inst.version,
                "parent": parent,
                "holds": inst.holds,
            })
        })
        .collect();
    emit(
        "nano-app-linked",
        json!({
            "component": report.nano_dir.join(&report.plan.component),
            "plan": report.plan_path,
            "instances": instances,
            // The previous build's plan and component, reused: nothing composition reads changed.
            "fresh": report.fresh,
        }),
    );
}

/// `build-finished`, the last message.
pub fn finished(success: bool) {
    emit("build-finished", json!({ "success": success }));
}
