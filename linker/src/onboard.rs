//! `cargo nano init`: making the top package of an existing project a nano package, with
//! exactly the requests its code reaches.
//!
//! The top package is compiled and inspected like in a build; each capability its code reaches
//! becomes a request in a new `[package.metadata.nano]` table of its `Cargo.toml`, written with
//! `toml_edit` so the user's formatting and comments stay. Requests that need a value the
//! analysis cannot know — directory slot names, network endpoints, environment variable names
//! that are not constants in the code — are written as commented lines and reported as
//! decisions left to the user; when every variable is read by a constant name, `env` lists them.

use std::collections::BTreeSet;
use std::path::PathBuf;

use manifest_schema::{Clock, Stream};
use toml_edit::{DocumentMut, Item};

use crate::cargo_build::BuildContext;
use crate::inspect::{Capability, Inspection, capability_of};
use crate::pipeline::{self, BuildError, BuildOptions, Event};

/// What `init` wrote and what it leaves to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitReport {
    /// The top package.
    pub package: String,
    /// Its `Cargo.toml`, now with a `[package.metadata.nano]` table.
    pub manifest_path: PathBuf,
    /// The request lines written, e.g. `stdio = ["stdout"]`.
    pub written: Vec<String>,
    /// Requests that need a value only the user can give, each with an example call path.
    pub decisions: Vec<String>,
}

/// An error of `cargo nano init`.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// Building or inspecting the top package failed.
    #[error(transparent)]
    Build(#[from] BuildError),
    /// The top package already is a nano package.
    #[error(
        "package `{package}` already is a nano package (`[package.metadata.nano]` in `{manifest}`) (help: `cargo nano build` reports what its code reaches beyond its requests)"
    )]
    AlreadyNano {
        /// The package.
        package: String,
        /// Its manifest.
        manifest: PathBuf,
    },
    /// The code reaches an interface cargo-nano cannot grant.
    #[error(
        "package `{package}` reaches `{syscall}`, which no cargo-nano capability covers (call path: {path}); it cannot run as a nanoprocess"
    )]
    Unsupported {
        /// The package.
        package: String,
        /// The syscall.
        syscall: String,
        /// Its call path.
        path: String,
    },
    /// The manifest could not be read or written.
    #[error("failed to {action} `{path}`")]
    Io {
        /// `read` or `write`.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The manifest is not TOML that can be edited.
    #[error("failed to edit `{path}`: {message}")]
    Edit {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// Compiles and inspects the top package, then writes its requests into its `Cargo.toml`.
pub fn init(
    options: &BuildOptions,
    progress: &mut dyn FnMut(Event),
) -> Result<InitReport, InitError> {
    let (ws, graph) = pipeline::load_tree(options)?;
    let root = &graph.packages[graph.root];
    let manifest_path = root.info.manifest_path.clone();
    if root.info.manifest.is_some() {
        return Err(InitError::AlreadyNano {
            package: root.info.name.clone(),
            manifest: manifest_path,
        });
    }
    pipeline::ensure_target(progress)?;
    progress(Event::Compiling {
        package: root.info.name.clone(),
    });
    let remaps = ws.path_remaps();
    let lock = crate::target_lock::lock(&ws.target_dir, progress).map_err(BuildError::from)?;
    let views = crate::interface_view::plan(&graph, &ws.target_dir)
        .map_err(|e| BuildError::Cargo(e.into()))?;
    let ctx = BuildContext {
        workspace: &ws,
        graph: &graph,
        remaps: &remaps,
        flags: &options.flags,
        views: &views,
    };
    let (report, _) = pipeline::build_one(&ctx, root)?;
    drop(lock);
    let requests = Requests::from_inspection(&root.info.name, &report.inspection)?;
    write_manifest(&manifest_path, &requests)?;
    Ok(InitReport {
        package: root.info.name.clone(),
        manifest_path,
        written: requests.lines(),
        decisions: requests.decisions.iter().map(|d| d.text.clone()).collect(),
    })
}

/// The requests derived from what a package reaches.
#[derive(Debug, Default)]
struct Requests {
    env: BTreeSet<String>,
    stdio: BTreeSet<Stream>,
    clocks: BTreeSet<Clock>,
    random: bool,
    args: bool,
    decisions: Vec<Decision>,
}

/// A request only the user can complete.
#[derive(Debug)]
struct Decision {
    /// The commented example line.
    example: String,
    /// What to decide, with a call path.
    text: String,
}

impl Requests {
    fn from_inspection(package: &str, inspection: &Inspection) -> Result<Self, InitError> {
        let mut out = Requests::default();
        for cap in inspection.capabilities() {
            let path = example_path(inspection, cap);
            match cap {
                Capability::Stdin => _ = out.stdio.insert(Stream::Stdin),
                Capability::Stdout => _ = out.stdio.insert(Stream::Stdout),
                Capability::Stderr => _ = out.stdio.insert(Stream::Stderr),
                Capability::WallClock => _ = out.clocks.insert(Clock::Wall),
                Capability::MonotonicClock => _ = out.clocks.insert(Clock::Monotonic),
                Capability::Random => out.random = true,
                Capability::Args => out.args = true,
                Capability::Env => out.env_from(inspection, &path),
                Capability::Dirs => out.decide(
                    "dirs = { data = \"read-only\" }",
                    format!("the code opens files ({path}): name a directory slot for each directory it uses in `dirs`, and open paths under it (`data/…`)"),
                ),
                Capability::Network => out.decide(
                    "network = [\"example.com:443\"]",
                    format!("the code uses the network ({path}): list the endpoints it connects to in `network`"),
                ),
                Capability::Unknown => {
                    let (syscall, reach) = inspection
                        .syscalls
                        .iter()
                        .find(|(s, _)| capability_of(s) == Some(Capability::Unknown))
                        .map(|(s, r)| (s.to_string(), r.path.join(" -> ")))
                        .unwrap_or_default();
                    return Err(InitError::Unsupported {
                        package: package.to_string(),
                        syscall,
                        path: reach,
                    });
                }
            }
        }
        Ok(out)
    }

    fn decide(&mut self, example: &str, text: String) {
        let example = example.to_string();
        self.decisions.push(Decision { example, text });
    }

    /// `env`: the names when the analysis sees every one, else a decision naming those it sees.
    fn env_from(&mut self, inspection: &Inspection, path: &str) {
        let env = &inspection.env;
        let names: Vec<&str> = env.all_names().into_iter().collect();
        if !names.is_empty() && env.all_named() {
            self.env = names.iter().map(|n| n.to_string()).collect();
            return;
        }
        let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
        let (seen, mut example) = match quoted.is_empty() {
            true => (String::new(), Vec::new()),
            false => (
                format!("; it reads {} by name", quoted.join(", ")),
                names.iter().map(|n| format!("\"{n}\"")).collect(),
            ),
        };
        example.push("\"NAME\"".into());
        let unseen = env
            .unnamed
            .values()
            .next()
            .map_or(path.to_string(), |p| format!("`{}`", p.join(" -> ")));
        self.decide(
            &format!("env = [{}]", example.join(", ")),
            format!("the code reads environment variables whose names the analysis cannot see ({unseen}){seen}: list the names it needs in `env`"),
        );
    }

    /// The request lines as written.
    fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        fn list<T: std::fmt::Display>(items: &BTreeSet<T>) -> String {
            let quoted: Vec<String> = items.iter().map(|i| format!("\"{i}\"")).collect();
            format!("[{}]", quoted.join(", "))
        }
        if !self.env.is_empty() {
            out.push(format!("env = {}", list(&self.env)));
        }
        if !self.stdio.is_empty() {
            out.push(format!("stdio = {}", list(&self.stdio)));
        }
        if !self.clocks.is_empty() {
            out.push(format!("clocks = {}", list(&self.clocks)));
        }
        if self.random {
            out.push("random = true".into());
        }
        if self.args {
            out.push("args = true".into());
        }
        out
    }

    /// The `[package.metadata.nano]` section, as appended to the manifest.
    fn section(&self) -> String {
        let mut out = format!(
            "[package.metadata.nano]\nformat = {}\n\n# Written by `cargo nano init` from what the code reaches; absent keys are denied.\n[package.metadata.nano.requests]\n",
            manifest_schema::FORMAT_VERSION
        );
        for line in self.lines() {
            out.push_str(&line);
            out.push('\n');
        }
        for d in &self.decisions {
            out.push_str(&format!("# To decide: {}\n# {}\n", d.text, d.example));
        }
        out
    }
}

/// The call path of the first syscall needing `cap`, preferring direct calls.
fn example_path(inspection: &Inspection, cap: Capability) -> String {
    let mut reaches: Vec<_> = inspection
        .syscalls
        .iter()
        .filter(|(s, _)| capability_of(s) == Some(cap))
        .map(|(_, r)| r)
        .collect();
    reaches.sort_by_key(|r| (r.indirect, r.path.len()));
    reaches
        .first()
        .map(|r| format!("`{}`", r.path.join(" -> ")))
        .unwrap_or_default()
}

/// Appends `[package.metadata.nano]` with `requests` to the manifest at `path`, leaving the rest
/// of the file byte for byte as it was. The result is parsed again before it is written.
fn write_manifest(path: &PathBuf, requests: &Requests) -> Result<(), InitError> {
    let text = std::fs::read_to_string(path).map_err(|source| InitError::Io {
        action: "read",
        path: path.clone(),
        source,
    })?;
    let edit_error = |message: String| InitError::Edit {
        path: path.clone(),
        message,
    };
    let doc: DocumentMut = text.parse().map_err(|e| edit_error(format!("{e}")))?;
    let package = doc
        .get("package")
        .and_then(Item::as_table)
        .ok_or_else(|| edit_error("it has no `[package]` table".into()))?;
    if package
        .get("metadata")
        .and_then(|m| m.get("nano"))
        .is_some()
    {
        return Err(edit_error(
            "it already has `[package.metadata.nano]`".into(),
        ));
    }
    let mut out = text.clone();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&requests.section());
    out.parse::<DocumentMut>().map_err(|e| {
        edit_error(format!(
            "appending `[package.metadata.nano]` would make it invalid ({e}); add the table by hand:\n{}",
            requests.section()
        ))
    })?;
    crate::pipeline::write_atomic(path, out.as_bytes()).map_err(|source| InitError::Io {
        action: "write",
        path: path.clone(),
        source,
    })
}

#[cfg(test)]
#[path = "onboard_tests.rs"]
mod tests;
