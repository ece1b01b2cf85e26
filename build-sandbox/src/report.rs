//! Explaining a denial: which crate, which operation, and the manifest line that allows it.
//!
//! Landlock answers a denied file access with `EACCES` and the seccomp filter a socket with
//! `ENETUNREACH`; neither tells the wrapper what was attempted. What the confined process printed
//! does: its error lines carry the error text ("Permission denied (os error 13)", "Network is
//! unreachable") and usually the path. The wrapper keeps those lines ([`Scanner`]) and, when the
//! process fails, names the operation from them ([`classify`]).

use std::path::{Path, PathBuf};

use crate::paths::under;

/// Error texts of a denial, as Rust, C libraries and tools print them.
const FILE_MARKERS: &[&str] = &["os error 13", "Permission denied", "EACCES"];
const NET_MARKERS: &[&str] = &["os error 101", "Network is unreachable", "ENETUNREACH"];

/// What was denied.
#[derive(Debug, Clone, PartialEq)]
pub enum Operation {
    /// Opening a socket.
    Network,
    /// Creating or writing below a path.
    Write(PathBuf),
    /// Reading a path.
    Read(PathBuf),
    /// A file access whose path was not printed.
    File,
}

/// Keeps the lines of a process's error output that report a denial.
#[derive(Debug, Default)]
pub struct Scanner {
    /// The denial lines, at most [`Scanner::MAX`].
    pub lines: Vec<String>,
}

impl Scanner {
    const MAX: usize = 8;

    /// Looks at one line of error output (rustc's JSON diagnostics included).
    pub fn line(&mut self, line: &str) {
        if self.lines.len() >= Self::MAX || !is_denial(line) {
            return;
        }
        let mut texts = Vec::new();
        match serde_json::from_str::<serde_json::Value>(line) {
            Ok(json) => strings(&json, &mut texts),
            Err(_) => texts.push(line.to_string()),
        }
        for text in texts {
            for l in text.lines().filter(|l| is_denial(l)) {
                // rustc's JSON carries each message twice: alone and in its rendered text.
                let l = l.trim();
                let l = ["= help: ", "= note: ", "help: ", "note: "]
                    .iter()
                    .fold(l, |l, p| l.strip_prefix(p).unwrap_or(l))
                    .to_string();
                if self.lines.len() < Self::MAX && !self.lines.contains(&l) {
                    self.lines.push(l);
                }
            }
        }
    }
}

fn is_denial(text: &str) -> bool {
    FILE_MARKERS
        .iter()
        .chain(NET_MARKERS)
        .any(|m| text.contains(m))
}

/// Every string inside a JSON value.
fn strings(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|v| strings(v, out)),
        serde_json::Value::Object(o) => o.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

/// The operation the denial lines report; `readable` are the trees the process could read,
/// `writable` those it could write (paths inside them are not the denied ones).
pub fn classify(lines: &[String], readable: &[PathBuf], writable: &[PathBuf]) -> Option<Operation> {
    if lines
        .iter()
        .any(|l| NET_MARKERS.iter().any(|m| l.contains(m)))
    {
        return Some(Operation::Network);
    }
    let line = lines
        .iter()
        .find(|l| FILE_MARKERS.iter().any(|m| l.contains(m)))?;
    let path = lines
        .iter()
        .flat_map(|l| absolute_paths(l))
        .find(|p| !under(p, writable));
    let Some(path) = path else {
        return Some(Operation::File);
    };
    let lower = line.to_lowercase();
    let says = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    let write = if says(&[
        "write", "creat", "remove", "rename", "copy", "mkdir", "save",
    ]) {
        true
    } else if says(&["read", "list", "open dir", "scan"]) {
        false
    } else {
        // Opening a missing file fails with "not found" unless it is being created; a denied
        // path that can be read must have been written.
        !path.exists() || under(&path, readable)
    };
    Some(if write {
        Operation::Write(path)
    } else {
        Operation::Read(path)
    })
}

/// Absolute paths in a line of text.
fn absolute_paths(line: &str) -> Vec<PathBuf> {
    line.split(|c: char| c.is_whitespace() || "'\"`(),;[]{}<>".contains(c))
        .map(|t| t.trim_end_matches([':', '.']))
        .filter(|t| t.starts_with('/'))
        .map(PathBuf::from)
        .collect()
}

/// The manifest line that allows `op`.
fn allow_line(op: &Operation) -> String {
    let quoted = |p: &Path| format!("{:?}", p.display().to_string());
    match op {
        Operation::Network => "network = true".to_string(),
        Operation::Write(p) => {
            let dir = if p.is_dir() {
                p
            } else {
                p.parent().unwrap_or(p)
            };
            format!("write = [{}]", quoted(dir))
        }
        Operation::Read(p) => format!("read = [{}]", quoted(p)),
        Operation::File => "write = [\"/the/directory\"]  # or read = [...]".to_string(),
    }
}

fn describe(op: &Operation) -> String {
    match op {
        Operation::Network => "a network socket".to_string(),
        Operation::Write(p) => format!("a write to `{}`", p.display()),
        Operation::Read(p) => format!("a read of `{}`", p.display()),
        Operation::File => "a file access".to_string(),
    }
}

/// Who was confined, for messages.
#[derive(Debug, Clone)]
pub struct Subject {
    /// `the build script of `foo 1.0.0``.
    pub what: String,
    /// The crate whose table allows more (`foo`).
    pub krate: String,
    /// What it may do by default, as a sentence.
    pub default: &'static str,
}

/// What a build script may do by default.
pub const SCRIPT_DEFAULT: &str = "a build script may read its package, the workspace, Cargo's registry and git checkouts, the toolchain and the system's directories, and write only its `OUT_DIR` and a temporary directory of its own; it may not open sockets";
/// What a proc macro may do by default.
pub const MACRO_DEFAULT: &str = "a proc macro may read what the compiler reads, and write only the compiler's output directories and a temporary directory of its own; it may not open sockets";

/// The error for a denial that made `subject` fail.
pub fn denied(subject: &Subject, op: &Operation, said: &[String], manifest: &Path) -> String {
    let mut text = format!(
        "error: cargo-nano's build sandbox denied {} {}\n",
        subject.what,
        describe(op)
    );
    for line in said.iter().take(3) {
        text.push_str(&format!("  = note: it said: `{line}`\n"));
    }
    text.push_str(&format!(
        "  = note: {} (docs/threat-model.md, \"Build-time confinement\")\n",
        subject.default
    ));
    text.push_str(&format!(
        "  = help: if `{krate}` needs this, allow it in `{manifest}`:\n            [workspace.metadata.nano.build.{krate}]\n            {line}\n",
        krate = subject.krate,
        manifest = manifest.display(),
        line = allow_line(op),
    ));
    text
}

/// The note for a failure without a recognisable denial.
pub fn failed_confined(subject: &Subject, manifest: &Path) -> String {
    format!(
        "note: {} ran in cargo-nano's build sandbox ({}); if it failed on a denied file or network access, allow it under `[workspace.metadata.nano.build.{}]` in `{}` (docs/threat-model.md, \"Build-time confinement\")\n",
        subject.what,
        subject.default,
        subject.krate,
        manifest.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(lines: &[&str]) -> Vec<String> {
        let mut s = Scanner::default();
        lines.iter().for_each(|l| s.line(l));
        s.lines
    }

    #[test]
    fn a_write_outside_is_named_with_its_directory() {
        let said = scan(&[
            "compiling",
            "thread 'main' panicked at build.rs:3:5:",
            "failed to write /nonexistent-dir/canary: Permission denied (os error 13)",
        ]);
        let op = classify(&said, &[], &["/t/out".into()]).unwrap();
        assert_eq!(op, Operation::Write("/nonexistent-dir/canary".into()));
        let subject = Subject {
            what: "the build script of `w 0.16.0`".into(),
            krate: "w".into(),
            default: SCRIPT_DEFAULT,
        };
        let text = denied(&subject, &op, &said, Path::new("/ws/Cargo.toml"));
        assert!(text.starts_with("error: cargo-nano's build sandbox denied the build script of `w 0.16.0` a write to `/nonexistent-dir/canary`\n"), "{text}");
        assert!(
            text.contains(
                "[workspace.metadata.nano.build.w]\n            write = [\"/nonexistent-dir\"]\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn reads_sockets_and_json_diagnostics_are_told_apart() {
        let said = scan(&["listing /: Permission denied (os error 13)"]);
        assert_eq!(classify(&said, &[], &[]), Some(Operation::Read("/".into())));
        let said = scan(&["connect: Network is unreachable (os error 101)"]);
        assert_eq!(classify(&said, &[], &[]), Some(Operation::Network));
        let json = r#"{"$message_type":"diagnostic","message":"proc macro panicked","children":[{"message":"message: touch /x/y: Permission denied (os error 13)"}]}"#;
        let said = scan(&[json]);
        assert_eq!(
            said,
            ["message: touch /x/y: Permission denied (os error 13)"]
        );
        assert_eq!(classify(&scan(&["all good"]), &[], &[]), None);
    }
}
