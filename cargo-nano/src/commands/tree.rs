//! `cargo nano tree`: the nano tree with what each package requests, is granted and holds.

use std::fmt::Write as _;

use clap::Args;
use linker::graph::NanoGraph;
use linker::pipeline;
use linker::policy;
use manifest_schema::plan::Holdings;
use manifest_schema::{Access, Capabilities, Grant};

use super::build::ProjectArgs;
use crate::output;

/// Show the nano tree, cargo-tree style, with each package's capabilities and grants (from the
/// manifests; nothing is built).
#[derive(Args, Debug)]
pub struct TreeCommand {
    #[command(flatten)]
    project: ProjectArgs,
}

impl TreeCommand {
    /// Runs the command.
    pub fn exec(self) -> u8 {
        let options = match self.project.options() {
            Ok(o) => o,
            Err(code) => return code,
        };
        let result = pipeline::load(&options).and_then(|(_, graph)| {
            let holdings = policy::resolve_holdings(&graph)?;
            Ok(render(&graph, &holdings))
        });
        match result {
            Ok(text) => {
                print!("{text}");
                0
            }
            Err(e) => output::report_build_error(&e),
        }
    }
}

/// The tree: one entry per instance (nanoprocess), children under their parent.
pub fn render(graph: &NanoGraph, holdings: &[Holdings]) -> String {
    let mut out = String::new();
    entry(graph, holdings, 0, "", "", &mut out);
    out
}

fn entry(
    graph: &NanoGraph,
    holdings: &[Holdings],
    index: usize,
    first: &str,
    rest: &str,
    out: &mut String,
) {
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
    for (i, &child) in children.iter().enumerate() {
        let last = i + 1 == children.len();
        let (head, tail) = if last {
            ("└── ", "    ")
        } else {
            ("├── ", "│   ")
        };
        entry(
            graph,
            holdings,
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
