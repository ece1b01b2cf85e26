//! `cargo nano tree`: the nano tree with what each package requests, is granted and holds, and
//! with `--reaches` what the crates inside each package reach.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use clap::{Args, ValueEnum};
use linker::graph::NanoGraph;
use linker::pipeline;
use linker::policy;
use manifest_schema::lockfile::{LockedCrate, LockedPackage, LockedPath, NanoLock};
use manifest_schema::plan::Holdings;
use manifest_schema::{Access, Capabilities, Grant};
use serde::Serialize;
use serde_json::json;

use super::build::{ProjectArgs, Stopped};
use crate::message::{self, MessageFormat};
use crate::output;

/// Show the nano tree, cargo-tree style, with each package's capabilities and grants (from the
/// manifests; nothing is built unless `--reaches` is given).
#[derive(Args, Debug)]
pub struct TreeCommand {
    #[command(flatten)]
    project: ProjectArgs,
    /// Also show what each package reaches, per crate (with its version): this builds and
    /// inspects every nano package, like `cargo nano build`, but writes no `Nano.lock`.
    #[arg(long)]
    reaches: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: TreeFormat,
    /// `json`: one JSON object per line on stdout for each event: with `--reaches` the build's
    /// (as for `cargo nano build --message-format json`), then `nano-tree` holding the
    /// `--format json` document, then `build-finished`.
    #[arg(long, value_enum, default_value = "human", conflicts_with = "format")]
    message_format: MessageFormat,
}

/// An output format of `cargo nano tree`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TreeFormat {
    /// cargo-tree style.
    Human,
    /// One JSON object (format 1, documented in `docs/lockfile.md`).
    Json,
}

impl TreeCommand {
    /// Runs the command.
    pub fn exec(self) -> u8 {
        let code = self.tree();
        if self.message_format == MessageFormat::Json {
            message::finished(code == 0);
        }
        code
    }

    fn tree(&self) -> u8 {
        let json = self.message_format == MessageFormat::Json;
        let options = match self.project.options() {
            Ok(o) => o,
            Err(code) => return code,
        };
        let reaches = if self.reaches {
            match self.project.try_build_with(self.message_format) {
                Ok(report) => Some(linker::lock::from_report(&report)),
                Err(Stopped::Code(code)) => return code,
                Err(Stopped::Policy(_)) => return output::EXIT_POLICY,
            }
        } else {
            None
        };
        let result = pipeline::load(&options).and_then(|(_, graph)| {
            let holdings = policy::resolve_holdings(&graph)?;
            Ok(match self.format {
                _ if json => render_json(&graph, &holdings, reaches.as_ref()),
                TreeFormat::Human => render(&graph, &holdings, reaches.as_ref()),
                TreeFormat::Json => render_json(&graph, &holdings, reaches.as_ref()),
            })
        });
        match result {
            Ok(text) if json => {
                let tree: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
                message::emit("nano-tree", json!({ "tree": tree }));
                0
            }
            Ok(text) => {
                print!("{text}");
                0
            }
            Err(e) => output::report_build_error(&e),
        }
    }
}

/// The tree: one entry per instance (nanoprocess), children under their parent; with `reaches`
/// (the lock of a build of the tree), what each package's crates reach.
pub fn render(graph: &NanoGraph, holdings: &[Holdings], reaches: Option<&NanoLock>) -> String {
    let mut out = String::new();
    let view = View {
        graph,
        holdings,
        reaches,
    };
    entry(&view, 0, "", "", &mut out);
    out
}

/// One nanoprocess in `cargo nano tree --format json`.
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct JsonInstance<'a> {
    id: &'a str,
    name: &'a str,
    package: &'a str,
    version: String,
    source: Option<&'a str>,
    parent: Option<&'a str>,
    requests: &'a Capabilities,
    granted: Option<&'a Grant>,
    holds: &'a Holdings,
    /// With `--reaches`: the package's lock entry's crates, example paths and capability-free
    /// interfaces.
    #[serde(skip_serializing_if = "Option::is_none")]
    crates: Option<&'a BTreeMap<String, LockedCrate>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    paths: Option<&'a [LockedPath]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    capability_free: Option<&'a BTreeSet<String>>,
}

/// The tree as JSON: every instance in tree order, with its parent's instance path.
pub fn render_json(graph: &NanoGraph, holdings: &[Holdings], reaches: Option<&NanoLock>) -> String {
    let instances: Vec<JsonInstance<'_>> = graph
        .instances
        .iter()
        .enumerate()
        .map(|(index, inst)| {
            let pkg = &graph.packages[inst.package];
            let parent = inst.parent.map(|p| &graph.instances[p]);
            let grant =
                parent.and_then(|p| graph.packages[p.package].manifest.grants.get(&inst.name));
            let locked = reaches.and_then(|l| locked(l, graph, inst.package));
            JsonInstance {
                id: &inst.id,
                name: &inst.name,
                package: &pkg.info.name,
                version: pkg.info.version.to_string(),
                source: pkg.info.source.as_deref(),
                parent: parent.map(|p| p.id.as_str()),
                requests: &pkg.manifest.requests,
                granted: grant,
                holds: &holdings[index],
                crates: locked.map(|l| &l.crates),
                paths: locked.map(|l| l.paths.as_slice()),
                capability_free: locked.map(|l| &l.capability_free),
            }
        })
        .collect();
    let doc = json!({ "format": 1, "instances": instances });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// The lock entry of the package `index` of `graph`.
fn locked<'a>(lock: &'a NanoLock, graph: &NanoGraph, index: usize) -> Option<&'a LockedPackage> {
    let info = &graph.packages[index].info;
    let version = info.version.to_string();
    lock.packages
        .iter()
        .find(|p| p.name == info.name && p.version == version && p.source == info.source)
}

/// What the tree is drawn from.
struct View<'a> {
    graph: &'a NanoGraph,
    holdings: &'a [Holdings],
    reaches: Option<&'a NanoLock>,
}

/// `fmtlib 0.2.0: env (NO_COLOR)`, one line per crate that reaches something; `nothing` when none
/// does.
fn reach_lines(locked: &LockedPackage) -> Vec<String> {
    let lines: Vec<String> = locked
        .crates
        .iter()
        .filter(|(_, c)| !c.reaches.is_empty())
        .map(|(name, c)| {
            let caps: Vec<String> = c
                .reaches
                .iter()
                .map(|cap| {
                    let indirect = locked
                        .paths
                        .iter()
                        .any(|p| &p.krate == name && &p.capability == cap && p.indirect);
                    // The variables read: `env (NO_COLOR, TERM)`, `env (names not seen)`.
                    let mut notes: Vec<String> = Vec::new();
                    if cap == "env" {
                        let mut names: Vec<String> = c.env.iter().cloned().collect();
                        if c.env_unnamed {
                            names.push("names not seen".into());
                        }
                        notes.extend((!names.is_empty()).then(|| names.join(", ")));
                    }
                    notes.extend(indirect.then(|| "indirect".to_string()));
                    match notes.is_empty() {
                        true => cap.clone(),
                        false => format!("{cap} ({})", notes.join("; ")),
                    }
                })
                .collect();
            let version = match c.version.join(", ") {
                v if v.is_empty() => String::new(),
                v => format!(" {v}"),
            };
            format!("{name}{version}: {}", caps.join(", "))
        })
        .collect();
    if lines.is_empty() {
        vec!["nothing".to_string()]
    } else {
        lines
    }
}

fn entry(view: &View<'_>, index: usize, first: &str, rest: &str, out: &mut String) {
    let (graph, holdings) = (view.graph, view.holdings);
    let inst = &graph.instances[index];
    let pkg = &graph.packages[inst.package];
    let renamed = if inst.name == pkg.info.name {
        String::new()
    } else {
        format!(" (as `{}`)", inst.name)
    };
    let _ = writeln!(
        out,
        "{first}{} {}{renamed}",
        pkg.info.name, pkg.info.version
    );
    let children: Vec<usize> = (0..graph.instances.len())
        .filter(|&c| graph.instances[c].parent == Some(index))
        .collect();
    let bar = if children.is_empty() {
        "    "
    } else {
        "│   "
    };
    let mut line = |label: &str, value: String| {
        let _ = writeln!(out, "{rest}{bar}{label:<9} {value}");
    };
    line("requests:", capabilities(&pkg.manifest.requests));
    if let Some(parent) = inst.parent {
        let parent_pkg = &graph.packages[graph.instances[parent].package];
        let grant = parent_pkg.manifest.grants.get(&inst.name);
        line(
            "granted:",
            grant.map_or_else(|| "nothing".to_string(), self::grant),
        );
        line("holds:", output::holdings(&holdings[index]));
    }
    if let Some(locked) = view.reaches.and_then(|l| locked(l, graph, inst.package)) {
        for (i, reach) in reach_lines(locked).into_iter().enumerate() {
            line(if i == 0 { "reaches:" } else { "" }, reach);
        }
    }
    for (i, &child) in children.iter().enumerate() {
        let last = i + 1 == children.len();
        let (head, tail) = if last {
            ("└── ", "    ")
        } else {
            ("├── ", "│   ")
        };
        entry(
            view,
            child,
            &format!("{rest}{head}"),
            &format!("{rest}{tail}"),
            out,
        );
    }
}

/// Requests in the one-line style of the capability table.
fn capabilities(c: &Capabilities) -> String {
    output::holdings(&linker::policy::requested_holdings(c))
}

/// A grant in the same style; a directory without `access` shows `slot=from/path`.
fn grant(g: &Grant) -> String {
    let mut parts = Vec::new();
    if !g.dirs.is_empty() {
        let dirs: Vec<String> = g
            .dirs
            .iter()
            .map(|(slot, d)| {
                let access = match d.access {
                    Some(Access::ReadOnly) => "(ro)",
                    Some(Access::ReadWrite) => "(rw)",
                    None => "",
                };
                let path = d.path.as_ref().map(|p| format!("/{p}")).unwrap_or_default();
                format!("{slot}{access}={}{path}", d.from)
            })
            .collect();
        parts.push(format!("dirs: {}", dirs.join(" ")));
    }
    let rest = Grant {
        dirs: Default::default(),
        ..g.clone()
    };
    let others = capabilities(&Capabilities {
        dirs: Default::default(),
        env: rest.env,
        stdio: rest.stdio,
        clocks: rest.clocks,
        random: rest.random,
        network: rest.network,
        args: rest.args,
    });
    if others != "nothing" {
        parts.push(others);
    }
    if parts.is_empty() {
        "nothing".into()
    } else {
        parts.join("; ")
    }
}
