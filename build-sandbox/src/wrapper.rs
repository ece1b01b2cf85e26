//! The wrapper modes of the `cargo-nano` binary: `RUSTC_WRAPPER`, and the runner of wrapped build
//! scripts. This is a command-line edge: it forwards the confined process's error output and adds
//! its own diagnostics to standard error, where Cargo shows them.

use std::ffi::{OsStr, OsString};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::confine::{self, Rules};

use crate::relay::Relay;
use crate::report::{self, Scanner, Subject};
use crate::rustc_args::RustcArgs;
use crate::{BUILD_SCRIPT_ARG, ENV_POLICY, Policy, wrap};

/// Set by [`dispatch`]: this binary's `main` answers wrapper calls, so it may be named as rustc's
/// wrapper for Cargo commands that compile nothing ([`crate::metadata_env`]).
static DISPATCHED: AtomicBool = AtomicBool::new(false);

/// Whether this process went through [`dispatch`] (and so answers wrapper calls).
pub fn answers_wrapper_calls() -> bool {
    DISPATCHED.load(Ordering::Relaxed)
}

/// Runs a wrapper mode if this process is one: a wrapped build script (`cargo-nano
/// __nano-build-script ORIG ARGS…`) or the rustc wrapper (`cargo-nano RUSTC ARGS…` under
/// [`ENV_POLICY`]). Returns the exit code, or `None` for an ordinary `cargo-nano` command.
pub fn dispatch(args: &[OsString]) -> Option<u8> {
    DISPATCHED.store(true, Ordering::Relaxed);
    if args.get(1).is_some_and(|a| a == BUILD_SCRIPT_ARG) {
        return Some(build_script(args.get(2..).unwrap_or_default()));
    }
    let as_wrapper = std::env::var_os(ENV_POLICY).is_some()
        && args.get(1).is_some_and(|a| a != "nano" && !a.is_empty());
    as_wrapper.then(|| rustc(&args[1..]))
}

fn fail(message: &str) -> u8 {
    eprintln!("error: {message}");
    1
}

/// `RUSTC_WRAPPER`: `args` is the rustc program and its arguments.
fn rustc(args: &[OsString]) -> u8 {
    // A nano child compiled for a parent's build is compiled from its interface view.
    let viewed: Vec<OsString>;
    let args = match crate::interface_view::substitute(&args[1..]) {
        Some(rest) => {
            viewed = std::iter::once(args[0].clone()).chain(rest).collect();
            &viewed[..]
        }
        None => args,
    };
    let Some(policy) = Policy::from_env() else {
        return fail(&format!(
            "cargo-nano's rustc wrapper found no valid `{ENV_POLICY}`"
        ));
    };
    let parsed = RustcArgs::parse(&args[1..]);
    let macros = parsed.proc_macros();
    let code = if macros.is_empty() {
        // No third-party code runs inside rustc: the user's own wrapper gets the call unchanged.
        let mut cmd = match &policy.inner_wrapper {
            Some(inner) => {
                let mut c = Command::new(inner);
                c.args(args);
                c
            }
            None => {
                let mut c = Command::new(&args[0]);
                c.args(&args[1..]);
                c
            }
        };
        if parsed.build_script_output().is_none() {
            let err = cmd.exec();
            return fail(&format!(
                "failed to run `{}`: {err}",
                cmd.get_program().display()
            ));
        }
        match cmd.status() {
            Ok(status) => exit_code(status),
            Err(e) => {
                return fail(&format!(
                    "failed to run `{}`: {e}",
                    cmd.get_program().display()
                ));
            }
        }
    } else {
        // Proc macros run inside rustc, so rustc runs confined, and directly: a chained wrapper
        // such as sccache talks to a server over a socket and writes its own cache.
        let compiled = package_label();
        let (what, krate) = match macros.as_slice() {
            [one] => (
                format!("the proc macro `{one}` (compiling {compiled})"),
                one.clone(),
            ),
            many => (
                format!(
                    "a proc macro (one of `{}`, compiling {compiled})",
                    many.join("`, `")
                ),
                many[0].clone(),
            ),
        };
        // rustc writes a private directory; the wrapper moves its artifacts into the shared one.
        let (relay, rustc_args) = match Relay::new(&args[1..], &parsed) {
            Some((relay, rewritten)) => (Some(relay), rewritten),
            None => (None, args[1..].to_vec()),
        };
        let write = match &relay {
            Some(relay) => std::iter::once(relay.private.clone())
                .chain(parsed.incremental.iter().cloned())
                .collect(),
            None => parsed.write_dirs(),
        };
        let mut rules = Rules {
            read: policy.read.clone(),
            write,
            network: false,
        };
        rules
            .read
            .extend(std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from));
        rules.read.extend(parsed.read_dirs());
        for name in &macros {
            let perms = policy.permissions(name);
            rules.read.extend(perms.read);
            rules.write.extend(perms.write);
            rules.network |= perms.network;
        }
        let subject = Subject {
            what,
            krate,
            default: report::MACRO_DEFAULT,
        };
        run_confined(
            &args[0],
            &rustc_args,
            rules,
            &subject,
            &policy,
            false,
            relay.as_ref(),
        )
    };
    if code == 0
        && let Some(output) = parsed.build_script_output()
        && let Err(e) = wrap::wrap(&output)
    {
        return fail(&format!(
            "failed to wrap the build script `{}`: {e}",
            output.display()
        ));
    }
    code
}

/// `crate-name 1.0.0` of the package Cargo is building, in backticks.
fn package_label() -> String {
    let name = std::env::var("CARGO_PKG_NAME").unwrap_or_else(|_| "?".into());
    match std::env::var("CARGO_PKG_VERSION") {
        Ok(version) if !version.is_empty() => format!("`{name} {version}`"),
        _ => format!("`{name}`"),
    }
}

/// A wrapped build script: `args` is the original binary and its arguments.
fn build_script(args: &[OsString]) -> u8 {
    let Some((orig, rest)) = args.split_first() else {
        return fail("cargo-nano's build-script runner needs the build script to run");
    };
    let Some(policy) = Policy::from_env() else {
        // Not under `cargo nano` (a plain `cargo build` reusing the target directory).
        let err = Command::new(orig).args(rest).exec();
        return fail(&format!(
            "failed to run `{}`: {err}",
            Path::new(orig).display()
        ));
    };
    let name = std::env::var("CARGO_PKG_NAME").unwrap_or_default();
    let perms = policy.permissions(&name);
    let mut rules = Rules {
        read: policy.read.clone(),
        write: std::env::var_os("OUT_DIR")
            .map(PathBuf::from)
            .into_iter()
            .collect(),
        network: perms.network,
    };
    rules
        .read
        .extend(std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from));
    rules.read.extend(perms.read);
    rules.write.extend(perms.write);
    let subject = Subject {
        what: format!("the build script of {}", package_label()),
        krate: name,
        default: report::SCRIPT_DEFAULT,
    };
    run_confined(orig, rest, rules, &subject, &policy, true, None)
}

/// The named pipe of Cargo's jobserver, when it uses one (`--jobserver-auth=fifo:PATH`).
fn jobserver_fifo() -> Option<PathBuf> {
    let flags = std::env::var("CARGO_MAKEFLAGS").ok()?;
    let path = flags.split_whitespace().find_map(|f| {
        f.strip_prefix("--jobserver-auth=fifo:")
            .or_else(|| f.strip_prefix("--jobserver-fds=fifo:"))
    })?;
    Some(PathBuf::from(path))
}

/// Confines this process to `rules` plus a private temporary directory, runs `program`, forwards
/// its error output, and explains a failure caused by a denial. `note_failures`: also say that a
/// failure without a recognisable denial happened confined.
fn run_confined(
    program: &OsStr,
    args: &[OsString],
    mut rules: Rules,
    subject: &Subject,
    policy: &Policy,
    note_failures: bool,
    relay: Option<&Relay>,
) -> u8 {
    let tmp = match tempfile::Builder::new().prefix("nano-sandbox-").tempdir() {
        Ok(t) => t,
        Err(e) => {
            return fail(&format!(
                "cannot create a temporary directory for {}: {e}",
                subject.what
            ));
        }
    };
    rules.write.push(tmp.path().to_path_buf());
    rules.write.extend(jobserver_fifo());
    let mut prepared = match confine::prepare(&rules) {
        Ok(p) => p,
        Err(e) => return cannot_confine(subject, &e.to_string()),
    };
    let mut cmd = Command::new(program);
    cmd.args(args)
        .env("TMPDIR", tmp.path())
        .env("TMP", tmp.path())
        .env("TEMP", tmp.path())
        .stderr(Stdio::piped());
    // SAFETY: the hook runs in the child between fork and exec. This process is single-threaded
    // (the wrapper runs before `cargo-nano` does anything else and starts no thread), so no lock
    // or allocator state is held by another thread at the fork; the hook only makes system calls
    // (landlock_restrict_self, prctl) and closes the ruleset's descriptor.
    unsafe {
        cmd.pre_exec(move || prepared.apply());
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::Other => {
            return cannot_confine(subject, &e.to_string());
        }
        Err(e) => {
            return fail(&format!(
                "failed to run `{}`: {e}",
                Path::new(program).display()
            ));
        }
    };
    let mut scanner = Scanner::default();
    if let Some(stderr) = child.stderr.take() {
        let mut reader = BufReader::new(stderr);
        let mut line = Vec::new();
        let mut out = std::io::stderr().lock();
        while reader.read_until(b'\n', &mut line).is_ok_and(|n| n > 0) {
            let text = String::from_utf8_lossy(&line);
            match relay.and_then(|r| r.line(text.trim_end())) {
                Some(moved) => {
                    let _ = writeln!(out, "{moved}");
                }
                None => {
                    let _ = out.write_all(&line);
                }
            }
            scanner.line(text.trim_end());
            line.clear();
        }
    }
    let code = match child.wait() {
        Ok(status) => exit_code(status),
        Err(e) => {
            return fail(&format!(
                "failed to wait for `{}`: {e}",
                Path::new(program).display()
            ));
        }
    };
    if let Some(relay) = relay
        && let Err(e) = relay.finish(code == 0)
        && code == 0
    {
        return fail(&format!(
            "failed to move rustc's artifacts from `{}`: {e}",
            relay.private.display()
        ));
    }
    if code != 0 {
        match report::classify(&scanner.lines, &rules.read, &rules.write) {
            Some(op) => eprint!(
                "{}",
                report::denied(subject, &op, &scanner.lines, &policy.manifest)
            ),
            None if note_failures => {
                eprint!("{}", report::failed_confined(subject, &policy.manifest))
            }
            None => {}
        }
    }
    code
}

/// Fails closed: once a build is confined, nothing runs unconfined.
fn cannot_confine(subject: &Subject, why: &str) -> u8 {
    fail(&format!(
        "cannot confine {}: {why}\n  = help: cargo-nano does not run it unconfined once a build is confined; report this with your kernel version (`uname -r`)",
        subject.what
    ))
}

/// The exit code to pass on: the process's own, or 128 + the signal that ended it.
fn exit_code(status: ExitStatus) -> u8 {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => code as u8,
        (None, Some(signal)) => 128u8.wrapping_add(signal as u8),
        (None, None) => 1,
    }
}
