//! Whether a package's code reaches only what its manifest requests.

use std::collections::BTreeSet;
use std::path::Path;

use manifest_schema::Capabilities;

use super::{Place, REQUESTS, Subject, Violation};
use crate::inspect::{Capability, CrateReach, EnvReads, Inspection};

/// Checks that every system call a package's code reaches belongs to a capability its manifest
/// requests. Returns one violation per capability, naming the first syscall that needs it.
pub fn check_syscalls(
    package: &str,
    manifest_path: &Path,
    requests: &Capabilities,
    inspection: &Inspection,
) -> Vec<Violation> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (syscall, reach) in &inspection.syscalls {
        let Some(cap) = crate::inspect::capability_of(syscall) else {
            continue;
        };
        if is_requested(&cap, requests) || !seen.insert(cap.to_string()) {
            continue;
        }
        let mut notes = vec![format!("call path: {}", reach.path.join(" -> "))];
        if reach.indirect {
            notes.push("the path goes through an indirect call, resolved conservatively".into());
        }
        let mut what = format!("capability `{cap}`");
        if cap == Capability::Env {
            what.push_str(&env_reads(&inspection.env));
            if let Some(path) = inspection.env.unnamed.values().next() {
                notes.push(format!(
                    "a variable whose name the analysis cannot see (not a constant at the call): {}",
                    path.join(" -> ")
                ));
            }
        }
        out.push(Violation {
            package: package.to_string(),
            manifest_path: manifest_path.to_path_buf(),
            message: format!(
                "package `{package}` reaches `{syscall}` ({what}) but its manifest does not request it"
            ),
            notes,
            help: request_help(&cap, &inspection.env),
            subject: reach_subject(&cap, reach, inspection),
            // `clocks monotonic`: the manifest's key is the first word.
            place: Place::of(REQUESTS, cap_key(&cap), None),
            requested: None,
        });
    }
    out
}

/// The key of `cap` in a manifest's requests: `clocks` for `clocks monotonic`.
fn cap_key(cap: &Capability) -> &'static str {
    match cap {
        Capability::Dirs => "dirs",
        Capability::Env => "env",
        Capability::Args => "args",
        Capability::Stdin | Capability::Stdout | Capability::Stderr => "stdio",
        Capability::WallClock | Capability::MonotonicClock => "clocks",
        Capability::Random => "random",
        Capability::Network => "network",
        Capability::Unknown => "unknown",
    }
}

/// The crates of `inspection` that reach `cap`, one example path each, for findings.
fn reach_subject(
    cap: &Capability,
    reach: &crate::inspect::Reach,
    inspection: &Inspection,
) -> Subject {
    let mut crates: Vec<CrateReach> = Vec::new();
    for r in &inspection.crates {
        let same = crate::inspect::capability_of(&r.syscall).as_ref() == Some(cap);
        if same && !crates.iter().any(|c| c.krate == r.krate) {
            crates.push(r.clone());
        }
    }
    let env = match cap {
        Capability::Env => inspection.env.names.clone(),
        _ => Default::default(),
    };
    Subject::Reach {
        capability: cap.to_string(),
        path: reach.path.clone(),
        indirect: reach.indirect,
        crates,
        env,
    }
}

fn is_requested(cap: &Capability, r: &Capabilities) -> bool {
    use manifest_schema::{Clock, Stream};
    match cap {
        Capability::Dirs => !r.dirs.is_empty(),
        Capability::Env => !r.env.is_empty(),
        Capability::Args => r.args,
        Capability::Stdin => r.stdio.contains(&Stream::Stdin),
        Capability::Stdout => r.stdio.contains(&Stream::Stdout),
        Capability::Stderr => r.stdio.contains(&Stream::Stderr),
        Capability::WallClock => r.clocks.contains(&Clock::Wall),
        Capability::MonotonicClock => r.clocks.contains(&Clock::Monotonic),
        Capability::Random => r.random,
        Capability::Network => !r.network.is_empty(),
        Capability::Unknown => false,
    }
}

/// `, reads `NO_COLOR`, `TERM``: the variables the code reads, as far as the analysis sees them.
fn env_reads(env: &EnvReads) -> String {
    let names: Vec<String> = env.all_names().iter().map(|n| format!("`{n}`")).collect();
    match (names.is_empty(), env.all_named()) {
        (false, true) => format!(", reads {}", names.join(", ")),
        (false, false) => format!(
            ", reads {} and variables whose names the analysis cannot see",
            names.join(", ")
        ),
        (true, _) => ", reads variables whose names the analysis cannot see".to_string(),
    }
}

fn request_help(cap: &Capability, env: &EnvReads) -> String {
    let env_line;
    let line = match cap {
        Capability::Dirs => "dirs = { SLOT = \"read-only\" }",
        Capability::Env => {
            let mut names: Vec<String> =
                env.all_names().iter().map(|n| format!("\"{n}\"")).collect();
            if names.is_empty() || !env.all_named() {
                names.push("\"NAME\"".to_string());
            }
            env_line = format!("env = [{}]", names.join(", "));
            env_line.as_str()
        }
        Capability::Args => "args = true",
        Capability::Stdin => "stdio = [\"stdin\"]",
        Capability::Stdout => "stdio = [\"stdout\"]",
        Capability::Stderr => "stdio = [\"stderr\"]",
        Capability::WallClock => "clocks = [\"wall\"]",
        Capability::MonotonicClock => "clocks = [\"monotonic\"]",
        Capability::Random => "random = true",
        Capability::Network => "network = [\"HOST:PORT\"]",
        Capability::Unknown => {
            return "this interface is not supported by cargo-nano; the package cannot run as a nanoprocess".into();
        }
    };
    format!(
        "if the package needs it, add `{line}` to `[package.metadata.nano.requests]`; otherwise remove the code that reaches it"
    )
}
