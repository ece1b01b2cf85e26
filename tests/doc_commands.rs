//! The commands the README and `docs/*.md` show run as shown.
//!
//! A fenced block right after a `<!-- doc-test ... -->` comment is run:
//!
//! - a `sh` block runs each of its lines (a command, `#` comments allowed) in order; each must
//!   succeed;
//! - a `text` block is a transcript: each `$ COMMAND` line runs, and the lines after it, up to the
//!   next `$`, must appear in what it printed, in that order within each stream (a transcript
//!   interleaves stdout and stderr as a terminal shows them; the test sees them apart); `[..]` in
//!   a line matches any text.
//!
//! The comment's attributes: `cwd=DIR` (relative to the repository; `cwd=tmp`: a new empty
//! directory), `as=PATH` (the temporary directory is shown as `PATH` in the transcript),
//! `target=NAME` (Cargo's target directory is `target/fixtures/NAME`, the one the other tests
//! build that fixture in, so nothing is compiled twice) and `exit=N` (the last command's status,
//! 0 by default). Commands run in `bash`; `cd` carries over to the next command.
//!
//! `cargo nano` runs the binary under test (as Cargo would find it on `PATH`), and so does
//! `cargo run [-q] -p cargo-nano --`, so the test never builds the workspace again.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::repo;

/// One runnable block.
#[derive(Debug)]
struct Block {
    /// `README.md:28`, for messages.
    place: String,
    attrs: Vec<(String, String)>,
    lang: String,
    lines: Vec<String>,
}

impl Block {
    fn attr(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// The runnable blocks of `file`.
fn blocks(file: &Path) -> Vec<Block> {
    let text = std::fs::read_to_string(file).expect("the document is readable");
    let name = file
        .strip_prefix(repo())
        .unwrap_or(file)
        .display()
        .to_string();
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(attrs) = line
            .trim()
            .strip_prefix("<!-- doc-test")
            .and_then(|rest| rest.strip_suffix("-->"))
        else {
            continue;
        };
        let fence = lines.get(i + 1).copied().unwrap_or_default();
        let lang = fence
            .strip_prefix("```")
            .unwrap_or_else(|| panic!("{name}:{}: a doc-test comment must precede a fence", i + 1));
        let body: Vec<String> = lines[i + 2..]
            .iter()
            .take_while(|l| !l.starts_with("```"))
            .map(|l| l.to_string())
            .collect();
        out.push(Block {
            place: format!("{name}:{}", i + 2),
            attrs: attrs
                .trim()
                .trim_start_matches(':')
                .split_whitespace()
                .filter_map(|a| a.split_once('='))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            lang: lang.trim().to_string(),
            lines: body,
        });
    }
    out
}

/// A command to run and what it must print.
struct Step {
    command: String,
    expected: Vec<String>,
}

fn steps(block: &Block) -> Vec<Step> {
    match block.lang.as_str() {
        "sh" => block
            .lines
            .iter()
            .map(|l| l.trim())
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| Step {
                command: l.to_string(),
                expected: Vec::new(),
            })
            .collect(),
        "text" | "console" => {
            let mut steps: Vec<Step> = Vec::new();
            for line in &block.lines {
                match (line.strip_prefix("$ "), steps.last_mut()) {
                    (Some(command), _) => steps.push(Step {
                        command: command.to_string(),
                        expected: Vec::new(),
                    }),
                    (None, Some(step)) => step.expected.push(line.trim_end().to_string()),
                    (None, None) => panic!("{}: a transcript starts with `$ `", block.place),
                }
            }
            steps
        }
        other => panic!("{}: cannot run a `{other}` block", block.place),
    }
}

/// The command as run: `cargo nano` and `cargo run -p cargo-nano --` become the binary under test.
fn rewrite(command: &str) -> String {
    command
        .replace("cargo run -q -p cargo-nano --", "\"$CARGO_NANO\"")
        .replace("cargo run -p cargo-nano --", "\"$CARGO_NANO\"")
        .replace("cargo nano ", "\"$CARGO_NANO\" nano ")
}

/// Whether `streams` hold the `expected` lines, each found after the previous line found in the
/// same stream (`[..]` matches any text).
fn contains_in_order(streams: &[&str], expected: &[String]) -> Result<(), String> {
    let lines: Vec<Vec<&str>> = streams.iter().map(|s| s.lines().collect()).collect();
    let mut next = vec![0; lines.len()];
    for want in expected.iter().filter(|w| !w.is_empty()) {
        let found = lines.iter().enumerate().find_map(|(i, stream)| {
            stream[next[i]..]
                .iter()
                .position(|got| line_matches(got.trim_end(), want))
                .map(|at| (i, next[i] + at + 1))
        });
        match found {
            Some((i, after)) => next[i] = after,
            None => return Err(format!("missing (in this order): `{want}`")),
        }
    }
    Ok(())
}

fn line_matches(got: &str, want: &str) -> bool {
    let mut parts = want.split("[..]");
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = got.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    for (i, part) in parts.iter().enumerate() {
        if i + 1 == parts.len() {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.is_empty()
}

fn run_block(block: &Block) {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let mut cwd: PathBuf = match block.attr("cwd") {
        Some("tmp") => tmp.path().to_path_buf(),
        Some(dir) => repo().join(dir),
        None => repo(),
    };
    let steps = steps(block);
    assert!(!steps.is_empty(), "{}: nothing to run", block.place);
    let pwd_file = tmp.path().join(".doc-test-pwd");
    for (i, step) in steps.iter().enumerate() {
        let script = format!(
            "{}\nstatus=$?\npwd > {:?}\nexit $status",
            rewrite(&step.command),
            pwd_file
        );
        let mut cmd = Command::new("bash");
        cmd.arg("-c")
            .arg(script)
            .current_dir(&cwd)
            .env("CARGO_NANO", env!("CARGO_BIN_EXE_cargo-nano"))
            .env_remove("CARGO_NANO_LOG");
        // As a reader would run it: Cargo's own target directory unless the block names one
        // (whatever the test run itself was given).
        match block.attr("target") {
            Some(target) => cmd.env(
                "CARGO_TARGET_DIR",
                repo().join("target").join("fixtures").join(target),
            ),
            None => cmd.env_remove("CARGO_TARGET_DIR"),
        };
        let out = cmd.output().expect("bash runs");
        let shown = |bytes: &[u8]| {
            let text = String::from_utf8_lossy(bytes).into_owned();
            match block.attr("as") {
                Some(shown) => text.replace(&tmp.path().display().to_string(), shown),
                None => text,
            }
        };
        let (stdout, stderr) = (shown(&out.stdout), shown(&out.stderr));
        let printed = format!("--- stdout\n{stdout}--- stderr\n{stderr}");
        let last = i + 1 == steps.len();
        let want = if last {
            block.attr("exit").map_or(0, |s| s.parse().expect("exit=N"))
        } else {
            0
        };
        let context = || format!("{}: `{}`\n{printed}", block.place, step.command);
        assert_eq!(out.status.code(), Some(want), "{}", context());
        if let Err(e) = contains_in_order(&[&stdout, &stderr], &step.expected) {
            panic!("{}: {e}\n--- printed:\n{printed}", block.place);
        }
        if let Ok(dir) = std::fs::read_to_string(&pwd_file) {
            cwd = PathBuf::from(dir.trim_end());
        }
    }
}

fn documents() -> Vec<PathBuf> {
    let mut files = vec![repo().join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(repo().join("docs"))
        .expect("docs/ is readable")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

#[test]
fn every_runnable_command_of_the_docs_runs_as_shown() {
    let blocks: Vec<Block> = documents().iter().flat_map(|f| blocks(f)).collect();
    // The README's quick start, its transcript, and the guide's `init` and `run --audit`.
    assert!(blocks.len() >= 4, "only {} runnable blocks", blocks.len());
    for block in &blocks {
        run_block(block);
    }
}

#[test]
fn transcripts_match_in_order_with_wildcards() {
    let stderr = "note: x\ninstance  package\nwrote `/home/me/hello/Nano.lock`\n";
    let stdout = "extracted a\nextracted b\n";
    let printed = [stdout, stderr];
    let want = |lines: &[&str]| lines.iter().map(|l| l.to_string()).collect::<Vec<_>>();
    let interleaved = want(&[
        "instance  package",
        "extracted a",
        "wrote `[..]/Nano.lock`",
        "extracted b",
    ]);
    assert!(contains_in_order(&printed, &interleaved).is_ok());
    let swapped = want(&["wrote [..]", "instance  package"]);
    assert!(contains_in_order(&printed, &swapped).is_err());
    let swapped = want(&["extracted b", "extracted a"]);
    assert!(contains_in_order(&printed, &swapped).is_err());
    assert!(contains_in_order(&printed, &want(&["instance"])).is_err());
    assert!(line_matches("a b c", "a[..]c"));
    assert!(!line_matches("a b c d", "a[..]c"));
    assert_eq!(
        rewrite("cargo run -q -p cargo-nano -- nano check && cargo nano tree"),
        "\"$CARGO_NANO\" nano check && \"$CARGO_NANO\" nano tree"
    );
}
